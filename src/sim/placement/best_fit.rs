//! best-fit: the first venue that can hold the VM, and within a site the host left with the
//! least free memory, so hosts fill up before others are touched.

use super::{HostChoice, Offer, Placement, first};

pub struct BestFit;

impl Placement for BestFit {
    fn choose(&mut self, _group: u32, offers: &[Option<Offer>]) -> Option<usize> {
        first(offers)
    }

    fn host_choice(&self) -> HostChoice {
        HostChoice::BestFit
    }
}
