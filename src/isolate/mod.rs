//! Isolation: contain an endpoint, fail closed, undo exactly, on the record.
//!
//! Every action — apply, verify, rollback — goes into the endpoint's change journal
//! (`endpoints/<id>/isolation.json`: what was changed, old and new value, the probes and whether
//! the isolation was confirmed) and into the custody log. Modes: [`linux`], the host shodo runs
//! on, through an nftables table of its own; [`offline`], a Windows volume's registry hives
//! (and quarantined files) while the machine is booted from the stick; [`windows_script`],
//! scripts staff run on a live Windows endpoint. This module may change the host's firewall and,
//! after confirmation, the offline Windows volume — nothing else.

pub mod hivex;
pub mod linux;
pub mod offline;
pub mod offline_run;
pub mod quarantine;
pub mod request;
pub mod sheet;
pub mod strings;
pub mod text;
pub mod windows_script;

use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::case::layout;
use crate::case::layout::JOURNAL;
use crate::case::{CaseWriter, FileRef, NewEntry};
use crate::error::{Error, Result};

/// How long a probe waits for an answer.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// One endpoint's journal: every isolation action, oldest first.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Journal {
    /// The endpoint id.
    pub endpoint: String,
    /// What was done.
    pub actions: Vec<Action>,
}

/// One isolation action.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Action {
    /// apply | verify | rollback.
    pub action: String,
    /// live-linux | script-windows | offline-windows.
    pub mode: String,
    /// When (UTC).
    pub utc: String,
    /// Who.
    pub actor: String,
    /// The host shodo ran on.
    pub host: String,
    /// The pinned management IP:port pairs kept reachable.
    pub allow: Vec<String>,
    /// What changed, with old and new value.
    pub changes: Vec<Change>,
    /// Connections tried to confirm it.
    pub probes: Vec<Probe>,
    /// Confirmed both ways (none: could not be confirmed).
    pub verified: Option<bool>,
    /// What the operator must know, Japanese and English.
    pub notes: Vec<Note>,
    /// offline-windows: soft | hard | persistence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<offline::Level>,
    /// Files the action kept in the case (hive copies, quarantine), relative to the case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
}

/// A remark for the operator: Japanese, English.
pub type Note = (String, String);

/// What one action did, for its journal entry.
#[derive(Clone, Debug, Default)]
pub struct Done {
    /// What changed.
    pub changes: Vec<Change>,
    /// Connections tried.
    pub probes: Vec<Probe>,
    /// Confirmed both ways.
    pub verified: Option<bool>,
    /// What the operator must know.
    pub notes: Vec<Note>,
    /// Files kept in the case, relative to it.
    pub files: Vec<String>,
}

impl Action {
    /// The action with what it did.
    pub fn with(mut self, done: Done) -> Action {
        (self.changes, self.probes, self.verified, self.files) = (done.changes, done.probes, done.verified, done.files);
        self.notes.extend(done.notes);
        self
    }
}

/// One change, with what was there before and after.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Change {
    /// What was changed (`nftables table inet shodo_isolation`).
    pub target: String,
    /// Before (none: absent).
    pub old: Option<serde_json::Value>,
    /// After (none: absent).
    pub new: Option<serde_json::Value>,
    /// SHA-256 of `new` as recorded (compact JSON).
    pub new_sha256: Option<String>,
    /// offline-windows: the registry change itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edit: Option<offline::Edit>,
    /// offline-windows: a hive file rewritten, with its copy from before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hive: Option<offline_run::HiveFile>,
    /// offline-windows: a file moved into the quarantine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved: Option<quarantine::Moved>,
}

/// What a probe expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// A kept management pair: must get through.
    Pass,
    /// Anything else: must not.
    Blocked,
}

/// One connection attempt.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Probe {
    /// Where to.
    pub address: String,
    /// What isolation should make of it.
    pub expect: Expect,
    /// connected | refused (the peer answered) | no_answer | blocked_locally | error text.
    pub result: String,
    /// As expected (none: cannot tell — no answer from a kept pair may be the peer being down).
    pub ok: Option<bool>,
}

/// Tries a TCP connection and judges it against what isolation should do.
pub fn probe(address: SocketAddr, expect: Expect) -> Probe {
    use std::io::ErrorKind as K;
    let result = match TcpStream::connect_timeout(&address, PROBE_TIMEOUT) {
        Ok(_) => "connected".to_string(),
        Err(e) => match e.kind() {
            K::ConnectionRefused => "refused".into(),
            K::TimedOut | K::WouldBlock => "no_answer".into(),
            K::PermissionDenied => "blocked_locally".into(),
            _ => e.to_string(),
        },
    };
    let through = matches!(result.as_str(), "connected" | "refused");
    let ok = match expect {
        Expect::Pass if through => Some(true),
        Expect::Pass if result == "blocked_locally" => Some(false),
        Expect::Pass => None,
        Expect::Blocked => Some(!through),
    };
    Probe { address: address.to_string(), expect, result, ok }
}

/// Probes, all at once (each may wait for its timeout).
pub fn probe_all(pass: &[SocketAddr], blocked: &[SocketAddr]) -> Vec<Probe> {
    let todo: Vec<(SocketAddr, Expect)> =
        pass.iter().map(|a| (*a, Expect::Pass)).chain(blocked.iter().map(|a| (*a, Expect::Blocked))).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = todo.iter().map(|(a, e)| s.spawn(move || probe(*a, *e))).collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    })
}

/// Confirmed both ways: no probe against expectation, every blocked one blocked, and at least
/// one kept pair reached (when there is one). None: could not be confirmed.
pub fn verdict(probes: &[Probe]) -> Option<bool> {
    if probes.iter().any(|p| p.ok == Some(false)) {
        return Some(false);
    }
    let passes: Vec<&Probe> = probes.iter().filter(|p| p.expect == Expect::Pass).collect();
    let reached = passes.is_empty() || passes.iter().any(|p| p.ok == Some(true));
    let blocked = probes.iter().any(|p| p.expect == Expect::Blocked);
    (reached && blocked).then_some(true)
}

/// Addresses that must not get through, when the operator names none: each kept host on a
/// port it is not kept for (a firewall that let it through would get an answer from the host).
pub fn default_blocked(allow: &[SocketAddr]) -> Vec<SocketAddr> {
    let mut out: Vec<SocketAddr> = Vec::new();
    for a in allow {
        let port = if a.port() == 9 { 7 } else { 9 };
        let b = SocketAddr::new(a.ip(), port);
        if !allow.contains(&b) && !out.contains(&b) {
            out.push(b);
        }
    }
    out
}

/// The journal of an endpoint (empty when none yet).
pub fn read_journal(case_dir: &Path, endpoint: &str) -> Result<Journal> {
    let path = case_dir.join(layout::ENDPOINTS_DIR).join(endpoint).join(JOURNAL);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| Error::Corrupt { path, what: e.to_string() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(Journal { endpoint: endpoint.to_string(), actions: Vec::new() })
        }
        Err(e) => Err(Error::io("read", &path)(e)),
    }
}

/// Adds an action to the endpoint's journal and the custody log (`isolate.<action>`, with the
/// journal's hash).
pub fn record(writer: &CaseWriter, endpoint: &str, action: Action) -> Result<()> {
    let dir = writer.case().dir();
    let mut journal = read_journal(dir, endpoint)?;
    let rel = format!("{}/{endpoint}/{JOURNAL}", layout::ENDPOINTS_DIR);
    let path = dir.join(&rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(Error::io("create", parent))?;
    }
    let detail = serde_json::json!({
        "mode": action.mode, "level": action.level, "host": action.host, "allow": action.allow, "verified": action.verified,
        "changes": action.changes, "probes": action.probes, "notes": action.notes,
    });
    let name = format!("isolate.{}", action.action);
    let kept: Vec<String> = action.files.clone();
    journal.actions.push(action);
    let text =
        serde_json::to_vec_pretty(&journal).map_err(|e| Error::Corrupt { path: path.clone(), what: e.to_string() })?;
    crate::case::write_atomic(&path, &text)?;
    let mut files = vec![FileRef::of(dir, &rel)?];
    for k in &kept {
        files.push(FileRef::of(dir, k)?);
    }
    writer.record(NewEntry::new(&name, endpoint, detail).with_files(files))?;
    Ok(())
}

/// One line of the isolation ledger: where an endpoint stands.
#[derive(Clone, Debug, Serialize)]
pub struct LedgerRow {
    /// The endpoint.
    pub endpoint: String,
    /// Its mode.
    pub mode: String,
    /// Isolated now (applied and not rolled back).
    pub isolated: bool,
    /// Who did the last apply or rollback, and when (UTC).
    pub by: String,
    /// When.
    pub utc: String,
    /// The last verification's outcome.
    pub verified: Option<bool>,
}

/// Where an endpoint stands: its last apply or rollback, and what the latest verification since
/// found (none: not confirmed either way).
pub fn standing(journal: &Journal) -> Option<(&Action, Option<bool>)> {
    let last = journal.actions.iter().rev().find(|a| a.action != "verify")?;
    let verified = journal.actions.iter().rev().find(|a| a.verified.is_some() || a.action != "verify");
    Some((last, verified.and_then(|a| a.verified)))
}

/// Where every endpoint of the case stands.
pub fn ledger(case_dir: &Path) -> Result<Vec<LedgerRow>> {
    let mut rows = Vec::new();
    let Ok(endpoints) = std::fs::read_dir(case_dir.join(layout::ENDPOINTS_DIR)) else { return Ok(rows) };
    let mut names: Vec<String> = endpoints.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    for name in names {
        let journal = read_journal(case_dir, &name)?;
        let Some((last, verified)) = standing(&journal) else { continue };
        rows.push(LedgerRow {
            endpoint: name,
            mode: last.mode.clone(),
            isolated: last.action == "apply",
            by: last.actor.clone(),
            utc: last.utc.clone(),
            verified,
        });
    }
    Ok(rows)
}
