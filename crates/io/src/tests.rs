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

/// A valid scenario with a `[conflict]` section, levers on it and every dynamic check kind.
const WAR: &str = include_str!("../tests/data/war.toml");

/// Applies `edits` to `base` (each to the first occurrence of its target).
fn edit(base: &str, edits: &[(&str, &str)]) -> String {
    let mut text = base.to_string();
    for (from, to) in edits {
        assert!(text.contains(from), "edit target {from:?} not in base");
        text = text.replacen(from, to, 1);
    }
    text
}

/// Applies `edits` to the base file and returns the rendered error.
fn error_of(edits: &[(&str, &str)]) -> String {
    match parse(&edit(BASE, edits), "sale.toml", Format::Toml) {
        Ok(_) => panic!("expected an error"),
        Err(e) => render(&e),
    }
}

/// Applies `edits` to the war file and returns the rendered error.
fn war_error_of(edits: &[(&str, &str)]) -> String {
    match parse(&edit(WAR, edits), "war.toml", Format::Toml) {
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
fn test_error_tuned_to_an_unknown_claim() {
    insta::assert_snapshot!(error_of(&[(
        "reservation = { value = 0.2, source = \"memo#1\" }",
        "reservation = { value = 0.2, tuned = { to = \"no-lowbal\", note = \"so that the claim holds\" } }"
    )]));
}

#[test]
fn test_error_tuned_and_cited() {
    insta::assert_snapshot!(error_of(&[(
        "reservation = { value = 0.2, source = \"memo#1\" }",
        "reservation = { value = 0.2, source = \"memo#1\", tuned = { to = \"no-lowball\", note = \"x\" } }"
    )]));
}

#[test]
fn test_error_direction_without_assumption() {
    insta::assert_snapshot!(error_of(&[(
        "reservation = { value = 0.2, source = \"memo#1\" }",
        "reservation = { value = 0.2, direction = \"memo#1\" }"
    )]));
}

#[test]
fn test_tuned_and_direction_round_trip() {
    let text = edit(
        BASE,
        &[
            (
                "reservation = { value = 0.2, source = \"memo#1\" }",
                "reservation = { value = 0.2, tuned = { to = \"no-lowball\", note = \"so that the claim holds\" } }",
            ),
            (
                "reservation = { value = 0.3, assumption = \"another buyer waits\" }",
                "reservation = { value = 0.3, assumption = \"another buyer waits\", direction = \"memo#3\" }",
            ),
        ],
    );
    let first = parse(&text, "sale.toml", Format::Toml).unwrap().scenario;
    assert!(first.preferences[0].reservation.provenance.is_tuned_to("no-lowball"));
    let again = parse(&to_toml(&first).unwrap(), "again.toml", Format::Toml).unwrap().scenario;
    assert_eq!(first, again);
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

/// The messages of `text`'s errors (TOML).
fn messages_of(text: &str) -> Vec<String> {
    match parse(text, "sale.toml", Format::Toml) {
        Ok(_) => panic!("expected an error"),
        Err(Error::Invalid { diagnostics, .. }) => {
            diagnostics.iter().filter(|d| d.is_error()).map(|d| d.message.clone()).collect()
        }
        Err(e) => panic!("{e}"),
    }
}

/// Ids start with a letter: a digit first is refused, pointing at the digit.
#[test]
fn test_error_id_must_start_with_a_letter() {
    insta::assert_snapshot!(error_of(&[
        ("id = \"buyer\"", "id = \"2buyer\""),
        ("actor = \"buyer\"", "actor = \"2buyer\"")
    ]));
}

/// Ids hold only letters, digits, `_` and `-`: the first other character is named and
/// underlined.
#[test]
fn test_error_id_with_a_forbidden_character() {
    insta::assert_snapshot!(error_of(&[
        ("id = \"memo\"", "id = \"memo.v2\""),
        ("memo#1", "memo.v2#1"),
        ("memo#2", "memo.v2#2")
    ]));
}

/// Letters outside ASCII are named with their code point, so look-alikes can be told apart.
#[test]
fn test_error_id_with_a_non_ascii_letter() {
    let messages = messages_of(&edit(BASE, &[("id = \"extras\"", "id = \"extrаs\"")]));
    assert_eq!(messages[0], "issue id \"extrаs\" holds \"а\" (U+0430), which ids may not contain", "{messages:?}");
}

/// Ids are at most 64 characters long.
#[test]
fn test_error_id_too_long() {
    let long = format!("rival-{}", "x".repeat(59));
    let messages = messages_of(&edit(BASE, &[("id = \"rival-offer\"", &format!("id = \"{long}\""))]));
    assert_eq!(messages, [format!("lever id \"{long}\" is 65 characters long, more than 64")]);
}

/// `baseline` names the run without levers.
#[test]
fn test_error_lever_called_baseline() {
    insta::assert_snapshot!(error_of(&[("id = \"rival-offer\"", "id = \"baseline\"")]));
}

/// The rule holds for every kind of id a file declares, each named in its message.
#[test]
fn test_id_rule_applies_to_every_declared_id() {
    let cases: [(&str, &str, &str); 9] = [
        ("id = \"sale\"", "id = \"sale 2025\"", "scenario id \"sale 2025\" holds a space"),
        ("id = \"memo\"", "id = \"memo#1\"", "source id \"memo#1\" holds \"#\""),
        ("id = \"seller\"", "id = \"sel/ler\"", "actor id \"sel/ler\" holds \"/\""),
        ("id = \"price\"", "id = \"price,eur\"", "issue id \"price,eur\" holds \",\""),
        ("{ id = \"tyres\" }", "{ id = \"tyres+rims\" }", "option of issue \"extras\": id \"tyres+rims\" holds \"+\""),
        ("id = \"rival-offer\"", "id = \"rival offer\"", "lever id \"rival offer\" holds a space"),
        ("id = \"no-lowball\"", "id = \"no\\nlowball\"", "expectation id \"no\\nlowball\" holds a line break"),
        ("id = \"no-lowball\"", "id = \"_lowball\"", "expectation id \"_lowball\" starts with \"_\", not a letter"),
        ("id = \"no-lowball\"", "id = \"\"", "an expectation has an empty id"),
    ];
    for (from, to, want) in cases {
        let messages = messages_of(&edit(BASE, &[(from, to)]));
        assert!(messages.iter().any(|m| m.starts_with(want)), "{to}: {messages:?}");
    }
    // Linkages, red lines and the war's donors, events and factors follow the same rule.
    let linkage = edit(
        BASE,
        &[(
            "values.extras = { options = { none = 0.0, tyres = 1.0 } }",
            "values.extras = { options = { none = 0.0, tyres = 1.0 } }\nlinkages = [{ id = \"a.b\", when = { extras = \"none\" }, delta = 0.1 }]\nred_lines = [{ id = \"c d\", when = { extras = \"none\" }, reason = \"no\" }]",
        )],
    );
    let messages = messages_of(&linkage);
    assert!(
        messages.iter().any(|m| m.starts_with("linkage of actor \"buyer\": id \"a.b\" holds \".\"")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.starts_with("red line of actor \"buyer\": id \"c d\" holds a space")),
        "{messages:?}"
    );
    let war = edit(WAR, &[("[conflict.donors.ally]", "[conflict.donors.\"al.ly\"]")]);
    let Err(Error::Invalid { diagnostics, .. }) = parse(&war, "war.toml", Format::Toml) else { panic!("an error") };
    assert!(
        diagnostics.iter().any(|d| d.message.starts_with("conflict donor id \"al.ly\" holds \".\"")),
        "{diagnostics:?}"
    );
}

/// JSON has no spans: the message names the item and the character on its own.
#[test]
fn test_id_rule_in_json_names_the_item() {
    let raw = parse_raw(
        &edit(BASE, &[("id = \"seller\"", "id = \"sel ler\""), ("actor = \"seller\"", "actor = \"sel ler\"")]),
        Format::Toml,
    )
    .unwrap();
    let json = serde_json::to_string(&raw).unwrap().replace("\"actor\":\"seller\"", "\"actor\":\"sel ler\"");
    let Err(Error::Invalid { diagnostics, .. }) = parse(&json, "sale.json", Format::Json) else { panic!("an error") };
    assert_eq!(diagnostics[0].message, "actor id \"sel ler\" holds a space, which ids may not contain");
    assert!(diagnostics[0].help.as_deref().unwrap().contains("write \"sel_ler\""));
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

/// Found by fuzzing (`tests/fuzz-regressions/scenario_json/crash-json-syntax-error-*`):
/// serde_json counts columns in bytes, so an error inside a multi-byte character gave a
/// span that split it, and reading its line and column panicked.
#[test]
fn test_json_syntax_error_inside_a_character_is_located_on_its_start() {
    let text = "[\"name\u{44b}";
    let Err(Error::Invalid { diagnostics, .. }) = parse(text, "x.json", Format::Json) else { panic!("an error") };
    let (span, _) = diagnostics[0].label.clone().expect("located");
    assert!(text.is_char_boundary(span.start), "{span:?}");
    assert_eq!(diagnostics[0].line_column(), Some((1, 7)));
}

/// Found by fuzzing (`crash-json-condition-in-another-order-than-toml`): TOML hands over a
/// table's keys sorted, JSON in file order, so the same scenario read from JSON and from
/// TOML held its condition terms (and lever changes, donors, series) in different orders.
#[test]
fn test_json_object_order_does_not_matter() {
    /// The compact JSON of a TOML text, with `from` (which must be there) replaced by `to`.
    fn json_with(toml_text: &str, from: &str, to: &str) -> String {
        let json = serde_json::to_string(&parse_raw(toml_text, Format::Toml).unwrap()).unwrap();
        assert!(json.contains(from), "{from} not in {json}");
        json.replacen(from, to, 1)
    }
    let sale = parse(BASE, "sale.toml", Format::Toml).unwrap().scenario;
    let json =
        json_with(BASE, r#""given":{"extras":"none","price":"9000"}"#, r#""given":{"price":"9000","extras":"none"}"#);
    assert_eq!(parse(&json, "sale.json", Format::Json).unwrap().scenario, sale);
    let war = parse(WAR, "war.toml", Format::Toml).unwrap().scenario;
    let json = json_with(
        WAR,
        r#""series":{"front_change":"territory_change","north_area":"held","north_losses":"losses.north"}"#,
        r#""series":{"north_losses":"losses.north","front_change":"territory_change","north_area":"held"}"#,
    );
    assert_eq!(parse(&json, "war.json", Format::Json).unwrap().scenario, war);
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

#[test]
fn test_war_is_valid() {
    use parley_core::Provenance;
    use parley_core::conflict::Observable;
    let loaded = parse(WAR, "war.toml", Format::Toml).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let s = &loaded.scenario;
    let c = s.conflict.as_ref().expect("a conflict");
    assert_eq!((c.start.to_string(), c.as_of.to_string()), ("2024-01".into(), "2024-06".into()));
    assert_eq!(c.sides.iter().map(|x| x.actor).collect::<Vec<_>>(), [0, 1]);
    assert_eq!(c.sides[0].victory, [("border".into(), "north-claim".into()), ("guarantees".into(), "none".into())]);
    assert_eq!(c.no_deal, [("guarantees".to_string(), "none".to_string())]);
    assert_eq!((c.donors[0].supplies, c.donors[0].deliveries.values.len()), (1, 6));
    assert!(matches!(c.donors[0].deliveries.provenance, Provenance::Cited { .. }));
    assert_eq!((c.territory.holder, c.territory.anchors.len()), (0, 3));
    assert_eq!(c.durability.factors[0].when, [("guarantees".to_string(), vec!["none".to_string()])]);
    assert_eq!(c.events[0].set[0].0, "conflict.donors.ally.after");
    let cal = c.calibration.as_ref().expect("a calibration");
    // TOML tables come in key order, not file order.
    let observed = |column: &str| cal.series.iter().find(|(c, _)| c == column).map(|(_, o)| *o);
    assert_eq!(observed("north_losses"), Some(Observable::Losses { side: 0 }));
    assert_eq!(observed("front_change"), Some(Observable::TerritoryChange));
    assert_eq!(observed("north_area"), Some(Observable::Held));
    let kinds: Vec<&str> = s.expectations.iter().map(|e| e.check.kind()).collect();
    assert_eq!(
        kinds,
        [
            "no_settlement_within",
            "settles_within",
            "batna_lower",
            "batna_higher",
            "batna_restored",
            "advances",
            "advances_more",
            "settles_sooner",
            "declines",
            "grows",
            "no_collapse_within",
            "breaks_down_more"
        ]
    );
    assert_eq!(
        s.expectations[8].check,
        parley_core::Check::Declines { actor: 1, measure: parley_core::Measure::Manpower, months: 12 }
    );
    assert_eq!(
        s.expectations[7].check,
        parley_core::Check::SettlesSooner { months: 36, versus: vec!["aid-cut".into()] }
    );
    // Thresholds carry their provenance; a tuned one says what it was tuned to.
    let advances = &s.expectations[5];
    assert_eq!(advances.thresholds.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["months", "km2"]);
    assert!(advances.thresholds[1].quantity.provenance.is_tuned_to("north-advances"));
    let listed: Vec<String> = s.numbers().into_iter().map(|n| n.path).filter(|p| p.starts_with("expect.")).collect();
    assert!(listed.contains(&"expect.north-advances.km2".to_string()), "{listed:?}");
    // An assumption may cite the passage its direction comes from.
    assert!(matches!(
        &*s.preferences[1].reservation.provenance,
        Provenance::Assumption { direction: Some(c), .. } if c.to_string() == "brief#1"
    ));
    assert_eq!(
        s.expectations[4].check,
        parley_core::Check::BatnaRestored { actor: 1, month: 6, loss_from: vec!["aid-cut".into()], fraction: 0.5 }
    );
    assert_eq!(
        s.expectations[3].check,
        parley_core::Check::BatnaHigher { actor: 1, month: 3, versus: vec!["aid-cut".into()] }
    );
    // Law 2, sides 2·16, donor 1 + its series, territory 5 + 3 anchors, beliefs 3,
    // volatility 5 + 3 left out, mediation 2 and framework 3 (left out: their defaults), durability 3 +
    // 2 left out + 1 factor, event 1.
    let conflict_numbers: Vec<_> = s.numbers().into_iter().filter(|n| n.path.starts_with("conflict.")).collect();
    assert_eq!(conflict_numbers.len(), 77);
    let manpower = conflict_numbers.iter().find(|n| n.path == "conflict.sides.north.manpower").unwrap();
    assert!(
        matches!(&*manpower.quantity.provenance, Provenance::Cited { citation } if citation.to_string() == "brief#2")
    );
    // Levers reach the conflict's numbers.
    let cut = s.with_lever(s.lever("aid-cut").unwrap()).unwrap();
    assert!(cut.conflict.unwrap().donors[0].after.value.abs() < 1e-15);
}

#[test]
fn test_war_roundtrip_through_writer() {
    let first = parse(WAR, "war.toml", Format::Toml).unwrap().scenario;
    let text = to_toml(&first).unwrap();
    let second = parse(&text, "again.toml", Format::Toml).unwrap().scenario;
    assert_eq!(first, second, "{text}");
    let json = to_json(&first).unwrap();
    assert_eq!(parse(&json, "again.json", Format::Json).unwrap().scenario, first);
}

/// A mediator that can walk away: read, written back, and left out when it never does.
#[test]
fn test_mediation_round_trips_and_its_donors_must_exist() {
    let mediated = edit(
        WAR,
        &[(
            "[conflict.durability]",
            "[conflict.mediation]\nhazard = 0.02\nhazard_per_failure = { value = 0.01, assumption = \"patience\" }\nwithdraws = [\"ally\"]\n\n[conflict.durability]",
        )],
    );
    let first = parse(&mediated, "war.toml", Format::Toml).unwrap().scenario;
    let m = &first.conflict.as_ref().unwrap().mediation;
    assert_eq!((m.hazard.value, m.hazard_per_failure.value), (0.02, 0.01));
    assert_eq!(m.withdraws, ["ally"]);
    let text = to_toml(&first).unwrap();
    assert!(text.contains("[conflict.mediation]"), "{text}");
    assert_eq!(parse(&text, "again.toml", Format::Toml).unwrap().scenario, first);
    // Without the section the mediator never walks away, and none is written back.
    let plain = parse(WAR, "war.toml", Format::Toml).unwrap().scenario;
    let m = &plain.conflict.as_ref().unwrap().mediation;
    assert_eq!((m.hazard.value, m.hazard_per_failure.value, m.withdraws.len()), (0.0, 0.0, 0));
    assert!(!to_toml(&plain).unwrap().contains("mediation"));
    // A donor that is not declared, or one named twice, is located.
    let bad = edit(&mediated, &[("withdraws = [\"ally\"]", "withdraws = [\"ally\", \"alley\", \"ally\"]")]);
    let Err(e) = parse(&bad, "war.toml", Format::Toml) else { panic!("an error") };
    let text = render(&e);
    assert!(text.contains("conflict: mediation withdraws \"alley\", which is not a donor"), "{text}");
    assert!(text.contains("name donors declared under [conflict.donors]: \"ally\""), "{text}");
    assert!(text.contains("conflict: mediation withdraws \"ally\" twice"), "{text}");
    let Err(Error::Invalid { diagnostics, .. }) = parse(&bad, "war.toml", Format::Toml) else { panic!("an error") };
    let start = bad.find("withdraws = [").unwrap();
    let end = start + bad[start..].find('\n').unwrap();
    assert_eq!(diagnostics.len(), 2, "{diagnostics:?}");
    for d in &diagnostics {
        let (range, _) = d.label.as_ref().expect("located");
        assert!(start <= range.start && range.end <= end, "{d:?} outside the withdraws line");
    }
    // Out of range, with the registry's range in the message.
    let Err(e) = parse(&edit(&mediated, &[("hazard = 0.02", "hazard = 1.5")]), "war.toml", Format::Toml) else {
        panic!("an error")
    };
    assert!(render(&e).contains("conflict: mediation.hazard"), "{}", render(&e));
}

/// Talks over a side's head: read, written back, left out when not set, and their
/// references checked and located.
#[test]
fn test_frameworks_round_trip_and_name_a_seated_side_and_its_donors() {
    let section = "[conflict.framework]\nabsent = \"south\"\npressing = [\"ally\"]\nattempts = { value = 2, assumption = \"two tries\" }\nwithheld = 0.5\npressure_months = 6\n\n[conflict.durability]";
    let framed = edit(WAR, &[("[conflict.durability]", section)]);
    let first = parse(&framed, "war.toml", Format::Toml).unwrap().scenario;
    let f = &first.conflict.as_ref().unwrap().framework;
    let south = first.actors.iter().position(|a| a.id == "south");
    assert_eq!((f.absent, f.pressing.as_slice()), (south, &["ally".to_string()][..]));
    assert_eq!((f.attempts.value, f.withheld.value, f.pressure_months.value), (2.0, 0.5, 6.0));
    let text = to_toml(&first).unwrap();
    assert!(text.contains("[conflict.framework]") && text.contains("absent = \"south\""), "{text}");
    assert_eq!(parse(&text, "again.toml", Format::Toml).unwrap().scenario, first);
    assert_eq!(parse(&to_json(&first).unwrap(), "again.json", Format::Json).unwrap().scenario, first);
    // Without the section the talks include both sides, and none is written back.
    let plain = parse(WAR, "war.toml", Format::Toml).unwrap().scenario;
    let f = &plain.conflict.as_ref().unwrap().framework;
    assert_eq!((f.absent, f.pressing.len(), f.attempts.value, f.withheld.value), (None, 0, 0.0, 0.0));
    assert!(!to_toml(&plain).unwrap().contains("framework"));
    // Each wrong reference is located on its own line, with what to do.
    let errors = |text: &str| {
        let Err(e) = parse(text, "war.toml", Format::Toml) else { panic!("an error") };
        render(&e)
    };
    let text = errors(&edit(&framed, &[("absent = \"south\"", "absent = \"broker\"")]));
    assert!(text.contains("conflict: framework.absent: \"broker\" is not a side of the conflict"), "{text}");
    let seated = edit(
        &framed,
        &[(
            "id = \"south\"\nname = \"South\"\nrole = \"belligerent\"\nveto = true",
            "id = \"south\"\nname = \"South\"\nrole = \"belligerent\"\nveto = false",
        )],
    );
    let text = errors(&seated);
    assert!(text.contains("conflict: framework.absent \"south\" does not sit at the table"), "{text}");
    let text = errors(&edit(&framed, &[("pressing = [\"ally\"]", "pressing = [\"ally\", \"alley\", \"ally\"]")]));
    assert!(text.contains("conflict: framework pressing \"alley\", which is not a donor"), "{text}");
    assert!(text.contains("conflict: framework pressing \"ally\" twice"), "{text}");
    let text = errors(&edit(&framed, &[("absent = \"south\"\n", "")]));
    assert!(text.contains("conflict: framework.attempts is 2, but no belligerent is named as absent"), "{text}");
    let text = errors(&edit(&framed, &[("pressing = [\"ally\"]\n", "")]));
    assert!(text.contains("conflict: framework.withheld is 0.5, but no donor is pressing"), "{text}");
    let text = errors(&edit(&framed, &[("absent = \"south\"", "absent = \"north\"")]));
    assert!(text.contains("conflict: framework pressing \"ally\", which does not supply the absent side"), "{text}");
    let text = errors(&edit(&framed, &[("withheld = 0.5", "withheld = 1.5")]));
    assert!(text.contains("conflict: framework.withheld"), "{text}");
}

/// The commitment problem's two numbers: read, written back, left out at their defaults,
/// and out-of-range values located on their line.
#[test]
fn test_rebuilding_and_anticipation_round_trip_and_are_bounded() {
    let committed = edit(
        WAR,
        &[(
            "consolidation = 12\n",
            "consolidation = 12\nrebuild_sensitivity = { value = 1.5, assumption = \"regrouping tempts\" }\nanticipation = 12\n",
        )],
    );
    let first = parse(&committed, "war.toml", Format::Toml).unwrap().scenario;
    let d = &first.conflict.as_ref().unwrap().durability;
    assert_eq!((d.rebuild_sensitivity.value, d.anticipation.value), (1.5, 12.0));
    let text = to_toml(&first).unwrap();
    assert!(text.contains("rebuild_sensitivity") && text.contains("anticipation = 12"), "{text}");
    assert_eq!(parse(&text, "again.toml", Format::Toml).unwrap().scenario, first);
    // Left out, they are 0 (no rebuilding effect, nothing anticipated) and not written back.
    let plain = parse(WAR, "war.toml", Format::Toml).unwrap().scenario;
    let d = &plain.conflict.as_ref().unwrap().durability;
    assert_eq!((d.rebuild_sensitivity.value, d.anticipation.value), (0.0, 0.0));
    let written = to_toml(&plain).unwrap();
    assert!(!written.contains("rebuild_sensitivity") && !written.contains("anticipation"), "{written}");
    // A negative sensitivity and a fractional horizon are refused, each on its own line.
    let bad = edit(&committed, &[("value = 1.5", "value = -0.5"), ("anticipation = 12", "anticipation = 2.5")]);
    let Err(e) = parse(&bad, "war.toml", Format::Toml) else { panic!("an error") };
    let message = render(&e);
    assert!(message.contains("conflict: durability.rebuild_sensitivity is -0.5, but must be at least 0"), "{message}");
    assert!(message.contains("conflict: durability.anticipation is 2.5, but must be a whole number"), "{message}");
    let Err(Error::Invalid { diagnostics, .. }) = parse(&bad, "war.toml", Format::Toml) else { panic!("an error") };
    assert_eq!(diagnostics.len(), 2, "{diagnostics:?}");
    for (d, key) in diagnostics.iter().zip(["rebuild_sensitivity = ", "anticipation = "]) {
        let start = bad.find(key).unwrap();
        let end = start + bad[start..].find('\n').unwrap();
        let (range, _) = d.label.as_ref().expect("located");
        assert!(start <= range.start && range.end <= end, "{d:?} outside the {key} line");
    }
}

#[test]
fn test_war_json_reads_the_same_scenario() {
    let toml_loaded = parse(WAR, "war.toml", Format::Toml).unwrap();
    let json = serde_json::to_string_pretty(&parse_raw(WAR, Format::Toml).unwrap()).unwrap();
    assert_eq!(parse(&json, "war.json", Format::Json).unwrap().scenario, toml_loaded.scenario);
}

#[test]
fn test_war_order_of_tables_does_not_matter() {
    // TOML hands tables over in key order, JSON in file order: reversed tables in JSON
    // must give the same scenario.
    let toml_loaded = parse(WAR, "war.toml", Format::Toml).unwrap().scenario;
    let mut raw = parse_raw(WAR, Format::Toml).unwrap();
    let c = raw.conflict.as_mut().unwrap();
    c.sides.value.0.reverse();
    c.territory.anchors.value.0.reverse();
    for (_, side) in &mut c.sides.value.0 {
        side.victory.value.0.reverse();
    }
    let json = serde_json::to_string_pretty(&raw).unwrap();
    assert!(json.find("\"south\": {").unwrap() < json.find("\"north\": {").unwrap());
    let json_loaded = parse(&json, "war.json", Format::Json).unwrap().scenario;
    assert_eq!(json_loaded, toml_loaded);
    let c = json_loaded.conflict.unwrap();
    assert_eq!(c.sides.iter().map(|s| s.actor).collect::<Vec<_>>(), [0, 1], "sides in actor order");
    let anchors: Vec<&str> = c.territory.anchors.iter().map(|(o, _)| o.as_str()).collect();
    assert_eq!(anchors, ["pre-war", "contact-line", "north-claim"], "anchors in option order");
}

#[test]
fn test_error_conflict_side_unknown_actor() {
    insta::assert_snapshot!(war_error_of(&[("[conflict.sides.north]", "[conflict.sides.nrth]")]));
}

#[test]
fn test_error_conflict_side_not_belligerent() {
    insta::assert_snapshot!(war_error_of(&[(
        "name = \"South\"\nrole = \"belligerent\"",
        "name = \"South\"\nrole = \"supporter\""
    )]));
}

#[test]
fn test_error_conflict_deliveries_too_short() {
    insta::assert_snapshot!(war_error_of(&[("values = [1.0, 1.2, 0.8, 0.0, 0.5, 1.0]", "values = [1.0, 1.2, 0.8]")]));
}

#[test]
fn test_error_conflict_anchor_unknown_option() {
    insta::assert_snapshot!(war_error_of(&[(
        "contact-line = 12000, north-claim",
        "contact_line = 12000, north-claim"
    )]));
}

#[test]
fn test_error_conflict_no_deal_missing_issue() {
    insta::assert_snapshot!(war_error_of(&[("no_deal = { guarantees = \"none\" }", "no_deal = {}")]));
}

#[test]
fn test_error_conflict_event_path_outside_conflict() {
    insta::assert_snapshot!(war_error_of(&[(
        "\"conflict.donors.ally.after\" = { value = 0.4",
        "\"donors.ally.after\" = { value = 0.4"
    )]));
}

#[test]
fn test_error_conflict_bad_month() {
    insta::assert_snapshot!(war_error_of(&[("start = \"2024-01\"", "start = \"2024-1\"")]));
}

#[test]
fn test_error_conflict_side_number_out_of_range() {
    insta::assert_snapshot!(war_error_of(&[("economic_strain = 0.002", "economic_strain = 1.0")]));
}

/// Counts and horizons have upper bounds, so no input can make a run step for ever.
#[test]
fn test_error_conflict_horizons_beyond_the_bound() {
    let cases = [
        (
            "horizon = 24",
            "horizon = 1e15",
            "conflict: beliefs.horizon is 1000000000000000, but must be within [1, 1200]",
        ),
        (
            "consolidation = 12",
            "consolidation = 5000000000",
            "conflict: durability.consolidation is 5000000000, but must be within [0, 1200]",
        ),
        (
            "consolidation = 12",
            "consolidation = 2.5",
            "conflict: durability.consolidation is 2.5, but must be a whole number",
        ),
        (
            "start = \"2024-01\"",
            "start = \"1024-01\"",
            "conflict: start 1024-01 to as_of 2024-06 spans 12006 months, more than 1200",
        ),
    ];
    for (from, to, want) in cases {
        let e = parse(&edit(WAR, &[(from, to)]), "war.toml", Format::Toml).unwrap_err();
        let Error::Invalid { diagnostics, .. } = &e else { panic!("invalid") };
        assert!(diagnostics.iter().any(|d| d.message == want && d.label.is_some()), "{to}: {}", render(&e));
    }
}

#[test]
fn test_error_dynamic_check_without_conflict() {
    insta::assert_snapshot!(error_of(&[(
        "check = \"rejects\"\nactor = \"seller\"\ngiven = { price = \"9000\", extras = \"none\" }",
        "check = \"settles_within\"\nmonths = 12"
    )]));
}

#[test]
fn test_error_batna_check_actor_not_a_side() {
    insta::assert_snapshot!(war_error_of(&[("actor = \"south\"\nmonth = 6", "actor = \"broker\"\nmonth = 6")]));
}

#[test]
fn test_error_dynamic_check_field_of_other_kind() {
    insta::assert_snapshot!(war_error_of(&[("months = 12\n", "months = 12\nkm2 = 500\nfraction = 0.5\n")]));
}

#[test]
fn test_conflict_rules_are_all_reported() {
    // Each edit breaks one rule; every one is reported, and nothing else.
    let cases: &[(&str, &str, &str)] = &[
        ("as_of = \"2024-06\"", "as_of = \"2023-12\"", "conflict: as_of 2023-12 is before start 2024-01"),
        ("min = 0\nmax = 40000", "min = 40000\nmax = 40000", "the range is empty"),
        ("held = { value = 12000", "held = { value = 45000", "held is 45000, but must be within [min, max]"),
        ("contact-line = 12000, north-claim = 30000", "contact-line = 30000, north-claim = 30000", "are both 30000"),
        (
            "anchors = { pre-war = 0, contact-line = 12000, north-claim = 30000 }",
            "anchors = { pre-war = 0 }",
            "at least 2",
        ),
        ("issue = \"border\"", "issue = \"borders\"", "territory: unknown issue \"borders\""),
        ("holder = \"north\"", "holder = \"broker\"", "holder: \"broker\" is not a side"),
        ("supplies = \"south\"", "supplies = \"broker\"", "supplies: \"broker\" is not a side"),
        (
            "no_deal = { guarantees = \"none\" }",
            "no_deal = { guarantees = \"none\", border = \"pre-war\" }",
            "names the territorial issue",
        ),
        (
            "victory = { border = \"north-claim\", guarantees = \"none\" }",
            "victory = { border = \"north-claim\" }",
            "victory: no option for \"guarantees\"",
        ),
        (
            "victory = { border = \"north-claim\"",
            "victory = { border = \"south-claim\"",
            "has no option \"south-claim\"",
        ),
        ("when = { guarantees = \"none\" }", "when = { guarantees = \"nada\" }", "has no option \"nada\""),
        ("multiplier = { value = 2.0", "multiplier = { value = -2.0", "multiplier is -2, but must be at least 0"),
        ("month = \"2024-11\"", "month = \"2023-11\"", "month 2023-11 is before start 2024-01"),
        (
            "window = [\"2024-01\", \"2024-06\"]",
            "window = [\"2024-01\", \"2024-07\"]",
            "window month 2024-07 is after as_of",
        ),
        (
            "window = [\"2024-01\", \"2024-06\"]",
            "window = [\"2024-05\", \"2024-02\"]",
            "window ends (2024-02) before it starts",
        ),
        ("north_area = \"held\"", "north_area = \"area\"", "unknown observable \"area\""),
        ("= \"losses.north\"", "= \"losses.broker\"", "\"broker\" is not a side"),
        (
            "fit = [\"conflict.sides.south.effectiveness\"",
            "fit = [\"conflict.sides.south.efectiveness\"",
            "no number at path",
        ),
        ("values = [1.0, 1.2, 0.8, 0.0", "values = [1.0, -1.2, 0.8, 0.0", "value 2 is -1.2, but must be at least 0"),
        ("source = \"brief#3\"", "source = \"brief3\"", "cites unknown source \"brief3\""),
        ("horizon = 24", "horizon = 2.5", "horizon is 2.5, but must be a whole number"),
        ("discount = 0.98", "discount = 0", "discount is 0, but must be within (0, 1]"),
        ("optimism = 0.2", "optimism = -1", "optimism is -1, but must be greater than -1"),
        (
            "\"conflict.sides.south.support\" = { value = 0.9",
            "\"conflict.sides.south.support\" = { value = 1.9",
            "support is 1.9, but must be within [0, 1]",
        ),
        ("months = 12", "months = 0", "months is 0, but must be a whole number within [1, 1200]"),
        ("months = 12", "months = 1201", "months is 1201, but must be a whole number within [1, 1200]"),
        ("month = 6", "month = -1", "month is -1, but must be a whole number within [0, 1200]"),
        ("month = 6", "month = 99999999999", "month is 99999999999, but must be a whole number within [0, 1200]"),
        ("versus_levers = [\"aid-cut\"]", "versus_levers = [\"aid-cuts\"]", "unknown lever \"aid-cuts\""),
        ("loss_from = [\"aid-cut\"]", "loss_from = []", "`loss_from` lists no lever"),
        ("fraction = 0.5", "fraction = 0", "fraction is 0, but must be within (0, 1]"),
        ("km2 = { value = 1000,", "km2 = { value = nan,", "km2 is NaN"),
        ("check = \"batna_restored\"", "check = \"batna_lower\"", "`loss_from` does not apply"),
    ];
    for (from, to, expect) in cases {
        let e = parse(&edit(WAR, &[(from, to)]), "war.toml", Format::Toml).unwrap_err();
        let Error::Invalid { diagnostics, .. } = &e else { panic!("invalid") };
        let errors: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(errors.iter().any(|d| d.message.contains(expect)), "{to:?}: expected {expect:?} in\n{}", render(&e));
        assert!(errors.iter().all(|d| d.label.is_some() && d.help.is_some()), "{}", render(&e));
        let at_most = if to.contains("fraction = 0") || to.contains("batna_lower") { 2 } else { 1 };
        assert!(errors.len() <= at_most, "{to:?}: one error expected\n{}", render(&e));
    }
}

/// `[[uncertain]]` entries for the war file, one of each distribution kind.
const WAR_UNCERTAIN: &str = include_str!("../tests/data/war-uncertain.toml");

/// The war file with its uncertain numbers.
fn war_uncertain() -> String {
    format!("{WAR}\n{WAR_UNCERTAIN}")
}

/// Applies `edits` to the war file with uncertain numbers and returns the rendered error.
fn uncertain_error_of(edits: &[(&str, &str)]) -> String {
    match parse(&edit(&war_uncertain(), edits), "war.toml", Format::Toml) {
        Ok(_) => panic!("expected an error"),
        Err(e) => render(&e),
    }
}

#[test]
fn test_uncertain_is_read_and_written() {
    use parley_core::{Distribution, Provenance};
    let loaded = parse(&war_uncertain(), "war.toml", Format::Toml).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let u = &loaded.scenario.uncertain;
    let paths: Vec<&str> = u.iter().map(|x| x.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "conflict.sides.north.optimism",
            "preferences.south.reservation",
            "conflict.sides.south.support",
            "conflict.territory.gain",
            "conflict.durability.ceasefire_hazard",
            "conflict.donors.ally.after"
        ]
    );
    assert_eq!(u[0].distribution, Distribution::Pert { min: 0.0, mode: 0.2, max: 0.5 });
    assert!(matches!(&u[0].provenance, Provenance::Cited { citation } if citation.to_string() == "brief#11"));
    assert_eq!(u[1].bounds, Some((0.0, 1.0)));
    assert_eq!(u[2].distribution, Distribution::Beta { alpha: 8.0, beta: 2.0, min: 0.0, max: 1.0 }, "default range");
    assert!(matches!(u[2].provenance, Provenance::Assumption { .. }));
    // Writer round trip, in both syntaxes; JSON has the same layout.
    let first = loaded.scenario;
    let text = to_toml(&first).unwrap();
    assert!(text.contains("[[uncertain]]"), "{text}");
    assert_eq!(parse(&text, "again.toml", Format::Toml).unwrap().scenario, first, "{text}");
    let json = to_json(&first).unwrap();
    assert_eq!(parse(&json, "again.json", Format::Json).unwrap().scenario, first);
    let raw_json = serde_json::to_string_pretty(&parse_raw(&war_uncertain(), Format::Toml).unwrap()).unwrap();
    assert!(raw_json.contains("\"uncertain\": ["), "{raw_json}");
    assert_eq!(parse(&raw_json, "war.json", Format::Json).unwrap().scenario, first);
}

#[test]
fn test_uncertain_without_provenance_is_unstated() {
    // As for levers: a bare range is accepted and listed as unstated.
    let text = edit(&war_uncertain(), &[("source = \"brief#12\"\n", "")]);
    let loaded = parse(&text, "war.toml", Format::Toml).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(loaded.scenario.uncertain[3].provenance, parley_core::Provenance::Unstated);
}

#[test]
fn test_error_uncertain_negative_sd() {
    insta::assert_snapshot!(uncertain_error_of(&[("sd = 0.05", "sd = -0.05")]));
}

#[test]
fn test_error_uncertain_inverted_uniform() {
    insta::assert_snapshot!(uncertain_error_of(&[("min = 0.4, max = 1.0", "min = 1.0, max = 0.4")]));
}

#[test]
fn test_error_uncertain_mode_outside_range() {
    insta::assert_snapshot!(uncertain_error_of(&[("mode = 0.2, max = 0.5", "mode = 0.7, max = 0.5")]));
}

#[test]
fn test_error_uncertain_unknown_kind() {
    insta::assert_snapshot!(uncertain_error_of(&[("kind = \"lognormal\"", "kind = \"gamma\"")]));
}

#[test]
fn test_error_uncertain_parameter_of_other_kind() {
    insta::assert_snapshot!(uncertain_error_of(&[("min = 0.4, max = 1.0", "min = 0.4, max = 1.0, sd = 0.1")]));
}

#[test]
fn test_error_uncertain_unknown_path() {
    insta::assert_snapshot!(uncertain_error_of(&[(
        "path = \"conflict.territory.gain\"",
        "path = \"conflict.territory.gains\""
    )]));
}

#[test]
fn test_error_uncertain_not_sampleable() {
    insta::assert_snapshot!(uncertain_error_of(&[(
        "path = \"preferences.south.reservation\"",
        "path = \"preferences.south.weights.border\""
    )]));
}

#[test]
fn test_error_uncertain_duplicate_path() {
    insta::assert_snapshot!(uncertain_error_of(&[(
        "path = \"conflict.sides.south.support\"",
        "path = \"conflict.sides.north.optimism\""
    )]));
}

#[test]
fn test_error_uncertain_reservation_needs_bounds() {
    insta::assert_snapshot!(uncertain_error_of(&[("bounds = [0.0, 1.0]\n", "")]));
}

#[test]
fn test_warning_uncertain_point_value_outside() {
    let text = edit(&war_uncertain(), &[("min = 0.4, max = 1.0", "min = 0.9, max = 1.2")]);
    let loaded = parse(&text, "war.toml", Format::Toml).unwrap();
    assert_eq!(loaded.warnings.len(), 1);
    insta::assert_snapshot!(render(&loaded.warnings[0]));
}

#[test]
fn test_uncertain_rules_are_all_reported() {
    // Each edit breaks one rule; every one is reported, with a span and help, and nothing else.
    let cases: &[(&str, &str, &str)] = &[
        ("mode = 0.03, max = 0.06", "max = 0.06", "distribution \"triangular\" needs `mode`"),
        ("bounds = [0.0, 0.05]", "bounds = [0.05, 0.0]", "bounds [0.05, 0]: the lower bound must be below the upper"),
        ("bounds = [0.0, 0.05]", "bounds = [0.0, inf]", "bounds [0, inf] are not finite"),
        ("bounds = [0.0, 0.05]", "bounds = [0.1, 0.2]", "the bounds leave no draw"),
        ("bounds = [0.0, 1.0]", "bounds = [-0.5, 1.5]", "allowed range [0, 1]; narrow bounds to [0, 1]"),
        ("alpha = 8, beta = 2", "alpha = 8, beta = 0", "shapes α = 8 and β = 0 must be positive"),
        (
            "alpha = 8, beta = 2",
            "alpha = 8, beta = 2, min = 0.5, max = 1.5",
            "allowed range [0, 1]; add bounds = [0.5, 1]",
        ),
        ("median = 500, sigma = 0.3", "median = -500, sigma = 0.3", "both must be positive"),
        (
            "path = \"conflict.territory.gain\"",
            "path = \"conflict.beliefs.learning\"",
            "allowed range [0, 1]; add bounds = [0, 1]",
        ),
        ("kind = \"pert\", min = 0.0", "kind = \"pert\", min = -2.0", "allowed range (-1, ∞); add bounds = [-1, 0.5]"),
        ("mean = 0.3, sd = 0.05", "mean = 0.3, sd = 0.05, min = 0", "`min` does not apply to distribution \"normal\""),
        (
            "path = \"conflict.sides.north.optimism\"",
            "path = \"conflict.sides.north.manpower\"",
            "the point value 300000 lies outside",
        ),
        ("source = \"brief#11\"", "source = \"memo#11\"", "cites unknown source \"memo\""),
        ("source = \"brief#11\"", "source = \"brief#11\"\nassumption = \"x\"", "both a source and an assumption"),
        (
            "path = \"conflict.donors.ally.after\"",
            "path = \"conflict.events.ally-election.set.conflict.donors.ally.after\"",
            "this number cannot be drawn",
        ),
        (
            "path = \"conflict.donors.ally.after\"",
            "path = \"levers.aid-cut.set.conflict.donors.ally.after\"",
            "this number cannot be drawn",
        ),
        ("path = \"conflict.donors.ally.after\"", "path = \"actors.north.power\"", "no number at path"),
        ("path = \"preferences.south.reservation\"", "path = \"preferences.south.discount\"", "no number at path"),
        (
            "path = \"conflict.territory.gain\"",
            "path = \"preferences.north.values.border.pre-war\"",
            "this number cannot be drawn",
        ),
        ("note = \"analysts", "shape = 2\nnote = \"analysts", "unknown field `shape`"),
    ];
    for (from, to, expect) in cases {
        let text = edit(&war_uncertain(), &[(from, to)]);
        // Errors, or the warnings of a file that loads.
        let diagnostics = match parse(&text, "war.toml", Format::Toml) {
            Err(Error::Invalid { diagnostics, .. }) => diagnostics,
            Err(e) => panic!("{to:?}: {}", render(&e)),
            Ok(loaded) => loaded.warnings,
        };
        let shown: String = diagnostics.iter().map(|d| render(d)).collect();
        assert!(diagnostics.iter().any(|d| d.message.contains(expect)), "{to:?}: expected {expect:?} in\n{shown}");
        assert!(diagnostics.iter().all(|d| d.label.is_some() && d.help.is_some()), "{shown}");
        assert_eq!(diagnostics.len(), 1, "{to:?}: one diagnostic expected\n{shown}");
    }
}

/// Random damage to a valid scenario (deleted, duplicated or replaced bytes) must give a
/// result or a diagnostic, never a panic, in both syntaxes.
pub(crate) mod mangled_input {
    use super::*;
    use proptest::prelude::*;

    /// `text` with a few bytes removed, duplicated or replaced by syntax-like junk.
    pub(crate) fn mangle(text: &str, edits: &[(u16, u8, u8)]) -> String {
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
            for base in [BASE, WAR, &war_uncertain()] {
                let toml_text = mangle(base, &edits);
                let _ = parse(&toml_text, "mangled.toml", Format::Toml);
                let json = serde_json::to_string(&parse_raw(base, Format::Toml).unwrap()).unwrap();
                let json_text = mangle(&json, &edits);
                let _ = parse(&json_text, "mangled.json", Format::Json);
            }
        }
    }
}

/// The war file with the broker's consent needed for a guarantee (`issues`) and for the
/// border's option `north-claim` (`when`).
const BROKER_SCOPE: (&str, &str) = (
    "role = \"mediator\"\nveto = false",
    "role = \"mediator\"\nveto = { issues = [\"guarantees\"], when = [{ border = \"north-claim\" }], reason = \"it would pay for both\", source = \"brief#2\" }",
);

#[test]
fn test_scoped_veto_is_read_and_written() {
    let loaded = parse(&edit(WAR, &[BROKER_SCOPE]), "war.toml", Format::Toml).unwrap();
    let s = &loaded.scenario;
    let scope = s.actors[2].veto.scope().expect("a scoped veto");
    assert_eq!(scope.issues, vec![1]);
    assert_eq!(scope.when.len(), 1);
    assert_eq!(scope.source.as_ref().map(ToString::to_string).as_deref(), Some("brief#2"));
    assert_eq!(scope.describe(&s.issues), "a change of guarantees from no deal, or border = north-claim");
    // Without a deal the guarantee is `none`: only `treaty` needs the broker's consent.
    let conditions = scope.conditions(&s.issues, &s.no_deal_options());
    assert_eq!(conditions[0].terms, vec![(1, vec![1])]);
    let text = to_toml(s).unwrap();
    assert_eq!(&parse(&text, "again.toml", Format::Toml).unwrap().scenario, s, "TOML round trip");
    let raw = parse_raw(&text, Format::Toml).unwrap();
    let json = serde_json::to_string_pretty(&raw).unwrap();
    assert_eq!(&parse(&json, "again.json", Format::Json).unwrap().scenario, s, "JSON round trip");
}

#[test]
fn test_error_scoped_veto_on_an_issue_without_a_no_deal_option() {
    insta::assert_snapshot!(war_error_of(&[(
        BROKER_SCOPE.0,
        &BROKER_SCOPE.1.replace("[\"guarantees\"]", "[\"border\"]")
    )]));
}

#[test]
fn test_error_scoped_veto_of_a_belligerent() {
    insta::assert_snapshot!(war_error_of(&[(
        "role = \"belligerent\"\nveto = true",
        "role = \"belligerent\"\nveto = { issues = [\"guarantees\"], reason = \"test\" }"
    )]));
}

#[test]
fn test_error_scoped_veto_naming_no_package() {
    insta::assert_snapshot!(war_error_of(&[(BROKER_SCOPE.0, "role = \"mediator\"\nveto = { reason = \"test\" }")]));
}

#[test]
fn test_error_scoped_veto_with_an_unknown_option() {
    insta::assert_snapshot!(war_error_of(&[(
        BROKER_SCOPE.0,
        &BROKER_SCOPE.1.replace("border = \"north-claim\"", "border = \"z\"")
    )]));
}

#[test]
fn test_error_scoped_veto_with_an_unknown_key() {
    insta::assert_snapshot!(war_error_of(&[(
        BROKER_SCOPE.0,
        "role = \"mediator\"\nveto = { issue = [\"guarantees\"], reason = \"test\" }"
    )]));
}

/// Every number of the war model's registry is written, read back under its name, and held
/// to its bounds by validation — from the one definition, with no list of names here.
#[test]
fn test_every_registered_war_number_is_written_read_and_bounded() {
    // Frameworks need a side to put them to.
    let war = edit(
        WAR,
        &[(
            "[conflict.durability]",
            "[conflict.framework]\nabsent = \"south\"\npressing = [\"ally\"]\n\n[conflict.durability]",
        )],
    );
    let base = parse(&war, "war.toml", Format::Toml).unwrap().scenario;
    let mut checked = 0;
    for (group, parameters) in parley_core::parameters::groups() {
        for p in parameters {
            let path = match group {
                "sides" => format!("conflict.sides.north.{}", p.name),
                _ => format!("conflict.{group}.{}", p.name),
            };
            // Written and read back: a value set by path survives the round trip.
            let mut s = base.clone();
            let (lo, hi) = p.bounds.ends();
            let inside = if lo.is_finite() && hi.is_finite() { lo + (hi - lo) / 2.0 } else { lo.max(0.0) + 1.0 };
            let inside = if p.bounds.whole() { inside.round() } else { inside };
            let q = s.quantity_mut(&path).unwrap_or_else(|| panic!("{path} is addressable"));
            // The holding's numbers are also held to each other: keep the file's.
            let inside =
                if group == "territory" && ["held", "min", "max"].contains(&p.name) { q.value } else { inside };
            q.value = inside;
            let text = to_toml(&s).unwrap();
            let mut read = parse(&text, "again.toml", Format::Toml).unwrap().scenario;
            assert_eq!(read.quantity_mut(&path).map(|q| q.value), Some(inside), "{path} is written and read back");
            let again = parse_raw(&text, Format::Toml).unwrap();
            let model = again.conflict.as_ref().unwrap();
            let written = match group {
                "law" => model.law.number(p.name),
                "sides" => model.sides.value.0.iter().find(|(k, _)| k.value == "north").unwrap().1.number(p.name),
                "territory" => model.territory.number(p.name),
                "beliefs" => model.beliefs.number(p.name),
                "volatility" => model.volatility.number(p.name),
                "mediation" => model.mediation.as_ref().and_then(|m| m.number(p.name)),
                "framework" => model.framework.as_ref().and_then(|f| f.number(p.name)),
                "durability" => model.durability.number(p.name),
                other => panic!("a group the test does not know: {other}"),
            };
            assert!(written.is_some(), "{path} is a field of the file's struct");
            // Bounded: a value beyond a finite end is refused, naming the number and its range.
            let beyond = if lo.is_finite() { lo - 1.0 } else { hi + 1.0 };
            if !beyond.is_finite() {
                continue;
            }
            s.quantity_mut(&path).unwrap().value = beyond;
            let text = to_toml(&s).unwrap();
            let message = render(&parse(&text, "war.toml", Format::Toml).unwrap_err());
            assert!(
                message.contains(&format!("{} is {beyond}, but must be {}", p.name, p.bounds.describe())),
                "{path}: {message}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 49, "every registered number has a finite end to test");
}
