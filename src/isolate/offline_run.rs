//! Offline Windows isolation carried out on the volume: read it read-only and refuse what is
//! unsafe; open it read-write only for the change; keep a copy of each hive before writing;
//! write with hivex into a working copy, confirm with notatin, put it on the volume, read it
//! back from the volume and confirm again; move tools into the quarantine. Rollback puts the
//! saved hive back byte for byte when Windows has not written it since, else undoes each value.
//!
//! Nothing that reaches the volume is lost from the record: a failure after the first write
//! becomes a note and an unconfirmed action, never an early return.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::offline::{self, Edit, Facts, Inputs, Plan, SOFTWARE, SYSTEM};
use super::{Change, Done, Note, hivex, quarantine};
use crate::case::CaseWriter;
use crate::case::layout;
use crate::case::layout::ENDPOINTS_DIR;
use crate::error::{Error, Result};
use crate::hash::sha256_hex;
use crate::isolate::strings as txt;
use crate::source::{self, platform};

/// The hives, below the volume root.
const CONFIG: [&str; 3] = ["Windows", "System32", "config"];
/// The NTFS times ntfs-3g shows (creation, access, write, change).
const TIMES: &str = "system.ntfs_times";

/// A hive file rewritten, and where its copy from before is kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HiveFile {
    /// SYSTEM or SOFTWARE.
    pub name: String,
    /// Its path below the volume root, as the volume spells it.
    pub path: String,
    /// SHA-256 before.
    pub before_sha256: String,
    /// SHA-256 after.
    pub after_sha256: String,
    /// The copy from before, relative to the case.
    pub saved: String,
    /// Its NTFS times before (hex), put back with it.
    pub times: Option<String>,
}

/// Where the volume is.
#[derive(Clone, Debug)]
pub struct Volume {
    /// Image, device or mounted directory.
    pub source: PathBuf,
    /// Partition number.
    pub partition: Option<u32>,
    /// How the volume was opened when its evidence was collected (`endpoint.json`): a different
    /// volume found there now is refused.
    pub recorded: Option<Value>,
}

/// One hive as read.
struct HiveBytes {
    name: &'static str,
    rel: String,
    bytes: Vec<u8>,
}

/// The volume as read read-only.
struct State {
    facts: Facts,
    hives: Vec<HiveBytes>,
    opened: Value,
}

impl State {
    fn hive(&self, name: &str) -> Option<&HiveBytes> {
        self.hives.iter().find(|h| h.name == name)
    }
}

/// A path below `root` found case-insensitively, as NTFS names are; with its spelling.
fn find(root: &Path, parts: &[&str]) -> Option<(PathBuf, String)> {
    let (mut path, mut rel) = (root.to_path_buf(), Vec::new());
    for part in parts {
        let name = std::fs::read_dir(&path)
            .ok()?
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .find(|n| n.eq_ignore_ascii_case(part))?;
        path.push(&name);
        rel.push(name);
    }
    Some((path, rel.join("/")))
}

/// Reads the volume read-only: the refusal facts and the two hives.
fn read(volume: &Volume) -> Result<State> {
    let opened = match source::open(&volume.source, volume.partition, None) {
        Ok(o) => o,
        Err(Error::BitLocker { .. }) => {
            let facts = Facts { bitlocker_locked: true, ..Facts::default() };
            return Ok(State { facts, hives: Vec::new(), opened: json!({ "bitlocker": true }) });
        }
        Err(e) => return Err(e),
    };
    if let Some(then) = &volume.recorded
        && let Err(why) = crate::collect::same_volume(then, &opened.describe())
    {
        let (ja, en) = txt::ANOTHER_VOLUME.both(|_| vec![("why", why.to_string())]);
        return Err(Error::Refused { ja, en });
    }
    let mut facts = Facts { hibernated: opened.ntfs.as_ref().is_some_and(|n| n.hibernated), ..Facts::default() };
    let mut hives = Vec::new();
    for name in [SYSTEM, SOFTWARE] {
        let parts: Vec<&str> = CONFIG.iter().copied().chain([name]).collect();
        let read = find(&opened.root, &parts)
            .ok_or_else(|| "not found (is this a Windows volume?)".to_string())
            .and_then(|(path, rel)| std::fs::read(&path).map(|b| (rel, b)).map_err(|e| e.to_string()));
        match read {
            Ok((rel, bytes)) => {
                if sequence(&bytes, 4) != sequence(&bytes, 8) {
                    facts.dirty_hives.push(name.into());
                }
                hives.push(HiveBytes { name, rel, bytes });
            }
            Err(why) => facts.unreadable.push((name.into(), opened.mount_error.clone().unwrap_or(why))),
        }
    }
    if let Some(system) = hives.iter().find(|h| h.name == SYSTEM)
        && let Ok(mut hive) = hivex::parse(&system.bytes, Path::new(SYSTEM))
    {
        let ccs = hive.current_control_set().unwrap_or_else(|| "ControlSet001".into());
        facts.fast_startup =
            hive.number(&format!("{ccs}\\Control\\Session Manager\\Power"), "HiberbootEnabled") == Some(1);
    }
    Ok(State { facts, hives, opened: opened.describe() })
}

fn sequence(bytes: &[u8], at: usize) -> Option<u32> {
    bytes.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Whether evidence of the endpoint was collected into the case.
pub fn collected(case_dir: &Path, endpoint: &str) -> bool {
    let manifest = case_dir.join(ENDPOINTS_DIR).join(endpoint).join(layout::MANIFEST);
    crate::collect::read_manifest(&manifest).is_ok_and(|rows| !rows.is_empty())
}

/// The endpoint's findings (findings.jsonl), for the persistence level.
pub fn findings(case_dir: &Path, endpoint: &str) -> Vec<crate::findings::Finding> {
    crate::findings::read(&case_dir.join(ENDPOINTS_DIR).join(endpoint))
}

fn plan_of(state: &State, inputs: &Inputs) -> Result<Plan> {
    let parse = |name: &str| {
        let h = state.hive(name).ok_or_else(|| Error::Corrupt { path: name.into(), what: "hive not read".into() })?;
        hivex::parse(&h.bytes, Path::new(&h.rel))
    };
    let (mut system, mut software) = (parse(SYSTEM)?, parse(SOFTWARE)?);
    Ok(offline::plan(&mut system, &mut software, inputs))
}

/// What apply would do, read-only: the facts (with what would refuse it) and the plan.
pub fn plan(volume: &Volume, case_dir: &Path, endpoint: &str, inputs: &Inputs) -> Result<(Facts, Option<Plan>)> {
    let mut state = read(volume)?;
    state.facts.collected = collected(case_dir, endpoint);
    let plan = if state.hives.len() == 2 { Some(plan_of(&state, inputs)?) } else { None };
    Ok((state.facts, plan))
}

fn refuse(notes: Vec<Note>) -> Error {
    let (ja, en): (Vec<String>, Vec<String>) = notes.into_iter().unzip();
    Error::Refused { ja: ja.join(" / "), en: en.join(" / ") }
}

/// Where this action keeps its files in the case.
fn action_dir(endpoint: &str) -> String {
    let stamp = crate::clock::now().format("%Y%m%dT%H%M%S%.3fZ");
    format!("{ENDPOINTS_DIR}/{endpoint}/isolation/{stamp}")
}

fn make_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(Error::io("create", dir))
}

/// Applies the plan to the volume. `forced`: the operator's reason to go on without evidence.
pub fn apply(
    writer: &CaseWriter,
    endpoint: &str,
    volume: &Volume,
    inputs: &Inputs,
    forced: Option<&str>,
) -> Result<Done> {
    let case_dir = writer.case().dir();
    let mut state = read(volume)?;
    state.facts.collected = collected(case_dir, endpoint);
    let refused = offline::refusals(&state.facts, forced.is_some());
    if !refused.is_empty() {
        return Err(refuse(refused));
    }
    let plan = plan_of(&state, inputs)?;
    let rel_dir = action_dir(endpoint);
    make_dir(&case_dir.join(&rel_dir))?;
    let mut done = Done { notes: plan.notes.clone(), verified: Some(true), ..Done::default() };
    if let Some(reason) = forced.filter(|_| !state.facts.collected) {
        done.notes.push(txt::ISOLATED_BEFORE_EVIDENCE_WAS_COLLECTED.both(|_| vec![("reason", reason.to_string())]));
    }
    let w = source::open_writable(&volume.source, volume.partition)?;
    for name in [SYSTEM, SOFTWARE] {
        let edits: Vec<&Edit> = plan.edits.iter().filter(|e| e.hive == name).collect();
        let Some(h) = state.hive(name).filter(|_| !edits.is_empty()) else { continue };
        let step = Step { root: &w.root, case_dir, rel_dir: &rel_dir, hive: h };
        if let Err(e) = step.write(&edits, &mut done) {
            fail(&mut done, &e);
        }
    }
    if !plan.files.is_empty() {
        quarantine_files(&w.root, case_dir, &rel_dir, &plan.files, &mut done);
    }
    drop(w);
    done.notes.push(opened_note(&state.opened));
    Ok(done)
}

fn opened_note(opened: &Value) -> Note {
    let spec = opened["spec"].as_str().unwrap_or_default();
    txt::VOLUME_OPENED_READ_WRITE_FOR_THIS_CHANGE.both(|_| vec![("spec", spec.to_string())])
}

fn fail(done: &mut Done, e: &Error) {
    done.verified = Some(false);
    done.notes.push((e.ja(), e.to_string()));
}

/// One hive being written.
struct Step<'a> {
    root: &'a Path,
    case_dir: &'a Path,
    rel_dir: &'a str,
    hive: &'a HiveBytes,
}

impl Step<'_> {
    /// Saves the hive, edits a working copy, confirms it, puts it on the volume, confirms again.
    fn write(&self, edits: &[&Edit], done: &mut Done) -> Result<()> {
        let on_volume = self.root.join(&self.hive.rel);
        let before = std::fs::read(&on_volume).map_err(Error::io("read", &on_volume))?;
        if before != self.hive.bytes {
            return Err(Error::Corrupt { path: on_volume, what: "changed between reading and writing".into() });
        }
        let saved = format!("{}/{}.before", self.rel_dir, self.hive.name);
        crate::case::write_atomic(&self.case_dir.join(&saved), &before)?;
        done.files.push(saved.clone());
        let times = platform::get_xattr(&on_volume, TIMES).ok().map(|t| t.iter().map(|b| format!("{b:02x}")).collect());
        let after = self.edited(edits)?;
        if let Err(e) = put(&on_volume, &after) {
            // A write that failed half-way must not leave a torn hive: put the old bytes back.
            let _ = put(&on_volume, &before);
            return Err(e);
        }
        let file = HiveFile {
            name: self.hive.name.into(),
            path: self.hive.rel.clone(),
            before_sha256: sha256_hex(&before),
            after_sha256: sha256_hex(&after),
            saved,
            times,
        };
        done.changes.push(hive_change(&file, "write"));
        let (changes, ok) = confirmed_on_volume(&on_volume, &after, edits)?;
        done.changes.extend(changes);
        if !ok {
            done.verified = Some(false);
        }
        Ok(())
    }

    /// The hive with `edits` applied by hivex in a working copy, confirmed with notatin; the
    /// volume is not touched if any edit does not read back.
    fn edited(&self, edits: &[&Edit]) -> Result<Vec<u8>> {
        let work = self.case_dir.join(format!("{}/{}.work", self.rel_dir, self.hive.name));
        std::fs::write(&work, &self.hive.bytes).map_err(Error::io("write", &work))?;
        let result = hivex::write(&work, edits).and_then(|()| std::fs::read(&work).map_err(Error::io("read", &work)));
        let _ = std::fs::remove_file(&work);
        let after = result?;
        let mut hive = hivex::parse(&after, &work)?;
        let wrong: Vec<String> = hivex::confirm(&mut hive, edits)
            .into_iter()
            .zip(edits)
            .filter_map(|(r, e)| r.err().map(|why| format!("{}: {why}", e.target())))
            .collect();
        if wrong.is_empty() {
            Ok(after)
        } else {
            Err(Error::Corrupt { path: work, what: format!("hivex's result does not read back: {}", wrong.join("; ")) })
        }
    }
}

fn hive_change(file: &HiveFile, how: &str) -> Change {
    Change {
        target: format!("volume:{}", file.path),
        old: Some(json!({ "sha256": file.before_sha256, "saved": file.saved })),
        new: Some(json!({ "sha256": file.after_sha256, "how": how })),
        new_sha256: None,
        hive: Some(file.clone()),
        ..Change::default()
    }
}

/// Overwrites a file in place (same NTFS record: its ACL and name stay), to disk.
fn put(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().write(true).truncate(true).open(path).map_err(Error::io("open", path))?;
    f.write_all(bytes).and_then(|()| f.sync_all()).map_err(Error::io("write", path))
}

/// Reads the hive back from the volume and confirms each edit there; the changes as recorded.
fn confirmed_on_volume(on_volume: &Path, written: &[u8], edits: &[&Edit]) -> Result<(Vec<Change>, bool)> {
    let back = std::fs::read(on_volume).map_err(Error::io("read", on_volume))?;
    let same = back == written;
    let mut hive = hivex::parse(&back, on_volume)?;
    let results = hivex::confirm(&mut hive, edits);
    let ok = same && results.iter().all(std::result::Result::is_ok);
    let changes = edits.iter().zip(results).map(|(e, r)| edit_change(e, r.err())).collect();
    Ok((changes, ok))
}

fn edit_change(e: &Edit, problem: Option<hivex::Unconfirmed>) -> Change {
    let data = |d: &Option<offline::RegData>| d.as_ref().map(|d| json!(d));
    let mut new = data(&e.new);
    if let (Some(p), Some(n)) = (problem, new.as_mut()) {
        n["not_confirmed"] = json!(p.to_string());
    }
    Change { target: e.target(), old: data(&e.old), new, edit: Some(e.clone()), ..Change::default() }
}

fn quarantine_files(root: &Path, case_dir: &Path, rel_dir: &str, files: &[String], done: &mut Done) {
    let rel = format!("{rel_dir}/quarantine.zip");
    match quarantine::store(root, files, &case_dir.join(&rel), &rel) {
        Ok((moved, notes)) => {
            done.notes.extend(notes);
            done.files.push(rel);
            for m in moved {
                done.changes.push(Change {
                    target: format!("volume:{}", m.path),
                    old: Some(json!({ "sha256": m.sha256, "size": m.size })),
                    new: Some(json!({ "quarantine": m.archive, "entry": m.entry })),
                    moved: Some(m),
                    ..Change::default()
                });
            }
        }
        Err(e) => fail(done, &e),
    }
}

/// Re-reads the volume read-only and checks every change of `applied` is still there.
pub fn verify(volume: &Volume, applied: &[Change]) -> Result<Done> {
    let state = read(volume)?;
    let mut done = Done { verified: Some(true), ..Done::default() };
    for name in [SYSTEM, SOFTWARE] {
        let edits: Vec<&Edit> = applied.iter().filter_map(|c| c.edit.as_ref()).filter(|e| e.hive == name).collect();
        if edits.is_empty() {
            continue;
        }
        let Some(h) = state.hive(name) else {
            fail(&mut done, &Error::Corrupt { path: name.into(), what: "hive not read".into() });
            continue;
        };
        let mut hive = hivex::parse(&h.bytes, Path::new(&h.rel))?;
        for (e, r) in edits.iter().zip(hivex::confirm(&mut hive, &edits)) {
            if let Err(why) = r {
                done.verified = Some(false);
                done.notes
                    .push(txt::VALUE_HAS_CHANGED.both(|_| vec![("target", e.target()), ("why", why.to_string())]));
            }
        }
    }
    Ok(done)
}

/// Undoes `applied` on the volume.
pub fn rollback(writer: &CaseWriter, endpoint: &str, volume: &Volume, applied: &[Change]) -> Result<Done> {
    let case_dir = writer.case().dir();
    let state = read(volume)?;
    let refused = offline::refusals(&Facts { collected: true, ..state.facts.clone() }, false);
    if !refused.is_empty() {
        return Err(refuse(refused));
    }
    let rel_dir = action_dir(endpoint);
    make_dir(&case_dir.join(&rel_dir))?;
    let mut done = Done { verified: Some(true), ..Done::default() };
    let w = source::open_writable(&volume.source, volume.partition)?;
    for file in applied.iter().filter_map(|c| c.hive.as_ref()) {
        let edits: Vec<Edit> = applied
            .iter()
            .rev()
            .filter_map(|c| c.edit.as_ref())
            .filter(|e| e.hive == file.name)
            .map(Edit::undo)
            .collect();
        let undo = Undo { root: &w.root, case_dir, rel_dir: &rel_dir, file };
        if let Err(e) = undo.run(&edits, &mut done) {
            fail(&mut done, &e);
        }
    }
    for m in applied.iter().filter_map(|c| c.moved.as_ref()) {
        match quarantine::restore(&w.root, &case_dir.join(&m.archive), m) {
            Ok(()) => done.changes.push(Change {
                target: format!("volume:{}", m.path),
                old: Some(json!({ "quarantine": m.archive, "entry": m.entry })),
                new: Some(json!({ "sha256": m.sha256, "size": m.size })),
                moved: Some(m.clone()),
                ..Change::default()
            }),
            Err(why) => fail(&mut done, &Error::Corrupt { path: m.path.clone().into(), what: why.to_string() }),
        }
    }
    drop(w);
    done.notes.push(opened_note(&state.opened));
    Ok(done)
}

/// One hive being put back.
struct Undo<'a> {
    root: &'a Path,
    case_dir: &'a Path,
    rel_dir: &'a str,
    file: &'a HiveFile,
}

impl Undo<'_> {
    /// Byte for byte when the hive is as shodo left it; else value by value.
    fn run(&self, edits: &[Edit], done: &mut Done) -> Result<()> {
        let on_volume = self.root.join(&self.file.path);
        let now = std::fs::read(&on_volume).map_err(Error::io("read", &on_volume))?;
        if sha256_hex(&now) == self.file.after_sha256 {
            return self.exact(&on_volume, done);
        }
        let refs: Vec<&Edit> = edits.iter().collect();
        let step = Step {
            root: self.root,
            case_dir: self.case_dir,
            rel_dir: self.rel_dir,
            hive: &HiveBytes { name: hive_name(&self.file.name), rel: self.file.path.clone(), bytes: now },
        };
        done.notes
            .push(txt::WINDOWS_WROTE_THE_HIVE_AFTER_THE_ISOLATION.both(|_| vec![("hive", self.file.name.clone())]));
        step.write(&refs, done)
    }

    /// The saved copy back, with its NTFS times.
    fn exact(&self, on_volume: &Path, done: &mut Done) -> Result<()> {
        let saved_path = self.case_dir.join(&self.file.saved);
        let saved = std::fs::read(&saved_path).map_err(Error::io("read", &saved_path))?;
        if sha256_hex(&saved) != self.file.before_sha256 {
            return Err(Error::Corrupt {
                path: saved_path,
                what: "the saved hive does not match its recorded SHA-256".into(),
            });
        }
        put(on_volume, &saved)?;
        if let Some(times) = self.file.times.as_deref().and_then(crate::hash::unhex) {
            let _ = platform::set_xattr(on_volume, TIMES, &times);
        }
        let back = std::fs::read(on_volume).map_err(Error::io("read", on_volume))?;
        if back != saved {
            done.verified = Some(false);
        }
        let file = HiveFile {
            before_sha256: self.file.after_sha256.clone(),
            after_sha256: sha256_hex(&back),
            ..self.file.clone()
        };
        done.changes.push(hive_change(&file, "restored byte for byte"));
        Ok(())
    }
}

fn hive_name(name: &str) -> &'static str {
    if name.eq_ignore_ascii_case(SYSTEM) { SYSTEM } else { SOFTWARE }
}
