//! Isolation: each endpoint's standing, the chosen mode and level, and the output of the last
//! plan / apply / verify / rollback. A change needs the hostname typed (see `keys`).

use crate::tui::strings as txt;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Row, Table};

use super::super::app::{App, LEVELS, MODES};
use super::super::data::CaseData;
use super::{boxed, mark, selected, window_start};

pub fn view(app: &App, d: &CaseData, f: &mut Frame, area: Rect) {
    let lang = app.lang;
    let list_height = (d.status.endpoints.len() as u16 + 3).clamp(4, area.height / 2);
    let [list, output] = Layout::vertical([Constraint::Length(list_height), Constraint::Min(3)]).areas(area);
    let header = super::header(vec![
        txt::ENDPOINT.get(lang),
        txt::HOSTNAME.get(lang),
        txt::MODE.get(lang),
        txt::ISOLATED_2.get(lang),
        txt::VERIFIED.get(lang),
        txt::LAST_CHANGE.get(lang),
    ]);
    let height = list.height.saturating_sub(3) as usize;
    let start = window_start(app.sel[4], height);
    let rows = d.status.endpoints.iter().enumerate().skip(start).take(height).map(|(i, id)| {
        let l = d.ledger.iter().find(|l| l.endpoint == *id);
        let row = Row::new(vec![
            id.clone(),
            super::super::keys::hostname(app, id),
            l.map(|l| l.mode.clone()).unwrap_or_default(),
            mark(l.map(|l| l.isolated), lang).to_string(),
            mark(l.filter(|l| l.isolated).and_then(|l| l.verified), lang).to_string(),
            l.map(|l| format!("{} {}", super::short_jst(&l.utc), l.by)).unwrap_or_default(),
        ]);
        if i == app.sel[4] { row.style(selected()) } else { row }
    });
    let title = txt::ISOLATION_TITLE.fill(lang, &[("mode", &MODES[app.mode]), ("level", &LEVELS[app.level])]);
    let widths = [
        Constraint::Min(14),
        Constraint::Min(12),
        Constraint::Length(16),
        Constraint::Length(7),
        Constraint::Length(8),
        Constraint::Min(12),
    ];
    f.render_widget(Table::new(rows, widths).header(header).block(boxed(&title)), list);
    let text =
        app.isolation_output.clone().unwrap_or_else(|| txt::P_SHOWS_THE_PLAN_CHANGES_NOTHING.get(lang).to_string());
    f.render_widget(
        super::wrapped(text, output.width.saturating_sub(2))
            .scroll((app.scroll, 0))
            .block(boxed(txt::PLAN_RESULT_PGUP_PGDN.get(lang))),
        output,
    );
}
