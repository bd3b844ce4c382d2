//! Long work for the TUI on worker threads: collection, scan and analysis through the engine
//! with a [`Progress`] that sends messages (at most ten a second) and answers `cancelled` from
//! the operator's flag; isolation through the engine's request API (`isolate::request`), whose
//! refusals and account of what it did are shown as the engine words them.

use crate::tui::strings as txt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use shodo::backup::verify;
use shodo::case::CaseWriter;
use shodo::detect::artefacts;
use shodo::isolate::offline::Level;
use shodo::isolate::request::{self, Mode, Request};
use shodo::progress::Progress;
use shodo::yara::{evidence, rules, scan};
use shodo::{Lang, Result, collect, isolate, report, source};

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
            Err(e) => {
                let (ja, en) = txt::JOB_FAILED.both(|lang| vec![("error", e.message(lang))]);
                Msg::JobDone(ja, en, false)
            }
        };
        let _ = tx.send(msg);
    });
}

fn run(kind: &JobKind, dir: &Path, actor: &str, progress: &Reporter) -> Result<(String, String)> {
    shodo::selftest::bundled_data()?;
    match kind {
        JobKind::Collect { source: spec, key } => {
            let writer = CaseWriter::open(dir, actor, "collect")?;
            let opened = source::open(spec, None, key.as_ref())?;
            let s = collect::collect(&writer, &collect::Options::for_opened(&opened, spec), progress)?;
            let skipped: u64 = s.skipped.values().sum();
            Ok(txt::JOB_COLLECTED.both(|_| {
                vec![
                    ("endpoint", s.endpoint.clone()),
                    ("files", s.collected.to_string()),
                    ("size", super::view::size(s.collected_bytes)),
                    ("skipped", skipped.to_string()),
                ]
            }))
        }
        JobKind::Scan { endpoint } => {
            let set = rules::load(true, &[], None)?;
            let writer = CaseWriter::open(dir, actor, "scan")?;
            let attached = shodo::collect::open_recorded_volume(dir, endpoint, None, None, None);
            let volume = match &attached {
                Ok((opened, describe)) => evidence::Volume::Attached { root: &opened.root, opened: describe.clone() },
                Err(why) => evidence::Volume::NotScanned(why.to_string()),
            };
            let r = evidence::scan_endpoint(&writer, endpoint, &set, &scan::Options::default(), &volume, progress)?;
            let more = r.volume_summary.as_ref().map_or(0, |s| s.scanned);
            let kept = r.kept.as_ref().map_or(0, |k| k.files.len());
            let volume = |lang: Lang| match &attached {
                Ok(_) => txt::JOB_VOLUME_SCANNED.fill(lang, &[("more", &more), ("kept", &kept)]),
                Err(why) => txt::JOB_VOLUME_NOT_SCANNED.fill(lang, &[("why", why)]),
            };
            Ok(txt::JOB_SCANNED.both(|lang| {
                vec![
                    ("endpoint", endpoint.clone()),
                    ("scanned", r.summary.scanned.to_string()),
                    ("volume", volume(lang)),
                    ("findings", r.findings.to_string()),
                ]
            }))
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
            Ok(txt::JOB_BACKUP_VERIFIED.both(|lang| {
                vec![
                    ("medium", medium.display().to_string()),
                    ("clean", last.clone().unwrap_or_else(|| txt::NONE.get(lang).into())),
                ]
            }))
        }
        JobKind::Analyze { endpoint } => {
            let writer = CaseWriter::open(dir, actor, "analyze")?;
            let r = artefacts::analyze_endpoint(&writer, endpoint, progress)?;
            Ok(txt::JOB_ANALYZED.both(|_| {
                vec![
                    ("endpoint", endpoint.clone()),
                    ("logs", r.logs.len().to_string()),
                    ("timeline", r.timeline.to_string()),
                ]
            }))
        }
    }
}

/// One isolation step asked for on the isolation screen.
pub struct IsolateCall {
    /// plan | apply | verify | rollback | sheet.
    pub verb: &'static str,
    /// Endpoint id.
    pub endpoint: String,
    /// Mode and level names; none for the sheet.
    pub mode: Option<(&'static str, &'static str)>,
    /// The operator typed the hostname to confirm a change.
    pub confirm: bool,
    /// Case directory.
    pub dir: PathBuf,
    /// Output language.
    pub lang: Lang,
}

/// Carries out an isolation step through the engine on a thread; ends with
/// [`Msg::IsolationOutput`], the engine's own account of it or why it did not run.
pub fn isolate(call: IsolateCall, tx: Sender<Msg>) {
    std::thread::spawn(move || {
        let lang = call.lang;
        let head = match call.mode {
            Some((mode, level)) => format!("isolate {} {} ({mode}, {level})", call.verb, call.endpoint),
            None => format!("isolate {} {}", call.verb, call.endpoint),
        };
        let body = match isolation(&call) {
            Ok(lines) => lines.join("\n"),
            Err(e) => format!("{}: {}", txt::NOT_DONE.get(lang), lang.pick(&e.ja(), &e.to_string())),
        };
        let _ = tx.send(Msg::IsolationOutput(format!("{head}\n{body}\n")));
    });
}

fn isolation(c: &IsolateCall) -> Result<Vec<String>> {
    let examiner = std::env::var("SHODO_EXAMINER").ok();
    if c.verb == "sheet" {
        let id = collect::clean_id(&c.endpoint)?;
        let sheet = isolate::sheet::sheet(&c.dir, &id)?;
        let writer = request::case_writer(&c.dir, examiner.as_deref(), "isolate sheet")?;
        let path = c.dir.join(isolate::sheet::write(&writer, &sheet, c.lang)?);
        let what = txt::SHEET_FOR_THE_NETWORK_TEAM.get(c.lang);
        return Ok(vec![format!("{what}: {}", path.display())]);
    }
    let (mode, level) = c.mode.unwrap_or_default();
    let unknown = |what: &str| {
        let (ja, en) = txt::UNKNOWN_CHOICE.both(|_| vec![("what", what.to_string())]);
        shodo::Error::Refused { ja, en }
    };
    let mut req = Request::new(&c.dir, Some(&c.endpoint), Mode::parse(mode).ok_or_else(|| unknown(mode))?)?;
    req.level = Level::parse(level).ok_or_else(|| unknown(level))?;
    req.examiner = examiner;
    req.confirm = c.confirm.then(|| req.endpoint.clone());
    let id = req.endpoint.clone();
    Ok(match c.verb {
        "plan" => isolate::text::plan(&req, &request::plan(&req)?, c.lang),
        "apply" => isolate::text::action(&id, &request::apply(&req)?, c.lang),
        "verify" => isolate::text::action(&id, &request::verify(&req)?, c.lang),
        "rollback" => isolate::text::action(&id, &request::rollback(&req)?, c.lang),
        other => return Err(unknown(other)),
    })
}

/// Writes the reports; the outcome as a message.
pub fn reports(dir: &Path, actor: &str, lang: Lang) -> Msg {
    let written = CaseWriter::open(dir, actor, "report").and_then(|w| report::write(&w, lang, None));
    match written {
        Ok(files) => {
            let (ja, en) = txt::REPORTS_WRITTEN.both(|_| vec![("n", files.len().to_string())]);
            Msg::Done(ja, en)
        }
        Err(e) => {
            let (ja, en) = txt::REPORTS_NOT_WRITTEN.both(|lang| vec![("error", e.message(lang))]);
            Msg::Done(ja, en)
        }
    }
}
