//! Fixtures for the simulator's unit tests: two hand-written price books with round prices, a
//! scenario around them, and VMs. Prices are chosen so every figure can be worked out by hand:
//!
//! - `host.toml`: a private host of 4 cores (no overcommit: 4 vCPU) and 16 GiB at 730 a
//!   host-month, i.e. 1.00 per host-hour (730 h a month); when failures are on, a host fails at
//!   0.001 % a year (never within a test's horizon unless the test makes it fail) and is
//!   repaired in exactly 30 min (lognormal spread 0: exp(ln 1800) = 1800.0000000000005 in f64,
//!   1800 s once truncated).
//! - `cloud.toml`: a public region billed per hour with one instance type `c2` (2 vCPU, 8 GiB)
//!   at 0.36/h on-demand (0.0001/s) and 0.036/h spot, and `c4` (4 vCPU, 16 GiB) at 0.72/h;
//!   storage, egress and transfer are free, so only compute is billed.

use crate::scenario::{Scenario, parse};
use crate::trace::{Vm, VmTable};
use crate::units::SimTime;

pub const HOST_BOOK: &str = r#"
name = "test host"
currency = "USD"
source = "test fixture"
as_of = "2026-01-01"
[private]
cores = 4
sockets = 1
mem_gib = "16GiB"
host_monthly = 730.0
[private.failures]
afr_pct = 0.001
repair = "30m"
repair_sigma = 0.0
"#;

/// The public book with billing `billing` ("per-hour", or "per-second" with a 60 s minimum).
pub fn cloud_book(billing: &str) -> String {
    let minimum = if billing == "per-second" {
        "minimum = \"60s\"\n"
    } else {
        ""
    };
    format!(
        r#"
name = "test cloud"
currency = "USD"
source = "test fixture"
as_of = "2026-01-01"
[public]
region = "r"
billing = "{billing}"
{minimum}storage_gb_month = 0.0
egress_gb = 0.0
spot_evictions_per_hour = 0.5
[[public.instances]]
name = "c2"
vcpus = 2
mem_gib = 8
hourly = 0.36
spot_hourly = 0.036
[[public.instances]]
name = "c4"
vcpus = 4
mem_gib = 16
hourly = 0.72
"#
    )
}

/// A scenario of `hosts` test hosts ("dc", venue 0) and the per-hour test cloud ("cloud",
/// venue 1) over 10 h in steps of 1 h; `extra` is added at the top level (policy, failures,
/// groups, placement).
pub fn scenario(hosts: u32, extra: &str) -> Scenario {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("host.toml"), HOST_BOOK).unwrap();
    std::fs::write(dir.path().join("cloud.toml"), cloud_book("per-hour")).unwrap();
    std::fs::write(dir.path().join("vms.csv"), "").unwrap();
    let text = format!(
        r#"
name = "t"
horizon = "10h"
step = "1h"
seed = 1
currency = "USD"
{extra}
[trace]
vms = "vms.csv"
[[venues]]
name = "dc"
book = "host.toml"
hosts = {hosts}
[[venues]]
name = "cloud"
book = "cloud.toml"
"#
    );
    let path = dir.path().join("t.toml");
    parse(&text, &path).expect("the test scenario is valid")
}

/// A VM of group `group` (an index into the table's groups) from `start` to `end`.
pub fn vm(
    id: &str,
    group: u32,
    start: SimTime,
    end: Option<SimTime>,
    vcpus: f64,
    mem_gib: f64,
) -> Vm {
    Vm {
        id: id.to_string(),
        group,
        start,
        end,
        vcpus,
        mem_gib,
        disk_gib: 0.0,
    }
}

/// A table of `vms` whose groups are `groups`.
pub fn table(vms: Vec<Vm>, groups: &[&str]) -> VmTable {
    VmTable::new(vms, groups.iter().map(|g| g.to_string()).collect())
}
