//! What can go wrong building or running a forecast.

/// Why a forecast cannot be built or run. Messages name the item and the rule.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ForecastError {
    /// Fewer than two actors.
    #[error("a forecast needs at least 2 actors, but {count} {verb} given", verb = if *count == 1 { "is" } else { "are" })]
    TooFewActors {
        /// How many were given.
        count: usize,
    },
    /// An actor without a name.
    #[error("actor number {} has an empty name", index + 1)]
    EmptyName {
        /// Its index, from 0.
        index: usize,
    },
    /// Two actors with the same name.
    #[error("actor \"{name}\" is listed twice")]
    DuplicateActor {
        /// The name.
        name: String,
    },
    /// A number that is NaN or infinite.
    #[error("actor \"{actor}\": {field} is {value}, but must be a finite number")]
    NotFinite {
        /// The actor.
        actor: String,
        /// `capability`, `position` or `salience`.
        field: &'static str,
        /// The value.
        value: f64,
    },
    /// A capability of 0 or less.
    #[error("actor \"{actor}\": capability {value} must be greater than 0")]
    Capability {
        /// The actor.
        actor: String,
        /// The value.
        value: f64,
    },
    /// A salience outside [0, 1].
    #[error("actor \"{actor}\": salience {value} is outside [0, 1]")]
    Salience {
        /// The actor.
        actor: String,
        /// The value.
        value: f64,
    },
    /// A position outside the scale's ends.
    #[error("actor \"{actor}\": position {position} lies outside the scale [{}, {}]",
        min.map_or("-∞".to_string(), |m| m.to_string()), max.map_or("∞".to_string(), |m| m.to_string()))]
    OffScale {
        /// The actor.
        actor: String,
        /// Its position.
        position: f64,
        /// The scale's lower end.
        min: Option<f64>,
        /// The scale's upper end.
        max: Option<f64>,
    },
    /// Every actor has salience 0, so nobody's vote counts.
    #[error("no actor has any weight (capability × salience is 0 for all), so no vote counts")]
    NoWeight,
    /// The numbers are so large that sums of weights or the range of positions overflow.
    #[error("the {what} overflow{verb} floating point; rescale the inputs (only ratios of capabilities and differences of positions matter)", verb = if what.ends_with('s') { "" } else { "s" })]
    Overflow {
        /// `weights` or `range of positions`.
        what: &'static str,
    },
    /// Every actor holds the same position.
    #[error("every actor holds position {position}, so the positions span no range")]
    ZeroRange {
        /// The common position.
        position: f64,
    },
    /// An option of the model is out of its range.
    #[error("option {name} = {value}: {rule}")]
    Option {
        /// The option.
        name: &'static str,
        /// Its value, as written.
        value: String,
        /// What it must be.
        rule: &'static str,
    },
    /// A stated uncertainty is out of its range.
    #[error("actor \"{actor}\": uncertainty of the {field} is {value}, but {rule}")]
    Uncertainty {
        /// The actor.
        actor: String,
        /// `position`, `capability` or `salience`.
        field: &'static str,
        /// The value.
        value: f64,
        /// What it must be.
        rule: &'static str,
    },
    /// The uncertainties do not match the actors.
    #[error("{given} uncertainties given for {actors} actors")]
    UncertaintyCount {
        /// How many were given.
        given: usize,
        /// How many actors there are.
        actors: usize,
    },
    /// The scenario has no issue with this id.
    #[error("the scenario has no issue \"{issue}\"")]
    UnknownIssue {
        /// The id asked for.
        issue: String,
        /// The ids there are.
        known: Vec<String>,
    },
    /// A categorical issue whose options form no scale.
    #[error("issue \"{issue}\" is categorical with {options} unordered options, so its options form no scale")]
    Unordered {
        /// The issue.
        issue: String,
        /// Its number of options.
        options: usize,
    },
    /// Actors taking part in an issue have no capability in the scenario.
    #[error("{} in issue \"{issue}\" {verb} no power (capability): {}", if actors.len() == 1 { "an actor" } else { "actors" }, actors.join(", "), verb = if actors.len() == 1 { "has" } else { "have" })]
    MissingCapability {
        /// The issue.
        issue: String,
        /// The actors' ids.
        actors: Vec<String>,
    },
    /// An actor's own red lines rule out every option of the issue.
    #[error("actor \"{actor}\" rules out every option of issue \"{issue}\" by its red lines, so it has no position")]
    NoAcceptableOption {
        /// The actor.
        actor: String,
        /// The issue.
        issue: String,
    },
    /// Too few actors weigh the issue.
    #[error("issue \"{issue}\": only {count} {noun} weigh it, and a forecast needs at least 2", noun = if *count == 1 { "actor" } else { "actors" })]
    TooFewInvolved {
        /// The issue.
        issue: String,
        /// How many weigh it.
        count: usize,
    },
    /// Every actor that weighs the issue prefers the same option.
    #[error("issue \"{issue}\": every actor that weighs it prefers \"{option}\", so there is nothing to forecast")]
    Consensus {
        /// The issue.
        issue: String,
        /// The option all prefer.
        option: String,
    },
    /// A bug: the message asks the user to report it.
    #[error("internal error (please report it): {0}")]
    Internal(String),
}
