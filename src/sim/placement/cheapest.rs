//! cheapest (cheapest-feasible): the venue with the lowest marginal cost per hour; the earliest
//! in scenario order on ties.

use super::{Offer, Placement, lowest};

pub struct Cheapest;

impl Placement for Cheapest {
    fn choose(&mut self, _group: u32, offers: &[Option<Offer>]) -> Option<usize> {
        lowest(offers, |_| true)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::offer;
    use super::*;

    #[test]
    fn takes_the_lowest_marginal_cost() {
        let offers = [
            offer(0.5, false),
            None,
            offer(0.1, false),
            offer(0.1, false),
        ];
        assert_eq!(Cheapest.choose(0, &offers), Some(2));
    }
}
