//! Identifiers: the characters an id written in a scenario file may hold.
//!
//! Ids name things in paths (`preferences.ACTOR.weights.ISSUE`), citations (`SOURCE#12`),
//! experiment arms (`LEVER+LEVER`), CSV and Parquet columns, HTML reports and file names
//! (a Genius folder written by `parley convert` names its files after the scenario and its
//! actors). So every id a file declares follows one rule:
//!
//! * it starts with an ASCII letter (`A`–`Z`, `a`–`z`);
//! * it goes on with ASCII letters, digits (`0`–`9`), `_` and `-`;
//! * it is at most [`MAX_ID_LEN`] characters long.
//!
//! Under this rule no id holds a separator of the formats it is written into (`.`, `#`,
//! `+`, `,`, `/`, quotes, spaces, line breaks), so no id can split a path, a citation, an
//! arm name, a CSV row or a file name. The rule applies to the ids of the scenario, sources,
//! actors, issues, the options of categorical issues, levers, expectations (claims),
//! linkages, red lines, and the `[conflict]` section's donors, events and durability
//! factors. The options of integer and real issues are not declared but generated from
//! their values (`9500`, `0.25`, `-1`): those ids are numbers, not names.
//!
//! The lever id [`BASELINE`] is reserved: it names the run without levers.
//!
//! [`label_to_id`] turns a foreign name (a Genius value such as `19'' LCD`) into an id that
//! follows the rule; importers keep the original name as the label.

use std::fmt;

/// Most characters an id may have.
pub const MAX_ID_LEN: usize = 64;

/// The name of the run without levers, which no lever may take as its id.
pub const BASELINE: &str = "baseline";

/// How an id breaks the rule (see the [module docs](self)).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The id is empty (or only whitespace).
    #[error("is empty")]
    Empty,
    /// The first character is not an ASCII letter.
    #[error("starts with {}, not a letter", CharName(*.ch))]
    BadStart {
        /// The character.
        ch: char,
    },
    /// A character outside letters, digits, `_` and `-`.
    #[error("holds {}, which ids may not contain", CharName(*.ch))]
    BadChar {
        /// The character.
        ch: char,
        /// Its byte offset in the id.
        at: usize,
    },
    /// Longer than [`MAX_ID_LEN`] characters.
    #[error("is {len} characters long, more than {MAX_ID_LEN}")]
    TooLong {
        /// The id's length in characters.
        len: usize,
    },
}

impl IdError {
    /// The byte range within the id of the character at fault (the first character for a
    /// bad start, none for an empty or long id).
    pub fn range(&self, id: &str) -> Option<std::ops::Range<usize>> {
        match self {
            IdError::BadStart { ch } => Some(0..ch.len_utf8()),
            IdError::BadChar { ch, at } => Some(*at..*at + ch.len_utf8()),
            IdError::Empty | IdError::TooLong { .. } => None,
        }
        .filter(|r| r.end <= id.len())
    }
}

/// How a character is named in a message: `"."` for a visible one, its name or code
/// point for a space, control or invisible character.
struct CharName(char);

impl fmt::Display for CharName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            ' ' => f.write_str("a space"),
            '\t' => f.write_str("a tab"),
            '\n' | '\r' => f.write_str("a line break"),
            c if c.is_control() || c.is_whitespace() || c == '\u{feff}' || c == '\u{200b}' => {
                write!(f, "the invisible character U+{:04X}", u32::from(c))
            }
            c if c.is_ascii() => write!(f, "\"{c}\""),
            c => write!(f, "\"{c}\" (U+{:04X})", u32::from(c)),
        }
    }
}

/// Whether `c` may appear in an id after the first character.
fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Checks `id` against the rule of the [module docs](self).
pub fn check(id: &str) -> Result<(), IdError> {
    let mut chars = id.char_indices();
    let Some((_, first)) = chars.next() else { return Err(IdError::Empty) };
    if id.trim().is_empty() {
        return Err(IdError::Empty);
    }
    if !first.is_ascii_alphabetic() {
        return Err(IdError::BadStart { ch: first });
    }
    if let Some((at, ch)) = chars.find(|&(_, c)| !allowed(c)) {
        return Err(IdError::BadChar { ch, at });
    }
    let len = id.chars().count();
    if len > MAX_ID_LEN {
        return Err(IdError::TooLong { len });
    }
    Ok(())
}

/// What to write instead of `id`, for the help of a diagnostic: the id with every run of
/// other characters made one `_`, if it starts with a letter.
pub fn suggestion(id: &str) -> Option<String> {
    if !id.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut fixed = String::new();
    let mut gap = false;
    for c in id.chars() {
        if allowed(c) {
            if gap {
                fixed.push('_');
            }
            gap = false;
            fixed.push(c);
        } else {
            gap = true;
        }
    }
    fixed.truncate(MAX_ID_LEN);
    (fixed != id && check(&fixed).is_ok()).then_some(fixed)
}

/// An id for a foreign name (a Genius issue or value, a file name): ASCII letters and
/// digits kept (lowercased), common accented Latin letters without their accents, every
/// other run of characters one `_` (`"19'' LCD"` → `19_lcd`). If that does not start with a
/// letter, `prefix` and `_` go before it (`v_19_lcd`); if nothing is left, the id is
/// `prefix`. The result is cut to [`MAX_ID_LEN`] characters. `prefix` must itself be a
/// valid id.
pub fn label_to_id(text: &str, prefix: &str) -> String {
    debug_assert!(check(prefix).is_ok(), "{prefix:?} is not a valid id");
    let mut id = String::new();
    let mut gap = false;
    for c in text.chars() {
        let mapped = if c.is_ascii_alphanumeric() { Some(c.to_ascii_lowercase().to_string()) } else { ascii_fold(c) };
        match mapped {
            Some(s) => {
                if gap && !id.is_empty() {
                    id.push('_');
                }
                gap = false;
                id.push_str(&s);
            }
            None => gap = true,
        }
    }
    if id.is_empty() {
        return prefix.to_string();
    }
    if !id.starts_with(|c: char| c.is_ascii_alphabetic()) {
        id = format!("{prefix}_{id}");
    }
    if id.len() > MAX_ID_LEN {
        id.truncate(MAX_ID_LEN);
        while id.ends_with('_') {
            id.pop();
        }
    }
    id
}

/// The lowercase ASCII letters of an accented Latin letter (`é` → `e`, `ß` → `ss`), if it is one.
fn ascii_fold(c: char) -> Option<String> {
    let s = match c.to_lowercase().next()? {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' | 'ľ' | 'ĺ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' | 'ŕ' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    };
    Some(s.to_string())
}

/// `id`, or `id_2`, `id_3`, … if `taken` has it; the result is added to `taken`. The
/// suffix fits within [`MAX_ID_LEN`].
pub fn unique(id: String, taken: &mut Vec<String>) -> String {
    let mut candidate = id.clone();
    let mut k = 2;
    while taken.contains(&candidate) {
        let suffix = format!("_{k}");
        let mut stem = id.clone();
        stem.truncate(MAX_ID_LEN.saturating_sub(suffix.len()));
        candidate = stem + &suffix;
        k += 1;
    }
    taken.push(candidate.clone());
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_check_accepts_letters_digits_underscore_and_hyphen() {
        for id in ["a", "rus", "ukraine-2025", "Fix_Now-2", &"x".repeat(MAX_ID_LEN)] {
            assert_eq!(check(id), Ok(()), "{id}");
        }
    }

    #[test]
    fn test_check_names_the_bad_character() {
        assert_eq!(check(""), Err(IdError::Empty));
        assert_eq!(check("   "), Err(IdError::Empty));
        assert_eq!(check("2025-talks"), Err(IdError::BadStart { ch: '2' }));
        assert_eq!(check("_x"), Err(IdError::BadStart { ch: '_' }));
        assert_eq!(check("a.b"), Err(IdError::BadChar { ch: '.', at: 1 }));
        assert_eq!(check("café"), Err(IdError::BadChar { ch: 'é', at: 3 }));
        assert_eq!(check("a b").unwrap_err().to_string(), "holds a space, which ids may not contain");
        assert_eq!(check("a#1").unwrap_err().to_string(), "holds \"#\", which ids may not contain");
        assert_eq!(
            check("a\u{200b}").unwrap_err().to_string(),
            "holds the invisible character U+200B, which ids may not contain"
        );
        assert_eq!(check("é").unwrap_err().to_string(), "starts with \"é\" (U+00E9), not a letter");
        let long = "x".repeat(MAX_ID_LEN + 1);
        assert_eq!(check(&long), Err(IdError::TooLong { len: MAX_ID_LEN + 1 }));
        assert_eq!(IdError::BadChar { ch: 'é', at: 3 }.range("café"), Some(3..5));
    }

    #[test]
    fn test_label_to_id_gives_valid_ids() {
        assert_eq!(label_to_id("19'' LCD", "v"), "v_19_lcd");
        assert_eq!(label_to_id("$4.37", "v"), "v_4_37");
        assert_eq!(label_to_id("External Monitor", "issue"), "external_monitor");
        assert_eq!(label_to_id("Café drop-off", "v"), "cafe_drop_off");
        assert_eq!(label_to_id("Größe", "v"), "grosse");
        assert_eq!(label_to_id("—", "v1"), "v1");
        assert_eq!(label_to_id("日本", "v3"), "v3");
        assert_eq!(label_to_id(&"ab ".repeat(40), "v").len(), MAX_ID_LEN);
        for text in ["19'' LCD", "", "_", "9", "a.b.c", "ÿ", &"é".repeat(100), &"1 ".repeat(50)] {
            let id = label_to_id(text, "v");
            assert_eq!(check(&id), Ok(()), "{text:?} -> {id:?}");
        }
    }

    #[test]
    fn test_unique_adds_a_suffix_within_the_length() {
        let mut taken = vec!["a".to_string()];
        assert_eq!(unique("a".into(), &mut taken), "a_2");
        assert_eq!(unique("a".into(), &mut taken), "a_3");
        let long = "x".repeat(MAX_ID_LEN);
        let mut taken = vec![long.clone()];
        let second = unique(long, &mut taken);
        assert_eq!(check(&second), Ok(()));
        assert!(second.ends_with("_2"));
    }

    #[test]
    fn test_suggestion() {
        assert_eq!(suggestion("my actor").as_deref(), Some("my_actor"));
        assert_eq!(suggestion("Rus.Army #2").as_deref(), Some("Rus_Army_2"));
        assert_eq!(suggestion("2025"), None);
        assert_eq!(suggestion("ok"), None);
    }
}
