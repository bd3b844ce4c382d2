//! The quarantine: files of the attacker's tools moved off the Windows volume into an
//! AES-256 encrypted ZIP in the case (password `infected`, the convention malware analysts and
//! antivirus vendors use so that nothing scans, opens or runs it by accident). Each file's
//! NTFS times, ACL, attributes and named streams (ntfs-3g's extended attributes) go with it,
//! so that rollback puts it back as it was. A file leaves the volume only after its copy in the
//! archive was read back and its SHA-256 matched.

use std::io::{Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use zip::AesMode;
use zip::write::SimpleFileOptions;

use super::Note;
use crate::collect::unescape;
use crate::error::{Error, Result};
use crate::isolate::strings as txt;
use crate::source::platform;

/// The archive's password.
pub const PASSWORD: &str = "infected";

/// One file moved into the quarantine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    /// Its path below the volume root (escaped as in the manifests).
    pub path: String,
    /// SHA-256 of its content.
    pub sha256: String,
    /// Its size.
    pub size: u64,
    /// The archive, relative to the case.
    pub archive: String,
    /// Its entry in the archive; its extended attributes are under `<entry>.attr/<name>`.
    pub entry: String,
    /// The extended attributes kept with it.
    pub attrs: Vec<String>,
}

fn options() -> SimpleFileOptions {
    SimpleFileOptions::default().with_aes_encryption(AesMode::Aes256, PASSWORD)
}

fn zip_error(path: &Path) -> impl Fn(zip::result::ZipError) -> Error + '_ {
    move |e| Error::Corrupt { path: path.into(), what: e.to_string() }
}

/// The attributes ntfs-3g gives that make the file what it was (times last: they are set last).
fn kept_attrs(file: &Path) -> Vec<String> {
    let mut names: Vec<String> = platform::list_xattrs(file)
        .unwrap_or_default()
        .into_iter()
        .filter(|n| n.starts_with("user.") || matches!(n.as_str(), "system.ntfs_acl" | "system.ntfs_attrib"))
        .collect();
    if platform::get_xattr(file, "system.ntfs_times").is_ok() {
        names.push("system.ntfs_times".into());
    }
    names
}

/// Moves `files` (paths below `root`) into a new archive at `archive` (`rel` names it in the
/// case). Per file: moved, or a note why not — the run goes on.
pub fn store(root: &Path, files: &[String], archive: &Path, rel: &str) -> Result<(Vec<Moved>, Vec<Note>)> {
    let out = std::fs::File::create(archive).map_err(Error::io("create", archive))?;
    let mut zip = zip::ZipWriter::new(out);
    let (mut stored, mut notes) = (Vec::new(), Vec::new());
    for (n, wanted) in files.iter().enumerate() {
        let Some((file, path)) = resolve(root, wanted) else {
            notes.push(not_moved(wanted, "not on the volume"));
            continue;
        };
        match add(&mut zip, &file, &format!("{:04}", n + 1)) {
            Ok((sha256, size, entry, attrs)) => {
                stored.push(Moved { path, sha256, size, archive: rel.into(), entry, attrs });
            }
            Err(why) => notes.push(not_moved(wanted, &why.to_string())),
        }
    }
    let out = zip.finish().map_err(zip_error(archive))?;
    out.sync_all().map_err(Error::io("sync", archive))?;
    let mut moved = Vec::new();
    for m in stored {
        let file = root.join(std::ffi::OsStr::from_bytes(&unescape(&m.path)));
        match read_entry(archive, &m.entry).map(|b| crate::hash::sha256_hex(&b)) {
            Ok(sha) if sha == m.sha256 => match std::fs::remove_file(&file) {
                Ok(()) => moved.push(m),
                Err(e) => notes.push(not_moved(&m.path, &format!("could not remove it: {e}"))),
            },
            Ok(_) => notes.push(not_moved(&m.path, "its copy in the archive does not match")),
            Err(e) => notes.push(not_moved(&m.path, &e.to_string())),
        }
    }
    Ok((moved, notes))
}

use std::os::unix::ffi::OsStrExt;

/// The file at `path` (escaped, `/`-separated) below `root`, its names matched without regard
/// to case as Windows matches them; with the path as the volume spells it.
fn resolve(root: &Path, path: &str) -> Option<(std::path::PathBuf, String)> {
    if path.split('/').any(|p| p == ".." || p == ".") || path.starts_with('/') {
        return None;
    }
    let exact = root.join(std::ffi::OsStr::from_bytes(&unescape(path)));
    if exact.symlink_metadata().is_ok() {
        return Some((exact, path.to_string()));
    }
    let (mut at, mut spelled) = (root.to_path_buf(), Vec::new());
    for part in path.split('/').filter(|p| !p.is_empty()) {
        let name = std::fs::read_dir(&at)
            .ok()?
            .flatten()
            .map(|e| e.file_name())
            .find(|n| n.to_string_lossy().eq_ignore_ascii_case(part))?;
        spelled.push(crate::collect::escape(&name));
        at.push(name);
    }
    Some((at, spelled.join("/")))
}

fn not_moved(path: &str, why: &str) -> Note {
    txt::NOT_QUARANTINED.both(|_| vec![("path", path.to_string()), ("why", why.to_string())])
}

type Added = (String, u64, String, Vec<String>);

/// Why one file was not moved into the quarantine, or not put back.
#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    /// It is a link, a directory or a device, not a regular file.
    #[error("not a regular file")]
    NotRegular,
    /// Reading it or writing the archive failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The archive refused the entry.
    #[error("{0}")]
    Zip(#[from] zip::result::ZipError),
    /// One of its extended attributes could not be read.
    #[error("{name}: {source}")]
    Attr { name: String, source: std::io::Error },
    /// The archive's copy could not be read back.
    #[error("{0}")]
    Archive(Box<Error>),
    /// The archive's copy is not what was moved.
    #[error("its copy in the archive does not match the recorded SHA-256")]
    Mismatch,
    /// A file is at its place now: never overwritten.
    #[error("cannot create {}: {source}", path.display())]
    Create { path: std::path::PathBuf, source: std::io::Error },
    /// Put back, without all of its extended attributes.
    #[error("restored, but not all its attributes: {}", failed.join("; "))]
    Attrs { failed: Vec<String> },
}

fn add(zip: &mut zip::ZipWriter<std::fs::File>, file: &Path, entry: &str) -> std::result::Result<Added, MoveError> {
    let meta = std::fs::symlink_metadata(file)?;
    if !meta.is_file() {
        return Err(MoveError::NotRegular);
    }
    let mut input = std::fs::File::open(file)?;
    zip.start_file(entry, options())?;
    let (sha, size) = crate::hash::copy_hashed(&mut input, zip).map_err(|e| e.into_inner())?;
    let attrs = kept_attrs(file);
    for name in &attrs {
        let value = platform::get_xattr(file, name).map_err(|source| MoveError::Attr { name: name.clone(), source })?;
        zip.start_file(format!("{entry}.attr/{name}"), options())?;
        zip.write_all(&value)?;
    }
    Ok((sha, size, entry.to_string(), attrs))
}

/// One entry's bytes, decrypted.
pub fn read_entry(archive: &Path, entry: &str) -> Result<Vec<u8>> {
    let file = std::fs::File::open(archive).map_err(Error::io("open", archive))?;
    let mut zip = zip::ZipArchive::new(file).map_err(zip_error(archive))?;
    let mut e = zip.by_name_decrypt(entry, PASSWORD.as_bytes()).map_err(zip_error(archive))?;
    let mut out = Vec::new();
    e.read_to_end(&mut out).map_err(Error::io("read", archive))?;
    Ok(out)
}

/// Puts a moved file back where it was, with its attributes; refuses to overwrite a file that
/// is there now.
pub fn restore(root: &Path, archive: &Path, m: &Moved) -> std::result::Result<(), MoveError> {
    let bytes = read_entry(archive, &m.entry).map_err(|e| MoveError::Archive(Box::new(e)))?;
    if crate::hash::sha256_hex(&bytes) != m.sha256 {
        return Err(MoveError::Mismatch);
    }
    let file = root.join(std::ffi::OsStr::from_bytes(&unescape(&m.path)));
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&file)
        .map_err(|source| MoveError::Create { path: file.clone(), source })?;
    out.write_all(&bytes).and_then(|()| out.sync_all())?;
    drop(out);
    let mut failed = Vec::new();
    for name in &m.attrs {
        let set = read_entry(archive, &format!("{}.attr/{name}", m.entry))
            .map_err(|e| e.to_string())
            .and_then(|v| platform::set_xattr(&file, name, &v).map_err(|e| e.to_string()));
        if let Err(e) = set {
            failed.push(format!("{name}: {e}"));
        }
    }
    if failed.is_empty() { Ok(()) } else { Err(MoveError::Attrs { failed }) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_without_regard_to_case_and_never_leave_the_volume() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("vol");
        std::fs::create_dir_all(root.join("Users/Public")).unwrap();
        std::fs::write(root.join("Users/Public/Run.bat"), b"x").unwrap();
        std::fs::write(tmp.path().join("outside"), b"y").unwrap();
        let (file, spelled) = resolve(&root, "users/PUBLIC/run.BAT").unwrap();
        assert_eq!((file, spelled.as_str()), (root.join("Users/Public/Run.bat"), "Users/Public/Run.bat"));
        assert!(resolve(&root, "../outside").is_none());
        assert!(resolve(&root, "Users/../../outside").is_none());
        assert!(resolve(&root, "/etc/passwd").is_none());
        assert!(resolve(&root, "Users/Public/none.exe").is_none());
    }

    #[test]
    fn a_quarantined_file_reads_back_only_with_the_password_and_returns_as_it_was() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("vol");
        std::fs::create_dir_all(root.join("t")).unwrap();
        std::fs::write(root.join("t/tool.exe"), b"MZ tool").unwrap();
        let archive = tmp.path().join("q.zip");
        let files = ["t/tool.exe".to_string(), "t/missing.exe".to_string()];
        let (moved, notes) = store(&root, &files, &archive, "q.zip").unwrap();
        assert_eq!(moved.len(), 1);
        assert_eq!(notes.len(), 1, "the missing one is said, the run goes on");
        assert!(!root.join("t/tool.exe").exists());
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&archive).unwrap()).unwrap();
        assert!(zip.by_name(&moved[0].entry).is_err(), "encrypted");
        assert_eq!(read_entry(&archive, &moved[0].entry).unwrap(), b"MZ tool");
        std::fs::write(root.join("t/tool.exe"), b"other").unwrap();
        assert!(restore(&root, &archive, &moved[0]).is_err(), "a file there now is never overwritten");
        std::fs::remove_file(root.join("t/tool.exe")).unwrap();
        restore(&root, &archive, &moved[0]).unwrap();
        assert_eq!(std::fs::read(root.join("t/tool.exe")).unwrap(), b"MZ tool");
    }
}
