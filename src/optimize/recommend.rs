//! What the optimizer recommends, as people and files see it: optimize.json (this struct,
//! serialised), the plan file for `policy = "plan"` and the terminal table.

use super::{Profile, Site, Solved, micro_shares};
use crate::units::cents;
use serde::Serialize;
use std::collections::BTreeMap;

/// optimize.json. Fields are in alphabetical order, as the file has always listed them.
#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    /// Links and seeding for the scenario's backup sites, when it has a `[backup]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<super::backup::BackupAdvice>,
    /// The commitments to buy as a whole: planned saving over the horizon, simulated saving
    /// (with --validate) and what the terms owe after the horizon.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commitment_saving: Option<super::commit::SavingCheck>,
    /// What the scenario's commitments cost whatever the placement (sunk).
    pub commitments: f64,
    /// Reservations and savings plans the plan's on-demand public use would pay for.
    pub commitments_to_buy: Vec<super::commit::Advice>,
    pub currency: String,
    /// Each group's demand: P50, P95 and peak of vCPUs and GiB over the steps.
    pub demand: Vec<super::demand::DemandStats>,
    /// Why the plan is what it is: binding constraints with their marginal costs, and the
    /// runner-up design.
    pub explanation: super::Explanation,
    pub groups: Vec<GroupShares>,
    pub headroom: f64,
    /// One-off cost of moving groups off their current venues (not in `planned_total`).
    #[serde(skip_serializing_if = "is_zero")]
    pub migration: f64,
    /// What the model leaves out or assumes, in words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Capacity planned for each group's percentile of demand instead of every step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percentile: Option<f64>,
    pub planned_total: f64,
    pub public: Vec<VenueCost>,
    pub scenario: String,
    pub sites: Vec<SiteHosts>,
    /// The simulated plan (with --validate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<Validation>,
    pub whole_groups: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupShares {
    pub group: String,
    /// Venue -> share of the group's VMs (millionths, adding up to 1).
    pub shares: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VenueCost {
    pub cost: f64,
    pub venue: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteHosts {
    /// The units and, for HCI, the consumption charged for the groups placed there.
    pub cost: f64,
    /// Hosts, or HCI scale units.
    pub hosts: u32,
    /// HCI: nodes per scale unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nodes_per_unit: Option<u32>,
    pub venue: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Validation {
    /// Within the tolerance and no VM unplaced.
    pub agrees: bool,
    pub simulated_total: f64,
    pub difference: f64,
    pub unplaced_vms: u64,
    pub shortfall_vm_hours: f64,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

impl Recommendation {
    /// The recommendation of `solved`; `names` are the scenario's venue names.
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        scenario: &str,
        currency: &str,
        names: &[&str],
        profile: &Profile,
        sites: &[Site],
        solved: &Solved,
        opt: super::Options,
        committed: f64,
    ) -> Recommendation {
        Recommendation {
            backup: None,
            commitment_saving: None,
            commitments: cents(committed),
            commitments_to_buy: Vec::new(),
            currency: currency.to_string(),
            demand: profile.stats(),
            explanation: super::Explanation::default(),
            groups: profile
                .groups
                .iter()
                .zip(&solved.shares)
                .map(|(g, sh)| GroupShares {
                    group: g.name.clone(),
                    shares: micro_shares(sh)
                        .into_iter()
                        .map(|(v, m)| (names[v].to_string(), m as f64 / 1e6))
                        .collect(),
                })
                .collect(),
            headroom: opt.headroom,
            migration: cents(solved.migration),
            notes: Vec::new(),
            percentile: None,
            planned_total: cents(solved.cost - solved.migration + committed),
            public: names
                .iter()
                .enumerate()
                .filter(|(v, _)| !sites.iter().any(|s| s.venue == *v))
                .map(|(v, n)| (n, &solved.usage_cost[v]))
                .filter(|(_, c)| **c > 0.0)
                .map(|(n, c)| VenueCost {
                    cost: cents(*c),
                    venue: n.to_string(),
                })
                .collect(),
            scenario: scenario.to_string(),
            sites: sites
                .iter()
                .zip(solved.hosts.iter().zip(&solved.site_cost))
                .map(|(s, (n, c))| SiteHosts {
                    // An HCI site's consumption is part of what it costs.
                    cost: cents(*c + solved.usage_cost[s.venue]),
                    hosts: *n,
                    nodes_per_unit: s.nodes,
                    venue: names[s.venue].to_string(),
                })
                .collect(),
            validation: None,
            whole_groups: opt.whole_groups,
        }
    }

    /// The plan file: `[groups]` with each group's shares (they add up to exactly 1).
    pub fn plan_file(&self, origin: &str) -> String {
        let mut text = format!(
            "# Written by `hybridplan optimize {origin}`: the share of each group's VMs per venue.\n[groups]\n"
        );
        for g in &self.groups {
            let entries: Vec<String> = g
                .shares
                .iter()
                .map(|(v, s)| {
                    let m = (s * 1e6).round() as u64;
                    let share = format!("{}.{:06}", m / 1_000_000, m % 1_000_000);
                    let share = share.trim_end_matches('0').trim_end_matches('.');
                    format!("{} = {share}", toml::Value::from(v.as_str()))
                })
                .collect();
            let key = toml::Value::from(g.group.as_str());
            text.push_str(&format!("{key} = {{ {} }}\n", entries.join(", ")));
        }
        text
    }

    /// The terminal table: shares per group, hosts and cost per venue, the total.
    pub fn table(&self) -> String {
        let mut out = String::new();
        for g in &self.groups {
            let parts: Vec<String> = g
                .shares
                .iter()
                .map(|(v, s)| format!("{v} {:.1} %", s * 100.0))
                .collect();
            out.push_str(&format!("  {:<16} {}\n", g.group, parts.join(", ")));
        }
        out.push('\n');
        for s in &self.sites {
            let units = match s.nodes_per_unit {
                Some(n) => format!("{} x {n}-node units", s.hosts),
                None => format!("{} hosts", s.hosts),
            };
            out.push_str(&format!("  {:<16} {units:<8} {:>12.2}\n", s.venue, s.cost));
        }
        for p in &self.public {
            out.push_str(&format!("  {:<16} public   {:>12.2}\n", p.venue, p.cost));
        }
        if self.commitments > 0.0 {
            out.push_str(&format!(
                "  {:<16} sunk     {:>12.2}\n",
                "commitments", self.commitments
            ));
        }
        out.push_str(&format!(
            "  {:<16}          {:>12.2}\n",
            "planned total", self.planned_total
        ));
        if self.migration > 0.0 {
            out.push_str(&format!(
                "  {:<16} one-off  {:>12.2}  (moving groups off their current venue)\n",
                "migration", self.migration
            ));
        }
        if !self.commitments_to_buy.is_empty() {
            out.push_str("\ncommitments to buy (break-even / expected utilisation, saving):\n");
        }
        for a in &self.commitments_to_buy {
            out.push_str(&format!(
                "  {:<16} {:<40} {:>5.1} % / {:>5.1} %  {:>12.2}\n",
                a.venue,
                a.what,
                a.break_even_utilisation * 100.0,
                a.expected_utilisation * 100.0,
                a.saving
            ));
        }
        if let Some(c) = &self.commitment_saving {
            out.push_str(&format!(
                "  saving over the horizon {:.2}; the terms still owe {:.2} after it (not a saving)\n",
                c.planned, c.liability_after_horizon
            ));
        }
        if let Some(b) = &self.backup {
            out.push_str(&format!(
                "\nbackup: seeding by {}, {} store(s) for {:.1} TB; the service {:.2} (as the scenario has it: {:.2}):\n",
                b.seeding, b.stores, b.stored_tb, b.cost, b.current_cost
            ));
            for l in &b.sites {
                out.push_str(&format!(
                    "  {:<16} {:>6} Mbps (now {:>6}), nightly {:>5.2} h of {:.1}, seeded in {:.1} d  {:>10.2}\n",
                    l.site, l.link_mbps, l.current_mbps, l.nightly_hours, b.window_hours, l.seed_days, l.cost
                ));
            }
            for p in &b.problems {
                out.push_str(&format!("  problem: {p}\n"));
            }
            for x in &b.infeasible {
                out.push_str(&format!(
                    "  infeasible: {} {}: short by {:.2} Mbps, {:.2} h\n",
                    x.site, x.requirement, x.shortfall_mbps, x.shortfall_hours
                ));
            }
            out.push_str(&format!(
                "  simulated with these links: {} nightly windows missed, {} RPO breaches\n",
                b.windows_missed, b.rpo_breaches
            ));
        }
        let e = &self.explanation;
        if !e.binding.is_empty() || e.runner_up.is_some() {
            out.push_str("\nwhy this plan:\n");
        }
        for b in &e.binding {
            out.push_str(&format!(
                "  binding: {}; with {}: {:+.2} (shadow price {} {})\n",
                b.constraint, b.relaxed, b.marginal_cost, b.shadow_price, b.unit
            ));
        }
        if let Some(r) = &e.runner_up {
            out.push_str(&format!(
                "  runner-up: {}: {:.2} ({:+.2})\n",
                r.design, r.cost, r.extra
            ));
        }
        for n in &self.notes {
            out.push_str(&format!("note: {n}\n"));
        }
        out
    }
}
