//! Reading the evidence: never following a link, never changing an access time.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::manifest::SkipReason;

/// Opens a file of the evidence for reading without changing its access time and without
/// following a link that replaced it since planning.
pub fn open_evidence(path: &Path) -> std::result::Result<File, (SkipReason, String)> {
    let open = |flags| File::options().read(true).custom_flags(flags).open(path);
    let result = match open(libc::O_NOATIME | libc::O_NOFOLLOW) {
        // O_NOATIME needs ownership or CAP_FOWNER; a read-only mount keeps atime anyway.
        Err(e) if e.raw_os_error() == Some(libc::EPERM) => open(libc::O_NOFOLLOW),
        other => other,
    };
    let file = result.map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => (SkipReason::Vanished, e.to_string()),
        _ if e.raw_os_error() == Some(libc::ELOOP) => (SkipReason::Vanished, "replaced by a symbolic link".into()),
        _ => (SkipReason::Unreadable, e.to_string()),
    })?;
    match file.metadata() {
        Ok(m) if m.is_file() => Ok(file),
        Ok(m) => Err((SkipReason::NotRegular, kind_of(&m).into())),
        Err(e) => Err((SkipReason::Unreadable, e.to_string())),
    }
}

pub fn kind_of(meta: &Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "directory"
    } else if t.is_fifo() {
        "fifo"
    } else if t.is_socket() {
        "socket"
    } else if t.is_block_device() || t.is_char_device() {
        "device"
    } else {
        "not a regular file"
    }
}

/// A small regular file of the evidence as text (host name, os-release …), read the same way.
pub fn small_text(path: &Path, limit: u64) -> Option<String> {
    let file = open_evidence(path).ok()?;
    let mut text = String::new();
    file.take(limit).read_to_string(&mut text).ok()?;
    Some(text)
}
