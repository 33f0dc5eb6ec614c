use super::*;
use crate::pricing::{Book, BookKind};
use crate::sim::testkit::{HOST_BOOK, vm};

fn host_book() -> PrivateBook {
    match Book::parse(HOST_BOOK, std::path::Path::new("host.toml")).map(|b| b.kind) {
        Ok(BookKind::Private(b)) => b,
        _ => unreachable!("the fixture is a private book"),
    }
}

#[test]
fn a_private_site_pays_every_host_for_every_hour() {
    // 730 a host-month / 730 h = 1.00 a host-hour. 3 hosts over 48 h, busy or not:
    // 3 x 48 x 1.00 = 144.00, 72.00 a day; at an exchange rate of 0.9, 129.60.
    let book = host_book();
    for (rate, total, day) in [(1.0, 144.0, 72.0), (0.9, 129.6, 64.8)] {
        let mut ledger = Ledger::new(48 * HOUR);
        Site::private(0, &book, rate, 3, &mut ledger, 48 * HOUR);
        assert!((ledger.total(0, Category::Hosts) - total).abs() < 1e-9);
        assert!(ledger.daily(0).iter().all(|d| (d - day).abs() < 1e-9));
    }
}

#[test]
fn first_fit_packing_release_and_a_failed_host() {
    // Hosts of 4 vCPU / 16 GiB. VMs of 2 vCPU / 4 GiB: two fill host 0, the third goes to
    // host 1 (6 vCPU, 12 GiB allocated); then a 4-vCPU VM fits nowhere, yet is not too large.
    let (book, group) = (host_book(), GroupPolicy::default());
    let mut ledger = Ledger::new(HOUR);
    let mut site = Site::private(0, &book, 1.0, 2, &mut ledger, HOUR);
    site.track_vms();
    let (small, big) = (
        vm("s", 0, 0, None, 2.0, 4.0).1,
        vm("b", 0, 0, None, 4.0, 8.0).1,
    );
    let (need, big_need) = (Capacity::of(2.0, 4.0), Capacity::of(4.0, 8.0));
    let offer = |site: &Site, vm: &Vm, need| {
        site.offer(vm, &group, need, HostChoice::FirstFit, false)
            .map(|(cost, slot)| (cost, slot.host()))
    };
    for i in 0..3 {
        let (cost, host) = offer(&site, &small, need).unwrap();
        assert_eq!((cost, host), (0.0, [0, 0, 1][i as usize]));
        site.place(Slot::new(0, host), need, i);
    }
    let (cpu, mib) = (site.allocated.milli_vcpu, site.peak_allocated.mib);
    assert_eq!((cpu, mib), (6_000, 12 * 1024));
    assert_eq!(offer(&site, &big, big_need), None);
    assert!(!site.too_large(big_need) && site.too_large(Capacity::of(8.0, 8.0)));
    // VM 2 leaves host 1, which is empty again; then host 1 fails: no room until repaired.
    assert_eq!(site.vms_on(1), [2]);
    let stay = Stay {
        index: 2,
        vm: &small,
        group: &group,
        from: 0,
        at: HOUR,
    };
    site.release(&mut ledger, Slot::new(0, 1), 0, &stay);
    assert_eq!(offer(&site, &big, big_need), Some((0.0, 1)));
    site.fail(1);
    assert_eq!(offer(&site, &big, big_need), None);
    site.repair(1);
    assert_eq!(offer(&site, &big, big_need), Some((0.0, 1)));
    // A private site bills no VM time: only its 2 hosts, 2 x 1 h x 1.00 = 2.00.
    assert!((ledger.lines().iter().map(|l| l.total()).sum::<f64>() - 2.0).abs() < 1e-9);
}
