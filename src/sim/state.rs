//! The simulation's state: who the VMs are, where each one is, the venues, the placement
//! policy, autoscalers, backup transfers, failures, spot, returns and what has been counted so
//! far; and how it is built from a scenario.

use super::ledger::Ledger;
use super::placement::{self, Offer, Placement};
use super::public::PublicVenue;
use super::site::Site;
use super::{
    Interruptions, Placed, Shortfall, Target, VenueOutcome, VenueState, failures, returns, scaling,
    spot, transfers,
};
use crate::pricing::BookKind;
use crate::scenario::{GroupPolicy, Scenario, VenueSize};
use crate::trace::{Vm, VmTable};
use crate::units::SimTime;

/// Who the VMs are: the trace's, then autoscaled instances (sharing their autoscaler's record).
pub(super) struct Fleet<'s> {
    pub(super) table: &'s VmTable,
    /// One VM record per autoscaler, shared by all its instances.
    pub(super) templates: &'s [Vm],
    /// For each VM past the trace's: its autoscaler.
    pub(super) instance_of: Vec<u32>,
    pub(super) group_names: Vec<String>,
    /// Policy by group index.
    pub(super) groups: Vec<GroupPolicy>,
}

/// Where each VM is and what it uses now, by VM index.
pub(super) struct VmRuns {
    pub(super) placed: Vec<Placed>,
    /// When each VM's current placement began; how many placements it has had.
    pub(super) since: Vec<SimTime>,
    pub(super) placement_no: Vec<u32>,
    /// When a down VM went down (`SimTime::MAX`: not down).
    pub(super) down_since: Vec<SimTime>,
    /// Milli-cores each VM on a site is using now (its latest sample).
    pub(super) cpu_milli: Vec<u64>,
    /// MiB each VM uses now, from samples with memory utilisation (0 until one comes).
    pub(super) mem_mib: Vec<u64>,
}

impl VmRuns {
    pub(super) fn new(n: usize) -> Self {
        VmRuns {
            placed: vec![Placed::Nowhere; n],
            since: vec![0; n],
            placement_no: vec![0; n],
            down_since: vec![SimTime::MAX; n],
            cpu_milli: vec![0; n],
            mem_mib: vec![0; n],
        }
    }

    /// Room for one more VM (an autoscaled instance), not placed and not down.
    fn push(&mut self) {
        self.placed.push(Placed::Nowhere);
        self.since.push(0);
        self.placement_no.push(0);
        self.down_since.push(SimTime::MAX);
        self.cpu_milli.push(0);
        self.mem_mib.push(0);
    }
}

/// The placement policy and, for the VM being placed, each venue's offer and slot.
pub(super) struct Choice {
    pub(super) policy: Box<dyn Placement>,
    pub(super) offers: Vec<Option<Offer>>,
    pub(super) targets: Vec<Option<Target>>,
}

/// Autoscalers and the demand their groups' trace VMs make.
pub(super) struct Scaling {
    pub(super) scalers: Vec<scaling::Scaler>,
    /// The autoscaler of each group, if any.
    pub(super) scaled: Vec<Option<usize>>,
    pub(super) has_usage: bool,
    /// Trace VMs of autoscaled groups that are asking for capacity now.
    pub(super) demanding: Vec<bool>,
}

/// What the run has counted so far: costs, VMs that fit nowhere, downtime and interruptions.
pub(super) struct Tally {
    pub(super) ledger: Ledger,
    pub(super) shortfalls: Vec<Shortfall>,
    pub(super) unplaced_vm_seconds: u64,
    /// Seconds VMs were down after an eviction or a host failure, by group.
    pub(super) down_seconds: Vec<u64>,
    pub(super) interruptions: Interruptions,
    /// One per scenario migration, in order.
    pub(super) migrations: Vec<super::migration::Moved>,
}

pub(super) struct State<'s> {
    pub(super) scenario: &'s Scenario,
    pub(super) fleet: Fleet<'s>,
    pub(super) vms: VmRuns,
    pub(super) venues: Vec<VenueState<'s>>,
    pub(super) outcomes: Vec<VenueOutcome>,
    pub(super) choice: Choice,
    pub(super) scaling: Scaling,
    pub(super) transfers: Option<transfers::Transfers>,
    pub(super) failures: failures::Failures,
    pub(super) spot: spot::Spot,
    pub(super) returns: returns::Returns,
    pub(super) tally: Tally,
}

impl<'s> State<'s> {
    pub(super) fn new(
        scenario: &'s Scenario,
        table: &'s VmTable,
        templates: &'s [Vm],
        group_names: Vec<String>,
    ) -> Self {
        let horizon = scenario.horizon;
        let mut ledger = Ledger::new(horizon);
        let venues: Vec<VenueState<'s>> = scenario
            .venues
            .iter()
            .enumerate()
            .map(|(v, venue)| match (&venue.book.kind, venue.size) {
                (BookKind::Public(book), _) => VenueState::Public(PublicVenue::new(
                    v,
                    book,
                    venue.rate,
                    &scenario.commitments,
                    &mut ledger,
                    horizon,
                )),
                (BookKind::Private(book), VenueSize::Hosts(hosts)) => {
                    let (hosts, billed) = super::capacity::built(scenario, v, hosts);
                    let site = Site::private(v, book, venue.rate, hosts, &mut ledger, billed);
                    VenueState::Site(site)
                }
                (BookKind::Hci(book), VenueSize::Hci { nodes, units }) => {
                    let (units, billed) = super::capacity::built(scenario, v, units);
                    let site = Site::hci(v, book, venue.rate, nodes, units, &mut ledger, billed);
                    VenueState::Site(site)
                }
                _ => unreachable!("the scenario matched every venue's size to its book"),
            })
            .collect();
        let empty = VenueOutcome {
            placements: 0,
            vm_seconds: 0,
            group_vm_seconds: vec![0; group_names.len()],
            site: None,
            commitments: Vec::new(),
        };
        let n = table.vms.len();
        let mut scaled = vec![None; group_names.len()];
        for (k, t) in templates.iter().enumerate() {
            scaled[t.group as usize] = Some(k);
        }
        let policy = placement::for_scenario(scenario, &group_names);
        State {
            scenario,
            scaling: Scaling {
                scalers: scenario
                    .autoscale
                    .iter()
                    .map(scaling::Scaler::new)
                    .collect(),
                scaled,
                has_usage: false,
                demanding: vec![false; n],
            },
            transfers: None,
            returns: returns::Returns::new(policy.returns_after()),
            choice: Choice {
                policy,
                offers: vec![None; venues.len()],
                targets: vec![None; venues.len()],
            },
            outcomes: vec![empty; venues.len()],
            failures: failures::Failures::new(scenario.seed, venues.len()),
            spot: spot::Spot::new(scenario.seed, venues.len(), n),
            venues,
            vms: VmRuns::new(n),
            tally: Tally {
                ledger,
                shortfalls: Vec::new(),
                unplaced_vm_seconds: 0,
                down_seconds: vec![0; group_names.len()],
                interruptions: Interruptions::default(),
                migrations: Vec::new(),
            },
            fleet: Fleet {
                table,
                templates,
                instance_of: Vec::new(),
                groups: group_names.iter().map(|g| scenario.group(g)).collect(),
                group_names,
            },
        }
    }

    /// VM `i`: a trace VM, or an autoscaled instance (sharing its autoscaler's record).
    pub(super) fn vm(&self, i: u32) -> &'s Vm {
        let n = self.fleet.table.vms.len();
        match (i as usize).checked_sub(n) {
            None => &self.fleet.table.vms[i as usize],
            Some(k) => &self.fleet.templates[self.fleet.instance_of[k] as usize],
        }
    }

    /// VM `i`'s id: the trace's, or "<group>-instance" for an autoscaled instance.
    pub(super) fn vm_id(&self, i: u32) -> String {
        match (i as usize).checked_sub(self.fleet.table.vms.len()) {
            None => self.fleet.table.id(i).to_string(),
            Some(_) => format!(
                "{}-instance",
                self.fleet.group_names[self.vm(i).group as usize]
            ),
        }
    }

    /// The end of VM `i`'s lifetime within the horizon.
    pub(super) fn end_of(&self, i: u32) -> SimTime {
        self.vm(i)
            .end
            .unwrap_or(SimTime::MAX)
            .min(self.scenario.horizon)
    }

    /// A new VM index for an instance of autoscaler `k`.
    pub(super) fn add_instance(&mut self, k: usize) -> u32 {
        let i = (self.fleet.table.vms.len() + self.fleet.instance_of.len()) as u32;
        self.fleet.instance_of.push(k as u32);
        self.vms.push();
        self.spot.push();
        i
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{scenario, table, vm};
    use super::*;
    use crate::units::HOUR;

    #[test]
    fn per_vm_records_stay_compact() {
        // What the simulator keeps per VM sets the memory of a run of millions of VMs (README,
        // "Memory per VM"). Placed: venue u32 (4) + Target (a 4-byte tag + Slot's two u32 or
        // Instance's u32, purchase and flag = 8) = 16. Vm: group u32 (4, padded to 8) + start
        // (8) + end (8 + 8 for the Option) + vCPUs, memory, disk (3 x 8) = 56.
        assert_eq!(std::mem::size_of::<super::super::Placed>(), 16);
        assert_eq!(std::mem::size_of::<Vm>(), 56);
    }

    #[test]
    fn autoscaled_instances_are_numbered_after_the_trace_vms() {
        // Two trace VMs (indices 0 and 1) and an autoscaler for group "web": its instances
        // are VMs 2, 3, ... and share the autoscaler's record ("web-instance", 2 vCPU).
        let extra = "policy = \"first-fit\"\n[[autoscale]]\ngroup = \"web\"\npolicy = \"threshold\"\nvcpus = 2\nmem_gib = 4\nmin = 0\nmax = 4\ninitial = 0\ninterval = \"1h\"\nscale_out_above = 0.8\nscale_in_below = 0.3\n";
        let sc = scenario(1, extra);
        let tb = table(
            vec![
                vm("a", 0, 0, None, 1.0, 1.0),
                vm("b", 0, 0, Some(20 * HOUR), 1.0, 1.0),
            ],
            &["app"],
        );
        let (names, templates) = scaling::templates(&sc, &tb);
        assert_eq!(names, ["app", "web"]);
        let mut state = State::new(&sc, &tb, &templates, names);
        assert_eq!(state.scaling.scaled, [None, Some(0)]);
        assert_eq!(state.add_instance(0), 2);
        assert_eq!(state.add_instance(0), 3);
        assert_eq!(state.vm_id(3), "web-instance");
        assert_eq!(state.vm(3).vcpus, 2.0);
        assert_eq!(state.vms.placed.len(), 4);
        assert!(!state.spot.on_demand(3));
        // The trace VM b ends at 20 h, after the 10 h horizon: the horizon ends it.
        assert_eq!(state.end_of(1), sc.horizon);
        assert_eq!(state.end_of(0), 10 * HOUR);
    }
}
