//! Genius XML negotiation domains: a folder read into a [`Scenario`](parley_core::Scenario),
//! and a scenario written back as a folder.
//!
//! # The folder
//!
//! A Genius domain is a folder of XML files: one **domain** file, whose root element is
//! `<negotiation_template>` and which lists the issues and their values, and one **profile**
//! per party, whose root is `<utility_space>` and which gives the party's weights,
//! evaluations, reservation value and discount factor. As NegMAS does, [`load_genius`] reads
//! the folder's `*.xml` files in sorted name order (skipping `*pareto.xml`), tells them apart
//! by their root element, and orders the parties by profile file name: party `k` becomes
//! actor `pk`, named after its profile's file stem, with role `other` and a veto.
//!
//! | Genius | parley |
//! |---|---|
//! | discrete issue | categorical issue; each value string is kept as the option's label, and its id is derived from it by [`crate::id::label_to_id`] (`"Dell"` → `dell`, `"19'' LCD"` → `v_19_lcd`) |
//! | integer issue `[lo, hi]` | integer issue with step 1 |
//! | real issue `[lo, hi]` | real issue discretised into [`GeniusOptions::real_steps`] options |
//! | `<weight>`, `<item evaluation>`, `<evaluator>` | weights and value functions, per [`Semantics`] |
//! | `<reservation value>` | reservation value (0 when absent, as in Genius and NegMAS) |
//! | `<discount_factor value>` | [`Preferences::discount`](parley_core::Preferences::discount) (0 or 1, or absent: no discounting) |
//!
//! Every number cites the XML file it was read from (one source per file) and the line
//! (as a paragraph: the count of non-empty lines), so `parley sources` shows where each comes
//! from; the semantics may rescale it on the way in.
//!
//! # Two semantics
//!
//! The same files mean different preferences to Genius and to NegMAS 0.16 (see
//! `shared/domains/FORMAT.md`):
//!
//! * [`Semantics::Genius`] (the default): `U(o) = Σ_i (w_i / Σ_j w_j) · e_i(o_i) / max_v e_i(v)`.
//!   Weights are divided by their sum and each discrete issue's evaluations by the issue's
//!   largest evaluation, so utilities lie in [0, 1]. Numeric issues use Genius's evaluators:
//!   `linear` is `offset + slope·x` for real issues and `offset + slope·(x − lowerbound)` for
//!   integer issues (Genius's `EvaluatorInteger`), clamped to [0, 1]; `triangular` rises from
//!   0 at `parameter0` to 1 at `parameter2` and falls back to 0 at `parameter1`.
//! * [`Semantics::NegmasRaw`]: `U(o) = Σ_i w_i · e_i(o_i)` with the raw numbers, as NegMAS's
//!   `UtilityFunction.from_xml_str` reads them (`linear` is `offset + slope·x` unclamped for
//!   both numeric kinds, and `quadratic` is `offset + a1·x + a2·x²`). The engine rescales
//!   weights that do not sum to one (within
//!   [`WEIGHT_SUM_TOLERANCE`](parley_core::preferences::WEIGHT_SUM_TOLERANCE)); so when the
//!   raw weights sum to `S` further from one, they are stored divided by `S` and every
//!   evaluation multiplied by `S`, which leaves `Σ w·e` unchanged up to rounding. Utilities
//!   and reservation values are then on the file's own scale, not [0, 1]; that is fine for
//!   analysis, but such a scenario cannot be written as a scenario file, whose values must
//!   lie in [0, 1].
//!
//! Static analysis ignores the discount factor either way, as is usual for Genius domains.
//!
//! What parley does not read, and rejects with an error naming the file, line and column:
//! non-linear (hyper-rectangle) profiles, weights outside the issue indices (NegMAS adds
//! them to a constant bias), issue indices that do not run 1..n, and any value, issue or
//! number that does not resolve.
//!
//! # Writing
//!
//! [`to_genius`] writes a scenario as a folder that [`load_genius`] (and NegMAS, and Genius)
//! read back with the same utilities. Every issue is written as a discrete issue listing its
//! options (Genius's integer evaluator and NegMAS's reading of it differ, and Genius real
//! issues are continuous), weights are the normalised weights, and each evaluation is the
//! option's value. Red lines, linkages and actors without a veto have no Genius form: they
//! are errors, never dropped in silence. Levers and expectations are not written, with a
//! warning.

mod parse;
mod read;
mod write;

#[cfg(test)]
mod tests;

pub use read::{load_genius, parse_genius};
pub use write::{GeniusExport, GeniusFile, to_genius};

/// How a Genius folder's numbers become utilities.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Semantics {
    /// As Genius reads them: weights divided by their sum, each discrete issue's
    /// evaluations divided by the largest evaluation, numeric evaluators clamped to
    /// [0, 1]. Utilities lie in [0, 1].
    #[default]
    Genius,
    /// As NegMAS 0.16 reads them: `U = Σ w_i · e_i` with the raw weights and evaluations.
    NegmasRaw,
}

impl Semantics {
    /// The name used on the command line and in messages: `genius` or `negmas`.
    pub fn as_str(self) -> &'static str {
        match self {
            Semantics::Genius => "genius",
            Semantics::NegmasRaw => "negmas",
        }
    }
}

/// Options of [`load_genius`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GeniusOptions {
    /// How the numbers become utilities.
    pub semantics: Semantics,
    /// Options a real (continuous) Genius issue is discretised into, both ends included
    /// (at least 2).
    pub real_steps: u32,
}

/// Options a real Genius issue is discretised into by default: 0 %, 10 %, …, 100 % of its
/// range.
pub const DEFAULT_REAL_STEPS: u32 = 11;

impl Default for GeniusOptions {
    fn default() -> Self {
        Self { semantics: Semantics::default(), real_steps: DEFAULT_REAL_STEPS }
    }
}

/// The id of a foreign name (see [`crate::id::label_to_id`]), or `prefix` followed by
/// `index` if no letter or digit of the name is left.
pub(crate) fn foreign_id(text: &str, prefix: &str, index: usize) -> String {
    let id = crate::id::label_to_id(text, prefix);
    if id == prefix { format!("{prefix}{index}") } else { id }
}
