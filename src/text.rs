//! Text from input files made safe for where it goes: a token quoted in an error message
//! (escaped and cut short, so an error never echoes more of a file than the offending token),
//! text for the terminal (control characters and escape sequences shown, never obeyed), and a
//! CSV cell (a cell a spreadsheet would run as a formula is neutralised). Every writer of CSV
//! text cells (ledger.csv, sweep.csv, canonical traces, FOCUS exports) goes through
//! [`csv_cell`]; a reader of CSV that hybridplan writes reads text cells through [`csv_text`].
//! And a name cut short to fit a chart's label ([`elide`]).

use std::borrow::Cow;
use std::fmt::Write;

/// The most characters of one input token an error message shows; the rest is counted.
pub const TOKEN_MAX: usize = 64;

/// `s` quoted for an error message: control characters escaped and anything past
/// [`TOKEN_MAX`] characters replaced by a count, e.g. `"SHELL=/bin/bash..." (+1,480 more characters)`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(TOKEN_MAX) + 2);
    out.push('"');
    let mut shown = 0;
    for c in s.chars() {
        if shown == TOKEN_MAX {
            break;
        }
        push_escaped(&mut out, c, true);
        shown += 1;
    }
    out.push('"');
    let rest = s.chars().count() - shown;
    if rest > 0 {
        let _ = write!(out, " (+{rest} more characters)");
    }
    out
}

/// An error message made safe to print: control characters escaped and every quoted span
/// (`"..."`, as `quote`, `{:?}` and the `"{}"` convention of this crate write input tokens)
/// cut to [`TOKEN_MAX`] characters. A safety net for messages that embed input text directly.
pub fn bound_message(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len().min(1024));
    let mut chars = msg.chars().peekable();
    // Inside a quoted span: how many characters shown and how many cut.
    let mut quoted: Option<(usize, usize)> = None;
    while let Some(c) = chars.next() {
        match (&mut quoted, c) {
            (None, '"') => {
                quoted = Some((0, 0));
                out.push(c);
            }
            (Some((_, cut)), '"') => {
                out.push('"');
                if *cut > 0 {
                    let _ = write!(out, " (+{cut} more characters)");
                }
                quoted = None;
            }
            (Some((shown, cut)), _) => {
                // `{:?}` escapes an inner quote as \" : keep the pair together.
                let pair = c == '\\' && chars.peek().is_some();
                if *shown < TOKEN_MAX {
                    push_escaped(&mut out, c, false);
                    if pair && let Some(next) = chars.next() {
                        push_escaped(&mut out, next, false);
                    }
                    *shown += 1;
                } else {
                    if pair {
                        chars.next();
                    }
                    *cut += 1;
                }
            }
            (None, _) => push_escaped(&mut out, c, false),
        }
    }
    if let Some((_, cut)) = quoted
        && cut > 0
    {
        let _ = write!(out, "... (+{cut} more characters)");
    }
    cap(out, MESSAGE_MAX)
}

/// The most characters of a whole error message: a net for input text embedded unquoted.
pub const MESSAGE_MAX: usize = 1000;

/// `s` cut to `max` characters, the rest counted.
fn cap(mut s: String, max: usize) -> String {
    let Some((at, _)) = s.char_indices().nth(max) else {
        return s;
    };
    let rest = s[at..].chars().count();
    s.truncate(at);
    let _ = write!(s, "... (+{rest} more characters)");
    s
}

/// Text for the terminal: every control character but the newline (and every character that
/// reorders text, U+202A-U+202E, U+2066-U+2069) shown as an escape such as `\u{1b}`, so a name
/// holding an escape sequence cannot move the cursor, recolour or retitle the terminal.
pub fn terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && unsafe_char(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '\n' => out.push('\n'),
            _ => push_escaped(&mut out, c, false),
        }
    }
    Cow::Owned(out)
}

/// A text cell for a CSV file, neutralised as OWASP's CSV-injection guidance says: a cell that
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'`, so a
/// spreadsheet shows it as text instead of running it as a formula. Numbers are written as
/// numbers and never pass through here (a negative amount stays `-3.5`).
/// A cell that already starts with `'` before such a character gets one more, so that
/// [`csv_text`] reads every cell back as it was.
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    let formula = |c: Option<char>| matches!(c, Some('=' | '+' | '-' | '@' | '\t' | '\r'));
    let mut chars = s.chars();
    let first = chars.next();
    if formula(first) || (first == Some('\'') && formula(chars.next())) {
        return Cow::Owned(format!("'{s}"));
    }
    Cow::Borrowed(s)
}

/// A text cell as [`csv_cell`] wrote it, read back: one leading `'` before a formula character
/// (or before another such `'`) is dropped, as a spreadsheet does when it shows the cell.
pub fn csv_text(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if csv_cell(rest).len() != rest.len() => rest,
        _ => cell,
    }
}

/// A control character, or one that reorders the text around it (the "Trojan Source" marks).
fn unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Pushes `c`, escaped when unsafe (`\n`, `\t`, `\r`, `\0`, else `\u{..}`); `quote_too` also
/// escapes `"` and `\` (inside a quote this function writes).
fn push_escaped(out: &mut String, c: char, quote_too: bool) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        '\0' => out.push_str("\\0"),
        '"' | '\\' if quote_too => {
            out.push('\\');
            out.push(c);
        }
        c if unsafe_char(c) => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// `text` cut to at most `max` (>= 1) characters, the last one an ellipsis when cut: a name
/// that gives way so that what follows it fits a chart's label.
pub fn elide(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max - 1).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_token_is_escaped_and_cut() {
        assert_eq!(quote("dc-east"), "\"dc-east\"");
        assert_eq!(quote("a\"b\u{1b}[2J\0"), "\"a\\\"b\\u{1b}[2J\\0\"");
        // 100 characters: 64 shown, 36 counted.
        let long = "x".repeat(100);
        assert_eq!(
            quote(&long),
            format!("\"{}\" (+36 more characters)", "x".repeat(64))
        );
    }

    #[test]
    fn a_message_is_bounded_span_by_span() {
        let secret = format!("SHELL=/bin/bash {}SECRET=1", "y".repeat(80));
        let msg = format!("unknown column \"{secret}\"; expected columns id,group");
        let got = bound_message(&msg);
        assert!(!got.contains("SECRET"), "{got}");
        assert!(got.starts_with("unknown column \"SHELL=/bin/bash yyy"));
        // 15 + 1 + 80 + 8 = 104 characters, 64 shown: 40 counted.
        assert!(got.ends_with("\" (+40 more characters); expected columns id,group"));
        // {:?} output keeps its escaped quotes.
        assert_eq!(bound_message("bad \"a\\\"b\""), "bad \"a\\\"b\"");
        // A control character outside quotes is escaped too; an unclosed span is cut.
        assert_eq!(bound_message("line\u{1b}]0;x"), "line\\u{1b}]0;x");
        let open = format!("value \"{}", "z".repeat(70));
        assert!(bound_message(&open).ends_with("... (+6 more characters)"));
        // Unquoted text is capped as a whole: 1,000 shown, 200 counted.
        let long = bound_message(&"w ".repeat(600));
        assert_eq!(
            long,
            format!("{}... (+200 more characters)", "w ".repeat(500))
        );
    }

    #[test]
    fn the_terminal_sees_escapes_not_sequences() {
        assert!(matches!(terminal("plain\ntext"), Cow::Borrowed(_)));
        assert_eq!(terminal("a\u{1b}[31mred\tb\n"), "a\\u{1b}[31mred\\tb\n");
        assert_eq!(terminal("\u{9b}2J \u{202e}x"), "\\u{9b}2J \\u{202e}x");
    }

    #[test]
    fn formula_cells_are_neutralised_and_others_kept() {
        for (cell, want) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("dc-east", "dc-east"),
            ("", ""),
            ("'=x", "''=x"),
            ("'x", "'x"),
        ] {
            assert_eq!(csv_cell(cell), want);
            assert_eq!(csv_text(&csv_cell(cell)), cell, "{cell:?} reads back");
        }
        // A hand-made cell with a quote before plain text stays as it is.
        assert_eq!(csv_text("'x"), "'x");
    }

    #[test]
    fn a_long_name_is_elided() {
        // 29 characters: the first 23 and an ellipsis; 24 or fewer are kept whole.
        let long = "web growth in the western DCs";
        assert_eq!(elide(long, 24), "web growth in the weste…");
        assert_eq!(elide("batch arrivals", 24), "batch arrivals");
    }
}
