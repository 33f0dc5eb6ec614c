//! Commitments to buy against the plan's public demand: reserved instances per type and a
//! savings-plan spend per offer, each read off a load-duration curve. A reservation of hourly
//! cost r for a type of on-demand price p pays when it is busy at least r / p of the hours
//! (its break-even utilisation), so the n-th one is bought when at least that share of the
//! steps need n or more instances. A savings plan's marginal dollar of commitment pays when
//! the discounted spend reaches it at least (1 - discount) of the hours.
//!
//! The curves only propose: each candidate is counted by replaying the plan's public bill as the
//! simulator bills it (optimize::bill): whole reservations taken by VMs as they start, the part
//! of each term within the horizon paid, the rest reported as a liability, never as a saving.

use super::bill::{self, Stay};
use super::model::{Site, Solved};
use crate::scenario::{Commitment, Scenario};
use crate::trace::VmTable;
use crate::units::{HOUR, SimTime, cents, four};
use serde::Serialize;

/// One commitment the plan's public demand would pay for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Advice {
    pub venue: String,
    /// "reserved" or "savings-plan".
    pub kind: &'static str,
    /// What to buy, e.g. "3 x m6a.xlarge, 1y no upfront" or "Compute Savings Plan 1y: 0.412/h".
    pub what: String,
    /// Reserved instances to buy (reserved only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Hourly commitment in the reporting currency (savings plans only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hourly: Option<f64>,
    /// Utilisation at which the commitment costs as much as on-demand.
    pub break_even_utilisation: f64,
    /// Utilisation the plan's demand would give it.
    pub expected_utilisation: f64,
    /// What it takes off the bill over the horizon, as the simulator bills: the on-demand cost
    /// it avoids minus what it costs for the hours of its term within the horizon.
    pub saving: f64,
    /// What the rest of the term costs after the horizon: owed, never counted as a saving.
    pub liability_after_horizon: f64,
    /// The commitment as a scenario's `[[commitments]]` entry, for simulating the plan with it.
    #[serde(skip)]
    pub commitment: Commitment,
}

/// The most reservations worth buying for a series of instance counts per step: the largest
/// n such that at least `break_even` of the steps need n or more.
pub fn reserved_count(counts: &[f64], break_even: f64) -> u32 {
    if counts.is_empty() || break_even <= 0.0 {
        return 0;
    }
    let mut sorted: Vec<f64> = counts.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    // The step at the break-even rank: that many steps have at least this count.
    let rank = ((break_even * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    (sorted[rank - 1] + 1e-9).floor().max(0.0) as u32
}

/// The savings-plan commitment per hour that minimises cost, for on-demand spend `e` per step
/// hour and what it would cost at the plan's rates `q` (both per hour): (commitment, total cost
/// over the steps in step-hours).
pub fn savings_plan_commitment(e: &[f64], q: &[f64]) -> (f64, f64) {
    let cost = |c: f64| -> f64 {
        e.iter()
            .zip(q)
            .map(|(e, q)| {
                c + if *q > 0.0 {
                    e * (1.0 - c / q).max(0.0)
                } else {
                    *e
                }
            })
            .sum()
    };
    // The cost is piecewise linear in c with breaks at the q values: the optimum is one of them.
    let mut candidates: Vec<f64> = q.to_vec();
    candidates.push(0.0);
    candidates.sort_by(f64::total_cmp);
    candidates.dedup();
    candidates
        .into_iter()
        .map(|c| (c, cost(c)))
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.total_cmp(&b.0)))
        .unwrap_or((0.0, 0.0))
}

/// The reservations of one type worth trying: around the load-duration count `n0` for the
/// hourly instance counts of that type.
fn reserved_candidates(n0: u32) -> impl Iterator<Item = u32> {
    (n0.saturating_sub(1)..=n0 + 1).filter(|&n| n > 0)
}

/// The best reservation to add on venue `v` for type `k`, counted by replaying the bill:
/// (advice, its commitment) or none that saves.
fn best_reservation(
    scenario: &Scenario,
    v: usize,
    k: usize,
    stays: &[Stay],
    bought: &[Commitment],
    counts: &[f64],
) -> Option<Advice> {
    let venue = &scenario.venues[v];
    let book = venue.public()?;
    let p = book.instances[k].hourly * venue.rate;
    let before = bill::venue_total(scenario, v, stays, bought);
    let used_before = bill::replay(scenario, v, stays, bought).reserved_used;
    let mut best: Option<(f64, Commitment, f64, f64)> = None;
    for o in book.reserved.iter().filter(|o| o.instance == k) {
        let r = o.effective_hourly() * venue.rate;
        for n in reserved_candidates(reserved_count(counts, r / p)) {
            let c = Commitment::Reserved {
                venue: v,
                count: n,
                offer: o.clone(),
            };
            let trial: Vec<Commitment> = bought.iter().cloned().chain([c.clone()]).collect();
            let saving = before - bill::venue_total(scenario, v, stays, &trial);
            if saving > 0.005 && best.as_ref().is_none_or(|b| saving > b.0) {
                let used = bill::replay(scenario, v, stays, &trial).reserved_used - used_before;
                best = Some((saving, c, r / p, used));
            }
        }
    }
    let (saving, c, break_even, used) = best?;
    let Commitment::Reserved { count, offer, .. } = &c else {
        return None;
    };
    let paid = f64::from(*count) * hours_in_term(scenario, &c);
    Some(Advice {
        venue: venue.name.clone(),
        kind: "reserved",
        what: format!(
            "{count} x {}, {} {} upfront",
            book.instances[k].name,
            offer.term.name(),
            offer.upfront.name()
        ),
        count: Some(*count),
        hourly: None,
        break_even_utilisation: four(break_even),
        expected_utilisation: four(used / paid.max(1e-12)),
        saving: cents(saving),
        liability_after_horizon: cents(bill::liability(scenario, &c)),
        commitment: c,
    })
}

/// Hours of `c`'s term within the horizon.
fn hours_in_term(scenario: &Scenario, c: &Commitment) -> f64 {
    c.term().hours().min(scenario.horizon as f64 / HOUR as f64)
}

/// The best savings plan to add on venue `v` over what `bought` leaves on-demand, or none that
/// saves. A venue has at most one plan: none is advised where the scenario has one.
fn best_savings_plan(
    scenario: &Scenario,
    v: usize,
    stays: &[Stay],
    bought: &[Commitment],
) -> Option<Advice> {
    let venue = &scenario.venues[v];
    let book = venue.public()?;
    if bought
        .iter()
        .any(|c| c.venue() == v && matches!(c, Commitment::SavingsPlan { .. }))
    {
        return None;
    }
    let base = bill::replay(scenario, v, stays, bought);
    let before = base.reserved + base.on_demand_total();
    let horizon = scenario.horizon;
    let mut best: Option<(f64, f64, &crate::pricing::SavingsPlanOffer, f64, f64)> = None;
    for o in &book.savings_plans {
        let d = bill::discounts(book, o);
        let until = (o.term.hours() as SimTime * HOUR).min(horizon);
        let in_term = (until.div_ceil(HOUR) as usize).min(base.on_demand.len() / base.types.max(1));
        // Spend per hour at list price and at the plan's rates, within the term.
        let (mut e, mut q) = (vec![0.0; in_term], vec![0.0; in_term]);
        for (h, spend) in base
            .on_demand
            .chunks(base.types.max(1))
            .take(in_term)
            .enumerate()
        {
            for (k, x) in spend.iter().enumerate() {
                e[h] += x;
                q[h] += x * (1.0 - d[k]);
            }
        }
        let (se, sq) = (e.iter().sum::<f64>(), q.iter().sum::<f64>());
        // The commitment that is cheapest by the load-duration curve, and levels of the
        // hourly spend around it, each counted exactly as billed.
        let mut levels = sorted_levels(&q);
        levels.push(savings_plan_commitment(&e, &q).0);
        for c in levels.into_iter().filter(|c| *c > 0.0) {
            let (cost, spent) = bill::with_savings_plan(&base, &d, c, until, horizon);
            let saving = before - base.reserved - cost;
            if saving > 0.005 && best.is_none_or(|b| saving > b.0) {
                let paid = c * hours_in_term(scenario, &sp(v, c / venue.rate, o));
                best = Some((saving, c, o, spent / paid.max(1e-12), sq / se.max(1e-12)));
            }
        }
    }
    let (saving, c, o, utilisation, break_even) = best?;
    let commitment = sp(v, c / venue.rate, o);
    Some(Advice {
        venue: venue.name.clone(),
        kind: "savings-plan",
        what: format!("{} {}: {:.4}/h", o.name, o.term.name(), c),
        count: None,
        hourly: Some(four(c)),
        break_even_utilisation: four(break_even),
        expected_utilisation: four(utilisation),
        saving: cents(saving),
        liability_after_horizon: cents(bill::liability(scenario, &commitment)),
        commitment,
    })
}

fn sp(venue: usize, hourly: f64, offer: &crate::pricing::SavingsPlanOffer) -> Commitment {
    Commitment::SavingsPlan {
        venue,
        hourly,
        offer: offer.clone(),
    }
}

/// Twenty levels of an hourly series, from its 5th to its 100th percentile.
fn sorted_levels(q: &[f64]) -> Vec<f64> {
    let mut sorted = q.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return Vec::new();
    }
    (1..=20)
        .map(|i| sorted[(i * sorted.len() / 20).saturating_sub(1)])
        .collect()
}

/// Time-weighted instances of type `k` on-demand in each hour of `bill`, for the load-duration
/// curve (spend divided by the hourly price).
fn instance_counts(bill: &bill::VenueBill, k: usize, price: f64) -> Vec<f64> {
    bill.on_demand
        .chunks(bill.types.max(1))
        .map(|h| h[k] / price)
        .collect()
}

/// What to commit to on each public venue against the plan's on-demand use, beyond the
/// scenario's own `[[commitments]]` (which cover first): whole reservations per type, the
/// types with the most on-demand spend first, then a savings plan on what they leave. Each
/// advice's saving is what it takes off the bill over the horizon, counted after the ones
/// before it, so the savings add up.
pub fn advise(
    scenario: &Scenario,
    table: &VmTable,
    sites: &[Site],
    solved: &Solved,
) -> Vec<Advice> {
    let stays = bill::stays(scenario, table, sites, &solved.hosts, &solved.shares);
    let mut bought = scenario.commitments.clone();
    let mut out = Vec::new();
    for (v, venue) in scenario.venues.iter().enumerate() {
        let Some(book) = venue.public() else { continue };
        let base = bill::replay(scenario, v, &stays, &bought);
        let mut types: Vec<(usize, f64)> = (0..base.types)
            .map(|k| (k, base.on_demand.iter().skip(k).step_by(base.types).sum()))
            .filter(|(_, spend): &(usize, f64)| *spend > 0.0)
            .collect();
        types.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        for (k, _) in types {
            let now = bill::replay(scenario, v, &stays, &bought);
            let counts = instance_counts(&now, k, book.instances[k].hourly * venue.rate);
            if let Some(a) = best_reservation(scenario, v, k, &stays, &bought, &counts) {
                bought.push(a.commitment.clone());
                out.push(a);
            }
        }
        if let Some(a) = best_savings_plan(scenario, v, &stays, &bought) {
            bought.push(a.commitment.clone());
            out.push(a);
        }
    }
    out
}

/// Commitments advised for the model's plan, counted again for a plan that simulation
/// improved (its venue orders and returns are not what the bill replay follows): each is
/// simulated with `planned`, in turn, on top of those kept; one that does not save is dropped,
/// and the saving kept is the simulated one (over the horizon, as billed).
pub fn recheck(
    planned: &Scenario,
    trace: &crate::trace::Trace,
    advice: &mut Vec<Advice>,
) -> Result<(), crate::error::Error> {
    if advice.is_empty() {
        return Ok(());
    }
    let total = |s: &Scenario| crate::summary::simulate(s, trace).map(|(_, x)| x.total);
    let mut with = planned.clone();
    let mut before = total(&with)?;
    for mut a in std::mem::take(advice) {
        let mut trial = with.clone();
        trial.commitments.push(a.commitment.clone());
        let after = total(&trial)?;
        if before - after > 0.005 {
            a.saving = cents(before - after);
            (with, before) = (trial, after);
            advice.push(a);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_follow_the_load_duration_curve() {
        // Counts over 10 steps; on-demand 1.0/h, reservation 0.6/h: break-even 60 %.
        // At least 3 instances in 6 of 10 steps (60 %): buy 3. They are used 3 x 6 + 2 x 2 +
        // 1 = 23 of 30 instance-hours (76.7 %) and save 23 x 1.0 - 3 x 0.6 x 10 = 5.
        let counts = [3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 2.0, 2.0, 1.0, 0.0];
        assert_eq!(reserved_count(&counts, 0.6), 3);
        // At 70 % only 7 steps have 2 or more: 2.
        assert_eq!(reserved_count(&counts, 0.7), 2);
        assert_eq!(reserved_count(&counts, 0.95), 0);
        assert_eq!(reserved_count(&[], 0.5), 0);
    }

    #[test]
    fn the_savings_plan_commitment_is_the_cheapest_level() {
        // 28 % off: on-demand spend e and its discounted cost q = 0.72 e, over 4 hours.
        // e = 10, 10, 10, 5 -> q = 7.2, 7.2, 7.2, 3.6. Committing 3.6: 4 x 3.6 + 3 x 10 x
        // (1 - 0.5) = 14.4 + 15 = 29.4. Committing 7.2: 4 x 7.2 = 28.8 (the last hour wastes
        // 3.6). Nothing: 35. Best: 7.2 at 28.8 (the hours at 7.2 are 75 % >= 72 % break-even).
        let e = [10.0, 10.0, 10.0, 5.0];
        let q: Vec<f64> = e.iter().map(|x| x * 0.72).collect();
        let (c, cost) = savings_plan_commitment(&e, &q);
        assert!(
            (c - 7.2).abs() < 1e-9 && (cost - 28.8).abs() < 1e-9,
            "{c} {cost}"
        );
        // Half the hours at full spend (50 % < 72 %): commit only to the base.
        let e = [10.0, 10.0, 5.0, 5.0];
        let q: Vec<f64> = e.iter().map(|x| x * 0.72).collect();
        let (c, _) = savings_plan_commitment(&e, &q);
        assert!((c - 3.6).abs() < 1e-9, "{c}");
    }

    /// 30 days on AWS us-east-1 (shipped book): two m6a.xlarge VMs (4 vCPU, 16 GiB, 0.1728/h)
    /// all month and a third for its first 10 days; the plan sends everything to AWS.
    fn month_on_aws() -> (Scenario, VmTable, Solved) {
        let text = r#"
name = "t"
horizon = "30d"
step = "1h"
seed = 1
currency = "USD"
policy = "first-fit"
[trace]
format = "synthetic"
[[trace.synthetic.groups]]
name = "app"
initial_vms = 1
[[venues]]
name = "aws"
book = "../pricing/aws-us-east-1.toml"
"#;
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/t.toml");
        let scenario = crate::scenario::parse(text, &path).unwrap();
        let vm = |id: &str, end: Option<SimTime>| {
            let vm = crate::trace::Vm {
                group: 0,
                start: 0,
                end,
                vcpus: 4.0,
                mem_gib: 16.0,
                disk_gib: 0.0,
            };
            (id.to_string(), vm)
        };
        let vms = vec![vm("a", None), vm("b", None), vm("c", Some(240 * HOUR))];
        let table = VmTable::new(vms, vec!["app".into()]);
        let solved = Solved {
            shares: vec![vec![1.0]],
            pooled: vec![Vec::new()],
            hosts: Vec::new(),
            schedule: Vec::new(),
            cost: 0.0,
            site_cost: Vec::new(),
            usage_cost: vec![0.0],
            migration: 0.0,
        };
        (scenario, table, solved)
    }

    #[test]
    fn a_term_past_the_horizon_is_a_liability_not_a_saving() {
        let (scenario, table, solved) = month_on_aws();
        // 720 h; 3 instances for 240 h, 2 for 480 h. The 3y no-upfront reservation at 0.07838/h
        // breaks even at 0.07838 / 0.1728 = 45.36 % of the hours; 3 are busy only 33 %: buy 2.
        // Over the horizon they save 2 x 720 x (0.1728 - 0.07838) = 248.832 - 112.8672 =
        // 135.9648 (a 3rd would save 240 x 0.1728 - 720 x 0.07838 = -14.96; the 1y at
        // 0.11431/h only 2 x 720 x 0.05849 = 84.23). The 3y term runs 26,280 - 720 = 25,560 h
        // past the horizon: 2 x 0.07838 x 25,560 = 4,006.79 owed, not saved. The third VM's
        // 41.47 on-demand is too little for a savings plan (0.1397/h for 720 h = 100.55).
        let advice = advise(&scenario, &table, &[], &solved);
        assert_eq!(advice.len(), 1, "{advice:?}");
        let a = &advice[0];
        assert_eq!(a.what, "2 x m6a.xlarge, 3y none upfront");
        assert_eq!(
            (a.count, a.saving, a.liability_after_horizon),
            (Some(2), 135.96, 4006.79)
        );
        assert_eq!(
            (a.break_even_utilisation, a.expected_utilisation),
            (0.4536, 1.0)
        );
        // The simulator bills the same: the month with and without the reservations.
        let bill = |s: &Scenario| -> f64 {
            let none =
                None::<std::iter::Empty<Result<crate::trace::Sample, crate::error::InputError>>>;
            let out = crate::sim::run(s, &table, none).unwrap();
            out.ledger.lines().iter().map(|l| l.total()).sum()
        };
        let mut with = scenario.clone();
        with.commitments.push(a.commitment.clone());
        let simulated = bill(&scenario) - bill(&with);
        assert!((simulated - 135.9648).abs() < 1e-6, "{simulated}");
    }
}
