//! Collect / Scan / Analyze: the running job with live progress (files, bytes, rate, ETA, the
//! latest problems), and the endpoints to scan or analyse next.

use crate::tui::strings as txt;
use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Gauge, Paragraph, Row, Table};
use shodo::Lang;

use super::super::app::{App, Job};
use super::super::data::CaseData;
use super::{boxed, selected, size, window_start};

pub fn view(app: &App, d: &CaseData, f: &mut Frame, area: Rect) {
    let [job, list] = Layout::vertical([Constraint::Length(9), Constraint::Min(3)]).areas(area);
    job_pane(app, f, job);
    endpoints(app, d, f, list);
}

fn job_pane(app: &App, f: &mut Frame, area: Rect) {
    let lang = app.lang;
    let block = boxed(txt::JOB.get(lang));
    let Some(j) = &app.job else {
        let hint = txt::NOTHING_RUNNING_COLLECT_FROM_THE_SOURCES.get(lang);
        f.render_widget(super::wrapped(hint.to_string(), area.width.saturating_sub(2)).block(block), area);
        return;
    };
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [head, result, gauge, numbers, notes] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner);
    let state = match (&j.done, j.cancelling) {
        (Some((ja, en, _)), _) => lang.pick(ja, en).to_string(),
        (None, true) => txt::CANCELLING.get(lang).to_string(),
        (None, false) => format!("{} {}", txt::RUNNING.get(lang), j.phase),
    };
    let bold = Style::default().add_modifier(Modifier::BOLD);
    f.render_widget(Paragraph::new(Line::from(j.label.clone())).style(bold), head);
    f.render_widget(super::wrapped(state, result.width).style(bold), result);
    f.render_widget(Gauge::default().ratio(j.ratio()).label(format!("{:.0}%", j.ratio() * 100.0)), gauge);
    f.render_widget(Paragraph::new(numbers_line(j, lang)), numbers);
    let lines: Vec<Line> = j.notes.iter().rev().take(notes.height as usize).map(|n| Line::from(n.clone())).collect();
    f.render_widget(Paragraph::new(lines), notes);
}

/// `120/450 files  1.2 GiB/3.4 GiB  45.0 MiB/s  ETA 0:51`.
pub fn numbers_line(j: &Job, lang: Lang) -> String {
    let total = |t: Option<u64>, f: &dyn Fn(u64) -> String| t.map(|t| format!("/{}", f(t))).unwrap_or_default();
    let mut parts = vec![
        format!("{}{} {}", j.items.0, total(j.items.1, &|n| n.to_string()), txt::FILES.get(lang)),
        format!("{}{}", size(j.bytes.0), total(j.bytes.1, &size)),
    ];
    parts.extend(j.rate().map(|r| format!("{}/s", size(r as u64))));
    parts.extend(j.eta().map(|e| format!("{} {}", txt::ETA.get(lang), clock(e))));
    parts.push(format!("{} {}", txt::ELAPSED.get(lang), clock(j.elapsed)));
    if j.problems > 0 {
        parts.push(format!("{} {}", txt::UNREADABLE.get(lang), j.problems));
    }
    parts.join("  ")
}

fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

fn endpoints(app: &App, d: &CaseData, f: &mut Frame, area: Rect) {
    let lang = app.lang;
    let facts = d.incident.as_ref().ok();
    let header = super::header(vec![
        txt::ENDPOINT.get(lang),
        txt::OS.get(lang),
        txt::COLLECTED.get(lang),
        txt::FINDINGS_2.get(lang),
    ]);
    let height = area.height.saturating_sub(3) as usize;
    let start = window_start(app.sel[2], height);
    let rows = d.status.endpoints.iter().enumerate().skip(start).take(height).map(|(i, id)| {
        let e = facts.and_then(|f| f.endpoints.iter().find(|e| e.id == *id));
        let findings = d.findings.iter().filter(|r| r.endpoint == *id).count();
        let row = Row::new(vec![
            id.clone(),
            e.and_then(|e| e.os.clone()).unwrap_or_default(),
            e.map_or(String::new(), |e| e.collected.to_string()),
            findings.to_string(),
        ]);
        if i == app.sel[2] { row.style(selected()) } else { row }
    });
    let widths = [Constraint::Fill(1), Constraint::Fill(2), Constraint::Length(9), Constraint::Length(9)];
    f.render_widget(
        Table::new(rows, widths).header(header).block(boxed(txt::ENDPOINTS_S_SCAN_A_ANALYZE.get(lang))),
        area,
    );
}
