//! The index behind best-fit: every host in a treap (a binary search tree kept balanced by random
//! priorities) ordered by (free MiB, host number), each subtree holding the largest free CPU and
//! VM slots below it. The best-fit host - the least free memory that holds the VM, the lowest
//! host number on ties - is the leftmost host from (the VM's MiB, 0) on whose CPU and slots also
//! fit; subtrees whose maxima cannot hold the VM are skipped, so a host whose CPU is full costs
//! nothing however much memory it has left. Search and update take O(log hosts) (expected).
//!
//! Priorities are a fixed hash of the host number, so the tree's shape depends only on the hosts'
//! free capacity: runs stay deterministic.

use super::Capacity;

/// No child.
const NIL: u32 = u32::MAX;

/// 32 bytes, so that more of the tree stays in cache; the priority is recomputed, not stored.
#[derive(Debug, Clone)]
struct Node {
    /// This host's free MiB; with the host number, the key.
    mib: u64,
    /// This host's free milli-vCPU plus one if it can take another VM, else zero.
    slot_cpu: u64,
    /// The largest `slot_cpu` below: a subtree may hold a VM of c milli-vCPU only if this
    /// exceeds c, and then one host there has both the CPU and a slot.
    max_slot_cpu: u64,
    left: u32,
    right: u32,
}

/// Free CPU plus one if the host can take another VM, else zero.
fn slot_cpu(free: Capacity) -> u64 {
    if free.vms > 0 { free.milli_vcpu + 1 } else { 0 }
}

/// SplitMix64: a well-mixed, fixed priority for each host number.
fn priority(host: u32) -> u64 {
    let mut z = u64::from(host).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[derive(Debug, Clone)]
pub struct FreeMemoryIndex {
    /// Node i is host i.
    nodes: Vec<Node>,
    root: u32,
}

impl FreeMemoryIndex {
    /// An index of hosts with the given free capacity, host i at `free[i]`.
    pub fn new(free: impl IntoIterator<Item = Capacity>) -> FreeMemoryIndex {
        let mut index = FreeMemoryIndex {
            nodes: Vec::new(),
            root: NIL,
        };
        for (host, free) in free.into_iter().enumerate() {
            index.nodes.push(Node {
                mib: free.mib,
                slot_cpu: slot_cpu(free),
                max_slot_cpu: 0,
                left: NIL,
                right: NIL,
            });
            index.root = index.insert(index.root, host as u32);
        }
        index
    }

    /// Moves `host` to its new free capacity.
    pub fn set(&mut self, host: usize, free: Capacity) {
        self.root = self.reposition(self.root, host as u32, free);
    }

    /// Gives node `x`, somewhere below `t`, its new capacity; returns the subtree's new root.
    /// Where the old and the new key lead the same way only the maxima change; from the node
    /// where they part (usually deep: a placement moves a host past few others) `x` is taken out
    /// and put back.
    fn reposition(&mut self, t: u32, x: u32, free: Capacity) -> u32 {
        let (old, new) = (self.key(x), (free.mib, x));
        if t != x && (old < self.key(t)) == (new < self.key(t)) {
            let n = &self.nodes[t as usize];
            if old < self.key(t) {
                let left = self.reposition(n.left, x, free);
                self.nodes[t as usize].left = left;
            } else {
                let right = self.reposition(n.right, x, free);
                self.nodes[t as usize].right = right;
            }
            self.pull(t);
            return t;
        }
        let rest = self.remove(t, x);
        let node = &mut self.nodes[x as usize];
        (node.mib, node.slot_cpu, node.left, node.right) = (free.mib, slot_cpu(free), NIL, NIL);
        self.insert(rest, x)
    }

    /// The host with the least free memory that holds `need`, the lowest-numbered on ties.
    /// `need` is one VM: it takes exactly one slot (`HostPool::best_fit` asks only then).
    pub fn best_fit(&self, need: Capacity) -> Option<usize> {
        debug_assert_eq!(need.vms, 1, "the index answers for one VM at a time");
        self.leftmost_from(self.root, (need.mib, 0), need.milli_vcpu)
            .map(|x| x as usize)
    }

    fn key(&self, x: u32) -> (u64, u32) {
        (self.nodes[x as usize].mib, x)
    }

    /// The first host in key order at or after `from` below `t` with a slot and more than
    /// `cpu - 1` milli-vCPU free. Only the path to `from` can lead into a subtree without an
    /// answer; a subtree wholly at or after `from` whose maximum passes has one, so the search
    /// ends in it.
    fn leftmost_from(&self, t: u32, from: (u64, u32), cpu: u64) -> Option<u32> {
        if t == NIL || self.nodes[t as usize].max_slot_cpu <= cpu {
            return None;
        }
        let n = &self.nodes[t as usize];
        if self.key(t) < from {
            return self.leftmost_from(n.right, from, cpu);
        }
        self.leftmost_from(n.left, from, cpu)
            .or_else(|| (n.slot_cpu > cpu).then_some(t))
            .or_else(|| self.leftmost_from(n.right, from, cpu))
    }

    /// Recomputes `t`'s subtree maxima from its own capacity and its children's.
    fn pull(&mut self, t: u32) {
        let n = &self.nodes[t as usize];
        let mut max = n.slot_cpu;
        for child in [n.left, n.right] {
            if child != NIL {
                max = max.max(self.nodes[child as usize].max_slot_cpu);
            }
        }
        self.nodes[t as usize].max_slot_cpu = max;
    }

    /// Inserts the detached node `x` below `t`; returns the subtree's new root.
    fn insert(&mut self, t: u32, x: u32) -> u32 {
        if t == NIL {
            self.pull(x);
            return x;
        }
        if priority(x) > priority(t) {
            let (left, right) = self.split(t, self.key(x));
            let node = &mut self.nodes[x as usize];
            (node.left, node.right) = (left, right);
            self.pull(x);
            return x;
        }
        if self.key(x) < self.key(t) {
            let left = self.insert(self.nodes[t as usize].left, x);
            self.nodes[t as usize].left = left;
        } else {
            let right = self.insert(self.nodes[t as usize].right, x);
            self.nodes[t as usize].right = right;
        }
        self.pull(t);
        t
    }

    /// Splits the subtree `t` into the keys before `key` and those at or after it.
    fn split(&mut self, t: u32, key: (u64, u32)) -> (u32, u32) {
        if t == NIL {
            return (NIL, NIL);
        }
        if self.key(t) < key {
            let (mid, right) = self.split(self.nodes[t as usize].right, key);
            self.nodes[t as usize].right = mid;
            self.pull(t);
            (t, right)
        } else {
            let (left, mid) = self.split(self.nodes[t as usize].left, key);
            self.nodes[t as usize].left = mid;
            self.pull(t);
            (left, t)
        }
    }

    /// Takes node `x` out of the subtree `t`; returns the subtree's new root.
    fn remove(&mut self, t: u32, x: u32) -> u32 {
        if t == x {
            let n = &self.nodes[t as usize];
            return self.merge(n.left, n.right);
        }
        if self.key(x) < self.key(t) {
            let left = self.remove(self.nodes[t as usize].left, x);
            self.nodes[t as usize].left = left;
        } else {
            let right = self.remove(self.nodes[t as usize].right, x);
            self.nodes[t as usize].right = right;
        }
        self.pull(t);
        t
    }

    /// Joins two subtrees, every key of `a` before every key of `b`.
    fn merge(&mut self, a: u32, b: u32) -> u32 {
        if a == NIL {
            return b;
        }
        if b == NIL {
            return a;
        }
        if priority(a) > priority(b) {
            let right = self.merge(self.nodes[a as usize].right, b);
            self.nodes[a as usize].right = right;
            self.pull(a);
            a
        } else {
            let left = self.merge(a, self.nodes[b as usize].left);
            self.nodes[b as usize].left = left;
            self.pull(b);
            b
        }
    }
}
