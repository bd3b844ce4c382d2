//! `case verify`: recompute the custody chain and every file hash it vouches for.
//!
//! Reads only. Reports every problem with the line it was found at and why, in both languages;
//! the first one is the answer to "where did it break?".

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Component, Path};

use serde::Serialize;

use super::custody::{self, Entry, FileRef, Head};
use super::meta::CaseFile;
use crate::case::layout::{CASE_FILE, HEAD_FILE, LOG_FILE};
use crate::case::strings as txt;
use crate::error::{Error, Result};
use crate::hash::{self, ZERO};
use crate::lang::{Lang, Text};

/// Stop listing after this many problems; the first ones are what matters.
const MAX_PROBLEMS: usize = 200;

/// The kinds of damage verify can find.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// `custody.jsonl` is absent.
    LogMissing,
    /// A line is not a custody entry.
    NotAnEntry,
    /// A sequence number out of place: lines missing, inserted or reordered.
    Sequence,
    /// A line's `prev_sha256` does not match the line before it.
    ChainBroken,
    /// The last line has no newline: an interrupted append or a cut in mid-line.
    TornLastLine,
    /// `custody.head` is absent or unreadable.
    HeadMissing,
    /// The log ends before the head says it should: lines cut off the end.
    Truncated,
    /// The last line differs from what the head recorded.
    HeadMismatch,
    /// A referenced file's content differs from its recorded hash.
    FileModified,
    /// A referenced file is gone.
    FileMissing,
    /// A file reference points outside the case.
    BadReference,
    /// `case.toml` does not belong to this log.
    CaseMismatch,
    /// A file merged in from another case differs from what that case's log vouched for.
    MergeMismatch,
    /// An exported archive lacks a member its listing names, or holds one it does not.
    ArchiveMember,
}

/// One finding of verify.
#[derive(Clone, Debug, Serialize)]
pub struct Problem {
    /// What kind.
    pub kind: ProblemKind,
    /// 1-based custody line it concerns, if any.
    pub line: Option<u64>,
    /// File it concerns, relative to the case.
    pub file: Option<String>,
    /// Japanese explanation.
    pub ja: String,
    /// English explanation.
    pub en: String,
}

impl Problem {
    /// A problem found on a line (or none), explained by `text` filled in both languages with
    /// `values`.
    pub fn new(kind: ProblemKind, line: Option<u64>, text: Text, values: &[(&str, &dyn fmt::Display)]) -> Problem {
        Problem::written(kind, line, (text.fill(Lang::Ja, values), text.fill(Lang::En, values)))
    }

    /// A problem found on a line (or none), its explanation already written in each language
    /// (see [`Text::both`]).
    pub fn written(kind: ProblemKind, line: Option<u64>, (ja, en): (String, String)) -> Problem {
        Problem { kind, line, file: None, ja, en }
    }

    /// The file it concerns.
    pub fn on_file(mut self, file: &str) -> Problem {
        self.file = Some(file.to_string());
        self
    }

    /// The explanation in one language.
    pub fn text(&self, lang: Lang) -> &str {
        lang.pick(&self.ja, &self.en)
    }
}

/// The outcome of verify.
#[derive(Clone, Debug, Default, Serialize)]
pub struct VerifyReport {
    /// Complete lines in the log.
    pub entries: u64,
    /// Cases merged in whose own chains were verified too.
    pub merged_sources: usize,
    /// Files whose hashes were recomputed.
    pub files_checked: usize,
    /// Damage found (empty means intact).
    pub problems: Vec<Problem>,
    /// Things worth knowing that are not damage.
    pub warnings: Vec<Problem>,
    /// True when more problems existed than are listed.
    pub problems_truncated: bool,
}

impl VerifyReport {
    /// True when nothing is modified, missing, reordered or truncated.
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }

    /// Adds a problem (the list stops growing at a few hundred).
    pub fn push(&mut self, p: Problem) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(p);
        } else {
            self.problems_truncated = true;
        }
    }
}

/// Verifies the case at `dir`. Errors only when the case cannot be read at all.
pub fn verify(dir: &Path) -> Result<VerifyReport> {
    if !dir.join(CASE_FILE).exists() && !dir.join(LOG_FILE).exists() {
        let reason = format!("neither {CASE_FILE} nor {LOG_FILE} found");
        return Err(Error::NotACase { path: dir.to_path_buf(), reason });
    }
    let mut report = VerifyReport::default();
    let Some(entries) = check_log(dir, &mut report)? else { return Ok(report) };
    check_files(dir, &entries, &mut report);
    check_case_file(dir, &entries, &mut report);
    check_merges(dir, &entries, &mut report)?;
    Ok(report)
}

/// Reads the log at `dir` and checks its chain, its end and its head; `None` when it is absent
/// (reported).
fn check_log(dir: &Path, report: &mut VerifyReport) -> Result<Option<Vec<(u64, Entry)>>> {
    let log_path = dir.join(LOG_FILE);
    let bytes = match fs::read(&log_path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            report.push(Problem::new(ProblemKind::LogMissing, None, txt::FILE_IS_MISSING, &[("file", &LOG_FILE)]));
            return Ok(None);
        }
        Err(e) => return Err(Error::io("read", &log_path)(e)),
    };
    Ok(Some(check_log_bytes(&bytes, custody::read_head(dir).ok().flatten(), report)))
}

/// Checks a custody log given as its bytes and its head (`custody.head`, when there is one): the
/// chain, the end, the head. Returns the entries that parsed, with their line numbers.
pub fn check_log_bytes(bytes: &[u8], head: Option<Head>, report: &mut VerifyReport) -> Vec<(u64, Entry)> {
    let split = custody::split(bytes);
    report.entries = split.lines.len() as u64;
    let entries = check_chain(&split.lines, report);
    check_torn(split.torn, split.lines.len() as u64, report);
    check_head(head, &split.lines, report);
    entries
}

/// Every source merged in: its own chain as kept under `merged/`, and every file it vouched for
/// against what the merge entry recorded for the copy.
fn check_merges(dir: &Path, entries: &[(u64, Entry)], report: &mut VerifyReport) -> Result<()> {
    for (n, merge) in entries.iter().filter(|(_, e)| e.action == super::merged::MERGE_ACTION) {
        let Some(log_dir) = merge.detail["log_dir"].as_str().filter(|d| is_inside(d)) else {
            report.push(Problem::new(
                ProblemKind::BadReference,
                Some(*n),
                txt::THE_MERGE_DOES_NOT_SAY_WHERE,
                &[("n", n)],
            ));
            continue;
        };
        let mut sub = VerifyReport::default();
        let source = check_log(&dir.join(log_dir), &mut sub)?.unwrap_or_default();
        check_case_file(&dir.join(log_dir), &source, &mut sub);
        check_copies(*n, merge, &source, &mut sub);
        for p in sub.problems {
            let (ja, en) = txt::MERGED_SOURCE.both(|lang| {
                vec![("log_dir", log_dir.to_string()), ("n", n.to_string()), ("problem", p.text(lang).to_string())]
            });
            report.push(Problem { ja, en, file: p.file.or_else(|| Some(format!("{log_dir}/{LOG_FILE}"))), ..p });
        }
        report.merged_sources += 1;
    }
    Ok(())
}

/// The newest hash the source's log vouches for each file that the merge brought in must be
/// the hash the merge entry records for the copy.
fn check_copies(n: u64, merge: &Entry, source: &[(u64, Entry)], report: &mut VerifyReport) {
    let items = match super::merged::items_of(merge) {
        Ok(items) => items,
        Err(e) => {
            let error = e.to_string();
            report.push(Problem::new(
                ProblemKind::MergeMismatch,
                Some(n),
                txt::THE_MERGED_FOLDERS_CANNOT_BE_READ,
                &[("n", &n), ("error", &error)],
            ));
            return;
        }
    };
    let copies: BTreeMap<&str, &FileRef> = merge.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut latest: BTreeMap<&str, &FileRef> = BTreeMap::new();
    for (_, e) in source {
        for f in &e.files {
            latest.insert(f.path.as_str(), f);
        }
    }
    for (path, vouched) in latest {
        let Some(item) = items.iter().find(|i| path.strip_prefix(&i.from).is_some_and(|r| r.starts_with('/'))) else {
            continue;
        };
        let copy = format!("{}{}", item.to, &path[item.from.len()..]);
        if copies.get(copy.as_str()).is_some_and(|c| c.sha256 == vouched.sha256) {
            continue;
        }
        report.push(
            Problem::new(
                ProblemKind::MergeMismatch,
                Some(n),
                txt::DOES_NOT_MATCH_ITS_COPY,
                &[("path", &path), ("copy", &copy), ("n", &n)],
            )
            .on_file(&copy),
        );
    }
}

/// Walks the lines; returns the entries that parsed (with their line numbers).
fn check_chain(lines: &[&[u8]], report: &mut VerifyReport) -> Vec<(u64, Entry)> {
    let mut prev = ZERO.to_string();
    let mut expected = 1u64;
    let mut parsed = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let n = i as u64 + 1;
        match serde_json::from_slice::<Entry>(line) {
            Err(e) => report.push(Problem::new(
                ProblemKind::NotAnEntry,
                Some(n),
                txt::LINE_IS_NOT_A_CUSTODY_ENTRY,
                &[("n", &n), ("error", &e)],
            )),
            Ok(entry) => {
                check_entry(n, &entry, expected, &prev, report);
                expected = entry.seq + 1;
                parsed.push((n, entry));
            }
        }
        prev = hash::sha256_hex(line);
    }
    parsed
}

fn check_entry(n: u64, entry: &Entry, expected: u64, prev: &str, report: &mut VerifyReport) {
    if entry.seq != expected {
        report.push(Problem::new(
            ProblemKind::Sequence,
            Some(n),
            txt::LINE_HAS_SEQUENCE_NUMBER,
            &[("n", &n), ("seq", &entry.seq), ("expected", &expected)],
        ));
    } else if entry.prev_sha256 != prev {
        let before = n - 1;
        report.push(Problem::new(
            ProblemKind::ChainBroken,
            Some(n),
            txt::LINE_DOES_NOT_CHAIN,
            &[("n", &n), ("before", &before)],
        ));
    }
}

fn check_torn(torn: &[u8], complete: u64, report: &mut VerifyReport) {
    if torn.is_empty() {
        return;
    }
    let n = complete + 1;
    report.push(Problem::new(
        ProblemKind::TornLastLine,
        Some(n),
        txt::THE_LAST_LINE_IS_TORN,
        &[("n", &n), ("bytes", &torn.len())],
    ));
}

fn check_head(head: Option<Head>, lines: &[&[u8]], report: &mut VerifyReport) {
    let head = match head {
        Some(h) => h,
        None => {
            report.push(Problem::new(
                ProblemKind::HeadMissing,
                None,
                txt::FILE_IS_MISSING_OR_UNREADABLE,
                &[("file", &HEAD_FILE)],
            ));
            return;
        }
    };
    let have = lines.len() as u64;
    let hash_of = |seq: u64| lines.get(seq.wrapping_sub(1) as usize).map(|l| hash::sha256_hex(l));
    if head.seq == have && hash_of(have).as_deref() == Some(head.sha256.as_str()) {
        return;
    }
    if head.seq + 1 == have && hash_of(head.seq).as_deref() == Some(head.sha256.as_str()) {
        report.warnings.push(Problem::new(
            ProblemKind::HeadMismatch,
            Some(have),
            txt::FILE_WAS_NOT_ADVANCED,
            &[("have", &have), ("file", &HEAD_FILE)],
        ));
        return;
    }
    report.push(head_problem(&head, have));
}

fn head_problem(head: &Head, have: u64) -> Problem {
    if head.seq > have {
        Problem::new(
            ProblemKind::Truncated,
            Some(have + 1),
            txt::THE_LOG_SHOULD_HAVE_LINES,
            &[("expected", &head.seq), ("have", &have), ("from", &(have + 1))],
        )
    } else {
        let n = head.seq.max(1);
        Problem::new(
            ProblemKind::HeadMismatch,
            Some(n),
            txt::LINE_DOES_NOT_MATCH_THE_HASH_IN,
            &[("file", &HEAD_FILE), ("n", &head.seq)],
        )
    }
}

/// Recomputes the hash of every file, as recorded by the newest entry that names it.
fn check_files(dir: &Path, entries: &[(u64, Entry)], report: &mut VerifyReport) {
    let mut latest: BTreeMap<&str, (u64, &FileRef)> = BTreeMap::new();
    for (n, entry) in entries {
        for f in &entry.files {
            latest.insert(f.path.as_str(), (*n, f));
        }
    }
    for (n, f) in latest.into_values() {
        if let Some(p) = check_file(dir, n, f) {
            report.push(p);
        }
        report.files_checked += 1;
    }
}

fn check_file(dir: &Path, n: u64, f: &FileRef) -> Option<Problem> {
    if !is_inside(&f.path) {
        return Some(
            Problem::new(
                ProblemKind::BadReference,
                Some(n),
                txt::LINE_REFERENCES_OUTSIDE_THE_CASE,
                &[("n", &n), ("path", &format!("{:?}", f.path))],
            )
            .on_file(&f.path),
        );
    }
    match hash::sha256_file(&dir.join(&f.path)) {
        Ok((sha, _)) if sha == f.sha256 => None,
        Ok((sha, size)) => Some(
            Problem::new(
                ProblemKind::FileModified,
                Some(n),
                txt::CHANGED_SINCE_LINE_RECORDED_IT,
                &[("path", &f.path), ("n", &n), ("recorded", &f.sha256), ("sha", &sha), ("size", &size)],
            )
            .on_file(&f.path),
        ),
        Err(e) => Some(
            Problem::new(
                ProblemKind::FileMissing,
                Some(n),
                txt::RECORDED_AT_LINE_CANNOT_BE_READ,
                &[("n", &n), ("path", &f.path), ("error", &e)],
            )
            .on_file(&f.path),
        ),
    }
}

/// A reference must stay inside the case: relative, no `..`, no root.
pub(crate) fn is_inside(rel: &str) -> bool {
    !rel.is_empty() && Path::new(rel).components().all(|c| matches!(c, Component::Normal(_)))
}

fn check_case_file(dir: &Path, entries: &[(u64, Entry)], report: &mut VerifyReport) {
    let init = entries.iter().find(|(_, e)| e.action == "case.init");
    let recorded = init.and_then(|(_, e)| e.detail.get("case_id")).and_then(|v| v.as_str());
    let actual = CaseFile::load(dir).ok().map(|c| c.case.id);
    if recorded.is_some() && recorded == actual.as_deref() {
        return;
    }
    report.push(
        Problem::written(
            ProblemKind::CaseMismatch,
            init.map(|(n, _)| *n),
            txt::THE_CASE_ID_DOES_NOT_MATCH.both(|lang| {
                vec![
                    ("file", CASE_FILE.to_string()),
                    ("actual", actual.as_deref().unwrap_or(txt::UNREADABLE.get(lang)).to_string()),
                    ("recorded", recorded.unwrap_or(txt::NONE.get(lang)).to_string()),
                ]
            }),
        )
        .on_file(CASE_FILE),
    );
}
