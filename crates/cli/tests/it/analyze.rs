//! `parley analyze` on the built-in scenario, on files, and against the NegMAS tables.

use std::io::Read;
use std::process::Stdio;

use crate::util::{Dir, repo_root};

#[test]
fn test_built_in_scenario_prints_every_section() {
    let run = Dir::new().run(&["analyze"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for section in [
        "Russia–Ukraine peace talks",
        "zone of possible agreement is empty",
        "The closest package leaves",
        "Pareto frontier:",
        "bargaining solutions over the whole frontier",
        "Nash",
        "Kalai-Smorodinsky",
        "egalitarian",
        "Territory: ",
        "Who blocks what",
        "Nearest packages outside the zone",
        "conditional on the scenario's numbers",
    ] {
        assert!(run.stdout.contains(section), "missing {section:?} in:\n{}", run.stdout);
    }
}

/// Regression test for issue [B2 7/7], "Many parties as fast as two, ties that are ties":
/// utilities that are equal decimals compare equal. An independent re-computation of the
/// built-in scenario in exact decimal arithmetic (all five actors, the 12,960 admissible
/// packages) finds 1,268 frontier packages; summing floating-point numbers in different
/// orders had kept 30 dominated ones, e.g. 59154 (army cap none, no foreign forces), which
/// 59802 (loose cap, UN force) dominates with Ukraine's 0.6125 on both. The re-computation
/// predates the scoped vetoes of the European allies and of Hungary and Slovakia, so they are
/// set aside here.
#[test]
fn test_issue_b2_7_built_in_frontier_counts_equal_decimals_as_ties() {
    let dir = Dir::new();
    let text = std::fs::read_to_string(repo_root().join("scenarios/ukraine-2025.toml")).unwrap();
    let unscoped: String = text
        .lines()
        .map(|l| if l.starts_with("veto = { issues") { "veto = false" } else { l })
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(unscoped.matches("veto = false").count(), 2, "the two scoped vetoes set aside");
    let f = dir.create("unscoped.toml", &unscoped);
    let j = dir.run(&["analyze", f.to_str().unwrap(), "--format", "json"]).json();
    assert_eq!(j["admissible"], 12_960);
    let frontier = j["frontier"].as_array().unwrap();
    assert_eq!(frontier.len(), 1_268);
    let on_frontier = |index: u64| frontier.iter().find(|p| p["index"] == index);
    assert!(on_frontier(59154).is_none(), "dominated once 0.6125 equals 0.6125");
    let dominating = on_frontier(59802).expect("59802 is efficient");
    assert_eq!(dominating["utilities"]["ukr"].as_f64().unwrap().to_bits(), 0.6125f64.to_bits());
}

#[test]
fn test_json_output_parses_and_is_consistent() {
    let coalition = repo_root().join("scenarios/coalition-2025.toml");
    let run = Dir::new().run(&["analyze", coalition.to_str().unwrap(), "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let j = run.json();
    assert_eq!(j["parley_version"], env!("CARGO_PKG_VERSION"));
    let zopa = j["zopa"].as_u64().unwrap();
    assert!(zopa > 0 && zopa <= j["admissible"].as_u64().unwrap());
    assert!(j["admissible"].as_u64().unwrap() <= j["outcomes"].as_u64().unwrap());
    let frontier = j["frontier"].as_array().unwrap();
    for s in j["solutions"].as_array().unwrap() {
        assert!(frontier.iter().any(|p| p["index"] == s["package"]["index"]), "solution on the frontier");
    }
    let nash = &j["solutions"][0];
    assert_eq!(nash["concept"], "nash");
    assert!(nash["package"]["terms"].is_object());
    assert!(nash["package"]["utilities"].is_object());
}

#[test]
fn test_built_in_json_reports_the_empty_zone() {
    let j = Dir::new().run(&["analyze", "--format", "json"]).json();
    assert_eq!(j["scenario"]["id"], "ukraine-2025");
    assert_eq!(j["zopa"], 0);
    assert_eq!(j["solutions"].as_array().unwrap().len(), 0);
    assert_eq!(j["reference_solutions"].as_array().unwrap().len(), 4);
    assert!(!j["near_misses"].as_array().unwrap().is_empty());
    let p = &j["provenance"];
    assert!(p["unstated"] == 0 && p["cited"].as_u64().unwrap() > 30 && p["tuned"].as_u64().unwrap() > 0, "{p}");
    assert!(p["directed"].as_u64().unwrap() > 50, "sizes assumed, directions cited: {p}");
}

#[test]
fn test_lever_changes_the_answer() {
    let j = Dir::new().run(&["analyze", "--lever", "alaska_framework", "--format", "json"]).json();
    assert_eq!(j["levers"][0], "alaska_framework");
    assert!(j["zopa"].as_u64().unwrap() > 0);
    let nash = &j["solutions"][0]["package"]["terms"];
    assert_eq!(nash["nato"], "closed", "the lever fixes NATO closed");
    assert_eq!(nash["eu"], "accession");
}

#[test]
fn test_compare_shows_baseline_and_every_lever() {
    let run = Dir::new().run(&["analyze", "--compare", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = run.json();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 12, "baseline and eleven levers");
    assert!(rows[0]["lever"].is_null());
    assert_eq!(rows[0]["zopa"], 0);
    let alaska = rows.iter().find(|r| r["lever"] == "alaska_framework").unwrap();
    assert!(alaska["zopa"].as_u64().unwrap() > 0);
    assert!(alaska["margins"]["rus"].as_f64().unwrap() >= 0.0);
    let table = Dir::new().run(&["analyze", "--compare"]);
    assert!(
        table.stdout.contains("us_aid_cut") && table.stdout.contains("none: the zone is empty"),
        "{}",
        table.stdout
    );
}

#[test]
fn test_unknown_lever_is_exit_2_and_lists_the_levers() {
    let run = Dir::new().run(&["analyze", "--lever", "magic"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown lever \"magic\"") && run.stderr.contains("alaska_framework"),
        "{}",
        run.stderr
    );
}

/// The synthetic domains through the binary, against the NegMAS 0.16.0 reference tables.
#[test]
fn test_synthetic_domains_match_negmas_reference() {
    let dir = Dir::new();
    for (outcomes, parties, pareto, nash) in [
        ("1e3", "2", 19, vec![0.805017, 0.90899]),
        ("1e4", "2", 77, vec![0.836206, 0.647785]),
        ("1e3", "3", 50, vec![0.660301, 0.753729, 0.794312]),
        ("1e3", "5", 588, vec![0.509945, 0.783777, 0.776987, 0.633421, 0.834465]),
    ] {
        let file = format!("syn-{parties}-{outcomes}.toml");
        let generated = dir.run(&["generate", "synthetic", "--outcomes", outcomes, "--parties", parties, "-o", &file]);
        assert_eq!(generated.code, 0, "{}", generated.stderr);
        let run = dir.run(&["analyze", &file, "--disagreement", "negmas", "--format", "json"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let j = run.json();
        assert_eq!(j["frontier"].as_array().unwrap().len(), pareto, "{parties} parties, {outcomes}");
        let got = &j["solutions"][0]["package"]["utilities"];
        for (p, want) in nash.iter().enumerate() {
            let u = got[format!("p{p}")].as_f64().unwrap();
            assert!((u - want).abs() < 1e-6, "{parties} parties {outcomes}: u{p} = {u}, NegMAS {want}");
        }
    }
}

#[test]
fn test_empty_zone_is_reported_not_an_error() {
    let dir = Dir::new();
    let text = crate::validate::MINIMAL.replace("reservation = 0.2", "reservation = 0.9");
    let f = dir.create("tight.toml", &text);
    let run = dir.run(&["analyze", f.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("zone of possible agreement is empty"), "{}", run.stdout);
    assert!(run.stdout.contains("Nearest packages outside the zone"), "{}", run.stdout);
}

#[test]
fn test_oversized_request_is_refused_with_a_clear_message() {
    let dir = Dir::new();
    dir.run(&["generate", "synthetic", "--outcomes", "1e6", "--parties", "2", "-o", "big.toml"]);
    let run = dir.run(&["analyze", "big.toml", "--max-outcomes", "1000"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("more than the limit"), "{}", run.stderr);
    let run = dir.run(&["analyze", "big.toml", "--memory-limit", "0"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("memory budget"), "{}", run.stderr);
}

#[test]
fn test_missing_file_is_exit_2() {
    let run = Dir::new().run(&["analyze", "nope.toml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot read nope.toml"), "{}", run.stderr);
}

#[test]
fn test_closed_stdout_is_not_an_error() {
    let dir = Dir::new();
    let mut child = dir.command(&["schema"]).stdout(Stdio::piped()).spawn().unwrap();
    let mut first = [0u8; 16];
    child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
    drop(child.stdout.take());
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn test_same_output_on_one_and_two_threads() {
    let dir = Dir::new();
    dir.run(&["generate", "synthetic", "--outcomes", "1e5", "--parties", "3", "-o", "s.toml"]);
    let one = dir.run(&["--jobs", "1", "analyze", "s.toml", "--format", "json"]);
    let two = dir.run(&["--jobs", "2", "analyze", "s.toml", "--format", "json"]);
    assert_eq!(one.code, 0);
    assert_eq!(one.stdout, two.stdout);
}
