//! The terminal's line about right-sizing.

use crate::summary::Summary;

/// "right-sizing: 41 of 54 VMs to a cheaper type on aws (P95 + 20 %): 5432.10 -> 2345.60 USD a
/// month, saving 3086.50; 5 without performance data kept their size", when the run has it.
pub fn rightsize_line(s: &Summary) -> Option<String> {
    let r = s.rightsize.as_ref()?;
    let mut line = match r.flavours {
        true => format!(
            "right-sizing: {} of {} VMs to a smaller flavour on {} (P{} + {:.0} %, data: {}): {} -> {} vCPUs, {} -> {} GiB; a private site's saving is in the hosts it needs",
            r.resized,
            r.vms,
            r.venue,
            r.percentile,
            r.headroom * 100.0,
            r.data,
            r.vcpus_before,
            r.vcpus_after,
            r.mem_gib_before,
            r.mem_gib_after
        ),
        false => format!(
            "right-sizing: {} of {} VMs to a cheaper type on {} (P{} + {:.0} %, data: {}): {:.2} -> {:.2} {} a month on demand, saving {:.2}",
            r.resized,
            r.vms,
            r.venue,
            r.percentile,
            r.headroom * 100.0,
            r.data,
            r.monthly_before,
            r.monthly_after,
            s.currency,
            r.monthly_saving
        ),
    };
    if r.without_data > 0 {
        line.push_str(&format!(
            "; {} without performance data kept their size",
            r.without_data
        ));
    }
    Some(line)
}
