//! What happens when the TUI itself fails: the terminal is given back (raw mode off, main
//! screen) before the panic message is printed, and the operator is told the case is safe —
//! every case write is atomic or an fsynced append — and how to check it.

use std::io::stdout;
use std::panic;

use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, enable_raw_mode};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{DefaultTerminal, Terminal, TerminalOptions, Viewport};
use shodo::{Error, Result};

/// The size assumed when the terminal does not say its own: a serial console reports 0×0 until
/// someone runs `stty rows … cols …`.
pub const FALLBACK: (u16, u16) = (80, 24);

/// Takes the terminal: the panic hook first, then raw mode and the alternate screen, then a
/// terminal of the reported size, or of [`FALLBACK`] when none is reported.
pub fn open() -> Result<DefaultTerminal> {
    install(ratatui::restore);
    let io = |e| Error::io("open", "terminal".as_ref())(e);
    enable_raw_mode().map_err(io)?;
    execute!(stdout(), EnterAlternateScreen).map_err(io)?;
    let viewport = match crossterm::terminal::size() {
        Ok((w, h)) if w > 0 && h > 0 => Viewport::Fullscreen,
        _ => Viewport::Fixed(Rect::new(0, 0, FALLBACK.0, FALLBACK.1)),
    };
    Terminal::with_options(CrosstermBackend::new(stdout()), TerminalOptions { viewport }).map_err(io)
}

/// Chains a panic hook that calls `restore`, then says what to do, then runs the previous hook.
pub fn install(restore: impl Fn() + Send + Sync + 'static) {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        restore();
        let text = super::strings::THE_SCREEN_STOPPED_ON_AN_INTERNAL_ERROR;
        eprintln!("{}\n{}", text.ja, text.en);
        previous(info);
    }));
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn a_panic_restores_the_terminal_before_anything_is_printed() {
        let restored = Arc::new(AtomicBool::new(false));
        let flag = restored.clone();
        super::install(move || flag.store(true, Ordering::SeqCst));
        let result = std::panic::catch_unwind(|| panic!("a bug in a view"));
        let _ = std::panic::take_hook();
        assert!(result.is_err());
        assert!(restored.load(Ordering::SeqCst), "the hook gave the terminal back");
    }
}
