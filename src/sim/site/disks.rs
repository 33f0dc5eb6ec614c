//! A site's storage as a limit: the VMs' disks against each unit's usable capacity (a private
//! site is one unit of all its hosts; an HCI scale unit is its own storage pool). Kept in
//! integer MiB so that placing and releasing never drift.

/// Disk space in use per unit against the unit's usable capacity.
#[derive(Debug, Clone)]
pub struct DiskPool {
    /// Usable MiB per unit; `None`: storage is not a limit here.
    limit_mib: Option<u64>,
    used_mib: Vec<u64>,
    /// The most in use in any unit at once.
    pub peak_mib: u64,
}

fn mib(gib: f64) -> u64 {
    // `round() as u64` without the libm call: once per placement and departure.
    crate::units::round_u64(gib * 1024.0)
}

impl DiskPool {
    pub fn new(units: usize, usable_gib_per_unit: Option<f64>) -> DiskPool {
        DiskPool {
            limit_mib: usable_gib_per_unit.map(|g| mib(g.max(0.0))),
            used_mib: vec![0; units],
            peak_mib: 0,
        }
    }

    /// Usable GiB per unit, when storage is a limit.
    pub fn limit_gib(&self) -> Option<f64> {
        self.limit_mib.map(|m| m as f64 / 1024.0)
    }

    pub fn peak_gib(&self) -> f64 {
        self.peak_mib as f64 / 1024.0
    }

    /// Whether unit `u` has room for `disk_gib` more.
    pub fn fits(&self, u: usize, disk_gib: f64) -> bool {
        self.limit_mib
            .is_none_or(|limit| self.used_mib[u] + mib(disk_gib) <= limit)
    }

    /// Whether `disk_gib` is more than a whole empty unit holds.
    pub fn too_large(&self, disk_gib: f64) -> bool {
        self.limit_mib.is_some_and(|limit| mib(disk_gib) > limit)
    }

    /// The most free GiB in any unit (`None`: no limit).
    pub fn most_free_gib(&self) -> Option<f64> {
        let limit = self.limit_mib?;
        let least = self.used_mib.iter().min().copied().unwrap_or(0);
        Some(limit.saturating_sub(least) as f64 / 1024.0)
    }

    pub fn take(&mut self, u: usize, disk_gib: f64) {
        self.used_mib[u] += mib(disk_gib);
        self.peak_mib = self.peak_mib.max(self.used_mib[u]);
    }

    pub fn give(&mut self, u: usize, disk_gib: f64) {
        self.used_mib[u] = self.used_mib[u].saturating_sub(mib(disk_gib));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disks_fill_a_unit_up_to_its_limit() {
        let mut d = DiskPool::new(2, Some(100.0));
        assert!(d.fits(0, 100.0) && !d.fits(0, 100.5) && d.too_large(101.0));
        d.take(0, 60.0);
        assert!(!d.fits(0, 41.0) && d.fits(1, 41.0));
        assert_eq!(d.most_free_gib(), Some(100.0));
        d.give(0, 60.0);
        assert_eq!((d.peak_gib(), d.fits(0, 100.0)), (60.0, true));
        assert!(DiskPool::new(1, None).fits(0, 1e9));
    }
}
