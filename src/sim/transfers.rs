//! Backup transfers over the WAN: each site's initial seed (over the WAN, or a shipped drive
//! that arrives after the book's days) and a nightly job at the window's start. Concurrent
//! flows share bandwidth max-min fairly: each is capped by its site's link and all share the
//! backup target's ingress. Rates are recomputed, and the next completion scheduled, whenever a
//! flow starts or ends. A job that ends after its window closes is a missed window; a night on
//! which the newest backup (or, before the first nightly job, the first full copy) is older
//! than the RPO is a breach.

use super::{Event, State};
use crate::engine::Engine;
use crate::scenario::{BackupPlan, Seeding};
use crate::units::{DAY, SimTime};

/// One site's transfer record.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteTransfers {
    pub name: String,
    /// When the first full copy was at the target (`None`: not within the horizon).
    pub seeded_at: Option<SimTime>,
    pub nights: u64,
    pub windows_missed: u64,
    pub rpo_breaches: u64,
    /// The longest nightly job, seconds.
    pub longest_job: SimTime,
    /// (start, seconds) of every nightly job that finished, in time order.
    pub jobs: Vec<(SimTime, SimTime)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Seed,
    /// A nightly job started at this time.
    Nightly(SimTime),
    /// Migration `k`'s data copy over the site's link (`[[migrations]]` with `wan_site`), at
    /// most `cap` bits per second. It goes to the migration's new venue, not to the backup
    /// target, so it takes none of the target's ingress.
    Copy {
        k: usize,
        cap: f64,
    },
}

#[derive(Debug, Clone)]
struct Flow {
    site: usize,
    kind: Kind,
    /// Bits left to send.
    left: f64,
    /// Bits per second now.
    rate: f64,
}

pub struct Transfers {
    link_bps: Vec<f64>,
    ingress_bps: Option<f64>,
    nightly_bits: Vec<f64>,
    window: SimTime,
    rpo: SimTime,
    flows: Vec<Flow>,
    last_update: SimTime,
    /// Bumped at every change, so a scheduled completion can tell it is stale.
    pub generation: u32,
    /// The newest point in time each site has a complete backup of.
    newest: Vec<Option<SimTime>>,
    pub sites: Vec<SiteTransfers>,
}

/// Bits in `tb` terabytes (10^12 bytes).
fn bits(tb: f64) -> f64 {
    tb * 8e12
}

impl Transfers {
    /// Sets up the sites; returns the transfers and (site, time) of drive arrivals to schedule.
    pub fn new(plan: &BackupPlan) -> (Transfers, Vec<(usize, SimTime)>) {
        let s = plan.sizing;
        let mut t = Transfers {
            link_bps: plan.sites.iter().map(|x| x.link_mbps * 1e6).collect(),
            ingress_bps: plan.target_ingress_mbps.map(|m| m * 1e6),
            nightly_bits: plan
                .sites
                .iter()
                .map(|x| bits(s.nightly_tb(x.protected_tb)))
                .collect(),
            window: plan.window,
            rpo: plan.rpo,
            flows: Vec::new(),
            last_update: 0,
            generation: 0,
            newest: vec![None; plan.sites.len()],
            sites: plan
                .sites
                .iter()
                .map(|x| SiteTransfers {
                    name: x.name.clone(),
                    seeded_at: None,
                    nights: 0,
                    windows_missed: 0,
                    rpo_breaches: 0,
                    longest_job: 0,
                    jobs: Vec::new(),
                })
                .collect(),
        };
        let mut drives = Vec::new();
        for (i, site) in plan.sites.iter().enumerate() {
            match plan.seeding {
                Seeding::Wan => t.flows.push(Flow {
                    site: i,
                    kind: Kind::Seed,
                    left: bits(s.seed_tb(site.protected_tb)),
                    rate: 0.0,
                }),
                Seeding::Drive => {
                    drives.push((i, (plan.service.drive_days * DAY as f64) as SimTime))
                }
            }
        }
        t.share();
        (t, drives)
    }

    /// Brings every flow's progress up to `now`.
    fn advance(&mut self, now: SimTime) {
        let dt = (now - self.last_update) as f64;
        for f in &mut self.flows {
            f.left = (f.left - f.rate * dt).max(0.0);
        }
        self.last_update = now;
    }

    /// Max-min fair rates by progressive filling: flows in order of their cap take an equal
    /// share of what the target's ingress has left, up to their own link. A migration's copy
    /// takes its equal share of its site's link (up to its own cap) outside the ingress.
    fn share(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        let copies = |f: &Flow| matches!(f.kind, Kind::Copy { .. });
        let mut order: Vec<usize> = (0..self.flows.len())
            .filter(|&i| !copies(&self.flows[i]))
            .collect();
        order.sort_by(|&a, &b| {
            self.link_bps[self.flows[a].site]
                .total_cmp(&self.link_bps[self.flows[b].site])
                .then(a.cmp(&b))
        });
        let mut left = self.ingress_bps.unwrap_or(f64::INFINITY);
        // Several flows of one site (a seed and a night) share that site's link equally.
        let mut per_site = vec![0usize; self.link_bps.len()];
        for f in &self.flows {
            per_site[f.site] += 1;
        }
        for f in &mut self.flows {
            if let Kind::Copy { cap, .. } = f.kind {
                f.rate = (self.link_bps[f.site] / per_site[f.site] as f64).min(cap);
            }
        }
        for (k, &i) in order.iter().enumerate() {
            let site = self.flows[i].site;
            let cap = self.link_bps[site] / per_site[site] as f64;
            let share = left / (order.len() - k) as f64;
            let rate = cap.min(share);
            self.flows[i].rate = rate;
            left -= rate;
        }
    }

    /// When the next flow will finish at the current rates.
    pub fn next_completion(&self) -> Option<SimTime> {
        self.flows
            .iter()
            .filter(|f| f.rate > 0.0)
            .map(|f| self.last_update + (f.left / f.rate).ceil() as SimTime)
            .min()
    }

    /// A shipped drive arrived: the site is seeded.
    pub fn drive_arrived(&mut self, site: usize, now: SimTime) {
        self.sites[site].seeded_at = Some(now);
        self.newest[site] = Some(0);
    }

    /// The window opens: every seeded site starts its nightly job (unless the last one is still
    /// running, which counts as a missed window); sites whose newest backup is older than the
    /// RPO count a breach.
    pub fn night(&mut self, now: SimTime) {
        self.advance(now);
        for site in 0..self.sites.len() {
            let Some(newest) = self.newest[site] else {
                continue;
            };
            self.sites[site].nights += 1;
            // The RPO holds from the first full copy on: the seeding is its own figure
            // (`seeded_at`), not a breach on the first night after it.
            let since = newest.max(self.sites[site].seeded_at.unwrap_or(0));
            if now - since > self.rpo {
                self.sites[site].rpo_breaches += 1;
            }
            if self
                .flows
                .iter()
                .any(|f| f.site == site && matches!(f.kind, Kind::Nightly(_)))
            {
                self.sites[site].windows_missed += 1;
                continue;
            }
            self.flows.push(Flow {
                site,
                kind: Kind::Nightly(now),
                left: self.nightly_bits[site],
                rate: 0.0,
            });
        }
        self.share();
    }

    /// Starts migration `k`'s copy of `gib` GiB over site `site`'s link at `now`, at most
    /// `cap_mbps`.
    pub fn start_copy(&mut self, k: usize, site: usize, gib: f64, cap_mbps: f64, now: SimTime) {
        self.advance(now);
        self.flows.push(Flow {
            site,
            kind: Kind::Copy {
                k,
                cap: cap_mbps * 1e6,
            },
            left: gib * 8.0 * 1_073_741_824.0,
            rate: 0.0,
        });
        self.share();
    }

    /// Completes the flows that are done by `now`; returns the migrations whose copy ended.
    pub fn complete(&mut self, now: SimTime) -> Vec<usize> {
        let mut copied = Vec::new();
        self.advance(now);
        let (done, running): (Vec<Flow>, Vec<Flow>) =
            self.flows.drain(..).partition(|f| f.left <= 1e-3);
        self.flows = running;
        for f in done {
            let s = &mut self.sites[f.site];
            match f.kind {
                Kind::Seed => {
                    s.seeded_at = Some(now);
                    self.newest[f.site] = Some(0);
                }
                Kind::Nightly(started) => {
                    s.longest_job = s.longest_job.max(now - started);
                    s.jobs.push((started, now - started));
                    if now > started + self.window {
                        s.windows_missed += 1;
                    }
                    self.newest[f.site] = Some(started);
                }
                Kind::Copy { k, .. } => copied.push(k),
            }
        }
        self.share();
        copied
    }
}

impl State<'_> {
    /// The backup service's events: the nightly window, a seed drive's arrival, a flow's end.
    pub(super) fn backup_event(&mut self, engine: &mut Engine<Event>, now: SimTime, event: Event) {
        match event {
            Event::BackupNight => {
                if let Some(t) = self.transfers.as_mut() {
                    t.night(now);
                }
                if now + DAY < self.scenario.horizon {
                    engine.schedule(now + DAY, Event::BackupNight);
                }
                self.schedule_completion(engine);
            }
            Event::DriveArrived(site) => {
                if let Some(t) = self.transfers.as_mut() {
                    t.drive_arrived(site as usize, now);
                }
            }
            Event::FlowDone(generation) => {
                if let Some(t) = self
                    .transfers
                    .as_mut()
                    .filter(|t| t.generation == generation)
                {
                    for k in t.complete(now) {
                        self.copy_done(engine, k, now);
                    }
                    self.schedule_completion(engine);
                }
            }
            Event::CopyStart(k) => {
                let m = &self.scenario.migrations[k as usize];
                if let (Some(t), Some(site)) = (self.transfers.as_mut(), m.wan_site) {
                    t.start_copy(k as usize, site, m.data_gib, m.wan_mbps, now);
                }
                self.schedule_completion(engine);
            }
            _ => unreachable!("only backup events come here"),
        }
    }

    /// Starts the backup service's transfers: seeds, drive arrivals and the first window.
    pub(super) fn start_transfers(&mut self, engine: &mut Engine<Event>) {
        let Some(plan) = &self.scenario.backup else {
            return;
        };
        let (t, drives) = Transfers::new(plan);
        self.transfers = Some(t);
        for (site, at) in drives {
            if at < self.scenario.horizon {
                engine.schedule(at, Event::DriveArrived(site as u32));
            }
        }
        if plan.window_start < self.scenario.horizon {
            engine.schedule(plan.window_start, Event::BackupNight);
        }
        self.schedule_completion(engine);
    }

    /// Schedules the next flow completion at the current rates.
    fn schedule_completion(&mut self, engine: &mut Engine<Event>) {
        let Some(t) = &self.transfers else { return };
        if let Some(at) = t.next_completion().filter(|&at| at < self.scenario.horizon) {
            engine.schedule(at.max(engine.now()), Event::FlowDone(t.generation));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transfers(links: &[f64], ingress: Option<f64>) -> Transfers {
        Transfers {
            link_bps: links.iter().map(|m| m * 1e6).collect(),
            ingress_bps: ingress.map(|m| m * 1e6),
            nightly_bits: vec![0.0; links.len()],
            window: 8 * 3_600,
            rpo: 26 * 3_600,
            flows: Vec::new(),
            last_update: 0,
            generation: 0,
            newest: vec![None; links.len()],
            sites: Vec::new(),
        }
    }

    #[test]
    fn max_min_fair_rates_by_progressive_filling() {
        // Links of 50, 100 and 200 Mbps into a 240 Mbps target: 240 / 3 = 80 each, but the
        // 50 Mbps site takes only 50; the other two share 190: 95 each (below 100 and 200).
        let mut t = transfers(&[50.0, 100.0, 200.0], Some(240.0));
        for site in 0..3 {
            t.flows.push(Flow {
                site,
                kind: Kind::Seed,
                left: 1.0,
                rate: 0.0,
            });
        }
        t.share();
        let rates: Vec<f64> = t.flows.iter().map(|f| f.rate / 1e6).collect();
        assert_eq!(rates, [50.0, 95.0, 95.0]);
        // Without a target limit each site runs at its own link.
        let mut t = transfers(&[50.0, 100.0], None);
        t.flows.push(Flow {
            site: 0,
            kind: Kind::Seed,
            left: 1.0,
            rate: 0.0,
        });
        t.flows.push(Flow {
            site: 1,
            kind: Kind::Seed,
            left: 1.0,
            rate: 0.0,
        });
        t.share();
        assert_eq!(
            t.flows.iter().map(|f| f.rate / 1e6).collect::<Vec<_>>(),
            [50.0, 100.0]
        );
    }

    #[test]
    fn a_migration_copy_shares_its_site_s_link_with_a_nightly_job_but_not_the_ingress() {
        // One site with a 100 Mbps link into a target taking 30 Mbps. At 0 a nightly job of
        // 1.08e11 bits and a copy of 50 GiB = 50 x 8 x 1,073,741,824 = 429,496,729,600 bits
        // start. The link splits in two: 50 Mbps each; the job is held to the target's 30 Mbps
        // (the copy goes elsewhere and takes none of it): it ends at 1.08e11 / 3e7 = 3,600 s.
        let mut t = transfers(&[100.0], Some(30.0));
        t.sites.push(SiteTransfers {
            name: "branch".into(),
            seeded_at: Some(0),
            nights: 0,
            windows_missed: 0,
            rpo_breaches: 0,
            longest_job: 0,
            jobs: Vec::new(),
        });
        t.flows.push(Flow {
            site: 0,
            kind: Kind::Nightly(0),
            left: 1.08e11,
            rate: 0.0,
        });
        t.start_copy(7, 0, 50.0, 1e6, 0);
        let rates: Vec<f64> = t.flows.iter().map(|f| f.rate / 1e6).collect();
        assert_eq!(rates, [30.0, 50.0]);
        assert_eq!(t.next_completion(), Some(3_600));
        assert_eq!(t.complete(3_600), Vec::<usize>::new());
        assert_eq!(t.sites[0].jobs, [(0, 3_600)]);
        // By then the copy sent 50 Mbps x 3,600 s = 1.8e11 bits; the rest, 249,496,729,600
        // bits, goes at the whole link's 100 Mbps: 2,494.967 s more, done at 6,094.967 -> 6,095
        // s (alone it would take 4,294.967 s: the job cost it 1,800 s, half its hour).
        assert_eq!(t.flows[0].rate, 1e8);
        assert_eq!(t.next_completion(), Some(6_095));
        assert_eq!(t.complete(6_095), [7]);
        assert!(t.flows.is_empty());
        // A copy capped by its own rate (40 Mbps) takes no more than that.
        t.start_copy(1, 0, 50.0, 40.0, 7_000);
        assert_eq!(t.flows[0].rate, 4e7);
    }
}
