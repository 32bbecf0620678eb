//! One module per subcommand.

pub(crate) mod analyze;
pub(crate) mod check;
pub(crate) mod generate;
pub(crate) mod schema;
pub(crate) mod sources;
pub(crate) mod validate;
