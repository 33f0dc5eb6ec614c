//! `focus.parquet`: the FOCUS rows with typed columns (Decimal as DECIMAL(18,6) in an INT64,
//! Date/Time as a UTC TIMESTAMP in microseconds, strings as UTF-8, nullable where FOCUS allows
//! nulls), one row group, Snappy-compressed.

use super::{COLUMNS, Kind, Row};
use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use std::sync::Arc;

/// The Parquet schema of `COLUMNS`.
pub fn schema() -> String {
    let mut s = String::from("message focus {\n");
    for (name, kind) in COLUMNS {
        s.push_str(&match kind {
            Kind::Decimal => format!("  REQUIRED INT64 {name} (DECIMAL(18,6));\n"),
            Kind::NullDecimal => format!("  OPTIONAL INT64 {name} (DECIMAL(18,6));\n"),
            Kind::DateTime => format!("  REQUIRED INT64 {name} (TIMESTAMP(MICROS,true));\n"),
            Kind::String => format!("  REQUIRED BYTE_ARRAY {name} (STRING);\n"),
            Kind::NullableString => format!("  OPTIONAL BYTE_ARRAY {name} (STRING);\n"),
        });
    }
    s.push('}');
    s
}

fn err(e: parquet::errors::ParquetError) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// Writes the rows as Parquet into a buffer (the writer needs `Send`; the caller writes the
/// bytes out atomically).
pub fn write_parquet(rows: &[Row]) -> std::io::Result<Vec<u8>> {
    let schema = Arc::new(parse_message_type(&schema()).map_err(err)?);
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by("hybridplan".into())
            .build(),
    );
    let mut buf = Vec::new();
    let mut writer = SerializedFileWriter::new(&mut buf, schema, props).map_err(err)?;
    let mut group = writer.next_row_group().map_err(err)?;
    let (mut t, mut s) = (0, 0);
    for (_, kind) in COLUMNS {
        let mut col = group
            .next_column()
            .map_err(err)?
            .ok_or_else(|| std::io::Error::other("the schema has fewer columns than COLUMNS"))?;
        match kind {
            Kind::Decimal | Kind::DateTime => {
                let values: Vec<i64> = match kind {
                    Kind::Decimal => rows.iter().map(|r| r.cost_micros).collect(),
                    _ => rows.iter().map(|r| r.times[t]).collect(),
                };
                t += usize::from(kind == Kind::DateTime);
                col.typed::<Int64Type>()
                    .write_batch(&values, None, None)
                    .map_err(err)?;
            }
            Kind::NullDecimal => {
                let nulls = vec![0i16; rows.len()];
                col.typed::<Int64Type>()
                    .write_batch(&[], Some(&nulls), None)
                    .map_err(err)?;
            }
            Kind::String | Kind::NullableString => {
                let cells: Vec<Option<&str>> = rows.iter().map(|r| r.text[s].as_deref()).collect();
                s += 1;
                let values: Vec<ByteArray> = cells
                    .iter()
                    .flatten()
                    .map(|v| ByteArray::from(*v))
                    .collect();
                let levels: Vec<i16> = cells.iter().map(|c| i16::from(c.is_some())).collect();
                let def = (kind == Kind::NullableString).then_some(levels.as_slice());
                col.typed::<ByteArrayType>()
                    .write_batch(&values, def, None)
                    .map_err(err)?;
            }
        }
        col.close().map_err(err)?;
    }
    group.close().map_err(err)?;
    writer.close().map_err(err)?;
    Ok(buf)
}
