use super::*;
use crate::pricing::{Book, BookKind};
use crate::trace::Vm;
use std::path::Path;

/// A Windows VM without SQL Server or hybrid benefit.
const WINDOWS: Licences = Licences {
    windows: true,
    sql: None,
};

fn aws() -> Sizes {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing/aws-us-east-1.toml");
    match Book::load(&path).unwrap().kind {
        BookKind::Public(p) => Sizes::Book(Box::new(p)),
        _ => unreachable!(),
    }
}

fn vm(vcpus: f64, mem_gib: f64) -> Vm {
    Vm {
        group: 0,
        start: 0,
        end: None,
        vcpus,
        mem_gib,
        disk_gib: 0.0,
    }
}

const OPT: Rightsize = Rightsize {
    venue: 0,
    percentile: 95.0,
    headroom: 0.2,
    perf: None,
    flavours: Vec::new(),
};

#[test]
fn a_hand_worked_right_sizing_decision() {
    // prod-vm002 of the RVTools fixture: 4 vCPUs, 8 GiB, Linux, P95 CPU 0.4 and memory 0.6.
    // Needs 4 x 0.4 x 1.2 = 1.92 vCPUs and 8 x 0.6 x 1.2 = 5.76 GiB. In aws-us-east-1 the
    // cheapest type with >= 4 vCPUs and >= 8 GiB is c5.xlarge (0.17/h); with >= 1.92 vCPUs and
    // >= 5.76 GiB it is m6a.large (2 vCPUs, 8 GiB, 0.0864/h; c5.large has only 4 GiB).
    // Monthly: 0.17 x 730 = 124.10 before, 0.0864 x 730 = 63.072 after, saving 61.028.
    let table = VmTable::new([("prod-vm002", vm(4.0, 8.0))], vec!["prod".into()]);
    let p = [Some(Percentiles {
        cpu: 0.4,
        mem: Some(0.6),
    })];
    let book = aws();
    let d = &fit(&table, &p, &book, &OPT, 1.0, &|_| Licences::default())[0];
    assert_eq!(d.basis, Basis::Fitted);
    assert!((d.need_vcpus - 1.92).abs() < 1e-9 && (d.need_mem_gib - 5.76).abs() < 1e-9);
    let name = |ix: Option<usize>| book.name(ix.unwrap());
    assert_eq!((name(d.before), name(d.after)), ("c5.xlarge", "m6a.large"));
    assert!(
        (d.monthly_before - 124.10).abs() < 1e-9,
        "{}",
        d.monthly_before
    );
    assert!(
        (d.monthly_after - 63.072).abs() < 1e-9,
        "{}",
        d.monthly_after
    );
}

#[test]
fn without_data_or_a_fit_the_allocated_size_is_kept_and_never_grown() {
    let book = aws();
    let table = VmTable::new(
        [
            ("none", vm(4.0, 8.0)),
            ("huge", vm(200.0, 8.0)),
            ("busy", vm(2.0, 8.0)),
        ],
        vec!["g".into()],
    );
    // "busy" runs at 100 %: 2 x 1.0 x 1.2 = 2.4 vCPUs, capped at the 2 it has.
    let busy = Some(Percentiles {
        cpu: 1.0,
        mem: None,
    });
    let d = fit(&table, &[None, busy, busy], &book, &OPT, 1.0, &|_| {
        Licences::default()
    });
    assert_eq!(
        d.iter().map(|d| d.basis).collect::<Vec<_>>(),
        [Basis::NoData, Basis::TooLarge, Basis::Fitted]
    );
    assert_eq!(d[0].before, d[0].after);
    assert_eq!((d[1].before, d[1].after), (None, None));
    assert_eq!(d[2].need_vcpus, 2.0);
    assert_eq!(d[2].before, d[2].after);
}

#[test]
fn windows_vms_save_their_licence_on_fewer_vcpus_too() {
    // Same VM as the hand-worked case, Windows: + 0.046 per vCPU-hour. Before 4 vCPUs:
    // (0.17 + 0.184) x 730 = 258.42; after 2: (0.0864 + 0.092) x 730 = 130.232.
    let table = VmTable::new([("w", vm(4.0, 8.0))], vec!["g".into()]);
    let p = [Some(Percentiles {
        cpu: 0.4,
        mem: Some(0.6),
    })];
    let d = &fit(&table, &p, &aws(), &OPT, 1.0, &|_| WINDOWS)[0];
    assert!(
        (d.monthly_before - 258.42).abs() < 1e-9,
        "{}",
        d.monthly_before
    );
    assert!(
        (d.monthly_after - 130.232).abs() < 1e-9,
        "{}",
        d.monthly_after
    );
}

#[test]
fn usage_samples_are_rescaled_to_the_new_size_so_the_same_cores_are_used() {
    // 4 vCPUs at 0.4 use 1.6 cores: on m6a.large (2 vCPUs) that is 0.8. 0.6 of 4 = 2.4 cores is
    // more than 2 vCPUs: clamped to 1.0 and counted.
    let table = VmTable::new([("a", vm(4.0, 8.0))], vec!["g".into()]);
    let samples = vec![
        Sample::new(0, 0, 0.4, Some(0.5)),
        Sample::new(0, 300, 0.6, None),
    ];
    let trace = Trace::from_samples(table, samples, Vec::new());
    let p = [Some(Percentiles {
        cpu: 0.4,
        mem: Some(0.6),
    })];
    let book = aws();
    let d = fit(&trace.table, &p, &book, &OPT, 1.0, &|_| Licences::default());
    let resized = resize(&trace, &d, &book).unwrap();
    assert_eq!(
        (resized.table.vms[0].vcpus, resized.table.vms[0].mem_gib),
        (2.0, 8.0)
    );
    let cpu: Vec<f32> = resized
        .samples()
        .unwrap()
        .unwrap()
        .map(|s| s.unwrap().cpu)
        .collect();
    assert_eq!(cpu, [0.8, 1.0]);
    assert_eq!(
        resized.notes,
        ["1 usage samples above a right-sized VM's vCPUs clamped to 1.0"]
    );
}

#[test]
fn a_private_site_fits_to_the_smallest_flavour_covering_the_percentile() {
    // An OpenStack site's flavours (listed out of order on purpose). The VM: 8 vCPUs, 16 GiB,
    // P95 CPU 0.3 and memory 0.5, headroom 0.2: needs 8 x 0.3 x 1.2 = 2.88 vCPUs and
    // 16 x 0.5 x 1.2 = 9.6 GiB. Flavours with >= 2.88 vCPUs and >= 9.6 GiB: m1.large (4, 16),
    // m1.xlarge (8, 16) and c1.medium (4, 12); the smallest is the fewest vCPUs, then the
    // least memory: c1.medium (4 vCPUs, 12 GiB), not m1.medium (2 vCPUs: too few). Before:
    // the smallest holding 8 vCPUs and 16 GiB is m1.xlarge. No per-VM price on a private site.
    let flavour = |name: &str, vcpus: u32, mem_gib: f64| Flavour {
        name: name.into(),
        vcpus,
        mem_gib,
    };
    let sizes = Sizes::Flavours(vec![
        flavour("m1.xlarge", 8, 16.0),
        flavour("m1.large", 4, 16.0),
        flavour("m1.medium", 2, 12.0),
        flavour("c1.medium", 4, 12.0),
    ]);
    let table = VmTable::new([("app", vm(8.0, 16.0))], vec!["prod".into()]);
    let p = [Some(Percentiles {
        cpu: 0.3,
        mem: Some(0.5),
    })];
    let d = &fit(&table, &p, &sizes, &OPT, 1.0, &|_| Licences::default())[0];
    assert_eq!(d.basis, Basis::Fitted);
    assert!((d.need_vcpus - 2.88).abs() < 1e-9 && (d.need_mem_gib - 9.6).abs() < 1e-9);
    let name = |ix: Option<usize>| sizes.name(ix.unwrap());
    assert_eq!((name(d.before), name(d.after)), ("m1.xlarge", "c1.medium"));
    assert_eq!((d.monthly_before, d.monthly_after), (0.0, 0.0));
    // A VM larger than every flavour keeps its size.
    let big = VmTable::new([("big", vm(16.0, 64.0))], vec!["prod".into()]);
    let d = &fit(&big, &p, &sizes, &OPT, 1.0, &|_| Licences::default())[0];
    assert_eq!((d.basis, d.after), (Basis::TooLarge, None));
}
