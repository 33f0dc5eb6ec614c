//! Placement policies: given what each venue offers for one VM (in scenario order), pick one.

use crate::scenario::Policy;

/// A venue's offer for one VM: where it would go and what it would cost per hour from now on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Offer<T> {
    pub venue: usize,
    pub marginal_per_hour: f64,
    pub target: T,
}

/// Picks an offer. `offers` is lazy and in scenario order, so first-fit looks no further than the
/// first venue that can hold the VM; cheapest looks at all of them and keeps the earliest of
/// equally cheap offers.
pub fn choose<T>(
    policy: Policy,
    offers: impl Iterator<Item = Option<Offer<T>>>,
) -> Option<Offer<T>> {
    let mut offers = offers.flatten();
    match policy {
        Policy::FirstFit => offers.next(),
        Policy::Cheapest => offers.fold(None, |best: Option<Offer<T>>, o| match best {
            Some(b) if b.marginal_per_hour <= o.marginal_per_hour => Some(b),
            _ => Some(o),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(venue: usize, cost: f64) -> Option<Offer<()>> {
        Some(Offer {
            venue,
            marginal_per_hour: cost,
            target: (),
        })
    }

    #[test]
    fn first_fit_takes_the_first_venue_that_fits() {
        let offers = [None, offer(1, 0.5), offer(2, 0.1)];
        assert_eq!(
            choose(Policy::FirstFit, offers.into_iter()).unwrap().venue,
            1
        );
    }

    #[test]
    fn cheapest_takes_the_lowest_marginal_cost_and_the_earliest_on_ties() {
        let offers = [offer(0, 0.5), None, offer(2, 0.1), offer(3, 0.1)];
        assert_eq!(
            choose(Policy::Cheapest, offers.into_iter()).unwrap().venue,
            2
        );
        assert!(choose(Policy::Cheapest, [None::<Offer<()>>, None].into_iter()).is_none());
    }
}
