//! `shodo backup verify`: the generations of a medium, each with four flags — INTACT (every file
//! as its baseline lists it), CONSISTENT (every archive whole, every file readable), UNENCRYPTED
//! (no encryption signs, no ransom notes), DELTA-NORMAL (no mass deletion, mass renaming or jump
//! in random-looking files against the previous generation) — and the last clean generation:
//! the newest that passes all four and predates the first sign of compromise.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use super::manifest::{self, Entry, Manifest};
use super::{Audit, AuditRow, FileFact, Reading, Skipped, audit, audit_counts, read_medium};
use crate::backup::strings as txt;
use crate::case::layout;
use crate::error::Result;
use crate::lang::{Lang, Text};
use crate::progress::Progress;

/// The first sign of compromise, UTC.
type Since = Option<chrono::DateTime<chrono::Utc>>;

/// Deleted files (share of the previous generation) that make a mass deletion, and the least count.
const MASS_DELETE_SHARE: f64 = 0.3;
/// Renamed files (a name the previous generation had, plus an extension) that make a mass rename.
const MASS_RENAME_SHARE: f64 = 0.1;
/// Least number of files behind a mass deletion, rename or entropy jump.
const MASS_MIN: usize = 10;
/// Rise in random-looking files (share of the generation) that is a jump.
const ENTROPY_JUMP_SHARE: f64 = 0.1;

/// Dates in generation folder names: 2026-11-01, 2026_11_01, 2026.11.01, 20261101.
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    crate::bundled::fixed(
        r"(20\d\d)[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?:[-_T ]?([01]\d|2[0-3])[-_:]?([0-5]\d))?",
    )
});

/// Compiles the fixed pattern of this file (see [`crate::selftest::bundled_data`]).
pub(crate) fn force_patterns() {
    LazyLock::force(&DATE);
}

/// One piece of evidence, in both languages.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Note {
    /// Japanese.
    pub ja: String,
    /// English.
    pub en: String,
}

impl Note {
    /// `text` filled in both languages with `values`.
    fn new(text: Text, values: &[(&str, &dyn fmt::Display)]) -> Note {
        Note { ja: text.fill(Lang::Ja, values), en: text.fill(Lang::En, values) }
    }
}

/// A baseline as given.
#[derive(Clone, Debug, Serialize)]
pub struct BaselineInfo {
    /// The manifest file.
    pub path: String,
    /// The generation it names.
    pub generation: Option<String>,
    /// Files listed.
    pub files: usize,
    /// The manifest's own root hash still holds (none: not one of shodo's).
    pub intact: Option<bool>,
    /// The generation it was matched to.
    pub used_for: Option<String>,
}

/// The four flags of a generation (none: could not be determined).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Flags {
    /// Every file as the baseline lists it.
    pub intact: Option<bool>,
    /// Every archive whole, every file readable.
    pub consistent: bool,
    /// No encryption signs, no ransom notes.
    pub unencrypted: bool,
    /// Changes against the previous generation within normal bounds.
    pub delta_normal: Option<bool>,
}

/// One generation.
#[derive(Clone, Debug, Serialize)]
pub struct Generation {
    /// Its name (the folder, or the medium).
    pub name: String,
    /// Its folder below the medium's root (empty: the whole medium).
    pub folder: String,
    /// When it was taken (from its name; else its newest file's modification), UTC.
    pub time: Option<String>,
    /// Files and bytes.
    pub files: usize,
    /// Bytes.
    pub bytes: u64,
    /// Against its baseline, per category.
    pub audit: BTreeMap<Audit, u64>,
    /// The four flags.
    pub flags: Flags,
    /// Passes all four (an undetermined INTACT — no baseline — does not fail it; said so).
    pub clean: bool,
    /// Before the first sign of compromise (none: not known).
    pub before_compromise: Option<bool>,
    /// Why a flag is not set, with examples.
    pub evidence: Vec<Note>,
}

/// The answer.
#[derive(Clone, Debug, Serialize)]
pub struct Verdict {
    /// The last clean generation.
    pub last_clean: Option<String>,
    /// The generation after it that is not clean (the boundary), with its evidence.
    pub first_bad: Option<String>,
    /// Its evidence.
    pub boundary_evidence: Vec<Note>,
    /// What the verdict does not say.
    pub caveat_ja: &'static str,
    /// In English.
    pub caveat_en: &'static str,
}

/// The whole report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The medium's root.
    pub source: String,
    /// When it was read (UTC).
    pub read_at: String,
    /// The first sign of compromise used (UTC).
    pub compromised_since: Option<String>,
    /// Where that time comes from (the operator, or the case's timeline entry).
    pub compromised_since_from: Option<String>,
    /// Files read and bytes.
    pub files: usize,
    /// Bytes read.
    pub bytes: u64,
    /// The baselines.
    pub baselines: Vec<BaselineInfo>,
    /// Generations, oldest first.
    pub generations: Vec<Generation>,
    /// The answer.
    pub verdict: Verdict,
    /// Archives and images checked, per format: whole and damaged.
    pub archives_checked: BTreeMap<&'static str, BTreeMap<&'static str, u64>>,
    /// Files with a problem: unreadable, damaged archive, encryption signs, ransom note.
    pub flagged: Vec<FileFact>,
    /// Files not matching a baseline.
    pub audit: Vec<AuditRow>,
    /// What could not be read.
    pub skipped: Vec<Skipped>,
    /// The order the medium was read in (`physical`: by the file system's extent map; `inode`).
    pub read_order: &'static str,
}

/// Reads `root` and answers which generation is clean.
pub fn verify(root: &Path, baselines: &[PathBuf], compromised_since: Since, progress: &dyn Progress) -> Result<Report> {
    let mut manifests = Vec::new();
    for b in baselines {
        manifests.push((b.clone(), manifest::read(b)?));
    }
    let reading = read_medium(root, progress)?;
    let folders = generation_folders(&reading, &named_generations(&manifests));
    let mut infos: Vec<BaselineInfo> = manifests.iter().map(baseline_info).collect();
    let mut generations = Vec::new();
    let mut all_rows = Vec::new();
    let mut previous: Option<(Vec<&FileFact>, Vec<u8>)> = None;
    for f in &folders {
        let prefix = if f.folder.is_empty() { Vec::new() } else { format!("{}/", f.folder).into_bytes() };
        let files: Vec<&FileFact> = reading.files.iter().filter(|x| x.raw.starts_with(&prefix)).collect();
        let chosen = baseline_for(&manifests, &f.name, folders.len() == 1);
        if let Some(i) = chosen {
            infos[i].used_for = Some(f.name.clone());
        }
        let mut evidence = Vec::new();
        let (intact, counts) =
            integrity(chosen.map(|i| &manifests[i]), (&files, &prefix), &mut evidence, &mut all_rows);
        let (consistent, unencrypted) = content_evidence(&files, &mut evidence);
        let delta_normal =
            previous.as_ref().map(|(prev, prev_prefix)| delta((prev, prev_prefix), (&files, &prefix), &mut evidence));
        let flags = Flags { intact, consistent, unencrypted, delta_normal };
        generations.push(generation(f, &files, counts, flags, evidence, compromised_since));
        previous = Some((files, prefix));
    }
    Ok(Report {
        archives_checked: archives_checked(&reading),
        source: root.display().to_string(),
        read_at: crate::clock::utc_string(crate::clock::now()),
        compromised_since: compromised_since.map(crate::clock::utc_string),
        compromised_since_from: compromised_since.map(|_| "operator (--compromised-since)".to_string()),
        files: reading.files.len(),
        bytes: reading.files.iter().map(|f| f.size).sum(),
        baselines: infos,
        verdict: verdict(&generations),
        generations,
        flagged: flagged(&reading),
        audit: all_rows,
        skipped: reading.skipped,
        read_order: reading.read_order,
    })
}

/// The generations the baselines name, each with when its baseline was made.
fn named_generations(manifests: &[(PathBuf, Manifest)]) -> Vec<(String, String)> {
    manifests
        .iter()
        .filter_map(|(_, m)| m.meta.as_ref().and_then(|x| Some((x.generation.clone()?, x.created.clone()))))
        .collect()
}

fn baseline_info((path, m): &(PathBuf, Manifest)) -> BaselineInfo {
    BaselineInfo {
        path: path.display().to_string(),
        generation: m.meta.as_ref().and_then(|x| x.generation.clone()),
        files: m.entries.len(),
        intact: m.intact,
        used_for: None,
    }
}

/// The baseline of the generation `name`: the newest one named for it; a medium of one
/// generation (`single`, or a copy rewritten in place) is held to the newest baseline given.
fn baseline_for(manifests: &[(PathBuf, Manifest)], name: &str, single: bool) -> Option<usize> {
    let created = |i: &usize| (manifests[*i].1.meta.as_ref().map(|x| x.created.clone()), *i);
    let named_for = |i: &usize| manifests[*i].1.meta.as_ref().and_then(|x| x.generation.as_deref()) == Some(name);
    let chosen = (0..manifests.len()).filter(named_for).max_by_key(created);
    chosen.or_else(|| if single { (0..manifests.len()).max_by_key(created) } else { None })
}

/// INTACT against the generation's baseline (none: no baseline, and said so) and the count per
/// category; the rows that differ go into `rows`.
fn integrity(
    baseline: Option<&(PathBuf, Manifest)>,
    (files, prefix): (&[&FileFact], &[u8]),
    evidence: &mut Vec<Note>,
    rows: &mut Vec<AuditRow>,
) -> (Option<bool>, BTreeMap<Audit, u64>) {
    let Some(baseline) = baseline else {
        evidence.push(Note::new(txt::NO_BASELINE, &[]));
        return (None, BTreeMap::new());
    };
    let (intact, mut audited) = audit_against(baseline, files, prefix, evidence);
    let counts = audit_counts(&audited);
    audited.retain(|r| r.audit != Audit::Matched);
    rows.extend(audited);
    (Some(intact), counts)
}

/// A generation with its flags: clean when it passes all four (an undetermined INTACT does not
/// fail it), and whether it was taken before the first sign of compromise.
fn generation(
    Folder { name, folder, time }: &Folder,
    files: &[&FileFact],
    audit: BTreeMap<Audit, u64>,
    flags: Flags,
    evidence: Vec<Note>,
    compromised_since: Since,
) -> Generation {
    let clean =
        flags.intact != Some(false) && flags.consistent && flags.unencrypted && flags.delta_normal != Some(false);
    let before_compromise = compromised_since.and_then(|since| {
        let t = chrono::DateTime::parse_from_rfc3339(time.as_deref()?).ok()?;
        Some(t < since)
    });
    Generation {
        name: name.clone(),
        folder: folder.clone(),
        time: time.clone(),
        files: files.len(),
        bytes: files.iter().map(|f| f.size).sum(),
        audit,
        flags,
        clean,
        before_compromise,
        evidence,
    }
}

/// The last clean generation before the compromise, and the first generation after it that is
/// not clean, with its evidence.
fn verdict(generations: &[Generation]) -> Verdict {
    let eligible = |g: &Generation| g.clean && g.before_compromise != Some(false);
    let last = generations.iter().rposition(eligible);
    let first_bad = match last {
        Some(i) => generations.get(i + 1..).and_then(|rest| rest.iter().find(|g| !g.clean)),
        None => generations.iter().find(|g| !g.clean),
    };
    Verdict {
        last_clean: last.map(|i| generations[i].name.clone()),
        first_bad: first_bad.map(|g| g.name.clone()),
        boundary_evidence: first_bad.map(|g| g.evidence.clone()).unwrap_or_default(),
        caveat_ja: txt::UNENCRYPTED_IS_NOT_MALWARE_FREE.ja,
        caveat_en: txt::UNENCRYPTED_IS_NOT_MALWARE_FREE.en,
    }
}

/// Files with a problem: unreadable, damaged archive, encryption signs, ransom note.
fn flagged(reading: &Reading) -> Vec<FileFact> {
    reading
        .files
        .iter()
        .filter(|f| {
            f.error.is_some()
                || f.encryption.is_some()
                || f.ransom_note.is_some()
                || f.structure.as_ref().is_some_and(|s| !s.ok)
        })
        .cloned()
        .collect()
}

/// Archives and images checked, per format: whole and damaged.
fn archives_checked(reading: &Reading) -> BTreeMap<&'static str, BTreeMap<&'static str, u64>> {
    let mut checked: BTreeMap<&'static str, BTreeMap<&'static str, u64>> = BTreeMap::new();
    for s in reading.files.iter().filter_map(|f| f.structure.as_ref()) {
        *checked.entry(s.format).or_default().entry(if s.ok { "whole" } else { "damaged" }).or_default() += 1;
    }
    checked
}

/// Audits a generation's files against its baseline: whether it is INTACT, and every row (the
/// evidence of what differs goes into `evidence`).
fn audit_against(
    (path, m): &(PathBuf, Manifest),
    files: &[&FileFact],
    prefix: &[u8],
    evidence: &mut Vec<Note>,
) -> (bool, Vec<AuditRow>) {
    // A baseline of the whole medium lists the generation's folder too.
    let entries: Vec<Entry> = if !prefix.is_empty() && m.entries.iter().all(|e| e.path.starts_with(prefix)) {
        m.entries.iter().map(|e| Entry { path: e.path[prefix.len()..].to_vec(), ..e.clone() }).collect()
    } else {
        m.entries.clone()
    };
    let rows = audit(files, prefix, &entries);
    let off: Vec<&AuditRow> = rows.iter().filter(|r| r.audit != Audit::Matched).collect();
    if m.intact == Some(false) {
        evidence.push(Note::new(txt::BASELINE_WAS_EDITED, &[("path", &path.display())]));
    }
    if !off.is_empty() {
        let examples: Vec<String> =
            off.iter().take(5).map(|r| format!("{:?} {}", r.audit, r.path).to_lowercase()).collect();
        let (n, ex) = (off.len(), examples.join(", "));
        evidence.push(Note::new(txt::FILES_DIFFER_FROM_THE_BASELINE, &[("n", &n), ("examples", &ex)]));
    }
    let intact = m.intact != Some(false) && off.is_empty();
    (intact, rows)
}

/// What the files themselves show: CONSISTENT (all readable, no damaged archive) and
/// UNENCRYPTED (no encryption signs, no ransom notes), with the evidence of what is not.
fn content_evidence(files: &[&FileFact], evidence: &mut Vec<Note>) -> (bool, bool) {
    let unreadable: Vec<&&FileFact> = files.iter().filter(|f| f.error.is_some()).collect();
    let damaged: Vec<&&FileFact> = files.iter().filter(|f| f.structure.as_ref().is_some_and(|s| !s.ok)).collect();
    for f in damaged.iter().take(5) {
        if let Some(s) = &f.structure {
            let (ja, en) = txt::DAMAGED.both(|lang| {
                let at = s.position.map(|p| txt::AT_BYTE.fill(lang, &[("position", &p)])).unwrap_or_default();
                let why = s.problem.clone().unwrap_or_default();
                vec![("format", s.format.to_string()), ("at", at), ("path", f.path.clone()), ("why", why)]
            });
            evidence.push(Note { ja, en });
        }
    }
    if !unreadable.is_empty() {
        let (n, ex) = (unreadable.len(), &unreadable[0].path);
        evidence.push(Note::new(txt::FILES_UNREADABLE, &[("n", &n), ("example", ex)]));
    }
    let encrypted: Vec<&&FileFact> = files.iter().filter(|f| f.encryption.is_some()).collect();
    let notes: Vec<&&FileFact> = files.iter().filter(|f| f.ransom_note.is_some()).collect();
    if !encrypted.is_empty() {
        let examples: Vec<&str> = encrypted.iter().take(5).map(|f| f.path.as_str()).collect();
        let (n, ex) = (encrypted.len(), examples.join(", "));
        evidence.push(Note::new(txt::FILES_LOOK_ENCRYPTED, &[("n", &n), ("examples", &ex)]));
    }
    if !notes.is_empty() {
        let examples: Vec<&str> = notes.iter().take(3).map(|f| f.path.as_str()).collect();
        let (n, ex) = (notes.len(), examples.join(", "));
        evidence.push(Note::new(txt::RANSOM_NOTES_BY_NAME, &[("n", &n), ("examples", &ex)]));
    }
    (unreadable.is_empty() && damaged.is_empty(), encrypted.is_empty() && notes.is_empty())
}

/// A generation folder: its name, its folder below the root, and when it was taken (UTC).
struct Folder {
    name: String,
    folder: String,
    time: Option<String>,
}

/// The time a folder name holds (`2026-11-01`, `20261101_0300` …), UTC.
fn time_in_name(name: &str) -> Option<String> {
    let c = DATE.captures(name)?;
    let n = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let date = chrono::NaiveDate::from_ymd_opt(n(1)? as i32, n(2)?, n(3)?)?;
    let t = date.and_hms_opt(n(4).unwrap_or(0), n(5).unwrap_or(0), 0)?;
    Some(crate::clock::utc_string(t.and_utc()))
}

/// Generations, oldest first: the top-level folders whose names hold a date or that a baseline
/// names (`weekly-A`, `月曜` …); else the medium as one generation. When a generation was taken:
/// the date in its name, else when its baseline was made (it was taken before that), else its
/// newest file's modification.
fn generation_folders(reading: &Reading, baselines: &[(String, String)]) -> Vec<Folder> {
    let newest = |prefix: &[u8]| {
        reading.files.iter().filter(|f| f.raw.starts_with(prefix)).filter_map(|f| f.modified.clone()).max()
    };
    let tops: HashSet<String> = reading
        .files
        .iter()
        .filter_map(|f| {
            let s = String::from_utf8_lossy(&f.raw);
            let (top, _) = s.split_once('/')?;
            Some(top.to_string())
        })
        .filter(|top| time_in_name(top).is_some() || baselines.iter().any(|(g, _)| g == top))
        .collect();
    if tops.is_empty() {
        return vec![Folder { name: "(medium)".into(), folder: String::new(), time: newest(b"") }];
    }
    let mut folders: Vec<Folder> = tops
        .into_iter()
        .map(|top| {
            let time = time_in_name(&top)
                .or_else(|| baselines.iter().filter(|(g, _)| *g == top).map(|(_, t)| t.clone()).min())
                .or_else(|| newest(format!("{top}/").as_bytes()));
            Folder { name: top.clone(), folder: top, time }
        })
        .collect();
    folders.sort_by(|a, b| (&a.time, &a.name).cmp(&(&b.time, &b.name)));
    folders
}

/// Whether the change from the previous generation is within normal bounds; what is not goes
/// into `evidence`.
fn delta(
    (prev, prev_prefix): (&[&FileFact], &[u8]),
    (cur, prefix): (&[&FileFact], &[u8]),
    evidence: &mut Vec<Note>,
) -> bool {
    let strip = |f: &FileFact, p: &[u8]| -> Vec<u8> { f.raw.strip_prefix(p).unwrap_or(&f.raw).to_vec() };
    let prev_name = String::from_utf8_lossy(prev_prefix).trim_end_matches('/').to_string();
    let before: HashSet<Vec<u8>> = prev.iter().map(|f| strip(f, prev_prefix)).collect();
    let after: HashSet<Vec<u8>> = cur.iter().map(|f| strip(f, prefix)).collect();
    let mut normal = true;
    // `report.docx` became `report.docx.lockbit`.
    let renamed_from: HashSet<&[u8]> = after
        .iter()
        .filter(|p| !before.contains(*p))
        .filter_map(|p| p.iter().rposition(|&b| b == b'.').map(|dot| &p[..dot]))
        .filter(|stem| before.contains(*stem))
        .collect();
    let renamed = renamed_from.len();
    let deleted = before.difference(&after).filter(|p| !renamed_from.contains(p.as_slice())).count();
    if deleted >= MASS_MIN && deleted as f64 >= MASS_DELETE_SHARE * before.len() as f64 {
        let total = before.len();
        evidence.push(Note::new(
            txt::FILES_ARE_GONE,
            &[("previous", &prev_name), ("total", &total), ("deleted", &deleted)],
        ));
        normal = false;
    }
    if renamed >= MASS_MIN && renamed as f64 >= MASS_RENAME_SHARE * before.len().max(1) as f64 {
        evidence.push(Note::new(
            txt::FILES_RENAMED_WITH_AN_ADDED_EXTENSION,
            &[("previous", &prev_name), ("renamed", &renamed)],
        ));
        normal = false;
    }
    let random = |files: &[&FileFact]| files.iter().filter(|f| f.encryption.is_some()).count();
    let (was, now) = (random(prev), random(cur));
    if now > was && now - was >= MASS_MIN && (now - was) as f64 >= ENTROPY_JUMP_SHARE * cur.len().max(1) as f64 {
        evidence
            .push(Note::new(txt::RANDOM_LOOKING_FILES_ROSE, &[("previous", &prev_name), ("was", &was), ("now", &now)]));
        normal = false;
    }
    normal
}

/// A medium's name as a folder of the case (`backups/<name>/`): letters, digits, `-_.`.
pub fn medium_name(given: Option<&str>, source: &Path) -> String {
    let raw = given.map(str::to_string).unwrap_or_else(|| {
        source
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_default()
    });
    let name: String =
        raw.trim().chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    if name.is_empty() || name.chars().all(|c| c == '.') { "medium".into() } else { name }
}

/// Keeps a verification in the case: `backups/<medium>/verify-<time>.json` (earlier ones stay),
/// and a `backup.verify` entry in the custody log with the verdict and the file's hash.
pub fn record(writer: &crate::case::CaseWriter, medium: &str, report: &Report) -> Result<String> {
    let stamp = report.read_at.replace([':', '-'], "").replace('.', "_");
    let rel = format!("{}/{medium}/verify-{stamp}.json", layout::BACKUPS_DIR);
    let path = writer.case().dir().join(&rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(crate::error::Error::io("create", dir))?;
    }
    let text = serde_json::to_vec_pretty(report)
        .map_err(|e| crate::error::Error::Corrupt { path: path.clone(), what: e.to_string() })?;
    crate::case::write_atomic(&path, &text)?;
    let generations: Vec<serde_json::Value> = report
        .generations
        .iter()
        .map(|g| serde_json::json!({ "name": g.name, "clean": g.clean, "flags": g.flags, "time": g.time }))
        .collect();
    let detail = serde_json::json!({ "source": report.source, "files": report.files, "bytes": report.bytes,
        "baselines": report.baselines.len(), "generations": generations,
        "last_clean": report.verdict.last_clean, "first_bad": report.verdict.first_bad,
        "compromised_since": report.compromised_since });
    let file = crate::case::FileRef::of(writer.case().dir(), &rel)?;
    writer.record(crate::case::NewEntry::new("backup.verify", medium, detail).with_files(vec![file]))?;
    Ok(rel)
}

/// The first sign of compromise the case's timelines hold: the earliest entry of severity
/// critical or high, or the file time of an encrypted file or ransom note, across its endpoints
/// — with what and where it is.
pub fn first_sign(case_dir: &Path) -> Option<(chrono::DateTime<chrono::Utc>, String)> {
    let endpoints = std::fs::read_dir(case_dir.join(layout::ENDPOINTS_DIR)).ok()?;
    let mut first: Option<(chrono::DateTime<chrono::Utc>, String)> = None;
    for e in endpoints.flatten() {
        let Ok(text) = std::fs::read_to_string(e.path().join(layout::TIMELINE)) else { continue };
        for line in text.lines() {
            let Ok(entry) = serde_json::from_str::<serde_json::Value>(line) else { continue };
            let message = entry["message"].as_str().unwrap_or_default();
            let sign = crate::findings::timeline_sign(&entry);
            let time = entry["datetime"].as_str().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
            if let (true, Some(t)) = (sign, time) {
                let t = t.with_timezone(&chrono::Utc);
                if first.as_ref().is_none_or(|(f, _)| t < *f) {
                    first = Some((t, format!("{}: {message}", e.file_name().to_string_lossy())));
                }
            }
        }
    }
    first
}
