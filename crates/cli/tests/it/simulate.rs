//! `parley simulate` and `parley calibrate` through the real binary.

use crate::util::{Dir, repo_root};

fn panel() -> String {
    repo_root().join("data/ru_ua_monthly_panel_to_2025-10.csv").to_str().unwrap().to_string()
}

#[test]
fn test_simulate_central_path_table() {
    let run = Dir::new().run(&["simulate", "--central", "--months", "18"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn test_simulate_json_is_reproducible_and_seeded() {
    let dir = Dir::new();
    let args = ["simulate", "--seed", "5", "--months", "12", "--format", "json"];
    let (a, b) = (dir.run(&args), dir.run(&args));
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!(a.stdout, b.stdout, "the same seed gives byte-identical output");
    let j = a.json();
    assert_eq!(j["seed"], 5);
    assert_eq!(j["parley_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(j["months"].as_array().unwrap().len(), 12);
    assert_eq!(j["sides"], serde_json::json!(["rus", "ukr"]));
    let month = &j["months"][0];
    for field in ["month", "phase", "war", "batna", "reservation", "best_offer", "margins", "hazard"] {
        assert!(!month[field].is_null() || field == "best_offer", "missing {field}: {month}");
    }
    assert!((j["batna_as_of"][0].as_f64().unwrap() - 0.8).abs() < 0.01, "Russia's BATNA reproduces 0.8");
    let other = dir.run(&["simulate", "--seed", "6", "--months", "12", "--format", "json"]);
    assert_ne!(other.stdout, a.stdout);
}

#[test]
fn test_simulate_writes_csv_with_seed_and_version() {
    let dir = Dir::new();
    let out = dir.path("months.csv");
    let run = dir.run(&["simulate", "--lever", "us_aid_cut", "--months", "6", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with(&format!("# parley {} simulate", env!("CARGO_PKG_VERSION"))), "{}", lines[0]);
    assert!(lines[0].contains("seed 0") && lines[0].contains("levers us_aid_cut"));
    assert!(lines[1].starts_with("month,phase,held_km2,territory_change_km2,losses_rus,losses_ukr"));
    assert_eq!(lines.len(), 2 + 6);
    let columns = lines[1].split(',').count();
    assert!(lines[2..].iter().all(|l| l.split(',').count() == columns));
}

#[test]
fn test_simulate_a_lever_changes_the_war() {
    let dir = Dir::new();
    let base = dir.run(&["simulate", "--central", "--months", "6", "--format", "json"]).json();
    let cut = dir.run(&["simulate", "--central", "--months", "6", "--lever", "us_aid_cut", "--format", "json"]).json();
    let aid = |j: &serde_json::Value| j["months"][5]["war"]["aid"][1].as_f64().unwrap();
    assert!((aid(&base) - aid(&cut) - 0.8).abs() < 1e-9, "the US residual flow is cut");
}

/// Talks over Kyiv's head: the frameworks refused, the pressure they start and the words
/// the table gives them.
#[test]
fn test_simulate_talks_without_ukraine_shows_the_frameworks_and_the_pressure() {
    let dir = Dir::new();
    let args = ["simulate", "--central", "--months", "12", "--lever", "talks_without_ukraine"];
    let j = dir.run(&[&args[..], &["--format", "json"]].concat()).json();
    let months = j["months"].as_array().unwrap();
    let refused: Vec<&serde_json::Value> = months
        .iter()
        .filter(|m| m["talks"]["kind"] == "breakdown" && m["over_the_head"]["framework"].is_u64())
        .collect();
    assert_eq!(refused.len(), 3, "three frameworks refused, then Kyiv is at the table");
    assert_eq!(refused[0]["war"]["pressure"], 3, "US deliveries stop for a quarter: {}", refused[0]["war"]);
    let base = dir.run(&["simulate", "--central", "--months", "12", "--format", "json"]).json();
    assert!(
        base["months"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["over_the_head"].is_null() && m["war"]["pressure"].is_null())
    );
    let aid = |j: &serde_json::Value, k: usize| j["months"][k]["war"]["aid"][1].as_f64().unwrap();
    assert!((aid(&base, 1) - aid(&j, 1) - 0.8).abs() < 1e-9, "the US flow is withheld the month after a refusal");
    let table = dir.run(&args);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(table.stdout.contains("framework refused"), "{}", table.stdout);
}

#[test]
fn test_simulate_bad_input_is_exit_2() {
    let dir = Dir::new();
    let coalition = repo_root().join("scenarios/coalition-2025.toml");
    let run = dir.run(&["simulate", coalition.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no [conflict] section"), "{}", run.stderr);
    let run = dir.run(&["simulate", "--lever", "nope"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown lever \"nope\""), "{}", run.stderr);
    let run = dir.run(&["simulate", "--protocol", "sequenced"]);
    assert_eq!(run.code, 2);
}

#[test]
fn test_calibrate_reports_the_fit() {
    let dir = Dir::new();
    let out = dir.path("fit.csv");
    let run = dir.run(&["calibrate", "--data", &panel(), "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for text in ["conflict.sides.ukr.effectiveness", "conflict.territory.gain", "RMSE", "R²", "2025-10"] {
        assert!(run.stdout.contains(text), "missing {text:?}:\n{}", run.stdout);
    }
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv.lines().nth(1).unwrap() == "column,output,month,observed,initial,fitted,residual");
    assert_eq!(csv.lines().count(), 2 + 3 * 22);
    let j = dir
        .run(&[
            "calibrate",
            "--data",
            &panel(),
            "--series",
            "occupied_km2_end_deepstate=held",
            "--fit",
            "conflict.territory.gain",
            "--format",
            "json",
        ])
        .json();
    assert_eq!(j["parameters"].as_array().unwrap().len(), 1);
    assert!(j["series"][0]["r_squared"].as_f64().unwrap() > 0.9);
    assert_eq!(j["end"], "converged", "the minimiser says how it ended");
}

/// A series that does not vary has no R², and one that sums to 0 no fitted/observed total:
/// "n/a" and null, not NaN or inf.
#[test]
fn test_calibrate_constant_series_has_no_r_squared() {
    let dir = Dir::new();
    let mut text = String::from("month,flat\n");
    for m in 1..=12 {
        text += &format!("2024-{m:02},0\n");
    }
    let data = dir.create("flat.csv", &text);
    let args = [
        "calibrate",
        "--data",
        data.to_str().unwrap(),
        "--series",
        "flat=territory_change",
        "--window",
        "2024-01..2024-12",
    ];
    let run = dir.run(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("n/a"), "{}", run.stdout);
    assert!(!run.stdout.contains("NaN") && !run.stdout.contains("inf"), "{}", run.stdout);
    let j = dir.run(&[args.as_slice(), &["--format", "json"]].concat()).json();
    assert!(j["series"][0]["r_squared"].is_null(), "{j}");
    assert!(j["series"][0]["total_ratio"].is_null(), "{j}");
}

/// Counts of 0 or beyond their bounds are usage errors, not hangs.
#[test]
fn test_counts_out_of_bounds_are_exit_2() {
    let dir = Dir::new();
    for args in [
        ["simulate", "--months", "0"],
        ["simulate", "--months", "1201"],
        ["simulate", "--rounds", "0"],
        ["experiment", "--runs", "0"],
        ["experiment", "--runs", "100000000000"],
        ["experiment", "--chunk", "0"],
        ["sensitivity", "--samples", "0"],
        ["negotiate", "--rounds", "4000000000"],
    ] {
        let run = dir.run(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("is not in"), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn test_calibrate_bad_input_is_exit_2() {
    let dir = Dir::new();
    let bad = dir.create("bad.csv", "month,a\n2024-01,1\n2024-02,oops\n");
    let run = dir.run(&["calibrate", "--data", bad.to_str().unwrap(), "--series", "a=held"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("bad.csv:3:9"), "{}", run.stderr);
    assert!(run.stderr.contains("not a number"), "{}", run.stderr);
    let run = dir.run(&["calibrate", "--data", "missing.csv"]);
    assert_eq!(run.code, 2);
    let run = dir.run(&["calibrate", "--data", &panel(), "--fit", "conflict.sides.ukr.nonsense"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no number at path"), "{}", run.stderr);
    let run = dir.run(&["calibrate", "--data", &panel(), "--series", "nope=held"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no column \"nope\""), "{}", run.stderr);
}
