//! The findings of an endpoint (`findings.jsonl`): one JSON record a line, each with its schema
//! version `v`, its `kind`, the stage that wrote it (`by`: scan or analyze) and where it shows
//! (`path`). This module owns the file — reading, writing, the version — and the judgement
//! every reader shares: how serious a record is ([`Severity`]) and whether an endpoint shows the
//! attack ([`Signs::verdict`]).

mod record;
mod severity;
pub mod strings;

pub use record::{Detected, Executable, Finding, Judged, Keyed, Kind};
pub use severity::Severity;

use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::case::layout::FINDINGS;
use crate::error::{Error, Result};

/// Version of the findings records.
pub const VERSION: u32 = 1;

/// The records of an endpoint's findings.jsonl (`dir`: the endpoint's folder); none when absent,
/// lines that do not parse left out.
pub fn read(dir: &Path) -> Vec<Finding> {
    std::fs::read_to_string(dir.join(FINDINGS))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// Replaces the records that stage `by` wrote before with `records` (each stamped with `by`),
/// keeps the other stages' records and any line that does not parse, and writes the file sorted
/// (path, kind, rule, time), so the same evidence gives the same file.
pub fn write(dir: &Path, by: &str, records: Vec<Finding>) -> Result<()> {
    let path = dir.join(FINDINGS);
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::io("read", &path)(e)),
    };
    let mut lines: Vec<(Value, String)> = existing
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| (serde_json::from_str::<Value>(l).unwrap_or(Value::Null), l.to_string()))
        .filter(|(v, _)| v.is_null() || v["by"].as_str().unwrap_or("scan") != by)
        .collect();
    for mut r in records {
        r.by = Some(by.to_string());
        let corrupt = |e: serde_json::Error| Error::Corrupt { path: path.clone(), what: e.to_string() };
        let value = serde_json::to_value(&r).map_err(corrupt)?;
        lines.push((value.clone(), value.to_string()));
    }
    lines.sort_by(|(a, _), (b, _)| sort_key(a).cmp(&sort_key(b)));
    let text: String = lines.iter().map(|(_, l)| format!("{l}\n")).collect();
    crate::case::write_atomic(&path, text.as_bytes())
}

fn sort_key(r: &Value) -> (Option<&str>, Option<&str>, Option<&str>, Option<&str>) {
    (r["path"].as_str(), r["kind"].as_str(), r["rule"].as_str(), r["time"].as_str())
}

/// The JSON Schema of one line of findings.jsonl, made from the types
/// (`rules/findings/finding.schema.json` is this text; the tests check both agree).
pub fn schema() -> String {
    let mut schema = schemars::schema_for!(Finding);
    schema.insert("$id".into(), Value::String(format!("shodo-finding/{VERSION}")));
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

/// Whether a timeline entry is a sign of the attack: of severity high or critical, or an
/// encrypted file or a ransom note by its file time.
pub fn timeline_sign(entry: &Value) -> bool {
    let message = entry["message"].as_str().unwrap_or_default();
    entry["severity"].as_str().and_then(Severity::parse).is_some_and(Severity::is_serious)
        || message.starts_with("encrypted file")
        || message.starts_with("ransom note")
}

/// What an endpoint's findings add up to, as every reader counts it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Signs {
    /// Files that look encrypted.
    pub encrypted_files: u64,
    /// Ransom notes (by content or by name).
    pub ransom_notes: u64,
    /// Families the evidence points to.
    pub families: usize,
    /// Detections and registry findings of severity critical.
    pub critical: u64,
    /// Detections and registry findings of severity high or critical.
    pub serious: u64,
}

/// Whether an endpoint shows the attack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Encrypted files, a ransom note, a family or a critical finding: the attack reached it.
    Hit,
    /// High findings only: look closer.
    Suspicious,
    /// Nothing of either.
    NoSign,
}

impl Signs {
    /// The verdict: hit, suspicious or no sign.
    pub fn verdict(&self) -> Verdict {
        if self.encrypted_files > 0 || self.ransom_notes > 0 || self.families > 0 || self.critical > 0 {
            Verdict::Hit
        } else if self.serious > 0 {
            Verdict::Suspicious
        } else {
            Verdict::NoSign
        }
    }

    /// Adds the counts of `by_severity` (severity name → count).
    pub fn count_severities<'a>(&mut self, by_severity: impl IntoIterator<Item = (&'a str, u64)>) {
        for (name, n) in by_severity {
            let Some(s) = Severity::parse(name) else { continue };
            self.critical += if s == Severity::Critical { n } else { 0 };
            self.serious += if s.is_serious() { n } else { 0 };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_verdict_grades_what_the_findings_add_up_to() {
        assert_eq!(Signs::default().verdict(), Verdict::NoSign);
        let mut s = Signs::default();
        s.count_severities([("high", 2), ("medium", 5), ("bogus", 9)]);
        assert_eq!((s.serious, s.critical, s.verdict()), (2, 0, Verdict::Suspicious));
        s.count_severities([("critical", 1)]);
        assert_eq!((s.serious, s.critical, s.verdict()), (3, 1, Verdict::Hit));
        assert_eq!(Signs { ransom_notes: 1, ..Signs::default() }.verdict(), Verdict::Hit);
    }

    #[test]
    fn a_timeline_entry_is_a_sign_by_its_severity_or_what_it_is() {
        assert!(timeline_sign(&json!({ "severity": "critical", "message": "x" })));
        assert!(timeline_sign(&json!({ "severity": "info", "message": "ransom note README.txt" })));
        assert!(!timeline_sign(&json!({ "severity": "medium", "message": "logon" })));
    }

    #[test]
    fn the_schema_file_is_the_one_the_types_give() {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/findings/finding.schema.json");
        if std::env::var_os("SHODO_BLESS").is_some() {
            std::fs::write(&file, schema()).unwrap();
        }
        let kept = std::fs::read_to_string(&file).unwrap_or_default();
        assert!(kept == schema(), "{} is not what the types give: run the tests with SHODO_BLESS=1", file.display());
        assert!(kept.contains("\"encrypted_file\"") && kept.contains("\"event_detection\""));
    }

    #[test]
    fn writing_replaces_one_stage_and_keeps_the_other() {
        let dir = tempfile::tempdir().unwrap();
        let skip = |path: &str| {
            Finding::new(Kind::ScanSkip { path: path.into(), reason: "too_large".into(), detail: String::new() })
        };
        write(dir.path(), "scan", vec![skip("b")]).unwrap();
        write(dir.path(), "analyze", vec![skip("a")]).unwrap();
        write(dir.path(), "analyze", vec![skip("c")]).unwrap();
        let records = read(dir.path());
        let paths: Vec<_> = records.iter().map(|r| (r.path(), r.by.clone())).collect();
        assert_eq!(paths, [(Some("b"), Some("scan".into())), (Some("c"), Some("analyze".into()))]);
    }
}
