//! The war beside the talks, as data: the `[conflict]` section of a scenario.
//!
//! A [`Conflict`] describes two belligerents fighting a war of attrition while they
//! negotiate: each side's front-line manpower, recruitment, effectiveness, materiel (own
//! production plus foreign aid by donor), economy and domestic support; the attrition law;
//! how the front line moves with the force ratio; scheduled events; how each side projects
//! the war when it weighs a deal against fighting on (its beliefs and the costs it counts);
//! and how durable a settlement is on given terms. Every number is a [`Quantity`] with its
//! provenance. The dynamics live in `parley-sim`; this module only holds and addresses the
//! numbers, so levers and events can change them by path (`conflict.sides.ukr.optimism`).
//!
//! Issues and options are referred to by id, not position: a lever that takes options off
//! the table does not change what the war can produce.

use serde::Serialize;

use crate::parameters::model_numbers;
use crate::scenario::{Provenance, Quantity};

/// A calendar month, counted from year 0 (`year · 12 + month − 1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(pub i32);

impl Month {
    /// Parses `YYYY-MM`.
    pub fn parse(text: &str) -> Option<Month> {
        let (year, month) = text.split_once('-')?;
        if year.len() != 4 || month.len() != 2 {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        let month: i32 = month.parse().ok()?;
        (1..=12).contains(&month).then_some(Month(year * 12 + month - 1))
    }

    /// The month `n` months later.
    pub fn plus(self, n: i32) -> Month {
        Month(self.0 + n)
    }

    /// Months from `earlier` to `self`.
    pub fn since(self, earlier: Month) -> i32 {
        self.0 - earlier.0
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.0.div_euclid(12), self.0.rem_euclid(12) + 1)
    }
}

impl Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Month {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Month, D::Error> {
        let text = String::deserialize(deserializer)?;
        Month::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("\"{text}\" is not a month YYYY-MM")))
    }
}

/// A monthly series with one provenance (for example a donor's deliveries).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Series {
    /// One value per month, from [`Conflict::start`].
    pub values: Vec<f64>,
    /// Where the series comes from.
    pub provenance: Provenance,
}

/// Issue id → option id: a package named in words, resolved against the scenario's issues
/// when the war is simulated.
pub type Terms = Vec<(String, String)>;

/// The war of attrition beside the talks.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Conflict {
    /// The first simulated month; the series start here.
    pub start: Month,
    /// The month the scenario describes the world as of: months up to it are history (the
    /// war runs on the calibrated path, without talks), later months are projection.
    pub as_of: Month,
    /// The month each side's `optimism` describes, when it is not `as_of`: a backtest cuts
    /// the record at an earlier origin (`as_of` moves there) while the optimism, tuned to
    /// the scenario date, still describes that date. Beliefs then follow one path through
    /// the record and the forecast. Not in the scenario language; `None` is `as_of`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beliefs_as_of: Option<Month>,
    /// The attrition law's exponents.
    pub law: Law,
    /// The two belligerents.
    pub sides: Vec<Side>,
    /// Foreign suppliers of materiel.
    pub donors: Vec<Donor>,
    /// The contested area and how the front moves.
    pub territory: Territory,
    /// The state of the issues other than territory while there is no deal.
    pub no_deal: Terms,
    /// How long each side looks ahead and how fast fighting corrects its beliefs.
    pub beliefs: Beliefs,
    /// Month-to-month noise of the war.
    pub volatility: Volatility,
    /// Whether the mediator may walk away, and what leaves with it.
    pub mediation: Mediation,
    /// Talks over a belligerent's head: frameworks agreed without it and put to it, with
    /// pressure if it refuses.
    pub framework: Framework,
    /// How likely a settlement is to break down, by its terms.
    pub durability: Durability,
    /// Scheduled changes.
    pub events: Vec<ScheduledEvent>,
    /// Which observed series the model was fitted to.
    pub calibration: Option<Calibration>,
    /// The observed record up to the scenario date, each series with its observation
    /// model: what data assimilation conditions every forecast on.
    pub observed: Vec<Observed>,
}

crate::war_parameters!(law => model_numbers {
    /// The generalised Lanchester law `dX/dt = −a·m_Y·Y^p·X^q` shared by both sides.
    pub struct Law, values LawValues;
    head {}
    tail {}
});

crate::war_parameters!(side => model_numbers {
    /// One belligerent.
    pub struct Side, values SideValues;
    head {
        /// The actor (an index into [`crate::Scenario::actors`]).
        pub actor: usize,
    }
    tail {
        /// The terms this side would impose if the other broke.
        pub victory: Terms,
    }
});

/// A foreign supplier of materiel to one side.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Donor {
    /// Identifier (used in paths: `conflict.donors.ID.after`).
    pub id: String,
    /// Human name.
    pub name: String,
    /// The side supplied (an actor index).
    pub supplies: usize,
    /// Deliveries by month from [`Conflict::start`], € billion.
    pub deliveries: Series,
    /// Monthly deliveries after the series ends, € billion (the donor's policy).
    pub after: Quantity,
}

crate::war_parameters!(territory => model_numbers {
    /// The contested area.
    pub struct Territory, values TerritoryValues;
    head {
        /// The territorial issue's id.
        pub issue: String,
        /// The side whose holdings are measured (an actor index).
        pub holder: usize,
    }
    tail {
        /// Area (km²) the holder would control under each option of the territorial issue
        /// that corresponds to a line on the map, as of the scenario date.
        pub anchors: Vec<(String, Quantity)>,
    }
});

crate::war_parameters!(beliefs => model_numbers {
    /// Beliefs and foresight.
    pub struct Beliefs, values BeliefsValues;
    head {}
    tail {}
});

crate::war_parameters!(volatility => model_numbers {
    /// Month-to-month noise.
    pub struct Volatility, values VolatilityValues;
    head {}
    tail {}
});

crate::war_parameters!(mediation => model_numbers {
    /// A mediator that can walk away: each month of talks without a deal it may lose
    /// interest; once gone, the parties exchange offers without its texts and the donors it
    /// takes with it stop delivering.
    pub struct Mediation, values MediationValues;
    head {}
    tail {
        /// The donors whose deliveries stop when the mediator walks away (their ids).
        pub withdraws: Vec<String>,
    }
});

crate::war_parameters!(framework => model_numbers {
    /// Talks over a belligerent's head: the mediator agrees a framework with the other
    /// parties at the table, the absent belligerent left out, and puts it to the absent one,
    /// which accepts it or refuses; the donors that press it withhold part of their
    /// deliveries for some months after a refusal.
    pub struct Framework, values FrameworkValues;
    head {
        /// The belligerent left out of the first stage (an actor index), if one is named.
        pub absent: Option<usize>,
    }
    tail {
        /// The donors whose deliveries to the absent side are withheld after it refuses (their ids).
        pub pressing: Vec<String>,
    }
});

crate::war_parameters!(durability => model_numbers {
    /// How likely a settlement is to break down.
    pub struct Durability, values DurabilityValues;
    head {}
    tail {
        /// Terms that raise or lower the hazard.
        pub factors: Vec<HazardFactor>,
    }
});

/// A multiplier of the breakdown hazard that applies when the agreed terms match.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HazardFactor {
    /// Identifier (`conflict.durability.factors.ID`).
    pub id: String,
    /// Issue id → option ids any of which match.
    pub when: Vec<(String, Vec<String>)>,
    /// The multiplier.
    pub multiplier: Quantity,
}

/// A change of parameters at a month (an election, an aid vote, a summit).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScheduledEvent {
    /// Identifier.
    pub id: String,
    /// Human name.
    pub name: String,
    /// When it happens.
    pub month: Month,
    /// Where the event comes from.
    pub provenance: Provenance,
    /// Full paths (each starting `conflict.`, as `parley sources` lists them) and their
    /// new values.
    pub set: Vec<(String, Quantity)>,
}

/// A series the model can be compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Observable {
    /// A side's casualties per month (an actor index).
    Losses {
        /// The side.
        side: usize,
    },
    /// The monthly change of the holder's area, km².
    TerritoryChange,
    /// The holder's area at the end of the month, km².
    Held,
}

/// What the model was fitted to.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Calibration {
    /// The data file (free text: where to find it).
    pub data: String,
    /// The first and last month of the fit.
    pub window: (Month, Month),
    /// Data column → what the model computes for it.
    pub series: Vec<(String, Observable)>,
    /// Paths of the fitted parameters.
    pub fit: Vec<String>,
    /// The fit's quality and caveats, in words.
    pub note: String,
}

/// An observed monthly series of the war, with how it relates to the model's output.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Observed {
    /// Identifier (`conflict.observed.ID.scale`).
    pub id: String,
    /// What the model computes for it.
    pub measures: Observable,
    /// The column of the data file it was copied from, if any.
    pub column: Option<String>,
    /// The month of the first value (it may precede [`Conflict::start`]: months before it
    /// are not simulated, but a naive benchmark forecast uses them).
    pub from: Month,
    /// One value per month from [`Observed::from`] (`None`: not observed that month).
    pub values: Vec<Option<f64>>,
    /// Where the series comes from.
    pub provenance: Provenance,
    /// How an observation scatters around the model's value.
    pub error: ObservationError,
}

impl Observed {
    /// The value observed in `month`, if any.
    pub fn at(&self, month: Month) -> Option<f64> {
        usize::try_from(month.since(self.from)).ok().and_then(|k| self.values.get(k).copied().flatten())
    }

    /// The last month with a value slot.
    pub fn last(&self) -> Month {
        self.from.plus(self.values.len() as i32 - 1)
    }
}

/// The distribution of an observation around the model's value `m`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "distribution", rename_all = "snake_case")]
pub enum ObservationError {
    /// `y = m + bias + scale·ε`, `ε ~ N(0, 1)`: an error in the series' unit (a mapping
    /// error of km², say).
    Normal {
        /// Systematic error, in the series' unit.
        bias: Quantity,
        /// Standard deviation, in the series' unit.
        scale: Quantity,
    },
    /// `ln y = ln m + bias + scale·ε`: a relative error (one side's claim of the other's
    /// losses overstating them by a factor `e^bias`, scattered by about `scale`·100%).
    Lognormal {
        /// Systematic error of the log.
        bias: Quantity,
        /// Standard deviation of the log.
        scale: Quantity,
    },
}

impl ObservationError {
    /// `(bias, scale)`.
    pub fn numbers(&self) -> (&Quantity, &Quantity) {
        match self {
            ObservationError::Normal { bias, scale } | ObservationError::Lognormal { bias, scale } => (bias, scale),
        }
    }

    fn numbers_mut(&mut self) -> (&mut Quantity, &mut Quantity) {
        match self {
            ObservationError::Normal { bias, scale } | ObservationError::Lognormal { bias, scale } => (bias, scale),
        }
    }

    /// The log-density of observing `y` when the model says `m` (`−∞` where the density is
    /// zero, e.g. a positive observation of a lognormal series whose model value is 0).
    pub fn log_density(&self, y: f64, m: f64) -> f64 {
        const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
        let (bias, scale) = self.numbers();
        let (b, sd) = (bias.value, scale.value);
        match self {
            ObservationError::Normal { .. } => {
                let z = (y - m - b) / sd;
                -0.5 * z * z - sd.ln() - LN_SQRT_2PI
            }
            ObservationError::Lognormal { .. } => {
                if !(y > 0.0 && m > 0.0) {
                    return f64::NEG_INFINITY;
                }
                let z = (y.ln() - m.ln() - b) / sd;
                -0.5 * z * z - sd.ln() - LN_SQRT_2PI - y.ln()
            }
        }
    }
}

/// Observed monthly series: one value (or a gap) per month per column.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observations {
    /// The months, one per row.
    pub months: Vec<Month>,
    /// Column name → values by row (`None`: missing).
    pub columns: Vec<(String, Vec<Option<f64>>)>,
}

impl Observations {
    /// The values of a column, by row.
    pub fn column(&self, name: &str) -> Option<&[Option<f64>]> {
        self.columns.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_slice())
    }

    /// The value of a column in a month, if observed.
    pub fn value(&self, column: &[Option<f64>], month: Month) -> Option<f64> {
        let row = self.months.iter().position(|m| *m == month)?;
        column.get(row).copied().flatten()
    }
}

impl Conflict {
    /// Every number with its path below `conflict.`, in file order. A monthly series is
    /// listed once, as its mean, under a path naming its length
    /// (`donors.usa.deliveries[22 months, mean]`).
    pub fn visit_numbers<'a>(
        &'a self,
        actors: &[crate::Actor],
        emit: &mut dyn FnMut(String, std::borrow::Cow<'a, Quantity>),
    ) {
        use std::borrow::Cow::Borrowed;
        for (name, q) in self.law.quantities() {
            emit(format!("law.{name}"), Borrowed(q));
        }
        for side in &self.sides {
            let id = &actors[side.actor].id;
            for (name, q) in side.quantities() {
                emit(format!("sides.{id}.{name}"), Borrowed(q));
            }
        }
        for d in &self.donors {
            let mean = d.deliveries.values.iter().sum::<f64>() / d.deliveries.values.len().max(1) as f64;
            emit(
                format!("donors.{}.deliveries[{} months, mean]", d.id, d.deliveries.values.len()),
                std::borrow::Cow::Owned(Quantity::new(mean, d.deliveries.provenance.clone())),
            );
            emit(format!("donors.{}.after", d.id), Borrowed(&d.after));
        }
        for (name, q) in self.territory.quantities() {
            emit(format!("territory.{name}"), Borrowed(q));
        }
        for (option, q) in &self.territory.anchors {
            emit(format!("territory.anchors.{option}"), Borrowed(q));
        }
        for (name, q) in self.beliefs.quantities() {
            emit(format!("beliefs.{name}"), Borrowed(q));
        }
        for (name, q) in self.volatility.quantities() {
            emit(format!("volatility.{name}"), Borrowed(q));
        }
        for (name, q) in self.mediation.quantities() {
            emit(format!("mediation.{name}"), Borrowed(q));
        }
        for (name, q) in self.framework.quantities() {
            emit(format!("framework.{name}"), Borrowed(q));
        }
        for (name, q) in self.durability.quantities() {
            emit(format!("durability.{name}"), Borrowed(q));
        }
        for factor in &self.durability.factors {
            emit(format!("durability.factors.{}", factor.id), Borrowed(&factor.multiplier));
        }
        for e in &self.events {
            for (path, q) in &e.set {
                emit(format!("events.{}.set.{path}", e.id), Borrowed(q));
            }
        }
        for o in &self.observed {
            let (bias, scale) = o.error.numbers();
            emit(format!("observed.{}.bias", o.id), Borrowed(bias));
            emit(format!("observed.{}.scale", o.id), Borrowed(scale));
        }
    }

    /// The number at a path below `conflict.` (as listed by [`Conflict::visit_numbers`]),
    /// for changing it. Event values are not addressable: events are changes themselves.
    pub fn quantity_mut(&mut self, path: &[&str], actors: &[crate::Actor]) -> Option<&mut Quantity> {
        match path {
            ["law", name] => self.law.quantity_mut(name),
            ["sides", actor, name] => {
                let side = self.sides.iter_mut().find(|s| actors[s.actor].id == *actor)?;
                side.quantity_mut(name)
            }
            ["donors", id, "after"] => self.donors.iter_mut().find(|d| d.id == *id).map(|d| &mut d.after),
            ["territory", "anchors", option] => {
                self.territory.anchors.iter_mut().find(|(o, _)| o == option).map(|(_, q)| q)
            }
            ["territory", name] => self.territory.quantity_mut(name),
            ["beliefs", name] => self.beliefs.quantity_mut(name),
            ["volatility", name] => self.volatility.quantity_mut(name),
            ["mediation", name] => self.mediation.quantity_mut(name),
            ["framework", name] => self.framework.quantity_mut(name),
            ["durability", "factors", id] => {
                self.durability.factors.iter_mut().find(|f| f.id == *id).map(|f| &mut f.multiplier)
            }
            ["durability", name] => self.durability.quantity_mut(name),
            ["observed", id, name] => {
                let (bias, scale) = self.observed.iter_mut().find(|o| o.id == *id)?.error.numbers_mut();
                match *name {
                    "bias" => Some(bias),
                    "scale" => Some(scale),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The side of an actor, if it is a belligerent of this conflict.
    pub fn side(&self, actor: usize) -> Option<&Side> {
        self.sides.iter().find(|s| s.actor == actor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_month_round_trip() {
        let m = Month::parse("2024-01").unwrap();
        assert_eq!(m.to_string(), "2024-01");
        assert_eq!(m.plus(21).to_string(), "2025-10");
        assert_eq!(m.plus(21).since(m), 21);
        assert_eq!(Month::parse("2024-13"), None);
        assert_eq!(Month::parse("24-01"), None);
        assert_eq!(Month::parse("2024-1"), None);
    }
}
