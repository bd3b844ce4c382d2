//! Scanning what was collected: every archived file of an endpoint, read back from its evidence
//! archive and checked against the manifest hash before it is scanned. Results go to the
//! endpoint's `findings.jsonl` (typed and versioned), and the scan into the custody log.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use serde_json::{Value, json};

use crate::case::layout::{ENDPOINTS_DIR, FINDINGS, MANIFEST};
use crate::case::{CaseWriter, FileRef, NewEntry};
use crate::collect::{self, Row, Status, entry_bytes, row_bytes};
use crate::error::{Error, Result};
use crate::findings::{self, Finding, Kind};
use crate::progress::Progress;
use crate::ransomware::iocs;
use crate::yara::rules::RuleSet;
use crate::yara::scan::{self, Event, Feed, Item, TOOL_CATEGORIES};

/// The outcome of scanning one endpoint's evidence.
#[derive(Clone, Debug, Serialize)]
pub struct EndpointScan {
    /// Endpoint id.
    pub endpoint: String,
    /// Counts.
    pub summary: scan::Summary,
    /// Counts of the rest of the volume, when it was scanned.
    pub volume_summary: Option<scan::Summary>,
    /// Records written to findings.jsonl.
    pub findings: usize,
    /// Ransom notes found, with their contact points.
    pub notes: Vec<Value>,
    /// SHA-256 of the rule sources.
    pub rules_sha256: String,
    /// Files that look encrypted: count, bytes, first and last modification time, per
    /// top-level directory — the raw material for 発生日時.
    pub encryption: Option<Value>,
    /// Families the evidence points to (notes naming themselves, encrypted-file extensions).
    pub families: Vec<crate::ransomware::family::Attribution>,
    /// The earliest suspicious executable (in a user-writable or unusual place, matched by a
    /// tool rule, or malformed) with the time it appeared and why it is suspicious.
    pub first_suspicious_executable: Option<Value>,
    /// The volume: attached and scanned (with its counts), or why not.
    pub volume: Value,
    /// What the volume scan found that no catalogue collected, now kept in the evidence (notes,
    /// tools, encrypted samples) within the budget, and what did not fit.
    pub kept: Option<collect::Kept>,
    /// Why keeping them failed (English, Japanese), when it did; the findings are written anyway.
    pub keep_error: Option<(String, String)>,
}

/// The endpoint's volume, beyond what was collected.
#[derive(Clone, Debug)]
pub enum Volume<'a> {
    /// Its source is attached and opened read-only with its tree at `root`; `opened` says how
    /// (for the custody log).
    Attached {
        /// Root of the volume's tree.
        root: &'a Path,
        /// How it was opened.
        opened: Value,
    },
    /// Not scanned, and why.
    NotScanned(String),
}

/// Where the bytes and times of a scanned path come from: the evidence archive, else the
/// attached volume.
struct Origins<'a> {
    dir: &'a Path,
    rows: BTreeMap<&'a str, &'a Row>,
    volume: Option<&'a Path>,
}

impl Origins<'_> {
    fn origin(&self, path: &str) -> &'static str {
        if self.rows.contains_key(path) { "evidence" } else { "volume" }
    }

    fn times(&self, path: &str) -> Option<collect::Times> {
        if let Some(r) = self.rows.get(path) {
            return Some(r.times.clone());
        }
        let file = self.volume?.join(std::ffi::OsStr::from_bytes(&collect::unescape(path)));
        std::fs::symlink_metadata(file).ok().map(|m| collect::times(&m))
    }

    fn bytes(&self, path: &str) -> Option<Vec<u8>> {
        if let Some(r) = self.rows.get(path) {
            return reread(self.dir, r);
        }
        let file = self.volume?.join(std::ffi::OsStr::from_bytes(&collect::unescape(path)));
        let mut data = Vec::new();
        collect::open_evidence(&file).ok()?.take(16 << 20).read_to_end(&mut data).ok()?;
        Some(data)
    }
}

/// Scans the collected evidence of `endpoint` in the case, and its volume when attached (every
/// file not collected).
pub fn scan_endpoint(
    writer: &CaseWriter,
    endpoint: &str,
    set: &RuleSet,
    opts: &scan::Options,
    volume: &Volume,
    progress: &dyn Progress,
) -> Result<EndpointScan> {
    let dir = writer.case().dir().join(ENDPOINTS_DIR).join(endpoint);
    let rows = collect::read_manifest(&dir.join(MANIFEST))?;
    if rows.is_empty() {
        return Err(Error::NotACase { path: dir, reason: "no collected evidence for this endpoint".into() });
    }
    let collected: Vec<Row> = collect::latest_rows(&rows)
        .into_values()
        .filter(|r| r.status == Status::Collected && r.zip.is_some() && r.entry.is_some())
        .cloned()
        .collect();
    let volume_detail = match volume {
        Volume::Attached { opened, .. } => json!({ "attached": true, "opened": opened }),
        Volume::NotScanned(why) => json!({ "attached": false, "reason": why }),
    };
    writer.record(NewEntry::new(
        "scan.start",
        endpoint,
        json!({ "rules_sha256": set.sha256, "files": collected.len(), "volume": volume_detail }),
    ))?;
    let events = Mutex::new(Vec::new());
    let on_event = |e: Event| drop(events.lock().map(|mut v| v.push(e)));
    let totals = (collected.len() as u64, collected.iter().map(|r| r.size).sum());
    let summary = scan::scan_feed(set, opts, progress, Some(totals), &on_event, |feed| {
        feed_archives(&dir, &collected, opts.max_size, feed)
    });
    let mut volume_summary = None;
    if let Volume::Attached { root, .. } = volume {
        let known: BTreeSet<&str> =
            rows.iter().filter(|r| r.status == Status::Collected).map(|r| r.path.as_str()).collect();
        let not_regular = AtomicU64::new(0);
        let mut s =
            scan::scan_feed(set, opts, progress, None, &on_event, |feed| feed_volume(root, &known, &not_regular, feed));
        s.not_regular = not_regular.into_inner();
        volume_summary = Some(s);
    }
    if progress.cancelled() {
        writer.record(NewEntry::new("scan.cancelled", endpoint, json!({ "scanned": summary.scanned })))?;
        return Err(Error::Cancelled { what: "scan" });
    }
    let events = events.into_inner().unwrap_or_default();
    let origins = Origins {
        dir: &dir,
        rows: collected.iter().map(|r| (r.path.as_str(), r)).collect(),
        volume: match volume {
            Volume::Attached { root, .. } => Some(root),
            Volume::NotScanned(_) => None,
        },
    };
    let (records, notes) = findings(&origins, &events);
    let encryption = encryption_window(&origins, &events);
    let families = families(&events);
    let first_exe = first_suspicious_executable(&origins, &events);
    let mut volume_detail = volume_detail;
    volume_detail["summary"] = json!(&volume_summary);
    findings::write(&dir, "scan", records.clone())?;
    // The findings are written first: a stick that fills up while keeping loses no judgement.
    let (mut kept, mut keep_error) = (None, None);
    if let Volume::Attached { root, .. } = volume {
        match collect::keep(writer, endpoint, root, &wanted(&origins, &events), opts.keep_budget, progress) {
            Ok(k) => kept = Some(k),
            Err(e) => keep_error = Some((e.to_string(), e.ja())),
        }
    }
    let rel = format!("{ENDPOINTS_DIR}/{endpoint}/{FINDINGS}");
    let detail = json!({ "rules_sha256": set.sha256, "summary": summary, "volume": volume_detail, "findings": records.len(),
                         "ransom_notes": notes.len(), "encryption": encryption, "families": families,
                         "first_suspicious_executable": first_exe,
                         "kept": kept.as_ref().map(|k| json!({ "files": k.files.len(), "bytes": k.bytes, "segment": k.segment })),
                         "keep_error": keep_error.as_ref().map(|e| &e.0) });
    writer.record(
        NewEntry::new("scan.finish", endpoint, detail).with_files(vec![FileRef::of(writer.case().dir(), &rel)?]),
    )?;
    Ok(EndpointScan {
        endpoint: endpoint.into(),
        summary,
        volume_summary,
        findings: records.len(),
        notes,
        rules_sha256: set.sha256.clone(),
        encryption,
        families,
        first_suspicious_executable: first_exe,
        volume: volume_detail,
        kept,
        keep_error,
    })
}

/// Encrypted files kept of each extension, as samples for a decryptor.
const SAMPLES_PER_EXTENSION: usize = 3;

/// What the volume scan found that the evidence does not hold yet, most telling first: every
/// distinct ransom note, the attacker's tools and scripts (a tool rule matched, or it does not
/// parse), the first encrypted files of each extension, then executables in unusual places.
/// One copy per content.
fn wanted(origins: &Origins, events: &[Event]) -> Vec<collect::Wanted> {
    use collect::KeepWhy as Why;
    let mut all: Vec<(Why, &str, &str)> = Vec::new();
    let mut samples: BTreeMap<String, usize> = BTreeMap::new();
    // Samples are the first by path, whichever worker found them first.
    let mut events: Vec<&Event> = events.iter().collect();
    events.sort_by_key(|e| e.path());
    for e in events {
        let (why, path, sha256) = match e {
            Event::Hit(h) => match h.meta.get("category").and_then(|v| v.as_str()) {
                Some("ransom_note") => (Why::RansomNote, &h.path, &h.sha256),
                Some(c) if TOOL_CATEGORIES.contains(&c) => (Why::Tool, &h.path, &h.sha256),
                _ => continue,
            },
            Event::NoteName(n) => (Why::RansomNote, &n.path, &n.sha256),
            Event::Executable(x) if x.malformed.is_some() => (Why::Tool, &x.path, &x.sha256),
            Event::Executable(x) if unusual_location(&x.path).is_some() => {
                (Why::SuspiciousExecutable, &x.path, &x.sha256)
            }
            Event::Encrypted(x) => {
                let a = &x.assessment;
                let name = x.path.rsplit('/').next().unwrap_or_default();
                let ext = a
                    .extension
                    .clone()
                    .or_else(|| a.appended.clone())
                    .unwrap_or_else(|| name.rsplit_once('.').map(|(_, e)| e.to_lowercase()).unwrap_or_default());
                let taken = samples.entry(ext).or_default();
                if *taken >= SAMPLES_PER_EXTENSION {
                    continue;
                }
                *taken += 1;
                (Why::EncryptedSample, &x.path, &x.sha256)
            }
            _ => continue,
        };
        if origins.origin(path) == "volume" {
            all.push((why, path.as_str(), sha256.as_str()));
        }
    }
    all.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    // Content the evidence holds already (a note copied into every folder, kept by an earlier scan).
    let mut seen: BTreeSet<&str> = origins.rows.values().filter_map(|r| r.sha256.as_deref()).collect();
    all.into_iter()
        .filter(|(_, _, sha)| seen.insert(sha))
        .map(|(why, path, sha)| collect::Wanted { path: path.to_string(), why, sha256: sha.to_string() })
        .collect()
}

/// Every regular file of the volume that was not collected, named by its escaped path relative
/// to the root (as the manifest names files); the walk stays on that filesystem and never
/// follows links.
fn feed_volume(root: &Path, known: &BTreeSet<&str>, not_regular: &AtomicU64, feed: &Feed) {
    let walker = walkdir::WalkDir::new(root).min_depth(1).follow_links(false).same_file_system(true);
    for entry in walker.sort_by_file_name() {
        let e = match entry {
            Ok(e) => e,
            Err(err) => {
                let at = err.path().map(|p| p.strip_prefix(root).unwrap_or(p)).unwrap_or(Path::new(""));
                feed.skip(collect::escape(at.as_os_str()), "walk_error", err.to_string());
                continue;
            }
        };
        if e.file_type().is_dir() {
            continue;
        }
        let rel = collect::escape(e.path().strip_prefix(root).unwrap_or(e.path()).as_os_str());
        if !e.file_type().is_file() {
            not_regular.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        if known.contains(rel.as_str()) {
            continue;
        }
        match e.metadata() {
            Ok(m) => {
                if !feed.push(Item::Named(e.into_path(), m, rel)) {
                    return;
                }
            }
            Err(err) => feed.skip(rel, "unreadable", err.to_string()),
        }
    }
}

/// Every family named by a note or an encrypted-file extension, weighed against each other
/// (`family::weigh`), strongest evidence first.
fn families(events: &[Event]) -> Vec<crate::ransomware::family::Attribution> {
    let mut all: Vec<crate::ransomware::family::Attribution> = Vec::new();
    for e in events {
        let found = match e {
            Event::Hit(h) => h.attribution.clone(),
            Event::Encrypted(x) => {
                let by_marker =
                    x.assessment.marker.as_deref().and_then(|m| crate::ransomware::family::marker_in(m.as_bytes()));
                let by_extension =
                    x.assessment.extension.as_deref().and_then(crate::ransomware::family::from_extension);
                by_extension.into_iter().chain(by_marker.map(|(_, a)| a)).collect()
            }
            Event::NoteName(n) => n.attribution.clone(),
            _ => Vec::new(),
        };
        all.extend(found);
    }
    crate::ransomware::family::weigh(all)
}

/// Reads each archived file back, checks it against its manifest hash, and feeds it.
fn feed_archives(dir: &Path, rows: &[Row], cap: u64, feed: &Feed) {
    let mut by_zip: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for r in rows {
        by_zip.entry(r.zip.as_deref().unwrap_or_default()).or_default().push(r);
    }
    for (zip, rows) in by_zip {
        let archive = File::open(dir.join(zip))
            .map_err(|e| e.to_string())
            .and_then(|f| zip::ZipArchive::new(f).map_err(|e| e.to_string()));
        let mut archive = match archive {
            Ok(a) => a,
            Err(why) => {
                rows.iter().for_each(|r| feed.skip(r.path.clone(), "unreadable", format!("{zip}: {why}")));
                continue;
            }
        };
        for r in rows {
            match entry_bytes(&mut archive, r, cap) {
                Ok(data) => {
                    if !feed.push(Item::Bytes(r.path.clone(), data)) {
                        return;
                    }
                }
                Err((reason, why)) => feed.skip(r.path.clone(), reason, why),
            }
        }
    }
}

/// findings.jsonl records (sorted by path, so the file is the same for the same evidence), and
/// the ransom notes with their contact points.
fn findings(origins: &Origins, events: &[Event]) -> (Vec<Finding>, Vec<Value>) {
    let mut records = Vec::new();
    let mut notes = Vec::new();
    // A note read once for its contact points, however many rules matched it.
    let mut read: BTreeMap<String, iocs::Iocs> = BTreeMap::new();
    let mut contacts_in = |path: &str| -> iocs::Iocs {
        if let Some(found) = read.get(path) {
            return found.clone();
        }
        let found = origins.bytes(path).map(|b| iocs::extract(&b)).unwrap_or_default();
        read.insert(path.to_string(), found.clone());
        found
    };
    for e in events {
        match e {
            Event::Hit(h) => {
                let category = h.meta.get("category").and_then(|v| v.as_str()).unwrap_or("");
                let mut contacts = None;
                if matches!(category, "ransom_note" | "ioc") {
                    let found = contacts_in(&h.path);
                    contacts = Some(json!(found));
                    if category == "ransom_note" {
                        notes.push(
                            json!({ "path": h.path, "rule": h.rule, "iocs": found, "attribution": h.attribution }),
                        );
                    }
                }
                records.push(Finding::new(Kind::Yara {
                    path: h.path.clone(),
                    sha256: Some(h.sha256.clone()),
                    rule: h.rule.clone(),
                    rule_file: h.rule_file.clone(),
                    tags: h.tags.clone(),
                    meta: h.meta.clone(),
                    iocs: contacts,
                }));
            }
            Event::Container(c) => records.push(Finding::new(Kind::EncryptedContainer {
                path: c.path.clone(),
                sha256: Some(c.sha256.clone()),
                size: c.size,
                format: c.format.to_string(),
            })),
            Event::Encrypted(x) => records.push(Finding::new(Kind::EncryptedFile {
                path: x.path.clone(),
                sha256: Some(x.sha256.clone()),
                size: x.size,
                assessment: json!(x.assessment),
                modified: origins.times(&x.path).and_then(|t| t.modified),
            })),
            Event::Executable(x) => {
                let exe = findings::Executable {
                    path: x.path.clone(),
                    sha256: Some(x.sha256.clone()),
                    location: unusual_location(&x.path).map(str::to_string),
                    facts: json!(x.facts),
                    malformed: x.malformed.clone(),
                };
                let kind = if x.malformed.is_some() { Kind::MalformedExecutable(exe) } else { Kind::Executable(exe) };
                records.push(Finding::new(kind));
            }
            Event::NoteName(n) => {
                let found = if n.content_match {
                    None
                } else {
                    let found = contacts_in(&n.path);
                    notes.push(json!({ "path": n.path, "rule": null, "pattern": n.pattern, "iocs": found, "attribution": n.attribution }));
                    Some(found)
                };
                records.push(Finding::new(Kind::RansomNoteName {
                    path: n.path.clone(),
                    sha256: Some(n.sha256.clone()),
                    pattern: n.pattern.clone(),
                    content_match: n.content_match,
                    attribution: json!(n.attribution),
                    iocs: found.map(|f| json!(f)),
                    folders: n.folders,
                }));
            }
            Event::Skip(s) => records.push(Finding::new(Kind::ScanSkip {
                path: s.path.clone(),
                reason: s.reason.into(),
                detail: s.detail.clone(),
            })),
        }
    }
    for r in &mut records {
        r.origin = Some(r.path().map(|p| origins.origin(p)).unwrap_or("evidence").to_string());
    }
    records.sort_by(|a, b| (a.path(), a.kind_name(), a.rule()).cmp(&(b.path(), b.kind_name(), b.rule())));
    // By path; a note found by its content before one found by its name alone.
    notes.sort_by(|a, b| {
        (a["path"].as_str(), a["rule"].is_null(), a["rule"].as_str()).cmp(&(
            b["path"].as_str(),
            b["rule"].is_null(),
            b["rule"].as_str(),
        ))
    });
    notes.dedup_by(|a, b| a["path"] == b["path"]);
    (records, notes)
}

/// First and last modification of the files that look encrypted, with counts per top-level
/// directory.
fn encryption_window(origins: &Origins, events: &[Event]) -> Option<Value> {
    let mut times: Vec<String> = Vec::new();
    let mut dirs: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for e in events {
        let Event::Encrypted(x) = e else { continue };
        if let Some(t) = origins.times(&x.path).and_then(|t| t.modified) {
            times.push(t);
        }
        let top = x.path.split('/').next().unwrap_or("").to_string();
        let d = dirs.entry(top).or_default();
        d.0 += 1;
        d.1 += x.size;
    }
    if dirs.is_empty() {
        return None;
    }
    times.sort_unstable();
    let by_dir: BTreeMap<String, Value> =
        dirs.into_iter().map(|(k, (n, b))| (k, json!({ "files": n, "bytes": b }))).collect();
    Some(json!({ "files": by_dir.values().map(|v| v["files"].as_u64().unwrap_or(0)).sum::<u64>(),
                 "first_modified": times.first(), "last_modified": times.last(), "by_top_directory": by_dir }))
}

fn reread(dir: &Path, r: &Row) -> Option<Vec<u8>> {
    row_bytes(dir, r, u64::MAX).ok()
}

/// Where an executable should not be: user-writable or unusual places (evidence paths are relative
/// to the volume root, `/`-separated).
pub fn unusual_location(path: &str) -> Option<&'static str> {
    let p = path.to_lowercase();
    let parts: Vec<&str> = p.split('/').collect();
    let under = |prefix: &[&str]| {
        parts.len() > prefix.len() && prefix.iter().zip(&parts).all(|(want, got)| *want == "*" || want == got)
    };
    Some(if under(&["users", "*", "appdata"]) {
        "user_appdata"
    } else if under(&["users", "public"]) {
        "users_public"
    } else if ["downloads", "desktop", "documents", "music", "pictures", "videos"]
        .iter()
        .any(|d| under(&["users", "*", d]))
    {
        "user_files"
    } else if under(&["windows", "temp"]) || under(&["tmp"]) || under(&["var", "tmp"]) || under(&["dev", "shm"]) {
        "temp"
    } else if under(&["$recycle.bin"]) || under(&["perflogs"]) || under(&["intel"]) {
        "unusual"
    } else if parts.len() == 2 && parts[0] == "programdata" {
        "programdata_root"
    } else if parts.len() == 1 {
        "volume_root"
    } else if under(&["home", "*"]) || under(&["root"]) {
        "home"
    } else {
        return None;
    })
}

/// The earliest suspicious executable: in an unusual place, matched by a tool rule, or malformed,
/// dated by its birth time (else its modification time) from the manifest.
fn first_suspicious_executable(origins: &Origins, events: &[Event]) -> Option<Value> {
    let mut tool_rules: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in events {
        if let Event::Hit(h) = e
            && h.meta.get("category").and_then(|v| v.as_str()).is_some_and(|c| TOOL_CATEGORIES.contains(&c))
        {
            tool_rules.entry(h.path.as_str()).or_default().push(h.rule.as_str());
        }
    }
    let mut candidates: Vec<(String, &'static str, Value)> = Vec::new();
    for e in events {
        let Event::Executable(x) = e else { continue };
        let mut why = Vec::new();
        if let Some(place) = unusual_location(&x.path) {
            why.push(json!({ "location": place }));
        }
        if let Some(rules) = tool_rules.get(x.path.as_str()) {
            why.push(json!({ "rules": rules }));
        }
        if let Some(m) = &x.malformed {
            why.push(json!({ "malformed": m }));
        }
        let Some(times) = origins.times(&x.path) else { continue };
        let time = match (&times.born, &times.modified) {
            (Some(t), _) => Some((t.clone(), "born")),
            (None, Some(t)) => Some((t.clone(), "modified")),
            _ => None,
        };
        if let (false, Some((t, source))) = (why.is_empty(), time) {
            let detail = json!({ "path": x.path, "sha256": x.sha256, "time": t, "time_source": source, "why": why,
                                 "origin": origins.origin(&x.path) });
            candidates.push((t, source, detail));
        }
    }
    let count = candidates.len();
    let (_, _, mut first) =
        candidates.into_iter().min_by(|a, b| (&a.0, &a.2["path"].as_str()).cmp(&(&b.0, &b.2["path"].as_str())))?;
    first["suspicious_executables"] = json!(count);
    Some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unusual_locations() {
        assert_eq!(unusual_location("Users/a/AppData/Local/Temp/x.exe"), Some("user_appdata"));
        assert_eq!(unusual_location("Users/Public/x.exe"), Some("users_public"));
        assert_eq!(unusual_location("ProgramData/x.exe"), Some("programdata_root"));
        assert_eq!(unusual_location("ProgramData/Vendor/x.exe"), None);
        assert_eq!(unusual_location("Windows/System32/cmd.exe"), None);
        assert_eq!(unusual_location("tmp/.x/payload"), Some("temp"));
    }
}
