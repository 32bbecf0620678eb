//! `parley validate`: valid files pass, malformed ones get file, line, column and exit 2.

use crate::util::{Dir, repo_root};

/// A small valid scenario: two parties dividing a budget.
pub const MINIMAL: &str = r#"[scenario]
id = "split"
title = "Splitting a budget"

[[actors]]
id = "north"
name = "North"
role = "other"
veto = true

[[actors]]
id = "south"
name = "South"
role = "other"
veto = true

[[issues]]
id = "share"
name = "North's share"
kind = "real"
min = 0.0
max = 1.0
steps = 11

[[preferences]]
actor = "north"
reservation = 0.2
weights = { share = 1.0 }
values.share = { function = "linear", at_min = 0.0, at_max = 1.0 }

[[preferences]]
actor = "south"
reservation = 0.3
weights = { share = 1.0 }
values.share = { function = "linear", at_min = 1.0, at_max = 0.0 }
"#;

#[test]
fn test_valid_file_passes() {
    let dir = Dir::new();
    let f = dir.create("split.toml", MINIMAL);
    let run = dir.run(&["validate", f.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("ok:") && run.stdout.contains("2 actors, 1 issues, 11 packages"), "{}", run.stdout);
}

#[test]
fn test_every_shipped_scenario_is_valid() {
    let dir = Dir::new();
    let scenarios = repo_root().join("scenarios");
    let mut files: Vec<String> = std::fs::read_dir(&scenarios)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.to_str().unwrap().to_string())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let mut args = vec!["validate"];
    args.extend(files.iter().map(String::as_str));
    let run = dir.run(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "shipped scenarios validate without warnings:\n{}", run.stderr);
}

#[test]
fn test_malformed_file_names_file_line_column_and_exits_2() {
    let dir = Dir::new();
    let f = dir.create("bad.toml", &MINIMAL.replace("actor = \"south\"", "actor = \"sout\""));
    let run = dir.run(&["validate", "bad.toml"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    let _ = f;
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn test_json_report_of_several_files() {
    let dir = Dir::new();
    dir.create("good.toml", MINIMAL);
    dir.create("bad.toml", &MINIMAL.replace("steps = 11", "steps = 1"));
    let run = dir.run(&["validate", "good.toml", "bad.toml", "--format", "json"]);
    assert_eq!(run.code, 2);
    let j = run.json();
    assert_eq!(j[0]["valid"], true);
    assert_eq!(j[1]["valid"], false);
    assert_eq!(j[1]["errors"][0]["code"], "parley::out-of-range");
    assert_eq!(j[1]["errors"][0]["line"], 23);
    assert_eq!(j[1]["errors"][0]["column"], 9);
}

#[test]
fn test_json_scenario_is_accepted() {
    let dir = Dir::new();
    let value: toml::Value = toml::from_str(MINIMAL).unwrap();
    dir.create("split.json", &serde_json::to_string_pretty(&value).unwrap());
    let run = dir.run(&["analyze", "split.json", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["zopa"], 6);
}

#[test]
fn test_unknown_extension_is_exit_2() {
    let dir = Dir::new();
    dir.create("split.yaml", MINIMAL);
    let run = dir.run(&["validate", "split.yaml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot tell the format"), "{}", run.stderr);
}
