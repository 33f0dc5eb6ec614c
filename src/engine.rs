//! A generic, deterministic discrete-event core. It knows nothing about clouds: it orders events
//! by (time, insertion sequence) and hands them to a handler, one at a time.
//!
//! Arrivals read from a trace are already sorted, so they are not pushed into the heap up front
//! (that would make memory grow with the whole trace). Instead `run_until` merges a sorted
//! arrival stream with the heap, which then holds only future events created while running
//! (departures, repairs, flow completions). At equal times queued events go first: a VM leaving
//! at t frees its capacity before a VM arriving at t asks for it.

use crate::units::SimTime;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::iter::Peekable;

struct Entry<E> {
    time: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    // BinaryHeap is a max-heap: reverse so the earliest (time, seq) pops first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// The event queue and clock.
pub struct Engine<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
    now: SimTime,
    processed: u64,
}

impl<E> Default for Engine<E> {
    fn default() -> Self {
        Engine {
            heap: BinaryHeap::new(),
            next_seq: 0,
            now: 0,
            processed: 0,
        }
    }
}

impl<E> Engine<E> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules `event` at `at`. Scheduling in the past is a logic error of the caller.
    pub fn schedule(&mut self, at: SimTime, event: E) {
        debug_assert!(
            at >= self.now,
            "event scheduled in the past: {at} < {}",
            self.now
        );
        self.heap.push(Entry {
            time: at,
            seq: self.next_seq,
            event,
        });
        self.next_seq += 1;
    }

    /// The time of the event being handled (or of the last one handled).
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Events handled so far, arrivals included.
    pub fn processed(&self) -> u64 {
        self.processed
    }

    /// Events still waiting in the queue.
    pub fn pending(&self) -> usize {
        self.heap.len()
    }

    /// Removes and returns every queued event, earliest first (e.g. VMs still running at the end).
    pub fn drain(&mut self) -> impl Iterator<Item = (SimTime, E)> + '_ {
        std::iter::from_fn(move || self.heap.pop().map(|e| (e.time, e.event)))
    }

    /// Handles, in order, every queued event and every arrival with time < `until`.
    /// `arrivals` must be sorted by time; ties among queued events go by insertion order, and a
    /// queued event goes before an arrival at the same time.
    pub fn run_until<I, F>(&mut self, until: SimTime, arrivals: &mut Peekable<I>, mut handle: F)
    where
        I: Iterator<Item = (SimTime, E)>,
        F: FnMut(&mut Self, SimTime, E),
    {
        loop {
            let queued = self.heap.peek().map(|e| e.time).filter(|&t| t < until);
            let arrival = arrivals.peek().map(|a| a.0).filter(|&t| t < until);
            let (time, event) = match (queued, arrival) {
                (Some(q), Some(a)) if q <= a => self.pop(),
                (Some(_), None) => self.pop(),
                (_, Some(_)) => match arrivals.next() {
                    Some(a) => a,
                    None => break,
                },
                (None, None) => break,
            };
            debug_assert!(time >= self.now, "arrivals are not sorted by time");
            self.now = time;
            self.processed += 1;
            handle(self, time, event);
        }
    }

    fn pop(&mut self) -> (SimTime, E) {
        let e = self.heap.pop().expect("peeked entry exists");
        (e.time, e.event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_times_keep_insertion_order() {
        let mut engine = Engine::new();
        engine.schedule(10, "b");
        engine.schedule(5, "a");
        engine.schedule(10, "c");
        engine.schedule(10, "d");
        let mut seen = Vec::new();
        let mut none = std::iter::empty().peekable();
        engine.run_until(100, &mut none, |_, t, e| seen.push((t, e)));
        // Time first (5 < 10), then insertion sequence among the three at t = 10: b, c, d.
        assert_eq!(seen, vec![(5, "a"), (10, "b"), (10, "c"), (10, "d")]);
        assert_eq!(engine.processed(), 4);
    }

    #[test]
    fn queued_events_go_before_arrivals_at_the_same_time() {
        let mut engine = Engine::new();
        engine.schedule(10, "leave@10");
        let mut arrivals = vec![(0, "arrive@0"), (10, "arrive@10"), (20, "arrive@20")]
            .into_iter()
            .peekable();
        let mut seen = Vec::new();
        engine.run_until(20, &mut arrivals, |engine, t, e| {
            seen.push(e);
            if e == "arrive@0" {
                // Scheduled while running, at the same time as an arrival already waiting.
                engine.schedule(10, "leave@10-second");
            }
            let _ = t;
        });
        assert_eq!(
            seen,
            vec!["arrive@0", "leave@10", "leave@10-second", "arrive@10"]
        );
        // The arrival at 20 is not before `until` and stays in the stream.
        assert_eq!(arrivals.next(), Some((20, "arrive@20")));
    }

    #[test]
    fn drain_returns_the_rest_in_order() {
        let mut engine = Engine::new();
        engine.schedule(30, 3);
        engine.schedule(10, 1);
        engine.schedule(20, 2);
        let mut none = std::iter::empty().peekable();
        engine.run_until(15, &mut none, |_, _, _| {});
        assert_eq!(engine.pending(), 2);
        assert_eq!(engine.drain().collect::<Vec<_>>(), vec![(20, 2), (30, 3)]);
    }
}
