//! Long work for the TUI on worker threads: collection, scan and analysis through the engine
//! with a [`Progress`] that sends messages (at most ten a second) and answers `cancelled` from
//! the operator's flag; isolation through this same binary's `isolate` command, whose output is
//! shown as it prints it (the CLI holds the mode logic and its refusals).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use shodo::analyze::{artefacts, evidence, rules, scan};
use shodo::backup::verify;
use shodo::case::CaseWriter;
use shodo::progress::Progress;
use shodo::{Lang, Result, collect, report, source};

use super::app::{Job, JobKind, Msg};

/// Progress that becomes [`Msg::Progress`].
struct Reporter {
    tx: Sender<Msg>,
    cancel: Arc<AtomicBool>,
    job: Mutex<(Job, Instant, Instant)>,
}

impl Reporter {
    fn new(label: String, tx: Sender<Msg>, cancel: Arc<AtomicBool>) -> Reporter {
        let now = Instant::now();
        let job = Job { label, ..Job::default() };
        Reporter { tx, cancel, job: Mutex::new((job, now, now)) }
    }

    /// Sends the state when `force`, or when the last send is 100 ms old.
    fn send(&self, force: bool, change: impl FnOnce(&mut Job)) {
        let Ok(mut g) = self.job.lock() else { return };
        let (job, started, last) = &mut *g;
        change(job);
        job.elapsed = started.elapsed();
        if force || last.elapsed() >= Duration::from_millis(100) {
            *last = Instant::now();
            let _ = self.tx.send(Msg::Progress(job.clone()));
        }
    }
}

impl Progress for Reporter {
    fn start(&self, phase: &str, items: Option<u64>, bytes: Option<u64>) {
        if let Ok(mut g) = self.job.lock() {
            g.1 = Instant::now();
        }
        self.send(true, |j| {
            j.phase = phase.to_string();
            j.items = (0, items);
            j.bytes = (0, bytes);
        });
    }

    fn advance(&self, items: u64, bytes: u64) {
        self.send(false, |j| {
            j.items.0 += items;
            j.bytes.0 += bytes;
        });
    }

    fn note(&self, text: &str) {
        self.send(true, |j| {
            j.problems += 1;
            j.notes.push(text.to_string());
            let extra = j.notes.len().saturating_sub(50);
            j.notes.drain(..extra);
        });
    }

    fn finish(&self) {
        self.send(true, |_| {});
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }
}

/// Runs `kind` on a thread; ends with [`Msg::JobDone`].
pub fn start(kind: JobKind, dir: PathBuf, actor: String, lang: Lang, tx: Sender<Msg>, cancel: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        let progress = Reporter::new(kind.label(lang), tx.clone(), cancel);
        progress.send(true, |_| {});
        let msg = match run(&kind, &dir, &actor, &progress) {
            Ok((ja, en)) => Msg::JobDone(ja, en, true),
            Err(e) => Msg::JobDone(format!("失敗: {}", e.ja()), format!("failed: {e}"), false),
        };
        let _ = tx.send(msg);
    });
}

fn run(kind: &JobKind, dir: &Path, actor: &str, progress: &Reporter) -> Result<(String, String)> {
    match kind {
        JobKind::Collect { source: spec, key } => {
            let writer = CaseWriter::open(dir, actor, "collect")?;
            let opened = source::open(spec, None, key.as_ref())?;
            let s = collect::collect(&writer, &collect::Options::for_opened(&opened, spec), progress)?;
            let skipped: u64 = s.skipped.values().sum();
            Ok((
                format!(
                    "収集 {}: {} 件（{}）、未収集 {skipped} 件",
                    s.endpoint,
                    s.collected,
                    super::view::size(s.collected_bytes)
                ),
                format!(
                    "collected {}: {} files ({}), {skipped} not taken",
                    s.endpoint,
                    s.collected,
                    super::view::size(s.collected_bytes)
                ),
            ))
        }
        JobKind::Scan { endpoint } => {
            let set = rules::load(true, &[], None)?;
            let writer = CaseWriter::open(dir, actor, "scan")?;
            let attached = evidence::open_recorded_volume(dir, endpoint, None, None, None);
            let volume = match &attached {
                Ok((opened, describe)) => evidence::Volume::Attached { root: &opened.root, opened: describe.clone() },
                Err(why) => evidence::Volume::NotScanned(why.clone()),
            };
            let r = evidence::scan_endpoint(&writer, endpoint, &set, &scan::Options::default(), &volume, progress)?;
            let more = r.volume["summary"]["scanned"].as_u64().unwrap_or(0);
            let (vol_ja, vol_en) = match &attached {
                Ok(_) => {
                    (format!("ボリューム全体から追加で {more} 件"), format!("{more} more files from the whole volume"))
                }
                Err(why) => (format!("ボリューム全体は未検査（{why}）"), format!("whole volume not scanned ({why})")),
            };
            Ok((
                format!("検査 {endpoint}: 収集済み {} 件、{vol_ja}、検出 {} 件", r.summary.scanned, r.findings),
                format!("scanned {endpoint}: {} collected files, {vol_en}, {} findings", r.summary.scanned, r.findings),
            ))
        }
        JobKind::Backup { source: medium, baseline } => {
            let writer = CaseWriter::open(dir, actor, "backup verify")?;
            let first = verify::first_sign(dir);
            let mut report = verify::verify(medium, baseline.as_slice(), first.as_ref().map(|f| f.0), progress)?;
            if let Some((_, what)) = first {
                report.compromised_since_from = Some(format!("case timeline: {what}"));
            }
            verify::record(&writer, &verify::medium_name(None, medium), &report)?;
            let last = report.verdict.last_clean.clone();
            Ok((
                format!(
                    "バックアップ {}: 最後のクリーンな世代 {}",
                    medium.display(),
                    last.clone().unwrap_or_else(|| "なし".into())
                ),
                format!("backup {}: last clean generation {}", medium.display(), last.unwrap_or_else(|| "none".into())),
            ))
        }
        JobKind::Analyze { endpoint } => {
            let writer = CaseWriter::open(dir, actor, "analyze")?;
            let r = artefacts::analyze_endpoint(&writer, endpoint, progress)?;
            Ok((
                format!("解析 {endpoint}: イベントログ {} 件、タイムライン {} 件", r.logs.len(), r.timeline),
                format!("analyzed {endpoint}: {} event logs, {} timeline entries", r.logs.len(), r.timeline),
            ))
        }
    }
}

/// One `shodo isolate` call.
pub struct IsolateCall {
    /// plan | apply | verify | rollback | sheet.
    pub verb: &'static str,
    /// Endpoint id.
    pub endpoint: String,
    /// Mode and level (offline-windows); none for the sheet.
    pub mode: Option<(&'static str, &'static str)>,
    /// Pass `--confirm ENDPOINT` (the operator typed the hostname).
    pub confirm: bool,
    /// Case directory.
    pub dir: PathBuf,
    /// Output language.
    pub lang: Lang,
}

/// Runs `shodo isolate …` with this binary on a thread; ends with [`Msg::IsolationOutput`].
pub fn isolate(call: IsolateCall, tx: Sender<Msg>) {
    std::thread::spawn(move || {
        let text = match isolate_output(&call) {
            Ok(t) => t,
            Err(e) => format!("{}: {e}", call.lang.pick("実行できません", "cannot run")),
        };
        let _ = tx.send(Msg::IsolationOutput(text));
    });
}

fn isolate_output(c: &IsolateCall) -> std::io::Result<String> {
    let mut args = vec!["isolate".to_string(), c.verb.into(), "--case".into(), c.dir.display().to_string()];
    args.extend(["--endpoint".into(), c.endpoint.clone(), "--lang".into(), c.lang.code().into()]);
    if let Some((mode, level)) = c.mode {
        args.extend(["--mode".into(), mode.into(), "--level".into(), level.into()]);
    }
    if c.confirm {
        args.extend(["--confirm".into(), c.endpoint.clone()]);
    }
    let out =
        std::process::Command::new(std::env::current_exe()?).args(&args).stdin(std::process::Stdio::null()).output()?;
    let code = out.status.code().map_or_else(|| "signal".to_string(), |c| c.to_string());
    Ok(format!(
        "$ shodo {} ({} {code})\n{}{}",
        // The case folder is left out of the line shown: it is the one open.
        args.iter()
            .enumerate()
            .filter(|(i, _)| *i != 2 && *i != 3)
            .map(|(_, a)| a.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        c.lang.pick("終了コード", "exit"),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

/// Writes the reports; the outcome as a message.
pub fn reports(dir: &Path, actor: &str, lang: Lang) -> Msg {
    let written = CaseWriter::open(dir, actor, "report").and_then(|w| report::write(&w, lang, None));
    match written {
        Ok(files) => Msg::Done(
            format!("報告書 {} 件を作成しました", files.len()),
            format!("{} report files written", files.len()),
        ),
        Err(e) => Msg::Done(format!("報告書を作成できません: {}", e.ja()), format!("cannot write the reports: {e}")),
    }
}
