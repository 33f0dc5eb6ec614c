//! Quotes from an HCI platform's book: a scale unit of `--nodes` nodes, with what it holds
//! (the vendor's capacity formulas) and what it costs (per-node items, power, consumption).

use super::private::server_lines;
use super::{QuoteError, QuoteLine, QuoteRequest, fact, money};
use crate::pricing::HciBook;

pub(super) fn lines(
    h: &HciBook,
    r: &QuoteRequest,
    hours: f64,
) -> Result<Vec<QuoteLine>, QuoteError> {
    if r.item != "unit" {
        return Err(QuoteError::unknown(&r.item, "unit (with --nodes N)"));
    }
    let nodes = r.nodes.ok_or(QuoteError::missing("unit", "--nodes N"))?;
    h.check_unit(nodes)?;
    let mut lines = capacity(h, nodes, r.gb.unwrap_or(0.0));
    let items = h.tco.fixed_items(h.node.cores, h.node.sockets);
    let n = f64::from(nodes);
    lines.extend(server_lines(
        &items,
        h.tco.power.as_ref(),
        r.util,
        hours,
        (n, "nodes"),
    )?);
    if let Some(vcpus) = r.count {
        lines.push(money(
            "consumption",
            format!(
                "{vcpus} vCPU x {hours} h x {}/vCPU-hour",
                h.vcpu_hour(r.windows)
            ),
            h.vm_hour_cost(f64::from(vcpus), r.windows) * hours,
        ));
    }
    Ok(lines)
}

/// What a unit of `nodes` holds, for a largest VM of `largest` GiB (`--gb`).
fn capacity(h: &HciBook, nodes: u32, largest: f64) -> Vec<QuoteLine> {
    let n = f64::from(nodes);
    let room = h.node_room(nodes);
    let vms = room
        .vms
        .map_or("any number of".to_string(), |v| v.to_string());
    let storage = h.tenant_storage_tb(nodes);
    let repair = if h.node.custom_build {
        "custom build"
    } else {
        "stocked standard node"
    };
    vec![
        fact(
            "node",
            format!(
                "{}: {} cores, {} GiB",
                h.node.name, h.node.cores, h.node.mem_gib
            ),
        ),
        fact(
            "total memory",
            format!("{nodes} x {} = {} GiB", h.node.mem_gib, n * h.node.mem_gib),
        ),
        fact(
            "resiliency reserve",
            format!(
                "{:.2} GiB (largest VM {largest} GiB, --gb)",
                h.resiliency_reserve_gib(nodes, largest)
            ),
        ),
        fact(
            "infrastructure",
            format!(
                "{} + {} x {nodes} = {} GiB",
                h.infra_mem_gib_per_unit,
                h.infra_mem_gib_per_node,
                h.infra_gib(nodes)
            ),
        ),
        fact(
            "tenant memory",
            format!("{:.2} GiB", h.tenant_mem_gib(nodes, largest)),
        ),
        fact(
            "per node",
            format!("{:.2} vCPU, {:.2} GiB, {vms} VMs", room.vcpus, room.mem_gib),
        ),
        fact(
            "VMs per unit",
            h.max_vms(nodes)
                .map_or("no cap".to_string(), |v| v.to_string()),
        ),
        fact(
            "tenant storage",
            format!(
                "{storage:.3} TB ({:.3} TB per core)",
                storage / (n * f64::from(h.node.cores))
            ),
        ),
        fact("repair time", format!("{} s ({repair})", h.repair_time())),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::testing::{load, req};
    use super::super::{QuoteRequest, quote};
    use crate::pricing::{Book, BookKind, UnitError};

    fn ash() -> Book {
        load("pricing/azure-stack-hub.toml")
    }

    fn unit(nodes: u32) -> QuoteRequest {
        QuoteRequest {
            nodes: Some(nodes),
            ..req("unit")
        }
    }

    #[test]
    fn a_unit_quote_is_its_nodes_at_the_node_cost() {
        let book = ash();
        let q = quote(&book, &unit(4)).unwrap();
        // 4 nodes x (52,000 / 60 + 5,200 / 12 + 1,000 / 16) = 4 x 1,362.5 = 5,450.00 a month,
        // plus power at 50 % load: 4 x 18.396 = 73.584.
        assert!((q.total() - 5_523.584).abs() < 1e-6, "{}", q.render("USD"));
        let BookKind::Hci(h) = &book.kind else {
            unreachable!()
        };
        assert!((q.total() - 4.0 * h.node_cost(730.0, 0.5)).abs() < 1e-9);
        // Consumption: 40 Windows vCPUs for 10 h at 0.046 = 18.40 on top of 4 nodes for 10 h.
        let r = QuoteRequest {
            count: Some(40),
            windows: true,
            hours: Some(10.0),
            ..unit(4)
        };
        let q = quote(&book, &r).unwrap();
        assert!((q.total() - (4.0 * h.node_cost(10.0, 0.5) + 18.4)).abs() < 1e-9);
    }

    #[test]
    fn a_unit_the_platform_does_not_allow_says_why() {
        let err = quote(&ash(), &unit(17)).unwrap_err();
        assert!(
            matches!(
                err,
                super::QuoteError::Unit(UnitError::Size {
                    nodes: 17,
                    min: 4,
                    max: 16,
                    ..
                })
            ),
            "{err}"
        );
    }
}
