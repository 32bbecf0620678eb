//! The Genius reader and writer on the test domains of `tests/data/genius` (small domains
//! of parley's own in the Genius format, see its README) and on malformed copies of them.

use crate::tests::render;
use std::path::{Path, PathBuf};

use parley_core::{Provenance, Scenario, UtilityModel};

use super::*;
use crate::{Error, Format, parse, to_toml};

/// The test domain `tests/data/genius/NAME`.
fn domain(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/genius").join(name);
    assert!(dir.is_dir(), "{} is missing", dir.display());
    dir
}

fn load(dir: &Path, semantics: Semantics) -> Scenario {
    let options = GeniusOptions { semantics, ..GeniusOptions::default() };
    match load_genius(dir, &options) {
        Ok(loaded) => loaded.scenario,
        Err(e) => panic!("{}", render(&e)),
    }
}

/// A copy of a test domain in a temporary folder, with `edits` applied to `file`.
fn edited(name: &str, file: &str, edits: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(domain(name)).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let path = dir.path().join(file);
    let mut text = std::fs::read_to_string(&path).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "{from:?} not in {file}");
        text = text.replacen(from, to, 1);
    }
    std::fs::write(&path, text).unwrap();
    dir
}

/// The rendered error of loading `dir`, with the temporary folder's path replaced.
fn error_of(dir: &tempfile::TempDir) -> String {
    let e = load_genius(dir.path(), &GeniusOptions::default()).expect_err("an error");
    render(&e).replace(&dir.path().display().to_string(), "DIR")
}

fn utility(s: &Scenario, actor: usize, labels: &[&str]) -> f64 {
    let outcome: Vec<u32> = s
        .issues
        .iter()
        .zip(labels)
        .map(|(i, l)| i.options.iter().position(|o| o.label == *l).expect("label") as u32)
        .collect();
    UtilityModel::new(s).unwrap().utility(actor, &outcome)
}

const BUYER_W: [f64; 3] = [0.5, 0.3, 0.2];

#[test]
fn test_load_bicycle_structure() {
    let s = load(&domain("Bicycle"), Semantics::Genius);
    assert_eq!(s.metadata.id, "bicycle");
    let actors: Vec<(&str, &str)> = s.actors.iter().map(|a| (a.id.as_str(), a.name.as_str())).collect();
    assert_eq!(actors, [("p0", "bicycle_buyer"), ("p1", "bicycle_seller")], "sorted file names");
    assert!(s.actors.iter().all(|a| a.veto.is_full()));
    let issues: Vec<&str> = s.issues.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(issues, ["frame", "wheel_size", "delivery"]);
    assert_eq!(s.issues[1].name, "Wheel Size");
    let options = |i: usize| -> Vec<(String, String)> {
        s.issues[i].options.iter().map(|o| (o.id.clone(), o.label.clone())).collect()
    };
    let pairs = |p: &[(&str, &str)]| -> Vec<(String, String)> {
        p.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    };
    assert_eq!(
        options(1),
        pairs(&[("v_26_wheels", "26'' wheels"), ("v_27_5_wheels", "27.5'' wheels"), ("v_29_wheels", "29'' wheels")])
    );
    assert_eq!(
        options(2),
        pairs(&[("pick_up", "Pick-up"), ("cafe_drop_off", "Café drop-off"), ("next_day", "Next day")])
    );
    assert_eq!(s.outcome_space().len(), Some(27));
    for p in &s.preferences {
        approx::assert_relative_eq!(p.discount.as_ref().expect("a discount").value, 0.5);
    }
    approx::assert_relative_eq!(s.preferences[0].reservation.value, 0.1);
    approx::assert_relative_eq!(s.preferences[1].reservation.value, 0.0);
    let catering = load(&domain("Catering"), Semantics::Genius);
    assert_eq!(catering.actors[0].name, "catering_caterer");
    assert_eq!(catering.issues[0].id, "price_per_head");
    assert_eq!(catering.issues[0].options[0].id, "v_24_00");
    assert_eq!(catering.issues[3].options[1].id, "v_50_refund");
    assert!(catering.preferences.iter().all(|p| p.discount.is_none()), "no <discount_factor>: no discounting");
}

/// Every id a Genius folder yields follows the id rule, and every original name is kept as
/// the label.
#[test]
fn test_genius_names_become_valid_ids_and_labels() {
    for name in ["Bicycle", "Catering"] {
        let s = load(&domain(name), Semantics::Genius);
        let mut ids = vec![s.metadata.id.clone()];
        ids.extend(s.sources.iter().map(|x| x.id.clone()));
        ids.extend(s.actors.iter().map(|x| x.id.clone()));
        ids.extend(s.issues.iter().map(|x| x.id.clone()));
        ids.extend(s.issues.iter().flat_map(|i| i.options.iter().map(|o| o.id.clone())));
        for id in &ids {
            assert_eq!(crate::id::check(id), Ok(()), "{name}: {id}");
        }
    }
    let s = load(&domain("Catering"), Semantics::Genius);
    let labels: Vec<&str> = s.issues[0].options.iter().map(|o| o.label.as_str()).collect();
    assert_eq!(labels, ["$24.00", "$22.50", "$21.00", "$19.50", "$18.00"]);
}

/// Genius divides each issue's evaluations by their maximum and the weights by their sum.
#[test]
fn test_bicycle_genius_semantics() {
    let s = load(&domain("Bicycle"), Semantics::Genius);
    let want = BUYER_W[0] * 10.0 / 40.0 + BUYER_W[1] * 5.0 / 20.0 + BUYER_W[2] * 1.0 / 3.0;
    // Utilities are exact sums of weighted values rounded to 1e-12 (one rounding per issue).
    approx::assert_abs_diff_eq!(utility(&s, 0, &["Steel", "26'' wheels", "Pick-up"]), want, epsilon = 2e-12);
    // The seller's delivery evaluations are 4/3/1: Genius reads them as 1, 3/4, 1/4.
    let p1 = &s.preferences[1];
    let delivery: Vec<f64> = (0..3).map(|o| p1.values[2].as_ref().unwrap().value(&s.issues[2], o)).collect();
    approx::assert_relative_eq!(delivery.as_slice(), [1.0, 0.75, 0.25].as_slice(), max_relative = 1e-12);
    // Utilities lie in [0, 1] and the best package is worth 1.
    let (m, space) = (UtilityModel::new(&s).unwrap(), s.outcome_space());
    let best = (0..27).map(|i| m.utility(0, &space.decode(i))).fold(f64::NEG_INFINITY, f64::max);
    approx::assert_relative_eq!(best, 1.0, max_relative = 1e-12);
}

/// NegMAS's raw reading: `Σ w·e` with the numbers as written, also when the weights do not
/// sum to 1 (the caterer's sum to 1.05).
#[test]
fn test_negmas_raw_semantics() {
    let s = load(&domain("Bicycle"), Semantics::NegmasRaw);
    let package = ["Steel", "26'' wheels", "Pick-up"];
    approx::assert_relative_eq!(utility(&s, 0, &package), 0.5 * 10.0 + 0.3 * 5.0 + 0.2 * 1.0, max_relative = 1e-12);
    approx::assert_relative_eq!(utility(&s, 1, &package), 0.45 * 30.0 + 0.2 * 12.0 + 0.35 * 4.0, max_relative = 1e-12);
    let c = load(&domain("Catering"), Semantics::NegmasRaw);
    let package = ["$24.00", "Buffet", "In advance", "No refund"];
    approx::assert_relative_eq!(
        utility(&c, 0, &package),
        0.4 * 50.0 + 0.15 * 9.0 + 0.3 * 20.0 + 0.2 * 6.0,
        max_relative = 1e-12
    );
}

#[test]
fn test_every_number_cites_its_file_and_line() {
    let s = load(&domain("Bicycle"), Semantics::Genius);
    assert_eq!(
        s.sources.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(),
        ["bicycle_domain", "bicycle_buyer", "bicycle_seller"]
    );
    let numbers = s.numbers();
    for n in &numbers {
        if n.path == "preferences.p1.reservation" {
            // The seller's profile has no <reservation>: 0, as Genius and NegMAS read it.
            assert!(matches!(*n.quantity.provenance, Provenance::Assumption { .. }), "{:?}", n.quantity);
        } else {
            assert!(matches!(*n.quantity.provenance, Provenance::Cited { .. }), "{}: {:?}", n.path, n.quantity);
        }
    }
    let text = std::fs::read_to_string(domain("Bicycle").join("bicycle_buyer.xml")).unwrap();
    let line = text.lines().filter(|l| !l.trim().is_empty()).position(|l| l.contains("<weight index=\"1\"")).unwrap();
    let weight = numbers.iter().find(|n| n.path == "preferences.p0.weights.frame").unwrap();
    let Provenance::Cited { citation } = &*weight.quantity.provenance else { unreachable!() };
    assert_eq!(citation.to_string(), format!("bicycle_buyer#{}", line + 1));
    assert!(numbers.iter().any(|n| n.path == "preferences.p1.discount"));
}

/// A scenario read with Genius semantics is a valid scenario file as it stands.
#[test]
fn test_genius_scenario_is_a_valid_scenario_file() {
    for name in ["Bicycle", "Catering"] {
        let s = load(&domain(name), Semantics::Genius);
        let text = to_toml(&s).unwrap();
        let back = parse(&text, "converted.toml", Format::Toml).unwrap();
        assert!(back.warnings.is_empty(), "{name}: {:?}", back.warnings);
        assert_eq!(back.scenario, s, "{name}");
    }
}

/// Folder → scenario → folder → scenario gives the same utilities, under both semantics.
#[test]
fn test_folder_roundtrip_keeps_utilities() {
    for name in ["Bicycle", "Catering"] {
        for semantics in [Semantics::Genius, Semantics::NegmasRaw] {
            let first = load(&domain(name), semantics);
            let export = to_genius(&first).unwrap();
            if semantics == Semantics::Genius {
                assert!(export.warnings.is_empty(), "{name}: {:?}", export.warnings);
            }
            let dir = tempfile::tempdir().unwrap();
            for f in &export.files {
                std::fs::write(dir.path().join(&f.name), &f.text).unwrap();
            }
            let second = load(dir.path(), semantics);
            assert_eq!(second.issues.len(), first.issues.len());
            for (a, b) in first.issues.iter().zip(&second.issues) {
                assert_eq!((&a.id, &a.name), (&b.id, &b.name));
                let labels = |i: &parley_core::Issue| i.options.iter().map(|o| o.label.clone()).collect::<Vec<_>>();
                assert_eq!(labels(a), labels(b));
            }
            let (m1, m2) = (UtilityModel::new(&first).unwrap(), UtilityModel::new(&second).unwrap());
            let space = first.outcome_space();
            for i in 0..space.len().unwrap() {
                let o = space.decode(i);
                for (u1, u2) in m1.utilities(&o).iter().zip(m2.utilities(&o)) {
                    approx::assert_relative_eq!(*u1, u2, max_relative = 1e-12);
                }
            }
            for (p1, p2) in first.preferences.iter().zip(&second.preferences) {
                assert_eq!(p1.discount.as_ref().map(|d| d.value), p2.discount.as_ref().map(|d| d.value));
                approx::assert_relative_eq!(p1.reservation.value, p2.reservation.value);
            }
        }
    }
}

#[test]
fn test_export_layout() {
    let s = load(&domain("Bicycle"), Semantics::Genius);
    let export = to_genius(&s).unwrap();
    let names: Vec<&str> = export.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["bicycle_domain.xml", "bicycle_00_p0.xml", "bicycle_01_p1.xml"]);
    assert!(export.files[0].text.contains("value=\"26'' wheels\""));
    assert!(export.files[1].text.contains("<discount_factor value=\"0.5\">"));
}

#[test]
fn test_export_refuses_red_lines_linkages_and_non_veto_actors() {
    let text = r#"
[scenario]
id = "deal"
title = "A deal"

[[actors]]
id = "a"
name = "A"
role = "other"
veto = true

[[actors]]
id = "b"
name = "B"
role = "other"
veto = false

[[issues]]
id = "x"
name = "X"
kind = "categorical"
options = [{ id = "yes" }, { id = "no" }]

[[preferences]]
actor = "a"
reservation = 0.2
weights = { x = 1.0 }
values.x = { options = { yes = 1.0, no = 0.0 } }
red_lines = [{ id = "never-no", when = { x = "no" }, reason = "test" }]

[[preferences]]
actor = "b"
reservation = 0.2
weights = { x = 1.0 }
values.x = { options = { yes = 0.0, no = 1.0 } }
linkages = [{ id = "bonus", when = { x = "yes" }, delta = 0.1 }]
"#;
    let s = parse(text, "deal.toml", Format::Toml).unwrap().scenario;
    let e = to_genius(&s).unwrap_err();
    let Error::Unsupported { count, .. } = &e else { panic!("unsupported") };
    assert_eq!(*count, 3);
    insta::assert_snapshot!(render(&e));
}

#[test]
fn test_export_warns_when_genius_would_rescale() {
    let base = load(&domain("Bicycle"), Semantics::Genius);
    let mut s = base.clone();
    if let Some(parley_core::ValueFunction::Table { values }) = &mut s.preferences[0].values[0] {
        for v in values.iter_mut() {
            v.value *= 0.5;
        }
    }
    let export = to_genius(&s).unwrap();
    assert_eq!(export.warnings.len(), 1);
    assert!(export.warnings[0].message.contains("actor \"p0\": its best value on issue \"frame\" (0.5)"));
}

/// Integer and real issues with Genius's and NegMAS's evaluators.
#[test]
fn test_numeric_issues_under_both_semantics() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write(
        "d.xml",
        r#"<negotiation_template><utility_space><objective index="0" name="root">
  <issue index="1" name="n" type="integer" lowerbound="2" upperbound="6"/>
  <issue index="2" name="price" type="real"><range lowerbound="10.0" upperbound="40.0"/></issue>
</objective></utility_space></negotiation_template>"#,
    );
    write(
        "p_a.xml",
        r#"<utility_space><reservation value="0.25"/><objective index="0" name="root">
  <issue index="1" name="n" type="integer"><evaluator ftype="linear" offset="0.5" slope="0.25"/></issue>
  <issue index="2" name="price" type="real"><evaluator ftype="triangular" parameter0="10" parameter1="40" parameter2="25"/></issue>
  <weight index="1" value="3"/><weight index="2" value="1"/>
</objective></utility_space>"#,
    );
    let genius = load(dir.path(), Semantics::Genius);
    assert_eq!(genius.issues[0].options.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(), ["2", "3", "4", "5", "6"]);
    assert_eq!(genius.issues[1].options.len(), DEFAULT_REAL_STEPS as usize);
    let v = |s: &Scenario, issue: usize, o: usize| {
        s.preferences[0].values[issue].as_ref().unwrap().value(&s.issues[issue], o)
    };
    // Genius: 0.5 + 0.25·(n − 2), clamped to [0, 1].
    let n: Vec<f64> = (0..5).map(|o| v(&genius, 0, o)).collect();
    approx::assert_relative_eq!(n.as_slice(), [0.5, 0.75, 1.0, 1.0, 1.0].as_slice());
    // The triangle peaks at 25 (option 5 of 0..=10 over [10, 40]).
    approx::assert_relative_eq!(v(&genius, 1, 5), 1.0);
    approx::assert_relative_eq!(v(&genius, 1, 0), 0.0);
    approx::assert_relative_eq!(genius.preferences[0].normalised_weights().as_slice(), [0.75, 0.25].as_slice());
    // NegMAS: 0.5 + 0.25·n unclamped; raw weights 3 and 1 (stored as 3/4, 1/4 with values ×4).
    let raw = load(dir.path(), Semantics::NegmasRaw);
    let m = UtilityModel::new(&raw).unwrap();
    let u = m.utility(0, &[4, 5]); // n = 6, price = 25
    approx::assert_relative_eq!(u, 3.0 * (0.5 + 0.25 * 6.0) + 1.0 * 1.0, max_relative = 1e-12);
    approx::assert_relative_eq!(raw.preferences[0].reservation.value, 0.25);
}

#[test]
fn test_error_malformed_xml() {
    let dir =
        edited("Bicycle", "bicycle_seller.xml", &[("</issue>\n<issue index=\"2\"", "</isue>\n<issue index=\"2\"")]);
    let e = load_genius(dir.path(), &GeniusOptions::default()).unwrap_err();
    let Error::Invalid { diagnostics, .. } = &e else { panic!("invalid") };
    assert_eq!(diagnostics[0].line_column(), Some((10, 1)), "the misspelt closing tag");
    insta::assert_snapshot!(error_of(&dir));
}

#[test]
fn test_error_unknown_issue_in_profile() {
    let dir = edited("Bicycle", "bicycle_buyer.xml", &[("name=\"Wheel Size\"", "name=\"Wheel size\"")]);
    insta::assert_snapshot!(error_of(&dir));
}

#[test]
fn test_error_value_not_in_domain() {
    let dir = edited("Catering", "catering_client.xml", &[("value=\"30 days after\"", "value=\"30days after\"")]);
    insta::assert_snapshot!(error_of(&dir));
}

#[test]
fn test_error_evaluation_not_a_number() {
    let dir = edited("Bicycle", "bicycle_buyer.xml", &[("evaluation=\"20\"", "evaluation=\"twenty\"")]);
    insta::assert_snapshot!(error_of(&dir));
}

#[test]
fn test_error_weight_outside_the_issues() {
    let dir = edited("Bicycle", "bicycle_buyer.xml", &[("<weight index=\"3\"", "<weight index=\"4\"")]);
    insta::assert_snapshot!(error_of(&dir));
}

#[test]
fn test_error_no_domain_file() {
    let dir = edited(
        "Bicycle",
        "bicycle_domain.xml",
        &[("negotiation_template>", "utility_template>"), ("</negotiation_template>", "</utility_template>")],
    );
    let text = error_of(&dir);
    assert!(text.contains("no domain file (root <negotiation_template>)"), "{text}");
    assert!(text.contains("ignored, its root element <utility_template>"), "{text}");
}

#[test]
fn test_error_missing_folder() {
    let e = load_genius(Path::new("no/such/folder"), &GeniusOptions::default()).unwrap_err();
    assert!(matches!(e, Error::Read { .. }), "{e}");
    assert!(e.to_string().starts_with("cannot read no/such/folder"), "{e}");
}

#[test]
fn test_quadratic_needs_negmas_semantics() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("d.xml"),
        r#"<negotiation_template><utility_space><objective><issue index="1" name="q" type="real" lowerbound="0" upperbound="1"/></objective></utility_space></negotiation_template>"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("p.xml"),
        r#"<utility_space><objective><issue index="1" name="q" type="real"><evaluator ftype="quadratic" parameter0="1" parameter1="2" parameter2="3"/></issue></objective></utility_space>"#,
    )
    .unwrap();
    let text = error_of(&dir);
    assert!(text.contains("ftype \"quadratic\" is not a Genius evaluator"), "{text}");
    let raw = load(dir.path(), Semantics::NegmasRaw);
    let last = raw.issues[0].options.len() - 1;
    approx::assert_relative_eq!(raw.preferences[0].values[0].as_ref().unwrap().value(&raw.issues[0], last), 6.0);
}

#[test]
fn test_foreign_id() {
    assert_eq!(foreign_id("19'' LCD", "v", 1), "v_19_lcd");
    assert_eq!(foreign_id("$4.37", "v", 1), "v_4_37");
    assert_eq!(foreign_id("5% spoilage allowed", "v", 1), "v_5_spoilage_allowed");
    assert_eq!(foreign_id("—", "v", 3), "v3");
    assert_eq!(foreign_id("", "issue", 2), "issue2");
}
