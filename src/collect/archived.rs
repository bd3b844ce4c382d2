//! Reading back what was collected: a file's bytes from the endpoint's evidence archive, checked
//! against the hash its manifest row recorded before anyone relies on them. A problem is given
//! as a reason code (`too_large`, `unreadable`, `evidence_mismatch`) and its detail.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::manifest::Row;
use crate::hash;

/// The bytes of a collected file from its open archive, checked against its manifest hash; at
/// most `cap`.
pub fn entry_bytes(
    archive: &mut zip::ZipArchive<File>,
    r: &Row,
    cap: u64,
) -> std::result::Result<Vec<u8>, (&'static str, String)> {
    if r.size > cap {
        return Err(("too_large", format!("{} bytes > {cap}", r.size)));
    }
    let name = r.entry.as_deref().unwrap_or_default();
    let mut entry = archive.by_name(name).map_err(|e| ("unreadable", e.to_string()))?;
    let mut data = Vec::with_capacity(r.size as usize);
    entry.read_to_end(&mut data).map_err(|e| ("unreadable", e.to_string()))?;
    if r.sha256.as_deref() != Some(hash::sha256_hex(&data).as_str()) {
        return Err(("evidence_mismatch", "the archived bytes do not match the manifest hash".into()));
    }
    Ok(data)
}

/// The archived bytes of a collected file, checked against its manifest hash; at most `cap`.
pub fn row_bytes(dir: &Path, r: &Row, cap: u64) -> std::result::Result<Vec<u8>, (&'static str, String)> {
    let zip = r.zip.as_deref().ok_or(("unreadable", "not archived".to_string()))?;
    let file = File::open(dir.join(zip)).map_err(|e| ("unreadable", format!("{zip}: {e}")))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| ("unreadable", format!("{zip}: {e}")))?;
    entry_bytes(&mut archive, r, cap)
}
