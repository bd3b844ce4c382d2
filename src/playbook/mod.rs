//! Playbooks: the procedures shodo guides people through (`playbooks/*.toml`, data). Loaded and
//! validated here; the TUI renders them, and each step checked off is appended to the case's
//! custody log (`playbook.check` / `playbook.uncheck`), so the state of a playbook is read back
//! from that log and never kept anywhere else. This module reads playbooks and the case; it
//! writes only through [`CaseWriter`].

use crate::playbook::strings as txt;

mod record;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use serde_json::json;

pub use record::Recorder;

use crate::case::layout;
use crate::case::{self, CaseWriter, NewEntry};
use crate::config::ContactRole;
use crate::error::{Error, Result};
use crate::lang::Lang;

/// The playbooks shipped with shodo, in the order they are offered.
const BUNDLED: [(&str, &str); 5] = [
    ("playbooks/responder-ransomware.toml", include_str!("../../playbooks/responder-ransomware.toml")),
    ("playbooks/staff.toml", include_str!("../../playbooks/staff.toml")),
    ("playbooks/backup.toml", include_str!("../../playbooks/backup.toml")),
    ("playbooks/isolation.toml", include_str!("../../playbooks/isolation.toml")),
    ("playbooks/recurrence-review.toml", include_str!("../../playbooks/recurrence-review.toml")),
];

/// The id of the staff posted procedure (院内掲示), which staff mode and the poster show.
pub const STAFF: &str = "staff";

/// Longest body a staff step may have, in characters: it must fit one screen in large, plain text.
pub const STAFF_BODY_MAX: usize = 160;

/// A text in both languages.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// 日本語.
    pub ja: String,
    /// English.
    pub en: String,
}

impl Text {
    /// The text in `lang`.
    pub fn pick(&self, lang: Lang) -> &str {
        lang.pick(&self.ja, &self.en)
    }
}

/// Who a playbook is written for.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    /// Hospital staff who are not IT people.
    Staff,
    /// The response team.
    Responder,
}

/// Who performs a step.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Who {
    /// Any member of the hospital's staff.
    Staff,
    /// The response team.
    Responder,
    /// The hospital's IT department.
    It,
    /// The hospital's management (管理者, 安全管理責任者).
    Manager,
    /// The system vendor (保守会社).
    Vendor,
    /// Whoever runs the network (switches, firewalls).
    Network,
}

impl Who {
    /// Label for people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Who::Staff => txt::STAFF.get(lang),
            Who::Responder => txt::RESPONDERS.get(lang),
            Who::It => txt::IT.get(lang),
            Who::Manager => txt::MANAGEMENT.get(lang),
            Who::Vendor => txt::VENDOR.get(lang),
            Who::Network => txt::NETWORK_TEAM.get(lang),
        }
    }
}

/// The shodo function a step runs from its screen.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// List disks and partitions.
    Sources,
    /// Collect triage evidence.
    Collect,
    /// Scan with YARA-X.
    Scan,
    /// Analyse event logs and registry.
    Analyze,
    /// Plan, confirm and apply an isolation.
    Isolate,
    /// Verify backups.
    Backup,
    /// Write the reports.
    Report,
    /// The sheet for the network team.
    NetworkSheet,
    /// A free-text note into the record.
    Note,
    /// Show the numbers to call.
    Call,
}

impl Action {
    /// Label for people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Action::Sources => txt::LIST_DISKS.get(lang),
            Action::Collect => txt::COLLECT_EVIDENCE.get(lang),
            Action::Scan => txt::YARA_X_SCAN.get(lang),
            Action::Analyze => txt::ANALYSE_ARTEFACTS.get(lang),
            Action::Isolate => txt::ISOLATE.get(lang),
            Action::Backup => txt::VERIFY_BACKUPS.get(lang),
            Action::Report => txt::WRITE_REPORTS.get(lang),
            Action::NetworkSheet => txt::NETWORK_SHEET.get(lang),
            Action::Note => txt::RECORD_A_NOTE.get(lang),
            Action::Call => txt::CALL.get(lang),
        }
    }
}

/// One step.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Unique within the playbook.
    pub id: String,
    /// Who does it.
    pub who: Who,
    /// Short title.
    pub title: Text,
    /// What to do.
    pub body: Text,
    /// The shodo function it runs, if any.
    #[serde(default)]
    pub action: Option<Action>,
    /// The contacts to call (with `action = "call"` only).
    #[serde(default)]
    pub call: Vec<ContactRole>,
    /// The evidence or record the step expects or leaves.
    #[serde(default)]
    pub expects: Option<Text>,
    /// Steps of the same playbook to be done first.
    #[serde(default)]
    pub after: Vec<String>,
}

/// A playbook.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Playbook {
    /// Equal to the file's stem.
    pub id: String,
    /// Version of the text.
    pub version: String,
    /// Who it is for.
    pub audience: Audience,
    /// Title.
    pub title: Text,
    /// One paragraph on when to use it.
    pub summary: Text,
    /// Public documents the content rests on.
    #[serde(default)]
    pub sources: Vec<String>,
    /// The steps, in order.
    pub step: Vec<Step>,
}

impl Playbook {
    /// Parses and validates one playbook; `name` is its path, whose stem must be the id.
    pub fn parse(name: &Path, text: &str) -> Result<Playbook> {
        let pb: Playbook = crate::config::deserialize(name, text)?;
        let stem = name.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let problems = pb.problems(stem);
        if problems.is_empty() {
            return Ok(pb);
        }
        Err(Error::Corrupt { path: name.to_path_buf(), what: problems.join("; ") })
    }

    /// Everything wrong with it, as sentences naming the step.
    fn problems(&self, stem: &str) -> Vec<String> {
        let mut out = Vec::new();
        if self.id != stem {
            out.push(format!("id {:?} is not the file name {stem:?}", self.id));
        }
        if !is_id(&self.id) {
            out.push(format!("id {:?} must be lowercase letters, digits and '-'", self.id));
        }
        if self.step.is_empty() {
            out.push("no steps".into());
        }
        check_text("title", &self.title, &mut out);
        check_text("summary", &self.summary, &mut out);
        let mut seen = BTreeSet::new();
        for step in &self.step {
            self.step_problems(step, &seen, &mut out);
            if !seen.insert(step.id.as_str()) {
                out.push(format!("step {}: id used twice", step.id));
            }
        }
        out
    }

    fn step_problems(&self, step: &Step, earlier: &BTreeSet<&str>, out: &mut Vec<String>) {
        let at = |what: &str| format!("step {}: {what}", step.id);
        if !is_id(&step.id) {
            out.push(at("id must be lowercase letters, digits and '-'"));
        }
        let mut texts = Vec::new();
        check_text("title", &step.title, &mut texts);
        check_text("body", &step.body, &mut texts);
        if let Some(e) = &step.expects {
            check_text("expects", e, &mut texts);
        }
        out.extend(texts.iter().map(|t| at(t)));
        match (step.action == Some(Action::Call), step.call.is_empty()) {
            (true, true) => out.push(at("action \"call\" needs call = [...]")),
            (false, false) => out.push(at("call = [...] needs action = \"call\"")),
            _ => {}
        }
        for a in &step.after {
            if !earlier.contains(a.as_str()) {
                out.push(at(&format!("after {a:?} is not an earlier step")));
            }
        }
        let len = step.body.ja.chars().count();
        if self.audience == Audience::Staff && len > STAFF_BODY_MAX {
            out.push(at(&format!("body.ja has {len} characters; a staff step has at most {STAFF_BODY_MAX}")));
        }
    }

    /// The step with this id.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.step.iter().find(|s| s.id == id)
    }
}

fn is_id(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn check_text(field: &str, t: &Text, out: &mut Vec<String>) {
    for (lang, s) in [("ja", &t.ja), ("en", &t.en)] {
        if s.trim().is_empty() {
            out.push(format!("{field}.{lang} is empty"));
        }
    }
}

/// The shipped playbooks, validated.
pub fn bundled() -> Result<Vec<Playbook>> {
    BUNDLED
        .iter()
        .map(|(name, text)| {
            Playbook::parse(Path::new(name), text).map_err(|e| Error::BundledData { name, reason: e.to_string() })
        })
        .collect()
}

/// One shipped playbook by id.
pub fn bundled_one(id: &str) -> Result<Playbook> {
    bundled()?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| Error::BundledData { name: "playbooks", reason: format!("no playbook {id}") })
}

/// Every `*.toml` in `dir`, validated; the first invalid one is the error.
pub fn load_dir(dir: &Path) -> Result<Vec<Playbook>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(Error::io("read", dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths.iter().map(|p| Playbook::parse(p, &std::fs::read_to_string(p).map_err(Error::io("read", p))?)).collect()
}

/// A step checked off, as the custody log has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    /// When (JST, from the custody entry).
    pub jst: String,
    /// By whom.
    pub actor: String,
    /// The custody entry's position.
    pub seq: u64,
}

/// The custody action of a check and of taking one back.
pub const CHECK: &str = "playbook.check";
/// See [`CHECK`].
pub const UNCHECK: &str = "playbook.uncheck";

/// Which steps of `playbook` are checked off in the case, read from its custody log (the last
/// check or uncheck of a step wins).
pub fn checked(case_dir: &Path, playbook: &str) -> Result<BTreeMap<String, Checked>> {
    let mut out = BTreeMap::new();
    for e in case::read_entries(case_dir)? {
        if e.detail.get("playbook").and_then(|v| v.as_str()) != Some(playbook) {
            continue;
        }
        let Some(step) = e.detail.get("step").and_then(|v| v.as_str()) else { continue };
        match e.action.as_str() {
            CHECK => {
                out.insert(step.to_string(), Checked { jst: e.jst.clone(), actor: e.actor.clone(), seq: e.seq });
            }
            UNCHECK => {
                out.remove(step);
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Records a step checked off (or, with `done` false, taken back) on the custody log. `note` is
/// what the person wrote with it, if anything.
pub fn check(writer: &CaseWriter, pb: &Playbook, step: &Step, done: bool, note: Option<&str>) -> Result<case::Entry> {
    let mut detail = json!({
        "playbook": pb.id,
        "version": pb.version,
        "step": step.id,
        "title": step.title.ja,
        "who": step.who.label(Lang::En),
    });
    if let Some(n) = note.filter(|n| !n.trim().is_empty()) {
        detail["note"] = json!(n);
    }
    let action = if done { CHECK } else { UNCHECK };
    writer.record(NewEntry::new(action, &format!("playbook:{}", pb.id), detail))
}

pub mod strings;
#[cfg(test)]
mod tests;

/// Records a note about a step on the custody log (a `note` entry, which the reports list with
/// the responders' other notes), leaving whether it is done as it is.
pub fn note(writer: &CaseWriter, pb: &Playbook, step: &Step, text: &str) -> Result<case::Entry> {
    let detail = json!({ "text": text, "playbook": pb.id, "step": step.id, "title": step.title.ja });
    writer.record(NewEntry::new("note", &format!("playbook:{}", pb.id), detail))
}

/// What the staff procedure needs to show: whose hospital, whom to tell, which numbers.
#[derive(Clone, Debug, Default)]
pub struct Setting {
    /// The hospital's name, when a config names it.
    pub hospital: Option<String>,
    /// 医療情報システム安全管理責任者, when the config names one.
    pub officer: Option<String>,
    /// The hospital's own number.
    pub phone: Option<String>,
    /// The contact of every role (the hospital's own, else shipped defaults marked as such).
    pub contacts: Vec<crate::config::EffectiveContact>,
    /// Where they come from, for people (a path, or "defaults").
    pub from: String,
}

/// The setting from `config` when given, else the case's copy of `shodo.toml`, else
/// `shodo.toml` in the working directory, else the shipped defaults alone.
pub fn setting(config: Option<&Path>, case_dir: Option<&Path>) -> Result<Setting> {
    let copy = case_dir.map(|d| d.join(layout::CONFIG_COPY)).filter(|p| p.is_file());
    let here = Some(Path::new("shodo.toml").to_path_buf()).filter(|p| case_dir.is_none() && p.is_file());
    let Some(path) = config.map(Path::to_path_buf).or(copy).or(here) else {
        return Ok(Setting {
            contacts: crate::config::defaults_only()?,
            from: "defaults".into(),
            ..Setting::default()
        });
    };
    let c = crate::config::Config::load(&path)?;
    Ok(Setting {
        hospital: Some(c.hospital.name.clone()),
        officer: c.hospital.security_officer.clone(),
        phone: c.hospital.phone.as_ref().map(|p| p.to_string()),
        contacts: c.effective_contacts()?,
        from: path.display().to_string(),
    })
}
