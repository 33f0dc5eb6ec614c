//! `[[autoscale]]`: scalable groups. The trace's VMs of such a group are its demand (they are not
//! placed themselves); instances of one size are started and stopped by a policy and are placed
//! and billed like any VM. A deadline group is a job queue and needs no trace VMs.

use super::limits::MAX_AUTOSCALE;
use crate::error::KeyError;
use crate::units::{MINUTE, SimTime, de_opt_duration};
use serde::Deserialize;

/// Default scale-down stabilisation window: Kubernetes' HorizontalPodAutoscaler keeps the
/// highest recommendation of the last 5 minutes before scaling down
/// (`behavior.scaleDown.stabilizationWindowSeconds`, default 300). The predictive policy's
/// default is its forecast window, when longer.
pub const STABILIZATION: SimTime = 5 * MINUTE;
/// Default cooldown of the predictive policy: AWS EC2 Auto Scaling's default cooldown, 300 s.
pub const PREDICTIVE_COOLDOWN: SimTime = 5 * MINUTE;

#[derive(Debug, Clone, PartialEq)]
pub struct Autoscale {
    pub group: String,
    pub vcpus: f64,
    pub mem_gib: f64,
    pub disk_gib: f64,
    pub min: u32,
    pub max: u32,
    pub initial: u32,
    /// How often the policy is evaluated.
    pub interval: SimTime,
    pub rule: ScaleRule,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ScaleRule {
    /// Out by `step` when utilisation stays above `out_above` for `sustain`, in by one when it
    /// stays below `in_below` for `sustain` and the scale-down window `stabilization`, at most
    /// one action per `cooldown`.
    Threshold {
        out_above: f64,
        in_below: f64,
        sustain: SimTime,
        cooldown: SimTime,
        stabilization: SimTime,
        step: u32,
    },
    /// A job queue of `items`, each taking `item_time` of one instance, due by `deadline`:
    /// instances = ceil(remaining items / (remaining time / item_time)), as MiCADO does.
    Deadline {
        items: u64,
        item_time: SimTime,
        deadline: SimTime,
    },
    /// A linear trend of demand over `window`, projected `lead` ahead (never below the demand
    /// now), at `target` utilisation; scale-in to the highest count recommended over the last
    /// `stabilization`, at most one change per `cooldown`.
    Predictive {
        window: SimTime,
        lead: SimTime,
        target: f64,
        cooldown: SimTime,
        stabilization: SimTime,
    },
}

impl ScaleRule {
    pub fn name(&self) -> &'static str {
        match self {
            ScaleRule::Threshold { .. } => "threshold",
            ScaleRule::Deadline { .. } => "deadline",
            ScaleRule::Predictive { .. } => "predictive",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAutoscale {
    group: String,
    policy: String,
    vcpus: f64,
    mem_gib: f64,
    #[serde(default)]
    disk_gib: f64,
    min: u32,
    max: u32,
    initial: Option<u32>,
    #[serde(default, deserialize_with = "de_opt_duration")]
    interval: Option<SimTime>,
    scale_out_above: Option<f64>,
    scale_in_below: Option<f64>,
    #[serde(default, deserialize_with = "de_opt_duration")]
    sustain: Option<SimTime>,
    #[serde(default, deserialize_with = "de_opt_duration")]
    cooldown: Option<SimTime>,
    #[serde(default, deserialize_with = "de_opt_duration")]
    stabilization: Option<SimTime>,
    step: Option<u32>,
    items: Option<u64>,
    #[serde(default, deserialize_with = "de_opt_duration")]
    item_time: Option<SimTime>,
    #[serde(default, deserialize_with = "de_opt_duration")]
    deadline: Option<SimTime>,
    #[serde(default, deserialize_with = "de_opt_duration")]
    window: Option<SimTime>,
    #[serde(default, deserialize_with = "de_opt_duration")]
    lead: Option<SimTime>,
    target: Option<f64>,
}

impl RawAutoscale {
    pub(super) fn validate(self, i: usize) -> Result<Autoscale, KeyError> {
        let err = |f: &str, m: String| KeyError::new(format!("autoscale[{i}].{f}"), m);
        if self.group.trim().is_empty() {
            return Err(err("group", "must not be empty".into()));
        }
        for (k, v) in [("vcpus", self.vcpus), ("mem_gib", self.mem_gib)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(err(k, format!("{v} must be a finite number > 0")));
            }
        }
        if !(self.disk_gib.is_finite() && self.disk_gib >= 0.0) {
            return Err(err(
                "disk_gib",
                format!("{} must be a finite number >= 0", self.disk_gib),
            ));
        }
        if self.max == 0 || self.min > self.max {
            return Err(err(
                "max",
                format!(
                    "min {} and max {} must satisfy 0 <= min <= max, max >= 1",
                    self.min, self.max
                ),
            ));
        }
        super::limits::at_most(format!("autoscale[{i}].max"), self.max, MAX_AUTOSCALE)?;
        let initial = self.initial.unwrap_or(self.min);
        if !(self.min..=self.max).contains(&initial) {
            return Err(err(
                "initial",
                format!(
                    "{initial} must be within min..=max ({}..={})",
                    self.min, self.max
                ),
            ));
        }
        let interval = self.interval.unwrap_or(5 * MINUTE);
        if interval == 0 {
            return Err(err("interval", "must be longer than 0s".into()));
        }
        let rule = self.rule(interval, &err)?;
        Ok(Autoscale {
            group: self.group,
            vcpus: self.vcpus,
            mem_gib: self.mem_gib,
            disk_gib: self.disk_gib,
            min: self.min,
            max: self.max,
            initial,
            interval,
            rule,
        })
    }

    /// The policy's rule from its own keys; a key of another policy is refused.
    fn rule(
        &self,
        interval: SimTime,
        err: &dyn Fn(&str, String) -> KeyError,
    ) -> Result<ScaleRule, KeyError> {
        let only = |name: &str, given: bool, policy: &str| -> Result<(), KeyError> {
            if given {
                Err(err(name, format!("applies only to policy {policy}")))
            } else {
                Ok(())
            }
        };
        let threshold_keys = self.scale_out_above.is_some()
            || self.scale_in_below.is_some()
            || self.sustain.is_some()
            || self.step.is_some();
        let deadline_keys =
            self.items.is_some() || self.item_time.is_some() || self.deadline.is_some();
        let predictive_keys = self.window.is_some() || self.lead.is_some() || self.target.is_some();
        match self.policy.as_str() {
            "threshold" => {
                only("items", deadline_keys, "deadline")?;
                only("window", predictive_keys, "predictive")?;
                self.threshold(err)
            }
            "deadline" => {
                only("scale_out_above", threshold_keys, "threshold")?;
                only("window", predictive_keys, "predictive")?;
                only(
                    "cooldown",
                    self.cooldown.is_some(),
                    "threshold or predictive",
                )?;
                only(
                    "stabilization",
                    self.stabilization.is_some(),
                    "threshold or predictive",
                )?;
                self.deadline(err)
            }
            "predictive" => {
                only("scale_out_above", threshold_keys, "threshold")?;
                only("items", deadline_keys, "deadline")?;
                self.predictive(interval, err)
            }
            other => Err(err(
                "policy",
                format!(
                    "\"{other}\" is not an autoscaling policy; expected threshold, deadline or predictive"
                ),
            )),
        }
    }

    fn threshold(&self, err: &dyn Fn(&str, String) -> KeyError) -> Result<ScaleRule, KeyError> {
        let out_above = fraction("scale_out_above", self.scale_out_above, 0.75, err)?;
        let in_below = fraction("scale_in_below", self.scale_in_below, 0.3, err)?;
        if in_below >= out_above {
            return Err(err(
                "scale_in_below",
                format!("{in_below} must be below scale_out_above ({out_above})"),
            ));
        }
        let step = self.step.unwrap_or(1);
        if step == 0 {
            return Err(err("step", "must be at least 1".into()));
        }
        Ok(ScaleRule::Threshold {
            out_above,
            in_below,
            sustain: self.sustain.unwrap_or(10 * MINUTE),
            cooldown: self.cooldown.unwrap_or(15 * MINUTE),
            stabilization: self.stabilization.unwrap_or(STABILIZATION),
            step,
        })
    }

    fn deadline(&self, err: &dyn Fn(&str, String) -> KeyError) -> Result<ScaleRule, KeyError> {
        let items = self.items.ok_or_else(|| {
            err(
                "items",
                "the deadline policy needs items (jobs in the queue)".into(),
            )
        })?;
        let item_time = self.item_time.filter(|&t| t > 0).ok_or_else(|| {
            err(
                "item_time",
                "the deadline policy needs item_time > 0s".into(),
            )
        })?;
        let deadline = self
            .deadline
            .filter(|&t| t > 0)
            .ok_or_else(|| err("deadline", "the deadline policy needs deadline > 0s".into()))?;
        Ok(ScaleRule::Deadline {
            items,
            item_time,
            deadline,
        })
    }

    fn predictive(
        &self,
        interval: SimTime,
        err: &dyn Fn(&str, String) -> KeyError,
    ) -> Result<ScaleRule, KeyError> {
        let target = fraction("target", self.target, 0.6, err)?;
        if target == 0.0 {
            return Err(err("target", "must be above 0".into()));
        }
        let window = self.window.unwrap_or(6 * 60 * MINUTE);
        if window < 2 * interval {
            return Err(err(
                "window",
                format!(
                    "{window}s must cover at least two intervals ({}s)",
                    2 * interval
                ),
            ));
        }
        Ok(ScaleRule::Predictive {
            window,
            lead: self.lead.unwrap_or(30 * MINUTE),
            target,
            cooldown: self.cooldown.unwrap_or(PREDICTIVE_COOLDOWN),
            // Scaling in faster than the window the trend is fitted over chases the trend
            // line's swings (hourly evaluations of a daily cycle buy and release instances
            // every hour): by default the forecast window, at least HPA's 5 minutes.
            stabilization: self.stabilization.unwrap_or(window.max(STABILIZATION)),
        })
    }
}

/// A share in 0..=1, `default` when not given.
fn fraction(
    name: &str,
    v: Option<f64>,
    default: f64,
    err: &dyn Fn(&str, String) -> KeyError,
) -> Result<f64, KeyError> {
    let v = v.unwrap_or(default);
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(err(name, format!("{v} must be a fraction in 0..=1")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn predictive(extra: &str) -> Autoscale {
        let text = format!(
            "group = \"web\"\npolicy = \"predictive\"\nvcpus = 4\nmem_gib = 16\nmin = 1\nmax = 9\n{extra}"
        );
        let raw: RawAutoscale = toml::from_str(&text).unwrap();
        raw.validate(0).unwrap()
    }

    #[test]
    fn predictive_scales_in_no_faster_than_its_window_by_default() {
        let stab = |a: Autoscale| match a.rule {
            ScaleRule::Predictive { stabilization, .. } => stabilization,
            _ => unreachable!(),
        };
        // Default window 6 h; window 1 d gives 1 d; a written value wins.
        assert_eq!(stab(predictive("")), 6 * 60 * MINUTE);
        assert_eq!(
            stab(predictive("interval = \"1h\"\nwindow = \"1d\"\n")),
            24 * 60 * MINUTE
        );
        let written = predictive("window = \"1d\"\nstabilization = \"2m\"\n");
        assert_eq!(stab(written), 2 * MINUTE);
    }
}
