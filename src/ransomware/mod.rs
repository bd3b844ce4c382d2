//! What ransomware leaves on a file system, judged file by file: whether a file was encrypted,
//! whether it is a ransom note (by name and by content), which family, and the contact points a
//! note gives. Used by the scan, by the backup check and by the report; knows no case.

pub mod encryption;
pub mod family;
pub mod iocs;
pub mod note_text;
pub mod notes;

use std::sync::OnceLock;

static HELD_OUT: OnceLock<String> = OnceLock::new();

/// Leaves one family's own knowledge out of this process (its entry in `families.toml`: names,
/// extensions, markers; the note names tied to it), to measure how a family nobody has seen is
/// found: the leave-one-family-out evaluation (`scan --hold-out`, `benches/eval-corpora.sh`).
/// Set before anything is judged; false when a family was already held out.
pub fn hold_out(family: &str) -> bool {
    HELD_OUT.set(key(family)).is_ok()
}

/// Whether one of a family's names is the held-out one.
pub(crate) fn held_out<'a>(mut names: impl Iterator<Item = &'a str>) -> bool {
    HELD_OUT.get().is_some_and(|held| names.any(|n| key(n) == *held))
}

/// A family name as compared: lower-case letters and digits only (`Black Basta` is `blackbasta`).
fn key(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}
