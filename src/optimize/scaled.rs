//! Autoscaled groups in the model. The simulator does not place such a group's trace VMs: it
//! runs the instances its policy (threshold, predictive or deadline) asks for, and the trace
//! VMs only make the demand the policy sees. So the model plans the group with those
//! instances: the scenario's policy is driven here with the same signal the simulator gives it
//! (the group's demand in cores at each evaluation, the instances running, the time elapsed),
//! and the group's demand becomes the instances at each step boundary, its cost their
//! instance-hours on each venue.

use super::demand::{GroupDemand, Profile};
use crate::error::Error;
use crate::scenario::{Autoscale, ScaleRule, Scenario};
use crate::sim::autoscale::{Signal, for_config};
use crate::trace::Trace;
use crate::units::{HOUR, SimTime};

/// Replaces (or adds) every autoscaled group of `profile` by the instances its policy runs.
pub fn plan_instances(
    scenario: &Scenario,
    trace: &Trace,
    profile: &mut Profile,
) -> Result<(), Error> {
    if scenario.autoscale.is_empty() {
        return Ok(());
    }
    let used = used_cores(scenario, trace, profile)?;
    for a in &scenario.autoscale {
        let policy = scenario.group(&a.group);
        let g = match profile.groups.iter().position(|g| g.name == a.group) {
            Some(g) => g,
            None => {
                profile.groups.push(GroupDemand::empty(
                    &a.group,
                    &policy,
                    &scenario.venues,
                    &profile.pools,
                    profile.steps,
                ));
                profile.groups.len() - 1
            }
        };
        // The signal: the trace VMs' use when the trace has usage, else what they request.
        let demand = match &used {
            Some(u) => u
                .get(g)
                .cloned()
                .unwrap_or_else(|| vec![0.0; profile.steps]),
            None => profile.groups[g].vcpus.clone(),
        };
        let (at_steps, hours) = instances(a, &demand, profile.step, scenario.horizon);
        let mut planned = GroupDemand::empty(
            &a.group,
            &policy,
            &scenario.venues,
            &profile.pools,
            profile.steps,
        );
        planned.largest = (a.vcpus, a.mem_gib);
        planned.vms = at_steps.iter().map(|&n| f64::from(n)).collect();
        planned.vcpus = planned.vms.iter().map(|n| n * a.vcpus).collect();
        planned.mem_gib = planned.vms.iter().map(|n| n * a.mem_gib).collect();
        // Cost is linear in hours: the instance-hours priced as one instance.
        let (venues, pools) = (&scenario.venues, &profile.pools);
        planned.add_cost(
            venues,
            pools,
            &policy,
            (a.vcpus, a.mem_gib, a.disk_gib),
            hours,
        );
        planned.current = profile.groups[g].current;
        profile.groups[g] = planned;
    }
    Ok(())
}

/// The instances autoscaler `a` runs at each step boundary and its instance-hours over the
/// horizon, given the group's demand in cores at each step boundary. As in the simulator: the
/// initial instances at 0, then an evaluation every `interval` before the horizon, its target
/// clamped to min..=max.
pub fn instances(
    a: &Autoscale,
    demand: &[f64],
    step: SimTime,
    horizon: SimTime,
) -> (Vec<u32>, f64) {
    let steps = demand.len();
    let mut policy = for_config(a);
    let mut at_steps = vec![0u32; steps];
    let (mut running, mut last, mut seconds) = (a.initial, 0, 0.0);
    let mut next_step = 0usize;
    let mut record = |until: SimTime, running: u32, next_step: &mut usize| {
        // Step boundaries before `until` see `running`.
        while *next_step < steps && (*next_step as SimTime) * step < until {
            at_steps[*next_step] = running;
            *next_step += 1;
        }
    };
    let mut now = a.interval;
    while now < horizon {
        record(now, running, &mut next_step);
        let k = ((now / step.max(1)) as usize).min(steps.saturating_sub(1));
        seconds += f64::from(running) * (now - last) as f64;
        let want = policy.target(&Signal {
            now,
            demand_cores: demand.get(k).copied().unwrap_or(0.0),
            running,
            elapsed: now - last,
        });
        running = want.clamp(a.min, a.max);
        last = now;
        now += a.interval.max(1);
    }
    record(horizon, running, &mut next_step);
    seconds += f64::from(running) * (horizon - last) as f64;
    (at_steps, seconds / HOUR as f64)
}

/// Cores the trace VMs of each group use at each step boundary (a VM's latest sample times its
/// vCPUs, while it is alive), or `None` when the trace has no usage or only deadline queues
/// (which see no demand) scale. Only the autoscaled groups are counted.
fn used_cores(
    scenario: &Scenario,
    trace: &Trace,
    profile: &Profile,
) -> Result<Option<Vec<Vec<f64>>>, Error> {
    let needs = scenario
        .autoscale
        .iter()
        .any(|a| !matches!(a.rule, ScaleRule::Deadline { .. }));
    let Some(samples) = trace.samples()?.filter(|_| needs) else {
        return Ok(None);
    };
    let table = &trace.table;
    let scaled: Vec<bool> = table
        .groups
        .iter()
        .map(|g| scenario.autoscale.iter().any(|a| a.group == *g))
        .collect();
    let (step, steps) = (profile.step, profile.steps);
    // Difference arrays: a sample changes its VM's use from then until the VM ends.
    let mut diff = vec![vec![0.0; steps + 1]; profile.groups.len()];
    let mut current = vec![0.0; table.vms.len()];
    for s in samples {
        let s = s?;
        let vm = &table.vms[s.vm as usize];
        if !scaled[vm.group as usize] {
            continue;
        }
        let end = vm.end.unwrap_or(scenario.horizon).min(scenario.horizon);
        let t = SimTime::from(s.t).max(vm.start);
        if t >= end {
            continue;
        }
        let new = vm.vcpus * f64::from(s.cpu);
        let delta = new - std::mem::replace(&mut current[s.vm as usize], new);
        let (first, last) = (
            t.div_ceil(step) as usize,
            (end.div_ceil(step) as usize).min(steps),
        );
        if first < last {
            diff[vm.group as usize][first] += delta;
            diff[vm.group as usize][last] -= delta;
        }
    }
    Ok(Some(
        diff.into_iter()
            .map(|d| {
                let mut run = 0.0;
                d.into_iter()
                    .take(steps)
                    .map(|x| {
                        run += x;
                        run
                    })
                    .collect()
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_queue_is_planned_with_the_instances_its_rule_runs() {
        // 12 items of 1 h each, due in 4 h; evaluations every hour from 1 h (none running
        // before). At 1 h: 12 left over 3 h -> ceil(12 / 3) = 4. At 2 h: 4 instances did 4, so
        // 8 left over 2 h -> 4. At 3 h: 4 left over 1 h -> 4. At 4 h: the queue is empty -> 0.
        // Step boundaries 0..5 h see 0, 4, 4, 4, 0, 0; instance-hours 3 x 4 = 12 (one per item).
        let a = Autoscale {
            group: "render".into(),
            vcpus: 4.0,
            mem_gib: 16.0,
            disk_gib: 0.0,
            min: 0,
            max: 10,
            initial: 0,
            interval: HOUR,
            rule: ScaleRule::Deadline {
                items: 12,
                item_time: HOUR,
                deadline: 4 * HOUR,
            },
        };
        let (at, hours) = instances(&a, &[0.0; 6], HOUR, 6 * HOUR);
        assert_eq!(at, [0, 4, 4, 4, 0, 0]);
        assert!((hours - 12.0).abs() < 1e-9, "{hours}");
        // At most 3 instances: 3 at 1, 2 and 3 h do 9 items; at 4 h the deadline has passed
        // with 3 left: ceil(3 / (1 s / 1 h)) is capped at 3, and 3 more run until 5 h, when the
        // queue is empty. 0, 3, 3, 3, 3, 0; 12 instance-hours.
        let capped = Autoscale { max: 3, ..a };
        let (at, hours) = instances(&capped, &[0.0; 6], HOUR, 6 * HOUR);
        assert_eq!(at, [0, 3, 3, 3, 3, 0]);
        assert!((hours - 12.0).abs() < 1e-9, "{hours}");
    }
}
