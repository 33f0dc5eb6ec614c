//! The public compute part of a plan's bill, counted as the simulator counts it, to choose
//! commitments by: each VM goes where the plan's shares send it (the plan policy's rule: the
//! venue furthest below its share so far), runs on the cheapest instance type that fits, takes
//! a free reservation when it starts and keeps it until it stops, and what is left on-demand is
//! what a savings plan covers hour by hour, the highest discount first. Reservations and plans
//! are paid for the part of their term within the horizon; the rest of the term is a liability
//! after the horizon, never part of the bill (and so never of a saving).
//!
//! Left out, as they are the same with or without commitments: storage, traffic, Windows
//! uplifts, billing rounding; spot VMs (commitments do not cover them) and autoscaled groups.

use super::{Site, micro_shares};
use crate::pricing::{PublicBook, Purchase, SavingsPlanOffer};
use crate::scenario::{Commitment, Scenario};
use crate::sim::{Capacity, HostPool};
use crate::trace::VmTable;
use crate::units::{HOUR, SimTime};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// One VM's stay on a public venue: [start, end) on the cheapest type that fits it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stay {
    pub venue: usize,
    pub start: SimTime,
    pub end: SimTime,
    pub vcpus: f64,
    pub mem_gib: f64,
    /// The cheapest type that fits, in the venue's book.
    pub instance: usize,
}

/// The plan's shares per group as the plan file writes them (millionths), venue by venue.
fn rules(shares: &[Vec<f64>]) -> Vec<Vec<(usize, f64)>> {
    shares
        .iter()
        .map(|s| {
            micro_shares(s)
                .into_iter()
                .map(|(v, m)| (v, m as f64 / 1e6))
                .collect()
        })
        .collect()
}

/// The private sites' hosts as the simulator packs them (first fit), by venue; HCI sites are
/// not modelled here (assumed to have room).
fn pools(scenario: &Scenario, sites: &[Site], hosts: &[u32]) -> Vec<Option<HostPool>> {
    let mut out: Vec<Option<HostPool>> = scenario.venues.iter().map(|_| None).collect();
    for (site, n) in sites.iter().zip(hosts) {
        if let Some(book) = scenario.venues[site.venue].private() {
            let room = Capacity::room(book.vcpu_capacity(), book.mem_gib, None);
            out[site.venue] = Some(HostPool::new(*n as usize, room));
        }
    }
    out
}

/// The stays on public venues of the VMs the plan sends there, in start order. Each VM goes
/// where the plan policy sends it: per group, in start order, the venue furthest below its
/// share so far (the earliest on ties), or the next furthest when a private site is full.
/// `hosts` are the sites' planned hosts. Spot VMs and autoscaled groups are left out.
pub fn stays(
    scenario: &Scenario,
    table: &VmTable,
    sites: &[Site],
    hosts: &[u32],
    shares: &[Vec<f64>],
) -> Vec<Stay> {
    let horizon = scenario.horizon;
    let policies: Vec<_> = table.groups.iter().map(|g| scenario.group(g)).collect();
    let scaled: Vec<bool> = (table.groups.iter())
        .map(|g| scenario.autoscale.iter().any(|a| &a.group == g))
        .collect();
    let rules = rules(shares);
    let mut pools = pools(scenario, sites, hosts);
    let mut placed = vec![0u64; rules.len()];
    let mut by_venue: Vec<Vec<u64>> = shares.iter().map(|s| vec![0; s.len()]).collect();
    // VMs on private hosts, by when they leave: (end, venue, host, vm).
    let mut leaving: BinaryHeap<Reverse<(SimTime, usize, usize, usize)>> = BinaryHeap::new();
    let mut out = Vec::new();
    for (i, vm) in table.vms.iter().enumerate() {
        let g = vm.group as usize;
        if vm.start >= horizon || scaled[g] {
            continue;
        }
        while let Some(Reverse((_, v, host, j))) =
            leaving.peek().copied().filter(|r| r.0.0 <= vm.start)
        {
            leaving.pop();
            let other = &table.vms[j];
            if let Some(pool) = pools[v].as_mut() {
                pool.give(host, Capacity::of(other.vcpus, other.mem_gib));
            }
        }
        let Some(rule) = rules.get(g) else { continue };
        let n = (placed[g] + 1) as f64;
        let mut ranked: Vec<(usize, f64)> = (rule.iter())
            .map(|&(v, share)| (v, share * n - by_venue[g][v] as f64))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let need = Capacity::of(vm.vcpus, vm.mem_gib);
        let end = vm.end.unwrap_or(horizon).min(horizon);
        let public = |v: usize| {
            let book = scenario.venues[v].public()?;
            book.cheapest_fit(vm.vcpus, vm.mem_gib).map(|(k, _)| k)
        };
        let chosen = ranked.iter().map(|r| r.0).find(|&v| {
            policies[g].allows(v)
                && match (&pools[v], scenario.venues[v].public()) {
                    (Some(pool), _) => pool.first_fit(need).is_some(),
                    (None, Some(_)) => public(v).is_some(),
                    (None, None) => true,
                }
        });
        let Some(v) = chosen else { continue };
        placed[g] += 1;
        by_venue[g][v] += 1;
        if let Some(pool) = pools[v].as_mut() {
            let host = pool.first_fit(need).expect("checked above");
            pool.take(host, need);
            leaving.push(Reverse((end, v, host, i)));
        } else if let Some(instance) = public(v).filter(|_| vm.start < end)
            && policies[g].purchase != Purchase::Spot
        {
            out.push(Stay {
                venue: v,
                start: vm.start,
                end,
                vcpus: vm.vcpus,
                mem_gib: vm.mem_gib,
                instance,
            });
        }
    }
    out
}

/// Reservations of one type on a venue while replaying: how many are free, paid until when.
#[derive(Debug, Clone, Copy)]
struct Held {
    free: u32,
    until: SimTime,
}

/// One venue's bill before any savings plan: what its reservations cost within the horizon,
/// and its on-demand spend per hour and instance type (list price, in the reporting currency).
#[derive(Debug, Clone, PartialEq)]
pub struct VenueBill {
    pub reserved: f64,
    /// Hours VMs ran on reservations.
    pub reserved_used: f64,
    pub types: usize,
    /// `on_demand[h * types + k]`: spend on type k in hour h.
    pub on_demand: Vec<f64>,
}

impl VenueBill {
    pub fn on_demand_total(&self) -> f64 {
        self.on_demand.iter().sum()
    }
}

/// Adds `per_second` over [from, to) to the hourly series of type `k`.
fn spread(bill: &mut VenueBill, k: usize, from: SimTime, to: SimTime, per_second: f64) {
    let mut s = from;
    while s < to {
        let until = ((s / HOUR + 1) * HOUR).min(to);
        bill.on_demand[(s / HOUR) as usize * bill.types + k] += (until - s) as f64 * per_second;
        s = until;
    }
}

/// Replays venue `v`'s stays with `commitments` (the venue's reservations; other entries are
/// ignored) as the simulator bills them.
pub fn replay(
    scenario: &Scenario,
    v: usize,
    stays: &[Stay],
    commitments: &[Commitment],
) -> VenueBill {
    let book: &PublicBook = scenario.venues[v].public().expect("a public venue");
    let (rate, horizon) = (scenario.venues[v].rate, scenario.horizon);
    let types = book.instances.len();
    let mut bill = VenueBill {
        reserved: 0.0,
        reserved_used: 0.0,
        types,
        on_demand: vec![0.0; horizon.div_ceil(HOUR) as usize * types],
    };
    let mut held: Vec<Option<Held>> = vec![None; types];
    for c in commitments.iter().filter(|c| c.venue() == v) {
        if let Commitment::Reserved { count, offer, .. } = c {
            let until = (offer.term.hours() as SimTime * HOUR).min(horizon);
            bill.reserved += offer.effective_hourly() * f64::from(*count) * rate * hours(until);
            held[offer.instance] = Some(Held {
                free: *count,
                until,
            });
        }
    }
    // Departures come before arrivals at the same time, as in the simulator's event queue.
    let mut running: BinaryHeap<Reverse<(SimTime, usize)>> = BinaryHeap::new();
    for s in stays.iter().filter(|s| s.venue == v) {
        while let Some(Reverse((_, k))) = running.peek().copied().filter(|r| r.0.0 <= s.start) {
            running.pop();
            if let Some(h) = held[k].as_mut() {
                h.free += 1;
            }
        }
        // The cheapest type with a free reservation that fits takes the VM.
        let reserved = (0..types).find(|&k| {
            let t = &book.instances[k];
            f64::from(t.vcpus) >= s.vcpus
                && t.mem_gib >= s.mem_gib
                && held[k].is_some_and(|h| h.free > 0 && s.start < h.until)
        });
        let (k, billed_from) = match reserved {
            Some(k) => {
                let h = held[k].as_mut().expect("found above");
                h.free -= 1;
                running.push(Reverse((s.end, k)));
                let covered = s.end.min(h.until).max(s.start);
                bill.reserved_used += hours(covered - s.start);
                (k, covered)
            }
            None => (s.instance, s.start),
        };
        let per_second = book.instances[k].hourly * rate / HOUR as f64;
        spread(&mut bill, k, billed_from, s.end, per_second);
    }
    bill
}

fn hours(t: SimTime) -> f64 {
    t as f64 / HOUR as f64
}

/// What a savings plan of `hourly` (reporting currency) with `discount` per type costs with
/// `bill`'s on-demand spend over the horizon: the commitment for the hours of its term (to
/// `until`) and the spend it does not cover, at list price. Hour by hour, the highest discount
/// first. Returns (cost, commitment spent).
pub fn with_savings_plan(
    bill: &VenueBill,
    discount: &[f64],
    hourly: f64,
    until: SimTime,
    horizon: SimTime,
) -> (f64, f64) {
    let mut order: Vec<usize> = (0..bill.types).collect();
    order.sort_by(|&a, &b| discount[b].total_cmp(&discount[a]));
    let (mut total, mut spent) = (0.0, 0.0);
    for (h, spend) in bill.on_demand.chunks(bill.types.max(1)).enumerate() {
        let t = h as SimTime * HOUR;
        let mut left = 0.0;
        if t < until {
            left = hourly * hours(horizon.min(t + HOUR) - t);
            total += left;
        }
        let budget = left;
        for &k in &order {
            let at_plan_rate = spend[k] * (1.0 - discount[k]);
            let covered = if at_plan_rate > 0.0 {
                (left / at_plan_rate).min(1.0)
            } else {
                1.0
            };
            left -= covered * at_plan_rate;
            total += spend[k] * (1.0 - covered);
        }
        spent += budget - left;
    }
    (total, spent)
}

/// Each instance type's savings-plan discount in `book` (0 for families the plan leaves out).
pub fn discounts(book: &PublicBook, offer: &SavingsPlanOffer) -> Vec<f64> {
    book.instances
        .iter()
        .map(|t| offer.discounts.get(&t.family).copied().unwrap_or(0.0))
        .collect()
}

/// Venue `v`'s public compute bill of `stays` with `commitments`, over the horizon.
pub fn venue_total(
    scenario: &Scenario,
    v: usize,
    stays: &[Stay],
    commitments: &[Commitment],
) -> f64 {
    let Some(book) = scenario.venues[v].public() else {
        return 0.0;
    };
    let bill = replay(scenario, v, stays, commitments);
    let plan = commitments.iter().find_map(|c| match c {
        Commitment::SavingsPlan {
            venue,
            hourly,
            offer,
        } if *venue == v => Some((hourly, offer)),
        _ => None,
    });
    bill.reserved
        + match plan {
            Some((hourly, offer)) => {
                let until = (offer.term.hours() as SimTime * HOUR).min(scenario.horizon);
                let rate = scenario.venues[v].rate;
                let d = discounts(book, offer);
                with_savings_plan(&bill, &d, hourly * rate, until, scenario.horizon).0
            }
            None => bill.on_demand_total(),
        }
}

/// The public compute bill of `stays` with `commitments`, over every public venue.
pub fn total(scenario: &Scenario, stays: &[Stay], commitments: &[Commitment]) -> f64 {
    (0..scenario.venues.len())
        .map(|v| venue_total(scenario, v, stays, commitments))
        .sum()
}

/// What `c` still costs after the horizon: the rest of its term (reporting currency).
pub fn liability(scenario: &Scenario, c: &Commitment) -> f64 {
    c.liability_after(scenario.horizon, scenario.venues[c.venue()].rate)
}
