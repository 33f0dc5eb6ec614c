//! Building a VM table row by row: ids and group names interned, duplicate ids refused.

use super::ids::Ids;
use super::{Sample, Trace, Vm, VmTable};
use crate::units::SimTime;
use rustc_hash::FxBuildHasher;
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct TableBuilder {
    vms: Vec<Vm>,
    /// Ids by input index.
    ids: Ids,
    /// Where each VM was found (a line or row number), by input index, as runs: (the first
    /// input index of a run, where it was found); the VMs of a run were found one line (or row)
    /// after another. A file without blank lines or multi-line cells is one run, where a number
    /// per VM would take 8 bytes of every VM's memory and a store in every row's time.
    at: Vec<(u32, u64)>,
    groups: Vec<String>,
    group_ix: HashMap<String, u32, FxBuildHasher>,
    last_group: u32,
}

impl TableBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder whose first groups are `groups`, in this order.
    pub fn with_groups(groups: Vec<String>) -> Self {
        let mut table = Self::new();
        for g in &groups {
            table.group(g);
        }
        table
    }

    /// The index of a group, added on first use.
    pub fn group(&mut self, name: &str) -> u32 {
        if let Some(g) = self.group_of(name.as_bytes()) {
            return g;
        }
        if let Some(&g) = self.group_ix.get(name) {
            self.last_group = g;
            return g;
        }
        let g = self.groups.len() as u32;
        self.groups.push(name.to_string());
        self.group_ix.insert(name.to_string(), g);
        self.last_group = g;
        g
    }

    /// The group of the row before when `name` is its name, without reading `name` as text
    /// (rows of one group often come together).
    #[inline]
    pub fn group_of(&self, name: &[u8]) -> Option<u32> {
        let last = self.groups.get(self.last_group as usize)?;
        (last.as_bytes() == name).then_some(self.last_group)
    }

    /// Adds VM `id` found at `at` (line or row); returns its input index, or, for an id seen
    /// before, where it was first seen.
    pub fn push(&mut self, id: &str, vm: Vm, at: u64) -> Result<u32, u64> {
        let index = self.ids.insert(id).map_err(|first| self.found_at(first))?;
        self.note_at(at);
        self.vms.push(vm);
        Ok(index)
    }

    /// Adds VM `id` found at `at` without looking for its id among those before: the caller
    /// asks `first_repeat` before it trusts the table or reports a later error.
    pub fn push_unchecked(&mut self, id: &str, vm: Vm, at: u64) {
        self.ids.push(id);
        self.note_at(at);
        self.vms.push(vm);
    }

    /// Notes that the next VM was found at `at`.
    #[inline]
    fn note_at(&mut self, at: u64) {
        let i = self.vms.len() as u32;
        match self.at.last() {
            Some(&(first, found)) if found + u64::from(i - first) == at => {}
            _ => self.at.push((i, at)),
        }
    }

    /// Where the VM of input index `i` was found.
    fn found_at(&self, i: u32) -> u64 {
        let run = self.at.partition_point(|&(first, _)| first <= i) - 1;
        let (first, found) = self.at[run];
        found + u64::from(i - first)
    }

    /// The first VM whose id was given before: its id, where it was found and where the id was
    /// first seen.
    pub fn first_repeat(&self) -> Option<(&str, u64, u64)> {
        let (later, first) = self.ids.first_repeat()?;
        Some((
            self.ids.get(later),
            self.found_at(later),
            self.found_at(first),
        ))
    }

    /// The input index of a VM added earlier, by id.
    pub fn input_index(&self, id: &str) -> Option<u32> {
        self.ids.position(id)
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

    /// The table, sorted by start time (input order among equal starts).
    pub fn finish(self) -> VmTable {
        self.sort().0
    }

    /// The sorted table and, unless the input was already in order, where each input VM went:
    /// `moved[i]` is the position in the table of the i-th VM given.
    fn sort(self) -> (VmTable, Option<Vec<u32>>) {
        let TableBuilder {
            mut vms,
            mut ids,
            groups,
            ..
        } = self;
        let mut moved = None;
        if !vms.is_sorted_by_key(|v| v.start) {
            // (start, input index) pairs are unique, so an unstable sort of them keeps input
            // order on ties, and reads each start once instead of at every comparison.
            let mut keyed: Vec<(SimTime, u32)> = (vms.iter().enumerate())
                .map(|(i, v)| (v.start, i as u32))
                .collect();
            keyed.sort_unstable();
            let order: Vec<u32> = keyed.into_iter().map(|(_, i)| i).collect();
            let mut to = vec![0u32; vms.len()];
            for (new, &old) in order.iter().enumerate() {
                to[old as usize] = new as u32;
            }
            vms = order.iter().map(|&i| vms[i as usize].clone()).collect();
            ids = ids.reorder(&order, &to);
            moved = Some(to);
        }
        vms.shrink_to_fit();
        ids.shrink_to_fit();
        (VmTable { vms, groups, ids }, moved)
    }

    /// The finished trace, with samples gathered under input indices renumbered to the table.
    pub fn into_trace(self, mut samples: Vec<Sample>, notes: Vec<String>) -> Trace {
        let (table, moved) = self.sort();
        if let Some(moved) = moved {
            for s in &mut samples {
                s.vm = moved[s.vm as usize];
            }
        }
        Trace::from_samples(table, samples, notes)
    }
}
