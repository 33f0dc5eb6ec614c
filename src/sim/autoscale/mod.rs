//! Autoscaling policies, one file each: from a group's signal at an evaluation, how many
//! instances it should run.

mod deadline;
mod predictive;
mod threshold;

use crate::scenario::{Autoscale, ScaleRule};
use crate::units::SimTime;

/// What a policy sees at an evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Signal {
    pub now: SimTime,
    /// Cores the group's demand asks for now.
    pub demand_cores: f64,
    /// Instances running now.
    pub running: u32,
    /// Seconds since the previous evaluation.
    pub elapsed: SimTime,
}

pub trait ScalePolicy {
    /// Instances wanted now (the caller clamps to min..=max).
    fn target(&mut self, signal: &Signal) -> u32;

    /// Deadline queues: (items left, when the queue emptied).
    fn queue(&self) -> Option<(f64, Option<SimTime>)> {
        None
    }
}

pub fn for_config(a: &Autoscale) -> Box<dyn ScalePolicy> {
    match a.rule {
        ScaleRule::Threshold {
            out_above,
            in_below,
            sustain,
            cooldown,
            step,
        } => Box::new(threshold::Threshold::new(
            a.vcpus, out_above, in_below, sustain, cooldown, step,
        )),
        ScaleRule::Deadline {
            items,
            item_time,
            deadline,
        } => Box::new(deadline::Deadline::new(items, item_time, deadline)),
        ScaleRule::Predictive {
            window,
            lead,
            target,
        } => Box::new(predictive::Predictive::new(a.vcpus, window, lead, target)),
    }
}
