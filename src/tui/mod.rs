//! The terminal UI. Elm-style: [`app::App`] is plain data, [`app::update`] is pure and returns
//! side effects as [`app::Cmd`], [`view::view`] is pure. The runtime here owns the terminal, an
//! input thread, a tick thread and worker threads that all feed one channel; `ratatui::init`
//! installs the panic hook that restores the terminal.

mod app;
mod data;
#[cfg(test)]
mod fixture;
mod guard;
mod keys;
mod strings;
mod view;
mod worker;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::Duration;

use crossterm::event::{self, Event};
use shodo::playbook::{self, Recorder};
use shodo::{Error, Lang, Result, case, clock};

use app::{App, Cmd, Msg};

/// Opens the TUI on the case at `case_dir` (or with no case) until the user quits.
pub fn run(case_dir: Option<PathBuf>, lang: Lang) -> Result<()> {
    let mut app = App::new(lang, case_dir.clone());
    app.staff.playbook = Some(playbook::bundled_one(playbook::STAFF)?);
    match playbook::setting(None, case_dir.as_deref()) {
        Ok(s) => app.staff.setting = Some(s),
        Err(e) => {
            let (ja, en) = strings::CANNOT_READ_THE_CONTACTS.both(|lang| vec![("error", e.message(lang))]);
            app.say(ja, en);
        }
    }
    let recorder = case_dir.clone().map(|dir| Recorder::Case { actor: actor(&dir), dir });
    Runtime::new(recorder).run(app)
}

/// Staff mode alone (`shodo staff`): the posted procedure, each confirmation recorded in the
/// case when there is one, else in `record`.
pub fn staff(
    case_dir: Option<PathBuf>,
    config: Option<PathBuf>,
    record: PathBuf,
    name: Option<String>,
    lang: Lang,
) -> Result<()> {
    let pb = playbook::bundled_one(playbook::STAFF)?;
    let setting = playbook::setting(config.as_deref(), case_dir.as_deref())?;
    let actor = name.clone().unwrap_or_else(staff_actor);
    let recorder = match &case_dir {
        Some(dir) => Recorder::Case { dir: dir.clone(), actor },
        None => Recorder::File { path: record, actor },
    };
    let done = recorder.done_today(playbook::STAFF);
    let mut app = App::staff_only(lang, case_dir, app::StaffState::resume(pb, setting, done, name));
    if app.input.is_none() {
        let path = recorder.path().display().to_string();
        let (ja, en) = strings::THE_TIME_OF_EACH_STEP_IS_RECORDED.both(|_| vec![("path", path.clone())]);
        app.say(ja, en);
    }
    Runtime::new(Some(recorder)).run(app)
}

/// Who is recorded when staff give no name, in both languages.
fn staff_actor() -> String {
    format!("{}/ {}", strings::STAFF_NO_NAME_GIVEN.ja, strings::STAFF_NO_NAME_GIVEN.en)
}

fn actor(dir: &std::path::Path) -> String {
    let examiners = case::Case::open(dir).map(|c| c.file().case.examiners.clone()).unwrap_or_default();
    case::actor_of(&examiners)
}

/// What the side effects need: the channel back, the running job's cancel flag, the record.
struct Runtime {
    tx: Sender<Msg>,
    rx: Receiver<Msg>,
    cancel: Arc<AtomicBool>,
    recorder: Option<Recorder>,
}

impl Runtime {
    fn new(recorder: Option<Recorder>) -> Runtime {
        let (tx, rx) = mpsc::channel();
        Runtime { tx, rx, cancel: Arc::new(AtomicBool::new(false)), recorder }
    }

    fn run(self, mut app: App) -> Result<()> {
        let mut terminal = guard::open()?;
        spawn_input(self.tx.clone());
        spawn_ticks(self.tx.clone());
        self.execute(&mut app, Some(Cmd::Refresh));
        let result = self.event_loop(&mut terminal, &mut app);
        self.cancel.store(true, Ordering::SeqCst);
        ratatui::restore();
        result
    }

    fn event_loop(&self, terminal: &mut ratatui::DefaultTerminal, app: &mut App) -> Result<()> {
        while !app.quit {
            terminal.draw(|f| view::view(app, f)).map_err(Error::io("write", "terminal".as_ref()))?;
            let Ok(msg) = self.rx.recv() else { break };
            let cmd = app::update(app, msg);
            self.execute(app, cmd);
        }
        Ok(())
    }

    /// Carries out a side effect; long ones on a thread that reports back as messages.
    fn execute(&self, app: &mut App, cmd: Option<Cmd>) {
        let Some(cmd) = cmd else { return };
        let lang = app.lang;
        match cmd {
            Cmd::RefreshIfChanged => {
                // Everything that changes a case is on its custody log: an unchanged head means
                // nothing to read again (a large case takes seconds to read).
                let shown = app.data().and_then(|d| d.status.last_action.as_ref()).map(|e| e.seq);
                let head = app.case_dir.as_deref().and_then(|d| case::read_head(d).ok().flatten()).map(|h| h.seq);
                if shown.is_none() || head != shown {
                    self.execute(app, Some(Cmd::Refresh));
                }
            }
            Cmd::Refresh => {
                let loaded =
                    app.case_dir.as_deref().map(|d| data::load(d).map(Box::new).map_err(|e| (e.ja(), e.to_string())));
                let next = app::update(app, Msg::Loaded(loaded));
                self.execute(app, next);
            }
            Cmd::ListDisks => {
                let disks = shodo::source::list("/sys".as_ref(), "/dev".as_ref());
                app::update(app, Msg::Disks(disks));
            }
            Cmd::Start(kind) => {
                let Some(dir) = app.case_dir.clone() else { return };
                self.cancel.store(false, Ordering::SeqCst);
                worker::start(kind, dir, actor_for(&self.recorder), lang, self.tx.clone(), self.cancel.clone());
            }
            Cmd::Cancel => self.cancel.store(true, Ordering::SeqCst),
            Cmd::Check { playbook, step, done, note } => {
                let msg = self.check(&playbook, &step, done, note.as_deref(), false);
                let next = app::update(app, msg);
                self.execute(app, next);
            }
            Cmd::Note { playbook, step, text } => {
                let msg = self.check(&playbook, &step, true, Some(&text), true);
                let next = app::update(app, msg);
                self.execute(app, next);
            }
            Cmd::Isolate { verb, endpoint, mode, level, confirm } => {
                let Some(dir) = app.case_dir.clone() else { return };
                let mode = Some((mode, level));
                worker::isolate(worker::IsolateCall { verb, endpoint, mode, confirm, dir, lang }, self.tx.clone());
            }
            Cmd::Sheet { endpoint } => {
                let Some(dir) = app.case_dir.clone() else { return };
                let call = worker::IsolateCall { verb: "sheet", endpoint, mode: None, confirm: false, dir, lang };
                worker::isolate(call, self.tx.clone());
            }
            Cmd::WriteReports => {
                let Some(dir) = app.case_dir.clone() else { return };
                let msg = worker::reports(&dir, &actor_for(&self.recorder), lang);
                let next = app::update(app, msg);
                self.execute(app, next);
            }
            Cmd::Preview(rel) => {
                let Some(dir) = app.case_dir.clone() else { return };
                let text = data::preview(&dir, &rel, lang);
                app::update(app, Msg::Preview(rel, text));
            }
            Cmd::Staff { step, note } => {
                let result = self.staff_record(app, &step, note.as_deref());
                app::update(app, Msg::StaffRecorded(step, note, result));
            }
        }
    }

    /// Records a check (or, with `only_note`, a note alone) and says what was recorded.
    fn check(&self, playbook: &str, step: &str, done: bool, note: Option<&str>, only_note: bool) -> Msg {
        let result = (|| -> Result<(String, String)> {
            let pb = playbook::bundled_one(playbook)?;
            let s = pb
                .step(step)
                .ok_or_else(|| Error::BundledData { name: "playbooks", reason: format!("no step {step}") })?;
            let rec = self.recorder.as_ref().ok_or_else(|| Error::Refused {
                ja: strings::NO_CASE_IS_OPEN_TO_RECORD_IT_IN.ja.into(),
                en: strings::NO_CASE_IS_OPEN_TO_RECORD_IT_IN.en.into(),
            })?;
            let jst = match (rec, only_note) {
                (Recorder::Case { dir, actor }, true) => {
                    let writer = case::CaseWriter::open(dir, actor, "playbook note")?;
                    playbook::note(&writer, &pb, s, note.unwrap_or_default())?.jst
                }
                _ => rec.check(&pb, s, done, note)?,
            };
            Ok((s.title.ja.clone(), view::short_jst(&jst)))
        })();
        let what = match (&result, only_note, done) {
            (Ok(_), true, _) => strings::NOTE_RECORDED,
            (Ok(_), false, true) => strings::RECORDED_AS_DONE,
            (Ok(_), false, false) => strings::RECORDED_AS_NOT_DONE,
            (Err(_), ..) => strings::CANNOT_RECORD_IT,
        };
        let (ja, en) = match result {
            Ok((title, at)) => strings::CHECK_RECORDED.both(|lang| {
                let step = if lang == Lang::Ja { title.clone() } else { step.to_string() };
                vec![("what", what.get(lang).to_string()), ("step", step), ("at", at.clone())]
            }),
            Err(e) => strings::CHECK_FAILED
                .both(|lang| vec![("what", what.get(lang).to_string()), ("error", e.message(lang))]),
        };
        Msg::Done(ja, en)
    }

    fn staff_record(&self, app: &App, step: &str, note: Option<&str>) -> std::result::Result<String, (String, String)> {
        let pb = app
            .staff
            .playbook
            .as_ref()
            .ok_or_else(|| (strings::NO_PROCEDURE.ja.to_string(), strings::NO_PROCEDURE.en.to_string()))?;
        let s = pb.step(step).ok_or_else(|| strings::NO_STEP.both(|_| vec![("step", step.to_string())]))?;
        let actor = app.staff.name.clone().unwrap_or_else(staff_actor);
        let rec = match &self.recorder {
            Some(r) if app.staff.name.is_some() => r.by(&actor),
            Some(r) => r.clone(),
            None => Recorder::File { path: "shodo-staff-record.jsonl".into(), actor },
        };
        rec.check(pb, s, true, note).map_err(|e| (e.ja(), e.to_string()))
    }
}

fn actor_for(recorder: &Option<Recorder>) -> String {
    match recorder {
        Some(Recorder::Case { actor, .. }) => actor.clone(),
        _ => case::actor_of(&[]),
    }
}

fn spawn_input(tx: Sender<Msg>) {
    thread::spawn(move || {
        while let Ok(ev) = event::read() {
            let msg = match ev {
                Event::Key(k) => Msg::Key(k),
                Event::Resize(..) => Msg::Resize,
                _ => continue,
            };
            if tx.send(msg).is_err() {
                break;
            }
        }
    });
}

fn spawn_ticks(tx: Sender<Msg>) {
    thread::spawn(move || {
        while tx.send(Msg::Tick(clock::now().with_timezone(&clock::jst()).date_naive())).is_ok() {
            thread::sleep(Duration::from_secs(5));
        }
    });
}
