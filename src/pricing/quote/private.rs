//! Quotes from a private host class's book: hosts, item by item, with power at a load. The
//! item and power lines are shared with HCI nodes.

use super::{QuoteError, QuoteLine, QuoteRequest, fact, money};
use crate::pricing::{Power, PrivateBook, TcoItem};

pub(super) fn lines(
    p: &PrivateBook,
    r: &QuoteRequest,
    hours: f64,
) -> Result<Vec<QuoteLine>, QuoteError> {
    if r.item != "host" {
        return Err(QuoteError::unknown(&r.item, "host"));
    }
    let count = f64::from(r.count.unwrap_or(1));
    let mut lines = vec![fact(
        "host",
        format!(
            "{} cores, {} sockets, {} GiB, {} vCPU with overcommit {}",
            p.cores,
            p.sockets,
            p.mem_gib,
            p.vcpu_capacity(),
            p.cpu_overcommit
        ),
    )];
    lines.extend(server_lines(
        &p.fixed_items(),
        p.power(),
        r.util,
        hours,
        (count, "hosts"),
    )?);
    Ok(lines)
}

/// The cost of `count` owned servers (hosts or nodes) for `hours`: each fixed item prorated
/// from its monthly price, and power at a steady load (`--util`, 50 % by default). For one
/// server the lines add up to `PrivateBook::host_cost` / `HciBook::node_cost`.
pub(super) fn server_lines(
    items: &[TcoItem],
    power: Option<&Power>,
    util: Option<f64>,
    hours: f64,
    (count, what): (f64, &str),
) -> Result<Vec<QuoteLine>, QuoteError> {
    let mut lines: Vec<QuoteLine> = items
        .iter()
        .map(|item| {
            money(
                item.category.name(),
                format!("{} x {count} {what} x {hours} h / 730 h", item.rule),
                item.cost(hours) * count,
            )
        })
        .collect();
    if let Some(power) = power {
        let u = util.unwrap_or(0.5);
        if !(0.0..=1.0).contains(&u) {
            return Err(QuoteError::OutOfRange {
                option: "--util",
                value: u,
                expected: "in 0..=1",
            });
        }
        let watts = power.curve.watts(u);
        lines.push(money(
            "power",
            format!(
                "{watts} W at {:.0} % load x {hours} h x PUE {} x {}/kWh x {count}",
                u * 100.0,
                power.pue,
                power.per_kwh
            ),
            power.cost(u, hours) * count,
        ));
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{load, req};
    use super::super::{QuoteRequest, quote};
    use crate::pricing::BookKind;

    #[test]
    fn a_host_quote_adds_up_to_the_host_cost() {
        // The itemised host: 233.33 capex + 116.67 support + 50 rack + 100 staff + 80 + 30
        // software = 610.00 a month, plus power at 50 % load: 140 W x 730 h x 1.5 x 0.12 = 18.396.
        let book = load("pricing/private-kvm-2s32c.toml");
        let q = quote(&book, &req("host")).unwrap();
        assert!(
            (q.total() - (610.0 + 18.396)).abs() < 1e-6,
            "{}",
            q.render("USD")
        );
        // The same formula as the optimizer's host cost, to the last bit.
        let BookKind::Private(p) = &book.kind else {
            unreachable!()
        };
        assert_eq!(q.total(), p.host_cost(730.0, 0.5));
        // 3 hosts at 80 % for a day: 3 x (610 x 24 / 730 + 189 W x 24 h x 1.5 x 0.12/kWh)
        // = 3 x (20.054795 + 0.81648) = 62.613824.
        let r = QuoteRequest {
            count: Some(3),
            hours: Some(24.0),
            util: Some(0.8),
            ..req("host")
        };
        let q = quote(&book, &r).unwrap();
        assert!((q.total() - 3.0 * (610.0 * 24.0 / 730.0 + 0.81648)).abs() < 1e-9);
    }

    #[test]
    fn bad_host_requests_name_the_value() {
        let book = load("pricing/private-kvm-2s32c.toml");
        let r = QuoteRequest {
            util: Some(1.5),
            ..req("host")
        };
        assert_eq!(
            quote(&book, &r).unwrap_err().to_string(),
            "--util 1.5 must be in 0..=1"
        );
        assert_eq!(
            quote(&book, &req("hosts")).unwrap_err().to_string(),
            "\"hosts\" is not an item of this book; items: host"
        );
    }
}
