//! Assumptions and method: every price that billed with its book, source and date, every
//! parameter of the scenario, what the model leaves out, and a short methodology.

use super::{Inputs, money};
use crate::summary::Summary;
use maud::{Markup, html};

/// The scenario's parameters as (key path, value), sorted by key, from its TOML text; `None`
/// when the text is not TOML (it was loaded, so this does not happen for a run's own file).
/// A key path is the one `[uncertainty]` parameters and `[[sweep]]` axes take (dotted, lists
/// indexed from 0: `venues.0.hosts`), so a reader can vary any figure the table shows.
pub fn parameters(text: &str) -> Option<Vec<(String, String)>> {
    let value: toml::Table = toml::from_str(text).ok()?;
    let mut out = Vec::new();
    flatten("", &toml::Value::Table(value), &mut out);
    Some(out)
}

fn flatten(prefix: &str, v: &toml::Value, out: &mut Vec<(String, String)>) {
    let join = |k: &str| match prefix {
        "" => k.to_string(),
        p => format!("{p}.{k}"),
    };
    match v {
        toml::Value::Table(t) => {
            for (k, x) in t {
                flatten(&join(k), x, out);
            }
        }
        toml::Value::Array(items) if items.iter().all(|i| i.is_table()) && !items.is_empty() => {
            for (i, x) in items.iter().enumerate() {
                flatten(&join(&i.to_string()), x, out);
            }
        }
        toml::Value::String(s) => out.push((prefix.to_string(), s.clone())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

/// Every price rule that billed, by venue, with the venue's book, its source and date.
pub fn assumptions(s: &Summary, inputs: Option<&Inputs>) -> Markup {
    let cur = &s.currency;
    let params = inputs.and_then(|i| parameters(&i.text)).unwrap_or_default();
    html! {
        h3 { "Prices used" }
        table id="prices" {
            thead { tr { th scope="col" { "venue" } th scope="col" { "book" } th scope="col" { "source" } th scope="col" { "as of" }
                th scope="col" { "price rule (as billed)" } th.n scope="col" { "amount (" (cur) ")" } } }
            tbody {
                @for v in &s.venues {
                    @for r in &v.by_rule {
                        tr { th scope="row" { (v.name) } td { (v.book) } td.src { (v.book_source) } td { (v.book_as_of) }
                             td { (r.rule) } td.n { (money(r.amount)) } }
                    }
                    @if v.by_rule.is_empty() {
                        tr { th scope="row" { (v.name) } td { (v.book) } td.src { (v.book_source) } td { (v.book_as_of) }
                             td { "nothing billed" } td.n { (money(0.0)) } }
                    }
                }
            }
        }
        h3 { "Scenario parameters" }
        @if params.is_empty() {
            p { "The scenario's file is not part of this report." }
        } @else {
            table id="parameters" {
                thead { tr { th scope="col" { "parameter" } th scope="col" { "value" } } }
                tbody { @for (k, v) in &params { tr { th scope="row" { code { (k) } } td { (v) } } } }
            }
        }
    }
}

/// What the model does not count, in plain words.
const LEFT_OUT: &[&str] = &[
    "Taxes, currency movements after the books' dates, negotiated discounts not written in a book, and price changes during the horizon.",
    "People's time to migrate, re-platform or test workloads, and any contract exit fees (a group's migration_per_vm is counted only by the optimizer's plan).",
    "Network latency and performance differences between venues beyond the groups' allowed venues; licences other than those in the books (e.g. database editions).",
    "Owned hardware's resale value at the end of the horizon, financing costs and the time value of money (capex is amortised straight-line).",
    "Failures, evictions and backups only as far as the scenario models them; no data-centre or region outage.",
];

/// The methodology appendix: how the figures are made.
pub fn methodology(s: &Summary) -> Markup {
    html! {
        h3 { "What the model leaves out" }
        ul { @for l in LEFT_OUT { li { (l) } } }
        h3 { "How the figures are made" }
        ol {
            li { "The trace's VMs arrive and leave at their recorded times over the " (s.horizon) " horizon; the placement policy ("
                 (s.policy) ") puts each VM on a venue when it arrives, using the venues' capacity at that moment." }
            li { "Every resource-second is priced from the venue's price book: public instances at their billing granularity, reservations and savings plans over their term, storage and egress by month, owned hosts by their itemised monthly cost (capex amortised, support, rack, staff, software) and power from a utilisation curve." }
            li { "Costs are kept per day, venue, category and price rule (ledger.csv); the totals here are their sums, rounded to cents only when shown. A month is 730 hours." }
            li { "Unit costs divide a venue's or group's cost by its VM-hours (per VM-month of 730 hours) and vCPU-hours; the venue comparison prices the whole workload on each venue alone with the optimizer's model." }
            li { "Backup seeding: each site's first full copy goes by shipped drive or over its WAN link. Over the WAN, sites that seed at the same time share the backup target's ingress: each gets an equal share of what is left, capped by its own link, so a site seeds later than its link alone would allow (the terminal shows both figures)." }
            li { "With replications, the uncertain parameters are drawn per replication from one seed; P10 and P90 are percentiles of the replications' totals." }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_named_by_the_keys_a_study_takes() {
        let text = "name = \"t\"\n[[venues]]\nname = \"dc\"\nhosts = 2\n[[venues]]\nname = \"aws\"\n\
                    price_factor = 1.1\n[groups.web]\nsizes = [2, 4]\n";
        let got = parameters(text).unwrap();
        let want = [
            ("groups.web.sizes", "[2, 4]"),
            ("name", "t"),
            ("venues.0.hosts", "2"),
            ("venues.0.name", "dc"),
            ("venues.1.name", "aws"),
            ("venues.1.price_factor", "1.1"),
        ];
        let got: Vec<(&str, &str)> = got.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(got, want);
    }
}
