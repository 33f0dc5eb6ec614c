//! A site whose capacity grows by date (`[[capacity]]`, `[[growth]]`): it is built with every
//! host it will ever have, those not yet in service are out of service (no room, no power), and
//! each addition puts the next hosts (private) or whole scale units (HCI) in service. The fixed
//! costs are billed per stretch of constant size: from one change to the next, so a host is
//! paid for from the day it enters service.

use super::Site;
use crate::pricing::TcoItem;
use crate::sim::ledger::Ledger;
use crate::units::{HOUR, HOURS_PER_MONTH, SimTime};

/// Books fixed monthly items for `count` servers from `from` to `to`.
#[allow(clippy::too_many_arguments)]
pub(super) fn bill_fixed(
    ledger: &mut Ledger,
    v: usize,
    items: &[TcoItem],
    count: f64,
    rate: f64,
    (from, to): (SimTime, SimTime),
    what: &str,
) {
    for item in items {
        let line = ledger.line(v, item.category, format!("{}; {count} {what}s", item.rule));
        ledger.spread(
            line,
            from,
            to,
            item.monthly * count * rate / (HOURS_PER_MONTH * HOUR as f64),
        );
    }
}

/// What a growing site bills and how much of it is in service.
pub(crate) struct Schedule {
    v: usize,
    items: Vec<TcoItem>,
    /// Servers per counted step: 1 for a private site's hosts, the nodes of an HCI unit.
    servers_per_step: u32,
    what: &'static str,
    /// Hosts (private) or units (HCI) in service, since when.
    count: u32,
    since: SimTime,
    /// Hosts or units in service once the outstanding order arrives (the count if none).
    ordered: u32,
    /// (time, count) at the start and after each change.
    pub history: Vec<(SimTime, u32)>,
}

impl Site<'_> {
    /// Takes every host beyond the first `count` hosts (private) or units (HCI) out of service,
    /// to be billed from 0 as `items` per server.
    pub(crate) fn schedule(&mut self, v: usize, items: Vec<TcoItem>, count: u32) {
        let (servers_per_step, what) = match self.platform {
            super::Platform::Private => (1, "host"),
            super::Platform::Hci { nodes, .. } => (nodes, "node"),
        };
        let first_absent = self.hosts_in(count);
        for host in first_absent..self.hosts() {
            self.fail(host);
        }
        // Hosts taken out of service later must say which VMs they hold.
        self.track_vms();
        self.capacity = Some(Box::new(Schedule {
            v,
            items,
            servers_per_step,
            what,
            count,
            since: 0,
            ordered: count,
            history: vec![(0, count)],
        }));
    }

    /// Hosts in `count` hosts (private) or units (HCI).
    fn hosts_in(&self, count: u32) -> usize {
        match self.platform {
            super::Platform::Private => count as usize,
            super::Platform::Hci { .. } => count as usize * self.hosts_per_unit,
        }
    }

    /// Hosts (private) or units (HCI) in service now.
    pub(crate) fn in_service(&self) -> u32 {
        match (&self.capacity, &self.platform) {
            (Some(s), _) => s.count,
            (None, super::Platform::Private) => self.hosts_per_unit as u32,
            (None, super::Platform::Hci { .. }) => self.units.len() as u32,
        }
    }

    /// Hosts or units in service once the outstanding order (if any) arrives.
    pub(crate) fn ordered(&self) -> u32 {
        self.capacity.as_ref().map_or(0, |s| s.ordered)
    }

    /// Records an order of blocks that will bring the site to `count`.
    pub(crate) fn order(&mut self, count: u32) {
        if let Some(s) = &mut self.capacity {
            s.ordered = s.ordered.max(count);
        }
    }

    /// Hosts (HCI: nodes) in service now.
    pub(crate) fn hosts_in_service(&self) -> usize {
        self.hosts_in(self.in_service())
    }

    /// Puts `count` hosts or units in service from `now`, billing the stretch that ends now at
    /// the old size. Growing, the next hosts enter service empty; shrinking, the last ones leave
    /// it: the VMs on them are returned (sorted) and must be stopped here by the caller, who
    /// then calls `take_out` before placing them elsewhere.
    pub(crate) fn resize_to(&mut self, ledger: &mut Ledger, count: u32, now: SimTime) -> Vec<u32> {
        let Some(s) = &self.capacity else {
            return Vec::new();
        };
        if count == s.count {
            return Vec::new();
        }
        let (old, new) = (
            self.hosts_in(s.count),
            self.hosts_in(count).min(self.hosts()),
        );
        self.bill_stretch(ledger, now);
        for host in old..new {
            self.repair(host);
        }
        let leaving: Vec<u32> = (new..old).flat_map(|h| self.vms_on(h)).collect();
        if let Some(s) = &mut self.capacity {
            s.ordered = if count > s.count {
                s.ordered.max(count)
            } else {
                count
            };
            s.count = count;
            s.since = now;
            s.history.push((now, count));
        }
        leaving
    }

    /// Takes the hosts beyond what is in service out of service (after their VMs left).
    pub(crate) fn take_out(&mut self) {
        for host in self.hosts_in_service()..self.hosts() {
            if !self.down[host] {
                self.fail(host);
            }
        }
    }

    /// Bills the stretch from the last change to `now` at the size in service.
    pub(crate) fn bill_stretch(&mut self, ledger: &mut Ledger, now: SimTime) {
        let rate = self.rate;
        let Some(s) = &self.capacity else { return };
        let servers = f64::from(s.count * s.servers_per_step);
        bill_fixed(ledger, s.v, &s.items, servers, rate, (s.since, now), s.what);
    }

    /// The allocated share of what is in service: the larger of vCPUs and memory.
    pub(crate) fn allocated_share(&self) -> f64 {
        let hosts = self.hosts_in_service() as f64;
        let cpu = self.allocated.milli_vcpu as f64 / (hosts * self.per_host.milli_vcpu as f64);
        let mem = self.allocated.mib as f64 / (hosts * self.per_host.mib as f64);
        if hosts == 0.0 { 1.0 } else { cpu.max(mem) }
    }

    /// The changes of a growing site: (time, hosts or units in service from then).
    pub(crate) fn capacity_history(&self) -> Option<&[(SimTime, u32)]> {
        self.capacity.as_ref().map(|s| s.history.as_slice())
    }
}
