//! A public region in the simulation: right-sizing, reservations, spot, Windows and SQL Server
//! licences, and the billing of compute, storage, egress (monthly tiers) and inter-region
//! transfer. Savings plans are applied per hour once the run is over, as providers do on the
//! bill.

#[cfg(test)]
mod billing_tests;
mod disks;
mod licences;
mod sustained;

use super::ledger::{Category, Ledger, LineId};
use crate::pricing::{Billing, PriceModel, PublicBook, Purchase, VmUsage};
use crate::scenario::{Commitment, GroupPolicy};
use crate::trace::Vm;
use crate::units::{DAY, HOUR, HOURS_PER_MONTH, SimTime};
use sustained::Sustained;

/// Where a VM runs on a public venue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Instance {
    /// Index of the instance type in the book (32 bits: every VM's placement holds one).
    pub ix: u32,
    pub purchase: Purchase,
    /// Covered by a free reserved instance of its type.
    pub reserved: bool,
}

/// Reserved instances of one type bought on this venue.
#[derive(Debug, Clone)]
struct Reservation {
    count: u32,
    free: u32,
    until: SimTime,
    /// Seconds of VM time covered, summed over units.
    used_seconds: u64,
}

/// An hourly spend commitment and the on-demand usage it may cover, per hour and family.
#[derive(Debug, Clone)]
struct SavingsPlan {
    hourly: f64,
    until: SimTime,
    name: String,
    /// Discount of each family index; the family of each instance.
    discount: Vec<f64>,
    family_of: Vec<usize>,
    /// On-demand cost per (hour, family), before the plan.
    usage: Vec<f64>,
}

pub struct PublicVenue<'s> {
    pub v: usize,
    pub book: &'s PublicBook,
    pub rate: f64,
    od: Vec<LineId>,
    spot: Vec<LineId>,
    licences: licences::LicenceLines,
    rounding: LineId,
    storage: LineId,
    transfer: LineId,
    egress: LineId,
    reservations: Vec<Option<Reservation>>,
    /// Whether any reservation was bought here (skips the search when not).
    any_reserved: bool,
    plan: Option<SavingsPlan>,
    /// GCP sustained-use discounts, when the book has schedules.
    sustained: Option<Sustained>,
    /// Internet egress GiB per day, priced by monthly tiers at the end.
    egress_gib: Vec<f64>,
    /// Disks priced by storage class (`[storage]`), instead of `storage_gb_month`.
    disks: Option<disks::ClassedDisks>,
}

/// What the run says about a public venue's commitments.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitmentUse {
    pub what: String,
    /// Hours paid for within the horizon (units x hours).
    pub paid_hours: f64,
    /// Share of the paid reserved hours that VMs used, or of the savings-plan commitment spent.
    pub utilisation: f64,
}

const MONTH_SECONDS: f64 = HOURS_PER_MONTH * HOUR as f64;

impl<'s> PublicVenue<'s> {
    pub fn new(
        v: usize,
        book: &'s PublicBook,
        rate: f64,
        commitments: &[Commitment],
        ledger: &mut Ledger,
        horizon: SimTime,
    ) -> Self {
        let mut od = Vec::with_capacity(book.instances.len());
        let mut spot = Vec::with_capacity(book.instances.len());
        for t in &book.instances {
            od.push(ledger.line(
                v,
                Category::Compute,
                format!("on-demand {} at {}/h", t.name, t.hourly),
            ));
            spot.push(match t.spot_hourly {
                Some(p) => ledger.line(v, Category::Compute, format!("spot {} at {p}/h", t.name)),
                None => usize::MAX,
            });
        }
        let rounding = match book.billing {
            Billing::PerSecond { minimum } => {
                format!("per-second billing, {minimum} s minimum per start")
            }
            Billing::PerHour => "per-hour billing: every started hour in full".to_string(),
        };
        let mut venue = PublicVenue {
            v,
            book,
            rate,
            od,
            spot,
            licences: licences::LicenceLines::new(v, book, ledger),
            rounding: ledger.line(v, Category::Compute, rounding),
            storage: ledger.line(
                v,
                Category::Storage,
                format!("block storage {}/GiB-month", book.storage_gb_month),
            ),
            transfer: ledger.line(
                v,
                Category::Transfer,
                format!("inter-region transfer {}/GiB", book.inter_region_gb),
            ),
            egress: ledger.line(
                v,
                Category::Egress,
                "internet egress, monthly tiers".to_string(),
            ),
            reservations: vec![None; book.instances.len()],
            any_reserved: false,
            plan: None,
            sustained: Sustained::new(v, book, ledger, horizon),
            egress_gib: vec![0.0; ledger.days()],
            disks: None,
        };
        venue.take_commitments(commitments, ledger, horizon);
        venue
    }

    /// Bills each commitment at this venue for every hour of its term within the horizon and
    /// keeps what it covers (reserved instances by type, a savings plan's hourly commitment).
    fn take_commitments(
        &mut self,
        commitments: &[Commitment],
        ledger: &mut Ledger,
        horizon: SimTime,
    ) {
        for c in commitments.iter().filter(|c| c.venue() == self.v) {
            let until = (c.term().hours() as SimTime * HOUR).min(horizon);
            match c {
                Commitment::Reserved { count, offer, .. } => {
                    let t = &self.book.instances[offer.instance];
                    let rule = format!(
                        "reserved {} x {count}, {} {}-upfront: {} upfront / {} h + {}/h",
                        t.name,
                        offer.term.name(),
                        offer.upfront.name(),
                        offer.upfront_cost,
                        offer.term.hours(),
                        offer.hourly
                    );
                    let line = ledger.line(self.v, Category::Reserved, rule);
                    // Paid for every hour of the term within the horizon, used or not.
                    ledger.spread(
                        line,
                        0,
                        until,
                        offer.effective_hourly() * f64::from(*count) * self.rate / HOUR as f64,
                    );
                    self.any_reserved = true;
                    self.reservations[offer.instance] = Some(Reservation {
                        count: *count,
                        free: *count,
                        until,
                        used_seconds: 0,
                    });
                }
                Commitment::SavingsPlan { hourly, offer, .. } => {
                    let mut families: Vec<&str> = self
                        .book
                        .instances
                        .iter()
                        .map(|t| t.family.as_str())
                        .collect();
                    families.sort_unstable();
                    families.dedup();
                    let family_of = self
                        .book
                        .instances
                        .iter()
                        .map(|t| families.binary_search(&t.family.as_str()).unwrap_or(0))
                        .collect();
                    let discount = families
                        .iter()
                        .map(|f| offer.discounts.get(*f).copied().unwrap_or(0.0))
                        .collect();
                    let hours = horizon.div_ceil(HOUR) as usize;
                    self.plan = Some(SavingsPlan {
                        hourly: *hourly,
                        until,
                        name: format!(
                            "{} {} {}-upfront",
                            offer.name,
                            offer.term.name(),
                            offer.upfront.name()
                        ),
                        discount,
                        family_of,
                        usage: vec![0.0; hours * families.len()],
                    });
                }
            }
        }
    }

    /// The cheapest instance type with a free reservation that fits the VM.
    fn free_reservation(&self, vm: &Vm, now: SimTime) -> Option<usize> {
        self.book.instances.iter().enumerate().position(|(ix, t)| {
            f64::from(t.vcpus) >= vm.vcpus
                && t.mem_gib >= vm.mem_gib
                && self.reservations[ix]
                    .as_ref()
                    .is_some_and(|r| r.free > 0 && now < r.until)
        })
    }

    /// Where a VM would go here and what it would cost per hour from now on.
    /// `on_demand` forces on-demand (a spot VM falling back after an eviction).
    pub fn offer(
        &self,
        vm: &Vm,
        group: &GroupPolicy,
        now: SimTime,
        on_demand: bool,
    ) -> Option<(f64, Instance)> {
        let usage = VmUsage {
            disk_gib: vm.disk_gib,
            egress_gib_month: group.egress_gib_per_vm_month,
            inter_region_gib_month: group.inter_region_gib_per_vm_month,
        };
        let paid = group.licences_paid(self.book);
        let hour = |ix: usize, model: PriceModel| {
            let cost = self.book.vm_hour_cost(ix, model, paid, &usage);
            cost.total() * self.rate
        };
        // A free reservation that fits costs nothing more; the cheapest such type wins.
        let reserved = self
            .any_reserved
            .then(|| self.free_reservation(vm, now))
            .flatten();
        if let Some(ix) = reserved {
            let instance = Instance {
                ix: ix as u32,
                purchase: Purchase::OnDemand,
                reserved: true,
            };
            return Some((hour(ix, PriceModel::Reserved), instance));
        }
        let purchase = if on_demand {
            Purchase::OnDemand
        } else {
            group.purchase
        };
        let (ix, purchase) = match purchase {
            Purchase::Spot => self
                .book
                .cheapest_spot_fit(vm.vcpus, vm.mem_gib)
                .map(|(ix, _)| (ix, Purchase::Spot)),
            Purchase::OnDemand => None,
        }
        .or_else(|| {
            self.book
                .cheapest_fit(vm.vcpus, vm.mem_gib)
                .map(|(ix, _)| (ix, Purchase::OnDemand))
        })?;
        Some((
            hour(ix, purchase.into()),
            Instance {
                ix: ix as u32,
                purchase,
                reserved: false,
            },
        ))
    }

    pub fn start(&mut self, instance: Instance) {
        if instance.reserved
            && let Some(r) = self.reservations[instance.ix as usize].as_mut()
        {
            r.free -= 1;
        }
    }

    /// Bills a VM that ran on `instance` from `from` to `at`.
    pub fn finish(
        &mut self,
        ledger: &mut Ledger,
        vm: &Vm,
        group: &GroupPolicy,
        instance: Instance,
        from: SimTime,
        at: SimTime,
    ) {
        let t = &self.book.instances[instance.ix as usize];
        let per_second = |hourly: f64| hourly * self.rate / HOUR as f64;
        // The part a reservation covers costs nothing here (the reservation is paid for anyway).
        let mut billed_from = from;
        if instance.reserved
            && let Some(r) = self.reservations[instance.ix as usize].as_mut()
        {
            r.free += 1;
            billed_from = at.min(r.until).max(from);
            r.used_seconds += billed_from - from;
        }
        if billed_from < at {
            match instance.purchase {
                Purchase::Spot => ledger.spread(
                    self.spot[instance.ix as usize],
                    billed_from,
                    at,
                    per_second(
                        self.book
                            .instance_hourly(instance.ix as usize, PriceModel::Spot),
                    ),
                ),
                Purchase::OnDemand => match self.plan.as_mut() {
                    // GCP has no savings plan: a family with a sustained-use schedule is billed
                    // by month at the end.
                    None if let Some((sud, f)) = self
                        .sustained
                        .as_mut()
                        .and_then(|s| s.family(instance.ix as usize).map(|f| (s, f))) =>
                    {
                        sud.add(f, billed_from, at, per_second(t.hourly));
                    }
                    Some(plan) => {
                        // Kept per hour and family until the plan is applied at the end.
                        let family = plan.family_of[instance.ix as usize];
                        let families = plan.discount.len();
                        let mut s = billed_from;
                        while s < at {
                            let hour_end = (s / HOUR + 1) * HOUR;
                            let until = hour_end.min(at);
                            plan.usage[(s / HOUR) as usize * families + family] +=
                                (until - s) as f64 * per_second(t.hourly);
                            s = until;
                        }
                    }
                    None => ledger.spread(
                        self.od[instance.ix as usize],
                        billed_from,
                        at,
                        per_second(t.hourly),
                    ),
                },
            }
            // Rounding to the billing granularity is charged when the instance stops.
            let billed = at - billed_from;
            let extra = self.book.billing.billed_seconds(billed) - billed;
            if extra > 0 {
                let hourly = self
                    .book
                    .instance_hourly(instance.ix as usize, instance.purchase.into());
                ledger.add(self.rounding, at - 1, extra as f64 * per_second(hourly));
            }
        }
        let paid = group.licences_paid(self.book);
        self.licences
            .bill(ledger, self.book, t, paid, (from, at), self.rate);
        if self.disks.is_none() {
            let per_second = vm.disk_gib * self.book.storage_gb_month * self.rate / MONTH_SECONDS;
            ledger.spread(self.storage, from, at, per_second);
        }
        let transfer = group.inter_region_gib_per_vm_month * self.book.inter_region_gb * self.rate
            / MONTH_SECONDS;
        ledger.spread(self.transfer, from, at, transfer);
        // Egress volume per day; priced by tiers once each month is complete.
        let gib_per_second = group.egress_gib_per_vm_month / MONTH_SECONDS;
        let mut s = from;
        while s < at && gib_per_second > 0.0 {
            let until = ((s / DAY + 1) * DAY).min(at);
            let day = ((s / DAY) as usize).min(self.egress_gib.len() - 1);
            self.egress_gib[day] += (until - s) as f64 * gib_per_second;
            s = until;
        }
    }

    /// Prices what is only known at the end: egress tiers per month and the savings plan.
    pub fn close(&mut self, ledger: &mut Ledger, horizon: SimTime) -> Vec<CommitmentUse> {
        if let Some(sud) = &self.sustained {
            sud.close(ledger);
        }
        // Months of 730 h; a day belongs to the month its start falls in.
        let days = self.egress_gib.len();
        let month_of = |d: usize| ((d as f64 * 24.0) / HOURS_PER_MONTH) as usize;
        let mut d = 0;
        while d < days {
            let m = month_of(d);
            let end = (d..days).find(|&e| month_of(e) != m).unwrap_or(days);
            let gib: f64 = self.egress_gib[d..end].iter().sum();
            if gib > 0.0 {
                let cost = self.book.egress.cost(gib) * self.rate;
                for day in d..end {
                    ledger.add(
                        self.egress,
                        day as SimTime * DAY,
                        cost * self.egress_gib[day] / gib,
                    );
                }
            }
            d = end;
        }

        let mut uses = Vec::new();
        for (ix, r) in self.reservations.iter().enumerate() {
            if let Some(r) = r {
                let paid = f64::from(r.count) * r.until as f64 / HOUR as f64;
                uses.push(CommitmentUse {
                    what: format!("reserved {} x {}", self.book.instances[ix].name, r.count),
                    paid_hours: paid,
                    utilisation: if paid > 0.0 {
                        r.used_seconds as f64 / HOUR as f64 / paid
                    } else {
                        0.0
                    },
                });
            }
        }
        if let Some(plan) = self.plan.take() {
            let families = plan.discount.len();
            let commit = ledger.line(
                self.v,
                Category::SavingsPlan,
                format!("{} commitment {}/h", plan.name, plan.hourly),
            );
            let beyond = ledger.line(
                self.v,
                Category::Compute,
                format!("on-demand beyond the {} (list price)", plan.name),
            );
            let mut order: Vec<usize> = (0..families).collect();
            // Providers apply a plan to the usage with the highest discount first.
            order.sort_by(|&a, &b| plan.discount[b].total_cmp(&plan.discount[a]));
            let (mut spent, mut hours_in_term) = (0.0, 0.0);
            for h in 0..plan.usage.len() / families.max(1) {
                let t = h as SimTime * HOUR;
                let in_term = t < plan.until;
                let mut left = if in_term {
                    plan.hourly * self.rate
                } else {
                    0.0
                };
                if in_term {
                    let hour_len = (horizon.min(t + HOUR) - t) as f64 / HOUR as f64;
                    left *= hour_len;
                    hours_in_term += hour_len;
                    ledger.add(commit, t, left);
                }
                let budget = left;
                for &f in &order {
                    let od = plan.usage[h * families + f];
                    if od == 0.0 {
                        continue;
                    }
                    let at_plan_rate = od * (1.0 - plan.discount[f]);
                    let covered = if at_plan_rate > 0.0 {
                        (left / at_plan_rate).min(1.0)
                    } else {
                        1.0
                    };
                    left -= covered * at_plan_rate;
                    ledger.add(beyond, t, od * (1.0 - covered));
                }
                spent += budget - left;
            }
            let paid = plan.hourly * self.rate * hours_in_term;
            uses.push(CommitmentUse {
                what: format!("{} {}/h", plan.name, plan.hourly),
                paid_hours: hours_in_term,
                utilisation: if paid > 0.0 { spent / paid } else { 0.0 },
            });
        }
        uses
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::{Book, BookKind};
    use crate::sim::testkit::{cloud_book, vm};
    use std::path::Path;

    fn book(billing: &str) -> PublicBook {
        let text = cloud_book(billing);
        match Book::parse(&text, Path::new("cloud.toml")).unwrap().kind {
            BookKind::Public(b) => b,
            _ => unreachable!("the fixture is a public book"),
        }
    }

    /// Compute billed for one on-demand stay of a 2-vCPU, 8 GiB VM from `from` to `at`.
    fn compute(billing: &str, from: SimTime, at: SimTime) -> f64 {
        let book = book(billing);
        let mut ledger = Ledger::new(DAY);
        let mut venue = PublicVenue::new(0, &book, 1.0, &[], &mut ledger, DAY);
        let v = vm("a", 0, from, Some(at), 2.0, 8.0).1;
        let group = GroupPolicy::default();
        // Right-sized to c2 (2 vCPU, 8 GiB) at 0.36/h; storage and network are free.
        let (per_hour, instance) = venue.offer(&v, &group, from, false).unwrap();
        assert_eq!((instance.ix, instance.purchase), (0, Purchase::OnDemand));
        assert!((per_hour - 0.36).abs() < 1e-12);
        venue.start(instance);
        venue.finish(&mut ledger, &v, &group, instance, from, at);
        venue.close(&mut ledger, DAY);
        ledger.total(0, Category::Compute)
    }

    #[test]
    fn per_second_billing_charges_the_seconds_run_with_a_minimum() {
        // 0.36/h = 0.0001/s. 90 min = 5,400 s x 0.0001 = 0.54. A 30 s run is under the 60 s
        // minimum: 60 s x 0.0001 = 0.006 (0.003 run + 0.003 rounding).
        assert!((compute("per-second", 0, 5_400) - 0.54).abs() < 1e-9);
        assert!((compute("per-second", 100, 130) - 0.006).abs() < 1e-9);
    }

    #[test]
    fn per_hour_billing_charges_every_started_hour() {
        // 90 min: 2 started hours x 0.36 = 0.72 (0.54 run + 0.18 rounding). 30 s: a whole
        // hour, 0.36. Exactly 3 h: 3 x 0.36 = 1.08, nothing to round.
        assert!((compute("per-hour", 0, 5_400) - 0.72).abs() < 1e-9);
        assert!((compute("per-hour", 100, 130) - 0.36).abs() < 1e-9);
        assert!((compute("per-hour", 0, 3 * HOUR) - 1.08).abs() < 1e-9);
    }

    #[test]
    fn offers_right_size_and_spot_falls_back_where_there_is_no_spot_price() {
        let book = book("per-hour");
        let mut ledger = Ledger::new(DAY);
        let venue = PublicVenue::new(0, &book, 1.0, &[], &mut ledger, DAY);
        let spot = GroupPolicy {
            purchase: Purchase::Spot,
            ..GroupPolicy::default()
        };
        // 2 vCPU on spot: c2's spot price, 0.036/h; forced on-demand (after an eviction): 0.36/h.
        let small = vm("s", 0, 0, None, 2.0, 8.0).1;
        let (cost, inst) = venue.offer(&small, &spot, 0, false).unwrap();
        assert_eq!((inst.ix, inst.purchase), (0, Purchase::Spot));
        assert!((cost - 0.036).abs() < 1e-12);
        let (cost, inst) = venue.offer(&small, &spot, 0, true).unwrap();
        assert_eq!(inst.purchase, Purchase::OnDemand);
        assert!((cost - 0.36).abs() < 1e-12);
        // 3 vCPU does not fit c2: c4, which has no spot price, so on-demand at 0.72/h.
        let mid = vm("m", 0, 0, None, 3.0, 10.0).1;
        let (cost, inst) = venue.offer(&mid, &spot, 0, false).unwrap();
        assert_eq!((inst.ix, inst.purchase), (1, Purchase::OnDemand));
        assert!((cost - 0.72).abs() < 1e-12);
        // 8 vCPU fits no type.
        assert!(
            venue
                .offer(&vm("l", 0, 0, None, 8.0, 8.0).1, &spot, 0, false)
                .is_none()
        );
    }
}
