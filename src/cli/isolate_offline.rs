//! `shodo isolate … --mode offline-windows`: the Windows volume of a machine booted from the stick.

use std::io::Write;
use std::net::SocketAddr;

use shodo::isolate::offline::{Edit, Inputs, Level, Plan};
use shodo::isolate::offline_run::{self, Volume};
use shodo::isolate::{self, Action, Change, Done};
use shodo::{Error, Lang, Result};

use super::isolate::IsolateArgs;
use super::output;

/// The volume named by `--source`, else the one the endpoint's evidence came from.
pub fn volume(a: &IsolateArgs, id: &str) -> Result<Volume> {
    let recorded = shodo::analyze::evidence::recorded_source(&a.case, id);
    match (&a.source, recorded) {
        (Some(source), rec) => {
            Ok(Volume { source: source.clone(), partition: a.partition, recorded: rec.map(|(_, volume, _)| volume) })
        }
        (None, Some((source, volume, partition))) => {
            Ok(Volume { source, partition: a.partition.or(partition), recorded: Some(volume) })
        }
        (None, None) => Err(Error::Refused {
            ja: format!(
                "{id} のボリュームが分かりません。--source で Windows のディスクまたはイメージを指定してください"
            ),
            en: format!("the volume of {id} is not known: name the Windows disk or image with --source"),
        }),
    }
}

/// A FILETIME for now (100 ns since 1601).
fn filetime_now() -> u64 {
    let unix = shodo::clock::now().timestamp().max(0) as u64;
    (unix + 11_644_473_600) * 10_000_000
}

/// Runs `f` with the plan's inputs.
pub fn with_inputs<T>(a: &IsolateArgs, id: &str, allow: &[SocketAddr], f: impl FnOnce(&Inputs) -> T) -> Result<T> {
    let case_id = shodo::case::Case::open(&a.case)?.file().case.id.clone();
    let findings = offline_run::findings(&a.case, id);
    let inputs =
        Inputs { level: a.level.level(), allow, case_id: &case_id, findings: &findings, filetime: filetime_now() };
    Ok(f(&inputs))
}

pub fn plan(a: &IsolateArgs, id: &str, allow: &[SocketAddr], lang: Lang, out: &mut dyn Write) -> Result<()> {
    let volume = volume(a, id)?;
    let (facts, plan) = with_inputs(a, id, allow, |i| offline_run::plan(&volume, &a.case, id, i))??;
    let refusals = isolate::offline::refusals(&facts, a.force_uncollected.is_some());
    if a.json {
        let refusals: Vec<_> = refusals.iter().map(|(ja, en)| serde_json::json!({ "ja": ja, "en": en })).collect();
        return output::json(
            out,
            &serde_json::json!({ "endpoint": id, "mode": "offline-windows", "level": a.level.level(),
                "source": volume.source, "facts": facts, "refusals": refusals, "plan": plan, "changed": false }),
        );
    }
    let level = a.level.level().name();
    output::line(
        out,
        &match lang {
            Lang::Ja => format!("{id} の隔離計画（offline-windows、{level}。まだ何も変更していません）"),
            Lang::En => format!("isolation plan for {id} (offline-windows, {level}; nothing changed yet)"),
        },
    )?;
    for (ja, en) in &refusals {
        output::line(out, &format!("  × {}", lang.pick(ja, en)))?;
    }
    if let Some(p) = plan {
        show_plan(&p, lang, out)?;
    }
    Ok(())
}

fn show_plan(p: &Plan, lang: Lang, out: &mut dyn Write) -> Result<()> {
    for e in &p.edits {
        output::line(out, &format!("  {}", edit_line(e, lang)))?;
    }
    for f in &p.files {
        output::line(
            out,
            &format!("  {}: {f}", lang.pick("隔離保管（暗号化 ZIP）へ移動", "move into the quarantine")),
        )?;
    }
    if p.edits.is_empty() && p.files.is_empty() {
        output::line(
            out,
            lang.pick("  変更は不要です（すでに隔離の設定です）", "  nothing to change (already isolated)"),
        )?;
    }
    for (ja, en) in &p.notes {
        output::line(out, &format!("  {}", lang.pick(ja, en)))?;
    }
    Ok(())
}

fn edit_line(e: &Edit, lang: Lang) -> String {
    let shown = |d: &Option<isolate::offline::RegData>| d.as_ref().map_or("-".to_string(), |d| d.shown.clone());
    match (&e.value, lang) {
        (None, Lang::Ja) if e.new.is_some() => format!("キーを作成 {}", e.target()),
        (None, Lang::En) if e.new.is_some() => format!("create key {}", e.target()),
        (None, Lang::Ja) => format!("キーを削除 {}", e.target()),
        (None, Lang::En) => format!("delete key {}", e.target()),
        (Some(_), _) => format!("{}: {} → {}", e.target(), shown(&e.old), shown(&e.new)),
    }
}

/// Applies; a refusal goes into the custody log too.
pub fn apply(a: &IsolateArgs, id: &str, allow: &[SocketAddr], writer: &shodo::case::CaseWriter) -> Result<Done> {
    let journal = isolate::read_journal(&a.case, id)?;
    if let Some((last, _)) =
        isolate::standing(&journal).filter(|(l, _)| l.action == "apply" && l.mode == "offline-windows")
    {
        return Err(Error::Refused {
            ja: format!(
                "{id} は {} に offline-windows で隔離済みです。変えるときは先に rollback してください",
                last.utc
            ),
            en: format!("{id} was isolated with offline-windows at {}: roll back first to change it", last.utc),
        });
    }
    let volume = volume(a, id)?;
    let forced = a.force_uncollected.as_deref();
    let result = with_inputs(a, id, allow, |i| offline_run::apply(writer, id, &volume, i, forced))?;
    if let Err(Error::Refused { ja, en }) = &result {
        let detail = serde_json::json!({ "mode": "offline-windows", "level": a.level.level(), "source": volume.source, "ja": ja, "en": en });
        writer.record(shodo::case::NewEntry::new("isolate.refused", id, detail))?;
    }
    result
}

/// The changes of the endpoint's standing offline apply.
pub fn applied(a: &IsolateArgs, id: &str) -> Result<(Vec<Change>, Option<Level>)> {
    let journal = isolate::read_journal(&a.case, id)?;
    let last = journal.actions.iter().rev().find(|x| x.action != "verify");
    match last.filter(|x| x.action == "apply" && x.mode == "offline-windows") {
        Some(act) => Ok((act.changes.clone(), act.level)),
        None => Err(Error::Refused {
            ja: format!("{id} は offline-windows で隔離されていません（isolation.json に適用の記録がありません）"),
            en: format!("{id} is not isolated with offline-windows (no apply in its isolation.json)"),
        }),
    }
}

fn moved_or_hive(c: &Change, lang: Lang) -> String {
    let text =
        |v: &Option<serde_json::Value>, k: &str| v.as_ref().and_then(|v| v[k].as_str()).unwrap_or("-").to_string();
    match (&c.moved, &c.hive, lang) {
        (Some(m), _, Lang::Ja) if c.new.as_ref().is_some_and(|n| n.get("quarantine").is_some()) => {
            format!("隔離保管へ移動 {}（SHA-256 {}）→ {}", m.path, m.sha256, m.archive)
        }
        (Some(m), _, Lang::En) if c.new.as_ref().is_some_and(|n| n.get("quarantine").is_some()) => {
            format!("moved into the quarantine {} (SHA-256 {}) → {}", m.path, m.sha256, m.archive)
        }
        (Some(m), _, Lang::Ja) => format!("元の場所へ戻しました {}（SHA-256 {}）", m.path, m.sha256),
        (Some(m), _, Lang::En) => format!("put back {} (SHA-256 {})", m.path, m.sha256),
        (None, Some(h), _) => format!(
            "{} ({}): SHA-256 {} → {}",
            h.path,
            text(&c.new, "how"),
            text(&c.old, "sha256"),
            text(&c.new, "sha256")
        ),
        _ => c.target.clone(),
    }
}

/// What an offline action did, for a person.
pub fn report(id: &str, act: &Action, lang: Lang, out: &mut dyn Write) -> Result<()> {
    let what = match (act.action.as_str(), lang) {
        ("apply", Lang::Ja) => "Windows のレジストリに隔離を書き込みました",
        ("apply", Lang::En) => "isolation written into the Windows registry",
        ("verify", Lang::Ja) => "隔離の設定を読み直して確認しました",
        ("verify", Lang::En) => "isolation settings read back",
        (_, Lang::Ja) => "隔離を元に戻しました",
        (_, Lang::En) => "isolation rolled back",
    };
    output::line(out, &format!("{id}: {what}"))?;
    let confirmed = match (act.verified, lang) {
        (Some(true), Lang::Ja) => "○ 書き込んだハイブを別の解析器で読み直し、すべての変更を確認",
        (Some(true), Lang::En) => "○ every change confirmed by re-reading the hive with an independent parser",
        (_, Lang::Ja) => "× 確認できない変更があります（下記）",
        (_, Lang::En) => "× some changes could not be confirmed (below)",
    };
    output::line(out, &format!("  {confirmed}"))?;
    for c in &act.changes {
        let line = match &c.edit {
            Some(e) => edit_line(e, lang),
            None => moved_or_hive(c, lang),
        };
        output::line(out, &format!("  {line}"))?;
    }
    for (ja, en) in &act.notes {
        output::line(out, &format!("  {}", lang.pick(ja, en)))?;
    }
    Ok(())
}
