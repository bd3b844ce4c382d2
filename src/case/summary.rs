//! Status for people: label/value pairs in one language, shared by the CLI text and the TUI.

use super::status::{Deadlines, Status};
use crate::config::{EffectiveContact, Origin};
use crate::lang::Lang;

impl Status {
    /// Label/value pairs for people, in one language (CLI text and TUI share them).
    pub fn summary(&self, lang: Lang) -> Vec<(&'static str, String)> {
        summary(self, lang)
    }
}

fn summary(s: &Status, lang: Lang) -> Vec<(&'static str, String)> {
    let unset = || lang.pick("未確定", "not set").to_string();
    let mut lines = vec![
        (lang.pick("ケース", "Case"), s.id.clone()),
        (
            lang.pick("病院", "Hospital"),
            s.hospital.clone().unwrap_or_else(|| lang.pick("（設定なし）", "(no config)").into()),
        ),
        (lang.pick("作成", "Created"), s.created.format("%Y-%m-%d %H:%M:%S JST").to_string()),
        (
            lang.pick("覚知日時", "Aware at"),
            s.aware_at.map(|t| t.format("%Y-%m-%d %H:%M:%S JST").to_string()).unwrap_or_else(unset),
        ),
        (lang.pick("調査担当", "Examiners"), if s.examiners.is_empty() { unset() } else { s.examiners.join(", ") }),
        (lang.pick("時計のずれ", "Clock skew"), skew_text(s.skew_seconds, lang)),
        (lang.pick("記録", "Custody log"), custody_text(s, lang)),
        (lang.pick("端末", "Endpoints"), s.endpoints.len().to_string()),
        (lang.pick("バックアップ", "Backups"), s.backups.to_string()),
        (lang.pick("報告書", "Reports"), s.reports.to_string()),
    ];
    if let Some(d) = &s.deadlines {
        lines.extend(deadline_lines(d, lang));
    }
    lines.extend(s.contacts.iter().map(|c| (c.role.label(lang), contact_text(c, lang))));
    if let Some(who) = &s.in_use_by {
        lines.push((lang.pick("使用中", "In use by"), who.clone()));
    }
    lines
}

fn skew_text(skew: Option<f64>, lang: Lang) -> String {
    match skew {
        None => lang.pick("未測定（--reference-time なし）", "not measured (no --reference-time)").into(),
        Some(s) if s.abs() < 0.5 => lang.pick("ずれなし（±0.5 秒未満）", "none (under ±0.5 s)").into(),
        Some(s) if s >= 0.0 => {
            format!("{s:+.1} {}", lang.pick("秒（ホストの時計が進んでいる）", "s (host clock ahead)"))
        }
        Some(s) => format!("{s:+.1} {}", lang.pick("秒（ホストの時計が遅れている）", "s (host clock behind)")),
    }
}

fn custody_text(s: &Status, lang: Lang) -> String {
    let last = s.last_action.as_ref().map(|e| format!(" — {} {} ({})", lang.pick("最新", "last"), e.action, e.jst));
    format!("{} {}{}", s.custody_entries, lang.pick("件", "entries"), last.unwrap_or_default())
}

/// The PPC deadlines, counted from 覚知日時.
fn deadline_lines(d: &Deadlines, lang: Lang) -> [(&'static str, String); 2] {
    let left = Deadlines::days_left(d.ppc_kakuho);
    [
        (
            lang.pick("PPC 速報", "PPC prelim."),
            format!(
                "{}〜{} {}",
                d.ppc_sokuho_from,
                d.ppc_sokuho_to,
                lang.pick("（目安 3〜5日）", "(guideline: 3–5 days)")
            ),
        ),
        (
            lang.pick("PPC 確報", "PPC final"),
            match lang {
                Lang::Ja => format!("{}（不正の目的: 60日、あと {left} 日）", d.ppc_kakuho),
                Lang::En => format!("{} (malicious act: 60 days, {left} days left)", d.ppc_kakuho),
            },
        ),
    ]
}

/// One contact, with its origin said plainly: a shipped default is never shown as verified.
/// The number comes first: on a narrow screen the name is what gets cut, not the number to dial.
/// One contact for people: phone, name, person, and whether it is a shipped default.
pub fn contact_text(c: &EffectiveContact, lang: Lang) -> String {
    let Some(contact) = &c.contact else {
        return lang.pick("未設定（shodo.toml に記入してください）", "not set (fill in shodo.toml)").into();
    };
    let origin = match &c.origin {
        Origin::Default { source_date, .. } => Some(match lang {
            Lang::Ja => format!("［既定値: {source_date} 時点の公開情報・未確認］"),
            Lang::En => format!("[default: public information as of {source_date}, unverified]"),
        }),
        Origin::Configured | Origin::Unset => None,
    };
    let parts =
        [contact.phone.as_ref().map(|p| p.to_string()), Some(contact.name.clone()), contact.person.clone(), origin];
    parts.into_iter().flatten().collect::<Vec<_>>().join(" ")
}
