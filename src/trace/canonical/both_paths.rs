//! The plain path and the `csv` crate read the same files: the same tables, samples, line
//! numbers and errors (see `plain`).

use super::*;
use proptest::prelude::Just;
use proptest::strategy::Strategy;

const HEADER: &str = "id,group,start_s,end_s,vcpus,mem_gib,disk_gib\n";

/// A reader that hands out at most `chunk` bytes a read, so that lines straddle the plain
/// path's reads and its buffer is refilled part way through a line.
struct Trickle<'a> {
    data: &'a [u8],
    chunk: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.chunk.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Everything a table holds (VMs, groups, ids), to compare two reads of one file.
type Contents = (Vec<Vm>, Vec<String>, Vec<String>);

fn contents(t: &VmTable) -> Contents {
    let ids = (0..t.vms.len() as u32)
        .map(|i| t.id(i).to_string())
        .collect();
    (t.vms.clone(), t.groups.clone(), ids)
}

/// Both paths' reads of a VM table: the table's contents or the error's text. The plain path
/// is given reads of `chunk` bytes, the `csv` crate the whole file in one: it takes a
/// byte-order mark off the file only when its first read holds all three bytes (as it does
/// from a file, read through a buffer), so that is the reference.
fn vms_both_ways(bytes: &[u8], chunk: usize) -> [Result<Contents, String>; 2] {
    [true, false].map(|plain| {
        let input = Trickle {
            data: bytes,
            chunk: if plain { chunk } else { usize::MAX },
        };
        read_vms_via(input, Path::new("vms.csv"), plain)
            .map(|t| contents(&t))
            .map_err(|e| e.to_string())
    })
}

#[test]
fn line_numbers_follow_the_csv_crate_on_both_paths() {
    // The header ends with \r\n: `csv` stops at the \r, so the row on line 2 is "line 1";
    // that row's \n and the blank line 3 are read with the next row (line 4), "line 2".
    let crlf = format!(
        "{}\r\na,web,0,,2,8,1\r\n\r\na,web,0,,2,8,1\r\n",
        HEADER.trim_end()
    );
    // Blank lines 3 and 4 count as the start of the row on line 5; the quote on line 5
    // hands the rest to `csv`, whose numbers continue the file's: line 6 is "line 6".
    let quoted = format!("{HEADER}a,web,0,,2,8,1\n\n\n\"b\",web,0,,2,8,1\nc,web,0,,0,8,1\n");
    let blank_dup = format!("{HEADER}a,web,0,,2,8,1\n\n\n\"a\",web,0,,2,8,1\n");
    for (text, want) in [
        (crlf, "vms.csv:2: duplicate VM id \"a\" (first on line 1)"),
        (quoted, "vms.csv:6: vcpus 0 must be > 0"),
        (
            blank_dup,
            "vms.csv:3: duplicate VM id \"a\" (first on line 2)",
        ),
    ] {
        for chunk in [1, 7, 1 << 20] {
            let [plain, csv] = vms_both_ways(text.as_bytes(), chunk);
            assert_eq!(plain, Err(want.to_string()), "{text:?}, reads of {chunk}");
            assert_eq!(csv, Err(want.to_string()), "{text:?}, reads of {chunk}");
        }
    }
}

#[test]
fn a_line_longer_than_the_buffer_grows_it() {
    // 1.5 MiB of id: past the plain path's 1 MiB buffer (files::Input would refuse the
    // line; a reader without that limit must still read it whole).
    let id = "x".repeat(3 << 19);
    let text = format!("{HEADER}a,web,0,,2,8,1\n{id},web,0,,2,8,1\n");
    let [plain, csv] = vms_both_ways(text.as_bytes(), 1 << 20);
    assert_eq!(plain.as_ref().unwrap().2[1].len(), 3 << 19);
    assert_eq!(plain, csv);
}

/// One row of a generated VM table: which cells and how it is written.
#[derive(Debug, Clone)]
struct GenRow {
    repeat: bool,
    group: u8,
    start: u16,
    life: Option<u16>,
    size: usize,
    /// The cell written quoted (7 or more: none).
    quote: usize,
    crlf: bool,
    blanks: u8,
    /// A fault, or a cell in a form only the general reader takes, put in the row (17 or
    /// more: none).
    fault: u8,
}

fn gen_row() -> impl proptest::strategy::Strategy<Value = GenRow> {
    use proptest::prelude::*;
    (
        (0u8..12, 0u8..3, 0u16..5, proptest::option::of(1u16..4)),
        (0usize..4, 0usize..40, any::<bool>(), 0u8..8, 0u8..70),
    )
        .prop_map(
            |((repeat, group, start, life), (size, quote, crlf, blanks, fault))| GenRow {
                repeat: repeat == 0,
                group,
                start,
                life,
                size,
                quote,
                crlf,
                blanks: blanks.saturating_sub(5),
                fault,
            },
        )
}

/// The file of `rows` under a header of the columns in `order`: plain, or starting with a
/// byte-order mark, or with a quoted name (the last two send the file to `csv` whole).
fn vms_file(rows: &[GenRow], order: &[usize], header: u8) -> Vec<u8> {
    let mut out = Vec::new();
    if header == 1 {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let names: Vec<String> = order
        .iter()
        .map(|&c| match (header, c) {
            (2, 0) => "\"id\"".to_string(),
            _ => VM_COLUMNS[c].to_string(),
        })
        .collect();
    out.extend_from_slice(names.join(",").as_bytes());
    out.push(b'\n');
    for (i, r) in rows.iter().enumerate() {
        let end_line = if r.crlf { "\r\n" } else { "\n" };
        for _ in 0..r.blanks {
            out.extend_from_slice(end_line.as_bytes());
        }
        let (vcpus, mem) = [("1", "0.5"), ("2", "4"), ("8", "1.75"), ("0.25", "64")][r.size];
        let id = if r.repeat && i > 0 {
            format!("vm{}", i - 1)
        } else {
            format!("vm{i}")
        };
        let start = r.start.to_string();
        let end = r.life.map_or(String::new(), |l| (r.start + l).to_string());
        let mut cells: Vec<String> = vec![
            id,
            format!("g{}", r.group),
            start,
            end,
            vcpus.to_string(),
            mem.to_string(),
            "0".to_string(),
        ];
        if r.quote < 7 {
            // A quoted cell; a group may then hold a comma or a line break.
            let extra = match (r.quote, r.group) {
                (1, 1) => ",x",
                (1, 2) => "\ny",
                _ => "",
            };
            cells[r.quote] = format!("\"{}{extra}\"", cells[r.quote]);
        }
        match r.fault {
            0 => _ = cells.pop(),
            1 => cells[4] = "x".to_string(),
            2 => cells[5] = "-1".to_string(),
            3 => cells[1] = "a\rb".to_string(),
            4 => cells.push(String::new()),
            5 => cells[2] = " 7 ".to_string(),
            // The VM readers' plain lane leaves these rows to the general reader (see
            // `plain_vm`): a size of 0, over a limit or in exponent form, an end not after
            // the start or of a space, ids neutralised, padded or not ASCII, a signed disk.
            8 => cells[4] = "0".to_string(),
            9 => cells[0] = format!("'={}", cells[0]),
            10 => cells[0] = format!(" {} ", cells[0]),
            11 => cells[0] = format!("{}\u{e9}", cells[0]),
            12 => cells[3] = cells[2].clone(),
            13 => cells[4] = "1e1".to_string(),
            14 => cells[5] = "2000000".to_string(),
            15 => cells[3] = " ".to_string(),
            16 => cells[6] = "+1".to_string(),
            _ => {}
        }
        let mut line: Vec<u8> = order
            .iter()
            .filter_map(|&c| cells.get(c).cloned())
            .collect::<Vec<_>>()
            .join(",")
            .into_bytes();
        if r.fault == 4 {
            line.push(b',');
        }
        if r.fault == 6 {
            line.insert(1, 0xff);
        }
        out.extend_from_slice(&line);
        if r.fault != 7 || i + 1 < rows.len() {
            out.extend_from_slice(end_line.as_bytes());
        }
    }
    out
}

/// Random usage rows of VMs v0..v2 (v2 ends at 600): VM, time step, CPU, written plain or
/// quoted, with \n or \r\n, blank lines and faults, as for the VM table. `layout` 0 has a
/// `mem_util` column, 1 puts `t_s` first, 2 has the three columns in their own order.
fn usage_file(rows: &[(u8, u8, u16, usize, bool, u8, u8)], layout: u8) -> Vec<u8> {
    let mem = layout == 0;
    let mut out = Vec::from(match layout {
        0 => "id,t_s,cpu_util,mem_util\n",
        1 => "t_s,id,cpu_util\n",
        _ => "id,t_s,cpu_util\n",
    });
    let mut t = 0u32;
    for &(vm, step, cpu, quote, crlf, blanks, fault) in rows {
        let end_line: &[u8] = if crlf { b"\r\n" } else { b"\n" };
        for _ in 0..blanks.saturating_sub(5) {
            out.extend_from_slice(end_line);
        }
        t += u32::from(step) * 300;
        let mut cells = vec![format!("v{vm}"), t.to_string(), format!("0.{cpu:03}")];
        if mem {
            cells.push(if cpu % 2 == 0 {
                String::new()
            } else {
                "0.5".to_string()
            });
        } else if layout == 1 {
            cells.swap(0, 1);
        }
        if quote < cells.len() {
            cells[quote] = format!("\"{}\"", cells[quote]);
        }
        match fault {
            0 => _ = cells.pop(),
            1 => cells[2] = "1.5".to_string(),
            2 => cells[2] = "\r".to_string(),
            // Cells only the general reader takes, or refuses (see `plain_sample`).
            3 => cells[usize::from(layout == 1)] = "v9".to_string(),
            4 => cells[2] = " 0.5".to_string(),
            5 => cells[usize::from(layout == 1)] = "'v1".to_string(),
            6 => cells[2] = "5e-1".to_string(),
            _ => {}
        }
        out.extend_from_slice(cells.join(",").as_bytes());
        out.extend_from_slice(end_line);
    }
    out
}

proptest::proptest! {
    /// The plain path and the `csv` crate read the same table, or fail with the same error,
    /// whatever the column order, line ends, blank lines, quoted cells (from which the rest
    /// of the file goes to `csv`), faults, and however the input is cut into reads.
    #[test]
    fn plain_and_csv_paths_read_the_same_vm_table(
        rows in proptest::collection::vec(gen_row(), 1..25),
        order in proptest::prelude::prop_oneof![
            Just((0..7).collect::<Vec<usize>>()),
            Just((0..7).collect::<Vec<usize>>()).prop_shuffle(),
        ],
        header in proptest::prelude::prop_oneof![8 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)],
        chunk in proptest::prelude::prop_oneof![Just(1usize << 20), 1usize..40],
    ) {
        let bytes = vms_file(&rows, &order, header);
        let [plain, csv] = vms_both_ways(&bytes, chunk);
        proptest::prop_assert_eq!(plain, csv, "{}", String::from_utf8_lossy(&bytes));
    }

    /// The same for usage rows read against a table.
    #[test]
    fn plain_and_csv_paths_read_the_same_usage(
        rows in proptest::collection::vec(
            (0u8..3, 0u8..3, 0u16..1000, 0usize..12, proptest::prelude::any::<bool>(), 0u8..8, 0u8..40),
            1..25,
        ),
        layout in 0u8..3,
        chunk in proptest::prelude::prop_oneof![Just(1usize << 20), 1usize..40],
    ) {
        let table = format!("{HEADER}v0,web,0,,2,8,1\nv1,web,0,,2,8,1\nv2,db,0,600,2,8,1\n");
        let t = read_vms(table.as_bytes(), Path::new("vms.csv")).unwrap();
        let bytes = usage_file(&rows, layout);
        let [plain, csv] = [true, false].map(|plain| {
            let chunk = if plain { chunk } else { usize::MAX };
            let input = Trickle { data: &bytes, chunk };
            UsageReader::via(input, Path::new("usage.csv"), &t, plain)
                .and_then(|r| r.collect::<Result<Vec<Sample>, _>>())
                .map_err(|e| e.to_string())
        });
        proptest::prop_assert_eq!(plain, csv, "{}", String::from_utf8_lossy(&bytes));
    }
}
