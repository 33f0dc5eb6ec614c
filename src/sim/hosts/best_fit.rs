//! The index behind best-fit: the hosts sorted by (free MiB, host number) and cut into short
//! blocks, each knowing the largest free CPU among its hosts with a VM slot, with a segment tree
//! over the blocks' maxima. The best-fit host - the least free memory that holds the VM, the
//! lowest host number on ties - is the first host from (the VM's MiB, 0) on whose CPU and slot
//! also fit: the search reads the rest of the first block, then asks the tree for the next block
//! whose maximum passes and takes the first host there that fits, so blocks of hosts whose CPU
//! is full cost nothing however much memory they have left. O(log hosts + B) a search.
//!
//! An update takes the host out of its block and puts it back where its new key goes (the same
//! block is tried first): binary searches over the blocks' last keys and in the block, shifts of
//! at most 2B entries and a leaf of the tree; when the new key stays in the block, only the
//! entries between the old and the new place shift (`move_within`). Nothing is allocated unless a block splits (past
//! 2B hosts), is emptied or joins a neighbour (at B/4 or less, if both fit in B): rare, since that
//! takes about B moves into or out of one block, and then the tree over the blocks is rebuilt.
//! An earlier version kept the hosts in a treap (a tree balanced by random priorities): the same
//! answers for about 1.7 times the instructions per update and 2.3 times per search (README,
//! "Placement"). No order of updates changes an answer: it depends only on the hosts' keys and
//! free CPU, never on how the blocks happen to be cut.

use super::Capacity;

/// Hosts per block after a split; a block splits when it passes twice this. Tests use short
/// blocks so that splits and merges happen on small pools.
const B: usize = if cfg!(test) { 4 } else { 64 };

/// A host's place in the order: its free MiB in the high 32 bits, its number in the low 32, so
/// that keys compare as (free MiB, host) in one instruction and take 8 bytes, not 16.
type Key = u64;

/// The key of `host` with `mib` free. Books stop at 10^6 GiB of memory a host (README,
/// "Limits"), about 2^30 MiB, so the free MiB always fit in 32 bits.
fn key(mib: u64, host: usize) -> Key {
    let mib = u32::try_from(mib).expect("a host's free memory is under 4 PiB (books' limit)");
    debug_assert!(host <= u32::MAX as usize, "at most 100,000 hosts a venue");
    (u64::from(mib) << 32) | host as u64
}

fn host_of(key: Key) -> usize {
    key as u32 as usize
}

/// A run of hosts in key order: their keys and, apart so that a search for CPU reads 8 bytes a
/// host, their free CPU with a slot.
#[derive(Debug, Clone, Default)]
struct Block {
    keys: Vec<Key>,
    /// Free milli-vCPU plus one if the host can take another VM, else zero: a VM of c
    /// milli-vCPU fits if this exceeds c.
    cpu: Vec<u64>,
}

impl Block {
    fn len(&self) -> usize {
        self.keys.len()
    }

    /// Where `key` is or would go.
    fn find(&self, key: Key) -> usize {
        self.keys.partition_point(|&k| k < key)
    }

    /// The first host from `start` on with more than `cpu` free (and a slot).
    fn first_over(&self, start: usize, cpu: u64) -> Option<usize> {
        let at = self.cpu[start..].iter().position(|&c| c > cpu)?;
        Some(host_of(self.keys[start + at]))
    }

    fn max(&self) -> u64 {
        self.cpu.iter().copied().max().unwrap_or(0)
    }

    fn last(&self) -> Key {
        self.keys[self.keys.len() - 1]
    }

    /// The hosts from `at` on, taken out into a block of their own.
    fn split_off(&mut self, at: usize) -> Block {
        Block {
            keys: self.keys.split_off(at),
            cpu: self.cpu.split_off(at),
        }
    }
}

/// Free CPU plus one if the host can take another VM, else zero.
fn slot_cpu(free: Capacity) -> u64 {
    if free.vms > 0 { free.milli_vcpu + 1 } else { 0 }
}

#[derive(Debug, Clone)]
pub struct FreeMemoryIndex {
    /// Each host's key, by host number: where to find it.
    key_of: Vec<Key>,
    /// The hosts in key order, in blocks of 1 to 2B; none is empty.
    blocks: Vec<Block>,
    /// The last key of each block, for the binary search over blocks.
    lasts: Vec<Key>,
    /// The largest free CPU with a slot of each block.
    maxes: Vec<u64>,
    /// Segment tree over `maxes`: node 1 the root, node i's children 2i and 2i + 1, block k at
    /// leaf `leaves + k`; leaves past the blocks hold 0.
    tree: Vec<u64>,
    leaves: usize,
}

impl FreeMemoryIndex {
    /// An index of hosts with the given free capacity, host i at `free[i]`.
    pub fn new(free: impl IntoIterator<Item = Capacity>) -> FreeMemoryIndex {
        let mut entries: Vec<(Key, u64)> = free
            .into_iter()
            .enumerate()
            .map(|(host, free)| (key(free.mib, host), slot_cpu(free)))
            .collect();
        let key_of = entries.iter().map(|e| e.0).collect();
        entries.sort_unstable();
        let blocks: Vec<Block> = entries
            .chunks(B)
            .map(|chunk| Block {
                keys: chunk.iter().map(|e| e.0).collect(),
                cpu: chunk.iter().map(|e| e.1).collect(),
            })
            .collect();
        let mut index = FreeMemoryIndex {
            key_of,
            lasts: blocks.iter().map(Block::last).collect(),
            maxes: blocks.iter().map(Block::max).collect(),
            blocks,
            tree: Vec::new(),
            leaves: 0,
        };
        index.rebuild_tree();
        index
    }

    /// The host with the least free memory that holds `need`, the lowest-numbered on ties.
    /// `need` is one VM: it takes exactly one slot (`HostPool::best_fit` asks only then).
    pub fn best_fit(&self, need: Capacity) -> Option<usize> {
        debug_assert_eq!(need.vms, 1, "the index answers for one VM at a time");
        // More MiB than a key holds is more than any host has.
        let from = key(u32::try_from(need.mib).ok()?.into(), 0);
        let cpu = need.milli_vcpu;
        let first = self.lasts.partition_point(|&last| last < from);
        let block = self.blocks.get(first)?;
        if self.maxes[first] > cpu
            && let Some(host) = block.first_over(block.find(from), cpu)
        {
            return Some(host);
        }
        let next = self.first_block_over(first + 1, cpu)?;
        self.blocks[next].first_over(0, cpu)
    }

    /// Moves `host` to its new free capacity.
    pub fn set(&mut self, host: usize, free: Capacity) {
        let (old, new) = (self.key_of[host], key(free.mib, host));
        let b = self.lasts.partition_point(|&last| last < old);
        self.key_of[host] = new;
        if !self.move_within(b, old, new, slot_cpu(free)) {
            self.take_out(b, old);
            self.put_in(new, slot_cpu(free), b);
        }
    }

    /// Moves a host from key `old` to `new` inside block `b`, where taking it out and putting
    /// it back would leave it (the same blocks either way): only the entries between its old and
    /// new places shift, by one. Most updates are such moves (a placement or a departure
    /// changes a host's free memory by a few GiB), and doing them in place saves a second search
    /// and half the shifting. Returns false, changing nothing, when the host belongs in another
    /// block or the block is short enough that taking the host out might join it to a neighbour.
    fn move_within(&mut self, b: usize, old: Key, new: Key, cpu: u64) -> bool {
        let n = self.blocks.len();
        let block = &mut self.blocks[b];
        let len = block.len();
        if len - 1 <= B / 4 {
            return false;
        }
        let at = block.find(old);
        debug_assert_eq!(block.keys[at], old, "the host is where its key says");
        // The block's bounds without the host: put_in's test of the block it came from.
        let last = if at + 1 == len {
            block.keys[len - 2]
        } else {
            self.lasts[b]
        };
        if (b > 0 && new <= self.lasts[b - 1]) || (b + 1 < n && new > last) {
            return false;
        }
        let to = if new > old {
            // The hosts after it with keys below `new` move one place towards the front.
            let to = at + block.keys[at + 1..].partition_point(|&k| k < new);
            block.keys[at..=to].rotate_left(1);
            block.cpu[at..=to].rotate_left(1);
            to
        } else {
            let to = block.keys[..at].partition_point(|&k| k < new);
            block.keys[to..=at].rotate_right(1);
            block.cpu[to..=at].rotate_right(1);
            to
        };
        let gone = std::mem::replace(&mut block.cpu[to], cpu);
        block.keys[to] = new;
        self.lasts[b] = block.last();
        // The block's maximum: raised by the host, or, if the host held it and dropped, found
        // again among the rest.
        let max = if cpu >= self.maxes[b] {
            cpu
        } else if gone == self.maxes[b] {
            block.max()
        } else {
            return true;
        };
        if max != self.maxes[b] {
            self.maxes[b] = max;
            self.update_tree(b);
        }
        true
    }

    /// Takes the host with key `key` out of block `b`.
    fn take_out(&mut self, b: usize, key: Key) {
        let block = &mut self.blocks[b];
        let at = block.find(key);
        debug_assert_eq!(block.keys[at], key, "the host is where its key says");
        block.keys.remove(at);
        let gone = block.cpu.remove(at);
        if block.len() == 0 {
            self.blocks.remove(b);
            self.lasts.remove(b);
            self.maxes.remove(b);
            self.rebuild_tree();
            return;
        }
        if at == block.len() {
            self.lasts[b] = block.last();
        }
        let short = block.len() <= B / 4;
        if gone == self.maxes[b] {
            self.maxes[b] = block.max();
            self.update_tree(b);
        }
        if short {
            self.merge_small(b);
        }
    }

    /// Puts a host with `key` and `cpu` into the first block whose last key is at or after
    /// `key`, else into the last block; block `near` (where the host was) is tried first.
    fn put_in(&mut self, key: Key, cpu: u64, near: usize) {
        let n = self.blocks.len();
        if n == 0 {
            // The pool's only host.
            self.blocks.push(Block {
                keys: vec![key],
                cpu: vec![cpu],
            });
            (self.lasts, self.maxes) = (vec![key], vec![cpu]);
            self.rebuild_tree();
            return;
        }
        let holds = |b: usize| {
            b < n && (b == 0 || self.lasts[b - 1] < key) && (b == n - 1 || key <= self.lasts[b])
        };
        let b = if holds(near) {
            near
        } else {
            self.lasts.partition_point(|&last| last < key).min(n - 1)
        };
        let block = &mut self.blocks[b];
        let at = block.find(key);
        block.keys.insert(at, key);
        block.cpu.insert(at, cpu);
        if at + 1 == block.len() {
            self.lasts[b] = key;
        }
        if block.len() > 2 * B {
            let tail = block.split_off(B);
            self.lasts.insert(b, block.last());
            self.maxes[b] = block.max();
            self.maxes.insert(b + 1, tail.max());
            self.blocks.insert(b + 1, tail);
            self.rebuild_tree();
        } else if cpu > self.maxes[b] {
            self.maxes[b] = cpu;
            self.update_tree(b);
        }
    }

    /// Joins the short block `b` with the next one, or else the one before, if both fit in B
    /// hosts (not 2B, so that the joined block does not split again after a few moves).
    fn merge_small(&mut self, b: usize) {
        let len = |k: usize| self.blocks.get(k).map_or(usize::MAX, Block::len);
        let first = if len(b + 1) <= B - len(b) {
            b
        } else if b > 0 && len(b - 1) <= B - len(b) {
            b - 1
        } else {
            return;
        };
        let second = self.blocks.remove(first + 1);
        self.blocks[first].keys.extend(second.keys);
        self.blocks[first].cpu.extend(second.cpu);
        self.lasts.remove(first);
        let max = self.maxes.remove(first + 1);
        self.maxes[first] = self.maxes[first].max(max);
        self.rebuild_tree();
    }

    /// The first block from `from` on with a host whose free CPU with a slot exceeds `cpu`.
    fn first_block_over(&self, from: usize, cpu: u64) -> Option<usize> {
        if from >= self.blocks.len() || self.tree[1] <= cpu {
            return None;
        }
        // Climb from the leaf while the answer cannot be below: a left child's sibling to the
        // right covers later blocks; a right child's covers earlier ones.
        let mut node = self.leaves + from;
        while self.tree[node] <= cpu {
            while node % 2 == 1 {
                node /= 2;
                if node == 1 {
                    return None;
                }
            }
            node += 1;
        }
        while node < self.leaves {
            node = if self.tree[2 * node] > cpu {
                2 * node
            } else {
                2 * node + 1
            };
        }
        Some(node - self.leaves)
    }

    /// Block `b`'s maximum changed: its leaf, then the nodes above up to the first that stays
    /// the same.
    fn update_tree(&mut self, b: usize) {
        let mut node = self.leaves + b;
        self.tree[node] = self.maxes[b];
        while node > 1 {
            node /= 2;
            let max = self.tree[2 * node].max(self.tree[2 * node + 1]);
            if self.tree[node] == max {
                break;
            }
            self.tree[node] = max;
        }
    }

    /// Builds the tree again from the blocks' maxima after blocks were added or taken away.
    fn rebuild_tree(&mut self) {
        self.leaves = self.blocks.len().next_power_of_two();
        self.tree.clear();
        self.tree.resize(2 * self.leaves, 0);
        self.tree[self.leaves..self.leaves + self.maxes.len()].copy_from_slice(&self.maxes);
        for node in (1..self.leaves).rev() {
            self.tree[node] = self.tree[2 * node].max(self.tree[2 * node + 1]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Checks the blocks against the hosts: every host once, in key order, each block 1 to 2B
    /// long, the last keys and the tree's maxima right.
    fn check(index: &FreeMemoryIndex) {
        let all: Vec<Key> = index.blocks.iter().flat_map(|b| b.keys.clone()).collect();
        assert_eq!(all.len(), index.key_of.len());
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        for &k in &all {
            assert_eq!(index.key_of[host_of(k)], k);
        }
        for (k, block) in index.blocks.iter().enumerate() {
            assert!((1..=2 * B).contains(&block.len()));
            assert_eq!(block.cpu.len(), block.len());
            assert_eq!(index.lasts[k], block.last());
            let max = *block.cpu.iter().max().unwrap();
            assert_eq!(
                (index.maxes[k], index.tree[index.leaves + k]),
                (max, max),
                "block {k}"
            );
        }
        assert_eq!(
            (index.lasts.len(), index.maxes.len()),
            (index.blocks.len(), index.blocks.len())
        );
        for node in 1..index.leaves {
            let max = index.tree[2 * node].max(index.tree[2 * node + 1]);
            assert_eq!(index.tree[node], max, "node {node}");
        }
    }

    proptest! {
        /// After any sequence of updates (small moves within a block, large ones across blocks,
        /// to no room and back, enough hosts to split and merge blocks) the blocks stay
        /// consistent and the answer is the brute-force one: least free MiB holding the VM,
        /// lowest host on ties.
        #[test]
        fn blocks_and_answers_stay_right(
            hosts in 1usize..400,
            ops in prop::collection::vec((any::<prop::sample::Index>(), 0u64..9, 0u64..64, 0u64..3, 0u64..9, 0u64..64), 1..300),
        ) {
            let cap = |cpu: u64, mib: u64, vms: u64| Capacity { milli_vcpu: cpu * 500, mib: mib * 64, vms };
            let mut free = vec![cap(8, 63, 2); hosts];
            let mut index = FreeMemoryIndex::new(free.iter().copied());
            check(&index);
            for (pick, cpu, mib, vms, need_cpu, need_mib) in ops {
                let h = pick.index(hosts);
                free[h] = cap(cpu, mib, vms);
                index.set(h, free[h]);
                check(&index);
                let need = cap(need_cpu, need_mib, 1);
                let scan = (0..hosts).filter(|&h| free[h].holds(need)).min_by_key(|&h| (free[h].mib, h));
                prop_assert_eq!(index.best_fit(need), scan);
            }
        }
    }

    #[test]
    fn blocks_split_past_2b_hosts_and_go_when_empty() {
        // Ten hosts of 8 vCPU / 4 GiB in blocks of B = 4 (tests): hosts 0-3, 4-7, 8-9.
        let lens =
            |index: &FreeMemoryIndex| index.blocks.iter().map(Block::len).collect::<Vec<_>>();
        let mut index = FreeMemoryIndex::new(vec![Capacity::room(8.0, 4.0, None); 10]);
        assert_eq!(lens(&index), [4, 4, 2]);
        // Hosts 9, 8, 7, 6, 5 drop to 1 GiB, each to the front of the keys (block 0). Host 9
        // leaves [8] (too short, but 4 + 1 > B: no merge); host 8 empties the last block; hosts
        // 7 and 6 leave [4, 5] then [4]; host 5 makes block 0 nine long: it splits 4 + 5.
        for h in [9, 8, 7, 6, 5] {
            index.set(h, Capacity::room(8.0, 1.0, None));
            check(&index);
        }
        assert_eq!(lens(&index), [4, 5, 1]);
        // Host 4 to 2 GiB empties the last block; its key (2 GiB, 4) goes after (1 GiB, 9).
        index.set(4, Capacity::room(8.0, 2.0, None));
        check(&index);
        assert_eq!(lens(&index), [4, 6]);
        let fit = |index: &FreeMemoryIndex, vcpus, gib| index.best_fit(Capacity::of(vcpus, gib));
        // 1 GiB is the least free memory: hosts 5 to 9, the lowest on the tie.
        let tightest = [(1.0, 0.5), (1.0, 1.5), (1.0, 3.0)].map(|(c, m)| fit(&index, c, m));
        assert_eq!(tightest, [Some(5), Some(4), Some(0)]);
        assert_eq!(fit(&index, 9.0, 0.5), None); // no host has 9 vCPUs
        // Hosts 5 and 6 lose their CPU: the tightest host with room is 7, from block 0's rest;
        // with 5 to 9 full, it is host 4, first in block 1 (found by the tree).
        for h in [5, 6] {
            index.set(h, Capacity::room(0.0, 1.0, None));
        }
        assert_eq!(fit(&index, 1.0, 0.5), Some(7));
        for h in [7, 8, 9] {
            index.set(h, Capacity::room(0.0, 1.0, None));
        }
        check(&index);
        assert_eq!(fit(&index, 1.0, 0.5), Some(4));
    }

    #[test]
    fn a_short_block_joins_a_neighbour_with_room() {
        // Five hosts of 4 GiB in blocks of B = 4: [0, 1, 2, 3] [4]. Hosts 3, 2 and 1 go to 8 GiB,
        // to the end of the keys: [0, 1, 2] [4, 3], then [0, 1] [4, 2, 3]; host 1 leaves [0]
        // (1 <= B / 4), which joins [4, 2, 3] (1 + 3 <= B) before host 1 goes in after 4.
        let mut index = FreeMemoryIndex::new(vec![Capacity::room(8.0, 4.0, None); 5]);
        let hosts = |index: &FreeMemoryIndex| {
            let block = |b: &Block| b.keys.iter().map(|&k| host_of(k)).collect::<Vec<_>>();
            index.blocks.iter().map(block).collect::<Vec<_>>()
        };
        let mut seen = Vec::new();
        for h in [3, 2, 1] {
            index.set(h, Capacity::room(8.0, 8.0, None));
            check(&index);
            seen.push(hosts(&index));
        }
        assert_eq!(seen[0], [vec![0, 1, 2], vec![4, 3]]);
        assert_eq!(seen[1], [vec![0, 1], vec![4, 2, 3]]);
        assert_eq!(seen[2], [vec![0, 4, 1, 2, 3]]);
    }
}
