//! Numbers and labels as the report writes them.

use crate::chart::axis::group_thousands;

/// A probability as a percentage with one decimal.
pub(super) fn pct(p: f64) -> String {
    if p.is_finite() { format!("{:.1}%", 100.0 * p) } else { "–".into() }
}

/// `p [lo, hi]` as percentages.
pub(super) fn pct_ci(v: &[f64; 3]) -> String {
    format!("{} [{}, {}]", pct(v[0]), pct(v[1]), pct(v[2]))
}

/// A change in percentage points with its interval.
pub(super) fn points_ci(v: &[f64; 3]) -> String {
    format!("{:+.1} pts [{:+.1}, {:+.1}]", 100.0 * v[0], 100.0 * v[1], 100.0 * v[2])
}

/// A utility with three decimals.
pub(super) fn u3(u: f64) -> String {
    if u.is_finite() { format!("{u:.3}") } else { "–".into() }
}

/// A whole number with thousands separated.
pub(super) fn whole(x: f64) -> String {
    if x.is_finite() { group_thousands(&format!("{x:.0}")) } else { "–".into() }
}

/// A number for a table: whole and grouped when large or integral, else four significant
/// digits; `–` when undefined.
pub(super) fn number(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    if x.abs() >= 1000.0 || (x.fract() == 0.0 && x.abs() >= 1.0) {
        return whole(x);
    }
    if x == 0.0 {
        return "0".into();
    }
    let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 12) as usize;
    let text = format!("{x:.digits$}");
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text }
}

/// An optional index with its interval.
pub(super) fn index_ci(v: &[Option<f64>; 3]) -> String {
    match v {
        [Some(x), Some(lo), Some(hi)] => format!("{x:.2} [{lo:.2}, {hi:.2}]"),
        [Some(x), _, _] => format!("{x:.2}"),
        _ => "no variation".into(),
    }
}

/// Shortens a label for a chart (the full text stays in legends and tables).
pub(super) fn short(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        format!("{}…", label.chars().take(max - 1).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_number_keeps_four_significant_digits() {
        assert_eq!(number(0.85), "0.85");
        assert_eq!(number(0.000000215), "0.000000215");
        assert_eq!(number(131220.0), "131,220");
        assert_eq!(number(3.0), "3");
        assert_eq!(number(2.3672), "2.367");
        assert_eq!(number(-0.0123456), "-0.01235");
        assert_eq!(number(f64::NEG_INFINITY), "–");
    }

    #[test]
    fn test_intervals_and_labels() {
        assert_eq!(pct_ci(&[0.465, 0.434, 0.496]), "46.5% [43.4%, 49.6%]");
        assert_eq!(points_ci(&[0.104, 0.085, 0.123]), "+10.4 pts [+8.5, +12.3]");
        assert_eq!(index_ci(&[Some(0.62), Some(0.51), Some(0.72)]), "0.62 [0.51, 0.72]");
        assert_eq!(index_ci(&[None, None, None]), "no variation");
        assert_eq!(short("The Alaska understandings", 10), "The Alask…");
    }
}
