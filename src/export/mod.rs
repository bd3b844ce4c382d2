//! `shodo export`: the case, or chosen endpoints, streamed into one tar archive encrypted with
//! age — to the X25519 public keys of the recipients in `shodo.toml`, or with a passphrase for
//! those without keys — so evidence that may hold patient data leaves the stick only encrypted.
//!
//! The archive is written as it is read: no plaintext copy touches any disk, and there is no
//! size limit (tar's GNU headers carry sizes beyond 8 GiB; age streams in 64 KiB chunks). Its
//! last member, `<case id>/EXPORT.json`, lists every member with its SHA-256, computed while it
//! was written; [`check`] decrypts an archive and recomputes them, and the custody chain inside.
//! A recipient elsewhere decrypts with the standard tool: `age -d -i key.txt F | tar x`.
//! The archive goes to `<out>.partial` and is renamed when complete, or, with `-` for `out`, to
//! standard output (a pipe: to another machine, or straight into a check); the export is recorded
//! on the custody log with the archive's SHA-256 and the recipients' public keys — never the
//! passphrase or any private key.

mod check;
mod strings;

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

pub use check::{ArchiveCheck, Opener, check};

use crate::case::layout::{ENDPOINTS_DIR, LOCK_FILE, MERGED_DIR};
use crate::case::{CaseWriter, NewEntry};
use crate::config::AgeRecipient;
use crate::error::{Error, Result};
use crate::export::strings as txt;
use crate::progress::Progress;

/// Name of the list of members, the archive's last member.
pub const LISTING: &str = "EXPORT.json";
/// The `out` that means standard output (and, for [`check`], standard input).
pub const STDOUT: &str = "-";
/// How standard output is named in messages and in the custody log.
const STDOUT_LABEL: &str = "(standard output)";
/// The shortest passphrase accepted.
pub const MIN_PASSPHRASE: usize = 12;

/// Who can open the archive.
pub enum Key {
    /// Recipients' X25519 public keys, with their names.
    Recipients(Vec<(String, AgeRecipient)>),
    /// A passphrase (scrypt).
    Passphrase(SecretString),
}

/// What to export.
pub struct ExportOptions {
    /// The archive to write (must not exist), or [`STDOUT`].
    pub out: PathBuf,
    /// Who can open it.
    pub key: Key,
    /// Only these endpoints (and the case's record); empty: the whole case.
    pub endpoints: Vec<String>,
}

/// `EXPORT.json`: what the archive holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Listing {
    /// The case.
    pub case_id: String,
    /// When the archive was written (JST).
    pub exported_at: String,
    /// shodo version.
    pub tool: String,
    /// The custody head at export.
    pub custody_head: Option<crate::case::Head>,
    /// The endpoints exported (all of the case's when the whole case was).
    pub endpoints: Vec<String>,
    /// True when the whole case was exported.
    pub whole_case: bool,
    /// Every other member: path inside the archive, size, SHA-256.
    pub files: Vec<Member>,
}

/// One member of the archive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Path inside the archive (`<case id>/…`).
    pub path: String,
    /// Bytes.
    pub size: u64,
    /// Lowercase hex SHA-256.
    pub sha256: String,
}

/// The outcome of an export.
#[derive(Clone, Debug, Serialize)]
pub struct Exported {
    /// The archive.
    pub out: PathBuf,
    /// Its SHA-256 (of the encrypted bytes, as written).
    pub sha256: String,
    /// Its size.
    pub size: u64,
    /// Members (the listing not counted).
    pub files: usize,
    /// Plaintext bytes of the members.
    pub bytes: u64,
    /// Endpoints exported.
    pub endpoints: Vec<String>,
    /// Recipient names, or `passphrase`.
    pub opened_by: Vec<String>,
    /// The custody line that recorded it.
    pub seq: u64,
}

/// Exports the case `writer` holds (its lock keeps it still meanwhile).
pub fn export(writer: &CaseWriter, opts: &ExportOptions, progress: &dyn Progress) -> Result<Exported> {
    let dir = writer.case().dir();
    let case_id = writer.case().file().case.id.clone();
    // Refused before the case is walked: a terminal for standard output, a place inside the case.
    let stdout = if is_std(&opts.out) {
        Some(stdout_file()?)
    } else {
        refuse_out(dir, &opts.out)?;
        None
    };
    let to_stdout = stdout.is_some();
    let (files, endpoints) = select(dir, &opts.endpoints)?;
    let source = Source { dir, case_id: &case_id, files: &files, endpoints: &endpoints };
    let (sha256, size, listing) = if let Some(out) = stdout {
        write_archive(&source, opts, out, progress)?
    } else {
        let partial = partial_of(&opts.out);
        // What a killed export left: never a finished archive (those are renamed), so it goes.
        match fs::remove_file(&partial) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(Error::io("remove", &partial)(e)),
            _ => {}
        }
        let file =
            OpenOptions::new().write(true).create_new(true).open(&partial).map_err(Error::io("create", &partial))?;
        let written = write_archive(&source, opts, Out { file, path: partial.clone(), sync: true }, progress)
            .inspect_err(|_| {
                let _ = fs::remove_file(&partial);
            })?;
        fs::rename(&partial, &opts.out).map_err(Error::io("rename", &opts.out))?;
        if let Some(parent) = opts.out.parent().filter(|p| !p.as_os_str().is_empty()) {
            crate::case::sync_dir(parent)?;
        }
        written
    };
    let opened_by = match &opts.key {
        Key::Recipients(r) => r.iter().map(|(name, _)| name.clone()).collect(),
        Key::Passphrase(_) => vec!["passphrase".to_string()],
    };
    let recipients: Vec<_> = match &opts.key {
        Key::Recipients(r) => r.iter().map(|(name, key)| json!({ "name": name, "age": key.as_str() })).collect(),
        Key::Passphrase(_) => Vec::new(),
    };
    let bytes = listing.files.iter().map(|f| f.size).sum();
    let detail = json!({
        "out": if to_stdout { STDOUT_LABEL.to_string() } else { opts.out.display().to_string() },
        "sha256": sha256, "size": size,
        "files": listing.files.len(), "bytes": bytes, "endpoints": endpoints, "whole_case": opts.endpoints.is_empty(),
        "recipients": recipients, "passphrase": matches!(opts.key, Key::Passphrase(_)),
        "format": "tar, encrypted with age (age-encryption.org/v1)",
    });
    let entry = writer.record(NewEntry::new("case.export", &case_id, detail))?;
    Ok(Exported {
        out: opts.out.clone(),
        sha256,
        size,
        files: listing.files.len(),
        bytes,
        endpoints,
        opened_by,
        seq: entry.seq,
    })
}

/// True for `-`: standard output (export) or standard input (check).
pub fn is_std(path: &Path) -> bool {
    path.as_os_str() == STDOUT
}

/// Standard output as a file of its own (a duplicate of the descriptor, so the writing thread
/// needs no lock). Refused when it is a terminal: the archive is binary.
fn stdout_file() -> Result<Out> {
    use std::io::IsTerminal;
    use std::os::fd::AsFd;
    let path = PathBuf::from(STDOUT_LABEL);
    if io::stdout().is_terminal() {
        return Err(Error::refused(txt::STANDARD_OUTPUT_IS_A_TERMINAL, &[]));
    }
    let fd = io::stdout().as_fd().try_clone_to_owned().map_err(Error::io("open", &path))?;
    Ok(Out { file: File::from(fd), path, sync: false })
}

/// Where the encrypted bytes go.
struct Out {
    file: File,
    /// For messages: the `.partial` file, or standard output.
    path: PathBuf,
    /// fsync at the end (a file; not a pipe).
    sync: bool,
}

fn partial_of(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    out.with_file_name(name)
}

/// The archive must be new and outside the case (it would otherwise become a file of the case
/// that nothing vouches for).
fn refuse_out(dir: &Path, out: &Path) -> Result<()> {
    if out.exists() {
        return Err(Error::io("create", out)(io::Error::from(io::ErrorKind::AlreadyExists)));
    }
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let parent = fs::canonicalize(parent).map_err(Error::io("open", parent))?;
    let case = fs::canonicalize(dir).map_err(Error::io("open", dir))?;
    if parent.starts_with(&case) {
        return Err(Error::refused(txt::IS_INSIDE_THE_CASE, &[("path", &out.display())]));
    }
    Ok(())
}

/// The files to export, relative to the case, and the endpoints they cover.
fn select(dir: &Path, chosen: &[String]) -> Result<(Vec<String>, Vec<String>)> {
    let all = crate::case::subdirs(&dir.join(ENDPOINTS_DIR));
    for id in chosen {
        if !all.contains(id) {
            return Err(Error::refused(txt::NO_ENDPOINT_IN_THIS_CASE, &[("id", id), ("all", &all.join(", "))]));
        }
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).follow_links(false).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::walk(dir, e))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let Some(rel) = rel.to_str().map(|r| r.replace('\\', "/")) else {
            return Err(Error::Corrupt { path: entry.path().into(), what: "file name is not UTF-8".into() });
        };
        if wanted(&rel, chosen) {
            files.push(rel);
        }
    }
    let endpoints = if chosen.is_empty() { all } else { chosen.to_vec() };
    Ok((files, endpoints))
}

/// Whole case: everything but the lock and temporary files. Chosen endpoints: the case's record
/// (top-level files and the merged sources' records) and those endpoints' folders.
fn wanted(rel: &str, chosen: &[String]) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if rel == LOCK_FILE || name.starts_with('.') {
        return false;
    }
    if chosen.is_empty() || !rel.contains('/') || rel.starts_with(&format!("{MERGED_DIR}/")) {
        return true;
    }
    chosen.iter().any(|id| rel.starts_with(&format!("{ENDPOINTS_DIR}/{id}/")))
}

type Written = (String, u64, Listing);

/// What the archive is made from.
struct Source<'a> {
    dir: &'a Path,
    case_id: &'a str,
    files: &'a [String],
    endpoints: &'a [String],
}

/// Writes the archive on two threads: this one reads, hashes and packs the files; the other
/// encrypts, hashes and writes what it is handed (1 MiB at a time, a few in flight).
fn write_archive(source: &Source, opts: &ExportOptions, out: Out, progress: &dyn Progress) -> Result<Written> {
    let encryptor = encryptor(&opts.key)?;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
    let path = out.path.clone();
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || encrypt_out(encryptor, out, rx));
        let packed = pack(source, opts, ChunkSender { tx, buf: Vec::new() }, &path, progress);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(Error::Corrupt { path: path.clone(), what: "the writer stopped".into() }));
        match (packed, written) {
            (Ok(listing), Ok((sha, size))) => Ok((sha, size, listing)),
            // The writer's own error (a full stick) says more than the broken hand-over it caused.
            (_, Err(e)) | (Err(e), _) => Err(e),
        }
    })
}

/// The reading side: every file into the tar stream, hashed; the listing last.
fn pack(
    source: &Source,
    opts: &ExportOptions,
    out: ChunkSender,
    partial: &Path,
    progress: &dyn Progress,
) -> Result<Listing> {
    let mut tar = tar::Builder::new(out);
    tar.mode(tar::HeaderMode::Deterministic);
    let mut listing = Listing {
        case_id: source.case_id.to_string(),
        exported_at: crate::clock::jst_display(crate::clock::now()),
        tool: format!("shodo {}", crate::VERSION),
        custody_head: crate::case::read_head(source.dir)?,
        endpoints: source.endpoints.to_vec(),
        whole_case: opts.endpoints.is_empty(),
        files: Vec::new(),
    };
    let total: u64 = source.files.iter().filter_map(|f| fs::metadata(source.dir.join(f)).ok()).map(|m| m.len()).sum();
    progress.start("export", Some(source.files.len() as u64), Some(total));
    for rel in source.files {
        let member = append_file(&mut tar, &source.dir.join(rel), &format!("{}/{rel}", source.case_id), partial);
        let member = member.inspect_err(|_| progress.finish())?;
        progress.advance(1, member.size);
        listing.files.push(member);
        if progress.cancelled() {
            progress.finish();
            return Err(Error::Cancelled { what: "export" });
        }
    }
    progress.finish();
    let text = serde_json::to_vec_pretty(&listing)
        .map_err(|e| Error::Corrupt { path: partial.into(), what: e.to_string() })?;
    let mut header = header_for(text.len() as u64);
    tar.append_data(&mut header, format!("{}/{LISTING}", source.case_id), text.as_slice())
        .map_err(Error::io("write", partial))?;
    tar.into_inner().and_then(ChunkSender::finish).map_err(Error::io("write", partial))?;
    Ok(listing)
}

/// The writing side: encrypts what it receives, hashes the encrypted bytes, writes and fsyncs.
fn encrypt_out(encryptor: age::Encryptor, out: Out, rx: std::sync::mpsc::Receiver<Vec<u8>>) -> Result<(String, u64)> {
    let path = out.path.as_path();
    let sink = HashingWriter { inner: io::BufWriter::with_capacity(1 << 20, out.file), hasher: Sha256::new(), size: 0 };
    let mut stream = encryptor.wrap_output(sink).map_err(Error::io("write", path))?;
    for chunk in rx {
        stream.write_all(&chunk).map_err(Error::io("write", path))?;
    }
    let mut sink = stream.finish().map_err(Error::io("write", path))?;
    sink.inner.flush().map_err(Error::io("write", path))?;
    let file = sink.inner.into_inner().map_err(|e| Error::io("write", path)(e.into_error()))?;
    if out.sync {
        file.sync_all().map_err(Error::io("sync", path))?;
    }
    Ok((format!("{:x}", sink.hasher.finalize()), sink.size))
}

/// Hands the tar stream to the writing thread in 1 MiB pieces.
struct ChunkSender {
    tx: std::sync::mpsc::SyncSender<Vec<u8>>,
    buf: Vec<u8>,
}

const CHUNK: usize = 1 << 20;

impl ChunkSender {
    fn send(&mut self) -> io::Result<()> {
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.tx.send(chunk).map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the archive writer stopped"))
    }

    /// Sends what is left; dropping the sender then tells the writer the stream is complete.
    fn finish(mut self) -> io::Result<()> {
        if self.buf.is_empty() { Ok(()) } else { self.send() }
    }
}

impl Write for ChunkSender {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn encryptor(key: &Key) -> Result<age::Encryptor> {
    let refuse = |e: age::EncryptError| Error::refused(txt::CANNOT_SET_UP_THE_ENCRYPTION, &[("error", &e)]);
    match key {
        Key::Passphrase(p) => Ok(age::Encryptor::with_user_passphrase(p.clone())),
        Key::Recipients(list) => {
            let keys: Vec<age::x25519::Recipient> = list
                .iter()
                .map(|(name, k)| {
                    k.as_str().parse().map_err(|e: &str| {
                        Error::refused(txt::THE_PUBLIC_KEY_CANNOT_BE_READ, &[("name", name), ("error", &e)])
                    })
                })
                .collect::<Result<_>>()?;
            age::Encryptor::with_recipients(keys.iter().map(|k| k as &dyn age::Recipient)).map_err(refuse)
        }
    }
}

fn header_for(size: u64) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    header
}

/// Appends one file, hashing exactly the bytes that go in; a file whose length changed while
/// it was read is refused (the case is locked, so that means something else wrote to it).
fn append_file<W: Write>(tar: &mut tar::Builder<W>, path: &Path, name: &str, out: &Path) -> Result<Member> {
    let file = File::open(path).map_err(Error::io("read", path))?;
    let size = file.metadata().map_err(Error::io("read", path))?.len();
    let mut header = header_for(size);
    let mut reader = HashingReader { inner: file.take(size), hasher: Sha256::new(), size: 0, read_failed: false };
    tar.append_data(&mut header, name, &mut reader).map_err(|e| match reader.read_failed {
        true => Error::io("read", path)(e),
        false => Error::io("write", out)(e),
    })?;
    if reader.size != size {
        return Err(Error::Corrupt {
            path: path.to_path_buf(),
            what: format!("its length changed while it was exported ({size} → {} bytes)", reader.size),
        });
    }
    Ok(Member { path: name.to_string(), size, sha256: format!("{:x}", reader.hasher.finalize()) })
}

struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    size: u64,
    /// Set when reading failed, to tell a read error of the file from a write error of the archive.
    read_failed: bool,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf).inspect_err(|_| self.read_failed = true)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
}

struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests;
