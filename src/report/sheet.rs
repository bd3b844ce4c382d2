//! The printable custody sheet of one endpoint (証拠保全記録票): its evidence files with their
//! SHA-256 as the custody log vouches for them, the manifest root as text and as a QR code, who
//! did what to it and when (merged sources' logs included), the custody head the sheet was
//! printed against, and blank rows for the handwritten hand-over chain on paper.

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
    let t = |ja: &str, en: &str| lang.pick(ja, en).to_string();
    let mut d = Doc {
        title: format!("{} — {endpoint}", t("証拠保全記録票（Chain of Custody）", "Chain of custody sheet")),
        lang: lang.code(),
        blocks: Vec::new(),
    };
    let head = crate::case::read_head(dir).ok().flatten();
    let hospital = m.hospital.get("name").and_then(|f| f.value.clone()).unwrap_or_else(|| t("（未設定）", "(not set)"));
    d.push(Block::Table(
        vec![t("項目", "item"), t("内容", "value")],
        vec![
            vec![t("ケース ID", "case id"), m.case_id.clone()],
            vec![t("医療機関", "hospital"), hospital],
            vec![t("端末 ID", "endpoint id"), endpoint.to_string()],
            vec![t("作成日時（JST）", "printed (JST)"), crate::clock::jst_display(crate::clock::now())],
            vec![
                t("記録の末尾（この票の基準）", "custody head (this sheet's basis)"),
                head.map_or_else(
                    || t("なし", "none"),
                    |h| format!("{} {} / SHA-256 {}", h.seq, t("行目", "lines"), h.sha256),
                ),
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

fn machine(dir: &Path, endpoint: &str, t: &dyn Fn(&str, &str) -> String, d: &mut Doc) {
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
    d.push(Block::Heading(1, t("端末", "Machine")));
    d.push(Block::Table(
        vec![t("項目", "item"), t("内容", "value")],
        vec![
            vec![t("ホスト名", "host name"), s(&facts["hostname"])],
            vec!["OS".into(), s(&facts["os_release"])],
            vec![t("ディスク（型番・シリアル番号）", "disk (model, serial)"), disk_text],
            vec![t("収集元", "collected from"), s(&facts["source"])],
            vec![t("収集日時（UTC）", "collected (UTC)"), s(&facts["collected_at"])],
        ],
    ));
}

/// Every file of the endpoint's folder that the case's own log vouches for, with the newest hash.
fn evidence(endpoint: &str, entries: &[(String, Entry)], t: &dyn Fn(&str, &str) -> String, d: &mut Doc) {
    let prefix = format!("{ENDPOINTS_DIR}/{endpoint}/");
    let mut latest: BTreeMap<&str, (u64, &FileRef)> = BTreeMap::new();
    for (_, e) in entries.iter().filter(|(log, _)| log == layout::LOG_FILE) {
        for f in e.files.iter().filter(|f| f.path.starts_with(&prefix)) {
            latest.insert(f.path.as_str(), (e.seq, f));
        }
    }
    d.push(Block::Heading(1, t("証拠（ファイルと SHA-256）", "Evidence (files and SHA-256)")));
    if latest.is_empty() {
        d.push(Block::Warn(t(
            "この端末の証拠ファイルは記録にありません",
            "no evidence file of this endpoint is on the record",
        )));
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
        vec![
            t("証拠番号", "evidence id"),
            t("ファイル", "file"),
            t("バイト", "bytes"),
            "SHA-256".into(),
            t("記録行", "custody line"),
        ],
        rows,
    ));
}

fn root(m: &Incident, endpoint: &str, entries: &[(String, Entry)], t: &dyn Fn(&str, &str) -> String, d: &mut Doc) {
    d.push(Block::Heading(1, t("マニフェストのルート（Merkle root）", "Manifest root (Merkle root)")));
    let finish = entries
        .iter()
        .rev()
        .find(|(_, e)| e.target == endpoint && e.action == "collect.finish" && e.detail["manifest_root"].is_string());
    let Some((log, e)) = finish else {
        d.push(Block::Warn(t(
            "収集の完了記録（collect.finish）がないため、ルートはありません",
            "no collection finished (collect.finish): no root",
        )));
        return;
    };
    let root = e.detail["manifest_root"].as_str().unwrap_or_default();
    d.push(Block::Para(format!(
        "{} {} {} {} {}",
        t(
            "収集した全ファイルの一覧（manifest.jsonl）の Merkle root。",
            "The Merkle root of the list of every file collected (manifest.jsonl)."
        ),
        log,
        e.seq,
        t("行目", "line"),
        e.jst
    )));
    d.push(Block::Qr(
        t("QR コード（ケース ID・端末 ID・ルート）", "QR code (case id, endpoint id, root)"),
        qr_text(&m.case_id, endpoint, root),
    ));
}

fn actions(endpoint: &str, entries: &[(String, Entry)], t: &dyn Fn(&str, &str) -> String, d: &mut Doc) {
    d.push(Block::Heading(1, t("記録（誰が・いつ・何を）", "On the record (who, when, what)")));
    let rows: Vec<Vec<String>> = entries
        .iter()
        .filter(|(_, e)| e.target == endpoint)
        .map(|(log, e)| vec![e.jst.clone(), e.actor.clone(), e.action.clone(), format!("{log} {}", e.seq)])
        .collect();
    if rows.is_empty() {
        d.push(Block::Para(t("記録はありません", "nothing on the record")));
        return;
    }
    d.push(Block::Table(
        vec![t("日時（JST）", "time (JST)"), t("担当", "actor"), t("操作", "action"), t("記録・行", "log, line")],
        rows,
    ));
}

fn handover(t: &dyn Fn(&str, &str) -> String, d: &mut Doc) {
    d.push(Block::Heading(1, t("引渡し記録（手書き）", "Hand-over (by hand)")));
    d.push(Block::Para(t(
        "証拠（USB メモリ・書き出したアーカイブ）を渡すたびに記入し、双方が署名してください。",
        "Fill in a row at every hand-over of the evidence (stick, exported archive); both sign.",
    )));
    d.push(Block::Table(
        vec![
            t("日時", "date, time"),
            t("引渡し者（所属・氏名・署名）", "from (organisation, name, signature)"),
            t("受領者（所属・氏名・署名）", "to (organisation, name, signature)"),
            t("目的・備考", "purpose, remarks"),
        ],
        vec![vec!["\u{3000}\n\u{3000}".to_string(), String::new(), String::new(), String::new()]; HANDOVER_ROWS],
    ));
}
