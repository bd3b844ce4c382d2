//! `shodo analyze`: the Windows artefacts of an endpoint's collected evidence — event logs first —
//! read back from the evidence archives (each checked against its manifest hash), turned into
//! detections in `findings.jsonl` and a timeline (`timeline.jsonl`, and `timeline.csv` for
//! Timesketch), with the run in the custody log.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::case::layout::{CHECKLIST, ENDPOINTS_DIR, FINDINGS, MANIFEST, TIMELINE, TIMELINE_CSV};
use crate::case::{self, CaseWriter, FileRef, NewEntry};
use crate::collect::{self, Row, Status, entry_bytes, row_bytes};
use crate::detect::checklist;
use crate::detect::strings as txt;
use crate::detect::windows::events::{Detection, Detector};
use crate::detect::windows::registry::{ConnectionPoint, RegFinding, RegistryView};
use crate::error::{Error, Result};
use crate::findings::{self, Detected, Finding, Judged, Keyed, Kind, Severity};
use crate::formats::evtx::{self, LogReport};
use crate::formats::prefetch::{self, Prefetch};
use crate::formats::registry::Hive;
use crate::lang::Lang;
use crate::lang::Text;
use crate::progress::Progress;

/// What `analyze` found for one endpoint.
#[derive(Clone, Debug, Serialize)]
pub struct EndpointAnalysis {
    /// Endpoint id.
    pub endpoint: String,
    /// Event logs read, with their counts and problems.
    pub logs: Vec<Finding>,
    /// Detections by severity.
    pub by_severity: BTreeMap<&'static str, u64>,
    /// Detections of severity critical or high.
    pub important: Vec<Detection>,
    /// Records written to findings.jsonl by this analysis.
    pub findings: usize,
    /// Entries in the timeline.
    pub timeline: usize,
    /// Hives read, and the problems met.
    pub hives: Vec<Finding>,
    /// Registry findings of severity critical or high.
    pub registry_important: Vec<RegFinding>,
    /// Program runs of severity critical or high (Prefetch): program, run count, last run.
    pub runs_important: Vec<Value>,
    /// External connection points: RDP, remote-access, RMM and VPN software, inbound logons
    /// from outside — each with its evidence.
    pub connection_points: Vec<ConnectionPoint>,
    /// The MHLW checklist (version) answered from this endpoint.
    pub checklist: (String, Vec<checklist::Answer>),
}

/// Analyzes the collected artefacts of `endpoint`.
pub fn analyze_endpoint(writer: &CaseWriter, endpoint: &str, progress: &dyn Progress) -> Result<EndpointAnalysis> {
    let dir = writer.case().dir().join(ENDPOINTS_DIR).join(endpoint);
    let rows = collect::read_manifest(&dir.join(MANIFEST))?;
    if rows.is_empty() {
        return Err(Error::NotACase { path: dir, reason: "no collected evidence for this endpoint".into() });
    }
    let latest = collect::latest_rows(&rows);
    let logs: Vec<&Row> = latest
        .values()
        .copied()
        .filter(|r| r.status == Status::Collected && r.zip.is_some() && r.path.to_lowercase().ends_with(".evtx"))
        .collect();
    writer.record(NewEntry::new("analyze.start", endpoint, json!({ "event_logs": logs.len() })))?;
    let (log_records, mut detections) = read_logs(writer, &dir, endpoint, &logs, progress)?;
    keep_earliest(&mut detections, "first_external_logon");
    let (mut view, hives) = registry(&dir, &latest);
    inbound_logons(&mut view, &detections);
    let runs = prefetch_rows(&dir, &latest);
    let mut records: Vec<Finding> = log_records.clone();
    records.extend(hives.iter().cloned());
    records.extend(runs.iter().flat_map(PrefetchFile::records));
    records.extend(registry_records(&view));
    records.extend(detections.iter().map(|(log, d)| detection_record(log, d)));
    let all: Vec<Detection> = detections.iter().map(|(_, d)| d.clone()).collect();
    let (version, answers) = answer_checklist(&dir, &all, logs.len(), &view)?;
    records.extend(answers.iter().map(|a| {
        Finding::new(Kind::Checklist {
            path: CHECKLIST.into(),
            rule: a.id.clone(),
            checklist: version.clone(),
            status: json!(a.status),
            answer: json!(a),
        })
    }));
    let findings = records.len();
    findings::write(&dir, "analyze", records)?;
    let timeline = timeline(&dir, &latest, &detections, &view, &runs)?;
    let mut by_severity: BTreeMap<&'static str, u64> = BTreeMap::new();
    detections.iter().for_each(|(_, d)| *by_severity.entry(d.severity.as_str()).or_default() += 1);
    let files = [FINDINGS, TIMELINE, TIMELINE_CSV, CHECKLIST]
        .iter()
        .map(|f| FileRef::of(writer.case().dir(), &format!("{ENDPOINTS_DIR}/{endpoint}/{f}")))
        .collect::<Result<Vec<_>>>()?;
    let detail = json!({ "event_logs": logs.len(), "detections": detections.len(), "by_severity": by_severity,
                         "timeline": timeline, "hives": hives.len(), "registry_findings": view.findings.len(),
                         "prefetch": runs.len(),
                         "connection_points": view.connection_points.iter().map(|c| json!({ "kind": c.kind, "name": c.name })).collect::<Vec<_>>() });
    writer.record(NewEntry::new("analyze.finish", endpoint, detail).with_files(files))?;
    Ok(EndpointAnalysis {
        endpoint: endpoint.into(),
        logs: log_records,
        by_severity,
        important: detections
            .iter()
            .filter(|(_, d)| d.severity.is_serious())
            .map(|(_, d)| d.clone())
            .collect(),
        findings,
        timeline,
        hives,
        registry_important: view
            .findings
            .iter()
            .filter(|f| f.severity.is_serious())
            .cloned()
            .collect(),
        runs_important: runs
            .iter()
            .filter_map(PrefetchFile::concern)
            .filter(|(sev, _, _)| sev.is_serious())
            .map(|(severity, title, fields)| {
                json!({ "severity": severity, "title_ja": title.ja, "title_en": title.en, "fields": fields })
            })
            .collect(),
        connection_points: view.connection_points,
        checklist: (version, answers),
    })
}

/// A detection with the evidence path of the log it came from.
type Located = (String, Detection);

/// Reads every collected event log of the endpoint, checking each against its recorded hash:
/// one record per log, and the detections of the logs that match it.
fn read_logs(
    writer: &CaseWriter,
    dir: &Path,
    endpoint: &str,
    logs: &[&Row],
    progress: &dyn Progress,
) -> Result<(Vec<Finding>, Vec<Located>)> {
    progress.start("analyze", Some(logs.len() as u64), Some(logs.iter().map(|r| r.size).sum()));
    let mut detections: Vec<(String, Detection)> = Vec::new();
    let mut log_records = Vec::new();
    for row in logs {
        if progress.cancelled() {
            writer.record(NewEntry::new(
                "analyze.cancelled",
                endpoint,
                json!({ "event_logs_read": log_records.len() }),
            ))?;
            return Err(Error::Cancelled { what: "analyze" });
        }
        let (report, found, verified) = read_log(dir, row);
        progress.advance(1, row.size);
        if !verified.is_empty() {
            progress.note(&format!("{}: {verified}", row.path));
        }
        let kept = if verified.is_empty() { found } else { Vec::new() };
        log_records.push(Finding::new(Kind::EventLog {
            path: row.path.clone(),
            sha256: row.sha256.clone(),
            records: report.records,
            chunks: report.chunks,
            first: report.first.clone(),
            last: report.last.clone(),
            problems: report.problems,
            problem_details: json!(report.problem_details),
            counts: json!(report.counts),
            evidence_mismatch: (!verified.is_empty()).then_some(verified),
            detections: kept.len() as u64,
        }));
        detections.extend(kept.into_iter().map(|d| (row.path.clone(), d)));
    }
    progress.finish();
    Ok((log_records, detections))
}

/// The records of what the registry says: findings, connection points, and the facts of the
/// endpoint (software, programs, accounts, updates, USB storage), each with its hive and name.
fn registry_records(view: &RegistryView) -> Vec<Finding> {
    let mut records: Vec<Finding> = view
        .findings
        .iter()
        .map(|f| {
            Finding::new(Kind::Registry(Keyed {
                path: f.hive.clone(),
                rule: f.rule.clone(),
                severity: f.severity,
                title_ja: f.title_ja.clone(),
                title_en: f.title_en.clone(),
                key: f.key.clone(),
                time: f.last_written.clone(),
                fields: Value::Object(f.fields.clone()),
            }))
        })
        .collect();
    records.extend(view.connection_points.iter().map(|c| {
        Finding::new(Kind::ConnectionPoint {
            path: c.evidence.first().cloned(),
            rule: c.kind.clone(),
            name: c.name.clone(),
            evidence: c.evidence.clone(),
            detail: c.detail.clone(),
        })
    }));
    fn facts(items: &[Value], name: &str, kind: fn(Option<String>, Option<String>, Value) -> Kind) -> Vec<Finding> {
        items
            .iter()
            .map(|v| {
                let (path, rule) = two_texts(v, "hive", name);
                Finding::new(kind(path, rule, v.clone()))
            })
            .collect()
    }
    records.extend(facts(&view.software, "name", |path, rule, software| Kind::InstalledSoftware {
        path,
        rule,
        software,
    }));
    records.extend(facts(&view.programs, "path", |path, rule, program| Kind::ProgramExecution { path, rule, program }));
    records.extend(facts(&view.accounts, "name", |path, rule, account| Kind::LocalAccount { path, rule, account }));
    records.extend(facts(&view.updates, "id", |path, rule, update| Kind::InstalledUpdate { path, rule, update }));
    records.extend(facts(&view.usb_storage, "serial", |path, rule, device| Kind::UsbStorage { path, rule, device }));
    records
}

/// The record of one event log detection.
fn detection_record(log: &str, d: &Detection) -> Finding {
    Finding::new(Kind::EventDetection(Detected {
        path: log.to_string(),
        rule: d.rule.clone(),
        severity: d.severity,
        title_ja: d.title_ja.clone(),
        title_en: d.title_en.clone(),
        time: d.time.clone(),
        last_time: d.last_time.clone(),
        count: d.count,
        channel: d.channel.clone(),
        event_id: d.event_id,
        record_id: d.record_id,
        computer: d.computer.clone(),
        fields: d.fields.clone(),
    }))
}

/// The MHLW checklist answered from what this endpoint shows, written to `checklist.json`.
fn answer_checklist(
    dir: &Path,
    detections: &[Detection],
    logs: usize,
    view: &RegistryView,
) -> Result<(String, Vec<checklist::Answer>)> {
    let endpoint_json =
        std::fs::read(dir.join("endpoint.json")).ok().and_then(|b| serde_json::from_slice::<Value>(&b).ok());
    let field = |name: &str| endpoint_json.as_ref().and_then(|e| e[name].as_str().map(str::to_string));
    let observations = checklist::Observations {
        detections,
        logs,
        registry: view,
        os_release: field("os_release"),
        as_of: field("last_shutdown").or_else(|| field("collected_at")),
    };
    let (version, answers) = checklist::answer(&observations)?;
    case::write_atomic(
        &dir.join(CHECKLIST),
        format!("{}\n", json!({ "checklist": version, "items": answers })).as_bytes(),
    )?;
    Ok((version, answers))
}

/// Largest hive read.
const HIVE_LIMIT: u64 = 1 << 30;

/// Reads SYSTEM, SOFTWARE and every user's NTUSER.DAT from the evidence (with their transaction
/// logs), each checked against its manifest hash; a hive that cannot be read is recorded.
fn registry(dir: &Path, rows: &BTreeMap<&str, &Row>) -> (RegistryView, Vec<Finding>) {
    let mut view = RegistryView::default();
    let mut records = Vec::new();
    let collected = |p: &str| {
        rows.iter().find(|(k, r)| k.eq_ignore_ascii_case(p) && r.status == Status::Collected).map(|(_, r)| *r)
    };
    let mut hives: Vec<(&Row, &str, String)> = Vec::new();
    for (name, kind) in [
        ("Windows/System32/config/SYSTEM", "system"),
        ("Windows/System32/config/SOFTWARE", "software"),
        ("Windows/System32/config/SAM", "sam"),
        ("Windows/AppCompat/Programs/Amcache.hve", "amcache"),
    ] {
        if let Some(r) = collected(name) {
            hives.push((r, kind, String::new()));
        }
    }
    for (path, r) in rows {
        let parts: Vec<&str> = path.split('/').collect();
        if parts.len() == 3
            && parts[0].eq_ignore_ascii_case("Users")
            && parts[2].eq_ignore_ascii_case("NTUSER.DAT")
            && r.status == Status::Collected
        {
            hives.push((r, "user", parts[1].to_string()));
        }
    }
    for (row, kind, user) in hives {
        let logs: Vec<Vec<u8>> = ["LOG1", "LOG2"]
            .iter()
            .filter_map(|ext| collected(&format!("{}.{ext}", row.path)))
            .filter_map(|r| row_bytes(dir, r, HIVE_LIMIT).ok())
            .collect();
        let outcome = row_bytes(dir, row, HIVE_LIMIT).map_err(|(_, why)| why).and_then(|bytes| {
            // A parser bug on a hostile hive must cost this hive, not the analysis.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut hive = Hive::parse(bytes, logs).map_err(|e| e.to_string())?;
                match kind {
                    "system" => view.system(&mut hive, &row.path),
                    "software" => view.software(&mut hive, &row.path),
                    "sam" => view.sam(&mut hive, &row.path),
                    "amcache" => view.amcache(&mut hive, &row.path),
                    _ => view.user(&mut hive, &row.path, &user),
                }
                Ok((hive.logs, hive.dirty, hive.stale()))
            }))
            .unwrap_or_else(|_| Err("the registry reader failed on this hive".into()))
        });
        let ((logs, dirty, stale), problem) = match outcome {
            Ok(state) => (state, None),
            Err(why) => ((0, false, false), Some(why)),
        };
        let note = stale.then_some("dirty hive without its transaction logs: the view may be stale");
        records.push(Finding::new(Kind::Hive {
            path: row.path.clone(),
            sha256: row.sha256.clone(),
            hive: kind.to_string(),
            user: (!user.is_empty()).then(|| user.clone()),
            transaction_logs: logs as u64,
            dirty,
            stale,
            note: note.map(str::to_string),
            problem,
        }));
    }
    (view, records)
}

/// Logons and RDP connections from non-private addresses are connection points too.
fn inbound_logons(view: &mut RegistryView, detections: &[(String, Detection)]) {
    for (log, d) in detections {
        let Some(addr) = d.fields.get("address").and_then(Value::as_str) else { continue };
        if !d.rule.starts_with("rdp_") && d.rule != "remote_logon" || !crate::detect::windows::events::is_public(addr) {
            continue;
        }
        let mut detail = serde_json::Map::new();
        detail.insert("address".into(), json!(addr));
        detail.insert("first".into(), json!(d.time));
        detail.insert("last".into(), json!(d.last_time.as_ref().unwrap_or(&d.time)));
        detail.insert("events".into(), json!(d.count));
        if let Some(a) = d.fields.get("account") {
            detail.insert("account".into(), a.clone());
        }
        let evidence = format!("{log} ({})", d.rule);
        match view.connection_points.iter_mut().find(|c| c.kind == "inbound_logon" && c.name == addr) {
            Some(c) => {
                c.evidence.push(evidence);
                let n = c.detail.get("events").and_then(Value::as_u64).unwrap_or(0) + d.count;
                c.detail.insert("events".into(), json!(n));
            }
            None => view.connection_points.push(ConnectionPoint {
                kind: "inbound_logon".into(),
                name: addr.into(),
                evidence: vec![evidence],
                detail,
            }),
        }
    }
}

/// One event log read outside a case (`shodo analyze PATH...`).
#[derive(Clone, Debug, Serialize)]
pub struct LogAnalysis {
    /// The file.
    pub path: String,
    /// Counts and problems.
    pub report: LogReport,
    /// Its detections.
    pub detections: Vec<Detection>,
}

/// Reads every `.evtx` file under `paths` (files or directories), read-only.
pub fn analyze_files(paths: &[std::path::PathBuf], progress: &dyn Progress) -> Vec<LogAnalysis> {
    let mut files = Vec::new();
    for root in paths {
        for e in walkdir::WalkDir::new(root).follow_links(false).sort_by_file_name().into_iter().flatten() {
            if e.file_type().is_file() && e.path().extension().is_some_and(|x| x.eq_ignore_ascii_case("evtx")) {
                files.push(e.into_path());
            }
        }
    }
    progress.start("analyze", Some(files.len() as u64), None);
    let mut out: Vec<(String, Detection)> = Vec::new();
    let mut reports = Vec::new();
    for path in files {
        let name = path.display().to_string();
        let mut detector = Detector::new();
        let report = match collect::open_evidence(&path) {
            Ok(f) => evtx::read_log(&mut io::BufReader::new(f), crate::detect::windows::events::SELECTION, &mut |r| {
                detector.feed(r)
            }),
            Err((_, why)) => {
                LogReport { problems: 1, problem_details: vec![format!("unreadable: {why}")], ..Default::default() }
            }
        };
        progress.advance(1, 0);
        out.extend(detector.finish().into_iter().map(|d| (name.clone(), d)));
        reports.push((name, report));
    }
    progress.finish();
    keep_earliest(&mut out, "first_external_logon");
    reports
        .into_iter()
        .map(|(path, report)| {
            let detections = out.iter().filter(|(p, _)| *p == path).map(|(_, d)| d.clone()).collect();
            LogAnalysis { path, report, detections }
        })
        .collect()
}

/// One prefetch file read, from a case or outside one.
#[derive(Clone, Debug, Serialize)]
pub struct PrefetchFile {
    /// Its evidence path (or file path outside a case).
    pub path: String,
    /// Its SHA-256 (from the manifest).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// What it says.
    pub prefetch: Option<Prefetch>,
    /// Why it could not be read.
    pub problem: Option<String>,
}

impl PrefetchFile {
    fn of(path: String, sha256: Option<String>, bytes: std::result::Result<Vec<u8>, String>) -> PrefetchFile {
        // A parser bug on a hostile file must cost this file, not the analysis.
        let parsed = bytes.and_then(|b| {
            std::panic::catch_unwind(|| prefetch::parse(&b).map_err(|e| e.to_string()))
                .unwrap_or_else(|_| Err("the prefetch reader failed on this file".into()))
        });
        match parsed {
            Ok(p) => PrefetchFile { path, sha256, prefetch: Some(p), problem: None },
            Err(why) => PrefetchFile { path, sha256, prefetch: None, problem: Some(why) },
        }
    }

    /// Its records: the file as read, and the program run when it is worth a look.
    fn records(&self) -> Vec<Finding> {
        let mut out = vec![Finding::new(Kind::Prefetch {
            path: self.path.clone(),
            sha256: self.sha256.clone(),
            rule: self.prefetch.as_ref().map(|p| p.executable.clone()),
            prefetch: json!(self.prefetch),
            problem: self.problem.clone(),
        })];
        if let Some((severity, title, fields)) = self.concern() {
            out.push(Finding::new(Kind::Execution(Judged {
                path: self.path.clone(),
                rule: "prefetch_program".into(),
                severity,
                title_ja: title.ja.into(),
                title_en: title.en.into(),
                time: self.prefetch.as_ref().and_then(|p| p.last_runs.first().cloned()),
                fields,
            })));
        }
        out
    }

    /// A run worth a look (a tool's name, a user-writable place): severity, titles and facts.
    pub fn concern(&self) -> Option<(Severity, Text, Value)> {
        let p = self.prefetch.as_ref()?;
        let program = p.path.as_deref().unwrap_or(&p.executable);
        let severity = crate::detect::windows::registry::run_concern(program)?;
        let title =
            if severity == Severity::High { txt::TOOL_RAN_PREFETCH } else { txt::USER_WRITABLE_PROGRAM_RAN_PREFETCH };
        let fields = json!({ "program": program, "run_count": p.run_count, "last_run": p.last_runs.first() });
        Some((severity, title, fields))
    }
}

/// Largest prefetch file read.
const PREFETCH_LIMIT: u64 = 16 << 20;

/// Every collected prefetch file (`Windows/Prefetch/*.pf`), read back from its archive (each
/// archive opened once) and checked against its manifest hash.
fn prefetch_rows(dir: &Path, rows: &BTreeMap<&str, &Row>) -> Vec<PrefetchFile> {
    let mut by_zip: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for (path, row) in rows {
        let lower = path.to_lowercase();
        if lower.starts_with("windows/prefetch/") && lower.ends_with(".pf") && row.status == Status::Collected {
            by_zip.entry(row.zip.as_deref().unwrap_or_default()).or_default().push(row);
        }
    }
    let mut out = Vec::new();
    for (zip, rows) in by_zip {
        let mut archive = File::open(dir.join(zip))
            .map_err(|e| format!("{zip}: {e}"))
            .and_then(|f| zip::ZipArchive::new(f).map_err(|e| format!("{zip}: {e}")));
        for row in rows {
            let bytes = match &mut archive {
                Ok(a) => entry_bytes(a, row, PREFETCH_LIMIT).map_err(|(_, why)| why),
                Err(why) => Err(why.clone()),
            };
            out.push(PrefetchFile::of(row.path.clone(), row.sha256.clone(), bytes));
        }
    }
    out
}

/// Reads every prefetch file (`*.pf`) under `paths`, read-only.
pub fn analyze_prefetch_files(paths: &[std::path::PathBuf]) -> Vec<PrefetchFile> {
    let mut out = Vec::new();
    for root in paths {
        for e in walkdir::WalkDir::new(root).follow_links(false).sort_by_file_name().into_iter().flatten() {
            if e.file_type().is_file() && e.path().extension().is_some_and(|x| x.eq_ignore_ascii_case("pf")) {
                let bytes = match read_small(e.path(), PREFETCH_LIMIT) {
                    Some(b) => Ok(b),
                    None => Err("unreadable or larger than 16 MiB".to_string()),
                };
                out.push(PrefetchFile::of(e.path().display().to_string(), None, bytes));
            }
        }
    }
    out
}

/// One registry hive read outside a case.
#[derive(Clone, Debug, Serialize)]
pub struct HiveAnalysis {
    /// The file.
    pub path: String,
    /// Transaction logs applied (`.LOG1`, `.LOG2` beside it).
    pub transaction_logs: usize,
    /// Dirty and no transaction logs beside it: the view may be stale.
    pub stale: bool,
    /// Why it could not be read.
    pub problem: Option<String>,
    /// What it says.
    pub view: RegistryView,
}

/// Reads every registry hive under `paths` (files starting with `regf`, not the `.LOG*`
/// transaction logs, which are applied to their hive), read-only.
pub fn analyze_hive_files(paths: &[std::path::PathBuf]) -> Vec<HiveAnalysis> {
    let mut out = Vec::new();
    for root in paths {
        for e in walkdir::WalkDir::new(root).follow_links(false).sort_by_file_name().into_iter().flatten() {
            let name = e.file_name().to_string_lossy().to_lowercase();
            if !e.file_type().is_file() || name.contains(".log") {
                continue;
            }
            // Only a file that starts like a hive is read whole.
            if read_small(e.path(), 4).is_none_or(|head| head != b"regf") {
                continue;
            }
            let Some(bytes) = read_small(e.path(), HIVE_LIMIT) else { continue };
            // Its transaction logs: NAME.LOG1 and NAME.LOG2 beside it, in any case.
            let wanted = [format!("{name}.log1"), format!("{name}.log2")];
            let mut siblings: Vec<std::path::PathBuf> = e
                .path()
                .parent()
                .and_then(|d| std::fs::read_dir(d).ok())
                .into_iter()
                .flatten()
                .flatten()
                .filter(|s| wanted.contains(&s.file_name().to_string_lossy().to_lowercase()))
                .map(|s| s.path())
                .collect();
            siblings.sort();
            let logs: Vec<Vec<u8>> = siblings.iter().filter_map(|p| read_small(p, HIVE_LIMIT)).collect();
            let mut view = RegistryView::default();
            let label = e.path().display().to_string();
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut hive = Hive::parse(bytes, logs).map_err(|e| e.to_string())?;
                view.system(&mut hive, &label);
                view.software(&mut hive, &label);
                view.user(&mut hive, &label, "");
                view.sam(&mut hive, &label);
                view.amcache(&mut hive, &label);
                Ok::<(usize, bool), String>((hive.logs, hive.stale()))
            }))
            .unwrap_or_else(|_| Err("the registry reader failed on this hive".into()));
            let ((transaction_logs, stale), problem) = match result {
                Ok(state) => (state, None),
                Err(why) => ((0, false), Some(why)),
            };
            out.push(HiveAnalysis { path: label, transaction_logs, stale, problem, view });
        }
    }
    out
}

fn read_small(path: &Path, cap: u64) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    collect::open_evidence(path).ok()?.take(cap).read_to_end(&mut data).ok()?;
    Some(data)
}

/// One detection of `rule` over all logs: the earliest.
fn keep_earliest(detections: &mut Vec<(String, Detection)>, rule: &str) {
    let earliest = detections.iter().filter(|(_, d)| d.rule == rule).map(|(_, d)| d.time.clone()).min();
    let mut kept = false;
    detections.retain(|(_, d)| {
        if d.rule != rule {
            return true;
        }
        let keep = !kept && Some(&d.time) == earliest.as_ref();
        kept |= keep;
        keep
    });
}

/// Reads one archived log, streaming (one chunk in memory), hashing as it goes; the third value
/// says why its bytes are not the evidence (empty when they are).
fn read_log(dir: &Path, row: &Row) -> (LogReport, Vec<Detection>, String) {
    let mut detector = Detector::new();
    let archive = File::open(dir.join(row.zip.as_deref().unwrap_or_default()))
        .map_err(|e| e.to_string())
        .and_then(|f| zip::ZipArchive::new(f).map_err(|e| e.to_string()));
    let mut archive = match archive {
        Ok(a) => a,
        Err(why) => return (LogReport::default(), Vec::new(), why),
    };
    let entry = match archive.by_name(row.entry.as_deref().unwrap_or_default()) {
        Ok(e) => e,
        Err(e) => return (LogReport::default(), Vec::new(), e.to_string()),
    };
    let mut hashing = Hashing { inner: entry, hash: Sha256::new() };
    let report = evtx::read_log(&mut hashing, crate::detect::windows::events::SELECTION, &mut |r| detector.feed(r));
    // Whatever the parser left unread still counts for the hash.
    let rest = io::copy(&mut hashing, &mut io::sink());
    let sha = format!("{:x}", hashing.hash.finalize());
    let verified = match rest {
        Err(e) => e.to_string(),
        Ok(_) if row.sha256.as_deref() != Some(sha.as_str()) => {
            "the archived bytes do not match the manifest hash".to_string()
        }
        Ok(_) => String::new(),
    };
    (report, detector.finish(), verified)
}

struct Hashing<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

/// `timeline.jsonl` and `timeline.csv`: the detections, and the file times of the files the scan
/// flagged (notes, encrypted files, tools, executables in unusual places).
fn timeline(
    dir: &Path,
    rows: &BTreeMap<&str, &Row>,
    detections: &[(String, Detection)],
    view: &RegistryView,
    runs: &[PrefetchFile],
) -> Result<usize> {
    let mut entries: Vec<Value> = Vec::new();
    for run in runs {
        let Some(p) = &run.prefetch else { continue };
        let program = p.path.as_deref().unwrap_or(&p.executable);
        for (i, t) in p.last_runs.iter().enumerate() {
            let desc = if i == 0 { "Prefetch Last Run" } else { "Prefetch Previous Run" };
            let (message_ja, message) = txt::PROGRAM_RAN
                .both(|_| vec![("program", program.to_string()), ("run_count", p.run_count.to_string())]);
            entries.push(json!({ "datetime": t, "timestamp_desc": desc, "message": message, "message_ja": message_ja,
                "source": "prefetch", "evidence": run.path }));
        }
    }
    for p in &view.programs {
        let (Some(t), Some(path)) = (p["key_last_written"].as_str(), p["path"].as_str()) else { continue };
        let sha1 = p["sha1"].as_str().unwrap_or("-");
        let (message_ja, message) =
            txt::PROGRAM_RECORDED_AMCACHE.both(|_| vec![("path", path.to_string()), ("sha1", sha1.to_string())]);
        entries.push(json!({ "datetime": t, "timestamp_desc": "Amcache Entry Written",
            "message": message, "message_ja": message_ja,
            "source": "amcache", "evidence": p["hive"] }));
    }
    for u in &view.updates {
        let (Some(t), Some(id)) = (u["install_time"].as_str(), u["id"].as_str()) else { continue };
        let state = u["state"].as_str().unwrap_or("-");
        let (message_ja, message) = txt::UPDATE.both(|_| vec![("id", id.to_string()), ("state", state.to_string())]);
        entries.push(json!({ "datetime": t, "timestamp_desc": "Update Installed",
            "message": message, "message_ja": message_ja,
            "source": "registry", "evidence": u["hive"] }));
    }
    for f in &view.findings {
        let Some(t) = &f.last_written else { continue };
        let facts: Vec<String> =
            f.fields.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default())).collect();
        entries.push(json!({ "datetime": t, "timestamp_desc": "Registry Key Last Written",
            "message": format!("[{}] {} {}: {}", f.severity, f.title_en, f.key, facts.join(" ")),
            "message_ja": format!("[{}] {} {}: {}", f.severity.label(Lang::Ja), f.title_ja, f.key, facts.join(" ")),
            "source": "registry", "rule": f.rule, "severity": f.severity, "evidence": f.hive }));
    }
    entries.extend(detections.iter().map(|(log, d)| detection_entry(log, d)));
    entries.extend(file_entries(dir, rows));
    entries.sort_by(|a, b| {
        (a["datetime"].as_str(), a["message"].as_str()).cmp(&(b["datetime"].as_str(), b["message"].as_str()))
    });
    entries.dedup();
    let jsonl: String = entries.iter().map(|e| format!("{e}\n")).collect();
    case::write_atomic(&dir.join(TIMELINE), jsonl.as_bytes())?;
    let mut csv = format!("{TIMESKETCH_HEADER}\n");
    for e in &entries {
        csv.push_str(&timesketch_row(e, &[]));
    }
    case::write_atomic(&dir.join(TIMELINE_CSV), csv.as_bytes())?;
    Ok(entries.len())
}

/// A detection's timeline entry: its title and main facts, in both languages.
fn detection_entry(log: &str, d: &Detection) -> Value {
    let mut facts = String::new();
    for key in ["account", "address", "service", "image_path", "task", "command_line", "source", "threat", "log"] {
        if let Some(v) = d.fields.get(key).and_then(Value::as_str) {
            facts.push_str(&format!(" {key}={v}"));
        }
    }
    let mut message = format!("[{}] {}{facts}", d.severity, d.title_en);
    let mut message_ja = format!("[{}] {}{facts}", d.severity.label(Lang::Ja), d.title_ja);
    if d.count > 1 {
        let (times_ja, times) = txt::TIMES.both(|_| vec![("count", d.count.to_string())]);
        message.push_str(&times);
        message_ja.push_str(&times_ja);
    }
    json!({ "datetime": d.time, "timestamp_desc": "Event Recorded", "message": message, "message_ja": message_ja,
        "source": "evtx", "rule": d.rule, "severity": d.severity, "title_ja": d.title_ja, "evidence": log,
        "channel": d.channel, "event_id": d.event_id, "record_id": d.record_id, "computer": d.computer })
}

/// The file times of the files the scan flagged (notes, encrypted files, tools, executables in
/// unusual places).
fn file_entries(dir: &Path, rows: &BTreeMap<&str, &Row>) -> Vec<Value> {
    let mut entries = Vec::new();
    for f in scan_findings(dir) {
        let Some(path) = f.path() else { continue };
        let Some(row) = rows.get(path) else { continue };
        let (what_ja, what) = match &f.kind {
            Kind::Yara { rule, .. } => {
                let rule = format!("{rule} ({})", f.meta("category"));
                (rule.clone(), rule)
            }
            Kind::EncryptedFile { .. } => txt::ENCRYPTED_FILE.both(|_| Vec::new()),
            Kind::EncryptedContainer { .. } => txt::ENCRYPTED_CONTAINER.both(|_| Vec::new()),
            Kind::RansomNoteName { .. } => txt::RANSOM_NOTE_BY_NAME.both(|_| Vec::new()),
            Kind::Executable(x) | Kind::MalformedExecutable(x) if x.location.is_some() => {
                let place = x.location.as_deref().unwrap_or("");
                txt::EXECUTABLE_IN.both(|_| vec![("place", place.to_string())])
            }
            _ => continue,
        };
        for (desc, t) in [("Creation Time", &row.times.born), ("Content Modification Time", &row.times.modified)] {
            if let Some(t) = t {
                entries.push(json!({ "datetime": t, "timestamp_desc": desc, "message": format!("{what}: {path}"),
                    "message_ja": format!("{what_ja}: {path}"),
                    "source": "file", "evidence": path, "sha256": f.sha256() }));
            }
        }
    }
    entries
}

fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// A CSV cell, quoted when needed; a leading `=`, `+`, `-` or `@` is defused so that a
/// spreadsheet never runs attacker-controlled text as a formula.
/// The columns Timesketch imports (datetime, timestamp, timestamp_desc, message are required).
pub const TIMESKETCH_HEADER: &str = "datetime,timestamp,timestamp_desc,message,source,evidence";

/// One timeline entry as a Timesketch CSV line, with `extra` cells after the standard ones.
pub fn timesketch_row(e: &Value, extra: &[&str]) -> String {
    let dt = e["datetime"].as_str().unwrap_or("");
    let micros = chrono::DateTime::parse_from_rfc3339(dt).map(|t| t.timestamp_micros()).unwrap_or(0);
    let mut cells = vec![
        dt.to_string(),
        micros.to_string(),
        text(&e["timestamp_desc"]),
        text(&e["message"]),
        text(&e["source"]),
        text(&e["evidence"]),
    ];
    cells.extend(extra.iter().map(|x| x.to_string()));
    format!("{}\n", cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","))
}

/// A CSV cell: quoted when it holds a comma, quote or line break; a leading `=+-@` is kept from
/// being read as a formula by a spreadsheet.
pub fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// The scan's records of findings.jsonl.
fn scan_findings(dir: &Path) -> Vec<Finding> {
    findings::read(dir).into_iter().filter(|f| f.by.as_deref().unwrap_or("scan") == "scan").collect()
}

/// Two text fields of a registry view's entry (its hive and its name), when they are text.
fn two_texts(entry: &Value, a: &str, b: &str) -> (Option<String>, Option<String>) {
    let get = |k: &str| entry[k].as_str().map(str::to_string);
    (get(a), get(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
    }
}
