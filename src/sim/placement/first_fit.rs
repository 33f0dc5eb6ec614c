//! first-fit: the first venue, in scenario order, that can hold the VM.

use super::{Offer, Placement, first};

pub struct FirstFit;

impl Placement for FirstFit {
    fn choose(&mut self, _group: u32, offers: &[Option<Offer>]) -> Option<usize> {
        first(offers)
    }
}
