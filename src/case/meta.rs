//! `case.toml`: who opened the case, when, on which clock, and when the hospital became aware.

use std::path::Path;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::case::layout::CASE_FILE;
use crate::config;
use crate::error::{Error, Result};

/// The whole of `case.toml`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CaseFile {
    /// The incident.
    pub case: CaseInfo,
    /// The clock the case was opened on.
    pub clock: ClockInfo,
    /// The hospital, from `shodo.toml` when one was found.
    pub hospital: Option<HospitalInfo>,
}

/// The incident.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CaseInfo {
    /// Unique id: JST time of creation plus random suffix.
    pub id: String,
    /// When the case was opened (host clock, JST).
    pub created: DateTime<FixedOffset>,
    /// shodo version that opened it.
    pub tool_version: String,
    /// 覚知日時 (JST) as the operator gave it; absent means 未確定.
    pub aware_at: Option<DateTime<FixedOffset>>,
    /// Examiners (調査担当者).
    #[serde(default)]
    pub examiners: Vec<String>,
}

/// Host clock against a trusted reference at case creation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ClockInfo {
    /// The host clock when the case was opened (JST).
    pub host: DateTime<FixedOffset>,
    /// The reference time the operator read from a trusted clock at that moment (JST).
    pub reference: Option<DateTime<FixedOffset>>,
    /// Host minus reference, seconds (positive: host ahead). Absent when no reference was given.
    pub skew_seconds: Option<f64>,
}

/// The hospital the case belongs to.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HospitalInfo {
    /// 名称.
    pub name: String,
    /// The config as copied into the case.
    pub config_file: String,
    /// Where it was copied from.
    pub config_source: String,
}

impl CaseFile {
    /// Reads `<dir>/case.toml`.
    pub fn load(dir: &Path) -> Result<CaseFile> {
        let path = dir.join(CASE_FILE);
        let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                Error::NotACase { path: dir.to_path_buf(), reason: format!("{CASE_FILE} not found") }
            }
            _ => Error::io("read", &path)(e),
        })?;
        let text =
            std::str::from_utf8(&bytes).map_err(|e| Error::Corrupt { path: path.clone(), what: e.to_string() })?;
        config::deserialize(&path, text)
    }

    /// TOML text of the file.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string_pretty(self).map_err(|e| Error::Corrupt { path: CASE_FILE.into(), what: e.to_string() })
    }
}
