//! Status for people: label/value pairs in one language, shared by the CLI text and the TUI.

use super::status::{Deadlines, Status};
use crate::case::strings as txt;
use crate::config::{EffectiveContact, Origin};
use crate::lang::Lang;

impl Status {
    /// Label/value pairs for people, in one language (CLI text and TUI share them).
    pub fn summary(&self, lang: Lang) -> Vec<(&'static str, String)> {
        summary(self, lang)
    }
}

fn summary(s: &Status, lang: Lang) -> Vec<(&'static str, String)> {
    let unset = || txt::NOT_SET.get(lang).to_string();
    let mut lines = vec![
        (txt::CASE.get(lang), s.id.clone()),
        (txt::HOSPITAL.get(lang), s.hospital.clone().unwrap_or_else(|| txt::NO_CONFIG.get(lang).into())),
        (txt::CREATED.get(lang), s.created.format("%Y-%m-%d %H:%M:%S JST").to_string()),
        (
            txt::AWARE_AT.get(lang),
            s.aware_at.map(|t| t.format("%Y-%m-%d %H:%M:%S JST").to_string()).unwrap_or_else(unset),
        ),
        (txt::EXAMINERS.get(lang), if s.examiners.is_empty() { unset() } else { s.examiners.join(", ") }),
        (txt::CLOCK_SKEW.get(lang), skew_text(s.skew_seconds, lang)),
        (txt::CUSTODY_LOG.get(lang), custody_text(s, lang)),
        (txt::ENDPOINTS.get(lang), s.endpoints.len().to_string()),
        (txt::BACKUPS.get(lang), s.backups.to_string()),
        (txt::REPORTS.get(lang), s.reports.to_string()),
    ];
    if let Some(d) = &s.deadlines {
        lines.extend(deadline_lines(d, lang));
    }
    lines.extend(s.contacts.iter().map(|c| (c.role.label(lang), contact_text(c, lang))));
    if let Some(who) = &s.in_use_by {
        lines.push((txt::IN_USE_BY.get(lang), who.clone()));
    }
    lines
}

fn skew_text(skew: Option<f64>, lang: Lang) -> String {
    match skew {
        None => txt::NOT_MEASURED_NO_REFERENCE_TIME.get(lang).into(),
        Some(s) if s.abs() < 0.5 => txt::NONE_UNDER_0_5_S.get(lang).into(),
        Some(s) if s >= 0.0 => {
            format!("{s:+.1} {}", txt::S_HOST_CLOCK_AHEAD.get(lang))
        }
        Some(s) => format!("{s:+.1} {}", txt::S_HOST_CLOCK_BEHIND.get(lang)),
    }
}

fn custody_text(s: &Status, lang: Lang) -> String {
    let last = s.last_action.as_ref().map(|e| format!(" — {} {} ({})", txt::LAST.get(lang), e.action, e.jst));
    format!("{} {}{}", s.custody_entries, txt::ENTRIES.get(lang), last.unwrap_or_default())
}

/// The PPC deadlines, counted from 覚知日時.
fn deadline_lines(d: &Deadlines, lang: Lang) -> [(&'static str, String); 2] {
    let left = Deadlines::days_left(d.ppc_kakuho);
    [
        (
            txt::PPC_PRELIM.get(lang),
            format!("{}〜{} {}", d.ppc_sokuho_from, d.ppc_sokuho_to, txt::GUIDELINE_3_5_DAYS.get(lang)),
        ),
        (txt::PPC_FINAL.get(lang), txt::PPC_FINAL_DUE.fill(lang, &[("due", &d.ppc_kakuho), ("left", &left)])),
    ]
}

/// One contact, with its origin said plainly: a shipped default is never shown as verified.
/// The number comes first: on a narrow screen the name is what gets cut, not the number to dial.
/// One contact for people: phone, name, person, and whether it is a shipped default.
pub fn contact_text(c: &EffectiveContact, lang: Lang) -> String {
    let Some(contact) = &c.contact else {
        return txt::NOT_SET_FILL_IN_SHODO_TOML.get(lang).into();
    };
    let origin = match &c.origin {
        Origin::Default { source_date, .. } => Some(txt::DEFAULT_UNVERIFIED.fill(lang, &[("date", source_date)])),
        Origin::Configured | Origin::Unset => None,
    };
    let parts =
        [contact.phone.as_ref().map(|p| p.to_string()), Some(contact.name.clone()), contact.person.clone(), origin];
    parts.into_iter().flatten().collect::<Vec<_>>().join(" ")
}
