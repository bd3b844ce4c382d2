//! Keys per screen, for the pure update: each returns the side effect to run, if any.

use crate::tui::strings as txt;
use crossterm::event::{KeyCode, KeyEvent};
use shodo::playbook::Action;
use shodo::source::{Fs, RecoveryKey};

use super::app::{App, Cmd, Confirm, Input, InputFor, JobKind, LEVELS, MODES, Screen};
use super::view::findings::visible;

/// Keys while a yes/no question is open.
pub fn confirm(app: &mut App, k: KeyEvent) -> Option<Cmd> {
    let question = app.confirm.take()?;
    let yes = matches!(k.code, KeyCode::Char('y' | 'Y'));
    if !yes {
        return None;
    }
    match question {
        Confirm::CancelJob => {
            if let Some(j) = app.job.as_mut() {
                j.cancelling = true;
            }
            Some(Cmd::Cancel)
        }
        Confirm::QuitWhileRunning => {
            app.quit = true;
            Some(Cmd::Cancel)
        }
        Confirm::Uncheck { playbook, step } => Some(Cmd::Check { playbook, step, done: false, note: None }),
        Confirm::LeaveStaff => {
            app.quit = app.staff.only;
            app.go(super::app::Screen::Home);
            None
        }
    }
}

/// Keys while a line is typed: Enter takes it, Esc drops it.
pub fn input(app: &mut App, k: KeyEvent) -> Option<Cmd> {
    let mut line = app.input.take()?;
    match k.code {
        KeyCode::Esc => {
            if line.purpose == InputFor::Filter {
                app.filter.clear();
            }
            return None;
        }
        KeyCode::Enter => return submit(app, line),
        KeyCode::Backspace => {
            line.text.pop();
        }
        KeyCode::Char('u') if k.modifiers.contains(crossterm::event::KeyModifiers::CONTROL) => line.text.clear(),
        KeyCode::Char(c) => line.text.push(c),
        _ => {}
    }
    if line.purpose == InputFor::Filter {
        app.filter = line.text.clone();
        app.sel[3] = 0;
    }
    app.input = Some(line);
    None
}

fn submit(app: &mut App, line: Input) -> Option<Cmd> {
    let text = line.text.trim().to_string();
    match line.purpose {
        InputFor::SourcePath => {
            app.source_path = (!text.is_empty()).then_some(text);
            None
        }
        InputFor::Filter => {
            app.filter = text;
            None
        }
        InputFor::BackupSource if text.is_empty() => None,
        InputFor::BackupSource => {
            app.input = Some(Input { purpose: InputFor::BackupBaseline { source: text.into() }, text: String::new() });
            None
        }
        InputFor::BackupBaseline { source } => {
            start(app, JobKind::Backup { source, baseline: (!text.is_empty()).then(|| text.into()) })
        }
        InputFor::RecoveryKey { source } => match RecoveryKey::parse(&text) {
            Ok(key) => start(app, JobKind::Collect { source, key: Some(key) }),
            Err(e) => {
                let (ja, en) = txt::NOT_A_RECOVERY_KEY.both(|lang| vec![("error", e.message(lang))]);
                app.say(ja, en);
                None
            }
        },
        InputFor::ConfirmIsolation { endpoint, hostname, apply } => {
            if text.to_lowercase() != hostname.to_lowercase() {
                let (ja, en) =
                    txt::HOSTNAME_MISMATCH.both(|_| vec![("typed", text.clone()), ("expected", hostname.clone())]);
                app.say(ja, en);
                return None;
            }
            let verb = if apply { "apply" } else { "rollback" };
            Some(Cmd::Isolate { verb, endpoint, mode: MODES[app.mode], level: LEVELS[app.level], confirm: true })
        }
        InputFor::StepNote { playbook, step, check: true } => {
            Some(Cmd::Check { playbook, step, done: true, note: (!text.is_empty()).then_some(text) })
        }
        InputFor::StepNote { playbook, step, check: false } => {
            (!text.is_empty()).then_some(Cmd::Note { playbook, step, text })
        }
        InputFor::StaffNote { step } => Some(Cmd::Staff { step, note: Some(text) }),
        InputFor::StaffName => {
            app.staff.name = (!text.is_empty()).then_some(text);
            None
        }
    }
}

/// Keys of the screens other than staff mode.
pub fn screen(app: &mut App, k: KeyEvent) -> Option<Cmd> {
    match (app.screen, k.code) {
        (_, KeyCode::Char('r')) => app.case_dir.is_some().then_some(Cmd::Refresh),
        (_, KeyCode::PageDown) => {
            app.scroll = app.scroll.saturating_add(10).min(last_line(app));
            None
        }
        (_, KeyCode::PageUp) => {
            app.scroll = app.scroll.saturating_sub(10);
            None
        }
        (_, KeyCode::Char('x')) if app.running() => {
            app.confirm = Some(Confirm::CancelJob);
            None
        }
        (_, KeyCode::Up | KeyCode::Char('k')) => {
            let len = rows(app);
            app.move_sel(-1, len);
            None
        }
        (_, KeyCode::Down | KeyCode::Char('j')) => {
            let len = rows(app);
            app.move_sel(1, len);
            None
        }
        (Screen::Sources, _) => sources(app, k),
        (Screen::Jobs, _) => jobs(app, k),
        (Screen::Findings, _) => findings(app, k),
        (Screen::Isolation, _) => isolation(app, k),
        (Screen::Reports, _) => reports(app, k),
        (Screen::Playbook, _) => playbook(app, k),
        (Screen::Backups, KeyCode::Char('v')) => {
            app.input = Some(Input { purpose: InputFor::BackupSource, text: String::new() });
            None
        }
        (Screen::Home, KeyCode::Char('s')) => {
            app.go(Screen::Staff);
            app.staff.step = 0;
            None
        }
        _ => None,
    }
}

/// The last line the long text of the screen can be scrolled to.
fn last_line(app: &App) -> u16 {
    let text = match app.screen {
        Screen::Isolation => app.isolation_output.as_deref(),
        Screen::Reports => app.preview.as_ref().map(|(_, t)| t.as_str()),
        _ => None,
    };
    // Rows as drawn on the narrowest screen (80 columns, 78 inside the box): wider screens
    // need fewer, so the end is always reachable.
    let rows =
        |t: &str| -> usize { t.lines().map(|l| unicode_width::UnicodeWidthStr::width(l).div_ceil(78).max(1)).sum() };
    text.map_or(0, |t| rows(t).saturating_sub(1).min(u16::MAX as usize) as u16)
}

/// Rows of the current screen's list.
fn rows(app: &App) -> usize {
    let Some(d) = app.data() else {
        return if app.screen == Screen::Sources { source_rows(app).len() } else { 0 };
    };
    match app.screen {
        Screen::Sources => source_rows(app).len(),
        Screen::Jobs | Screen::Isolation => d.status.endpoints.len(),
        Screen::Findings => visible(app, d).len(),
        Screen::Reports => d.reports.len(),
        Screen::Playbook => d.playbooks.get(app.playbook).map_or(0, |p| p.playbook.step.len()),
        _ => 0,
    }
}

/// The sources offered: the typed path first, then every disk and partition.
pub fn source_rows(app: &App) -> Vec<std::path::PathBuf> {
    let mut out: Vec<std::path::PathBuf> = app.source_path.iter().map(Into::into).collect();
    for d in &app.disks {
        out.push(d.path.clone());
        out.extend(d.partitions.iter().map(|p| p.path.clone()));
    }
    out
}

fn no_case(app: &mut App) -> Option<Cmd> {
    app.say(txt::NO_CASE_OPEN.ja, txt::NO_CASE_OPEN.en);
    None
}

fn busy(app: &mut App) -> Option<Cmd> {
    app.say(txt::JOB_RUNNING.ja, txt::JOB_RUNNING.en);
    None
}

fn sources(app: &mut App, k: KeyEvent) -> Option<Cmd> {
    match k.code {
        KeyCode::Char('p') => {
            app.input =
                Some(Input { purpose: InputFor::SourcePath, text: app.source_path.clone().unwrap_or_default() });
            None
        }
        KeyCode::Char('d') => Some(Cmd::ListDisks),
        KeyCode::Enter | KeyCode::Char('c') => {
            let source = source_rows(app).get(app.selected()).cloned()?;
            if bitlocker(app, &source) {
                app.input = Some(Input { purpose: InputFor::RecoveryKey { source }, text: String::new() });
                return None;
            }
            start(app, JobKind::Collect { source, key: None })
        }
        _ => None,
    }
}

/// The source is a BitLocker volume (its recovery key is needed to read it).
fn bitlocker(app: &App, source: &std::path::Path) -> bool {
    app.disks.iter().flat_map(|d| &d.partitions).any(|p| p.path == source && p.fs == Some(Fs::BitLocker))
        || app.disks.iter().any(|d| d.path == source && d.fs == Some(Fs::BitLocker))
}

fn start(app: &mut App, job: JobKind) -> Option<Cmd> {
    if app.case_dir.is_none() {
        return no_case(app);
    }
    if app.running() {
        return busy(app);
    }
    app.go(Screen::Jobs);
    Some(Cmd::Start(job))
}

fn endpoint(app: &App) -> Option<String> {
    app.data().and_then(|d| d.status.endpoints.get(app.selected()).cloned())
}

fn jobs(app: &mut App, k: KeyEvent) -> Option<Cmd> {
    let job = |endpoint| match k.code {
        KeyCode::Char('s') => Some(JobKind::Scan { endpoint }),
        KeyCode::Char('a') => Some(JobKind::Analyze { endpoint }),
        _ => None,
    };
    let kind = endpoint(app).and_then(job)?;
    start(app, kind)
}

fn findings(app: &mut App, k: KeyEvent) -> Option<Cmd> {
    match k.code {
        KeyCode::Char('/') => {
            app.filter.clear();
            app.input = Some(Input { purpose: InputFor::Filter, text: String::new() });
        }
        KeyCode::Char('s') => {
            app.sort = app.sort.next();
            app.sel[3] = 0;
        }
        KeyCode::Esc => app.filter.clear(),
        _ => {}
    }
    None
}

fn isolation(app: &mut App, k: KeyEvent) -> Option<Cmd> {
    let endpoint = endpoint(app)?;
    let (mode, level) = (MODES[app.mode], LEVELS[app.level]);
    match k.code {
        KeyCode::Char('m') => app.mode = (app.mode + 1) % MODES.len(),
        KeyCode::Char('v') => app.level = (app.level + 1) % LEVELS.len(),
        KeyCode::Char('p') => return Some(Cmd::Isolate { verb: "plan", endpoint, mode, level, confirm: false }),
        KeyCode::Char('c') => return Some(Cmd::Isolate { verb: "verify", endpoint, mode, level, confirm: false }),
        KeyCode::Char('n') => return Some(Cmd::Sheet { endpoint }),
        KeyCode::Char('a' | 'b') => {
            let hostname = hostname(app, &endpoint);
            app.input = Some(Input {
                purpose: InputFor::ConfirmIsolation { endpoint, hostname, apply: k.code == KeyCode::Char('a') },
                text: String::new(),
            });
        }
        _ => {}
    }
    None
}

/// The endpoint's hostname as collected (its id when unknown): what the operator must type.
pub fn hostname(app: &App, endpoint: &str) -> String {
    app.data()
        .and_then(|d| d.incident.as_ref().ok())
        .and_then(|i| i.endpoints.iter().find(|e| e.id == endpoint))
        .and_then(|e| e.hostname.clone())
        .unwrap_or_else(|| endpoint.to_string())
}

fn reports(app: &mut App, k: KeyEvent) -> Option<Cmd> {
    match k.code {
        KeyCode::Char('g') => {
            if app.case_dir.is_none() {
                return no_case(app);
            }
            Some(Cmd::WriteReports)
        }
        KeyCode::Enter => {
            let rel = app.data().and_then(|d| d.reports.get(app.selected()).cloned())?;
            Some(Cmd::Preview(rel))
        }
        KeyCode::Esc => {
            app.preview = None;
            None
        }
        _ => None,
    }
}

fn playbook(app: &mut App, k: KeyEvent) -> Option<Cmd> {
    let count = app.data().map_or(0, |d| d.playbooks.len());
    match k.code {
        KeyCode::Left | KeyCode::Char('h') if count > 0 => {
            app.playbook = (app.playbook + count - 1) % count;
            app.sel[7] = 0;
            None
        }
        KeyCode::Right | KeyCode::Char('n') if count > 0 => {
            app.playbook = (app.playbook + 1) % count;
            app.sel[7] = 0;
            None
        }
        KeyCode::Char('g') => {
            let action = app.data()?.playbooks.get(app.playbook)?.playbook.step.get(app.selected())?.action?;
            go_to(app, action)
        }
        KeyCode::Char(' ') | KeyCode::Enter | KeyCode::Char('m') => {
            let d = app.data()?;
            let state = d.playbooks.get(app.playbook)?;
            let step = state.playbook.step.get(app.selected())?;
            let (playbook, id) = (state.playbook.id.clone(), step.id.clone());
            let done = state.checked.contains_key(&id);
            let note = k.code == KeyCode::Char('m');
            if note || (!done && step.action == Some(Action::Note)) {
                let purpose = InputFor::StepNote { playbook, step: id, check: !note };
                app.input = Some(Input { purpose, text: String::new() });
                return None;
            }
            if done {
                app.confirm = Some(Confirm::Uncheck { playbook, step: id });
                return None;
            }
            Some(Cmd::Check { playbook, step: id, done: true, note: None })
        }
        _ => None,
    }
}

/// Opens the screen where a step's shodo function is run.
fn go_to(app: &mut App, action: Action) -> Option<Cmd> {
    let screen = match action {
        Action::Sources | Action::Collect => Screen::Sources,
        Action::Scan | Action::Analyze => Screen::Jobs,
        Action::Isolate | Action::NetworkSheet => Screen::Isolation,
        Action::Backup => Screen::Backups,
        Action::Report => Screen::Reports,
        Action::Note | Action::Call => {
            let step = app.data()?.playbooks.get(app.playbook)?.playbook.step.get(app.selected())?.clone();
            if action == Action::Call {
                let contacts = app.staff.setting.as_ref().map(|s| s.contacts.clone()).unwrap_or_default();
                let numbers = |lang| {
                    step.call
                        .iter()
                        .filter_map(|r| contacts.iter().find(|c| c.role == *r))
                        .map(|c| format!("{}: {}", c.role.label(lang), shodo::case::contact_text(c, lang)))
                        .collect::<Vec<_>>()
                        .join(" / ")
                };
                app.say(numbers(shodo::Lang::Ja), numbers(shodo::Lang::En));
                return None;
            }
            let playbook = app.data()?.playbooks.get(app.playbook)?.playbook.id.clone();
            app.input = Some(Input {
                purpose: InputFor::StepNote { playbook, step: step.id, check: false },
                text: String::new(),
            });
            return None;
        }
    };
    app.go(screen);
    (screen == Screen::Sources).then_some(Cmd::ListDisks)
}

/// Staff mode: Enter confirms the step shown, ← goes back, l switches language.
pub fn staff(app: &mut App, k: KeyEvent) -> Option<Cmd> {
    let len = app.staff.playbook.as_ref().map_or(0, |p| p.step.len());
    match k.code {
        KeyCode::Char('l') | KeyCode::F(2) => app.lang = app.lang.other(),
        KeyCode::Char('q') if app.running() => return super::app::quit(app),
        KeyCode::Char('q') => app.confirm = Some(Confirm::LeaveStaff),
        KeyCode::Left | KeyCode::Backspace | KeyCode::Char('b') => app.staff.step = app.staff.step.saturating_sub(1),
        KeyCode::Right if app.staff.step < len => app.staff.step += 1,
        KeyCode::Enter | KeyCode::Char(' ') if app.staff.step < len => {
            let step = app.staff.playbook.as_ref()?.step.get(app.staff.step)?;
            if app.staff.confirmed.iter().any(|(s, _)| *s == step.id) {
                app.staff.step += 1;
                return None;
            }
            if step.action == Some(Action::Note) {
                app.input = Some(Input { purpose: InputFor::StaffNote { step: step.id.clone() }, text: String::new() });
                return None;
            }
            return Some(Cmd::Staff { step: step.id.clone(), note: None });
        }
        _ => {}
    }
    None
}
