//! `parley schema`: the JSON Schema of scenario files.

use crate::{Failure, Status, output};

pub(crate) fn run() -> Result<Status, Failure> {
    output::print(&parley_io::schema())?;
    Ok(Status::Success)
}
