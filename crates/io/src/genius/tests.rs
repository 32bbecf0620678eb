//! The Genius reader and writer on the shared ANAC domains (real files, read from
//! `shared/domains` beside the repository) and on malformed copies of them.

use crate::tests::render;
use std::path::{Path, PathBuf};

use parley_core::{Provenance, Scenario, UtilityModel};

use super::*;
use crate::{Error, Format, parse, to_toml};

/// `shared/domains/NAME`, beside the repository (as CI lays it out).
fn domain(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/domains").join(name);
    assert!(dir.is_dir(), "{} is missing: the shared domains sit beside the repository", dir.display());
    dir
}

fn load(dir: &Path, semantics: Semantics) -> Scenario {
    let options = GeniusOptions { semantics, ..GeniusOptions::default() };
    match load_genius(dir, &options) {
        Ok(loaded) => loaded.scenario,
        Err(e) => panic!("{}", render(&e)),
    }
}

/// A copy of a shared domain in a temporary folder, with `edits` applied to `file`.
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

const LAPTOP_BUYER_W: [f64; 3] = [0.4452125771655631, 0.37808251708013424, 0.1767567099260568];

#[test]
fn test_load_laptop_structure() {
    let s = load(&domain("Laptop"), Semantics::Genius);
    assert_eq!(s.metadata.id, "laptop");
    let actors: Vec<(&str, &str)> = s.actors.iter().map(|a| (a.id.as_str(), a.name.as_str())).collect();
    assert_eq!(actors, [("p0", "laptop_buyer_utility"), ("p1", "laptop_seller_utility")], "sorted file names");
    assert!(s.actors.iter().all(|a| a.veto));
    let issues: Vec<&str> = s.issues.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(issues, ["laptop", "harddisk", "external_monitor"]);
    assert_eq!(s.issues[2].name, "External Monitor");
    let monitor: Vec<(&str, &str)> = s.issues[2].options.iter().map(|o| (o.id.as_str(), o.label.as_str())).collect();
    assert_eq!(monitor, [("19_lcd", "19'' LCD"), ("20_lcd", "20'' LCD"), ("23_lcd", "23'' LCD")]);
    assert_eq!(s.outcome_space().len(), Some(27));
    for p in &s.preferences {
        approx::assert_relative_eq!(p.discount.as_ref().expect("a discount").value, 0.42441038);
        approx::assert_relative_eq!(p.reservation.value, 0.0);
    }
    let itex = load(&domain("ItexvsCypress"), Semantics::Genius);
    assert_eq!(itex.actors[0].name, "ItexvsCypress_Cypress");
    assert_eq!(itex.issues[0].options[0].id, "4_37");
    assert!(itex.preferences.iter().all(|p| p.discount.is_none()), "no <discount_factor>: no discounting");
}

/// Genius divides each issue's evaluations by their maximum and the weights by their sum.
#[test]
fn test_laptop_genius_semantics() {
    let s = load(&domain("Laptop"), Semantics::Genius);
    let sum: f64 = LAPTOP_BUYER_W.iter().sum();
    let want = (LAPTOP_BUYER_W[0] * 12.0 / 30.0 + LAPTOP_BUYER_W[1] + LAPTOP_BUYER_W[2]) / sum;
    approx::assert_relative_eq!(utility(&s, 0, &["Dell", "60 Gb", "19'' LCD"]), want, max_relative = 1e-12);
    // The seller's monitor evaluations are 3/2/1: Genius reads them as 1, 2/3, 1/3.
    let p1 = &s.preferences[1];
    let monitor: Vec<f64> = (0..3).map(|o| p1.values[2].as_ref().unwrap().value(&s.issues[2], o)).collect();
    approx::assert_relative_eq!(monitor.as_slice(), [1.0, 2.0 / 3.0, 1.0 / 3.0].as_slice(), max_relative = 1e-12);
    // Utilities lie in [0, 1] and the best package is worth 1.
    let (m, space) = (UtilityModel::new(&s).unwrap(), s.outcome_space());
    let best = (0..27).map(|i| m.utility(0, &space.decode(i))).fold(f64::NEG_INFINITY, f64::max);
    approx::assert_relative_eq!(best, 1.0, max_relative = 1e-12);
}

/// NegMAS's raw reading: the value its own docs give for this package of this profile.
#[test]
fn test_laptop_negmas_raw_semantics() {
    let s = load(&domain("Laptop"), Semantics::NegmasRaw);
    approx::assert_relative_eq!(
        utility(&s, 0, &["Dell", "60 Gb", "19'' LCD"]),
        21.987727736172488,
        max_relative = 1e-12
    );
    approx::assert_relative_eq!(
        utility(&s, 1, &["Dell", "60 Gb", "19'' LCD"]),
        9.407762134979436,
        max_relative = 1e-12
    );
}

#[test]
fn test_every_number_cites_its_file_and_line() {
    let s = load(&domain("Laptop"), Semantics::Genius);
    assert_eq!(
        s.sources.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(),
        ["laptop_domain", "laptop_buyer_utility", "laptop_seller_utility"]
    );
    let numbers = s.numbers();
    assert!(numbers.iter().all(|n| matches!(n.quantity.provenance, Provenance::Cited { .. })));
    let text = std::fs::read_to_string(domain("Laptop").join("laptop_buyer_utility.xml")).unwrap();
    let line = text.lines().filter(|l| !l.trim().is_empty()).position(|l| l.contains("<weight index=\"1\"")).unwrap();
    let weight = numbers.iter().find(|n| n.path == "preferences.p0.weights.laptop").unwrap();
    let Provenance::Cited { citation } = &weight.quantity.provenance else { unreachable!() };
    assert_eq!(citation.to_string(), format!("laptop_buyer_utility#{}", line + 1));
    assert!(numbers.iter().any(|n| n.path == "preferences.p1.discount"));
}

/// A scenario read with Genius semantics is a valid scenario file as it stands.
#[test]
fn test_genius_scenario_is_a_valid_scenario_file() {
    for name in ["Laptop", "ItexvsCypress"] {
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
    for name in ["Laptop", "ItexvsCypress"] {
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
    let s = load(&domain("Laptop"), Semantics::Genius);
    let export = to_genius(&s).unwrap();
    let names: Vec<&str> = export.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["laptop_domain.xml", "laptop_00_p0.xml", "laptop_01_p1.xml"]);
    assert!(export.files[0].text.contains("value=\"19'' LCD\""));
    assert!(export.files[1].text.contains("<discount_factor value=\"0.42441038\">"));
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
    let base = load(&domain("Laptop"), Semantics::Genius);
    let mut s = base.clone();
    if let Some(parley_core::ValueFunction::Table { values }) = &mut s.preferences[0].values[0] {
        for v in values.iter_mut() {
            v.value *= 0.5;
        }
    }
    let export = to_genius(&s).unwrap();
    assert_eq!(export.warnings.len(), 1);
    assert!(export.warnings[0].message.contains("actor \"p0\": its best value on issue \"laptop\" (0.5)"));
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
    let dir = edited(
        "Laptop",
        "laptop_seller_utility.xml",
        &[("</issue>\n<issue index=\"2\"", "</isue>\n<issue index=\"2\"")],
    );
    let e = load_genius(dir.path(), &GeniusOptions::default()).unwrap_err();
    let Error::Invalid { diagnostics, .. } = &e else { panic!("invalid") };
    assert_eq!(diagnostics[0].line_column(), Some((11, 1)), "the misspelt closing tag");
    insta::assert_snapshot!(error_of(&dir));
}

#[test]
fn test_error_unknown_issue_in_profile() {
    let dir = edited("Laptop", "laptop_buyer_utility.xml", &[("name=\"Harddisk\"", "name=\"Hard disk\"")]);
    insta::assert_snapshot!(error_of(&dir));
}

#[test]
fn test_error_value_not_in_domain() {
    let dir = edited("ItexvsCypress", "ItexvsCypress_Itex.xml", &[("value=\"45 days\"", "value=\"45days\"")]);
    insta::assert_snapshot!(error_of(&dir));
}

#[test]
fn test_error_evaluation_not_a_number() {
    let dir = edited("Laptop", "laptop_buyer_utility.xml", &[("evaluation=\"20\"", "evaluation=\"twenty\"")]);
    insta::assert_snapshot!(error_of(&dir));
}

#[test]
fn test_error_weight_outside_the_issues() {
    let dir = edited("Laptop", "laptop_buyer_utility.xml", &[("<weight index=\"3\"", "<weight index=\"4\"")]);
    insta::assert_snapshot!(error_of(&dir));
}

#[test]
fn test_error_no_domain_file() {
    let dir = edited(
        "Laptop",
        "laptop_domain.xml",
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
fn test_safe_id() {
    assert_eq!(safe_id("19'' LCD", "x"), "19_lcd");
    assert_eq!(safe_id("$4.37", "x"), "4_37");
    assert_eq!(safe_id("5% spoilage allowed", "x"), "5_spoilage_allowed");
    assert_eq!(safe_id("—", "v1"), "v1");
    let mut taken = vec!["a".to_string()];
    assert_eq!(unique_id("a".into(), &mut taken), "a_2");
}
