//! Migration waves in the run (`Scenario::migrations`): the copy's egress is booked when it
//! starts; at the end of the cutover the group's running VMs at the old venue are stopped there
//! and placed again at the new one, which is the only venue its VMs may use from then on. The
//! double run is the moved VMs' cost at the new venue over the cutover (the marginal hourly
//! price of where each lands: instance time on a public venue, consumption on HCI, nothing on a
//! private site, whose hosts are paid anyway), while the simulation keeps them running, and
//! billed, at the old venue until then.

use super::ledger::Category;
use super::{Engine, Event, Placed, State, Why};
use crate::units::{HOUR, SimTime, format_duration};

/// What one migration came to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Moved {
    /// VMs moved, and VMs that found no room at the new venue (down, retried hourly).
    pub vms: u64,
    pub stranded: u64,
    pub egress: f64,
    pub labour: f64,
    pub double_run: f64,
    /// When the copy ended and when the VMs moved (`None`: not within the horizon). A copy
    /// over a shared link ends when its data is sent, at whatever rate the link gave it.
    pub copied_at: Option<SimTime>,
    pub moved_at: Option<SimTime>,
}

impl State<'_> {
    /// Books each copy's egress and schedules the moves.
    pub(super) fn start_migrations(&mut self, engine: &mut Engine<Event>) {
        for (k, m) in self.scenario.migrations.iter().enumerate() {
            let egress = m.data_gib * m.egress_per_gib;
            let rule = format!(
                "migration of {}: {} GiB copied, egress {}/GiB",
                m.group, m.data_gib, m.egress_per_gib
            );
            let line = self.tally.ledger.line(m.from, Category::OneOff, rule);
            self.tally.ledger.add(line, m.at, egress);
            // A copy over a shared link ends when the transfers say; one over its own link
            // after data / rate.
            let copied_at = match m.wan_site {
                Some(_) => {
                    engine.schedule(m.at, Event::CopyStart(k as u32));
                    None
                }
                None => {
                    engine.schedule(m.moved(), Event::Migrate(k as u32));
                    Some(m.copied())
                }
            };
            self.tally.migrations.push(Moved {
                egress,
                copied_at,
                ..Moved::default()
            });
        }
    }

    /// Migration `k`'s copy over a shared link ended at `now`: the cutover starts.
    pub(super) fn copy_done(&mut self, engine: &mut Engine<Event>, k: usize, now: SimTime) {
        self.tally.migrations[k].copied_at = Some(now);
        let moved = now.saturating_add(self.scenario.migrations[k].cutover);
        if moved < self.scenario.horizon {
            engine.schedule(moved, Event::Migrate(k as u32));
        }
    }

    /// The end of migration `k`'s cutover: moves the group's running VMs.
    pub(super) fn migrate(&mut self, engine: &mut Engine<Event>, k: usize, now: SimTime) {
        let m = &self.scenario.migrations[k];
        let Some(g) = self.fleet.group_names.iter().position(|n| *n == m.group) else {
            return;
        };
        let mut only = vec![false; self.venues.len()];
        only[m.to] = true;
        self.fleet.groups[g].allowed = Some(only);
        self.choice.policy.moved(g as u32, m.to);
        let cutover_hours = m.cutover as f64 / HOUR as f64;
        let (mut moved, mut stranded, mut hourly) = (0, 0, 0.0);
        for i in 0..self.vms.placed.len() as u32 {
            let here = matches!(self.vms.placed[i as usize],
                Placed::At { venue, .. } if venue as usize == m.from);
            if !here || self.vm(i).group as usize != g {
                continue;
            }
            self.finish(i, now);
            if self.place(engine, i, now, Why::Arrival) {
                moved += 1;
                hourly += self.choice.offers[m.to].map_or(0.0, |o| o.marginal_per_hour);
            } else {
                stranded += 1;
                self.go_down(i, now);
                if now + HOUR < self.end_of(i) {
                    engine.schedule(now + HOUR, Event::Retry(i));
                }
            }
        }
        let labour = moved as f64 * m.labour_per_vm;
        let ledger = &mut self.tally.ledger;
        let rule = format!("migration of {}: labour {} a VM", m.group, m.labour_per_vm);
        let line = ledger.line(m.to, Category::OneOff, rule);
        ledger.add(line, now, labour);
        let double_run = hourly * cutover_hours;
        if m.cutover > 0 {
            let rule = format!(
                "migration of {}: double run over the {} cutover",
                m.group,
                format_duration(m.cutover)
            );
            let line = ledger.line(m.to, Category::OneOff, rule);
            let copied = self.tally.migrations[k].copied_at.unwrap_or(m.copied());
            let ledger = &mut self.tally.ledger;
            ledger.spread(line, copied, now, double_run / m.cutover as f64);
        }
        let record = &mut self.tally.migrations[k];
        record.vms = moved;
        record.stranded = stranded;
        record.labour = labour;
        record.double_run = double_run;
        record.moved_at = Some(now);
    }
}
