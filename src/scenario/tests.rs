//! Bad values in a scenario: the exact message each gives, naming the file, the key, the value and
//! what was expected. Each test edits the shipped example scenario and parses it in place (its
//! books and trace paths resolve as usual).

use super::*;

/// Parses the example scenario after `edit`; the error as printed, with the checkout's folder
/// taken off the paths.
fn error_of(edit: impl FnOnce(String) -> String) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("scenarios/example-hybrid.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = edit(text.clone());
    assert_ne!(edited, text, "the edit changed nothing");
    let err = parse(&edited, &path).unwrap_err();
    err.to_string().replace(&format!("{}/", root.display()), "")
}

/// Appends an `[[autoscale]]` table for the batch group with `extra` keys.
fn autoscale(extra: &str) -> impl FnOnce(String) -> String {
    let table = format!(
        "\n[[autoscale]]\ngroup = \"batch\"\nvcpus = 2\nmem_gib = 4\nmin = 0\nmax = 4\n{extra}\n"
    );
    move |t| t + &table
}

#[test]
fn a_currency_code_in_lower_case() {
    let err = error_of(|t| {
        t.replace(
            "policy = \"cheapest\"\n",
            "policy = \"cheapest\"\nexchange_rates = { usd = 1.1 }\n",
        )
    });
    assert_eq!(
        err,
        "scenarios/example-hybrid.toml: key `exchange_rates.usd`: currency \"usd\" is not a three-letter upper-case code such as USD or EUR"
    );
}

#[test]
fn a_private_venue_with_no_hosts() {
    let err = error_of(|t| t.replace("hosts = 2\n", "hosts = 0\n"));
    assert_eq!(
        err,
        "scenarios/example-hybrid.toml: key `venues[0].hosts`: must be at least 1"
    );
}

#[test]
fn a_commitment_term_that_is_not_sold() {
    let err = error_of(|t| t.replace("term = \"1y\"", "term = \"2y\""));
    assert_eq!(
        err,
        "scenarios/example-hybrid.toml: key `commitments[0].term`: \"2y\" is not a term; expected 1y or 3y"
    );
}

#[test]
fn autoscale_thresholds_the_wrong_way_round() {
    // The default scale_out_above is 0.75; scaling in above it would flap.
    let err = error_of(autoscale("policy = \"threshold\"\nscale_in_below = 0.9"));
    assert_eq!(
        err,
        "scenarios/example-hybrid.toml: key `autoscale[0].scale_in_below`: 0.9 must be below scale_out_above (0.75)"
    );
}

#[test]
fn autoscale_key_of_another_policy() {
    let err = error_of(autoscale(
        "policy = \"deadline\"\nitems = 10\nitem_time = \"1m\"\ndeadline = \"1h\"\ntarget = 0.5",
    ));
    assert_eq!(
        err,
        "scenarios/example-hybrid.toml: key `autoscale[0].window`: applies only to policy predictive"
    );
}

#[test]
fn autoscale_unknown_policy() {
    let err = error_of(autoscale("policy = \"fast\""));
    assert_eq!(
        err,
        "scenarios/example-hybrid.toml: key `autoscale[0].policy`: \"fast\" is not an autoscaling policy; expected threshold, deadline or predictive"
    );
}

#[test]
fn a_trace_size_with_no_vcpus() {
    let err = error_of(|t| {
        t.replace(
            "vms = \"traces/planetlab-mix/vms.csv\"\nusage = \"traces/planetlab-mix/usage.csv\"\n",
            "format = \"planetlab\"\npath = \"traces/planetlab-mix\"\nsizes = [{ vcpus = 0, mem_gib = 4 }]\n",
        )
    });
    assert_eq!(
        err,
        "scenarios/example-hybrid.toml: key `trace.sizes[0]`: size 0 vCPU / 4 GiB must have both > 0 (at most 10000 vCPUs and 1000000 GiB)"
    );
}

#[test]
fn a_duration_with_an_unknown_unit_names_the_line() {
    let err = error_of(|t| t.replace("step = \"1h\"", "step = \"1 hour\""));
    assert_eq!(
        err,
        "scenarios/example-hybrid.toml:8: duration \"1 hour\" has unknown unit \"hour\"; expected s, m, h, d, w or y"
    );
}

#[test]
fn a_book_in_another_currency_without_a_rate() {
    let e = NoExchangeRate {
        book: PathBuf::from("pricing/eu.toml"),
        currency: Currency::parse("EUR").unwrap(),
        reporting: Currency::parse("USD").unwrap(),
    };
    assert_eq!(
        e.to_string(),
        "pricing/eu.toml is priced in EUR but the scenario reports in USD; add exchange_rates.EUR = <USD per 1 EUR>"
    );
}

/// The retail HCI scenario with its first backup site's `protected_tb = 18.0` replaced by
/// `site_keys`, and `[backup] inventory` set to a hand-made inventory.csv.
fn retail_with_protected_groups(site_keys: &str) -> Result<Scenario, Error> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("scenarios/retail-hci.toml");
    let dir = tempfile::tempdir().unwrap();
    let inventory = dir.path().join("inventory.csv");
    std::fs::write(
        &inventory,
        "vm,group,in_use_gib,included\na,store,1500,true\nb,store,2500,true\nc,store,4000,false\nd,office,1000,true\n",
    )
    .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text
        .replacen(
            "target_ingress_mbps = 250\n",
            &format!(
                "target_ingress_mbps = 250\ninventory = \"{}\"\n",
                inventory.display()
            ),
            1,
        )
        .replacen("protected_tb = 18.0\n", site_keys, 1);
    assert_ne!(edited, text);
    parse(&edited, &path)
}

#[test]
fn a_backup_site_takes_its_protected_data_from_the_inventorys_used_disks() {
    // store: a 1,500 + b 2,500 = 4,000 GiB used (c is left out of the VM table) = 4,000 x
    // 1,073,741,824 bytes = 4,294,967,296,000 bytes = 4.294967296 TB.
    let s = retail_with_protected_groups("protected_groups = [\"store\"]\n").unwrap();
    let plan = s.backup.unwrap();
    assert!((plan.sites[0].protected_tb - 4.294967296).abs() < 1e-12);
    // The other sites keep their typed volumes: 9.5 + 42.0.
    assert!((plan.protected_tb() - (4.294967296 + 9.5 + 42.0)).abs() < 1e-12);
    // store and office: 4,000 + 1,000 = 5,000 GiB = 5.36870912 TB.
    let s = retail_with_protected_groups("protected_groups = [\"store\", \"office\"]\n").unwrap();
    assert!((s.backup.unwrap().sites[0].protected_tb - 5.36870912).abs() < 1e-12);
}

#[test]
fn protected_groups_must_name_inventory_groups_and_not_come_with_protected_tb() {
    let e = retail_with_protected_groups("protected_groups = [\"shop\"]\n")
        .unwrap_err()
        .to_string();
    assert!(
        e.ends_with("key `backup.sites[0].protected_groups`: \"shop\" is not a group of the inventory's VMs (groups: [\"office\", \"store\"])"),
        "{e}"
    );
    let e = retail_with_protected_groups("protected_tb = 1.0\nprotected_groups = [\"store\"]\n")
        .unwrap_err()
        .to_string();
    assert!(
        e.ends_with("key `backup.sites[0].protected_groups`: give protected_tb or protected_groups, not both"),
        "{e}"
    );
    let e = retail_with_protected_groups("").unwrap_err().to_string();
    assert!(
        e.contains("key `backup.sites[0].protected_tb`: missing: give protected_tb (TB) or protected_groups"),
        "{e}"
    );
}

/// Gives the example's batch group `keys` (batch runs on every venue: dc-east, AWS, GCP).
fn batch(keys: &str) -> impl FnOnce(String) -> String {
    let keys = keys.to_string();
    move |t| t.replace("[groups.batch]\n", &format!("[groups.batch]\n{keys}\n"))
}

#[test]
fn a_sql_edition_that_is_not_sold() {
    let err = error_of(batch("sql = \"expres\""));
    assert_eq!(
        err,
        "scenarios/example-hybrid.toml: key `groups.batch.sql`: \"expres\" is not a SQL Server edition (known: \"standard\", \"enterprise\")"
    );
    let err = error_of(batch("sql = \"web\""));
    assert!(
        err.contains("groups.batch.sql") && err.contains("SQL Server Web has no published"),
        "{err}"
    );
}

#[test]
fn sql_on_a_venue_whose_book_has_no_rate() {
    // AWS's book has no [public.sql]: the group, the venue and the book are named.
    let err = error_of(batch("sql = \"standard\""));
    assert_eq!(
        err,
        "scenarios/example-hybrid.toml: key `groups.batch.sql`: \"standard\" needs a SQL Server Standard licence rate on venue \"aws-us-east-1\", but its book scenarios/../pricing/aws-us-east-1.toml has none ([public.sql.standard]); keep the group off that venue (groups.batch.venues) or give the book the rate"
    );
    // Kept on the private site, which bills no SQL Server licence, it loads.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("scenarios/example-hybrid.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let ok = batch("sql = \"standard\"\nvenues = [\"dc-east\"]")(text);
    let s = parse(&ok, &path).unwrap();
    assert_eq!(
        s.group("batch").sql,
        Some(crate::pricing::SqlEdition::Standard)
    );
}

#[test]
fn hybrid_benefit_brings_only_licences_the_group_carries() {
    let key = "scenarios/example-hybrid.toml: key `groups.batch.hybrid_benefit";
    // A Linux group without SQL Server has nothing to bring.
    let err = error_of(batch("hybrid_benefit = true"));
    assert!(
        err.starts_with(&format!("{key}`: the group carries no licence")),
        "{err}"
    );
    // A misspelt licence gets the nearest name.
    let err = error_of(batch("os = \"windows\"\nhybrid_benefit = [\"sq\"]"));
    assert_eq!(
        err,
        format!(
            "{key}[0]`: \"sq\" is not a licence hybrid_benefit can bring along; did you mean \"sql\"?"
        )
    );
    // "sql" for a group without an edition.
    let err = error_of(batch("os = \"windows\"\nhybrid_benefit = [\"sql\"]"));
    assert!(err.contains("but the group has no sql edition"), "{err}");
    // Neither a boolean nor a list.
    let err = error_of(batch("os = \"windows\"\nhybrid_benefit = 1"));
    assert!(err.contains("must be true, false or a list"), "{err}");
    let err = error_of(batch("os = \"windows\"\nhybrid_benefit = []"));
    assert!(err.contains("lists no licence"), "{err}");
}

#[test]
fn hybrid_benefit_as_a_list_or_true() {
    use crate::pricing::Brought;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("scenarios/example-hybrid.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let group = |keys: &str| {
        let t = batch(&format!("{keys}\nvenues = [\"dc-east\"]"))(text.clone());
        parse(&t, &path).unwrap().group("batch").hybrid_benefit
    };
    let windows = "os = \"windows\"\nsql = \"enterprise\"";
    assert_eq!(
        group(&format!("{windows}\nhybrid_benefit = true")),
        Brought::ALL
    );
    assert_eq!(
        group(&format!("{windows}\nhybrid_benefit = [\"sql\"]")),
        Brought {
            windows: false,
            sql: true
        }
    );
    // true brings what the group carries: a Linux group with SQL Server brings SQL Server.
    assert_eq!(
        group("sql = \"standard\"\nhybrid_benefit = true"),
        Brought {
            windows: false,
            sql: true
        }
    );
    assert_eq!(group(windows), Brought::default());
}
