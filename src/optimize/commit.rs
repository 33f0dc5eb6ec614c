//! Commitments to buy against the plan's public demand: reserved instances per type and a
//! savings-plan spend per offer, each read off a load-duration curve. A reservation of hourly
//! cost r for a type of on-demand price p pays when it is busy at least r / p of the hours
//! (its break-even utilisation), so the n-th one is bought when at least that share of the
//! steps need n or more instances. A savings plan's marginal dollar of commitment pays when
//! the discounted spend reaches it at least (1 - discount) of the hours.

use super::model::Solved;
use crate::pricing::Purchase;
use crate::scenario::{Commitment, Scenario};
use crate::trace::VmTable;
use crate::units::HOUR;
use crate::units::{cents, four};
use serde::Serialize;
use std::collections::BTreeMap;

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
    /// On-demand cost avoided minus the commitment's cost, over the horizon.
    pub saving: f64,
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

/// Expected instances per on-demand type on each public venue at each step, from the plan's
/// shares: (venue, type) -> counts.
fn counts(
    scenario: &Scenario,
    table: &VmTable,
    solved: &Solved,
    steps: usize,
) -> BTreeMap<(usize, usize), Vec<f64>> {
    let step = scenario.step.max(1);
    let horizon = scenario.horizon;
    let policies: Vec<_> = table.groups.iter().map(|g| scenario.group(g)).collect();
    let mut diff: BTreeMap<(usize, usize), Vec<f64>> = BTreeMap::new();
    for vm in &table.vms {
        let g = vm.group as usize;
        // Spot capacity is not what commitments cover.
        if policies[g].purchase == Purchase::Spot {
            continue;
        }
        let end = vm.end.unwrap_or(horizon).min(horizon);
        let (first, last) = (
            vm.start.div_ceil(step) as usize,
            end.div_ceil(step) as usize,
        );
        if first >= last.min(steps) {
            continue;
        }
        for (v, venue) in scenario.venues.iter().enumerate() {
            let share = solved.shares.get(g).map_or(0.0, |s| s[v]);
            let (Some(book), true) = (venue.public(), share > 0.0) else {
                continue;
            };
            let Some((k, _)) = book.cheapest_fit(vm.vcpus, vm.mem_gib) else {
                continue;
            };
            let d = diff.entry((v, k)).or_insert_with(|| vec![0.0; steps + 1]);
            d[first] += share;
            d[last.min(steps)] -= share;
        }
    }
    for series in diff.values_mut() {
        let mut run = 0.0;
        for x in series.iter_mut() {
            run += *x;
            *x = (run * 1e9).round() / 1e9;
        }
        series.truncate(steps);
    }
    diff
}

/// What to commit to on each public venue against the plan's on-demand use, beyond the
/// scenario's own `[[commitments]]` (which cover first).
pub fn advise(scenario: &Scenario, table: &VmTable, solved: &Solved, steps: usize) -> Vec<Advice> {
    let step_hours = scenario.step.max(1) as f64 / HOUR as f64;
    let mut counts = counts(scenario, table, solved, steps);
    let mut out = Vec::new();
    // Reservations already bought cover their type first.
    for c in &scenario.commitments {
        if let Commitment::Reserved {
            venue,
            count,
            offer,
        } = c
            && let Some(series) = counts.get_mut(&(*venue, offer.instance))
        {
            series
                .iter_mut()
                .for_each(|x| *x = (*x - f64::from(*count)).max(0.0));
        }
    }
    for (v, venue) in scenario.venues.iter().enumerate() {
        let Some(book) = venue.public() else { continue };
        let rate = venue.rate;
        // Reserved instances per type: the best offer by saving.
        for ((_, k), series) in counts.iter_mut().filter(|((cv, _), _)| *cv == v) {
            let p = book.instances[*k].hourly * rate;
            let best = book
                .reserved
                .iter()
                .filter(|o| o.instance == *k)
                .filter_map(|o| {
                    let r = o.effective_hourly() * rate;
                    let n = reserved_count(series, r / p);
                    let used: f64 = series.iter().map(|x| x.min(f64::from(n))).sum();
                    let saving = (used * p - f64::from(n) * r * series.len() as f64) * step_hours;
                    (n > 0 && saving > 0.0).then_some((o, n, r, used, saving))
                })
                .max_by(|a, b| a.4.total_cmp(&b.4));
            if let Some((o, n, r, used, saving)) = best {
                out.push(Advice {
                    venue: venue.name.clone(),
                    kind: "reserved",
                    what: format!(
                        "{n} x {}, {} {} upfront",
                        book.instances[*k].name,
                        o.term.name(),
                        o.upfront.name()
                    ),
                    count: Some(n),
                    hourly: None,
                    break_even_utilisation: four(r / p),
                    expected_utilisation: four(used / (f64::from(n) * series.len() as f64)),
                    saving: cents(saving),
                    commitment: Commitment::Reserved {
                        venue: v,
                        count: n,
                        offer: o.clone(),
                    },
                });
                series
                    .iter_mut()
                    .for_each(|x| *x = (*x - f64::from(n)).max(0.0));
            }
        }
        // Savings plans on what the reservations leave, less plans already bought.
        let existing: f64 = scenario
            .commitments
            .iter()
            .filter_map(|c| match c {
                Commitment::SavingsPlan { venue, hourly, .. } if *venue == v => Some(hourly * rate),
                _ => None,
            })
            .sum();
        let best = book
            .savings_plans
            .iter()
            .filter_map(|o| {
                let (mut e, mut q) = (vec![0.0; steps], vec![0.0; steps]);
                for ((_, k), series) in counts.iter().filter(|((cv, _), _)| *cv == v) {
                    let t = &book.instances[*k];
                    let Some(d) = o.discounts.get(&t.family) else {
                        continue;
                    };
                    for (i, x) in series.iter().enumerate() {
                        e[i] += x * t.hourly * rate;
                        q[i] += x * t.hourly * rate * (1.0 - d);
                    }
                }
                // Plans already bought take the first dollars of each hour.
                for (ei, qi) in e.iter_mut().zip(q.iter_mut()) {
                    let covered = existing.min(*qi);
                    if *qi > 0.0 {
                        *ei *= 1.0 - covered / *qi;
                    }
                    *qi -= covered;
                }
                let (c, cost) = savings_plan_commitment(&e, &q);
                let saving = (e.iter().sum::<f64>() - cost) * step_hours;
                let used: f64 = q.iter().map(|x| x.min(c)).sum();
                let (se, sq) = (e.iter().sum::<f64>(), q.iter().sum::<f64>());
                (c > 0.0 && saving > 0.005).then_some((o, c, saving, used, sq / se.max(1e-12)))
            })
            .max_by(|a, b| a.2.total_cmp(&b.2));
        if let Some((o, c, saving, used, break_even)) = best {
            out.push(Advice {
                venue: venue.name.clone(),
                kind: "savings-plan",
                what: format!("{} {}: {:.4}/h", o.name, o.term.name(), c),
                count: None,
                hourly: Some(four(c)),
                break_even_utilisation: four(break_even),
                expected_utilisation: four(used / (c * steps as f64)),
                saving: cents(saving),
                commitment: Commitment::SavingsPlan {
                    venue: v,
                    hourly: c / rate,
                    offer: o.clone(),
                },
            });
        }
    }
    out
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
}
