//! Capacity that grows by date in the run (`Scenario::capacity`): sites are built with every
//! host they will ever have, dated additions are events, and the growth rule orders a block at
//! a step boundary where the site is forecast to be nearly full when it would arrive
//! (forecast.rs), in service after its lead time. The site
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
                if let Some(g) = &c.growth {
                    site.forecast_over(g.forecast_window);
                }
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

    /// At a step boundary: orders a block for each site with a growth rule whose allocation,
    /// forecast a lead time ahead (forecast.rs), passes its threshold of the hosts in service,
    /// with no order outstanding and below its maximum.
    pub(super) fn order_growth(&mut self, engine: &mut Engine<Event>, now: SimTime) {
        let horizon = self.scenario.horizon;
        for c in &self.scenario.capacity {
            let (Some(g), VenueState::Site(site)) = (&c.growth, &mut self.venues[c.venue]) else {
                continue;
            };
            let due = now + g.lead_time;
            // Every step feeds the forecast, whether or not an order can be placed now.
            let forecast = site.project_allocation(now, g.lead_time);
            if site.pending() || site.in_service() >= g.max || due >= horizon {
                continue;
            }
            if forecast > g.threshold * site.hosts_in_service() as f64 {
                site.set_pending(true);
                let (venue, by) = (c.venue as u32, g.block);
                engine.schedule(due, Event::Grow { venue, by });
            }
        }
    }

    /// An ordered block arrives: the site grows by `by` hosts or units from what is in service
    /// now (a dated change since the order counts), up to the rule's maximum.
    pub(super) fn grow_site(
        &mut self,
        engine: &mut Engine<Event>,
        v: usize,
        by: u32,
        now: SimTime,
    ) {
        let max = self.scenario.capacity.iter().find(|c| c.venue == v);
        let Some(max) = max.and_then(|c| c.growth.as_ref()).map(|g| g.max) else {
            return;
        };
        let VenueState::Site(site) = &mut self.venues[v] else {
            return;
        };
        site.set_pending(false);
        let count = (site.in_service() + by).min(max);
        if count > site.in_service() {
            self.resize_site(engine, v, count, now);
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
