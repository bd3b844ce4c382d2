//! Home: the case at a glance — endpoints examined, infected and isolated, the backups' verdict,
//! open playbook steps, and the PPC deadlines counted down from 覚知日時.

use crate::tui::strings as txt;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};
use shodo::Lang;
use shodo::report::model::EndpointFacts;

use super::super::app::App;
use super::super::data::CaseData;
use super::boxed;

/// An endpoint shows signs of the attack.
pub fn infected(e: &EndpointFacts) -> bool {
    e.signs().verdict() == shodo::findings::Verdict::Hit
}

pub fn view(app: &App, d: &CaseData, f: &mut Frame, area: Rect) {
    let lang = app.lang;
    let lines = summary(app, d);
    let height = lines.len() as u16 + 2;
    let [top, bottom] = Layout::vertical([Constraint::Length(height), Constraint::Min(3)]).areas(area);
    let width = lines.iter().map(|(l, _)| Line::from(l.as_str()).width()).max().unwrap_or(0) as u16 + 1;
    let rows = lines.into_iter().map(|(l, v)| Row::new(vec![Line::from(l), v]));
    f.render_widget(
        Table::new(rows, [Constraint::Length(width), Constraint::Min(10)])
            .block(boxed(txt::CASE_AT_A_GLANCE.get(lang))),
        top,
    );
    endpoints(app, d, f, bottom);
}

fn summary(app: &App, d: &CaseData) -> Vec<(String, Line<'static>)> {
    let lang = app.lang;
    let s = &d.status;
    let plain = |t: String| Line::from(t);
    let mut out = vec![
        (
            txt::HOSPITAL.get(lang).to_string(),
            plain(s.hospital.clone().unwrap_or_else(|| txt::NO_CONFIG.get(lang).into())),
        ),
        (
            txt::AWARE_AT.get(lang).to_string(),
            match s.aware_at {
                Some(t) => plain(t.format("%Y-%m-%d %H:%M JST").to_string()),
                None => warn(txt::NOT_SET_CASE_INIT_AWARE_AT.get(lang)),
            },
        ),
        (txt::ENDPOINTS.get(lang).to_string(), plain(endpoint_counts(d, lang))),
        (txt::BACKUPS.get(lang).to_string(), backups(d, lang)),
        (txt::PLAYBOOKS.get(lang).to_string(), plain(open_steps(d, lang))),
    ];
    out.extend(deadlines(app, d));
    if let Some(e) = &s.last_action {
        let what = format!("{} {} ({})", action_label(&e.action, lang), e.target, short_time(&e.jst));
        out.push((txt::LAST_ACTION.get(lang).to_string(), plain(what)));
    }
    if let Some(who) = &s.in_use_by {
        out.push((txt::IN_USE_BY.get(lang).to_string(), warn(who)));
    }
    out
}

fn warn(text: &str) -> Line<'static> {
    Line::from(Span::styled(text.to_string(), Style::default().add_modifier(Modifier::BOLD)))
}

/// A custody action for people (its id when it has no name here).
fn action_label(action: &str, lang: Lang) -> String {
    let what = match action.split('.').next().unwrap_or_default() {
        "case" => txt::ACTION_CASE,
        "collect" => txt::ACTION_COLLECT,
        "scan" => txt::ACTION_SCAN,
        "analyze" => txt::ACTION_ANALYZE,
        "isolate" => txt::ACTION_ISOLATE,
        "backup" => txt::ACTION_BACKUP,
        "report" => txt::ACTION_REPORT,
        "playbook" => txt::ACTION_PLAYBOOK,
        "note" => txt::ACTION_NOTE,
        _ => return action.to_string(),
    };
    let verb = match action.rsplit('.').next().unwrap_or_default() {
        "start" => txt::STARTED.get(lang),
        "finish" => txt::FINISHED.get(lang),
        "cancelled" => txt::CANCELLED.get(lang),
        "check" => txt::DONE.get(lang),
        "uncheck" => txt::TAKEN_BACK.get(lang),
        _ => "",
    };
    format!("{}{}{verb}", what.get(lang), if verb.is_empty() || lang == Lang::Ja { "" } else { " " })
}

/// `2026-11-21T03:10:00.000000+09:00` as `2026-11-21 03:10`.
pub fn short_time(t: &str) -> String {
    t.get(..16).map(|s| s.replace('T', " ")).unwrap_or_else(|| t.to_string())
}

fn endpoint_counts(d: &CaseData, lang: Lang) -> String {
    let Ok(i) = &d.incident else { return d.status.endpoints.len().to_string() };
    let infected = i.endpoints.iter().filter(|e| infected(e)).count();
    let isolated = i.endpoints.iter().filter(|e| e.isolated == Some(true)).count();
    txt::ENDPOINT_COUNTS
        .fill(lang, &[("examined", &i.endpoints.len()), ("infected", &infected), ("isolated", &isolated)])
}

fn backups(d: &CaseData, lang: Lang) -> Line<'static> {
    if d.backups.is_empty() {
        return warn(txt::NOT_VERIFIED_YET_SHODO_BACKUP_VERIFY.get(lang));
    }
    let parts: Vec<String> = d
        .backups
        .iter()
        .map(|b| match &b.last_clean {
            Some(g) => format!("{}: {}", b.medium, txt::LAST_CLEAN_HOME.fill(lang, &[("generation", g)])),
            None => format!("{}: {}", b.medium, txt::NO_CLEAN_GENERATION.get(lang)),
        })
        .collect();
    Line::from(parts.join(" / "))
}

fn open_steps(d: &CaseData, lang: Lang) -> String {
    let parts: Vec<String> = d
        .playbooks
        .iter()
        .filter(|p| p.playbook.audience == shodo::playbook::Audience::Responder)
        .map(|p| {
            let done = p.playbook.step.iter().filter(|s| p.checked.contains_key(&s.id)).count();
            format!("{} {done}/{}", short_title(&p.playbook.id, lang), p.playbook.step.len())
        })
        .collect();
    format!("{} {}", txt::DONE.get(lang), parts.join(", "))
}

fn short_title(id: &str, lang: Lang) -> &'static str {
    match id {
        "responder-ransomware" => txt::FIRST_RESP.get(lang),
        "backup" => txt::BACKUP.get(lang),
        "isolation" => txt::ISOLATION_2.get(lang),
        "recurrence-review" => txt::REVIEW.get(lang),
        _ => txt::OTHER.get(lang),
    }
}

fn deadlines(app: &App, d: &CaseData) -> Vec<(String, Line<'static>)> {
    let lang = app.lang;
    let (Some(dl), Some(today)) = (&d.status.deadlines, app.today) else { return Vec::new() };
    let left = |date: chrono::NaiveDate| (date - today).num_days();
    let count = |n: i64| match n {
        n if n < 0 => txt::DAYS_OVERDUE.fill(lang, &[("n", &-n)]),
        n => txt::DAYS_LEFT.fill(lang, &[("n", &n)]),
    };
    let (open, close) = txt::BRACKETS.get(lang).split_once('/').unwrap_or(("(", ")"));
    let sokuho = format!("{}〜{}{open}{}{close}", dl.ppc_sokuho_from, dl.ppc_sokuho_to, count(left(dl.ppc_sokuho_to)));
    let kakuho = format!("{}{open}{}{close}", dl.ppc_kakuho, count(left(dl.ppc_kakuho)));
    let style = |n: i64| {
        if n <= 1 { Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED) } else { Style::default() }
    };
    vec![
        (txt::PPC_PRELIM.get(lang).to_string(), Line::from(Span::styled(sokuho, style(left(dl.ppc_sokuho_to))))),
        (txt::PPC_FINAL.get(lang).to_string(), Line::from(Span::styled(kakuho, style(left(dl.ppc_kakuho))))),
    ]
}

fn endpoints(app: &App, d: &CaseData, f: &mut Frame, area: Rect) {
    let lang = app.lang;
    let block = boxed(txt::ENDPOINTS_2.get(lang));
    let Ok(i) = &d.incident else {
        let (ja, en) = d.incident.as_ref().err().cloned().unwrap_or_default();
        f.render_widget(Paragraph::new(lang.pick(&ja, &en).to_string()).block(block), area);
        return;
    };
    let header = super::header(vec![
        txt::ENDPOINT.get(lang),
        txt::ENCRYPTED.get(lang),
        txt::NOTES.get(lang),
        txt::CRIT_HIGH.get(lang),
        txt::ISOLATED.get(lang),
        txt::FAMILY.get(lang),
    ]);
    let rows = i.endpoints.iter().map(|e| {
        let sev = |k: &str| e.by_severity.get(k).copied().unwrap_or(0);
        let row = Row::new(vec![
            e.id.clone(),
            e.encrypted_files.to_string(),
            e.ransom_notes.to_string(),
            format!("{}/{}", sev("critical"), sev("high")),
            super::mark(e.isolated, lang).to_string(),
            e.families.join(","),
        ]);
        if infected(e) { row.style(Style::default().add_modifier(Modifier::BOLD)) } else { row }
    });
    let widths = [
        Constraint::Fill(2),
        Constraint::Length(9),
        Constraint::Length(7),
        Constraint::Length(9),
        Constraint::Length(8),
        Constraint::Fill(1),
    ];
    f.render_widget(Table::new(rows, widths).header(header).block(block), area);
}
