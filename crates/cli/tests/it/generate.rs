//! `parley generate synthetic`.

use crate::util::Dir;

#[test]
fn test_writes_a_valid_scenario_file() {
    let dir = Dir::new();
    let run = dir.run(&["generate", "synthetic", "--outcomes", "1000", "--parties", "3", "-o", "out.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v = dir.run(&["validate", "out.toml"]);
    assert_eq!(v.code, 0, "{}", v.stderr);
    assert!(v.stdout.contains("3 actors, 3 issues, 1000 packages"), "{}", v.stdout);
    assert!(!dir.path(".out.toml.tmp").exists());
}

#[test]
fn test_stdout_equals_file() {
    let dir = Dir::new();
    let to_stdout = dir.run(&["generate", "synthetic", "--outcomes", "1e2", "--parties", "2"]);
    dir.run(&["generate", "synthetic", "--outcomes", "1e2", "--parties", "2", "-o", "f.toml"]);
    assert_eq!(to_stdout.stdout, std::fs::read_to_string(dir.path("f.toml")).unwrap());
}

#[test]
fn test_not_a_power_of_ten_is_exit_2() {
    let run = Dir::new().run(&["generate", "synthetic", "--outcomes", "5000", "--parties", "2"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not a power of ten"), "{}", run.stderr);
}

#[test]
fn test_unwritable_output_is_exit_2_and_leaves_nothing() {
    let dir = Dir::new();
    let run = dir.run(&["generate", "synthetic", "--outcomes", "1e2", "--parties", "2", "-o", "missing/dir/f.toml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot write"), "{}", run.stderr);
}

#[test]
fn test_a_refused_write_is_exit_74() {
    // The operating system refuses to create files in /sys, even for root: an I/O failure,
    // not the user's input, so its own exit code.
    let run =
        Dir::new().run(&["generate", "synthetic", "--outcomes", "1e2", "--parties", "2", "-o", "/sys/parley.toml"]);
    assert_eq!(run.code, 74, "{}", run.stderr);
    assert!(run.stderr.contains("cannot write"), "{}", run.stderr);
}
