//! `--help` of every command, as snapshots: the help text is part of the interface.

use crate::util::Dir;

fn help(args: &[&str]) -> String {
    let run = Dir::new().run(args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

#[test]
fn test_help_main() {
    insta::assert_snapshot!(help(&["--help"]));
}

#[test]
fn test_help_analyze() {
    insta::assert_snapshot!(help(&["analyze", "--help"]));
}

#[test]
fn test_help_validate() {
    insta::assert_snapshot!(help(&["validate", "--help"]));
}

#[test]
fn test_help_schema() {
    insta::assert_snapshot!(help(&["schema", "--help"]));
}

#[test]
fn test_help_sources() {
    insta::assert_snapshot!(help(&["sources", "--help"]));
}

#[test]
fn test_help_convert() {
    insta::assert_snapshot!(help(&["convert", "--help"]));
}

#[test]
fn test_help_generate_synthetic() {
    insta::assert_snapshot!(help(&["generate", "synthetic", "--help"]));
}

#[test]
fn test_usage_error_is_exit_2() {
    let run = Dir::new().run(&["analyze", "--frobnicate"]);
    assert_eq!(run.code, 2);
}

#[test]
fn test_schema_command_matches_the_shipped_schema() {
    let run = Dir::new().run(&["schema"]);
    assert_eq!(run.code, 0);
    let shipped = std::fs::read_to_string(crate::util::repo_root().join("scenarios/scenario.schema.json")).unwrap();
    assert!(
        run.stdout == shipped,
        "the shipped schema is stale: regenerate it with `parley schema > scenarios/scenario.schema.json`"
    );
}

#[test]
fn test_help_negotiate() {
    insta::assert_snapshot!(help(&["negotiate", "--help"]));
}

#[test]
fn test_help_forecast() {
    insta::assert_snapshot!(help(&["forecast", "--help"]));
}

#[test]
fn test_help_tournament() {
    insta::assert_snapshot!(help(&["tournament", "--help"]));
}

#[test]
fn test_help_run() {
    insta::assert_snapshot!(help(&["run", "--help"]));
}

#[test]
fn test_help_report() {
    insta::assert_snapshot!(help(&["report", "--help"]));
}
