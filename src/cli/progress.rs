//! Progress on long runs (studies of many replications), shown only to a person at a terminal.

/// A progress bar on stderr, hidden when stderr is not a terminal or with --quiet.
pub fn progress_bar(len: u64, quiet: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {eta} left")
    {
        bar.set_style(style);
    }
    bar
}
