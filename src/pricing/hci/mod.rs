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

mod validate;

pub(super) use validate::RawHci;

use super::failures::Failures;
use super::tco::Tco;
use crate::units::SimTime;

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

    /// `tenant_storage_tb` in GiB (TB are decimal, as drives are sold).
    pub fn tenant_storage_gib(&self, nodes: u32) -> f64 {
        self.tenant_storage_tb(nodes) * crate::pricing::site_storage::GIB_PER_TB
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::error::InputError;
    use crate::pricing::{Book, BookKind};
    use std::path::Path;

    /// An Azure Stack Hub-like node: 48 cores, 384 GiB, 8 x 3.84 TB capacity drives.
    pub(in crate::pricing::hci) const ASH: &str = r#"
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

    pub(in crate::pricing::hci) fn book(text: &str) -> Result<HciBook, InputError> {
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
}
