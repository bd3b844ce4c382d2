//! Signs that a file was encrypted by ransomware, from the bytes already in memory for the scan:
//! entropy and chi-square over several windows (head, middle, tail — intermittent encryption
//! leaves some plaintext), the magic bytes the extension promises, and the extensions families
//! append (`rules/ransomware/extensions.txt`, data).

use std::collections::HashSet;
use std::sync::LazyLock;

use serde::Serialize;

const EXTENSIONS: &str = include_str!("../../rules/ransomware/extensions.txt");
/// Bytes per window.
const WINDOW: usize = 64 * 1024;
/// Extensions of plain-text formats.
const TEXT: [&str; 12] = ["txt", "csv", "log", "xml", "html", "htm", "json", "md", "ini", "cfg", "sql", "rtf"];
/// Smallest file judged by its statistics (fewer bytes say nothing).
const MIN_SIZE: usize = 4096;

/// The generic list and every family's extensions (`families.toml`).
static KNOWN: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let generic = EXTENSIONS.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'));
    generic.map(str::to_lowercase).chain(crate::ransomware::family::extensions()).collect()
});

/// Statistics of one window.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Window {
    /// Offset of the window.
    pub offset: u64,
    /// Shannon entropy, bits per byte.
    pub entropy: f64,
    /// Chi-square against uniform bytes (random data: about 255).
    pub chi_square: f64,
}

impl Window {
    /// Looks like ciphertext: near-maximal entropy and a flat byte histogram (compressed formats
    /// reach the entropy but not the flatness).
    pub fn random(&self) -> bool {
        self.entropy > 7.9 && self.chi_square < 400.0
    }
}

/// Why a file looks encrypted.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Assessment {
    /// Reasons, strongest first: `known_extension`, `magic_mismatch`, `random_content`,
    /// `random_in_text`, `family_marker`.
    pub reasons: Vec<&'static str>,
    /// The appended extension, when it is a known one.
    pub extension: Option<String>,
    /// The windows measured.
    pub windows: Vec<Window>,
    /// True when some windows look random and others do not (intermittent encryption).
    pub intermittent: bool,
    /// A family's marker found in the file's tail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
}

/// Judges `data` (the file's content) named `name`; `None` when nothing points to encryption.
pub fn assess(name: &str, data: &[u8]) -> Option<Assessment> {
    let lower = name.rsplit('/').next().unwrap_or(name).to_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e.to_string());
    let windows = windows(data);
    let random = windows.iter().filter(|w| w.random()).count();
    // A known extension counts when it was appended (`report.docx.lockbit`) or the content is
    // random somewhere: a text file that merely ends in `.play` is not a victim.
    let appended = lower.matches('.').count() >= 2 && !lower.starts_with('.');
    let known = ext.as_ref().filter(|e| KNOWN.contains(e.as_str()) && (appended || random > 0)).cloned();
    let mut reasons = Vec::new();
    if known.is_some() {
        reasons.push("known_extension");
    }
    let expected = ext.as_deref().and_then(magic_for);
    let mismatch = expected.is_some_and(|m| !data.starts_with(m)) && data.len() >= MIN_SIZE;
    if mismatch && windows.first().is_some_and(Window::random) {
        reasons.push("magic_mismatch");
    }
    if data.len() >= MIN_SIZE && random > 0 && expected.is_none() && !self_describing(data) && random == windows.len() {
        reasons.push("random_content");
    }
    // Text never looks random: one random window is intermittent encryption (the head only, say).
    if random > 0 && ext.as_deref().is_some_and(|e| TEXT.contains(&e)) && !reasons.contains(&"random_content") {
        reasons.push("random_in_text");
    }
    // A family's marker in the tail, where the rest of the file looks encrypted.
    let marker = (random > 0)
        .then(|| {
            crate::ransomware::family::marker_in(
                &data[data.len().saturating_sub(crate::ransomware::family::MARKER_TAIL)..],
            )
        })
        .flatten()
        .map(|(m, _)| m);
    if marker.is_some() {
        reasons.push("family_marker");
    }
    if reasons.is_empty() {
        return None;
    }
    let intermittent = random > 0 && random < windows.len();
    Some(Assessment { reasons, extension: known, windows, intermittent, marker })
}

/// Head, middle and tail windows (one window for small files).
pub fn windows(data: &[u8]) -> Vec<Window> {
    if data.is_empty() {
        return Vec::new();
    }
    let len = data.len();
    let mut offsets = vec![0usize];
    if len > 2 * WINDOW {
        offsets.push(len / 2 - WINDOW / 2);
    }
    if len > WINDOW {
        offsets.push(len - WINDOW);
    }
    offsets.into_iter().map(|o| stats(o as u64, &data[o..(o + WINDOW).min(len)])).collect()
}

fn stats(offset: u64, bytes: &[u8]) -> Window {
    let mut counts = [0u64; 256];
    bytes.iter().for_each(|&b| counts[b as usize] += 1);
    let n = bytes.len() as f64;
    let expected = n / 256.0;
    let (mut entropy, mut chi) = (0.0, 0.0);
    for &c in &counts {
        if c > 0 {
            let p = c as f64 / n;
            entropy -= p * p.log2();
        }
        chi += (c as f64 - expected).powi(2) / expected;
    }
    Window { offset, entropy, chi_square: chi }
}

/// The magic an extension promises (for formats with one).
fn magic_for(ext: &str) -> Option<&'static [u8]> {
    Some(match ext {
        "jpg" | "jpeg" => &[0xFF, 0xD8, 0xFF],
        "png" => b"\x89PNG",
        "gif" => b"GIF8",
        "pdf" => b"%PDF",
        "zip" | "docx" | "xlsx" | "pptx" | "odt" | "ods" | "jar" => b"PK\x03\x04",
        "doc" | "xls" | "ppt" | "msg" => &[0xD0, 0xCF, 0x11, 0xE0],
        "exe" | "dll" | "sys" => b"MZ",
        "sqlite" | "db" => b"SQLite format 3",
        "7z" => b"7z\xBC\xAF",
        "rar" => b"Rar!",
        "gz" | "tgz" => &[0x1F, 0x8B],
        "bmp" => b"BM",
        "evtx" => b"ElfFile",
        _ => return None,
    })
}

/// Formats whose content is random by design but announce themselves (compressed archives,
/// media): their magic is a reason not to call them encrypted.
fn self_describing(data: &[u8]) -> bool {
    const MAGICS: [&[u8]; 12] = [
        b"PK\x03\x04",
        &[0x1F, 0x8B],
        b"7z\xBC\xAF",
        b"Rar!",
        &[0xFF, 0xD8, 0xFF],
        b"\x89PNG",
        b"%PDF",
        b"\x28\xB5\x2F\xFD",
        b"BZh",
        &[0xFD, b'7', b'z', b'X', b'Z'],
        b"OggS",
        b"fLaC",
    ];
    MAGICS.iter().any(|m| data.starts_with(m)) || (data.len() > 8 && &data[4..8] == b"ftyp")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pseudo_random(n: usize, seed: u64) -> Vec<u8> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn statistics_tell_random_from_text() {
        let random = stats(0, &pseudo_random(WINDOW, 7));
        assert!(random.random(), "{random:?}");
        let text = stats(0, "議事録 meeting notes ".repeat(4000).as_bytes());
        assert!(!text.random(), "{text:?}");
    }

    #[test]
    fn known_extension_is_enough() {
        let a = assess("docs/report.docx.lockbit", b"anything").unwrap();
        assert_eq!(a.reasons, vec!["known_extension"]);
        assert_eq!(a.extension.as_deref(), Some("lockbit"));
        let family_only = assess("scan.pdf.vohuk", b"anything").unwrap();
        assert_eq!(family_only.extension.as_deref(), Some("vohuk"));
    }

    #[test]
    fn a_known_extension_on_plain_text_alone_is_not_enough() {
        assert_eq!(assess("setlist.play", "曲目 song list\n".repeat(500).as_bytes()), None);
        let random = assess("archive.play", &pseudo_random(8192, 5)).unwrap();
        assert_eq!(random.reasons[0], "known_extension");
    }

    #[test]
    fn a_family_marker_in_the_tail_of_an_encrypted_file() {
        let mut data = pseudo_random(100_000, 9);
        data.extend(b"HERMES");
        let a = assess("photo.jpg", &data).unwrap();
        assert!(a.reasons.contains(&"family_marker"), "{a:?}");
        assert_eq!(a.marker.as_deref(), Some("HERMES"));
        let text = "HERMES shipping note\n".repeat(400);
        assert_eq!(assess("letter.txt", text.as_bytes()), None, "plain text naming the marker is nothing");
    }

    #[test]
    fn zip_with_random_body_is_not_flagged() {
        let mut data = b"PK\x03\x04".to_vec();
        data.extend(pseudo_random(200_000, 3));
        assert_eq!(assess("archive.zip", &data), None);
        assert_eq!(assess("letter.docx", &data), None);
    }
}
