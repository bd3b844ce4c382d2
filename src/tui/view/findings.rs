//! Findings: every endpoint's findings in one table, sorted and filtered, with a detail pane
//! (rule, evidence path, hash, why it matters).

use crate::tui::strings as txt;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Row, Table};

use super::super::app::{App, SortKey};
use super::super::data::{CaseData, FindingRow};
use super::{boxed, selected, severity_style, window_start};

/// The findings shown, in order: filtered by `app.filter` (any column), sorted by `app.sort`.
pub fn visible<'a>(app: &App, d: &'a CaseData) -> Vec<&'a FindingRow> {
    let needle = app.filter.to_lowercase();
    let mut rows: Vec<&FindingRow> = d
        .findings
        .iter()
        .filter(|r| {
            needle.is_empty()
                || [&r.endpoint, &r.severity, &r.kind, &r.title.0, &r.title.1, &r.path, &r.sha256]
                    .iter()
                    .any(|c| c.to_lowercase().contains(&needle))
        })
        .collect();
    let key = |r: &&FindingRow| match app.sort {
        SortKey::Severity => (r.rank().to_string(), r.endpoint.clone(), r.path.clone()),
        SortKey::Endpoint => (r.endpoint.clone(), r.rank().to_string(), r.path.clone()),
        SortKey::Kind => (r.kind.clone(), r.rank().to_string(), r.path.clone()),
        SortKey::Path => (r.path.clone(), r.endpoint.clone(), String::new()),
        // Undated findings after the dated ones.
        SortKey::Time => {
            (if r.time.is_empty() { "~".into() } else { r.time.clone() }, r.endpoint.clone(), r.path.clone())
        }
    };
    rows.sort_by_key(key);
    rows
}

pub fn view(app: &App, d: &CaseData, f: &mut Frame, area: Rect) {
    let lang = app.lang;
    let rows = visible(app, d);
    let detail_height = if area.height >= 30 { 10 } else { 7 };
    let [table, detail] = Layout::vertical([Constraint::Min(4), Constraint::Length(detail_height)]).areas(area);
    let height = table.height.saturating_sub(3) as usize;
    let sel = app.sel[3].min(rows.len().saturating_sub(1));
    let start = window_start(sel, height);
    let header =
        super::header(vec![txt::SEVERITY.get(lang), txt::ENDPOINT.get(lang), txt::WHAT.get(lang), txt::PATH.get(lang)]);
    let body = rows.iter().enumerate().skip(start).take(height).map(|(i, r)| {
        let row = Row::new(vec![
            severity_label(&r.severity, lang).to_string(),
            r.endpoint.clone(),
            lang.pick(&r.title.0, &r.title.1).to_string(),
            r.path.clone(),
        ])
        .style(severity_style(&r.severity));
        if i == sel { row.style(selected()) } else { row }
    });
    let title = txt::FINDINGS_TITLE.fill(
        lang,
        &[
            ("shown", &rows.len()),
            ("all", &d.findings.len()),
            ("sort", &app.sort.label(lang)),
            ("filter", &filter_note(app)),
        ],
    );
    let widths = [Constraint::Length(8), Constraint::Length(13), Constraint::Fill(3), Constraint::Fill(2)];
    f.render_widget(Table::new(body, widths).header(header).block(boxed(&title)), table);
    detail_pane(app, rows.get(sel).copied(), !app.filter.is_empty(), f, detail);
}

/// A severity in the reader's language.
pub fn severity_label(sev: &str, lang: shodo::Lang) -> &str {
    shodo::findings::Severity::parse(sev).map_or(sev, |s| s.label(lang))
}

fn filter_note(app: &App) -> String {
    if app.filter.is_empty() { String::new() } else { format!(" — {} \"{}\"", txt::FILTER.get(app.lang), app.filter) }
}

fn detail_pane(app: &App, row: Option<&FindingRow>, filtered: bool, f: &mut Frame, area: Rect) {
    let lang = app.lang;
    let block = boxed(txt::DETAIL.get(lang));
    let width = area.width.saturating_sub(2);
    let Some(r) = row else {
        let text = match filtered {
            true => txt::NO_FINDING_MATCHES_THE_FILTER_ESC.get(lang),
            false => txt::NO_FINDINGS_THEY_APPEAR_AFTER_SCAN.get(lang),
        };
        f.render_widget(super::wrapped(text.to_string(), width).block(block), area);
        return;
    };
    let label = |t: &str| Span::styled(t.to_string(), Style::default().add_modifier(Modifier::BOLD));
    let mut lines = vec![
        Line::from(vec![label(txt::WHAT_2.get(lang)), Span::raw(lang.pick(&r.title.0, &r.title.1).to_string())]),
        Line::from(vec![label(txt::EVIDENCE.get(lang)), Span::raw(format!("{}:{}", r.endpoint, r.path))]),
    ];
    if !r.sha256.is_empty() {
        lines.push(Line::from(vec![label("SHA-256: "), Span::raw(r.sha256.clone())]));
    }
    if !r.time.is_empty() {
        lines.push(Line::from(vec![
            label(txt::TIME_2.get(lang)),
            Span::raw(format!("{} JST", super::short_jst(&r.time))),
        ]));
    }
    let why = lang.pick(&r.why.0, &r.why.1);
    if why != lang.pick(&r.title.0, &r.title.1) {
        lines.push(Line::from(vec![label(txt::WHY.get(lang)), Span::raw(why.to_string())]));
    }
    f.render_widget(super::wrapped(lines, width).block(block), area);
}
