//! The data bundled into the binary (`rules/…`) and the fixed patterns of the code never fail
//! silently. A command that judges evidence (scan, analyze, backup verify, demo, the TUI's
//! jobs) starts with [`crate::selftest::bundled_data`], so a broken data file stops the run with
//! its name and reason instead of leaving a detector empty; the tests run the same check and
//! compile every fixed pattern. What is loaded after that check cannot fail: [`loaded`] and
//! [`fixed`] stop the program with the reason if it does, never carry on without the data.

use regex::Regex;

use crate::error::Result;

/// A bundled data set, loaded once the check has passed. A failure here is a defect of this
/// build that the tests catch; it stops the program with the file's name and reason.
#[allow(clippy::panic)]
pub fn loaded<T>(data: Result<T>) -> T {
    data.unwrap_or_else(|e| panic!("bundled data does not load (shodo's tests check it): {e}"))
}

/// A pattern written in the code, compiled on first use. Every one is compiled by the check
/// and so by the tests: a broken one fails them, and stops this program loudly if a build
/// carries it anyway.
#[allow(clippy::panic)]
pub fn fixed(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("a fixed pattern of shodo does not compile: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    #[should_panic(expected = "does not compile")]
    fn a_broken_fixed_pattern_stops_loudly() {
        super::fixed("(unclosed");
    }
}
