//! TUI state and the pure update function.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use shodo::Lang;
use shodo::case::Status;

/// What the case pane shows.
#[derive(Clone, Debug)]
pub enum CaseView {
    /// No `--case` was given.
    NoCase,
    /// Not read yet.
    Loading,
    /// The status of the case.
    Loaded(Box<Status>),
    /// Reading failed: the message in Japanese and English.
    Failed { ja: String, en: String },
}

/// The whole UI state: plain data.
#[derive(Clone, Debug)]
pub struct App {
    /// Display language.
    pub lang: Lang,
    /// The case shown.
    pub case_dir: Option<PathBuf>,
    /// What is known of it.
    pub case: CaseView,
    /// Set when the user asked to leave.
    pub quit: bool,
}

/// Everything that can happen.
#[derive(Clone, Debug)]
pub enum Msg {
    /// A key press.
    Key(KeyEvent),
    /// The periodic tick (re-read the case).
    Tick,
    /// The terminal changed size (redraw).
    Resize,
    /// The case was read: `None` when there is no case.
    Loaded(Option<Result<Box<Status>, (String, String)>>),
}

/// Side effects requested by `update`, carried out by the runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmd {
    /// Read the case status again.
    Refresh,
}

impl App {
    /// A fresh UI.
    pub fn new(lang: Lang, case_dir: Option<PathBuf>) -> App {
        let case = if case_dir.is_some() { CaseView::Loading } else { CaseView::NoCase };
        App { lang, case_dir, case, quit: false }
    }
}

/// Applies one message; pure apart from the returned command.
pub fn update(app: &mut App, msg: Msg) -> Option<Cmd> {
    match msg {
        Msg::Key(k) if k.kind != KeyEventKind::Release => on_key(app, k),
        Msg::Key(_) | Msg::Resize => None,
        Msg::Tick => app.case_dir.is_some().then_some(Cmd::Refresh),
        Msg::Loaded(loaded) => {
            app.case = match loaded {
                None => CaseView::NoCase,
                Some(Ok(s)) => CaseView::Loaded(s),
                Some(Err((ja, en))) => CaseView::Failed { ja, en },
            };
            None
        }
    }
}

fn on_key(app: &mut App, k: KeyEvent) -> Option<Cmd> {
    match k.code {
        KeyCode::Char('q') | KeyCode::Esc => app.quit = true,
        KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => app.quit = true,
        KeyCode::Char('l') | KeyCode::F(2) => app.lang = app.lang.other(),
        KeyCode::Char('r') => return app.case_dir.is_some().then_some(Cmd::Refresh),
        _ => {}
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> Msg {
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
    }

    #[test]
    fn l_toggles_language_both_ways() {
        let mut app = App::new(Lang::Ja, None);
        update(&mut app, key('l'));
        assert_eq!(app.lang, Lang::En);
        update(&mut app, key('l'));
        assert_eq!(app.lang, Lang::Ja);
    }

    #[test]
    fn q_quits() {
        let mut app = App::new(Lang::Ja, None);
        update(&mut app, key('q'));
        assert!(app.quit);
    }

    #[test]
    fn ctrl_c_quits() {
        let mut app = App::new(Lang::Ja, None);
        update(&mut app, Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)));
        assert!(app.quit);
    }

    #[test]
    fn tick_refreshes_only_with_a_case() {
        let mut none = App::new(Lang::Ja, None);
        assert_eq!(update(&mut none, Msg::Tick), None);
        let mut some = App::new(Lang::Ja, Some("/tmp/x".into()));
        assert_eq!(update(&mut some, Msg::Tick), Some(Cmd::Refresh));
    }

    #[test]
    fn failed_load_is_kept_in_both_languages() {
        let mut app = App::new(Lang::Ja, Some("/nope".into()));
        update(&mut app, Msg::Loaded(Some(Err(("読めません".into(), "unreadable".into())))));
        assert!(matches!(app.case, CaseView::Failed { .. }));
    }
}
