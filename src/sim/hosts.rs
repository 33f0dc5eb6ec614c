//! A private site's hosts, indexed for first-fit placement in O(log hosts): a segment tree whose
//! nodes hold the largest free CPU and the largest free memory below them. A subtree whose maxima
//! cannot hold the VM is skipped; only where the two maxima sit on different hosts does the
//! search look into both children.
//!
//! Capacities are integers (milli-vCPU, MiB) so that taking and giving back is exact.

/// Free capacity of one host or the maxima of a subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Capacity {
    pub milli_vcpu: u64,
    pub mib: u64,
}

impl Capacity {
    /// Converts vCPUs and GiB to the integer units the pool counts in.
    pub fn of(vcpus: f64, mem_gib: f64) -> Capacity {
        Capacity {
            milli_vcpu: (vcpus * 1000.0).round() as u64,
            mib: (mem_gib * 1024.0).round() as u64,
        }
    }

    /// Whether this much free room can take `need`.
    pub fn holds(self, need: Capacity) -> bool {
        self.milli_vcpu >= need.milli_vcpu && self.mib >= need.mib
    }

    fn max(self, other: Capacity) -> Capacity {
        Capacity {
            milli_vcpu: self.milli_vcpu.max(other.milli_vcpu),
            mib: self.mib.max(other.mib),
        }
    }
}

#[derive(Debug, Clone)]
pub struct HostPool {
    hosts: usize,
    /// Number of leaves: the next power of two >= hosts.
    leaves: usize,
    /// Heap-ordered tree: node 1 is the root, node i has children 2i and 2i+1, leaf h is
    /// `leaves + h`. Leaves past `hosts` stay empty.
    tree: Vec<Capacity>,
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

    /// Free capacity of one host.
    pub fn free(&self, host: usize) -> Capacity {
        self.tree[self.leaves + host]
    }

    /// Takes `need` from `host`, which must have room (checked by `first_fit`).
    pub fn take(&mut self, host: usize, need: Capacity) {
        let leaf = &mut self.tree[self.leaves + host];
        debug_assert!(leaf.holds(need), "host {host} over capacity");
        leaf.milli_vcpu -= need.milli_vcpu;
        leaf.mib -= need.mib;
        self.update(host);
    }

    /// Gives `need` back to `host`.
    pub fn give(&mut self, host: usize, need: Capacity) {
        let leaf = &mut self.tree[self.leaves + host];
        leaf.milli_vcpu += need.milli_vcpu;
        leaf.mib += need.mib;
        self.update(host);
    }

    fn update(&mut self, host: usize) {
        let mut node = (self.leaves + host) / 2;
        while node >= 1 {
            self.tree[node] = self.tree[2 * node].max(self.tree[2 * node + 1]);
            node /= 2;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cap(vcpus: u64, gib: u64) -> Capacity {
        Capacity {
            milli_vcpu: vcpus * 1000,
            mib: gib * 1024,
        }
    }

    #[test]
    fn first_fit_fills_the_lowest_host_first() {
        // Three hosts of 4 vCPU / 16 GiB.
        let mut pool = HostPool::new(3, cap(4, 16));
        let a = pool.first_fit(cap(2, 8)).unwrap();
        pool.take(a, cap(2, 8));
        let b = pool.first_fit(cap(2, 8)).unwrap();
        pool.take(b, cap(2, 8));
        assert_eq!((a, b), (0, 0)); // host 0 holds both: 2+2 = 4 vCPU, 8+8 = 16 GiB
        // A third 2/8 VM no longer fits host 0 and goes to host 1.
        assert_eq!(pool.first_fit(cap(2, 8)), Some(1));
        pool.give(0, cap(2, 8));
        assert_eq!(pool.first_fit(cap(2, 8)), Some(0)); // freed room is reused
        assert_eq!(pool.first_fit(cap(5, 1)), None); // larger than any host
    }

    #[test]
    fn cpu_and_memory_maxima_on_different_hosts_do_not_fool_the_search() {
        // Host 0 keeps CPU but no memory, host 1 memory but no CPU, host 2 both.
        let mut pool = HostPool::new(3, cap(4, 16));
        pool.take(0, cap(0, 16));
        pool.take(1, cap(4, 0));
        // The root says "4 vCPU and 16 GiB free somewhere", but only host 2 has both.
        assert_eq!(pool.first_fit(cap(1, 1)), Some(2));
        assert_eq!(pool.free(2), cap(4, 16));
    }

    proptest! {
        /// The tree answers exactly as a linear scan over hosts would, and no host ever goes over
        /// capacity, whatever the order of arrivals and departures.
        #[test]
        fn matches_a_linear_scan(hosts in 1usize..20, ops in prop::collection::vec((0u64..5, 0u64..20, any::<bool>()), 1..200)) {
            let per_host = cap(4, 16);
            let mut pool = HostPool::new(hosts, per_host);
            let mut free = vec![per_host; hosts];
            let mut placed: Vec<(usize, Capacity)> = Vec::new();
            for (vcpus, gib, leave) in ops {
                if leave && !placed.is_empty() {
                    let (h, need) = placed.remove(0);
                    pool.give(h, need);
                    free[h].milli_vcpu += need.milli_vcpu;
                    free[h].mib += need.mib;
                    continue;
                }
                let need = cap(vcpus, gib);
                let scan = free.iter().position(|f| f.holds(need));
                prop_assert_eq!(pool.first_fit(need), scan);
                if let Some(h) = scan {
                    pool.take(h, need);
                    free[h].milli_vcpu -= need.milli_vcpu;
                    free[h].mib -= need.mib;
                    placed.push((h, need));
                }
                for (h, f) in free.iter().enumerate() {
                    prop_assert_eq!(pool.free(h), *f);
                    prop_assert!(f.milli_vcpu <= per_host.milli_vcpu && f.mib <= per_host.mib);
                }
            }
        }
    }
}
