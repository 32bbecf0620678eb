//! Talks and war together, month by month.
//!
//! A [`Simulation`] is set up once per scenario and set of levers: the war compiled, both
//! sides' stakes, the negotiation domain ranked, and the **bargaining set** (the Pareto
//! frontier of the parties at the table) computed. None of that changes between months —
//! only reservation values move — so a month costs one war step, one projection per
//! side, a pass over the bargaining set and, only when the zone of possible agreement is
//! not empty, one negotiation.
//!
//! Each month of a [`Simulation::run`]:
//!
//! * **fighting**: the war advances; each side may break (its monthly chance from its
//!   support); a side may choose a wider mobilisation, and the mediator may walk away
//!   (`[conflict.mediation]`: its chance grows with each month of its talks without a
//!   deal; once gone, the parties exchange offers without its texts and the donors it
//!   withdraws stop delivering); both reservation values are recomputed ([`crate::batna`]); the package
//!   that gives the worst-off party the largest margin is read off the bargaining set; if
//!   the zone is not empty the scenario's talks are held with the current reservation
//!   values, and an agreement starts a ceasefire on its terms. When the zone is empty no
//!   talks are held: no built-in strategy accepts a package below its reservation value,
//!   so they could not succeed (tested);
//! * **ceasefire** (and, once it has held `consolidation` months, **settled**): no
//!   fighting, the armies regroup (recruitment, production and deliveries go on); each
//!   month the settlement breaks down with a hazard that depends on its terms (base rates
//!   from the UCDP Conflict Termination data, times the factors of the matching terms) and
//!   rises with the gap in rebuilt strength since the deal. A breakdown (**collapsed**)
//!   restarts the war the next month, and talks may resume.
//!
//! The commitment problem (`commitment`, [`rebuilt_hazard`]): when the parties anticipate
//! breakdown (`conflict.durability.anticipation` months), a month of fighting weighs every
//! package net of its chance of breaking down within them and of the war restarted from the
//! rebuilt position; the zone test, the best offer and the talks all use that rule. Left at
//! their defaults, these numbers change nothing.
//!
//! Every month draws the same random numbers in the same order whatever happens, so runs
//! of different levers with one seed share their shocks (common random numbers).

use std::sync::Arc;

use parley_core::conflict::Month;
use parley_core::utility::{Units, to_units};
use parley_core::{Conflict, Lever, Scenario, UtilityModel, bargaining_set};
use parley_protocol::{
    Domain, MediatedText, NoObserver, Protocol, Run, RunConfig, StackedAlternatingOffers, StrategyKind, Termination,
    run,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha12Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::Serialize;

use crate::batna::{Stakes, StakesError, breaking_chance, reservation_values, stakes};
use crate::war::{Shocks, War, WarError, WarState};

mod commitment;
mod framework;

pub use commitment::{Anticipated, rebuilt_hazard, strength_gap};
use commitment::{DurabilityClass, Outlook, class_domains_for};
use framework::{FrameworkOutcome, FrameworkSetup};

/// Packages worse than a reservation value by no more than this still count as in the zone
/// (the strategies' acceptance tolerance), so skipping talks never changes a result.
const ZONE_TOLERANCE: f64 = 1e-4;

/// How the parties negotiate each month.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Talks {
    /// The protocol.
    pub protocol: TalksProtocol,
    /// One strategy per party at the table, in the order of [`Simulation::parties`].
    pub strategies: Vec<StrategyKind>,
    /// Rounds per month's negotiation.
    pub rounds: u32,
}

/// The protocol of the monthly talks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TalksProtocol {
    /// Stacked alternating offers among the parties.
    AlternatingOffers,
    /// A mediated single negotiating text; the mediator is a seat at the table, or neutral.
    /// The mediator opens with the package on the bargaining set that gives the worst-off
    /// party the largest margin (the month's best offer).
    MediatedText {
        /// Seat of the mediator, if it has interests.
        mediator: Option<usize>,
    },
}

/// Why a simulation cannot be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimulationError {
    /// The war cannot be compiled.
    #[error(transparent)]
    War(#[from] WarError),
    /// The stakes cannot be computed.
    #[error(transparent)]
    Stakes(#[from] StakesError),
    /// The engine refused the scenario.
    #[error(transparent)]
    Core(#[from] parley_core::Error),
    /// The negotiation domain cannot be built.
    #[error(transparent)]
    Protocol(#[from] parley_protocol::Error),
    /// A lever does not apply.
    #[error("lever \"{id}\": {source}")]
    Lever {
        /// The lever.
        id: String,
        /// Why.
        source: parley_core::LeverError,
    },
    /// The talks do not match the parties.
    #[error("{0}")]
    Talks(String),
}

/// The state of the talks and the war in a month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// War, and talks when a zone of agreement exists.
    Fighting,
    /// A ceasefire on agreed terms, not yet consolidated.
    Ceasefire,
    /// A ceasefire that has held long enough to count as a settlement.
    Settled,
    /// The settlement broke down this month; war resumes next month.
    Collapsed,
    /// A side broke; the war is over on the victor's terms.
    Capitulated,
}

impl Phase {
    /// The snake-case name used in tables and files.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Fighting => "fighting",
            Phase::Ceasefire => "ceasefire",
            Phase::Settled => "settled",
            Phase::Collapsed => "collapsed",
            Phase::Capitulated => "capitulated",
        }
    }
}

/// How a simulated period ended.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Ending {
    /// The war went on throughout.
    NoSettlement,
    /// An agreement is in force at the end.
    Holding {
        /// When it was agreed.
        agreed: Month,
        /// The terms (an outcome index).
        terms: u64,
        /// Whether it has consolidated into a settlement.
        settled: bool,
    },
    /// An agreement was reached and broke down, and no later one holds at the end.
    Relapsed {
        /// When the last agreement was reached.
        agreed: Month,
        /// When it broke down.
        collapsed: Month,
    },
    /// A side broke.
    Capitulation {
        /// The actor that broke.
        actor: usize,
        /// When.
        month: Month,
    },
}

/// One simulated month.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MonthRecord {
    /// The month.
    pub month: Month,
    /// The phase at the end of the month.
    pub phase: Phase,
    /// The war at the end of the month.
    pub war: WarState,
    /// Each side's alternative to a deal, in the order of the conflict's sides.
    pub batna: [f64; 2],
    /// Every party's reservation value this month (dynamic for the belligerents).
    pub reservation: Vec<f64>,
    /// The package on the bargaining set that gives the worst-off party the largest
    /// margin (during a ceasefire: the agreed terms).
    pub best_offer: Option<u64>,
    /// Every party's utility of the best offer minus its reservation value.
    pub margins: Vec<f64>,
    /// Whether talks were held and how they ended.
    pub talks: Option<Termination>,
    /// The monthly hazard of breakdown (during a ceasefire or settlement).
    pub hazard: f64,
    /// In a month of fighting, when the parties anticipate breakdown
    /// (`conflict.durability.anticipation`): what they expect of a deal. The margins are
    /// then net of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anticipated: Option<Anticipated>,
    /// Whether the month's talks were held over a belligerent's head
    /// (`[conflict.framework]`), and what was put to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_the_head: Option<OverTheHead>,
}

/// A month's talks held over a belligerent's head: the other parties negotiate a framework
/// and put it to the absent side. The month's talks end in an agreement on the framework if
/// it accepted, in a breakdown by its seat if it refused, and as the other parties' talks
/// ended if they agreed none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct OverTheHead {
    /// The framework put to the absent side, if the other parties agreed one.
    pub framework: Option<u64>,
}

impl MonthRecord {
    /// The framework put to an absent side this month, if any.
    pub fn framework(&self) -> Option<u64> {
        self.over_the_head.and_then(|o| o.framework)
    }
}

/// A finished simulation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trajectory {
    /// The months after the scenario date, in order.
    pub months: Vec<MonthRecord>,
    /// How it ended.
    pub ending: Ending,
}

/// A month of the war before the scenario date against the record ([`Simulation::history_check`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HistoryCheck {
    /// `ln P(neither side broke this month)`.
    pub log_survival: f64,
    /// Whether talks would have ended in an agreement.
    pub agreed: bool,
}

/// Settings of one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunOptions {
    /// Months simulated after the scenario date.
    pub months: u32,
    /// Master seed.
    pub seed: u64,
    /// Stream under the seed (one per replicate).
    pub stream: u64,
    /// Whether to draw shocks and breakdowns; without, the run is the *central path*:
    /// no shocks, a side breaks only once its support is below its breaking point, and
    /// settlements do not break down.
    pub noise: bool,
    /// Whether talks are held; without, the run is the no-deal path.
    pub talks: bool,
}

/// The stream of a month's talks seed from which the mediator's walking away is drawn (the
/// talks themselves use stream 0).
const MEDIATION_STREAM: u64 = 1;

/// The stream of a month's talks seed from which the front's tempo is drawn (whether an
/// offensive begins or culminates): a stream of its own, so a war with offensives draws
/// every other number as one without them does.
const TEMPO_STREAM: u64 = 2;

/// The random numbers of one month, always the same number in the same order whatever
/// happens, so runs that differ in their levers share their shocks.
struct MonthDraws {
    shocks: Shocks,
    breaking: [f64; 2],
    breakdown: f64,
    talk_seed: u64,
}

impl MonthDraws {
    /// The month's draws; `tempo`: whether the war has offensives, whose draw is then
    /// derived from the talks' seed.
    fn draw(rng: &mut ChaCha12Rng, tempo: bool) -> MonthDraws {
        let mut normal = || -> f64 { StandardNormal.sample(rng) };
        let mut shocks = Shocks { losses: [normal(), normal()], territory: normal(), pace: normal(), tempo: None };
        let (breaking, breakdown, talk_seed) = ([rng.random(), rng.random()], rng.random(), rng.random());
        if tempo {
            let mut stream = ChaCha12Rng::seed_from_u64(talk_seed);
            stream.set_stream(TEMPO_STREAM);
            shocks.tempo = Some(stream.random());
        }
        MonthDraws { shocks, breaking, breakdown, talk_seed }
    }
}

struct Factor {
    /// `(issue, options)` in the table scenario's indices.
    when: Vec<(usize, Vec<u32>)>,
    multiplier: f64,
}

impl Factor {
    /// Whether package `digits` matches the factor's terms.
    fn matches(&self, digits: &[u32]) -> bool {
        self.when.iter().all(|(i, options)| options.contains(&digits[*i]))
    }
}

/// A scenario and levers, prepared for simulation.
pub struct Simulation {
    /// The table scenario: levers applied in full.
    scenario: Arc<Scenario>,
    /// The world the war is fought in: levers applied without their fixes.
    world: Arc<Scenario>,
    /// The world's utilities, for the stakes.
    world_model: Arc<UtilityModel>,
    /// The world's conflict with this simulation's numbers.
    conflict: Conflict,
    war: War,
    stakes: Arc<[Stakes; 2]>,
    /// Actor indices of the parties at the table.
    parties: Vec<usize>,
    /// Seat of each side at the table, if it sits there.
    side_seats: [Option<usize>; 2],
    /// The ranked negotiation domain; `None` when some party's red lines exclude every
    /// package (no talks can succeed, so none are held).
    domain: Option<Domain>,
    bargaining_set: Arc<Vec<(u64, Vec<f64>)>>,
    /// The bargaining set's utilities in exact units, a row of the parties' per package
    /// (converted once, not every month).
    bargaining_units: Arc<Vec<Units>>,
    static_reservation: Vec<f64>,
    talks: Talks,
    ceasefire_hazard: f64,
    settled_hazard: f64,
    consolidation: u32,
    factors: Vec<Factor>,
    /// How fast the hazard rises with the gap in rebuilt strength ([`rebuilt_hazard`]).
    rebuild_sensitivity: f64,
    /// Months over which the parties anticipate breakdown (0: they do not).
    anticipation: u32,
    /// The bargaining set's durability classes, and each package's.
    classes: Vec<DurabilityClass>,
    package_class: Vec<u32>,
    /// The negotiation domain restricted to each durability class, when the parties
    /// anticipate breakdown.
    class_domains: Option<Arc<Vec<Domain>>>,
    /// Talks over a belligerent's head, when `[conflict.framework]` may hold them.
    framework: Option<Arc<FrameworkSetup>>,
    /// Each package of the framework's bargaining set's durability class.
    framework_class: Vec<u32>,
    /// The framework's domain restricted to each durability class, when the parties
    /// anticipate breakdown.
    framework_class_domains: Option<Arc<Vec<Domain>>>,
    /// Holder's km² under each option of the table's territorial issue, if it is a line.
    territory_issue: Option<usize>,
    anchors: Vec<Option<f64>>,
    /// The war at the scenario date: the end of the noise-free history, or a state given by
    /// [`Simulation::starting_from`] (a particle of the filtered record).
    at_as_of: WarState,
    history: Vec<WarState>,
}

/// What a simulation is assembled from.
struct Prepared {
    table: Arc<Scenario>,
    world: Arc<Scenario>,
    world_model: Arc<UtilityModel>,
    conflict: Conflict,
    stakes: Arc<[Stakes; 2]>,
    parties: Vec<usize>,
    domain: Option<Domain>,
    bargaining_set: Arc<Vec<(u64, Vec<f64>)>>,
    static_reservation: Vec<f64>,
    talks: Talks,
    class_domains: Option<Arc<Vec<Domain>>>,
    framework: Option<Arc<FrameworkSetup>>,
    framework_class_domains: Option<Arc<Vec<Domain>>>,
    /// The durability classes of a simulation of the same table, bargaining set and first
    /// stage, whose factors' conditions are these (only their multipliers may differ).
    classes: Option<SharedClasses>,
}

/// Which durability class each package of the bargaining set and of the first stage falls
/// in, with the classes' matching factors: what [`Simulation::with_numbers`] keeps, since
/// numbers move the factors' multipliers, never their conditions.
struct SharedClasses {
    classes: Vec<commitment::DurabilityClass>,
    package_class: Vec<u32>,
    framework_class: Vec<u32>,
}

/// The default talks: the veto players at the table, a single negotiating text drafted by
/// the first party with the mediator's role (neutral if none), every party conceding
/// towards its current reservation value (BATNA-aware, exponent 3).
pub fn default_talks(scenario: &Scenario, parties: &[usize]) -> Talks {
    let mediator = parties.iter().position(|&a| scenario.actors[a].role == parley_core::Role::Mediator);
    Talks {
        protocol: TalksProtocol::MediatedText { mediator },
        strategies: vec![StrategyKind::BatnaAware { exponent: 3.0 }; parties.len()],
        rounds: 60,
    }
}

/// The actors at the table by default: the veto players (every actor if none).
pub fn default_parties(scenario: &Scenario) -> Vec<usize> {
    let veto = scenario.veto_players();
    if veto.is_empty() { (0..scenario.actors.len()).collect() } else { veto }
}

impl Simulation {
    /// Prepares `base` with `levers` applied in order, negotiating with `talks` (the
    /// parties at the table are [`default_parties`]).
    pub fn new(base: &Scenario, levers: &[&Lever], talks: Option<Talks>) -> Result<Simulation, SimulationError> {
        let mut table = base.clone();
        let mut world = base.clone();
        for lever in levers {
            let err = |source| SimulationError::Lever { id: lever.id.clone(), source };
            table = table.with_lever(lever).map_err(err)?;
            world = world.with_lever(&lever.without_fixes()).map_err(err)?;
        }
        let model = UtilityModel::new(&table)?;
        let parties = default_parties(&table);
        let talks = talks.unwrap_or_else(|| default_talks(&table, &parties));
        if talks.strategies.len() != parties.len() {
            return Err(SimulationError::Talks(format!(
                "{} strategies for {} parties at the table",
                talks.strategies.len(),
                parties.len()
            )));
        }
        let domain = match Domain::new(&model) {
            Ok(d) => Some(d.with_parties(&parties)),
            Err(parley_protocol::Error::NothingAcceptable { .. }) => None,
            Err(e) => return Err(e.into()),
        };
        let bargaining_set = Arc::new(bargaining_set(&model, &parties)?);
        let world_model = UtilityModel::new(&world)?;
        let conflict = world.conflict.clone().ok_or(WarError::NoConflict)?;
        let stakes = Arc::new(stakes(&world, &conflict, &world_model)?);
        let static_reservation = parties.iter().map(|&a| table.preferences[a].reservation.value).collect();
        let framework = framework_setup(&conflict, &model, &parties, domain.as_ref())?;
        Self::assemble(Prepared {
            table: Arc::new(table),
            world: Arc::new(world),
            world_model: Arc::new(world_model),
            conflict,
            stakes,
            parties,
            domain,
            bargaining_set,
            static_reservation,
            talks,
            class_domains: None,
            framework,
            framework_class_domains: None,
            classes: None,
        })
    }

    /// The same simulation with numbers changed (paths as `parley sources` lists them).
    /// Only numbers that leave the ranking of the outcome space unchanged may change — the
    /// war's and the reservation values — so the ranked domain and the bargaining set are
    /// shared, not recomputed: this is how a Monte Carlo experiment draws a replicate, and
    /// a particle filter its particles. Only the war is compiled again (and the stakes, if a
    /// territorial anchor moves).
    pub fn with_numbers(&self, numbers: &[(&str, f64)]) -> Result<Simulation, SimulationError> {
        let mut conflict = self.conflict.clone();
        let mut reservation = self.static_reservation.clone();
        let mut anchors_moved = false;
        for (path, value) in numbers {
            let unknown = || SimulationError::Talks(format!("no number at path \"{path}\""));
            if let Some(rest) = path.strip_prefix("conflict.") {
                let parts: Vec<&str> = rest.split('.').collect();
                conflict.quantity_mut(&parts, &self.world.actors).ok_or_else(unknown)?.value = *value;
                anchors_moved |= rest.starts_with("territory.anchors.");
            } else if let Some(actor) = path.strip_prefix("preferences.").and_then(|p| p.strip_suffix(".reservation")) {
                let a = self.scenario.actors.iter().position(|x| x.id == actor).ok_or_else(unknown)?;
                if let Some(seat) = self.parties.iter().position(|&x| x == a) {
                    reservation[seat] = *value;
                }
            } else {
                return Err(SimulationError::Talks(format!(
                    "\"{path}\" changes the ranking of the outcome space; only the war's numbers and reservation values can vary between replicates"
                )));
            }
        }
        let stakes = if anchors_moved {
            Arc::new(stakes(&self.world, &conflict, &self.world_model)?)
        } else {
            Arc::clone(&self.stakes)
        };
        // The first stage is prepared once; numbers that start talks over a side's head
        // where there were none prepare it now.
        let (framework, framework_class_domains, same_stage) = match &self.framework {
            Some(f) => (Some(Arc::clone(f)), self.framework_class_domains.clone(), true),
            None if may_go_over_the_head(&conflict) => {
                let model = UtilityModel::new(&self.scenario)?;
                (framework_setup(&conflict, &model, &self.parties, self.domain.as_ref())?, None, false)
            }
            None => (None, None, true),
        };
        // The packages' classes hold while the first stage is the same one.
        let classes = same_stage.then(|| SharedClasses {
            classes: self.classes.clone(),
            package_class: self.package_class.clone(),
            framework_class: self.framework_class.clone(),
        });
        Self::assemble(Prepared {
            table: Arc::clone(&self.scenario),
            world: Arc::clone(&self.world),
            world_model: Arc::clone(&self.world_model),
            conflict,
            stakes,
            parties: self.parties.clone(),
            domain: self.domain.clone(),
            bargaining_set: Arc::clone(&self.bargaining_set),
            static_reservation: reservation,
            talks: self.talks.clone(),
            class_domains: self.class_domains.clone(),
            framework,
            framework_class_domains,
            classes,
        })
    }

    /// The same simulation starting at the scenario date from `state` (a particle of the
    /// filtered record, say) instead of the end of its noise-free history.
    pub fn starting_from(mut self, state: WarState) -> Simulation {
        self.at_as_of = state;
        self
    }

    fn assemble(p: Prepared) -> Result<Simulation, SimulationError> {
        let Prepared {
            table,
            world,
            world_model,
            conflict,
            stakes,
            parties,
            domain,
            bargaining_set,
            static_reservation,
            talks,
            class_domains,
            framework,
            framework_class_domains,
            classes: shared_classes,
        } = p;
        let mut conflict = conflict;
        let war = War::from_conflict_in_place(&mut conflict, &world.actors)?;
        let side_seats = [0, 1].map(|i| parties.iter().position(|&a| a == conflict.sides[i].actor));
        let factors = conflict
            .durability
            .factors
            .iter()
            .filter_map(|f| {
                let when: Option<Vec<(usize, Vec<u32>)>> = f
                    .when
                    .iter()
                    .map(|(issue, options)| {
                        let i = table.issue_index(issue)?;
                        let kept: Vec<u32> =
                            options.iter().filter_map(|o| table.issues[i].option_index(o).map(|o| o as u32)).collect();
                        // Options a lever took off the table can never be agreed.
                        (!kept.is_empty()).then_some((i, kept))
                    })
                    .collect();
                when.map(|when| Factor { when, multiplier: f.multiplier.value })
            })
            .collect();
        let territory_issue = table.issue_index(&conflict.territory.issue);
        let anchors = territory_issue.map_or_else(Vec::new, |i| {
            table.issues[i]
                .options
                .iter()
                .map(|o| conflict.territory.anchors.iter().find(|(id, _)| *id == o.id).map(|(_, q)| q.value))
                .collect()
        });
        let mut history = Vec::new();
        let mut state = war.initial();
        for _ in 0..war.history_months() {
            state = war.step(&state, &Shocks::default());
            history.push(state);
        }
        let mut sim = Simulation {
            ceasefire_hazard: conflict.durability.ceasefire_hazard.value,
            settled_hazard: conflict.durability.settled_hazard.value,
            consolidation: conflict.durability.consolidation.value.round().max(0.0) as u32,
            rebuild_sensitivity: conflict.durability.rebuild_sensitivity.value,
            anticipation: conflict.durability.anticipation.value.round().max(0.0) as u32,
            classes: Vec::new(),
            package_class: Vec::new(),
            class_domains: None,
            framework,
            framework_class: Vec::new(),
            framework_class_domains: None,
            scenario: table,
            world,
            world_model,
            conflict,
            war,
            stakes,
            parties,
            side_seats,
            domain,
            bargaining_units: Arc::new(
                bargaining_set.iter().flat_map(|(_, u)| u.iter().map(|&x| to_units(x))).collect(),
            ),
            bargaining_set,
            static_reservation,
            talks,
            factors,
            territory_issue,
            anchors,
            at_as_of: state,
            history,
        };
        match shared_classes {
            // Each class's factor again from these multipliers, in the factors' order (as
            // `hazard_factor` multiplies them, so equal sets give equal products to the bit).
            Some(SharedClasses { mut classes, package_class, framework_class }) => {
                for class in &mut classes {
                    class.factor = sim
                        .factors
                        .iter()
                        .zip(&class.matches)
                        .filter(|(_, m)| **m)
                        .map(|(f, _)| f.multiplier)
                        .product();
                }
                sim.classes = classes;
                sim.package_class = package_class;
                sim.framework_class = framework_class;
                sim.class_domains = class_domains;
                sim.framework_class_domains = framework_class_domains;
            }
            None => {
                (sim.classes, sim.package_class) = sim.durability_classes();
                sim.class_domains = class_domains_for(&sim, class_domains);
                sim.framework_classes(framework_class_domains);
            }
        }
        Ok(sim)
    }

    /// The scenario negotiated over (levers applied).
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The conflict the war is fought under (levers and this simulation's numbers applied).
    pub fn conflict(&self) -> &Conflict {
        &self.conflict
    }

    /// The compiled war.
    pub fn war(&self) -> &War {
        &self.war
    }

    /// Both sides' stakes.
    pub fn stakes(&self) -> &[Stakes; 2] {
        &self.stakes
    }

    /// The actors at the table.
    pub fn parties(&self) -> &[usize] {
        &self.parties
    }

    /// How the parties negotiate each month.
    pub fn talks(&self) -> &Talks {
        &self.talks
    }

    /// The bargaining set's size.
    pub fn bargaining_set_len(&self) -> usize {
        self.bargaining_set.len()
    }

    /// The war's monthly states from the start to the scenario date (no noise, no talks).
    pub fn history(&self) -> &[WarState] {
        &self.history
    }

    /// Both sides' reservation values at the scenario date.
    pub fn reservation_at_as_of(&self) -> [f64; 2] {
        reservation_values(&self.war, &self.stakes, &self.at_as_of, self.optimism(self.at_as_of.month, 0))
    }

    /// Each side's optimism in month `t` (months from the start) after `fought` months of
    /// fighting since the scenario date (`fought ≤ 0` for a month of the record: every month
    /// before the scenario date was fought). Optimism loses the share `learning` per month of
    /// fighting from its value at [`Conflict::beliefs_as_of`], so on the record before that
    /// month it was higher. One path of beliefs serves the record and the forecast: the
    /// filter weighs the history with the same beliefs the forecast carries on from.
    pub fn optimism(&self, t: i32, fought: i32) -> [f64; 2] {
        let p = self.war.params(t);
        let stated = self.conflict.beliefs_as_of.unwrap_or(self.conflict.as_of);
        let months = fought + self.conflict.as_of.since(stated);
        [0, 1].map(|i| p.sides[i].optimism * (1.0 - p.beliefs.learning).powi(months))
    }

    /// The monthly breakdown hazard of a settlement on `terms`, before either side has
    /// rebuilt (the gap in strength is 0).
    pub fn hazard(&self, terms: u64, settled: bool) -> f64 {
        self.hazard_after_rebuilding(terms, settled, 0.0)
    }

    /// The monthly breakdown hazard of a settlement on `terms` once the force ratio has moved
    /// by `gap` ([`strength_gap`]) since the deal: the base rate times the matching factors
    /// times `exp(rebuild_sensitivity × gap)`, at most 1 ([`rebuilt_hazard`]).
    pub fn hazard_after_rebuilding(&self, terms: u64, settled: bool, gap: f64) -> f64 {
        let base = if settled { self.settled_hazard } else { self.ceasefire_hazard };
        let factor = self.hazard_factor(&self.scenario.outcome_space().decode(terms));
        rebuilt_hazard(base * factor, self.rebuild_sensitivity, gap)
    }

    /// The product of the multipliers of the hazard factors that package `digits` matches
    /// (in the factors' order, so that equal sets give equal products to the bit).
    fn hazard_factor(&self, digits: &[u32]) -> f64 {
        self.factors.iter().filter(|f| f.matches(digits)).map(|f| f.multiplier).product()
    }

    /// The monthly hazard of breakdown of a ceasefire (or, `settled`, a settlement) on any
    /// terms matching `terms`: the base rate times the factors every such package matches.
    pub fn hazard_of(&self, terms: &parley_core::Condition, settled: bool) -> f64 {
        let base = if settled { self.settled_hazard } else { self.ceasefire_hazard };
        let implied = |f: &&Factor| {
            f.when.iter().all(|(i, allowed)| {
                terms.terms.iter().any(|(ti, options)| {
                    ti == i && !options.is_empty() && options.iter().all(|&o| allowed.contains(&(o as u32)))
                })
            })
        };
        let factor: f64 = self.factors.iter().filter(implied).map(|f| f.multiplier).product();
        (base * factor).clamp(0.0, 1.0)
    }

    /// The war at the scenario date, where [`Simulation::run`] starts.
    pub fn at_as_of(&self) -> &WarState {
        &self.at_as_of
    }

    /// The random numbers of one month, as [`Simulation::run`] draws them: the war's
    /// shocks and the seed of the month's talks. A filter that conditions on the record
    /// draws a month with this, may adjust the front's shock, steps the war itself and then
    /// asks [`Simulation::history_check`] whether the month is consistent with the record.
    pub fn draw_month(&self, rng: &mut ChaCha12Rng) -> (Shocks, u64) {
        let MonthDraws { shocks, talk_seed, .. } = MonthDraws::draw(rng, self.war.has_offensives());
        (shocks, talk_seed)
    }

    /// A month of the war before the scenario date, as the record knows it (the war went
    /// on): the log-probability that neither side broke in the month that ended in `state`,
    /// and whether talks — held, as in every simulated month, when a zone of agreement is
    /// open — would have ended in an agreement (with the month's `talk_seed`). Each side's
    /// optimism is what fighting had left of it by then ([`Simulation::optimism`]).
    pub fn history_check(&self, state: &WarState, talk_seed: u64) -> HistoryCheck {
        let p = self.war.params(state.month);
        let width = p.beliefs.collapse_width.max(1e-9);
        let log_survival =
            (0..2).map(|i| (1.0 - breaking_chance(state.support[i], p.sides[i].breaking_point, width)).ln()).sum();
        let optimism = self.optimism(state.month, state.month - self.war.as_of.since(self.war.start));
        let batna = reservation_values(&self.war, &self.stakes, state, optimism);
        let mut reservation = self.static_reservation.clone();
        for (seat, value) in self.side_seats.iter().zip(batna) {
            if let Some(seat) = seat {
                reservation[*seat] = value;
            }
        }
        let outlook = self.outlook(state, optimism);
        let (best_offer, margins, anticipated) = self.zone(outlook.as_ref(), &reservation);
        let open = margins.iter().copied().fold(f64::INFINITY, f64::min) >= -ZONE_TOLERANCE;
        let agreed = open
            && matches!(
                self.negotiate(&reservation, best_offer, talk_seed, true, anticipated.as_ref()),
                Termination::Agreement { .. }
            );
        HistoryCheck { log_survival, agreed }
    }

    /// Runs the months after the scenario date.
    pub fn run(&self, options: RunOptions) -> Trajectory {
        let mut rng = ChaCha12Rng::seed_from_u64(options.seed);
        rng.set_stream(options.stream);
        let mut state = self.at_as_of;
        let mut phase = Phase::Fighting;
        let mut fought = 0i32; // months of fighting since the scenario date
        // (when, terms, month index, force ratio at the deal)
        let mut agreement: Option<(Month, u64, i32, f64)> = None;
        let mut last_collapse: Option<(Month, Month)> = None;
        let mut capitulation: Option<(usize, Month)> = None;
        let mut failed = 0u32; // months of mediated talks without a deal
        let mut refused = 0u32; // frameworks the absent side refused
        let mut months = Vec::with_capacity(options.months as usize);
        let n = self.parties.len();
        for k in 0..options.months as i32 {
            let MonthDraws { shocks, breaking, breakdown, talk_seed } =
                MonthDraws::draw(&mut rng, self.war.has_offensives());
            let shocks = if options.noise { shocks } else { Shocks::default() };
            let month = self.war.as_of.plus(k + 1);
            if phase == Phase::Collapsed {
                phase = Phase::Fighting;
            }
            let mut talks = None;
            let mut hazard = 0.0;
            match phase {
                Phase::Capitulated => {
                    state.month += 1;
                    state.losses = [0.0; 2];
                    state.territory_change = 0.0;
                }
                Phase::Fighting | Phase::Collapsed => {
                    state = self.war.step(&state, &shocks);
                    fought += 1;
                    let p = self.war.params(state.month);
                    let width = p.beliefs.collapse_width.max(1e-9);
                    for (i, draw) in breaking.into_iter().enumerate() {
                        let chance = breaking_chance(state.support[i], p.sides[i].breaking_point, width);
                        let broke = if options.noise { draw < chance } else { chance > 0.5 };
                        if broke && capitulation.is_none() {
                            capitulation = Some((p.actors[i], month));
                        }
                    }
                    if capitulation.is_some() {
                        phase = Phase::Capitulated;
                    } else {
                        state = self.mobilisation_choices(state, fought);
                        state.mediator_gone |= self.mediator_walks_away(&state, failed, talk_seed, options.noise);
                    }
                }
                Phase::Ceasefire | Phase::Settled => {
                    state = self.regroup(&state);
                }
            }
            let optimism = self.optimism(state.month, fought);
            let batna = reservation_values(&self.war, &self.stakes, &state, optimism);
            let mut reservation = self.static_reservation.clone();
            for (seat, value) in self.side_seats.iter().zip(batna) {
                if let Some(seat) = seat {
                    reservation[*seat] = value;
                }
            }
            let outlook = if phase == Phase::Fighting { self.outlook(&state, optimism) } else { None };
            let (mut best_offer, mut margins, anticipated) = self.zone(outlook.as_ref(), &reservation);
            let mut over_the_head = None;
            match phase {
                Phase::Fighting if options.talks => {
                    // The breakdown chance the parties weigh the deal with, if not the best offer's.
                    let mut weighed = None;
                    let outcome = if self.over_the_head(&state, refused) {
                        let held = self.framework_talks(&state, optimism, &reservation, outlook.as_ref(), talk_seed);
                        if !matches!(held, FrameworkOutcome::NoFramework) {
                            over_the_head = Some(OverTheHead { framework: None });
                        }
                        match held {
                            FrameworkOutcome::NoFramework => None,
                            FrameworkOutcome::Failed(outcome) => Some(outcome),
                            FrameworkOutcome::Accepted { terms, round, breakdown } => {
                                over_the_head = Some(OverTheHead { framework: Some(terms) });
                                weighed = Some(breakdown);
                                Some(Termination::Agreement { outcome: terms, round })
                            }
                            FrameworkOutcome::Refused { terms, round, by } => {
                                over_the_head = Some(OverTheHead { framework: Some(terms) });
                                refused += 1;
                                state = self.pressed(&state);
                                Some(Termination::Breakdown { by, round })
                            }
                        }
                    } else if margins.iter().copied().fold(f64::INFINITY, f64::min) >= -ZONE_TOLERANCE {
                        Some(self.negotiate(
                            &reservation,
                            best_offer,
                            talk_seed,
                            !state.mediator_gone,
                            anticipated.as_ref(),
                        ))
                    } else {
                        None
                    };
                    if let Some(outcome) = outcome {
                        if !state.mediator_gone && !matches!(outcome, Termination::Agreement { .. }) {
                            failed += 1;
                        }
                        if let Termination::Agreement { outcome: terms, .. } = outcome {
                            agreement = Some((month, terms, k, self.war.force_ratio(&state)));
                            phase = Phase::Ceasefire;
                            state.held = self.line_after(terms, state.held);
                            state.pressure = 0;
                            best_offer = Some(terms);
                            margins = match (&anticipated, weighed) {
                                (Some(a), Some(breakdown)) => {
                                    self.net_margins(terms, &reservation, &Anticipated { breakdown, ..a.clone() })
                                }
                                (Some(a), None) => self.net_margins(terms, &reservation, a),
                                (None, _) => self.margins(terms, &reservation),
                            };
                        }
                        talks = Some(outcome);
                    }
                }
                Phase::Ceasefire | Phase::Settled => {
                    let (agreed, terms, at, at_deal) = agreement.expect("a ceasefire has terms");
                    if phase == Phase::Ceasefire && k - at > self.consolidation as i32 {
                        phase = Phase::Settled;
                    }
                    hazard = self.ceasefire_month_hazard(terms, phase == Phase::Settled, at_deal, &state);
                    best_offer = Some(terms);
                    margins = self.margins(terms, &reservation);
                    if options.noise && breakdown < hazard {
                        phase = Phase::Collapsed;
                        last_collapse = Some((agreed, month));
                        agreement = None;
                    }
                }
                _ => {}
            }
            debug_assert_eq!(margins.len(), n);
            months.push(MonthRecord {
                month,
                phase,
                war: state,
                batna,
                reservation,
                best_offer,
                margins,
                talks,
                hazard,
                anticipated,
                over_the_head,
            });
        }
        let ending = match (capitulation, agreement, last_collapse) {
            (Some((actor, month)), _, _) => Ending::Capitulation { actor, month },
            (None, Some((agreed, terms, _, _)), _) => {
                Ending::Holding { agreed, terms, settled: matches!(phase, Phase::Settled) }
            }
            (None, None, Some((agreed, collapsed))) => Ending::Relapsed { agreed, collapsed },
            (None, None, None) => Ending::NoSettlement,
        };
        Trajectory { months, ending }
    }

    /// Mobilisation as a choice: a side whose recruitment no longer covers its losses and
    /// that can mobilise ([`War::may_mobilise`]) compares its alternative to a deal with and
    /// without a wider mobilisation and takes the better. Declining leaves its alternative
    /// lower, so the deals on the table look better: the choice between mobilising and
    /// compromising is made on the model's own projection. Only after the scenario date:
    /// the history is the record's.
    fn mobilisation_choices(&self, mut state: WarState, fought: i32) -> WarState {
        let optimism = self.optimism(state.month, fought);
        for i in 0..2 {
            if self.war.may_mobilise(&state, i) {
                let mobilised = self.war.mobilise(&state, i);
                let without = reservation_values(&self.war, &self.stakes, &state, optimism)[i];
                let with = reservation_values(&self.war, &self.stakes, &mobilised, optimism)[i];
                if with > without {
                    state = mobilised;
                }
            }
        }
        state
    }

    /// A month of ceasefire: no fighting; recruitment and materiel go on.
    fn regroup(&self, state: &WarState) -> WarState {
        let t = state.month + 1;
        let p = self.war.params(t);
        let mut next = *state;
        next.month = t;
        next.losses = [0.0; 2];
        next.territory_change = 0.0;
        next.aid = self.war.aid(state);
        for i in 0..2 {
            let s = &p.sides[i];
            next.spending[i] = s.production * state.economy[i];
            next.materiel[i] += (next.spending[i] + next.aid[i] - state.materiel[i]) / s.delivery_lag.max(1.0);
            next.manpower[i] += self.war.recruits(state, i);
        }
        next
    }

    /// The bargaining-set package maximising the smallest margin (the first on ties), and
    /// its margins. Margins are compared on the utility grid, so equal decimals tie.
    fn best_offer(&self, reservation: &[f64]) -> (Option<u64>, Vec<f64>) {
        match max_min_package(&self.bargaining_units, reservation) {
            Some((k, _)) => {
                let outcome = self.bargaining_set[k].0;
                (Some(outcome), self.margins(outcome, reservation))
            }
            None => (None, vec![f64::NEG_INFINITY; reservation.len()]),
        }
    }

    fn margins(&self, outcome: u64, reservation: &[f64]) -> Vec<f64> {
        let Some(domain) = &self.domain else { return vec![f64::NEG_INFINITY; reservation.len()] };
        (0..self.parties.len()).map(|seat| domain.ranking(seat).utility(outcome) - reservation[seat]).collect()
    }

    /// The talks of month `k` (0-based) of `trajectory`, which `self.run(options)` produced,
    /// played again with their trace recorded: the same reservation values, opening text
    /// and random stream, so the same ending. `None` if no talks were held that month, or
    /// if they were held over a side's head (their first stage seats other parties than
    /// the table's, so its trace is not one of the table's talks).
    pub fn replay_talks(&self, options: RunOptions, trajectory: &Trajectory, k: usize) -> Option<Run> {
        let month = trajectory.months.get(k)?;
        month.talks?;
        if month.over_the_head.is_some() {
            return None;
        }
        let mut rng = ChaCha12Rng::seed_from_u64(options.seed);
        rng.set_stream(options.stream);
        let mut draws = MonthDraws::draw(&mut rng, self.war.has_offensives());
        for _ in 0..k {
            draws = MonthDraws::draw(&mut rng, self.war.has_offensives());
        }
        let opening = match &month.anticipated {
            Some(_) => month.best_offer,
            None => self.best_offer(&month.reservation).0,
        };
        let mediated = !month.war.mediator_gone;
        Some(self.talk(&month.reservation, opening, draws.talk_seed, mediated, true, month.anticipated.as_ref()))
    }

    /// Whether the mediator walks away at the start of a month of fighting after `state`,
    /// having mediated `failed` months of talks without a deal: its monthly chance is
    /// `hazard + hazard_per_failure × failed` (at most 1), drawn from a stream of the
    /// month's talks seed of its own, so a scenario whose mediator never walks away draws
    /// exactly what it drew before. On the central path (no noise) it walks away once the
    /// chance passes one half.
    fn mediator_walks_away(&self, state: &WarState, failed: u32, talk_seed: u64, noise: bool) -> bool {
        let m = self.war.params(state.month).mediation;
        if state.mediator_gone || (m.hazard <= 0.0 && m.hazard_per_failure <= 0.0) {
            return false;
        }
        let chance = (m.hazard + m.hazard_per_failure * f64::from(failed)).min(1.0);
        if !noise {
            return chance > 0.5;
        }
        let mut rng = ChaCha12Rng::seed_from_u64(talk_seed);
        rng.set_stream(MEDIATION_STREAM);
        rng.random::<f64>() < chance
    }

    fn negotiate(
        &self,
        reservation: &[f64],
        opening: Option<u64>,
        seed: u64,
        mediated: bool,
        anticipated: Option<&Anticipated>,
    ) -> Termination {
        self.talk(reservation, opening, seed, mediated, false, anticipated).termination
    }

    /// The month's best offer and margins, and, in a month of fighting when the parties
    /// anticipate breakdown (`outlook`), what they expect of a deal (the margins are then
    /// net of it).
    fn zone(&self, outlook: Option<&Outlook>, reservation: &[f64]) -> (Option<u64>, Vec<f64>, Option<Anticipated>) {
        match outlook {
            Some(outlook) => {
                let (best, margins, anticipated) = self.best_offer_net(reservation, outlook);
                (best, margins, Some(anticipated))
            }
            None => {
                let (best, margins) = self.best_offer(reservation);
                (best, margins, None)
            }
        }
    }

    /// The hazard of a month of ceasefire (`settled`: of settlement) on `terms`, agreed when
    /// the force ratio was `at_deal`, with the war now in `state`.
    fn ceasefire_month_hazard(&self, terms: u64, settled: bool, at_deal: f64, state: &WarState) -> f64 {
        if self.rebuild_sensitivity > 0.0 {
            self.hazard_after_rebuilding(terms, settled, strength_gap(at_deal, self.war.force_ratio(state)))
        } else {
            self.hazard(terms, settled)
        }
    }

    /// One month's negotiation. Without the mediator (`mediated` false) nobody drafts a
    /// single text: the parties exchange offers (stacked alternating offers) from scratch.
    /// When the parties anticipate breakdown (`anticipated`), the talks are held over the
    /// best offer's durability class with the shifted reservation values.
    fn talk(
        &self,
        reservation: &[f64],
        opening: Option<u64>,
        seed: u64,
        mediated: bool,
        record_trace: bool,
        anticipated: Option<&Anticipated>,
    ) -> Run {
        let (domain, reservation) = match anticipated {
            Some(a) => (self.talks_domain(Some(a.class)), &a.talks_reservation[..]),
            None => (self.domain.as_ref(), reservation),
        };
        let Some(domain) = domain else {
            return Run {
                termination: Termination::Deadline { rounds: 0 },
                rounds: 0,
                utilities: reservation.to_vec(),
                trace: Vec::new(),
            };
        };
        let domain = domain.clone().with_reservation(reservation.to_vec());
        let mut negotiators: Vec<_> = self.talks.strategies.iter().map(|k| k.build()).collect();
        let config = RunConfig { rounds: self.talks.rounds, seed, stream: 0, record_trace };
        let mut protocol: Box<dyn Protocol> = match self.talks.protocol {
            TalksProtocol::AlternatingOffers => Box::new(StackedAlternatingOffers::default()),
            TalksProtocol::MediatedText { .. } if !mediated => Box::new(StackedAlternatingOffers::default()),
            TalksProtocol::MediatedText { mediator } => {
                let protocol = MediatedText::new(mediator);
                Box::new(match opening {
                    Some(text) => protocol.opening_with(text),
                    None => protocol,
                })
            }
        };
        run(protocol.as_mut(), &domain, &mut negotiators, config, &mut NoObserver)
    }

    /// The line of the scenario date: the anchor nearest to the holding then.
    fn freeze_level(&self) -> Option<f64> {
        let held = self.at_as_of.held;
        self.conflict
            .territory
            .anchors
            .iter()
            .map(|(_, q)| q.value)
            .min_by(|a, b| (a - held).abs().total_cmp(&(b - held).abs()))
    }

    /// The holder's area after an agreement on `terms`: unchanged for a line at or near
    /// the present one; otherwise the agreed line (a withdrawal can only move it towards
    /// the agreed anchor).
    fn line_after(&self, terms: u64, held: f64) -> f64 {
        let (Some(issue), Some(freeze)) = (self.territory_issue, self.freeze_level()) else { return held };
        let option = self.scenario.outcome_space().decode(terms)[issue] as usize;
        match self.anchors.get(option).copied().flatten() {
            Some(line) if line > freeze => held.max(line),
            Some(line) if line < freeze => held.min(line),
            _ => held,
        }
    }
}

/// Whether `conflict` may hold talks over a side's head: it names an absent side and
/// puts frameworks to it, now or from a scheduled event on.
fn may_go_over_the_head(conflict: &Conflict) -> bool {
    conflict.framework.absent.is_some()
        && (conflict.framework.attempts.value > 0.0
            || conflict
                .events
                .iter()
                .any(|e| e.set.iter().any(|(path, q)| path == "conflict.framework.attempts" && q.value > 0.0)))
}

/// The first stage of talks over a side's head, if `conflict` may hold them.
fn framework_setup(
    conflict: &Conflict,
    model: &UtilityModel,
    parties: &[usize],
    domain: Option<&Domain>,
) -> Result<Option<Arc<FrameworkSetup>>, SimulationError> {
    let Some(absent) = conflict.framework.absent.filter(|_| may_go_over_the_head(conflict)) else { return Ok(None) };
    let [a, b] = conflict.sides.as_slice() else { return Err(WarError::Sides(conflict.sides.len()).into()) };
    Ok(FrameworkSetup::new(model, parties, domain, [a.actor, b.actor], absent)?.map(Arc::new))
}

/// The central path of `months` months (the tests' common run).
#[cfg(test)]
fn central(months: u32) -> RunOptions {
    RunOptions { months, seed: 7, stream: 0, noise: false, talks: true }
}

/// The package of a bargaining set whose smallest margin over the parties' `reservation`
/// values is largest (the first such, in the set's order), with that margin, compared in
/// exact units: `units` holds a row of the parties' utilities per package. `None` for an
/// empty set. The best offer of the table's talks and of a framework's first stage.
pub(crate) fn max_min_package(units: &[Units], reservation: &[f64]) -> Option<(usize, Units)> {
    let reservation: Vec<Units> = reservation.iter().map(|&r| to_units(r)).collect();
    let mut best: Option<(usize, Units)> = None;
    for (k, row) in units.chunks_exact(reservation.len().max(1)).enumerate() {
        let worst = row.iter().zip(&reservation).map(|(&u, &r)| u - r).min().unwrap_or(Units::MAX);
        if best.is_none_or(|(_, b)| worst > b) {
            best = Some((k, worst));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    fn options(noise: bool, stream: u64) -> RunOptions {
        RunOptions { months: 24, seed: 7, stream, noise, talks: true }
    }

    #[test]
    fn test_a_war_with_offensives_draws_every_other_number_as_one_without() {
        // The tempo comes from a stream of the talks' seed, so turning offensives on (by a
        // lever, say) leaves the month's other draws, and every later month's, as they were.
        let (mut a, mut b) = (ChaCha12Rng::seed_from_u64(3), ChaCha12Rng::seed_from_u64(3));
        for _ in 0..12 {
            let (without, with) = (MonthDraws::draw(&mut a, false), MonthDraws::draw(&mut b, true));
            assert_eq!(without.shocks.tempo, None);
            let u = with.shocks.tempo.unwrap();
            assert!((0.0..1.0).contains(&u));
            assert_eq!(Shocks { tempo: None, ..with.shocks }, without.shocks);
            assert_eq!(
                (with.breaking, with.breakdown, with.talk_seed),
                (without.breaking, without.breakdown, without.talk_seed)
            );
        }
        // A run with offensives switched on: its first month moves the front by the
        // offensive's size further where its draw began one, and by as much as without
        // offensives where it did not; the losses are the same.
        let mut s = fixture();
        let plain = Simulation::new(&s, &[], None).unwrap();
        for (name, value) in [("offensive", 400.0), ("offensive_onset", 0.5), ("offensive_end", 0.2)] {
            s.quantity_mut(&format!("conflict.volatility.{name}")).unwrap().value = value;
        }
        let pushed = Simulation::new(&s, &[], None).unwrap();
        let mut seen = [false; 2];
        for stream in 0..40 {
            let (x, y) =
                (&plain.run(options(true, stream)).months[0].war, &pushed.run(options(true, stream)).months[0].war);
            assert_eq!(x.losses.map(f64::to_bits), y.losses.map(f64::to_bits));
            let on = y.offensive > 0.5;
            let extra = if on { 400.0 } else { 0.0 };
            assert!((y.territory_change - x.territory_change - extra).abs() < 1e-6, "stream {stream}");
            seen[usize::from(on)] = true;
        }
        assert_eq!(seen, [true, true], "some first months began an offensive, some did not");
    }

    #[test]
    fn test_runs_are_reproducible_and_streams_differ() {
        let sim = Simulation::new(&fixture(), &[], None).unwrap();
        let a = sim.run(options(true, 3));
        assert_eq!(a, sim.run(options(true, 3)));
        let b = sim.run(options(true, 4));
        assert!((a.months[0].war.losses[0] - b.months[0].war.losses[0]).abs() > 1.0, "another stream, other shocks");
    }

    #[test]
    fn test_beliefs_follow_one_path_through_the_record_and_the_forecast() {
        // The border war: the north's optimism 0.2 is stated for its scenario date
        // (2024-06), and fighting corrects a tenth of it a month.
        let stated = 0.2;
        let fade: f64 = 0.9;
        let full = Simulation::new(&fixture(), &[], None).unwrap();
        let at = full.war().as_of.since(full.war().start);
        assert!((full.optimism(at, 0)[0] - stated).abs() < 1e-12, "the stated value at the scenario date");
        assert!((full.optimism(at, 3)[0] - stated * fade.powi(3)).abs() < 1e-12, "three months fought after it");
        assert!(
            (full.optimism(at - 2, -2)[0] - stated / fade.powi(2)).abs() < 1e-12,
            "two months of the record before it"
        );

        // The record cut two months earlier, as a backtest's origin: at the origin the
        // beliefs are those the full run had then, and two months of fighting later they are
        // the stated ones.
        let mut cut = fixture();
        let c = cut.conflict.as_mut().unwrap();
        c.beliefs_as_of = Some(c.as_of);
        c.as_of = c.as_of.plus(-2);
        let cut = Simulation::new(&cut, &[], None).unwrap();
        let same = |a: [f64; 2], b: [f64; 2]| (0..2).all(|i| (a[i] - b[i]).abs() < 1e-12);
        assert!(same(cut.optimism(at - 2, 0), full.optimism(at - 2, -2)));
        assert!(same(cut.optimism(at, 2), [stated, 0.0]), "the south's optimism is 0 at every date");
        assert!(same(cut.optimism(at - 3, -1), full.optimism(at - 3, -3)), "and on the record before the origin");
    }

    #[test]
    fn test_talks_are_skipped_only_when_they_could_not_succeed() {
        // Whenever the zone is empty, holding the talks anyway gives no agreement.
        let sim = Simulation::new(&fixture(), &[], None).unwrap();
        let path = sim.run(RunOptions { months: 24, seed: 1, stream: 0, noise: false, talks: false });
        let mut empty = 0;
        for m in &path.months {
            if m.margins.iter().any(|&x| x < -ZONE_TOLERANCE) {
                empty += 1;
                let outcome = sim.negotiate(&m.reservation, m.best_offer, 11, true, None);
                assert!(!matches!(outcome, Termination::Agreement { .. }), "{}: {outcome:?}", m.month);
            }
        }
        assert!(empty > 0, "the test needs months without a zone");
    }

    #[test]
    fn test_the_central_path_settles_inside_the_zone_and_then_holds() {
        let sim = Simulation::new(&fixture(), &[], None).unwrap();
        let path = sim.run(options(false, 0));
        let k = path.months.iter().position(|m| m.phase == Phase::Ceasefire).expect("a settlement within 24 months");
        let agreed = &path.months[k];
        assert!(agreed.margins.iter().all(|&m| m >= -ZONE_TOLERANCE), "{:?}", agreed.margins);
        assert!(matches!(agreed.talks, Some(Termination::Agreement { .. })));
        // After the agreement: no fighting, the line holds, the hazard is the ceasefire's.
        for m in &path.months[k + 1..] {
            assert!(matches!(m.phase, Phase::Ceasefire | Phase::Settled));
            assert!(m.war.losses.iter().all(|l| l.abs() < 1e-12));
            assert!((m.war.held - agreed.war.held).abs() < 1e-9);
            assert!(m.hazard > 0.0);
        }
        assert!(matches!(path.ending, Ending::Holding { .. }));
    }

    /// The fixture with a mediator that walks away with the chance `hazard` a month, plus
    /// `per_failure` for each month of talks without a deal, taking the ally's aid with it.
    fn mediated(hazard: f64, per_failure: f64) -> Simulation {
        let mut s = fixture();
        s.quantity_mut("conflict.mediation.hazard").unwrap().value = hazard;
        s.quantity_mut("conflict.mediation.hazard_per_failure").unwrap().value = per_failure;
        s.conflict.as_mut().unwrap().mediation.withdraws = vec!["ally".into()];
        Simulation::new(&s, &[], None).unwrap()
    }

    #[test]
    fn test_a_mediator_that_walks_away_takes_its_donors_and_its_texts() {
        let options = RunOptions { months: 24, seed: 3, stream: 0, noise: false, talks: true };
        let run = |sim: &Simulation| sim.run(options);
        let (stays, leaves) = (run(&mediated(0.0, 0.0)), run(&mediated(1.0, 0.0)));
        // A mediator that never walks away changes nothing: the same months as without one.
        assert_eq!(stays, run(&Simulation::new(&fixture(), &[], None).unwrap()));
        assert!(stays.months.iter().all(|m| !m.war.mediator_gone));
        // Certain to walk away, it leaves before the first month's talks; from the next
        // month the ally's aid stops (south is side 1), the patron's does not, and south's
        // alternative to a deal falls.
        assert!(leaves.months.iter().all(|m| m.war.mediator_gone));
        let sim = mediated(1.0, 0.0);
        let ally = sim.conflict().donors.iter().position(|d| d.id == "ally").unwrap();
        assert!(stays.months[0].war.aid.iter().zip(leaves.months[0].war.aid).all(|(a, b)| a.to_bits() == b.to_bits()));
        for (a, b) in stays.months.iter().zip(&leaves.months).skip(1) {
            let t = a.war.month;
            let expected = sim.war().params(t).donors[ally].at(t);
            assert!((a.war.aid[1] - b.war.aid[1] - expected).abs() < 1e-12, "{}", a.month);
            assert_eq!(a.war.aid[0].to_bits(), b.war.aid[0].to_bits());
        }
        let south = 1;
        assert!(leaves.months[11].batna[south] < stays.months[11].batna[south]);
        // Without it nobody drafts a single text: the same month's talks run otherwise.
        let m = stays.months.iter().find(|m| m.talks.is_some()).expect("the test needs talks");
        assert_ne!(
            sim.talk(&m.reservation, m.best_offer, 11, false, true, None).trace,
            sim.talk(&m.reservation, m.best_offer, 11, true, true, None).trace
        );
        // Losing patience after four failed months, it mediates those and not the later
        // ones: replayed, every month's talks end as recorded.
        let later = mediated(0.0, 0.15);
        let path = run(&later);
        let left = path.months.iter().position(|m| m.war.mediator_gone).expect("it walks away");
        assert_eq!(path.months[..left].iter().filter(|m| m.talks.is_some()).count(), 4);
        for (k, m) in path.months.iter().enumerate() {
            if let Some(recorded) = m.talks {
                assert_eq!(later.replay_talks(options, &path, k).unwrap().termination, recorded, "{}", m.month);
            }
        }
    }

    #[test]
    fn test_the_mediators_patience_runs_out_with_each_month_without_a_deal() {
        let sim = mediated(0.05, 0.1);
        let state = *sim.at_as_of();
        // Central path: gone once 0.05 + 0.1 × failed passes one half.
        let central: Vec<bool> = (0..7).map(|failed| sim.mediator_walks_away(&state, failed, 0, false)).collect();
        assert_eq!(central, [false, false, false, false, false, true, true]);
        // With noise the month's chance is the hazard: about 25% after two failed months.
        let n = 20_000;
        let gone = (0..n).filter(|&seed| sim.mediator_walks_away(&state, 2, seed, true)).count();
        let share = gone as f64 / n as f64;
        assert!((share - 0.25).abs() < 4.0 * (0.25f64 * 0.75 / n as f64).sqrt(), "{share}");
        // Gone is gone; no hazard, never.
        let gone_state = WarState { mediator_gone: true, ..state };
        assert!(!sim.mediator_walks_away(&gone_state, 6, 0, false));
        assert!((0..1000).all(|seed| !mediated(0.0, 0.0).mediator_walks_away(&state, 50, seed, true)));
    }

    /// The month north mobilises on the central path without talks, if it does, when its
    /// recruitment cannot cover its losses and a mobilisation of `size` costs `cost` support.
    fn mobilises(size: f64, cost: f64) -> Option<Month> {
        let mut s = fixture();
        s.quantity_mut("conflict.sides.north.recruitment").unwrap().value = 0.0;
        s.quantity_mut("conflict.sides.north.mobilisation").unwrap().value = size;
        s.quantity_mut("conflict.sides.north.mobilisation_cost").unwrap().value = cost;
        let sim = Simulation::new(&s, &[], None).unwrap();
        let path = sim.run(RunOptions { months: 12, seed: 1, stream: 0, noise: false, talks: false });
        path.months.iter().find(|m| m.war.mobilised[0]).map(|m| m.month)
    }

    #[test]
    fn test_a_side_mobilises_when_its_own_projection_says_it_pays() {
        // North recruits no one, so its losses are never covered: it faces the choice from
        // the first month. Free soldiers raise its alternative to a deal; a cost that takes
        // its support to its breaking point lowers it.
        let first = Month::parse("2024-07").unwrap();
        assert_eq!(mobilises(30_000.0, 0.0), Some(first));
        assert_eq!(mobilises(30_000.0, 0.6), None);
        assert_eq!(mobilises(0.0, 0.0), None, "no mobilisation to choose");
    }

    #[test]
    fn test_replayed_talks_end_as_the_run_did() {
        let sim = Simulation::new(&fixture(), &[], None).unwrap();
        for opts in [options(false, 0), options(true, 5)] {
            let path = sim.run(opts);
            let held: Vec<usize> = (0..path.months.len()).filter(|&k| path.months[k].talks.is_some()).collect();
            assert!(!held.is_empty(), "the test needs months with talks");
            for k in held {
                let replay = sim.replay_talks(opts, &path, k).expect("talks were held");
                assert_eq!(Some(replay.termination), path.months[k].talks, "month {k}");
                assert!(!replay.trace.is_empty());
            }
            let quiet = path.months.iter().position(|m| m.talks.is_none()).expect("a month without talks");
            assert!(sim.replay_talks(opts, &path, quiet).is_none());
        }
    }

    #[test]
    fn test_hazard_multiplies_the_matching_factors() {
        let s = fixture();
        let sim = Simulation::new(&s, &[], None).unwrap();
        let space = s.outcome_space();
        let pick = |terms: &[(&str, &str)]| -> u64 {
            let mut digits = vec![0u32; s.issues.len()];
            for (issue, option) in terms {
                let i = s.issue_index(issue).unwrap();
                digits[i] = s.issues[i].option_index(option).unwrap() as u32;
            }
            space.encode(&digits)
        };
        let (ceasefire, settled) = (0.03, 0.01);
        // No guarantee ×2; the contact line matches no factor.
        let bare = pick(&[("border", "contact-line"), ("guarantees", "none")]);
        assert!((sim.hazard(bare, false) - ceasefire * 2.0).abs() < 1e-12);
        // A treaty ×0.5 and the north's claim ×1.5.
        let guarded = pick(&[("border", "north-claim"), ("guarantees", "treaty")]);
        assert!((sim.hazard(guarded, false) - ceasefire * 0.75).abs() < 1e-12);
        assert!((sim.hazard(guarded, true) - settled * 0.75).abs() < 1e-12);
    }

    #[test]
    fn test_settlements_break_down_at_the_hazard_rate() {
        // With a large hazard, agreements collapse and the war resumes.
        let mut s = fixture();
        s.quantity_mut("conflict.durability.ceasefire_hazard").unwrap().value = 0.5;
        s.quantity_mut("conflict.sides.north.optimism").unwrap().value = 0.0;
        let sim = Simulation::new(&s, &[], None).unwrap();
        let relapses = (0..20)
            .filter(|&stream| sim.run(options(true, stream)).months.iter().any(|m| m.phase == Phase::Collapsed))
            .count();
        assert!(relapses > 0);
    }
}
