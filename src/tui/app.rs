//! TUI state (plain data), messages, commands, and the pure update function. Keys are handled
//! per screen in `keys.rs`; this file holds what every screen shares.

use crate::tui::strings as txt;
use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use shodo::Lang;
use shodo::playbook::{Playbook, Setting};
use shodo::source::{Disk, RecoveryKey};

use super::data::CaseData;
use super::keys;

/// The screens, in tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    /// The case at a glance.
    Home,
    /// Disks and partitions.
    Sources,
    /// Collect / scan / analyse with live progress.
    Jobs,
    /// Findings table with a detail pane.
    Findings,
    /// Isolation: plan, confirm, apply, roll back.
    Isolation,
    /// Backup generations.
    Backups,
    /// Reports: generate, list, preview.
    Reports,
    /// Playbook steps with check-boxes.
    Playbook,
    /// Staff mode: the posted procedure, one step per screen.
    Staff,
}

impl Screen {
    /// Every screen, in tab order (the number key is its position + 1).
    pub const ALL: [Screen; 9] = [
        Screen::Home,
        Screen::Sources,
        Screen::Jobs,
        Screen::Findings,
        Screen::Isolation,
        Screen::Backups,
        Screen::Reports,
        Screen::Playbook,
        Screen::Staff,
    ];

    /// Its tab label.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Screen::Home => txt::HOME.get(lang),
            Screen::Sources => txt::SOURCES.get(lang),
            Screen::Jobs => txt::COLLECT.get(lang),
            Screen::Findings => txt::FINDINGS.get(lang),
            Screen::Isolation => txt::ISOLATION.get(lang),
            Screen::Backups => txt::BACKUPS.get(lang),
            Screen::Reports => txt::REPORTS.get(lang),
            Screen::Playbook => txt::PLAYBOOK.get(lang),
            Screen::Staff => txt::STAFF.get(lang),
        }
    }

    fn index(self) -> usize {
        Screen::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// What the case pane shows.
#[derive(Clone, Debug)]
pub enum CaseView {
    /// No `--case` was given.
    NoCase,
    /// Not read yet.
    Loading,
    /// What was read.
    Loaded(Box<CaseData>),
    /// Reading failed: the message in Japanese and English.
    Failed { ja: String, en: String },
}

/// Long work the runtime runs on a worker thread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobKind {
    /// Collect from a source (device, image or directory), BitLocker unlocked with `key`.
    Collect { source: PathBuf, key: Option<RecoveryKey> },
    /// Scan an endpoint's evidence.
    Scan { endpoint: String },
    /// Analyse an endpoint's event logs and registry.
    Analyze { endpoint: String },
    /// Verify a backup medium (against a peacetime baseline when one is given).
    Backup { source: PathBuf, baseline: Option<PathBuf> },
}

impl JobKind {
    /// For people.
    pub fn label(&self, lang: Lang) -> String {
        match self {
            JobKind::Collect { source, .. } => format!("{} {}", txt::COLLECT_2.get(lang), source.display()),
            JobKind::Scan { endpoint } => format!("{} {endpoint}", txt::SCAN.get(lang)),
            JobKind::Analyze { endpoint } => format!("{} {endpoint}", txt::ANALYZE.get(lang)),
            JobKind::Backup { source, .. } => {
                format!("{} {}", txt::BACKUP_VERIFY.get(lang), source.display())
            }
        }
    }
}

/// A running or finished job, as progress reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Job {
    /// What runs.
    pub label: String,
    /// The current phase.
    pub phase: String,
    /// Items done and expected.
    pub items: (u64, Option<u64>),
    /// Bytes done and expected.
    pub bytes: (u64, Option<u64>),
    /// Time since the phase started.
    pub elapsed: Duration,
    /// The latest per-item problems (the record has them all).
    pub notes: Vec<String>,
    /// How many problems there were.
    pub problems: u64,
    /// Cancellation asked.
    pub cancelling: bool,
    /// Finished: the outcome for people (ja, en) and whether it succeeded.
    pub done: Option<(String, String, bool)>,
}

impl Job {
    /// Bytes per second so far.
    pub fn rate(&self) -> Option<f64> {
        let secs = self.elapsed.as_secs_f64();
        (secs > 0.5).then(|| self.bytes.0 as f64 / secs)
    }

    /// Time left at the current rate, when the total is known.
    pub fn eta(&self) -> Option<Duration> {
        let rate = self.rate().filter(|r| *r > 0.0)?;
        let left = self.bytes.1?.saturating_sub(self.bytes.0);
        Some(Duration::from_secs_f64(left as f64 / rate))
    }

    /// Share done (0–1), by bytes when known, else by items.
    pub fn ratio(&self) -> f64 {
        let (done, total) = match self.bytes {
            (d, Some(t)) if t > 0 => (d, t),
            _ => (self.items.0, self.items.1.unwrap_or(0)),
        };
        if total == 0 { 0.0 } else { (done as f64 / total as f64).clamp(0.0, 1.0) }
    }
}

/// Columns the findings table sorts by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    /// Severity, then endpoint and path.
    #[default]
    Severity,
    /// Endpoint.
    Endpoint,
    /// Kind.
    Kind,
    /// Path.
    Path,
    /// Time.
    Time,
}

impl SortKey {
    /// The next column.
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Severity => SortKey::Endpoint,
            SortKey::Endpoint => SortKey::Kind,
            SortKey::Kind => SortKey::Path,
            SortKey::Path => SortKey::Time,
            SortKey::Time => SortKey::Severity,
        }
    }

    /// For people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            SortKey::Severity => txt::SEVERITY.get(lang),
            SortKey::Endpoint => txt::ENDPOINT.get(lang),
            SortKey::Kind => txt::KIND.get(lang),
            SortKey::Path => txt::PATH.get(lang),
            SortKey::Time => txt::TIME.get(lang),
        }
    }
}

/// Isolation modes offered from the screen.
pub const MODES: [&str; 3] = ["offline-windows", "script-windows", "live-linux"];
/// Offline levels offered from the screen.
pub const LEVELS: [&str; 3] = ["soft", "hard", "persistence"];

/// What a line of text being typed is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputFor {
    /// A source path to collect from.
    SourcePath,
    /// The BitLocker recovery key of a source (never recorded, never shown in a log).
    RecoveryKey { source: PathBuf },
    /// The findings filter.
    Filter,
    /// A backup medium to verify.
    BackupSource,
    /// Its peacetime baseline (empty: none).
    BackupBaseline { source: PathBuf },
    /// The hostname, typed to confirm an isolation change (`apply` or `rollback`).
    ConfirmIsolation { endpoint: String, hostname: String, apply: bool },
    /// A note with a playbook step: `check` also checks the step off (a note step's Space).
    StepNote { playbook: String, step: String, check: bool },
    /// Staff mode: what was seen.
    StaffNote { step: String },
    /// Staff mode: who is at the keyboard.
    StaffName,
}

/// A line being typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// What it is for.
    pub purpose: InputFor,
    /// The text so far.
    pub text: String,
}

/// A yes/no question before something that cannot be taken back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Confirm {
    /// Stop the running job.
    CancelJob,
    /// Leave while a job runs.
    QuitWhileRunning,
    /// Take back a checked step.
    Uncheck { playbook: String, step: String },
    /// Leave staff mode.
    LeaveStaff,
}

/// Staff mode's progress.
#[derive(Clone, Debug, Default)]
pub struct StaffState {
    /// The procedure.
    pub playbook: Option<Playbook>,
    /// Whose hospital and which numbers.
    pub setting: Option<Setting>,
    /// The step shown.
    pub step: usize,
    /// Steps confirmed, with the JST time recorded.
    pub confirmed: Vec<(String, String)>,
    /// What was written with a step (the note step).
    pub notes: Vec<(String, String)>,
    /// Who is at the keyboard (recorded with each confirmation).
    pub name: Option<String>,
    /// Started with `shodo staff`: there is no way back to the other screens.
    pub only: bool,
}

/// The whole UI state: plain data.
#[derive(Clone, Debug)]
pub struct App {
    /// Display language.
    pub lang: Lang,
    /// The case shown.
    pub case_dir: Option<PathBuf>,
    /// What is known of it.
    pub case: CaseView,
    /// The screen shown.
    pub screen: Screen,
    /// Set when the user asked to leave.
    pub quit: bool,
    /// Disks found (Sources screen).
    pub disks: Vec<Disk>,
    /// A source path typed by the operator.
    pub source_path: Option<String>,
    /// Selected row per screen (Sources, Jobs' endpoint, Findings, Isolation, Reports, Playbook step).
    pub sel: [usize; 9],
    /// The playbook shown.
    pub playbook: usize,
    /// The running or last job.
    pub job: Option<Job>,
    /// Findings order and filter.
    pub sort: SortKey,
    /// Filter text (matches any column).
    pub filter: String,
    /// Isolation mode and level chosen (indexes into [`MODES`], [`LEVELS`]).
    pub mode: usize,
    /// See `mode`.
    pub level: usize,
    /// Output of the last isolation command (plan, apply, verify, rollback).
    pub isolation_output: Option<String>,
    /// Report preview: the file and its text.
    pub preview: Option<(String, String)>,
    /// Scroll offset of long text (preview, plan).
    pub scroll: u16,
    /// A line being typed.
    pub input: Option<Input>,
    /// A question waiting for y/n.
    pub confirm: Option<Confirm>,
    /// The last message for the status line (ja, en).
    pub message: Option<(String, String)>,
    /// Staff mode.
    pub staff: StaffState,
    /// Today in JST, for the deadline countdown (set by each tick).
    pub today: Option<chrono::NaiveDate>,
}

/// Everything that can happen.
#[derive(Clone, Debug)]
pub enum Msg {
    /// A key press.
    Key(KeyEvent),
    /// The periodic tick, with today's date (JST).
    Tick(chrono::NaiveDate),
    /// The terminal changed size (redraw).
    Resize,
    /// The case was read: `None` when there is no case.
    Loaded(Option<Result<Box<CaseData>, (String, String)>>),
    /// Disks were listed.
    Disks(Vec<Disk>),
    /// A job reported progress.
    Progress(Job),
    /// A job ended: (ja, en, succeeded).
    JobDone(String, String, bool),
    /// A one-off action ended with this message (ja, en).
    Done(String, String),
    /// An isolation command printed this.
    IsolationOutput(String),
    /// A report's text was read.
    Preview(String, String),
    /// A staff step (with its note) was recorded at this JST time (or failed: the error).
    StaffRecorded(String, Option<String>, Result<String, (String, String)>),
}

/// Side effects requested by `update`, carried out by the runtime.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cmd {
    /// Read the case again.
    Refresh,
    /// Read the case again if its custody log grew (another process may have worked on it).
    RefreshIfChanged,
    /// List disks and partitions.
    ListDisks,
    /// Start long work.
    Start(JobKind),
    /// Ask the running job to stop.
    Cancel,
    /// Record a playbook step checked off (`done`) or taken back, with a note.
    Check { playbook: String, step: String, done: bool, note: Option<String> },
    /// Write the network team's sheet for an endpoint.
    Sheet { endpoint: String },
    /// Run `shodo isolate <verb>` for an endpoint (`confirm`: the id to confirm with).
    Isolate { verb: &'static str, endpoint: String, mode: &'static str, level: &'static str, confirm: bool },
    /// Record a note about a playbook step without changing whether it is done.
    Note { playbook: String, step: String, text: String },
    /// Write the reports.
    WriteReports,
    /// Read a report for the preview.
    Preview(String),
    /// Record a staff step (with what was seen, for the note step).
    Staff { step: String, note: Option<String> },
}

impl StaffState {
    /// The procedure and its setting, going on after the steps `done` already (today).
    pub fn resume(
        playbook: Playbook,
        setting: Setting,
        done: Vec<(String, String)>,
        name: Option<String>,
    ) -> StaffState {
        let step =
            playbook.step.iter().position(|s| !done.iter().any(|(d, _)| *d == s.id)).unwrap_or(playbook.step.len());
        StaffState {
            playbook: Some(playbook),
            setting: Some(setting),
            step,
            confirmed: done,
            name,
            ..StaffState::default()
        }
    }
}

impl App {
    /// A fresh UI.
    pub fn new(lang: Lang, case_dir: Option<PathBuf>) -> App {
        let case = if case_dir.is_some() { CaseView::Loading } else { CaseView::NoCase };
        App {
            lang,
            case_dir,
            case,
            screen: Screen::Home,
            quit: false,
            disks: Vec::new(),
            source_path: None,
            sel: [0; 9],
            playbook: 0,
            job: None,
            sort: SortKey::default(),
            filter: String::new(),
            mode: 0,
            level: 0,
            isolation_output: None,
            preview: None,
            scroll: 0,
            input: None,
            confirm: None,
            message: None,
            staff: StaffState::default(),
            today: None,
        }
    }

    /// Staff mode only (`shodo staff`): the posted procedure and nothing else. `done` are the
    /// steps already confirmed today (a restart goes on from the first one not done); without a
    /// `name` the first thing asked is who is at the keyboard.
    pub fn staff_only(lang: Lang, case_dir: Option<PathBuf>, staff: StaffState) -> App {
        let mut app = App::new(lang, case_dir);
        app.screen = Screen::Staff;
        if staff.name.is_none() {
            app.input = Some(Input { purpose: InputFor::StaffName, text: String::new() });
        }
        app.staff = StaffState { only: true, ..staff };
        app
    }

    /// The loaded case data.
    pub fn data(&self) -> Option<&CaseData> {
        match &self.case {
            CaseView::Loaded(d) => Some(d),
            _ => None,
        }
    }

    /// The selected row of the current screen.
    pub fn selected(&self) -> usize {
        self.sel[self.screen.index()]
    }

    /// A job is running (not finished).
    pub fn running(&self) -> bool {
        self.job.as_ref().is_some_and(|j| j.done.is_none())
    }

    /// Says something on the status line.
    pub fn say(&mut self, ja: impl Into<String>, en: impl Into<String>) {
        self.message = Some((ja.into(), en.into()));
    }

    /// Switches screen, resetting the scroll.
    pub fn go(&mut self, screen: Screen) {
        self.screen = screen;
        self.scroll = 0;
        self.message = None;
    }

    /// Moves the current screen's selection by `delta` within `len` rows.
    pub fn move_sel(&mut self, delta: isize, len: usize) {
        let i = self.screen.index();
        let max = len.saturating_sub(1) as isize;
        self.sel[i] = (self.sel[i] as isize + delta).clamp(0, max.max(0)) as usize;
    }
}

/// Applies one message; pure apart from the returned command.
pub fn update(app: &mut App, msg: Msg) -> Option<Cmd> {
    match msg {
        Msg::Key(k) if k.kind != KeyEventKind::Release => on_key(app, k),
        Msg::Key(_) | Msg::Resize => None,
        Msg::Tick(today) => {
            app.today = Some(today);
            (app.case_dir.is_some() && app.screen == Screen::Home && !app.running()).then_some(Cmd::RefreshIfChanged)
        }
        Msg::Loaded(loaded) => {
            app.case = match loaded {
                None => CaseView::NoCase,
                Some(Ok(d)) => CaseView::Loaded(d),
                Some(Err((ja, en))) => CaseView::Failed { ja, en },
            };
            None
        }
        Msg::Disks(d) => {
            app.disks = d;
            None
        }
        Msg::Progress(p) => {
            let cancelling = app.job.as_ref().is_some_and(|j| j.cancelling);
            app.job = Some(Job { cancelling, ..p });
            None
        }
        Msg::JobDone(ja, en, ok) => {
            if let Some(j) = app.job.as_mut() {
                j.done = Some((ja.clone(), en.clone(), ok));
            }
            app.say(ja, en);
            app.case_dir.is_some().then_some(Cmd::Refresh)
        }
        Msg::Done(ja, en) => {
            app.say(ja, en);
            app.case_dir.is_some().then_some(Cmd::Refresh)
        }
        Msg::IsolationOutput(text) => {
            app.message = None;
            app.isolation_output = Some(text);
            app.scroll = 0;
            app.case_dir.is_some().then_some(Cmd::Refresh)
        }
        Msg::Preview(rel, text) => {
            app.preview = Some((rel, text));
            app.scroll = 0;
            None
        }
        Msg::StaffRecorded(step, note, result) => {
            match result {
                Ok(jst) => {
                    app.staff.confirmed.retain(|(s, _)| *s != step);
                    if let Some(n) = note.filter(|n| !n.is_empty()) {
                        app.staff.notes.push((step.clone(), n));
                    }
                    app.staff.confirmed.push((step, jst));
                    let len = app.staff.playbook.as_ref().map_or(0, |p| p.step.len());
                    app.staff.step = (app.staff.step + 1).min(len);
                }
                Err((ja, en)) => {
                    let (ja, en) = txt::CANNOT_RECORD.both(|lang| vec![("error", lang.pick(&ja, &en).to_string())]);
                    app.say(ja, en)
                }
            }
            None
        }
    }
}

fn on_key(app: &mut App, k: KeyEvent) -> Option<Cmd> {
    if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
        return quit(app);
    }
    if app.confirm.is_some() {
        return keys::confirm(app, k);
    }
    if app.input.is_some() {
        return keys::input(app, k);
    }
    if app.screen == Screen::Staff {
        return keys::staff(app, k);
    }
    match k.code {
        KeyCode::Char('q') => return quit(app),
        KeyCode::Char('l') | KeyCode::F(2) => app.lang = app.lang.other(),
        KeyCode::Tab => app.go(Screen::ALL[(app.screen.index() + 1) % Screen::ALL.len()]),
        KeyCode::BackTab => app.go(Screen::ALL[(app.screen.index() + Screen::ALL.len() - 1) % Screen::ALL.len()]),
        KeyCode::Char(c @ '1'..='9') => {
            let screen = Screen::ALL[(c as usize) - ('1' as usize)];
            app.go(screen);
            return match screen {
                Screen::Sources => Some(Cmd::ListDisks),
                Screen::Staff => staff_enter(app),
                _ => None,
            };
        }
        _ => return keys::screen(app, k),
    }
    None
}

/// Entering staff mode from the other screens: the runtime loads the procedure on first use.
fn staff_enter(app: &mut App) -> Option<Cmd> {
    app.staff.step = 0;
    None
}

/// `q` / Ctrl-C: leave, asking first while a job runs.
pub fn quit(app: &mut App) -> Option<Cmd> {
    if app.running() {
        app.confirm = Some(Confirm::QuitWhileRunning);
    } else if app.staff.only || app.screen != Screen::Staff {
        app.quit = true;
    } else {
        app.go(Screen::Home);
    }
    None
}

#[cfg(test)]
mod tests;
