//! VM ids, interned once: every id's text in one string, an end offset per VM, and a hash table
//! of (position, 32 bits of the id's hash). A million ids of ten characters take about 36 MB
//! here, against about 100 MB as a `String` per VM plus a `HashMap<String, u32>`, and reading
//! them allocates nothing per row. The hash bits kept in each slot spare a look at the text (a
//! cache miss) for all but true matches, and let the table grow without hashing any id again.

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use std::hash::BuildHasher;

#[derive(Debug, Clone, Default)]
pub struct Ids {
    text: String,
    /// `ends[i]`: where id `i` ends in `text` (it starts where id `i - 1` ends).
    ends: Vec<usize>,
    /// (position, hash) of every id. Lookups only: the table's order never reaches any output.
    index: HashTable<(u32, u32)>,
}

impl Ids {
    /// The id at position `i`.
    pub fn get(&self, i: u32) -> &str {
        id_at(&self.text, &self.ends, i)
    }

    /// The position of an id.
    pub fn position(&self, id: &str) -> Option<u32> {
        let h = hash(id);
        self.index
            .find(spread(h), |&(i, hi)| hi == h && self.get(i) == id)
            .map(|&(i, _)| i)
    }

    /// Adds an id at the next position and returns it, or the position it already has.
    pub fn insert(&mut self, id: &str) -> Result<u32, u32> {
        let h = hash(id);
        let Ids { text, ends, index } = self;
        let entry = index.entry(
            spread(h),
            |&(i, hi)| hi == h && id_at(text, ends, i) == id,
            |&(_, hi)| spread(hi),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(e) => Err(e.get().0),
            hashbrown::hash_table::Entry::Vacant(e) => {
                let i = ends.len() as u32;
                e.insert((i, h));
                text.push_str(id);
                ends.push(text.len());
                Ok(i)
            }
        }
    }

    /// The same ids in a new order: the id at `order[i]` moves to position `i`; `moved` is the
    /// inverse (`moved[old] = new`). The hash table keeps its slots, only their positions change.
    pub fn reorder(self, order: &[u32], moved: &[u32]) -> Ids {
        let mut text = String::with_capacity(self.text.len());
        let mut ends = Vec::with_capacity(self.ends.len());
        for &old in order {
            text.push_str(self.get(old));
            ends.push(text.len());
        }
        let mut index = self.index;
        for (i, _) in index.iter_mut() {
            *i = moved[*i as usize];
        }
        Ids { text, ends, index }
    }

    /// Releases spare capacity once no more ids come.
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.index.shrink_to_fit(|&(_, h)| spread(h));
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
}
