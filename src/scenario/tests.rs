//! Bad values in a scenario: the exact message each gives, naming the file, the key, the value and
//! what was expected. Each test edits the shipped example scenario and parses it in place (its
//! books and trace paths resolve as usual).

use super::*;

/// Parses the example scenario after `edit`; the error as printed, with the checkout's folder
/// taken off the paths.
fn error_of(edit: impl FnOnce(String) -> String) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("scenarios/example-hybrid.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = edit(text.clone());
    assert_ne!(edited, text, "the edit changed nothing");
    let err = parse(&edited, &path).unwrap_err();
    err.to_string().replace(&format!("{}/", root.display()), "")
}

/// Appends an `[[autoscale]]` table for the batch group with `extra` keys.
fn autoscale(extra: &str) -> impl FnOnce(String) -> String {
    let table = format!(
        "\n[[autoscale]]\ngroup = \"batch\"\nvcpus = 2\nmem_gib = 4\nmin = 0\nmax = 4\n{extra}\n"
    );
    move |t| t + &table
}

#[test]
fn a_currency_code_in_lower_case() {
    let err = error_of(|t| {
        t.replace(
            "policy = \"cheapest\"\n",
            "policy = \"cheapest\"\nexchange_rates = { usd = 1.1 }\n",
        )
    });
    assert_eq!(
        err,
        "scenarios/example-hybrid.toml: key `exchange_rates.usd`: currency \"usd\" is not a three-letter upper-case code such as USD or EUR"
    );
}

#[test]
fn a_private_venue_with_no_hosts() {
    let err = error_of(|t| t.replace("hosts = 2\n", "hosts = 0\n"));
    assert_eq!(
        err,
        "scenarios/example-hybrid.toml: key `venues[0].hosts`: must be at least 1"
    );
}

#[test]
fn a_commitment_term_that_is_not_sold() {
    let err = error_of(|t| t.replace("term = \"1y\"", "term = \"2y\""));
    assert_eq!(
        err,
        "scenarios/example-hybrid.toml: key `commitments[0].term`: \"2y\" is not a term; expected 1y or 3y"
    );
}

#[test]
fn autoscale_thresholds_the_wrong_way_round() {
    // The default scale_out_above is 0.75; scaling in above it would flap.
    let err = error_of(autoscale("policy = \"threshold\"\nscale_in_below = 0.9"));
    assert_eq!(
        err,
        "scenarios/example-hybrid.toml: key `autoscale[0].scale_in_below`: 0.9 must be below scale_out_above (0.75)"
    );
}

#[test]
fn autoscale_key_of_another_policy() {
    let err = error_of(autoscale(
        "policy = \"deadline\"\nitems = 10\nitem_time = \"1m\"\ndeadline = \"1h\"\ntarget = 0.5",
    ));
    assert_eq!(
        err,
        "scenarios/example-hybrid.toml: key `autoscale[0].window`: applies only to policy predictive"
    );
}

#[test]
fn autoscale_unknown_policy() {
    let err = error_of(autoscale("policy = \"fast\""));
    assert_eq!(
        err,
        "scenarios/example-hybrid.toml: key `autoscale[0].policy`: \"fast\" is not an autoscaling policy; expected threshold, deadline or predictive"
    );
}

#[test]
fn a_trace_size_with_no_vcpus() {
    let err = error_of(|t| {
        t.replace(
            "vms = \"traces/planetlab-mix/vms.csv\"\nusage = \"traces/planetlab-mix/usage.csv\"\n",
            "format = \"planetlab\"\npath = \"traces/planetlab-mix\"\nsizes = [{ vcpus = 0, mem_gib = 4 }]\n",
        )
    });
    assert_eq!(
        err,
        "scenarios/example-hybrid.toml: key `trace.sizes[0]`: size 0 vCPU / 4 GiB must have both > 0 (at most 10000 vCPUs and 1000000 GiB)"
    );
}

#[test]
fn a_duration_with_an_unknown_unit_names_the_line() {
    let err = error_of(|t| t.replace("step = \"1h\"", "step = \"1 hour\""));
    assert_eq!(
        err,
        "scenarios/example-hybrid.toml:8: duration \"1 hour\" has unknown unit \"hour\"; expected s, m, h, d, w or y"
    );
}

#[test]
fn a_book_in_another_currency_without_a_rate() {
    let e = NoExchangeRate {
        book: PathBuf::from("pricing/eu.toml"),
        currency: Currency::parse("EUR").unwrap(),
        reporting: Currency::parse("USD").unwrap(),
    };
    assert_eq!(
        e.to_string(),
        "pricing/eu.toml is priced in EUR but the scenario reports in USD; add exchange_rates.EUR = <USD per 1 EUR>"
    );
}
