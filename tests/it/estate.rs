//! Bring your estate (issue 21): an RVTools export imported, right-sized and run end to end.

use crate::common::{Scratch, hybridplan, root};

/// Imports the RVTools fixture with the CLI into `dir`; returns stdout.
fn import(dir: &std::path::Path) -> String {
    let fixture = root().join("tests/fixtures/rvtools");
    let sheets: Vec<String> = ["vInfo", "vCPU", "vMemory", "vDisk", "vHost"]
        .iter()
        .map(|s| {
            fixture
                .join(format!("RVTools_tab{s}.csv"))
                .display()
                .to_string()
        })
        .collect();
    let mut args = vec!["trace", "import", "rvtools"];
    args.extend(sheets.iter().map(String::as_str));
    let out = dir.display().to_string();
    args.extend(["--out", &out]);
    let (code, stdout, stderr) = hybridplan(&args);
    assert_eq!(code, 0, "{stderr}");
    stdout
}

/// The estate scenario copied into `scratch` with its books and a fresh import of the fixture.
fn estate_scenario(scratch: &Scratch) -> std::path::PathBuf {
    let trace = scratch.path().join("scenarios/traces/rvtools-estate");
    let stdout = import(&trace);
    assert!(
        stdout.contains("left out: tpl-vm058 (template)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("60 VMs read, 54 in vms.csv, 90 disks, 4 hosts"),
        "{stdout}"
    );
    // The scenario's committed table is this import.
    let committed = root().join("scenarios/traces/rvtools-estate");
    for f in ["vms.csv", "inventory.csv", "disks.csv", "hosts.csv"] {
        let fresh = std::fs::read_to_string(trace.join(f)).unwrap();
        assert_eq!(
            fresh,
            std::fs::read_to_string(committed.join(f)).unwrap(),
            "{f}"
        );
    }
    for rel in [
        "scenarios/estate-rightsized.toml",
        "scenarios/traces/rvtools-estate/perf.csv",
        "pricing/private-vmware-2s32c.toml",
        "pricing/aws-us-east-1.toml",
    ] {
        scratch.write(rel, &std::fs::read_to_string(root().join(rel)).unwrap());
    }
    scratch.path().join("scenarios/estate-rightsized.toml")
}

/// Runs `scenario` into `<scratch>/out` with `extra` arguments; asserts success and returns
/// the output folder, stdout and summary.json.
fn run(
    scratch: &Scratch,
    scenario: &std::path::Path,
    extra: &[&str],
) -> (std::path::PathBuf, String, serde_json::Value) {
    let out = scratch.path().join("out");
    let (scenario_arg, out_arg) = (scenario.display().to_string(), out.display().to_string());
    let mut args = vec!["run", &scenario_arg, "--out", &out_arg];
    args.extend(extra);
    let (code, stdout, stderr) = hybridplan(&args);
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(out.join("summary.json")).unwrap();
    (out, stdout, serde_json::from_str(&text).unwrap())
}

#[test]
fn the_rvtools_fixture_imports_right_sizes_and_runs() {
    let scratch = Scratch::new();
    let scenario = estate_scenario(&scratch);
    let (out, stdout, summary) = run(&scratch, &scenario, &[]);
    assert!(stdout.contains("right-sizing: 24 of 54 VMs"), "{stdout}");
    assert!(
        stdout.contains("5 without performance data kept their size"),
        "{stdout}"
    );
    assert_eq!(summary["vms"]["placed"], 54);
    let r = &summary["rightsize"];
    assert_eq!(
        (r["vms"].as_u64(), r["resized"].as_u64()),
        (Some(54), Some(24))
    );
    let saving = r["monthly_saving"].as_f64().unwrap();
    let (before, after) = (
        r["monthly_before"].as_f64().unwrap(),
        r["monthly_after"].as_f64().unwrap(),
    );
    assert!((before - after - saving).abs() < 0.011, "{r}");
    // The hand-worked decision (src/summary/rightsize/tests.rs): 4 vCPUs, 8 GiB at P95 CPU
    // 0.4 and memory 0.6 + 20 % -> 1.92 vCPUs, 5.76 GiB: c5.xlarge (124.10 a month) ->
    // m6a.large (63.07), saving 61.03.
    let csv = std::fs::read_to_string(out.join("rightsize.csv")).unwrap();
    let row = csv.lines().find(|l| l.starts_with("prod-vm002,")).unwrap();
    assert_eq!(
        row,
        "prod-vm002,prod,4,8,0.4000,0.6000,1.9200,5.7600,c5.xlarge,m6a.large,2,8,124.10,63.07,61.03,fitted"
    );
    // A VM without data (every tenth of the fixture) keeps its size.
    let kept = csv.lines().find(|l| l.starts_with("prod-vm009,")).unwrap();
    assert!(
        kept.ends_with("no performance data: allocated size kept"),
        "{kept}"
    );
}

/// A private site of 2 hosts (4 cores, 16 GiB) with 1 TB raw each, in 2 copies.
const SMALL_SITE: &str = r#"name = "small site"
currency = "USD"
source = "test fixture"
as_of = "2026-01-01"
[private]
cores = 4
sockets = 1
mem_gib = 16
host_monthly = 730.0
[private.storage]
raw_tb_per_host = 1.0
protection = "replicas-2"
"#;

/// Three VMs of 1 vCPU and 2 GiB with `disk_gib` of disks each (the third a minute later) on
/// venue `venue` (`book`, sized by `size`, e.g. "hosts = 2"), run for a day: the summary.
fn three_vms_on(book: (&str, &str), venue: &str, size: &str, disk_gib: u32) -> serde_json::Value {
    let scratch = Scratch::new();
    scratch.write(book.0, book.1);
    let row = |id: &str, start: u32| format!("{id},g,{start},,1,2,{disk_gib}\n");
    let vms = [
        "id,group,start_s,end_s,vcpus,mem_gib,disk_gib\n".to_string(),
        row("a", 0),
        row("b", 0),
        row("c", 60),
    ];
    scratch.write("vms.csv", &vms.concat());
    let scenario = scratch.write(
        "s.toml",
        &format!("name = \"storage\"\nhorizon = \"1d\"\nstep = \"1h\"\nseed = 1\ncurrency = \"USD\"\npolicy = \"first-fit\"\n[trace]\nvms = \"vms.csv\"\n[[venues]]\nname = \"{venue}\"\nbook = \"{}\"\n{size}\n", book.0),
    );
    run(&scratch, &scenario, &["--quiet"]).2
}

#[test]
fn a_private_site_runs_out_of_storage_before_compute() {
    // Usable: 2 hosts x 1 TB x 1/2 (two copies) = 1 TB = 10^12 / 2^30 = 931.3226 GiB.
    // Three VMs of 1 vCPU, 2 GiB and 400 GiB of disks: the hosts have room for 8 such VMs by
    // vCPU, but the disks of two take 800 GiB and a third would need 1,200 > 931.3226: the
    // third is a storage shortfall, with 131.3 GiB free.
    let s = three_vms_on(("book.toml", SMALL_SITE), "dc", "hosts = 2", 400);
    assert_eq!(s["vms"]["placed"], 2);
    assert_eq!(s["shortfalls"]["by_kind"]["storage"], 1);
    let first = &s["shortfalls"]["first"][0];
    assert_eq!(first["vm"], "c");
    assert_eq!(
        first["reason"],
        "dc: storage full (131.3 GiB free, the VM's disks need 400 GiB)"
    );
    let site = &s["private_sites"][0];
    // Kept in whole MiB: 931.3226 GiB = 953,674.3 MiB -> 953,674 MiB = 931.3223 GiB.
    assert_eq!(site["storage_usable_gib"], 931.3223);
    assert_eq!(site["peak_storage_gib"], 800.0);
}

/// An HCI scale unit of 2 nodes (4 cores, 64 GiB each, 3 x 1 TB capacity drives), two-way
/// mirror, 0.5 TB of infrastructure storage.
const SMALL_HCI: &str = r#"name = "small hci"
currency = "USD"
source = "test fixture"
as_of = "2026-01-01"
[hci]
platform = "test HCI"
node = { name = "4c 64 GiB 3 x 1 TB", cores = 4, mem_gib = 64, capacity_drives = 3, drive_tb = 1.0 }
nodes_min = 2
nodes_max = 4
reserve = "n+1"
infra_mem_gib_per_unit = 0
infra_mem_gib_per_node = 0
infra_vcpus_per_unit = 0
cpu_overcommit = 4.0
mirror_copies = 2
infra_storage_tb = 0.5
temp_gib_per_mem_gib = 5.2
temp_max_share = 0.1
ram_gib_per_core = [4, 16]
tenant_tb_per_core = [0.1, 3.0]
base_vcpu_hour = 0.0
windows_vcpu_hour = 0.0
repair_standard = "1d"
repair_custom = "14d"
[hci.tco]
capex = 10000.0
life_years = 5
support_yearly = 1000.0
"#;

#[test]
fn an_hci_unit_runs_out_of_storage_before_compute() {
    // Tenant storage of a 2-node unit, after the mirror (one capacity drive a node kept free):
    // pool = 2 nodes x (3 - 1) drives x 1 TB / 2 copies = 2.0 TB; VM temporary disks =
    // min(2 x 64 GiB x 5.2 / 1024 = 0.65, 10 % of 2.0 = 0.2) = 0.2 TB; tenant = 2.0 - 0.5
    // (infrastructure) - 0.2 = 1.3 TB (0.1625 TB a core, within the book's 0.1-3 TB rule)
    // = 1.3e12 / 2^20 = 1,239,776.6 MiB, kept as 1,239,777 MiB = 1,210.7197 GiB.
    // Compute: n+1 keeps one node back, so the unit holds 4 x 4 = 16 vCPUs and 64 GiB: room
    // for 16 VMs of 1 vCPU and 2 GiB. Disks of 500 GiB: two take 1,000 GiB and a third would
    // need 1,500 > 1,210.72: a storage shortfall with 1,239,777 - 1,024,000 = 215,777 MiB =
    // 210.7 GiB free.
    let s = three_vms_on(("hci.toml", SMALL_HCI), "hci", "nodes = 2", 500);
    assert_eq!(s["vms"]["placed"], 2);
    assert_eq!(s["shortfalls"]["by_kind"]["storage"], 1);
    let first = &s["shortfalls"]["first"][0];
    assert_eq!(first["vm"], "c");
    assert_eq!(
        first["reason"],
        "hci: storage full (210.7 GiB free, the VM's disks need 500 GiB)"
    );
    let site = &s["private_sites"][0];
    assert_eq!(site["storage_usable_gib"], 1210.7197);
    assert_eq!(site["peak_storage_gib"], 1000.0);
}

/// FOCUS 1.0's mandatory columns (specification/columns/*.md at tag v1.0: "Feature level:
/// Mandatory"), with their data type and whether they allow nulls.
const FOCUS_MANDATORY: [(&str, &str, bool); 21] = [
    ("BilledCost", "Decimal", false),
    ("BillingAccountId", "String", false),
    ("BillingAccountName", "String", true),
    ("BillingCurrency", "String", false),
    ("BillingPeriodEnd", "DateTime", false),
    ("BillingPeriodStart", "DateTime", false),
    ("ChargeCategory", "String", false),
    ("ChargeClass", "String", true),
    ("ChargeDescription", "String", true),
    ("ChargePeriodEnd", "DateTime", false),
    ("ChargePeriodStart", "DateTime", false),
    ("ContractedCost", "Decimal", false),
    ("EffectiveCost", "Decimal", false),
    ("InvoiceIssuerName", "String", false),
    ("ListCost", "Decimal", false),
    ("PricingQuantity", "Decimal", true),
    ("PricingUnit", "String", true),
    ("ProviderName", "String", false),
    ("PublisherName", "String", false),
    ("ServiceCategory", "String", false),
    ("ServiceName", "String", false),
];

#[test]
fn the_focus_export_reads_back_with_every_mandatory_column_and_sums_to_the_total() {
    use parquet::basic::{LogicalType, Repetition, TimeUnit, Type as Physical};
    use parquet::column::reader::get_typed_column_reader;
    use parquet::data_type::Int64Type;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    let scratch = Scratch::new();
    let scenario = estate_scenario(&scratch);
    let (out, stdout, summary) = run(&scratch, &scenario, &["--export", "focus"]);
    assert!(stdout.contains("focus.parquet"), "{stdout}");
    let total = summary["total"].as_f64().unwrap();

    let reader =
        SerializedFileReader::new(std::fs::File::open(out.join("focus.parquet")).unwrap()).unwrap();
    let schema = reader.metadata().file_metadata().schema_descr();
    for (name, kind, nullable) in FOCUS_MANDATORY {
        let col = schema
            .columns()
            .iter()
            .find(|c| c.name() == name)
            .unwrap_or_else(|| panic!("no column {name}"));
        let t = col.self_type();
        let rep = t.get_basic_info().repetition();
        assert_eq!(rep == Repetition::OPTIONAL, nullable, "{name}: {rep:?}");
        let logical = t.get_basic_info().logical_type_ref().cloned();
        match kind {
            "Decimal" => {
                assert_eq!(col.physical_type(), Physical::INT64, "{name}");
                assert_eq!(logical, Some(LogicalType::decimal(6, 18)), "{name}");
            }
            "DateTime" => {
                assert_eq!(col.physical_type(), Physical::INT64, "{name}");
                let utc_micros = LogicalType::timestamp(true, TimeUnit::MICROS);
                assert_eq!(logical, Some(utc_micros), "{name}");
            }
            _ => {
                assert_eq!(col.physical_type(), Physical::BYTE_ARRAY, "{name}");
                assert_eq!(logical, Some(LogicalType::String), "{name}");
            }
        }
    }
    // BilledCost in micro-dollars, summed over every row group.
    let ix = schema
        .columns()
        .iter()
        .position(|c| c.name() == "BilledCost")
        .unwrap();
    let (mut sum, mut rows) = (0i64, 0usize);
    for g in 0..reader.num_row_groups() {
        let group = reader.get_row_group(g).unwrap();
        let n = group.metadata().num_rows() as usize;
        let mut col = get_typed_column_reader::<Int64Type>(group.get_column_reader(ix).unwrap());
        let mut values = Vec::new();
        col.read_records(n, None, None, &mut values).unwrap();
        sum += values.iter().sum::<i64>();
        rows += values.len();
    }
    let ledger = std::fs::read_to_string(out.join("ledger.csv")).unwrap();
    assert_eq!(
        rows,
        ledger.lines().count() - 1,
        "one FOCUS row per ledger row"
    );
    // Each row rounds to a micro-dollar; the total is rounded to cents.
    assert!(
        (sum as f64 / 1e6 - total).abs() < 0.005 + rows as f64 * 1e-6,
        "{sum} vs {total}"
    );
    // The same figures in the CSV, with the private site in the same columns.
    let csv = std::fs::read_to_string(out.join("focus.csv")).unwrap();
    let billed: f64 = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert!((billed - sum as f64 / 1e6).abs() < 1e-6 * rows as f64);
    assert!(csv.lines().any(|l| {
        l.contains(",dc,dc,,,estate-rightsized/dc,dc,Private cloud site,Compute,Owned Hosts,")
    }));
}

#[test]
fn public_disks_are_priced_by_the_class_of_their_tier() {
    // VM "a" on AWS for 730 h (one month) with two disks (disks.csv):
    // 500 GiB standard -> gp3 at 6,000 IOPS: 500 x 0.08 + (6,000 - 3,000 included) x 0.005
    //   = 40 + 15 = 55.00;
    // 100 GiB fast -> io2 at 1,000 IOPS: 100 x 0.125 + 1,000 x 0.065 = 12.50 + 65 = 77.50.
    // Storage: 132.50 (not disk_gib 900 x 0.08 = 72.00 at the flat rate).
    let scratch = Scratch::new();
    let book = std::fs::read_to_string(root().join("pricing/aws-us-east-1.toml")).unwrap();
    scratch.write("aws.toml", &book);
    scratch.write(
        "vms.csv",
        "id,group,start_s,end_s,vcpus,mem_gib,disk_gib\na,g,0,,2,8,900\n",
    );
    scratch.write(
        "disks.csv",
        "vm,disk,capacity_gib,tier,iops\na,d1,500,,6000\na,d2,100,fast,1000\n",
    );
    let scenario = scratch.write(
        "s.toml",
        r#"name = "disks"
horizon = "730h"
step = "1h"
seed = 1
currency = "USD"
policy = "first-fit"
[trace]
vms = "vms.csv"
[storage]
disks = "disks.csv"
[storage.classes.aws]
standard = "gp3"
fast = "io2"
[[venues]]
name = "aws"
book = "aws.toml"
"#,
    );
    let (_, _, s) = run(&scratch, &scenario, &["--quiet"]);
    assert_eq!(s["by_category"]["storage"], 132.5);
    // A tier without a class is refused, naming the key.
    let text = std::fs::read_to_string(&scenario)
        .unwrap()
        .replace("fast = \"io2\"\n", "");
    scratch.write("s.toml", &text);
    let (code, _, stderr) = hybridplan(&["run", &scenario.display().to_string(), "--quiet"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("key `storage.classes.aws`: no storage class for tier \"fast\""),
        "{stderr}"
    );
}

#[test]
fn the_xlsx_workbook_imports_byte_for_byte_as_the_csv_sheets() {
    let scratch = Scratch::new();
    let from_csv = scratch.path().join("csv");
    import(&from_csv);
    let book = root().join("tests/fixtures/rvtools/RVTools_export.xlsx");
    let (book_arg, out) = (
        book.display().to_string(),
        scratch.path().join("xlsx").display().to_string(),
    );
    let (code, stdout, stderr) =
        hybridplan(&["trace", "import", "rvtools", &book_arg, "--out", &out]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("60 VMs read, 54 in vms.csv, 90 disks, 4 hosts"),
        "{stdout}"
    );
    for f in ["vms.csv", "inventory.csv", "disks.csv", "hosts.csv"] {
        let csv = std::fs::read(from_csv.join(f)).unwrap();
        let xlsx = std::fs::read(scratch.path().join("xlsx").join(f)).unwrap();
        assert!(
            csv == xlsx,
            "{f} differs between the CSV and the xlsx import"
        );
    }
    // A corrupt workbook is bad input (exit 2) naming the file.
    let corrupt = scratch.write("broken.xlsx", "PK\u{3}\u{4} cut short");
    let corrupt_arg = corrupt.display().to_string();
    let (code, _, stderr) =
        hybridplan(&["trace", "import", "rvtools", &corrupt_arg, "--out", &out]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&format!("{corrupt_arg}: is not a readable xlsx workbook")),
        "{stderr}"
    );
}

#[test]
fn right_sizing_onto_a_private_site_fits_to_its_flavours() {
    let scratch = Scratch::new();
    let scenario = estate_scenario(&scratch);
    // The fixture right-sized onto the private VMware site "dc", to an OpenStack-style list.
    let text = std::fs::read_to_string(&scenario).unwrap();
    let edited = text.replacen(
        "[rightsize]\nvenue = \"aws-us-east-1\"\n",
        "[rightsize]\nvenue = \"dc\"\nflavours = [\n  { name = \"m1.small\", vcpus = 1, mem_gib = 2 },\n  { name = \"m1.medium\", vcpus = 2, mem_gib = 4 },\n  { name = \"r1.medium\", vcpus = 2, mem_gib = 8 },\n  { name = \"m1.large\", vcpus = 4, mem_gib = 8 },\n  { name = \"m1.xlarge\", vcpus = 8, mem_gib = 16 },\n  { name = \"m1.2xlarge\", vcpus = 16, mem_gib = 64 },\n]\n",
        1,
    );
    assert_ne!(edited, text);
    std::fs::write(&scenario, edited).unwrap();
    let (out, stdout, summary) = run(&scratch, &scenario, &[]);
    assert!(stdout.contains("to a smaller flavour on dc"), "{stdout}");
    assert_eq!(summary["rightsize"]["flavours"], true);
    assert_eq!(summary["vms"]["placed"], 54);
    // prod-vm002: 4 vCPUs, 8 GiB at P95 CPU 0.4 and memory 0.6 + 20 % -> 1.92 vCPUs and
    // 5.76 GiB. Before: the smallest flavour holding 4 vCPUs and 8 GiB is m1.large. After:
    // flavours with >= 1.92 vCPUs and >= 5.76 GiB are r1.medium (2, 8), m1.large, m1.xlarge
    // and m1.2xlarge; the fewest vCPUs is r1.medium (m1.medium's 4 GiB is too little). No
    // per-VM price on a private site: the money columns are 0.
    let csv = std::fs::read_to_string(out.join("rightsize.csv")).unwrap();
    let row = csv.lines().find(|l| l.starts_with("prod-vm002,")).unwrap();
    assert_eq!(
        row,
        "prod-vm002,prod,4,8,0.4000,0.6000,1.9200,5.7600,m1.large,r1.medium,2,8,0.00,0.00,0.00,fitted"
    );
    // A public venue with flavours, or a private one without, is refused naming the key.
    let with = std::fs::read_to_string(&scenario).unwrap().replacen(
        "venue = \"dc\"\n",
        "venue = \"aws-us-east-1\"\n",
        1,
    );
    std::fs::write(&scenario, with).unwrap();
    let scenario_arg = scenario.display().to_string();
    let (code, _, stderr) = hybridplan(&["run", &scenario_arg, "--quiet"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("key `rightsize.flavours`: \"aws-us-east-1\" is a public venue"),
        "{stderr}"
    );
}
