//! One line of `findings.jsonl`, typed: [`Finding`] holds the schema version, the record's
//! [`Kind`] with its own fields, where it came from (`origin`: the collected evidence or the
//! whole volume) and the stage that wrote it (`by`). Each kind's fields are written in the order
//! the records have always had, so a file written now reads as one written before; nested
//! facts that belong to their parser (YARA meta, the encryption assessment, PE facts, a Prefetch
//! file, a checklist answer …) stay JSON objects.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Severity;

/// One finding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// Schema version (1).
    pub v: u32,
    /// What kind of record, with its fields.
    #[serde(flatten)]
    pub kind: Kind,
    /// `evidence` (the collected files) or `volume` (the attached volume); scan records only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// The stage that wrote it: `scan` or `analyze`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// The kinds of record, each with its fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Kind {
    /// A YARA rule matched a file.
    Yara {
        /// The file.
        path: String,
        /// Its SHA-256.
        #[serde(default)]
        sha256: Option<String>,
        /// The rule.
        rule: String,
        /// The rule's file.
        #[serde(default)]
        rule_file: String,
        /// The rule's tags.
        #[serde(default)]
        tags: Vec<String>,
        /// The rule's meta (severity, category, descriptions …).
        #[serde(default)]
        meta: Map<String, Value>,
        /// Contact points in the file (notes and IOC rules only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        iocs: Option<Value>,
    },
    /// A file that looks encrypted.
    EncryptedFile {
        /// The file.
        path: String,
        /// Its SHA-256.
        #[serde(default)]
        sha256: Option<String>,
        /// Its size.
        #[serde(default)]
        size: u64,
        /// Why it looks encrypted.
        #[serde(default)]
        assessment: Value,
        /// Its modification time, when known.
        #[serde(default)]
        modified: Option<String>,
    },
    /// An executable (PE/ELF) and its facts.
    Executable(Executable),
    /// An executable its parser could not read.
    MalformedExecutable(Executable),
    /// A file encrypted by design (a VeraCrypt, LUKS or BitLocker volume, an age or OpenPGP
    /// file): not ransomware's doing, but a volume the responder may need a key for.
    EncryptedContainer {
        /// The file.
        path: String,
        /// Its SHA-256.
        #[serde(default)]
        sha256: Option<String>,
        /// Size in bytes.
        #[serde(default)]
        size: u64,
        /// Which container.
        #[serde(default)]
        format: String,
    },
    /// A file named like a ransom note.
    RansomNoteName {
        /// The file.
        path: String,
        /// Its SHA-256.
        #[serde(default)]
        sha256: Option<String>,
        /// The name pattern it matched.
        #[serde(default)]
        pattern: String,
        /// Its content matched a note rule too.
        #[serde(default)]
        content_match: bool,
        /// The family the name points to.
        #[serde(default)]
        attribution: Value,
        /// Its contact points (when its content did not match a rule).
        #[serde(default)]
        iocs: Option<Value>,
        /// A name no list knows, found in this many folders of encrypted files (the pattern is
        /// the name itself).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        folders: Option<u64>,
    },
    /// A file not scanned, and why.
    ScanSkip {
        /// The file.
        path: String,
        /// Why (`too_large`, `unreadable`, `evidence_mismatch` …).
        reason: String,
        /// The detail.
        #[serde(default)]
        detail: String,
    },
    /// An event log read.
    EventLog {
        /// The log.
        path: String,
        /// Its SHA-256.
        #[serde(default)]
        sha256: Option<String>,
        /// Records read.
        #[serde(default)]
        records: u64,
        /// Chunks read.
        #[serde(default)]
        chunks: u64,
        /// The first record's time.
        #[serde(default)]
        first: Option<String>,
        /// The last record's time.
        #[serde(default)]
        last: Option<String>,
        /// Problems counted.
        #[serde(default)]
        problems: u64,
        /// The first problems described.
        #[serde(default)]
        problem_details: Value,
        /// Records by channel and event id.
        #[serde(default)]
        counts: Value,
        /// Why the archived log did not match its manifest, when it did not.
        #[serde(default)]
        evidence_mismatch: Option<String>,
        /// Detections from it.
        #[serde(default)]
        detections: u64,
    },
    /// A Prefetch file read.
    Prefetch {
        /// The file.
        path: String,
        /// Its SHA-256.
        #[serde(default)]
        sha256: Option<String>,
        /// The executable it is for.
        #[serde(default)]
        rule: Option<String>,
        /// What it says.
        #[serde(default)]
        prefetch: Value,
        /// Why it could not be read.
        #[serde(default)]
        problem: Option<String>,
    },
    /// A program run that deserves a look (Prefetch).
    Execution(Judged),
    /// What a registry hive says about persistence or settings.
    Registry(Keyed),
    /// An external connection point.
    ConnectionPoint {
        /// Where it shows first.
        #[serde(default)]
        path: Option<String>,
        /// rdp | remote_access | rmm | vpn | listening_service | inbound_logon.
        rule: String,
        /// The product, service or address.
        name: String,
        /// Where it shows.
        #[serde(default)]
        evidence: Vec<String>,
        /// Its facts.
        #[serde(default)]
        detail: Map<String, Value>,
    },
    /// Installed software.
    InstalledSoftware {
        /// The hive.
        #[serde(default)]
        path: Option<String>,
        /// Its name.
        #[serde(default)]
        rule: Option<String>,
        /// Its facts.
        software: Value,
    },
    /// A program recorded as run (Amcache).
    ProgramExecution {
        /// The hive.
        #[serde(default)]
        path: Option<String>,
        /// The program's path.
        #[serde(default)]
        rule: Option<String>,
        /// Its facts.
        program: Value,
    },
    /// A local account (SAM).
    LocalAccount {
        /// The hive.
        #[serde(default)]
        path: Option<String>,
        /// Its name.
        #[serde(default)]
        rule: Option<String>,
        /// Its facts.
        account: Value,
    },
    /// An installed update.
    InstalledUpdate {
        /// The hive.
        #[serde(default)]
        path: Option<String>,
        /// Its id (KB…).
        #[serde(default)]
        rule: Option<String>,
        /// Its facts.
        update: Value,
    },
    /// A USB storage device once attached.
    UsbStorage {
        /// The hive.
        #[serde(default)]
        path: Option<String>,
        /// Its serial.
        #[serde(default)]
        rule: Option<String>,
        /// Its facts.
        device: Value,
    },
    /// A detection from event-log records.
    EventDetection(Detected),
    /// One item of the ministry's checklist, answered.
    Checklist {
        /// `checklist.json`.
        path: String,
        /// The item's id.
        rule: String,
        /// The checklist's version.
        #[serde(default)]
        checklist: String,
        /// 適合 | 不適合 | 判断不可, as written.
        #[serde(default)]
        status: Value,
        /// The answer with its evidence.
        #[serde(default)]
        answer: Value,
    },
    /// A registry hive read (or not).
    Hive {
        /// The hive file.
        path: String,
        /// Its SHA-256.
        #[serde(default)]
        sha256: Option<String>,
        /// SYSTEM | SOFTWARE | SAM | NTUSER.DAT …
        #[serde(default)]
        hive: String,
        /// The user it belongs to.
        #[serde(default)]
        user: Option<String>,
        /// Transaction logs applied.
        #[serde(default)]
        transaction_logs: u64,
        /// Dirty when collected.
        #[serde(default)]
        dirty: bool,
        /// Dirty without its logs: the view may be stale.
        #[serde(default)]
        stale: bool,
        /// A note for the reader.
        #[serde(default)]
        note: Option<String>,
        /// Why it could not be read.
        #[serde(default)]
        problem: Option<String>,
    },
}

/// An executable's record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Executable {
    /// The file.
    pub path: String,
    /// Its SHA-256.
    #[serde(default)]
    pub sha256: Option<String>,
    /// A user-writable or unusual place it sits in.
    #[serde(default)]
    pub location: Option<String>,
    /// Its facts (PE/ELF).
    #[serde(default)]
    pub facts: Value,
    /// Why its parser failed.
    #[serde(default)]
    pub malformed: Option<String>,
}

/// A judged record with a title and a time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Judged {
    /// The evidence file.
    pub path: String,
    /// What was judged.
    pub rule: String,
    /// How serious.
    pub severity: Severity,
    /// Japanese title.
    pub title_ja: String,
    /// English title.
    pub title_en: String,
    /// When.
    #[serde(default)]
    pub time: Option<String>,
    /// The facts.
    #[serde(default)]
    pub fields: Value,
}

/// A registry finding: judged, at a key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Keyed {
    /// The hive.
    pub path: String,
    /// What was judged.
    pub rule: String,
    /// How serious.
    pub severity: Severity,
    /// Japanese title.
    pub title_ja: String,
    /// English title.
    pub title_en: String,
    /// The key, below the hive root.
    #[serde(default)]
    pub key: String,
    /// When the key was last written.
    #[serde(default)]
    pub time: Option<String>,
    /// The facts.
    #[serde(default)]
    pub fields: Value,
}

/// An event-log detection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Detected {
    /// The log.
    pub path: String,
    /// What was detected.
    pub rule: String,
    /// How serious.
    pub severity: Severity,
    /// Japanese title.
    pub title_ja: String,
    /// English title.
    pub title_en: String,
    /// When (the first, for aggregated detections).
    pub time: String,
    /// The last, for aggregated detections.
    #[serde(default)]
    pub last_time: Option<String>,
    /// How many events.
    #[serde(default)]
    pub count: u64,
    /// The channel.
    #[serde(default)]
    pub channel: String,
    /// The event id.
    #[serde(default)]
    pub event_id: u32,
    /// The record id.
    #[serde(default)]
    pub record_id: u64,
    /// The computer.
    #[serde(default)]
    pub computer: String,
    /// The facts.
    #[serde(default)]
    pub fields: Map<String, Value>,
}

impl Finding {
    /// A record of this version, not yet stamped with its origin or stage.
    pub fn new(kind: Kind) -> Finding {
        Finding { v: super::VERSION, kind, origin: None, by: None }
    }

    /// The kind's name as written (`yara`, `encrypted_file` …).
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            Kind::Yara { .. } => "yara",
            Kind::EncryptedFile { .. } => "encrypted_file",
            Kind::EncryptedContainer { .. } => "encrypted_container",
            Kind::Executable(_) => "executable",
            Kind::MalformedExecutable(_) => "malformed_executable",
            Kind::RansomNoteName { .. } => "ransom_note_name",
            Kind::ScanSkip { .. } => "scan_skip",
            Kind::EventLog { .. } => "event_log",
            Kind::Prefetch { .. } => "prefetch",
            Kind::Execution(_) => "execution",
            Kind::Registry(_) => "registry",
            Kind::ConnectionPoint { .. } => "connection_point",
            Kind::InstalledSoftware { .. } => "installed_software",
            Kind::ProgramExecution { .. } => "program_execution",
            Kind::LocalAccount { .. } => "local_account",
            Kind::InstalledUpdate { .. } => "installed_update",
            Kind::UsbStorage { .. } => "usb_storage",
            Kind::EventDetection(_) => "event_detection",
            Kind::Checklist { .. } => "checklist",
            Kind::Hive { .. } => "hive",
        }
    }

    /// Where it shows (the evidence path), when it names one.
    pub fn path(&self) -> Option<&str> {
        match &self.kind {
            Kind::Yara { path, .. }
            | Kind::EncryptedFile { path, .. }
            | Kind::EncryptedContainer { path, .. }
            | Kind::RansomNoteName { path, .. }
            | Kind::ScanSkip { path, .. }
            | Kind::EventLog { path, .. }
            | Kind::Prefetch { path, .. }
            | Kind::Checklist { path, .. }
            | Kind::Hive { path, .. }
            | Kind::Executable(Executable { path, .. })
            | Kind::MalformedExecutable(Executable { path, .. })
            | Kind::Execution(Judged { path, .. })
            | Kind::Registry(Keyed { path, .. })
            | Kind::EventDetection(Detected { path, .. }) => Some(path),
            Kind::ConnectionPoint { path, .. }
            | Kind::InstalledSoftware { path, .. }
            | Kind::ProgramExecution { path, .. }
            | Kind::LocalAccount { path, .. }
            | Kind::InstalledUpdate { path, .. }
            | Kind::UsbStorage { path, .. } => path.as_deref(),
        }
    }

    /// The rule, item or name it is about, when it has one.
    pub fn rule(&self) -> Option<&str> {
        match &self.kind {
            Kind::Yara { rule, .. }
            | Kind::ConnectionPoint { rule, .. }
            | Kind::Checklist { rule, .. }
            | Kind::Execution(Judged { rule, .. })
            | Kind::Registry(Keyed { rule, .. })
            | Kind::EventDetection(Detected { rule, .. }) => Some(rule),
            Kind::Prefetch { rule, .. }
            | Kind::InstalledSoftware { rule, .. }
            | Kind::ProgramExecution { rule, .. }
            | Kind::LocalAccount { rule, .. }
            | Kind::InstalledUpdate { rule, .. }
            | Kind::UsbStorage { rule, .. } => rule.as_deref(),
            _ => None,
        }
    }

    /// When it happened, for the kinds that say.
    pub fn time(&self) -> Option<&str> {
        match &self.kind {
            Kind::Execution(Judged { time, .. }) | Kind::Registry(Keyed { time, .. }) => time.as_deref(),
            Kind::EventDetection(d) => Some(&d.time),
            _ => None,
        }
    }

    /// How serious it is: its own severity, or its YARA rule's.
    pub fn severity(&self) -> Option<Severity> {
        match &self.kind {
            Kind::Execution(Judged { severity, .. })
            | Kind::Registry(Keyed { severity, .. })
            | Kind::EventDetection(Detected { severity, .. }) => Some(*severity),
            Kind::Yara { meta, .. } => meta.get("severity").and_then(Value::as_str).and_then(Severity::parse),
            _ => None,
        }
    }

    /// The severity a person is shown for this record: the one its producer set, and for the
    /// kinds whose records carry none, the grade of the kind itself (a YARA rule without a
    /// severity is high; a ransom note found by name and an encrypted file are high; an external
    /// connection point and a malformed executable are medium). `None` for records that are not
    /// findings a person grades (an endpoint's facts, a program run, a hit's context …).
    pub fn grade(&self) -> Option<Severity> {
        match &self.kind {
            Kind::Yara { .. } => Some(self.severity().unwrap_or(Severity::High)),
            Kind::EncryptedFile { .. } | Kind::RansomNoteName { .. } => Some(Severity::High),
            Kind::ConnectionPoint { .. } | Kind::MalformedExecutable(_) => Some(Severity::Medium),
            Kind::EncryptedContainer { .. } => Some(Severity::Info),
            _ => self.severity(),
        }
    }

    /// A YARA rule's meta value as text (`""` when absent, or not a YARA record).
    pub fn meta(&self, key: &str) -> &str {
        match &self.kind {
            Kind::Yara { meta, .. } => meta.get(key).and_then(Value::as_str).unwrap_or_default(),
            _ => "",
        }
    }

    /// The contact points it carries (`{"onion": [...], "email": [...] …}`), when it has any.
    pub fn iocs(&self) -> Option<&Map<String, Value>> {
        match &self.kind {
            Kind::Yara { iocs, .. } | Kind::RansomNoteName { iocs, .. } => iocs.as_ref().and_then(Value::as_object),
            _ => None,
        }
    }

    /// A fact of a judged record (registry, execution, event detection) as text (`""` when
    /// absent).
    pub fn field(&self, key: &str) -> &str {
        let value = match &self.kind {
            Kind::Execution(Judged { fields, .. }) | Kind::Registry(Keyed { fields, .. }) => fields.get(key),
            Kind::EventDetection(d) => d.fields.get(key),
            _ => None,
        };
        value.and_then(Value::as_str).unwrap_or_default()
    }

    /// The contact points it carries, as (kind, value) pairs: `("onion", "…")`, `("email", "…")` ….
    pub fn contacts(&self) -> Vec<(&str, &str)> {
        self.iocs()
            .into_iter()
            .flatten()
            .flat_map(|(kind, values)| {
                values.as_array().into_iter().flatten().filter_map(Value::as_str).map(move |v| (kind.as_str(), v))
            })
            .collect()
    }

    /// The families a ransom note's name was attributed to, with the weight and why
    /// (`family`, `confidence`, `reason`).
    pub fn attributions(&self) -> Vec<(&str, &str, &str)> {
        let Kind::RansomNoteName { attribution, .. } = &self.kind else { return Vec::new() };
        attribution
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| {
                Some((
                    a["family"].as_str()?,
                    a["confidence"].as_str().unwrap_or("medium"),
                    a["reason"].as_str().unwrap_or(""),
                ))
            })
            .collect()
    }

    /// The extension added after the one that names a file's format, when the file has lost that
    /// format (`report.docx.8f3kq` that is no zip: `8f3kq`).
    pub fn appended_to_lost_format(&self) -> Option<&str> {
        let Kind::EncryptedFile { assessment, .. } = &self.kind else { return None };
        let lost = assessment["reasons"].as_array().is_some_and(|r| r.iter().any(|r| r == "format_lost"));
        assessment["appended"].as_str().filter(|_| lost)
    }

    /// The SHA-256 of the file it concerns, when recorded.
    pub fn sha256(&self) -> Option<&str> {
        match &self.kind {
            Kind::Yara { sha256, .. }
            | Kind::EncryptedFile { sha256, .. }
            | Kind::EncryptedContainer { sha256, .. }
            | Kind::RansomNoteName { sha256, .. }
            | Kind::EventLog { sha256, .. }
            | Kind::Prefetch { sha256, .. }
            | Kind::Hive { sha256, .. }
            | Kind::Executable(Executable { sha256, .. })
            | Kind::MalformedExecutable(Executable { sha256, .. }) => sha256.as_deref(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_record_reads_back_as_written_and_keeps_its_field_order() {
        let line = r#"{"v":1,"kind":"registry","path":"Windows/System32/config/SOFTWARE","rule":"autostart","severity":"high","title_ja":"自動起動","title_en":"Autostart","key":"Run","time":null,"fields":{"a":"b"},"by":"analyze"}"#;
        let f: Finding = serde_json::from_str(line).unwrap();
        assert_eq!((f.kind_name(), f.rule(), f.severity()), ("registry", Some("autostart"), Some(Severity::High)));
        assert_eq!(serde_json::to_string(&f).unwrap(), line);
    }

    #[test]
    fn yara_severity_comes_from_the_rule_and_iocs_only_when_present() {
        let mut f = Finding::new(Kind::Yara {
            path: "a.txt".into(),
            sha256: None,
            rule: "r".into(),
            rule_file: "f.yar".into(),
            tags: vec![],
            meta: json!({ "severity": "critical" }).as_object().cloned().unwrap_or_default(),
            iocs: None,
        });
        assert_eq!(f.severity(), Some(Severity::Critical));
        assert!(!serde_json::to_string(&f).unwrap().contains("iocs"));
        f.by = Some("scan".into());
        let back: Finding = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
        assert_eq!(back, f);
    }

    #[test]
    fn an_unknown_kind_does_not_read() {
        assert!(serde_json::from_str::<Finding>(r#"{"v":1,"kind":"from_the_future","path":"x"}"#).is_err());
    }
}
