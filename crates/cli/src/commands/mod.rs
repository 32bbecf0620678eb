//! One module per subcommand.

pub(crate) mod analyze;
pub(crate) mod calibrate;
pub(crate) mod check;
pub(crate) mod convert;
pub(crate) mod experiment;
pub(crate) mod forecast;
pub(crate) mod generate;
pub(crate) mod negotiate;
pub(crate) mod report;
pub(crate) mod run;
pub(crate) mod schema;
pub(crate) mod sensitivity;
pub(crate) mod simulate;
pub(crate) mod sources;
pub(crate) mod tournament;
pub(crate) mod validate;
