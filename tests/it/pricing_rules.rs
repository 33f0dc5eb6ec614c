//! Every billing rule on a tiny scenario whose outcome is worked out by hand.

use crate::common;

use common::Scratch;
use hybridplan::run_scenario;
use hybridplan::sim::Category;

const HEAD: &str =
    "currency = \"USD\"\nsource = \"hand-made test prices\"\nas_of = \"2026-11-01\"\n";
const VM_HEADER: &str = "id,group,start_s,end_s,vcpus,mem_gib,disk_gib\n";

/// Type "a": 2 vCPU / 4 GiB at 0.10/h (spot 0.03, never evicted: an explicit rate of 0), family
/// "a". Windows +0.05 per vCPU-hour.
/// Egress: the first 10 GiB a month free, then 0.10. A 1-year no-upfront reservation of "a" at
/// 0.06/h and a savings plan with 20 % off family "a".
fn public_book() -> String {
    format!(
        "name = \"p\"\n{HEAD}[public]\nregion = \"r\"\nbilling = \"per-second\"\nstorage_gb_month = 0.0\nwindows_per_vcpu_hour = 0.05\nspot_evictions_per_hour = 0.0\n\
         [[public.egress_tiers]]\nup_to_gb = 10\nprice_gb = 0.0\n[[public.egress_tiers]]\nprice_gb = 0.10\n\
         [[public.instances]]\nname = \"a\"\nvcpus = 2\nmem_gib = 4\nhourly = 0.10\nspot_hourly = 0.03\n\
         [[public.reserved]]\ninstance = \"a\"\nterm = \"1y\"\nupfront = \"none\"\nhourly = 0.06\n\
         [[public.savings_plans]]\nname = \"SP\"\nterm = \"1y\"\nupfront = \"none\"\ndiscounts = {{ a = 0.2 }}\n"
    )
}

fn scenario(horizon: &str, extra: &str, venues: &str) -> String {
    format!(
        "name = \"t\"\nhorizon = \"{horizon}\"\nstep = \"1h\"\nseed = 1\ncurrency = \"USD\"\npolicy = \"first-fit\"\n\
         [trace]\nvms = \"vms.csv\"\n{extra}\n{venues}"
    )
}

const PUBLIC: &str = "[[venues]]\nname = \"cloud\"\nbook = \"public.toml\"\n";

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn run(s: &Scratch, horizon: &str, extra: &str, venues: &str) -> hybridplan::Run {
    run_scenario(&s.write("t.toml", &scenario(horizon, extra, venues))).unwrap()
}

#[test]
fn a_reservation_covers_one_vm_and_is_paid_every_hour() {
    let s = Scratch::new();
    s.write("public.toml", &public_book());
    // Two "a" VMs for 10 h at the same time.
    s.write(
        "vms.csv",
        &format!("{VM_HEADER}x,g,0,36000,2,4,0\ny,g,0,36000,2,4,0\n"),
    );
    let commit = format!(
        "{PUBLIC}[[commitments]]\nvenue = \"cloud\"\nreserved = \"a\"\ncount = 1\nterm = \"1y\"\nupfront = \"none\"\n"
    );
    let r = run(&s, "1d", "", &commit);
    let l = &r.outcome.ledger;
    // The reservation: 0.06/h x 24 h = 1.44 whether used or not. One VM is covered; the other
    // pays on-demand: 10 h x 0.10 = 1.00.
    assert!(close(l.total(0, Category::Reserved), 1.44));
    assert!(close(l.total(0, Category::Compute), 1.00));
    // Used 10 of the 24 reserved hours.
    let c = &r.outcome.venues[0].commitments[0];
    assert!(
        close(c.paid_hours, 24.0) && close(c.utilisation, 10.0 / 24.0),
        "{c:?}"
    );
}

#[test]
fn a_savings_plan_covers_usage_at_its_discounted_rate_each_hour() {
    let s = Scratch::new();
    s.write("public.toml", &public_book());
    s.write("vms.csv", &format!("{VM_HEADER}x,g,0,36000,2,4,0\n"));
    let commit = format!(
        "{PUBLIC}[[commitments]]\nvenue = \"cloud\"\nsavings_plan_hourly = 0.05\nterm = \"1y\"\nupfront = \"none\"\n"
    );
    let r = run(&s, "1d", "", &commit);
    let l = &r.outcome.ledger;
    // Each hour: 0.10 on-demand is 0.08 at the plan's rate (20 % off). The 0.05 commitment covers
    // 0.05 / 0.08 = 62.5 % of it; the other 37.5 % pays list price: 0.0375 an hour x 10 h = 0.375.
    assert!(close(l.total(0, Category::Compute), 0.375));
    // The commitment is paid for all 24 h: 24 x 0.05 = 1.20; 10 h x 0.05 of it was used.
    assert!(close(l.total(0, Category::SavingsPlan), 1.20));
    assert!(close(
        r.outcome.venues[0].commitments[0].utilisation,
        0.5 / 1.2
    ));
}

#[test]
fn spot_windows_and_egress_tiers() {
    let s = Scratch::new();
    s.write("public.toml", &public_book());
    // Group "b" buys spot; group "w" runs Windows and sends 730 GiB a month (1 GiB an hour).
    s.write(
        "vms.csv",
        &format!("{VM_HEADER}x,b,0,36000,2,4,0\ny,w,0,72000,2,4,0\n"),
    );
    let groups = "[groups.b]\npurchase = \"spot\"\n[groups.w]\nos = \"windows\"\negress_gib_per_vm_month = 730\n";
    let r = run(&s, "1d", groups, PUBLIC);
    let l = &r.outcome.ledger;
    // x: 10 h x 0.03 spot = 0.30. y: 20 h x 0.10 = 2.00 plus Windows 20 h x 2 vCPU x 0.05 = 2.00.
    assert!(close(l.total(0, Category::Compute), 0.30 + 2.00 + 2.00));
    // y's egress: 20 GiB in the month: 10 free + 10 x 0.10 = 1.00.
    assert!(close(l.total(0, Category::Egress), 1.00));
}

#[test]
fn private_power_follows_the_curve_and_usage() {
    let s = Scratch::new();
    // One host; power 100 W idle rising 10 W per 10 % to 200 W; PUE 2; 0.50 per kWh.
    s.write(
        "private.toml",
        &format!(
            "name = \"h\"\n{HEAD}[private]\ncores = 4\nsockets = 1\nmem_gib = 16\n[private.tco]\ncapex = 0.0\nlife_years = 1\n\
             watts = [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200]\nwatts_source = \"test\"\npue = 2.0\nenergy_per_kwh = 0.5\n"
        ),
    );
    s.write("vms.csv", &format!("{VM_HEADER}x,g,0,,2,4,0\n"));
    // Half the day at 100 % of 2 vCPU (= 50 % of 4 cores), half idle.
    s.write("usage.csv", "id,t_s,cpu_util\nx,0,1.0\nx,43200,0.0\n");
    let venue = "[[venues]]\nname = \"dc\"\nbook = \"private.toml\"\nhosts = 1\n";
    let text = scenario("1d", "", venue).replace(
        "vms = \"vms.csv\"\n",
        "vms = \"vms.csv\"\nusage = \"usage.csv\"\n",
    );
    let r = run_scenario(&s.write("t.toml", &text)).unwrap();
    // 12 h at 150 W + 12 h at 100 W = 3.0 kWh; x PUE 2 x 0.50 = 3.00.
    assert!(
        close(r.outcome.ledger.total(0, Category::Power), 3.0),
        "{}",
        r.outcome.ledger.total(0, Category::Power)
    );
}

#[test]
fn hci_reserve_grows_with_the_largest_vm_and_consumption_is_billed() {
    let s = Scratch::new();
    // Nodes of 8 cores / 64 GiB; the Azure Stack Hub reserve with R = 0.15 and no infrastructure.
    let hci = format!(
        "name = \"x\"\n{HEAD}[hci]\nplatform = \"test\"\nnode = {{ name = \"n\", cores = 8, mem_gib = 64, capacity_drives = 4, drive_tb = 1.0 }}\n\
         nodes_min = 4\nnodes_max = 8\nreserve = \"azure-stack-hub\"\nos_reserve_share = 0.15\ncpu_overcommit = 4.0\nram_gib_per_core = [4, 16]\n\
         base_vcpu_hour = 0.008\nrepair_standard = \"1d\"\nrepair_custom = \"14d\"\n[hci.tco]\ncapex = 0.0\nlife_years = 5\n"
    );
    s.write("hci.toml", &hci);
    // Four VMs of 4 vCPU / 32 GiB from 0 to 10 h.
    let rows: String = (0..4).map(|i| format!("v{i},g,0,36000,4,32,0\n")).collect();
    s.write("vms.csv", &format!("{VM_HEADER}{rows}"));
    let r = run(
        &s,
        "1d",
        "",
        "[[venues]]\nname = \"ash\"\nbook = \"hci.toml\"\nnodes = 4\n",
    );
    // Reserve with V = 32: 64 + 0.15 x 3 x 64 + 32 x 2 = 156.8 GiB; tenant memory 256 - 156.8 =
    // 99.2 GiB: three 32 GiB VMs (96) fit, the fourth does not (128).
    assert_eq!(r.summary.venues[0].placements, 3);
    assert_eq!(r.summary.shortfalls.by_kind.get("capacity"), Some(&1));
    // Consumption: 3 VMs x 4 vCPU x 10 h x 0.008 = 0.96.
    assert!(close(
        r.outcome.ledger.total(0, Category::Consumption),
        0.96
    ));
}

#[test]
fn backup_storage_links_licences_and_seeding() {
    let s = Scratch::new();
    s.write(
        "backup.toml",
        &format!(
            "name = \"b\"\n{HEAD}[backup]\nstore_cap_tb = 64.0\nstored_tb_month = 20.0\nlicence_server_month = 6.0\nwan_mbps_month = 3.0\n\
             link_sizes_mbps = [50, 100]\nmax_rtt_ms = 250.0\nmax_loss_pct = 1.0\ndrive_tb = 40.0\ndrive_cost = 300.0\ndrive_days = 7.0\n"
        ),
    );
    s.write("public.toml", &public_book());
    s.write("vms.csv", &format!("{VM_HEADER}x,g,0,3600,2,4,0\n"));
    let plan = "[backup]\nname = \"bk\"\nbook = \"backup.toml\"\ncompression = 2.0\ndedup = 2.5\nchange_rate = 0.02\n\
                retention_daily = 14\nretention_weekly = 4\nretention_monthly = 3\nseeding = \"drive\"\n\
                [[backup.sites]]\nname = \"s1\"\nprotected_tb = 10.0\nservers = 10\nlink_mbps = 100\nrtt_ms = 40\nloss_pct = 0.1\n";
    // 2,190 h = three 730 h months = one licence quarter.
    let r = run(&s, "2190h", plan, PUBLIC);
    let l = &r.outcome.ledger;
    let b = 1; // the backup service comes after the one venue
    // Stored: 10 x (1 + 0.02 x (14 + 7 x 4 + 30 x 3)) / (2 x 2.5) = 7.28 TB x 20 x 3 months = 436.80.
    assert!(close(l.total(b, Category::BackupStorage), 436.8));
    // Link: 100 Mbps x 3 x 3 months = 900. Licence: 10 x 6 x 3 = 180, invoiced once.
    assert!(close(l.total(b, Category::Wan), 900.0));
    assert!(close(l.total(b, Category::Licence), 180.0));
    // Seed: 10 / 5 = 2 TB on one 40 TB drive at 300.
    assert!(close(l.total(b, Category::Seeding), 300.0));
    let site = &r.summary.backup.as_ref().unwrap().sites[0];
    // Nightly 10 x 0.02 / 5 = 0.04 TB = 3.2e11 bit at 100 Mbps = 0.8889 h.
    assert_eq!(
        (site.nightly_tb, site.nightly_hours, site.drives),
        (0.04, 0.8889, 1)
    );
    assert_eq!(r.summary.venues[1].kind, "backup");
}

#[test]
fn a_site_link_beyond_the_products_limits_is_refused() {
    let s = Scratch::new();
    s.write(
        "backup.toml",
        &format!(
            "name = \"b\"\n{HEAD}[backup]\nstore_cap_tb = 64.0\nstored_tb_month = 20.0\nlicence_server_month = 6.0\nwan_mbps_month = 3.0\n\
             link_sizes_mbps = [50]\nmax_rtt_ms = 250.0\nmax_loss_pct = 1.0\ndrive_tb = 40.0\ndrive_cost = 300.0\ndrive_days = 7.0\n"
        ),
    );
    s.write("public.toml", &public_book());
    s.write("vms.csv", &format!("{VM_HEADER}x,g,0,3600,2,4,0\n"));
    let plan = "[backup]\nname = \"bk\"\nbook = \"backup.toml\"\ncompression = 2.0\ndedup = 2.5\nchange_rate = 0.02\nretention_daily = 14\nseeding = \"wan\"\n\
                [[backup.sites]]\nname = \"far\"\nprotected_tb = 1.0\nservers = 1\nlink_mbps = 50\nrtt_ms = 300\nloss_pct = 0.1\n";
    let err = run_scenario(&s.write("t.toml", &scenario("1d", plan, PUBLIC)))
        .err()
        .unwrap()
        .to_string();
    assert!(err.ends_with("key `backup.sites[0].rtt_ms`: site \"far\": round-trip time 300 ms is above the 250 ms the backup product supports"), "{err}");
}

/// A public book with `body` after `[public]`'s common keys (no storage or egress costs).
fn cloud(body: &str) -> String {
    format!(
        "name = \"p\"\n{HEAD}[public]\nregion = \"r\"\nbilling = \"per-second\"\nstorage_gb_month = 0.0\negress_gb = 0.0\n{body}"
    )
}

#[test]
fn gcp_sustained_use_discount_through_a_run() {
    let s = Scratch::new();
    // n1-standard-16 in us-central1: 16 x 0.031611 + 60 x 0.004237 = 0.759996/h, with N1's
    // schedule (https://cloud.google.com/compute/docs/sustained-use-discounts).
    s.write(
        "public.toml",
        &cloud("sustained_use = { n1 = [1.0, 0.8, 0.6, 0.4] }\n[[public.instances]]\nname = \"n1-standard-16\"\nvcpus = 16\nmem_gib = 60\nhourly = 0.759996\n"),
    );
    // One VM all month (730 h = 2,628,000 s) and one for the first half (365 h).
    s.write(
        "vms.csv",
        &format!("{VM_HEADER}x,g,0,2628000,16,60,0\ny,g,0,1314000,16,60,0\n"),
    );
    let r = run(&s, "730h", "", PUBLIC);
    // x: 554.797 list x (0.25 + 0.2 + 0.15 + 0.1) = 388.358 (GCP's 388.36); y, a second
    // inferred instance for half the month: 182.5 h at 100 % + 182.5 h at 80 % = 328.5 h x
    // 0.759996 = 249.659. Together 638.017 instead of 832.196 at list.
    let compute = r.outcome.ledger.total(0, Category::Compute);
    assert!(close(compute, 0.759_996 * (511.0 + 328.5)), "{compute}");
    assert!((compute - (388.36 + 249.66)).abs() < 0.01);
}

#[test]
fn azure_hybrid_benefit_through_a_run() {
    let s = Scratch::new();
    s.write(
        "public.toml",
        &cloud("windows_per_vcpu_hour = 0.046\nhybrid_benefit = true\n[[public.instances]]\nname = \"Standard_D4s_v5\"\nfamily = \"Dsv5\"\nvcpus = 4\nmem_gib = 16\nhourly = 0.192\nwindows_hourly = 0.376\n"),
    );
    s.write(
        "vms.csv",
        &format!("{VM_HEADER}w,win,0,36000,4,16,0\na,ahb,0,36000,4,16,0\n"),
    );
    let groups =
        "[groups.win]\nos = \"windows\"\n[groups.ahb]\nos = \"windows\"\nhybrid_benefit = true\n";
    let r = run(&s, "1d", groups, PUBLIC);
    // 10 h of a Windows D4s v5 at its listed 0.376 = 3.76; with Azure Hybrid Benefit the
    // same VM pays the Linux 0.192: 1.92.
    assert!(close(
        r.outcome.ledger.total(0, Category::Compute),
        3.76 + 1.92
    ));
    // The benefit needs a licence to bring: a Windows group or one with SQL Server.
    let Err(err) = run_scenario(&s.write(
        "t.toml",
        &scenario("1d", "[groups.win]\nhybrid_benefit = true\n", PUBLIC),
    )) else {
        panic!("hybrid_benefit without os = \"windows\" must be refused");
    };
    assert!(
        err.to_string()
            .contains("carries no licence to bring along"),
        "{err}"
    );
}

#[test]
fn an_aws_partial_upfront_reservation_through_a_run() {
    let s = Scratch::new();
    // m6a.xlarge 1y standard partial upfront: 477 upfront + 0.054/h (EC2 price list).
    s.write(
        "public.toml",
        &cloud("[[public.instances]]\nname = \"m6a.xlarge\"\nvcpus = 4\nmem_gib = 16\nhourly = 0.1728\n[[public.reserved]]\ninstance = \"m6a.xlarge\"\nterm = \"1y\"\nupfront = \"Partial Upfront\"\nupfront_cost = 477.0\nhourly = 0.054\n"),
    );
    s.write("vms.csv", &format!("{VM_HEADER}x,g,0,36000,4,16,0\n"));
    let commit = format!(
        "{PUBLIC}[[commitments]]\nvenue = \"cloud\"\nreserved = \"m6a.xlarge\"\ncount = 2\nterm = \"1y\"\nupfront = \"partial\"\n"
    );
    let r = run(&s, "1d", "", &commit);
    let l = &r.outcome.ledger;
    // Two reservations for 24 h: (477 / 8,760 + 0.054) x 24 x 2 = 0.1084521 x 48 = 5.2057.
    assert!(close(
        l.total(0, Category::Reserved),
        (477.0 / 8_760.0 + 0.054) * 48.0
    ));
    assert!(close(l.total(0, Category::Compute), 0.0));
}

/// SQL Server on Azure East US's shipped book for a 730 h month, licence-included and with Azure
/// Hybrid Benefit, and on a private site (the customer's own licences: nothing billed).
#[test]
fn sql_server_licences_and_hybrid_benefit_on_azure_as_worked_by_hand() {
    let s = Scratch::new();
    let azure = common::root().join("pricing/azure-eastus.toml");
    s.write(
        "private.toml",
        &format!("name = \"dc\"\n{HEAD}[private]\ncores = 4\nmem_gib = 16\nhost_monthly = 730.0\n"),
    );
    // Five VMs running the whole horizon: 4 vCPU / 16 GiB (Standard_D4s_v5) for the three
    // Windows + SQL Server Standard groups, 2 vCPU / 8 GiB (Standard_D2s_v5) for Enterprise.
    s.write(
        "vms.csv",
        &format!(
            "{VM_HEADER}db-1,db,0,,4,16,0\nahb-1,ahb,0,,4,16,0\nsql-1,sqlonly,0,,4,16,0\nent-1,ent,0,,2,8,0\nown-1,onprem,0,,2,4,0\n"
        ),
    );
    let groups = "[groups.db]\nos = \"windows\"\nsql = \"standard\"\n\
        [groups.ahb]\nos = \"windows\"\nsql = \"standard\"\nhybrid_benefit = true\n\
        [groups.sqlonly]\nos = \"windows\"\nsql = \"standard\"\nhybrid_benefit = [\"sql\"]\n\
        [groups.ent]\nsql = \"enterprise\"\n\
        [groups.onprem]\nsql = \"enterprise\"\nvenues = [\"dc\"]\n";
    let venues = format!(
        "[[venues]]\nname = \"azure\"\nbook = \"{}\"\n[[venues]]\nname = \"dc\"\nbook = \"private.toml\"\nhosts = 1\n",
        azure.display()
    );
    let r = run(&s, "730h", groups, &venues);
    let azure_total = r.summary.venues[0].total;
    // D4s v5: 0.192/h Linux; Windows 0.376 - 0.192 = 0.184/h; SQL Server Standard 4 vCPU x
    // 0.10 = 0.40/h. D2s v5: 0.096/h; SQL Server Enterprise at the 4-core minimum, 4 x 0.375 =
    // 1.50/h. Over 730 h:
    //   db (everything paid):           (0.192 + 0.184 + 0.40) x 730 =   566.48
    //   ahb (both licences brought):     0.192 x 730                    =   140.16
    //   sqlonly (SQL Server brought):   (0.192 + 0.184) x 730           =   274.48
    //   ent (Linux + Enterprise):       (0.096 + 1.50) x 730            = 1,165.08
    //   total on Azure                                                  = 2,146.20
    assert!(close(azure_total, 2_146.20), "{azure_total}");
    let rule = |start: &str| -> f64 {
        r.summary.venues[0]
            .by_rule
            .iter()
            .filter(|x| x.rule.starts_with(start))
            .map(|x| x.amount)
            .sum()
    };
    // By rule: SQL Server Standard only for db, 0.40 x 730 = 292.00; Enterprise 1.50 x 730 =
    // 1,095.00; Windows for db and sqlonly, 2 x 0.184 x 730 = 268.64.
    assert!(close(rule("SQL Server Standard licence"), 292.0));
    assert!(close(rule("SQL Server Enterprise licence"), 1_095.0));
    assert!(close(rule("Windows licence"), 268.64));
    // The private site bills its host (730 a month x 730 h / 730 h) and no SQL Server licence.
    assert!(close(r.summary.venues[1].total, 730.0));
    assert!(close(r.summary.total, 2_876.20), "{}", r.summary.total);

    // The optimizer prices each group's VM-month as the run billed it.
    let book = r.scenario.venues[0].public().unwrap();
    let month = |g: &str, size: (f64, f64, f64)| {
        hybridplan::optimize::demand::public_cost(book, &r.scenario.group(g), size, 730.0).unwrap()
    };
    let d4 = (4.0, 16.0, 0.0);
    assert!(close(month("db", d4), 566.48));
    assert!(close(month("ahb", d4), 140.16));
    assert!(close(month("sqlonly", d4), 274.48));
    assert!(close(month("ent", (2.0, 8.0, 0.0)), 1_165.08));
}
