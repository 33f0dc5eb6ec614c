//! The right-sizing section: what `[rightsize]` did to the VMs before the run, and the largest
//! savings. Drawn from summary.json's `rightsize` alone.

use super::money;
use crate::summary::rightsize::RightsizeSummary;
use maud::{Markup, html};

pub fn section(r: &RightsizeSummary, currency: &str) -> Markup {
    html! {
        @if r.flavours {
            p { "Each VM was fitted to the smallest flavour of " strong { (r.venue) }
                " covering its P" (r.percentile) " CPU and memory use plus "
                (format!("{:.0} %", r.headroom * 100.0)) " headroom (performance data: " (r.data)
                "); the run simulated the VMs at their new sizes. A private site has no price per VM: "
                "its saving is in the hosts the run needs." }
        } @else {
        p { "Each VM was fitted to the cheapest instance type of " strong { (r.venue) }
            " covering its P" (r.percentile) " CPU and memory use plus "
            (format!("{:.0} %", r.headroom * 100.0)) " headroom (performance data: " (r.data)
            "); the run simulated the VMs at their new sizes. Monthly prices are on-demand, 730 hours." }
        }
        @if r.without_data > 0 {
            p { strong { (r.without_data) } " of " (r.vms)
                " VMs had no performance data and kept their allocated size." }
        }
        table {
            tr { th { "" } th.n { "before" } th.n { "after" } }
            tr { td { "vCPUs" } td.n { (r.vcpus_before) } td.n { (r.vcpus_after) } }
            tr { td { "memory (GiB)" } td.n { (r.mem_gib_before) } td.n { (r.mem_gib_after) } }
            @if !r.flavours {
                tr { td { "per month (" (currency) ")" } td.n { (money(r.monthly_before)) }
                     td.n { (money(r.monthly_after)) } }
            }
        }
        @if r.flavours {
            p { (r.resized) " VMs moved to a smaller flavour; every VM's decision is in rightsize.csv." }
        } @else {
            p { (r.resized) " VMs moved to a cheaper type, saving " strong { (money(r.monthly_saving)) " " (currency) }
                " a month; every VM's decision is in rightsize.csv." }
        }
        @if !r.largest.is_empty() && r.flavours {
            h3 { "First resized VMs" }
            table {
                tr { th { "VM" } th { "before" } th { "after" } }
                @for v in &r.largest {
                    tr { td { (v.vm) } td { (v.before) } td { (v.after) } }
                }
            }
        }
        @if !r.largest.is_empty() && !r.flavours {
            h3 { "Largest savings" }
            table {
                tr { th { "VM" } th { "before" } th { "after" } th.n { "saving a month" } }
                @for v in &r.largest {
                    tr { td { (v.vm) } td { (v.before) } td { (v.after) } td.n { (money(v.monthly_saving)) } }
                }
            }
        }
    }
}
