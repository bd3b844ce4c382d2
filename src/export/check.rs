//! `shodo export --verify`: decrypts an archive (with an identity file or the passphrase) as a
//! stream and checks it, writing nothing: every member against the listing, the custody chain
//! inside, and every file that chain vouches for which the archive holds.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Component, Path, PathBuf};

use age::secrecy::SecretString;
use serde::Serialize;

use super::{LISTING, Listing};
use crate::case::layout::{HEAD_FILE, LOG_FILE};
use crate::case::{self, Entry, Head, Problem, ProblemKind, VerifyReport};
use crate::error::{Error, Result};
use crate::export::strings as txt;
use crate::lang::{Lang, Text};
use crate::progress::Progress;

/// How to open an archive.
pub enum Opener {
    /// An age identity file (`AGE-SECRET-KEY-1…` lines).
    Identity(PathBuf),
    /// The passphrase it was made with.
    Passphrase(SecretString),
}

/// What the check found.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ArchiveCheck {
    /// The case the archive holds, from its listing.
    pub case_id: Option<String>,
    /// Members read (the listing not counted).
    pub members: usize,
    /// Their bytes.
    pub bytes: u64,
    /// Lines of the custody log inside.
    pub custody_entries: u64,
    /// Files vouched for by the custody log and found in the archive with that hash.
    pub vouched_checked: usize,
    /// Files the custody log vouches for that a partial export leaves out.
    pub not_exported: usize,
    /// Damage found (empty: intact).
    pub problems: Vec<Problem>,
}

impl ArchiveCheck {
    /// True when nothing is missing, extra, changed or broken.
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }

    fn problem(&mut self, kind: ProblemKind, file: Option<&str>, text: Text, values: &[(&str, &dyn fmt::Display)]) {
        let p = Problem::new(kind, None, text, values);
        self.problems.push(match file {
            Some(f) => p.on_file(f),
            None => p,
        });
    }
}

/// What the stream gave.
#[derive(Default)]
struct Contents {
    hashes: BTreeMap<String, (String, u64)>,
    kept: BTreeMap<String, Vec<u8>>,
}

/// Decrypts and checks `archive` (`-`: standard input). Errors when it cannot be opened at all (not an age file,
/// wrong key); damage found inside is reported in the result.
pub fn check(archive: &Path, opener: &Opener, progress: &dyn Progress) -> Result<ArchiveCheck> {
    let (input, size): (Box<dyn Read>, Option<u64>) = if super::is_std(archive) {
        (Box::new(io::stdin().lock()), None)
    } else {
        let file = File::open(archive).map_err(Error::io("read", archive))?;
        let size = file.metadata().map_err(Error::io("read", archive))?.len();
        (Box::new(file), Some(size))
    };
    let decryptor = age::Decryptor::new_buffered(BufReader::with_capacity(1 << 20, input))
        .map_err(|e| refused_open(archive, &e))?;
    let stream = match opener {
        Opener::Passphrase(p) => {
            if !decryptor.is_scrypt() {
                return Err(wrong_kind(archive, true));
            }
            let identity = age::scrypt::Identity::new(p.clone());
            decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity))
        }
        Opener::Identity(path) => {
            if decryptor.is_scrypt() {
                return Err(wrong_kind(archive, false));
            }
            let identities = identities(path)?;
            decryptor.decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity))
        }
    }
    .map_err(|e| refused_open(archive, &e))?;
    let mut out = ArchiveCheck::default();
    progress.start("export verify", None, size);
    let read = read_members(stream, &mut out, progress);
    progress.finish();
    judge(&read, &mut out);
    Ok(out)
}

fn identities(path: &Path) -> Result<Vec<Box<dyn age::Identity + Send + Sync>>> {
    let file = age::IdentityFile::from_file(path.display().to_string()).map_err(Error::io("read", path))?;
    file.into_identities()
        .map_err(|e| Error::refused(txt::THE_IDENTITY_FILE_CANNOT_BE_READ, &[("path", &path.display()), ("error", &e)]))
}

fn refused_open(archive: &Path, e: &age::DecryptError) -> Error {
    match e {
        age::DecryptError::NoMatchingKeys => refused_archive(archive, txt::NONE_OF_THE_GIVEN_KEYS_OPENS, &[]),
        age::DecryptError::DecryptionFailed | age::DecryptError::KeyDecryptionFailed => {
            refused_archive(archive, txt::DECRYPTION_FAILED, &[])
        }
        other => refused_archive(archive, txt::NOT_READABLE_AS_AN_AGE_FILE, &[("error", other)]),
    }
}

fn wrong_kind(archive: &Path, want_passphrase: bool) -> Error {
    let why = if want_passphrase { txt::ENCRYPTED_TO_PUBLIC_KEYS } else { txt::ENCRYPTED_WITH_A_PASSPHRASE };
    refused_archive(archive, why, &[])
}

/// The archive refused, and why: `why` filled in both languages with `values`.
fn refused_archive(archive: &Path, why: Text, values: &[(&str, &dyn fmt::Display)]) -> Error {
    let said = |lang: Lang| format!("{}: {}", archive.display(), why.fill(lang, values));
    Error::Refused { ja: said(Lang::Ja), en: said(Lang::En) }
}

/// Reads every member, hashing it; keeps the listing and the custody log and head in memory.
/// A stream that breaks off (truncated, altered ciphertext) is a problem, and ends the reading.
fn read_members<R: Read>(stream: R, out: &mut ArchiveCheck, progress: &dyn Progress) -> Contents {
    let mut read = Contents::default();
    let mut archive = tar::Archive::new(stream);
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => {
            broken(out, &e, 0);
            return read;
        }
    };
    for (i, entry) in entries.enumerate() {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => return broken_at(read, out, &e, i),
        };
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if !safe(&name) {
            out.problem(
                ProblemKind::ArchiveMember,
                Some(&name),
                txt::A_MEMBER_WITH_AN_UNSAFE_NAME,
                &[("name", &format!("{name:?}"))],
            );
        }
        let keep = is_kept(&name);
        let mut kept = Vec::new();
        let copied = match keep {
            true => crate::hash::copy_hashed(&mut entry, &mut kept),
            false => crate::hash::copy_hashed(&mut entry, &mut io::sink()),
        };
        let (sha, size) = match copied {
            Ok(done) => done,
            Err(e) => return broken_at(read, out, &e.into_inner(), i),
        };
        progress.advance(1, size);
        if keep {
            read.kept.insert(name.clone(), kept);
        }
        read.hashes.insert(name, (sha, size));
    }
    read
}

fn broken_at(read: Contents, out: &mut ArchiveCheck, e: &io::Error, member: usize) -> Contents {
    broken(out, e, member);
    read
}

fn broken(out: &mut ArchiveCheck, e: &io::Error, member: usize) {
    let n = member + 1;
    out.problem(ProblemKind::ArchiveMember, None, txt::DAMAGED_AT_MEMBER, &[("n", &n), ("error", e)]);
}

/// Relative, no `..`: what `tar x` would put inside the working directory.
fn safe(name: &str) -> bool {
    !name.is_empty() && Path::new(name).components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// The listing, and the case's own custody log and head (`<case id>/<name>`).
fn is_kept(name: &str) -> bool {
    let mut parts = name.split('/');
    matches!((parts.next(), parts.next(), parts.next()), (Some(_), Some(f), None) if f == LISTING || f == LOG_FILE || f == HEAD_FILE)
}

fn judge(read: &Contents, out: &mut ArchiveCheck) {
    let Some((listing_name, listing)) = read.kept.iter().find(|(n, _)| n.ends_with(&format!("/{LISTING}"))) else {
        out.problem(ProblemKind::ArchiveMember, Some(LISTING), txt::THE_LISTING_IS_MISSING, &[("listing", &LISTING)]);
        return;
    };
    let listing: Listing = match serde_json::from_slice(listing) {
        Ok(l) => l,
        Err(e) => {
            out.problem(
                ProblemKind::ArchiveMember,
                Some(listing_name),
                txt::CANNOT_BE_READ,
                &[("file", &LISTING), ("error", &e)],
            );
            return;
        }
    };
    out.case_id = Some(listing.case_id.clone());
    check_listing(read, &listing, listing_name, out);
    check_custody(read, &listing, out);
}

fn check_listing(read: &Contents, listing: &Listing, listing_name: &str, out: &mut ArchiveCheck) {
    let listed: BTreeMap<&str, &super::Member> = listing.files.iter().map(|m| (m.path.as_str(), m)).collect();
    for (name, (sha, size)) in &read.hashes {
        if name == listing_name {
            continue;
        }
        out.members += 1;
        out.bytes += size;
        match listed.get(name.as_str()) {
            Some(m) if m.sha256 == *sha && m.size == *size => {}
            Some(m) => out.problem(
                ProblemKind::FileModified,
                Some(name),
                txt::DOES_NOT_MATCH_THE_LISTING,
                &[("name", name), ("listed", &m.sha256), ("sha", sha)],
            ),
            None => out.problem(
                ProblemKind::ArchiveMember,
                Some(name),
                txt::A_MEMBER_THE_LISTING_DOES_NOT_NAME,
                &[("name", name)],
            ),
        }
    }
    for m in &listing.files {
        if !read.hashes.contains_key(&m.path) {
            out.problem(
                ProblemKind::FileMissing,
                Some(&m.path),
                txt::LISTED_BUT_NOT_IN_THE_ARCHIVE,
                &[("path", &m.path)],
            );
        }
    }
}

/// The custody chain inside, and every file it vouches for that the archive holds.
fn check_custody(read: &Contents, listing: &Listing, out: &mut ArchiveCheck) {
    let id = &listing.case_id;
    let Some(log) = read.kept.get(&format!("{id}/{LOG_FILE}")) else {
        out.problem(ProblemKind::LogMissing, Some(LOG_FILE), txt::NOT_IN_THE_ARCHIVE, &[("file", &LOG_FILE)]);
        return;
    };
    let head: Option<Head> = read.kept.get(&format!("{id}/{HEAD_FILE}")).and_then(|b| serde_json::from_slice(b).ok());
    let mut report = VerifyReport::default();
    let entries = case::check_log_bytes(log, head.clone(), &mut report);
    out.custody_entries = report.entries;
    out.problems.extend(report.problems);
    if head != listing.custody_head {
        out.problem(
            ProblemKind::HeadMismatch,
            Some(HEAD_FILE),
            txt::DIFFERS_FROM_THE_HEAD_AT_EXPORT,
            &[("file", &HEAD_FILE)],
        );
    }
    check_vouched(read, listing, &entries, out);
}

fn check_vouched(read: &Contents, listing: &Listing, entries: &[(u64, Entry)], out: &mut ArchiveCheck) {
    let mut latest: BTreeMap<&str, (u64, &case::FileRef)> = BTreeMap::new();
    for (n, e) in entries {
        for f in &e.files {
            latest.insert(f.path.as_str(), (*n, f));
        }
    }
    for (path, (n, f)) in latest {
        let name = format!("{}/{path}", listing.case_id);
        match read.hashes.get(&name) {
            Some((sha, _)) if *sha == f.sha256 => out.vouched_checked += 1,
            Some((sha, _)) => out.problem(
                ProblemKind::FileModified,
                Some(&name),
                txt::DOES_NOT_MATCH_THE_CUSTODY_LINE,
                &[("path", &path), ("n", &n), ("recorded", &f.sha256), ("sha", sha)],
            ),
            None if listing.whole_case => out.problem(
                ProblemKind::FileMissing,
                Some(&name),
                txt::MISSING_FROM_A_WHOLE_CASE_EXPORT,
                &[("n", &n), ("path", &path)],
            ),
            None => out.not_exported += 1,
        }
    }
}
