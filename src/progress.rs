//! Progress of long work, as a trait that knows no UI: the CLI draws a line on stderr, the TUI a
//! gauge. Reports items and bytes so both can show rate and ETA.

/// Receives progress from engine work. Implementations must be cheap: they are called per file.
pub trait Progress: Send + Sync {
    /// A phase starts, with its totals when known.
    fn start(&self, phase: &str, items: Option<u64>, bytes: Option<u64>);
    /// Work advanced by this many items and bytes.
    fn advance(&self, items: u64, bytes: u64);
    /// A per-item problem worth showing now (it is recorded elsewhere too).
    fn note(&self, text: &str);
    /// The phase ended.
    fn finish(&self);
    /// The operator asked to stop. Long work checks this between items: a collection records
    /// the files it did not take as skipped (`cancelled`, taken by the next run); a scan or an
    /// analysis stops without writing partial results.
    fn cancelled(&self) -> bool {
        false
    }
}

/// Progress that goes nowhere.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: &str, _: Option<u64>, _: Option<u64>) {}
    fn advance(&self, _: u64, _: u64) {}
    fn note(&self, _: &str) {}
    fn finish(&self) {}
}

/// Bytes for people, in binary units: `512 B`, `1.5 KiB`, `3.2 GiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 { format!("{bytes} B") } else { format!("{v:.1} {}", UNITS[u]) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn human_bytes_picks_the_unit() {
        assert_eq!(super::human_bytes(512), "512 B");
        assert_eq!(super::human_bytes(1536), "1.5 KiB");
        assert_eq!(super::human_bytes(3 << 30), "3.0 GiB");
    }
}
