//! Staff mode: the posted procedure (院内掲示) for staff who are not IT people — one step per
//! screen, short plain sentences with space around them, the numbers to call in bold, and
//! every confirmation shown with the time it was recorded.

use crate::tui::strings as txt;
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use shodo::config::Origin;
use shodo::playbook::{Action, Step};

use super::super::app::App;

pub fn view(app: &App, f: &mut Frame, area: Rect) {
    let lang = app.lang;
    let Some(pb) = &app.staff.playbook else { return };
    let [head, body, foot, status] =
        Layout::vertical([Constraint::Length(2), Constraint::Min(6), Constraint::Length(2), Constraint::Length(1)])
            .areas(area);
    let count = pb.step.len();
    let heading = match app.staff.step.min(count) {
        n if n == count => txt::DONE_3.get(lang).to_string(),
        n => format!("{}  {} / {count}", pb.title.pick(lang), n + 1),
    };
    f.render_widget(
        Paragraph::new(Line::from(Span::styled(heading, Style::default().add_modifier(Modifier::BOLD))))
            .alignment(Alignment::Center),
        head,
    );
    let block = Block::default().borders(Borders::ALL);
    match pb.step.get(app.staff.step) {
        Some(step) => {
            f.render_widget(super::wrapped(step_lines(app, step), body.width.saturating_sub(2)).block(block), body)
        }
        None => f.render_widget(super::wrapped(done_lines(app), body.width.saturating_sub(2)).block(block), body),
    }
    f.render_widget(
        Paragraph::new(keys_line(app))
            .alignment(Alignment::Center)
            .style(Style::default().add_modifier(Modifier::REVERSED)),
        foot,
    );
    let text = match (&app.input, &app.message) {
        (Some(input), _) => format!("{}{}_", super::prompt(lang, &input.purpose), input.text),
        (None, Some((ja, en))) => lang.pick(ja, en).to_string(),
        (None, None) => String::new(),
    };
    f.render_widget(Paragraph::new(text).style(Style::default().add_modifier(Modifier::BOLD)), status);
}

fn step_lines(app: &App, step: &Step) -> Vec<Line<'static>> {
    let lang = app.lang;
    let big = Style::default().add_modifier(Modifier::BOLD);
    let mut lines = vec![
        Line::from(""),
        Line::from(Span::styled(step.title.pick(lang).to_string(), big.add_modifier(Modifier::UNDERLINED)))
            .alignment(Alignment::Center),
        Line::from(""),
        Line::from(step.body.pick(lang).to_string()),
        Line::from(""),
    ];
    if step.action == Some(Action::Call) {
        lines.extend(numbers(app, step));
    }
    if let Some((_, jst)) = app.staff.confirmed.iter().find(|(s, _)| *s == step.id) {
        let when = super::short_jst(jst);
        lines.push(Line::from(Span::styled(format!("{} {when}", txt::RECORDED.get(lang)), big)));
    }
    for (_, note) in app.staff.notes.iter().filter(|(s, _)| *s == step.id) {
        lines.push(Line::from(format!("{} {note}", txt::NOTE.get(lang))));
    }
    lines.push(Line::from(""));
    lines.extend(in_charge(app));
    lines
}

/// The numbers of the step's contacts, from the hospital's config (shipped defaults said so).
/// The numbers of the step's contacts, from the hospital's config: the hours with them (a desk
/// closed at night says so), a shipped default marked as such, and a number nobody filled in
/// said plainly, with what to do instead.
fn numbers(app: &App, step: &Step) -> Vec<Line<'static>> {
    let lang = app.lang;
    let contacts = app.staff.setting.as_ref().map(|s| s.contacts.as_slice()).unwrap_or_default();
    let strong = Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED);
    let mut out = Vec::new();
    for role in &step.call {
        let c = contacts.iter().find(|c| c.role == *role).and_then(|c| c.contact.as_ref().map(|k| (c, k)));
        let Some((c, k)) = c.filter(|(_, k)| k.phone.is_some()) else {
            let missing = txt::NO_NUMBER_IS_SET_TELL_THE.get(lang);
            out.push(Line::from(Span::styled(format!("{}: {missing}", role.label(lang)), strong)));
            continue;
        };
        let phone = k.phone.as_ref().map(|p| p.to_string()).unwrap_or_default();
        out.push(Line::from(Span::styled(format!("{}: {phone}", role.label(lang)), strong)));
        let mut detail = vec![k.name.clone()];
        detail.extend(k.person.clone());
        detail.extend(k.hours.clone());
        if !matches!(c.origin, Origin::Configured) {
            detail.push(txt::SHIPPED_DEFAULT_NOT_CONFIRMED_BY_THE.get(lang).into());
        }
        out.push(Line::from(detail.join(" ")));
    }
    out
}

/// Whom to tell in the hospital, from its config.
fn in_charge(app: &App) -> Vec<Line<'static>> {
    let lang = app.lang;
    let Some(s) = &app.staff.setting else { return Vec::new() };
    let mut parts = Vec::new();
    parts.extend(s.officer.as_ref().map(|o| format!("{} {o}", txt::SECURITY_OFFICER.get(lang))));
    parts.extend(s.phone.as_ref().map(|p| format!("{} {p}", txt::HOSPITAL_2.get(lang))));
    if parts.is_empty() { Vec::new() } else { vec![Line::from(parts.join("  "))] }
}

fn done_lines(app: &App) -> Vec<Line<'static>> {
    let lang = app.lang;
    let mut lines = vec![Line::from(txt::EVERY_STEP_IS_CONFIRMED_WAIT_FOR.get(lang)), Line::from("")];
    let titles = |id: &str| {
        app.staff.playbook.as_ref().and_then(|p| p.step(id)).map(|s| s.title.pick(lang).to_string()).unwrap_or_default()
    };
    for (id, jst) in &app.staff.confirmed {
        lines.push(Line::from(format!("{}  {}", super::short_jst(jst), titles(id))));
        lines.extend(app.staff.notes.iter().filter(|(s, _)| s == id).map(|(_, n)| Line::from(format!("    {n}"))));
    }
    lines
}

fn keys_line(app: &App) -> String {
    let lang = app.lang;
    let other = format!("l: {}", txt::LANGUAGE_NAME.get(lang.other()));
    let back = if app.staff.only { txt::Q_QUIT.get(lang) } else { txt::Q_BACK.get(lang) };
    let len = app.staff.playbook.as_ref().map_or(0, |p| p.step.len());
    let done = app
        .staff
        .playbook
        .as_ref()
        .and_then(|p| p.step.get(app.staff.step))
        .is_some_and(|s| app.staff.confirmed.iter().any(|(d, _)| *d == s.id));
    let keys = match (app.staff.step >= len, done) {
        (true, _) => txt::STAFF_KEYS_AT_END,
        (false, true) => txt::STAFF_KEYS_RECORDED,
        (false, false) => txt::STAFF_KEYS_OPEN,
    };
    keys.fill(lang, &[("other", &other), ("back", &back)])
}
