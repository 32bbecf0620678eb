//! Genius XML folders through the binary: `analyze` against NegMAS 0.16.0 on the test
//! domains of `crates/io/tests/data/genius` (parley's own, see their README), `sources`, and
//! `convert` both ways.

use std::path::PathBuf;

use crate::util::{Dir, repo_root};

/// The test domains, in the repository.
fn domains() -> PathBuf {
    repo_root().join("crates/io/tests/data/genius")
}

fn domain(name: &str) -> String {
    domains().join(name).to_str().expect("utf-8 path").to_string()
}

/// NegMAS 0.16.0's output on the test domains (`bench/peers/negmas_genius.py --domains
/// crates/io/tests/data/genius`): one row per domain and semantics.
fn reference() -> Vec<serde_json::Value> {
    let path = repo_root().join("bench/peers/negmas_genius_fixtures_results.json");
    let recorded: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(recorded["negmas_version"], "0.16.0");
    let rows = recorded["domains"].as_array().unwrap().clone();
    let mut cases: Vec<String> = rows
        .iter()
        .map(|r| format!("{} {}", r["domain"].as_str().unwrap(), r["semantics"].as_str().unwrap()))
        .collect();
    cases.sort();
    assert_eq!(cases, ["Bicycle genius", "Bicycle negmas", "Catering genius", "Catering negmas"]);
    rows
}

fn pair(v: &serde_json::Value) -> [f64; 2] {
    [v[0].as_f64().unwrap(), v[1].as_f64().unwrap()]
}

fn utilities(package: &serde_json::Value) -> [f64; 2] {
    let u = &package["utilities"];
    [u["p0"].as_f64().unwrap(), u["p1"].as_f64().unwrap()]
}

fn close(got: [f64; 2], want: [f64; 2]) -> bool {
    got.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-6)
}

/// Packages on NegMAS's frontier that are dominated in exact arithmetic. In Catering under
/// NegMAS's raw reading, package 19 (price $24.00, 5 courses, in advance, 50% refund) is
/// worth (27.1, 7.15) and package 11 (3 courses, full refund) (27.1, 7.4); the caterer's
/// 27.1 sums to 27.1 in package 19 but to 27.099999999999998 in package 11, so NegMAS keeps
/// both. Likewise 55 against 47 (23.1 to the caterer) and 127 against 119 (13.1). Checked
/// with exact fractions.
const FLOAT_TIES: &[FloatTies] =
    &[FloatTies { domain: "Catering", semantics: "negmas", dominated: &[(19, 11), (55, 47), (127, 119)] }];

/// The packages of one domain and semantics that NegMAS keeps only by a rounding error.
struct FloatTies {
    domain: &'static str,
    semantics: &'static str,
    /// `(package NegMAS keeps, the package of parley's frontier dominating it)`.
    dominated: &'static [(u64, u64)],
}

/// Pareto frontier size, Nash and KS utilities and packages as NegMAS 0.16.0 computes them,
/// under both semantics, on both test domains; NegMAS's frontier differs only by the
/// packages of [`FLOAT_TIES`].
#[test]
fn test_genius_domains_match_negmas() {
    let dir = Dir::new();
    for r in reference() {
        let (name, semantics) = (r["domain"].as_str().unwrap(), r["semantics"].as_str().unwrap());
        let run = dir.run(&[
            "analyze",
            &domain(name),
            "--semantics",
            semantics,
            "--disagreement",
            "negmas",
            "--format",
            "json",
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let j = run.json();
        let case = format!("{name} ({semantics} semantics)");
        // NegMAS's frontier leaves out packages below a party's reserved value (the test
        // domains have some; the ANAC ones, with reservation values 0, had none).
        let reserved = pair(&r["reserved_values"]);
        let frontier: Vec<serde_json::Value> = j["frontier"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| utilities(p).iter().zip(reserved).all(|(u, r)| *u >= r))
            .cloned()
            .collect();
        // NegMAS sums utilities in floating point, parley exactly (equal decimals tie): the
        // packages NegMAS keeps only because of a rounding error are dominated on parley's
        // frontier by a package of equal utility to one party and more to the other.
        let float_ties: Vec<&(u64, u64)> = FLOAT_TIES
            .iter()
            .filter(|t| (t.domain, t.semantics) == (name, semantics))
            .flat_map(|t| t.dominated)
            .collect();
        for (kept, by) in &float_ties {
            let index = |i: &u64| frontier.iter().find(|p| p["index"] == *i);
            assert!(index(kept).is_none(), "{case}: package {kept} is dominated by {by}");
            assert!(index(by).is_some(), "{case}: package {by} is on the frontier");
        }
        assert_eq!(
            frontier.len() + float_ties.len(),
            r["pareto_size"].as_u64().unwrap() as usize,
            "{case}: Pareto frontier size"
        );
        let solution = |concept: &str| {
            j["solutions"].as_array().unwrap().iter().find(|s| s["concept"] == concept).cloned().expect(concept)
        };
        let nash = solution("nash");
        let (nash_want, nash_index) = (pair(&r["nash"]["utilities"]), &r["nash"]["outcome_index"]);
        assert_eq!(r["nash"]["ties"], 1, "{case}: one Nash point");
        assert!(close(utilities(&nash["package"]), nash_want), "{case}: Nash {nash}, NegMAS {nash_want:?}");
        assert_eq!(&nash["package"]["index"], nash_index, "{case}: Nash package");
        // Kalai-Smorodinsky: parley maximises the smallest share of the possible gain, NegMAS
        // 0.16's `ks_points` minimises the spread between the largest and smallest shares
        // (docs/GLOSSARY.md). Both are computed here from parley's frontier: parley's point
        // is the first, NegMAS's the second; where they coincide the packages agree.
        let (max_min, min_spread) = ks_candidates(&j, &frontier);
        let ks = solution("kalai_smorodinsky");
        let (ks_want, ks_index) = (pair(&r["ks"]["utilities"]), r["ks"]["outcome_index"].as_u64().unwrap());
        assert_eq!(ks["package"]["index"], max_min, "{case}: parley's KS maximises the smallest share");
        assert_eq!(min_spread, ks_index, "{case}: NegMAS's KS minimises the spread of the shares");
        let negmas_ks = frontier.iter().find(|p| p["index"] == ks_index).unwrap();
        assert!(close(utilities(negmas_ks), ks_want), "{case}: NegMAS KS {ks_want:?} vs {negmas_ks}");
        if max_min == ks_index {
            assert!(close(utilities(&ks["package"]), ks_want), "{case}: KS {ks}, NegMAS {ks_want:?}");
        }
    }
}

/// The packages (by index) of `frontier` that maximise the smallest share of the possible
/// gain, and that minimise the spread of the shares, with the disagreement point and best
/// utilities of an `analyze --format json` report (the first in frontier order on ties).
fn ks_candidates(j: &serde_json::Value, frontier: &[serde_json::Value]) -> (u64, u64) {
    let actors = j["actors"].as_array().unwrap();
    let shares = |p: &serde_json::Value| -> Vec<f64> {
        actors
            .iter()
            .map(|a| {
                let (d, best) = (a["disagreement"].as_f64().unwrap(), a["best"].as_f64().unwrap());
                (p["utilities"][a["id"].as_str().unwrap()].as_f64().unwrap() - d) / (best - d)
            })
            .collect()
    };
    let mut max_min = (f64::NEG_INFINITY, 0);
    let mut min_spread = (f64::INFINITY, 0);
    for p in frontier {
        let s = shares(p);
        let lo = s.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let index = p["index"].as_u64().unwrap();
        if lo > max_min.0 {
            max_min = (lo, index);
        }
        if hi - lo < min_spread.0 {
            min_spread = (hi - lo, index);
        }
    }
    (max_min.1, min_spread.1)
}

/// The two semantics are different preferences, not a rescaling: the Nash package moves.
#[test]
fn test_semantics_change_the_catering_nash_package() {
    let dir = Dir::new();
    let nash = |semantics: &str| {
        let run = dir.run(&["analyze", &domain("Catering"), "--semantics", semantics, "--format", "json"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.json()["solutions"][0]["package"]["terms"].clone()
    };
    let genius = nash("genius");
    assert_eq!(genius["cancellation"], "v_50_refund");
    assert_eq!(nash("negmas")["cancellation"], "full_refund");
    let default = dir.run(&["analyze", &domain("Catering"), "--format", "json"]).json();
    assert_eq!(default["solutions"][0]["package"]["terms"], genius, "genius is the default");
}

#[test]
fn test_semantics_with_a_scenario_file_is_a_usage_error() {
    let coalition = repo_root().join("scenarios/coalition-2025.toml");
    let run = Dir::new().run(&["analyze", coalition.to_str().unwrap(), "--semantics", "negmas"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--semantics applies to Genius folders only"), "{}", run.stderr);
}

#[test]
fn test_sources_cite_the_xml_files() {
    let run = Dir::new().run(&["sources", &domain("Bicycle"), "--strict", "--format", "json"]);
    assert_eq!(run.code, 0, "every number is cited: {}", run.stderr);
    let j = run.json();
    let numbers = j["numbers"].as_array().unwrap();
    let discount = numbers.iter().find(|n| n["path"] == "preferences.p0.discount").expect("the discount is listed");
    assert_eq!(discount["provenance"]["citation"]["source"], "bicycle_buyer");
    assert!((discount["value"].as_f64().unwrap() - 0.5).abs() < 1e-12);
    assert_eq!(j["summary"]["unstated"], 0);
}

/// Folder → scenario file → folder → scenario: the same analysis, under both semantics.
#[test]
fn test_convert_roundtrip_gives_the_same_utilities() {
    let dir = Dir::new();
    for name in ["Bicycle", "Catering"] {
        let toml = format!("{name}.toml");
        let run = dir.run(&["convert", &domain(name), "-o", &toml]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.contains("genius semantics"), "{}", run.stdout);
        let validated = dir.run(&["validate", &toml]);
        assert_eq!(validated.code, 0, "{}", validated.stderr);
        let folder = format!("{name}-again");
        let run = dir.run(&["convert", &toml, "-o", &folder]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.stderr, "", "no warning for a Genius-read scenario");
        let analysis = |input: &str, semantics: &str| {
            let run =
                dir.run(&["analyze", input, "--semantics", semantics, "--disagreement", "negmas", "--format", "json"]);
            assert_eq!(run.code, 0, "{}", run.stderr);
            run.json()
        };
        let first = analysis(&domain(name), "genius");
        // The scenario file holds Genius's reading; the folder written from it lists each
        // issue's best value as 1 and weights summing to 1, so both semantics read it alike.
        for semantics in ["genius", "negmas"] {
            let second = analysis(dir.path(&folder).to_str().unwrap(), semantics);
            let frontier = |j: &serde_json::Value| j["frontier"].as_array().unwrap().clone();
            assert_eq!(frontier(&first).len(), frontier(&second).len(), "{name} {semantics}");
            for (a, b) in frontier(&first).iter().zip(frontier(&second).iter()) {
                assert_eq!(a["index"], b["index"]);
                assert!(close(utilities(a), utilities(b)), "{name} {semantics}: {a} vs {b}");
            }
        }
        // Converting the scenario file again gives the same analysis as the original folder.
        let back = format!("{name}-back.json");
        assert_eq!(dir.run(&["convert", &folder, "-o", &back]).code, 0);
        let solutions = |input: &str| dir.run(&["analyze", input, "--format", "json"]).json()["solutions"].clone();
        let (a, b) = (solutions(&toml), solutions(&back));
        assert_eq!(a.as_array().unwrap().len(), 4);
        for (x, y) in a.as_array().unwrap().iter().zip(b.as_array().unwrap()) {
            assert_eq!((&x["concept"], &x["package"]["index"]), (&y["concept"], &y["package"]["index"]));
            assert!(close(utilities(&x["package"]), utilities(&y["package"])), "{x} vs {y}");
        }
    }
}

#[test]
fn test_convert_writes_a_genius_folder_that_reads_back() {
    let dir = Dir::new();
    let car = dir.create("car.toml", crate::validate::MINIMAL);
    let run = dir.run(&["convert", car.to_str().unwrap(), "-o", "car-genius", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = run.json()["files"].clone();
    assert_eq!(files.as_array().unwrap().len(), 3, "domain and two profiles: {files}");
    let original = dir.run(&["analyze", "car.toml", "--format", "json"]).json();
    let genius = dir.run(&["analyze", "car-genius", "--semantics", "negmas", "--format", "json"]).json();
    assert_eq!(original["frontier"].as_array().unwrap().len(), genius["frontier"].as_array().unwrap().len());
    assert_eq!(original["solutions"][0]["package"]["index"], genius["solutions"][0]["package"]["index"]);
    // Writing into a folder that holds other Genius files would mix two domains.
    dir.create("car-genius/other.xml", "<utility_space/>");
    let again = dir.run(&["convert", "car.toml", "-o", "car-genius"]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already holds other XML files (other.xml)"), "{}", again.stderr);
}

#[test]
fn test_convert_refuses_what_genius_cannot_express() {
    let dir = Dir::new();
    let built_in = repo_root().join("scenarios/ukraine-2025.toml");
    let run = dir.run(&["convert", built_in.to_str().unwrap(), "-o", "ukraine"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot be written as Genius XML"), "{}", run.stderr);
    assert!(run.stderr.contains("red line"), "{}", run.stderr);
    assert!(!dir.path("ukraine").exists(), "nothing is written");
}

#[test]
fn test_convert_negmas_reading_to_a_scenario_file_is_refused() {
    let dir = Dir::new();
    let run = dir.run(&["convert", &domain("Bicycle"), "-o", "bicycle.toml", "--semantics", "negmas"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("the negmas reading of"), "{}", run.stderr);
    assert!(!dir.path("bicycle.toml").exists());
}

#[test]
fn test_broken_folder_names_file_line_and_column() {
    let dir = Dir::new();
    std::fs::create_dir(dir.path("broken")).unwrap();
    for entry in std::fs::read_dir(domains().join("Bicycle")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path("broken").join(entry.file_name())).unwrap();
    }
    let profile = dir.path("broken/bicycle_seller.xml");
    let text = std::fs::read_to_string(&profile).unwrap().replace("value=\"Aluminium\"", "value=\"Aluminum\"");
    std::fs::write(&profile, text).unwrap();
    let run = dir.run(&["analyze", "broken"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("issue \"Frame\" has no value \"Aluminum\" in the domain"), "{}", run.stderr);
    assert!(run.stderr.contains("broken/bicycle_seller.xml:6:"), "{}", run.stderr);
    let empty = dir.run(&["analyze", "."]);
    assert_eq!(empty.code, 2);
    assert!(empty.stderr.contains("no domain file"), "{}", empty.stderr);
}
