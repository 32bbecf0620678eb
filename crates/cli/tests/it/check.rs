//! `parley check`: the sources' claims against the model; and proof that the checks can fail.

use crate::util::{Dir, repo_root};

fn shipped() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(repo_root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn test_every_shipped_scenario_passes_its_checks() {
    let dir = Dir::new();
    for f in shipped() {
        let run = dir.run(&["check", f.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}:\n{}{}", f.display(), run.stdout, run.stderr);
        assert!(!run.stdout.contains("FAIL"), "{}", run.stdout);
    }
}

#[test]
fn test_built_in_scenario_has_enough_claims_from_every_source() {
    let j = Dir::new().run(&["check", "--format", "json"]).json();
    let rows = j["expectations"].as_array().unwrap();
    assert!(rows.len() >= 15, "at least 15 claims");
    for source in ["bloomberg-2024-09", "cnn-2024-10", "ap-2025-02", "analysis-2025-05", "oped-2025-10"] {
        assert!(rows.iter().any(|r| r["provenance"]["citation"]["source"] == source), "no claim from {source}");
    }
    assert!(rows.iter().any(|r| !r["disputed_by"].as_array().unwrap().is_empty()), "disputed claims are marked");
    for r in rows {
        assert!(r["explanation"].as_str().unwrap().len() > 10, "numbers behind {}", r["id"]);
        assert!(!r["numbers"].as_object().unwrap().is_empty(), "numbers by name");
    }
}

/// Runs `check --format json` on a copy of the built-in scenario with `from` replaced by `to`.
fn check_flipped(from: &str, to: &str) -> (i32, serde_json::Value) {
    let dir = Dir::new();
    let text = std::fs::read_to_string(repo_root().join("scenarios/ukraine-2025.toml")).unwrap();
    assert!(text.contains(from), "{from:?} not in the scenario");
    let f = dir.create("flipped.toml", &text.replacen(from, to, 1));
    let run = dir.run(&["check", f.to_str().unwrap(), "--format", "json"]);
    (run.code, run.json())
}

fn failed(j: &serde_json::Value) -> Vec<String> {
    j["expectations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["as_recorded"] == false)
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn test_flipping_a_red_line_fails_the_matching_claim() {
    // Russia no longer minds a ceasefire first.
    let (code, j) = check_flipped(
        "[[preferences.red_lines]]\nid = \"no-unconditional-ceasefire\"\nwhen = { sequencing = \"ceasefire_first\" }",
        "[[preferences.red_lines]]\nid = \"no-unconditional-ceasefire\"\nwhen = { sequencing = \"ceasefire_first\", territory = \"pre2022\" }",
    );
    assert_eq!(code, 1);
    assert!(failed(&j).contains(&"russia-rejects-unconditional-ceasefire".to_string()), "{:?}", failed(&j));
}

#[test]
fn test_flipping_a_preference_fails_the_matching_claim() {
    // Membership suddenly makes a territorial concession hurt Ukraine more, not less.
    let (code, j) = check_flipped("delta = { value = 0.0425,", "delta = { value = -0.0425,");
    assert_eq!(code, 1);
    assert_eq!(failed(&j), vec!["membership-eases-territorial-loss".to_string()]);
}

/// Issue 14: the audit of the built-in scenario's claims, as a reader sees it: every claim
/// with its class, the number that decides it and the margin, and the headline.
#[test]
fn test_audit_table_snapshot() {
    let run = Dir::new().run(&["check", "--audit"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let table = &run.stdout[run.stdout.find("┌").expect("an audit table")..];
    insta::assert_snapshot!(table);
    let headline = table.lines().last().unwrap();
    let evidence: usize = headline.split(' ').next().unwrap().parse().unwrap();
    assert!(evidence >= 20, "{headline}");
    // All hold but the two the scenario records as contradicted by the model.
    assert!(headline.contains(&format!("{} of them hold", evidence - 2)), "{headline}");
}

#[test]
fn test_audit_json_names_each_class() {
    let coalition = repo_root().join("scenarios/coalition-2025.toml");
    let j = Dir::new().run(&["check", "--audit", "--format", "json", coalition.to_str().unwrap()]).json();
    let rows = j["expectations"].as_array().unwrap();
    assert!(
        rows.iter().all(|r| ["structural", "by_input", "evidence"].contains(&r["audit"]["class"].as_str().unwrap()))
    );
    assert_eq!(j["audit"]["claims"], rows.len());
    assert!(j["audit"]["text"].as_str().unwrap().contains("claims could have failed"));
}
