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
