//! Improving a plan by simulation until no built-in policy beats it. The model's static shares
//! cannot follow bursts: a policy that fills owned capacity first and overflows to public cloud
//! only at peaks pays for public instances only while they are needed. So when a built-in
//! policy's simulated total beats the plan's, the search tries plans a plan file can express
//! (per group: the model's shares, or an order of venues, owned first, then public ones
//! cheapest first; VMs returning from public venues to owned room) on the model's hosts and on
//! the scenario's, then moves each site's host count while that lowers the simulated total
//! (steps of a quarter of the site, halved down to one). Every candidate is simulated on
//! the same trace and seed; one that leaves a VM unplaced is not a plan.

use super::Recommendation;
use super::demand::Profile;
use super::validate::{PolicyTotal, Simulated, WITHIN_BEST, best, simulate};
use crate::error::Error;
use crate::scenario::{Scenario, VenueSize};
use crate::trace::Trace;
use crate::units::cents;
use serde::Serialize;

/// The most simulations the host search may spend.
const MAX_TRIES: usize = 40;

/// What the search did, for optimize.json.
#[derive(Debug, Clone, Serialize)]
pub struct Improvement {
    /// The model's plan: its planned and simulated totals.
    pub model_planned_total: f64,
    pub model_simulated_total: f64,
    /// The best built-in policy it had to beat, and its total.
    pub best_policy: String,
    pub best_policy_total: f64,
    /// Plans simulated by the search.
    pub simulations: usize,
    /// What changed, in words.
    pub changes: Vec<String>,
}

/// One candidate: a rule per group (`None`: the model's shares; `Some`: an order) and units
/// per site (in `rec.sites` order).
#[derive(Debug, Clone, PartialEq)]
struct Design {
    orders: Vec<Option<Vec<String>>>,
    units: Vec<u32>,
    /// Seconds after which VMs on public venues return to owned room (every group an order).
    return_after: Option<u64>,
    /// The sites sized per year keep their dated additions (`false`: the scenario's own
    /// `[[growth]]` rules run instead; buying at the start of a year for its peak can cost
    /// more than a rule that orders a block just before it is needed).
    dated: bool,
}

/// Each group's order of venues: the owned sites in scenario order, then public venues with
/// reserved instances the group fits, then the others by what the group would cost there.
fn fill_owned_first(scenario: &Scenario, profile: &Profile, group: &str) -> Option<Vec<String>> {
    let g = profile.groups.iter().find(|g| g.name == group)?;
    let mut public: Vec<(f64, usize)> = Vec::new();
    let mut order = Vec::new();
    for (v, venue) in scenario.venues.iter().enumerate() {
        if !g.allowed[v] {
            continue;
        }
        if venue.public().is_none() {
            order.push(venue.name.clone());
        } else if let Some(c) = g.usage_cost[v] {
            let reserved =
                (profile.pools.iter().zip(&g.pool_cost)).any(|(p, c)| p.venue == v && c.is_some());
            public.push((if reserved { f64::MIN } else { c }, v));
        }
    }
    public.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    order.extend(
        public
            .into_iter()
            .map(|(_, v)| scenario.venues[v].name.clone()),
    );
    (!order.is_empty()).then_some(order)
}

/// `rec` with `design` applied (the cost lines are still the model's).
fn with_design(rec: &Recommendation, d: &Design) -> Recommendation {
    let mut out = rec.clone();
    for (g, order) in out.groups.iter_mut().zip(&d.orders) {
        g.order = order.clone().unwrap_or_default();
    }
    for (s, n) in out.sites.iter_mut().zip(&d.units) {
        s.start_with(*n);
        if !d.dated {
            s.additions.clear();
        }
    }
    out.return_after = d
        .return_after
        .filter(|_| d.orders.iter().all(Option::is_some));
    out
}

/// The search's state: the best design so far and its simulated total (`None`: it left VMs
/// unplaced), and the simulations spent.
struct Search<'a> {
    scenario: &'a Scenario,
    trace: &'a Trace,
    rec: &'a Recommendation,
    best: (Design, Option<f64>),
    tries: usize,
}

impl Search<'_> {
    /// Simulates `d`; keeps it when it beats the best by a cent.
    fn try_design(&mut self, d: Design) -> Result<bool, Error> {
        self.tries += 1;
        let rec = with_design(self.rec, &d);
        let r = simulate(
            &rec.applied(self.scenario, rec.plan(self.scenario)),
            self.trace,
        )?;
        let total = (r.unplaced_vms == 0).then_some(r.total);
        let better = match (total, self.best.1) {
            (Some(a), Some(b)) => a < b - 0.005,
            (Some(_), None) => true,
            _ => false,
        };
        if better {
            self.best = (d, total);
        }
        Ok(better)
    }

    /// Each group back to the model's shares, one at a time, where that is cheaper.
    fn back_to_shares(&mut self) -> Result<(), Error> {
        for g in 0..self.rec.groups.len() {
            if self.best.0.orders[g].is_none() {
                continue;
            }
            let mut d = self.best.0.clone();
            d.orders[g] = None;
            d.return_after = None;
            self.try_design(d)?;
        }
        Ok(())
    }

    /// Each site's units up or down while the total falls, down to what is owned: in steps of
    /// a quarter of the site, halved whenever neither direction helps, down to one.
    fn hosts(&mut self, owned_units: &[u32]) -> Result<(), Error> {
        for (s, &owned) in owned_units.iter().enumerate() {
            let mut step = (self.best.0.units[s] / 4).max(1);
            while self.tries < MAX_TRIES {
                let n = self.best.0.units[s];
                let mut improved = false;
                for next in [n.checked_sub(step).filter(|&m| m >= owned), Some(n + step)] {
                    let Some(next) = next.filter(|_| !improved && self.tries < MAX_TRIES) else {
                        continue;
                    };
                    let mut d = self.best.0.clone();
                    d.units[s] = next;
                    improved = self.try_design(d)?;
                }
                if !improved {
                    if step == 1 {
                        break;
                    }
                    step /= 2;
                }
            }
        }
        Ok(())
    }
}

/// Improves `rec` when a built-in policy in `policies` beats its simulated total `model` by
/// more than `WITHIN_BEST`. Returns what the search did, or `None` when the model's plan
/// stood. The improved plan's cost lines and planned total are its simulated ones.
pub fn improve(
    scenario: &Scenario,
    trace: &Trace,
    profile: &Profile,
    rec: &mut Recommendation,
    policies: &[PolicyTotal],
    model: Simulated,
) -> Result<Option<Improvement>, Error> {
    let Some(target) = best(policies) else {
        return Ok(None);
    };
    if model.unplaced_vms == 0 && model.total <= WITHIN_BEST * target.simulated_total {
        return Ok(None);
    }
    let owned_units: Vec<u32> = (rec.sites.iter())
        .map(|s| {
            let v = scenario.venues.iter().find(|v| v.name == s.venue);
            match v.map(|v| &v.size) {
                Some(VenueSize::Hosts(n)) => *n,
                Some(VenueSize::Hci { units, .. }) => *units,
                _ => 0,
            }
        })
        .collect();
    let model_units: Vec<u32> = rec.sites.iter().map(|s| s.hosts).collect();
    let orders: Vec<Option<Vec<String>>> = (rec.groups.iter())
        .map(|g| fill_owned_first(scenario, profile, &g.group))
        .collect();
    let design = |orders: &[Option<Vec<String>>], units: &[u32], return_after| Design {
        orders: orders.to_vec(),
        units: units.to_vec(),
        return_after,
        dated: true,
    };
    let undated = |d: Design| Design { dated: false, ..d };
    let yearly = rec.sites.iter().any(|s| !s.additions.is_empty());
    let shares = vec![None; rec.groups.len()];
    let start = design(&shares, &model_units, None);
    let returns = orders
        .iter()
        .all(Option::is_some)
        .then_some(scenario.min_stay);
    let mut search = Search {
        scenario,
        trace,
        rec,
        best: (
            start.clone(),
            (model.unplaced_vms == 0).then_some(model.total),
        ),
        tries: 0,
    };
    // Fill owned capacity first, with and without returns, on the model's hosts and on the
    // scenario's; the model's shares on the scenario's hosts.
    let mut seen = vec![start.clone()];
    let mut candidates = vec![
        design(&orders, &model_units, None),
        design(&orders, &owned_units, None),
        design(&shares, &owned_units, None),
        design(&orders, &model_units, returns),
        design(&orders, &owned_units, returns),
    ];
    // Sites sized per year: also the scenario's own capacity rules on its hosts.
    if yearly {
        candidates.push(undated(design(&orders, &owned_units, None)));
        candidates.push(undated(design(&orders, &owned_units, returns)));
    }
    for d in candidates {
        if !seen.contains(&d) {
            seen.push(d.clone());
            search.try_design(d)?;
        }
    }
    search.back_to_shares()?;
    search.hosts(&owned_units)?;
    let tries = search.tries;
    let (design, Some(_)) = search.best else {
        return Ok(None);
    };
    if design == start {
        return Ok(None);
    }
    let changes = describe(rec, &design);
    let model_planned = rec.planned_total;
    *rec = with_design(rec, &design);
    simulated_costs(scenario, trace, rec)?;
    Ok(Some(Improvement {
        model_planned_total: model_planned,
        model_simulated_total: model.total,
        best_policy: target.policy.to_string(),
        best_policy_total: target.simulated_total,
        simulations: tries,
        changes,
    }))
}

/// The cost lines and planned total of a plan found by simulation: what its simulation
/// billed per venue (a public venue less the scenario's commitments there, which have their
/// own line; the backup service as advised).
fn simulated_costs(
    scenario: &Scenario,
    trace: &Trace,
    rec: &mut Recommendation,
) -> Result<(), Error> {
    let (_, summary) = crate::summary::simulate(&rec.applied(scenario, rec.plan(scenario)), trace)?;
    let billed = |name: &str| {
        (summary.venues.iter())
            .find(|v| v.name == name)
            .map_or(0.0, |v| v.total)
    };
    for s in &mut rec.sites {
        s.cost = cents(billed(&s.venue));
    }
    rec.public = (scenario.venues.iter().enumerate())
        .filter(|(_, v)| v.public().is_some())
        .map(|(v, venue)| super::VenueCost {
            cost: cents(billed(&venue.name) - super::committed_on(scenario, v)),
            venue: venue.name.clone(),
        })
        .filter(|c| c.cost > 0.0)
        .collect();
    let backup = rec.backup.as_ref().map_or(0.0, |b| b.cost);
    let parts: f64 = rec.sites.iter().map(|s| s.cost).sum::<f64>()
        + rec.public.iter().map(|p| p.cost).sum::<f64>();
    rec.planned_total = cents(parts + rec.commitments + backup);
    Ok(())
}

/// The design's changes against the model's plan, in words.
fn describe(rec: &Recommendation, d: &Design) -> Vec<String> {
    let mut out = Vec::new();
    for (g, order) in rec.groups.iter().zip(&d.orders) {
        if let Some(o) = order {
            out.push(format!("{}: in order {}", g.group, o.join(", then ")));
        }
    }
    for (s, n) in rec.sites.iter().zip(&d.units) {
        if *n != s.hosts {
            out.push(format!("{}: {} units instead of {}", s.venue, n, s.hosts));
        }
    }
    if let Some(r) = d.return_after {
        out.push(format!(
            "VMs on public venues return to owned room after {:.1} h",
            r as f64 / 3600.0
        ));
    }
    if !d.dated && rec.sites.iter().any(|s| !s.additions.is_empty()) {
        out.push(
            "no yearly additions: the scenario's own capacity rows and growth rules run".into(),
        );
    }
    out
}
