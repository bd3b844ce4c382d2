//! What the screens show, read from the case by the runtime (never by `update` or `view`, which
//! only see this plain data). Reading never writes: the TUI opens the case read-only until the
//! operator asks for an action.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use shodo::case::layout;
use shodo::case::{self, Status};
use shodo::findings::{Detected, Finding, Judged, Keyed, Kind, Severity};
use shodo::isolate::{self, LedgerRow};
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
    let s = |t: &str| t.to_string();
    let (severity, title, why) = match &r.kind {
        Kind::Yara { rule, .. } => {
            let cat = r.meta("category");
            let sev = r.severity().map_or("high", Severity::as_str).to_string();
            let (ja, en) = (s(r.meta("description_ja")), s(r.meta("description_en")));
            let why_ja = if ja.is_empty() { format!("YARA ルール {rule}（{cat}）に一致") } else { format!("{ja}（{rule}、{cat}）") };
            let why_en = if en.is_empty() { format!("YARA rule {rule} ({cat}) matched") } else { format!("{en} ({rule}, {cat})") };
            let title = (if ja.is_empty() { rule.clone() } else { ja }, if en.is_empty() { rule.clone() } else { en });
            (sev, title, (why_ja, why_en))
        }
        Kind::ConnectionPoint { name, .. } => (
            "medium".into(),
            (format!("外部接続点: {name}"), format!("connection point: {name}")),
            (
                format!("{name} は外部から入る経路になり得ます（侵入経路の候補。業者の遠隔保守・VPN・RDP を含め棚卸しが必要）。"),
                format!("{name} can be a way in from outside (a candidate entry point; inventory supplier remote access, VPN and RDP)."),
            ),
        ),
        Kind::EncryptedFile { .. } => (
            "high".into(),
            ("暗号化されたファイル".into(), "encrypted file".into()),
            (
                "内容が暗号化されています（エントロピー・形式の不一致・既知の拡張子）。暗号化の時期の手がかりです。".into(),
                "Its content is encrypted (entropy, magic vs extension, known extension): a clue to when encryption ran.".into(),
            ),
        ),
        Kind::RansomNoteName { .. } => (
            "high".into(),
            ("身代金要求文（ファイル名）".into(), "ransom note (by name)".into()),
            ("既知の身代金要求文のファイル名です。連絡先（.onion、メール、Tox）は IOC になります。".into(),
             "A known ransom-note file name; its contact points (.onion, e-mail, Tox) are IOCs.".into()),
        ),
        Kind::MalformedExecutable(_) => (
            "medium".into(),
            ("壊れた実行ファイル".into(), "malformed executable".into()),
            ("実行ファイルの構造が壊れています（解析妨害や改ざんの可能性）。".into(),
             "The executable's structure is broken (anti-analysis or tampering).".into()),
        ),
        Kind::Execution(Judged { severity, title_ja, title_en, rule, .. })
        | Kind::Registry(Keyed { severity, title_ja, title_en, rule, .. })
        | Kind::EventDetection(Detected { severity, title_ja, title_en, rule, .. }) => {
            let title = if title_ja.is_empty() { (rule.clone(), rule.clone()) } else { (title_ja.clone(), title_en.clone()) };
            (severity.as_str().to_string(), title, basis(r))
        }
        _ => return None,
    };
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
    match &r.kind {
        Kind::EventDetection(d) => {
            let (channel, id, count) = (&d.channel, d.event_id, d.count);
            (
                format!("イベントログ {channel} のイベント ID {id}（{count} 件）から検出"),
                format!("from {count} record(s) of event ID {id} in the {channel} log"),
            )
        }
        Kind::Registry(Keyed { key, .. }) => {
            (format!("レジストリ {key} の設定から検出"), format!("from the registry key {key}"))
        }
        _ => {
            let rule = r.rule().unwrap_or_default();
            (format!("規則 {rule} による検出"), format!("by rule {rule}"))
        }
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
        return lang
            .pick(
                "HTML はブラウザーで開いて印刷してください（同じ内容の .md を表示できます）。",
                "Open the HTML in a browser to print it (the .md beside it has the same text).",
            )
            .to_string();
    }
    match std::fs::read(dir.join(rel)) {
        Ok(b) => String::from_utf8_lossy(&b[..b.len().min(256 << 10)]).into_owned(),
        Err(e) => format!("{}: {e}", lang.pick("読めません", "cannot read")),
    }
}
