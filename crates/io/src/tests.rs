//! Every validation rule against a malformed file, with a snapshot of the message a user
//! sees (miette's graphical report, without colour).

use super::*;

/// A valid two-party scenario that the malformed cases below edit.
const BASE: &str = r#"[scenario]
id = "sale"
title = "A car sale"

[[sources]]
id = "memo"
title = "Dealer memo"
outlet = "internal"
date = "2025-01-01"

[[actors]]
id = "buyer"
name = "Buyer"
role = "other"
veto = true

[[actors]]
id = "seller"
name = "Seller"
role = "other"
veto = true

[[issues]]
id = "price"
name = "Price"
kind = "integer"
min = 9000
max = 11000
step = 500

[[issues]]
id = "extras"
name = "Extras"
kind = "categorical"
options = [{ id = "none" }, { id = "tyres" }]

[[preferences]]
actor = "buyer"
reservation = { value = 0.2, source = "memo#1" }
weights = { price = 0.7, extras = 0.3 }
values.price = { function = "linear", at_min = 1.0, at_max = 0.0 }
values.extras = { options = { none = 0.0, tyres = 1.0 } }

[[preferences]]
actor = "seller"
reservation = { value = 0.3, assumption = "another buyer waits" }
weights = { price = 0.8, extras = 0.2 }
values.price = { function = "linear", at_min = 0.0, at_max = 1.0 }
values.extras = { options = { none = 1.0, tyres = 0.4 } }

[[lever]]
id = "rival-offer"
name = "Another buyer makes an offer"
assumption = "a rival offer raises what the seller can get elsewhere"
set = { "preferences.seller.reservation" = { value = 0.5, assumption = "rival offer near the asking price" } }
fix = { extras = "tyres" }

[[expect]]
id = "no-lowball"
claim = "The seller will not sell at the lowest price without extras"
source = "memo#2"
check = "rejects"
actor = "seller"
given = { price = "9000", extras = "none" }
"#;

/// A diagnostic as a user sees it: miette's graphical report, without colour.
pub(crate) fn render(diagnostic: &dyn miette::Diagnostic) -> String {
    let mut out = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .render_report(&mut out, diagnostic)
        .expect("render");
    out
}

/// Applies `edits` to the base file and returns the rendered error.
fn error_of(edits: &[(&str, &str)]) -> String {
    let mut text = BASE.to_string();
    for (from, to) in edits {
        assert!(text.contains(from), "edit target {from:?} not in base");
        text = text.replacen(from, to, 1);
    }
    match parse(&text, "sale.toml", Format::Toml) {
        Ok(_) => panic!("expected an error"),
        Err(e) => render(&e),
    }
}

#[test]
fn test_base_is_valid() {
    let loaded = parse(BASE, "sale.toml", Format::Toml).unwrap();
    let s = &loaded.scenario;
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(
        s.issues[0].options.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
        ["9000", "9500", "10000", "10500", "11000"]
    );
    assert_eq!(
        s.numbers().len(),
        3 + 2 * 7 + 1,
        "min/max/step, per actor reservation, 2 weights, 2 + 2 values; 1 lever"
    );
    assert_eq!(s.levers[0].changes.len(), 2);
    let verdict = parley_core::evaluate(s, &s.expectations[0]).unwrap();
    assert!(verdict.passed, "{}", verdict.explanation);
}

#[test]
fn test_json_reads_the_same_scenario() {
    let toml_loaded = parse(BASE, "sale.toml", Format::Toml).unwrap();
    let raw = parse_raw(BASE, Format::Toml).unwrap();
    let json = serde_json::to_string_pretty(&raw).unwrap();
    let json_loaded = parse(&json, "sale.json", Format::Json).unwrap();
    assert_eq!(toml_loaded.scenario, json_loaded.scenario);
}

#[test]
fn test_toml_roundtrip_through_writer() {
    let first = parse(BASE, "sale.toml", Format::Toml).unwrap().scenario;
    let text = to_toml(&first).unwrap();
    let second = parse(&text, "again.toml", Format::Toml).unwrap().scenario;
    assert_eq!(first, second);
}

#[test]
fn test_error_syntax() {
    insta::assert_snapshot!(error_of(&[("veto = true\n\n[[actors]]", "veto = yes\n\n[[actors]]")]));
}

#[test]
fn test_error_unknown_key() {
    insta::assert_snapshot!(error_of(&[(
        "role = \"other\"\nveto = true\n\n[[issues]]",
        "role = \"other\"\nveto = true\nvetoes = 2\n\n[[issues]]"
    )]));
}

#[test]
fn test_error_wrong_type() {
    insta::assert_snapshot!(error_of(&[("value = 0.2, source", "value = \"high\", source")]));
}

#[test]
fn test_error_unknown_role() {
    insta::assert_snapshot!(error_of(&[("role = \"other\"", "role = \"villain\"")]));
}

#[test]
fn test_error_duplicate_actor() {
    insta::assert_snapshot!(error_of(&[("id = \"seller\"\nname", "id = \"buyer\"\nname")]));
}

#[test]
fn test_error_duplicate_option() {
    insta::assert_snapshot!(error_of(&[("{ id = \"tyres\" }]", "{ id = \"none\" }]")]));
}

#[test]
fn test_error_dangling_actor() {
    insta::assert_snapshot!(error_of(&[("actor = \"seller\"", "actor = \"seler\"")]));
}

#[test]
fn test_error_dangling_issue_in_weights() {
    insta::assert_snapshot!(error_of(&[(
        "weights = { price = 0.8, extras = 0.2 }",
        "weights = { price = 0.8, extra = 0.2 }"
    )]));
}

#[test]
fn test_error_dangling_option_in_values() {
    insta::assert_snapshot!(error_of(&[("none = 1.0, tyres = 0.4", "none = 1.0, tyre = 0.4")]));
}

#[test]
fn test_error_dangling_source() {
    insta::assert_snapshot!(error_of(&[("source = \"memo#1\"", "source = \"mem0#1\"")]));
}

#[test]
fn test_error_bad_paragraph() {
    insta::assert_snapshot!(error_of(&[("source = \"memo#1\"", "source = \"memo#first\"")]));
}

#[test]
fn test_error_value_out_of_range() {
    insta::assert_snapshot!(error_of(&[("none = 0.0, tyres = 1.0", "none = 0.0, tyres = 1.5")]));
}

#[test]
fn test_error_reservation_out_of_range() {
    insta::assert_snapshot!(error_of(&[("value = 0.3, assumption", "value = 1.3, assumption")]));
}

#[test]
fn test_error_negative_weight() {
    insta::assert_snapshot!(error_of(&[(
        "weights = { price = 0.7, extras = 0.3 }",
        "weights = { price = 1.3, extras = -0.3 }"
    )]));
}

#[test]
fn test_error_nan() {
    insta::assert_snapshot!(error_of(&[("at_min = 1.0, at_max = 0.0", "at_min = nan, at_max = 0.0")]));
}

#[test]
fn test_error_empty_issue() {
    insta::assert_snapshot!(error_of(&[("options = [{ id = \"none\" }, { id = \"tyres\" }]", "options = []")]));
}

#[test]
fn test_error_empty_range() {
    insta::assert_snapshot!(error_of(&[("min = 9000\nmax = 11000", "min = 11000\nmax = 9000")]));
}

#[test]
fn test_error_field_of_other_kind() {
    insta::assert_snapshot!(error_of(&[("kind = \"categorical\"\n", "kind = \"categorical\"\nsteps = 4\n")]));
}

#[test]
fn test_error_missing_option_value() {
    insta::assert_snapshot!(error_of(&[("none = 1.0, tyres = 0.4", "none = 1.0")]));
}

#[test]
fn test_error_weighted_issue_without_values() {
    insta::assert_snapshot!(error_of(&[("values.extras = { options = { none = 1.0, tyres = 0.4 } }\n", "")]));
}

#[test]
fn test_error_missing_preferences() {
    let cut = BASE.find("[[preferences]]\nactor = \"seller\"").unwrap();
    let text = &BASE[..cut];
    let e = parse(text, "sale.toml", Format::Toml).unwrap_err();
    insta::assert_snapshot!(render(&e));
}

#[test]
fn test_error_source_and_assumption() {
    insta::assert_snapshot!(error_of(&[("source = \"memo#1\"", "source = \"memo#1\", assumption = \"guess\"")]));
}

#[test]
fn test_error_bad_condition() {
    insta::assert_snapshot!(error_of(&[(
        "values.extras = { options = { none = 0.0, tyres = 1.0 } }\n",
        "values.extras = { options = { none = 0.0, tyres = 1.0 } }\nred_lines = [{ id = \"no\", when = { extras = \"wheels\" }, reason = \"test\" }]\n"
    )]));
}

#[test]
fn test_error_linkage_delta_out_of_range() {
    insta::assert_snapshot!(error_of(&[(
        "values.extras = { options = { none = 0.0, tyres = 1.0 } }\n",
        "values.extras = { options = { none = 0.0, tyres = 1.0 } }\nlinkages = [{ id = \"deal\", when = { extras = \"tyres\", price = \"9000\" }, delta = 2.0 }]\n"
    )]));
}

#[test]
fn test_error_triangular_order() {
    insta::assert_snapshot!(error_of(&[(
        "{ function = \"linear\", at_min = 0.0, at_max = 1.0 }",
        "{ function = \"triangular\", low = 10000, peak = 9500, high = 11000 }"
    )]));
}

#[test]
fn test_error_function_on_categorical_issue() {
    insta::assert_snapshot!(error_of(&[(
        "{ options = { none = 1.0, tyres = 0.4 } }",
        "{ function = \"linear\", at_min = 1.0, at_max = 0.0 }"
    )]));
}

#[test]
fn test_error_lever_unknown_path() {
    insta::assert_snapshot!(error_of(&[(
        "\"preferences.seller.reservation\" =",
        "\"preferences.seller.reservaton\" ="
    )]));
}

#[test]
fn test_error_lever_unknown_option() {
    insta::assert_snapshot!(error_of(&[("fix = { extras = \"tyres\" }", "fix = { extras = \"wheels\" }")]));
}

#[test]
fn test_error_expectation_missing_field() {
    insta::assert_snapshot!(error_of(&[("actor = \"seller\"\ngiven", "given")]));
}

#[test]
fn test_error_expectation_field_of_other_check() {
    insta::assert_snapshot!(error_of(&[("check = \"rejects\"", "check = \"no_zone\"")]));
}

#[test]
fn test_error_expectation_unknown_lever() {
    insta::assert_snapshot!(error_of(&[("check = \"rejects\"", "levers = [\"rival\"]\ncheck = \"rejects\"")]));
}

#[test]
fn test_error_expectation_without_provenance() {
    insta::assert_snapshot!(error_of(&[("source = \"memo#2\"\n", "")]));
}

#[test]
fn test_all_errors_are_reported_at_once() {
    let e = parse(
        &BASE.replace("actor = \"seller\"", "actor = \"seler\"").replace("source = \"memo#1\"", "source = \"mem0\""),
        "sale.toml",
        Format::Toml,
    )
    .unwrap_err();
    let Error::Invalid { count, .. } = &e else { panic!("invalid") };
    // The unknown actor (in the preferences and in the expectation), the unknown source,
    // and the seller left without preferences.
    assert_eq!(*count, 4, "{}", render(&e));
}

#[test]
fn test_warning_weights_rescaled() {
    let text = BASE.replace("weights = { price = 0.7, extras = 0.3 }", "weights = { price = 7, extras = 3 }");
    let loaded = parse(&text, "sale.toml", Format::Toml).unwrap();
    assert_eq!(loaded.warnings.len(), 1);
    insta::assert_snapshot!(render(&loaded.warnings[0]));
    let w = loaded.scenario.preferences[0].normalised_weights();
    assert!((w[0] - 0.7).abs() < 1e-12 && (w[1] - 0.3).abs() < 1e-12);
}

#[test]
fn test_warning_values_without_weight() {
    let text = BASE.replace("weights = { price = 0.8, extras = 0.2 }", "weights = { price = 1.0 }");
    let loaded = parse(&text, "sale.toml", Format::Toml).unwrap();
    assert_eq!(loaded.warnings.len(), 1);
    insta::assert_snapshot!(render(&loaded.warnings[0]));
}

#[test]
fn test_json_syntax_error_has_position() {
    let e = parse("{\n  \"scenario\": {\"id\": \"x\", \"title\": 3}\n}", "bad.json", Format::Json).unwrap_err();
    let Error::Invalid { diagnostics, .. } = &e else { panic!("invalid") };
    assert_eq!(diagnostics[0].line_column(), Some((2, 36)));
    insta::assert_snapshot!(render(&e));
}

#[test]
fn test_line_column_of_toml_error() {
    let e = parse(&BASE.replace("actor = \"seller\"", "actor = \"seler\""), "sale.toml", Format::Toml).unwrap_err();
    let Error::Invalid { diagnostics, .. } = &e else { panic!("invalid") };
    let line = BASE.lines().position(|l| l == "actor = \"seller\"").unwrap() + 1;
    assert_eq!(diagnostics[0].line_column(), Some((line, 9)));
}

#[test]
fn test_schema_snapshot() {
    insta::assert_snapshot!(schema());
}

#[test]
fn test_discount_is_read_listed_and_written() {
    let text = BASE.replace(
        "reservation = { value = 0.2, source = \"memo#1\" }",
        "reservation = { value = 0.2, source = \"memo#1\" }\ndiscount = { value = 0.9, assumption = \"the buyer needs a car soon\" }",
    );
    let first = parse(&text, "sale.toml", Format::Toml).unwrap().scenario;
    let discount = first.preferences[0].discount.as_ref().expect("a discount");
    assert!((discount.value - 0.9).abs() < 1e-15);
    assert!(first.preferences[1].discount.is_none());
    assert!(first.numbers().iter().any(|n| n.path == "preferences.buyer.discount"));
    let written = to_toml(&first).unwrap();
    assert!(written.contains("discount"), "{written}");
    assert_eq!(parse(&written, "again.toml", Format::Toml).unwrap().scenario, first);
}

#[test]
fn test_error_discount_out_of_range() {
    insta::assert_snapshot!(error_of(&[(
        "reservation = { value = 0.2, source = \"memo#1\" }",
        "reservation = { value = 0.2, source = \"memo#1\" }\ndiscount = 0"
    )]));
}

#[test]
fn test_error_lever_sets_discount_out_of_range() {
    let text = BASE
        .replace(
            "reservation = { value = 0.2, source = \"memo#1\" }",
            "reservation = { value = 0.2, source = \"memo#1\" }\ndiscount = 0.9",
        )
        .replace(
            "\"preferences.seller.reservation\" = { value = 0.5, assumption = \"rival offer near the asking price\" }",
            "\"preferences.buyer.discount\" = 1.5",
        );
    let e = parse(&text, "sale.toml", Format::Toml).unwrap_err();
    assert!(render(&e).contains("lever \"rival-offer\": preferences.buyer.discount is 1.5, but must be within (0, 1]"));
}

/// Random damage to a valid scenario (deleted, duplicated or replaced bytes) must give a
/// result or a diagnostic, never a panic, in both syntaxes.
mod mangled_input {
    use super::*;
    use proptest::prelude::*;

    fn mangle(text: &str, edits: &[(u16, u8, u8)]) -> String {
        let mut bytes = text.as_bytes().to_vec();
        const JUNK: &[u8] = b"[]{}=\",.#-0123456789e\n nan inf true\"x";
        for &(at, kind, junk) in edits {
            if bytes.is_empty() {
                break;
            }
            let at = usize::from(at) % bytes.len();
            match kind % 3 {
                0 => {
                    bytes.remove(at);
                }
                1 => {
                    let end = (at + 8).min(bytes.len());
                    let copy = bytes[at..end].to_vec();
                    bytes.splice(at..at, copy);
                }
                _ => bytes[at] = JUNK[usize::from(junk) % JUNK.len()],
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn test_mangled_scenarios_never_panic(edits in prop::collection::vec((any::<u16>(), any::<u8>(), any::<u8>()), 1..6)) {
            let toml_text = mangle(BASE, &edits);
            let _ = parse(&toml_text, "mangled.toml", Format::Toml);
            let json = serde_json::to_string(&parse_raw(BASE, Format::Toml).unwrap()).unwrap();
            let json_text = mangle(&json, &edits);
            let _ = parse(&json_text, "mangled.json", Format::Json);
        }
    }
}
