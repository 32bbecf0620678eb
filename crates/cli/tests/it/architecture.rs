//! The crate graph is the one `docs/ARCHITECTURE.md` draws.

use std::collections::BTreeMap;

use crate::util::repo_root;

/// Crate → its parley dependencies, as the architecture document's table states them.
fn documented() -> BTreeMap<String, Vec<String>> {
    let doc = std::fs::read_to_string(repo_root().join("docs/ARCHITECTURE.md")).unwrap();
    let start = doc.find("| crate | depends on |").expect("the dependency table");
    doc[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            let deps = match cells[1] {
                "–" => Vec::new(),
                list => list.split(',').map(|d| d.trim().to_string()).collect(),
            };
            (cells[0].to_string(), deps)
        })
        .collect()
}

/// Crate → its parley dependencies, as the manifests declare them (normal dependencies only).
fn declared() -> BTreeMap<String, Vec<String>> {
    let root = repo_root();
    let workspace: toml::Table = std::fs::read_to_string(root.join("Cargo.toml")).unwrap().parse().unwrap();
    let members = workspace["workspace"]["members"].as_array().unwrap();
    members
        .iter()
        .map(|m| {
            let manifest: toml::Table =
                std::fs::read_to_string(root.join(m.as_str().unwrap()).join("Cargo.toml")).unwrap().parse().unwrap();
            let name = manifest["package"]["name"].as_str().unwrap().to_string();
            let mut deps: Vec<String> = manifest
                .get("dependencies")
                .and_then(|d| d.as_table())
                .map(|d| d.keys().filter(|k| k.starts_with("parley-")).cloned().collect())
                .unwrap_or_default();
            deps.sort();
            (name, deps)
        })
        .collect()
}

#[test]
fn test_the_crate_graph_is_the_documented_one() {
    let documented = documented();
    let declared = declared();
    assert_eq!(
        documented.keys().collect::<Vec<_>>(),
        declared.keys().collect::<Vec<_>>(),
        "every workspace crate has a row in docs/ARCHITECTURE.md, and only those"
    );
    for (name, deps) in &declared {
        let mut doc = documented[name].clone();
        doc.sort();
        assert_eq!(&doc, deps, "{name}: docs/ARCHITECTURE.md shows {doc:?}, its Cargo.toml declares {deps:?}");
    }
}

#[test]
fn test_the_engine_crates_stay_below_the_front_ends() {
    // The pure engine never reaches up to files, the report or a front end.
    let declared = declared();
    for engine in ["parley-core", "parley-protocol", "parley-sim", "parley-experiment", "parley-forecast"] {
        for outer in ["parley-io", "parley-data", "parley-report", "parley-app", "parley-cli"] {
            assert!(!declared[engine].iter().any(|d| d == outer), "{engine} depends on {outer}");
        }
    }
    assert!(declared["parley-report"].is_empty(), "the report renders data and depends on no engine crate");
}

#[test]
fn test_the_python_crate_depends_on_what_the_document_says() {
    // `python/` is a workspace of its own (docs/ARCHITECTURE.md says why); its row lives in
    // a second table.
    let root = repo_root();
    let doc = std::fs::read_to_string(root.join("docs/ARCHITECTURE.md")).unwrap();
    let start = doc.find("| python crate | depends on |").expect("the python crate's table");
    let row = doc[start..].lines().nth(2).unwrap();
    let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
    let mut documented: Vec<String> = cells[1].split(',').map(|d| d.trim().to_string()).collect();
    documented.sort();
    let manifest: toml::Table = std::fs::read_to_string(root.join("python/Cargo.toml")).unwrap().parse().unwrap();
    assert_eq!(manifest["package"]["name"].as_str(), Some(cells[0]));
    let mut declared: Vec<String> =
        manifest["dependencies"].as_table().unwrap().keys().filter(|k| k.starts_with("parley-")).cloned().collect();
    declared.sort();
    assert_eq!(documented, declared, "python/Cargo.toml's parley dependencies are not the documented ones");
}
