//! A site's hosts (or an HCI unit's nodes), indexed for first-fit placement in O(log hosts): a
//! segment tree whose nodes hold the largest free CPU, memory and VM slots below them. A subtree
//! whose maxima cannot hold the VM is skipped; only where the maxima sit on different hosts does
//! the search look into more than one child.
//!
//! Best-fit uses a second index (best_fit.rs): the hosts sorted by free memory in short blocks,
//! each knowing the largest free CPU among its hosts with a slot, under a segment tree of those
//! maxima, so it too takes O(log hosts).
//!
//! Capacities are integers (milli-vCPU, MiB, VM slots) so that taking and giving back is exact.

use crate::units::round_u64;

/// Free capacity of one host or the maxima of a subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Capacity {
    pub milli_vcpu: u64,
    pub mib: u64,
    /// VMs the host may still take (platforms such as Azure Stack Hub cap VMs per node).
    pub vms: u64,
}

/// VM slots of a host without a cap.
pub const UNLIMITED_VMS: u64 = u64::MAX / 4;

impl Capacity {
    /// What one VM of `vcpus` and `mem_gib` needs, in the integer units the pool counts in.
    pub fn of(vcpus: f64, mem_gib: f64) -> Capacity {
        // Twice per placement and per departure: `round_u64` is `round() as u64` without libm.
        Capacity {
            milli_vcpu: round_u64(vcpus * 1000.0),
            mib: round_u64(mem_gib * 1024.0),
            vms: 1,
        }
    }

    /// A host's room: vCPUs, GiB and, if capped, VMs.
    pub fn room(vcpus: f64, mem_gib: f64, vms: Option<u32>) -> Capacity {
        Capacity {
            vms: vms.map_or(UNLIMITED_VMS, u64::from),
            ..Capacity::of(vcpus, mem_gib)
        }
    }

    /// Whether this much free room can take `need`.
    pub fn holds(self, need: Capacity) -> bool {
        self.milli_vcpu >= need.milli_vcpu && self.mib >= need.mib && self.vms >= need.vms
    }

    fn max(self, other: Capacity) -> Capacity {
        Capacity {
            milli_vcpu: self.milli_vcpu.max(other.milli_vcpu),
            mib: self.mib.max(other.mib),
            vms: self.vms.max(other.vms),
        }
    }

    pub fn add(&mut self, other: Capacity) {
        self.milli_vcpu += other.milli_vcpu;
        self.mib += other.mib;
        self.vms += other.vms;
    }

    pub fn sub(&mut self, other: Capacity) {
        self.milli_vcpu -= other.milli_vcpu;
        self.mib -= other.mib;
        self.vms -= other.vms;
    }

    /// Raises each dimension to at least `other`'s.
    pub fn peak(&mut self, other: Capacity) {
        *self = self.max(other);
    }
}

mod best_fit;

use best_fit::FreeMemoryIndex;

#[derive(Debug, Clone)]
pub struct HostPool {
    hosts: usize,
    /// Number of leaves: the next power of two >= hosts.
    leaves: usize,
    /// Heap-ordered tree: node 1 is the root, node i has children 2i and 2i+1, leaf h is
    /// `leaves + h`. Leaves past `hosts` stay empty.
    tree: Vec<Capacity>,
    /// The hosts ordered by (free MiB, host), kept only for best-fit (`index_free_memory`).
    by_free_mem: Option<FreeMemoryIndex>,
}

impl HostPool {
    /// `hosts` identical hosts, each with `per_host` free.
    pub fn new(hosts: usize, per_host: Capacity) -> HostPool {
        let leaves = hosts.next_power_of_two().max(1);
        let mut tree = vec![Capacity::default(); 2 * leaves];
        tree[leaves..leaves + hosts].fill(per_host);
        for node in (1..leaves).rev() {
            tree[node] = tree[2 * node].max(tree[2 * node + 1]);
        }
        HostPool {
            hosts,
            leaves,
            tree,
            by_free_mem: None,
        }
    }

    pub fn hosts(&self) -> usize {
        self.hosts
    }

    /// The lowest-numbered host that can hold `need`, if any.
    pub fn first_fit(&self, need: Capacity) -> Option<usize> {
        self.find(1, need)
    }

    fn find(&self, node: usize, need: Capacity) -> Option<usize> {
        if !self.tree[node].holds(need) {
            return None;
        }
        if node >= self.leaves {
            return Some(node - self.leaves);
        }
        self.find(2 * node, need)
            .or_else(|| self.find(2 * node + 1, need))
    }

    /// Keeps the hosts ordered by free memory from now on, for `best_fit`.
    pub fn index_free_memory(&mut self) {
        self.by_free_mem = Some(FreeMemoryIndex::new((0..self.hosts).map(|h| self.free(h))));
    }

    /// The host with the least free memory that can hold `need` (the lowest-numbered on ties:
    /// among equally tight hosts the one first-fit would pick); first-fit when the pool keeps no
    /// index of free memory.
    pub fn best_fit(&self, need: Capacity) -> Option<usize> {
        if !self.tree[1].holds(need) {
            return None;
        }
        match &self.by_free_mem {
            // The index answers for one VM; any other need (no caller has one) is scanned.
            Some(index) if need.vms == 1 => index.best_fit(need),
            Some(_) => (0..self.hosts)
                .filter(|&h| self.free(h).holds(need))
                .min_by_key(|&h| (self.free(h).mib, h)),
            None => self.first_fit(need),
        }
    }

    /// Free capacity of one host.
    pub fn free(&self, host: usize) -> Capacity {
        self.tree[self.leaves + host]
    }

    /// Takes `need` from `host`, which must have room (checked by `first_fit`).
    pub fn take(&mut self, host: usize, need: Capacity) {
        let mut free = self.free(host);
        debug_assert!(free.holds(need), "host {host} over capacity");
        free.sub(need);
        self.set_free(host, free);
    }

    /// Gives `need` back to `host`.
    pub fn give(&mut self, host: usize, need: Capacity) {
        let mut free = self.free(host);
        free.add(need);
        self.set_free(host, free);
    }

    /// Sets a host's free capacity outright (a failed host has none).
    pub fn set_free(&mut self, host: usize, free: Capacity) {
        let leaf = self.leaves + host;
        if let Some(index) = self.by_free_mem.as_mut() {
            index.set(host, free);
        }
        self.tree[leaf] = free;
        self.update(host);
    }

    fn update(&mut self, host: usize) {
        let mut node = (self.leaves + host) / 2;
        while node >= 1 {
            let max = self.tree[2 * node].max(self.tree[2 * node + 1]);
            // An unchanged node leaves every ancestor unchanged too: most placements do not
            // move the maxima far up, so this skips most of the 17 levels at 100k hosts.
            if self.tree[node] == max {
                break;
            }
            self.tree[node] = max;
            node /= 2;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A host's room: no cap on VMs.
    fn cap(vcpus: u64, gib: u64) -> Capacity {
        Capacity {
            milli_vcpu: vcpus * 1000,
            mib: gib * 1024,
            vms: UNLIMITED_VMS,
        }
    }

    /// What one VM needs.
    fn need(vcpus: u64, gib: u64) -> Capacity {
        Capacity {
            milli_vcpu: vcpus * 1000,
            mib: gib * 1024,
            vms: 1,
        }
    }

    #[test]
    fn first_fit_fills_the_lowest_host_first() {
        // Three hosts of 4 vCPU / 16 GiB.
        let mut pool = HostPool::new(3, cap(4, 16));
        let a = pool.first_fit(need(2, 8)).unwrap();
        pool.take(a, need(2, 8));
        let b = pool.first_fit(need(2, 8)).unwrap();
        pool.take(b, need(2, 8));
        assert_eq!((a, b), (0, 0)); // host 0 holds both: 2+2 = 4 vCPU, 8+8 = 16 GiB
        // A third 2/8 VM no longer fits host 0 and goes to host 1.
        assert_eq!(pool.first_fit(need(2, 8)), Some(1));
        pool.give(0, need(2, 8));
        assert_eq!(pool.first_fit(need(2, 8)), Some(0)); // freed room is reused
        assert_eq!(pool.first_fit(need(5, 1)), None); // larger than any host
    }

    #[test]
    fn cpu_and_memory_maxima_on_different_hosts_do_not_fool_the_search() {
        // Host 0 keeps CPU but no memory, host 1 memory but no CPU, host 2 both.
        let mut pool = HostPool::new(3, cap(4, 16));
        pool.take(0, need(0, 16));
        pool.take(1, need(4, 0));
        // The root says "4 vCPU and 16 GiB free somewhere", but only host 2 has both.
        assert_eq!(pool.first_fit(need(1, 1)), Some(2));
        assert_eq!(pool.free(2), cap(4, 16));
    }

    #[test]
    fn vm_slots_cap_a_host() {
        // Two hosts with room for 64 vCPU but only 2 VMs each.
        let mut pool = HostPool::new(2, Capacity::room(64.0, 256.0, Some(2)));
        for _ in 0..2 {
            pool.take(0, need(1, 1));
        }
        assert_eq!(pool.first_fit(need(1, 1)), Some(1)); // host 0 has CPU and memory but no slot
    }

    proptest! {
        /// The tree answers exactly as a linear scan over hosts would, and no host ever goes over
        /// capacity, whatever the order of arrivals and departures.
        #[test]
        fn matches_a_linear_scan(hosts in 1usize..20, ops in prop::collection::vec((0u64..5, 0u64..20, any::<bool>()), 1..200)) {
            let per_host = cap(4, 16);
            let mut pool = HostPool::new(hosts, per_host);
            pool.index_free_memory();
            let mut free = vec![per_host; hosts];
            let mut placed: Vec<(usize, Capacity)> = Vec::new();
            for (vcpus, gib, leave) in ops {
                if leave && !placed.is_empty() {
                    let (h, need) = placed.remove(0);
                    pool.give(h, need);
                    free[h].add(need);
                    continue;
                }
                let need = need(vcpus, gib);
                let scan = free.iter().position(|f| f.holds(need));
                prop_assert_eq!(pool.first_fit(need), scan);
                // Best fit: the least free memory among hosts that hold it, lowest index on ties.
                let tightest = free.iter().enumerate().filter(|(_, f)| f.holds(need)).min_by_key(|(h, f)| (f.mib, *h)).map(|(h, _)| h);
                prop_assert_eq!(pool.best_fit(need), tightest);
                if let Some(h) = scan {
                    pool.take(h, need);
                    free[h].sub(need);
                    placed.push((h, need));
                }
                for (h, f) in free.iter().enumerate() {
                    prop_assert_eq!(pool.free(h), *f);
                    prop_assert!(f.milli_vcpu <= per_host.milli_vcpu && f.mib <= per_host.mib);
                }
            }
        }

        /// The best-fit index chooses the host a brute-force scan chooses (least free memory that
        /// holds the VM, lowest number on ties) on random workloads: VMs from CPU-bound (8
        /// half-vCPUs, 256 MiB) to memory-bound (no CPU, 10 GiB), hosts with or without a VM cap,
        /// departures in any order, and hosts that fail (no room at all) and come back.
        #[test]
        fn best_fit_index_matches_a_brute_force_scan(
            hosts in 1usize..60,
            slots in prop::option::of(1u32..6),
            ops in prop::collection::vec((0u8..10, 0u64..9, 0u64..41, any::<prop::sample::Index>()), 1..300),
        ) {
            let per_host = Capacity::room(8.0, 32.0, slots);
            let mut pool = HostPool::new(hosts, per_host);
            pool.index_free_memory();
            let mut free = vec![per_host; hosts];
            let mut placed: Vec<(usize, Capacity)> = Vec::new();
            for (kind, half_vcpus, quarter_gib, pick) in ops {
                match kind {
                    0..=6 => {
                        let need = Capacity { milli_vcpu: half_vcpus * 500, mib: quarter_gib * 256, vms: 1 };
                        let scan = (0..hosts).filter(|&h| free[h].holds(need)).min_by_key(|&h| (free[h].mib, h));
                        prop_assert_eq!(pool.best_fit(need), scan);
                        if let Some(h) = scan {
                            pool.take(h, need);
                            free[h].sub(need);
                            placed.push((h, need));
                        }
                    }
                    7 | 8 if !placed.is_empty() => {
                        let (h, need) = placed.swap_remove(pick.index(placed.len()));
                        pool.give(h, need);
                        free[h].add(need);
                    }
                    _ => {
                        // A host fails (its VMs go) or, if down, comes back empty.
                        let h = pick.index(hosts);
                        let back = free[h] == Capacity::default();
                        placed.retain(|&(on, _)| on != h);
                        free[h] = if back { per_host } else { Capacity::default() };
                        pool.set_free(h, free[h]);
                    }
                }
            }
        }
    }
}
