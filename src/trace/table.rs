//! Building a VM table row by row: group names interned, duplicate ids refused.

use super::{Sample, Trace, Vm, VmTable};
use crate::units::SimTime;
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct TableBuilder {
    vms: Vec<Vm>,
    groups: Vec<String>,
    group_ix: HashMap<String, u32>,
    /// For each id: where it was first seen (a line or row number) and its input index.
    seen: HashMap<String, (u64, u32)>,
}

impl TableBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// The index of a group, added on first use.
    pub fn group(&mut self, name: &str) -> u32 {
        if let Some(&g) = self.group_ix.get(name) {
            return g;
        }
        let g = self.groups.len() as u32;
        self.groups.push(name.to_string());
        self.group_ix.insert(name.to_string(), g);
        g
    }

    /// Adds a VM found at `at` (line or row); returns its input index, or, for an id seen
    /// before, where it was first seen.
    pub fn push(&mut self, vm: Vm, at: u64) -> Result<u32, u64> {
        if let Some(&(first, _)) = self.seen.get(&vm.id) {
            return Err(first);
        }
        let index = self.vms.len() as u32;
        self.seen.insert(vm.id.clone(), (at, index));
        self.vms.push(vm);
        Ok(index)
    }

    /// The input index of a VM added earlier, by id.
    pub fn input_index(&self, id: &str) -> Option<u32> {
        self.seen.get(id).map(|&(_, index)| index)
    }

    /// Sets the end of a VM added earlier (for formats where a later row ends it).
    pub fn set_end(&mut self, index: u32, end: SimTime) {
        self.vms[index as usize].end = Some(end);
    }

    pub fn len(&self) -> usize {
        self.vms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.vms.is_empty()
    }

    /// The VMs added so far, in input order.
    pub fn vms(&self) -> &[Vm] {
        &self.vms
    }

    /// The sorted table and where each input VM went (see `VmTable::build`).
    pub fn finish(self) -> (VmTable, Vec<u32>) {
        VmTable::build(self.vms, self.groups)
    }

    /// The finished trace, with samples gathered under input indices renumbered to the table.
    pub fn into_trace(self, mut samples: Vec<Sample>, notes: Vec<String>) -> Trace {
        let (table, moved) = self.finish();
        for s in &mut samples {
            s.vm = moved[s.vm as usize];
        }
        Trace::from_samples(table, samples, notes)
    }
}
