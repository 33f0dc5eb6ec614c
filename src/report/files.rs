//! Writing outputs so that nothing is ever half-written: each file goes to a temporary file in
//! the same folder and is renamed over the target only once it is complete.

use crate::error::Error;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes `path` atomically with `render`; on any error the target is left as it was.
pub fn write_atomic<F>(path: &Path, render: F) -> Result<(), Error>
where
    F: FnOnce(&mut dyn Write) -> std::io::Result<()>,
{
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".hybridplan-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    let mut w = BufWriter::new(tmp);
    render(&mut w).map_err(|e| Error::io(path, e))?;
    let tmp = w
        .into_inner()
        .map_err(|e| Error::io(path, e.into_error()))?;
    // Temporary files are private (0600); outputs are for sharing, as any new file would be.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = std::fs::Permissions::from_mode(0o644);
        tmp.as_file()
            .set_permissions(perms)
            .map_err(|e| Error::io(path, e))?;
    }
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Writes a report page as `dir/index.html` and each chart as `dir/<id>.svg`; returns the
/// page's path first.
pub fn write_page(dir: &Path, page: &super::html::Page) -> Result<Vec<std::path::PathBuf>, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut written = Vec::new();
    for chart in &page.charts {
        let path = dir.join(format!("{}.svg", chart.id));
        write_atomic(&path, |w| w.write_all(chart.svg.as_bytes()))?;
        written.push(path);
    }
    let index = dir.join("index.html");
    write_atomic(&index, |w| w.write_all(page.html.as_bytes()))?;
    written.insert(0, index);
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_render_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.json");
        std::fs::write(&target, "old").unwrap();
        let err = write_atomic(&target, |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("render failed"))
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1); // no temp file left
        write_atomic(&target, |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
    }
}
