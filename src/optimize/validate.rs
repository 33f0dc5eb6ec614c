//! Checking a recommendation by simulation: the plan as the simulator runs it, beside every
//! built-in placement policy on the same trace and seed; the verdict; and the plan again with
//! the commitments to buy. Planned and simulated totals count the same things (the horizon,
//! whole hosts and units, the scenario's commitments, the backup service).

use super::Recommendation;
use crate::error::Error;
use crate::scenario::{Commitment, Plan, Policy, Scenario};
use crate::trace::Trace;
use serde::Serialize;

/// Planned and simulated totals agree when within this many percent (and no VM is unplaced).
pub const TOLERANCE_PCT: f64 = 5.0;
/// A plan may cost at most this much times the best built-in policy's simulated total.
pub const WITHIN_BEST: f64 = 1.005;
/// The placement policies a plan is compared with.
pub const BUILT_IN: [Policy; 4] = [
    Policy::FirstFit,
    Policy::BestFit,
    Policy::Cheapest,
    Policy::PrivateFirst,
];

/// A built-in policy's simulation of the scenario as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyTotal {
    pub policy: &'static str,
    pub simulated_total: f64,
    /// A run that left VMs unplaced does not count as a design (it did not serve the demand).
    pub unplaced_vms: u64,
}

/// The figures of one simulation that the checks use.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Simulated {
    pub total: f64,
    pub unplaced_vms: u64,
    pub shortfall_vm_hours: f64,
    /// Backup: nightly windows missed, RPO breaches and nights in all.
    pub windows_missed: u64,
    pub rpo_breaches: u64,
    pub nights: u64,
}

impl Simulated {
    fn of(s: &crate::summary::Summary) -> Simulated {
        let b = s.backup.as_ref();
        Simulated {
            total: s.total,
            unplaced_vms: s.shortfalls.count,
            shortfall_vm_hours: s.shortfalls.vm_hours,
            windows_missed: b.map_or(0, |b| b.windows_missed),
            rpo_breaches: b.map_or(0, |b| b.rpo_breaches),
            nights: b.map_or(0, |b| b.sites.iter().map(|s| s.nights).sum()),
        }
    }
}

/// Simulates `scenario` and keeps the figures the checks use.
pub fn simulate(scenario: &Scenario, trace: &Trace) -> Result<Simulated, Error> {
    crate::summary::simulate(scenario, trace).map(|(_, s)| Simulated::of(&s))
}

/// Every built-in policy on the scenario as written (its sizes, its seed), in `BUILT_IN` order.
pub fn policies(scenario: &Scenario, trace: &Trace) -> Result<Vec<PolicyTotal>, Error> {
    BUILT_IN
        .iter()
        .map(|&policy| {
            let mut s = scenario.clone();
            s.policy = policy;
            s.plan = None;
            let r = simulate(&s, trace)?;
            Ok(PolicyTotal {
                policy: policy.name(),
                simulated_total: r.total,
                unplaced_vms: r.unplaced_vms,
            })
        })
        .collect()
}

/// The cheapest policy run that placed every VM.
pub fn best(policies: &[PolicyTotal]) -> Option<&PolicyTotal> {
    policies
        .iter()
        .filter(|p| p.unplaced_vms == 0)
        .min_by(|a, b| a.simulated_total.total_cmp(&b.simulated_total))
}

/// The simulated plan, as optimize.json has it.
#[derive(Debug, Clone, Serialize)]
pub struct Validation {
    /// Within `TOLERANCE_PCT` of the planned total and no VM unplaced.
    pub agrees: bool,
    /// Backup: nights in all, nightly windows missed and RPO breaches in the simulated plan.
    pub backup_nights: u64,
    pub backup_rpo_breaches: u64,
    pub backup_windows_missed: u64,
    pub difference: f64,
    /// The plan with the commitments to buy: the saving it was planned to make and the one
    /// simulated (the plan's total without them minus with them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commitments_saving: Option<CommitmentsSaving>,
    /// Every built-in policy on the scenario as written, same trace and seed.
    pub policies: Vec<PolicyTotal>,
    /// The plan's simulated total over the best policy's (that placed every VM).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratio_to_best_policy: Option<f64>,
    pub shortfall_vm_hours: f64,
    pub simulated_total: f64,
    pub unplaced_vms: u64,
    /// In words: agrees, or the known reasons why not.
    pub verdict: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CommitmentsSaving {
    pub planned: f64,
    pub simulated: f64,
    /// The plan's simulated total with them bought.
    pub simulated_total: f64,
}

/// Whether the simulated plan agrees with the planned total, and if not, the known reasons.
pub fn verdict(planned: f64, sim: &Simulated, autoscaled: bool) -> (bool, String) {
    let pct = (sim.total - planned) / planned.abs().max(1e-9) * 100.0;
    if pct.abs() <= TOLERANCE_PCT && sim.unplaced_vms == 0 {
        return (true, format!("agrees within {TOLERANCE_PCT} %"));
    }
    let mut why = Vec::new();
    if sim.unplaced_vms > 0 {
        why.push(format!(
            "{} VMs found no room at some moment (packing whole VMs on hosts, or a percentile plan)",
            sim.unplaced_vms
        ));
    }
    if autoscaled {
        why.push("autoscaled groups follow their policy's instances, which the model plans from the trace's demand".to_string());
    }
    if why.is_empty() {
        why.push("static shares cannot follow bursts, and hosts pack whole VMs".to_string());
    }
    (
        false,
        format!(
            "differs by more than {TOLERANCE_PCT} % or leaves VMs unplaced: {}",
            why.join("; ")
        ),
    )
}

/// Simulates the model's plan and every built-in policy; when a policy beats the plan, improves
/// it (see `improve`). Returns the policies' totals for `check`.
pub fn improve(
    scenario: &Scenario,
    trace: &Trace,
    profile: &super::Profile,
    rec: &mut Recommendation,
) -> Result<Vec<PolicyTotal>, Error> {
    let policies = policies(scenario, trace)?;
    let model = simulate(&rec.applied(scenario, rec.plan(scenario)), trace)?;
    rec.improvement = super::improve::improve(scenario, trace, profile, rec, &policies, model)?;
    if rec.improvement.is_some() {
        // The commitments were advised for the model's plan: count them again for this one.
        let planned = rec.applied(scenario, rec.plan(scenario));
        super::commit::recheck(&planned, trace, &mut rec.commitments_to_buy)?;
    }
    Ok(policies)
}

/// A checked plan: its validation, and the planned scenario with its simulation (for a report).
pub struct Checked {
    pub validation: Validation,
    pub scenario: Scenario,
    pub outcome: crate::sim::Outcome,
    pub summary: crate::summary::Summary,
}

/// The plan's simulation checked: the plan file `plan` drives placement (with the
/// recommendation's hosts, units and backup links); every built-in policy runs on the
/// scenario as written; the commitments to buy are simulated on top of the plan. Returns the
/// planned scenario and its outcome and summary, for a report.
pub fn check(
    scenario: &Scenario,
    trace: &Trace,
    rec: &Recommendation,
    plan: Plan,
    policies: Option<Vec<PolicyTotal>>,
) -> Result<Checked, Error> {
    let planned = rec.applied(scenario, plan);
    let (outcome, summary) = crate::summary::simulate(&planned, trace)?;
    let sim = Simulated::of(&summary);
    let policies = match policies {
        Some(p) => p,
        None => self::policies(scenario, trace)?,
    };
    let (agrees, verdict) = verdict(rec.planned_total, &sim, !scenario.autoscale.is_empty());
    let buy: Vec<Commitment> = rec
        .commitments_to_buy
        .iter()
        .map(|a| a.commitment.clone())
        .collect();
    let commitments_saving = if buy.is_empty() {
        None
    } else {
        let mut with = planned.clone();
        with.commitments.extend(buy);
        let bought = simulate(&with, trace)?;
        Some(CommitmentsSaving {
            planned: crate::units::cents(rec.commitments_to_buy.iter().map(|a| a.saving).sum()),
            simulated: crate::units::cents(sim.total - bought.total),
            simulated_total: bought.total,
        })
    };
    let validation = Validation {
        agrees,
        backup_nights: sim.nights,
        backup_rpo_breaches: sim.rpo_breaches,
        backup_windows_missed: sim.windows_missed,
        difference: crate::units::cents(sim.total - rec.planned_total),
        commitments_saving,
        ratio_to_best_policy: best(&policies)
            .map(|b| crate::units::four(sim.total / b.simulated_total.max(1e-9))),
        policies,
        shortfall_vm_hours: sim.shortfall_vm_hours,
        simulated_total: sim.total,
        unplaced_vms: sim.unplaced_vms,
        verdict,
    };
    Ok(Checked {
        validation,
        scenario: planned,
        outcome,
        summary,
    })
}

impl Validation {
    /// The terminal lines: simulated against planned, the verdict, every policy, the backup
    /// windows and the commitments' saving.
    pub fn text(&self, planned: f64) -> String {
        let mut out = format!(
            "validate: simulated total {:.2} vs planned {planned:.2} ({:+.2}, {:+.1} %); {} VMs unplaced, {:.1} shortfall VM-hours\n",
            self.simulated_total,
            self.difference,
            self.difference / planned.abs().max(1e-9) * 100.0,
            self.unplaced_vms,
            self.shortfall_vm_hours
        );
        out.push_str(&format!("validate: {}\n", self.verdict));
        for p in &self.policies {
            let counts = if p.unplaced_vms == 0 {
                String::new()
            } else {
                format!(" ({} VMs unplaced: does not count)", p.unplaced_vms)
            };
            out.push_str(&format!(
                "  policy {:<14} {:>14.2}{counts}\n",
                p.policy, p.simulated_total
            ));
        }
        if let Some(r) = self.ratio_to_best_policy {
            out.push_str(&format!(
                "validate: the plan costs {r:.4} x the best built-in policy (at most {WITHIN_BEST})\n"
            ));
        }
        if self.backup_nights > 0 {
            out.push_str(&format!(
                "validate backup: {} of {} nightly windows missed, {} RPO breaches with the recommended links\n",
                self.backup_windows_missed, self.backup_nights, self.backup_rpo_breaches
            ));
        }
        if let Some(c) = &self.commitments_saving {
            out.push_str(&format!(
                "validate with the commitments to buy: simulated total {:.2}; simulated saving {:.2} vs planned {:.2}\n",
                c.simulated_total, c.simulated, c.planned
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_and_the_best_policy() {
        // Planned 100: 104.9 is +4.9 % (agrees), 105.1 is +5.1 % (does not); a VM unplaced
        // never agrees.
        let sim = |total, unplaced_vms| Simulated {
            total,
            unplaced_vms,
            ..Simulated::default()
        };
        assert!(verdict(100.0, &sim(104.9, 0), false).0);
        let (agrees, why) = verdict(100.0, &sim(105.1, 0), false);
        assert!(
            !agrees && why.contains("static shares cannot follow bursts"),
            "{why}"
        );
        let (agrees, why) = verdict(100.0, &sim(100.0, 3), true);
        assert!(!agrees && why.contains("3 VMs found no room") && why.contains("autoscaled"));
        // The cheapest run counts only if it placed every VM: 90 left 2 unplaced, so 95.
        let run = |policy, simulated_total, unplaced_vms| PolicyTotal {
            policy,
            simulated_total,
            unplaced_vms,
        };
        let runs = [
            run("first-fit", 100.0, 0),
            run("cheapest", 90.0, 2),
            run("best-fit", 95.0, 0),
        ];
        assert_eq!(best(&runs).map(|p| p.policy), Some("best-fit"));
        assert_eq!(best(&runs[1..2]), None);
    }
}
