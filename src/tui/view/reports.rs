//! Reports: generate them, list the files, preview the text.

use crate::tui::strings as txt;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::super::app::App;
use super::super::data::CaseData;
use super::{boxed, selected, window_start};

pub fn view(app: &App, d: &CaseData, f: &mut Frame, area: Rect) {
    let lang = app.lang;
    let list_height = (d.reports.len() as u16 + 2).clamp(3, area.height / 2);
    let [list, preview] = Layout::vertical([Constraint::Length(list_height), Constraint::Min(3)]).areas(area);
    let height = list.height.saturating_sub(2) as usize;
    let start = window_start(app.sel[6], height);
    let lines: Vec<Line> = if d.reports.is_empty() {
        vec![Line::from(txt::NO_REPORTS_YET_PRESS_G_TO.get(lang))]
    } else {
        d.reports
            .iter()
            .enumerate()
            .skip(start)
            .take(height)
            .map(|(i, r)| {
                let path = r.clone();
                if i == app.sel[6] { Line::styled(path, selected()) } else { Line::from(path) }
            })
            .collect()
    };
    f.render_widget(
        Paragraph::new(lines).block(boxed(&format!(" {} {} ", txt::REPORTS.get(lang), d.status.dir))),
        list,
    );
    let (title, text) = match &app.preview {
        Some((rel, text)) => (format!(" {rel} "), text.clone()),
        None => (txt::PREVIEW.get(lang).to_string(), txt::SELECT_A_FILE_AND_PRESS_ENTER.get(lang).to_string()),
    };
    f.render_widget(
        super::wrapped(text, preview.width.saturating_sub(2)).scroll((app.scroll, 0)).block(boxed(&title)),
        preview,
    );
}
