//! `parley sources`: provenance listing, and no bare numbers in shipped scenarios.

use crate::util::{Dir, repo_root};

#[test]
fn test_lists_every_number_with_a_summary() {
    let dir = Dir::new();
    let f = dir.create("split.toml", crate::validate::MINIMAL);
    let run = dir.run(&["sources", f.to_str().unwrap()]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("preferences.north.reservation"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("split: 10 numbers: 0 cited, 0 assumptions (0 with a cited direction), 0 tuned, 10 unstated"),
        "{}",
        run.stdout
    );
    let strict = dir.run(&["sources", f.to_str().unwrap(), "--strict"]);
    assert_eq!(strict.code, 1, "unstated numbers fail the strict check");
}

#[test]
fn test_shipped_scenarios_have_no_bare_numbers() {
    let dir = Dir::new();
    for entry in std::fs::read_dir(repo_root().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let run = dir.run(&["sources", path.to_str().unwrap(), "--strict", "--format", "json"]);
        assert_eq!(run.code, 0, "{}: {}", path.display(), run.stderr);
        let j = run.json();
        assert_eq!(j["summary"]["unstated"], 0, "{}", path.display());
        assert!(j["numbers"].as_array().unwrap().len() > 10);
    }
}

#[test]
fn test_built_in_listing_json() {
    let run = Dir::new().run(&["sources", "--format", "json"]);
    assert_eq!(run.code, 0);
    let j = run.json();
    let n = j["numbers"].as_array().unwrap();
    assert!(n.iter().all(|x| x["provenance"]["kind"] != "unstated"));
}

/// A scenario citing a memo in fields, a direction, a note and a comment, with one number
/// tuned to its claim.
const CITED: &str = r#"[scenario]
id = "cited"
title = "A cited split"

[[sources]]
id = "memo"
title = "A memo written for this test"
outlet = "tests"
date = "2025"

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
kind = "categorical"
options = [{ id = "low" }, { id = "high" }]

# North's view is in memo#1.
[[preferences]]
actor = "north"
reservation = { value = 0.4, tuned = { to = "north-accepts-high", note = "so that the claim holds" } }
weights = { share = { value = 1.0, source = "memo#1" } }
values.share = { options = { low = { value = 0.0, source = "memo#1" }, high = { value = 1.0, source = "memo#1" } } }

[[preferences]]
actor = "south"
reservation = { value = 0.3, assumption = "a fallback exists", direction = "memo#2", note = "see memo#2, #3" }
weights = { share = { value = 1.0, assumption = "one issue" } }
values.share = { options = { low = { value = 1.0, source = "memo#2" }, high = { value = 0.0, source = "memo#2" } } }

[[expect]]
id = "north-accepts-high"
claim = "North takes the high share."
source = "memo#1"
check = "accepts"
actor = "north"
given = { share = "high" }
"#;

/// Three paragraphs, written for this test (a paragraph is a non-empty line).
const MEMO: &str = "North wants the larger share.\n\nSouth wants the smaller one for North, and has a fallback.\n\n   \nBoth would rather agree than not.\n";

#[test]
fn test_verify_resolves_every_citation_and_quotes_the_paragraphs() {
    let dir = Dir::new();
    let f = dir.create("cited.toml", CITED);
    std::fs::create_dir(dir.path("texts")).unwrap();
    dir.create("texts/memo.txt", MEMO);
    let run = dir.run(&["sources", f.to_str().unwrap(), "--verify", "texts"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("10 citations resolve (memo: 3 of 3 paragraphs cited)"), "{}", run.stdout);
    // Tuned numbers are listed apart.
    assert!(run.stdout.contains("Tuned numbers") && run.stdout.contains("north-accepts-high"), "{}", run.stdout);
    assert!(run.stdout.contains("1 tuned, 0 unstated"), "{}", run.stdout);
    let quotes = dir.run(&["sources", f.to_str().unwrap(), "--verify", "texts", "--quotes"]);
    assert_eq!(quotes.code, 0, "{}", quotes.stderr);
    assert!(quotes.stdout.contains("North wants the larger share."), "{}", quotes.stdout);
    assert!(quotes.stdout.contains("memo#2 (direction only)"), "{}", quotes.stdout);
    let j = dir.run(&["sources", f.to_str().unwrap(), "--verify", "texts", "--quotes", "--format", "json"]).json();
    assert_eq!(j["tuned"][0]["path"], "preferences.north.reservation");
    assert_eq!(j["verified"]["citations"], 10);
    assert_eq!(j["quotes"].as_array().unwrap().len(), 6);
    // --quotes needs the texts.
    assert_eq!(dir.run(&["sources", f.to_str().unwrap(), "--quotes"]).code, 2);
}

#[test]
fn test_verify_locates_a_citation_of_a_missing_paragraph() {
    let dir = Dir::new();
    dir.create("cited.toml", &CITED.replace("see memo#2, #3", "see memo#2, #7"));
    std::fs::create_dir(dir.path("texts")).unwrap();
    dir.create("texts/memo.txt", MEMO);
    let run = dir.run(&["sources", "cited.toml", "--verify", "texts"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stdout.is_empty());
    insta::assert_snapshot!(run.stderr);
    // A source with no local text cannot be checked: also an error.
    let empty = dir.path("empty");
    std::fs::create_dir(&empty).unwrap();
    let run = dir.run(&["sources", "cited.toml", "--verify", "empty"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no local copy of source \"memo\""), "{}", run.stderr);
}
