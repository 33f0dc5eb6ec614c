//! Hyper-converged (HCI) scale units such as Azure Stack Hub on integrated systems: a node SKU,
//! 4 to 16 identical nodes per scale unit, the vendor's capacity rules and formulas, and the
//! platform's consumption prices.
//!
//! Azure Stack Hub's formulas (Microsoft, "Azure Stack Hub compute capacity" and "storage
//! capacity planning"):
//! - memory for tenant VMs = N x H - resiliency reserve - infrastructure, where
//!   resiliency reserve = H + R x ((N - 1) x H) + V x (N - 2) with H the memory of one node,
//!   N the nodes, R = 0.15 the OS reserve and V the largest VM, and infrastructure =
//!   242 GB + 4 GB per node (and 146 vCPUs);
//! - at most 60 VMs per node and 700 per scale unit; memory is never overcommitted;
//! - storage: one pool, three-way mirror, one capacity drive per node left unallocated, 3.5 TB
//!   for infrastructure, VM temporary disks of memory x 0.65 x 8 per node (at most 10 % of the
//!   pool); the rest is tenant storage.
//!
//! Other HCI products keep whole nodes in reserve instead (N+0, N+1, N+2) and may run a
//! controller VM (CVM) on every node.

use super::check::Check;
use super::failures::{self, Failures};
use super::tco::{RawTco, Tco};
use crate::error::InputError;
use crate::units::{SimTime, de_duration};
use serde::Deserialize;
use std::path::Path;

/// A scale-unit size the platform does not allow, and the rule it breaks.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UnitError {
    #[error("{nodes} nodes: a {platform} scale unit has {min} to {max} nodes")]
    Size {
        nodes: u32,
        platform: String,
        min: u32,
        max: u32,
    },
    #[error("{nodes} nodes cannot keep {reserve} in reserve")]
    Reserve { nodes: u32, reserve: u32 },
    #[error(
        "{nodes} nodes give {per_core:.3} TB of tenant storage per core; the vendor rule is {min} to {max}"
    )]
    StoragePerCore {
        nodes: u32,
        per_core: f64,
        min: f64,
        max: f64,
    },
    #[error("{nodes} nodes leave no memory for tenant VMs after reserve and infrastructure")]
    NoTenantMemory { nodes: u32 },
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodeSku {
    pub name: String,
    pub cores: u32,
    pub sockets: u32,
    pub mem_gib: f64,
    /// Capacity drives per node and their size.
    pub capacity_drives: u32,
    pub drive_tb: f64,
    /// A stocked standard configuration or a custom build (sets the repair time).
    pub custom_build: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reserve {
    /// Azure Stack Hub's formula, with the OS reserve share R.
    AzureStackHub { os_share: f64 },
    /// Whole nodes kept free: 0, 1 or 2.
    Nodes(u32),
}

#[derive(Debug, Clone, PartialEq)]
pub struct HciBook {
    pub platform: String,
    pub node: NodeSku,
    pub nodes_min: u32,
    pub nodes_max: u32,
    pub reserve: Reserve,
    pub infra_mem_gib_per_unit: f64,
    pub infra_mem_gib_per_node: f64,
    pub infra_vcpus_per_unit: f64,
    /// Controller VM on every node (0 for Azure Stack Hub).
    pub cvm_vcpus: f64,
    pub cvm_mem_gib: f64,
    pub max_vms_per_node: Option<u32>,
    pub max_vms_per_unit: Option<u32>,
    pub cpu_overcommit: f64,
    /// Storage layout for the tenant-storage formula.
    pub mirror_copies: f64,
    pub infra_storage_tb: f64,
    pub temp_gib_per_mem_gib: f64,
    pub temp_max_share: f64,
    /// Vendor rules checked for every unit size: RAM per physical core and tenant storage per
    /// physical core, each within [min, max].
    pub ram_gib_per_core: (f64, f64),
    pub tenant_tb_per_core: Option<(f64, f64)>,
    /// Consumption prices per vCPU-hour of tenant VMs, when the platform charges them.
    pub base_vcpu_hour: f64,
    pub windows_vcpu_hour: f64,
    pub repair_standard: SimTime,
    pub repair_custom: SimTime,
    /// Node failures per year and the spread of repair times, when given.
    pub afr: Option<f64>,
    pub repair_sigma: f64,
    /// Per-node ownership costs (capex is the node's price).
    pub tco: Tco,
}

/// What one node of a unit offers tenant VMs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodeRoom {
    pub vcpus: f64,
    pub mem_gib: f64,
    pub vms: Option<u32>,
}

impl HciBook {
    /// Memory kept back so the unit survives a node failure, for a largest VM of `largest_vm_gib`.
    pub fn resiliency_reserve_gib(&self, nodes: u32, largest_vm_gib: f64) -> f64 {
        let (n, h) = (f64::from(nodes), self.node.mem_gib);
        match self.reserve {
            Reserve::AzureStackHub { os_share } => {
                h + os_share * ((n - 1.0) * h) + largest_vm_gib * (n - 2.0)
            }
            Reserve::Nodes(k) => f64::from(k) * (h - self.cvm_mem_gib),
        }
    }

    pub fn infra_gib(&self, nodes: u32) -> f64 {
        self.infra_mem_gib_per_unit + self.infra_mem_gib_per_node * f64::from(nodes)
    }

    /// Memory left for tenant VMs in a unit of `nodes` (the Azure Stack Hub capacity planner's
    /// "available memory for VM placement" with no VM running).
    pub fn tenant_mem_gib(&self, nodes: u32, largest_vm_gib: f64) -> f64 {
        let total = f64::from(nodes) * (self.node.mem_gib - self.cvm_mem_gib);
        total - self.resiliency_reserve_gib(nodes, largest_vm_gib) - self.infra_gib(nodes)
    }

    /// What each node can hold: its cores (overcommitted) and memory, less its share of the
    /// infrastructure, its CVM and (Azure Stack Hub) its OS reserve.
    pub fn node_room(&self, nodes: u32) -> NodeRoom {
        let n = f64::from(nodes);
        let os = match self.reserve {
            Reserve::AzureStackHub { os_share } => os_share * self.node.mem_gib,
            Reserve::Nodes(_) => 0.0,
        };
        NodeRoom {
            vcpus: (f64::from(self.node.cores) * self.cpu_overcommit
                - self.cvm_vcpus
                - self.infra_vcpus_per_unit / n)
                .max(0.0),
            mem_gib: (self.node.mem_gib - os - self.cvm_mem_gib - self.infra_gib(nodes) / n)
                .max(0.0),
            vms: self.max_vms_per_node,
        }
    }

    /// VMs a unit of `nodes` may hold: per node x nodes, capped per unit.
    pub fn max_vms(&self, nodes: u32) -> Option<u32> {
        let per_nodes = self.max_vms_per_node.map(|v| v * nodes);
        match (per_nodes, self.max_vms_per_unit) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Tenant storage of a unit, in TB.
    pub fn tenant_storage_tb(&self, nodes: u32) -> f64 {
        let n = f64::from(nodes);
        let pool = n * f64::from(self.node.capacity_drives.saturating_sub(1)) * self.node.drive_tb
            / self.mirror_copies;
        let temp = (n * self.node.mem_gib * self.temp_gib_per_mem_gib / 1024.0)
            .min(self.temp_max_share * pool);
        (pool - self.infra_storage_tb - temp).max(0.0)
    }

    /// The failure model of a node, when the book gives an annual failure rate.
    pub fn failures(&self) -> Option<Failures> {
        self.afr.map(|afr| Failures {
            afr,
            repair: self.repair_time(),
            repair_sigma: self.repair_sigma,
        })
    }

    pub fn repair_time(&self) -> SimTime {
        if self.node.custom_build {
            self.repair_custom
        } else {
            self.repair_standard
        }
    }

    /// Checks a unit size against the platform's limits and rules; the error says which.
    pub fn check_unit(&self, nodes: u32) -> Result<(), UnitError> {
        if !(self.nodes_min..=self.nodes_max).contains(&nodes) {
            return Err(UnitError::Size {
                nodes,
                platform: self.platform.clone(),
                min: self.nodes_min,
                max: self.nodes_max,
            });
        }
        if let Reserve::Nodes(k) = self.reserve
            && k >= nodes
        {
            return Err(UnitError::Reserve { nodes, reserve: k });
        }
        if let Some((min, max)) = self.tenant_tb_per_core {
            let per_core =
                self.tenant_storage_tb(nodes) / (f64::from(nodes) * f64::from(self.node.cores));
            if !(min..=max).contains(&per_core) {
                return Err(UnitError::StoragePerCore {
                    nodes,
                    per_core,
                    min,
                    max,
                });
            }
        }
        if self.tenant_mem_gib(nodes, 0.0) <= 0.0 {
            return Err(UnitError::NoTenantMemory { nodes });
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNode {
    name: String,
    cores: u32,
    #[serde(default = "two")]
    sockets: u32,
    mem_gib: f64,
    capacity_drives: u32,
    drive_tb: f64,
    #[serde(default)]
    custom_build: bool,
}

fn two() -> u32 {
    2
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHci {
    platform: String,
    node: RawNode,
    nodes_min: u32,
    nodes_max: u32,
    reserve: String,
    #[serde(default)]
    os_reserve_share: Option<f64>,
    #[serde(default)]
    infra_mem_gib_per_unit: f64,
    #[serde(default)]
    infra_mem_gib_per_node: f64,
    #[serde(default)]
    infra_vcpus_per_unit: f64,
    #[serde(default)]
    cvm_vcpus: f64,
    #[serde(default)]
    cvm_mem_gib: f64,
    max_vms_per_node: Option<u32>,
    max_vms_per_unit: Option<u32>,
    #[serde(default = "one")]
    cpu_overcommit: f64,
    #[serde(default = "three")]
    mirror_copies: f64,
    #[serde(default)]
    infra_storage_tb: f64,
    #[serde(default)]
    temp_gib_per_mem_gib: f64,
    #[serde(default)]
    temp_max_share: f64,
    ram_gib_per_core: [f64; 2],
    tenant_tb_per_core: Option<[f64; 2]>,
    #[serde(default)]
    base_vcpu_hour: f64,
    #[serde(default)]
    windows_vcpu_hour: f64,
    #[serde(deserialize_with = "de_duration")]
    repair_standard: SimTime,
    #[serde(deserialize_with = "de_duration")]
    repair_custom: SimTime,
    afr_pct: Option<f64>,
    #[serde(default = "super::failures::default_sigma")]
    repair_sigma: f64,
    tco: RawTco,
}

fn one() -> f64 {
    1.0
}

fn three() -> f64 {
    3.0
}

impl RawHci {
    pub(super) fn validate(self, path: &Path) -> Result<HciBook, InputError> {
        let c = Check::new(path, "hci");
        c.name("platform", &self.platform)?;
        let n = &self.node;
        c.name("node.name", &n.name)?;
        c.at_least("node.cores", n.cores, 1)?;
        c.at_least("node.sockets", n.sockets, 1)?;
        c.at_least("node.capacity_drives", n.capacity_drives, 2)?;
        c.positive("node.mem_gib", n.mem_gib)?;
        c.positive("node.drive_tb", n.drive_tb)?;
        c.at_least("nodes_min", self.nodes_min, 1)?;
        if self.nodes_max < self.nodes_min {
            return Err(c.err(
                "nodes_max",
                format!("{} is below nodes_min ({})", self.nodes_max, self.nodes_min),
            ));
        }
        let reserve = match (self.reserve.as_str(), self.os_reserve_share) {
            ("azure-stack-hub", Some(r)) => Reserve::AzureStackHub { os_share: c.range("os_reserve_share", r, 0.0, 0.9)? },
            ("azure-stack-hub", None) => return Err(c.err("os_reserve_share", "the azure-stack-hub reserve needs R, the OS reserve share (0.15 in Microsoft's formula)")),
            ("n+0", None) => Reserve::Nodes(0),
            ("n+1", None) => Reserve::Nodes(1),
            ("n+2", None) => Reserve::Nodes(2),
            ("n+0" | "n+1" | "n+2", Some(_)) => return Err(c.err("os_reserve_share", "applies only to the azure-stack-hub reserve")),
            (other, _) => {
                return Err(c.err("reserve", format!("\"{other}\" is not a reserve mode; expected azure-stack-hub, n+0, n+1 or n+2")));
            }
        };
        for (k, v) in [
            ("infra_mem_gib_per_unit", self.infra_mem_gib_per_unit),
            ("infra_mem_gib_per_node", self.infra_mem_gib_per_node),
            ("infra_vcpus_per_unit", self.infra_vcpus_per_unit),
            ("cvm_vcpus", self.cvm_vcpus),
            ("cvm_mem_gib", self.cvm_mem_gib),
            ("infra_storage_tb", self.infra_storage_tb),
            ("temp_gib_per_mem_gib", self.temp_gib_per_mem_gib),
            ("base_vcpu_hour", self.base_vcpu_hour),
            ("windows_vcpu_hour", self.windows_vcpu_hour),
        ] {
            c.price(k, v)?;
        }
        c.range("temp_max_share", self.temp_max_share, 0.0, 1.0)?;
        c.range("mirror_copies", self.mirror_copies, 1.0, 4.0)?;
        if self.cpu_overcommit < 1.0 || !self.cpu_overcommit.is_finite() {
            return Err(c.err(
                "cpu_overcommit",
                format!(
                    "{} must be >= 1.0 (1.0 means no overcommit)",
                    self.cpu_overcommit
                ),
            ));
        }
        for (k, v) in [
            ("max_vms_per_node", self.max_vms_per_node),
            ("max_vms_per_unit", self.max_vms_per_unit),
        ] {
            if let Some(v) = v {
                c.at_least(k, v, 1)?;
            }
        }
        let range = |k: &str, r: [f64; 2]| -> Result<(f64, f64), InputError> {
            if r[0].is_finite() && r[0] >= 0.0 && r[1] >= r[0] {
                Ok((r[0], r[1]))
            } else {
                Err(c.err(
                    k,
                    format!(
                        "[{}, {}] must be [min, max] with 0 <= min <= max",
                        r[0], r[1]
                    ),
                ))
            }
        };
        let ram_gib_per_core = range("ram_gib_per_core", self.ram_gib_per_core)?;
        let tenant_tb_per_core = self
            .tenant_tb_per_core
            .map(|r| range("tenant_tb_per_core", r))
            .transpose()?;
        let per_core = n.mem_gib / f64::from(n.cores);
        if !(ram_gib_per_core.0..=ram_gib_per_core.1).contains(&per_core) {
            return Err(c.err(
                "node.mem_gib",
                format!(
                    "{} GiB over {} cores is {per_core:.1} GiB per core; the vendor rule is {} to {}",
                    n.mem_gib, n.cores, ram_gib_per_core.0, ram_gib_per_core.1
                ),
            ));
        }
        let book = HciBook {
            platform: self.platform,
            node: NodeSku {
                name: self.node.name,
                cores: self.node.cores,
                sockets: self.node.sockets,
                mem_gib: self.node.mem_gib,
                capacity_drives: self.node.capacity_drives,
                drive_tb: self.node.drive_tb,
                custom_build: self.node.custom_build,
            },
            nodes_min: self.nodes_min,
            nodes_max: self.nodes_max,
            reserve,
            infra_mem_gib_per_unit: self.infra_mem_gib_per_unit,
            infra_mem_gib_per_node: self.infra_mem_gib_per_node,
            infra_vcpus_per_unit: self.infra_vcpus_per_unit,
            cvm_vcpus: self.cvm_vcpus,
            cvm_mem_gib: self.cvm_mem_gib,
            max_vms_per_node: self.max_vms_per_node,
            max_vms_per_unit: self.max_vms_per_unit,
            cpu_overcommit: self.cpu_overcommit,
            mirror_copies: self.mirror_copies,
            infra_storage_tb: self.infra_storage_tb,
            temp_gib_per_mem_gib: self.temp_gib_per_mem_gib,
            temp_max_share: self.temp_max_share,
            ram_gib_per_core,
            tenant_tb_per_core,
            base_vcpu_hour: self.base_vcpu_hour,
            windows_vcpu_hour: self.windows_vcpu_hour,
            repair_standard: self.repair_standard,
            repair_custom: self.repair_custom,
            afr: match self.afr_pct {
                Some(pct) => Some(
                    failures::check(
                        c,
                        pct,
                        self.repair_standard.min(self.repair_custom),
                        self.repair_sigma,
                    )?
                    .afr,
                ),
                None => None,
            },
            repair_sigma: self.repair_sigma,
            tco: self.tco.validate(Check::new(path, "hci.tco"))?,
        };
        // Every unit size the platform allows must obey the rules.
        for nodes in book.nodes_min..=book.nodes_max {
            book.check_unit(nodes)
                .map_err(|e| c.err("node", e.to_string()))?;
        }
        Ok(book)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::{Book, BookKind};

    /// An Azure Stack Hub-like node: 48 cores, 384 GiB, 8 x 3.84 TB capacity drives.
    pub(crate) const ASH: &str = r#"
[hci]
platform = "Azure Stack Hub"
node = { name = "test node", cores = 48, mem_gib = 384, capacity_drives = 8, drive_tb = 3.84 }
nodes_min = 4
nodes_max = 16
reserve = "azure-stack-hub"
os_reserve_share = 0.15
infra_mem_gib_per_unit = 242
infra_mem_gib_per_node = 4
infra_vcpus_per_unit = 146
max_vms_per_node = 60
max_vms_per_unit = 700
cpu_overcommit = 4.0
infra_storage_tb = 3.5
temp_gib_per_mem_gib = 5.2
temp_max_share = 0.1
ram_gib_per_core = [4, 16]
base_vcpu_hour = 0.008
windows_vcpu_hour = 0.046
repair_standard = "1d"
repair_custom = "14d"
[hci.tco]
capex = 40000.0
life_years = 5
support_yearly = 4000.0
"#;

    fn book(text: &str) -> Result<HciBook, InputError> {
        let text = format!(
            "name = \"t\"\ncurrency = \"USD\"\nsource = \"hand\"\nas_of = \"2026-11-01\"\n{text}"
        );
        Book::parse(&text, Path::new("t.toml")).map(|b| match b.kind {
            BookKind::Hci(h) => *h,
            _ => panic!("expected an HCI book"),
        })
    }

    #[test]
    fn azure_stack_hub_reserve_matches_microsofts_worked_example() {
        let h = book(ASH).unwrap();
        // Microsoft's FAQ: on 4 hosts, resizing one VM from 56 GB to 112 GB raised used memory by
        // 168 GB: 56 GB more VM memory plus 112 GB more reserve, because V x (N - 2) grows by
        // (112 - 56) x 2 = 112.
        let before = h.resiliency_reserve_gib(4, 56.0);
        let after = h.resiliency_reserve_gib(4, 112.0);
        assert!((after - before - 112.0).abs() < 1e-9);
        // 4 x 384 GiB, largest VM 112: reserve = 384 + 0.15 x 3 x 384 + 112 x 2 = 780.8;
        // infrastructure = 242 + 4 x 4 = 258; tenant memory = 1,536 - 780.8 - 258 = 497.2.
        assert!((h.resiliency_reserve_gib(4, 112.0) - 780.8).abs() < 1e-9);
        assert!((h.tenant_mem_gib(4, 112.0) - 497.2).abs() < 1e-9);
    }

    #[test]
    fn node_room_and_vm_caps() {
        let h = book(ASH).unwrap();
        let room = h.node_room(8);
        // vCPUs: 48 x 4 - 146 / 8 = 173.75; memory: 384 - 0.15 x 384 - (242 + 32) / 8 = 292.15.
        assert!((room.vcpus - 173.75).abs() < 1e-9);
        assert!((room.mem_gib - 292.15).abs() < 1e-9);
        // 60 per node: 8 nodes = 480; 16 nodes = 960, capped at 700 per unit.
        assert_eq!((h.max_vms(8), h.max_vms(16)), (Some(480), Some(700)));
        assert_eq!(h.repair_time(), 86_400);
    }

    #[test]
    fn tenant_storage_follows_the_storage_layout() {
        let h = book(ASH).unwrap();
        // 4 nodes: pool = 4 x 7 x 3.84 / 3 = 35.84 TB; temp = min(4 x 384 x 5.2 / 1024 = 7.8, 3.584)
        // = 3.584; tenant = 35.84 - 3.5 - 3.584 = 28.756 TB.
        assert!((h.tenant_storage_tb(4) - 28.756).abs() < 1e-9);
    }

    #[test]
    fn vendor_rules_are_validations() {
        let err = book(&ASH.replace("mem_gib = 384", "mem_gib = 1024")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.toml: key `hci.node.mem_gib`: 1024 GiB over 48 cores is 21.3 GiB per core; the vendor rule is 4 to 16"
        );
        let err = book(&ASH.replace(
            "ram_gib_per_core = [4, 16]",
            "ram_gib_per_core = [4, 16]\ntenant_tb_per_core = [2, 3]",
        ))
        .unwrap_err();
        assert!(
            err.message
                .contains("TB of tenant storage per core; the vendor rule is 2 to 3"),
            "{err}"
        );
        let h = book(&ASH.replace(
            "reserve = \"azure-stack-hub\"\nos_reserve_share = 0.15",
            "reserve = \"n+1\"",
        ))
        .unwrap();
        assert_eq!(h.resiliency_reserve_gib(4, 500.0), 384.0); // one node, whatever the largest VM
        let err = h.check_unit(3).unwrap_err();
        assert_eq!(
            err,
            UnitError::Size {
                nodes: 3,
                platform: "Azure Stack Hub".into(),
                min: 4,
                max: 16
            }
        );
        assert_eq!(
            err.to_string(),
            "3 nodes: a Azure Stack Hub scale unit has 4 to 16 nodes"
        );
    }
}
