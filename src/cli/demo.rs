//! `shodo demo [--out DIR]`: builds an infected Windows endpoint and a backup medium, then runs
//! the whole workflow on them with this same binary — case init, collect, scan, analyze, the
//! isolation plan and the network team's sheet, backup verify, report — and says where the
//! reports are.

use crate::cli::strings as txt;
use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Args;
use shodo::case::layout;
use shodo::demo::Demo;
use shodo::lang::Text;
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
fn step(out: &mut dyn Write, lang: Lang, label: Text, args: &[&OsStr], ok: &[i32]) -> Result<()> {
    let exe = std::env::current_exe().map_err(Error::io("find", Path::new("shodo")))?;
    let started = std::time::Instant::now();
    let run = Command::new(&exe).arg("--lang").arg(lang.code()).args(args).output().map_err(Error::io("run", &exe))?;
    let code = run.status.code().unwrap_or(-1);
    let secs = started.elapsed().as_secs_f64();
    if !ok.contains(&code) {
        let stderr = String::from_utf8_lossy(&run.stderr).trim().to_string();
        let (ja, en) = txt::DEMO_STEP_FAILED.both(|lang| {
            vec![("step", label.get(lang).to_string()), ("code", code.to_string()), ("stderr", stderr.clone())]
        });
        return Err(Error::Refused { ja, en });
    }
    output::line(out, &format!("  ✓ {} ({secs:.1} s)", label.get(lang)))
}

/// A step: its label, its arguments, the exit codes that mean it worked.
type Step<'a> = (Text, Vec<&'a OsStr>, &'a [i32]);

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

pub fn run(a: &DemoArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    shodo::selftest::bundled_data()?;
    make_out(&a.out)?;
    let started = std::time::Instant::now();
    output::line(out, txt::MAKING_THE_DEMO_ENDPOINT_AND_BACKUP.get(lang))?;
    let demo = shodo::demo::build(&a.out.join("material"))?;
    let case = a.out.join("case");
    for (label, args, ok) in &steps(&demo, &case) {
        step(out, lang, *label, args, ok)?;
    }
    output::line(out, &format!("{} ({:.0} s)", txt::DEMO_FINISHED.get(lang), started.elapsed().as_secs_f64()))?;
    where_the_reports_are(&case, lang, out)?;
    Ok(Outcome::Clean)
}

/// The demo's directory, refused when it already holds something.
fn make_out(dir: &Path) -> Result<()> {
    if dir.exists() && std::fs::read_dir(dir).map_err(Error::io("read", dir))?.next().is_some() {
        let (ja, en) = txt::OUT_IS_NOT_EMPTY.both(|_| vec![("out", dir.display().to_string())]);
        return Err(Error::Refused { ja, en });
    }
    std::fs::create_dir_all(dir).map_err(Error::io("create", dir))
}

/// The whole workflow on the demo's endpoint and backup, into `case`.
fn steps<'a>(demo: &'a Demo, case: &'a Path) -> Vec<Step<'a>> {
    let id = shodo::demo::HOST;
    let c = case.as_os_str();
    let e = demo.endpoint.as_os_str();
    vec![
        (
            txt::DEMO_CASE_INIT,
            vec![
                os("case"),
                os("init"),
                os("--case"),
                c,
                os("--config"),
                demo.config.as_os_str(),
                os("--examiner"),
                os(shodo::demo::EXAMINER),
                os("--aware-at"),
                os("2026-11-21 03:10"),
            ],
            &[0],
        ),
        (txt::DEMO_NOTE_A_CALL, vec![os("case"), os("note"), os("--case"), c, os(shodo::demo::CALL_NOTE)], &[0]),
        (txt::DEMO_COLLECT, vec![os("collect"), os("--case"), c, os("--source"), e, os("--os"), os("windows")], &[0]),
        (txt::DEMO_SCAN, vec![os("scan"), os("--case"), c, os("--endpoint"), os(id)], &[0, 1]),
        (txt::DEMO_ANALYZE, vec![os("analyze"), os("--case"), c, os("--endpoint"), os(id)], &[0, 1]),
        (
            txt::DEMO_ISOLATION_PLAN,
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
            txt::DEMO_SHEET_FOR_THE_NETWORK_TEAM,
            vec![os("isolate"), os("sheet"), os("--case"), c, os("--endpoint"), os(id)],
            &[0],
        ),
        (
            txt::DEMO_BACKUP_VERIFY,
            vec![os("backup"), os("verify"), demo.backup.as_os_str(), os("--case"), c, os("--medium"), os("nas-daily")],
            &[0, 1],
        ),
        (txt::DEMO_REPORT, vec![os("report"), os("--case"), c], &[0]),
    ]
}

/// Where the reports are, each by name, and how to see the case at a glance.
fn where_the_reports_are(case: &Path, lang: Lang, out: &mut dyn Write) -> Result<()> {
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
    output::line(out, &format!("{}: shodo case status --case {}", txt::THE_CASE_AT_A_GLANCE.get(lang), case.display()))
}
