//! Reports: generate them, list the files, preview the text.

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
        vec![Line::from(
            lang.pick("報告書はまだありません。g で作成します。", "No reports yet. Press g to write them."),
        )]
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
        Paragraph::new(lines).block(boxed(&format!(" {} {} ", lang.pick("報告書", "Reports"), d.status.dir))),
        list,
    );
    let (title, text) = match &app.preview {
        Some((rel, text)) => (format!(" {rel} "), text.clone()),
        None => (
            lang.pick(" 表示 ", " Preview ").to_string(),
            lang.pick(
                "一覧から選んで Enter で内容を表示します（PgUp/PgDn でスクロール）。",
                "Select a file and press Enter to read it here (PgUp/PgDn scroll).",
            )
            .to_string(),
        ),
    };
    f.render_widget(
        super::wrapped(text, preview.width.saturating_sub(2)).scroll((app.scroll, 0)).block(boxed(&title)),
        preview,
    );
}
