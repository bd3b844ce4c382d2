//! `shodo demo [--out DIR]`: builds an infected Windows endpoint and a backup medium, then runs
//! the whole workflow on them with this same binary — case init, collect, scan, analyze, the
//! isolation plan and the network team's sheet, backup verify, report — and says where the
//! reports are.

use crate::cli::strings as txt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Args;
use shodo::case::layout;
use shodo::{Error, Lang, Result};

use super::{Outcome, output};

/// `demo`
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// デモのケースと素材を作る場所（空か存在しないディレクトリ）/ where to make the demo (an empty or new directory)
    #[arg(long, value_name = "DIR", default_value = "shodo-demo")]
    pub out: PathBuf,
}

/// One step: this binary with `args`; its exit code must be one of `ok`.
fn step(out: &mut dyn Write, lang: Lang, label: (&str, &str), args: &[&std::ffi::OsStr], ok: &[i32]) -> Result<()> {
    let exe = std::env::current_exe().map_err(Error::io("find", Path::new("shodo")))?;
    let started = std::time::Instant::now();
    let run = Command::new(&exe).arg("--lang").arg(lang.code()).args(args).output().map_err(Error::io("run", &exe))?;
    let code = run.status.code().unwrap_or(-1);
    let secs = started.elapsed().as_secs_f64();
    if !ok.contains(&code) {
        return Err(Error::Refused {
            ja: format!(
                "デモの「{}」が失敗しました（終了コード {code}）: {}",
                label.0,
                String::from_utf8_lossy(&run.stderr).trim()
            ),
            en: format!(
                "demo step \"{}\" failed (exit {code}): {}",
                label.1,
                String::from_utf8_lossy(&run.stderr).trim()
            ),
        });
    }
    output::line(out, &format!("  ✓ {} ({secs:.1} s)", lang.pick(label.0, label.1)))
}

/// A step: its label (Japanese, English), its arguments, the exit codes that mean it worked.
type Step<'a> = ((&'a str, &'a str), Vec<&'a std::ffi::OsStr>, &'a [i32]);

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

pub fn run(a: &DemoArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    shodo::selftest::bundled_data()?;
    if a.out.exists() && std::fs::read_dir(&a.out).map_err(Error::io("read", &a.out))?.next().is_some() {
        return Err(Error::Refused {
            ja: format!("{} は空ではありません。別の --out を指定してください", a.out.display()),
            en: format!("{} is not empty: give another --out", a.out.display()),
        });
    }
    std::fs::create_dir_all(&a.out).map_err(Error::io("create", &a.out))?;
    let started = std::time::Instant::now();
    output::line(out, txt::MAKING_THE_DEMO_ENDPOINT_AND_BACKUP.get(lang))?;
    let demo = shodo::demo::build(&a.out.join("material"))?;
    let case = a.out.join("case");
    let id = shodo::demo::HOST;
    let c = case.as_os_str();
    let e = demo.endpoint.as_os_str();
    let steps: Vec<Step> = vec![
        (
            ("ケースの作成", "case init"),
            vec![
                os("case"),
                os("init"),
                os("--case"),
                c,
                os("--config"),
                demo.config.as_os_str(),
                os("--examiner"),
                os("デモ担当"),
                os("--aware-at"),
                os("2026-11-21 03:10"),
            ],
            &[0],
        ),
        (
            ("連絡の記録", "note a call"),
            vec![
                os("case"),
                os("note"),
                os("--case"),
                c,
                os("保守会社に電話連絡、VPN 装置の電源は入れたまま LAN ケーブルを抜くよう依頼"),
            ],
            &[0],
        ),
        (
            ("証拠の収集", "collect"),
            vec![os("collect"), os("--case"), c, os("--source"), e, os("--os"), os("windows")],
            &[0],
        ),
        (("YARA-X による検査", "scan"), vec![os("scan"), os("--case"), c, os("--endpoint"), os(id)], &[0, 1]),
        (
            ("イベントログ・レジストリの解析", "analyze"),
            vec![os("analyze"), os("--case"), c, os("--endpoint"), os(id)],
            &[0, 1],
        ),
        (
            ("隔離の計画（offline-windows, hard）", "isolation plan (offline-windows, hard)"),
            vec![
                os("isolate"),
                os("plan"),
                os("--case"),
                c,
                os("--endpoint"),
                os(id),
                os("--mode"),
                os("offline-windows"),
                os("--level"),
                os("hard"),
                os("--source"),
                e,
            ],
            &[0],
        ),
        (
            ("ネットワーク担当者への依頼票", "sheet for the network team"),
            vec![os("isolate"), os("sheet"), os("--case"), c, os("--endpoint"), os(id)],
            &[0],
        ),
        (
            ("バックアップの検証", "backup verify"),
            vec![os("backup"), os("verify"), demo.backup.as_os_str(), os("--case"), c, os("--medium"), os("nas-daily")],
            &[0, 1],
        ),
        (("報告書の作成", "report"), vec![os("report"), os("--case"), c], &[0]),
    ];
    for (label, args, ok) in &steps {
        step(out, lang, *label, args, ok)?;
    }
    output::line(out, &format!("{} ({:.0} s)", txt::DEMO_FINISHED.get(lang), started.elapsed().as_secs_f64()))?;
    let reports = case.join(layout::REPORTS_DIR);
    output::line(out, &format!("{}: {}", txt::REPORTS.get(lang), reports.display()))?;
    let mut names: Vec<String> = std::fs::read_dir(&reports)
        .map_err(Error::io("read", &reports))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for n in names {
        output::line(out, &format!("  {n}"))?;
    }
    output::line(
        out,
        &format!("{}: shodo case status --case {}", txt::THE_CASE_AT_A_GLANCE.get(lang), case.display()),
    )?;
    Ok(Outcome::Clean)
}
