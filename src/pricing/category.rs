//! What a cost is for. Every ledger row has one category and one rule (the price rule that
//! produced it, in words).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Public on-demand and spot instance time, by the book's billing granularity.
    Compute,
    /// Reserved instances: upfront amortised over the term plus the hourly part.
    Reserved,
    /// Savings-plan commitments.
    SavingsPlan,
    /// Public block storage.
    Storage,
    /// Internet egress, in monthly tiers.
    Egress,
    /// Transfer between public regions.
    Transfer,
    /// Private hosts priced all-in per month.
    Hosts,
    /// Hardware capex amortised straight-line over its life.
    Capex,
    /// Hardware support contracts.
    Support,
    /// Electricity: power curve x PUE x tariff.
    Power,
    /// Rack space.
    Rack,
    /// Operations staff.
    Staff,
    /// Software subscriptions and licences (per socket, core or host).
    Software,
    /// Consumption charges of an HCI platform (per vCPU-hour).
    Consumption,
    /// Deduplicated backup storage (and per-store fees).
    BackupStorage,
    /// WAN links to the backup target.
    Wan,
    /// Initial seeding by shipped drive.
    Seeding,
    /// Backup licences per protected server.
    Licence,
    /// Capital bought on a date (`[[money.capital]]`), written down straight-line to its
    /// residual value over its life.
    Depreciation,
    /// One-off costs on a date: `[[money.one_off]]` items, migration waves.
    OneOff,
}

impl Category {
    pub const ALL: [Category; 20] = [
        Category::Compute,
        Category::Reserved,
        Category::SavingsPlan,
        Category::Storage,
        Category::Egress,
        Category::Transfer,
        Category::Hosts,
        Category::Capex,
        Category::Support,
        Category::Power,
        Category::Rack,
        Category::Staff,
        Category::Software,
        Category::Consumption,
        Category::BackupStorage,
        Category::Wan,
        Category::Seeding,
        Category::Licence,
        Category::Depreciation,
        Category::OneOff,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Category::Compute => "compute",
            Category::Reserved => "reserved",
            Category::SavingsPlan => "savings-plan",
            Category::Storage => "storage",
            Category::Egress => "egress",
            Category::Transfer => "transfer",
            Category::Hosts => "hosts",
            Category::Capex => "capex",
            Category::Support => "support",
            Category::Power => "power",
            Category::Rack => "rack",
            Category::Staff => "staff",
            Category::Software => "software",
            Category::Consumption => "consumption",
            Category::BackupStorage => "backup-storage",
            Category::Wan => "wan",
            Category::Seeding => "seeding",
            Category::Licence => "licence",
            Category::Depreciation => "depreciation",
            Category::OneOff => "one-off",
        }
    }
}
