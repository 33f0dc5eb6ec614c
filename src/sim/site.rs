//! Owned capacity in the simulation: a private site (identical hosts) or an HCI venue (scale
//! units of identical nodes with the platform's memory reserve and VM caps). Both pack VMs
//! first-fit, pay their hosts' fixed costs whether busy or not, and draw power by utilisation.

mod capacity;

use super::Stay;
use super::hosts::{Capacity, HostPool};
use super::ledger::{Category, Ledger, LineId};
use super::placement::HostChoice;
use crate::pricing::{Failures, HciBook, Power, PrivateBook};
use crate::scenario::{GroupPolicy, VenueSize};
use crate::trace::Vm;
use crate::units::{HOUR, SimTime, round_u64};
use capacity::bill_fixed;
use std::collections::BTreeMap;

mod disks;
pub use disks::DiskPool;

/// Entries of `Site::draws`: a prime, so that levels a multiple of any VM size apart (250,
/// 500, 1000 milli-vCPUs...) fall in different entries.
const DRAWS: u64 = 1009;

/// Where a VM runs on a site: a unit and a host (node) within it, 32 bits each (every VM has one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    unit: u32,
    host: u32,
}

impl Slot {
    pub fn new(unit: usize, host: usize) -> Slot {
        let [unit, host] = [unit, host].map(|n| n as u32);
        Slot { unit, host }
    }

    pub fn unit(self) -> usize {
        self.unit as usize
    }

    pub fn host(self) -> usize {
        self.host as usize
    }
}

/// One scale unit (a private site is one unit of all its hosts).
struct Unit {
    pool: HostPool,
    /// Tenant memory in use and the VMs by memory size (for the largest-VM term of the reserve).
    used_mib: u64,
    vms: u32,
    sizes: BTreeMap<u64, u32>,
}

enum Platform<'s> {
    Private,
    Hci {
        book: &'s HciBook,
        nodes: u32,
        base: LineId,
        windows: LineId,
    },
}

pub struct Site<'s> {
    rate: f64,
    platform: Platform<'s>,
    units: Vec<Unit>,
    pub per_host: Capacity,
    hosts_per_unit: usize,
    cores_per_host: f64,
    /// Milli-cores used on each host (unit-major), from usage samples.
    host_used: Vec<u64>,
    /// Hosts out of service after a failure.
    down: Vec<bool>,
    /// The VMs on each host, kept only when hosts can fail (empty otherwise).
    host_vms: Vec<Vec<u32>>,
    failures: Option<Failures>,
    power: Option<&'s Power>,
    power_line: LineId,
    /// Whether host load comes from usage samples (else from allocated vCPUs).
    has_usage: bool,
    /// Each host's power draw at its current load, in milliwatts (integers, so the running
    /// total never drifts), and their sum: kept up to date at every change, so a step costs
    /// O(1) however many hosts there are.
    host_mw: Vec<u64>,
    total_mw: u64,
    /// Recent draws by load level (`level`): (level, milliwatts) at `level % DRAWS`. A draw
    /// depends on the level alone and a site's hosts share a few levels (one per sum of VM
    /// sizes), so the curve is interpolated and rounded once per level instead of at every
    /// placement and departure.
    draws: Vec<(u64, u64)>,
    pub allocated: Capacity,
    pub peak_allocated: Capacity,
    cpu_used_milli: u64,
    /// Used cores / physical cores at each step boundary (with usage samples only).
    pub cpu_series: Vec<f32>,
    /// Allocated memory / memory capacity at each step boundary.
    pub mem_series: Vec<f32>,
    /// Memory the VMs use (from samples with memory utilisation) / capacity at each step
    /// boundary, once any sample has had it.
    pub mem_used_series: Vec<f32>,
    mem_used_mib: u64,
    mem_samples: bool,
    /// Facility energy so far (IT energy x PUE), kWh.
    pub energy_kwh: f64,
    /// Peak tenant memory in a unit, and the unit's tenant memory limit at that moment.
    pub peak_unit_mem: (f64, f64),
    /// The VMs' disks against each unit's usable storage.
    pub disks: DiskPool,
    /// When capacity grows by date: what is in service and billed (capacity.rs).
    capacity: Option<Box<capacity::Schedule>>,
}

impl<'s> Site<'s> {
    /// Registers the site's fixed costs for the whole horizon and builds its hosts.
    pub fn private(
        v: usize,
        book: &'s PrivateBook,
        rate: f64,
        hosts: u32,
        ledger: &mut Ledger,
        horizon: SimTime,
    ) -> Self {
        bill_fixed(
            ledger,
            v,
            &book.fixed_items(),
            f64::from(hosts),
            rate,
            (0, horizon),
            "host",
        );
        let per_host = Capacity::room(book.vcpu_capacity(), book.mem_gib, None);
        let mut site = Self::build(
            v,
            rate,
            Platform::Private,
            1,
            hosts as usize,
            per_host,
            f64::from(book.cores),
            book.power(),
            ledger,
        );
        site.failures = book.failures;
        site.disks = DiskPool::new(1, book.storage.as_ref().map(|s| s.usable_gib(hosts)));
        site
    }

    pub fn hci(
        v: usize,
        book: &'s HciBook,
        rate: f64,
        nodes: u32,
        units: u32,
        ledger: &mut Ledger,
        horizon: SimTime,
    ) -> Self {
        let items = book.tco.fixed_items(book.node.cores, book.node.sockets);
        bill_fixed(
            ledger,
            v,
            &items,
            f64::from(nodes * units),
            rate,
            (0, horizon),
            "node",
        );
        let room = book.node_room(nodes);
        let per_host = Capacity::room(room.vcpus, room.mem_gib, room.vms);
        let base = ledger.line(
            v,
            Category::Consumption,
            format!(
                "{} base VM {}/vCPU-hour",
                book.platform, book.base_vcpu_hour
            ),
        );
        let windows = ledger.line(
            v,
            Category::Consumption,
            format!(
                "{} Windows VM {}/vCPU-hour",
                book.platform, book.windows_vcpu_hour
            ),
        );
        let platform = Platform::Hci {
            book,
            nodes,
            base,
            windows,
        };
        let cores = f64::from(book.node.cores);
        let mut site = Self::build(
            v,
            rate,
            platform,
            units as usize,
            nodes as usize,
            per_host,
            cores,
            book.tco.power.as_ref(),
            ledger,
        );
        site.failures = book.failures();
        site.disks = DiskPool::new(units as usize, Some(book.tenant_storage_gib(nodes)));
        site
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        v: usize,
        rate: f64,
        platform: Platform<'s>,
        units: usize,
        hosts_per_unit: usize,
        per_host: Capacity,
        cores_per_host: f64,
        power: Option<&'s Power>,
        ledger: &mut Ledger,
    ) -> Self {
        let power_line = match power {
            Some(p) => ledger.line(
                v,
                Category::Power,
                format!(
                    "power: {} curve x PUE {} x {}/kWh",
                    p.curve_source, p.pue, p.per_kwh
                ),
            ),
            None => usize::MAX,
        };
        let idle_mw = power.map_or(0, |p| (p.curve.watts(0.0) * 1000.0).round() as u64);
        Site {
            rate,
            platform,
            units: (0..units)
                .map(|_| Unit {
                    pool: HostPool::new(hosts_per_unit, per_host),
                    used_mib: 0,
                    vms: 0,
                    sizes: BTreeMap::new(),
                })
                .collect(),
            per_host,
            hosts_per_unit,
            cores_per_host,
            host_used: vec![0; units * hosts_per_unit],
            down: vec![false; units * hosts_per_unit],
            host_vms: Vec::new(),
            failures: None,
            power,
            power_line,
            has_usage: false,
            host_mw: vec![idle_mw; units * hosts_per_unit],
            total_mw: idle_mw * (units * hosts_per_unit) as u64,
            // Level per_host (no vCPU allocated) is load 0: every entry starts right.
            draws: vec![(per_host.milli_vcpu, idle_mw); DRAWS as usize],
            allocated: Capacity::default(),
            peak_allocated: Capacity::default(),
            cpu_used_milli: 0,
            cpu_series: Vec::new(),
            mem_series: Vec::new(),
            mem_used_series: Vec::new(),
            mem_used_mib: 0,
            mem_samples: false,
            energy_kwh: 0.0,
            peak_unit_mem: (0.0, 0.0),
            disks: DiskPool::new(units, None),
            capacity: None,
        }
    }

    pub fn hosts(&self) -> usize {
        self.units.len() * self.hosts_per_unit
    }

    pub fn size(&self) -> VenueSize {
        match self.platform {
            Platform::Private => VenueSize::Hosts(self.in_service()),
            Platform::Hci { nodes, .. } => VenueSize::Hci {
                nodes,
                units: self.in_service(),
            },
        }
    }

    /// Tenant memory a unit may hold (HCI: after the resiliency reserve and infrastructure) if
    /// its largest VM had `largest_mib`.
    fn unit_limit_mib(&self, largest_mib: u64) -> u64 {
        match self.platform {
            Platform::Private => u64::MAX,
            Platform::Hci { book, nodes, .. } => {
                (book
                    .tenant_mem_gib(nodes, largest_mib as f64 / 1024.0)
                    .max(0.0)
                    * 1024.0) as u64
            }
        }
    }

    /// Whether the VM is too large for any host here, whatever is running.
    pub fn too_large(&self, need: Capacity) -> bool {
        !self.per_host.holds(need) || need.mib > self.unit_limit_mib(need.mib)
    }

    /// The first unit and host that can take `need`, with the marginal cost per hour.
    /// `restart`: the VM comes from a failed host, so an HCI unit may use its resiliency reserve.
    pub fn offer(
        &self,
        vm: &Vm,
        group: &GroupPolicy,
        need: Capacity,
        choice: HostChoice,
        restart: bool,
    ) -> Option<(f64, Slot)> {
        let marginal = match self.platform {
            Platform::Private => 0.0,
            Platform::Hci { book, .. } => book.vm_hour_cost(vm.vcpus, group.windows) * self.rate,
        };
        for (u, unit) in self.units.iter().enumerate() {
            let largest = unit
                .sizes
                .keys()
                .next_back()
                .copied()
                .unwrap_or(0)
                .max(need.mib);
            if !restart && unit.used_mib + need.mib > self.unit_limit_mib(largest) {
                continue;
            }
            if !self.disks.fits(u, vm.disk_gib) {
                continue;
            }
            if let Platform::Hci { book, nodes, .. } = self.platform
                && book.max_vms(nodes).is_some_and(|cap| unit.vms >= cap)
            {
                continue;
            }
            let host = match choice {
                HostChoice::FirstFit => unit.pool.first_fit(need),
                HostChoice::BestFit => unit.pool.best_fit(need),
            };
            if let Some(host) = host {
                return Some((marginal, Slot::new(u, host)));
            }
        }
        None
    }

    pub fn place(&mut self, slot: Slot, need: Capacity, vm: u32) {
        if let Some(list) = self
            .host_vms
            .get_mut(slot.unit() * self.hosts_per_unit + slot.host())
        {
            list.push(vm);
        }
        let unit = &mut self.units[slot.unit()];
        unit.pool.take(slot.host(), need);
        unit.used_mib += need.mib;
        unit.vms += 1;
        // Only an HCI unit's reserve depends on its largest VM; a private site leaves the map
        // empty (a BTreeMap update per placement was a few percent of a large run).
        if let Platform::Hci { .. } = self.platform {
            *unit.sizes.entry(need.mib).or_insert(0) += 1;
        }
        let largest = unit.sizes.keys().next_back().copied().unwrap_or(0);
        let used = unit.used_mib;
        if used as f64 / 1024.0 > self.peak_unit_mem.0 {
            self.peak_unit_mem = (
                used as f64 / 1024.0,
                self.unit_limit_mib(largest).min(u64::MAX / 2) as f64 / 1024.0,
            );
        }
        self.allocated.add(need);
        self.peak_allocated.peak(self.allocated);
        self.refresh(slot);
    }

    /// Frees a VM's room; bills its consumption charges (HCI) from `start` to `at`.
    pub fn release(&mut self, ledger: &mut Ledger, slot: Slot, used_milli: u64, stay: &Stay) {
        let vm = stay.vm;
        let need = Capacity::of(vm.vcpus, vm.mem_gib);
        if let Some(list) = self
            .host_vms
            .get_mut(slot.unit() * self.hosts_per_unit + slot.host())
            && let Some(k) = list.iter().position(|&x| x == stay.index)
        {
            list.swap_remove(k);
        }
        self.disks.give(slot.unit(), vm.disk_gib);
        let unit = &mut self.units[slot.unit()];
        unit.pool.give(slot.host(), need);
        unit.used_mib -= need.mib;
        unit.vms -= 1;
        if let Some(n) = unit.sizes.get_mut(&need.mib) {
            *n -= 1;
            if *n == 0 {
                unit.sizes.remove(&need.mib);
            }
        }
        self.allocated.sub(need);
        self.set_used(slot, used_milli, 0);
        self.refresh(slot);
        if let Platform::Hci {
            book,
            base,
            windows,
            ..
        } = self.platform
        {
            let line = if stay.group.windows { windows } else { base };
            let hourly = book.vm_hour_cost(vm.vcpus, stay.group.windows);
            ledger.spread(line, stay.from, stay.at, hourly * self.rate / HOUR as f64);
        }
    }

    /// Changes the memory the site's VMs use by `old` -> `new` MiB.
    pub fn set_mem_used(&mut self, old: u64, new: u64, sampled: bool) {
        self.mem_used_mib = self.mem_used_mib - old + new;
        self.mem_samples |= sampled;
    }

    /// Keeps the list of VMs on each host from now on (needed when hosts can fail).
    pub fn track_vms(&mut self) {
        self.host_vms = vec![Vec::new(); self.hosts()];
    }

    /// The VMs on a host (by flat host number), sorted, when `track_vms` is on.
    pub fn vms_on(&self, host: usize) -> Vec<u32> {
        let mut vms = self.host_vms.get(host).cloned().unwrap_or_default();
        vms.sort_unstable();
        vms
    }

    /// Takes a failed host out of service: no room, no power. Its VMs must be gone.
    pub fn fail(&mut self, host: usize) {
        let slot = self.slot_of(host);
        self.down[host] = true;
        self.units[slot.unit()]
            .pool
            .set_free(slot.host(), Capacity::default());
        self.refresh(slot);
    }

    /// Puts a repaired host back in service, empty.
    pub fn repair(&mut self, host: usize) {
        let slot = self.slot_of(host);
        self.down[host] = false;
        self.units[slot.unit()]
            .pool
            .set_free(slot.host(), self.per_host);
        self.refresh(slot);
    }

    pub fn slot_of(&self, host: usize) -> Slot {
        Slot::new(host / self.hosts_per_unit, host % self.hosts_per_unit)
    }

    /// The failure model of the site's host class, if it has one.
    pub fn failures(&self) -> Option<Failures> {
        self.failures
    }

    /// Changes a VM's CPU use on its host from `old` to `new` milli-cores.
    pub fn set_used(&mut self, slot: Slot, old: u64, new: u64) {
        let h = slot.unit() * self.hosts_per_unit + slot.host();
        self.host_used[h] = self.host_used[h] - old + new;
        self.cpu_used_milli = self.cpu_used_milli - old + new;
        if self.has_usage {
            self.refresh(slot);
        }
    }

    pub fn has_power(&self) -> bool {
        self.power.is_some()
    }

    /// Keeps each unit's hosts ordered by free memory, for best-fit placement.
    pub fn index_free_memory(&mut self) {
        for unit in &mut self.units {
            unit.pool.index_free_memory();
        }
    }

    /// From now on, host load comes from usage samples.
    pub fn use_samples(&mut self) {
        self.has_usage = true;
        // Levels now count used milli-cores: 0 is load 0.
        let idle = self
            .power
            .map_or(0, |p| round_u64(p.curve.watts(0.0) * 1000.0));
        self.draws.fill((0, idle));
    }

    /// What a host's load depends on: its used milli-cores from samples, else its free
    /// milli-vCPUs.
    fn level(&self, slot: Slot) -> u64 {
        if self.has_usage {
            self.host_used[slot.unit() * self.hosts_per_unit + slot.host()]
        } else {
            self.units[slot.unit()].pool.free(slot.host()).milli_vcpu
        }
    }

    /// A host's load at `level`: used cores / physical cores from samples, else allocated
    /// vCPUs / vCPU room.
    fn load(&self, level: u64) -> f64 {
        if self.has_usage {
            level as f64 / (self.cores_per_host * 1000.0)
        } else {
            1.0 - level as f64 / self.per_host.milli_vcpu.max(1) as f64
        }
    }

    /// Updates a host's power draw after its load changed.
    fn refresh(&mut self, slot: Slot) {
        let Some(power) = self.power else { return };
        let h = slot.unit() * self.hosts_per_unit + slot.host();
        let mw = if self.down[h] {
            0
        } else {
            let level = self.level(slot);
            let at = (level % DRAWS) as usize;
            if self.draws[at].0 != level {
                let mw = round_u64(power.curve.watts(self.load(level)) * 1000.0);
                self.draws[at] = (level, mw);
            }
            self.draws[at].1
        };
        self.total_mw = self.total_mw - self.host_mw[h] + mw;
        self.host_mw[h] = mw;
    }

    /// At a step boundary: records CPU use and bills the energy of the step just ended at the
    /// hosts' current draw.
    pub fn snapshot(&mut self, ledger: &mut Ledger, from: SimTime, to: SimTime) {
        if self.has_usage {
            let cores = self.hosts_in_service() as f64 * self.cores_per_host * 1000.0;
            self.cpu_series
                .push((self.cpu_used_milli as f64 / cores.max(1.0)) as f32);
        }
        let mem = self.hosts_in_service() as f64 * self.per_host.mib as f64;
        self.mem_series
            .push((self.allocated.mib as f64 / mem.max(1.0)) as f32);
        if self.mem_samples {
            self.mem_used_series
                .push((self.mem_used_mib as f64 / mem.max(1.0)) as f32);
        }
        let Some(power) = self.power else { return };
        // kW x h x PUE x tariff, spread evenly over the step.
        let kw = self.total_mw as f64 / 1e6;
        self.energy_kwh += kw * (to - from) as f64 / HOUR as f64 * power.pue;
        let per_second = kw / HOUR as f64 * power.pue * power.per_kwh * self.rate;
        ledger.spread(self.power_line, from, to, per_second);
    }
}

#[cfg(test)]
mod tests;
