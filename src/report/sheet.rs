//! The printable custody sheet of one endpoint (証拠保全記録票): its evidence files with their
//! SHA-256 as the custody log vouches for them, the manifest root as text and as a QR code, who
//! did what to it and when (merged sources' logs included), the custody head the sheet was
//! printed against, and blank rows for the handwritten hand-over chain on paper.

use crate::lang::Text;
use crate::report::strings as txt;
use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::doc::{Block, Doc};
use super::model::Incident;
use crate::case::layout;
use crate::case::layout::ENDPOINTS_DIR;
use crate::case::{Entry, FileRef};
use crate::lang::Lang;

/// Blank hand-over rows on the printed sheet.
const HANDOVER_ROWS: usize = 6;

/// The file name of an endpoint's sheet in `reports/`.
pub fn file_name(endpoint: &str, lang: Lang) -> String {
    format!("custody-sheet-{endpoint}.{}", lang.code())
}

/// What the QR code of an endpoint holds: one line a phone shows as text.
pub fn qr_text(case_id: &str, endpoint: &str, root: &str) -> String {
    format!("shodo manifest-root {case_id}/{endpoint} {root}")
}

/// The sheet of `endpoint`. `entries` are the case's custody entries with the log each is on
/// (see `case::all_entries`).
pub fn doc(dir: &Path, m: &Incident, endpoint: &str, entries: &[(String, Entry)], lang: Lang) -> Doc {
    let t = |text: Text| text.get(lang).to_string();
    let mut d = Doc {
        title: format!("{} — {endpoint}", t(txt::CHAIN_OF_CUSTODY_SHEET)),
        lang: lang.code(),
        blocks: Vec::new(),
    };
    let head = crate::case::read_head(dir).ok().flatten();
    let hospital = m.hospital.get("name").and_then(|f| f.value.clone()).unwrap_or_else(|| t(txt::NOT_SET_2));
    d.push(Block::Table(
        vec![t(txt::ITEM_2), t(txt::VALUE_3)],
        vec![
            vec![t(txt::CASE_ID), m.case_id.clone()],
            vec![t(txt::HOSPITAL), hospital],
            vec![t(txt::ENDPOINT_ID), endpoint.to_string()],
            vec![t(txt::PRINTED_JST), crate::clock::jst_display(crate::clock::now())],
            vec![
                t(txt::CUSTODY_HEAD_THIS_SHEETS_BASIS),
                head.map_or_else(|| t(txt::NONE), |h| format!("{} {} / SHA-256 {}", h.seq, t(txt::LINES), h.sha256)),
            ],
        ],
    ));
    machine(dir, endpoint, &t, &mut d);
    evidence(endpoint, entries, &t, &mut d);
    root(m, endpoint, entries, &t, &mut d);
    actions(endpoint, entries, &t, &mut d);
    handover(&t, &mut d);
    d
}

fn machine(dir: &Path, endpoint: &str, t: &dyn Fn(Text) -> String, d: &mut Doc) {
    let facts: Value = std::fs::read(dir.join(ENDPOINTS_DIR).join(endpoint).join("endpoint.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    let s = |v: &Value| v.as_str().map_or_else(|| "—".to_string(), str::to_string);
    let disk = &facts["volume"]["disk"];
    let disk_text = match (disk["model"].as_str(), disk["serial"].as_str()) {
        (None, None) => "—".to_string(),
        (model, serial) => format!("{} / S/N {}", model.unwrap_or("?"), serial.unwrap_or("?")),
    };
    d.push(Block::Heading(1, t(txt::MACHINE)));
    d.push(Block::Table(
        vec![t(txt::ITEM_2), t(txt::VALUE_3)],
        vec![
            vec![t(txt::HOST_NAME_2), s(&facts["hostname"])],
            vec!["OS".into(), s(&facts["os_release"])],
            vec![t(txt::DISK_MODEL_SERIAL), disk_text],
            vec![t(txt::COLLECTED_FROM), s(&facts["source"])],
            vec![t(txt::COLLECTED_UTC), s(&facts["collected_at"])],
        ],
    ));
}

/// Every file of the endpoint's folder that the case's own log vouches for, with the newest hash.
fn evidence(endpoint: &str, entries: &[(String, Entry)], t: &dyn Fn(Text) -> String, d: &mut Doc) {
    let prefix = format!("{ENDPOINTS_DIR}/{endpoint}/");
    let mut latest: BTreeMap<&str, (u64, &FileRef)> = BTreeMap::new();
    for (_, e) in entries.iter().filter(|(log, _)| log == layout::LOG_FILE) {
        for f in e.files.iter().filter(|f| f.path.starts_with(&prefix)) {
            latest.insert(f.path.as_str(), (e.seq, f));
        }
    }
    d.push(Block::Heading(1, t(txt::EVIDENCE_FILES_AND_SHA_256)));
    if latest.is_empty() {
        d.push(Block::Warn(t(txt::NO_EVIDENCE_FILE_OF_THIS_ENDPOINT)));
        return;
    }
    let rows = latest
        .into_iter()
        .enumerate()
        .map(|(i, (path, (seq, f)))| {
            vec![
                format!("E{:02}", i + 1),
                path[prefix.len()..].to_string(),
                f.size.to_string(),
                f.sha256.clone(),
                seq.to_string(),
            ]
        })
        .collect();
    d.push(Block::Table(
        vec![t(txt::EVIDENCE_ID), t(txt::FILE), t(txt::BYTES_2), "SHA-256".into(), t(txt::CUSTODY_LINE)],
        rows,
    ));
}

fn root(m: &Incident, endpoint: &str, entries: &[(String, Entry)], t: &dyn Fn(Text) -> String, d: &mut Doc) {
    d.push(Block::Heading(1, t(txt::MANIFEST_ROOT_MERKLE_ROOT)));
    let finish = entries.iter().rev().find(|(_, e)| {
        e.target == endpoint
            && matches!(e.action.as_str(), "collect.finish" | "scan.keep")
            && e.detail["manifest_root"].is_string()
    });
    let Some((log, e)) = finish else {
        d.push(Block::Warn(t(txt::NO_COLLECTION_FINISHED_COLLECT_FINISH_NO)));
        return;
    };
    let root = e.detail["manifest_root"].as_str().unwrap_or_default();
    d.push(Block::Para(format!(
        "{} {} {} {} {}",
        t(txt::THE_MERKLE_ROOT_OF_THE_LIST),
        log,
        e.seq,
        t(txt::LINE),
        e.jst
    )));
    d.push(Block::Qr(t(txt::QR_CODE_CASE_ID_ENDPOINT_ID), qr_text(&m.case_id, endpoint, root)));
}

fn actions(endpoint: &str, entries: &[(String, Entry)], t: &dyn Fn(Text) -> String, d: &mut Doc) {
    d.push(Block::Heading(1, t(txt::ON_THE_RECORD_WHO_WHEN_WHAT)));
    let rows: Vec<Vec<String>> = entries
        .iter()
        .filter(|(_, e)| e.target == endpoint)
        .map(|(log, e)| vec![e.jst.clone(), e.actor.clone(), e.action.clone(), format!("{log} {}", e.seq)])
        .collect();
    if rows.is_empty() {
        d.push(Block::Para(t(txt::NOTHING_ON_THE_RECORD)));
        return;
    }
    d.push(Block::Table(vec![t(txt::TIME_JST), t(txt::ACTOR), t(txt::ACTION), t(txt::LOG_LINE)], rows));
}

fn handover(t: &dyn Fn(Text) -> String, d: &mut Doc) {
    d.push(Block::Heading(1, t(txt::HAND_OVER_BY_HAND)));
    d.push(Block::Para(t(txt::FILL_IN_A_ROW_AT_EVERY)));
    d.push(Block::Table(
        vec![
            t(txt::DATE_TIME),
            t(txt::FROM_ORGANISATION_NAME_SIGNATURE),
            t(txt::TO_ORGANISATION_NAME_SIGNATURE),
            t(txt::PURPOSE_REMARKS),
        ],
        vec![vec!["\u{3000}\n\u{3000}".to_string(), String::new(), String::new(), String::new()]; HANDOVER_ROWS],
    ));
}
