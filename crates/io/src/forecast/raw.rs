//! The forecast file as written: serde types that mirror its TOML/JSON layout. Shape only;
//! the rules are checked by validation.

use serde::{Deserialize, Serialize};

use crate::located::Located;
use crate::raw::{RawQuantity, RawSource};

/// A forecast file: one issue, its actors, and the sources behind their numbers.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawForecastFile {
    /// The issue and its actors.
    pub forecast: RawForecast,
    /// Documents that numbers cite by id, as in scenario files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<RawSource>,
}

/// The `[forecast]` table.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawForecast {
    /// Short machine identifier.
    pub id: Located<String>,
    /// Human title.
    pub title: String,
    /// What the forecast is about.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The scale: its ends, unit and labelled points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<RawScale>,
    /// The uncertainty of every actor's numbers, unless an actor states its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<RawUncertainty>,
    /// The actors, in the order that breaks the model's ties.
    #[serde(default)]
    pub actors: Vec<RawForecastActor>,
}

/// The scale.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawScale {
    /// What the scale measures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its lower end: no position may lie below it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Located<RawQuantity>>,
    /// Its upper end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Located<RawQuantity>>,
    /// The unit of positions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Labelled points, in increasing order: `{ value = 4, label = "..." }`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<RawScalePoint>,
}

/// A labelled point of the scale.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawScalePoint {
    /// Where it lies.
    pub value: Located<f64>,
    /// A short identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What it means.
    pub label: String,
}

/// Half-widths of the uniform ranges a Monte Carlo run draws an actor's numbers from.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawUncertainty {
    /// ± on the position, in scale units (≥ 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Located<RawQuantity>>,
    /// ± on the capability as a fraction of it, in [0, 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capability: Option<Located<RawQuantity>>,
    /// ± on the salience, on the file's salience scale (≥ 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salience: Option<Located<RawQuantity>>,
}

/// One actor.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawForecastActor {
    /// Name, unique among the actors.
    pub name: Located<String>,
    /// Capability (clout), > 0; only ratios matter.
    pub capability: Located<RawQuantity>,
    /// Position on the scale.
    pub position: Located<RawQuantity>,
    /// Salience: 0–1, or 0–100 (see the module documentation on detection).
    pub salience: Located<RawQuantity>,
    /// This actor's uncertainty, field by field over the `[forecast]` default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<RawUncertainty>,
    /// A free-text remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}
