//! The allowed values of every number of a scenario, by path.
//!
//! One registry: validation (`parley-io`) holds a file, a lever and an event to these
//! ranges, and the audit of the checks (`parley check --audit`, [`crate::audit`]) varies
//! numbers within them. [`of`] gives the range of any path `parley sources` lists;
//! [`conflict`] the range of a path below `conflict.`.

/// The most months a scenario may ask to simulate or look ahead: a war's history (start to
/// as_of), each side's horizon (`beliefs.horizon`), a ceasefire's consolidation, an
/// expectation's `months` and `month`, and (in the CLI) `--months`. A hundred years: far
/// beyond any negotiation, and small enough that a run cannot hang on it.
pub const MAX_MONTHS: u32 = 1200;

/// The allowed values of a number: an interval, ends open or closed, optionally whole numbers.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    lo: f64,
    lo_open: bool,
    hi: f64,
    hi_open: bool,
    whole: bool,
}

impl Bounds {
    /// The closed range `[lo, hi]` (open at an infinite end).
    pub fn closed(lo: f64, hi: f64) -> Bounds {
        Bounds { lo, lo_open: false, hi, hi_open: false, whole: false }
    }

    /// Any finite number.
    pub const ANY: Bounds = Bounds::new(f64::NEG_INFINITY, false, f64::INFINITY, false);
    /// `x ≥ 0`.
    pub const NON_NEGATIVE: Bounds = Bounds::new(0.0, false, f64::INFINITY, false);
    /// `x > 0`.
    pub const POSITIVE: Bounds = Bounds::new(0.0, true, f64::INFINITY, false);
    /// `0 ≤ x ≤ 1`.
    pub const UNIT: Bounds = Bounds::new(0.0, false, 1.0, false);
    /// `0 ≤ x < 1`.
    pub const UNIT_BELOW_ONE: Bounds = Bounds::new(0.0, false, 1.0, true);
    /// `0 < x ≤ 1`.
    pub const UNIT_ABOVE_ZERO: Bounds = Bounds::new(0.0, true, 1.0, false);
    /// `x > -1`.
    pub const ABOVE_MINUS_ONE: Bounds = Bounds::new(-1.0, true, f64::INFINITY, false);
    /// A lag of months: `1 ≤ x ≤` [`MAX_MONTHS`].
    pub const LAG_MONTHS: Bounds = Bounds::new(1.0, false, MAX_MONTHS as f64, false);
    /// A whole number of months from 1 to [`MAX_MONTHS`].
    pub const HORIZON_MONTHS: Bounds = Bounds::LAG_MONTHS.whole_numbers();
    /// A whole number of months from 0 to [`MAX_MONTHS`].
    pub const WHOLE_MONTHS: Bounds = Bounds::new(0.0, false, MAX_MONTHS as f64, false).whole_numbers();

    /// The interval from `lo` to `hi`, each end open or closed.
    pub const fn new(lo: f64, lo_open: bool, hi: f64, hi_open: bool) -> Bounds {
        Bounds { lo, lo_open, hi, hi_open, whole: false }
    }

    /// The same interval, of whole numbers only.
    pub const fn whole_numbers(self) -> Bounds {
        Bounds { whole: true, ..self }
    }

    /// Whether only whole numbers are allowed.
    pub fn whole(&self) -> bool {
        self.whole
    }

    /// Whether the lower and the upper end are open.
    pub fn open_ends(&self) -> (bool, bool) {
        (self.lo_open, self.hi_open)
    }

    /// Whether `x` lies in the interval (whole numbers aside).
    pub fn contains(&self, x: f64) -> bool {
        let above = if self.lo_open { x > self.lo } else { x >= self.lo };
        let below = if self.hi_open { x < self.hi } else { x <= self.hi };
        above && below
    }

    /// The ends, each open or closed.
    pub fn ends(&self) -> (f64, f64) {
        (self.lo, self.hi)
    }

    /// The range as an interval: "[0, 1)", "(-1, ∞)".
    pub fn interval(&self) -> String {
        let end = |x: f64| {
            if x.is_finite() {
                x.to_string()
            } else if x > 0.0 {
                "∞".into()
            } else {
                "-∞".into()
            }
        };
        format!(
            "{}{}, {}{}",
            if self.lo_open || self.lo.is_infinite() { '(' } else { '[' },
            end(self.lo),
            end(self.hi),
            if self.hi_open || self.hi.is_infinite() { ')' } else { ']' }
        )
    }

    /// The range in words: "at least 0", "greater than -1", "within [0, 1)".
    pub fn describe(&self) -> String {
        match (self.lo.is_finite(), self.hi.is_finite()) {
            (true, false) if self.lo_open => format!("greater than {}", self.lo),
            (true, false) => format!("at least {}", self.lo),
            (false, true) if self.hi_open => format!("less than {}", self.hi),
            (false, true) => format!("at most {}", self.hi),
            _ => format!(
                "within {}{}, {}{}",
                if self.lo_open { '(' } else { '[' },
                self.lo,
                self.hi,
                if self.hi_open { ')' } else { ']' }
            ),
        }
    }
}

/// The range of the number at a path below `conflict.` (as `Conflict::visit_numbers` lists
/// them): the registry's ([`crate::parameters`]) for the war model's fixed numbers;
/// [`Bounds::ANY`] for paths that name no number.
pub fn conflict(path: &[&str]) -> Bounds {
    let registered = |group: &str, name: &str| {
        crate::parameters::groups()
            .into_iter()
            .find(|(g, _)| *g == group)
            .and_then(|(_, parameters)| parameters.iter().find(|p| p.name == name))
            .map_or(Bounds::ANY, |p| p.bounds)
    };
    match path {
        ["law", name] => registered("law", name),
        ["sides", _, name] => registered("sides", name),
        ["donors", _, "after"] => Bounds::NON_NEGATIVE,
        ["territory", "anchors", _] => Bounds::NON_NEGATIVE,
        ["territory", name] => registered("territory", name),
        ["beliefs", name] => registered("beliefs", name),
        ["volatility", name] => registered("volatility", name),
        ["mediation", name] => registered("mediation", name),
        ["framework", name] => registered("framework", name),
        ["durability", "factors", _] => Bounds::NON_NEGATIVE,
        ["durability", name] => registered("durability", name),
        ["observed", _, "scale"] => Bounds::POSITIVE,
        _ => Bounds::ANY,
    }
}

/// The range of the number at a full path, as `parley sources` lists it
/// (`preferences.rus.reservation`, `conflict.sides.ukr.recruitment`, …). Issue weights are
/// only bounded below; an expectation's thresholds and the issues' numeric ranges by any
/// finite number.
pub fn of(path: &str) -> Bounds {
    let parts: Vec<&str> = path.split('.').collect();
    match parts.as_slice() {
        ["conflict", rest @ ..] => conflict(rest),
        ["preferences", _, "reservation"] => Bounds::UNIT,
        ["preferences", _, "discount"] => Bounds::new(0.0, true, 1.0, false),
        ["preferences", _, "weights", _] => Bounds::NON_NEGATIVE,
        ["preferences", _, "values", ..] => Bounds::UNIT,
        ["preferences", _, "linkages", _] => Bounds::closed(-1.0, 1.0),
        ["actors", _, "power"] => Bounds::NON_NEGATIVE,
        ["levers", _, "set", rest @ ..] => of(&rest.join(".")),
        _ => Bounds::ANY,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_bounds_describe_and_contain() {
        let horizon = conflict(&["beliefs", "horizon"]);
        assert!(horizon.whole && horizon.contains(1.0) && !horizon.contains(0.5));
        assert_eq!(horizon.describe(), "within [1, 1200]");
        assert!(!horizon.contains(1201.0) && horizon.contains(1200.0));
        let consolidation = conflict(&["durability", "consolidation"]);
        assert!(consolidation.whole && !consolidation.contains(1e300));
        let strain = conflict(&["sides", "x", "economic_strain"]);
        assert!(strain.contains(0.0) && !strain.contains(1.0));
        assert_eq!(strain.describe(), "within [0, 1)");
        let discount = conflict(&["sides", "x", "discount"]);
        assert!(!discount.contains(0.0) && discount.contains(1.0));
        assert_eq!(discount.describe(), "within (0, 1]");
        assert_eq!(conflict(&["sides", "x", "optimism"]).describe(), "greater than -1");
        assert_eq!(conflict(&["territory", "stalemate"]).describe(), "greater than 0");
        assert!(conflict(&["events", "x"]).contains(-1e300));
    }

    #[test]
    fn test_of_full_paths() {
        assert_eq!(of("preferences.rus.reservation").ends(), (0.0, 1.0));
        assert_eq!(of("levers.cut.set.conflict.sides.ukr.support").ends(), (0.0, 1.0));
        assert_eq!(of("conflict.sides.ukr.manpower").describe(), "greater than 0");
        assert_eq!(of("preferences.rus.linkages.x").ends(), (-1.0, 1.0));
    }
}
