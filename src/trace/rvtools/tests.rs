use super::*;
use std::io::Write;

fn fixture(names: &[&str]) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rvtools");
    names.iter().map(|n| dir.join(n)).collect()
}

const ALL: [&str; 5] = [
    "RVTools_tabvInfo.csv",
    "RVTools_tabvCPU.csv",
    "RVTools_tabvMemory.csv",
    "RVTools_tabvDisk.csv",
    "RVTools_tabvHost.csv",
];

#[test]
fn the_fixture_reads_with_templates_and_powered_off_vms_left_out() {
    let inv = read(&fixture(&ALL)).unwrap();
    assert_eq!(inv.vms.len(), 60);
    // Left out: 3 powered off (13, 27, 51), 1 suspended (38), 2 templates (58, 59).
    let out: Vec<(&str, &str)> = inv.left_out().map(|(v, w)| (v.name.as_str(), w)).collect();
    assert_eq!(
        out,
        [
            ("prod-vm013", "powered off"),
            ("prod-vm027", "powered off"),
            ("prod-vm038", "suspended"),
            ("dev-vm051", "powered off"),
            ("tpl-vm058", "template"),
            ("tpl-vm059", "template"),
        ]
    );
    let table = inv.table(false);
    assert_eq!(table.vms.len(), 54);
    assert_eq!(inv.table(true).vms.len(), 60);
    // prod-vm000: 2 vCPUs, 4096 MiB, Windows; disks 40960 + 102400 MiB plus the 4096 MiB swap
    // file = 147456 MiB provisioned = 144 GiB.
    let i = table.position("prod-vm000").unwrap();
    let vm = &table.vms[i as usize];
    assert_eq!((vm.vcpus, vm.mem_gib, vm.disk_gib), (2.0, 4.0, 144.0));
    assert_eq!(table.group_name(vm), "prod-windows");
    // 60 VMs: the even ones have two disks (30 x 2 + 30 x 1 = 90).
    assert_eq!(inv.disks.len(), 90);
    assert_eq!(inv.hosts.len(), 4);
    assert_eq!((inv.hosts[0].sockets, inv.hosts[0].cores), (2, 32));
    assert!(inv.notes.is_empty(), "{:?}", inv.notes);
}

fn sheet(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::File::create(&path)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    path
}

const HEAD: &str = "VM,Powerstate,Template,CPUs,Memory,Provisioned MiB,In Use MiB,Cluster\n";

#[test]
fn a_bad_cell_is_named_by_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let info = sheet(
        dir.path(),
        "vInfo.csv",
        &format!("{HEAD}a,poweredOn,False,2,4096,100,50,c\nb,poweredOn,False,two,4096,100,50,c\n"),
    );
    let e = read(std::slice::from_ref(&info)).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}:3: column \"CPUs\": \"two\" is not a number >= 0",
            info.display()
        )
    );
}

#[test]
fn missing_columns_unknown_sheets_and_unknown_vms_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let bad = sheet(
        dir.path(),
        "vInfo.csv",
        "VM,Powerstate,CPUs\na,poweredOn,2\n",
    );
    let e = read(&[bad]).unwrap_err().to_string();
    assert!(e.contains(":1: missing column \"Memory\""), "{e}");
    let odd = sheet(dir.path(), "vNetwork.csv", HEAD);
    let e = read(&[odd]).unwrap_err().to_string();
    assert!(e.contains("ending in vInfo, vCPU"), "{e}");
    let info = sheet(
        dir.path(),
        "x_vInfo.csv",
        &format!("{HEAD}a,poweredOn,False,2,4096,100,50,c\n"),
    );
    let cpu = sheet(dir.path(), "x_vCPU.csv", "VM;CPUs\na;4\nzz;2\n");
    let e = read(&[info, cpu]).unwrap_err().to_string();
    assert!(
        e.contains("x_vCPU.csv:3: VM \"zz\" is not in the vInfo sheet"),
        "{e}"
    );
    let dup = sheet(
        dir.path(),
        "d_vInfo.csv",
        &format!("{HEAD}a,poweredOn,False,2,4096,100,50,c\na,poweredOff,False,2,4096,100,50,c\n"),
    );
    let e = read(&[dup]).unwrap_err().to_string();
    assert!(
        e.contains(":3: VM \"a\" is listed twice (first on line 2)"),
        "{e}"
    );
}

#[test]
fn the_cpu_sheet_wins_over_vinfo_and_the_difference_is_noted() {
    let dir = tempfile::tempdir().unwrap();
    let info = sheet(
        dir.path(),
        "vInfo.csv",
        &format!("\u{feff}{HEAD}a,poweredOn,False,2,\"4,096\",100,50,c\n"),
    );
    let cpu = sheet(dir.path(), "vCPU.csv", "VM;CPUs\na;4\n");
    let inv = read(&[cpu, info]).unwrap();
    assert_eq!((inv.vms[0].vcpus, inv.vms[0].mem_mib), (4, 4096.0));
    assert_eq!(
        inv.notes,
        ["1 VMs whose vCPU sheet differs from vInfo (vCPU used)"]
    );
}
