//! Isolation told to a person, in either language: a plan before anything changes, and an
//! action after it. The CLI prints these lines; the TUI shows them in its isolation panel.

use super::offline::{Edit, Plan as OfflinePlan, RegData};
use super::request::{Mode, Planned, Request};
use super::{Action, Change, Expect, linux};
use crate::isolate::strings as txt;
use crate::lang::Lang;

/// The plan, line by line.
pub fn plan(req: &Request, planned: &Planned, lang: Lang) -> Vec<String> {
    let id = &req.endpoint;
    let mut out = Vec::new();
    let (allow, body) = match planned {
        Planned::Offline { refusals, plan, .. } => {
            let level = req.level.name();
            out.push(txt::PLAN_OFFLINE_HEADER.fill(lang, &[("id", id), ("level", &level)]));
            out.extend(refusals.iter().map(|(ja, en)| format!("  × {}", lang.pick(ja, en))));
            if let Some(p) = plan {
                out.extend(offline_plan(p, lang));
            }
            return out;
        }
        Planned::Ruleset { allow, ruleset } => (allow, ruleset.clone()),
        Planned::Scripts { allow, isolate, unisolate } => {
            (allow, format!("# isolate.ps1\n{isolate}\n# unisolate.ps1\n{unisolate}"))
        }
    };
    out.push(txt::PLAN_HEADER.fill(lang, &[("id", id), ("what", &what(req.mode, lang))]));
    if allow.is_empty() {
        out.push(txt::NO_MANAGEMENT_ADDRESS_KEPT_ALL_TRAFFIC.get(lang).into());
    }
    out.extend(allow.iter().map(|k| format!("  {}: {k}", txt::KEPT_REACHABLE.get(lang))));
    out.push(body);
    out
}

fn what(mode: Mode, lang: Lang) -> String {
    match mode {
        Mode::LiveLinux => txt::PLAN_WHAT_LINUX.fill(lang, &[("table", &linux::TABLE)]),
        Mode::ScriptWindows => txt::PLAN_WHAT_SCRIPTS.get(lang).into(),
        Mode::OfflineWindows => txt::PLAN_WHAT_OFFLINE.get(lang).into(),
    }
}

fn offline_plan(p: &OfflinePlan, lang: Lang) -> Vec<String> {
    let mut out: Vec<String> = p.edits.iter().map(|e| format!("  {}", edit_line(e, lang))).collect();
    out.extend(p.files.iter().map(|f| format!("  {}: {f}", txt::MOVE_INTO_THE_QUARANTINE.get(lang))));
    if p.edits.is_empty() && p.files.is_empty() {
        out.push(txt::NOTHING_TO_CHANGE_ALREADY_ISOLATED.get(lang).into());
    }
    out.extend(p.notes.iter().map(|(ja, en)| format!("  {}", lang.pick(ja, en))));
    out
}

fn edit_line(e: &Edit, lang: Lang) -> String {
    let shown = |d: &Option<RegData>| d.as_ref().map_or("-".to_string(), |d| d.shown.clone());
    match &e.value {
        None if e.new.is_some() => txt::CREATE_KEY.fill(lang, &[("key", &e.target())]),
        None => txt::DELETE_KEY.fill(lang, &[("key", &e.target())]),
        Some(_) => format!("{}: {} → {}", e.target(), shown(&e.old), shown(&e.new)),
    }
}

/// What an action did, line by line.
pub fn action(id: &str, act: &Action, lang: Lang) -> Vec<String> {
    let mut out = if act.mode == Mode::OfflineWindows.name() {
        offline_action(id, act, lang)
    } else if act.mode == Mode::ScriptWindows.name() {
        let mut out = vec![format!("{id}: {}", txt::ISOLATION_SCRIPTS_WRITTEN.get(lang))];
        out.extend(
            act.changes.iter().map(|c| format!("  {}  SHA-256 {}", c.target, c.new_sha256.as_deref().unwrap_or("-"))),
        );
        out
    } else {
        linux_action(id, act, lang)
    };
    out.extend(act.notes.iter().map(|(ja, en)| format!("  {}", lang.pick(ja, en))));
    out
}

fn linux_action(id: &str, act: &Action, lang: Lang) -> Vec<String> {
    let what = match act.action.as_str() {
        "apply" => txt::LINUX_APPLIED,
        "verify" => txt::LINUX_VERIFIED,
        _ => txt::LINUX_ROLLED_BACK,
    }
    .get(lang);
    let mut out = vec![format!("{id}: {what} ({})", linux::TABLE)];
    if act.action != "rollback" {
        let confirmed = match act.verified {
            Some(true) => txt::LINUX_CONFIRMED,
            Some(false) => txt::LINUX_NOT_CONFIRMED,
            None => txt::LINUX_NOT_FULLY_CONFIRMED,
        }
        .get(lang);
        out.push(format!("  {confirmed}"));
    }
    for p in &act.probes {
        let expect = match p.expect {
            Expect::Pass => txt::SHOULD_PASS.get(lang),
            Expect::Blocked => txt::SHOULD_BE_BLOCKED.get(lang),
        };
        out.push(format!("  {} {} ({expect}): {}", mark(p.ok), p.address, p.result));
    }
    out
}

fn offline_action(id: &str, act: &Action, lang: Lang) -> Vec<String> {
    let what = match act.action.as_str() {
        "apply" => txt::OFFLINE_APPLIED,
        "verify" => txt::OFFLINE_VERIFIED,
        _ => txt::OFFLINE_ROLLED_BACK,
    }
    .get(lang);
    let confirmed =
        if act.verified == Some(true) { txt::OFFLINE_CONFIRMED } else { txt::OFFLINE_NOT_CONFIRMED }.get(lang);
    let mut out = vec![format!("{id}: {what}"), format!("  {confirmed}")];
    out.extend(act.changes.iter().map(|c| {
        let line = match &c.edit {
            Some(e) => edit_line(e, lang),
            None => moved_or_hive(c, lang),
        };
        format!("  {line}")
    }));
    out
}

fn moved_or_hive(c: &Change, lang: Lang) -> String {
    let text =
        |v: &Option<serde_json::Value>, k: &str| v.as_ref().and_then(|v| v[k].as_str()).unwrap_or("-").to_string();
    match (&c.moved, &c.hive) {
        (Some(m), _) if c.new.as_ref().is_some_and(|n| n.get("quarantine").is_some()) => {
            txt::MOVED_TO_QUARANTINE.fill(lang, &[("path", &m.path), ("sha256", &m.sha256), ("archive", &m.archive)])
        }
        (Some(m), _) => txt::PUT_BACK.fill(lang, &[("path", &m.path), ("sha256", &m.sha256)]),
        (None, Some(h)) => format!(
            "{} ({}): SHA-256 {} → {}",
            h.path,
            text(&c.new, "how"),
            text(&c.old, "sha256"),
            text(&c.new, "sha256")
        ),
        _ => c.target.clone(),
    }
}

/// ○ confirmed, × not, － not known.
pub fn mark(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "○",
        Some(false) => "×",
        None => "－",
    }
}
