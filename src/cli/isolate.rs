//! `shodo isolate plan|apply|verify|rollback|ledger`.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use shodo::config::{Config, ManagementAddr};
use shodo::isolate::offline::Level;
use shodo::isolate::{self, Action, linux, windows_script};
use shodo::{Error, Lang, Result};

use super::isolate_offline as offline;
use super::{Outcome, output};

/// How the endpoint is met.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// shodo が動いているこの Linux 端末（nftables）/ the Linux host shodo runs on (nftables)
    #[value(name = "live-linux")]
    LiveLinux,
    /// 稼働中の Windows 端末: 職員が管理者として実行する isolate.ps1 / unisolate.ps1 を作成 /
    /// a running Windows endpoint: isolate.ps1 and unisolate.ps1 for staff to run as administrator
    #[value(name = "script-windows")]
    ScriptWindows,
    /// スティックから起動した Windows 端末: レジストリハイブに書き込み、Windows に戻ったときに隔離された状態にする /
    /// a Windows endpoint booted from the stick: written into its registry hives, so it comes up isolated
    #[value(name = "offline-windows")]
    OfflineWindows,
}

/// How far offline-windows goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    /// ファイアウォールで既定遮断（管理用の宛先のみ許可）/ firewall default block but for the management addresses
    Soft,
    /// soft ＋ ネットワークアダプターのドライバーを無効化 / soft, and the network adapters' drivers disabled
    Hard,
    /// hard ＋ 解析で悪性とされたサービス・自動起動の無効化とツールの隔離保管 / hard, and malicious services and autostarts disabled, tools quarantined
    Persistence,
}

impl LevelArg {
    /// The engine's level.
    pub fn level(self) -> Level {
        match self {
            LevelArg::Soft => Level::Soft,
            LevelArg::Hard => Level::Hard,
            LevelArg::Persistence => Level::Persistence,
        }
    }
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::LiveLinux => "live-linux",
            Mode::ScriptWindows => "script-windows",
            Mode::OfflineWindows => "offline-windows",
        }
    }
}

/// `isolate plan|apply|verify|rollback`
#[derive(Debug, Args)]
pub struct IsolateArgs {
    /// ケースのディレクトリ / case directory
    #[arg(long, value_name = "DIR")]
    pub case: PathBuf,
    /// 端末名（省略時はこの端末のホスト名）/ endpoint id (default: this host's name)
    #[arg(long, value_name = "ID")]
    pub endpoint: Option<String>,
    /// 隔離の方法 / how the endpoint is isolated
    #[arg(long, value_enum, value_name = "MODE")]
    pub mode: Mode,
    /// 隔離中も通す管理用の宛先（shodo.toml の [[isolation.keep]] に追加）/ a management IP:PORT kept reachable (besides shodo.toml's)
    #[arg(long = "allow", value_name = "IP:PORT")]
    pub allow: Vec<String>,
    /// 遮断されるはずの宛先で確認（省略時は管理用ホストの別ポート）/ addresses that must be blocked, to confirm it (default: the kept hosts on another port)
    #[arg(long = "probe-blocked", value_name = "IP:PORT")]
    pub probe_blocked: Vec<String>,
    /// 変更の確認として端末名を入力 / the endpoint id, typed to confirm a change
    #[arg(long, value_name = "ID")]
    pub confirm: Option<String>,
    /// 実施者 / examiner
    #[arg(long, value_name = "NAME", env = "SHODO_EXAMINER")]
    pub examiner: Option<String>,
    /// offline-windows の段階 / offline-windows level
    #[arg(long, value_enum, value_name = "LEVEL", default_value = "soft")]
    pub level: LevelArg,
    /// offline-windows: Windows のディスク・イメージ・パーティション（省略時は保全したときのもの）/ the Windows disk, image or partition (default: the one collected from)
    #[arg(long, value_name = "PATH")]
    pub source: Option<PathBuf>,
    /// offline-windows: パーティション番号 / partition number
    #[arg(long, value_name = "N")]
    pub partition: Option<u32>,
    /// offline-windows: 証拠の保全前に隔離する理由（記録されます）/ isolate before evidence was collected, for this reason (recorded)
    #[arg(long, value_name = "REASON")]
    pub force_uncollected: Option<String>,
    /// JSON で出力 / JSON output
    #[arg(long)]
    pub json: bool,
}

fn addresses(raw: &[String]) -> Result<Vec<SocketAddr>> {
    raw.iter()
        .map(|r| {
            ManagementAddr::try_from(r.clone()).map(|a| a.0).map_err(|why| Error::Refused { ja: why.clone(), en: why })
        })
        .collect()
}

/// The kept pairs: the case's `shodo.toml`, then `--allow`.
fn allowlist(case: &Path, extra: &[String]) -> Result<Vec<SocketAddr>> {
    let config = case.join(shodo::case::CONFIG_COPY);
    let mut allow: Vec<SocketAddr> = if config.exists() {
        Config::load(&config)?.isolation.keep.iter().map(|k| k.address.0).collect()
    } else {
        Vec::new()
    };
    for a in addresses(extra)? {
        if !allow.contains(&a) {
            allow.push(a);
        }
    }
    Ok(allow)
}

fn endpoint(a: &IsolateArgs) -> Result<String> {
    shodo::collect::clean_id(&a.endpoint.clone().unwrap_or_else(shodo::case::hostname))
}

fn confirmed(a: &IsolateArgs, id: &str) -> Result<()> {
    // Scripts written into the case change nothing until staff run them on the endpoint.
    if a.confirm.as_deref() == Some(id) || a.mode == Mode::ScriptWindows {
        return Ok(());
    }
    Err(Error::Refused {
        ja: format!("この端末のネットワークを変更します。確認のため --confirm {id} と端末名を入力してください"),
        en: format!("this changes the host's network: type the endpoint id to confirm (--confirm {id})"),
    })
}

fn writer(a: &IsolateArgs, purpose: &str) -> Result<shodo::case::CaseWriter> {
    case_writer(&a.case, a.examiner.as_deref(), purpose)
}

/// The case opened for writing by the examiner given, else the case's own.
fn case_writer(case: &Path, examiner: Option<&str>, purpose: &str) -> Result<shodo::case::CaseWriter> {
    let examiners = shodo::case::Case::open(case)?.file().case.examiners.clone();
    let actor = examiner.map_or_else(|| shodo::case::actor_of(&examiners), str::to_string);
    shodo::case::CaseWriter::open(case, &actor, purpose)
}

fn action(kind: &str, mode: Mode, writer: &shodo::case::CaseWriter, allow: &[SocketAddr]) -> Action {
    Action {
        action: kind.into(),
        mode: mode.name().into(),
        utc: shodo::clock::utc_string(shodo::clock::now()),
        actor: writer.actor().to_string(),
        host: shodo::case::hostname(),
        allow: allow.iter().map(ToString::to_string).collect(),
        changes: Vec::new(),
        probes: Vec::new(),
        verified: None,
        notes: Vec::new(),
        level: None,
        files: Vec::new(),
    }
}

/// The scripts for a Windows endpoint: (isolate.ps1, unisolate.ps1).
fn scripts(case: &Path, id: &str, allow: &[SocketAddr]) -> Result<(String, String)> {
    let case_id = shodo::case::Case::open(case)?.file().case.id.clone();
    let now = shodo::clock::utc_string(shodo::clock::now());
    Ok((windows_script::isolate_ps1(&case_id, id, allow, &now), windows_script::unisolate_ps1(&case_id, id, &now)))
}

pub fn plan(a: &IsolateArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let id = endpoint(a)?;
    let allow = allowlist(&a.case, &a.allow)?;
    let ruleset = match a.mode {
        Mode::OfflineWindows => {
            offline::plan(a, &id, &allow, lang, out)?;
            return Ok(Outcome::Clean);
        }
        Mode::LiveLinux => linux::ruleset(&allow),
        Mode::ScriptWindows => {
            let (isolate, unisolate) = scripts(&a.case, &id, &allow)?;
            format!("# isolate.ps1\n{isolate}\n# unisolate.ps1\n{unisolate}")
        }
    };
    if a.json {
        let allow: Vec<String> = allow.iter().map(ToString::to_string).collect();
        output::json(
            out,
            &serde_json::json!({ "endpoint": id, "mode": "live-linux", "table": linux::TABLE,
            "allow": allow, "ruleset": ruleset, "changed": false }),
        )?;
        return Ok(Outcome::Clean);
    }
    output::line(
        out,
        &match lang {
            Lang::Ja => format!("{id} の隔離計画（まだ何も変更していません）: {}", what_ja(a.mode)),
            Lang::En => format!("isolation plan for {id} (nothing changed yet): {}", what_en(a.mode)),
        },
    )?;
    if allow.is_empty() {
        output::line(
            out,
            lang.pick(
                "  管理用の宛先なし: すべての通信を遮断します",
                "  no management address kept: all traffic is blocked",
            ),
        )?;
    }
    for k in &allow {
        output::line(out, &format!("  {}: {k}", lang.pick("通す管理用の宛先", "kept reachable")))?;
    }
    output::line(out, &ruleset)?;
    Ok(Outcome::Clean)
}

pub fn apply(a: &IsolateArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let id = endpoint(a)?;
    confirmed(a, &id)?;
    let allow = allowlist(&a.case, &a.allow)?;
    let blocked =
        if a.probe_blocked.is_empty() { isolate::default_blocked(&allow) } else { addresses(&a.probe_blocked)? };
    let writer = writer(a, "isolate apply")?;
    let done = match a.mode {
        Mode::LiveLinux => linux::apply_action(&allow, &blocked)?,
        Mode::ScriptWindows => write_scripts(&writer, &id, &allow)?,
        Mode::OfflineWindows => offline::apply(a, &id, &allow, &writer)?,
    };
    let mut act = action("apply", a.mode, &writer, &allow).with(done);
    if a.mode == Mode::OfflineWindows {
        act.level = Some(a.level.level());
    }
    isolate::record(&writer, &id, act.clone())?;
    report(&id, &act, lang, out, a.json)
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

/// Writes the scripts into `endpoints/<id>/` (UTF-8 with BOM, CRLF); shodo cannot confirm what
/// they do on the endpoint, so the action stays unconfirmed.
fn write_scripts(writer: &shodo::case::CaseWriter, id: &str, allow: &[SocketAddr]) -> Result<isolate::Done> {
    let dir = writer.case().dir().join(shodo::case::ENDPOINTS_DIR).join(id);
    std::fs::create_dir_all(&dir).map_err(Error::io("create", &dir))?;
    let (isolate_ps1, unisolate_ps1) = scripts(writer.case().dir(), id, allow)?;
    let mut changes = Vec::new();
    for (name, text) in [("isolate.ps1", isolate_ps1), ("unisolate.ps1", unisolate_ps1)] {
        let bytes = windows_script::as_file(&text);
        shodo::case::write_atomic(&dir.join(name), &bytes)?;
        changes.push(isolate::Change {
            target: format!("{}/{id}/{name}", shodo::case::ENDPOINTS_DIR),
            old: None,
            new: None,
            new_sha256: Some(shodo::hash::sha256_hex(&bytes)),
            ..isolate::Change::default()
        });
    }
    let rel = format!("{}/{id}", shodo::case::ENDPOINTS_DIR);
    let notes = vec![(
        format!(
            "{rel}/isolate.ps1 を端末にコピーし、管理者として実行してください（解除は同じフォルダの unisolate.ps1）。実行記録（isolate-*.log）を持ち帰ってください"
        ),
        format!(
            "copy {rel}/isolate.ps1 to the endpoint and run it as administrator (undo with unisolate.ps1 from the same folder); bring back its transcript (isolate-*.log)"
        ),
    )];
    Ok(isolate::Done { changes, notes, ..isolate::Done::default() })
}

/// A script run on the endpoint is checked and undone there, not by shodo.
fn not_for_scripts(a: &IsolateArgs, id: &str) -> Result<()> {
    if a.mode != Mode::ScriptWindows {
        return Ok(());
    }
    Err(Error::Refused {
        ja: format!(
            "script-windows では shodo は端末に触れません。{id} では wf.msc でグループ「shodo isolation」の規則を確認し、解除は unisolate.ps1 を管理者として実行してください"
        ),
        en: format!(
            "with script-windows shodo does not reach the endpoint: on {id}, check the \"shodo isolation\" rule group in wf.msc, and undo by running unisolate.ps1 as administrator"
        ),
    })
}

pub fn verify(a: &IsolateArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let id = endpoint(a)?;
    not_for_scripts(a, &id)?;
    if a.mode == Mode::OfflineWindows {
        let (changes, level) = offline::applied(a, &id)?;
        let done = offline_run_verify(a, &id, &changes)?;
        let writer = writer(a, "isolate verify")?;
        let mut act = action("verify", a.mode, &writer, &[]).with(done);
        act.level = level;
        isolate::record(&writer, &id, act.clone())?;
        return report(&id, &act, lang, out, a.json);
    }
    let journal = isolate::read_journal(&a.case, &id)?;
    let last = journal.actions.iter().rev().find(|x| x.action != "verify");
    let Some(applied) = last.filter(|x| x.action == "apply") else {
        return Err(Error::Refused {
            ja: format!("{id} は shodo で隔離されていません（isolation.json に適用の記録がありません）"),
            en: format!("{id} is not isolated by shodo (no apply in its isolation.json)"),
        });
    };
    let recorded = applied.changes.first().and_then(|c| c.new.clone()).unwrap_or_default();
    let allow = addresses(&applied.allow)?;
    let blocked =
        if a.probe_blocked.is_empty() { isolate::default_blocked(&allow) } else { addresses(&a.probe_blocked)? };
    let writer = writer(a, "isolate verify")?;
    let act = action("verify", a.mode, &writer, &allow).with(linux::verify_action(&recorded, &allow, &blocked)?);
    isolate::record(&writer, &id, act.clone())?;
    report(&id, &act, lang, out, a.json)
}

pub fn rollback(a: &IsolateArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let id = endpoint(a)?;
    not_for_scripts(a, &id)?;
    confirmed(a, &id)?;
    let writer = writer(a, "isolate rollback")?;
    let done = match a.mode {
        Mode::OfflineWindows => {
            let (changes, _) = offline::applied(a, &id)?;
            shodo::isolate::offline_run::rollback(&writer, &id, &offline::volume(a, &id)?, &changes)?
        }
        _ => linux::rollback_action()?,
    };
    let act = action("rollback", a.mode, &writer, &[]).with(done);
    isolate::record(&writer, &id, act.clone())?;
    report(&id, &act, lang, out, a.json)
}

pub fn ledger(a: &super::CaseArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let rows = isolate::ledger(&a.case)?;
    if a.json {
        output::json(out, &rows)?;
        return Ok(Outcome::Clean);
    }
    if rows.is_empty() {
        output::line(out, lang.pick("隔離の記録はありません", "no isolation on record"))?;
    }
    for r in &rows {
        let state = match (r.isolated, lang) {
            (true, Lang::Ja) => "隔離中",
            (true, Lang::En) => "isolated",
            (false, Lang::Ja) => "解除済み",
            (false, Lang::En) => "released",
        };
        output::line(out, &format!("{}  {}  {state}  {}  {}  {}", r.endpoint, r.mode, mark(r.verified), r.by, r.utc))?;
    }
    Ok(Outcome::Clean)
}

/// `isolate sheet`
#[derive(Debug, Args)]
pub struct SheetArgs {
    /// ケースのディレクトリ / case directory
    #[arg(long, value_name = "DIR")]
    pub case: PathBuf,
    /// 端末名 / endpoint id
    #[arg(long, value_name = "ID")]
    pub endpoint: String,
    /// 実施者 / examiner
    #[arg(long, value_name = "NAME", env = "SHODO_EXAMINER")]
    pub examiner: Option<String>,
    /// JSON で出力 / JSON output
    #[arg(long)]
    pub json: bool,
}

/// Writes the network team's sheet into the case and says where it is.
pub fn sheet(a: &SheetArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let id = shodo::collect::clean_id(&a.endpoint)?;
    let sheet = isolate::sheet::sheet(&a.case, &id)?;
    let writer = case_writer(&a.case, a.examiner.as_deref(), "isolate sheet")?;
    let rel = isolate::sheet::write(&writer, &sheet, lang)?;
    let path = a.case.join(&rel);
    if a.json {
        output::json(out, &serde_json::json!({ "path": path, "sheet": sheet }))?;
        return Ok(Outcome::Clean);
    }
    output::line(
        out,
        &format!("{}: {}", lang.pick("ネットワーク担当者への依頼票", "sheet for the network team"), path.display()),
    )?;
    output::line(out, lang.pick("ブラウザで開いて A4 で印刷してください", "open it in a browser and print it on A4"))?;
    Ok(Outcome::Clean)
}

fn mark(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "○",
        Some(false) => "×",
        None => "－",
    }
}

fn offline_run_verify(a: &IsolateArgs, id: &str, changes: &[isolate::Change]) -> Result<isolate::Done> {
    shodo::isolate::offline_run::verify(&offline::volume(a, id)?, changes)
}

fn report(id: &str, act: &Action, lang: Lang, out: &mut dyn Write, json: bool) -> Result<Outcome> {
    let scripts = act.mode == Mode::ScriptWindows.name();
    let clean = act.verified == Some(true) || scripts || (act.action == "rollback" && act.verified != Some(false));
    let outcome = if clean { Outcome::Clean } else { Outcome::Findings };
    if json {
        output::json(out, act)?;
        return Ok(outcome);
    }
    if act.mode == Mode::OfflineWindows.name() {
        offline::report(id, act, lang, out)?;
        return Ok(outcome);
    }
    if scripts {
        output::line(
            out,
            &format!("{id}: {}", lang.pick("隔離スクリプトを作成しました", "isolation scripts written")),
        )?;
        for c in &act.changes {
            output::line(out, &format!("  {}  SHA-256 {}", c.target, c.new_sha256.as_deref().unwrap_or("-")))?;
        }
        for (ja, en) in &act.notes {
            output::line(out, &format!("  {}", lang.pick(ja, en)))?;
        }
        return Ok(outcome);
    }
    let what = match (act.action.as_str(), lang) {
        ("apply", Lang::Ja) => "隔離しました",
        ("apply", Lang::En) => "isolated",
        ("verify", Lang::Ja) => "隔離を確認しました",
        ("verify", Lang::En) => "isolation checked",
        (_, Lang::Ja) => "隔離を解除しました",
        (_, Lang::En) => "isolation rolled back",
    };
    output::line(out, &format!("{id}: {what} ({})", linux::TABLE))?;
    if act.action != "rollback" {
        let confirmed = match (act.verified, lang) {
            (Some(true), Lang::Ja) => "○ 両方向で確認（管理用の宛先は通り、それ以外は遮断）",
            (Some(true), Lang::En) => "○ confirmed both ways (kept pairs pass, others are blocked)",
            (Some(false), Lang::Ja) => "× 確認できず: 隔離が効いていません",
            (Some(false), Lang::En) => "× NOT confirmed: the isolation does not hold",
            (None, Lang::Ja) => "－ 確認しきれません（管理用の宛先から応答なし）",
            (None, Lang::En) => "－ not fully confirmed (no kept pair answered)",
        };
        output::line(out, &format!("  {confirmed}"))?;
    }
    for p in &act.probes {
        let expect = match p.expect {
            isolate::Expect::Pass => lang.pick("通るはず", "should pass"),
            isolate::Expect::Blocked => lang.pick("遮断されるはず", "should be blocked"),
        };
        output::line(out, &format!("  {} {} ({expect}): {}", mark(p.ok), p.address, p.result))?;
    }
    for (ja, en) in &act.notes {
        output::line(out, &format!("  {}", lang.pick(ja, en)))?;
    }
    Ok(outcome)
}
