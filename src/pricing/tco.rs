//! Total cost of ownership of one owned server (a private host or an HCI node): capex amortised
//! straight-line over its life, support, power from a utilisation curve x PUE x tariff, its share
//! of a rack, its share of an administrator and software subscriptions per socket, core or host.

use super::Category;
use super::check::Check;
use crate::error::InputError;
use serde::Deserialize;

/// Watts drawn at 0, 10, ..., 100 % CPU load (SPECpower_ssj2008 reports these eleven points).
#[derive(Debug, Clone, PartialEq)]
pub struct PowerCurve(pub [f64; 11]);

impl PowerCurve {
    /// Watts at utilisation `u` (clamped to 0..=1), interpolated linearly between the points.
    pub fn watts(&self, u: f64) -> f64 {
        let pos = u.clamp(0.0, 1.0) * 10.0;
        let i = (pos.floor() as usize).min(9);
        let frac = pos - i as f64;
        self.0[i] + (self.0[i + 1] - self.0[i]) * frac
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Power {
    pub curve: PowerCurve,
    /// Where the curve comes from.
    pub curve_source: String,
    /// Power usage effectiveness of the site (facility power / IT power).
    pub pue: f64,
    pub per_kwh: f64,
}

impl Power {
    /// Cost of running one server at utilisation `u` for `hours`.
    pub fn cost(&self, u: f64, hours: f64) -> f64 {
        self.curve.watts(u) / 1000.0 * hours * self.pue * self.per_kwh
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Per {
    Socket,
    Core,
    Host,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Software {
    pub name: String,
    pub per: Per,
    pub monthly: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tco {
    pub capex: f64,
    pub life_years: f64,
    /// Support per year as a share of capex (10 % = 0.10), or a fixed amount per year.
    pub support_share: f64,
    pub support_yearly: f64,
    pub power: Option<Power>,
    /// (servers per rack, rack cost per month)
    pub rack: Option<(f64, f64)>,
    /// (servers per administrator, administrator cost per year)
    pub staff: Option<(f64, f64)>,
    pub software: Vec<Software>,
}

/// One fixed monthly cost item of a server.
#[derive(Debug, Clone, PartialEq)]
pub struct TcoItem {
    pub category: Category,
    pub rule: String,
    pub monthly: f64,
}

impl Tco {
    /// Every monthly cost of one server except power (which depends on utilisation).
    pub fn fixed_items(&self, cores: u32, sockets: u32) -> Vec<TcoItem> {
        let mut items = vec![TcoItem {
            category: Category::Capex,
            rule: format!(
                "capex {} amortised straight-line over {} years",
                self.capex, self.life_years
            ),
            monthly: self.capex / (self.life_years * 12.0),
        }];
        if self.support_share > 0.0 {
            items.push(TcoItem {
                category: Category::Support,
                rule: format!("support {} % of capex per year", self.support_share * 100.0),
                monthly: self.capex * self.support_share / 12.0,
            });
        }
        if self.support_yearly > 0.0 {
            items.push(TcoItem {
                category: Category::Support,
                rule: format!("support {} per year", self.support_yearly),
                monthly: self.support_yearly / 12.0,
            });
        }
        if let Some((per_rack, rack_month)) = self.rack {
            items.push(TcoItem {
                category: Category::Rack,
                rule: format!("rack space: 1/{per_rack} of {rack_month} per rack-month"),
                monthly: rack_month / per_rack,
            });
        }
        if let Some((per_admin, admin_yearly)) = self.staff {
            items.push(TcoItem {
                category: Category::Staff,
                rule: format!(
                    "staff: 1 administrator per {per_admin} servers at {admin_yearly} per year"
                ),
                monthly: admin_yearly / 12.0 / per_admin,
            });
        }
        for s in &self.software {
            let (count, unit) = match s.per {
                Per::Socket => (sockets, "socket"),
                Per::Core => (cores, "core"),
                Per::Host => (1, "server"),
            };
            items.push(TcoItem {
                category: Category::Software,
                rule: format!("{}: {} per {unit} per month x {count}", s.name, s.monthly),
                monthly: s.monthly * f64::from(count),
            });
        }
        items
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTco {
    capex: f64,
    life_years: f64,
    #[serde(default)]
    support_pct_per_year: f64,
    #[serde(default)]
    support_yearly: f64,
    watts: Option<Vec<f64>>,
    watts_source: Option<String>,
    pue: Option<f64>,
    energy_per_kwh: Option<f64>,
    hosts_per_rack: Option<f64>,
    rack_month: Option<f64>,
    hosts_per_admin: Option<f64>,
    admin_yearly: Option<f64>,
    #[serde(default)]
    software: Vec<RawSoftware>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSoftware {
    name: String,
    per: Per,
    monthly: f64,
}

/// Both or neither of a pair of keys.
fn pair(
    c: Check,
    a: (&str, Option<f64>),
    b: (&str, Option<f64>),
) -> Result<Option<(f64, f64)>, InputError> {
    match (a.1, b.1) {
        (Some(x), Some(y)) => Ok(Some((c.positive(a.0, x)?, c.price(b.0, y)?))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(c.err(b.0, format!("needed together with {}", a.0))),
        (None, Some(_)) => Err(c.err(a.0, format!("needed together with {}", b.0))),
    }
}

impl RawTco {
    pub fn validate(self, c: Check) -> Result<Tco, InputError> {
        c.price("capex", self.capex)?;
        c.positive("life_years", self.life_years)?;
        c.range(
            "support_pct_per_year",
            self.support_pct_per_year,
            0.0,
            100.0,
        )?;
        c.price("support_yearly", self.support_yearly)?;
        let power = match (self.watts, self.pue, self.energy_per_kwh) {
            (None, None, None) => None,
            (Some(w), Some(pue), Some(tariff)) => {
                let curve: [f64; 11] = w.try_into().map_err(|w: Vec<f64>| {
                    c.err(
                        "watts",
                        format!(
                            "has {} values; expected 11 (0, 10, ..., 100 % load)",
                            w.len()
                        ),
                    )
                })?;
                for (i, pair) in curve.windows(2).enumerate() {
                    if !(pair[0].is_finite() && pair[0] >= 0.0 && pair[1] >= pair[0]) {
                        return Err(c.err(
                            "watts",
                            format!(
                                "value {} ({} % load) must be >= 0 and no more than the next",
                                pair[0],
                                i * 10
                            ),
                        ));
                    }
                }
                Some(Power {
                    curve: PowerCurve(curve),
                    curve_source: self.watts_source.ok_or_else(|| {
                        c.err("watts_source", "name where the power curve comes from")
                    })?,
                    pue: c.range("pue", pue, 1.0, 5.0)?,
                    per_kwh: c.price("energy_per_kwh", tariff)?,
                })
            }
            _ => {
                return Err(c.err(
                    "watts",
                    "power needs watts, pue and energy_per_kwh together",
                ));
            }
        };
        let mut software = Vec::with_capacity(self.software.len());
        for (i, s) in self.software.into_iter().enumerate() {
            c.name(&format!("software[{i}].name"), &s.name)?;
            c.price(&format!("software[{i}].monthly"), s.monthly)?;
            software.push(Software {
                name: s.name,
                per: s.per,
                monthly: s.monthly,
            });
        }
        Ok(Tco {
            capex: self.capex,
            life_years: self.life_years,
            support_share: self.support_pct_per_year / 100.0,
            support_yearly: self.support_yearly,
            power,
            rack: pair(
                c,
                ("hosts_per_rack", self.hosts_per_rack),
                ("rack_month", self.rack_month),
            )?,
            staff: pair(
                c,
                ("hosts_per_admin", self.hosts_per_admin),
                ("admin_yearly", self.admin_yearly),
            )?,
            software,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// SPECpower_ssj2008, IBM x3550 M3 (Xeon X5675), as shipped with CloudSim.
    const X5675: [f64; 11] = [
        58.4, 98.0, 109.0, 118.0, 128.0, 140.0, 153.0, 170.0, 189.0, 205.0, 222.0,
    ];

    fn tco() -> Tco {
        let raw: RawTco = toml::from_str(&format!(
            "capex = 12000.0\nlife_years = 5\nsupport_pct_per_year = 10\nwatts = {X5675:?}\nwatts_source = \"SPECpower\"\npue = 1.5\nenergy_per_kwh = 0.10\n\
             hosts_per_rack = 20\nrack_month = 1000\nhosts_per_admin = 50\nadmin_yearly = 120000\n\
             [[software]]\nname = \"hypervisor\"\nper = \"core\"\nmonthly = 5.0\n[[software]]\nname = \"distro\"\nper = \"socket\"\nmonthly = 30.0\n"
        ))
        .unwrap();
        raw.validate(Check::new(Path::new("b.toml"), "private.tco"))
            .unwrap()
    }

    #[test]
    fn power_curve_interpolates_between_ten_percent_points() {
        let c = PowerCurve(X5675);
        assert_eq!(c.watts(0.0), 58.4);
        assert_eq!(c.watts(1.0), 222.0);
        // 25 %: halfway between 109 (20 %) and 118 (30 %) = 113.5
        assert!((c.watts(0.25) - 113.5).abs() < 1e-9);
        assert_eq!(c.watts(1.7), 222.0); // clamped
    }

    #[test]
    fn fixed_items_per_server_are_hand_checked() {
        let t = tco();
        let items = t.fixed_items(32, 2);
        let monthly: Vec<f64> = items
            .iter()
            .map(|i| (i.monthly * 1e6).round() / 1e6)
            .collect();
        // capex 12,000 / 60 months = 200; support 10 % x 12,000 / 12 = 100; rack 1,000 / 20 = 50;
        // staff 120,000 / 12 / 50 = 200; hypervisor 32 cores x 5 = 160; distro 2 sockets x 30 = 60.
        assert_eq!(monthly, [200.0, 100.0, 50.0, 200.0, 160.0, 60.0]);
        assert_eq!(items[4].rule, "hypervisor: 5 per core per month x 32");
        // Power at 50 %: 140 W x 730 h = 102.2 kWh x PUE 1.5 x 0.10 = 15.33.
        assert!((t.power.as_ref().unwrap().cost(0.5, 730.0) - 15.33).abs() < 1e-9);
        // The month in all: 200 + 100 + 50 + 200 + 160 + 60 = 770 + 15.33 power = 785.33.
        let month = super::super::cost::server_cost(&items, t.power.as_ref(), 730.0, 0.5);
        assert!((month - 785.33).abs() < 1e-9);
    }

    #[test]
    fn incomplete_power_or_rack_settings_name_the_key() {
        let raw: RawTco = toml::from_str("capex = 1.0\nlife_years = 5\npue = 1.5\n").unwrap();
        let err = raw
            .validate(Check::new(Path::new("b.toml"), "private.tco"))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "b.toml: key `private.tco.watts`: power needs watts, pue and energy_per_kwh together"
        );
        let raw: RawTco =
            toml::from_str("capex = 1.0\nlife_years = 5\nhosts_per_rack = 20\n").unwrap();
        let err = raw
            .validate(Check::new(Path::new("b.toml"), "private.tco"))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "b.toml: key `private.tco.rack_month`: needed together with hosts_per_rack"
        );
        let raw: RawTco = toml::from_str("capex = 1.0\nlife_years = 5\nwatts = [1.0, 2.0]\npue = 1.2\nenergy_per_kwh = 0.1\nwatts_source = \"x\"\n").unwrap();
        let err = raw
            .validate(Check::new(Path::new("b.toml"), "private.tco"))
            .unwrap_err();
        assert!(err.message.contains("has 2 values; expected 11"), "{err}");
    }
}
