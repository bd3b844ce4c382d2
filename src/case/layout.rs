//! Every name in a case's folder, in one place: the case's own files, an endpoint's folder and
//! the reports. Modules that write or read a case's files take the names from here.
//!
//! ```text
//! <case>/case.toml  custody.jsonl  custody.head  shodo.lock  shodo.toml
//!        endpoints/<id>/endpoint.json  evidence-N.zip  manifest.jsonl  findings.jsonl
//!                       timeline.jsonl  timeline.csv  checklist.json  isolation.json  network-sheet.html
//!        backups/<medium>/verify-*.json
//!        reports/report.json  evidence-list.csv  timeline.csv …
//!        merged/
//! ```

use std::path::{Path, PathBuf};

/// The case's metadata.
pub const CASE_FILE: &str = "case.toml";
/// The hash-chained custody log.
pub const LOG_FILE: &str = "custody.jsonl";
/// The custody log's head (its last hash), written beside it.
pub const HEAD_FILE: &str = "custody.head";
/// The one-writer lock.
pub const LOCK_FILE: &str = "shodo.lock";
/// The hospital's config as copied into the case.
pub const CONFIG_COPY: &str = "shodo.toml";
/// Sub-directory of per-endpoint evidence.
pub const ENDPOINTS_DIR: &str = "endpoints";
/// Sub-directory of backup verification results.
pub const BACKUPS_DIR: &str = "backups";
/// Sub-directory of generated reports.
pub const REPORTS_DIR: &str = "reports";
/// Sub-directory of the cases merged in from other sticks.
pub const MERGED_DIR: &str = "merged";

/// An endpoint's facts (hostname, OS, disks, addresses).
pub const ENDPOINT_FILE: &str = "endpoint.json";
/// An endpoint's manifest of collected files (beside the evidence archives, and inside them).
pub const MANIFEST: &str = "manifest.jsonl";
/// An endpoint's findings: scan hits, notes, encrypted files, detections, IOCs.
pub const FINDINGS: &str = "findings.jsonl";
/// An endpoint's normalised timeline.
pub const TIMELINE: &str = "timeline.jsonl";
/// The same timeline as Timesketch CSV.
pub const TIMELINE_CSV: &str = "timeline.csv";
/// An endpoint's answers to the ministry's checklist.
pub const CHECKLIST: &str = "checklist.json";
/// An endpoint's isolation change journal.
pub const JOURNAL: &str = "isolation.json";
/// An endpoint's network isolation sheet.
pub const SHEET: &str = "network-sheet.html";

/// The report model (in `reports/`).
pub const MODEL: &str = "report.json";
/// The police package's evidence list (in `reports/`).
pub const EVIDENCE_LIST: &str = "evidence-list.csv";

/// An endpoint's folder in the case at `case_dir`.
pub fn endpoint_dir(case_dir: &Path, endpoint: &str) -> PathBuf {
    case_dir.join(ENDPOINTS_DIR).join(endpoint)
}
