//! Pure rendering, one function per screen. Works at 80×24 and on a serial console: plain
//! borders, the eight basic colours only (readable on the Linux console), bold and reverse for
//! what matters, so that nothing depends on colour to be read.

use crate::tui::strings as txt;

mod backups;
pub mod findings;
mod home;
mod isolation;
mod jobs;
mod playbook;
mod reports;
mod sources;
mod staff;
mod wrap;

pub use wrap::wrapped;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use shodo::Lang;

use super::app::{App, CaseView, Confirm, InputFor, Screen};

/// Draws the whole screen.
pub fn view(app: &App, f: &mut Frame) {
    if app.screen == Screen::Staff {
        staff::view(app, f, f.area());
        overlays(app, f);
        return;
    }
    let [title, tabs, body, status, help] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(f.area());
    f.render_widget(title_bar(app), title);
    f.render_widget(tab_bar(app), tabs);
    match (&app.case, app.screen) {
        (_, Screen::Sources) => sources::view(app, f, body),
        (CaseView::Loaded(d), screen) => match screen {
            Screen::Home => home::view(app, d, f, body),
            Screen::Jobs => jobs::view(app, d, f, body),
            Screen::Findings => findings::view(app, d, f, body),
            Screen::Isolation => isolation::view(app, d, f, body),
            Screen::Backups => backups::view(app, d, f, body),
            Screen::Reports => reports::view(app, d, f, body),
            Screen::Playbook => playbook::view(app, d, f, body),
            Screen::Sources | Screen::Staff => {}
        },
        (other, _) => no_case(app, other, f, body),
    }
    f.render_widget(status_line(app), status);
    f.render_widget(help_line(app), help);
    overlays(app, f);
}

fn title_bar(app: &App) -> Paragraph<'static> {
    let mut text = txt::SHODO_RANSOMWARE_FIRST_RESPONSE.get(app.lang).to_string();
    if let Some(d) = app.data() {
        text.push_str(&format!("  [{}]", d.status.id));
    }
    Paragraph::new(Line::from(Span::styled(text, Style::default().add_modifier(Modifier::BOLD))))
}

fn tab_bar(app: &App) -> Paragraph<'static> {
    let spans: Vec<Span> = Screen::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let text = format!("{}{} ", i + 1, s.label(app.lang));
            if *s == app.screen {
                Span::styled(text, Style::default().add_modifier(Modifier::REVERSED))
            } else {
                Span::raw(text)
            }
        })
        .collect();
    Paragraph::new(Line::from(spans))
}

fn status_line(app: &App) -> Paragraph<'static> {
    let text = match (&app.input, &app.message) {
        (Some(input), _) => format!("{}{}_", prompt(app.lang, &input.purpose), input.text),
        (None, Some((ja, en))) => app.lang.pick(ja, en).to_string(),
        (None, None) => String::new(),
    };
    Paragraph::new(Line::from(Span::styled(text, Style::default().fg(Color::Yellow).add_modifier(Modifier::BOLD))))
}

/// What the typed line is for.
pub fn prompt(lang: Lang, purpose: &InputFor) -> String {
    match purpose {
        InputFor::SourcePath => txt::SOURCE_PATH_DISK_IMAGE_OR_FOLDER.get(lang).into(),
        InputFor::RecoveryKey { source } => txt::RECOVERY_KEY_OF.fill(lang, &[("source", &source.display())]),
        InputFor::Filter => txt::FILTER_2.get(lang).into(),
        InputFor::BackupSource => txt::PATH_OF_THE_BACKUP_MEDIUM_TO.get(lang).into(),
        InputFor::BackupBaseline { .. } => txt::ITS_PEACETIME_BASELINE_NONE_JUST_ENTER.get(lang).into(),
        InputFor::ConfirmIsolation { hostname, apply, .. } => {
            let text = if *apply { txt::CONFIRM_APPLY } else { txt::CONFIRM_ROLLBACK };
            text.fill(lang, &[("hostname", hostname)])
        }
        InputFor::StepNote { .. } => txt::NOTE_ENTER_RECORDS_IT.get(lang).into(),
        InputFor::StaffNote { .. } => txt::WHAT_YOU_SAW_AND_DID.get(lang).into(),
        InputFor::StaffName => txt::YOUR_NAME_RECORDED_ENTER_ALONE_TO.get(lang).into(),
    }
}

fn help_line(app: &App) -> Paragraph<'static> {
    let lang = app.lang;
    let own = match app.screen {
        Screen::Home => txt::N1_9_TAB_SCREEN_S_STAFF.get(lang),
        Screen::Sources => txt::ENTER_COLLECT_P_PATH_D_RESCAN.get(lang),
        Screen::Jobs => txt::S_SCAN_A_ANALYZE_X_CANCEL.get(lang),
        Screen::Findings => txt::FILTER_S_SORT.get(lang),
        Screen::Isolation => txt::M_MODE_V_LEVEL_P_PLAN.get(lang),
        Screen::Backups => txt::V_VERIFY_A_MEDIUM.get(lang),
        Screen::Reports => txt::G_GENERATE_ENTER_PREVIEW_PGDN.get(lang),
        Screen::Playbook => txt::PLAYBOOK_SPACE_DONE_M_NOTE_G.get(lang),
        Screen::Staff => "",
    };
    // The tab bar shows each screen's number; the keys to switch are said on Home.
    let common = txt::Q_QUIT_L.fill(lang, &[("other", &txt::LANGUAGE_NAME.get(lang.other()))]);
    let text = if own.is_empty() { common.to_string() } else { format!("{own}  {common}") };
    Paragraph::new(Line::from(Span::styled(text, Style::default().add_modifier(Modifier::REVERSED))))
}

fn no_case(app: &App, case: &CaseView, f: &mut Frame, area: Rect) {
    let lang = app.lang;
    let text = match case {
        CaseView::NoCase => txt::NO_CASE_IS_OPEN_OPEN_ONE.get(lang).to_string(),
        CaseView::Loading => txt::LOADING.get(lang).to_string(),
        CaseView::Failed { ja, en } => {
            format!("{}{}", txt::CANNOT_READ_THE_CASE.get(lang), lang.pick(ja, en))
        }
        CaseView::Loaded(_) => String::new(),
    };
    f.render_widget(wrapped(text, area.width.saturating_sub(2)).block(boxed(txt::CASE.get(lang))), area);
}

fn overlays(app: &App, f: &mut Frame) {
    let Some(q) = &app.confirm else { return };
    let lang = app.lang;
    let text = match q {
        Confirm::CancelJob => txt::CANCEL_THE_RUNNING_JOB_WHAT_IS.get(lang),
        Confirm::QuitWhileRunning => txt::A_JOB_IS_RUNNING_CANCEL_IT.get(lang),
        Confirm::Uncheck { .. } => txt::TAKE_BACK_THIS_STEPS_CHECK_TAKING.get(lang),
        Confirm::LeaveStaff => txt::LEAVE_THIS_SCREEN_WHAT_WAS_RECORDED.get(lang),
    };
    let area = centered(f.area(), 60, 7);
    f.render_widget(Clear, area);
    f.render_widget(
        wrapped(text.to_string(), area.width.saturating_sub(2))
            .block(boxed(txt::CONFIRM.get(lang)))
            .style(Style::default().add_modifier(Modifier::BOLD)),
        area,
    );
}

/// A block with plain borders and a title.
pub fn boxed(title: &str) -> Block<'static> {
    Block::default().borders(Borders::ALL).title(title.to_string())
}

/// A rectangle of at most `w`×`h` in the middle of `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

/// Style for a severity.
pub fn severity_style(sev: &str) -> Style {
    match sev {
        "critical" => Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
        "high" => Style::default().fg(Color::Red),
        "medium" => Style::default().fg(Color::Yellow),
        _ => Style::default(),
    }
}

/// A table's header row: bold, so that it reads without colour.
pub fn header(cells: Vec<&str>) -> ratatui::widgets::Row<'static> {
    let cells: Vec<String> = cells.into_iter().map(str::to_string).collect();
    ratatui::widgets::Row::new(cells).style(Style::default().add_modifier(Modifier::BOLD))
}

/// The selected row's style.
pub fn selected() -> Style {
    Style::default().add_modifier(Modifier::REVERSED)
}

/// An RFC 3339 time as JST for people: `2026-11-21 03:10`. Text that is no time stays as it is.
pub fn short_jst(t: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(t) {
        Ok(d) => d.with_timezone(&shodo::clock::jst()).format("%Y-%m-%d %H:%M").to_string(),
        Err(_) => t.to_string(),
    }
}

/// Bytes for people.
pub fn size(bytes: u64) -> String {
    shodo::progress::human_bytes(bytes)
}

/// Yes / no / unknown as a mark that reads without colour.
pub fn mark(v: Option<bool>, lang: Lang) -> &'static str {
    match v {
        Some(true) => txt::YES.get(lang),
        Some(false) => txt::NO.get(lang),
        None => txt::N_A.get(lang),
    }
}

/// The first index of a window of `height` rows that keeps `sel` visible.
pub fn window_start(sel: usize, height: usize) -> usize {
    if height == 0 { 0 } else { sel.saturating_sub(height - 1) }
}

#[cfg(test)]
mod tests;
