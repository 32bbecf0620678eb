//! `parley negotiate` and `parley tournament` through the real binary.

use crate::util::{Dir, repo_root};

fn coalition() -> String {
    repo_root().join("scenarios/coalition-2025.toml").to_str().unwrap().to_string()
}

fn domains() -> std::path::PathBuf {
    repo_root().join("../shared/domains")
}

#[test]
fn test_negotiate_prints_trace_and_outcome() {
    let run = Dir::new().run(&["negotiate", &coalition()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for text in ["stacked_alternating_offers", "offers", "Outcome: agreement", "Distance to the Pareto frontier"] {
        assert!(run.stdout.contains(text), "missing {text:?}:\n{}", run.stdout);
    }
}

#[test]
fn test_negotiate_json_is_reproducible_byte_for_byte() {
    let dir = Dir::new();
    let args = ["negotiate", &coalition(), "--strategy", "green=random", "--seed", "11", "--format", "json"];
    let (a, b) = (dir.run(&args), dir.run(&args));
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!(a.stdout, b.stdout);
    let j = a.json();
    assert_eq!(j["seed"], 11);
    assert!(!j["trace"].as_array().unwrap().is_empty());
    assert!(j["trace"][0]["utilities"].as_array().unwrap().len() == 3, "every party's utility of each offer");
    let other = dir.run(&["negotiate", &coalition(), "--strategy", "green=random", "--seed", "12", "--format", "json"]);
    assert_ne!(other.stdout, a.stdout, "another seed, another negotiation");
}

#[test]
fn test_negotiate_other_protocols() {
    let dir = Dir::new();
    let mediated =
        dir.run(&["negotiate", &coalition(), "--protocol", "mediated", "--mediator", "social", "--format", "json"]);
    assert_eq!(mediated.code, 0, "{}", mediated.stderr);
    assert_eq!(mediated.json()["protocol"], "mediated_single_text");
    let staged = dir.run(&[
        "negotiate",
        &coalition(),
        "--protocol",
        "sequenced",
        "--stage",
        "budget,finance",
        "--format",
        "json",
    ]);
    assert_eq!(staged.code, 0, "{}", staged.stderr);
    assert_eq!(staged.json()["protocol"], "sequenced");
}

#[test]
fn test_negotiate_bad_arguments_are_exit_2() {
    let dir = Dir::new();
    for (args, message) in [
        (vec!["negotiate", "--strategy", "rus=stubborn"], "unknown strategy"),
        (vec!["negotiate", "--strategy", "nobody=boulware"], "unknown actor"),
        (vec!["negotiate", "--strategy", "europe=boulware"], "not at the table"),
        (vec!["negotiate", "--protocol", "sequenced", "--stage", "territory,borders"], "unknown issue"),
    ] {
        let run = dir.run(&args);
        assert_eq!(run.code, 2, "{args:?}");
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
    }
}

/// Boulware vs Boulware, 100 rounds, NegMAS's raw reading and no discounting: the
/// agreements NegMAS 0.16.0 reaches (bench/peers/negmas_genius_sao_results.jsonl).
#[test]
fn test_boulware_on_genius_domains_matches_negmas() {
    let dir = Dir::new();
    for (domain, agreement, step) in [
        ("Laptop", [("laptop", "macintosh"), ("harddisk", "60_gb"), ("external_monitor", "19_lcd")].as_slice(), 70),
        (
            "ItexvsCypress",
            [
                ("price", "3_71"),
                ("delivery", "30_days"),
                ("payment", "30_days_after_delivery"),
                ("returns", "5_spoilage_allowed"),
            ]
            .as_slice(),
            79,
        ),
    ] {
        let folder = domains().join(domain);
        assert!(folder.is_dir(), "shared domains beside the repository: {}", folder.display());
        let run = dir.run(&["negotiate", folder.to_str().unwrap(), "--semantics", "negmas", "--format", "json"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let j = run.json();
        for (issue, option) in agreement {
            assert_eq!(j["agreement"][issue], *option, "{domain}");
        }
        // NegMAS counts steps from 1 and reports the step after the agreement round.
        assert_eq!(j["termination"]["round"].as_u64().unwrap() + 1, step, "{domain}");
    }
}

#[test]
fn test_tournament_table_and_json() {
    let dir = Dir::new();
    let laptop = domains().join("Laptop");
    let args = [
        "tournament",
        &coalition(),
        laptop.to_str().unwrap(),
        "--strategies",
        "boulware,conceder,hardliner",
        "--rounds",
        "50",
    ];
    let table = dir.run(&args);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(table.stdout.contains("agreements") && table.stdout.contains("Hardliner"), "{}", table.stdout);
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let j = dir.run(&json_args).json();
    // 3 strategies: 27 seatings of the 3-party coalition, 9 of the 2-party laptop.
    assert_eq!(j["tournament"]["records"].as_array().unwrap().len(), 27 + 9);
    assert_eq!(j["tournament"]["stats"].as_array().unwrap().len(), 3);
    let one = dir.run(&[&["--jobs", "1"], json_args.as_slice()].concat());
    assert_eq!(one.stdout, dir.run(&json_args).stdout, "the same on any number of threads");
}
