//! The Monte Carlo runner: a study of one scenario (replications over its `[uncertainty]`
//! parameters with paired low/high sensitivity runs per parameter, or the points of its `[[sweep]]` grid), run
//! item by item, and the statistics of the results. The tables themselves are read and checked
//! with the scenario (`crate::scenario::uncertainty`).

pub mod interval;
pub mod overrides;
pub mod stats;
pub mod study;
pub mod sweep;

pub use crate::scenario::uncertainty::{Axis, Dist, Parameter, Uncertainty};

/// Work items of a study: replications then `study::PAIRS` low and high runs per parameter, or
/// `replications` runs of each point of a sweep's grid.
pub fn item_count(replications: u32, parameters: usize, sweep: &[Axis]) -> u32 {
    if sweep.is_empty() {
        replications + 2 * study::PAIRS * parameters as u32
    } else {
        let points: u32 = sweep.iter().map(|a| a.values.len() as u32).product();
        points.saturating_mul(replications.max(1))
    }
}
