//! Disks priced by storage class (`[storage]`): each VM's disks on this venue cost the class of
//! their tier (gp3, io2, Premium SSD sizes, pd-balanced ...) at their size and provisioned
//! IOPS, through the book's `disk_month_cost`, instead of the flat `storage_gb_month`.

use super::PublicVenue;
use crate::error::InputError;
use crate::scenario::storage::Storage;
use crate::sim::ledger::{Category, Ledger, LineId};
use crate::trace::disks::{DEFAULT_TIER, DiskSpec};
use crate::trace::{Vm, VmTable};
use crate::units::{HOURS_PER_MONTH, SimTime};

/// Each trace VM's monthly disk cost here, in the scenario's currency.
#[derive(Debug, Clone)]
pub struct ClassedDisks {
    per_vm: Vec<f64>,
    line: LineId,
}

impl PublicVenue<'_> {
    /// Prices every VM's disks by class when the scenario maps tiers to classes here;
    /// `origin` names the file a bad disk came from.
    pub fn price_disks(
        &mut self,
        ledger: &mut Ledger,
        table: &VmTable,
        storage: &Storage,
        origin: &std::path::Path,
    ) -> Result<(), InputError> {
        let Some(tiers) = &storage.classes[self.v] else {
            return Ok(());
        };
        let names: Vec<String> = tiers.iter().map(|(t, c)| format!("{t} = {c}")).collect();
        let line = ledger.line(
            self.v,
            Category::Storage,
            format!("disks by storage class ({})", names.join(", ")),
        );
        let origin = storage.path.as_deref().unwrap_or(origin);
        let mut per_vm = Vec::with_capacity(table.vms.len());
        for (i, vm) in table.vms.iter().enumerate() {
            let id = table.id(i as u32);
            let own = [DiskSpec {
                gib: vm.disk_gib,
                tier: DEFAULT_TIER.to_string(),
                iops: 0.0,
            }];
            let specs = storage.disks.by_vm.get(id).map_or(&own[..], Vec::as_slice);
            let mut monthly = 0.0;
            for d in specs.iter().filter(|d| d.gib > 0.0) {
                let class = &tiers[&d.tier];
                monthly += self
                    .book
                    .disk_month_cost(class, d.gib, d.iops)
                    .map_err(|e| {
                        InputError::file(origin, format!("VM \"{id}\" on {class}: {e}"))
                    })?;
            }
            per_vm.push(monthly * self.rate);
        }
        self.disks = Some(ClassedDisks { per_vm, line });
        Ok(())
    }

    /// Bills VM `index`'s disks from `from` to `at` when priced by class (an autoscaled
    /// instance, which no disks file lists, pays the flat rate per GiB).
    pub fn bill_disks(&self, ledger: &mut Ledger, index: u32, vm: &Vm, from: SimTime, at: SimTime) {
        let Some(d) = &self.disks else { return };
        let monthly = d
            .per_vm
            .get(index as usize)
            .copied()
            .unwrap_or(vm.disk_gib * self.book.storage_gb_month * self.rate);
        ledger.spread(d.line, from, at, monthly / (HOURS_PER_MONTH * 3600.0));
    }
}
