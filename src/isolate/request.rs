//! Isolation as the engine's API: a [`Request`] names the endpoint, the [`Mode`] and how far;
//! [`plan`] says what would change (nothing is touched), [`apply`], [`verify`] and [`rollback`]
//! carry it out, put it on the record and return the [`Action`]. The rules that keep a change
//! from happening by accident live here, as typed [`Refusal`]s: the CLI and the TUI both call
//! these functions (the TUI on its worker thread) and only render what comes back.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use super::offline::{Facts, Inputs, Level, Plan as OfflinePlan};
use super::offline_run::{self, Volume};
use super::{Action, Change, Done, linux, windows_script};
use crate::case::layout::{self, ENDPOINTS_DIR};
use crate::case::{self, CaseWriter};
use crate::config::{Config, ManagementAddr};
use crate::error::{Error, Result};
use crate::isolate::strings as txt;

/// How the endpoint is met.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// The Linux host shodo runs on (nftables).
    LiveLinux,
    /// A running Windows endpoint: scripts staff run as administrator.
    ScriptWindows,
    /// A Windows endpoint booted from the stick: written into its registry hives.
    OfflineWindows,
}

impl Mode {
    /// Every mode.
    pub const ALL: [Mode; 3] = [Mode::LiveLinux, Mode::ScriptWindows, Mode::OfflineWindows];

    /// Its name (`--mode`, the journal).
    pub fn name(self) -> &'static str {
        match self {
            Mode::LiveLinux => "live-linux",
            Mode::ScriptWindows => "script-windows",
            Mode::OfflineWindows => "offline-windows",
        }
    }

    /// The mode named `name`.
    pub fn parse(name: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// Why an isolation step does not run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A change to the host's network needs the endpoint id typed to confirm it.
    NotConfirmed,
    /// With scripts, staff run, check and undo them on the endpoint; shodo does not reach it.
    ScriptsRunOnTheEndpoint,
    /// No apply on record to verify.
    NotIsolated,
    /// No offline-windows apply on record.
    NotIsolatedOffline,
    /// Already isolated offline, at this time: roll back first.
    AlreadyIsolatedOffline {
        /// When it was applied (UTC).
        since: String,
    },
    /// The Windows volume is neither given nor recorded from the collection.
    VolumeUnknown,
}

impl Refusal {
    /// The refusal as the engine's error, in both languages.
    pub fn error(&self, id: &str) -> Error {
        let (text, since) = match self {
            Refusal::NotConfirmed => (txt::TYPE_THE_ENDPOINT_ID_TO_CONFIRM, ""),
            Refusal::ScriptsRunOnTheEndpoint => (txt::SCRIPTS_DO_NOT_REACH_THE_ENDPOINT, ""),
            Refusal::NotIsolated => (txt::NOT_ISOLATED_BY_SHODO, ""),
            Refusal::NotIsolatedOffline => (txt::NOT_ISOLATED_WITH_OFFLINE_WINDOWS, ""),
            Refusal::AlreadyIsolatedOffline { since } => (txt::ALREADY_ISOLATED_WITH_OFFLINE_WINDOWS, since.as_str()),
            Refusal::VolumeUnknown => (txt::THE_VOLUME_IS_NOT_KNOWN, ""),
        };
        let (ja, en) = text.both(|_| vec![("id", id.to_string()), ("since", since.to_string())]);
        Error::Refused { ja, en }
    }
}

/// One isolation step asked for.
#[derive(Clone, Debug)]
pub struct Request {
    /// The case.
    pub case: PathBuf,
    /// The endpoint id (checked).
    pub endpoint: String,
    /// How it is met.
    pub mode: Mode,
    /// Management `IP:PORT` kept reachable, besides the case's `shodo.toml`.
    pub allow: Vec<String>,
    /// Addresses that must be blocked, to confirm it (default: the kept hosts on another port).
    pub probe_blocked: Vec<String>,
    /// The endpoint id typed to confirm a change.
    pub confirm: Option<String>,
    /// Who does it (default: the case's first examiner).
    pub examiner: Option<String>,
    /// How far offline-windows goes.
    pub level: Level,
    /// offline-windows: the Windows disk, image or partition (default: the one collected from).
    pub source: Option<PathBuf>,
    /// offline-windows: the partition number.
    pub partition: Option<u32>,
    /// offline-windows: the reason to isolate before the evidence was collected (recorded).
    pub force_uncollected: Option<String>,
}

impl Request {
    /// A request for `endpoint` (default: this host's name) of the case at `case`.
    pub fn new(case: &Path, endpoint: Option<&str>, mode: Mode) -> Result<Request> {
        let endpoint = crate::collect::clean_id(&endpoint.map_or_else(case::hostname, str::to_string))?;
        Ok(Request {
            case: case.to_path_buf(),
            endpoint,
            mode,
            allow: Vec::new(),
            probe_blocked: Vec::new(),
            confirm: None,
            examiner: None,
            level: Level::Soft,
            source: None,
            partition: None,
            force_uncollected: None,
        })
    }

    fn confirmed(&self) -> Result<()> {
        // Scripts written into the case change nothing until staff run them on the endpoint.
        if self.confirm.as_deref() == Some(self.endpoint.as_str()) || self.mode == Mode::ScriptWindows {
            return Ok(());
        }
        Err(Refusal::NotConfirmed.error(&self.endpoint))
    }

    fn reaches_the_endpoint(&self) -> Result<()> {
        if self.mode == Mode::ScriptWindows {
            return Err(Refusal::ScriptsRunOnTheEndpoint.error(&self.endpoint));
        }
        Ok(())
    }

    /// The kept pairs: the case's `shodo.toml`, then the request's own.
    pub fn allowlist(&self) -> Result<Vec<SocketAddr>> {
        let config = self.case.join(layout::CONFIG_COPY);
        let mut allow: Vec<SocketAddr> = if config.exists() {
            Config::load(&config)?.isolation.keep.iter().map(|k| k.address.0).collect()
        } else {
            Vec::new()
        };
        for a in addresses(&self.allow)? {
            if !allow.contains(&a) {
                allow.push(a);
            }
        }
        Ok(allow)
    }

    fn blocked(&self, allow: &[SocketAddr]) -> Result<Vec<SocketAddr>> {
        if self.probe_blocked.is_empty() { Ok(super::default_blocked(allow)) } else { addresses(&self.probe_blocked) }
    }

    fn writer(&self, purpose: &str) -> Result<CaseWriter> {
        case_writer(&self.case, self.examiner.as_deref(), purpose)
    }

    /// The volume the request names, else the one the endpoint's evidence came from.
    fn volume(&self) -> Result<Volume> {
        let recorded = crate::collect::recorded_source(&self.case, &self.endpoint);
        match (&self.source, recorded) {
            (Some(source), rec) => Ok(Volume {
                source: source.clone(),
                partition: self.partition,
                recorded: rec.map(|(_, volume, _)| volume),
            }),
            (None, Some((source, volume, partition))) => {
                Ok(Volume { source, partition: self.partition.or(partition), recorded: Some(volume) })
            }
            (None, None) => Err(Refusal::VolumeUnknown.error(&self.endpoint)),
        }
    }

    /// Runs `f` with the offline plan's inputs.
    fn with_inputs<T>(&self, allow: &[SocketAddr], f: impl FnOnce(&Inputs) -> T) -> Result<T> {
        let case_id = case::Case::open(&self.case)?.file().case.id.clone();
        let findings = offline_run::findings(&self.case, &self.endpoint);
        let filetime = crate::clock::to_filetime(crate::clock::now());
        let inputs = Inputs { level: self.level, allow, case_id: &case_id, findings: &findings, filetime };
        Ok(f(&inputs))
    }

    fn action(&self, kind: &str, writer: &CaseWriter, allow: &[SocketAddr], done: Done) -> Action {
        let mut act = Action {
            action: kind.into(),
            mode: self.mode.name().into(),
            utc: crate::clock::utc_string(crate::clock::now()),
            actor: writer.actor().to_string(),
            host: case::hostname(),
            allow: allow.iter().map(ToString::to_string).collect(),
            changes: Vec::new(),
            probes: Vec::new(),
            verified: None,
            notes: Vec::new(),
            level: None,
            files: Vec::new(),
        }
        .with(done);
        if self.mode == Mode::OfflineWindows && kind == "apply" {
            act.level = Some(self.level);
        }
        act
    }

    /// The changes and level of the endpoint's standing offline apply.
    fn applied_offline(&self) -> Result<(Vec<Change>, Option<Level>)> {
        let journal = super::read_journal(&self.case, &self.endpoint)?;
        let last = journal.actions.iter().rev().find(|x| x.action != "verify");
        match last.filter(|x| x.action == "apply" && x.mode == Mode::OfflineWindows.name()) {
            Some(act) => Ok((act.changes.clone(), act.level)),
            None => Err(Refusal::NotIsolatedOffline.error(&self.endpoint)),
        }
    }
}

/// Management addresses as given (`IP:PORT`).
pub fn addresses(raw: &[String]) -> Result<Vec<SocketAddr>> {
    raw.iter()
        .map(|r| {
            ManagementAddr::try_from(r.clone()).map(|a| a.0).map_err(|why| Error::Refused { ja: why.clone(), en: why })
        })
        .collect()
}

/// The case opened for writing by the examiner given, else the case's own.
pub fn case_writer(case: &Path, examiner: Option<&str>, purpose: &str) -> Result<CaseWriter> {
    let examiners = case::Case::open(case)?.file().case.examiners.clone();
    let actor = examiner.map_or_else(|| case::actor_of(&examiners), str::to_string);
    CaseWriter::open(case, &actor, purpose)
}

/// What an isolation would change; nothing is touched.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Planned {
    /// live-linux: the nftables ruleset that would be loaded.
    Ruleset {
        /// The kept pairs.
        allow: Vec<SocketAddr>,
        /// The ruleset.
        ruleset: String,
    },
    /// script-windows: the scripts that would be written into the case.
    Scripts {
        /// The kept pairs.
        allow: Vec<SocketAddr>,
        /// isolate.ps1.
        isolate: String,
        /// unisolate.ps1.
        unisolate: String,
    },
    /// offline-windows: the volume's facts, what stops it, and the edits.
    Offline {
        /// The volume.
        source: PathBuf,
        /// What the volume shows.
        facts: Box<Facts>,
        /// Why it would not be applied now (ja, en).
        refusals: Vec<(String, String)>,
        /// The edits, when the hives could be read.
        plan: Option<OfflinePlan>,
    },
}

/// The plan of `req`.
pub fn plan(req: &Request) -> Result<Planned> {
    let allow = req.allowlist()?;
    Ok(match req.mode {
        Mode::LiveLinux => Planned::Ruleset { ruleset: linux::ruleset(&allow), allow },
        Mode::ScriptWindows => {
            let (isolate, unisolate) = scripts(&req.case, &req.endpoint, &allow)?;
            Planned::Scripts { allow, isolate, unisolate }
        }
        Mode::OfflineWindows => {
            let volume = req.volume()?;
            let (facts, plan) =
                req.with_inputs(&allow, |i| offline_run::plan(&volume, &req.case, &req.endpoint, i))??;
            let refusals = super::offline::refusals(&facts, req.force_uncollected.is_some());
            Planned::Offline { source: volume.source, facts: Box::new(facts), refusals, plan }
        }
    })
}

/// Isolates the endpoint (after the typed confirmation) and puts it on the record.
pub fn apply(req: &Request) -> Result<Action> {
    req.confirmed()?;
    let allow = req.allowlist()?;
    let blocked = req.blocked(&allow)?;
    let writer = req.writer("isolate apply")?;
    let done = match req.mode {
        Mode::LiveLinux => linux::apply_action(&allow, &blocked)?,
        Mode::ScriptWindows => write_scripts(&writer, &req.endpoint, &allow)?,
        Mode::OfflineWindows => apply_offline(req, &allow, &writer)?,
    };
    let act = req.action("apply", &writer, &allow, done);
    super::record(&writer, &req.endpoint, act.clone())?;
    Ok(act)
}

/// Checks the standing isolation again (probes, or the hives re-read) and puts it on the record.
pub fn verify(req: &Request) -> Result<Action> {
    req.reaches_the_endpoint()?;
    if req.mode == Mode::OfflineWindows {
        let (changes, level) = req.applied_offline()?;
        let done = offline_run::verify(&req.volume()?, &changes)?;
        let writer = req.writer("isolate verify")?;
        let mut act = req.action("verify", &writer, &[], done);
        act.level = level;
        super::record(&writer, &req.endpoint, act.clone())?;
        return Ok(act);
    }
    let journal = super::read_journal(&req.case, &req.endpoint)?;
    let last = journal.actions.iter().rev().find(|x| x.action != "verify");
    let Some(applied) = last.filter(|x| x.action == "apply") else {
        return Err(Refusal::NotIsolated.error(&req.endpoint));
    };
    let recorded: Value = applied.changes.first().and_then(|c| c.new.clone()).unwrap_or_default();
    let allow = addresses(&applied.allow)?;
    let blocked = req.blocked(&allow)?;
    let writer = req.writer("isolate verify")?;
    let act = req.action("verify", &writer, &allow, linux::verify_action(&recorded, &allow, &blocked)?);
    super::record(&writer, &req.endpoint, act.clone())?;
    Ok(act)
}

/// Undoes the standing isolation exactly (after the typed confirmation), on the record.
pub fn rollback(req: &Request) -> Result<Action> {
    req.reaches_the_endpoint()?;
    req.confirmed()?;
    let writer = req.writer("isolate rollback")?;
    let done = match req.mode {
        Mode::OfflineWindows => {
            let (changes, _) = req.applied_offline()?;
            offline_run::rollback(&writer, &req.endpoint, &req.volume()?, &changes)?
        }
        _ => linux::rollback_action()?,
    };
    let act = req.action("rollback", &writer, &[], done);
    super::record(&writer, &req.endpoint, act.clone())?;
    Ok(act)
}

/// Whether an action ended as it should: confirmed, scripts written, or rolled back unrefuted.
pub fn clean(act: &Action) -> bool {
    act.verified == Some(true)
        || act.mode == Mode::ScriptWindows.name()
        || (act.action == "rollback" && act.verified != Some(false))
}

/// Applies offline; a refusal goes into the custody log too.
fn apply_offline(req: &Request, allow: &[SocketAddr], writer: &CaseWriter) -> Result<Done> {
    let journal = super::read_journal(&req.case, &req.endpoint)?;
    if let Some((last, _)) =
        super::standing(&journal).filter(|(l, _)| l.action == "apply" && l.mode == Mode::OfflineWindows.name())
    {
        return Err(Refusal::AlreadyIsolatedOffline { since: last.utc.clone() }.error(&req.endpoint));
    }
    let volume = req.volume()?;
    let forced = req.force_uncollected.as_deref();
    let result = req.with_inputs(allow, |i| offline_run::apply(writer, &req.endpoint, &volume, i, forced))?;
    if let Err(Error::Refused { ja, en }) = &result {
        let detail = serde_json::json!({ "mode": "offline-windows", "level": req.level, "source": volume.source, "ja": ja, "en": en });
        writer.record(case::NewEntry::new("isolate.refused", &req.endpoint, detail))?;
    }
    result
}

/// The scripts for a Windows endpoint: (isolate.ps1, unisolate.ps1).
fn scripts(case_dir: &Path, id: &str, allow: &[SocketAddr]) -> Result<(String, String)> {
    let case_id = case::Case::open(case_dir)?.file().case.id.clone();
    let now = crate::clock::utc_string(crate::clock::now());
    Ok((windows_script::isolate_ps1(&case_id, id, allow, &now), windows_script::unisolate_ps1(&case_id, id, &now)))
}

/// Writes the scripts into `endpoints/<id>/` (UTF-8 with BOM, CRLF); shodo cannot confirm what
/// they do on the endpoint, so the action stays unconfirmed.
fn write_scripts(writer: &CaseWriter, id: &str, allow: &[SocketAddr]) -> Result<Done> {
    let dir = layout::endpoint_dir(writer.case().dir(), id);
    std::fs::create_dir_all(&dir).map_err(Error::io("create", &dir))?;
    let (isolate_ps1, unisolate_ps1) = scripts(writer.case().dir(), id, allow)?;
    let mut changes = Vec::new();
    for (name, text) in [("isolate.ps1", isolate_ps1), ("unisolate.ps1", unisolate_ps1)] {
        let bytes = windows_script::as_file(&text);
        case::write_atomic(&dir.join(name), &bytes)?;
        changes.push(Change {
            target: format!("{ENDPOINTS_DIR}/{id}/{name}"),
            old: None,
            new: None,
            new_sha256: Some(crate::hash::sha256_hex(&bytes)),
            ..Change::default()
        });
    }
    let rel = format!("{ENDPOINTS_DIR}/{id}");
    let notes = vec![txt::COPY_ISOLATE_PS1_TO_THE_ENDPOINT.both(|_| vec![("rel", rel.clone())])];
    Ok(Done { changes, notes, ..Done::default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case() -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("case");
        let opts = case::InitOptions {
            dir: dir.clone(),
            config: None,
            aware_at: None,
            examiners: vec!["tester".into()],
            reference_time: None,
        };
        case::init(&opts).unwrap();
        (tmp, dir)
    }

    #[test]
    fn a_change_without_the_typed_endpoint_is_refused_before_anything_is_touched() {
        let (_t, dir) = case();
        let mut req = Request::new(&dir, Some("pc-01"), Mode::LiveLinux).unwrap();
        let e = apply(&req).unwrap_err();
        assert_eq!(e.to_string(), Refusal::NotConfirmed.error("pc-01").to_string());
        req.confirm = Some("pc-02".into());
        assert!(rollback(&req).unwrap_err().to_string().contains("--confirm pc-01"));
        assert!(!layout::endpoint_dir(&dir, "pc-01").join(layout::JOURNAL).exists());
    }

    #[test]
    fn scripts_are_written_and_recorded_but_never_verified_by_shodo() {
        let (_t, dir) = case();
        let mut req = Request::new(&dir, Some("pc-01"), Mode::ScriptWindows).unwrap();
        req.allow = vec!["192.0.2.10:443".into()];
        let Planned::Scripts { allow, isolate, .. } = plan(&req).unwrap() else { panic!("not scripts") };
        assert_eq!(allow.len(), 1);
        assert!(isolate.contains("192.0.2.10"));
        let act = apply(&req).unwrap();
        assert!(clean(&act) && act.changes.len() == 2 && act.verified.is_none());
        let journal = super::super::read_journal(&dir, "pc-01").unwrap();
        assert_eq!(journal.actions.len(), 1);
        let e = verify(&req).unwrap_err();
        assert_eq!(e.to_string(), Refusal::ScriptsRunOnTheEndpoint.error("pc-01").to_string());
    }

    #[test]
    fn verify_without_an_apply_and_offline_without_a_volume_say_why() {
        let (_t, dir) = case();
        let req = Request::new(&dir, Some("pc-01"), Mode::LiveLinux).unwrap();
        assert_eq!(verify(&req).unwrap_err().to_string(), Refusal::NotIsolated.error("pc-01").to_string());
        let req = Request::new(&dir, Some("pc-01"), Mode::OfflineWindows).unwrap();
        assert_eq!(plan(&req).unwrap_err().to_string(), Refusal::VolumeUnknown.error("pc-01").to_string());
        assert_eq!(verify(&req).unwrap_err().to_string(), Refusal::NotIsolatedOffline.error("pc-01").to_string());
        assert_eq!(Mode::parse("offline-windows"), Some(Mode::OfflineWindows));
        assert_eq!(Mode::parse("windows"), None);
    }
}
