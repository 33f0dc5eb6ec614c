//! What the optimizer recommends, as people and files see it: optimize.json (this struct,
//! serialised), the plan file for `policy = "plan"` and the terminal table.

use super::{NoPlan, Options, Profile, Site, Solved, micro_shares};
use crate::scenario::{Plan, PlanRule, Scenario, VenueSize};
use crate::trace::VmTable;
use crate::units::{cents, four};
use serde::Serialize;
use std::collections::BTreeMap;

/// optimize.json. Fields are in alphabetical order, as the file has always listed them.
#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    /// Links and seeding for the scenario's backup sites, when it has a `[backup]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<super::backup::BackupAdvice>,
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
    /// With --validate, when a built-in policy beat the model's plan in simulation: how the
    /// plan was improved (its cost lines and planned total are then its simulated ones).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub improvement: Option<super::improve::Improvement>,
    /// The terminal's first line: the scenario, the steps planned, headroom and solver.
    #[serde(skip)]
    pub header: String,
    /// The model's LP relaxation (units as fractions) with the same constants as the planned
    /// total: no plan can cost less in the model.
    pub lp_bound: f64,
    /// One-off cost of moving groups off their current venues (not in `planned_total`).
    #[serde(skip_serializing_if = "is_zero")]
    pub migration: f64,
    /// What the model leaves out or assumes, in words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// (planned total - LP bound) / planned total.
    pub optimality_gap: f64,
    /// Capacity planned for each group's percentile of demand instead of every step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percentile: Option<f64>,
    pub planned_total: f64,
    pub public: Vec<VenueCost>,
    /// Seconds after which a VM on a public venue moves back to owned capacity when room frees
    /// up (a plan whose every group has an order).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_after: Option<u64>,
    pub scenario: String,
    pub sites: Vec<SiteHosts>,
    /// The simulated plan (with --validate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<super::validate::Validation>,
    pub whole_groups: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupShares {
    pub group: String,
    /// Venues tried in this order (fill the first, then the next), when the plan gives the
    /// group an order instead of shares.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub order: Vec<String>,
    /// Venue -> the model's share of the group's VMs (millionths, adding up to 1), which the
    /// plan follows unless it gives the group an order.
    pub shares: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VenueCost {
    pub cost: f64,
    pub venue: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteHosts {
    /// A site sized per year: the units added at the start of each later year (the plan file's
    /// dated `[[capacity]]` rows).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub additions: Vec<super::periods::Addition>,
    /// The units and, for HCI, the consumption charged for the groups placed there.
    pub cost: f64,
    /// Hosts, or HCI scale units (in service from the start; a site sized per year adds more).
    pub hosts: u32,
    /// HCI: nodes per scale unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nodes_per_unit: Option<u32>,
    pub venue: String,
}

impl SiteHosts {
    /// The site with `n` units from the start: additions that would not raise it are dropped,
    /// and the first one left adds what `n` lacks of its units (its cost and present value in
    /// proportion: each unit added on the same date costs the same).
    pub fn start_with(&mut self, n: u32) {
        self.hosts = n;
        self.additions.retain(|a| a.units > n);
        if let Some(a) = self.additions.first_mut() {
            let share = f64::from(a.units - n) / f64::from(a.added);
            a.added = a.units - n;
            a.cost = cents(a.cost * share);
            a.present_value = a.present_value.map(|pv| cents(pv * share));
        }
    }
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
        years: &super::periods::Years,
    ) -> Recommendation {
        Recommendation {
            backup: None,
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
                    order: Vec::new(),
                    shares: micro_shares(sh)
                        .into_iter()
                        .map(|(v, m)| (names[v].to_string(), m as f64 / 1e6))
                        .collect(),
                })
                .collect(),
            headroom: opt.headroom,
            header: String::new(),
            improvement: None,
            lp_bound: 0.0,
            migration: cents(solved.migration),
            notes: Vec::new(),
            optimality_gap: 0.0,
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
            return_after: None,
            scenario: scenario.to_string(),
            sites: sites
                .iter()
                .zip(solved.hosts.iter().zip(&solved.site_cost))
                .zip(&solved.schedule)
                .map(|((s, (n, c)), schedule)| SiteHosts {
                    additions: years.additions(s, schedule),
                    // An HCI site's consumption is part of what it costs.
                    cost: cents(*c + solved.usage_cost[s.venue]),
                    // Sized per year: what is in service in the first year.
                    hosts: schedule
                        .first()
                        .copied()
                        .filter(|_| schedule.len() > 1)
                        .unwrap_or(*n),
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
            "# Written by `hybridplan optimize {origin}`: the share of each group's VMs per venue.\n"
        );
        if let Some(s) = self.return_after {
            text.push_str(&format!("return_after = \"{s}s\"\n"));
        }
        text.push_str("[groups]\n");
        for g in &self.groups {
            let key = toml::Value::from(g.group.as_str());
            if !g.order.is_empty() {
                let names: Vec<String> = g
                    .order
                    .iter()
                    .map(|v| toml::Value::from(v.as_str()).to_string())
                    .collect();
                text.push_str(&format!("{key} = [{}]\n", names.join(", ")));
                continue;
            }
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
            text.push_str(&format!("{key} = {{ {} }}\n", entries.join(", ")));
        }
        let rows = self.capacity_rows();
        if !rows.is_empty() {
            text.push_str(
                "\n# Sized per year: the hosts (HCI: units) in service from each date on.\n",
            );
        }
        for (site, c) in rows {
            let what = if site.nodes_per_unit.is_some() {
                "units"
            } else {
                "hosts"
            };
            let date = (c.date.as_ref()).map_or(String::new(), |d| format!("  # {d}"));
            // Whole days as days ("365d"), else seconds.
            let day = crate::units::DAY;
            let at = match c.at % day {
                0 => format!("{}d", c.at / day),
                _ => format!("{}s", c.at),
            };
            text.push_str(&format!(
                "\n[[capacity]]{date}\nvenue = {}\nat = \"{at}\"\n{what} = {}\n",
                toml::Value::from(site.venue.as_str()),
                c.units
            ));
        }
        text
    }

    /// The dated capacity rows of the sites sized per year, site by site in time order: those
    /// that raise the units in service (the search by simulation may have started a site
    /// higher than the model's first year).
    fn capacity_rows(&self) -> Vec<(&SiteHosts, &super::periods::Addition)> {
        let mut out = Vec::new();
        for site in &self.sites {
            let mut count = site.hosts;
            for a in &site.additions {
                if a.units > count {
                    out.push((site, a));
                    count = a.units;
                }
            }
        }
        out
    }

    /// The terminal table: shares per group, hosts and cost per venue, the total.
    pub fn table(&self) -> String {
        let mut out = String::new();
        for g in &self.groups {
            let parts: Vec<String> = if g.order.is_empty() {
                (g.shares.iter())
                    .map(|(v, s)| format!("{v} {:.1} %", s * 100.0))
                    .collect()
            } else {
                vec![format!("in order: {}", g.order.join(", then "))]
            };
            out.push_str(&format!("  {:<16} {}\n", g.group, parts.join(", ")));
        }
        out.push('\n');
        for s in &self.sites {
            let units = match s.nodes_per_unit {
                Some(n) => format!("{} x {n}-node units", s.hosts),
                None => format!("{} hosts", s.hosts),
            };
            out.push_str(&format!("  {:<16} {units:<8} {:>12.2}\n", s.venue, s.cost));
            for a in &s.additions {
                let when = a
                    .date
                    .clone()
                    .unwrap_or_else(|| format!("day {}", a.at / crate::units::DAY));
                let pv = a
                    .present_value
                    .map_or(String::new(), |pv| format!(", present value {pv:.2}"));
                out.push_str(&format!(
                    "    + {} from {when}: {} in service, {:.2} to the end{pv}\n",
                    a.added, a.units, a.cost
                ));
            }
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
        if !self.commitments_to_buy.is_empty() {
            let sum = |f: fn(&super::commit::Advice) -> f64| -> f64 {
                self.commitments_to_buy.iter().map(f).sum()
            };
            out.push_str(&format!(
                "  saving over the horizon {:.2}; the terms still owe {:.2} after it (not a saving)\n",
                sum(|a| a.saving),
                sum(|a| a.liability_after_horizon)
            ));
        }
        if let Some(b) = &self.backup {
            out.push_str(&b.table());
        }
        if let Some(i) = &self.improvement {
            out.push_str(&format!(
                "\nimproved by simulation: the model's plan (planned {:.2}) simulated {:.2}, more than {} x {} ({:.2}); {} plans simulated:\n",
                i.model_planned_total,
                i.model_simulated_total,
                super::validate::WITHIN_BEST,
                i.best_policy,
                i.best_policy_total,
                i.simulations
            ));
            for c in &i.changes {
                out.push_str(&format!("  {c}\n"));
            }
        }
        let e = &self.explanation;
        if !e.binding.is_empty() || e.runner_up.is_some() {
            out.push_str(match self.improvement {
                Some(_) => "\nwhy the model's plan:\n",
                None => "\nwhy this plan:\n",
            });
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

    /// The plan as the simulator reads it from the plan file (same rules, same shares).
    pub fn plan(&self, scenario: &Scenario) -> Plan {
        let venue = |name: &str| scenario.venues.iter().position(|v| v.name == name);
        let groups = self.groups.iter().map(|g| {
            let rule = if g.order.is_empty() {
                let mut shares: Vec<(usize, f64)> = (g.shares.iter())
                    .filter_map(|(v, s)| Some((venue(v)?, *s)))
                    .collect();
                shares.sort_by_key(|s| s.0);
                PlanRule::Shares(shares)
            } else {
                PlanRule::Order(g.order.iter().filter_map(|v| venue(v)).collect())
            };
            (g.group.clone(), rule)
        });
        let capacity = (self.capacity_rows().into_iter())
            .filter_map(|(site, a)| {
                Some(crate::scenario::PlanCapacity {
                    venue: venue(&site.venue)?,
                    at: a.at,
                    count: a.units,
                })
            })
            .collect();
        Plan {
            path: std::path::PathBuf::from(format!("{}.plan.toml", self.scenario)),
            groups: groups.collect(),
            return_after: self.return_after,
            capacity,
        }
    }

    /// The scenario as the recommendation has it, to simulate: plan-driven placement by
    /// `plan` (the plan file's), the sites' hosts or units, the advised backup links and seeding.
    pub fn applied(&self, scenario: &Scenario, plan: Plan) -> Scenario {
        let mut out = scenario.clone();
        for site in &self.sites {
            let Some(v) = out.venues.iter().position(|v| v.name == site.venue) else {
                continue;
            };
            out.venues[v].size = match site.nodes_per_unit {
                Some(nodes) => VenueSize::Hci {
                    nodes,
                    units: site.hosts,
                },
                None => VenueSize::Hosts(site.hosts),
            };
        }
        crate::scenario::capacity::merge_plan(&mut out.capacity, &plan);
        out.plan = Some(plan);
        out.policy = crate::scenario::Policy::Plan;
        if let (Some(b), Some(advice)) = (out.backup.as_mut(), self.backup.as_ref()) {
            *b = super::backup::apply(b, advice);
        }
        out
    }
}

/// The recommendation for `scenario`: the model solved on `full` (or on each group's
/// `percentile` of it), with the backup service, the commitments to buy, the explanation and
/// the LP bound. The model's planned total counts what the simulator bills whatever the
/// placement (the scenario's commitments, the backup service) as constants.
pub fn recommend(
    scenario: &Scenario,
    table: &VmTable,
    full: &Profile,
    opt: Options,
    percentile: Option<f64>,
) -> Result<Recommendation, NoPlan> {
    let collapsed = percentile.map(|p| full.at_percentile(p));
    let profile = collapsed.as_ref().unwrap_or(full);
    let (sites, solved) = super::plan(scenario, profile, opt)?;
    let names: Vec<&str> = scenario.venues.iter().map(|v| v.name.as_str()).collect();
    let cur = scenario.currency.to_string();
    let committed = super::committed_cost(scenario);
    let mut rec = Recommendation::build(
        &scenario.name,
        &cur,
        &names,
        profile,
        &sites,
        &solved,
        opt,
        committed,
        &super::periods::Years::of(scenario, profile),
    );
    rec.demand = full.stats();
    if !scenario.autoscale.is_empty() {
        let groups: Vec<&str> = scenario
            .autoscale
            .iter()
            .map(|a| a.group.as_str())
            .collect();
        rec.notes.push(format!(
            "autoscaled group(s) {} are planned with the instances their policy runs on the trace's demand (the policy driven as the simulator drives it), not with their trace VMs",
            groups.join(", ")
        ));
    }
    rec.backup = super::backup::advise_checked(scenario);
    // The backup service is part of the plan's cost (what it bills is independent of
    // placement, so it is added to the model's optimum).
    let backup = rec.backup.as_ref().map_or(0.0, |b| b.cost);
    rec.planned_total = cents(rec.planned_total + backup);
    rec.commitments_to_buy = super::commit::advise(scenario, table, &sites, &solved);
    rec.percentile = percentile;
    // The runner-up pays what the plan pays whatever the design: sunk commitments, backup.
    let mut fixed = vec![("commitments (sunk)".to_string(), rec.commitments)];
    fixed.extend((rec.backup.as_ref()).map(|b| ("backup service".to_string(), b.cost)));
    let ctx = super::explain::Context {
        names: &names,
        currency: &cur,
        fixed,
    };
    rec.explanation = super::explain::explain(profile, &sites, opt, &solved, &ctx);
    let relaxed = super::model::Tweak {
        relax: true,
        ..Default::default()
    };
    let venues = names.len();
    if let Ok(lp) = super::model::solve_with(profile, venues, &sites, opt, &relaxed) {
        rec.lp_bound = cents(lp.cost - lp.migration + committed + backup);
        rec.optimality_gap = four((rec.planned_total - rec.lp_bound) / rec.planned_total.max(1e-9));
    }
    let basis = match percentile {
        Some(p) => format!("each group's P{p} of demand over {} steps", full.steps),
        None => format!(
            "{} steps ({} distinct)",
            full.steps,
            super::model::distinct_steps(profile).len()
        ),
    };
    rec.header = format!(
        "{}: placement and sizing for {basis}, headroom {:.0} %, solver {}; costs in {cur}",
        scenario.name,
        opt.headroom * 100.0,
        super::model::SOLVER_NAME
    );
    Ok(rec)
}
