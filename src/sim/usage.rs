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
