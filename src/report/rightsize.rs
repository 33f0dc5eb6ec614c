//! The terminal's line about right-sizing.

use crate::summary::Summary;

/// "right-sizing: 41 of 54 VMs to a cheaper type on aws (P95 + 20 %): 5432.10 -> 2345.60 USD a
/// month, saving 3086.50; 5 without performance data kept their size", when the run has it.
pub fn rightsize_line(s: &Summary) -> Option<String> {
    let r = s.rightsize.as_ref()?;
    let (to, change) = if r.flavours {
        (
            "a smaller flavour",
            format!(
                "{} -> {} vCPUs, {} -> {} GiB; a private site's saving is in the hosts it needs",
                r.vcpus_before, r.vcpus_after, r.mem_gib_before, r.mem_gib_after
            ),
        )
    } else {
        (
            "a cheaper type",
            format!(
                "{:.2} -> {:.2} {} a month on demand, saving {:.2}",
                r.monthly_before, r.monthly_after, s.currency, r.monthly_saving
            ),
        )
    };
    let mut line = format!(
        "right-sizing: {} of {} VMs to {to} on {} (P{} + {:.0} %, data: {}): {change}",
        r.resized,
        r.vms,
        r.venue,
        r.percentile,
        r.headroom * 100.0,
        r.data
    );
    if r.without_data > 0 {
        line.push_str(&format!(
            "; {} without performance data kept their size",
            r.without_data
        ));
    }
    Some(line)
}
