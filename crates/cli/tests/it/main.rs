//! Integration tests: they run the real `parley` binary on real files.

mod analyze;
mod architecture;
mod browser;
mod check;
mod experiment;
mod forecast;
mod generate;
mod genius;
mod help;
mod negotiate;
mod readme;
mod report;
mod simulate;
mod sources;
mod util;
mod validate;
mod workbench;
