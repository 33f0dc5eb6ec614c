//! Names that become file names: the scenario's name names its output folder (and the plan file
//! `optimize` writes), a venue's name its chart file `site-<slug>.svg`. Checked at load so that
//! no name can point outside the chosen folder or make two outputs overwrite each other.

use crate::error::KeyError;
use crate::text::quote;

/// The longest scenario name: it becomes a folder name, and file systems allow 255 bytes.
pub const NAME_MAX: usize = 100;

/// Checks a name that becomes a folder or file name: ASCII letters, digits, `-`, `_` and `.`,
/// starting with a letter or digit (so never `.`, `..`, a hidden file or an option), at most
/// [`NAME_MAX`] characters. `/`, `\`, NUL and control characters are thereby refused.
pub fn check_file_name(key: &str, name: &str) -> Result<(), KeyError> {
    let first_ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    let all_ok = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if first_ok && all_ok && name.chars().count() <= NAME_MAX {
        return Ok(());
    }
    let m = format!(
        "{} is not allowed: use 1 to {NAME_MAX} ASCII letters, digits, '-', '_' and '.', starting with a letter or digit (it names the output folder)",
        quote(name)
    );
    Err(KeyError::new(key, m))
}

/// A chart file's id from a venue name: lower-case ASCII letters and digits, anything else `-`.
pub fn slug(name: &str) -> String {
    name.chars()
        .map(|c| match c.is_ascii_alphanumeric() {
            true => c.to_ascii_lowercase(),
            false => '-',
        })
        .collect()
}

/// Refuses two venues whose names make the same chart file (`dc-east` and `dc east` both make
/// `site-dc-east.svg`): one chart would overwrite the other.
pub fn check_chart_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<(), KeyError> {
    let mut seen: Vec<(&str, String)> = Vec::new();
    for (i, name) in names.into_iter().enumerate() {
        let s = slug(name);
        if let Some(j) = seen.iter().position(|(_, t)| *t == s) {
            let m = format!(
                "{} and venues[{j}].name {} both make the chart file site-{s}.svg; rename one so they differ in letters or digits",
                quote(name),
                quote(seen[j].0)
            );
            return Err(KeyError::new(format!("venues[{i}].name"), m));
        }
        seen.push((name, s));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_names_stay_inside_the_folder() {
        for ok in ["example-hybrid", "a", "v1.2_final", "9lives"] {
            assert!(check_file_name("name", ok).is_ok(), "{ok}");
        }
        let long = "a".repeat(NAME_MAX + 1);
        for bad in [
            "",
            "..",
            ".",
            ".hidden",
            "-rf",
            "a/b",
            "..\\x",
            "a\0b",
            "a\u{1b}[2J",
            "é",
            &long,
        ] {
            assert!(check_file_name("name", bad).is_err(), "{bad:?}");
        }
        let e = check_file_name("name", "../../etc\u{1b}").unwrap_err();
        assert_eq!(e.key, "name");
        assert!(
            e.message
                .starts_with("\"../../etc\\u{1b}\" is not allowed: use 1 to 100 ASCII letters")
        );
    }

    #[test]
    fn venues_that_share_a_chart_file_are_named_together() {
        assert!(check_chart_names(["dc-east", "aws", "dc-west"]).is_ok());
        let e = check_chart_names(["dc-east", "aws", "DC east"]).unwrap_err();
        assert_eq!(e.key, "venues[2].name");
        assert_eq!(
            e.message,
            "\"DC east\" and venues[0].name \"dc-east\" both make the chart file site-dc-east.svg; rename one so they differ in letters or digits"
        );
    }
}
