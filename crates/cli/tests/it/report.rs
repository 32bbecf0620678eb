//! `parley run` and `parley report` through the real binary: the main job writes one
//! self-contained report with its results beside it, and the report is rebuilt from
//! saved results, byte for byte, without running the experiment again.

use crate::util::{Dir, Run};

fn run_small(dir: &Dir, out: &str, extra: &[&str]) -> Run {
    run_seeded(dir, out, "5", extra)
}

fn run_seeded(dir: &Dir, out: &str, seed: &str, extra: &[&str]) -> Run {
    // 200 particles keep the filter and the backtest quick in a debug build.
    let mut args = vec![
        "run",
        "--runs",
        "40",
        "--months",
        "18",
        "--samples",
        "16",
        "--seed",
        seed,
        "--particles",
        "200",
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    dir.run(&args)
}

fn read(dir: &Dir, name: &str) -> String {
    std::fs::read_to_string(dir.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The headings and table headers of a page, in order: its structure, without numbers.
fn structure(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let tag: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        if matches!(tag.as_str(), "h1" | "h2" | "h3" | "th" | "caption") {
            let body = &rest[rest.find('>').map_or(0, |k| k + 1)..];
            let text = &body[..body.find(&format!("</{tag}>")).unwrap_or(0)];
            let indent = match tag.as_str() {
                "h1" => "",
                "h2" => "  ",
                "h3" => "    ",
                _ => "      ",
            };
            // Headers that name months or parties are data; keep their shape only.
            let text: String = text.chars().map(|c| if c.is_ascii_digit() { '#' } else { c }).collect();
            out.push_str(&format!("{indent}{tag}: {text}\n"));
        }
    }
    out
}

#[test]
fn test_run_writes_the_report_and_its_results() {
    let dir = Dir::new();
    let run = run_small(&dir, "results", &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("report: results/report.html"), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "41 hold, 2 fail (2 of them contradicted by the model, as the scenario records); 29 could have failed, of which 27 hold"
        ),
        "{}",
        run.stdout
    );
    for f in ["report.html", "report.json", "summary.json", "months.csv", "replicates.parquet", "experiment.json"] {
        assert!(dir.path(&format!("results/{f}")).exists(), "{f} is missing");
    }
    let html = read(&dir, "results/report.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Self-contained: no scripts, no style sheets, images or fonts from anywhere.
    for forbidden in ["<script", "<link", "<img", "@import", "url(", "http://", "https://"] {
        let found = html.replace("http://www.w3.org/2000/svg", "");
        assert!(!found.contains(forbidden), "the report contains {forbidden}");
    }
    // It says what produced it.
    assert!(html.contains(&format!("parley {}", env!("CARGO_PKG_VERSION"))));
    assert!(html.contains("seed 5") && html.contains("fnv1a64:"));
    assert!(html.contains("parley run --runs 40 --months 18 --seed 5 --samples 16 --particles 200"));
    assert!(html.contains("id=\"backtest\"") && html.contains("skill vs drift"), "the report scores its forecasts");
    let backtest = read(&dir, "results/backtest.csv");
    assert!(backtest.starts_with("origin,horizon,target,series,observed,model_crps"), "{backtest:.200}");
    // The months table of the experiment now carries every party's margin.
    let months = read(&dir, "results/months.csv");
    assert!(months.lines().nth(1).is_some_and(|h| h.ends_with("margin_rus,margin_ukr,margin_usa")), "{months:.300}");
}

#[test]
fn test_report_structure_snapshot() {
    let dir = Dir::new();
    let run = run_small(&dir, "results", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(structure(&read(&dir, "results/report.html")));
}

#[test]
fn test_report_rebuilds_the_page_byte_for_byte() {
    let dir = Dir::new();
    assert_eq!(run_small(&dir, "results", &[]).code, 0);
    let run = dir.run(&["report", "results", "-o", "again.html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(read(&dir, "again.html"), read(&dir, "results/report.html"));
    // --format json says where everything is.
    let run = dir.run(&["report", "results", "-o", "third.html", "--format", "json"]);
    let json = run.json();
    assert_eq!(json["report"], "third.html");
    assert_eq!(json["checks_failed"], 2, "the claims the scenario records as contradicted");
}

#[test]
fn test_report_is_the_same_on_any_number_of_threads() {
    let dir = Dir::new();
    assert_eq!(run_small(&dir, "one", &["--jobs", "1"]).code, 0);
    assert_eq!(run_small(&dir, "two", &["--jobs", "2"]).code, 0);
    assert_eq!(read(&dir, "one/report.json"), read(&dir, "two/report.json"));
    // The page names its results directory nowhere, so the two pages are equal too.
    assert_eq!(read(&dir, "one/report.html"), read(&dir, "two/report.html"));
}

#[test]
fn test_report_of_an_experiment_directory_matches_the_run() {
    let dir = Dir::new();
    // An experiment directory holds no backtest, so the run leaves it out too.
    assert_eq!(run_small(&dir, "results", &["--no-backtest"]).code, 0);
    let exp = dir.run(&[
        "experiment",
        "--runs",
        "40",
        "--months",
        "18",
        "--seed",
        "5",
        "--particles",
        "200",
        "--compare",
        "--out",
        "exp",
    ]);
    assert_eq!(exp.code, 0, "{}", exp.stderr);
    let run = dir.run(&["report", "exp", "--samples", "16"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Built from the saved replicates, it is the run's report but for the command line.
    let from_experiment = read(&dir, "exp/report.html").replace("parley report exp --samples 16", "COMMAND");
    let from_run = read(&dir, "results/report.html")
        .replace("parley run --runs 40 --months 18 --seed 5 --samples 16 --particles 200 --no-backtest", "COMMAND");
    assert_eq!(from_experiment, from_run);
    assert!(!dir.path("exp/report.json").exists(), "an experiment directory gains only the page asked for");
}

#[test]
fn test_report_errors_name_the_problem() {
    let dir = Dir::new();
    let run = dir.run(&["report", "nowhere"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("holds neither a report's data"), "{}", run.stderr);

    std::fs::create_dir_all(dir.path("broken")).unwrap();
    dir.create("broken/report.json", "{\n  \"format\": 1,\n  \"meta\": 7\n}\n");
    let run = dir.run(&["report", "broken"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("broken/report.json:3:"), "file, line and column: {}", run.stderr);
    assert!(run.stderr.contains("parley run"), "says what to do: {}", run.stderr);

    // An experiment run on another scenario is refused, not misreported.
    let exp = dir.run(&["experiment", "--runs", "4", "--months", "6", "--out", "exp"]);
    assert_eq!(exp.code, 0, "{}", exp.stderr);
    let other = std::fs::read_to_string(crate::util::repo_root().join("scenarios/ukraine-2025.toml"))
        .unwrap()
        .replacen("reservation = { value = 0.8,", "reservation = { value = 0.79,", 1);
    assert_ne!(other, std::fs::read_to_string(crate::util::repo_root().join("scenarios/ukraine-2025.toml")).unwrap());
    let file = dir.create("other.toml", &other);
    let run = dir.run(&["report", "exp", "--scenario", file.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("does not match the experiment"), "{}", run.stderr);

    // A second run into the same directory with the same settings reuses the saved
    // replicates, says so, and writes the same report; other settings are refused.
    let first = run_small(&dir, "results", &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let page = read(&dir, "results/report.html");
    let again = run_small(&dir, "results", &[]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stderr.contains("reused"), "says so: {}", again.stderr);
    assert_eq!(read(&dir, "results/report.html"), page);
    let other = run_seeded(&dir, "results", "6", &[]);
    assert_eq!(other.code, 2);
    assert!(other.stderr.contains("holds a different experiment"), "{}", other.stderr);
    assert!(other.stderr.contains("--out"), "says what to do: {}", other.stderr);
}

#[test]
fn test_run_without_a_war_model_reports_the_deals() {
    let dir = Dir::new();
    let scenario = crate::util::repo_root().join("scenarios/coalition-2025.toml");
    let run = dir.run(&["run", scenario.to_str().unwrap(), "--out", "r"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!dir.path("r/experiment.json").exists(), "nothing to simulate, so no experiment");
    let html = read(&dir, "r/report.html");
    assert!(html.contains("The scenario has no war model"));
    assert!(html.contains("<section id=\"deals\" data-chart=\"yes\">"), "the deals still have their charts");
    assert!(!html.contains("<section id=\"war\" data-chart"), "no empty chart section");
    let again = dir.run(&["report", "r", "-o", "again.html"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(read(&dir, "again.html"), html);
}
