//! Upper bounds on the scenario keys that size memory or simulated work, checked at load time so
//! a typo such as `hosts = 4294967295` is refused before anything is allocated (README,
//! "Limits"). Each bound is far above any real estate the simulator is meant for.

use crate::error::KeyError;

/// Hosts of one private site: a large data centre holds tens of thousands; the simulator keeps
/// a few hundred bytes per host, so 100,000 hosts stay within tens of MB.
pub const MAX_HOSTS: u32 = 100_000;
/// Scale units of one HCI venue (each of at most the book's nodes per unit).
pub const MAX_HCI_UNITS: u32 = 10_000;
/// Instances of one autoscaled group: each running instance is a VM the simulator tracks.
pub const MAX_AUTOSCALE: u32 = 1_000_000;
/// TB protected at one backup site: 100 PB, beyond any site a link-based backup serves; the
/// transfer simulation's work grows with the volume.
pub const MAX_PROTECTED_TB: f64 = 100_000.0;

/// Refuses `value` above `limit`, naming the key, the value and the limit.
pub fn at_most<T: PartialOrd + std::fmt::Display>(
    key: String,
    value: T,
    limit: T,
) -> Result<(), KeyError> {
    if value > limit {
        let msg = format!("{value} is over the limit of {limit} (README, \"Limits\")");
        return Err(KeyError::new(key, msg));
    }
    Ok(())
}
