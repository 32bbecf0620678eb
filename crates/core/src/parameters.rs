//! The war model's numbers, each defined once.
//!
//! Every fixed number of the `[conflict]` section — the attrition law, a side, the
//! territory, beliefs, volatility, mediation, framework, durability — is one line of [`crate::war_parameters!`]: its
//! name (as it appears in the file and in paths such as `conflict.sides.ukr.recruitment`),
//! its unit, its allowed values and what it means. From that line come:
//!
//! * the model's struct ([`crate::conflict::Side`] and its siblings), with a field per number,
//!   the lookup by name that levers, events and `[[uncertain]]` paths use, and a
//!   [`Parameter`] table ([`crate::conflict::Side::PARAMETERS`]);
//! * the plain values the simulation reads ([`crate::conflict::SideValues`]);
//! * in `parley-io`, the file's struct (its fields, their documentation in the JSON Schema),
//!   its validation against the bounds and its writing back;
//! * the ranges validation and the audit use ([`crate::bounds::conflict`]).
//!
//! Adding a number to the war model is a line here and its use in `parley-sim`.
//!
//! The bounds are named by a keyword (`non_negative`, `unit_below_one`, …) that stands
//! both for a [`Bounds`] and for its text in the documentation; a test holds the two
//! together.

use crate::bounds::Bounds;

/// One number of the war model.
#[derive(Clone, Copy, Debug)]
pub struct Parameter {
    /// Its name in the file and in paths.
    pub name: &'static str,
    /// Its unit, in words ("personnel", "€ billion a month", "share").
    pub unit: &'static str,
    /// Its allowed values.
    pub bounds: Bounds,
    /// The allowed values in words, as the documentation states them.
    pub range: &'static str,
    /// What it means, one documentation line each.
    pub doc: &'static [&'static str],
    /// The value a scenario that leaves the number out gets — the value that leaves its
    /// mechanism out of the model — or `None` if every scenario must state it.
    pub default: Option<f64>,
}

/// Why a number a scenario leaves out has the value it has.
pub const DEFAULT_REASON: &str = "not set in the scenario: the default, which leaves this mechanism out";

impl Parameter {
    /// The quantity of a scenario that leaves the number out, if it may.
    pub fn absent(&self) -> Option<crate::Quantity> {
        self.default.map(|value| crate::Quantity::assumed(value, DEFAULT_REASON))
    }

    /// Whether `q` is what a scenario that leaves the number out gets (so writing the
    /// scenario back leaves it out too).
    pub fn is_absent(&self, q: &crate::Quantity) -> bool {
        self.absent().is_some_and(|absent| absent == *q)
    }

    /// What it means, as one paragraph.
    pub fn meaning(&self) -> String {
        self.doc.iter().map(|line| line.trim()).collect::<Vec<_>>().join(" ")
    }
}

/// The [`Bounds`] a bounds keyword stands for.
#[macro_export]
#[doc(hidden)]
macro_rules! parameter_bounds {
    (any) => {
        $crate::bounds::Bounds::ANY
    };
    (non_negative) => {
        $crate::bounds::Bounds::NON_NEGATIVE
    };
    (positive) => {
        $crate::bounds::Bounds::POSITIVE
    };
    (unit) => {
        $crate::bounds::Bounds::UNIT
    };
    (unit_below_one) => {
        $crate::bounds::Bounds::UNIT_BELOW_ONE
    };
    (unit_above_zero) => {
        $crate::bounds::Bounds::UNIT_ABOVE_ZERO
    };
    (above_minus_one) => {
        $crate::bounds::Bounds::ABOVE_MINUS_ONE
    };
    (lag_months) => {
        $crate::bounds::Bounds::LAG_MONTHS
    };
    (horizon_months) => {
        $crate::bounds::Bounds::HORIZON_MONTHS
    };
    (whole_months) => {
        $crate::bounds::Bounds::WHOLE_MONTHS
    };
}

/// `Some(default)` if a registry entry has one, `None` if not.
#[macro_export]
#[doc(hidden)]
macro_rules! parameter_default {
    () => {
        None
    };
    ($default:literal) => {
        Some($default)
    };
}

/// What the documentation says of a registry entry's default, if it has one.
#[macro_export]
#[doc(hidden)]
macro_rules! parameter_default_text {
    () => {
        ""
    };
    ($default:literal) => {
        concat!(" If left out: ", stringify!($default), ", which leaves this mechanism out.")
    };
}

/// The words a bounds keyword stands for (a test checks them against
/// [`Bounds::describe`]).
#[macro_export]
#[doc(hidden)]
macro_rules! parameter_range {
    (any) => {
        "any number"
    };
    (non_negative) => {
        "at least 0"
    };
    (positive) => {
        "greater than 0"
    };
    (unit) => {
        "within [0, 1]"
    };
    (unit_below_one) => {
        "within [0, 1)"
    };
    (unit_above_zero) => {
        "within (0, 1]"
    };
    (above_minus_one) => {
        "greater than -1"
    };
    (lag_months) => {
        "within [1, 1200]"
    };
    (horizon_months) => {
        "a whole number within [1, 1200]"
    };
    (whole_months) => {
        "a whole number within [0, 1200]"
    };
}

/// The registry: the war model's numbers by group, each with its documentation, unit and
/// bounds keyword.
///
/// `war_parameters!(GROUP => CALLBACK { TOKENS })` expands to
/// `CALLBACK! { TOKENS ENTRIES }`, where each entry is
/// `/// doc… name: "unit", bounds;` or, for a number a scenario may leave out,
/// `/// doc… name: "unit", bounds, default VALUE;` (the value that leaves its mechanism out). The groups are `law`, `side`, `territory`, `beliefs`,
/// `volatility`, `mediation`, `framework` and `durability`. The callback builds what its crate needs from the list:
/// `parley-core` the model's structs, `parley-io` the file's.
#[macro_export]
macro_rules! war_parameters {
    (law => $callback:ident { $($tokens:tt)* }) => {
        $callback! { $($tokens)*
            /// `p`, the exponent of the enemy's strength (1: aimed fire).
            enemy_exponent: "dimensionless", non_negative;
            /// `q`, the exponent of one's own strength (0: square law, 1: linear law).
            own_exponent: "dimensionless", non_negative;
        }
    };
    (side => $callback:ident { $($tokens:tt)* }) => {
        $callback! { $($tokens)*
            /// Front-line personnel at the start.
            manpower: "personnel", positive;
            /// Personnel added per month at full domestic support.
            recruitment: "personnel a month", non_negative;
            /// Casualties this side inflicts per month per unit of the enemy's strength term,
            /// at a materiel multiplier of 1 (the `a` of the law, from the enemy's point of view).
            effectiveness: "casualties a month per unit of strength term", non_negative;
            /// Own production of materiel at the start's economy.
            production: "€ billion a month", non_negative;
            /// Materiel flow at which the materiel multiplier is 1.
            materiel_reference: "€ billion a month", positive;
            /// Elasticity of effectiveness with respect to the materiel flow.
            materiel_elasticity: "dimensionless", non_negative;
            /// Months over which deliveries reach the front (the smoothing of the flow).
            delivery_lag: "months", lag_months;
            /// Fraction of production capacity the economy loses per month of fighting.
            economic_strain: "share a month", unit_below_one;
            /// Domestic support for fighting on at the start.
            support: "share", unit;
            /// Support lost per 100,000 own casualties.
            support_erosion: "share per 100,000 casualties", non_negative;
            /// Support below which the side can no longer fight on.
            breaking_point: "share", unit_below_one;
            /// How much better than the truth the side believes it fights, as of the scenario
            /// date (0: accurate; 0.2: it projects its own effectiveness 20% too high and the
            /// enemy's 20% too low).
            optimism: "share", above_minus_one;
            /// Monthly discount factor the side applies to its projected no-deal path.
            discount: "factor a month", unit_above_zero;
            /// Utility the side subtracts per month for each 100,000 own casualties.
            cost_of_losses: "utility a month per 100,000 casualties", non_negative;
            /// Utility the side subtracts per month for each € billion it spends on the war.
            cost_of_spending: "utility a month per € billion", non_negative;
            /// Utility the side subtracts per month for each unit of support lost since the start.
            cost_of_lost_support: "utility a month per unit of support", non_negative;
            /// Share of the enemy's production capacity this side's long-range strikes on power
            /// and industry would destroy a month if the enemy intercepted none of them.
            strike_damage: "share a month", unit_below_one, default 0.0;
            /// Support for fighting on the enemy would lose a month to this side's strikes on
            /// its cities and power if it intercepted none of them.
            strike_terror: "share a month", non_negative, default 0.0;
            /// Share of the enemy's strikes this side's air defence intercepts.
            air_defence: "share", unit, default 0.0;
            /// Personnel a wider mobilisation would add per month on top of recruitment, if the
            /// side chooses it once recruitment no longer covers its losses (0: no such choice).
            mobilisation: "personnel a month", non_negative, default 0.0;
            /// Support the side loses at once when it mobilises.
            mobilisation_cost: "share", unit, default 0.0;
        }
    };
    (territory => $callback:ident { $($tokens:tt)* }) => {
        $callback! { $($tokens)*
            /// Area the holder controls at the start, within [min, max].
            held: "km²", non_negative;
            /// Least area the holder can control (below `max`).
            min: "km²", non_negative;
            /// Most area the holder can control.
            max: "km²", non_negative;
            /// Area the holder gains per month per unit of effective force ratio above the
            /// stalemate ratio.
            gain: "km² a month", non_negative;
            /// Effective force ratio (holder to opponent) at which the front stands still.
            stalemate: "ratio", positive;
        }
    };
    (beliefs => $callback:ident { $($tokens:tt)* }) => {
        $callback! { $($tokens)*
            /// Months each side projects the war ahead when valuing its alternative to a deal.
            horizon: "months", horizon_months;
            /// Fraction of its remaining optimism a side loses per month of fighting.
            learning: "share a month", unit;
            /// Width of the support band over which a side's collapse goes from unlikely to
            /// likely.
            collapse_width: "share", positive;
        }
    };
    (volatility => $callback:ident { $($tokens:tt)* }) => {
        $callback! { $($tokens)*
            /// Standard deviation of the log of monthly losses around the model.
            losses: "log", non_negative;
            /// Standard deviation of the monthly change of the front around the model.
            territory: "km²", non_negative;
            /// How much of a month's loss shock carries into the next: the shocks follow an
            /// AR(1) process with stationary standard deviation `losses` (0: independent months).
            losses_persistence: "share", unit_below_one;
            /// How much of a month's unexplained movement of the front carries into the next:
            /// offensives and their momentum last more than a month (0: independent months).
            territory_persistence: "share", unit_below_one;
            /// Standard deviation of the monthly change of the front's pace: the pace the force
            /// ratio does not explain drifts as a random walk (0: it does not drift).
            territory_trend: "km² a month", non_negative;
            /// How much further the front moves a month in the holder's favour while the holder
            /// has an offensive under way: the front alternates between offensives and pauses,
            /// a two-state Markov chain (0: no offensives).
            offensive: "km² a month", non_negative, default 0.0;
            /// Monthly chance that an offensive begins during a pause.
            offensive_onset: "probability a month", unit, default 0.0;
            /// Monthly chance that an offensive under way culminates and a pause begins.
            offensive_end: "probability a month", unit, default 0.0;
        }
    };
    (mediation => $callback:ident { $($tokens:tt)* }) => {
        $callback! { $($tokens)*
            /// Monthly chance that the mediator walks away before any month of its talks
            /// has failed.
            hazard: "probability a month", unit, default 0.0;
            /// What each month of mediation without a deal adds to that chance: its
            /// patience runs out.
            hazard_per_failure: "probability a month", unit, default 0.0;
        }
    };
    (framework => $callback:ident { $($tokens:tt)* }) => {
        $callback! { $($tokens)*
            /// How many frameworks the mediator agrees with the other parties and puts to the
            /// absent belligerent before it brings both belligerents to the table (0: every
            /// month's talks include both).
            attempts: "frameworks", whole_months, default 0.0;
            /// Share of the pressing donors' deliveries to the absent side that is withheld
            /// after it refuses a framework (0: a refusal costs it nothing).
            withheld: "share", unit, default 0.0;
            /// Months the deliveries stay withheld after a refusal.
            pressure_months: "months", whole_months, default 0.0;
        }
    };
    (durability => $callback:ident { $($tokens:tt)* }) => {
        $callback! { $($tokens)*
            /// Monthly hazard of renewed war during a ceasefire.
            ceasefire_hazard: "probability a month", unit;
            /// Monthly hazard once the ceasefire has held `consolidation` months.
            settled_hazard: "probability a month", unit;
            /// Months a ceasefire must hold to count as a settlement.
            consolidation: "months", whole_months;
            /// How fast the hazard rises as the sides rebuild unequally during a ceasefire:
            /// the hazard is multiplied by `exp(rebuild_sensitivity × gap)`, where the gap is
            /// how far the force ratio has moved since the deal, `|ln(ratio now / ratio at
            /// the deal)|`.
            rebuild_sensitivity: "per unit of log force ratio", non_negative, default 0.0;
            /// Months ahead over which each party anticipates a breakdown when it weighs a
            /// deal: it values a package net of the chance that the deal breaks down within
            /// them and of the war it would then restart from the rebuilt position.
            anticipation: "months", whole_months, default 0.0;
        }
    };
}

/// The callback that builds the model's struct of a group: its fields (the `head` ones,
/// then a [`crate::Quantity`] per number, then the `tail` ones), the values struct the
/// simulation reads, and the lookups by name.
macro_rules! model_numbers {
    (
        $(#[$meta:meta])*
        pub struct $name:ident, values $values:ident;
        head { $( $(#[$hmeta:meta])* pub $hfield:ident : $hty:ty, )* }
        tail { $( $(#[$tmeta:meta])* pub $tfield:ident : $tty:ty, )* }
        $( $(#[doc = $doc:literal])+ $field:ident : $unit:literal, $bounds:ident $(, default $default:literal)?; )*
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, serde::Serialize)]
        pub struct $name {
            $( $(#[$hmeta])* pub $hfield: $hty, )*
            $(
                $(#[doc = $doc])+
                #[doc = ""]
                #[doc = concat!("Unit: ", $unit, "; ", $crate::parameter_range!($bounds), ".", $crate::parameter_default_text!($($default)?))]
                pub $field: $crate::Quantity,
            )*
            $( $(#[$tmeta])* pub $tfield: $tty, )*
        }

        #[doc = concat!("The values of a [`", stringify!($name), "`]'s numbers, without provenance: what the simulation reads.")]
        #[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
        pub struct $values {
            $( $(#[doc = $doc])+ pub $field: f64, )*
        }

        impl $name {
            /// The numbers of this group, in file order.
            pub const PARAMETERS: &'static [$crate::parameters::Parameter] = &[
                $(
                    $crate::parameters::Parameter {
                        name: stringify!($field),
                        unit: $unit,
                        bounds: $crate::parameter_bounds!($bounds),
                        range: $crate::parameter_range!($bounds),
                        doc: &[$($doc),+],
                        default: $crate::parameter_default!($($default)?),
                    },
                )*
            ];

            /// The number called `name`, if the group has one.
            pub fn parameter(name: &str) -> Option<&'static $crate::parameters::Parameter> {
                Self::PARAMETERS.iter().find(|p| p.name == name)
            }

            /// Builds the group from its other fields and a quantity per number.
            #[allow(clippy::too_many_arguments)]
            pub fn new(
                $( $hfield: $hty, )*
                $( $tfield: $tty, )*
                mut number: impl FnMut(&'static $crate::parameters::Parameter) -> $crate::Quantity,
            ) -> $name {
                let mut each = Self::PARAMETERS.iter();
                $( let $field = number(each.next().expect(concat!("the registry lists ", stringify!($field)))); )*
                $name { $( $hfield, )* $( $field, )* $( $tfield, )* }
            }

            /// The numbers with their names, in file order.
            pub fn quantities(&self) -> impl Iterator<Item = (&'static str, &$crate::Quantity)> {
                [$( (stringify!($field), &self.$field) ),*].into_iter()
            }

            /// The number called `name`.
            pub fn quantity(&self, name: &str) -> Option<&$crate::Quantity> {
                match name {
                    $( stringify!($field) => Some(&self.$field), )*
                    _ => None,
                }
            }

            /// The number called `name`, for changing it.
            pub fn quantity_mut(&mut self, name: &str) -> Option<&mut $crate::Quantity> {
                match name {
                    $( stringify!($field) => Some(&mut self.$field), )*
                    _ => None,
                }
            }

            /// The values of the numbers.
            pub fn values(&self) -> $values {
                $values { $( $field: self.$field.value, )* }
            }
        }
    };
}

pub(crate) use model_numbers;

/// Every group's numbers, with the group's name in paths (`sides` for a side's).
pub fn groups() -> [(&'static str, &'static [Parameter]); 8] {
    use crate::conflict::{Beliefs, Durability, Framework, Law, Mediation, Side, Territory, Volatility};
    [
        ("law", Law::PARAMETERS),
        ("sides", Side::PARAMETERS),
        ("territory", Territory::PARAMETERS),
        ("beliefs", Beliefs::PARAMETERS),
        ("volatility", Volatility::PARAMETERS),
        ("mediation", Mediation::PARAMETERS),
        ("framework", Framework::PARAMETERS),
        ("durability", Durability::PARAMETERS),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_every_range_text_says_what_its_bounds_allow() {
        for (group, parameters) in groups() {
            for p in parameters {
                let expected = match (p.bounds.whole(), p.bounds.ends()) {
                    (_, (lo, hi)) if lo.is_infinite() && hi.is_infinite() => "any number".to_string(),
                    (true, _) => format!("a whole number {}", p.bounds.describe()),
                    (false, _) => p.bounds.describe(),
                };
                assert_eq!(p.range, expected, "{group}.{}", p.name);
            }
        }
    }

    #[test]
    fn test_every_number_is_documented_once_with_a_unit() {
        let mut seen = std::collections::HashSet::new();
        for (group, parameters) in groups() {
            for p in parameters {
                assert!(seen.insert((group, p.name)), "{group}.{} twice", p.name);
                assert!(!p.unit.is_empty() && !p.meaning().is_empty(), "{group}.{}", p.name);
                assert!(p.meaning().ends_with('.'), "{group}.{}: {}", p.name, p.meaning());
                if let Some(absent) = p.absent() {
                    assert!(p.bounds.contains(absent.value) && p.is_absent(&absent), "{group}.{}", p.name);
                }
            }
        }
        assert_eq!(seen.len(), 2 + 21 + 5 + 3 + 8 + 2 + 3 + 5);
    }
}
