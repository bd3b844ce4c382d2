//! `case status`: the case at a glance, read without the lock and without writing.

use std::fs;
use std::path::Path;

use chrono::{DateTime, Days, FixedOffset, NaiveDate};
use serde::Serialize;

use super::custody::{self, Entry};
use super::{BACKUPS_DIR, Case, ENDPOINTS_DIR, REPORTS_DIR, lock};
use crate::clock::{self, jst};
use crate::error::Result;
use crate::lang::Lang;

/// The case at a glance.
#[derive(Clone, Debug, Serialize)]
pub struct Status {
    /// Case directory.
    pub dir: String,
    /// Case id.
    pub id: String,
    /// Opened at (JST).
    pub created: DateTime<FixedOffset>,
    /// 覚知日時 (JST); `None` is 未確定.
    pub aware_at: Option<DateTime<FixedOffset>>,
    /// Examiners.
    pub examiners: Vec<String>,
    /// Hospital name, when a config was used.
    pub hospital: Option<String>,
    /// Host clock skew measured at creation.
    pub skew_seconds: Option<f64>,
    /// Complete custody lines.
    pub custody_entries: usize,
    /// The newest action.
    pub last_action: Option<Entry>,
    /// Endpoint ids examined.
    pub endpoints: Vec<String>,
    /// Backup media checked.
    pub backups: usize,
    /// Report files written.
    pub reports: usize,
    /// Another process writing the case right now.
    pub in_use_by: Option<String>,
    /// Reporting deadlines, once 覚知日時 is known.
    pub deadlines: Option<Deadlines>,
}

/// Deadlines of the 個人情報保護委員会 report, counted from 覚知日時 (JST dates).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Deadlines {
    /// 速報: "速やかに", about 3–5 days — first day of that window.
    pub ppc_sokuho_from: NaiveDate,
    /// 速報 window, last day.
    pub ppc_sokuho_to: NaiveDate,
    /// 確報 within 60 days when the act was 不正の目的 (ransomware is).
    pub ppc_kakuho: NaiveDate,
    /// 確報 within 30 days otherwise.
    pub ppc_kakuho_not_malicious: NaiveDate,
}

impl Deadlines {
    /// Counts the deadlines from 覚知日時.
    pub fn from_aware(aware: DateTime<FixedOffset>) -> Deadlines {
        let day = aware.with_timezone(&jst()).date_naive();
        let plus = |n| day.checked_add_days(Days::new(n)).unwrap_or(day);
        Deadlines {
            ppc_sokuho_from: plus(3),
            ppc_sokuho_to: plus(5),
            ppc_kakuho: plus(60),
            ppc_kakuho_not_malicious: plus(30),
        }
    }

    /// Days from today (JST) to `date`; negative when past.
    pub fn days_left(date: NaiveDate) -> i64 {
        (date - clock::now().with_timezone(&jst()).date_naive()).num_days()
    }
}

/// Reads the status of the case at `dir`.
pub fn status(dir: &Path) -> Result<Status> {
    let case = Case::open(dir)?;
    let file = case.file();
    let entries = custody::read_entries(dir).unwrap_or_default();
    Ok(Status {
        dir: dir.display().to_string(),
        id: file.case.id.clone(),
        created: file.case.created,
        aware_at: file.case.aware_at,
        examiners: file.case.examiners.clone(),
        hospital: file.hospital.as_ref().map(|h| h.name.clone()),
        skew_seconds: file.clock.skew_seconds,
        custody_entries: entries.len(),
        last_action: entries.last().cloned(),
        endpoints: subdirs(&dir.join(ENDPOINTS_DIR)),
        backups: subdirs(&dir.join(BACKUPS_DIR)).len(),
        reports: count_files(&dir.join(REPORTS_DIR)),
        in_use_by: lock::holder(dir),
        deadlines: file.case.aware_at.map(Deadlines::from_aware),
    })
}

fn subdirs(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn count_files(dir: &Path) -> usize {
    fs::read_dir(dir).into_iter().flatten().flatten().filter(|e| e.file_type().is_ok_and(|t| t.is_file())).count()
}

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
        lines.push((lang.pick("期限", "Deadlines"), deadline_text(d, lang)));
    }
    if let Some(who) = &s.in_use_by {
        lines.push((lang.pick("使用中", "In use by"), who.clone()));
    }
    lines
}

fn skew_text(skew: Option<f64>, lang: Lang) -> String {
    match skew {
        None => lang.pick("未測定（--reference-time なし）", "not measured (no --reference-time)").into(),
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

/// The PPC deadlines in one line.
fn deadline_text(d: &Deadlines, lang: Lang) -> String {
    let left = Deadlines::days_left(d.ppc_kakuho);
    match lang {
        Lang::Ja => format!(
            "個人情報保護委員会 速報 {}〜{}（目安）、確報 {}（不正の目的: 60日、あと {left} 日）",
            d.ppc_sokuho_from, d.ppc_sokuho_to, d.ppc_kakuho
        ),
        Lang::En => format!(
            "PPC preliminary report {}–{} (guideline), final report {} (malicious act: 60 days, {left} days left)",
            d.ppc_sokuho_from, d.ppc_sokuho_to, d.ppc_kakuho
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_count_from_the_jst_date_of_awareness() {
        // 23:30 UTC on the 20th is 08:30 JST on the 21st.
        let aware = clock::parse_time("2026-11-20T23:30:00Z").unwrap().with_timezone(&jst());
        let d = Deadlines::from_aware(aware);
        assert_eq!(d.ppc_sokuho_to.to_string(), "2026-11-26");
        assert_eq!(d.ppc_kakuho.to_string(), "2027-01-20");
        assert_eq!(d.ppc_kakuho_not_malicious.to_string(), "2026-12-21");
    }
}
