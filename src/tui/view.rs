//! Pure rendering: the case at a glance, a title bar and a help line. Works at 80×24 and on a
//! serial console: plain borders, no colour needed to read it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, Wrap};

use super::app::{App, CaseView};

/// Draws the whole screen.
pub fn view(app: &App, f: &mut Frame) {
    let [title, body, help] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(3), Constraint::Length(1)]).areas(f.area());
    f.render_widget(title_bar(app), title);
    case_pane(app, f, body);
    f.render_widget(help_line(app), help);
}

fn title_bar(app: &App) -> Paragraph<'static> {
    let text = app.lang.pick("shodo（初動）— ランサムウェア初動対応", "shodo — ransomware first response");
    Paragraph::new(Line::from(Span::styled(text, Style::default().add_modifier(Modifier::BOLD))))
}

fn help_line(app: &App) -> Paragraph<'static> {
    let text = app.lang.pick("q: 終了  l: English  r: 再読込", "q: quit  l: 日本語  r: reload");
    Paragraph::new(Line::from(Span::styled(text, Style::default().add_modifier(Modifier::REVERSED))))
}

fn case_pane(app: &App, f: &mut Frame, area: Rect) {
    let lang = app.lang;
    let block = Block::default().borders(Borders::ALL).title(lang.pick(" ケース概要 ", " Case summary "));
    match &app.case {
        CaseView::Loaded(status) => {
            let summary = status.summary(lang);
            let label_width = summary.iter().map(|(l, _)| Line::from(*l).width()).max().unwrap_or(0).min(20) as u16;
            let rows = summary.into_iter().map(|(label, value)| Row::new(vec![label.to_string(), value]));
            let table = Table::new(rows, [Constraint::Length(label_width), Constraint::Min(10)]).block(block);
            f.render_widget(table, area);
        }
        other => {
            let text = message(app, other);
            f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }).block(block), area);
        }
    }
}

fn message(app: &App, case: &CaseView) -> String {
    let lang = app.lang;
    match case {
        CaseView::NoCase => lang
            .pick(
                "ケースが開かれていません。shodo --case DIR で開くか、shodo case init --case DIR で作成してください。",
                "No case is open. Open one with shodo --case DIR, or create one with shodo case init --case DIR.",
            )
            .to_string(),
        CaseView::Loading => lang.pick("読み込み中…", "Loading…").to_string(),
        CaseView::Failed { ja, en } => {
            format!("{}{}", lang.pick("ケースを読めません: ", "Cannot read the case: "), lang.pick(ja, en))
        }
        CaseView::Loaded(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use shodo::Lang;
    use shodo::case::Status;

    use super::*;

    /// Renders at 80×24 and returns the screen as text, wide characters counted once.
    fn render(app: &App) -> String {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal.draw(|f| view(app, f)).unwrap();
        let buf = terminal.backend().buffer().clone();
        let mut out = String::new();
        for y in 0..buf.area.height {
            let mut skip = 0;
            for x in 0..buf.area.width {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let sym = buf[(x, y)].symbol();
                skip = unicode_width(sym).saturating_sub(1);
                out.push_str(sym);
            }
            out.push('\n');
        }
        out
    }

    fn unicode_width(s: &str) -> usize {
        unicode_width::UnicodeWidthStr::width(s)
    }

    fn status() -> Status {
        let dir = tempfile::tempdir().unwrap();
        let case = dir.path().join("case");
        let opts = shodo::case::InitOptions {
            dir: case.clone(),
            aware_at: Some(shodo::clock::parse_time("2026-11-21 03:10").unwrap()),
            examiners: vec!["山田 太郎".into()],
            ..Default::default()
        };
        shodo::case::init(&opts).unwrap();
        shodo::case::status(&case).unwrap()
    }

    #[test]
    fn no_case_screen_in_japanese_then_english() {
        let mut app = App::new(Lang::Ja, None);
        let screen = render(&app);
        assert!(screen.contains("ケースが開かれていません"), "{screen}");
        assert!(screen.contains("q: 終了"), "{screen}");
        app.lang = Lang::En;
        let screen = render(&app);
        assert!(screen.contains("No case is open"), "{screen}");
    }

    #[test]
    fn case_summary_fits_80_by_24_with_aligned_japanese() {
        let mut app = App::new(Lang::Ja, Some("x".into()));
        app.case = CaseView::Loaded(Box::new(status()));
        let screen = render(&app);
        let line = screen.lines().find(|l| l.contains("覚知日時")).unwrap();
        assert!(line.contains("2026-11-21 03:10:00 JST"), "{screen}");
        assert!(screen.contains("山田 太郎"), "{screen}");
        // Values start in the same column whatever the label's width.
        let col = |needle: &str| {
            let l = screen.lines().find(|l| l.contains(needle)).unwrap();
            let i = l.find(needle).unwrap();
            l[..i].chars().map(|c| unicode_width(&c.to_string())).sum::<usize>()
        };
        assert_eq!(col("2026-11-21 03:10:00 JST"), col("山田 太郎"));
    }
}
