//! Backups: each verified medium's generations with their four flags, and the last clean one.

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
    let block = boxed(lang.pick(" バックアップの世代 ", " Backup generations "));
    if d.backups.is_empty() {
        let text = lang.pick(
            "検証したバックアップはありません。v で媒体のパスを入力すると読み取りのみで検証し（shodo backup verify 媒体 --case DIR と同じ）、ここに世代ごとの 4 つの判定と最後のクリーンな世代が出ます。",
            "No backup verified yet. Press v and give the medium's path to verify it read-only (as shodo backup verify MEDIUM --case DIR does); each generation's four flags and the last clean one appear here.",
        );
        f.render_widget(super::wrapped(text.to_string(), area.width.saturating_sub(2)).block(block), area);
        return;
    }
    let header = super::header(vec![
        lang.pick("媒体・世代", "medium / generation"),
        lang.pick("日時", "taken"),
        lang.pick("完全", "intact"),
        lang.pick("整合", "consistent"),
        lang.pick("未暗号", "unencr."),
        lang.pick("差分", "delta ok"),
        lang.pick("判定", "verdict"),
    ]);
    let mut rows = Vec::new();
    let mut verdicts = Vec::new();
    for b in &d.backups {
        let verdict = match (&b.last_clean, lang) {
            (Some(g), shodo::Lang::Ja) => format!("最後のクリーン世代: {g}"),
            (Some(g), shodo::Lang::En) => format!("last clean: {g}"),
            (None, shodo::Lang::Ja) => "クリーンな世代なし".into(),
            (None, shodo::Lang::En) => "no clean generation".into(),
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
                if g.clean { lang.pick("クリーン", "clean") } else { lang.pick("不可", "NOT clean") }.into(),
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
    verdicts.push(Line::from(lang.pick(
        "○ 合格 × 不合格 － 判断できない（完全性は平時のベースラインがあるときだけ判定）",
        "yes pass, NO fail, n/a cannot tell (INTACT needs a peacetime baseline)",
    )));
    let [top, table] = Layout::vertical([Constraint::Length(verdicts.len() as u16), Constraint::Min(3)]).areas(area);
    f.render_widget(Paragraph::new(verdicts), top);
    f.render_widget(Table::new(rows, widths).header(header).block(block), table);
}
