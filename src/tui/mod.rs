//! The terminal UI. Elm-style: [`app::App`] is plain data, [`app::update`] is pure and returns
//! side effects as [`app::Cmd`], [`view::view`] is pure. The runtime here owns the terminal, an
//! input thread and a tick thread that feed one channel; `ratatui::init` installs the panic
//! hook that restores the terminal.

mod app;
mod view;

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::Duration;

use crossterm::event::{self, Event};
use shodo::{Error, Lang, Result, case};

use app::{App, Cmd, Msg};

/// Opens the TUI on the case at `case_dir` (or with no case) until the user quits.
pub fn run(case_dir: Option<PathBuf>, lang: Lang) -> Result<()> {
    let mut app = App::new(lang, case_dir);
    let mut terminal = ratatui::init();
    let (tx, rx) = mpsc::channel();
    spawn_input(tx.clone());
    spawn_ticks(tx);
    execute(&mut app, Some(Cmd::Refresh));
    let result = event_loop(&mut terminal, &mut app, &rx);
    ratatui::restore();
    result
}

fn event_loop(terminal: &mut ratatui::DefaultTerminal, app: &mut App, rx: &Receiver<Msg>) -> Result<()> {
    while !app.quit {
        terminal.draw(|f| view::view(app, f)).map_err(Error::io("write", "terminal".as_ref()))?;
        let Ok(msg) = rx.recv() else { break };
        let cmd = app::update(app, msg);
        execute(app, cmd);
    }
    Ok(())
}

/// Carries out a side effect and feeds its result back as a message.
fn execute(app: &mut App, cmd: Option<Cmd>) {
    if let Some(Cmd::Refresh) = cmd {
        let loaded = app.case_dir.as_deref().map(case::status);
        app::update(app, Msg::Loaded(loaded.map(|r| r.map(Box::new).map_err(|e| (e.ja(), e.to_string())))));
    }
}

fn spawn_input(tx: Sender<Msg>) {
    thread::spawn(move || {
        while let Ok(ev) = event::read() {
            let msg = match ev {
                Event::Key(k) => Msg::Key(k),
                Event::Resize(..) => Msg::Resize,
                _ => continue,
            };
            if tx.send(msg).is_err() {
                break;
            }
        }
    });
}

fn spawn_ticks(tx: Sender<Msg>) {
    thread::spawn(move || {
        while tx.send(Msg::Tick).is_ok() {
            thread::sleep(Duration::from_secs(5));
        }
    });
}
