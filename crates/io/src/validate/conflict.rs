//! The war beside the talks: the `[conflict]` section's months, sides, ids and ranges, and
//! the expectation kinds that are checked by simulating it.
//!
//! Issues and options stay ids in the validated [`Conflict`] (the simulator resolves them
//! against whatever issues a lever leaves), but every id is checked here; actors become
//! indices. Ranges are defined once, by path (`parley_core::bounds`), so a lever or event that
//! sets a number of the war is held to the same range as the file.

use parley_core::conflict::{
    Beliefs, Calibration, Donor, Durability, Framework, HazardFactor, Law, Mediation, Observable, ObservationError,
    Observed, ScheduledEvent, Series, Side, Terms, Territory, Volatility,
};
use parley_core::parameters::Parameter;
use parley_core::{Actor, Check, Condition, Conflict, Issue, IssueKind, Measure, Month, Quantity, Role, Scenario};

use super::{Validator, list, span};
use crate::diagnostic::Diagnostic;
use crate::located::Located;
use crate::raw::{
    RawCheckKind, RawConflict, RawErrorDistribution, RawExpectation, RawMeasure, RawObserved, RawQuantity, RawSeries,
    RawSide, RawTerms,
};

pub use parley_core::bounds::MAX_MONTHS;
pub(super) use parley_core::bounds::{Bounds, conflict as conflict_bounds};

/// The bounds of the number at `path` (below `conflict.`, dot-separated).
fn bounds_of(path: &str) -> Bounds {
    conflict_bounds(&path.split('.').collect::<Vec<_>>())
}

/// Which issues terms must name.
#[derive(Clone, Copy)]
enum Cover {
    /// Every issue.
    Every,
    /// Every issue but this one, which they must not name.
    AllBut(usize),
    /// Not known (the territorial issue did not resolve): only the named ones are checked.
    Unknown,
    /// Any issues but this one, which they must not name (a lever's change of some).
    Some(usize),
}

/// Whether a check kind is evaluated by simulating the war.
pub(super) fn is_dynamic(kind: RawCheckKind) -> bool {
    use RawCheckKind as K;
    matches!(
        kind,
        K::NoSettlementWithin
            | K::SettlesWithin
            | K::BatnaLower
            | K::BatnaHigher
            | K::BatnaRestored
            | K::Advances
            | K::AdvancesMore
            | K::AdvancesLess
            | K::SettlesSooner
            | K::Declines
            | K::Grows
            | K::NoCollapseWithin
            | K::BreaksDownMore
    )
}

/// A side that could not be resolved (unknown actor): later references to it are not
/// reported again.
struct Context<'r> {
    actors: &'r [Actor],
    unresolved: Vec<&'r str>,
}

impl Validator<'_> {
    /// Checks a number as [`Validator::quantity`] does, then against `bounds`.
    pub(super) fn bounded(&mut self, q: &Located<RawQuantity>, what: &str, bounds: Bounds) -> Quantity {
        let quantity = self.quantity(q, what, f64::NEG_INFINITY, f64::INFINITY);
        let v = quantity.value;
        if !v.is_finite() {
            return quantity;
        }
        if !bounds.contains(v) {
            let range = bounds.describe();
            self.push(
                Diagnostic::error("parley::out-of-range", format!("{what} is {v}, but must be {range}"))
                    .at(span(q), "out of range")
                    .help(format!("use a value {range}")),
            );
        } else if bounds.whole() && v.fract() != 0.0 {
            self.push(
                Diagnostic::error("parley::out-of-range", format!("{what} is {v}, but must be a whole number"))
                    .at(span(q), "not whole")
                    .help("use a whole number"),
            );
        }
        quantity
    }

    /// A number of the war model's registry ([`parley_core::parameters`]), checked against
    /// its bounds; `prefix` says where it is (`conflict: beliefs.`).
    /// A number left out gets its default (the value that leaves its mechanism out); the
    /// file's structs only let out the numbers that have one.
    fn registered(&mut self, field: Option<&Located<RawQuantity>>, p: &Parameter, prefix: &str) -> Quantity {
        match (field, p.absent()) {
            (Some(field), _) => self.bounded(field, &format!("{prefix}{}", p.name), p.bounds),
            (None, Some(absent)) => absent,
            (None, None) => unreachable!("the file's structs require every number without a default"),
        }
    }

    /// Parses a month `YYYY-MM`.
    fn month(&mut self, m: &Located<String>, what: &str) -> Option<Month> {
        let month = Month::parse(&m.value);
        if month.is_none() {
            self.push(
                Diagnostic::error("parley::month", format!("{what}: \"{}\" is not a month", m.value))
                    .at(span(m), "not YYYY-MM")
                    .help("write months as \"YYYY-MM\", e.g. \"2024-01\""),
            );
        }
        month
    }

    /// Reports a month before `start`.
    fn not_before(&mut self, m: &Located<String>, month: Option<Month>, start: Option<Month>, what: &str, help: &str) {
        if let (Some(m_), Some(start)) = (month, start)
            && m_ < start
        {
            self.push(
                Diagnostic::error("parley::out-of-range", format!("{what} {m_} is before start {start}"))
                    .at(span(m), "before start")
                    .help(help.to_string()),
            );
        }
    }

    pub(super) fn conflict(&mut self, c: &RawConflict, actors: &[Actor], issues: &[Issue]) -> Conflict {
        let start = self.month(&c.start, "conflict: start");
        let as_of = self.month(&c.as_of, "conflict: as_of");
        if let (Some(s), Some(a)) = (start, as_of)
            && a < s
        {
            self.push(
                Diagnostic::error("parley::out-of-range", format!("conflict: as_of {a} is before start {s}"))
                    .at(span(&c.as_of), "before start")
                    .help("as_of is the last month of history: make it start or a later month"),
            );
        }
        let history = match (start, as_of) {
            (Some(s), Some(a)) if a >= s => Some(a.since(s) as usize + 1),
            _ => None,
        };
        if let Some(n) = history
            && n > MAX_MONTHS as usize
        {
            self.push(
                Diagnostic::error(
                    "parley::out-of-range",
                    format!(
                        "conflict: start {} to as_of {} spans {n} months, more than {MAX_MONTHS}",
                        c.start.value, c.as_of.value
                    ),
                )
                .at(span(&c.as_of), "too far from start")
                .help(format!("simulate at most {MAX_MONTHS} months of history: move start closer to as_of")),
            );
        }
        let law = Law::new(|p| self.registered(c.law.number(p.name), p, "conflict: law."));

        // Sides first: everything else refers to them.
        let mut cx = Context { actors, unresolved: Vec::new() };
        let mut sides: Vec<Side> = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for (key, raw) in &c.sides.value.0 {
            let fresh = self.unique(key, "conflict side", seen.iter().copied());
            seen.push(&key.value);
            let ctx = format!("conflict: side \"{}\"", key.value);
            let side = self.side(raw, issues, &ctx);
            match actors.iter().position(|a| a.id == key.value) {
                None => {
                    cx.unresolved.push(&key.value);
                    self.push(
                        Diagnostic::error(
                            "parley::unknown-reference",
                            format!("conflict: side \"{}\" is not an actor", key.value),
                        )
                        .at(span(key), "no such actor")
                        .help(format!("sides are keyed by actor id; the belligerents are {}", belligerents(actors))),
                    );
                }
                Some(a) => {
                    if actors[a].role != Role::Belligerent {
                        self.push(
                            Diagnostic::error(
                                "parley::conflict",
                                format!(
                                    "conflict: side \"{}\" is a {}, not a belligerent",
                                    key.value,
                                    actors[a].role.as_str()
                                ),
                            )
                            .at(span(key), "not a belligerent")
                            .help(format!(
                                "the sides are the two actors that fight: give \"{}\" role = \"belligerent\" or choose another actor; the belligerents are {}",
                                key.value,
                                belligerents(actors)
                            )),
                        );
                    }
                    if fresh {
                        sides.push(Side { actor: a, ..side });
                    }
                }
            }
        }
        // TOML tables arrive in key order, JSON objects in file order: fix one order for both.
        sides.sort_by_key(|s| s.actor);
        let count = c.sides.value.0.len();
        if count != 2 {
            self.push(
                Diagnostic::error(
                    "parley::conflict",
                    format!(
                        "conflict: {count} {} listed, but a war of attrition has exactly two",
                        plural(count, "side")
                    ),
                )
                .at(span(&c.sides), "the sides")
                .help("list the two belligerents as [conflict.sides.ACTOR] tables"),
            );
        }

        let mut donors: Vec<Donor> = Vec::new();
        for (key, d) in &c.donors.0 {
            self.declare(key, "conflict donor", donors.iter().map(|x| x.id.as_str()));
            let ctx = format!("conflict: donor \"{}\"", key.value);
            let supplies = self.side_ref(&d.supplies, &sides, &cx, &format!("{ctx} supplies"));
            let deliveries = self.series(&d.deliveries, &format!("{ctx}: deliveries"));
            if let Some(needed) = history
                && deliveries.values.len() < needed
            {
                self.push(
                    Diagnostic::error(
                        "parley::missing-value",
                        format!(
                            "{ctx}: deliveries has {} {}, but start {} to as_of {} needs at least {needed}",
                            deliveries.values.len(),
                            plural(deliveries.values.len(), "value"),
                            c.start.value,
                            c.as_of.value
                        ),
                    )
                    .at(span(&d.deliveries), "too short")
                    .help("give one value per month from start through as_of; months after the series use `after`"),
                );
            }
            let after = self.bounded(&d.after, &format!("{ctx}: after"), bounds_of("donors.x.after"));
            // Kept on error (with a placeholder side) so paths to the donor still resolve; a
            // scenario with errors is never returned.
            let supplies = supplies.unwrap_or(0);
            donors.push(Donor { id: key.value.clone(), name: d.name.clone(), supplies, deliveries, after });
        }

        let (territory, territory_issue) = self.territory(c, issues, &sides, &cx);
        // Without a resolved territorial issue, `no_deal` cannot tell what it may leave out.
        let cover = territory_issue.map_or(Cover::Unknown, Cover::AllBut);
        let no_deal = self.terms(&c.no_deal, issues, "conflict: no_deal", cover);

        let beliefs = Beliefs::new(|p| self.registered(c.beliefs.number(p.name), p, "conflict: beliefs."));
        let v = &c.volatility;
        let volatility = Volatility::new(|p| self.registered(v.number(p.name), p, "conflict: volatility."));
        let mediation = self.mediation(c, &donors);
        let framework = self.framework(c, &sides, &donors, &cx);
        let d = &c.durability;
        let mut factors: Vec<HazardFactor> = Vec::new();
        for f in &d.factors {
            self.declare(&f.id, "durability factor", factors.iter().map(|x| x.id.as_str()));
            let ctx = format!("conflict: durability factor \"{}\"", f.id.value);
            let when = self.condition(&f.when, issues, &ctx);
            let when = when
                .terms
                .iter()
                .map(|(i, options)| {
                    (issues[*i].id.clone(), options.iter().map(|&o| issues[*i].options[o].id.clone()).collect())
                })
                .collect();
            let multiplier = self.bounded(&f.multiplier, &format!("{ctx}: multiplier"), Bounds::NON_NEGATIVE);
            factors.push(HazardFactor { id: f.id.value.clone(), when, multiplier });
        }
        let durability = Durability::new(factors, |p| self.registered(d.number(p.name), p, "conflict: durability."));

        let mut conflict = Conflict {
            start: start.unwrap_or(Month(0)),
            as_of: as_of.unwrap_or(Month(0)),
            beliefs_as_of: None,
            law,
            sides,
            donors,
            territory,
            no_deal,
            beliefs,
            volatility,
            mediation,
            framework,
            durability,
            events: Vec::new(),
            calibration: None,
            observed: Vec::new(),
        };

        // Events and calibration name numbers by path: check them on the built conflict.
        let mut events: Vec<ScheduledEvent> = Vec::new();
        for e in &c.events {
            self.declare(&e.id, "conflict event", events.iter().map(|x| x.id.as_str()));
            let ctx = format!("conflict: event \"{}\"", e.id.value);
            let month = self.month(&e.month, &format!("{ctx}: month"));
            self.not_before(
                &e.month,
                month,
                start,
                &format!("{ctx}: month"),
                "events change the numbers of simulated months: move it to start or later, or fold it into the starting values",
            );
            let provenance = self.provenance(&e.source, &e.assumption, &ctx, span(&e.id));
            let mut set = Vec::new();
            for (path, q) in &e.set.0 {
                let p = path.value.as_str();
                let what = format!("{ctx}: {p}");
                let quantity = self.bounded(q, &what, bounds_of(p.strip_prefix("conflict.").unwrap_or("")));
                if self.conflict_path(path, &mut conflict, &cx, &ctx, "events change numbers of the war only") {
                    set.push((p.to_string(), quantity));
                }
            }
            events.push(ScheduledEvent {
                id: e.id.value.clone(),
                name: e.name.clone(),
                month: month.unwrap_or(Month(0)),
                provenance,
                set,
            });
        }
        conflict.events = events;

        if let Some(cal) = &c.calibration {
            let ctx = "conflict: calibration";
            let (first, last) = &cal.window.value;
            let window = (self.month(first, &format!("{ctx} window")), self.month(last, &format!("{ctx} window")));
            // Against history only when history is well defined (as_of not before start).
            let bounds = if history.is_some() { (start, as_of) } else { (None, None) };
            for (m, month) in [(first, window.0), (last, window.1)] {
                self.not_before(m, month, bounds.0, &format!("{ctx}: window month"), "the fit covers history only");
                if let (Some(m_), Some(as_of)) = (month, bounds.1)
                    && m_ > as_of
                {
                    self.push(
                        Diagnostic::error(
                            "parley::out-of-range",
                            format!("{ctx}: window month {m_} is after as_of {as_of}"),
                        )
                        .at(span(m), "after as_of")
                        .help("the fit covers history only: end the window at as_of or earlier"),
                    );
                }
            }
            if let (Some(a), Some(b)) = window
                && b < a
            {
                self.push(
                    Diagnostic::error(
                        "parley::out-of-range",
                        format!("{ctx}: window ends ({b}) before it starts ({a})"),
                    )
                    .at(span(&cal.window), "reversed")
                    .help("write the window as [first month, last month]"),
                );
            }
            let mut series: Vec<(String, Observable)> = Vec::new();
            for (column, what) in &cal.series.0 {
                self.unique(column, "calibration series", series.iter().map(|(c, _)| c.as_str()));
                let sctx = format!("{ctx} series \"{}\"", column.value);
                let observable = self.observable(what, &conflict.sides, &cx, &sctx);
                if let Some(o) = observable {
                    series.push((column.value.clone(), o));
                }
            }
            let mut fit = Vec::new();
            for path in &cal.fit {
                if self.conflict_path(
                    path,
                    &mut conflict,
                    &cx,
                    &format!("{ctx} fit"),
                    "only the war's numbers are fitted",
                ) {
                    fit.push(path.value.clone());
                }
            }
            conflict.calibration = Some(Calibration {
                data: cal.data.clone(),
                window: (window.0.unwrap_or(Month(0)), window.1.unwrap_or(Month(0))),
                series,
                fit,
                note: cal.note.clone(),
            });
        }

        for o in &c.observed {
            self.declare(&o.id, "observed series", conflict.observed.iter().map(|x| x.id.as_str()));
            if let Some(observed) = self.observed(o, &conflict.sides, &cx, (start, as_of)) {
                conflict.observed.push(observed);
            }
        }
        conflict
    }

    /// The mediation: its numbers (their defaults when the section is left out) and the
    /// donors that leave with the mediator, each of them declared once.
    fn mediation(&mut self, c: &RawConflict, donors: &[Donor]) -> Mediation {
        let raw = c.mediation.as_ref();
        let withdraws = self.donor_list(raw.map_or(&[][..], |m| &m.withdraws), donors, "mediation withdraws");
        let withdraws = withdraws.into_iter().map(|(_, d)| d.id.clone()).collect();
        Mediation::new(withdraws, |p| self.registered(raw.and_then(|m| m.number(p.name)), p, "conflict: mediation."))
    }

    /// The donors `ids` names under `what` ("mediation withdraws"): each must be declared and
    /// named once; the others are reported where they stand. Returns the rest, each with
    /// where it is named.
    fn donor_list<'a, 'd>(
        &mut self,
        ids: &'a [Located<String>],
        donors: &'d [Donor],
        what: &str,
    ) -> Vec<(&'a Located<String>, &'d Donor)> {
        let mut listed: Vec<(&Located<String>, &Donor)> = Vec::new();
        for id in ids {
            let Some(donor) = donors.iter().find(|d| d.id == id.value) else {
                let known = donors.iter().map(|d| format!("\"{}\"", d.id)).collect::<Vec<_>>();
                self.push(
                    Diagnostic::error(
                        "parley::unknown-reference",
                        format!("conflict: {what} \"{}\", which is not a donor", id.value),
                    )
                    .at(span(id), "no such donor")
                    .help(if known.is_empty() {
                        "declare the donor under [conflict.donors.ID] first".to_string()
                    } else {
                        format!("name donors declared under [conflict.donors]: {}", known.join(", "))
                    }),
                );
                continue;
            };
            if listed.iter().any(|(_, d)| d.id == donor.id) {
                self.push(
                    Diagnostic::error("parley::duplicate-id", format!("conflict: {what} \"{}\" twice", id.value))
                        .at(span(id), "listed again")
                        .help("list each donor once"),
                );
            } else {
                listed.push((id, donor));
            }
        }
        listed
    }

    /// Talks over a belligerent's head: the absent side (a side at the table), the donors
    /// that press it (each supplying it, once) and the numbers (their defaults when the
    /// section is left out).
    fn framework(&mut self, c: &RawConflict, sides: &[Side], donors: &[Donor], cx: &Context<'_>) -> Framework {
        let raw = c.framework.as_ref();
        let framework = Framework::new(None, Vec::new(), |p| {
            self.registered(raw.and_then(|f| f.number(p.name)), p, "conflict: framework.")
        });
        let Some(raw) = raw else { return framework };
        let absent = raw.absent.as_ref().and_then(|a| {
            let actor = self.side_ref(a, sides, cx, "conflict: framework.absent")?;
            if !cx.actors[actor].veto.is_full() {
                self.push(
                    Diagnostic::error(
                        "parley::conflict",
                        format!("conflict: framework.absent \"{}\" does not sit at the table", a.value),
                    )
                    .at(span(a), "not a veto player")
                    .help("the talks seat the actors with a full veto; give it `veto = true` or leave it out of the framework"),
                );
            }
            Some(actor)
        });
        if raw.absent.is_none() && framework.attempts.value > 0.0 {
            let attempts = raw.number("attempts").expect("a number above its default is written");
            self.push(
                Diagnostic::error(
                    "parley::missing-value",
                    format!(
                        "conflict: framework.attempts is {}, but no belligerent is named as absent",
                        framework.attempts.value
                    ),
                )
                .at(span(attempts), "frameworks put to nobody")
                .help("name the side left out of the first stage: absent = \"ACTOR\""),
            );
        }
        let mut pressing: Vec<String> = Vec::new();
        for (id, donor) in self.donor_list(&raw.pressing, donors, "framework pressing") {
            if absent.is_some_and(|a| donor.supplies != a) {
                self.push(
                    Diagnostic::error(
                        "parley::conflict",
                        format!("conflict: framework pressing \"{}\", which does not supply the absent side", id.value),
                    )
                    .at(span(id), "supplies the other side")
                    .help("a donor presses the absent side by withholding what it delivers to it: name its donors"),
                );
            } else {
                pressing.push(id.value.clone());
            }
        }
        if pressing.is_empty() && raw.pressing.is_empty() && framework.withheld.value > 0.0 {
            let withheld = raw.number("withheld").expect("a number above its default is written");
            self.push(
                Diagnostic::error(
                    "parley::missing-value",
                    format!("conflict: framework.withheld is {}, but no donor is pressing", framework.withheld.value),
                )
                .at(span(withheld), "withheld by nobody")
                .help("name the donors that withhold their deliveries after a refusal: pressing = [\"DONOR\"]"),
            );
        }
        Framework { absent, pressing, ..framework }
    }

    /// A side's numbers and victory terms; the actor is resolved by the caller.
    fn side(&mut self, s: &RawSide, issues: &[Issue], ctx: &str) -> Side {
        let prefix = format!("{ctx}: ");
        let side = Side::new(0, Vec::new(), |p| self.registered(s.number(p.name), p, &prefix));
        let victory = self.terms(&s.victory, issues, &format!("{ctx}: victory"), Cover::Every);
        Side { victory, ..side }
    }

    /// The territory, and the index of its issue if that resolved to a categorical issue.
    fn territory(
        &mut self,
        c: &RawConflict,
        issues: &[Issue],
        sides: &[Side],
        cx: &Context<'_>,
    ) -> (Territory, Option<usize>) {
        let t = &c.territory;
        let ctx = "conflict: territory";
        let mut issue = issues.iter().position(|i| i.id == t.issue.value);
        match issue {
            None => self.push(
                Diagnostic::error("parley::unknown-reference", format!("{ctx}: unknown issue \"{}\"", t.issue.value))
                    .at(span(&t.issue), "no such issue")
                    .help(format!("the issues are {}", list(issues.iter().map(|i| &i.id)))),
            ),
            Some(i) if !matches!(issues[i].kind, IssueKind::Categorical { .. }) => {
                self.push(
                    Diagnostic::error(
                        "parley::conflict",
                        format!("{ctx}: issue \"{}\" is numeric, but must be categorical", t.issue.value),
                    )
                    .at(span(&t.issue), "not categorical")
                    .help("the territorial issue's options are lines on the map: point `issue` at a categorical issue"),
                );
                issue = None;
            }
            Some(_) => {}
        }
        let holder = self.side_ref(&t.holder, sides, cx, &format!("{ctx} holder"));
        let numbers =
            Territory::new(String::new(), 0, Vec::new(), |p| self.registered(t.number(p.name), p, &format!("{ctx}: ")));
        let (held, min, max) = (numbers.held.clone(), numbers.min.clone(), numbers.max.clone());
        let range_ok = min.value.is_finite() && max.value.is_finite() && min.value < max.value;
        if min.value.is_finite() && max.value.is_finite() && !range_ok {
            self.push(
                Diagnostic::error(
                    "parley::empty",
                    format!("{ctx}: the range is empty (min {} ≥ max {})", min.value, max.value),
                )
                .at(span(&t.max), "not above min")
                .help("make max, the most area the holder can control, greater than min"),
            );
        }
        let inside = |x: f64| x >= min.value && x <= max.value;
        let outside = |what: &str, x: f64| {
            Diagnostic::error(
                "parley::out-of-range",
                format!("{ctx}: {what} is {x}, but must be within [min, max] = [{}, {}]", min.value, max.value),
            )
        };
        if range_ok && held.value.is_finite() && !inside(held.value) {
            self.push(
                outside("held", held.value)
                    .at(span(&t.held), "outside [min, max]")
                    .help("the holder's area at the start lies between the least and the most it can control"),
            );
        }
        let mut anchors: Vec<(String, Quantity)> = Vec::new();
        for (key, value) in &t.anchors.value.0 {
            self.unique(key, "territory anchor", anchors.iter().map(|(o, _)| o.as_str()));
            let actx = format!("{ctx}: anchor \"{}\"", key.value);
            let quantity = self.bounded(value, &actx, Bounds::NON_NEGATIVE);
            if let Some(i) = issue
                && issues[i].option_index(&key.value).is_none()
            {
                self.push(
                    Diagnostic::error(
                        "parley::unknown-reference",
                        format!("{actx}: issue \"{}\" has no option \"{}\"", issues[i].id, key.value),
                    )
                    .at(span(key), "no such option")
                    .help(format!(
                        "anchors are keyed by options of \"{}\": {}",
                        issues[i].id,
                        list(issues[i].options.iter().map(|o| &o.id))
                    )),
                );
            }
            let x = quantity.value;
            if range_ok && x.is_finite() && !inside(x) {
                self.push(
                    outside(&format!("anchor \"{}\"", key.value), x)
                        .at(span(value), "outside [min, max]")
                        .help("an anchor is an area the holder can control: keep it between min and max"),
                );
            }
            if let Some((other, _)) = anchors.iter().find(|(_, q)| (q.value - x).abs() < 1e-9) {
                self.push(
                    Diagnostic::error(
                        "parley::conflict",
                        format!("{ctx}: anchors \"{other}\" and \"{}\" are both {x} km²", key.value),
                    )
                    .at(span(value), "same area")
                    .help("each anchor is a different line on the map: give each a different area"),
                );
            }
            anchors.push((key.value.clone(), quantity));
        }
        if let Some(i) = issue {
            anchors.sort_by_key(|(o, _)| issues[i].option_index(o));
        }
        let n = t.anchors.value.0.len();
        if n < 2 {
            self.push(
                Diagnostic::error(
                    "parley::conflict",
                    format!("{ctx}: {n} {} given, but at least 2 are needed", plural(n, "anchor")),
                )
                .at(span(&t.anchors), "too few")
                .help(format!(
                    "give the holder's area under at least two options of \"{}\" (for example the pre-war line and today's line)",
                    t.issue.value
                )),
            );
        }
        let territory = Territory { issue: t.issue.value.clone(), holder: holder.unwrap_or(0), anchors, ..numbers };
        (territory, issue)
    }

    /// Terms naming one option of each issue, as `cover` says.
    fn terms(&mut self, t: &Located<RawTerms>, issues: &[Issue], ctx: &str, cover: Cover) -> Terms {
        let except = match cover {
            Cover::AllBut(i) | Cover::Some(i) => Some(i),
            Cover::Every | Cover::Unknown => None,
        };
        let mut named = vec![false; issues.len()];
        let mut terms = Vec::new();
        for (key, option) in &t.value.0 {
            let Some(i) = self.issue_named(key, issues, ctx) else { continue };
            if Some(i) == except {
                self.push(
                    Diagnostic::error(
                        "parley::conflict",
                        format!("{ctx}: names the territorial issue \"{}\"", key.value),
                    )
                    .at(span(key), "territorial issue")
                    .help("without a deal the territory is wherever the front stands: remove it here"),
                );
                continue;
            }
            if named[i] {
                self.push(
                    Diagnostic::error("parley::duplicate-id", format!("{ctx}: issue \"{}\" appears twice", key.value))
                        .at(span(key), "second term")
                        .help("name one option per issue"),
                );
                continue;
            }
            named[i] = true;
            if issues[i].option_index(&option.value).is_none() {
                self.push(
                    Diagnostic::error(
                        "parley::unknown-reference",
                        format!("{ctx}: issue \"{}\" has no option \"{}\"", key.value, option.value),
                    )
                    .at(span(option), "unknown option")
                    .help(format!(
                        "the options of \"{}\" are {}",
                        key.value,
                        list(issues[i].options.iter().map(|o| &o.id))
                    )),
                );
                continue;
            }
            terms.push((i, key.value.clone(), option.value.clone()));
        }
        let missing: Vec<&str> = issues
            .iter()
            .enumerate()
            .filter(|&(i, _)| !named[i] && Some(i) != except)
            .map(|(_, x)| x.id.as_str())
            .collect();
        if !missing.is_empty() && !matches!(cover, Cover::Unknown | Cover::Some(_)) {
            let which = if except.is_some() { "every issue except the territorial one" } else { "every issue" };
            self.push(
                Diagnostic::error("parley::missing-value", format!("{ctx}: no option for {}", list(missing.iter())))
                    .at(span(t), "incomplete")
                    .help(format!("name one option of {which}: {{ {} = \"...\" }}", missing[0])),
            );
        }
        terms.sort_by_key(|(i, _, _)| *i);
        terms.into_iter().map(|(_, issue, option)| (issue, option)).collect()
    }

    /// A lever's change of what holds without a deal: options of some issues other than the
    /// territorial one, in a scenario with a `[conflict]` section.
    pub(super) fn lever_no_deal(
        &mut self,
        t: &Located<RawTerms>,
        scenario: &parley_core::Scenario,
        ctx: &str,
    ) -> Option<Terms> {
        let Some(c) = &scenario.conflict else {
            self.push(
                Diagnostic::error(
                    "parley::conflict",
                    format!("{ctx}: changes what holds without a deal, but there is no war"),
                )
                .at(span(t), "no [conflict] section")
                .help("add a [conflict] section with its no_deal terms, or remove no_deal from the lever"),
            );
            return None;
        };
        let cover = scenario.issue_index(&c.territory.issue).map_or(Cover::Unknown, Cover::Some);
        Some(self.terms(t, &scenario.issues, &format!("{ctx}: no_deal"), cover))
    }

    /// A monthly series: finite values ≥ 0 with the provenance of a number.
    fn series(&mut self, s: &Located<RawSeries>, what: &str) -> Series {
        let raw = &s.value;
        for (k, v) in raw.values.iter().enumerate() {
            let x = v.value;
            if !x.is_finite() {
                self.push(
                    Diagnostic::error("parley::not-finite", format!("{what}: value {} is {x}", k + 1))
                        .at(span(v), "not a finite number")
                        .help("write a finite number"),
                );
            } else if x < 0.0 {
                self.push(
                    Diagnostic::error(
                        "parley::out-of-range",
                        format!("{what}: value {} is {x}, but must be at least 0", k + 1),
                    )
                    .at(span(v), "negative")
                    .help("use a value at least 0"),
                );
            }
        }
        let provenance = self.number_provenance(&raw.source, &raw.assumption, span(s), what);
        Series { values: raw.values.iter().map(|v| v.value).collect(), provenance }
    }

    /// What the model computes for a series: `losses.ACTOR`, `territory_change` or `held`.
    fn observable(
        &mut self,
        what: &Located<String>,
        sides: &[Side],
        cx: &Context<'_>,
        ctx: &str,
    ) -> Option<Observable> {
        match what.value.split_once('.') {
            None if what.value == "territory_change" => Some(Observable::TerritoryChange),
            None if what.value == "held" => Some(Observable::Held),
            Some(("losses", actor)) => {
                let at = Located { span: span(what), value: actor.to_string() };
                self.side_ref(&at, sides, cx, ctx).map(|side| Observable::Losses { side })
            }
            _ => {
                self.push(
                    Diagnostic::error(
                        "parley::unknown-reference",
                        format!("{ctx}: unknown observable \"{}\"", what.value),
                    )
                    .at(span(what), "unknown observable")
                    .help("write losses.ACTOR (ACTOR a side), territory_change or held"),
                );
                None
            }
        }
    }

    /// An observed series of the record: at most one value per month of history, each
    /// finite (or missing), its observation model's numbers in range.
    fn observed(
        &mut self,
        o: &RawObserved,
        sides: &[Side],
        cx: &Context<'_>,
        (start, as_of): (Option<Month>, Option<Month>),
    ) -> Option<Observed> {
        let ctx = format!("conflict: observed \"{}\"", o.id.value);
        let from = match &o.from {
            Some(m) => self.month(m, &format!("{ctx}: from")),
            None => start,
        };
        let measures = self.observable(&o.measures, sides, cx, &format!("{ctx}: measures"));
        let values: Vec<Option<f64>> = o.values.value.iter().map(|v| v.filter(|x| !x.is_nan())).collect();
        if let Some((k, x)) = values.iter().enumerate().find_map(|(k, v)| v.filter(|x| !x.is_finite()).map(|x| (k, x)))
        {
            self.push(
                Diagnostic::error("parley::not-finite", format!("{ctx}: value {} is {x}", k + 1))
                    .at(span(&o.values), "not a finite number")
                    .help("write a finite number, or nan (null in JSON) for a month that was not observed"),
            );
        }
        if let (Some(from), Some(as_of)) = (from, as_of)
            && from.plus(values.len() as i32 - 1) > as_of
        {
            let months = (as_of.since(from) + 1).max(0) as usize;
            self.push(
                Diagnostic::error(
                    "parley::out-of-range",
                    format!(
                        "{ctx}: {} values from {from} run past as_of {as_of} ({months} {} would end there)",
                        values.len(),
                        plural(months, "value")
                    ),
                )
                .at(span(&o.values), "runs past as_of")
                .help("the record ends at as_of: drop the values after it, or move as_of"),
            );
        }
        if values.iter().all(Option::is_none) {
            self.push(
                Diagnostic::error("parley::empty", format!("{ctx}: no month is observed"))
                    .at(span(&o.values), "no values")
                    .help("give at least one value, or remove the series"),
            );
        }
        let provenance = self.number_provenance(&o.source, &o.assumption, span(&o.values), &ctx);
        let id = &o.id.value;
        let mut q = |name: &str, field: &Located<RawQuantity>| {
            self.bounded(field, &format!("{ctx}: error {name}"), conflict_bounds(&["observed", id, name]))
        };
        let e = &o.error.value;
        let (bias, scale) = (q("bias", &e.bias), q("scale", &e.scale));
        let error = match e.distribution.value {
            RawErrorDistribution::Normal => ObservationError::Normal { bias, scale },
            RawErrorDistribution::Lognormal => ObservationError::Lognormal { bias, scale },
        };
        if let (ObservationError::Lognormal { .. }, Some((k, x))) =
            (&error, values.iter().enumerate().find_map(|(k, v)| v.filter(|x| *x <= 0.0).map(|x| (k, x))))
        {
            self.push(
                Diagnostic::error(
                    "parley::out-of-range",
                    format!("{ctx}: value {} is {x}, but a lognormal error needs positive observations", k + 1),
                )
                .at(span(&o.values), "not positive")
                .help("use a normal error for a series that can be zero or negative"),
            );
        }
        Some(Observed {
            id: id.clone(),
            measures: measures?,
            column: o.column.clone(),
            from: from?,
            values,
            provenance,
            error,
        })
    }

    /// An actor that must be a side of the conflict.
    fn side_ref(&mut self, a: &Located<String>, sides: &[Side], cx: &Context<'_>, ctx: &str) -> Option<usize> {
        if cx.unresolved.contains(&a.value.as_str()) {
            return None; // reported with the side
        }
        let Some(actor) = cx.actors.iter().position(|x| x.id == a.value) else {
            self.push(
                Diagnostic::error("parley::unknown-reference", format!("{ctx}: unknown actor \"{}\"", a.value))
                    .at(span(a), "no such actor")
                    .help(format!("the sides are {}", side_list(sides, cx.actors))),
            );
            return None;
        };
        if !sides.iter().any(|s| s.actor == actor) {
            let mut help = format!("the sides are {}", side_list(sides, cx.actors));
            if !cx.unresolved.is_empty() {
                help += &format!(" (side {} names no actor)", list(cx.unresolved.iter()));
            }
            self.push(
                Diagnostic::error("parley::conflict", format!("{ctx}: \"{}\" is not a side of the conflict", a.value))
                    .at(span(a), "not a side")
                    .help(help),
            );
            return None;
        }
        Some(actor)
    }

    /// A full path `conflict.…` that must name a number of the conflict; returns whether it does.
    fn conflict_path(
        &mut self,
        path: &Located<String>,
        conflict: &mut Conflict,
        cx: &Context<'_>,
        ctx: &str,
        why: &str,
    ) -> bool {
        let p = path.value.as_str();
        let Some(rest) = p.strip_prefix("conflict.") else {
            self.push(
                Diagnostic::error("parley::unknown-reference", format!("{ctx}: path \"{p}\" is not under `conflict.`"))
                    .at(span(path), "not a number of the war")
                    .help(format!(
                        "{why}: write the full path as `parley sources` lists it, e.g. \"conflict.territory.gain\""
                    )),
            );
            return false;
        };
        let parts: Vec<&str> = rest.split('.').collect();
        if conflict.quantity_mut(&parts, cx.actors).is_some() {
            return true;
        }
        if let ["sides", actor, ..] = parts.as_slice()
            && cx.unresolved.contains(actor)
        {
            return false; // reported with the side
        }
        let mut near: Vec<String> = Vec::new();
        conflict.visit_numbers(cx.actors, &mut |n, _| {
            if n.split('.').take(2).eq(parts.iter().copied().take(2)) && near.len() < 8 {
                near.push(format!("conflict.{n}"));
            }
        });
        self.unknown_path(path, ctx, &near);
        false
    }

    /// The dynamic check of an expectation whose fields are complete: months, levers, the
    /// actor as a side of the conflict.
    pub(super) fn dynamic_check(
        &mut self,
        e: &RawExpectation,
        actor: Option<usize>,
        (given, versus_terms): (Condition, Condition),
        scenario: &Scenario,
        ctx: &str,
    ) -> Option<Check> {
        use RawCheckKind as K;
        let kind = e.check.value;
        debug_assert!(is_dynamic(kind));
        let mut ok = true;
        match &scenario.conflict {
            None => {
                ok = false;
                self.push(
                    Diagnostic::error(
                        "parley::conflict",
                        format!("{ctx}: check \"{}\" needs a [conflict] section", kind_name(kind)),
                    )
                    .at(span(&e.check), "simulated check")
                    .help("this check is evaluated by simulating the war: add a [conflict] section, or use a static check"),
                );
            }
            Some(conflict) => {
                if let (Some(a), Some(at)) = (actor, &e.actor)
                    && conflict.side(a).is_none()
                {
                    ok = false;
                    self.push(
                        Diagnostic::error(
                            "parley::conflict",
                            format!("{ctx}: \"{}\" is not a side of the conflict", at.value),
                        )
                        .at(span(at), "not a side")
                        .help(format!(
                            "a BATNA over the war belongs to a belligerent: the sides are {}",
                            side_list(&conflict.sides, &scenario.actors)
                        )),
                    );
                }
            }
        }
        let months = e.months.as_ref().and_then(|m| self.count(m, "months", 1, ctx));
        let month = e.month.as_ref().and_then(|m| self.count(m, "month", 0, ctx));
        let mut levers = |l: &Option<Located<Vec<Located<String>>>>, name: &str, s: &mut Self| -> Vec<String> {
            let Some(l) = l else { return Vec::new() };
            if l.value.is_empty() && name == "loss_from" {
                ok = false;
                s.push(
                    Diagnostic::error("parley::empty", format!("{ctx}: `loss_from` lists no lever"))
                        .at(span(l), "empty")
                        .help("name the levers whose loss the expectation's levers should restore"),
                );
            }
            for id in &l.value {
                if scenario.lever(&id.value).is_none() {
                    ok = false;
                    s.push(
                        Diagnostic::error(
                            "parley::unknown-reference",
                            format!("{ctx}: {name}: unknown lever \"{}\"", id.value),
                        )
                        .at(span(id), "no such lever")
                        .help(format!("the levers are {}", list(scenario.levers.iter().map(|x| &x.id)))),
                    );
                }
            }
            l.value.iter().map(|id| id.value.clone()).collect()
        };
        let versus = levers(&e.versus_levers, "versus_levers", self);
        let loss_from = levers(&e.loss_from, "loss_from", self);
        let fraction = e.fraction.as_ref().and_then(|f| {
            let x = f.value.value;
            if x > 0.0 && x <= 1.0 {
                return Some(x);
            }
            self.push(
                Diagnostic::error("parley::out-of-range", format!("{ctx}: fraction is {x}, but must be within (0, 1]"))
                    .at(span(f), "out of range")
                    .help("the least share of the loss won back: 1 is all of it, 0.5 half"),
            );
            None
        });
        let km2 = e.km2.as_ref().and_then(|k| {
            if k.value.value.is_finite() {
                return Some(k.value.value);
            }
            self.push(
                Diagnostic::error("parley::not-finite", format!("{ctx}: km2 is {}", k.value.value))
                    .at(span(k), "not a finite number")
                    .help("write a finite number"),
            );
            None
        });
        let measure = e.measure.as_ref().map(|m| match m.value {
            RawMeasure::Manpower => Measure::Manpower,
            RawMeasure::Materiel => Measure::Materiel,
            RawMeasure::Economy => Measure::Economy,
            RawMeasure::Support => Measure::Support,
            RawMeasure::Batna => Measure::Batna,
            RawMeasure::Recruitment => Measure::Recruitment,
        });
        if !ok {
            return None;
        }
        Some(match kind {
            K::NoSettlementWithin => Check::NoSettlementWithin { months: months? },
            K::SettlesWithin => Check::SettlesWithin { months: months? },
            K::BatnaLower => Check::BatnaLower { actor: actor?, month: month?, versus },
            K::BatnaHigher => Check::BatnaHigher { actor: actor?, month: month?, versus },
            K::BatnaRestored => Check::BatnaRestored { actor: actor?, month: month?, loss_from, fraction: fraction? },
            K::Advances => Check::Advances { months: months?, km2: km2? },
            K::AdvancesMore => Check::AdvancesMore { months: months?, versus },
            K::AdvancesLess => Check::AdvancesLess { months: months?, versus },
            K::SettlesSooner => Check::SettlesSooner { months: months?, versus },
            K::Declines => Check::Declines { actor: actor?, measure: measure?, months: months? },
            K::Grows => Check::Grows { actor: actor?, measure: measure?, months: months? },
            K::NoCollapseWithin => Check::NoCollapseWithin { months: months? },
            K::BreaksDownMore => Check::BreaksDownMore { given, versus: versus_terms },
            K::Accepts
            | K::Rejects
            | K::ZoneExists
            | K::NoZone
            | K::ZoneOnly
            | K::Favours
            | K::Prefers
            | K::LinkageEases => return None,
        })
    }

    /// A whole number of months, at least `least` and at most [`MAX_MONTHS`].
    fn count(&mut self, m: &Located<RawQuantity>, name: &str, least: u32, ctx: &str) -> Option<u32> {
        let range = format!("a whole number within [{least}, {MAX_MONTHS}]");
        let x = m.value.value;
        match x {
            _ if x.fract() == 0.0 && x >= f64::from(least) && x <= f64::from(MAX_MONTHS) => Some(x as u32),
            _ => {
                self.push(
                    Diagnostic::error("parley::out-of-range", format!("{ctx}: {name} is {x}, but must be {range}"))
                        .at(span(m), "out of range")
                        .help(format!("count {name} from the scenario date (as_of): {least} to {MAX_MONTHS}")),
                );
                None
            }
        }
    }
}

/// The snake-case name of a check kind, as written in files.
pub(super) fn kind_name(kind: RawCheckKind) -> String {
    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
}

fn belligerents(actors: &[Actor]) -> String {
    let all: Vec<&String> = actors.iter().filter(|a| a.role == Role::Belligerent).map(|a| &a.id).collect();
    if all.is_empty() { "none yet".to_string() } else { list(all.into_iter()) }
}

fn side_list(sides: &[Side], actors: &[Actor]) -> String {
    if sides.is_empty() { "none".to_string() } else { list(sides.iter().map(|s| &actors[s.actor].id)) }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 { noun.to_string() } else { format!("{noun}s") }
}
