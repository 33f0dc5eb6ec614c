//! The importers on fixtures written in the providers' published formats
//! (tests/fixtures/pricing-import/, README there): importing and then quoting gives the
//! figures of the hand-written books (kept in hand-written/ as they were before the import
//! existed) for every instance type both hold, and the shipped books are what the importer
//! makes of the fixtures.

use super::{Imported, Provider, import, write};
use crate::pricing::quote::{QuoteRequest, quote};
use crate::pricing::{Book, BookKind, PublicBook, Term, Upfront};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures/pricing-import").join(rel)
}

const AWS_NAME: &str = "AWS us-east-1 (Linux; Windows uplift; reserved, savings plan; spot)";
const AZURE_NAME: &str = "Azure East US pay-as-you-go (Linux; Windows uplift; spot)";
const GCP_NAME: &str = "GCP us-central1 on-demand (Linux)";

/// The files, base and name of each provider's shipped book.
fn inputs(p: Provider) -> (Vec<PathBuf>, &'static str, &'static str) {
    match p {
        Provider::Aws => (
            vec![
                fixture("aws/AmazonEC2-us.csv"),
                fixture("aws/spot-advisor-data-2025-06-28.json"),
            ],
            "aws",
            AWS_NAME,
        ),
        Provider::Azure => (
            vec![
                fixture("azure/retail-prices-vm-page-1.json"),
                fixture("azure/retail-prices-vm-page-2.json"),
                fixture("azure/retail-prices-licenses-page-1.json"),
            ],
            "azure",
            AZURE_NAME,
        ),
        Provider::Gcp => (
            vec![fixture("gcp/compute-engine-skus.json")],
            "gcp",
            GCP_NAME,
        ),
    }
}

/// Imports `files` for `region` over the provider's base and loads the result as a book.
fn imported_book(p: Provider, files: &[PathBuf], region: &str) -> (Imported, Book) {
    let (_, base, name) = inputs(p);
    let imported = import(p, files, region).unwrap();
    let base_path = root().join(format!("pricing/base/{base}.toml"));
    let base_text = std::fs::read_to_string(&base_path).unwrap();
    let out = Path::new("imported.toml");
    let text = write(
        p,
        &imported,
        Some((&base_text, &base_path)),
        Some(name),
        out,
    )
    .unwrap();
    let book = Book::parse(&text, out).unwrap();
    (imported, book)
}

fn public(b: &Book) -> &PublicBook {
    match &b.kind {
        BookKind::Public(p) => p,
        _ => unreachable!("a public book"),
    }
}

fn load(rel: &str) -> Book {
    Book::load(&root().join(rel)).unwrap()
}

fn month(book: &Book, item: &str, f: impl FnOnce(&mut QuoteRequest)) -> f64 {
    let mut r = QuoteRequest {
        item: item.into(),
        ..QuoteRequest::default()
    };
    f(&mut r);
    quote(book, &r).unwrap().total()
}

/// Every instance type both books hold quotes the same 100 hours on-demand (Linux and
/// Windows), on spot, and under every reservation both offer; returns how many types were
/// compared. (100 h is within the first quarter of a month, before any sustained-use
/// discount, which only the imported books' bases carry.)
fn same_figures(a: &Book, b: &Book) -> usize {
    let (pa, pb) = (public(a), public(b));
    let mut compared = 0;
    for t in &pa.instances {
        let Some(jx) = pb.instance(&t.name) else {
            continue;
        };
        compared += 1;
        let u = &pb.instances[jx];
        assert_eq!((t.vcpus, t.mem_gib), (u.vcpus, u.mem_gib), "{}", t.name);
        let hours = |r: &mut QuoteRequest| r.hours = Some(100.0);
        let linux = |book| month(book, &t.name, hours);
        assert!((linux(a) - linux(b)).abs() < 1e-9, "{} on-demand", t.name);
        let win = |book| {
            month(book, &t.name, |r| {
                hours(r);
                r.windows = true;
            })
        };
        assert!((win(a) - win(b)).abs() < 1e-9, "{} Windows", t.name);
        if t.spot_hourly.is_some() && u.spot_hourly.is_some() {
            let spot = |book| {
                month(book, &t.name, |r| {
                    hours(r);
                    r.spot = true;
                })
            };
            assert!((spot(a) - spot(b)).abs() < 1e-9, "{} spot", t.name);
        }
        let ix = pa.instance(&t.name).unwrap();
        for o in pa.reserved.iter().filter(|o| o.instance == ix) {
            if pb.reserved_offer(jx, o.term, o.upfront).is_none() {
                continue;
            }
            let ri = |book| {
                month(book, &t.name, |r| {
                    hours(r);
                    r.term = Some(o.term);
                    r.upfront = Some(o.upfront);
                })
            };
            assert!((ri(a) - ri(b)).abs() < 1e-9, "{} reserved", t.name);
        }
    }
    compared
}

#[test]
fn importing_then_quoting_gives_the_hand_written_figures() {
    for (p, region, hand) in [
        (Provider::Aws, "us-east-1", "aws-us-east-1"),
        (Provider::Azure, "eastus", "azure-eastus"),
        (Provider::Gcp, "us-central1", "gcp-us-central1"),
    ] {
        let (files, _, _) = inputs(p);
        let (_, book) = imported_book(p, &files, region);
        let typed = load(&format!(
            "tests/fixtures/pricing-import/hand-written/{hand}.toml"
        ));
        // Every type of the hand-written books is in the price files: 32 AWS, 17 Azure and
        // 38 GCP types compared.
        let n = same_figures(&typed, &book);
        assert_eq!(n, public(&typed).instances.len(), "{hand}");
    }
}

#[test]
fn the_shipped_books_are_the_importers_output() {
    for (p, region, shipped) in [
        (Provider::Aws, "us-east-1", "pricing/aws-us-east-1.toml"),
        (Provider::Azure, "eastus", "pricing/azure-eastus.toml"),
        (Provider::Gcp, "us-central1", "pricing/gcp-us-central1.toml"),
    ] {
        let (files, _, _) = inputs(p);
        let (_, fresh) = imported_book(p, &files, region);
        let book = load(shipped);
        assert_eq!(same_figures(&fresh, &book), public(&fresh).instances.len());
        assert_eq!(public(&fresh).reserved.len(), public(&book).reserved.len());
        assert_eq!(public(&fresh).sql, public(&book).sql);
        assert_eq!(book.as_of, "2026-10-01");
    }
}

#[test]
fn aws_csv_and_json_offer_files_read_the_same() {
    let csv = import(
        Provider::Aws,
        &[fixture("aws/AmazonEC2-us.csv")],
        "us-east-1",
    )
    .unwrap();
    let json = import(
        Provider::Aws,
        &[fixture("aws/AmazonEC2-us-east-1.json")],
        "us-east-1",
    )
    .unwrap();
    assert_eq!(csv.instances, json.instances);
    assert_eq!(csv.reserved, json.reserved);
    assert_eq!(
        (csv.as_of.as_str(), csv.currency.as_str()),
        ("2026-10-01", "USD")
    );
    // The dedicated-tenancy m5.large and the gp3 volume are not instance types.
    assert!(csv.instances.iter().all(|t| t.name != "gp3"));
    let m5 = csv.instances.iter().find(|t| t.name == "m5.large").unwrap();
    assert_eq!((m5.hourly, m5.windows_hourly), (0.096, Some(0.188)));
}

#[test]
fn a_partial_upfront_reservation_is_two_rows_of_the_offer_file() {
    // The offer file lists m6a.xlarge's 1y standard partial-upfront term as an "Upfront Fee"
    // row (Unit Quantity, 477) and an hourly row (Unit Hrs, 0.054): one offer.
    let aws = import(
        Provider::Aws,
        &[fixture("aws/AmazonEC2-us.csv")],
        "us-east-1",
    )
    .unwrap();
    let r = aws
        .reserved
        .iter()
        .find(|r| r.instance == "m6a.xlarge" && r.upfront == Upfront::Partial)
        .unwrap();
    assert_eq!(
        (r.term, r.upfront_cost, r.hourly),
        (Term::OneYear, 477.0, 0.054)
    );
    // The shipped book loads it and quotes a 730 h month: 477 x 730 / 8,760 = 39.75 amortised
    // + 730 x 0.054 = 39.42 hourly = 79.17.
    let book = load("pricing/aws-us-east-1.toml");
    let q = month(&book, "m6a.xlarge", |r| {
        r.term = Some(Term::OneYear);
        r.upfront = Some(Upfront::Partial);
    });
    assert!((q - 79.17).abs() < 1e-9, "{q}");
}

#[test]
fn infracost_figures_for_old_and_burstable_types() {
    // Infracost's breakdown for an aws_instance prices "Instance usage (Linux/UNIX,
    // on-demand, t3.medium)" at 730 hours $30.37 (0.0416 x 730 = 30.368); the EC2
    // previous-generation prices give m3.medium 0.067 x 730 = 48.91, m3.large 0.133 x 730 =
    // 97.09 and r3.xlarge 0.333 x 730 = 243.09.
    let book = load("pricing/aws-us-east-1.toml");
    for (t, expected) in [
        ("t3.medium", 30.37),
        ("m3.medium", 48.91),
        ("m3.large", 97.09),
        ("r3.xlarge", 243.09),
    ] {
        let q = month(&book, t, |_| {});
        assert!((q - expected).abs() < 0.005, "{t}: {q}");
    }
    // Two 1-year no-upfront savings plans side by side: Compute (the default, 19.18 % off m6a)
    // and EC2 Instance at the 1y standard reservation's rate, 1 - 0.11431 / 0.1728 = 33.85 %.
    let p = public(&book);
    let default = p.savings_plan(Term::OneYear, Upfront::None).unwrap();
    assert_eq!(
        (default.name.as_str(), default.discounts["m6a"]),
        ("Compute Savings Plan", 0.1918)
    );
    let ec2 = p
        .savings_plan_named(
            Some("EC2 Instance Savings Plan"),
            Term::OneYear,
            Upfront::None,
        )
        .unwrap();
    assert!((ec2.discounts["m6a"] - (1.0 - 0.11431 / 0.1728)).abs() < 5e-5);
    // Right-sizing leaves burstable, previous-generation and GPU types alone.
    let p = public(&book);
    let (_, t) = p.cheapest_fit(2.0, 4.0).unwrap();
    assert_eq!(t.name, "c5.large");
    let g4 = &p.instances[p.instance("g4dn.xlarge").unwrap()];
    assert_eq!((g4.gpus, g4.right_size), (1, false));
}

#[test]
fn azure_reservations_and_hybrid_benefit_quote_as_published() {
    let azure = load("pricing/azure-eastus.toml");
    // A 3-year reservation of a D2s v5 in East US costs 958.96 for the term (0.0365/h
    // against 0.096 pay-as-you-go, 62 % off; cloudecon.com's reading of Azure's pricing
    // page). A 730 h month carries 958.96 x 730 / 26,280 = 26.6378.
    let q = month(&azure, "Standard_D2s_v5", |r| {
        r.term = Some(Term::ThreeYears);
        r.upfront = Some(Upfront::All);
    });
    assert!((q - 958.96 * 730.0 / 26_280.0).abs() < 1e-9, "{q}");
    // Paid monthly it is the same total: 958.96 / 26,280 h x 730 h.
    let monthly = month(&azure, "Standard_D2s_v5", |r| {
        r.term = Some(Term::ThreeYears);
        r.upfront = Some(Upfront::None);
    });
    assert!((monthly - q).abs() < 1e-9);
    // An AHB Windows D4s v5: 730 h at the Linux 0.192 = 140.16 instead of 0.376 x 730 =
    // 274.48 with the Windows licence.
    let win = month(&azure, "Standard_D4s_v5", |r| r.windows = true);
    assert!((win - 274.48).abs() < 1e-9);
    let ahb = month(&azure, "Standard_D4s_v5", |r| {
        r.windows = true;
        r.ahb = true;
    });
    assert!((ahb - 140.16).abs() < 1e-9);
    // The savings plan: D2 v3 at 0.066247/h (1y) and 0.045123/h (3y) against 0.096, the
    // compute part of Azure's calculator figures for a Windows D2 v3 (115.52 and 100.10 a
    // month less the 67.16 licence): 30.99 % and 53.00 % off.
    let p = public(&azure);
    assert_eq!(
        p.savings_plan(Term::OneYear, Upfront::None)
            .unwrap()
            .discounts["Dv3"],
        0.3099
    );
    // AHB on a book without the benefit is refused.
    let aws = load("pricing/aws-us-east-1.toml");
    let r = QuoteRequest {
        item: "m5.large".into(),
        windows: true,
        ahb: true,
        ..QuoteRequest::default()
    };
    assert!(quote(&aws, &r).is_err());
}

#[test]
fn azure_sql_licence_meters_import_to_a_rate_per_vcpu_with_a_minimum() {
    use crate::pricing::{SqlEdition, SqlRate};
    let page = fixture("azure/retail-prices-licenses-page-1.json");
    let vms = fixture("azure/retail-prices-vm-page-1.json");
    let imported = import(Provider::Azure, &[vms.clone(), page.clone()], "eastus").unwrap();
    // SQL Server Standard: "1-4 vCPU VM License" at 0.40/h sets the 4-vCPU minimum and
    // 0.40 / 4 = 0.10 per vCPU-hour; "6 vCPU" 0.60, ..., "96 vCPU" 9.60 are 0.10 x 6 ... 96.
    // Enterprise: 1.50 / 4 = 0.375; "16 vCPU" 6.00 = 16 x 0.375.
    assert_eq!(
        imported.sql[&SqlEdition::Standard],
        SqlRate {
            vcpu_hour: 0.1,
            min_vcpus: 4
        }
    );
    assert_eq!(
        imported.sql[&SqlEdition::Enterprise],
        SqlRate {
            vcpu_hour: 0.375,
            min_vcpus: 4
        }
    );
    // The licences are global: every region gets them.
    let west = import(Provider::Azure, std::slice::from_ref(&page), "westus2");
    assert!(
        west.is_err(),
        "a licences page alone holds no instance type"
    );
    let west = import(
        Provider::Azure,
        &[fixture("azure/retail-prices-vm-page-2.json"), page.clone()],
        "westus2",
    )
    .unwrap();
    assert_eq!(west.sql.len(), 2);

    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(&page).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let bad = |edit: &dyn Fn(&mut Vec<serde_json::Value>)| {
        let mut j = json.clone();
        edit(j["Items"].as_array_mut().unwrap());
        let p = dir.path().join("licences.json");
        std::fs::write(&p, serde_json::to_string(&j).unwrap()).unwrap();
        import(Provider::Azure, &[vms.clone(), p], "eastus")
            .unwrap_err()
            .to_string()
    };
    let standard = |items: &mut Vec<serde_json::Value>, meter: &str| -> usize {
        items
            .iter()
            .position(|i| i["productName"] == "SQL Server Standard" && i["meterName"] == meter)
            .unwrap()
    };
    // The 8 vCPU meter at 0.70 instead of 8 x 0.10 = 0.80 contradicts the rate: refused,
    // naming the item.
    let err = bad(&|items| {
        let i = standard(items, "8 vCPU VM License");
        items[i]["unitPrice"] = serde_json::json!(0.7);
    });
    assert!(
        err.contains("Items[2].unitPrice")
            && err.contains("SQL Server Standard 8 vCPU at 0.7/h is not 8 x 0.1 = 0.8"),
        "{err}"
    );
    // Without the band from 1 vCPU the minimum is unknown.
    let err = bad(&|items| {
        let i = standard(items, "1-4 vCPU VM License");
        items.remove(i);
    });
    assert!(err.contains("without a band from 1 vCPU"), "{err}");
    // One price over 6-8 vCPUs (above the minimum) is no per-vCPU rate.
    let err = bad(&|items| {
        let i = standard(items, "6 vCPU VM License");
        items[i]["meterName"] = serde_json::json!("6-8 vCPU VM License");
    });
    assert!(err.contains("6-8 vCPU at one price"), "{err}");
    // A meter name that is no band names the field.
    let err = bad(&|items| {
        let i = standard(items, "6 vCPU VM License");
        items[i]["meterName"] = serde_json::json!("6 cores");
    });
    assert!(err.contains("Items[1].meterName"), "{err}");
    // A negative price.
    let err = bad(&|items| items[0]["unitPrice"] = serde_json::json!(-0.4));
    assert!(err.contains("Items[0].unitPrice"), "{err}");
    // Other licence products (here, the Standard meters renamed Web) are left out and counted.
    json["Items"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .filter(|i| i["productName"] == "SQL Server Standard")
        .for_each(|i| i["productName"] = serde_json::json!("SQL Server Web"));
    let p = dir.path().join("web.json");
    std::fs::write(&p, serde_json::to_string(&json).unwrap()).unwrap();
    let imported = import(Provider::Azure, &[vms, p], "eastus").unwrap();
    assert_eq!(imported.sql.len(), 1);
    assert_eq!(
        imported.skipped["Azure licence other than SQL Server Standard or Enterprise"],
        11
    );
}

#[test]
fn aws_spot_from_the_price_history_and_the_advisor() {
    // The offer file, the CLI's describe-spot-price-history output and the Advisor's data.
    let files = [
        fixture("aws/AmazonEC2-us.csv"),
        fixture("aws/spot-price-history-us-east-1.json"),
        fixture("aws/spot-advisor-data-2025-06-28.json"),
    ];
    let (imported, book) = imported_book(Provider::Aws, &files, "us-east-1");
    let p = public(&book);
    let spot = |name: &str| p.instances[p.instance(name).unwrap()].spot_hourly.unwrap();
    // m5.large: each us-east-1 AZ's latest Linux/UNIX reading, 1a 0.0327 (19:02 beats
    // 06:14's 0.0331), 1b 0.0335, 1c 0.0319; (0.0327 + 0.0335 + 0.0319) / 3 = 0.0327. The
    // Windows reading and us-east-2a's are not counted.
    assert!((spot("m5.large") - 0.0327).abs() < 1e-12);
    // m6a.xlarge: (0.0743 + 0.0721) / 2 = 0.0732.
    assert!((spot("m6a.xlarge") - 0.0732).abs() < 1e-12);
    // m5.xlarge has no reading: on-demand 0.192 x (1 - the Advisor's 66 %) = 0.06528.
    assert!((spot("m5.xlarge") - 0.06528).abs() < 1e-12);
    // 730 h of m5.xlarge on spot: 0.06528 x 730 = 47.6544.
    let q = month(&book, "m5.xlarge", |r| r.spot = true);
    assert!((q - 47.6544).abs() < 1e-9, "{q}");
    // m5's worst bucket in us-east-1 is ">20%" (m5.xlarge), counted as 22.5 % a month:
    // -ln(1 - 0.225) / 730 = 0.000349167 evictions per instance-hour; r3's worst is
    // "10-15%" (r3.4xlarge): -ln(0.875) / 730 = 0.000182920.
    assert_eq!(imported.spot_interruption["m5"], ">20%");
    let rate = |name: &str| p.spot_evictions(p.instance(name).unwrap());
    assert!((rate("m5.large") - 0.000_349_167).abs() < 1e-9);
    assert!((rate("r3.large") - 0.000_182_920).abs() < 1e-9);
    // us-east-2 has no m3 in the Advisor: its m3 types keep no spot price.
    let (_, east2) = imported_book(Provider::Aws, &inputs(Provider::Aws).0, "us-east-2");
    let p2 = public(&east2);
    assert!(
        p2.instances[p2.instance("m3.medium").unwrap()]
            .spot_hourly
            .is_none()
    );
    // The header says where the spot figures come from.
    assert!(
        imported
            .header
            .iter()
            .any(|h| h.contains("2 types at the mean over AZs"))
    );
}

#[test]
fn azure_spot_meters_become_spot_prices() {
    let azure = load("pricing/azure-eastus.toml");
    // The "D2s v5 Spot" meter of East US: 0.018584/h (2 vCPUs x 0.007764 + 8 GiB x 0.000382,
    // the fixture's typed figure); 730 h = 13.56632. The Low Priority meter (0.0864) is not
    // spot.
    let q = month(&azure, "Standard_D2s_v5", |r| r.spot = true);
    assert!((q - 13.56632).abs() < 1e-9, "{q}");
    let p = public(&azure);
    assert_eq!(
        p.instances
            .iter()
            .filter(|t| t.spot_hourly.is_some())
            .count(),
        19
    );
}

#[test]
fn gcp_n1_standard_16_quotes_with_its_sustained_use_discount() {
    // n1-standard-16 = 16 x 0.031611 + 60 GiB x 0.004237 = 0.759996/h; 730 h = 554.797 list.
    // Sustained use: 554.797 x (0.25 + 0.2 + 0.15 + 0.1) = 388.358, GCP's 388.36.
    let gcp = load("pricing/gcp-us-central1.toml");
    let full = month(&gcp, "n1-standard-16", |_| {});
    assert!((full - 0.759_996 * 730.0 * 0.7).abs() < 1e-9);
    assert!((full - 388.36).abs() < 0.005, "{full}");
    // Half a month, 365 h: 182.5 h at 100 % + 182.5 h at 80 % = 328.5 h x 0.759996 = 249.66.
    let half = month(&gcp, "n1-standard-16", |r| r.hours = Some(365.0));
    assert!((half - 249.66).abs() < 0.005, "{half}");
    // A 1-year resource-based commitment: (16 x 0.019915 + 60 x 0.002669) = 0.47878/h.
    let cud = month(&gcp, "n1-standard-16", |r| {
        r.term = Some(Term::OneYear);
        r.upfront = Some(Upfront::None);
    });
    assert!((cud - 0.47878 * 730.0).abs() < 1e-9, "{cud}");
    // E2 has no sustained use: e2-standard-2 is 0.067006 x 730 = 48.91438.
    assert!((month(&gcp, "e2-standard-2", |_| {}) - 48.914_38).abs() < 1e-9);
}

#[test]
fn other_regions_come_from_the_same_files() {
    for (p, region) in [
        (Provider::Aws, "us-west-2"),
        (Provider::Azure, "westus2"),
        (Provider::Gcp, "us-east1"),
    ] {
        let (files, _, _) = inputs(p);
        let (imported, book) = imported_book(p, &files, region);
        assert_eq!(imported.region, region);
        assert_eq!(public(&book).region, region);
    }
}

#[test]
fn bad_price_files_name_the_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let write_file = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    // A CSV whose header lacks a column.
    let csv = write_file(
        "a.csv",
        "\"FormatVersion\",\"v1.0\"\n\"Disclaimer\",\"x\"\n\"Publication Date\",\"2026-10-01T00:00:00Z\"\n\"Version\",\"1\"\n\"OfferCode\",\"AmazonEC2\"\n\"SKU\",\"OfferTermCode\"\n",
    );
    let err = import(Provider::Aws, &[csv], "us-east-1").unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("a.csv:6") && text.contains("no column"),
        "{text}"
    );
    // A region that the file does not hold.
    let err = import(
        Provider::Gcp,
        &[fixture("gcp/compute-engine-skus.json")],
        "mars-1",
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("no instance type of region \"mars-1\""),
        "{err}"
    );
    // A GCP memory rate in the wrong unit names the SKU's field.
    let gcp = std::fs::read_to_string(fixture("gcp/compute-engine-skus.json")).unwrap();
    let bad = write_file("g.json", &gcp.replacen("\"GiBy.h\"", "\"h\"", 1));
    let err = import(Provider::Gcp, &[bad], "us-central1").unwrap_err();
    assert!(
        err.to_string().contains("pricingExpression.usageUnit"),
        "{err}"
    );
    // An Azure reservation term that is neither 1 nor 3 years.
    let az = std::fs::read_to_string(fixture("azure/retail-prices-vm-page-1.json")).unwrap();
    let bad = write_file("z.json", &az.replacen("\"3 Years\"", "\"5 Years\"", 1));
    let err = import(Provider::Azure, &[bad], "eastus").unwrap_err();
    assert!(err.to_string().contains("reservationTerm"), "{err}");
    // Without a base, the book would lack storage and egress: the error says what to give.
    let aws = import(
        Provider::Aws,
        &[fixture("aws/AmazonEC2-us.csv")],
        "us-east-1",
    )
    .unwrap();
    let err = write(Provider::Aws, &aws, None, None, Path::new("o.toml")).unwrap_err();
    assert!(err.message.contains("--base"), "{err}");
}
