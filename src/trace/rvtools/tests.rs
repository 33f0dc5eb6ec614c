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

#[test]
fn the_workbook_reads_as_the_csv_sheets() {
    // make_fixture.py writes the xlsx from the very rows of the CSV files: numbers as numeric
    // cells, True/False as boolean cells, and an extra tab (vSource) that is ignored.
    let csv = read(&fixture(&ALL)).unwrap();
    let book = read(&fixture(&["RVTools_export.xlsx"])).unwrap();
    assert_eq!(book.vms, csv.vms);
    assert_eq!(book.disks, csv.disks);
    assert_eq!(book.hosts, csv.hosts);
    assert_eq!(book.notes, csv.notes);
    assert_eq!(
        (book.vms.len(), book.disks.len(), book.hosts.len()),
        (60, 90, 4)
    );
}

/// A minimal workbook at `dir/name` holding `sheets` (tab name, rows): cells that parse as
/// numbers are numeric cells, the others inline strings, empty ones left out.
fn workbook(dir: &Path, name: &str, sheets: &[(&str, &[&[&str]])]) -> PathBuf {
    use zip::write::SimpleFileOptions;
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    const PKG: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    let path = dir.join(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let mut part = |name: &str, text: String| {
        zip.start_file(name, SimpleFileOptions::default()).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    };
    let mut types = String::from(
        "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>",
    );
    let (mut tabs, mut rels) = (String::new(), String::new());
    for (i, (tab, rows)) in sheets.iter().enumerate() {
        let n = i + 1;
        types += &format!(
            "<Override PartName=\"/xl/worksheets/sheet{n}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        );
        tabs += &format!("<sheet name=\"{tab}\" sheetId=\"{n}\" r:id=\"rId{n}\"/>");
        rels += &format!(
            "<Relationship Id=\"rId{n}\" Type=\"{REL}/worksheet\" Target=\"worksheets/sheet{n}.xml\"/>"
        );
        let mut xml = format!("<worksheet xmlns=\"{MAIN}\"><sheetData>");
        for (r, row) in rows.iter().enumerate() {
            xml += &format!("<row r=\"{}\">", r + 1);
            for (c, v) in row.iter().enumerate() {
                let at = format!("{}{}", (b'A' + c as u8) as char, r + 1);
                match (v.is_empty(), v.parse::<f64>().is_ok()) {
                    (true, _) => {}
                    (false, true) => xml += &format!("<c r=\"{at}\"><v>{v}</v></c>"),
                    (false, false) => {
                        xml += &format!("<c r=\"{at}\" t=\"inlineStr\"><is><t>{v}</t></is></c>")
                    }
                }
            }
            xml += "</row>";
        }
        part(
            &format!("xl/worksheets/sheet{n}.xml"),
            xml + "</sheetData></worksheet>",
        );
    }
    part(
        "[Content_Types].xml",
        types
            + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/></Types>",
    );
    part(
        "_rels/.rels",
        format!(
            "<Relationships xmlns=\"{PKG}\"><Relationship Id=\"rId1\" Type=\"{REL}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
        ),
    );
    part(
        "xl/workbook.xml",
        format!("<workbook xmlns=\"{MAIN}\" xmlns:r=\"{REL}\"><sheets>{tabs}</sheets></workbook>"),
    );
    part(
        "xl/_rels/workbook.xml.rels",
        format!("<Relationships xmlns=\"{PKG}\">{rels}</Relationships>"),
    );
    zip.finish().unwrap();
    path
}

const INFO_HEAD: &[&str] = &[
    "VM",
    "Powerstate",
    "Template",
    "CPUs",
    "Memory",
    "Provisioned MiB",
    "In Use MiB",
    "Cluster",
];

#[test]
fn a_bad_cell_of_a_workbook_is_named_by_file_row_and_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let good: &[&str] = &["a", "poweredOn", "False", "2", "4096", "100", "50", "c"];
    let bad: &[&str] = &["b", "poweredOn", "False", "two", "4096", "100", "50", "c"];
    let book = workbook(dir.path(), "x.xlsx", &[("vInfo", &[INFO_HEAD, good, bad])]);
    let e = read(std::slice::from_ref(&book)).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}:3: sheet \"vInfo\": column \"CPUs\": \"two\" is not a number >= 0",
            book.display()
        )
    );
    // A header without Memory: row 1 of the sheet.
    let short = workbook(
        dir.path(),
        "y.XLSX",
        &[("VINFO", &[&["VM", "Powerstate", "CPUs"]])],
    );
    let e = read(&[short]).unwrap_err().to_string();
    assert!(
        e.contains("y.XLSX:1: sheet \"VINFO\": missing column \"Memory\""),
        "{e}"
    );
}

#[test]
fn a_workbook_without_vinfo_a_corrupt_one_and_one_mixed_with_csv_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let other = workbook(dir.path(), "o.xlsx", &[("vSource", &[&["Name"], &["vc"]])]);
    let e = read(&[other]).unwrap_err().to_string();
    assert!(
        e.ends_with(
            "o.xlsx: has no vInfo sheet (the VMs are listed there); its sheets are \"vSource\""
        ),
        "{e}"
    );
    let corrupt = sheet(dir.path(), "c.xlsx", "VM,Powerstate\nnot a zip\n");
    let e = read(&[corrupt]).unwrap_err();
    assert!(matches!(e, Error::Input(_)), "{e:?}");
    let e = e.to_string();
    assert!(
        e.contains("c.xlsx: is not a readable xlsx workbook: "),
        "{e}"
    );
    let book = fixture(&["RVTools_export.xlsx"]).remove(0);
    let e = read(&[fixture(&ALL[..1]).remove(0), book])
        .unwrap_err()
        .to_string();
    assert!(
        e.ends_with("RVTools_export.xlsx: is an xlsx workbook, which holds every sheet: give it alone, without CSV sheets"),
        "{e}"
    );
}

#[test]
fn a_part_declaring_more_than_its_limit_is_refused_before_it_is_read() {
    // A one-byte shared-strings part whose zip headers declare 1 GiB + 1 once decompressed:
    // the zip reader would stop at the declared size, so the declared size is what is checked.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.xlsx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("xl/sharedStrings.xml", stored).unwrap();
    zip.write_all(b"x").unwrap();
    zip.finish().unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let declared = (xlsx::MAX_SHARED_STRINGS_BYTES as u32 + 1).to_le_bytes();
    // The uncompressed size is at byte 22 of the local header (PK 3 4) and byte 24 of the
    // central directory's entry (PK 1 2).
    for (magic, at) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
        let start = bytes.windows(4).position(|w| w == magic).unwrap();
        bytes[start + at..start + at + 4].copy_from_slice(&declared);
    }
    std::fs::write(&path, bytes).unwrap();
    let e = read(&[path]).unwrap_err().to_string();
    assert!(
        e.ends_with("bomb.xlsx: part \"xl/sharedStrings.xml\" is 1073741825 bytes once decompressed, over the limit of 1073741824 (README, \"Limits\")"),
        "{e}"
    );
}
