//! Staff mode: the posted procedure (院内掲示) for staff who are not IT people — one step per
//! screen, short plain sentences with space around them, the numbers to call in bold, and
//! every confirmation shown with the time it was recorded.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use shodo::Lang;
use shodo::case::contact_text;
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
        n if n == count => lang.pick("おわり", "Done").to_string(),
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
            f.render_widget(Paragraph::new(step_lines(app, step)).wrap(Wrap { trim: true }).block(block), body)
        }
        None => f.render_widget(Paragraph::new(done_lines(app)).wrap(Wrap { trim: true }).block(block), body),
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
        let when = super::home::short_time(jst);
        lines.push(Line::from(Span::styled(format!("{} {when}", lang.pick("✔ 記録しました", "✔ recorded")), big)));
    }
    lines
}

/// The numbers of the step's contacts, from the hospital's config (shipped defaults said so).
fn numbers(app: &App, step: &Step) -> Vec<Line<'static>> {
    let lang = app.lang;
    let contacts = app.staff.setting.as_ref().map(|s| s.contacts.as_slice()).unwrap_or_default();
    step.call
        .iter()
        .map(|role| {
            let text = contacts.iter().find(|c| c.role == *role).map_or_else(
                || lang.pick("（連絡先が設定されていません）", "(no contact set)").to_string(),
                |c| contact_text(c, lang),
            );
            Line::from(Span::styled(
                format!("{}: {text}", role.label(lang)),
                Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED),
            ))
        })
        .collect()
}

fn done_lines(app: &App) -> Vec<Line<'static>> {
    let lang = app.lang;
    let mut lines = vec![
        Line::from(lang.pick(
            "すべての手順を確認しました。保守会社・責任者の指示を待ってください。",
            "Every step is confirmed. Wait for the vendor's and the person in charge's instructions.",
        )),
        Line::from(""),
    ];
    let titles = |id: &str| {
        app.staff.playbook.as_ref().and_then(|p| p.step(id)).map(|s| s.title.pick(lang).to_string()).unwrap_or_default()
    };
    lines.extend(
        app.staff
            .confirmed
            .iter()
            .map(|(id, jst)| Line::from(format!("{}  {}", super::home::short_time(jst), titles(id)))),
    );
    lines
}

fn keys_line(app: &App) -> String {
    let lang = app.lang;
    let other = match lang {
        Lang::Ja => "l: English",
        Lang::En => "l: 日本語",
    };
    let back = if app.staff.only { lang.pick("q: 終了", "q: quit") } else { lang.pick("q: 戻る", "q: back") };
    match lang {
        Lang::Ja => format!("Enter: できました（時刻を記録）  ←: 前へ  →: 次へ  {other}  {back}"),
        Lang::En => format!("Enter: done (time recorded)  ←: back  →: next  {other}  {back}"),
    }
}
