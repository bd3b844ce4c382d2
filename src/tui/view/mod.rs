//! Pure rendering, one function per screen. Works at 80×24 and on a serial console: plain
//! borders, the eight basic colours only (readable on the Linux console), bold and reverse for
//! what matters, so that nothing depends on colour to be read.

mod backups;
pub mod findings;
mod home;
mod isolation;
mod jobs;
mod playbook;
mod reports;
mod sources;
mod staff;
mod wrap;

pub use wrap::wrapped;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use shodo::Lang;

use super::app::{App, CaseView, Confirm, InputFor, Screen};

/// Draws the whole screen.
pub fn view(app: &App, f: &mut Frame) {
    if app.screen == Screen::Staff {
        staff::view(app, f, f.area());
        overlays(app, f);
        return;
    }
    let [title, tabs, body, status, help] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(f.area());
    f.render_widget(title_bar(app), title);
    f.render_widget(tab_bar(app), tabs);
    match (&app.case, app.screen) {
        (_, Screen::Sources) => sources::view(app, f, body),
        (CaseView::Loaded(d), screen) => match screen {
            Screen::Home => home::view(app, d, f, body),
            Screen::Jobs => jobs::view(app, d, f, body),
            Screen::Findings => findings::view(app, d, f, body),
            Screen::Isolation => isolation::view(app, d, f, body),
            Screen::Backups => backups::view(app, d, f, body),
            Screen::Reports => reports::view(app, d, f, body),
            Screen::Playbook => playbook::view(app, d, f, body),
            Screen::Sources | Screen::Staff => {}
        },
        (other, _) => no_case(app, other, f, body),
    }
    f.render_widget(status_line(app), status);
    f.render_widget(help_line(app), help);
    overlays(app, f);
}

fn title_bar(app: &App) -> Paragraph<'static> {
    let mut text =
        app.lang.pick("shodo（初動）ランサムウェア初動対応", "shodo — ransomware first response").to_string();
    if let Some(d) = app.data() {
        text.push_str(&format!("  [{}]", d.status.id));
    }
    Paragraph::new(Line::from(Span::styled(text, Style::default().add_modifier(Modifier::BOLD))))
}

fn tab_bar(app: &App) -> Paragraph<'static> {
    let spans: Vec<Span> = Screen::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let text = format!("{}{} ", i + 1, s.label(app.lang));
            if *s == app.screen {
                Span::styled(text, Style::default().add_modifier(Modifier::REVERSED))
            } else {
                Span::raw(text)
            }
        })
        .collect();
    Paragraph::new(Line::from(spans))
}

fn status_line(app: &App) -> Paragraph<'static> {
    let text = match (&app.input, &app.message) {
        (Some(input), _) => format!("{}{}_", prompt(app.lang, &input.purpose), input.text),
        (None, Some((ja, en))) => app.lang.pick(ja, en).to_string(),
        (None, None) => String::new(),
    };
    Paragraph::new(Line::from(Span::styled(text, Style::default().fg(Color::Yellow).add_modifier(Modifier::BOLD))))
}

/// What the typed line is for.
pub fn prompt(lang: Lang, purpose: &InputFor) -> String {
    match purpose {
        InputFor::SourcePath => lang
            .pick("収集元のパス（ディスク・イメージ・フォルダー）: ", "source path (disk, image or folder): ")
            .into(),
        InputFor::RecoveryKey { source } => match lang {
            Lang::Ja => format!("{} の BitLocker 回復キー（48 桁）: ", source.display()),
            Lang::En => format!("BitLocker recovery key of {} (48 digits): ", source.display()),
        },
        InputFor::Filter => lang.pick("絞り込み: ", "filter: ").into(),
        InputFor::BackupSource => {
            lang.pick("検証するバックアップ媒体のパス: ", "path of the backup medium to verify: ").into()
        }
        InputFor::BackupBaseline { .. } => lang
            .pick("平時のベースライン（なければ空のまま Enter）: ", "its peacetime baseline (none: just Enter): ")
            .into(),
        InputFor::ConfirmIsolation { hostname, apply, .. } => match (lang, apply) {
            (Lang::Ja, true) => format!("隔離を適用します。確認のため端末名 {hostname} を入力: "),
            (Lang::Ja, false) => format!("隔離を解除します。確認のため端末名 {hostname} を入力: "),
            (Lang::En, true) => format!("Apply isolation: type the hostname {hostname} to confirm: "),
            (Lang::En, false) => format!("Roll back isolation: type the hostname {hostname} to confirm: "),
        },
        InputFor::StepNote { .. } => lang.pick("メモ（Enter で記録）: ", "note (Enter records it): ").into(),
        InputFor::StaffNote { .. } => lang.pick("見たこと・したこと: ", "what you saw and did: ").into(),
        InputFor::StaffName => lang
            .pick(
                "お名前（記録に残ります。空のまま Enter でも進めます）: ",
                "your name (recorded; Enter alone to go on): ",
            )
            .into(),
    }
}

fn help_line(app: &App) -> Paragraph<'static> {
    let lang = app.lang;
    let own = match app.screen {
        Screen::Home => lang.pick("1-9/Tab:画面 s:職員向け r:再読込", "1-9/Tab:screen s:staff r:reload"),
        Screen::Sources => lang.pick("↑↓ Enter:収集 p:パス入力 d:再検出", "↑↓ Enter:collect p:path d:rescan"),
        Screen::Jobs => lang.pick("↑↓ s:検査 a:解析 x:中止", "↑↓ s:scan a:analyze x:cancel"),
        Screen::Findings => lang.pick("↑↓ /:絞込 s:並替", "↑↓ /:filter s:sort"),
        Screen::Isolation => lang.pick(
            "m:方法 v:段階 p:計画 a:適用 c:確認 b:解除 n:依頼票",
            "m:mode v:level p:plan a:apply c:verify b:undo n:sheet",
        ),
        Screen::Backups => lang.pick("v:媒体を検証", "v:verify a medium"),
        Screen::Reports => lang.pick("g:作成 Enter:表示 PgDn", "g:generate Enter:preview PgDn"),
        Screen::Playbook => lang.pick("←→:手順書 Space:済 m:メモ g:実行", "←→:playbook Space:done m:note g:run"),
        Screen::Staff => "",
    };
    // The tab bar shows each screen's number; the keys to switch are said on Home.
    let common = lang.pick("q:終了 l:English", "q:quit l:日本語");
    let text = if own.is_empty() { common.to_string() } else { format!("{own}  {common}") };
    Paragraph::new(Line::from(Span::styled(text, Style::default().add_modifier(Modifier::REVERSED))))
}

fn no_case(app: &App, case: &CaseView, f: &mut Frame, area: Rect) {
    let lang = app.lang;
    let text = match case {
        CaseView::NoCase => lang
            .pick(
                "ケースが開かれていません。shodo --case DIR で開くか、shodo case init --case DIR で作成してください。職員向けの手順は 9 で開きます。",
                "No case is open. Open one with shodo --case DIR, or create one with shodo case init --case DIR. The staff procedure is on 9.",
            )
            .to_string(),
        CaseView::Loading => lang.pick("読み込み中…", "Loading…").to_string(),
        CaseView::Failed { ja, en } => {
            format!("{}{}", lang.pick("ケースを読めません: ", "Cannot read the case: "), lang.pick(ja, en))
        }
        CaseView::Loaded(_) => String::new(),
    };
    f.render_widget(wrapped(text, area.width.saturating_sub(2)).block(boxed(lang.pick(" ケース ", " Case "))), area);
}

fn overlays(app: &App, f: &mut Frame) {
    let Some(q) = &app.confirm else { return };
    let lang = app.lang;
    let text = match q {
        Confirm::CancelJob => lang.pick(
            "実行中の処理を中止しますか？ 済んだ分は記録に残り、もう一度実行すると続きから行います。 y: 中止する / その他: 続ける",
            "Cancel the running job? What is done stays recorded; running it again continues. y: cancel / any other key: go on",
        ),
        Confirm::QuitWhileRunning => lang.pick(
            "処理の実行中です。中止して終了しますか？ y: 中止して終了 / その他: 戻る",
            "A job is running. Cancel it and quit? y: cancel and quit / any other key: back",
        ),
        Confirm::Uncheck { .. } => lang.pick(
            "この手順の「済」を取り消しますか？ 取り消したことも記録に残ります。 y: 取り消す / その他: そのまま",
            "Take back this step's check? Taking it back is recorded too. y: take it back / any other key: keep it",
        ),
        Confirm::LeaveStaff => lang.pick(
            "この画面を終わりますか？ 記録した時刻は残ります。 y: 終わる / その他: 続ける",
            "Leave this screen? What was recorded stays. y: leave / any other key: stay",
        ),
    };
    let area = centered(f.area(), 60, 7);
    f.render_widget(Clear, area);
    f.render_widget(
        wrapped(text.to_string(), area.width.saturating_sub(2))
            .block(boxed(lang.pick(" 確認 ", " Confirm ")))
            .style(Style::default().add_modifier(Modifier::BOLD)),
        area,
    );
}

/// A block with plain borders and a title.
pub fn boxed(title: &str) -> Block<'static> {
    Block::default().borders(Borders::ALL).title(title.to_string())
}

/// A rectangle of at most `w`×`h` in the middle of `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

/// Style for a severity.
pub fn severity_style(sev: &str) -> Style {
    match sev {
        "critical" => Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
        "high" => Style::default().fg(Color::Red),
        "medium" => Style::default().fg(Color::Yellow),
        _ => Style::default(),
    }
}

/// A table's header row: bold, so that it reads without colour.
pub fn header(cells: Vec<&str>) -> ratatui::widgets::Row<'static> {
    let cells: Vec<String> = cells.into_iter().map(str::to_string).collect();
    ratatui::widgets::Row::new(cells).style(Style::default().add_modifier(Modifier::BOLD))
}

/// The selected row's style.
pub fn selected() -> Style {
    Style::default().add_modifier(Modifier::REVERSED)
}

/// An RFC 3339 time as JST for people: `2026-11-21 03:10`. Text that is no time stays as it is.
pub fn short_jst(t: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(t) {
        Ok(d) => d.with_timezone(&shodo::clock::jst()).format("%Y-%m-%d %H:%M").to_string(),
        Err(_) => t.to_string(),
    }
}

/// Bytes for people.
pub fn size(bytes: u64) -> String {
    shodo::progress::human_bytes(bytes)
}

/// Yes / no / unknown as a mark that reads without colour.
pub fn mark(v: Option<bool>, lang: Lang) -> &'static str {
    match v {
        Some(true) => lang.pick("○", "yes"),
        Some(false) => lang.pick("×", "NO"),
        None => lang.pick("－", "n/a"),
    }
}

/// The first index of a window of `height` rows that keeps `sel` visible.
pub fn window_start(sel: usize, height: usize) -> usize {
    if height == 0 { 0 } else { sel.saturating_sub(height - 1) }
}

#[cfg(test)]
mod tests;
