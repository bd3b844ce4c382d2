//! The command line: clap definitions and one file per subcommand. Output goes to a writer
//! passed in; text is Japanese first (`--lang en` for English), `--json` for machines.

mod analyze;
mod backup;
mod bar;
mod case;
mod collect;
mod demo;
mod export;
mod isolate;
mod merge;
mod output;
mod playbook;
mod report;
mod scan;
mod selftest;
mod sources;
mod strings;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args as ClapArgs, CommandFactory, Parser, Subcommand};
use shodo::{Error, Lang, Result};
use strings as txt;

/// How a command ended, before it becomes an exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to report.
    Clean,
    /// Findings, or a verification that failed.
    Findings,
}

impl Outcome {
    /// 0 clean, 1 findings.
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Clean => ExitCode::SUCCESS,
            Outcome::Findings => ExitCode::from(1),
        }
    }
}

/// shodo（初動）— 病院のランサムウェア初動対応ツール / incident first response for hospitals.
///
/// サブコマンドなしで端末から起動すると画面（TUI）を開きます。
/// Without a subcommand on a terminal, opens the TUI.
/// 終了コード / exit codes: 0 問題なし clean · 1 検出・検証失敗 findings or verification failure · 2 エラー errors.
#[derive(Debug, Parser)]
#[command(name = "shodo", version, max_term_width = 100)]
pub struct Args {
    /// 表示言語 / language: ja | en (環境変数 SHODO_LANG)
    #[arg(long, global = true, env = "SHODO_LANG")]
    pub lang: Option<Lang>,

    /// ケースのディレクトリ（TUI 用）/ case directory for the TUI
    #[arg(long, env = "SHODO_CASE")]
    pub case: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Args {
    /// The chosen language (Japanese unless told otherwise).
    pub fn lang(&self) -> Lang {
        self.lang.unwrap_or_default()
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// ケース（事案）の作成・状態・検証 / create, inspect and verify a case
    #[command(subcommand)]
    Case(CaseCommand),
    /// ディスクとパーティションの一覧（読み取りのみ）/ list disks and partitions (reads only)
    Sources(JsonFlag),
    /// 証拠の収集（読み取り専用）/ collect triage evidence (read-only)
    Collect(collect::CollectArgs),
    /// YARA-X でファイルを検査（身代金要求文、攻撃ツール、遠隔操作ツール）/ scan files with YARA-X
    Scan(scan::ScanArgs),
    /// 収集済みの Windows の痕跡（イベントログ）を解析し、検出とタイムラインを作成 /
    /// analyze an endpoint's collected Windows artefacts (event logs): detections and timeline
    Analyze(analyze::AnalyzeArgs),
    /// バックアップの検証: 平時のベースラインと、どの世代から復元できるか /
    /// backup integrity: peacetime baselines, and which generation is clean
    #[command(subcommand)]
    Backup(BackupCommand),
    /// 感染端末の隔離: 計画・適用・確認・解除（すべて記録）/ isolate an endpoint: plan, apply, verify, roll back (all on the record)
    #[command(subcommand)]
    Isolate(IsolateCommand),
    /// 複数の USB のケースを一つに統合（各ケースの記録の連鎖はそのまま検証可能）/
    /// merge other sticks' cases into this one (each custody chain stays verifiable)
    Merge(merge::MergeArgs),
    /// 証拠の暗号化書き出し（age: 宛先の公開鍵かパスフレーズ）と、その確認（--verify）/
    /// export the evidence encrypted (age: recipients' public keys or a passphrase), and check an export (--verify)
    Export(export::ExportArgs),
    /// デモ: 感染した Windows 端末とバックアップを作り、収集から報告書まで一通り実行 /
    /// demo: build an infected Windows endpoint and a backup, and run the whole workflow on them
    Demo(demo::DemoArgs),
    /// 報告書の作成: 個人情報保護委員会 漏えい等報告（速報・確報）と事案モデル report.json /
    /// write the reports: the PPC breach report (preliminary and final) and the incident model report.json
    Report(report::ReportArgs),
    /// 手順書: 一覧・表示・済みの記録 / playbooks: list, show, check a step off (on the custody log)
    #[command(subcommand)]
    Playbook(PlaybookCommand),
    /// 職員向けの手順（院内掲示）を A4 ポスターとして出力（病院の連絡先入り）/
    /// the staff procedure as a printable A4 poster, with the hospital's own numbers
    Poster(playbook::PosterArgs),
    /// 職員モード: 院内掲示の手順を一画面ずつ大きな文字で（各確認は時刻付きで記録）/
    /// staff mode: the posted procedure one step per screen, each confirmation timestamped
    Staff(StaffArgs),
    /// この機械で shodo のエンジンが動くか確認 / check that shodo's engines work on this machine
    Selftest(JsonFlag),
}

/// `shodo isolate …`
#[derive(Debug, Subcommand)]
pub enum IsolateCommand {
    /// 変更内容を表示（何も変更しない）/ show the exact changes without making them
    Plan(isolate::IsolateArgs),
    /// 隔離を適用し、両方向で確認 / apply the isolation and confirm it both ways
    Apply(isolate::IsolateArgs),
    /// 隔離が保たれているか確認（消された・変えられたことも検出）/ check the isolation still holds (detects it being removed or changed)
    Verify(isolate::IsolateArgs),
    /// 隔離を正確に元に戻す / undo the isolation exactly
    Rollback(isolate::IsolateArgs),
    /// ケースの全端末の隔離状況（台帳）/ the isolation ledger of every endpoint in the case
    Ledger(CaseArgs),
    /// ネットワーク担当者への遮断依頼票（A4、印刷用）/ the printable sheet for the network team (A4)
    Sheet(isolate::SheetArgs),
}

/// `shodo playbook …`
#[derive(Debug, Subcommand)]
pub enum PlaybookCommand {
    /// 同梱の手順書の一覧 / the shipped playbooks
    List,
    /// 手順書の全手順（--case で済みの印付き）/ a playbook's steps (with --case, which are done)
    Show(playbook::ShowArgs),
    /// 手順を済みとして記録（監査記録に時刻と実施者）/ record a step done on the custody log
    Check(playbook::CheckArgs),
}

/// `shodo staff`
#[derive(Debug, ClapArgs)]
pub struct StaffArgs {
    /// ケース（あれば確認をその記録に残す）/ case whose custody log receives the confirmations
    #[arg(long, value_name = "DIR")]
    pub case: Option<PathBuf>,
    /// 病院の設定ファイル（連絡先）/ hospital config (contacts)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// ケースがないときの記録ファイル / record file when there is no case
    #[arg(long, value_name = "FILE", default_value = "shodo-staff-record.jsonl")]
    pub record: PathBuf,
    /// 操作した人の名前（省略時は最初に尋ねる）/ who is at the keyboard (asked first when not given)
    #[arg(long)]
    pub name: Option<String>,
}

/// `shodo case …`
#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// ケースを作成（既存のケースは上書きしない）/ create a case (never overwrites)
    Init(case::InitArgs),
    /// ケースの概要 / the case at a glance
    Status(CaseArgs),
    /// 記録の連鎖と全ファイルのハッシュを検証 / verify the custody chain and every file hash
    Verify(CaseArgs),
    /// 記録にメモを追記（引数なしなら標準入力の各行）/ add a note to the custody log (or each stdin line)
    Note(case::NoteArgs),
}

/// `shodo backup …`
#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// 媒体のファイル一覧と SHA-256（hashdeep 互換マニフェスト）を媒体の外に作成 /
    /// list the medium's files with SHA-256 in a hashdeep-compatible manifest, kept off the medium
    Baseline(backup::BaselineArgs),
    /// 媒体を読み取りのみで検証し、最後のクリーンな世代を示す / verify a medium read-only and name the last clean generation
    Verify(backup::VerifyArgs),
}

/// `--case DIR [--json]`
#[derive(Debug, ClapArgs)]
pub struct CaseArgs {
    /// ケースのディレクトリ / case directory
    #[arg(long, value_name = "DIR")]
    pub case: PathBuf,
    /// JSON で出力 / JSON output
    #[arg(long)]
    pub json: bool,
}

/// `--json`
#[derive(Debug, ClapArgs)]
pub struct JsonFlag {
    /// JSON で出力 / JSON output
    #[arg(long)]
    pub json: bool,
}

/// Runs a subcommand, writing to standard output.
pub fn run(command: Command, lang: Lang) -> Result<Outcome> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match command {
        Command::Case(CaseCommand::Init(a)) => case::init(&a, lang, &mut out),
        Command::Case(CaseCommand::Status(a)) => case::status(&a, lang, &mut out),
        Command::Case(CaseCommand::Verify(a)) => case::verify(&a, lang, &mut out),
        Command::Case(CaseCommand::Note(a)) => case::note(&a, lang, &mut out),
        Command::Sources(a) => sources::run(a.json, lang, &mut out),
        Command::Collect(a) => collect::run(&a, lang, &mut out),
        Command::Scan(a) => scan::run(&a, lang, &mut out),
        Command::Analyze(a) => analyze::run(&a, lang, &mut out),
        Command::Backup(BackupCommand::Baseline(a)) => backup::baseline(&a, lang, &mut out),
        Command::Backup(BackupCommand::Verify(a)) => backup::verify(&a, lang, &mut out),
        Command::Isolate(IsolateCommand::Plan(a)) => isolate::plan(&a, lang, &mut out),
        Command::Isolate(IsolateCommand::Apply(a)) => isolate::apply(&a, lang, &mut out),
        Command::Isolate(IsolateCommand::Verify(a)) => isolate::verify(&a, lang, &mut out),
        Command::Isolate(IsolateCommand::Rollback(a)) => isolate::rollback(&a, lang, &mut out),
        Command::Isolate(IsolateCommand::Ledger(a)) => isolate::ledger(&a, lang, &mut out),
        Command::Isolate(IsolateCommand::Sheet(a)) => isolate::sheet(&a, lang, &mut out),
        Command::Report(a) => report::run(&a, lang, &mut out),
        Command::Merge(a) => merge::run(&a, lang, &mut out),
        Command::Export(a) => export::run(&a, lang, &mut out),
        Command::Demo(a) => demo::run(&a, lang, &mut out),
        Command::Playbook(PlaybookCommand::List) => playbook::list(lang, &mut out),
        Command::Playbook(PlaybookCommand::Show(a)) => playbook::show(&a, lang, &mut out),
        Command::Playbook(PlaybookCommand::Check(a)) => playbook::check(&a, lang, &mut out),
        Command::Poster(a) => playbook::poster(&a, lang, &mut out),
        Command::Staff(_) => {
            let (ja, en) = txt::STAFF_MODE_NEEDS_A_TERMINAL.both(|_| Vec::new());
            Err(Error::Refused { ja, en })
        }
        Command::Selftest(a) => selftest::run(a.json, lang, &mut out),
    }
}

/// Prints help (used when there is no terminal for the TUI).
pub fn print_help() -> Result<Outcome> {
    let mut help = Args::command();
    help.print_long_help().map_err(Error::io("write", "stdout".as_ref()))?;
    Ok(Outcome::Clean)
}

/// Prints an error in both languages, the chosen one first.
pub fn print_error(e: &Error, lang: Lang) {
    let mut err = io::stderr().lock();
    let label = txt::ERROR;
    let (first, second) = (lang, lang.other());
    let _ = writeln!(err, "{}: {}\n{}: {}", label.get(first), e.message(first), label.get(second), e.message(second));
}
