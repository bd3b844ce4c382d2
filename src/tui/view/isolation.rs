//! Isolation: each endpoint's standing, the chosen mode and level, and the output of the last
//! plan / apply / verify / rollback. A change needs the hostname typed (see `keys`).

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
        lang.pick("端末", "endpoint"),
        lang.pick("ホスト名", "hostname"),
        lang.pick("方法", "mode"),
        lang.pick("隔離中", "isolated"),
        lang.pick("確認", "verified"),
        lang.pick("最終操作", "last change"),
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
    let title = match lang {
        shodo::Lang::Ja => format!(" 隔離 — 方法: {}  段階: {} ", MODES[app.mode], LEVELS[app.level]),
        shodo::Lang::En => format!(" Isolation — mode: {}  level: {} ", MODES[app.mode], LEVELS[app.level]),
    };
    let widths = [
        Constraint::Min(14),
        Constraint::Min(12),
        Constraint::Length(16),
        Constraint::Length(7),
        Constraint::Length(8),
        Constraint::Min(12),
    ];
    f.render_widget(Table::new(rows, widths).header(header).block(boxed(&title)), list);
    let text = app.isolation_output.clone().unwrap_or_else(|| {
        lang.pick(
            "p で計画（何も変更しません）を表示。a で適用、b で解除 — どちらも端末名の入力で確認します。c で隔離が保たれているか確認。",
            "p shows the plan (changes nothing). a applies, b rolls back — both confirmed by typing the hostname. c checks the isolation still holds.",
        )
        .to_string()
    });
    f.render_widget(
        super::wrapped(text, output.width.saturating_sub(2))
            .scroll((app.scroll, 0))
            .block(boxed(lang.pick(" 計画・結果（PgUp/PgDn）", " Plan / result (PgUp/PgDn) "))),
        output,
    );
}
