//! Checks on shard files before `merge` (README, "Sharded runs in CI"): every shard of one
//! scenario text (its hash), of one shard count N, each K at most once (a missing one is named
//! when the items are counted), each holding exactly the items
//! K-1, K-1+N, ... of the study and only finite figures. A shard that fails is bad input naming
//! its file, so a corrupt or foreign shard never merges into a plausible result.

use super::bad_input;
use super::study::shard_indices;
use crate::error::Error;
use crate::text::quote;
use crate::uncertainty::stats::Partial;
use crate::uncertainty::study::PAIRS;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The hash a shard records of its scenario's text: FNV-1a, 64 bits, in hex. Not a defence
/// against forgery, a guard against merging shards of two versions of a scenario.
pub fn scenario_hash(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("fnv1a64:{h:016x}")
}

/// What the shards read so far agree on, and which of them came.
#[derive(Default)]
pub struct Shards {
    /// The first shard's file, scenario hash, N and currency.
    first: Option<(PathBuf, String, u32, String)>,
    /// Shards seen, by K.
    seen: BTreeMap<u32, PathBuf>,
}

impl Shards {
    /// Checks shard file `path` against the shards before it.
    pub fn add(&mut self, path: &Path, p: &Partial) -> Result<(), Error> {
        let bad = |msg: String| Err(bad_input(path, msg));
        let Some((k, n)) = parse_shard(&p.shard) else {
            return bad(format!(
                "shard {} is not K/N with 1 <= K <= N",
                quote(&p.shard)
            ));
        };
        let (first, hash, of, currency) = self.first.get_or_insert_with(|| {
            let (hash, currency) = (p.scenario_hash.clone(), p.header.currency.clone());
            (path.to_path_buf(), hash, n, currency)
        });
        if p.header.currency != *currency {
            return bad(format!(
                "is in {} but {} is in {}; runs in different currencies cannot be merged",
                quote(&p.header.currency),
                first.display(),
                quote(currency)
            ));
        }
        if p.scenario_hash != *hash {
            return bad(format!(
                "was run on another scenario text than {} (scenario hash {} vs {}); shards of different scenario versions cannot be merged",
                first.display(),
                quote(&p.scenario_hash),
                quote(hash)
            ));
        }
        if n != *of {
            return bad(format!(
                "is shard {k}/{n} but {} is one of {of} shards; shards of different splits cannot be merged",
                first.display()
            ));
        }
        if let Some(other) = self.seen.insert(k, path.to_path_buf()) {
            return bad(format!(
                "is shard {k}/{n}, as {} is: shards overlap",
                other.display()
            ));
        }
        let items = study_items(p).filter(|&i| i <= MAX_ITEMS).ok_or_else(|| {
            let msg = format!("claims a study of more than {MAX_ITEMS} items; the file is corrupt");
            bad_input(path, msg)
        })? as u32;
        let mut have: Vec<u32> = p.records.iter().map(|r| r.index).collect();
        have.sort_unstable();
        // Items K-1, K-1+N, ... below `items`: counted before listed, so a corrupt count cannot
        // make a huge list (a count that differs stands for a list that cannot match).
        let count = items.saturating_sub(k - 1).div_ceil(n) as usize;
        let want = match have.len() == count {
            true => shard_indices(items, (k, n)),
            false => vec![u32::MAX],
        };
        if have != want {
            let show = |v: &[u32]| {
                let more = if v.len() > 5 { " ..." } else { "" };
                format!("{:?}{more}", &v[..v.len().min(5)])
            };
            return bad(format!(
                "holds {} items {} but shard {k}/{n} of a study of {items} items holds {count}; the file is incomplete or corrupt",
                have.len(),
                show(&have),
            ));
        }
        for r in &p.records {
            let m = &r.metrics;
            let figures = [m.total, m.shortfall_vm_hours, m.carbon_kg, m.vm_hours];
            let venues = m.venues.iter().map(|(_, v)| *v);
            if let Some(v) = figures
                .into_iter()
                .chain(venues)
                .chain(r.values.iter().copied())
                .find(|v| !v.is_finite())
            {
                return bad(format!(
                    "item {} holds {v}, not a finite number; the file is corrupt",
                    r.index
                ));
            }
        }
        Ok(())
    }
}

/// The most work items a study may have: `MAX_REPLICATIONS` and the sensitivity runs of a
/// thousand parameters, with room to spare.
const MAX_ITEMS: u64 = 10_000_000;

/// The study's item count from a shard's header, in u64 so that a corrupt header cannot
/// overflow it (`Header::items` is u32).
fn study_items(p: &Partial) -> Option<u64> {
    let h = &p.header;
    if h.sweep.is_empty() {
        let sensitivity = 2 * u64::from(PAIRS) * h.parameters.len() as u64;
        Some(u64::from(h.replications) + sensitivity)
    } else {
        // Every point of a sweep runs `replications` times (`uncertainty::item_count`).
        h.sweep
            .iter()
            .try_fold(u64::from(h.replications.max(1)), |n, a| {
                n.checked_mul(a.values.len() as u64)
            })
    }
}

/// `K/N` with 1 <= K <= N.
fn parse_shard(text: &str) -> Option<(u32, u32)> {
    let (k, n) = text.split_once('/')?;
    let (k, n) = (k.parse::<u32>().ok()?, n.parse::<u32>().ok()?);
    (1 <= k && k <= n).then_some((k, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_fnv1a_of_the_text() {
        // FNV-1a 64 of "" is the offset basis; of "a" the published test vector af63dc4c8601ec8c.
        assert_eq!(scenario_hash(""), "fnv1a64:cbf29ce484222325");
        assert_eq!(scenario_hash("a"), "fnv1a64:af63dc4c8601ec8c");
    }

    #[test]
    fn shard_specs_are_k_of_n() {
        assert_eq!(parse_shard("2/3"), Some((2, 3)));
        assert_eq!(parse_shard("0/3"), None);
        assert_eq!(parse_shard("4/3"), None);
        assert_eq!(parse_shard("x"), None);
    }
}
