//! Where checked-off steps are written: the case's custody log when a case is open, else a
//! record file of its own (staff at 3 a.m. have no case yet; the responders read the file and
//! can keep it with the case). Either way each line carries JST and UTC time and who did it.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::{Playbook, Step};
use crate::case::{self, CaseWriter};
use crate::clock;
use crate::error::Result;

/// The record that checks go to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recorder {
    /// The case's custody log, as `actor`.
    Case {
        /// Case directory.
        dir: PathBuf,
        /// Who checks steps off.
        actor: String,
    },
    /// A JSON-lines file of its own (appended, fsynced), as `actor`.
    File {
        /// The file.
        path: PathBuf,
        /// Who checks steps off.
        actor: String,
    },
}

impl Recorder {
    /// Records one step checked off (or taken back); returns the JST time recorded.
    pub fn check(&self, pb: &Playbook, step: &Step, done: bool, note: Option<&str>) -> Result<String> {
        match self {
            Recorder::Case { dir, actor } => {
                let writer = CaseWriter::open(dir, actor, "playbook")?;
                Ok(super::check(&writer, pb, step, done, note)?.jst)
            }
            Recorder::File { path, actor } => append_line(path, actor, (pb, step), done, note),
        }
    }

    /// The same record, kept by `actor` from now on.
    pub fn by(&self, actor: &str) -> Recorder {
        match self {
            Recorder::Case { dir, .. } => Recorder::Case { dir: dir.clone(), actor: actor.to_string() },
            Recorder::File { path, .. } => Recorder::File { path: path.clone(), actor: actor.to_string() },
        }
    }

    /// The steps of `playbook` checked off today (JST) in this record, with when: what a staff
    /// member who starts again sees as done. The case's log counts whatever the day.
    pub fn done_today(&self, playbook: &str) -> Vec<(String, String)> {
        let today = clock::now().with_timezone(&clock::jst()).format("%Y-%m-%d").to_string();
        let checked: Vec<(String, String)> = match self {
            Recorder::Case { dir, .. } => super::checked(dir, playbook)
                .map(|m| m.into_iter().map(|(k, c)| (k, c.jst)).collect())
                .unwrap_or_default(),
            Recorder::File { path, .. } => std::fs::read_to_string(path)
                .unwrap_or_default()
                .lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .filter(|v| v["playbook"] == playbook && v["action"] == super::CHECK)
                .filter(|v| v["jst"].as_str().is_some_and(|t| t.starts_with(&today)))
                .filter_map(|v| Some((v["step"].as_str()?.to_string(), v["jst"].as_str()?.to_string())))
                .collect(),
        };
        let mut out: Vec<(String, String)> = Vec::new();
        for (step, jst) in checked {
            out.retain(|(s, _)| *s != step);
            out.push((step, jst));
        }
        out.sort_by(|a, b| a.1.cmp(&b.1));
        out
    }

    /// Where the record is, for people.
    pub fn path(&self) -> &Path {
        match self {
            Recorder::Case { dir, .. } => dir,
            Recorder::File { path, .. } => path,
        }
    }
}

fn append_line(
    path: &Path,
    actor: &str,
    (pb, step): (&Playbook, &Step),
    done: bool,
    note: Option<&str>,
) -> Result<String> {
    let now = clock::now();
    let jst = clock::jst_string(now);
    let line = json!({
        "utc": clock::utc_string(now),
        "jst": jst,
        "host": case::hostname(),
        "actor": actor,
        "action": if done { super::CHECK } else { super::UNCHECK },
        "playbook": pb.id,
        "version": pb.version,
        "step": step.id,
        "title": step.title.ja,
        "note": note.filter(|n| !n.trim().is_empty()),
    });
    case::append(path, format!("{line}\n").as_bytes())?;
    Ok(jst)
}
