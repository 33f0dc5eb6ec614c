//! Per-group policies (`[groups.<name>]`, with `"*"` for groups not named): the OS, how VMs are
//! bought on public venues, and their network traffic.

use crate::pricing::Purchase;
use crate::units::{MINUTE, SimTime, de_opt_duration};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct GroupPolicy {
    /// Windows VMs pay the book's Windows uplift (or the HCI Windows rate).
    pub windows: bool,
    pub purchase: Purchase,
    /// Internet egress per VM-month, GiB (billed on public venues).
    pub egress_gib_per_vm_month: f64,
    /// Transfer to other regions per VM-month, GiB (billed on public venues).
    pub inter_region_gib_per_vm_month: f64,
    /// What an evicted spot VM does.
    pub spot_fallback: SpotFallback,
    /// How long an evicted spot VM waits before it tries spot again (with `wait`).
    pub spot_wait: SimTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum SpotFallback {
    /// Restart at once on on-demand capacity (billed at on-demand prices).
    #[default]
    OnDemand,
    /// Stay down for `spot_wait` (SLA minutes lost), then try spot again.
    Wait,
}

impl Default for GroupPolicy {
    fn default() -> Self {
        GroupPolicy {
            windows: false,
            purchase: Purchase::OnDemand,
            egress_gib_per_vm_month: 0.0,
            inter_region_gib_per_vm_month: 0.0,
            spot_fallback: SpotFallback::OnDemand,
            spot_wait: 30 * MINUTE,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
enum Os {
    #[default]
    Linux,
    Windows,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGroup {
    #[serde(default)]
    os: Os,
    #[serde(default)]
    purchase: Purchase,
    #[serde(default)]
    egress_gib_per_vm_month: f64,
    #[serde(default)]
    inter_region_gib_per_vm_month: f64,
    #[serde(default)]
    spot_fallback: SpotFallback,
    #[serde(default, deserialize_with = "de_opt_duration")]
    spot_wait: Option<SimTime>,
}

/// Validates every group; an error is (key, message).
pub(super) fn validate(
    raw: BTreeMap<String, RawGroup>,
) -> Result<BTreeMap<String, GroupPolicy>, (String, String)> {
    let mut out = BTreeMap::new();
    for (name, g) in raw {
        for (k, v) in [
            ("egress_gib_per_vm_month", g.egress_gib_per_vm_month),
            (
                "inter_region_gib_per_vm_month",
                g.inter_region_gib_per_vm_month,
            ),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err((
                    format!("groups.{name}.{k}"),
                    format!("{v} must be a finite number of GiB >= 0"),
                ));
            }
        }
        out.insert(
            name,
            GroupPolicy {
                windows: g.os == Os::Windows,
                purchase: g.purchase,
                egress_gib_per_vm_month: g.egress_gib_per_vm_month,
                inter_region_gib_per_vm_month: g.inter_region_gib_per_vm_month,
                spot_fallback: g.spot_fallback,
                spot_wait: g.spot_wait.unwrap_or(30 * MINUTE),
            },
        );
    }
    Ok(out)
}
