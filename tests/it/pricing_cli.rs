//! `hybridplan pricing check` and `pricing quote` as a user runs them.

use crate::common;

use common::{Scratch, hybridplan};

#[test]
fn every_shipped_book_passes_check() {
    let books: Vec<String> = std::fs::read_dir(common::root().join("pricing"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert!(books.len() >= 6, "{books:?}");
    let mut args = vec!["pricing", "check"];
    args.extend(books.iter().map(String::as_str));
    let (code, stdout, stderr) = hybridplan(&args);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        books.len(),
        "{stdout}"
    );
}

#[test]
fn a_folder_checks_the_books_directly_in_it() {
    // pricing/ holds the shipped books; pricing/base/'s partial books are not entered.
    let shipped = std::fs::read_dir(common::root().join("pricing"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|e| e == "toml")
        })
        .count();
    let folder = common::root().join("pricing");
    let (code, stdout, stderr) = hybridplan(&["pricing", "check", folder.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        shipped,
        "{stdout}"
    );
    assert!(!stdout.contains("base"), "{stdout}");
}

#[test]
fn a_broken_book_fails_check_with_its_key() {
    let s = Scratch::new();
    let good = std::fs::read_to_string(common::root().join("pricing/aws-us-east-1.toml")).unwrap();
    let broken = s.write(
        "aws.toml",
        &good.replacen("price_gb = 0.085", "price_gb = -0.085", 1),
    );
    let unordered = s.write(
        "aws2.toml",
        &good.replacen("up_to_gb = 51200", "up_to_gb = 5120", 1),
    );
    let hci = std::fs::read_to_string(common::root().join("pricing/azure-stack-hub.toml")).unwrap();
    let too_small = s.write(
        "ash.toml",
        &hci.replace(
            "tenant_tb_per_core = [0.1, 3.0]",
            "tenant_tb_per_core = [2.0, 3.0]",
        ),
    );
    let currency = s.write(
        "eur.toml",
        &good.replace("currency = \"USD\"", "currency = \"euro\""),
    );
    let (code, stdout, _) = hybridplan(&[
        "pricing",
        "check",
        broken.to_str().unwrap(),
        unordered.to_str().unwrap(),
        too_small.to_str().unwrap(),
        currency.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{stdout}");
    let out = stdout.replace(&format!("{}/", s.path().display()), "");
    assert!(out.contains("FAILED aws.toml: key `public.egress_tiers[2].price_gb`: price -0.085 must be a finite number >= 0"), "{out}");
    assert!(out.contains("FAILED aws2.toml: key `public.egress_tiers[2].up_to_gb`: 5120 must be above the previous tier's bound (10240)"), "{out}");
    // 4 nodes give 61.012 TB of tenant storage over 192 cores: 0.318 TB per core, below 2.
    assert!(out.contains("FAILED ash.toml: key `hci.node`: 4 nodes give 0.318 TB of tenant storage per core; the vendor rule is 2 to 3"), "{out}");
    assert!(
        out.contains("FAILED eur.toml:6: currency \"euro\" is not a three-letter upper-case code"),
        "{out}"
    );
}

#[test]
fn quote_prints_a_bill() {
    let (code, stdout, stderr) = hybridplan(&[
        "pricing",
        "quote",
        "pricing/gcp-us-central1.toml",
        "n2-highmem-4",
        "--spot",
        "--hours",
        "100",
    ]);
    assert_eq!(code, 0, "{stderr}");
    // OpenCost's N2 spot rates: 4 x 0.006655 + 32 x 0.000892 = 0.055164/h x 100 h = 5.52.
    assert!(
        stdout.contains("spot") && stdout.contains("5.52  USD"),
        "{stdout}"
    );
    let (code, _, stderr) = hybridplan(&[
        "pricing",
        "quote",
        "pricing/gcp-us-central1.toml",
        "n9-huge",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("\"n9-huge\" is not an item of this book"),
        "{stderr}"
    );
}

#[test]
fn import_writes_a_book_that_quotes_as_gcp_bills() {
    let s = Scratch::new();
    let out = s.path().join("gcp.toml");
    let (code, stdout, stderr) = hybridplan(&[
        "pricing",
        "import",
        "gcp",
        "tests/fixtures/pricing-import/gcp/compute-engine-skus.json",
        "--region",
        "us-central1",
        "--base",
        "pricing/base/gcp.toml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("98 instance types, 196 reservations"),
        "{stdout}"
    );
    assert!(stdout.contains("left out 1: GCP SKU"), "{stdout}");
    // n1-standard-16 for a month: 554.80 list, 388.36 after the sustained-use discount
    // (554.80 x (0.25 + 0.2 + 0.15 + 0.1)).
    let (code, stdout, stderr) =
        hybridplan(&["pricing", "quote", out.to_str().unwrap(), "n1-standard-16"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("554.80") && stdout.contains("388.36"),
        "{stdout}"
    );
}

#[test]
fn import_of_a_missing_or_foreign_file_is_bad_input() {
    let s = Scratch::new();
    let out = s.path().join("x.toml");
    let azure = |file: &str| {
        let args = [
            "pricing", "import", "azure", file, "--region", "eastus", "--out",
        ];
        let mut args = args.to_vec();
        args.push(out.to_str().unwrap());
        hybridplan(&args)
    };
    let (code, _, stderr) = azure("no-such-page.json");
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("no-such-page.json: file not found"),
        "{stderr}"
    );
    // A GCP SKU list given as an Azure page names the file and what was expected.
    let (code, _, stderr) = azure("tests/fixtures/pricing-import/gcp/compute-engine-skus.json");
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("expected a Retail Prices API page"),
        "{stderr}"
    );
    assert!(!out.exists());
}

#[test]
fn check_warns_about_old_books() {
    // The AWS book's prices are as of 2026-10-01: 182 days before 2027-04-01.
    let (code, stdout, _) = hybridplan(&[
        "pricing",
        "check",
        "pricing/aws-us-east-1.toml",
        "--max-age",
        "90d",
        "--today",
        "2027-04-01",
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("are 182 days old on 2027-04-01, older than 90 days"),
        "{stdout}"
    );
    let (_, fresh, _) = hybridplan(&[
        "pricing",
        "check",
        "pricing/aws-us-east-1.toml",
        "--today",
        "2027-04-01",
    ]);
    assert!(!fresh.contains("warn"), "{fresh}");
}
