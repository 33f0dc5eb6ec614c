//! Capacity that grows by date in the run (`Scenario::capacity`): sites are built with every
//! host they will ever have, dated additions are events, and the growth rule orders a block at
//! a step boundary where the site is nearly full, in service after its lead time. The site
//! itself keeps what is in service and bills it (site/capacity.rs).

use super::{Engine, Event, Why};
use super::{State, VenueState};
use crate::pricing::BookKind;
use crate::scenario::Scenario;
use crate::units::{HOUR, SimTime};

/// How many hosts (private) or units (HCI) to build venue `v` with, and until when to bill
/// them from the start: all it will ever have, billed by stretches later, when it grows.
pub(super) fn built(scenario: &Scenario, v: usize, count: u32) -> (u32, SimTime) {
    match scenario.capacity.iter().find(|c| c.venue == v) {
        Some(c) => (count.max(c.most()), 0),
        None => (count, scenario.horizon),
    }
}

impl State<'_> {
    /// Takes what is not yet in service out of service and schedules the dated additions.
    pub(super) fn start_capacity(&mut self, engine: &mut Engine<Event>) {
        let scenario = self.scenario;
        for c in &scenario.capacity {
            let venue = &scenario.venues[c.venue];
            let (items, initial) = match (&venue.book.kind, venue.size) {
                (BookKind::Private(b), crate::scenario::VenueSize::Hosts(h)) => {
                    (b.fixed_items(), h)
                }
                (BookKind::Hci(b), crate::scenario::VenueSize::Hci { units, .. }) => {
                    (b.tco.fixed_items(b.node.cores, b.node.sockets), units)
                }
                _ => continue,
            };
            if let VenueState::Site(site) = &mut self.venues[c.venue] {
                site.schedule(c.venue, items, initial);
            }
            for &(at, count) in &c.changes {
                let (venue, count) = (c.venue as u32, count);
                engine.schedule(at, Event::Capacity { venue, count });
            }
        }
    }

    /// A dated change or an ordered block: the hosts in service become `count`. VMs on hosts
    /// taken out of service stop there and are placed again like arrivals (down and retried
    /// hourly if there is no room anywhere).
    pub(super) fn resize_site(
        &mut self,
        engine: &mut Engine<Event>,
        venue: usize,
        count: u32,
        now: SimTime,
    ) {
        let VenueState::Site(site) = &mut self.venues[venue] else {
            return;
        };
        let leaving = site.resize_to(&mut self.tally.ledger, count, now);
        for &i in &leaving {
            self.finish(i, now);
        }
        if let VenueState::Site(site) = &mut self.venues[venue] {
            site.take_out();
        }
        for i in leaving {
            if !self.place(engine, i, now, Why::Arrival) {
                self.go_down(i, now);
                if now + HOUR < self.end_of(i) {
                    engine.schedule(now + HOUR, Event::Retry(i));
                }
            }
        }
    }

    /// At a step boundary: orders a block for each site with a growth rule that is fuller than
    /// its threshold, has no order outstanding and is below its maximum.
    pub(super) fn order_growth(&mut self, engine: &mut Engine<Event>, now: SimTime) {
        let horizon = self.scenario.horizon;
        for c in &self.scenario.capacity {
            let (Some(g), VenueState::Site(site)) = (&c.growth, &mut self.venues[c.venue]) else {
                continue;
            };
            let have = site.in_service().max(site.ordered());
            let due = now + g.lead_time;
            if site.ordered() > site.in_service() || have >= g.max || due >= horizon {
                continue;
            }
            if site.allocated_share() > g.threshold {
                let count = (have + g.block).min(g.max);
                site.order(count);
                engine.schedule(
                    due,
                    Event::Capacity {
                        venue: c.venue as u32,
                        count,
                    },
                );
            }
        }
    }

    /// At the end: bills each growing site's last stretch.
    pub(super) fn close_capacity(&mut self, horizon: SimTime) {
        for venue in &mut self.venues {
            if let VenueState::Site(site) = venue {
                site.bill_stretch(&mut self.tally.ledger, horizon);
            }
        }
    }
}
