//! Forecast inputs: the emission-standards CSV, salience detection, quoting, and every rule
//! against a malformed file with a snapshot of the message a user sees.

use approx::assert_relative_eq;
use parley_core::Provenance;

use super::*;
use crate::tests::render;

/// The shipped emission-standards example.
const EMISSION: &str = include_str!("../../../../data/emission_standards_bdm1994.csv");

/// A small valid CSV the malformed cases below edit.
const CSV: &str = "\
# Three actors on a 0-10 scale.
Actor,Capability,Position,Salience
North,2,0,0.9
South,1,10,0.5
West,1.5,4,0.7
";

/// A valid forecast file the malformed cases below edit.
const FILE: &str = r#"[forecast]
id = "small"
title = "A small forecast"
scale = { name = "Years", min = 0, max = 10, unit = "years", points = [{ value = 0, id = "now", label = "Now" }, { value = 10, id = "later", label = "In ten years" }] }
uncertainty = { position = { value = 1.0, assumption = "read off a chart" }, salience = { value = 10, assumption = "rough" } }

[[sources]]
id = "memo"
title = "A memo"
outlet = "internal"
date = "2025"

[[forecast.actors]]
name = "North"
capability = { value = 2, source = "memo#1" }
position = { value = 0, source = "memo#2" }
salience = { value = 90, assumption = "its top issue" }

[[forecast.actors]]
name = "South"
capability = { value = 1, source = "memo#1" }
position = { value = 10, source = "memo#2" }
salience = { value = 50, assumption = "one issue among several" }
uncertainty = { capability = { value = 0.2, assumption = "disputed" } }

[[forecast.actors]]
name = "West"
capability = 1.5
position = 4
salience = 70
"#;

fn edit(base: &str, edits: &[(&str, &str)]) -> String {
    let mut text = base.to_string();
    for (from, to) in edits {
        assert!(text.contains(from), "edit target {from:?} not in base");
        text = text.replacen(from, to, 1);
    }
    text
}

fn csv_error(edits: &[(&str, &str)]) -> String {
    match parse_forecast_csv(&edit(CSV, edits), "actors.csv", "actors") {
        Ok(_) => panic!("expected an error"),
        Err(e) => render(&e),
    }
}

fn file_error(edits: &[(&str, &str)]) -> String {
    match parse_forecast_file(&edit(FILE, edits), "small.toml", Format::Toml) {
        Ok(_) => panic!("expected an error"),
        Err(e) => render(&e),
    }
}

#[test]
fn test_emission_csv_reads_as_written() {
    let input = parse_forecast_csv(EMISSION, "emission.csv", "emission").unwrap();
    assert_eq!(input.salience_scale, SalienceScale::Unit);
    let actors = input.data.actors();
    assert_eq!(actors.len(), 10);
    assert_eq!((actors[0].name.as_str(), actors[9].name.as_str()), ("Netherlands", "Greece"));
    assert_relative_eq!(actors[6].salience, 0.9);
    assert_relative_eq!(input.data.range(), 6.0);
    assert!(input.uncertainty.is_none() && input.title.is_none());
    assert_eq!(input.id, "emission");
}

#[test]
fn test_percent_saliences_case_quotes_and_bom() {
    let text = "\u{feff}SALIENCE,actor,Position,capability,notes\n80,\"Korea, Republic of\",4,0.5,x\n40,\"The \"\"Other\"\"\",7,0.5,\n";
    let input = parse_forecast_csv(text, "t.csv", "t").unwrap();
    assert_eq!(input.salience_scale, SalienceScale::Percent);
    let a = input.data.actors();
    assert_eq!(a[0].name, "Korea, Republic of");
    assert_eq!(a[1].name, "The \"Other\"");
    assert_relative_eq!(a[0].salience, 0.8);
    assert_relative_eq!(a[1].salience, 0.4);
}

#[test]
fn test_salience_scale_detection() {
    assert_eq!(SalienceScale::detect(&[0.0, 1.0, 0.5]), Some(SalienceScale::Unit));
    assert_eq!(SalienceScale::detect(&[0.5, 2.0]), Some(SalienceScale::Percent));
    assert_eq!(SalienceScale::detect(&[100.0, 0.0]), Some(SalienceScale::Percent));
    assert_eq!(SalienceScale::detect(&[50.0, 101.0]), None);
    assert_eq!(SalienceScale::detect(&[-0.1, 0.5]), None);
}

#[test]
fn test_forecast_file_reads_provenance_scale_and_uncertainty() {
    let input = parse_forecast_file(FILE, "small.toml", Format::Toml).unwrap();
    assert_eq!(input.id, "small");
    assert_eq!(input.salience_scale, SalienceScale::Percent);
    let a = input.data.actors();
    assert_relative_eq!(a[0].salience, 0.9);
    let scale = input.data.scale();
    assert_eq!((scale.min, scale.max, scale.unit.as_deref()), (Some(0.0), Some(10.0), Some("years")));
    assert_eq!(scale.points[1].label, "In ten years");
    assert!(
        matches!(&input.provenance[0].capability, Provenance::Cited { citation } if citation.to_string() == "memo#1")
    );
    assert!(matches!(&input.provenance[2].position, Provenance::Unstated));
    let u = input.uncertainty.unwrap();
    // The default applies where an actor states nothing; salience 10 points = 0.1.
    assert_relative_eq!(u[0].position, 1.0);
    assert_relative_eq!(u[0].salience, 0.1);
    assert_relative_eq!(u[0].capability, 0.0);
    assert_relative_eq!(u[1].capability, 0.2);
    assert_relative_eq!(u[1].position, 1.0);
    assert_eq!(input.sources.len(), 1);
}

#[test]
fn test_json_forecast_file_and_detection() {
    let raw: raw::RawForecastFile = toml::from_str(FILE).unwrap();
    let json = serde_json::to_string(&raw).unwrap();
    assert!(is_forecast_file(&json, Format::Json));
    assert!(is_forecast_file(FILE, Format::Toml));
    assert!(!is_forecast_file("[scenario]\nid = \"x\"\ntitle = \"x\"\n", Format::Toml));
    let from_json = parse_forecast_file(&json, "small.json", Format::Json).unwrap();
    let from_toml = parse_forecast_file(FILE, "small.toml", Format::Toml).unwrap();
    assert_eq!(from_json.data, from_toml.data);
    assert_eq!(from_json.uncertainty, from_toml.uncertainty);
}

#[test]
fn test_load_forecast_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("actors.csv");
    std::fs::write(&csv, CSV).unwrap();
    assert_eq!(load_forecast(&csv).unwrap().id, "actors");
    let toml = dir.path().join("small.toml");
    std::fs::write(&toml, FILE).unwrap();
    assert_eq!(load_forecast(&toml).unwrap().id, "small");
    assert!(matches!(load_forecast(&dir.path().join("none.csv")), Err(Error::Read { .. })));
}

#[test]
fn test_errors_point_at_line_and_column() {
    let Err(Error::InvalidForecast { diagnostics, .. }) =
        parse_forecast_csv(&edit(CSV, &[("South,1,10", "South,x,10")]), "a.csv", "a")
    else {
        panic!("an error")
    };
    assert_eq!(diagnostics[0].line_column(), Some((4, 7)));
}

/// The 1-based line and column and the message of every problem of the CSV edited so.
fn csv_places(edits: &[(&str, &str)]) -> Vec<((usize, usize), String)> {
    let Err(Error::InvalidForecast { diagnostics, .. }) = parse_forecast_csv(&edit(CSV, edits), "a.csv", "a") else {
        panic!("an error")
    };
    diagnostics.iter().map(|d| (d.line_column().unwrap(), d.message.clone())).collect()
}

#[test]
fn test_an_unclosed_quote_is_located_and_the_rows_after_it_are_read() {
    // The csv crate alone would read on from the open quote to the end of the file.
    let places = csv_places(&[("South,1,10,0.5", "\"South,1,10,0.5"), ("West,1.5,4", "West,x,4")]);
    assert_eq!(
        places,
        [
            ((4, 1), "this row cannot be read: the quote is not closed".to_string()),
            ((5, 6), "capability \"x\" is not a number".to_string()),
        ]
    );
}

#[test]
fn test_text_after_a_closing_quote_is_located() {
    // The csv crate alone would read "South"ern as Southern.
    let places = csv_places(&[("South,1,10,0.5", "\"South\"ern,1,10,0.5")]);
    assert_eq!(places, [((4, 8), "this row cannot be read: text after the closing quote".to_string())]);
}

#[test]
fn test_a_space_before_an_opening_quote_is_located() {
    // The csv crate alone would read the quote as text and split the field at its comma.
    let places = csv_places(&[("South,1,10,0.5", "South, \"1,0\",10,0.5")]);
    assert_eq!(places, [((4, 8), "this row cannot be read: a space before the opening quote".to_string())]);
}

// One malformed CSV per rule.

#[test]
fn test_csv_error_missing_column() {
    insta::assert_snapshot!(csv_error(&[("Actor,Capability,Position,Salience", "Actor,Clout,Position")]));
}

#[test]
fn test_csv_error_not_a_number() {
    insta::assert_snapshot!(csv_error(&[("South,1,10,0.5", "South,1,ten,0.5")]));
}

#[test]
fn test_csv_error_capability_not_positive() {
    insta::assert_snapshot!(csv_error(&[("West,1.5,4", "West,0,4")]));
}

#[test]
fn test_csv_error_salience_out_of_range() {
    insta::assert_snapshot!(csv_error(&[("North,2,0,0.9", "North,2,0,90"), ("South,1,10,0.5", "South,1,10,150")]));
}

#[test]
fn test_csv_error_negative_salience() {
    insta::assert_snapshot!(csv_error(&[("West,1.5,4,0.7", "West,1.5,4,-0.7")]));
}

#[test]
fn test_csv_error_too_few_actors() {
    insta::assert_snapshot!(csv_error(&[("South,1,10,0.5\nWest,1.5,4,0.7\n", "")]));
}

#[test]
fn test_csv_error_zero_range() {
    insta::assert_snapshot!(csv_error(&[("South,1,10", "South,1,0"), ("West,1.5,4", "West,1.5,0")]));
}

#[test]
fn test_csv_error_duplicate_actor() {
    insta::assert_snapshot!(csv_error(&[("West,", "North,")]));
}

#[test]
fn test_csv_error_no_weight() {
    insta::assert_snapshot!(csv_error(&[("0,0.9", "0,0"), ("10,0.5", "10,0"), ("4,0.7", "4,0")]));
}

#[test]
fn test_csv_error_field_count_and_quotes() {
    insta::assert_snapshot!(csv_error(&[("South,1,10,0.5", "South,1,10"), ("West,1.5", "\"West,1.5")]));
}

#[test]
fn test_csv_error_empty_file() {
    insta::assert_snapshot!(match parse_forecast_csv("# nothing here\n", "empty.csv", "empty") {
        Ok(_) => panic!("expected an error"),
        Err(e) => render(&e),
    });
}

// One malformed forecast file per rule.

#[test]
fn test_file_error_syntax() {
    insta::assert_snapshot!(file_error(&[("name = \"West\"", "nmae = \"West\"")]));
}

#[test]
fn test_file_error_capability_not_positive() {
    insta::assert_snapshot!(file_error(&[("capability = 1.5", "capability = -1.5")]));
}

#[test]
fn test_file_error_salience_out_of_range() {
    insta::assert_snapshot!(file_error(&[("salience = 70", "salience = 700")]));
}

#[test]
fn test_file_error_position_off_the_scale() {
    insta::assert_snapshot!(file_error(&[("position = 4\n", "position = 12\n")]));
}

#[test]
fn test_file_error_duplicate_actor() {
    insta::assert_snapshot!(file_error(&[("name = \"West\"", "name = \"North\"")]));
}

#[test]
fn test_file_error_unknown_source() {
    insta::assert_snapshot!(file_error(&[("value = 2, source = \"memo#1\"", "value = 2, source = \"memp#1\"")]));
}

#[test]
fn test_file_error_bad_uncertainty() {
    insta::assert_snapshot!(file_error(&[(
        "value = 0.2, assumption = \"disputed\"",
        "value = 1.2, assumption = \"disputed\""
    )]));
}

#[test]
fn test_file_error_scale_points_out_of_order() {
    insta::assert_snapshot!(file_error(&[("{ value = 0, id = \"now\"", "{ value = 11, id = \"now\"")]));
}

#[test]
fn test_file_error_zero_range_and_too_few() {
    let same =
        file_error(&[("position = { value = 10,", "position = { value = 0,"), ("position = 4\n", "position = 0\n")]);
    insta::assert_snapshot!(same);
    let one = edit(FILE, &[("[[forecast.actors]]\nname = \"South\"", "[[forecast.skipped]]\nname = \"South\"")]);
    assert!(parse_forecast_file(&one, "t.toml", Format::Toml).is_err(), "unknown keys are errors");
    let text = FILE.split("[[forecast.actors]]\nname = \"South\"").next().unwrap();
    match parse_forecast_file(text, "one.toml", Format::Toml) {
        Ok(_) => panic!("expected an error"),
        Err(e) => assert!(render(&e).contains("needs at least 2"), "{}", render(&e)),
    }
}

mod mangled_input {
    use proptest::prelude::*;

    use super::*;
    use crate::tests::mangled_input::mangle;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Mangled inputs give diagnostics, never a panic, and what still loads forecasts.
        #[test]
        fn test_mangled_forecast_inputs_never_panic(edits in prop::collection::vec((any::<u16>(), any::<u8>(), any::<u8>()), 1..6)) {
            for (base, csv) in [(CSV, true), (EMISSION, true), (FILE, false)] {
                let text = mangle(base, &edits);
                let result = if csv {
                    parse_forecast_csv(&text, "mangled.csv", "mangled")
                } else {
                    parse_forecast_file(&text, "mangled.toml", Format::Toml)
                };
                match result {
                    Ok(input) => {
                        let f = parley_forecast::forecast(&input.data, &parley_forecast::Options::default().with_rounds(3));
                        prop_assert!(f.is_ok());
                    }
                    Err(e) => prop_assert!(!render(&e).is_empty()),
                }
            }
        }
    }
}
