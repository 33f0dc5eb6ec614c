//! private-first: owned capacity (private and HCI venues, in scenario order) while it has room;
//! then the cheapest public venue. The simulator moves burst VMs back to owned capacity when
//! room frees up, once they have stayed `min_stay` on the public venue.

use super::{Offer, Placement, lowest};
use crate::units::SimTime;

pub struct PrivateFirst {
    pub min_stay: SimTime,
}

impl Placement for PrivateFirst {
    fn choose(&mut self, _group: u32, offers: &[Option<Offer>]) -> Option<usize> {
        offers
            .iter()
            .position(|o| o.is_some_and(|o| o.owned))
            .or_else(|| lowest(offers, |o| !o.owned))
    }

    fn returns_after(&self) -> Option<SimTime> {
        Some(self.min_stay)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::offer;
    use super::*;

    #[test]
    fn owned_first_then_the_cheapest_public() {
        let mut p = PrivateFirst { min_stay: 3_600 };
        // A cheaper public offer does not win over owned capacity.
        assert_eq!(
            p.choose(0, &[offer(0.05, false), offer(0.0, true)]),
            Some(1)
        );
        // No owned room: the cheapest public venue.
        assert_eq!(
            p.choose(0, &[offer(0.3, false), None, offer(0.2, false)]),
            Some(2)
        );
    }
}
