//! The scenario file as written: serde types that mirror the TOML/JSON layout one to one.
//!
//! Deserialisation only checks shape (unknown keys are errors, types must match);
//! everything that needs cross-references — ids, ranges, sums — is checked by
//! validation when the scenario is built. The JSON Schema shipped with parley is generated from
//! these types, and their doc comments become its descriptions.

use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use crate::located::{Located, OneOrMany, OrderedMap};

/// A parley scenario: actors, issues, preferences and the sources behind every number.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "parley scenario")]
pub struct RawScenario {
    /// What the scenario is.
    pub scenario: RawMetadata,
    /// Documents that numbers cite by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<RawSource>,
    /// Who negotiates.
    #[serde(default)]
    pub actors: Vec<RawActor>,
    /// What is negotiated; the outcome space is the product of the issues' options.
    #[serde(default)]
    pub issues: Vec<RawIssue>,
    /// What each actor wants: one entry per actor.
    #[serde(default)]
    pub preferences: Vec<RawPreferences>,
    /// The war of attrition beside the talks, if the scenario models it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<RawConflict>,
    /// Named what-ifs (`parley analyze --lever ID`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lever: Vec<RawLever>,
    /// Claims from the sources as checks on the model (`parley check`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expect: Vec<RawExpectation>,
    /// Numbers a Monte Carlo experiment draws from distributions; other commands use the
    /// point value written where the number is defined.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uncertain: Vec<RawUncertain>,
}

/// A number drawn from a distribution in a Monte Carlo experiment.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawUncertain {
    /// The number's path, as `parley sources` lists it: a number under `conflict.` or a
    /// reservation value `preferences.ACTOR.reservation`.
    pub path: Located<String>,
    /// What the value is drawn from: `{ kind = "pert", min = 2.0, mode = 3.4, max = 4.5 }`.
    pub distribution: Located<RawDistribution>,
    /// Truncation `[lo, hi]` (finite, lo < hi): draws outside are redrawn. Required when the
    /// distribution reaches beyond the number's allowed range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounds: Option<Located<(f64, f64)>>,
    /// Citation `ID#paragraph` of the passage the range comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Located<String>>,
    /// Or: why the range is modelled this way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumption: Option<String>,
    /// A free-text remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The kinds of distribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawDistributionKind {
    /// Normal: `mean`, `sd` (> 0).
    Normal,
    /// Lognormal (the log is normal): `median` (> 0), `sigma` (> 0), the standard deviation of the log.
    Lognormal,
    /// Uniform: `min` < `max`.
    Uniform,
    /// Triangular: `min` ≤ `mode` ≤ `max`, min < max.
    Triangular,
    /// PERT, a beta shaped by `min` ≤ `mode` ≤ `max` (min < max).
    Pert,
    /// Beta with shapes `alpha`, `beta` (> 0), scaled to `[min, max]` (default `[0, 1]`).
    Beta,
}

/// A probability distribution. `kind` selects which parameters apply; a parameter that does
/// not apply is an error.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDistribution {
    /// `normal`, `lognormal`, `uniform`, `triangular`, `pert` or `beta`.
    pub kind: Located<RawDistributionKind>,
    /// Normal: the mean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<Located<f64>>,
    /// Normal: the standard deviation (> 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd: Option<Located<f64>>,
    /// Lognormal: the median (> 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median: Option<Located<f64>>,
    /// Lognormal: the standard deviation of the log (> 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigma: Option<Located<f64>>,
    /// Uniform, triangular, PERT, beta (default 0): the lower end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Located<f64>>,
    /// Triangular, PERT: the most likely value, in [min, max].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Located<f64>>,
    /// Uniform, triangular, PERT, beta (default 1): the upper end (> min).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Located<f64>>,
    /// Beta: shape α (> 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha: Option<Located<f64>>,
    /// Beta: shape β (> 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beta: Option<Located<f64>>,
}

/// A named what-if: numbers to set, options to take off the table, rules to drop.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLever {
    /// Identifier, used as `--lever ID`.
    pub id: Located<String>,
    /// Human name.
    pub name: String,
    /// What pulling the lever means.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Citation `ID#paragraph` of the passage the lever comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Located<String>>,
    /// Or: why the lever is modelled this way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumption: Option<String>,
    /// Numbers to replace, by the path `parley sources` lists: `"preferences.ukr.reservation" = { value = 0.4, source = "..." }`.
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub set: OrderedMap<Located<String>, Located<RawQuantity>>,
    /// Issues reduced to the listed options: `{ nato = "closed" }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Located<RawCondition>>,
    /// Red lines or linkages removed: `["preferences.rus.red_lines.ID"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drop: Vec<Located<String>>,
    /// What holds without a deal, changed by a decision taken outside the talks (`[conflict]
    /// no_deal` for the issues named): `{ assets = "reparations" }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_deal: Option<Located<RawTerms>>,
}

/// The kinds of expectation check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawCheckKind {
    /// Some package matching `given` is acceptable to `actor`.
    Accepts,
    /// No package matching `given` is acceptable to `actor`.
    Rejects,
    /// Some package matching `given` (default: any) is in the zone of possible agreement.
    ZoneExists,
    /// No package matching `given` (default: any) is in the zone.
    NoZone,
    /// The zone is not empty and all of it matches `given`.
    ZoneOnly,
    /// On the issues in `given`, `actor` gets a larger share of its best values than `other`.
    Favours,
    /// `actor`'s best package matching `given` beats its best matching `versus`.
    Prefers,
    /// `actor`'s loss from `given` relative to `versus` is smaller under `with` than under `without`.
    LinkageEases,
    /// On the central path of the simulated war, no settlement within `months` of the
    /// scenario date (needs `[conflict]`).
    NoSettlementWithin,
    /// On the central path, a settlement within `months` of the scenario date (needs `[conflict]`).
    SettlesWithin,
    /// `actor`'s alternative to a deal `month` months after the scenario date is lower under
    /// the expectation's levers than under `versus_levers` (default: the baseline).
    BatnaLower,
    /// As `batna_lower`, but higher.
    BatnaHigher,
    /// The expectation's levers win back at least `fraction` of what the levers `loss_from`
    /// take from `actor`'s alternative to a deal at `month`.
    BatnaRestored,
    /// On the central path, the territorial holder gains at least `km2` within `months`.
    Advances,
    /// On the central path without talks, the holder gains more within `months` under the
    /// expectation's levers than under `versus_levers` (default: the baseline).
    AdvancesMore,
    /// As `advances_more`, but less.
    AdvancesLess,
    /// On the central path, a settlement within `months`, earlier under the expectation's
    /// levers than under `versus_levers` (default: the baseline).
    SettlesSooner,
    /// On the central path without talks, `actor`'s `measure` is lower `months` after the
    /// scenario date than at it.
    Declines,
    /// As `declines`, but higher.
    Grows,
    /// On the central path without talks, neither side breaks within `months`.
    NoCollapseWithin,
    /// A ceasefire on terms matching `given` breaks down more often than one matching `versus`.
    BreaksDownMore,
}

/// A quantity of a side of the war, for `declines` and `grows`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawMeasure {
    /// Front-line personnel.
    Manpower,
    /// Materiel reaching the front, € bn a month.
    Materiel,
    /// Production capacity relative to the start.
    Economy,
    /// Domestic support for fighting on.
    Support,
    /// The side's alternative to a deal.
    Batna,
    /// Personnel recruited a month, a chosen mobilisation included.
    Recruitment,
}

/// A source passage that disputes a claim.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDispute {
    /// Citation `ID#paragraph`.
    pub source: Located<String>,
    /// What the passage says against the claim.
    pub note: String,
}

/// A claim as a check on the model. `check` selects which other fields apply.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExpectation {
    /// Identifier.
    pub id: Located<String>,
    /// The claim, paraphrased.
    pub claim: String,
    /// Citation `ID#paragraph` of the claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Located<String>>,
    /// Or: the assumption the expectation encodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumption: Option<String>,
    /// Set when the model is known to contradict the claim: why, in words. `parley check`
    /// then passes while the claim fails and fails as soon as it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contradicted: Option<String>,
    /// Passages that dispute the claim.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disputed_by: Vec<RawDispute>,
    /// Levers applied before checking.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levers: Vec<Located<String>>,
    /// What is checked.
    pub check: Located<RawCheckKind>,
    /// The actor the check is about (accepts, rejects, favours, prefers, linkage_eases; a
    /// side of the conflict for batna_lower, batna_higher, batna_restored, declines, grows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<Located<String>>,
    /// The actor compared with (favours).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<Located<String>>,
    /// The terms: issue → option or options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given: Option<Located<RawCondition>>,
    /// The terms compared with (prefers, linkage_eases, breaks_down_more).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versus: Option<Located<RawCondition>>,
    /// linkage_eases: terms under which the loss should be smaller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with: Option<Located<RawCondition>>,
    /// linkage_eases: terms under which the loss is larger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub without: Option<Located<RawCondition>>,
    /// no_settlement_within, settles_within, advances, advances_more, advances_less,
    /// settles_sooner, declines, grows, no_collapse_within: months after the scenario date, a
    /// whole number in [1, 1200]; a number with its provenance (`{ value = 6, assumption = "..." }`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<Located<RawQuantity>>,
    /// batna_lower, batna_higher, batna_restored: the month compared, counted from the
    /// scenario date (0: the scenario date), a whole number at most 1200, with its provenance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<Located<RawQuantity>>,
    /// batna_lower, batna_higher, advances_more, advances_less, settles_sooner: lever ids of
    /// the comparison (default: none, the baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versus_levers: Option<Located<Vec<Located<String>>>>,
    /// batna_restored: lever ids that cause the loss.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss_from: Option<Located<Vec<Located<String>>>>,
    /// batna_restored: least share of the loss won back, in (0, 1], with its provenance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction: Option<Located<RawQuantity>>,
    /// advances: least area gained, km², with its provenance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub km2: Option<Located<RawQuantity>>,
    /// declines, grows: what is measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<Located<RawMeasure>>,
}

/// Scenario metadata.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMetadata {
    /// Short machine identifier, e.g. `ukraine-2025`.
    pub id: Located<String>,
    /// Human title.
    pub title: String,
    /// What the scenario models.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The date the scenario describes the world as of (ISO 8601, e.g. `2025-10-31`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
}

/// A source document.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    /// Identifier used in citations (`source = "ID#paragraph"`).
    pub id: Located<String>,
    /// Title of the document.
    pub title: String,
    /// Publisher or outlet.
    pub outlet: String,
    /// Publication date (ISO 8601 recommended).
    pub date: String,
    /// Where the document can be found online.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The file name of a local copy of its text, which `sources --verify DIR` looks for in DIR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

/// The part an actor plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawRole {
    /// A party to the conflict.
    Belligerent,
    /// A third party brokering the talks.
    Mediator,
    /// An ally that arms, funds or backs a party.
    Supporter,
    /// A domestic audience or constituency.
    Domestic,
    /// Anything else.
    Other,
}

/// An actor.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawActor {
    /// Identifier, unique among actors.
    pub id: Located<String>,
    /// Human name.
    pub name: String,
    /// Role in the negotiation.
    pub role: RawRole,
    /// Which deals need this actor's consent: `true` every deal, `false` none, or a table
    /// naming the packages that do (a scoped veto).
    #[serde(default)]
    pub veto: RawVeto,
    /// Capability or power (non-negative), with provenance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power: Option<Located<RawQuantity>>,
}

/// Which deals need an actor's consent.
#[derive(Clone, Debug, PartialEq)]
pub enum RawVeto {
    /// `true`: every deal; `false`: none.
    All(bool),
    /// Only the packages listed.
    Scoped(RawScopedVeto),
}

impl Default for RawVeto {
    fn default() -> Self {
        RawVeto::All(false)
    }
}

/// A scoped veto: the packages whose adoption needs the actor's consent although it holds
/// no veto over the rest (sanctions relief that needs every EU member, say).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScopedVeto {
    /// Issues on which any option other than the one without a deal (`[conflict]
    /// no_deal`) needs the actor's consent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub issues: Vec<Located<String>>,
    /// Further packages that need it: those matching any of these conditions, each
    /// `{ issue = "option" }` or `{ issue = ["option", ...] }` for one or more issues.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub when: Vec<Located<RawCondition>>,
    /// Why the actor's consent is needed, in words.
    pub reason: String,
    /// Citation (`ID#paragraph`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl<'de> serde::Deserialize<'de> for RawVeto {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawVeto;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("true, false, or a table { issues = [...], when = [...], reason = \"why\", source = \"id#paragraph\" }")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawVeto, E> {
                Ok(RawVeto::All(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawVeto, A::Error> {
                RawScopedVeto::deserialize(de::value::MapAccessDeserializer::new(map)).map(RawVeto::Scoped)
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl Serialize for RawVeto {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            RawVeto::All(v) => serializer.serialize_bool(*v),
            RawVeto::Scoped(s) => s.serialize(serializer),
        }
    }
}

impl JsonSchema for RawVeto {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Veto".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let scoped = generator.subschema_for::<RawScopedVeto>();
        schemars::json_schema!({
            "description": "Which deals need the actor's consent: `true` every deal, `false` none, or a scoped veto naming the packages that do.",
            "oneOf": [ { "type": "boolean" }, scoped ]
        })
    }
}

/// How an issue's options are defined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawIssueKind {
    /// Named options listed under `options` (`ordered` says whether they form a scale).
    Categorical,
    /// Whole numbers from `min` to `max` in steps of `step` (default 1).
    Integer,
    /// Real numbers from `min` to `max`, discretised into `steps` evenly spaced options.
    Real,
}

/// An issue. Which fields apply depends on `kind`; a field that does not apply is an error.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawIssue {
    /// Identifier, unique among issues.
    pub id: Located<String>,
    /// Human name.
    pub name: String,
    /// `categorical`, `integer` or `real`: always explicit, never inferred.
    pub kind: Located<RawIssueKind>,
    /// Categorical: whether the options, in file order, form a scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordered: Option<bool>,
    /// Categorical: the options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Located<Vec<RawOption>>>,
    /// Integer and real: smallest value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Located<RawQuantity>>,
    /// Integer and real: largest value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Located<RawQuantity>>,
    /// Integer: distance between options (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<Located<RawQuantity>>,
    /// Real: number of options, both ends included (at least 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<Located<u32>>,
    /// Integer and real: unit of the values, for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// An option of a categorical issue.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawOption {
    /// Identifier, unique within the issue.
    pub id: Located<String>,
    /// Human label (defaults to the id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// One actor's preferences.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPreferences {
    /// The actor these preferences belong to.
    pub actor: Located<String>,
    /// Utility of the actor's best alternative to a negotiated agreement, in [0, 1].
    pub reservation: Located<RawQuantity>,
    /// Discount factor δ in (0, 1], as in Genius: an agreement at normalised time t in
    /// [0, 1] is worth u·δ^t (the reservation value too). Omit it for no discounting.
    /// Static analysis ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<Located<RawQuantity>>,
    /// Issue weights (non-negative). Issues left out weigh 0. Weights that do not sum to
    /// 1 are rescaled to do so, with a warning.
    #[serde(default)]
    pub weights: OrderedMap<Located<String>, Located<RawQuantity>>,
    /// Value of each weighted issue's options, in [0, 1].
    #[serde(default)]
    pub values: OrderedMap<Located<String>, Located<RawValueFunction>>,
    /// Interaction terms: utility added when options occur together.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub linkages: Vec<RawLinkage>,
    /// Options or combinations the actor will not accept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub red_lines: Vec<RawRedLine>,
}

/// Value function of one issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawFunction {
    /// One value per option, under `options` (the default when `function` is absent).
    Table,
    /// Straight line from `at_min` at the issue's minimum to `at_max` at its maximum.
    Linear,
    /// 1 at `peak`, falling linearly to 0 at `low` and `high`.
    Triangular,
    /// `below` under `threshold`, `above` from it on.
    Step,
}

/// An issue's value function. `function` selects which other fields apply.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawValueFunction {
    /// `table` (default), `linear`, `triangular` or `step`; the last three only for
    /// integer and real issues.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<Located<RawFunction>>,
    /// Table: the value of every option, keyed by option id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<OrderedMap<Located<String>, Located<RawQuantity>>>,
    /// Linear: value at the issue's minimum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_min: Option<Located<RawQuantity>>,
    /// Linear: value at the issue's maximum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_max: Option<Located<RawQuantity>>,
    /// Triangular: where the value reaches 0 on the low side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<Located<RawQuantity>>,
    /// Triangular: the most preferred point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak: Option<Located<RawQuantity>>,
    /// Triangular: where the value reaches 0 on the high side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<Located<RawQuantity>>,
    /// Step: the switch point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<Located<RawQuantity>>,
    /// Step: value under the threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<Located<RawQuantity>>,
    /// Step: value at and above the threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above: Option<Located<RawQuantity>>,
}

/// A condition: every listed issue takes one of the listed options.
pub type RawCondition = OrderedMap<Located<String>, Located<OneOrMany>>;

/// An interaction term.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLinkage {
    /// Identifier, unique among the actor's linkages.
    pub id: Located<String>,
    /// When it applies: `{ issue = "option" }` or `{ issue = ["option", ...] }` for each issue.
    pub when: Located<RawCondition>,
    /// Utility added (negative: subtracted), in [-1, 1].
    pub delta: Located<RawQuantity>,
}

/// A red line.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRedLine {
    /// Identifier, unique among the actor's red lines.
    pub id: Located<String>,
    /// Outcomes matching this condition are unacceptable to the actor.
    pub when: Located<RawCondition>,
    /// Why, in words.
    pub reason: String,
    /// Citation for the red line (`ID#paragraph`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Issue id → option id: a package named in words.
pub type RawTerms = OrderedMap<Located<String>, Located<String>>;

/// The war of attrition beside the talks: two belligerents, their donors, the front, and
/// how each side weighs fighting on against a deal. Every number is a quantity with its
/// provenance; `parley sources` lists them under `conflict.`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawConflict {
    /// The first simulated month, `YYYY-MM`; series start here.
    pub start: Located<String>,
    /// The last month of history, `YYYY-MM` (not before `start`); later months are projection.
    pub as_of: Located<String>,
    /// The attrition law's exponents.
    pub law: RawLaw,
    /// The state of every issue except the territorial one while there is no deal: issue → option.
    pub no_deal: Located<RawTerms>,
    /// The two belligerents, keyed by actor id (each an actor with role `belligerent`).
    pub sides: Located<OrderedMap<Located<String>, RawSide>>,
    /// Foreign suppliers of materiel, keyed by donor id.
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub donors: OrderedMap<Located<String>, RawDonor>,
    /// The contested area and how the front moves.
    pub territory: RawTerritory,
    /// How far each side looks ahead and how fast fighting corrects its beliefs.
    pub beliefs: RawBeliefs,
    /// Month-to-month noise of the war.
    pub volatility: RawVolatility,
    /// A mediator that can walk away (left out: it never does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mediation: Option<RawMediation>,
    /// Talks over a belligerent's head (left out: the talks always include both).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub framework: Option<RawFramework>,
    /// How likely a settlement is to break down.
    pub durability: RawDurability,
    /// Scheduled changes of the numbers (elections, aid votes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<RawEvent>,
    /// Which observed series the model was fitted to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<RawCalibration>,
    /// The observed record up to `as_of`, each series with its observation model: every
    /// forecast is conditioned on it (data assimilation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observed: Vec<RawObserved>,
}

/// An observed monthly series of the war and how an observation relates to the model.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawObserved {
    /// Identifier, used in paths (`conflict.observed.ID.scale`).
    pub id: Located<String>,
    /// What the model computes for it: `losses.ACTOR` (a side's casualties per month),
    /// `territory_change` or `held` (the holder's area at the end of the month, km²).
    pub measures: Located<String>,
    /// The column of the data file it was copied from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The month of the first value, `YYYY-MM` (default: `start`). Months before `start`
    /// are not simulated; naive benchmark forecasts use them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Located<String>>,
    /// One value per month from `from` (at most through `as_of`); `nan` in TOML, `null` in
    /// JSON, where the month was not observed.
    pub values: Located<Vec<Option<f64>>>,
    /// Citation `ID#paragraph` (or `ID`) of the data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Or: why the values are assumed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumption: Option<String>,
    /// A free-text remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// How an observation scatters around the model's value.
    pub error: Located<RawObservationError>,
}

/// The distribution of an observation `y` around the model's value `m`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawObservationError {
    /// `normal` (`y = m + bias + scale·ε`, an error in the series' unit) or `lognormal`
    /// (`ln y = ln m + bias + scale·ε`, a relative error: a claim that overstates by
    /// `e^bias`); `ε` is standard normal.
    pub distribution: Located<RawErrorDistribution>,
    /// Systematic error: in the series' unit (normal) or of the log (lognormal).
    pub bias: Located<RawQuantity>,
    /// Standard deviation: in the series' unit (normal) or of the log (lognormal); > 0.
    pub scale: Located<RawQuantity>,
}

/// The family of an observation error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawErrorDistribution {
    /// An error in the series' unit.
    Normal,
    /// A relative error.
    Lognormal,
}

/// The callback that builds the file's struct of a group of the war model's numbers from
/// the registry ([`parley_core::war_parameters!`]): the `head` fields, a located quantity
/// per number (documented from the registry, with its unit and range), the `tail` fields.
macro_rules! raw_numbers {
    (
        $(#[$meta:meta])*
        pub struct $name:ident;
        head { $( $(#[$hmeta:meta])* pub $hfield:ident : $hty:ty, )* }
        tail { $( $(#[$tmeta:meta])* pub $tfield:ident : $tty:ty, )* }
        $( $(#[doc = $doc:literal])+ $field:ident : $unit:literal, $bounds:ident $(, default $default:literal)?; )*
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $( $(#[$hmeta])* pub $hfield: $hty, )*
            $(
                $(#[doc = $doc])+
                #[doc = ""]
                #[doc = concat!("Unit: ", $unit, "; ", parley_core::parameter_range!($bounds), ".", parley_core::parameter_default_text!($($default)?))]
                #[serde(skip_serializing_if = "RawNumber::is_absent")]
                pub $field: raw_number_type!($($default)?),
            )*
            $( $(#[$tmeta])* pub $tfield: $tty, )*
        }

        impl $name {
            /// Builds the group from its other fields and a quantity per number.
            #[allow(clippy::too_many_arguments)]
            pub(crate) fn new(
                $( $hfield: $hty, )*
                $( $tfield: $tty, )*
                mut number: impl FnMut(&'static str) -> (Located<RawQuantity>, bool),
            ) -> $name {
                $( let $field = RawNumber::written(number(stringify!($field))); )*
                $name { $( $hfield, )* $( $field, )* $( $tfield, )* }
            }

            /// The number called `name`, as written.
            pub fn number(&self, name: &str) -> Option<&Located<RawQuantity>> {
                match name {
                    $( stringify!($field) => RawNumber::get(&self.$field), )*
                    _ => None,
                }
            }
        }
    };
}

/// The type of a war number in the file: required, or one a scenario may leave out.
macro_rules! raw_number_type {
    () => {
        Located<RawQuantity>
    };
    ($default:literal) => {
        Option<Located<RawQuantity>>
    };
}

/// A war number's field in the file: required (`Located<RawQuantity>`) or one a scenario
/// may leave out (`Option<…>`, its registry entry has a default).
pub trait RawNumber: Sized {
    /// The number as written, if it is.
    fn get(&self) -> Option<&Located<RawQuantity>>;
    /// Whether it is left out.
    fn is_absent(&self) -> bool {
        self.get().is_none()
    }
    /// The field for a written number; `(q, true)` when it equals the default, which a
    /// field that may be left out then leaves out.
    fn written(number: (Located<RawQuantity>, bool)) -> Self;
}

impl RawNumber for Located<RawQuantity> {
    fn get(&self) -> Option<&Located<RawQuantity>> {
        Some(self)
    }

    fn written((q, _): (Located<RawQuantity>, bool)) -> Self {
        q
    }
}

impl RawNumber for Option<Located<RawQuantity>> {
    fn get(&self) -> Option<&Located<RawQuantity>> {
        self.as_ref()
    }

    fn written((q, absent): (Located<RawQuantity>, bool)) -> Self {
        (!absent).then_some(q)
    }
}

parley_core::war_parameters!(law => raw_numbers {
    /// The generalised Lanchester law `dX/dt = −a·m_Y·Y^p·X^q` shared by both sides.
    pub struct RawLaw;
    head {}
    tail {}
});

parley_core::war_parameters!(side => raw_numbers {
    /// One belligerent.
    pub struct RawSide;
    head {}
    tail {
        /// The terms this side would impose if the other broke: every issue → an option.
        pub victory: Located<RawTerms>,
    }
});

/// A foreign supplier of materiel to one side.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDonor {
    /// Human name.
    pub name: String,
    /// The side supplied (an actor id of one of the sides).
    pub supplies: Located<String>,
    /// Deliveries by month from `start`, € billion, at least through `as_of`.
    pub deliveries: Located<RawSeries>,
    /// Monthly deliveries after the series ends, € billion (≥ 0).
    pub after: Located<RawQuantity>,
}

/// A monthly series with its provenance: `{ values = [...], source = "id#n" }` or
/// `{ values = [...], assumption = "why" }`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSeries {
    /// One value per month.
    pub values: Vec<Located<f64>>,
    /// Citation `ID#paragraph` (or `ID`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The reason for assumed values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumption: Option<String>,
    /// A free-text remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

parley_core::war_parameters!(territory => raw_numbers {
    /// The contested area.
    pub struct RawTerritory;
    head {
        /// The territorial issue (a categorical issue id).
        pub issue: Located<String>,
        /// The side whose holdings are measured (an actor id of one of the sides).
        pub holder: Located<String>,
    }
    tail {
        /// Area (km²) the holder would control under each option of the territorial issue that
        /// is a line on the map: option id → area within [min, max]; at least two, all different.
        pub anchors: Located<OrderedMap<Located<String>, Located<RawQuantity>>>,
    }
});

parley_core::war_parameters!(beliefs => raw_numbers {
    /// Beliefs and foresight.
    pub struct RawBeliefs;
    head {}
    tail {}
});

parley_core::war_parameters!(volatility => raw_numbers {
    /// Month-to-month noise.
    pub struct RawVolatility;
    head {}
    tail {}
});

parley_core::war_parameters!(mediation => raw_numbers {
    /// A mediator that can walk away: the mediator at the table (the actor with role
    /// `mediator`) loses interest with a monthly chance that grows with each month of talks
    /// without a deal; once gone, the parties exchange offers without its texts, and the
    /// donors it takes with it stop delivering.
    pub struct RawMediation;
    head {}
    tail {
        /// Donor ids whose deliveries stop when the mediator walks away.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub withdraws: Vec<Located<String>>,
    }
});

parley_core::war_parameters!(framework => raw_numbers {
    /// Talks over a belligerent's head: the mediator agrees a framework with the other
    /// parties at the table, the `absent` belligerent left out, and puts it to the absent one,
    /// which accepts it (a deal) or refuses it; after a refusal the `pressing` donors withhold
    /// part of their deliveries to it for some months. After `attempts` refused frameworks
    /// both belligerents negotiate at the table.
    pub struct RawFramework;
    head {
        /// The belligerent left out of the first stage (an actor id of one of the sides, a
        /// veto player); required when `attempts` is above 0.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub absent: Option<Located<String>>,
    }
    tail {
        /// Donor ids (each supplying the absent side) that withhold deliveries after a refusal.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub pressing: Vec<Located<String>>,
    }
});

parley_core::war_parameters!(durability => raw_numbers {
    /// How likely a settlement is to break down.
    pub struct RawDurability;
    head {}
    tail {
        /// Terms that raise or lower the hazard.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub factors: Vec<RawHazardFactor>,
    }
});

/// A multiplier of the breakdown hazard that applies when the agreed terms match.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHazardFactor {
    /// Identifier, unique among the factors.
    pub id: Located<String>,
    /// When it applies: `{ issue = "option" }` or `{ issue = ["option", ...] }`.
    pub when: Located<RawCondition>,
    /// The multiplier (≥ 0).
    pub multiplier: Located<RawQuantity>,
}

/// A scheduled change of numbers at a month.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    /// Identifier, unique among the events.
    pub id: Located<String>,
    /// Human name.
    pub name: String,
    /// When it happens, `YYYY-MM` (not before `start`).
    pub month: Located<String>,
    /// Citation `ID#paragraph` of the passage the event comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Located<String>>,
    /// Or: why the event is modelled this way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumption: Option<String>,
    /// A free-text remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Numbers to replace, by full path under `conflict.`: `"conflict.donors.usa.after" = { value = 0.5, assumption = "..." }`.
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub set: OrderedMap<Located<String>, Located<RawQuantity>>,
}

/// What the model was fitted to.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCalibration {
    /// Where the data is (free text).
    pub data: String,
    /// The first and last month of the fit, `["YYYY-MM", "YYYY-MM"]`, within [start, as_of].
    pub window: Located<(Located<String>, Located<String>)>,
    /// Data column → what the model computes for it: `losses.ACTOR` (a side's casualties
    /// per month), `territory_change` or `held` (the holder's area, km²).
    #[serde(default, skip_serializing_if = "OrderedMap::is_empty")]
    pub series: OrderedMap<Located<String>, Located<String>>,
    /// Full paths of the fitted numbers, e.g. `conflict.territory.gain`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fit: Vec<Located<String>>,
    /// The fit's quality and caveats, in words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A number, optionally with its provenance: `0.4`, or
/// `{ value = 0.4, source = "cnn-2024-10#12" }`, or `{ value = 0.4, assumption = "why" }`
/// (optionally with `direction = "id#n"`, a passage supporting the direction but not the
/// size), or `{ value = 0.4, tuned = { to = "claim-id", note = "how" } }`.
#[derive(Clone, Debug, PartialEq)]
pub struct RawQuantity {
    /// The number.
    pub value: f64,
    /// Citation `ID#paragraph` (or `ID`).
    pub source: Option<String>,
    /// The reason for an assumed value.
    pub assumption: Option<String>,
    /// A passage supporting the direction of an assumed value, `ID#paragraph`.
    pub direction: Option<String>,
    /// What the value was tuned to, and how.
    pub tuned: Option<RawTuned>,
    /// A free-text remark.
    pub note: Option<String>,
}

/// `tuned = { to = "...", note = "..." }`: a number chosen so that a claim or a target holds.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTuned {
    /// An expectation id, an observed series (`[[conflict.observed]]` id or a calibration
    /// column), or the path of a number.
    pub to: String,
    /// How and why it was tuned.
    pub note: String,
}

impl RawQuantity {
    /// A bare number.
    pub fn bare(value: f64) -> Self {
        Self { value, source: None, assumption: None, direction: None, tuned: None, note: None }
    }
}

const QUANTITY_FIELDS: &[&str] = &["value", "source", "assumption", "direction", "tuned", "note"];

impl<'de> serde::Deserialize<'de> for RawQuantity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawQuantity;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a number, or a table { value = number, source = \"id#paragraph\" | assumption = \"why\" | tuned = { to, note } }",
                )
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawQuantity, E> {
                Ok(RawQuantity::bare(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawQuantity, E> {
                Ok(RawQuantity::bare(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawQuantity, E> {
                Ok(RawQuantity::bare(v as f64))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawQuantity, A::Error> {
                let mut value = None;
                let mut q = RawQuantity::bare(0.0);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "value" => value = Some(map.next_value::<f64>()?),
                        "source" => q.source = Some(map.next_value()?),
                        "assumption" => q.assumption = Some(map.next_value()?),
                        "direction" => q.direction = Some(map.next_value()?),
                        "tuned" => q.tuned = Some(map.next_value()?),
                        "note" => q.note = Some(map.next_value()?),
                        other => {
                            return Err(de::Error::unknown_field(other, QUANTITY_FIELDS));
                        }
                    }
                }
                q.value = value.ok_or_else(|| de::Error::missing_field("value"))?;
                Ok(q)
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl Serialize for RawQuantity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.source.is_none()
            && self.assumption.is_none()
            && self.direction.is_none()
            && self.tuned.is_none()
            && self.note.is_none()
        {
            return serializer.serialize_f64(self.value);
        }
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("value", &self.value)?;
        if let Some(s) = &self.source {
            map.serialize_entry("source", s)?;
        }
        if let Some(a) = &self.assumption {
            map.serialize_entry("assumption", a)?;
        }
        if let Some(d) = &self.direction {
            map.serialize_entry("direction", d)?;
        }
        if let Some(t) = &self.tuned {
            map.serialize_entry("tuned", t)?;
        }
        if let Some(n) = &self.note {
            map.serialize_entry("note", n)?;
        }
        map.end()
    }
}

impl JsonSchema for RawQuantity {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Quantity".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "description": "A number with its provenance. A bare number is accepted but listed as unstated by `parley sources`; shipped scenarios cite a source, state an assumption or declare the number tuned, for every number.",
            "oneOf": [
                { "type": "number" },
                {
                    "type": "object",
                    "properties": {
                        "value": { "type": "number" },
                        "source": { "type": "string", "description": "Citation: a source id, optionally with a paragraph, e.g. `cnn-2024-10#12`." },
                        "assumption": { "type": "string", "description": "Why this value was assumed." },
                        "direction": { "type": "string", "description": "With `assumption`: a passage that supports the number's direction but not its size, e.g. `cnn-2024-10#12`." },
                        "tuned": {
                            "type": "object",
                            "description": "The number was chosen so that a claim or a target holds: neither cited nor a free assumption.",
                            "properties": {
                                "to": { "type": "string", "description": "An expectation id, an observed series, or the path of a number." },
                                "note": { "type": "string", "description": "How and why it was tuned." }
                            },
                            "required": ["to", "note"],
                            "additionalProperties": false
                        },
                        "note": { "type": "string", "description": "A free-text remark." }
                    },
                    "required": ["value"],
                    "additionalProperties": false
                }
            ]
        })
    }
}
