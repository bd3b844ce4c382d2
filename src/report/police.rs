//! 警察への相談資料: what the prefectural サイバー犯罪相談窓口 asks for (REGULATORY.md) — 5W1H,
//! the timeline, the indicators (ransom-note contact points, hashes), the evidence list with
//! SHA-256 and who preserved what when, the systems, and what was not preserved.

use crate::lang::Text;
use crate::report::strings as txt;
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
    let t = |text: Text| text.get(lang).to_string();
    let rows = timeline(dir, m, lang);
    if rows.len() > TIMELINE_ROWS {
        d.push(Block::Para(format!("{} {} / {}: timeline.csv", TIMELINE_ROWS, t(txt::SHOWN), rows.len())));
    }
    if rows.is_empty() {
        d.push(Block::Warn(t(txt::UNDETERMINED_NO_TIMELINE_YET_RUN_ANALYZE)));
    } else {
        d.push(Block::Table(
            vec![t(txt::TIME_UTC), t(txt::ENDPOINT), t(txt::SEVERITY), t(txt::WHAT)],
            rows.into_iter().take(TIMELINE_ROWS).collect(),
        ));
    }
}

/// The report as blocks.
pub fn doc(dir: &Path, m: &Incident, lang: Lang) -> Doc {
    let t = |text: Text| text.get(lang).to_string();
    let mut d = Doc { title: t(txt::MATERIAL_FOR_THE_POLICE_CYBERCRIME), lang: lang.code(), blocks: Vec::new() };
    let hospital = m.hospital.get("name").and_then(|f| f.value.clone()).unwrap_or_else(|| t(txt::NOT_SET));
    d.push(Block::List(vec![format!("{}: {}", t(txt::CONTACT), m.desk(crate::config::ContactRole::Police, lang))]));
    d.push(Block::Heading(1, t(txt::N1_SUMMARY_5W1H)));
    let contacts: Vec<String> =
        m.iocs.iter().filter(|i| i.kind != "sha256").map(|i| format!("{} {}", i.kind, i.value)).collect();
    let ways: Vec<String> = m.entry_points.iter().map(|p| format!("{} {} ({})", p.kind, p.name, p.endpoint)).collect();
    let unknown = t(txt::UNKNOWN);
    d.push(Block::Table(
        vec![t(txt::ITEM), t(txt::VALUE)],
        vec![
            vec![
                t(txt::WHEN),
                format!(
                    "{}: {} / {}: {}",
                    t(txt::OCCURRED_EST),
                    m.occurred_at.value.clone().unwrap_or_else(|| unknown.clone()),
                    t(txt::AWARE),
                    m.aware_at.value.clone().unwrap_or_else(|| unknown.clone())
                ),
            ],
            vec![
                t(txt::WHERE),
                format!("{hospital}: {}", m.affected().iter().map(|e| e.id.clone()).collect::<Vec<_>>().join(", ")),
            ],
            vec![
                t(txt::WHO),
                format!(
                    "{}{}",
                    m.family_text(lang, true),
                    if contacts.is_empty() { String::new() } else { format!(" — {}", contacts.join(", ")) }
                ),
            ],
            vec![
                t(txt::WHAT_2),
                format!(
                    "{}: {} / {}: {}",
                    t(txt::ENCRYPTED_FILES),
                    m.encrypted_files(),
                    t(txt::RANSOM_NOTES_2),
                    m.ransom_notes()
                ),
            ],
            vec![
                t(txt::WHY),
                if m.ransom_notes() > 0 { t(txt::RANSOM_DEMAND_FROM_THE_NOTES) } else { unknown.clone() },
            ],
            vec![t(txt::HOW), if ways.is_empty() { unknown.clone() } else { ways.join("\n") }],
        ],
    ));
    d.push(Block::Heading(1, t(txt::N2_TIMELINE_CRITICAL_AND_HIGH)));
    timeline_blocks(&mut d, dir, m, lang);
    d.push(Block::Heading(1, t(txt::N3_INDICATORS_OF_COMPROMISE)));
    d.push(Block::Table(
        vec![t(txt::KIND), t(txt::VALUE_2), t(txt::SEEN_IN)],
        m.iocs.iter().map(|i| vec![i.kind.clone(), i.value.clone(), i.seen_in.join("\n")]).collect(),
    ));
    d.push(Block::Heading(1, t(txt::N4_EVIDENCE_PRESERVED_AND_BY_WHOM)));
    d.push(Block::Para(format!("{} {EVIDENCE_LIST}（{}）", t(txt::EVERY_FILE_WITH_ITS_SHA_256), t(txt::SAME_FOLDER))));
    d.push(Block::Table(
        vec![t(txt::ENDPOINT), t(txt::FILES), t(txt::BYTES), t(txt::CUSTODY_TIME_WHO_WHAT)],
        m.preserved
            .iter()
            .map(|p| vec![p.endpoint.clone(), p.files.to_string(), p.bytes.to_string(), p.by.join("\n")])
            .collect(),
    ));
    let found: Vec<Vec<String>> = m
        .preserved
        .iter()
        .flat_map(|p| {
            p.found_by_scan.iter().map(|f| {
                vec![p.endpoint.clone(), kept_why(&f.why, &t), f.path.clone(), f.size.to_string(), f.sha256.clone()]
            })
        })
        .collect();
    if !found.is_empty() {
        d.push(Block::Para(t(txt::FOUND_BY_THE_VOLUME_SCAN_AND_KEPT)));
        d.push(Block::Table(
            vec![t(txt::ENDPOINT), t(txt::KEPT_WHY), t(txt::FILE), t(txt::BYTES), "SHA-256".into()],
            found,
        ));
    }
    d.push(Block::Para(format!("{}: {}", t(txt::ENTRIES_IN_THE_CUSTODY_LOG_CUSTODY), m.custody_entries)));
    d.push(Block::Heading(1, t(txt::N5_SYSTEMS)));
    d.push(Block::Table(
        vec![t(txt::ENDPOINT), t(txt::HOST_NAME), "OS".into(), t(txt::IP_ADDRESSES)],
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
    d.push(Block::Heading(1, t(txt::N6_WHAT_WAS_NOT_PRESERVED)));
    let missing: Vec<String> = m
        .preserved
        .iter()
        .flat_map(|p| p.not_collected.iter().map(move |(why, n)| format!("{}: {why} × {n}", p.endpoint)))
        .collect();
    d.push(Block::List(if missing.is_empty() {
        vec![t(txt::NONE_EVERYTHING_TARGETED_WAS_PRESERVED)]
    } else {
        missing
    }));
    d
}

/// Why the volume scan kept a file, for people.
fn kept_why(why: &str, t: &dyn Fn(Text) -> String) -> String {
    match why {
        "ransom_note" => t(txt::KEPT_RANSOM_NOTE),
        "tool" => t(txt::KEPT_TOOL),
        "encrypted_sample" => t(txt::KEPT_ENCRYPTED_SAMPLE),
        "suspicious_executable" => t(txt::KEPT_SUSPICIOUS_EXECUTABLE),
        other => other.to_string(),
    }
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
