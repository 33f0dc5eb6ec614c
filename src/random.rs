//! Common random numbers: every random quantity draws from its own stream, derived from
//! (seed, purpose, entity, index). A stream depends on nothing else, so changing one input of a
//! run (a growth rate, a price, a host count) leaves every draw that input does not touch as it
//! was, and a sweep or a tornado shows the input's effect rather than re-drawn noise.
//!
//! A stream is ChaCha8 keyed by (seed, purpose, entity) with `index` as its stream number:
//! ChaCha is a pseudo-random function of its key and stream, so distinct triples give
//! independent streams and creating one costs a single block computation.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// What a stream is for. The values are part of every output's identity: never renumber one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Synthetic workloads: burst times (entity 0).
    Bursts = 1,
    /// Synthetic arrivals of group `entity`, strip `index` (see `trace::synthetic`).
    Arrivals = 2,
    /// One synthetic VM's lifetime, size and usage: entity = group, index = the VM's key.
    Vm = 3,
    /// Host failures and repairs: entity = venue, index = host.
    Failures = 4,
    /// Spot evictions: entity = venue.
    Evictions = 5,
    /// A replication's draws of the uncertain parameters: entity = replication.
    Parameters = 6,
    /// A replication's simulation seed: entity = replication.
    Replication = 7,
}

/// The stream for (seed, purpose, entity, index).
pub fn stream(seed: u64, purpose: Purpose, entity: u64, index: u64) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&(purpose as u64).to_le_bytes());
    key[16..24].copy_from_slice(&entity.to_le_bytes());
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(index);
    rng
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_differ_by_every_part_and_repeat_for_the_same_parts() {
        let first = |s: u64, p: Purpose, e: u64, i: u64| stream(s, p, e, i).next_u64();
        let a = first(1, Purpose::Vm, 2, 3);
        assert_eq!(a, first(1, Purpose::Vm, 2, 3));
        for other in [
            first(2, Purpose::Vm, 2, 3),
            first(1, Purpose::Arrivals, 2, 3),
            first(1, Purpose::Vm, 3, 3),
            first(1, Purpose::Vm, 2, 4),
        ] {
            assert_ne!(a, other);
        }
    }
}
