//! VM ids, interned once: every id's text in one string and an end offset per VM, with a hash
//! table of (position, 32 bits of the id's hash) built on the first lookup. A million ids of ten
//! characters take about 18 MB here (36 MB once looked up), against about 100 MB as a `String`
//! per VM plus a `HashMap<String, u32>`, and reading them allocates nothing per row. The hash
//! bits kept in each slot spare a look at the text (a cache miss) for all but true matches, and
//! let the table grow without hashing any id again. A table read without lookups (a VM table
//! simulated without usage) never builds the index: its ids are checked for repeats by sorting
//! their hashes instead, which touches memory in order - or not at all when every id came after
//! the one before it (`vm-1`, `vm-2`, ..., `vm-10`): ids in a strict order cannot repeat.

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use std::hash::BuildHasher;
use std::sync::OnceLock;

type Index = HashTable<(u32, u32)>;

#[derive(Debug, Clone, Default)]
pub struct Ids {
    text: String,
    /// `ends[i]`: where id `i` ends in `text` (it starts where id `i - 1` ends).
    ends: Vec<usize>,
    /// (position, hash) of every id, once looked up. Lookups only: the table's order never
    /// reaches any output.
    index: OnceLock<Index>,
    /// Whether some id so far did not come after the one before it, comparing bytes
    /// (`[0]`) or length first, then bytes (`[1]`, the order of `vm-9` and `vm-10`).
    fell: [bool; 2],
}

impl Ids {
    /// The id at position `i`.
    pub fn get(&self, i: u32) -> &str {
        id_at(&self.text, &self.ends, i)
    }

    /// The position of an id.
    pub fn position(&self, id: &str) -> Option<u32> {
        let h = hash(id);
        self.index()
            .find(spread(h), |&(i, hi)| hi == h && self.get(i) == id)
            .map(|&(i, _)| i)
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let mut index = Index::with_capacity(self.ends.len());
            for i in 0..self.ends.len() as u32 {
                let h = hash(self.get(i));
                index.insert_unique(spread(h), (i, h), |&(_, hi)| spread(hi));
            }
            index
        })
    }

    /// Adds an id at the next position and returns it, or the position it already has.
    pub fn insert(&mut self, id: &str) -> Result<u32, u32> {
        self.index();
        let h = hash(id);
        let Ids {
            text, ends, index, ..
        } = self;
        let index = index.get_mut().expect("built above");
        let entry = index.entry(
            spread(h),
            |&(i, hi)| hi == h && id_at(text, ends, i) == id,
            |&(_, hi)| spread(hi),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(e) => Err(e.get().0),
            hashbrown::hash_table::Entry::Vacant(e) => {
                e.insert((ends.len() as u32, h));
                Ok(self.append(id))
            }
        }
    }

    /// Adds an id at the next position without looking for it first (see `first_repeat`).
    pub fn push(&mut self, id: &str) -> u32 {
        let i = self.append(id);
        if let Some(index) = self.index.get_mut() {
            let h = hash(id);
            index.insert_unique(spread(h), (i, h), |&(_, hi)| spread(hi));
        }
        i
    }

    /// Puts `id` after the others and notes whether it keeps them in order; returns its position.
    fn append(&mut self, id: &str) -> u32 {
        let i = self.ends.len() as u32;
        if let Some(last) = i.checked_sub(1).map(|l| self.get(l)) {
            // One comparison of the bytes serves both orders.
            let bytes = id.as_bytes().cmp(last.as_bytes());
            let length = id.len().cmp(&last.len()).then(bytes);
            self.fell[0] |= bytes.is_le();
            self.fell[1] |= length.is_le();
        }
        self.text.push_str(id);
        self.ends.push(self.text.len());
        i
    }

    /// The first position whose id was seen before, with the position where it was first seen:
    /// none if the ids came in a strict order, else ids sorted by (hash, position), then equal
    /// texts looked for among equal hashes.
    pub fn first_repeat(&self) -> Option<(u32, u32)> {
        if self.fell != [true, true] {
            return None;
        }
        let mut by_hash: Vec<(u32, u32)> = (0..self.ends.len() as u32)
            .map(|i| (hash(self.get(i)), i))
            .collect();
        by_hash.sort_unstable();
        let mut first: Option<(u32, u32)> = None;
        for run in by_hash.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
            for (k, &(_, later)) in run.iter().enumerate().skip(1) {
                let text = self.get(later);
                if let Some(&(_, earlier)) = run[..k].iter().find(|e| self.get(e.1) == text)
                    && first.is_none_or(|(f, _)| later < f)
                {
                    first = Some((later, earlier));
                }
            }
        }
        first
    }

    /// The same ids in a new order: the id at `order[i]` moves to position `i`; `moved` is the
    /// inverse (`moved[old] = new`). The hash table keeps its slots, only their positions change.
    pub fn reorder(self, order: &[u32], moved: &[u32]) -> Ids {
        // Whether the new order is strict is not worked out (it would compare every pair of
        // neighbours again): `first_repeat` sorts, as for any table.
        let (mut text, mut ends) = (String::with_capacity(self.text.len()), Vec::new());
        ends.reserve_exact(self.ends.len());
        for &old in order {
            text.push_str(self.get(old));
            ends.push(text.len());
        }
        let mut ids = Ids {
            text,
            ends,
            index: self.index,
            fell: [true, true],
        };
        if let Some(index) = ids.index.get_mut() {
            for (i, _) in index.iter_mut() {
                *i = moved[*i as usize];
            }
        }
        ids
    }

    /// Releases spare capacity once no more ids come.
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
        if let Some(index) = self.index.get_mut() {
            index.shrink_to_fit(|&(_, h)| spread(h));
        }
    }
}

/// 32 bits of an id's hash: enough to tell ids apart but for one pair in four billion.
fn hash(id: &str) -> u32 {
    (FxBuildHasher.hash_one(id) >> 32) as u32
}

/// The table's 64-bit hash from the 32 bits kept: multiplied by an odd constant (2^64 / golden
/// ratio) so that both the low bits (the bucket) and the top seven (the tag) depend on all 32.
fn spread(h: u32) -> u64 {
    u64::from(h).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Id `i` of the text and end offsets of `Ids`.
fn id_at<'a>(text: &'a str, ends: &[usize], i: u32) -> &'a str {
    let i = i as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] };
    &text[start..ends[i]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_found_by_text_and_reordered_with_their_positions() {
        let mut ids = Ids::default();
        assert_eq!(ids.insert("b"), Ok(0));
        assert_eq!(ids.insert("a-long-id"), Ok(1));
        assert_eq!(ids.insert(""), Ok(2));
        assert_eq!(ids.insert("b"), Err(0));
        assert_eq!((ids.get(0), ids.get(1), ids.get(2)), ("b", "a-long-id", ""));
        assert_eq!(ids.position("a-long-id"), Some(1));
        assert_eq!(ids.position("a"), None);
        // Position 1 moves to 0, 2 to 1, 0 to 2.
        let ids = ids.reorder(&[1, 2, 0], &[2, 0, 1]);
        assert_eq!((ids.get(0), ids.get(1), ids.get(2)), ("a-long-id", "", "b"));
        assert_eq!(ids.position("b"), Some(2));
        assert_eq!(ids.position("a-long-id"), Some(0));
    }

    #[test]
    fn repeats_are_found_by_sorting_and_the_earliest_is_reported() {
        let mut ids = Ids::default();
        for id in ["a", "b", "c", "b", "a", "c"] {
            ids.push(id);
        }
        // "b" at 3 repeats 1, before "a" at 4 repeats 0.
        assert_eq!(ids.first_repeat(), Some((3, 1)));
        let mut ids = Ids::default();
        ids.push("x");
        ids.push("y");
        assert_eq!(ids.first_repeat(), None);
        // In either strict order no id can repeat, and none is hashed to find out; out of both
        // orders, the sort finds the repeat.
        let pushed = |list: &[&str]| {
            let mut ids = Ids::default();
            list.iter().for_each(|id| _ = ids.push(id));
            ids
        };
        let by_length = pushed(&["vm-8", "vm-9", "vm-10"]);
        assert_eq!(
            (by_length.fell, by_length.first_repeat()),
            ([true, false], None)
        );
        let by_bytes = pushed(&["a", "ab", "b"]);
        assert_eq!(
            (by_bytes.fell, by_bytes.first_repeat()),
            ([false, true], None)
        );
        let neither = pushed(&["b", "ab", "b"]);
        assert_eq!(
            (neither.fell, neither.first_repeat()),
            ([true, true], Some((2, 0)))
        );
        // Pushes after the first lookup go into the index too.
        assert_eq!(ids.position("y"), Some(1));
        ids.push("z");
        assert_eq!(ids.position("z"), Some(2));
    }

    proptest::proptest! {
        // Sorting hashes finds the same first repeat as comparing every pair, and with no
        // repeat every id is found at its position, whether the index was built on the first
        // lookup or filled by `insert`.
        #[test]
        fn first_repeat_matches_a_pairwise_scan(ids in proptest::collection::vec("[a-d]{0,3}", 0..40)) {
            let mut pushed = Ids::default();
            for id in &ids {
                pushed.push(id);
            }
            let brute = (0..ids.len()).find_map(|j| {
                (0..j).find(|&i| ids[i] == ids[j]).map(|i| (j as u32, i as u32))
            });
            proptest::prop_assert_eq!(pushed.first_repeat(), brute);
            let mut inserted = Ids::default();
            let mut unique = Vec::new();
            for id in &ids {
                if inserted.insert(id).is_ok() {
                    unique.push(id.clone());
                }
            }
            for (k, id) in unique.iter().enumerate() {
                proptest::prop_assert_eq!(inserted.position(id), Some(k as u32));
                proptest::prop_assert_eq!(inserted.get(k as u32), id.as_str());
            }
            if brute.is_none() {
                for (k, id) in ids.iter().enumerate() {
                    proptest::prop_assert_eq!(pushed.position(id), Some(k as u32));
                }
            }
        }
    }
}
