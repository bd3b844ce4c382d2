//! Backups: each verified medium's generations with their four flags, and the last clean one.

use crate::tui::strings as txt;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Row, Table};

use super::super::app::App;
use super::super::data::CaseData;
use super::{boxed, mark};

pub fn view(app: &App, d: &CaseData, f: &mut Frame, area: Rect) {
    let lang = app.lang;
    let block = boxed(txt::BACKUP_GENERATIONS.get(lang));
    if d.backups.is_empty() {
        let text = txt::NO_BACKUP_VERIFIED_YET_PRESS_V.get(lang);
        f.render_widget(super::wrapped(text.to_string(), area.width.saturating_sub(2)).block(block), area);
        return;
    }
    let header = super::header(vec![
        txt::MEDIUM_GENERATION.get(lang),
        txt::TAKEN.get(lang),
        txt::INTACT.get(lang),
        txt::CONSISTENT.get(lang),
        txt::UNENCR.get(lang),
        txt::DELTA_OK.get(lang),
        txt::VERDICT.get(lang),
    ]);
    let mut rows = Vec::new();
    let mut verdicts = Vec::new();
    for b in &d.backups {
        let verdict = match &b.last_clean {
            Some(g) => txt::LAST_CLEAN.fill(lang, &[("generation", g)]),
            None => txt::NO_CLEAN_GENERATION.get(lang).into(),
        };
        let bold = Style::default().add_modifier(Modifier::BOLD);
        rows.push(Row::new(vec![Line::from(b.medium.clone())]).style(bold));
        verdicts.push(Line::styled(format!("{} — {verdict}", b.medium), bold));
        for g in &b.generations {
            let last = b.last_clean.as_deref() == Some(g.name.as_str());
            let row = Row::new(vec![
                format!("  {}{}", g.name, if last { " ★" } else { "" }),
                super::home::short_time(&g.time),
                mark(g.flags[0], lang).into(),
                mark(g.flags[1], lang).into(),
                mark(g.flags[2], lang).into(),
                mark(g.flags[3], lang).into(),
                if g.clean { txt::CLEAN.get(lang) } else { txt::NOT_CLEAN.get(lang) }.into(),
            ]);
            rows.push(if g.clean { row } else { row.style(Style::default().add_modifier(Modifier::BOLD)) });
        }
    }
    let widths = [
        Constraint::Min(16),
        Constraint::Length(16),
        Constraint::Length(6),
        Constraint::Length(10),
        Constraint::Length(7),
        Constraint::Length(8),
        Constraint::Length(9),
    ];
    verdicts.push(Line::from(txt::YES_PASS_NO_FAIL_N_A.get(lang)));
    let [top, table] = Layout::vertical([Constraint::Length(verdicts.len() as u16), Constraint::Min(3)]).areas(area);
    f.render_widget(Paragraph::new(verdicts), top);
    f.render_widget(Table::new(rows, widths).header(header).block(block), table);
}
