//! Usage samples in the simulation: each sample sets what one VM uses now; a VM on a site
//! passes its CPU and memory use on to its host, a trace VM of an autoscaled group passes it on
//! to its autoscaler as demand. At each step boundary every site records its use and bills the
//! energy of the step.

use super::{Placed, State, Target, VenueState};
use crate::trace::Sample;
use crate::units::SimTime;

impl State<'_> {
    /// Applies one usage sample (at the end of its step).
    pub(super) fn apply_sample(&mut self, s: Sample) {
        let vm = self.vm(s.vm);
        let milli = (vm.vcpus * f64::from(s.cpu) * 1000.0).round() as u64;
        if let Some(k) = self.scaling.scaled[vm.group as usize] {
            // Demand of an autoscaled group (its trace VMs are not placed). Samples are applied
            // at the end of their step, so a VM may already have ended: it asks for nothing.
            if self.scaling.demanding[s.vm as usize] {
                let old = std::mem::replace(&mut self.vms.cpu_milli[s.vm as usize], milli);
                self.scaling.scalers[k].change_used(old, milli);
            }
            return;
        }
        self.set_cpu(s.vm, milli);
        if let Some(m) = s.mem() {
            let mib = (vm.mem_gib * f64::from(m) * 1024.0).round() as u64;
            let old = std::mem::replace(&mut self.vms.mem_mib[s.vm as usize], mib);
            if let Placed::At {
                venue,
                target: Target::Slot(_),
            } = self.vms.placed[s.vm as usize]
                && let VenueState::Site(site) = &mut self.venues[venue]
            {
                site.set_mem_used(old, mib, true);
            }
        }
    }

    /// Sets the milli-cores VM `i` uses now; a VM on a site passes it on to its host.
    pub(super) fn set_cpu(&mut self, i: u32, milli: u64) {
        let old = std::mem::replace(&mut self.vms.cpu_milli[i as usize], milli);
        if let Placed::At {
            venue,
            target: Target::Slot(slot),
        } = self.vms.placed[i as usize]
            && let VenueState::Site(site) = &mut self.venues[venue]
        {
            site.set_used(slot, old, milli);
        }
    }

    /// At a step boundary: every site records its use and bills the step's energy.
    pub(super) fn snapshot(&mut self, from: SimTime, to: SimTime) {
        for venue in &mut self.venues {
            if let VenueState::Site(site) = venue {
                site.snapshot(&mut self.tally.ledger, from, to);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{scenario, table, vm};
    use super::super::{Capacity, scaling};
    use super::*;
    use crate::engine::Engine;
    use crate::units::HOUR;

    #[test]
    fn samples_follow_a_vm_to_its_host_and_memory_series() {
        // A 2-vCPU, 8 GiB VM on a 4-vCPU, 16 GiB host. A sample of 50 % CPU and 25 % memory:
        // 2 x 0.5 = 1 core = 1,000 milli-cores; 8 GiB x 0.25 = 2 GiB = 2,048 MiB.
        let sc = scenario(1, "policy = \"first-fit\"\n");
        let tb = table(vec![vm("a", 0, 0, None, 2.0, 8.0)], &["g"]);
        let (names, templates) = scaling::templates(&sc, &tb);
        let mut state = State::new(&sc, &tb, &templates, names);
        let mut engine = Engine::new();
        state.arrive(&mut engine, 0, 0);
        state.apply_sample(Sample::new(0, 0, 0.5, Some(0.25)));
        assert_eq!(state.vms.cpu_milli[0], 1_000);
        assert_eq!(state.vms.mem_mib[0], 2_048);
        // At the step boundary: 8 of 16 GiB allocated = 0.5; 2 of 16 GiB used = 0.125.
        state.snapshot(0, HOUR);
        let VenueState::Site(site) = &state.venues[0] else {
            unreachable!("venue 0 is the site")
        };
        assert_eq!(site.mem_series, [0.5]);
        assert_eq!(site.mem_used_series, [0.125]);
        assert_eq!(site.allocated, Capacity::of(2.0, 8.0));
    }
}
