//! Editing a scenario file's text by path: set a number, drop a red line or a linkage.
//!
//! A front end (the workbench) sends edits as operations on the paths `parley sources`
//! lists (`preferences.ukr.reservation`, `preferences.rus.weights.nato`,
//! `preferences.rus.values.territory.freeze`, `preferences.ukr.red_lines.no-nato`,
//! `conflict.sides.ukr.recruitment`, …).
//! [`apply`] makes them on the TOML text itself, keeping the file's comments, order and
//! layout, so that the edited text is the file as it would be saved; the caller then loads it
//! with [`parley_io::parse`], so an invalid value gets exactly the located message
//! `parley validate` gives.
//!
//! An edited number becomes an assumption with the user's reason, and its former value and
//! provenance are kept in its `note`: `{ value = 0.35, assumption = "why", note = "workbench
//! edit; was: value = 0.3; source = listing#3" }`. A dropped rule leaves a comment
//! with its reason above the actor's preferences.

use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

/// The note an edited number carries before its former value.
pub const NOTE_PREFIX: &str = "workbench edit; was: ";

/// One edit.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Replace the number at `path` by `value`, an assumption for `reason`.
    Set {
        /// The number's path, as `parley sources` lists it.
        path: String,
        /// The new value.
        value: f64,
        /// Why: the new number's assumption.
        reason: String,
    },
    /// Remove the red line or linkage at `path` (`preferences.ACTOR.red_lines.ID` or
    /// `preferences.ACTOR.linkages.ID`).
    Drop {
        /// The rule's path.
        path: String,
        /// Why.
        reason: String,
    },
}

impl Edit {
    /// The path the edit works on.
    pub fn path(&self) -> &str {
        match self {
            Edit::Set { path, .. } | Edit::Drop { path, .. } => path,
        }
    }

    /// The user's reason.
    pub fn reason(&self) -> &str {
        match self {
            Edit::Set { reason, .. } | Edit::Drop { reason, .. } => reason,
        }
    }
}

/// Why an edit cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EditError {
    /// The text is not TOML (the caller's `parley validate` would say where).
    #[error("the scenario file is not valid TOML: {0}")]
    Syntax(String),
    /// No number of the file has this path.
    #[error(
        "no editable number at path \"{0}\"; the paths are those `parley sources` lists below actors., issues., preferences. and conflict. (not the values of levers and events)"
    )]
    UnknownPath(String),
    /// No red line or linkage has this path.
    #[error("no red line or linkage at \"{0}\"; write preferences.ACTOR.red_lines.ID or preferences.ACTOR.linkages.ID")]
    UnknownRule(String),
    /// The value is not a finite number.
    #[error("the value of \"{0}\" is not a finite number")]
    NotFinite(String),
    /// A reason is missing or unusable.
    #[error("the edit of \"{0}\" needs a reason (one line of text): every edited number becomes an assumption")]
    Reason(String),
}

/// The longest reason accepted, in bytes.
pub const MAX_REASON: usize = 2000;

/// `text` (a TOML scenario) with `edits` made in order.
///
/// `require_reasons`: whether an edit without a reason is refused (saving) or given a
/// placeholder reason (trying a value out).
pub fn apply(text: &str, edits: &[Edit], require_reasons: bool) -> Result<String, EditError> {
    if edits.is_empty() {
        return Ok(text.to_string());
    }
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| EditError::Syntax(e.message().into()))?;
    for edit in edits {
        let reason = reason(edit, require_reasons)?;
        match edit {
            Edit::Set { path, value, .. } => {
                if !value.is_finite() {
                    return Err(EditError::NotFinite(path.clone()));
                }
                let unknown = || EditError::UnknownPath(path.clone());
                let node = locate(doc.as_table_mut(), path).ok_or_else(unknown)?;
                node.replace(*value, &reason).ok_or_else(unknown)?;
            }
            Edit::Drop { path, .. } => drop_rule(doc.as_table_mut(), path, &reason)?,
        }
    }
    Ok(doc.to_string())
}

/// The reason of an edit, checked: one line, not too long.
fn reason(edit: &Edit, require: bool) -> Result<String, EditError> {
    let r = edit.reason().trim();
    if r.is_empty() {
        if require {
            return Err(EditError::Reason(edit.path().into()));
        }
        return Ok("workbench edit: reason not given yet".into());
    }
    if r.len() > MAX_REASON || r.contains(['\n', '\r']) || r.chars().any(char::is_control) {
        return Err(EditError::Reason(edit.path().into()));
    }
    Ok(r.to_string())
}

/// A place in the document: a table, an item of a table, or a value inside an inline table
/// or array.
enum Node<'a> {
    Table(&'a mut Table),
    Item(&'a mut Item),
    Value(&'a mut Value),
}

impl<'a> Node<'a> {
    /// The entry under `key`.
    fn child(self, key: &str) -> Option<Node<'a>> {
        match self {
            Node::Table(t) => t.get_mut(key).map(Node::Item),
            Node::Item(Item::Table(t)) => t.get_mut(key).map(Node::Item),
            Node::Item(Item::Value(Value::InlineTable(t))) | Node::Value(Value::InlineTable(t)) => {
                t.get_mut(key).map(Node::Value)
            }
            _ => None,
        }
    }

    /// The element of an array (of tables, or of inline tables) whose `field` is `id`.
    fn element(self, field: &str, id: &str) -> Option<Node<'a>> {
        match self {
            Node::Item(Item::ArrayOfTables(a)) => {
                a.iter_mut().find(|t| t.get(field).and_then(Item::as_str) == Some(id)).map(Node::Table)
            }
            Node::Item(Item::Value(Value::Array(a))) | Node::Value(Value::Array(a)) => a
                .iter_mut()
                .find(|v| v.as_inline_table().and_then(|t| t.get(field)).and_then(Value::as_str) == Some(id))
                .map(Node::Value),
            _ => None,
        }
    }

    /// Whether the node holds `key`.
    fn has(&self, key: &str) -> bool {
        match self {
            Node::Table(t) => t.contains_key(key),
            Node::Item(Item::Table(t)) => t.contains_key(key),
            Node::Item(Item::Value(Value::InlineTable(t))) | Node::Value(Value::InlineTable(t)) => t.contains_key(key),
            _ => false,
        }
    }

    /// Replaces the number here by `value`, assumed for `reason`; the former value and its
    /// provenance go to the note.
    fn replace(self, value: f64, reason: &str) -> Option<()> {
        let old = match &self {
            Node::Item(Item::Value(v)) => v.clone(),
            Node::Value(v) => (**v).clone(),
            Node::Item(Item::Table(t)) => Value::InlineTable(t.clone().into_inline_table()),
            _ => return None,
        };
        let was = match &old {
            Value::Float(_) | Value::Integer(_) => format!("value = {}", bare(&old)),
            Value::InlineTable(t) => {
                if !t.contains_key("value") {
                    return None;
                }
                match t.get("note").and_then(Value::as_str) {
                    // An edit of an edited number keeps the first provenance.
                    Some(note) if note.starts_with(NOTE_PREFIX) => note[NOTE_PREFIX.len()..].to_string(),
                    _ => t.iter().map(|(k, v)| format!("{k} = {}", bare(v))).collect::<Vec<_>>().join("; "),
                }
            }
            _ => return None,
        };
        let mut new = InlineTable::new();
        new.insert("value", number(value));
        new.insert("assumption", Value::from(reason));
        new.insert("note", Value::from(format!("{NOTE_PREFIX}{was}")));
        let mut new = Value::InlineTable(new);
        let decor = old.decor().clone();
        *new.decor_mut() = decor;
        match self {
            Node::Item(item) => *item = Item::Value(new),
            Node::Value(v) => *v = new,
            Node::Table(_) => return None,
        }
        Some(())
    }
}

/// A value in words: a string's text, anything else as TOML writes it, without comments.
fn bare(v: &Value) -> String {
    match v.as_str() {
        Some(text) => text.to_string(),
        None => {
            let mut v = v.clone();
            v.decor_mut().clear();
            if let Value::InlineTable(t) = &mut v {
                t.fmt();
            }
            v.to_string().trim().to_string()
        }
    }
}

/// A number as TOML writes it: whole numbers as integers, so an integer issue's range stays
/// an integer in the file.
fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 { Value::from(value as i64) } else { Value::from(value) }
}

/// The preferences of `actor`.
fn preferences<'a>(doc: &'a mut Table, actor: &str) -> Option<Node<'a>> {
    Node::Table(doc).child("preferences")?.element("actor", actor)
}

/// The `[conflict]` section.
fn conflict(doc: &mut Table) -> Option<Node<'_>> {
    Node::Table(doc).child("conflict")
}

/// Whether the number at `path` (as [`parley_core::Scenario::numbers`] lists it) can be
/// edited: the actors', issues', preferences' and war model's numbers, but not the values a
/// lever or a scheduled event sets, nor a series' summary.
pub fn editable(path: &str) -> bool {
    ["actors.", "issues.", "preferences.", "conflict."].iter().any(|p| path.starts_with(p))
        && !path.starts_with("conflict.events.")
        && !path.contains('[')
}

/// The number at `path`.
fn locate<'a>(doc: &'a mut Table, path: &str) -> Option<Node<'a>> {
    let parts: Vec<&str> = path.split('.').collect();
    match parts.as_slice() {
        ["actors", id, field] => Node::Table(doc).child("actors")?.element("id", id)?.child(field),
        ["issues", id, field] => Node::Table(doc).child("issues")?.element("id", id)?.child(field),
        ["preferences", actor, rest @ ..] => {
            let prefs = preferences(doc, actor)?;
            match rest {
                [field @ ("reservation" | "discount")] => prefs.child(field),
                ["weights", issue] => prefs.child("weights")?.child(issue),
                ["linkages", id] => prefs.child("linkages")?.element("id", id)?.child("delta"),
                ["values", issue, name] => {
                    let function = prefs.child("values")?.child(issue)?;
                    if function.has("options") { function.child("options")?.child(name) } else { function.child(name) }
                }
                _ => None,
            }
        }
        // The war model's numbers: a factor's multiplier and a series' error model go by
        // the element's id; the rest are tables keyed as the path is
        // (`conflict.sides.ukr.recruitment`, `conflict.mediation.hazard`).
        ["conflict", "durability", "factors", id] => {
            conflict(doc)?.child("durability")?.child("factors")?.element("id", id)?.child("multiplier")
        }
        ["conflict", "observed", id, field @ ("bias" | "scale")] => {
            conflict(doc)?.child("observed")?.element("id", id)?.child("error")?.child(field)
        }
        ["conflict", rest @ ..] => rest.iter().try_fold(conflict(doc)?, |node, key| node.child(key)),
        _ => None,
    }
}

/// Removes the rule at `path`, leaving a comment with the reason above the actor's
/// preferences when they are a table of their own.
fn drop_rule(doc: &mut Table, path: &str, reason: &str) -> Result<(), EditError> {
    let unknown = || EditError::UnknownRule(path.to_string());
    let parts: Vec<&str> = path.split('.').collect();
    let ["preferences", actor, kind @ ("red_lines" | "linkages"), id] = parts.as_slice() else {
        return Err(unknown());
    };
    let prefs = preferences(doc, actor).ok_or_else(unknown)?;
    let Node::Table(prefs) = prefs else { return Err(unknown()) };
    let removed = match prefs.get_mut(kind).ok_or_else(unknown)? {
        Item::ArrayOfTables(a) => remove_table(a, id),
        Item::Value(Value::Array(a)) => remove_value(a, id),
        _ => false,
    };
    if !removed {
        return Err(unknown());
    }
    let kind = if *kind == "red_lines" { "red line" } else { "linkage" };
    let prefix = prefs.decor().prefix().and_then(|p| p.as_str()).unwrap_or("").to_string();
    prefs.decor_mut().set_prefix(format!("{prefix}# workbench: dropped {kind} \"{id}\": {reason}\n"));
    Ok(())
}

fn remove_table(a: &mut ArrayOfTables, id: &str) -> bool {
    let found = a.iter().position(|t| t.get("id").and_then(Item::as_str) == Some(id));
    match found {
        Some(i) => {
            a.remove(i);
            true
        }
        None => false,
    }
}

fn remove_value(a: &mut Array, id: &str) -> bool {
    let found =
        a.iter().position(|v| v.as_inline_table().and_then(|t| t.get("id")).and_then(Value::as_str) == Some(id));
    match found {
        Some(i) => {
            a.remove(i);
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAR: &str = r#"[scenario]
id = "car-sale"
title = "Selling a used car"

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
id = "tyres"
name = "Winter tyres"
kind = "categorical"
options = [{ id = "no", label = "No tyres" }, { id = "yes", label = "Tyres included" }]

[[preferences]]
actor = "buyer"
reservation = { value = 0.25, assumption = "a similar car is on offer" } # the buyer's
weights = { price = 0.8, tyres = 0.2 }
values.price = { function = "linear", at_min = 1.0, at_max = 0.0 }
values.tyres = { options = { no = 0.0, yes = 1.0 } }
red_lines = [{ id = "no-tyres", when = { tyres = "no" }, reason = "winter" }]

[[preferences]]
actor = "seller"
reservation = 0.3
weights = { price = 0.9, tyres = 0.1 }
values.price = { function = "linear", at_min = 0.0, at_max = 1.0 }
values.tyres = { options = { no = 0.6, yes = 1.0 } }

[[preferences.linkages]]
id = "cash-and-tyres"
when = { tyres = "yes" }
delta = 0.05
"#;

    fn set(path: &str, value: f64) -> Edit {
        Edit::Set { path: path.into(), value, reason: "because".into() }
    }

    fn number_at(text: &str, path: &str) -> parley_core::Quantity {
        let loaded = parley_io::parse(text, "car.toml", parley_io::Format::Toml).unwrap();
        loaded.scenario.numbers().into_iter().find(|n| n.path == path).unwrap().quantity.into_owned()
    }

    #[test]
    fn test_apply_sets_numbers_as_assumptions_and_keeps_the_rest_of_the_file() {
        for (path, value) in [
            ("preferences.buyer.reservation", 0.35),
            ("preferences.seller.reservation", 0.2),
            ("preferences.buyer.weights.tyres", 0.3),
            ("preferences.buyer.values.price.at_max", 0.1),
            ("preferences.seller.values.tyres.no", 0.5),
            ("preferences.seller.linkages.cash-and-tyres", 0.1),
            ("issues.price.max", 12000.0),
        ] {
            let text = apply(CAR, &[set(path, value)], true).unwrap();
            let q = number_at(&text, path);
            assert!(
                matches!(&*q.provenance, parley_core::Provenance::Assumption { reason, .. } if reason == "because"),
                "{path}: {q:?}"
            );
            if !path.contains("weights") {
                assert!((q.value - value).abs() < 1e-12, "{path}: {}", q.value);
            }
        }
        let text = apply(CAR, &[set("preferences.buyer.reservation", 0.35)], true).unwrap();
        assert!(text.contains("# the buyer's"), "a comment is kept:\n{text}");
        let note = |text: &str| {
            let doc: DocumentMut = text.parse().unwrap();
            doc["preferences"][0]["reservation"]["note"].as_str().unwrap().to_string()
        };
        assert_eq!(note(&text), "workbench edit; was: value = 0.25; assumption = a similar car is on offer");
        // Editing again keeps the first provenance.
        let again = apply(&text, &[set("preferences.buyer.reservation", 0.4)], true).unwrap();
        assert_eq!(note(&again), note(&text), "{again}");
        assert!(again.contains("value = 0.4"));
    }

    #[test]
    fn test_apply_drops_rules_in_either_layout() {
        let text = apply(
            CAR,
            &[
                Edit::Drop { path: "preferences.buyer.red_lines.no-tyres".into(), reason: "they relented".into() },
                Edit::Drop { path: "preferences.seller.linkages.cash-and-tyres".into(), reason: "gone".into() },
            ],
            true,
        )
        .unwrap();
        let s = parley_io::parse(&text, "car.toml", parley_io::Format::Toml).unwrap().scenario;
        assert!(s.preferences.iter().all(|p| p.red_lines.is_empty() && p.linkages.is_empty()));
        assert!(text.contains("# workbench: dropped red line \"no-tyres\": they relented"), "{text}");
    }

    #[test]
    fn test_apply_refuses_unknown_paths_missing_reasons_and_bad_values() {
        assert!(matches!(
            apply(CAR, &[set("preferences.nobody.reservation", 0.1)], true),
            Err(EditError::UnknownPath(_))
        ));
        assert!(matches!(apply(CAR, &[set("scenario.id", 0.1)], true), Err(EditError::UnknownPath(_))));
        assert!(matches!(apply(CAR, &[set("issues.tyres.name", 0.1)], true), Err(EditError::UnknownPath(_))));
        assert!(matches!(
            apply(CAR, &[set("preferences.buyer.reservation", f64::NAN)], true),
            Err(EditError::NotFinite(_))
        ));
        let bare = Edit::Set { path: "preferences.buyer.reservation".into(), value: 0.3, reason: " ".into() };
        assert!(matches!(apply(CAR, std::slice::from_ref(&bare), true), Err(EditError::Reason(_))));
        assert!(apply(CAR, &[bare], false).is_ok());
        let drop = Edit::Drop { path: "preferences.buyer.red_lines.nope".into(), reason: "x".into() };
        assert!(matches!(apply(CAR, &[drop], true), Err(EditError::UnknownRule(_))));
        assert!(matches!(apply("not = [toml", &[set("a", 1.0)], true), Err(EditError::Syntax(_))));
    }

    #[test]
    fn test_every_number_of_the_built_in_scenario_can_be_edited_where_it_stands() {
        let name = crate::scenario::BUILT_IN_NAME;
        let text = crate::scenario::BUILT_IN;
        let scenario = parley_io::parse(text, name, parley_io::Format::Toml).unwrap().scenario;
        let numbers: Vec<_> = scenario.numbers().into_iter().filter(|n| editable(&n.path)).collect();
        assert!(numbers.iter().filter(|n| n.path.starts_with("conflict.")).count() > 50);
        assert!(!editable("levers.us_aid_cut.set.preferences.ukr.reservation"));
        assert!(!editable("conflict.events.us-midterms.set.conflict.donors.usa.after"));
        assert!(!editable("conflict.donors.usa.deliveries[22 months, mean]"));
        let mut failed = Vec::new();
        for n in &numbers {
            // Its own value again: always valid, so the file must load with the edit made.
            let value = n.quantity.value;
            let edited = match apply(text, &[set(&n.path, value)], true) {
                Ok(edited) => edited,
                Err(e) => {
                    failed.push(format!("{}: {e}", n.path));
                    continue;
                }
            };
            let loaded = parley_io::parse(&edited, name, parley_io::Format::Toml).unwrap().scenario;
            let after = loaded.numbers().into_iter().find(|m| m.path == n.path).unwrap().quantity.into_owned();
            assert_eq!(after.value.to_bits(), value.to_bits(), "{}", n.path);
            assert_eq!(after.provenance.kind(), "assumption", "{}", n.path);
        }
        assert!(
            failed.is_empty(),
            "{} of {} numbers cannot be edited:\n{}",
            failed.len(),
            numbers.len(),
            failed.join("\n")
        );
    }

    #[test]
    fn test_an_invalid_value_gets_the_message_validate_gives() {
        let text = apply(CAR, &[set("preferences.buyer.reservation", 1.3)], true).unwrap();
        let Err(parley_io::Error::Invalid { diagnostics, .. }) =
            parley_io::parse(&text, "car.toml", parley_io::Format::Toml)
        else {
            panic!("1.3 is out of range")
        };
        assert!(diagnostics[0].message.contains("1.3"), "{}", diagnostics[0].message);
        assert!(diagnostics[0].line_column().is_some());
    }
}
