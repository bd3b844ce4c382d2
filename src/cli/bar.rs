//! A progress line on stderr for long work (collect, scan), drawn only when stderr is a terminal:
//! items, bytes, rate, and the time left when the totals are known.

use crate::cli::strings as txt;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use shodo::Lang;
use shodo::progress::Progress;

/// The progress line.
pub struct Bar {
    lang: Lang,
    tty: bool,
    state: Mutex<BarState>,
}

struct BarState {
    phase: String,
    items: u64,
    bytes: u64,
    total_items: Option<u64>,
    total_bytes: Option<u64>,
    started: Instant,
    drawn: Instant,
}

impl Bar {
    /// A bar in this language, drawn when stderr is a terminal.
    pub fn new(lang: Lang) -> Bar {
        let now = Instant::now();
        let state = BarState {
            phase: String::new(),
            items: 0,
            bytes: 0,
            total_items: None,
            total_bytes: None,
            started: now,
            drawn: now,
        };
        Bar { lang, tty: std::io::stderr().is_terminal(), state: Mutex::new(state) }
    }

    fn draw(&self, s: &BarState) {
        eprint!("\r{}   ", line(self.lang, s));
    }
}

fn line(lang: Lang, s: &BarState) -> String {
    let secs = s.started.elapsed().as_secs_f64().max(0.001);
    let rate = s.bytes as f64 / secs;
    let mib = |b: u64| b as f64 / 1048576.0;
    let files = txt::FILES.get(lang);
    let items = match s.total_items {
        Some(t) => format!("{}/{t} {files}", s.items),
        None => format!("{} {files}", s.items),
    };
    let bytes = match s.total_bytes {
        Some(t) => format!("{:.1}/{:.1} MiB", mib(s.bytes), mib(t)),
        None => format!("{:.1} MiB", mib(s.bytes)),
    };
    let eta = match s.total_bytes {
        Some(t) if rate > 0.0 => {
            format!("  {} {:.0}s", txt::ETA.get(lang), t.saturating_sub(s.bytes) as f64 / rate)
        }
        _ => String::new(),
    };
    format!("{} {items}  {bytes}  {:.1} MiB/s{eta}", s.phase, rate / 1048576.0)
}

impl Progress for Bar {
    fn start(&self, phase: &str, items: Option<u64>, bytes: Option<u64>) {
        if let Ok(mut s) = self.state.lock() {
            s.phase = phase.to_string();
            s.items = 0;
            s.bytes = 0;
            s.total_items = items;
            s.total_bytes = bytes;
            s.started = Instant::now();
        }
    }

    fn advance(&self, items: u64, bytes: u64) {
        let Ok(mut s) = self.state.lock() else { return };
        s.items += items;
        s.bytes += bytes;
        if self.tty && s.drawn.elapsed() > Duration::from_millis(200) {
            s.drawn = Instant::now();
            self.draw(&s);
        }
    }

    fn note(&self, text: &str) {
        if self.tty {
            eprintln!("\r{text}");
        }
    }

    fn finish(&self) {
        if let (true, Ok(s)) = (self.tty, self.state.lock()) {
            self.draw(&s);
            eprintln!();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(items: u64, bytes: u64, total: Option<(u64, u64)>) -> BarState {
        let now = Instant::now();
        BarState {
            phase: "scan".into(),
            items,
            bytes,
            total_items: total.map(|t| t.0),
            total_bytes: total.map(|t| t.1),
            started: now,
            drawn: now,
        }
    }

    #[test]
    fn known_totals_show_the_time_left_unknown_do_not() {
        let known = line(Lang::En, &state(3, 1 << 20, Some((10, 4 << 20))));
        assert!(known.starts_with("scan 3/10 files  1.0/4.0 MiB"), "{known}");
        assert!(known.contains("ETA"), "{known}");
        let open = line(Lang::Ja, &state(3, 1 << 20, None));
        assert!(open.starts_with("scan 3 件  1.0 MiB"), "{open}");
        assert!(!open.contains("残り"), "{open}");
    }
}
