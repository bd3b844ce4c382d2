//! Isolation told to a person, in either language: a plan before anything changes, and an
//! action after it. The CLI prints these lines; the TUI shows them in its isolation panel.

use super::offline::{Edit, Plan as OfflinePlan, RegData};
use super::request::{Mode, Planned, Request};
use super::{Action, Change, Expect, linux};
use crate::lang::Lang;

/// The plan, line by line.
pub fn plan(req: &Request, planned: &Planned, lang: Lang) -> Vec<String> {
    let id = &req.endpoint;
    let mut out = Vec::new();
    let (allow, body) = match planned {
        Planned::Offline { refusals, plan, .. } => {
            let level = req.level.name();
            out.push(match lang {
                Lang::Ja => format!("{id} の隔離計画（offline-windows、{level}。まだ何も変更していません）"),
                Lang::En => format!("isolation plan for {id} (offline-windows, {level}; nothing changed yet)"),
            });
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
    out.push(match lang {
        Lang::Ja => format!("{id} の隔離計画（まだ何も変更していません）: {}", what_ja(req.mode)),
        Lang::En => format!("isolation plan for {id} (nothing changed yet): {}", what_en(req.mode)),
    });
    if allow.is_empty() {
        out.push(
            lang.pick(
                "  管理用の宛先なし: すべての通信を遮断します",
                "  no management address kept: all traffic is blocked",
            )
            .into(),
        );
    }
    out.extend(allow.iter().map(|k| format!("  {}: {k}", lang.pick("通す管理用の宛先", "kept reachable"))));
    out.push(body);
    out
}

fn what_ja(mode: Mode) -> String {
    match mode {
        Mode::LiveLinux => format!("nftables のテーブル {} を読み込みます", linux::TABLE),
        Mode::ScriptWindows => "端末で管理者として実行する isolate.ps1 と unisolate.ps1 をケースに書きます".into(),
        Mode::OfflineWindows => "Windows のレジストリハイブに書き込みます".into(),
    }
}

fn what_en(mode: Mode) -> String {
    match mode {
        Mode::LiveLinux => format!("load the nftables table {}", linux::TABLE),
        Mode::ScriptWindows => {
            "write isolate.ps1 and unisolate.ps1 into the case, to run as administrator on the endpoint".into()
        }
        Mode::OfflineWindows => "write into the Windows registry hives".into(),
    }
}

fn offline_plan(p: &OfflinePlan, lang: Lang) -> Vec<String> {
    let mut out: Vec<String> = p.edits.iter().map(|e| format!("  {}", edit_line(e, lang))).collect();
    out.extend(
        p.files
            .iter()
            .map(|f| format!("  {}: {f}", lang.pick("隔離保管（暗号化 ZIP）へ移動", "move into the quarantine"))),
    );
    if p.edits.is_empty() && p.files.is_empty() {
        out.push(
            lang.pick("  変更は不要です（すでに隔離の設定です）", "  nothing to change (already isolated)").into(),
        );
    }
    out.extend(p.notes.iter().map(|(ja, en)| format!("  {}", lang.pick(ja, en))));
    out
}

fn edit_line(e: &Edit, lang: Lang) -> String {
    let shown = |d: &Option<RegData>| d.as_ref().map_or("-".to_string(), |d| d.shown.clone());
    match (&e.value, lang) {
        (None, Lang::Ja) if e.new.is_some() => format!("キーを作成 {}", e.target()),
        (None, Lang::En) if e.new.is_some() => format!("create key {}", e.target()),
        (None, Lang::Ja) => format!("キーを削除 {}", e.target()),
        (None, Lang::En) => format!("delete key {}", e.target()),
        (Some(_), _) => format!("{}: {} → {}", e.target(), shown(&e.old), shown(&e.new)),
    }
}

/// What an action did, line by line.
pub fn action(id: &str, act: &Action, lang: Lang) -> Vec<String> {
    let mut out = if act.mode == Mode::OfflineWindows.name() {
        offline_action(id, act, lang)
    } else if act.mode == Mode::ScriptWindows.name() {
        let mut out = vec![format!("{id}: {}", lang.pick("隔離スクリプトを作成しました", "isolation scripts written"))];
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
    let what = match (act.action.as_str(), lang) {
        ("apply", Lang::Ja) => "隔離しました",
        ("apply", Lang::En) => "isolated",
        ("verify", Lang::Ja) => "隔離を確認しました",
        ("verify", Lang::En) => "isolation checked",
        (_, Lang::Ja) => "隔離を解除しました",
        (_, Lang::En) => "isolation rolled back",
    };
    let mut out = vec![format!("{id}: {what} ({})", linux::TABLE)];
    if act.action != "rollback" {
        let confirmed = match (act.verified, lang) {
            (Some(true), Lang::Ja) => "○ 両方向で確認（管理用の宛先は通り、それ以外は遮断）",
            (Some(true), Lang::En) => "○ confirmed both ways (kept pairs pass, others are blocked)",
            (Some(false), Lang::Ja) => "× 確認できず: 隔離が効いていません",
            (Some(false), Lang::En) => "× NOT confirmed: the isolation does not hold",
            (None, Lang::Ja) => "－ 確認しきれません（管理用の宛先から応答なし）",
            (None, Lang::En) => "－ not fully confirmed (no kept pair answered)",
        };
        out.push(format!("  {confirmed}"));
    }
    for p in &act.probes {
        let expect = match p.expect {
            Expect::Pass => lang.pick("通るはず", "should pass"),
            Expect::Blocked => lang.pick("遮断されるはず", "should be blocked"),
        };
        out.push(format!("  {} {} ({expect}): {}", mark(p.ok), p.address, p.result));
    }
    out
}

fn offline_action(id: &str, act: &Action, lang: Lang) -> Vec<String> {
    let what = match (act.action.as_str(), lang) {
        ("apply", Lang::Ja) => "Windows のレジストリに隔離を書き込みました",
        ("apply", Lang::En) => "isolation written into the Windows registry",
        ("verify", Lang::Ja) => "隔離の設定を読み直して確認しました",
        ("verify", Lang::En) => "isolation settings read back",
        (_, Lang::Ja) => "隔離を元に戻しました",
        (_, Lang::En) => "isolation rolled back",
    };
    let confirmed = match (act.verified, lang) {
        (Some(true), Lang::Ja) => "○ 書き込んだハイブを別の解析器で読み直し、すべての変更を確認",
        (Some(true), Lang::En) => "○ every change confirmed by re-reading the hive with an independent parser",
        (_, Lang::Ja) => "× 確認できない変更があります（下記）",
        (_, Lang::En) => "× some changes could not be confirmed (below)",
    };
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

/// ○ confirmed, × not, － not known.
pub fn mark(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "○",
        Some(false) => "×",
        None => "－",
    }
}
