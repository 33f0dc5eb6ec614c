//! Simulation mechanisms on tiny scenarios: spot evictions, host failures, private-first
//! returns, best-fit packing, plan-driven placement, energy and carbon.

use crate::common;

use common::Scratch;
use hybridplan::run_scenario;
use hybridplan::sim::Category;

const HEAD: &str =
    "currency = \"USD\"\nsource = \"hand-made test prices\"\nas_of = \"2026-11-01\"\n";
const VM_HEADER: &str = "id,group,start_s,end_s,vcpus,mem_gib,disk_gib\n";

/// Type "a": 2 vCPU / 4 GiB at 0.10/h on-demand, 0.03/h spot, evicted `evictions` times an hour.
fn public_book(evictions: f64) -> String {
    format!(
        "name = \"p\"\n{HEAD}[public]\nregion = \"r\"\nbilling = \"per-second\"\nstorage_gb_month = 0.0\negress_gb = 0.0\n\
         spot_evictions_per_hour = {evictions}\n[[public.instances]]\nname = \"a\"\nvcpus = 2\nmem_gib = 4\nhourly = 0.10\nspot_hourly = 0.03\n"
    )
}

/// Hosts of 4 vCPU / 16 GiB at 730 a month (1 an hour); `extra` adds keys to [private].
fn private_book(extra: &str) -> String {
    format!("name = \"h\"\n{HEAD}[private]\ncores = 4\nmem_gib = 16\nhost_monthly = 730.0\n{extra}")
}

fn scenario(horizon: &str, policy: &str, extra: &str, venues: &str) -> String {
    format!(
        "name = \"t\"\nhorizon = \"{horizon}\"\nstep = \"1h\"\nseed = 3\ncurrency = \"USD\"\npolicy = \"{policy}\"\n{extra}\n\
         [trace]\nvms = \"vms.csv\"\n{venues}"
    )
}

const CLOUD: &str = "[[venues]]\nname = \"cloud\"\nbook = \"public.toml\"\n";

fn dc(hosts: u32) -> String {
    format!("[[venues]]\nname = \"dc\"\nbook = \"private.toml\"\nhosts = {hosts}\n")
}

#[test]
fn an_evicted_spot_vm_falls_back_to_on_demand() {
    let s = Scratch::new();
    // 1,000 evictions an hour: the spot stay lasts seconds, the rest of the 10 h is on-demand.
    s.write("public.toml", &public_book(1000.0));
    s.write("vms.csv", &format!("{VM_HEADER}x,batch,0,36000,2,4,0\n"));
    let r = run_scenario(&s.write(
        "t.toml",
        &scenario(
            "1d",
            "first-fit",
            "[groups.batch]\npurchase = \"spot\"\n",
            CLOUD,
        ),
    ))
    .unwrap();
    assert_eq!(r.summary.interruptions.spot_evictions, 1);
    assert_eq!(r.summary.interruptions.restarts, 1);
    // About 10 h x 0.10 = 1.00 on-demand (less the spot seconds), nothing lost.
    let compute = r.outcome.ledger.total(0, Category::Compute);
    assert!((compute - 1.0).abs() < 0.001, "{compute}");
    assert_eq!(r.summary.sla_minutes_lost, 0.0);
}

#[test]
fn an_evicted_spot_vm_that_waits_loses_sla_minutes() {
    let s = Scratch::new();
    s.write("public.toml", &public_book(1000.0));
    s.write("vms.csv", &format!("{VM_HEADER}x,batch,0,36000,2,4,0\n"));
    let groups =
        "[groups.batch]\npurchase = \"spot\"\nspot_fallback = \"wait\"\nspot_wait = \"1h\"\n";
    let r = run_scenario(&s.write("t.toml", &scenario("1d", "first-fit", groups, CLOUD))).unwrap();
    // Each try runs seconds on spot, then waits 1 h: 10 tries in 10 h, ~600 minutes lost.
    let i = &r.summary.interruptions;
    assert_eq!(i.spot_evictions, 10);
    assert!(
        (r.summary.sla_minutes_lost - 600.0).abs() < 1.0,
        "{}",
        r.summary.sla_minutes_lost
    );
    assert!(r.outcome.ledger.total(0, Category::Compute) < 0.01);
}

#[test]
fn a_failed_host_takes_its_vms_down_until_repair_when_nothing_else_fits() {
    let s = Scratch::new();
    // One host, 50 failures a host-year, repaired in exactly 1 h (sigma 0).
    s.write(
        "private.toml",
        &private_book("[private.failures]\nafr_pct = 5000\nrepair = \"1h\"\nrepair_sigma = 0.0\n"),
    );
    s.write("vms.csv", &format!("{VM_HEADER}x,app,0,,2,8,0\n"));
    let r = run_scenario(&s.write(
        "t.toml",
        &scenario("90d", "first-fit", "failures = true", &dc(1)),
    ))
    .unwrap();
    let failures = r.summary.interruptions.host_failures;
    // 50 a year over 90 days: about 12. Each keeps the VM down for exactly 60 minutes, but a
    // failure in the last hour of the horizon is cut short by it.
    assert!((5..=25).contains(&failures), "{failures}");
    let lost = r.summary.sla_minutes_lost;
    assert!(
        lost <= 60.0 * failures as f64 && lost > 60.0 * (failures - 1) as f64,
        "{lost} for {failures}"
    );
    assert_eq!(r.summary.private_sites[0].host_failures, failures);
    // The same seed gives the same failures.
    let again = run_scenario(&s.path().join("t.toml")).unwrap();
    assert_eq!(again.summary.interruptions.host_failures, failures);
}

#[test]
fn vms_of_a_failed_host_restart_on_another() {
    let s = Scratch::new();
    s.write(
        "private.toml",
        &private_book("[private.failures]\nafr_pct = 5000\nrepair = \"1h\"\nrepair_sigma = 0.0\n"),
    );
    s.write("vms.csv", &format!("{VM_HEADER}x,app,0,,2,8,0\n"));
    let r = run_scenario(&s.write(
        "t.toml",
        &scenario("90d", "first-fit", "failures = true", &dc(2)),
    ))
    .unwrap();
    let i = &r.summary.interruptions;
    // With a spare host the VM restarts at once whenever its host fails; it is down only if
    // both hosts are down together.
    assert!(i.host_failures > 0 && i.restarts > 0);
    assert!(r.summary.sla_minutes_lost < 60.0 * i.host_failures as f64);
}

#[test]
fn private_first_returns_a_burst_vm_when_room_frees_up() {
    let s = Scratch::new();
    s.write("public.toml", &public_book(0.0));
    s.write("private.toml", &private_book(""));
    // A fills the host from 0 to 2 h; B (same size) bursts to the cloud at 0.
    s.write(
        "vms.csv",
        &format!("{VM_HEADER}a,app,0,7200,2,4,0\nb,app,0,36000,2,4,0\n"),
    );
    let venues = format!("{}{CLOUD}", dc(1)).replace("hosts = 1", "hosts = 1\n");
    let text = scenario(
        "1d",
        "private-first",
        "[placement]\nmin_stay = \"1h\"\n",
        &venues,
    )
    .replace("mem_gib = 16", "mem_gib = 4");
    s.write(
        "private.toml",
        &private_book("").replace("mem_gib = 16", "mem_gib = 4"),
    );
    let r = run_scenario(&s.write("t.toml", &text)).unwrap();
    // A leaves at 2 h; the return is tried at the end of that step (3 h): B ran 3 h on the
    // cloud = 0.30, then returned.
    assert_eq!(r.summary.interruptions.returns, 1);
    assert!((r.outcome.ledger.total(1, Category::Compute) - 0.30).abs() < 1e-9);
    assert_eq!(r.summary.venues[0].placements, 2); // a, then b on its return
}

#[test]
fn best_fit_packs_tighter_than_first_fit() {
    let s = Scratch::new();
    s.write("private.toml", &private_book(""));
    // Two 4 vCPU / 16 GiB hosts. v1 (8 GiB) -> host 0; v2 (12 GiB) -> host 1 (host 0 has 8 left).
    // v3 (4 GiB): first-fit puts it on host 0 (8 free), best-fit on host 1 (4 free, tighter).
    // v4 (8 GiB) then fits only under best-fit (host 0 still has 8).
    s.write(
        "vms.csv",
        &format!("{VM_HEADER}v1,g,0,,1,8,0\nv2,g,1,,1,12,0\nv3,g,2,,1,4,0\nv4,g,3,,1,8,0\n"),
    );
    let first = run_scenario(&s.write("f.toml", &scenario("1d", "first-fit", "", &dc(2)))).unwrap();
    let best = run_scenario(&s.write("b.toml", &scenario("1d", "best-fit", "", &dc(2)))).unwrap();
    assert_eq!(
        (first.summary.vms.placed, first.summary.vms.unplaced),
        (3, 1)
    );
    assert_eq!((best.summary.vms.placed, best.summary.vms.unplaced), (4, 0));
}

#[test]
fn a_plan_file_spreads_a_group_by_its_shares() {
    let s = Scratch::new();
    s.write("public.toml", &public_book(0.0));
    s.write("plan.toml", "[groups]\nweb = { one = 0.25, two = 0.75 }\n");
    let rows: String = (0..8)
        .map(|i| format!("w{i},web,{i},3600,2,4,0\n"))
        .collect();
    s.write("vms.csv", &format!("{VM_HEADER}{rows}"));
    let venues = "[[venues]]\nname = \"one\"\nbook = \"public.toml\"\n[[venues]]\nname = \"two\"\nbook = \"public.toml\"\n";
    let r = run_scenario(&s.write(
        "t.toml",
        &scenario("1d", "plan", "[placement]\nplan = \"plan.toml\"\n", venues),
    ))
    .unwrap();
    // 8 VMs at 25 % / 75 %: 2 and 6.
    assert_eq!(
        (
            r.summary.venues[0].placements,
            r.summary.venues[1].placements
        ),
        (2, 6)
    );
}

#[test]
fn energy_and_carbon_follow_the_power_curve() {
    let s = Scratch::new();
    // 100 W idle; PUE 2; 0.5 per kWh; 0.4 kgCO2e per kWh. One idle host for a day:
    // 100 W x 24 h x 2 = 4.8 kWh; 4.8 x 0.4 = 1.92 kg; 4.8 x 0.5 = 2.40.
    let tco = "[private.tco]\ncapex = 0.0\nlife_years = 1\nwatts = [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200]\n\
               watts_source = \"test\"\npue = 2.0\nenergy_per_kwh = 0.5\n";
    s.write(
        "private.toml",
        &private_book(tco).replace("host_monthly = 730.0\n", ""),
    );
    s.write("vms.csv", &format!("{VM_HEADER}x,g,86000,86001,1,1,0\n"));
    let venue = format!("{}carbon_kg_per_kwh = 0.4\n", dc(1));
    let r = run_scenario(&s.write("t.toml", &scenario("1d", "first-fit", "", &venue))).unwrap();
    let site = &r.summary.private_sites[0];
    // The VM (1 of 4 vCPU for 1 s) adds a few hundredths of a watt-hour at most.
    assert!((site.energy_kwh.unwrap() - 4.8).abs() < 0.01, "{site:?}");
    assert!((site.carbon_kg.unwrap() - 1.92).abs() < 0.01);
    assert!((r.outcome.ledger.total(0, Category::Power) - 2.40).abs() < 0.01);
}

#[test]
fn a_deadline_queue_scales_workers_to_finish_on_time() {
    let s = Scratch::new();
    s.write("public.toml", &public_book(0.0));
    s.write("vms.csv", &format!("{VM_HEADER}unused,other,0,60,1,1,0\n"));
    let scale = "[[autoscale]]\ngroup = \"jobs\"\npolicy = \"deadline\"\nvcpus = 2\nmem_gib = 4\nmin = 0\nmax = 20\ninitial = 0\n\
                 interval = \"1h\"\nitems = 100\nitem_time = \"1h\"\ndeadline = \"10h\"\n";
    let r = run_scenario(&s.write("t.toml", &scenario("1d", "first-fit", scale, CLOUD))).unwrap();
    let a = &r.summary.autoscale[0];
    // The rule runs at t = 0, as MiCADO's does: 100 items, 10 h left -> ceil(100 / 10) = 10
    // workers. Each hour they do one item each: 90 left / 9 h -> 10, ..., 10 / 1 -> 10; at 10 h
    // the queue is empty. 10 x 10 = 100 instance-hours = 100 items of 1 h.
    assert_eq!(
        (
            a.peak_instances,
            a.instance_hours,
            a.emptied_at_s,
            a.deadline_met
        ),
        (10, 100.0, Some(36_000), Some(true))
    );
    // Billed like any VM: 100 h x 0.10 (less the 60 s of the unrelated trace VM's minute).
    let compute = r.outcome.ledger.total(0, Category::Compute);
    assert!(
        (compute - 10.0 - 60.0 / 3600.0 * 0.10).abs() < 1e-9,
        "{compute}"
    );
}

#[test]
fn a_threshold_group_follows_its_trace_demand() {
    let s = Scratch::new();
    s.write(
        "public.toml",
        &public_book(0.0).replace("vcpus = 2\nmem_gib = 4", "vcpus = 4\nmem_gib = 16"),
    );
    // Three 4-vCPU web VMs from 0 to 10 h: 12 cores of demand (no usage file: allocation).
    let rows: String = (0..3)
        .map(|i| format!("w{i},web,0,36000,4,8,0\n"))
        .collect();
    s.write("vms.csv", &format!("{VM_HEADER}{rows}"));
    let scale = "[[autoscale]]\ngroup = \"web\"\npolicy = \"threshold\"\nvcpus = 4\nmem_gib = 16\nmin = 1\nmax = 10\ninitial = 1\n\
                 interval = \"1h\"\nscale_out_above = 0.75\nscale_in_below = 0.3\nsustain = \"0s\"\ncooldown = \"0s\"\n";
    let r = run_scenario(&s.write("t.toml", &scenario("1d", "first-fit", scale, CLOUD))).unwrap();
    let a = &r.summary.autoscale[0];
    // 1 instance: 12 / 4 = 300 % -> 2 at 1 h (150 %) -> 3 at 2 h (100 %) -> 4 at 3 h (75 %, not
    // above): 4 until the demand ends at 10 h, then one fewer an hour down to the minimum of 1.
    assert_eq!(a.peak_instances, 4);
    assert_eq!((a.scale_outs, a.scale_ins), (4, 3));
    // Unserved: 12 - 4 = 8 cores in the first hour, 4 in the second, 0 in the third = 12 core-h.
    assert_eq!(a.unserved_core_hours, 12.0);
    // The web VMs themselves are demand, not placed.
    assert_eq!(r.summary.venues[0].placements, 4);
}

#[test]
fn backup_seeding_windows_and_rpo_over_the_wan() {
    let s = Scratch::new();
    s.write("public.toml", &public_book(0.0));
    s.write(
        "backup.toml",
        &format!(
            "name = \"b\"\n{HEAD}[backup]\nstore_cap_tb = 64.0\nstored_tb_month = 20.0\nlicence_server_month = 6.0\nwan_mbps_month = 3.0\n\
             link_sizes_mbps = [100]\nmax_rtt_ms = 250.0\nmax_loss_pct = 1.0\ndrive_tb = 40.0\ndrive_cost = 300.0\ndrive_days = 7.0\n"
        ),
    );
    s.write("vms.csv", &format!("{VM_HEADER}x,g,0,60,1,1,0\n"));
    let plan = "[backup]\nname = \"bk\"\nbook = \"backup.toml\"\ncompression = 1.0\ndedup = 1.0\nchange_rate = 0.1\nretention_daily = 1\n\
                seeding = \"wan\"\nwindow_start = \"22h\"\nwindow = \"2h\"\nrpo = \"26h\"\n\
                [[backup.sites]]\nname = \"s\"\nprotected_tb = 1.0\nservers = 1\nlink_mbps = 100\nrtt_ms = 20\nloss_pct = 0.0\n";
    let r = run_scenario(&s.write("t.toml", &scenario("3d", "first-fit", plan, CLOUD))).unwrap();
    let site = &r.summary.backup.as_ref().unwrap().sites[0];
    // Seed: 1 TB = 8e12 bit at 100 Mbps = 80,000 s (22.2 h): not ready for the first window
    // (22:00 on day 0 = 79,200 s). Nightly: 0.1 TB = 8,000 s (2.2 h) against a 2 h window.
    // Day 1, 22:00: the newest backup is the seed's, and the RPO counts from the first full copy
    // (80,000 s): 165,600 - 80,000 = 85,600 s = 23.8 h <= 26 h, no breach; its job ends at
    // 173,600 s, after the window: missed. Day 2: the newest is 24 h old, no breach; its job
    // would end at 260,000 s, after the 3-day horizon (259,200 s), so it is not counted.
    assert_eq!(site.seeded_at_s, Some(80_000));
    assert_eq!(
        (site.nights, site.windows_missed, site.rpo_breaches),
        (2, 1, 0)
    );
    assert!((site.longest_job_hours - 8_000.0 / 3_600.0).abs() < 1e-3);
}

#[test]
fn sites_seeding_through_a_shared_target_say_so_on_the_terminal_and_in_the_report() {
    // Two sites of 1 TB, each on a 100 Mbps link, seed over the WAN into a target that takes
    // 100 Mbps in all. Alone: 8e12 bit / 1e8 bit/s = 80,000 s = 0.93 days. Shared: 50 Mbps
    // each while both seed, so both are there at 160,000 s = 1.85 days. The terminal and the
    // report give the simulated day, the link's figure beside it, and the rule (issue 22).
    let s = Scratch::new();
    s.write("public.toml", &public_book(0.0));
    s.write(
        "backup.toml",
        &format!(
            "name = \"b\"\n{HEAD}[backup]\nstore_cap_tb = 64.0\nstored_tb_month = 20.0\nlicence_server_month = 6.0\nwan_mbps_month = 3.0\n\
             link_sizes_mbps = [100]\nmax_rtt_ms = 250.0\nmax_loss_pct = 1.0\ndrive_tb = 40.0\ndrive_cost = 300.0\ndrive_days = 7.0\n"
        ),
    );
    s.write("vms.csv", &format!("{VM_HEADER}x,g,0,60,1,1,0\n"));
    let site = |name: &str| {
        format!(
            "[[backup.sites]]\nname = \"{name}\"\nprotected_tb = 1.0\nservers = 1\nlink_mbps = 100\nrtt_ms = 20\nloss_pct = 0.0\n"
        )
    };
    let plan = format!(
        "[backup]\nname = \"bk\"\nbook = \"backup.toml\"\ncompression = 1.0\ndedup = 1.0\nchange_rate = 0.1\nretention_daily = 1\n\
         seeding = \"wan\"\nwindow_start = \"22h\"\nwindow = \"2h\"\nrpo = \"26h\"\ntarget_ingress_mbps = 100.0\n{}{}",
        site("a"),
        site("b")
    );
    s.write("t.toml", &scenario("3d", "first-fit", &plan, CLOUD));
    let (code, out, err) = common::hybridplan_in(
        s.path(),
        &["run", "t.toml", "--report", "html", "--out", "r"],
    );
    assert_eq!(code, 0, "{out}{err}");
    for name in ["a", "b"] {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("  {name}: ")))
            .unwrap();
        assert!(
            line.contains(
                "seeded in 1.9 days over the WAN (0.9 days on its own link; the target is shared)"
            ),
            "{out}"
        );
    }
    assert!(out.contains("share the backup target's ingress"), "{out}");
    let html = std::fs::read_to_string(s.path().join("r/index.html")).unwrap();
    assert!(
        html.contains("id=\"shared-target\""),
        "no shared-target note"
    );
}

#[test]
fn memory_utilisation_from_samples_sets_site_memory_use() {
    let s = Scratch::new();
    s.write("private.toml", &private_book(""));
    s.write("vms.csv", &format!("{VM_HEADER}x,g,0,,2,8,0\n"));
    // 8 GiB VM at 50 % memory on one 16 GiB host: 4 GiB used = 25 %; allocated 8 GiB = 50 %.
    s.write("usage.csv", "id,t_s,cpu_util,mem_util\nx,0,0.5,0.5\n");
    let text = scenario("2h", "first-fit", "", &dc(1)).replace(
        "vms = \"vms.csv\"\n",
        "vms = \"vms.csv\"\nusage = \"usage.csv\"\n",
    );
    let r = run_scenario(&s.write("t.toml", &text)).unwrap();
    let site = &r.summary.private_sites[0];
    assert_eq!(site.mem_used_percentiles.as_ref().unwrap().p50, 0.25);
    assert_eq!(site.mem_allocated_percentiles.as_ref().unwrap().p50, 0.5);
}

#[test]
fn failures_need_a_failure_model() {
    let s = Scratch::new();
    s.write("private.toml", &private_book(""));
    s.write("vms.csv", &format!("{VM_HEADER}x,g,0,,2,8,0\n"));
    let err = run_scenario(&s.write(
        "t.toml",
        &scenario("1d", "first-fit", "failures = true", &dc(1)),
    ))
    .err()
    .unwrap()
    .to_string();
    assert!(err.ends_with("key `failures`: is true, but no private or HCI venue's book has a failure model ([private.failures], or afr_pct in [hci])"), "{err}");
}

/// Issue 16's acceptance bound for private-cloud-year, on the shipped scenario as a user runs
/// it: the web tier's predictive policy (cooldown 1 h, 3-day scale-down stabilisation) starts at
/// most 2,000 instances in the year (it thrashed with 27,728 before), and leaves no more demand
/// unserved than a threshold policy on the same trace (0.75 / 0.30, sustain 1 h, cooldown 1 h,
/// step 2, the issue's reference). A bound, not a figure: the figures (916 and 38 core-hours
/// against 1,456 and 5,574, README "Autoscaling") are the baseline's to pin.
#[test]
fn private_cloud_year_autoscales_without_thrashing() {
    let shipped = common::root().join("scenarios/private-cloud-year.toml");
    let text = std::fs::read_to_string(&shipped).unwrap();
    let web = |summary: &hybridplan::summary::Summary| {
        let a = summary.autoscale.iter().find(|a| a.group == "web").unwrap();
        (a.scale_outs, a.unserved_core_hours)
    };
    let (outs, unserved) = web(&run_scenario(&shipped).unwrap().summary);
    assert!(outs <= 2_000, "{outs} scale-outs in the year");

    // The same trace with the web tier on the reference threshold policy: the predictive
    // block (from its policy line to the next [[autoscale]]) swapped for threshold keys, the
    // books' paths made absolute for the scratch copy.
    let start = text
        .find("group = \"web\"\npolicy = \"predictive\"")
        .unwrap();
    let end = start + text[start..].find("[[autoscale]]").unwrap();
    let threshold = "group = \"web\"\npolicy = \"threshold\"\nvcpus = 4\nmem_gib = 16\ndisk_gib = 50\n\
                     min = 20\nmax = 200\ninitial = 60\ninterval = \"1h\"\nscale_out_above = 0.75\n\
                     scale_in_below = 0.30\nsustain = \"1h\"\ncooldown = \"1h\"\nstep = 2\n\n";
    let pricing = format!("\"{}/", common::root().join("pricing").display());
    let variant =
        format!("{}{threshold}{}", &text[..start], &text[end..]).replace("\"../pricing/", &pricing);
    let s = Scratch::new();
    let (_, reference) = web(&run_scenario(&s.write("threshold.toml", &variant))
        .unwrap()
        .summary);
    assert!(
        unserved <= reference,
        "predictive leaves {unserved} core-hours unserved, the threshold policy {reference}"
    );
}
