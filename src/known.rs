//! Looking up a name that a file writes (a venue, a group, a table key) among the names that
//! exist. An unknown name is an error suggesting the nearest known one, so a typo such as
//! `"dc-eats"` for `"dc-east"` is pointed at directly instead of the user searching a list by eye.

use crate::error::KeyError;
use crate::text;

/// The most known names an error lists when none is close enough to suggest.
const LISTED_MAX: usize = 12;

/// The known name closest to `name` (optimal string alignment distance: insertions, deletions,
/// substitutions and swaps of neighbours count 1; ties go to the first in `known`), if it is
/// close enough to be a likely typo: at most one edit per three characters.
pub fn nearest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    let (best, d) = known
        .iter()
        .map(|k| (*k, strsim::osa_distance(name, k)))
        .min_by_key(|&(_, d)| d)?;
    (d * 3 <= name.chars().count().max(3)).then_some(best)
}

/// Why `name` is not taken: `"dc-eats" is not a venue of this scenario; did you mean "dc-east"?`,
/// or, with no close name, the known ones (at most [`LISTED_MAX`]). `what` is the kind of name
/// with its article and where it is looked for, e.g. "a venue of this scenario".
pub fn unknown(name: &str, what: &str, known: &[&str]) -> String {
    let shown = text::quote(name);
    if let Some(n) = nearest(name, known) {
        return format!("{shown} is not {what}; did you mean {}?", text::quote(n));
    }
    if known.is_empty() {
        return format!("{shown} is not {what}; there are none");
    }
    let listed: Vec<String> = known
        .iter()
        .take(LISTED_MAX)
        .map(|k| text::quote(k))
        .collect();
    let more = match known.len().saturating_sub(LISTED_MAX) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    format!("{shown} is not {what} (known: {}{more})", listed.join(", "))
}

/// The index of `name` in `known`, else an error at `key` (see [`unknown`]).
pub fn find(key: &str, name: &str, what: &str, known: &[&str]) -> Result<usize, KeyError> {
    known
        .iter()
        .position(|k| *k == name)
        .ok_or_else(|| KeyError::new(key, unknown(name, what, known)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_name_gets_the_nearest_known_name() {
        let known = ["web", "batch", "db"];
        // "wbe" -> "web": one swap of neighbours; 1 x 3 <= 3 characters.
        assert_eq!(nearest("wbe", &known), Some("web"));
        assert_eq!(nearest("webb", &known), Some("web"));
        assert_eq!(nearest("batchh", &known), Some("batch"));
        // "zzzzzz" is at least 5 edits from each; 5 x 3 > 6.
        assert_eq!(nearest("zzzzzz", &known), None);
    }

    #[test]
    fn the_message_suggests_or_lists() {
        let venues = ["dc-east", "dc-west", "aws"];
        assert_eq!(
            unknown("dc-eats", "a venue of this scenario", &venues),
            "\"dc-eats\" is not a venue of this scenario; did you mean \"dc-east\"?"
        );
        assert_eq!(
            unknown("gcp", "a venue of this scenario", &venues),
            "\"gcp\" is not a venue of this scenario (known: \"dc-east\", \"dc-west\", \"aws\")"
        );
        assert_eq!(
            unknown("x", "a group of the trace", &[]),
            "\"x\" is not a group of the trace; there are none"
        );
        // 14 names: 12 listed, "and 2 more".
        let many: Vec<String> = (0..14).map(|i| format!("venue-{i:02}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let m = unknown("zzzzzzzzzzzz", "a venue", &many);
        assert!(m.ends_with("\"venue-11\" and 2 more)"), "{m}");
    }

    #[test]
    fn a_name_is_found_by_its_index_or_named_in_the_error() {
        assert_eq!(find("k", "b", "a venue", &["a", "b"]), Ok(1));
        let e = find("migrations[0].to", "bb", "a venue", &["a", "b"]).unwrap_err();
        assert_eq!(e.key, "migrations[0].to");
        assert_eq!(e.message, "\"bb\" is not a venue; did you mean \"b\"?");
    }

    #[test]
    fn a_name_full_of_control_characters_is_escaped() {
        let m = unknown("\u{1b}[2Jweb", "group", &["web"]);
        assert!(!m.contains('\u{1b}'), "{m}");
    }
}
