//! 厚生労働省への報告 (2018 notice 医政総発1029第1号 etc.: report promptly when care is disrupted
//! or personal data may have leaked). No official form exists; the fields follow what the notice
//! and the ministry's later guidance ask for (REGULATORY.md).

use super::doc::{Block, Doc};
use super::model::{Field, Incident};
use super::ppc;
use crate::lang::Lang;
use crate::lang::Text;
use crate::report::strings as txt;

fn or_unset(v: Option<String>, lang: Lang, fill: &str) -> String {
    v.filter(|v| !v.trim().is_empty()).unwrap_or_else(|| txt::MHLW_UNDETERMINED.fill(lang, &[("key", &fill)]))
}

fn field(f: &Field, lang: Lang) -> String {
    f.value.clone().unwrap_or_else(|| txt::NOT_SET.get(lang).into())
}

/// The report as blocks.
pub fn doc(m: &Incident, lang: Lang) -> Doc {
    let t = |text: Text| text.get(lang).to_string();
    let mut d = Doc { title: t(txt::REPORT_TO_THE_MINISTRY_OF_HEALTH), lang: lang.code(), blocks: Vec::new() };
    let h = |k: &str| m.hospital.get(k).map(|f| field(f, lang)).unwrap_or_default();
    d.push(Block::List(vec![format!("{}: {}", t(txt::SUBMIT_TO), m.desk(crate::config::ContactRole::Mhlw, lang))]));
    d.push(Block::Heading(1, t(txt::N1_INSTITUTION)));
    d.push(Block::Table(
        vec![t(txt::ITEM), t(txt::VALUE)],
        vec![
            vec![t(txt::NAME), h("name")],
            vec![t(txt::FOUNDER), h("founder")],
            vec![t(txt::ADDRESS), h("address")],
            vec![t(txt::ADMINISTRATOR), h("administrator")],
            vec![t(txt::CONTACT_SECURITY_OFFICER), h("security_officer")],
            vec![t(txt::PHONE), h("phone")],
        ],
    ));
    d.push(Block::Heading(1, t(txt::N2_WHEN)));
    d.push(Block::List(vec![
        format!("{}: {}", t(txt::BECAME_AWARE), field(&m.aware_at, lang)),
        format!(
            "{}: {}{}",
            t(txt::OCCURRED_ESTIMATED_FROM_EVIDENCE),
            field(&m.occurred_at, lang),
            if m.occurred_at.basis.is_empty() {
                String::new()
            } else {
                format!(" — {}", m.occurred_at.basis.join("; "))
            }
        ),
    ]));
    d.push(Block::Heading(1, t(txt::N3_WHERE_AND_HOW_FAR)));
    d.push(Block::Table(
        vec![t(txt::ENDPOINT), "OS".into(), t(txt::IP_ADDRESSES), t(txt::ENCRYPTED), t(txt::NOTES), t(txt::ISOLATION)],
        m.endpoints.iter().map(|e| endpoint_row(e, lang)).collect(),
    ));
    d.push(Block::Heading(1, t(txt::N4_DAMAGE)));
    d.push(Block::List(vec![
        format!("{}: {} / {}", t(txt::ENCRYPTED_FILES_AFFECTED_ENDPOINTS), m.encrypted_files(), m.affected().len()),
        format!("{}: {}", t(txt::RANSOM_NOTES), m.ransom_notes()),
        format!("{}: {}", t(txt::FAMILY_ESTIMATED), m.family_text(lang, true)),
    ]));
    d.push(Block::Heading(1, t(txt::N5_IMPACT_ON_CARE)));
    d.push(Block::Para(or_unset(m.input.care_impact.clone(), lang, "care_impact")));
    d.push(Block::Heading(1, t(txt::N6_RISK_OF_A_PERSONAL_DATA)));
    let trig = ppc::triggers(m);
    d.push(Block::List(
        trig.iter()
            .filter(|x| x.applies == Some(true))
            .map(|x| format!("{}: {}", lang.pick(&x.title.0, &x.title.1), lang.pick(&x.why.0, &x.why.1)))
            .collect(),
    ));
    d.push(Block::Para(t(txt::THE_PPC_BREACH_REPORT_IS_ATTACHED)));
    d.push(Block::Heading(1, t(txt::N7_WAY_IN_ESTIMATED_FROM_EVIDENCE)));
    entry_blocks(&mut d, m, lang);
    d.push(Block::Heading(1, t(txt::N8_RESPONSE_SO_FAR)));
    let mut done: Vec<String> = m
        .endpoints
        .iter()
        .filter_map(|e| {
            let mode = e.isolation_mode.clone()?;
            let state = if e.isolated == Some(true) { t(txt::ISOLATED) } else { t(txt::RELEASED) };
            Some(format!("{}: {state}（{mode}）", e.id))
        })
        .collect();
    done.extend(
        m.preserved
            .iter()
            .filter(|p| p.files > 0)
            .map(|p| txt::MHLW_PRESERVED.fill(lang, &[("endpoint", &p.endpoint), ("files", &p.files)])),
    );
    done.extend(m.notes.iter().map(|n| format!("{}: {n}", t(txt::NOTE))));
    if done.is_empty() {
        done.push(t(txt::UNDETERMINED_NO_ISOLATION_PRESERVATION_OR_CONTACT));
    }
    d.push(Block::List(done));
    d.push(Block::Heading(1, t(txt::N9_RECOVERY_OUTLOOK_BACKUP_VERIFICATION)));
    d.push(Block::List(backup_lines(m, lang)));
    d.push(Block::Heading(1, t(txt::N10_PUBLIC_ANNOUNCEMENT)));
    d.push(Block::Para(or_unset(m.input.publication.clone(), lang, "publication")));
    d.push(Block::Heading(1, t(txt::N11_MEASURES_AGAINST_RECURRENCE)));
    d.push(Block::Para(or_unset(m.input.measures.clone(), lang, "measures")));
    d
}

fn endpoint_row(e: &super::model::EndpointFacts, lang: Lang) -> Vec<String> {
    let isolation = match (e.isolated, &e.isolation_mode) {
        (Some(true), Some(m)) => format!("{} ({m})", txt::ISOLATED.get(lang)),
        (Some(false), Some(m)) => format!("{} ({m})", txt::RELEASED.get(lang)),
        _ => txt::NONE.get(lang).into(),
    };
    vec![
        e.hostname.clone().map_or_else(|| e.id.clone(), |h| format!("{h} ({})", e.id)),
        e.os.clone().unwrap_or_else(|| "-".into()),
        if e.addresses.is_empty() { "-".into() } else { e.addresses.join(", ") },
        e.encrypted_files.to_string(),
        e.ransom_notes.to_string(),
        isolation,
    ]
}

/// The ways in found (connection points, logons from outside) as a table, or that none were.
pub(super) fn entry_blocks(d: &mut Doc, m: &Incident, lang: Lang) {
    if m.entry_points.is_empty() {
        d.push(Block::Warn(txt::UNDETERMINED_NO_EXTERNAL_CONNECTION_POINT_OR.get(lang).into()));
        return;
    }
    d.push(Block::Table(
        vec![
            txt::ENDPOINT.get(lang).into(),
            txt::KIND.get(lang).into(),
            txt::NAME_ADDRESS.get(lang).into(),
            txt::TIME.get(lang).into(),
            txt::EVIDENCE.get(lang).into(),
        ],
        m.entry_points
            .iter()
            .map(|p| {
                vec![
                    p.endpoint.clone(),
                    p.kind.clone(),
                    p.name.clone(),
                    p.time.clone().unwrap_or_default(),
                    p.evidence.join("\n"),
                ]
            })
            .collect(),
    ));
}

fn backup_lines(m: &Incident, lang: Lang) -> Vec<String> {
    if m.backups.is_empty() {
        return vec![txt::UNDETERMINED_NO_BACKUP_VERIFIED_YET_SHODO.get(lang).into()];
    }
    m.backups
        .iter()
        .map(|b| {
            let clean = b.last_clean.clone().unwrap_or_else(|| txt::NONE.get(lang).into());
            let bad = b.first_bad.as_ref().map(|f| txt::MHLW_FIRST_BAD.fill(lang, &[("generation", f)]));
            txt::MHLW_LAST_CLEAN
                .fill(lang, &[("medium", &b.medium), ("clean", &clean), ("bad", &bad.unwrap_or_default())])
        })
        .collect()
}
