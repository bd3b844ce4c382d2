//! `shodo isolate plan|apply|verify|rollback|ledger|sheet`: the arguments made into the engine's
//! [`Request`], and what comes back printed (text or JSON).

use crate::cli::strings as txt;
use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use shodo::isolate::offline::Level;
use shodo::isolate::request::{self, Planned, Request};
use shodo::isolate::{self, Action, linux, text};
use shodo::{Lang, Result};

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
    /// The engine's mode.
    fn mode(self) -> request::Mode {
        match self {
            Mode::LiveLinux => request::Mode::LiveLinux,
            Mode::ScriptWindows => request::Mode::ScriptWindows,
            Mode::OfflineWindows => request::Mode::OfflineWindows,
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

impl IsolateArgs {
    /// The engine's request.
    fn request(&self) -> Result<Request> {
        let mut req = Request::new(&self.case, self.endpoint.as_deref(), self.mode.mode())?;
        req.allow.clone_from(&self.allow);
        req.probe_blocked.clone_from(&self.probe_blocked);
        req.confirm.clone_from(&self.confirm);
        req.examiner.clone_from(&self.examiner);
        req.level = self.level.level();
        req.source.clone_from(&self.source);
        req.partition = self.partition;
        req.force_uncollected.clone_from(&self.force_uncollected);
        Ok(req)
    }
}

pub fn plan(a: &IsolateArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let req = a.request()?;
    let planned = request::plan(&req)?;
    if a.json {
        output::json(out, &plan_json(&req, &planned))?;
        return Ok(Outcome::Clean);
    }
    for line in text::plan(&req, &planned, lang) {
        output::line(out, &line)?;
    }
    Ok(Outcome::Clean)
}

/// The plan as JSON (its shape predates [`Planned`] and is kept).
fn plan_json(req: &Request, planned: &Planned) -> serde_json::Value {
    let id = &req.endpoint;
    match planned {
        Planned::Offline { source, facts, refusals, plan } => {
            let refusals: Vec<_> = refusals.iter().map(|(ja, en)| serde_json::json!({ "ja": ja, "en": en })).collect();
            serde_json::json!({ "endpoint": id, "mode": "offline-windows", "level": req.level,
                "source": source, "facts": facts, "refusals": refusals, "plan": plan, "changed": false })
        }
        Planned::Ruleset { allow, ruleset } => serde_json::json!({ "endpoint": id, "mode": req.mode.name(),
            "table": linux::TABLE, "allow": allow.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "ruleset": ruleset, "changed": false }),
        Planned::Scripts { allow, isolate, unisolate } => serde_json::json!({ "endpoint": id, "mode": req.mode.name(),
            "allow": allow.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "ruleset": format!("# isolate.ps1\n{isolate}\n# unisolate.ps1\n{unisolate}"),
            "isolate_ps1": isolate, "unisolate_ps1": unisolate, "changed": false }),
    }
}

pub fn apply(a: &IsolateArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let req = a.request()?;
    report(&req.endpoint, &request::apply(&req)?, lang, out, a.json)
}

pub fn verify(a: &IsolateArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let req = a.request()?;
    report(&req.endpoint, &request::verify(&req)?, lang, out, a.json)
}

pub fn rollback(a: &IsolateArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let req = a.request()?;
    report(&req.endpoint, &request::rollback(&req)?, lang, out, a.json)
}

pub fn ledger(a: &super::CaseArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let rows = isolate::ledger(&a.case)?;
    if a.json {
        output::json(out, &rows)?;
        return Ok(Outcome::Clean);
    }
    if rows.is_empty() {
        output::line(out, txt::NO_ISOLATION_ON_RECORD.get(lang))?;
    }
    for r in &rows {
        let state = if r.isolated { txt::ISOLATED } else { txt::RELEASED }.get(lang);
        output::line(
            out,
            &format!("{}  {}  {state}  {}  {}  {}", r.endpoint, r.mode, text::mark(r.verified), r.by, r.utc),
        )?;
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
    let writer = request::case_writer(&a.case, a.examiner.as_deref(), "isolate sheet")?;
    let rel = isolate::sheet::write(&writer, &sheet, lang)?;
    let path = a.case.join(&rel);
    if a.json {
        output::json(out, &serde_json::json!({ "path": path, "sheet": sheet }))?;
        return Ok(Outcome::Clean);
    }
    output::line(out, &format!("{}: {}", txt::SHEET_FOR_THE_NETWORK_TEAM.get(lang), path.display()))?;
    output::line(out, txt::OPEN_IT_IN_A_BROWSER_AND.get(lang))?;
    Ok(Outcome::Clean)
}

fn report(id: &str, act: &Action, lang: Lang, out: &mut dyn Write, json: bool) -> Result<Outcome> {
    let outcome = if request::clean(act) { Outcome::Clean } else { Outcome::Findings };
    if json {
        output::json(out, act)?;
        return Ok(outcome);
    }
    for line in text::action(id, act, lang) {
        output::line(out, &line)?;
    }
    Ok(outcome)
}
