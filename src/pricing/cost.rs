//! The price formulas the simulator, the optimizer and `pricing quote` share: what one VM-hour
//! costs on a public region or an HCI unit, and what one owned server (a private host or an HCI
//! node) costs over some hours. Each is written once here, so a run, a plan and a quote work a
//! figure out the same way.

use super::{
    Brought, HciBook, InstanceType, Licences, Power, PrivateBook, PublicBook, Purchase, SqlEdition,
    TcoItem,
};
use crate::units::HOURS_PER_MONTH;

/// How an instance-hour on a public region is paid for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceModel {
    OnDemand,
    /// The spot price; on-demand for a type the book has no spot price for.
    Spot,
    /// Covered by a reservation, which is paid on its own whether used or not: the instance
    /// adds nothing (its Windows and SQL Server licences and usage still do).
    Reserved,
}

impl From<Purchase> for PriceModel {
    fn from(p: Purchase) -> Self {
        match p {
            Purchase::OnDemand => PriceModel::OnDemand,
            Purchase::Spot => PriceModel::Spot,
        }
    }
}

/// What a VM uses beside its instance on a public region, per month.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct VmUsage {
    /// Block storage, GiB.
    pub disk_gib: f64,
    /// Internet egress, GiB per month.
    pub egress_gib_month: f64,
    /// Transfer to another region of the provider, GiB per month.
    pub inter_region_gib_month: f64,
}

/// One VM-hour on a public region, by part, in the book's currency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VmHourCost {
    /// The instance at its price model.
    pub instance: f64,
    /// The Windows licence (0 for Linux, or with the licence brought along).
    pub windows: f64,
    /// The SQL Server licence (0 without SQL Server, or with the licence brought along).
    pub sql: f64,
    /// Block storage, egress at the first tier's price and inter-region transfer: the monthly
    /// amounts over a 730 h month. (The bill applies the egress tiers to a venue's monthly
    /// total; a VM's hour cannot know where in the tiers it falls.)
    pub usage: f64,
}

impl VmHourCost {
    pub fn total(&self) -> f64 {
        self.instance + self.windows + self.sql + self.usage
    }
}

impl PublicBook {
    /// The hourly price of instance type `ix` (Linux) under a price model.
    pub fn instance_hourly(&self, ix: usize, model: PriceModel) -> f64 {
        let t = &self.instances[ix];
        match model {
            PriceModel::OnDemand => t.hourly,
            PriceModel::Spot => t.spot_hourly.unwrap_or(t.hourly),
            PriceModel::Reserved => 0.0,
        }
    }

    /// The Windows licence uplift of one instance per hour: the type's listed Windows price
    /// less its Linux price, else the book's uplift per vCPU (0 without a Windows price).
    pub fn windows_uplift(&self, t: &InstanceType) -> f64 {
        match t.windows_hourly {
            Some(w) => w - t.hourly,
            None => self.windows_per_vcpu_hour.unwrap_or(0.0) * f64::from(t.vcpus),
        }
    }

    /// The SQL Server licence of one instance per hour: the edition's rate per vCPU-hour
    /// times the type's vCPUs, at least the edition's minimum (0 when the book has no rate
    /// for it: a scenario refuses a SQL Server group on such a venue when it loads).
    pub fn sql_hourly(&self, t: &InstanceType, edition: SqlEdition) -> f64 {
        self.sql.get(&edition).map_or(0.0, |r| r.hourly(t.vcpus))
    }

    /// The licences a VM pays for here: those it carries, less those it brings along
    /// (`brought`) to a provider that offers that (Azure Hybrid Benefit). Elsewhere it pays
    /// them all.
    pub fn licences_paid(&self, carried: Licences, brought: Brought) -> Licences {
        if self.hybrid_benefit {
            carried.less(brought)
        } else {
            carried
        }
    }

    /// What one hour of a VM on instance type `ix` costs: the instance under `model`, the
    /// licences it pays for (`paid`, from [`PublicBook::licences_paid`]), and its storage and
    /// traffic.
    pub fn vm_hour_cost(
        &self,
        ix: usize,
        model: PriceModel,
        paid: Licences,
        usage: &VmUsage,
    ) -> VmHourCost {
        let monthly = usage.disk_gib * self.storage_gb_month
            + usage.egress_gib_month * self.egress.first_price()
            + usage.inter_region_gib_month * self.inter_region_gb;
        let t = &self.instances[ix];
        VmHourCost {
            instance: self.instance_hourly(ix, model),
            windows: if paid.windows {
                self.windows_uplift(t)
            } else {
                0.0
            },
            sql: paid.sql.map_or(0.0, |e| self.sql_hourly(t, e)),
            usage: monthly / HOURS_PER_MONTH,
        }
    }
}

impl HciBook {
    /// The consumption price of one vCPU-hour: the Windows rate for Windows VMs, else base.
    pub fn vcpu_hour(&self, windows: bool) -> f64 {
        if windows {
            self.windows_vcpu_hour
        } else {
            self.base_vcpu_hour
        }
    }

    /// What one hour of a VM of `vcpus` costs in the platform's consumption fees.
    pub fn vm_hour_cost(&self, vcpus: f64, windows: bool) -> f64 {
        self.vcpu_hour(windows) * vcpus
    }

    /// What one node costs over `hours` at a steady load `u`: its fixed items and its power.
    pub fn node_cost(&self, hours: f64, u: f64) -> f64 {
        let items = self.tco.fixed_items(self.node.cores, self.node.sockets);
        server_cost(&items, self.tco.power.as_ref(), hours, u)
    }
}

impl PrivateBook {
    /// What one host costs over `hours` at a steady load `u`: its fixed items and its power.
    pub fn host_cost(&self, hours: f64, u: f64) -> f64 {
        server_cost(&self.fixed_items(), self.power(), hours, u)
    }
}

impl TcoItem {
    /// This item over `hours`, prorated from its monthly price (a month is 730 h).
    pub fn cost(&self, hours: f64) -> f64 {
        self.monthly * hours / HOURS_PER_MONTH
    }
}

/// One owned server over `hours` at load `u`: each fixed item prorated, plus power (none
/// without a power model).
pub(super) fn server_cost(items: &[TcoItem], power: Option<&Power>, hours: f64, u: f64) -> f64 {
    let fixed: f64 = items.iter().map(|i| i.cost(hours)).sum();
    fixed + power.map_or(0.0, |p| p.cost(u, hours))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::{Book, BookKind};
    use std::path::Path;

    /// A Windows VM without SQL Server.
    pub(crate) const WINDOWS: Licences = Licences {
        windows: true,
        sql: None,
    };

    fn load(rel: &str) -> BookKind {
        Book::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(rel))
            .unwrap()
            .kind
    }

    fn aws() -> PublicBook {
        match load("pricing/aws-us-east-1.toml") {
            BookKind::Public(p) => p,
            _ => unreachable!(),
        }
    }

    #[test]
    fn an_m6a_2xlarge_hour_from_the_shipped_book() {
        let p = aws();
        let ix = p.instance("m6a.2xlarge").unwrap();
        let none = VmUsage::default();
        // On-demand Linux: the book's 0.3456/h (8 vCPU, 32 GiB), nothing else.
        let linux = p.vm_hour_cost(ix, PriceModel::OnDemand, Licences::default(), &none);
        assert_eq!(linux.instance, 0.3456);
        assert_eq!((linux.windows, linux.usage), (0.0, 0.0));
        assert_eq!(linux.total(), 0.3456);
        // Windows adds 8 vCPU x 0.046/vCPU-hour = 0.368: 0.3456 + 0.368 = 0.7136.
        let win = p.vm_hour_cost(ix, PriceModel::OnDemand, WINDOWS, &none);
        assert!((win.windows - 0.368).abs() < 1e-12);
        assert!((win.total() - 0.7136).abs() < 1e-12);
        // Under a reservation only the licence is left: 0.368.
        let reserved = p.vm_hour_cost(ix, PriceModel::Reserved, WINDOWS, &none);
        assert_eq!(reserved.instance, 0.0);
        assert!((reserved.total() - 0.368).abs() < 1e-12);
        // Spot: on-demand less the Spot Advisor's 54 % savings for m6a.2xlarge in us-east-1,
        // 0.3456 x 0.46 = 0.158976.
        assert_eq!(p.instance_hourly(ix, PriceModel::Spot), 0.158976);
    }

    fn azure() -> PublicBook {
        match load("pricing/azure-eastus.toml") {
            BookKind::Public(p) => p,
            _ => unreachable!(),
        }
    }

    #[test]
    fn azure_spot_is_taken_at_the_worst_published_eviction_bucket() {
        // Azure publishes no eviction rate in its price files: the books take 20+ % a month,
        // the bucket's middle 22.5 %, as a constant rate r with 1 - exp(-730 r) = 0.225:
        // r = -ln(0.775) / 730 = 0.25489 / 730 = 0.000349 an instance-hour.
        let p = azure();
        let ix = p.instance("Standard_D4s_v5").unwrap();
        assert_eq!(p.spot_evictions(ix), 0.000349);
        let month = 1.0 - (-730.0 * p.spot_evictions(ix)).exp();
        assert!((month - 0.225).abs() < 1e-4, "{month}");
    }

    #[test]
    fn sql_server_and_hybrid_benefit_on_an_azure_d4s_v5() {
        let p = azure();
        let ix = p.instance("Standard_D4s_v5").unwrap();
        let none = VmUsage::default();
        let carried = Licences {
            windows: true,
            sql: Some(SqlEdition::Standard),
        };
        let hour = |brought: Brought| {
            let paid = p.licences_paid(carried, brought);
            p.vm_hour_cost(ix, PriceModel::OnDemand, paid, &none)
        };
        // The book lists D4s v5 at 0.192/h Linux and 0.376/h Windows, so the Windows licence is
        // 0.376 - 0.192 = 0.184 (= 4 vCPU x 0.046); SQL Server Standard 4 vCPU x 0.10 = 0.40.
        // 0.192 + 0.184 + 0.40 = 0.776/h; a 730 h month 566.48.
        let all = hour(Brought::default());
        assert!((all.windows - 0.184).abs() < 1e-12);
        assert!((all.sql - 0.40).abs() < 1e-12);
        assert!((all.total() - 0.776).abs() < 1e-12);
        assert!((all.total() * 730.0 - 566.48).abs() < 1e-9);
        // Azure Hybrid Benefit for both licences: the Linux 0.192/h, 140.16 a month.
        let both = hour(Brought::ALL);
        assert_eq!((both.windows, both.sql), (0.0, 0.0));
        assert!((both.total() * 730.0 - 140.16).abs() < 1e-9);
        // Only the SQL Server licence brought: 0.192 + 0.184 = 0.376/h, 274.48 a month.
        let sql = Brought {
            windows: false,
            sql: true,
        };
        assert!((hour(sql).total() - 0.376).abs() < 1e-12);
        assert!((hour(sql).total() * 730.0 - 274.48).abs() < 1e-9);
        // Only Windows brought: 0.192 + 0.40 = 0.592/h, 432.16 a month.
        let win = Brought {
            windows: true,
            sql: false,
        };
        assert!((hour(win).total() * 730.0 - 432.16).abs() < 1e-9);
        // A book without hybrid benefit (AWS) bills every licence whatever is brought.
        let aws = aws();
        let carried = Licences {
            windows: true,
            sql: None,
        };
        assert_eq!(aws.licences_paid(carried, Brought::ALL), carried);
    }

    #[test]
    fn a_two_vcpu_vm_pays_the_four_core_minimum() {
        let p = azure();
        let ix = p.instance("Standard_D2s_v5").unwrap();
        let enterprise = Licences {
            windows: false,
            sql: Some(SqlEdition::Enterprise),
        };
        let c = p.vm_hour_cost(ix, PriceModel::OnDemand, enterprise, &VmUsage::default());
        // 2 vCPUs pay for the 4-core minimum: 4 x 0.375 = 1.50/h, on top of the 0.096 Linux
        // D2s v5: 1.596/h. Under a reservation the licence is still paid: 1.50/h.
        assert!((c.sql - 1.50).abs() < 1e-12);
        assert!((c.total() - 1.596).abs() < 1e-12);
        let r = p.vm_hour_cost(ix, PriceModel::Reserved, enterprise, &VmUsage::default());
        assert!((r.total() - 1.50).abs() < 1e-12);
        // A 16 vCPU D16s v5 pays 16 x 0.10 = 1.60/h of Standard and 16 x 0.375 = 6.00 of
        // Enterprise.
        let big = p.instance("Standard_D16s_v5").unwrap();
        assert!((p.sql_hourly(&p.instances[big], SqlEdition::Standard) - 1.60).abs() < 1e-12);
        assert!((p.sql_hourly(&p.instances[big], SqlEdition::Enterprise) - 6.00).abs() < 1e-12);
    }

    #[test]
    fn usage_is_its_monthly_price_over_730_hours() {
        let p = aws();
        let ix = p.instance("m5.large").unwrap();
        let usage = VmUsage {
            disk_gib: 100.0,
            egress_gib_month: 50.0,
            inter_region_gib_month: 20.0,
        };
        let c = p.vm_hour_cost(ix, PriceModel::OnDemand, Licences::default(), &usage);
        // 100 GiB x 0.08 + 50 GiB x 0 (AWS's first 100 GB of egress a month are free) + 20 GiB
        // x 0.02 = 8 + 0 + 0.4 = 8.4 a month; / 730 h = 0.011507/h; + 0.096 for the m5.large.
        assert!((c.usage - 8.4 / 730.0).abs() < 1e-12);
        assert!((c.total() - (0.096 + 8.4 / 730.0)).abs() < 1e-12);
    }

    #[test]
    fn an_hci_node_hour_and_vm_hour_from_the_shipped_book() {
        let BookKind::Hci(h) = load("pricing/azure-stack-hub.toml") else {
            unreachable!()
        };
        // A node: 52,000 / 60 + 5,200 / 12 + 1,000 / 16 = 866.67 + 433.33 + 62.5 = 1,362.5 a
        // month, so 1,362.5 / 730 = 1.866438/h; power at 50 % load: 140 W x 1 h x PUE 1.5 x
        // 0.12/kWh = 0.0252/h.
        assert!((h.node_cost(1.0, 0.5) - (1_362.5 / 730.0 + 0.0252)).abs() < 1e-9);
        // A 730 h month is the quote's figure: 1,362.5 + 18.396 = 1,380.896.
        assert!((h.node_cost(730.0, 0.5) - 1_380.896).abs() < 1e-9);
        // A 4-vCPU VM: 4 x 0.008 = 0.032/h base, 4 x 0.046 = 0.184/h Windows.
        assert!((h.vm_hour_cost(4.0, false) - 0.032).abs() < 1e-12);
        assert!((h.vm_hour_cost(4.0, true) - 0.184).abs() < 1e-12);
    }

    #[test]
    fn a_private_host_from_the_shipped_book() {
        let BookKind::Private(p) = load("pricing/private-kvm-2s32c.toml") else {
            unreachable!()
        };
        // 233.33 capex + 116.67 support + 50 rack + 100 staff + 80 + 30 software = 610 a
        // month; power at 50 % load: 140 W x 730 h x PUE 1.5 x 0.12/kWh = 18.396.
        assert!((p.host_cost(730.0, 0.5) - 628.396).abs() < 1e-9);
        // A day is 24 / 730 of the month: 610 x 24 / 730 = 20.054795 + 140 x 24 x 1.5 x
        // 0.00012 = 0.6048.
        assert!((p.host_cost(24.0, 0.5) - (610.0 * 24.0 / 730.0 + 0.6048)).abs() < 1e-9);
    }
}
