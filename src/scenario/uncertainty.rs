//! A scenario's uncertain inputs: the `[uncertainty]` table, with a distribution for each
//! guessed parameter, and the `[[sweep]]` grid, as written and validated. A parameter names a
//! scenario key by its dotted path (`backup.dedup`, `trace.synthetic.groups.0.growth_per_month`,
//! `venues.1.price_factor`); the Monte Carlo runner (`crate::uncertainty`) sets it to a draw in
//! each replication. Sampling uses rand_distr; quantiles (for the sensitivity sweep) use statrs.

use crate::error::KeyError;
use rand::Rng;
use rand_distr::Distribution;
use serde::Deserialize;
use statrs::distribution::ContinuousCDF;

/// The `[uncertainty]` table as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUncertainty {
    #[serde(default = "default_replications")]
    pub replications: u32,
    #[serde(default)]
    pub parameters: Vec<RawParameter>,
}

fn default_replications() -> u32 {
    100
}

/// One `[[uncertainty.parameters]]` entry as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawParameter {
    pub name: String,
    pub key: String,
    pub distribution: String,
    pub value: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub mode: Option<f64>,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub median: Option<f64>,
    pub sigma: Option<f64>,
}

/// One `[[sweep]]` axis: a scenario key and the values it takes.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Axis {
    pub key: String,
    pub values: Vec<f64>,
}

/// Checks the `[[sweep]]` axes; errors are (key, message).
pub fn validate_sweep(axes: &[Axis]) -> Result<(), KeyError> {
    let mut points: usize = 1;
    for (i, a) in axes.iter().enumerate() {
        let at = |k: &str| format!("sweep[{i}].{k}");
        if reserved_key(&a.key) {
            let msg = format!(
                "\"{}\" must name a scenario key other than seed, uncertainty and sweep",
                a.key
            );
            return Err(KeyError::new(at("key"), msg));
        }
        if axes[..i].iter().any(|b| b.key == a.key) {
            return Err(KeyError::new(
                at("key"),
                format!("\"{}\" is swept twice", a.key),
            ));
        }
        if a.values.is_empty() || a.values.iter().any(|v| !v.is_finite()) {
            return Err(KeyError::new(
                at("values"),
                "must be a non-empty list of finite numbers",
            ));
        }
        points = points.saturating_mul(a.values.len());
    }
    if points > 1_000_000 {
        return Err(KeyError::new(
            "sweep",
            format!("{points} grid points; at most 1,000,000"),
        ));
    }
    Ok(())
}

/// Keys a study may not set: the seed (each item sets its own) and the study's own tables.
pub(crate) fn reserved_key(key: &str) -> bool {
    key.is_empty() || key == "seed" || key.starts_with("uncertainty") || key.starts_with("sweep")
}

/// A distribution of one parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dist {
    Fixed(f64),
    Uniform {
        min: f64,
        max: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
    },
    /// ln(X) ~ Normal(ln(median), sigma).
    LogNormal {
        median: f64,
        sigma: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
}

impl Dist {
    /// One draw.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // Every constructor below was validated when the scenario was read.
        match *self {
            Dist::Fixed(v) => v,
            Dist::Uniform { min, max } => {
                min + (max - min) * Distribution::<f64>::sample(&rand_distr::StandardUniform, rng)
            }
            Dist::Normal { mean, sd } => {
                rand_distr::Normal::new(mean, sd).map_or(mean, |d| d.sample(rng))
            }
            Dist::LogNormal { median, sigma } => {
                rand_distr::LogNormal::new(median.ln(), sigma).map_or(median, |d| d.sample(rng))
            }
            Dist::Triangular { min, mode, max } => {
                rand_distr::Triangular::new(min, max, mode).map_or(mode, |d| d.sample(rng))
            }
        }
    }

    /// The value below which a share `p` of draws fall.
    pub fn quantile(&self, p: f64) -> f64 {
        use statrs::distribution as sd;
        match *self {
            Dist::Fixed(v) => v,
            Dist::Uniform { min, max } => min + (max - min) * p,
            Dist::Normal { mean, sd } => {
                sd::Normal::new(mean, sd).map_or(mean, |d| d.inverse_cdf(p))
            }
            Dist::LogNormal { median, sigma } => {
                sd::LogNormal::new(median.ln(), sigma).map_or(median, |d| d.inverse_cdf(p))
            }
            Dist::Triangular { min, mode, max } if max > min => {
                sd::Triangular::new(min, max, mode).map_or(mode, |d| d.inverse_cdf(p))
            }
            Dist::Triangular { mode, .. } => mode,
        }
    }

    fn describe(&self) -> String {
        match *self {
            Dist::Fixed(v) => format!("fixed {v}"),
            Dist::Uniform { min, max } => format!("uniform {min}..{max}"),
            Dist::Normal { mean, sd } => format!("normal mean {mean} sd {sd}"),
            Dist::LogNormal { median, sigma } => format!("lognormal median {median} sigma {sigma}"),
            Dist::Triangular { min, mode, max } => format!("triangular {min}/{mode}/{max}"),
        }
    }
}

/// A validated uncertain parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub name: String,
    pub key: String,
    pub dist: Dist,
}

impl Parameter {
    pub fn describe(&self) -> String {
        self.dist.describe()
    }
}

/// The most replications one study may ask for (scenario or `--replications`): each keeps a
/// record of a few hundred bytes in memory, so a million stays well under a gigabyte and a
/// typo such as 4000000000 is refused before any work starts (README, "Limits").
pub const MAX_REPLICATIONS: u32 = 1_000_000;

/// The validated `[uncertainty]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertainty {
    pub replications: u32,
    pub parameters: Vec<Parameter>,
}

impl RawUncertainty {
    /// Checks every parameter; errors are (key, message) with the key under `uncertainty`.
    pub fn validate(self) -> Result<Uncertainty, KeyError> {
        if self.replications == 0 {
            return Err(KeyError::new(
                "uncertainty.replications",
                "0 must be at least 1",
            ));
        }
        if self.replications > MAX_REPLICATIONS {
            let msg = format!(
                "{} is over the limit of {MAX_REPLICATIONS}",
                self.replications
            );
            return Err(KeyError::new("uncertainty.replications", msg));
        }
        let mut parameters: Vec<Parameter> = Vec::new();
        for (i, p) in self.parameters.into_iter().enumerate() {
            let at = |k: &str| format!("uncertainty.parameters[{i}].{k}");
            if p.name.is_empty() || parameters.iter().any(|q| q.name == p.name) {
                return Err(KeyError::new(
                    at("name"),
                    format!("\"{}\" must be a unique, non-empty name", p.name),
                ));
            }
            if reserved_key(&p.key) {
                let msg = format!(
                    "\"{}\" must name a scenario key other than seed, uncertainty and sweep",
                    p.key
                );
                return Err(KeyError::new(at("key"), msg));
            }
            let dist = parse_dist(&p).map_err(|e| KeyError::new(at(&e.key), e.message))?;
            parameters.push(Parameter {
                name: p.name,
                key: p.key,
                dist,
            });
        }
        Ok(Uncertainty {
            replications: self.replications,
            parameters,
        })
    }
}

/// Reads the distribution's own keys; every other distribution key must be absent.
fn parse_dist(p: &RawParameter) -> Result<Dist, KeyError> {
    let given: [(&str, Option<f64>); 8] = [
        ("value", p.value),
        ("min", p.min),
        ("max", p.max),
        ("mode", p.mode),
        ("mean", p.mean),
        ("sd", p.sd),
        ("median", p.median),
        ("sigma", p.sigma),
    ];
    let needs: &[&str] = match p.distribution.as_str() {
        "fixed" => &["value"],
        "uniform" => &["min", "max"],
        "normal" => &["mean", "sd"],
        "lognormal" => &["median", "sigma"],
        "triangular" => &["min", "mode", "max"],
        other => {
            let msg =
                format!("\"{other}\" is not one of fixed, uniform, normal, lognormal, triangular");
            return Err(KeyError::new("distribution", msg));
        }
    };
    for (k, v) in given {
        match (needs.contains(&k), v) {
            (true, None) => {
                return Err(KeyError::new(
                    k,
                    format!(
                        "missing: a {} distribution needs {}",
                        p.distribution,
                        needs.join(", ")
                    ),
                ));
            }
            (false, Some(_)) => {
                return Err(KeyError::new(
                    k,
                    format!("does not apply to a {} distribution", p.distribution),
                ));
            }
            (true, Some(x)) if !x.is_finite() => {
                return Err(KeyError::new(k, format!("{x} must be a finite number")));
            }
            _ => {}
        }
    }
    let get = |k: &str| {
        given
            .iter()
            .find(|(n, _)| *n == k)
            .and_then(|(_, v)| *v)
            .unwrap_or(0.0)
    };
    let dist = match p.distribution.as_str() {
        "fixed" => Dist::Fixed(get("value")),
        "uniform" => Dist::Uniform {
            min: get("min"),
            max: get("max"),
        },
        "normal" => Dist::Normal {
            mean: get("mean"),
            sd: get("sd"),
        },
        "lognormal" => Dist::LogNormal {
            median: get("median"),
            sigma: get("sigma"),
        },
        _ => Dist::Triangular {
            min: get("min"),
            mode: get("mode"),
            max: get("max"),
        },
    };
    match dist {
        Dist::Uniform { min, max } if min > max => {
            Err(KeyError::new("max", format!("{max} must be >= min {min}")))
        }
        Dist::Normal { sd, .. } if sd <= 0.0 => {
            Err(KeyError::new("sd", format!("{sd} must be > 0")))
        }
        Dist::LogNormal { median, .. } if median <= 0.0 => {
            Err(KeyError::new("median", format!("{median} must be > 0")))
        }
        Dist::LogNormal { sigma, .. } if sigma <= 0.0 => {
            Err(KeyError::new("sigma", format!("{sigma} must be > 0")))
        }
        Dist::Triangular { min, mode, max } if !(min <= mode && mode <= max) => Err(KeyError::new(
            "mode",
            format!("{mode} must lie between min {min} and max {max}"),
        )),
        d => Ok(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_hand_checked() {
        // Normal(100, 10): P90 = 100 + 1.28155 x 10 = 112.8155.
        let n = Dist::Normal {
            mean: 100.0,
            sd: 10.0,
        };
        assert!((n.quantile(0.9) - 112.8155).abs() < 1e-3);
        // Triangular(0, 0, 1): F(x) = 1 - (1 - x)^2, so P75 = 1 - sqrt(0.25) = 0.5.
        let t = Dist::Triangular {
            min: 0.0,
            mode: 0.0,
            max: 1.0,
        };
        assert!((t.quantile(0.75) - 0.5).abs() < 1e-9);
        // LogNormal(median 2, sigma 0.5): P50 = 2.
        assert!(
            (Dist::LogNormal {
                median: 2.0,
                sigma: 0.5
            }
            .quantile(0.5)
                - 2.0)
                .abs()
                < 1e-9
        );
        assert_eq!(Dist::Uniform { min: 1.0, max: 3.0 }.quantile(0.1), 1.2);
    }

    #[test]
    fn distribution_keys_are_checked() {
        let raw = |d: &str, min: Option<f64>, max: Option<f64>, mode: Option<f64>| RawParameter {
            name: "g".into(),
            key: "backup.dedup".into(),
            distribution: d.into(),
            value: None,
            min,
            max,
            mode,
            mean: None,
            sd: None,
            median: None,
            sigma: None,
        };
        let u = |p| {
            RawUncertainty {
                replications: 10,
                parameters: vec![p],
            }
            .validate()
        };
        assert!(u(raw("triangular", Some(1.0), Some(3.0), Some(2.0))).is_ok());
        let e = u(raw("triangular", Some(1.0), Some(3.0), Some(4.0))).unwrap_err();
        assert_eq!(e.key, "uncertainty.parameters[0].mode");
        let e = u(raw("uniform", Some(1.0), Some(3.0), Some(2.0))).unwrap_err();
        assert_eq!(
            e,
            KeyError::new(
                "uncertainty.parameters[0].mode",
                "does not apply to a uniform distribution"
            )
        );
        let e = u(raw("beta", None, None, None)).unwrap_err();
        assert!(e.message.contains("not one of"), "{e:?}");
    }
}
