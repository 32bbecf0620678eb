//! `parley forecast` through the real binary: the emission-standards example against the
//! published table, the built-in scenario issue by issue, forecast files, Monte Carlo
//! reproducibility across thread counts, and bad input.

use crate::util::{Dir, Run, repo_root};

fn emission() -> String {
    repo_root().join("data/emission_standards_bdm1994.csv").to_str().unwrap().to_string()
}

fn ok(run: Run) -> Run {
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    run
}

fn medians(j: &serde_json::Value) -> Vec<f64> {
    j["path"]["rounds"].as_array().unwrap().iter().map(|r| r["median"].as_f64().unwrap()).collect()
}

/// A forecast file with provenance, a labelled scale and stated uncertainty.
const FILE: &str = r#"[forecast]
id = "emission"
title = "Years until the EU's car-emission standard takes effect"
scale = { name = "Years", min = 4, max = 10, unit = "years", points = [{ value = 4, label = "Four years" }, { value = 7, label = "Seven years" }, { value = 10, label = "Ten years" }] }
uncertainty = { position = { value = 0.5, assumption = "positions are read off the source's table" }, salience = { value = 10, assumption = "saliences are rough" } }

[[sources]]
id = "bdm-1994"
title = "Political forecasting: an expected utility method"
outlet = "European Community Decision Making (Yale University Press)"
date = "1994"

[[forecast.actors]]
name = "North"
capability = { value = 2, source = "bdm-1994" }
position = { value = 4, source = "bdm-1994" }
salience = { value = 80, source = "bdm-1994" }

[[forecast.actors]]
name = "South"
capability = { value = 1, source = "bdm-1994" }
position = { value = 10, source = "bdm-1994" }
salience = { value = 60, source = "bdm-1994" }

[[forecast.actors]]
name = "Middle"
capability = { value = 1.5, source = "bdm-1994" }
position = { value = 7, source = "bdm-1994" }
salience = { value = 40, source = "bdm-1994" }
uncertainty = { capability = { value = 0.3, assumption = "its clout is disputed" } }
"#;

#[test]
fn test_emission_example_matches_table_2() {
    let run = ok(Dir::new().run(&["forecast", &emission(), "--rounds", "8", "--format", "json"]));
    let j = run.json();
    assert_eq!(j["parley_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(j["kind"], "csv");
    let f = &j["forecasts"][0];
    assert_eq!(f["salience_scale"], "unit");
    let published = [8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6];
    let means = [7.4, 7.5, 7.6, 7.3, 7.3, 7.4, 7.5, 7.6];
    let m = medians(f);
    for k in 0..8 {
        // Round 2: the published 9.9 is reproduced by no replication; they give about 9.6.
        let expected = if k == 1 { 9.6 } else { published[k] };
        assert!((m[k] - expected).abs() <= 0.1, "round {}: median {} vs {expected}", k + 1, m[k]);
        let mean = f["path"]["rounds"][k]["mean"].as_f64().unwrap();
        assert!((mean - means[k]).abs() <= 0.1, "round {}: mean {mean} vs {}", k + 1, means[k]);
    }
    assert_eq!(f["path"]["initial"]["median"], 7.0);
    assert_eq!(f["path"]["range"], 6.0);
    let round = &f["path"]["rounds"][3];
    assert_eq!(round["positions"].as_array().unwrap().len(), 10);
    assert_eq!(round["risk"].as_array().unwrap().len(), 10);
    let belgium = round["moves"].as_array().unwrap().iter().find(|m| m["actor"] == 1).unwrap();
    assert_eq!((belgium["counterpart"].as_u64(), belgium["kind"].as_str()), (Some(0), Some("compromise")));
    assert_eq!(f["path"]["actors"][1], "Belgium");
    assert_eq!(f["path"]["options"]["denominator"], "global");
    assert_eq!(f["result"]["rounds_played"], 8);
}

#[test]
fn test_emission_table_lists_the_moves() {
    let run = ok(Dir::new().run(&["forecast", &emission()]));
    assert!(run.stdout.contains("Belgium compromises with Netherlands → 4.80"), "{}", run.stdout);
    assert!(run.stdout.contains("Luxembourg loses a confrontation with Belgium"), "{}", run.stdout);
    assert!(run.stdout.contains("forecast after 10 rounds: median 7.00"), "{}", run.stdout);
    assert!(run.stdout.contains("saliences read on a 0–1 scale"));
}

#[test]
fn test_variants_from_the_command_line() {
    let dir = Dir::new();
    let paper = ok(dir.run(&["forecast", &emission(), "--variant", "paper", "--format", "json"])).json();
    let last = paper["forecasts"][0]["path"]["rounds"][9]["positions"].as_array().unwrap().clone();
    assert!(last.iter().all(|x| (x.as_f64().unwrap() - 7.0).abs() < 1e-9), "everyone at 7.0: {last:?}");
    let own = ok(dir.run(&["forecast", &emission(), "--perspective", "own", "--format", "json"])).json();
    let m = medians(&own["forecasts"][0]);
    assert!((m[0] - 8.78).abs() < 0.005 && (m[1] - 9.80).abs() < 0.005, "{m:?}");
    assert_eq!(own["forecasts"][0]["path"]["options"]["perspective"], "own");
    let stop = ok(dir.run(&["forecast", &emission(), "--variant", "paper", "--converge", "1e-9", "--format", "json"]));
    assert_eq!(stop.json()["forecasts"][0]["path"]["stop"]["kind"], "converged");
}

#[test]
fn test_built_in_scenario_issue_by_issue() {
    let dir = Dir::new();
    let j = ok(dir.run(&["forecast", "--format", "json"])).json();
    assert_eq!(j["kind"], "scenario");
    let issues: Vec<&str> = j["forecasts"].as_array().unwrap().iter().map(|f| f["issue"].as_str().unwrap()).collect();
    assert_eq!(issues.len(), 11, "{issues:?}");
    assert!(issues.contains(&"territory") && issues.contains(&"eu"), "binary issues are scales");
    let skipped = j["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0]["issue"], "forces");
    assert!(skipped[0]["reason"].as_str().unwrap().contains("unordered"));
    let territory = &j["forecasts"][0];
    assert_eq!(territory["scale"]["points"].as_array().unwrap().len(), 5);
    let russia = &territory["inputs"][0];
    assert_eq!((russia["id"].as_str(), russia["position"].as_f64()), (Some("rus"), Some(4.0)));
    assert_eq!(russia["derivation"]["capability_provenance"]["kind"], "assumption");
    assert_eq!(russia["derivation"]["capability_provenance"]["direction"]["source"], "ap-2025-02");
    assert_eq!(russia["derivation"]["ruled_out"][0], "pre2022");
    let usa = territory["inputs"].as_array().unwrap().iter().find(|a| a["id"] == "usa").unwrap();
    assert_eq!(usa["position"], 1.5, "tied neighbouring best options: their midpoint");
    assert!(territory["result"]["nearest"]["id"].is_string());

    let one = ok(dir.run(&["forecast", "--issue", "territory", "--format", "json"])).json();
    assert_eq!(one["forecasts"].as_array().unwrap().len(), 1);
    assert_eq!(one["forecasts"][0]["salience_rule"], "top", "the model's coding convention is the default");
    assert_eq!(one["forecasts"][0]["inputs"][0]["salience"], 1.0, "territory is Russia's heaviest issue");
    // With saliences relative to each actor's top issue the territorial forecast stays on
    // the lines the sources discuss (freeze to Donetsk); shares of twelve issues would make
    // everyone indifferent and hand the forecast to the first challenger (pre2022).
    let median = one["forecasts"][0]["result"]["median"].as_f64().unwrap();
    assert!((1.0..=3.0).contains(&median), "territory forecast {median}");
    let share = ok(dir.run(&["forecast", "--issue", "territory", "--salience", "share", "--format", "json"])).json();
    assert_eq!(share["forecasts"][0]["salience_rule"], "share");
    assert!(share["forecasts"][0]["inputs"][0]["salience"].as_f64().unwrap() < 0.5);
    let table = ok(dir.run(&["forecast", "--issue", "nato", "--positions"]));
    assert!(table.stdout.contains("NATO membership for Ukraine (nato)"), "{}", table.stdout);
    assert!(table.stdout.contains("best options") || table.stdout.contains("red lines rule out"), "{}", table.stdout);
}

#[test]
fn test_a_lever_changes_the_inputs() {
    let dir = Dir::new();
    let base = ok(dir.run(&["forecast", "--issue", "territory", "--format", "json"])).json();
    let alaska =
        ok(dir.run(&["forecast", "--issue", "territory", "--lever", "alaska_framework", "--format", "json"])).json();
    assert_eq!(alaska["levers"][0], "alaska_framework");
    // The lever makes Donetsk alone as good to Russia as all four regions: a plateau of
    // two neighbouring best options, so Russia stands at their midpoint.
    let rus = |j: &serde_json::Value| j["forecasts"][0]["inputs"][0]["position"].as_f64().unwrap();
    assert_eq!((rus(&base), rus(&alaska)), (4.0, 3.5));
}

#[test]
fn test_forecast_file_with_stated_uncertainty() {
    let dir = Dir::new();
    let f = dir.create("emission.toml", FILE);
    let j = ok(dir.run(&["forecast", f.to_str().unwrap(), "--runs", "200", "--seed", "3", "--format", "json"])).json();
    assert_eq!(j["kind"], "forecast_file");
    let case = &j["forecasts"][0];
    assert_eq!(case["salience_scale"], "percent");
    assert_eq!(case["inputs"][0]["salience"], 0.8);
    assert_eq!(case["inputs"][0]["provenance"]["capability"]["kind"], "cited");
    assert_eq!(case["uncertainty"][2]["capability"], 0.3);
    assert_eq!(case["uncertainty"][0]["salience"], 0.1);
    let d = &case["distribution"];
    assert_eq!(d["run"]["seed"], 3);
    assert_eq!(j["monte_carlo"]["runs"], 200);
    let shares: u64 = d["points"].as_array().unwrap().iter().map(|p| p["share"]["count"].as_u64().unwrap()).sum();
    assert_eq!(shares, 200, "every replicate lands nearest one labelled point");
    let counted: u64 = d["histogram"].as_array().unwrap().iter().map(|b| b["count"].as_u64().unwrap()).sum();
    assert_eq!(counted, 200);
    assert_eq!(d["rounds"].as_array().unwrap().len(), 11);
    let table = ok(dir.run(&["forecast", f.to_str().unwrap(), "--runs", "50"]));
    assert!(table.stdout.contains("the uncertainty each actor states"), "{}", table.stdout);
    assert!(table.stdout.contains("Seven years"), "{}", table.stdout);
}

#[test]
fn test_monte_carlo_is_byte_identical_on_any_thread_count() {
    let dir = Dir::new();
    let args = |jobs: &'static str| {
        vec![
            "forecast".to_string(),
            "--issue".into(),
            "nato".into(),
            "--runs".into(),
            "300".into(),
            "--seed".into(),
            "7".into(),
            "--position-spread".into(),
            "0.5".into(),
            "--capability-spread".into(),
            "0.3".into(),
            "--salience-spread".into(),
            "0.05".into(),
            "--jobs".into(),
            jobs.into(),
            "--format".into(),
            "json".into(),
        ]
    };
    let run = |jobs| {
        let a = args(jobs);
        ok(dir.run(&a.iter().map(String::as_str).collect::<Vec<_>>()))
    };
    let one = run("1");
    let two = run("2");
    assert_eq!(one.stdout, two.stdout, "byte-identical on 1 and 2 threads");
    let j = one.json();
    assert_eq!(j["monte_carlo"]["seed"], 7);
    assert_eq!(j["parley_version"], env!("CARGO_PKG_VERSION"));
    let sd = j["forecasts"][0]["distribution"]["median"]["sd"].as_f64().unwrap();
    assert!(sd.is_finite());
    let mut other = args("2");
    other[6] = "8".into();
    let different = ok(dir.run(&other.iter().map(String::as_str).collect::<Vec<_>>()));
    assert_ne!(different.stdout, one.stdout, "another seed draws other inputs");
}

#[test]
fn test_bad_input_names_the_place_and_exits_2() {
    let dir = Dir::new();
    let csv = dir.create("bad.csv", "Actor,Capability,Position,Salience\nA,1,4,0.5\nB,-1,7,0.5\n");
    let run = dir.run(&["forecast", csv.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("bad.csv:3:3"), "{}", run.stderr);
    assert!(run.stderr.contains("capability -1 must be greater than 0"), "{}", run.stderr);

    let run = dir.run(&["forecast", "--issue", "forces"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unordered options") && run.stderr.contains("ordered = true"), "{}", run.stderr);
    let run = dir.run(&["forecast", "--issue", "nope"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no issue \"nope\"") && run.stderr.contains("territory"), "{}", run.stderr);
    let run = dir.run(&["forecast", &emission(), "--issue", "territory"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--issue applies to scenarios"), "{}", run.stderr);
    let run = dir.run(&["forecast", &emission(), "--runs", "10"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("needs the inputs' uncertainty"), "{}", run.stderr);
    let run = dir.run(&["forecast", &emission(), "--position-spread", "1"]);
    assert_eq!(run.code, 2);
    let run = dir.run(&["forecast", &emission(), "--runs", "10", "--capability-spread", "1.5"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("uncertainty of the capability is 1.5"), "{}", run.stderr);
    let run = dir.run(&["forecast", &emission(), "--rounds", "0"]);
    assert_eq!(run.code, 2);
    let run = dir.run(&["forecast", "missing.csv"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot read missing.csv"), "{}", run.stderr);

    // A scenario whose actors have no power cannot be forecast: say which.
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let start = readme.find("```toml\n").unwrap() + "```toml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let car = dir.create("car.toml", &readme[start..end]);
    let run = dir.run(&["forecast", car.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no power (capability): buyer, seller") && run.stderr.contains("power = {"),
        "{}",
        run.stderr
    );

    let bad = dir.create("bad.toml", &FILE.replace("salience = { value = 40,", "salience = { value = 400,"));
    let run = dir.run(&["forecast", bad.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("salience 400 is outside [0, 100]") && run.stderr.contains("bad.toml:"),
        "{}",
        run.stderr
    );
}
