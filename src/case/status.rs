//! `case status`: the case at a glance, read without the lock and without writing.

use std::fs;
use std::path::Path;

use chrono::{DateTime, Days, FixedOffset, NaiveDate};
use serde::Serialize;

use super::custody::{self, Entry};
use super::{Case, lock};
use crate::case::layout::{BACKUPS_DIR, CONFIG_COPY, ENDPOINTS_DIR, REPORTS_DIR};
use crate::clock::{self, jst};
use crate::config::{self, Config, EffectiveContact};
use crate::error::Result;

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
    /// The contacts that apply: the hospital's own, else shipped defaults marked as such.
    pub contacts: Vec<EffectiveContact>,
    /// Why the case's copy of `shodo.toml` could not be read, when it could not.
    pub config_error: Option<String>,
}

/// Deadlines of the 個人情報保護委員会 report, counted from 覚知日時 (JST dates).
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
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
    let (contacts, config_error) = contacts_of(dir, file.hospital.is_some())?;
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
        contacts,
        config_error,
    })
}

/// Contacts from the case's copy of `shodo.toml`, or the shipped defaults when there is none.
fn contacts_of(dir: &Path, has_config: bool) -> Result<(Vec<EffectiveContact>, Option<String>)> {
    if !has_config {
        return Ok((config::defaults_only()?, None));
    }
    match Config::load(&dir.join(CONFIG_COPY)) {
        Ok(c) => Ok((c.effective_contacts()?, None)),
        Err(e) => Ok((config::defaults_only()?, Some(e.to_string()))),
    }
}

/// The names of the folders in `dir`, sorted (none when it cannot be read).
pub fn subdirs(dir: &Path) -> Vec<String> {
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

    #[test]
    fn deadlines_cross_month_ends_leap_days_and_years() {
        let at = |t: &str| Deadlines::from_aware(clock::parse_time(t).unwrap().with_timezone(&jst()));
        // 30 days from 31 January: 2 March in a common year, 1 March in a leap year.
        assert_eq!(at("2026-01-31 10:00").ppc_kakuho_not_malicious.to_string(), "2026-03-02");
        assert_eq!(at("2028-01-31 10:00").ppc_kakuho_not_malicious.to_string(), "2028-03-01");
        // The 速報 window across a month end and a year end.
        let d = at("2026-12-29 23:59");
        assert_eq!(
            (d.ppc_sokuho_from.to_string(), d.ppc_sokuho_to.to_string()),
            ("2027-01-01".into(), "2027-01-03".into())
        );
        assert_eq!(d.ppc_kakuho.to_string(), "2027-02-27");
        // 60 days from 31 December 2027 reach 29 February 2028 (a leap year).
        assert_eq!(at("2027-12-31 00:00").ppc_kakuho.to_string(), "2028-02-29");
    }
}
