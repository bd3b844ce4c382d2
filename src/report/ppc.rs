//! 個人情報保護委員会への漏えい等報告 (個人情報保護法 第26条): 速報 and 確報.
//!
//! Which 施行規則 第7条 triggers apply and why, the nine items of 第8条第1項 as known now
//! (from the evidence, from the operator's `incident.toml`, or 未確定 with what to fill in), and
//! the due dates counted from 覚知日時: 速報 about 3–5 days (PPC guideline 通則編 3-5-3-3), 確報
//! within 60 days when the act was 不正の目的 (第8条第2項), else 30.

use crate::lang::Text;
use crate::report::strings as txt;
use serde::Serialize;

use super::doc::{Block, Doc};
use super::model::{Field, Incident, Source};
use crate::lang::Lang;

/// 速報 or 確報.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// 速報.
    Sokuho,
    /// 確報.
    Kakuho,
}

/// One 第7条 trigger.
#[derive(Clone, Debug, Serialize)]
pub struct Trigger {
    /// 第7条第N号.
    pub number: u8,
    /// What it is.
    pub title: (String, String),
    /// Applies (none: cannot be told yet).
    pub applies: Option<bool>,
    /// Why, Japanese and English.
    pub why: (String, String),
}

/// One 第8条第1項 item.
#[derive(Clone, Debug, Serialize)]
pub struct Item {
    /// 1–9.
    pub number: u8,
    /// Its name, Japanese and English.
    pub title: (String, String),
    /// What is known, Japanese and English (none: 未確定).
    pub text: Option<(String, String)>,
    /// Where it comes from.
    pub source: Source,
    /// What it rests on.
    pub basis: Vec<String>,
    /// What to fill in while it is 未確定 (the `incident.toml` key).
    pub fill: Option<&'static str>,
}

fn pair(text: Text) -> (String, String) {
    (text.ja.into(), text.en.into())
}

/// A text filled in each language with the same values.
fn filled(text: Text, values: &[(&str, &dyn std::fmt::Display)]) -> (String, String) {
    (text.fill(Lang::Ja, values), text.fill(Lang::En, values))
}

/// Signs of an act 不正の目的: encrypted files, ransom notes, or serious detections.
fn malicious(m: &Incident) -> Option<(String, String)> {
    let serious: u64 = m.endpoints.iter().map(|e| e.signs().serious).sum();
    let signs = [
        (txt::PPC_ENCRYPTED_FILES, m.encrypted_files()),
        (txt::PPC_RANSOM_NOTES, m.ransom_notes()),
        (txt::PPC_SERIOUS_FINDINGS, serious),
    ];
    let (ja, en): (Vec<String>, Vec<String>) =
        signs.into_iter().filter(|(_, n)| *n > 0).map(|(text, n)| filled(text, &[("n", &n)])).unzip();
    (!ja.is_empty()).then(|| (ja.join(txt::LIST_SEPARATOR.ja), en.join(txt::LIST_SEPARATOR.en)))
}

/// One language's half of a text kept in both.
fn lang_of(pair: &(String, String), lang: Lang) -> String {
    match lang {
        Lang::Ja => pair.0.clone(),
        Lang::En => pair.1.clone(),
    }
}

/// The 第7条 triggers as the case shows them.
pub fn triggers(m: &Incident) -> Vec<Trigger> {
    let affected = m.affected().len();
    let evil = malicious(m);
    vec![
        Trigger {
            number: 1,
            title: pair(txt::PPC_TRIGGER_SPECIAL_CARE),
            applies: (affected > 0 || evil.is_some()).then_some(true),
            why: if affected > 0 || evil.is_some() {
                filled(txt::PPC_SPECIAL_CARE_COMPROMISED, &[("affected", &affected)])
            } else {
                pair(txt::PPC_NO_COMPROMISE_YET)
            },
        },
        Trigger {
            number: 2,
            title: pair(txt::PPC_TRIGGER_FINANCIAL),
            applies: None,
            why: pair(txt::PPC_CHECK_CARD_NUMBERS),
        },
        Trigger {
            number: 3,
            title: pair(txt::PPC_TRIGGER_UNLAWFUL),
            applies: evil.as_ref().map(|_| true),
            why: match &evil {
                Some(signs) => txt::PPC_SIGNS_OF_RANSOMWARE.both(|lang| vec![("signs", lang_of(signs, lang))]),
                None => pair(txt::PPC_NO_UNLAWFUL_ACT_YET),
            },
        },
        Trigger {
            number: 4,
            title: pair(txt::PPC_TRIGGER_THOUSAND_PERSONS),
            applies: None,
            why: pair(txt::PPC_ONCE_PERSONS_KNOWN),
        },
    ]
}

fn from_input(number: u8, title: (String, String), field: Field, fill: &'static str) -> Item {
    let text = field.value.clone().map(|v| (v.clone(), v));
    Item { number, title, text, source: field.source, basis: field.basis, fill: Some(fill) }
}

fn evidence(number: u8, title: (String, String), text: (String, String), basis: Vec<String>) -> Item {
    Item { number, title, text: Some(text), source: Source::Evidence, basis, fill: None }
}

/// The nine items.
pub fn items(m: &Incident) -> Vec<Item> {
    let input = |v: &Option<String>| Field::operator(v.clone(), "incident.toml");
    vec![
        overview(m),
        from_input(2, pair(txt::PPC_ITEM_PERSONAL_DATA), input(&m.input.personal_data), "personal_data"),
        from_input(3, pair(txt::PPC_ITEM_PERSONS), input(&m.input.persons), "persons"),
        cause(m),
        secondary(m),
        from_input(6, pair(txt::PPC_ITEM_NOTIFIED), input(&m.input.notified), "notified"),
        from_input(7, pair(txt::PPC_ITEM_PUBLICATION), input(&m.input.publication), "publication"),
        measures(m),
        from_input(9, pair(txt::PPC_ITEM_OTHER), input(&m.input.other), "other"),
    ]
}

fn overview(m: &Incident) -> Item {
    let title = pair(txt::PPC_ITEM_OVERVIEW);
    let affected = m.affected();
    if affected.is_empty() {
        return Item { number: 1, title, text: None, source: Source::Undetermined, basis: Vec::new(), fill: None };
    }
    let names: Vec<String> = affected.iter().map(|e| e.hostname.clone().unwrap_or_else(|| e.id.clone())).collect();
    let (ja, en) = txt::PPC_OVERVIEW.both(|lang| {
        let sep = txt::LIST_SEPARATOR.get(lang);
        let when = match &m.occurred_at.value {
            Some(v) => txt::PPC_FROM_ABOUT.fill(lang, &[("when", v)]),
            None => txt::PPC_AT_A_TIME_NOT_DETERMINED.get(lang).to_string(),
        };
        let family = txt::PPC_FAMILY.fill(lang, &[("families", &m.family_text(lang, false))]);
        vec![
            ("when", when),
            ("affected", affected.len().to_string()),
            ("names", names.join(sep)),
            ("encrypted", m.encrypted_files().to_string()),
            ("notes", m.ransom_notes().to_string()),
            ("family", family),
        ]
    });
    let mut basis: Vec<String> = affected.iter().map(|e| format!("endpoints/{}/findings.jsonl", e.id)).collect();
    basis.extend(m.occurred_at.basis.iter().cloned());
    evidence(1, title, (ja, en), basis)
}

fn cause(m: &Incident) -> Item {
    let title = pair(txt::PPC_ITEM_CAUSE);
    match malicious(m) {
        Some(signs) => evidence(
            4,
            title,
            txt::PPC_CAUSE_UNAUTHORISED_ACCESS.both(|lang| vec![("signs", lang_of(&signs, lang))]),
            vec!["findings.jsonl of the endpoints".into()],
        ),
        None => Item { number: 4, title, text: None, source: Source::Undetermined, basis: Vec::new(), fill: None },
    }
}

fn secondary(m: &Incident) -> Item {
    let title = pair(txt::PPC_ITEM_SECONDARY);
    if let Some(v) = m.input.secondary_damage.clone().filter(|v| !v.trim().is_empty()) {
        return Item {
            number: 5,
            title,
            text: Some((v.clone(), v)),
            source: Source::Operator,
            basis: vec!["incident.toml".into()],
            fill: Some("secondary_damage"),
        };
    }
    let onions: Vec<&super::model::Ioc> = m.iocs.iter().filter(|i| i.kind == "onion").collect();
    if onions.is_empty() {
        return Item {
            number: 5,
            title,
            text: None,
            source: Source::Undetermined,
            basis: Vec::new(),
            fill: Some("secondary_damage"),
        };
    }
    let basis = onions.iter().flat_map(|i| i.seen_in.clone()).collect();
    evidence(5, title, filled(txt::PPC_TOR_ADDRESSES, &[("n", &onions.len())]), basis)
}

fn measures(m: &Incident) -> Item {
    let title = pair(txt::PPC_ITEM_MEASURES);
    if let Some(v) = m.input.measures.clone().filter(|v| !v.trim().is_empty()) {
        return Item {
            number: 8,
            title,
            text: Some((v.clone(), v)),
            source: Source::Operator,
            basis: vec!["incident.toml".into()],
            fill: Some("measures"),
        };
    }
    // Scripts written for staff to run say nothing of whether they ran.
    let of = |script: bool| -> Vec<&str> {
        m.endpoints
            .iter()
            .filter(|e| e.isolated == Some(true) && (e.isolation_mode.as_deref() == Some("script-windows")) == script)
            .map(|e| e.id.as_str())
            .collect()
    };
    let (isolated, scripted) = (of(false), of(true));
    if isolated.is_empty() && scripted.is_empty() {
        return Item {
            number: 8,
            title,
            text: None,
            source: Source::Undetermined,
            basis: Vec::new(),
            fill: Some("measures"),
        };
    }
    let (mut ja, mut en) = (Vec::new(), Vec::new());
    for (text, ids) in [(txt::PPC_ISOLATED, &isolated), (txt::PPC_SCRIPTS_PREPARED, &scripted)] {
        if !ids.is_empty() {
            let (j, e) =
                text.both(|lang| vec![("n", ids.len().to_string()), ("ids", ids.join(txt::LIST_SEPARATOR.get(lang)))]);
            ja.push(j);
            en.push(e);
        }
    }
    ja.push(txt::PPC_LASTING_MEASURES.ja.to_string());
    en.push(txt::PPC_LASTING_MEASURES.en.to_string());
    evidence(8, title, (ja.concat(), en.join(" ")), vec!["isolation ledger".into()])
}

/// The report as blocks.
pub fn doc(m: &Incident, stage: Stage, lang: Lang) -> Doc {
    let t = |text: Text| text.get(lang).to_string();
    let title = match stage {
        Stage::Sokuho => t(txt::PERSONAL_INFORMATION_PROTECTION_COMMISSION_BREACH_REPORT),
        Stage::Kakuho => t(txt::PERSONAL_INFORMATION_PROTECTION_COMMISSION_BREACH_REPORT_2),
    };
    let mut d = Doc { title, lang: lang.code(), blocks: Vec::new() };
    d.push(Block::Table(vec![t(txt::ITEM), t(txt::VALUE)], header_rows(m, lang)));
    let mut lines = vec![format!("{}: {}", t(txt::SUBMIT_TO), m.desk(crate::config::ContactRole::Ppc, lang))];
    lines.extend(deadline_lines(m, stage, lang));
    d.push(Block::List(lines));
    d.push(Block::Heading(1, t(txt::WHY_A_REPORT_IS_DUE_ENFORCEMENT)));
    let rows = triggers(m)
        .into_iter()
        .map(|tr| {
            let applies = match tr.applies {
                Some(true) => t(txt::APPLIES),
                Some(false) => t(txt::DOES_NOT_APPLY),
                None => t(txt::CANNOT_BE_TOLD_YET),
            };
            vec![
                format!("{}", tr.number),
                lang.pick(&tr.title.0, &tr.title.1).to_string(),
                applies,
                lang.pick(&tr.why.0, &tr.why.1).to_string(),
            ]
        })
        .collect();
    d.push(Block::Table(vec![t(txt::NO), t(txt::CASE_2), t(txt::APPLIES_2), t(txt::WHY_2)], rows));
    d.push(Block::Heading(1, t(txt::WHAT_IS_REPORTED_ENFORCEMENT_RULES_ART)));
    for item in items(m) {
        item_blocks(&mut d, &item, stage, lang);
    }
    d
}

fn header_rows(m: &Incident, lang: Lang) -> Vec<Vec<String>> {
    let shown = |f: &Field| f.value.clone().unwrap_or_else(|| txt::NOT_SET.get(lang).to_string());
    let h = |k: &str| m.hospital.get(k).map(shown).unwrap_or_default();
    vec![
        vec![txt::REPORTER_INSTITUTION.get(lang).into(), h("name")],
        vec![txt::FOUNDER.get(lang).into(), h("founder")],
        vec![txt::ADDRESS.get(lang).into(), h("address")],
        vec![txt::ADMINISTRATOR.get(lang).into(), h("administrator")],
        vec![txt::SECURITY_OFFICER.get(lang).into(), h("security_officer")],
        vec![txt::PHONE_2.get(lang).into(), h("phone")],
        vec![txt::CASE.get(lang).into(), m.case_id.clone()],
        vec![
            txt::BECAME_AWARE.get(lang).into(),
            m.aware_at.value.clone().unwrap_or_else(|| txt::UNDETERMINED_RECORD_IT_WITH_CASE_INIT.get(lang).into()),
        ],
        vec![txt::OCCURRED_ESTIMATED.get(lang).into(), occurred(m, lang)],
        vec![txt::MADE.get(lang).into(), m.generated.clone()],
    ]
}

fn occurred(m: &Incident, lang: Lang) -> String {
    match &m.occurred_at.value {
        Some(v) => format!("{v}（{}: {}）", txt::FROM.get(lang), m.occurred_at.basis.join("; ")),
        None => txt::UNDETERMINED_2.get(lang).into(),
    }
}

fn deadline_lines(m: &Incident, stage: Stage, lang: Lang) -> Vec<String> {
    let Some(d) = &m.deadlines else {
        return vec![txt::DUE_DATES_NOT_RECORDED_CANNOT_BE.get(lang).into()];
    };
    let malicious = malicious(m).is_some();
    let kakuho = if malicious { d.ppc_kakuho } else { d.ppc_kakuho_not_malicious };
    let days = if malicious { 60 } else { 30 };
    let sokuho = txt::PPC_SOKUHO_WINDOW.fill(lang, &[("from", &d.ppc_sokuho_from), ("to", &d.ppc_sokuho_to)]);
    let why = if malicious { txt::PPC_UNLAWFUL_INTENT.get(lang) } else { "" };
    let final_ = txt::PPC_KAKUHO_DUE.fill(lang, &[("due", &kakuho), ("days", &days), ("why", &why)]);
    match stage {
        Stage::Sokuho => vec![sokuho, final_],
        Stage::Kakuho => vec![final_],
    }
}

fn item_blocks(d: &mut Doc, item: &Item, stage: Stage, lang: Lang) {
    d.push(Block::Heading(2, format!("{}. {}", item.number, lang.pick(&item.title.0, &item.title.1))));
    match &item.text {
        Some((ja, en)) => {
            d.push(Block::Para(lang.pick(ja, en).to_string()));
            let from = match item.source {
                Source::Evidence => txt::FROM_THE_EVIDENCE.get(lang),
                Source::Operator => txt::FROM_THE_OPERATOR.get(lang),
                Source::Undetermined => txt::UNDETERMINED.get(lang),
            };
            let basis = if item.basis.is_empty() { String::new() } else { format!(": {}", item.basis.join("; ")) };
            d.push(Block::Para(format!("（{from}{basis}）")));
        }
        None => {
            let fill = item.fill.map(|k| txt::PPC_FILL_IN.fill(lang, &[("key", &k)])).unwrap_or_default();
            let what = match stage {
                Stage::Sokuho => txt::UNDETERMINED_GIVE_WHAT_IS_KNOWN_AT.get(lang),
                Stage::Kakuho => txt::UNDETERMINED_THE_FINAL_REPORT_NEEDS_THIS.get(lang),
            };
            d.push(Block::Warn(format!("{what}{fill}")));
        }
    }
}
