//! `parley experiment`, `merge` and `sensitivity` through the real binary: results on
//! disk that do not depend on threads, shards or interruptions.

use std::path::Path;

use crate::util::Dir;

const OUTPUTS: [&str; 6] =
    ["replicates.csv", "months.csv", "summary.json", "replicates.parquet", "months.parquet", "assimilation.json"];

fn read(dir: &Path) -> Vec<Vec<u8>> {
    OUTPUTS.iter().map(|f| std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"))).collect()
}

fn experiment(dir: &Dir, out: &str, extra: &[&str]) -> crate::util::Run {
    let mut args = vec!["experiment", "--runs", "60", "--months", "12", "--seed", "9", "--chunk", "16", "--out", out];
    args.extend_from_slice(extra);
    dir.run(&args)
}

#[test]
fn test_outputs_are_byte_identical_on_1_2_and_8_threads() {
    let dir = Dir::new();
    let mut results = Vec::new();
    for jobs in ["1", "2", "8"] {
        let out = format!("out-{jobs}");
        let run = experiment(&dir, &out, &["--jobs", jobs, "--lever", "us_aid_cut", "--format", "json"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        results.push(read(&dir.path(&out)));
    }
    assert_eq!(results[0], results[1]);
    assert_eq!(results[0], results[2]);
    let csv = String::from_utf8(results[0][0].clone()).unwrap();
    assert!(
        csv.starts_with(&format!("# parley {}; scenario ukraine-2025 fnv1a64:", env!("CARGO_PKG_VERSION"))),
        "{csv}"
    );
    assert!(csv.contains("seed 9"));
    let summary: serde_json::Value = serde_json::from_slice(&results[0][2]).unwrap();
    assert_eq!(summary["seed"], 9);
    assert!(summary["scenario_hash"].as_str().unwrap().starts_with("fnv1a64:"));
    assert_eq!(summary["arms"][0]["settled_by_month"].as_array().unwrap().len(), 12);
}

#[test]
fn test_sharded_and_merged_equals_a_single_run() {
    let dir = Dir::new();
    assert_eq!(experiment(&dir, "single", &["--compare"]).code, 0);
    for shard in ["1/3", "2/3", "3/3"] {
        let run = experiment(&dir, &format!("shard-{}", &shard[..1]), &["--compare", "--shard", shard]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let run = dir.run(&["merge", "shard-1", "shard-2", "shard-3", "--out", "merged"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(read(&dir.path("merged")), read(&dir.path("single")));
    // A missing shard is an error, not a silently smaller result.
    let run = dir.run(&["merge", "shard-1", "shard-3", "--out", "partial"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("replicates are missing"), "{}", run.stderr);
    // ... and leaves no half-merged experiment behind (merging streams chunk by chunk).
    let left: Vec<_> = walk(&dir.path("partial"));
    assert!(left.iter().all(|p| p.is_dir()), "only empty folders may remain: {left:?}");
    // A shard given twice counts once.
    let run = dir.run(&["merge", "shard-2", "shard-1", "shard-2", "shard-3", "--out", "twice"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(read(&dir.path("twice")), read(&dir.path("single")));
}

/// Every path under `dir`, recursively.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        }
        out.push(path);
    }
    out
}

#[test]
fn test_an_interrupted_run_resumes_to_the_same_result() {
    let dir = Dir::new();
    let args = |out: &'static str| {
        vec![
            "experiment",
            "--runs",
            "800",
            "--months",
            "12",
            "--seed",
            "9",
            "--chunk",
            "8",
            "--jobs",
            "1",
            "--out",
            out,
        ]
    };
    let full = dir.run(&args("full"));
    assert_eq!(full.code, 0, "{}", full.stderr);
    // Interrupt a copy once its first chunks are on disk.
    let mut child = dir.command(&args("cut")).spawn().unwrap();
    let chunks = dir.path("cut/chunks");
    let done = || {
        std::fs::read_dir(&chunks).map_or(0, |d| {
            d.filter(|e| e.as_ref().is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".replicates.csv"))).count()
        })
    };
    let start = std::time::Instant::now();
    while done() < 2 {
        assert!(start.elapsed().as_secs() < 120, "no chunk appeared");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let _ = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status();
    let status = child.wait().unwrap();
    assert!(!status.success(), "the run was interrupted");
    assert!(!dir.path("cut/summary.json").exists(), "interrupted before the end");
    assert!(done() < 100, "some chunks are still missing");
    // Without --resume the directory is protected; with it, the run completes.
    assert_eq!(dir.run(&args("cut")).code, 2);
    let mut resume = args("cut");
    resume.push("--resume");
    let resumed = dir.run(&resume);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    assert_eq!(read(&dir.path("cut")), read(&dir.path("full")));
    // Resuming a different experiment in the same place is refused.
    let mut other = args("cut");
    other[2] = "801";
    other.push("--resume");
    let other = dir.run(&other);
    assert_eq!(other.code, 2);
    assert!(other.stderr.contains("different experiment"), "{}", other.stderr);
}

#[test]
fn test_bad_arguments_are_exit_2() {
    let dir = Dir::new();
    assert_eq!(experiment(&dir, "x", &["--shard", "4/3"]).code, 2);
    assert_eq!(experiment(&dir, "y", &["--shard", "one"]).code, 2);
    assert_eq!(experiment(&dir, "z", &["--lever", "nope"]).code, 2);
    assert_eq!(dir.run(&["merge", "nowhere", "--out", "m"]).code, 2);
}

#[test]
fn test_sensitivity_ranks_every_uncertain_parameter() {
    let dir = Dir::new();
    let run = dir.run(&["sensitivity", "--samples", "32", "--months", "18", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let j = run.json();
    let measures = j["measures"].as_array().unwrap();
    assert_eq!(measures.len(), 3);
    let parameters = j["parameters"].as_array().unwrap().len();
    let file = std::fs::read_to_string(crate::util::repo_root().join("scenarios/ukraine-2025.toml")).unwrap();
    let entries = file.lines().filter(|l| l.trim() == "[[uncertain]]").count();
    assert_eq!(parameters, entries, "the built-in scenario's [[uncertain]] entries");
    for m in measures {
        let bars = m["tornado"]["bars"].as_array().unwrap();
        assert_eq!(bars.len(), parameters);
        let swings: Vec<f64> = bars.iter().map(|b| b["swing"].as_f64().unwrap()).collect();
        assert!(swings.windows(2).all(|w| w[0] >= w[1]), "bars ordered by swing");
    }
    let coalition = crate::util::repo_root().join("scenarios/coalition-2025.toml");
    assert_eq!(dir.run(&["sensitivity", coalition.to_str().unwrap()]).code, 2);
}
