//! An HCI book as written (serde structs) and its validation into an `HciBook`, including the
//! vendor's rules for every unit size the platform allows.

use super::{HciBook, NodeSku, Reserve};
use crate::error::InputError;
use crate::pricing::check::Check;
use crate::pricing::failures;
use crate::pricing::tco::RawTco;
use crate::units::{SimTime, de_duration};
use serde::Deserialize;
use std::path::Path;

/// A vendor rule's [min, max].
type Bounds = (f64, f64);

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
pub(in crate::pricing) struct RawHci {
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
    #[serde(default = "failures::default_sigma")]
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
    pub(in crate::pricing) fn validate(self, path: &Path) -> Result<HciBook, InputError> {
        let c = Check::new(path, "hci");
        c.name("platform", &self.platform)?;
        check_node(c, &self.node)?;
        c.at_least("nodes_min", self.nodes_min, 1)?;
        if self.nodes_max < self.nodes_min {
            return Err(c.err(
                "nodes_max",
                format!("{} is below nodes_min ({})", self.nodes_max, self.nodes_min),
            ));
        }
        let reserve = reserve(c, &self.reserve, self.os_reserve_share)?;
        self.check_amounts(c)?;
        let (ram_gib_per_core, tenant_tb_per_core) = self.vendor_rules(c)?;
        let afr = match self.afr_pct {
            Some(pct) => {
                let fastest = self.repair_standard.min(self.repair_custom);
                Some(failures::check(c, pct, fastest, self.repair_sigma)?.afr)
            }
            None => None,
        };
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
            afr,
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

    /// Infrastructure, CVM and storage amounts and prices (>= 0), shares, the overcommit and
    /// the VM caps.
    fn check_amounts(&self, c: Check) -> Result<(), InputError> {
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
        Ok(())
    }

    /// The vendor's [min, max] rules per physical core (RAM, and tenant storage when given);
    /// the node itself must meet the RAM rule.
    fn vendor_rules(&self, c: Check) -> Result<(Bounds, Option<Bounds>), InputError> {
        let range = |k: &str, r: [f64; 2]| -> Result<Bounds, InputError> {
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
        let n = &self.node;
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
        Ok((ram_gib_per_core, tenant_tb_per_core))
    }
}

fn check_node(c: Check, n: &RawNode) -> Result<(), InputError> {
    c.name("node.name", &n.name)?;
    c.at_least("node.cores", n.cores, 1)?;
    c.at_least("node.sockets", n.sockets, 1)?;
    c.at_least("node.capacity_drives", n.capacity_drives, 2)?;
    c.positive("node.mem_gib", n.mem_gib)?;
    c.positive("node.drive_tb", n.drive_tb)?;
    Ok(())
}

fn reserve(c: Check, mode: &str, os_share: Option<f64>) -> Result<Reserve, InputError> {
    Ok(match (mode, os_share) {
        ("azure-stack-hub", Some(r)) => Reserve::AzureStackHub {
            os_share: c.range("os_reserve_share", r, 0.0, 0.9)?,
        },
        ("azure-stack-hub", None) => {
            return Err(c.err(
                "os_reserve_share",
                "the azure-stack-hub reserve needs R, the OS reserve share (0.15 in Microsoft's formula)",
            ));
        }
        ("n+0", None) => Reserve::Nodes(0),
        ("n+1", None) => Reserve::Nodes(1),
        ("n+2", None) => Reserve::Nodes(2),
        ("n+0" | "n+1" | "n+2", Some(_)) => {
            return Err(c.err(
                "os_reserve_share",
                "applies only to the azure-stack-hub reserve",
            ));
        }
        (other, _) => {
            return Err(c.err(
                "reserve",
                format!(
                    "\"{other}\" is not a reserve mode; expected azure-stack-hub, n+0, n+1 or n+2"
                ),
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::UnitError;
    use super::super::tests::{ASH, book};

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
