//! Playbook: the steps of one playbook with check-boxes; the selected step's text, the shodo
//! function it runs, what it expects, and who checked it off when (from the custody log).

use crate::tui::strings as txt;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::app::App;
use super::super::data::CaseData;
use super::{boxed, selected, window_start};

pub fn view(app: &App, d: &CaseData, f: &mut Frame, area: Rect) {
    let lang = app.lang;
    let Some(state) = d.playbooks.get(app.playbook) else { return };
    let pb = &state.playbook;
    let [list, detail] = Layout::vertical([
        Constraint::Min(4),
        Constraint::Length(if area.height >= 30 { 14 } else { area.height / 2 }),
    ])
    .areas(area);
    let height = list.height.saturating_sub(2) as usize;
    let sel = app.sel[7].min(pb.step.len().saturating_sub(1));
    let start = window_start(sel, height);
    let lines: Vec<Line> = pb
        .step
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .map(|(i, s)| {
            let done = state.checked.contains_key(&s.id);
            let text = format!(
                "{} {:>2}. {}  ({})",
                if done { "[x]" } else { "[ ]" },
                i + 1,
                s.title.pick(lang),
                s.who.label(lang)
            );
            let style = if i == sel {
                selected()
            } else if done {
                Style::default()
            } else {
                Style::default().add_modifier(Modifier::BOLD)
            };
            Line::styled(text, style)
        })
        .collect();
    let done = pb.step.iter().filter(|s| state.checked.contains_key(&s.id)).count();
    let title = format!(
        " {} [{}/{}] — {} {done}/{} ",
        pb.title.pick(lang),
        app.playbook + 1,
        d.playbooks.len(),
        txt::DONE.get(lang),
        pb.step.len()
    );
    f.render_widget(Paragraph::new(lines).block(boxed(&title)), list);
    let Some(step) = pb.step.get(sel) else { return };
    let bold = |t: &str| Span::styled(t.to_string(), Style::default().add_modifier(Modifier::BOLD));
    let mut text = vec![Line::from(step.body.pick(lang).to_string())];
    if let Some(a) = step.action {
        let call: Vec<&str> = step.call.iter().map(|r| r.label(lang)).collect();
        let extra = if call.is_empty() { String::new() } else { format!(": {}", call.join(", ")) };
        text.push(Line::from(vec![
            bold(txt::SHODO_FUNCTION.get(lang)),
            Span::raw(format!("{}{extra}", a.label(lang))),
        ]));
    }
    if let Some(e) = &step.expects {
        text.push(Line::from(vec![bold(txt::RECORD.get(lang)), Span::raw(e.pick(lang).to_string())]));
    }
    if let Some(c) = state.checked.get(&step.id) {
        text.push(Line::from(vec![
            bold(txt::DONE_2.get(lang)),
            Span::raw(format!("{} {} (#{})", super::home::short_time(&c.jst), c.actor, c.seq)),
        ]));
    }
    f.render_widget(
        super::wrapped(text, detail.width.saturating_sub(2)).block(boxed(&format!(" {} ", step.title.pick(lang)))),
        detail,
    );
}
