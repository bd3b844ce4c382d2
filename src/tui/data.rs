//! What the screens show, read from the case by the runtime (never by `update` or `view`, which
//! only see this plain data). Reading never writes: the TUI opens the case read-only until the
//! operator asks for an action.

use crate::tui::strings as txt;
use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use shodo::case::layout;
use shodo::case::{self, Status};
use shodo::findings::{Detected, Finding, Judged, Keyed, Kind};
use shodo::isolate::{self, LedgerRow};
use shodo::lang::Text;
use shodo::playbook::{self, Checked, Playbook};
use shodo::report::model::{self, Incident};
use shodo::{Lang, Result};

/// One finding, flattened for the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingRow {
    /// Endpoint id.
    pub endpoint: String,
    /// critical | high | medium | low | info.
    pub severity: String,
    /// What produced it (yara, encrypted_file, detection …).
    pub kind: String,
    /// Rule or title, in both languages.
    pub title: (String, String),
    /// Evidence path.
    pub path: String,
    /// SHA-256 of the evidence file, when known.
    pub sha256: String,
    /// Time the evidence gives, when any.
    pub time: String,
    /// Why it matters, in both languages.
    pub why: (String, String),
}

impl FindingRow {
    /// Rank for sorting: critical first.
    pub fn rank(&self) -> u8 {
        match self.severity.as_str() {
            "critical" => 0,
            "high" => 1,
            "medium" => 2,
            "low" => 3,
            _ => 4,
        }
    }
}

/// One backup generation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerationRow {
    /// Its name.
    pub name: String,
    /// When it was taken.
    pub time: String,
    /// INTACT / CONSISTENT / UNENCRYPTED / DELTA-NORMAL (none: undetermined).
    pub flags: [Option<bool>; 4],
    /// All four passed.
    pub clean: bool,
}

/// One verified medium (its latest verification).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupRow {
    /// Medium name.
    pub medium: String,
    /// When it was read.
    pub read_at: String,
    /// Generations, oldest first.
    pub generations: Vec<GenerationRow>,
    /// The last clean generation.
    pub last_clean: Option<String>,
    /// The first one after it that is not.
    pub first_bad: Option<String>,
}

/// A playbook with the steps checked off in this case.
#[derive(Clone, Debug)]
pub struct PlaybookState {
    /// The playbook.
    pub playbook: Playbook,
    /// Steps done, by step id.
    pub checked: BTreeMap<String, Checked>,
}

/// Everything the screens show of a case.
#[derive(Clone, Debug)]
pub struct CaseData {
    /// The case at a glance.
    pub status: Status,
    /// The incident model (endpoints, IOCs, backups); the error when it could not be built.
    pub incident: std::result::Result<Box<Incident>, (String, String)>,
    /// Every finding of every endpoint.
    pub findings: Vec<FindingRow>,
    /// Verified backup media.
    pub backups: Vec<BackupRow>,
    /// Isolation standing of each endpoint.
    pub ledger: Vec<LedgerRow>,
    /// Report files written, relative to the case.
    pub reports: Vec<String>,
    /// Playbooks with their state.
    pub playbooks: Vec<PlaybookState>,
}

/// Reads everything the screens show.
pub fn load(dir: &Path) -> Result<CaseData> {
    let status = case::status(dir)?;
    let incident = model::build(dir).map(Box::new).map_err(|e| (e.ja(), e.to_string()));
    let mut findings = Vec::new();
    for id in &status.endpoints {
        let records = shodo::findings::read(&dir.join(layout::ENDPOINTS_DIR).join(id));
        findings.extend(records.iter().filter_map(|r| finding_row(id, r)));
    }
    let playbooks = playbook::bundled()?
        .into_iter()
        .map(|p| Ok(PlaybookState { checked: playbook::checked(dir, &p.id)?, playbook: p }))
        .collect::<Result<_>>()?;
    Ok(CaseData {
        findings,
        backups: backups(dir),
        ledger: isolate::ledger(dir).unwrap_or_default(),
        reports: reports(dir),
        playbooks,
        incident,
        status,
    })
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// A findings.jsonl record as a row; summaries (event logs read, skips) are not findings.
pub fn finding_row(endpoint: &str, r: &Finding) -> Option<FindingRow> {
    let both =
        |t: Text, values: &[(&str, &dyn std::fmt::Display)]| (t.fill(Lang::Ja, values), t.fill(Lang::En, values));
    let plain = |t: Text| (t.ja.to_string(), t.en.to_string());
    let (title, why) = match &r.kind {
        Kind::Yara { rule, .. } => {
            let cat = r.meta("category");
            let (ja, en) = (r.meta("description_ja"), r.meta("description_en"));
            let values: [(&str, &dyn std::fmt::Display); 3] =
                [("rule", rule), ("category", &cat), ("description", &"")];
            let why_ja =
                if ja.is_empty() { txt::WHY_YARA.fill(Lang::Ja, &values) } else { format!("{ja}（{rule}、{cat}）") };
            let why_en =
                if en.is_empty() { txt::WHY_YARA.fill(Lang::En, &values) } else { format!("{en} ({rule}, {cat})") };
            let title = |d: &str| if d.is_empty() { rule.clone() } else { d.to_string() };
            ((title(ja), title(en)), (why_ja, why_en))
        }
        Kind::ConnectionPoint { name, .. } => {
            (both(txt::TITLE_CONNECTION_POINT, &[("name", name)]), both(txt::WHY_CONNECTION_POINT, &[("name", name)]))
        }
        Kind::EncryptedFile { .. } => (plain(txt::TITLE_ENCRYPTED_FILE), plain(txt::WHY_ENCRYPTED_FILE)),
        Kind::EncryptedContainer { .. } => (plain(txt::TITLE_ENCRYPTED_CONTAINER), plain(txt::WHY_ENCRYPTED_CONTAINER)),
        Kind::RansomNoteName { .. } => (plain(txt::TITLE_RANSOM_NOTE_NAME), plain(txt::WHY_RANSOM_NOTE_NAME)),
        Kind::MalformedExecutable(_) => (plain(txt::TITLE_MALFORMED_EXECUTABLE), plain(txt::WHY_MALFORMED_EXECUTABLE)),
        Kind::Execution(Judged { title_ja, title_en, rule, .. })
        | Kind::Registry(Keyed { title_ja, title_en, rule, .. })
        | Kind::EventDetection(Detected { title_ja, title_en, rule, .. }) => {
            let title =
                if title_ja.is_empty() { (rule.clone(), rule.clone()) } else { (title_ja.clone(), title_en.clone()) };
            (title, basis(r))
        }
        _ => return None,
    };
    let severity = r.grade()?.as_str().to_string();
    let time = match &r.kind {
        Kind::EncryptedFile { modified, .. } => modified.as_deref(),
        _ => r.time(),
    };
    Some(FindingRow {
        endpoint: endpoint.to_string(),
        severity,
        kind: r.kind_name().to_string(),
        title,
        path: r.path().unwrap_or_default().to_string(),
        sha256: r.sha256().unwrap_or_default().to_string(),
        time: time.unwrap_or_default().to_string(),
        why,
    })
}

/// What a detection rests on, for people: the event log records or the registry key.
fn basis(r: &Finding) -> (String, String) {
    let both =
        |t: Text, values: &[(&str, &dyn std::fmt::Display)]| (t.fill(Lang::Ja, values), t.fill(Lang::En, values));
    match &r.kind {
        Kind::EventDetection(d) => {
            both(txt::BASIS_EVENTS, &[("channel", &d.channel), ("id", &d.event_id), ("count", &d.count)])
        }
        Kind::Registry(Keyed { key, .. }) => both(txt::BASIS_REGISTRY, &[("key", key)]),
        _ => both(txt::BASIS_RULE, &[("rule", &r.rule().unwrap_or_default())]),
    }
}

fn backups(dir: &Path) -> Vec<BackupRow> {
    let mut out = Vec::new();
    for medium in case::subdirs(&dir.join(layout::BACKUPS_DIR)) {
        let folder = dir.join(layout::BACKUPS_DIR).join(&medium);
        let mut reports: Vec<_> = std::fs::read_dir(&folder)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("verify-") && n.ends_with(".json"))
            })
            .collect();
        reports.sort();
        let Some(latest) = reports.last() else { continue };
        let Ok(v) =
            std::fs::read(latest).map_err(|_| ()).and_then(|b| serde_json::from_slice::<Value>(&b).map_err(|_| ()))
        else {
            continue;
        };
        out.push(backup_row(&medium, &v));
    }
    out
}

fn backup_row(medium: &str, v: &Value) -> BackupRow {
    let flag = |g: &Value, k: &str| g["flags"][k].as_bool();
    let generations = v["generations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|g| GenerationRow {
            name: text(&g["name"]),
            time: text(&g["time"]),
            flags: [flag(g, "intact"), flag(g, "consistent"), flag(g, "unencrypted"), flag(g, "delta_normal")],
            clean: g["clean"].as_bool().unwrap_or(false),
        })
        .collect();
    BackupRow {
        medium: medium.to_string(),
        read_at: text(&v["read_at"]),
        generations,
        last_clean: v["verdict"]["last_clean"].as_str().map(String::from),
        first_bad: v["verdict"]["first_bad"].as_str().map(String::from),
    }
}

fn reports(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir.join(layout::REPORTS_DIR))
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().to_str().map(|n| format!("{}/{n}", layout::REPORTS_DIR)))
        .collect();
    out.sort();
    out
}

/// A report file's text for the preview (Markdown, CSV and JSON as they are; HTML named only).
pub fn preview(dir: &Path, rel: &str, lang: Lang) -> String {
    if rel.ends_with(".html") {
        return txt::OPEN_THE_HTML_IN_A_BROWSER.get(lang).to_string();
    }
    match std::fs::read(dir.join(rel)) {
        Ok(b) => String::from_utf8_lossy(&b[..b.len().min(256 << 10)]).into_owned(),
        Err(e) => format!("{}: {e}", txt::CANNOT_READ.get(lang)),
    }
}
