//! Autoscaled groups in the simulation: the demand their trace VMs make, the instances their
//! policy runs, and the evaluations that start and stop instances (placed and billed like any
//! VM, through the same placement policy).

use super::autoscale::{ScalePolicy, Signal, for_config};
use super::{Event, State, Why};
use crate::engine::Engine;
use crate::scenario::{Autoscale, ScaleRule, Scenario};
use crate::trace::{Vm, VmTable};
use crate::units::{HOUR, SimTime};

/// What the run says about one autoscaled group.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScaledGroup {
    pub group: String,
    pub policy: std::borrow::Cow<'static, str>,
    pub peak_instances: u32,
    pub scale_outs: u64,
    pub scale_ins: u64,
    /// Instances the policy wanted that no venue could hold.
    pub failed_starts: u64,
    pub instance_hours: f64,
    /// Demand above the running instances' cores, core-hours.
    pub unserved_core_hours: f64,
    /// Deadline queues: items left at the end, when the queue emptied, and whether that was by
    /// the deadline.
    pub items_left: Option<f64>,
    pub emptied_at_s: Option<SimTime>,
    pub deadline_met: Option<bool>,
}

pub struct Scaler {
    policy: Box<dyn ScalePolicy>,
    /// Running instances (VM indices), in start order.
    instances: Vec<u32>,
    /// Demand in milli-cores: allocated vCPUs of the group's trace VMs, and what they use.
    demand_alloc: u64,
    demand_used: u64,
    last_eval: SimTime,
    peak: u32,
    scale_outs: u64,
    scale_ins: u64,
    failed_starts: u64,
    instance_seconds: f64,
    unserved_core_seconds: f64,
}

/// Group names (the trace's, then autoscaled groups without trace VMs) and one VM record per
/// autoscaler for its instances.
pub fn templates(scenario: &Scenario, table: &VmTable) -> (Vec<String>, Vec<Vm>) {
    let mut names = table.groups.clone();
    let mut templates = Vec::with_capacity(scenario.autoscale.len());
    for a in &scenario.autoscale {
        let group = match names.iter().position(|g| *g == a.group) {
            Some(g) => g,
            None => {
                names.push(a.group.clone());
                names.len() - 1
            }
        };
        templates.push(Vm {
            id: format!("{}-instance", a.group),
            group: group as u32,
            start: 0,
            end: None,
            vcpus: a.vcpus,
            mem_gib: a.mem_gib,
            disk_gib: a.disk_gib,
        });
    }
    (names, templates)
}

impl Scaler {
    pub fn new(a: &Autoscale) -> Self {
        Scaler {
            policy: for_config(a),
            instances: Vec::new(),
            demand_alloc: 0,
            demand_used: 0,
            last_eval: 0,
            peak: 0,
            scale_outs: 0,
            scale_ins: 0,
            failed_starts: 0,
            instance_seconds: 0.0,
            unserved_core_seconds: 0.0,
        }
    }

    /// A trace VM of the group starts (`true`) or stops asking for `vcpus`.
    pub fn add_demand(&mut self, vcpus: f64, starts: bool) {
        let milli = (vcpus * 1000.0).round() as u64;
        if starts {
            self.demand_alloc += milli;
        } else {
            self.demand_alloc -= milli;
        }
    }

    /// A trace VM of the group now uses `new` instead of `old` milli-cores.
    pub fn change_used(&mut self, old: u64, new: u64) {
        self.demand_used = self.demand_used - old + new;
    }

    pub fn outcome(&self, a: &Autoscale) -> ScaledGroup {
        let queue = self.policy.queue();
        ScaledGroup {
            group: a.group.clone(),
            policy: a.rule.name().into(),
            peak_instances: self.peak,
            scale_outs: self.scale_outs,
            scale_ins: self.scale_ins,
            failed_starts: self.failed_starts,
            instance_hours: self.instance_seconds / HOUR as f64,
            unserved_core_hours: self.unserved_core_seconds / HOUR as f64,
            items_left: queue.map(|q| q.0),
            emptied_at_s: queue.and_then(|q| q.1),
            deadline_met: match a.rule {
                ScaleRule::Deadline { deadline, .. } => {
                    Some(queue.and_then(|q| q.1).is_some_and(|t| t <= deadline))
                }
                _ => None,
            },
        }
    }
}

impl State<'_> {
    /// Starts every autoscaler's initial instances and its first evaluation.
    pub(super) fn start_scalers(&mut self, engine: &mut Engine<Event>) {
        for k in 0..self.scaling.scalers.len() {
            let a = &self.scenario.autoscale[k];
            self.resize(engine, k, a.initial, 0);
            // A deadline queue is evaluated at once, as MiCADO does; the others first see a
            // period of demand.
            let first = match a.rule {
                ScaleRule::Deadline { .. } => 0,
                _ => a.interval,
            };
            if first < self.scenario.horizon {
                engine.schedule(first, Event::Scale(k as u32));
            }
        }
    }

    /// One evaluation of autoscaler `k`.
    pub(super) fn scale(&mut self, engine: &mut Engine<Event>, k: usize, now: SimTime) {
        let a = &self.scenario.autoscale[k];
        let s = &mut self.scaling.scalers[k];
        let demand_milli = if self.scaling.has_usage {
            s.demand_used
        } else {
            s.demand_alloc
        };
        let demand_cores = demand_milli as f64 / 1000.0;
        let running = s.instances.len() as u32;
        let elapsed = now - s.last_eval;
        // What the last period had: instances x seconds, and demand the cores could not serve.
        s.instance_seconds += f64::from(running) * elapsed as f64;
        let capacity = f64::from(running) * a.vcpus;
        s.unserved_core_seconds += (demand_cores - capacity).max(0.0) * elapsed as f64;
        s.last_eval = now;
        let want = s
            .policy
            .target(&Signal {
                now,
                demand_cores,
                running,
                elapsed,
            })
            .clamp(a.min, a.max);
        self.resize(engine, k, want, now);
        if now + a.interval < self.scenario.horizon {
            engine.schedule(now + a.interval, Event::Scale(k as u32));
        }
    }

    /// Starts or stops instances until `want` run; then shares the demand among them.
    fn resize(&mut self, engine: &mut Engine<Event>, k: usize, want: u32, now: SimTime) {
        while (self.scaling.scalers[k].instances.len() as u32) < want {
            let i = self.add_instance(k);
            if self.place(engine, i, now, Why::Arrival) {
                self.scaling.scalers[k].instances.push(i);
                self.scaling.scalers[k].scale_outs += 1;
            } else {
                self.scaling.scalers[k].failed_starts += 1;
                break;
            }
        }
        while (self.scaling.scalers[k].instances.len() as u32) > want {
            let Some(i) = self.scaling.scalers[k].instances.pop() else {
                break;
            };
            self.finish(i, now);
            self.end_downtime(i, now);
            self.scaling.scalers[k].scale_ins += 1;
        }
        let s = &mut self.scaling.scalers[k];
        s.peak = s.peak.max(s.instances.len() as u32);
        // Each instance carries an equal share of the demand, up to its cores; a worker of a job
        // queue is busy while the queue has items.
        let a = &self.scenario.autoscale[k];
        let n = s.instances.len().max(1) as f64;
        let demand = match s.policy.queue() {
            Some((left, _)) if left > 0.0 => n * a.vcpus * 1000.0,
            Some(_) => 0.0,
            None => {
                (if self.scaling.has_usage {
                    s.demand_used
                } else {
                    s.demand_alloc
                }) as f64
            }
        };
        let each = (demand / n).min(a.vcpus * 1000.0).round() as u64;
        let instances = s.instances.clone();
        for i in instances {
            self.set_cpu(i, each);
        }
    }
}
