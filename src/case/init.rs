//! `case init`: create a case, refusing to touch anything that already exists.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::json;

use super::atomic;
use super::custody::{FileRef, Log, NewEntry};
use super::lock::{self, CaseLock};
use super::meta::{CaseFile, CaseInfo, ClockInfo, HospitalInfo};
use crate::case::layout;
use crate::case::layout::{BACKUPS_DIR, CASE_FILE, CONFIG_COPY, ENDPOINTS_DIR, REPORTS_DIR};
use crate::clock::{self, jst};
use crate::config::Config;
use crate::error::{Error, Result};

/// What `case init` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct InitOptions {
    /// The case directory to create (or an empty one to fill).
    pub dir: PathBuf,
    /// `shodo.toml` to use; when `None`, looked for beside the case and in the working directory.
    pub config: Option<PathBuf>,
    /// 覚知日時, when known.
    pub aware_at: Option<DateTime<Utc>>,
    /// Examiners.
    pub examiners: Vec<String>,
    /// The time read from a trusted clock at this moment, to measure the host clock's skew.
    pub reference_time: Option<DateTime<Utc>>,
}

/// Creates the case. The config is validated before anything is written.
pub fn init(opts: &InitOptions) -> Result<CaseFile> {
    let config = find_config(opts)?.map(|p| Config::load(&p).map(|c| (p, c))).transpose()?;
    prepare_dir(&opts.dir)?;
    let _lock = CaseLock::acquire(&opts.dir, "case init")?;
    ensure_empty(&opts.dir)?;
    let host_now = clock::now();
    let case = case_file(opts, host_now, config.as_ref());
    if let Some((src, _)) = &config {
        let bytes = fs::read(src).map_err(Error::io("read", src))?;
        atomic::create_new(&opts.dir.join(CONFIG_COPY), &bytes)?;
    }
    atomic::create_new(&opts.dir.join(CASE_FILE), case.to_toml()?.as_bytes())?;
    for sub in [ENDPOINTS_DIR, BACKUPS_DIR, REPORTS_DIR] {
        atomic::mkdir(&opts.dir.join(sub))?;
    }
    record_init(opts, &case, config.is_some())?;
    Ok(case)
}

fn find_config(opts: &InitOptions) -> Result<Option<PathBuf>> {
    if let Some(p) = &opts.config {
        return Ok(Some(p.clone()));
    }
    let beside = opts.dir.parent().map(|p| p.join(CONFIG_COPY));
    let here = PathBuf::from(CONFIG_COPY);
    Ok(beside.into_iter().chain([here]).find(|p| p.is_file()))
}

fn prepare_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        return ensure_empty(dir);
    }
    fs::create_dir_all(dir).map_err(Error::io("mkdir", dir))?;
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        atomic::sync_dir(parent)?;
    }
    Ok(())
}

fn ensure_empty(dir: &Path) -> Result<()> {
    if !dir.is_dir() {
        return Err(Error::CaseExists { path: dir.to_path_buf() });
    }
    let mut entries = fs::read_dir(dir).map_err(Error::io("read", dir))?;
    let occupied = entries.any(|e| e.map_or(true, |e| e.file_name() != layout::LOCK_FILE));
    if occupied { Err(Error::CaseExists { path: dir.to_path_buf() }) } else { Ok(()) }
}

fn case_file(opts: &InitOptions, host_now: DateTime<Utc>, config: Option<&(PathBuf, Config)>) -> CaseFile {
    let id = format!(
        "{}-{}",
        host_now.with_timezone(&jst()).format("%Y%m%d-%H%M%S"),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    CaseFile {
        case: CaseInfo {
            id,
            created: host_now.with_timezone(&jst()),
            tool_version: crate::VERSION.to_string(),
            aware_at: opts.aware_at.map(|t| t.with_timezone(&jst())),
            examiners: opts.examiners.clone(),
        },
        clock: ClockInfo {
            host: host_now.with_timezone(&jst()),
            reference: opts.reference_time.map(|t| t.with_timezone(&jst())),
            skew_seconds: opts.reference_time.map(|r| clock::skew_seconds(host_now, r)),
        },
        hospital: config.map(|(src, c)| HospitalInfo {
            name: c.hospital.name.clone(),
            config_file: CONFIG_COPY.to_string(),
            config_source: src.display().to_string(),
        }),
    }
}

fn record_init(opts: &InitOptions, case: &CaseFile, has_config: bool) -> Result<()> {
    let mut files = vec![FileRef::of(&opts.dir, CASE_FILE)?];
    if has_config {
        files.push(FileRef::of(&opts.dir, CONFIG_COPY)?);
    }
    let detail = json!({
        "case_id": case.case.id,
        "aware_at": case.case.aware_at,
        "examiners": case.case.examiners,
        "host": lock::hostname(),
        "clock": case.clock,
        "tool_version": crate::VERSION,
        "config_source": case.hospital.as_ref().map(|h| h.config_source.clone()),
    });
    let entry = NewEntry::new("case.init", &case.case.id, detail).with_files(files);
    Log::new(&opts.dir).append(&actor_of(&opts.examiners), entry).map(drop)
}

/// The actor recorded for examiners given on the command line.
pub fn actor_of(examiners: &[String]) -> String {
    if examiners.is_empty() { "unknown".to_string() } else { examiners.join(", ") }
}
