//! The README's scenario example is a real scenario: this test runs it.

use crate::util::{Dir, repo_root};

#[test]
fn test_readme_scenario_example_runs() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let start = readme.find("```toml\n").expect("README has a ```toml example") + "```toml\n".len();
    let end = start + readme[start..].find("```").expect("closed block");
    let dir = Dir::new();
    let f = dir.create("example.toml", &readme[start..end]);
    let run = dir.run(&["analyze", f.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Bargaining solutions"), "{}", run.stdout);
}

/// The README's first two commands are the main job on the built-in scenario and the test
/// suite that `.ci/run` is.
#[test]
fn test_readme_two_commands() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let section = &readme[readme.find("## Two commands").expect("a Two commands section")..];
    let blocks: Vec<&str> = section.split("```sh\n").skip(1).take(2).map(|b| b.split("```").next().unwrap()).collect();
    assert_eq!(blocks, ["cargo run --release -- run\n", "bash .ci/run\n"]);
    let ci = std::fs::read_to_string(repo_root().join(".ci/run")).unwrap();
    assert!(ci.contains("cargo test --workspace --locked"), "{ci}");
}
