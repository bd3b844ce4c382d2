//! The checklist assessment across endpoints (医療機関におけるサイバーセキュリティ対策チェックリスト,
//! answered per endpoint by `analyze`, versioned data in `rules/checklist`) and the recurrence
//! review (再発防止) that reads it with the timeline, the ways in and the backup verdicts.

use crate::lang::Text;
use crate::report::strings as txt;
use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::doc::{Block, Doc};
use super::model::Incident;

use crate::case::layout;
use crate::case::layout::ENDPOINTS_DIR;
use crate::lang::Lang;

/// 適合 / 不適合 / 判断不可, as the checklist answers store them.
use crate::detect::checklist::{COMPLIANT as PASS, NON_COMPLIANT as FAIL, UNDETERMINED};

/// One checklist item over every endpoint.
#[derive(Clone, Debug, Default)]
pub struct ItemRow {
    /// Its id.
    pub id: String,
    /// Its text.
    pub text: String,
    /// Per endpoint: status and reason (Japanese, English).
    pub by_endpoint: BTreeMap<String, (String, String, String)>,
}

impl ItemRow {
    /// 不適合 if any endpoint fails it, 適合 if every answered endpoint passes, else 判断不可.
    pub fn overall(&self) -> &'static str {
        let statuses: Vec<&str> = self.by_endpoint.values().map(|(s, _, _)| s.as_str()).collect();
        if statuses.contains(&FAIL) {
            FAIL
        } else if !statuses.is_empty() && statuses.iter().all(|s| *s == PASS) {
            PASS
        } else {
            UNDETERMINED
        }
    }
}

/// The checklist version(s) answered and the items over every endpoint, in checklist order.
pub fn checklist(dir: &Path, m: &Incident) -> (Vec<String>, Vec<ItemRow>) {
    let (mut versions, mut rows): (Vec<String>, Vec<ItemRow>) = (Vec::new(), Vec::new());
    for e in &m.endpoints {
        let path = dir.join(ENDPOINTS_DIR).join(&e.id).join(layout::CHECKLIST);
        let Some(v) = std::fs::read(path).ok().and_then(|b| serde_json::from_slice::<Value>(&b).ok()) else { continue };
        if let Some(version) = v["checklist"].as_str().filter(|x| !versions.iter().any(|y| y == x)) {
            versions.push(version.into());
        }
        for item in v["items"].as_array().into_iter().flatten() {
            let id = item["id"].as_str().unwrap_or_default().to_string();
            let text = |k: &str| item[k].as_str().unwrap_or_default().to_string();
            let row = match rows.iter_mut().position(|r| r.id == id) {
                Some(i) => &mut rows[i],
                None => {
                    rows.push(ItemRow { id: id.clone(), text: text("text"), ..ItemRow::default() });
                    let last = rows.len() - 1;
                    &mut rows[last]
                }
            };
            row.by_endpoint.insert(e.id.clone(), (text("status"), text("reason_ja"), text("reason_en")));
        }
    }
    (versions, rows)
}

fn status_en(s: &str) -> &str {
    match s {
        PASS => "met",
        FAIL => "not met",
        _ => "cannot tell",
    }
}

/// チェックリスト評価.
pub fn checklist_doc(dir: &Path, m: &Incident, lang: Lang) -> Doc {
    let t = |text: Text| text.get(lang).to_string();
    let mut d = Doc {
        title: t(txt::CHECKLIST_ASSESSMENT_MHLW_CYBERSECURITY_CHECKLIST_FOR),
        lang: lang.code(),
        blocks: Vec::new(),
    };
    let (versions, rows) = checklist(dir, m);
    if rows.is_empty() {
        d.push(Block::Warn(t(txt::UNDETERMINED_NO_ENDPOINT_HAS_BEEN_ANALYZED)));
        return d;
    }
    d.push(Block::Para(format!("{}: {}", t(txt::VERSION), versions.join(", "))));
    let status = |s: &str| if lang == Lang::Ja { s.to_string() } else { status_en(s).to_string() };
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let why: Vec<String> = r
                .by_endpoint
                .iter()
                .map(|(e, (s, ja, en))| format!("{e}: {} — {}", status(s), lang.pick(ja, en)))
                .collect();
            vec![r.id.clone(), r.text.clone(), status(r.overall()), why.join("\n")]
        })
        .collect();
    d.push(Block::Table(vec![t(txt::ITEM), t(txt::TEXT), t(txt::ASSESSMENT), t(txt::PER_ENDPOINT_WITH_WHY)], table));
    d
}

/// 再発防止のための振り返り.
pub fn recurrence_doc(dir: &Path, m: &Incident, lang: Lang) -> Doc {
    let t = |text: Text| text.get(lang).to_string();
    let mut d = Doc { title: t(txt::RECURRENCE_REVIEW), lang: lang.code(), blocks: Vec::new() };
    d.push(Block::Heading(1, t(txt::N1_TIMELINE)));
    super::police::timeline_blocks(&mut d, dir, m, lang);
    d.push(Block::Heading(1, t(txt::N2_WAY_IN_HYPOTHESIS_EVIDENCE_EXTERNAL)));
    super::mhlw::entry_blocks(&mut d, m, lang);
    d.push(Block::Heading(1, t(txt::N3_CHECKLIST_ITEMS_NOT_MET)));
    let (_, items) = checklist(dir, m);
    let failed: Vec<String> =
        items.iter().filter(|r| r.overall() == FAIL).map(|r| format!("{} {}", r.id, r.text)).collect();
    d.push(Block::List(if failed.is_empty() { vec![t(txt::NONE_OR_NOT_ASSESSED)] } else { failed }));
    d.push(Block::Heading(1, t(txt::N4_BACKUPS)));
    let backups: Vec<String> = m
        .backups
        .iter()
        .map(|b| {
            format!(
                "{}: {} {} / {} {}",
                b.medium,
                t(txt::LAST_CLEAN),
                b.last_clean.clone().unwrap_or_else(|| "-".into()),
                t(txt::FIRST_COMPROMISED),
                b.first_bad.clone().unwrap_or_else(|| "-".into())
            )
        })
        .collect();
    d.push(Block::List(if backups.is_empty() { vec![t(txt::UNDETERMINED_NOT_VERIFIED)] } else { backups }));
    d.push(Block::Heading(1, t(txt::N5_RECOMMENDATIONS_FROM_THE_EVIDENCE)));
    d.push(Block::List(recommendations(m, &items, lang)));
    d
}

fn recommendations(m: &Incident, items: &[ItemRow], lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    let kinds: Vec<&str> = m.entry_points.iter().map(|p| p.kind.as_str()).collect();
    let mut add = |cond: bool, text: Text| {
        if cond {
            out.push(text.get(lang).to_string());
        }
    };
    add(
        kinds.iter().any(|k| matches!(*k, "vpn" | "rdp" | "remote_access" | "rmm")),
        txt::REVIEW_INVENTORY_CONNECTION_POINTS,
    );
    add(kinds.contains(&"first_external_logon") || kinds.contains(&"inbound_logon"), txt::REVIEW_CHANGE_PASSWORDS);
    add(m.backups.iter().any(|b| b.first_bad.is_some()) || m.backups.is_empty(), txt::REVIEW_KEEP_OFFLINE_BACKUPS);
    add(items.iter().any(|r| r.overall() == FAIL), txt::REVIEW_CORRECT_CHECKLIST_ITEMS);
    add(m.encrypted_files() > 0, txt::REVIEW_REBUILD_INFECTED_ENDPOINTS);
    if out.is_empty() {
        out.push(txt::UNDETERMINED_NO_RECOMMENDATION_FROM_THE_EVIDENCE.get(lang).into());
    }
    out
}
