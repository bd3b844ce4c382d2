//! 警察への相談資料: what the prefectural サイバー犯罪相談窓口 asks for (REGULATORY.md) — 5W1H,
//! the timeline, the indicators (ransom-note contact points, hashes), the evidence list with
//! SHA-256 and who preserved what when, the systems, and what was not preserved.

use std::path::Path;

use serde_json::Value;

use super::doc::{Block, Doc};
use super::model::Incident;

use crate::case::layout;
use crate::case::layout::{ENDPOINTS_DIR, EVIDENCE_LIST};
use crate::findings::Severity;
use crate::lang::Lang;

/// The most timeline rows the document shows (the full timeline is `timeline.csv`).
const TIMELINE_ROWS: usize = 300;

/// Every endpoint's timeline as one Timesketch CSV (an `endpoint` column added), oldest first.
pub fn timesketch(dir: &Path, m: &Incident) -> String {
    let mut entries: Vec<(String, String, Value)> = Vec::new();
    for e in &m.endpoints {
        let path = dir.join(ENDPOINTS_DIR).join(&e.id).join(layout::TIMELINE);
        for line in std::fs::read_to_string(path).unwrap_or_default().lines() {
            if let Ok(v) = serde_json::from_str::<Value>(line) {
                entries.push((v["datetime"].as_str().unwrap_or_default().to_string(), e.id.clone(), v));
            }
        }
    }
    entries.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let mut out = format!("{},endpoint\n", crate::detect::artefacts::TIMESKETCH_HEADER);
    for (_, id, v) in &entries {
        out.push_str(&crate::detect::artefacts::timesketch_row(v, &[id]));
    }
    out
}

/// The high and critical entries of every endpoint's timeline, oldest first.
pub fn timeline(dir: &Path, m: &Incident, lang: Lang) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    for e in &m.endpoints {
        let path = dir.join(ENDPOINTS_DIR).join(&e.id).join(layout::TIMELINE);
        for line in std::fs::read_to_string(path).unwrap_or_default().lines() {
            let Ok(v) = serde_json::from_str::<Value>(line) else { continue };
            if crate::findings::timeline_sign(&v) {
                let text = |key: &str| v[key].as_str().unwrap_or_default();
                let message = if lang == Lang::Ja && !text("message_ja").is_empty() {
                    text("message_ja")
                } else {
                    text("message")
                };
                let severity = text("severity");
                let severity = Severity::parse(severity)
                    .map_or(if severity.is_empty() { "-" } else { severity }, |s| s.label(lang));
                rows.push(vec![text("datetime").into(), e.id.clone(), severity.into(), message.into()]);
            }
        }
    }
    rows.sort();
    rows
}

/// The timeline's critical and high rows as a table (the first TIMELINE_ROWS; all are in
/// timeline.csv), or what to do while there is none.
pub(super) fn timeline_blocks(d: &mut Doc, dir: &Path, m: &Incident, lang: Lang) {
    let t = |ja: &str, en: &str| lang.pick(ja, en).to_string();
    let rows = timeline(dir, m, lang);
    if rows.len() > TIMELINE_ROWS {
        d.push(Block::Para(format!("{} {} / {}: timeline.csv", TIMELINE_ROWS, t("件を表示", "shown"), rows.len())));
    }
    if rows.is_empty() {
        d.push(Block::Warn(t(
            "[未確定] 時系列がありません（端末ごとに analyze を実施すると入ります）",
            "[undetermined] no timeline yet (run analyze for each endpoint)",
        )));
    } else {
        d.push(Block::Table(
            vec![t("日時 (UTC)", "Time (UTC)"), t("端末", "Endpoint"), t("重大度", "Severity"), t("内容", "What")],
            rows.into_iter().take(TIMELINE_ROWS).collect(),
        ));
    }
}

/// The report as blocks.
pub fn doc(dir: &Path, m: &Incident, lang: Lang) -> Doc {
    let t = |ja: &str, en: &str| lang.pick(ja, en).to_string();
    let mut d = Doc {
        title: t("警察への相談資料（サイバー犯罪被害）", "Material for the police (cybercrime)"),
        lang: lang.code(),
        blocks: Vec::new(),
    };
    let hospital = m.hospital.get("name").and_then(|f| f.value.clone()).unwrap_or_else(|| t("[未設定]", "[not set]"));
    d.push(Block::List(vec![format!(
        "{}: {}",
        t("相談先", "Contact"),
        m.desk(crate::config::ContactRole::Police, lang)
    )]));
    d.push(Block::Heading(1, t("1. 概要（5W1H）", "1. Summary (5W1H)")));
    let families = m.families();
    let contacts: Vec<String> =
        m.iocs.iter().filter(|i| i.kind != "sha256").map(|i| format!("{} {}", i.kind, i.value)).collect();
    let ways: Vec<String> = m.entry_points.iter().map(|p| format!("{} {} ({})", p.kind, p.name, p.endpoint)).collect();
    let unknown = t("不明", "unknown");
    d.push(Block::Table(
        vec![t("項目", "Item"), t("内容", "Value")],
        vec![
            vec![
                t("いつ", "When"),
                format!(
                    "{}: {} / {}: {}",
                    t("発生（推定）", "occurred (est.)"),
                    m.occurred_at.value.clone().unwrap_or_else(|| unknown.clone()),
                    t("覚知", "aware"),
                    m.aware_at.value.clone().unwrap_or_else(|| unknown.clone())
                ),
            ],
            vec![
                t("どこで", "Where"),
                format!("{hospital}: {}", m.affected().iter().map(|e| e.id.clone()).collect::<Vec<_>>().join(", ")),
            ],
            vec![
                t("誰が", "Who"),
                format!(
                    "{}{}",
                    if families.is_empty() { unknown.clone() } else { families.join(", ") },
                    if contacts.is_empty() { String::new() } else { format!(" — {}", contacts.join(", ")) }
                ),
            ],
            vec![
                t("何を", "What"),
                format!(
                    "{}: {} / {}: {}",
                    t("暗号化されたファイル", "encrypted files"),
                    m.encrypted_files(),
                    t("脅迫文", "ransom notes"),
                    m.ransom_notes()
                ),
            ],
            vec![
                t("なぜ", "Why"),
                if m.ransom_notes() > 0 {
                    t("身代金の要求（脅迫文による）", "ransom demand (from the notes)")
                } else {
                    unknown.clone()
                },
            ],
            vec![t("どのように", "How"), if ways.is_empty() { unknown.clone() } else { ways.join("\n") }],
        ],
    ));
    d.push(Block::Heading(1, t("2. 時系列（重大・高の事象）", "2. Timeline (critical and high)")));
    timeline_blocks(&mut d, dir, m, lang);
    d.push(Block::Heading(1, t("3. 侵害の痕跡（IOC）", "3. Indicators of compromise")));
    d.push(Block::Table(
        vec![t("種類", "Kind"), t("値", "Value"), t("確認場所", "Seen in")],
        m.iocs.iter().map(|i| vec![i.kind.clone(), i.value.clone(), i.seen_in.join("\n")]).collect(),
    ));
    d.push(Block::Heading(1, t("4. 保全した証拠と保全の記録", "4. Evidence preserved, and by whom")));
    d.push(Block::Para(format!(
        "{} {EVIDENCE_LIST}（{}）",
        t("全ファイルの一覧と SHA-256:", "every file with its SHA-256:"),
        t("同じフォルダ", "same folder")
    )));
    d.push(Block::Table(
        vec![
            t("端末", "Endpoint"),
            t("ファイル数", "Files"),
            t("バイト", "Bytes"),
            t("保全の記録（日時・担当・操作）", "Custody (time, who, what)"),
        ],
        m.preserved
            .iter()
            .map(|p| vec![p.endpoint.clone(), p.files.to_string(), p.bytes.to_string(), p.by.join("\n")])
            .collect(),
    ));
    d.push(Block::Para(format!(
        "{}: {}",
        t("記録の連鎖（custody.jsonl）の件数", "entries in the custody log (custody.jsonl)"),
        m.custody_entries
    )));
    d.push(Block::Heading(1, t("5. システムの概要", "5. Systems")));
    d.push(Block::Table(
        vec![t("端末", "Endpoint"), t("ホスト名", "Host name"), "OS".into(), t("IP アドレス", "IP addresses")],
        m.endpoints
            .iter()
            .map(|e| {
                vec![
                    e.id.clone(),
                    e.hostname.clone().unwrap_or_default(),
                    e.os.clone().unwrap_or_default(),
                    e.addresses.join(", "),
                ]
            })
            .collect(),
    ));
    d.push(Block::Heading(1, t("6. 保全できなかったもの", "6. What was not preserved")));
    let missing: Vec<String> = m
        .preserved
        .iter()
        .flat_map(|p| p.not_collected.iter().map(move |(why, n)| format!("{}: {why} × {n}", p.endpoint)))
        .collect();
    d.push(Block::List(if missing.is_empty() {
        vec![t("なし（収集対象はすべて保全）", "none (everything targeted was preserved)")]
    } else {
        missing
    }));
    d
}

/// `evidence-list.csv`: every collected file of every endpoint with its size and SHA-256.
pub fn evidence_list(dir: &Path, m: &Incident) -> String {
    let mut out = String::from("endpoint,path,size,sha256,modified\n");
    for e in &m.endpoints {
        let rows = crate::collect::read_manifest(&dir.join(ENDPOINTS_DIR).join(&e.id).join(layout::MANIFEST))
            .unwrap_or_default();
        let latest = crate::collect::latest_rows(&rows);
        for r in latest.values().filter(|r| r.status == crate::collect::Status::Collected) {
            let cells = [
                e.id.as_str(),
                r.path.as_str(),
                &r.size.to_string(),
                r.sha256.as_deref().unwrap_or_default(),
                r.times.modified.as_deref().unwrap_or_default(),
            ];
            out.push_str(&cells.iter().map(|c| crate::detect::artefacts::csv_cell(c)).collect::<Vec<_>>().join(","));
            out.push('\n');
        }
    }
    out
}
