//! Signs that a file was encrypted by ransomware, from the bytes already in memory for the scan:
//! the format its name promises and the content has lost (`rules/formats/signatures.toml`, data:
//! a `report.docx.<anything>` that is no zip, which needs no list of ransomware extensions),
//! entropy and chi-square over several windows (head, middle, tail — intermittent encryption
//! leaves some plaintext), and the extensions families append (`rules/ransomware/extensions.txt`).

use std::collections::HashSet;
use std::sync::LazyLock;

use serde::Serialize;

use crate::formats::{signature, structure};

const EXTENSIONS: &str = include_str!("../../rules/ransomware/extensions.txt");
/// Bytes per window.
const WINDOW: usize = 64 * 1024;
/// Extensions of plain-text formats.
const TEXT: [&str; 12] = ["txt", "csv", "log", "xml", "html", "htm", "json", "md", "ini", "cfg", "sql", "rtf"];
/// Fewest bytes whose format is judged (a signature needs some).
const MIN_FORMAT: usize = 16;
/// The most first bytes that must look random for a lost format to be encryption.
const HEAD: usize = 1024;
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
    /// Bytes per block when every other block of that size looks random and the rest does not
    /// (interleaved encryption, as LockFile's every other 16 bytes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interleaved: Option<u32>,
}

impl Window {
    /// Looks like ciphertext: near-maximal entropy and a flat byte histogram (compressed formats
    /// reach the entropy but not the flatness).
    pub fn random(&self) -> bool {
        self.entropy > 7.9 && self.chi_square < 400.0
    }

    /// Encrypted: random, or random in every other block.
    pub fn encrypted(&self) -> bool {
        self.random() || self.interleaved.is_some()
    }
}

/// Why a file looks encrypted.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Assessment {
    /// Reasons, strongest first: `known_extension`, `format_lost`, `tail_lost` (the head intact,
    /// the format's end gone and random), `random_content`, `random_in_text`, `family_marker`; `incident_extension` alone for a file that carries the
    /// incident's own extension and showed nothing itself.
    pub reasons: Vec<&'static str>,
    /// The appended extension, when it is a known one.
    pub extension: Option<String>,
    /// The format the name promises and the content is not (`zip` for a `.docx`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// An extension added after the one that names the file's format (`report.docx.<this>`),
    /// whether a list knows it or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appended: Option<String>,
    /// The windows measured.
    pub windows: Vec<Window>,
    /// True when some windows look random and others do not (intermittent encryption).
    pub intermittent: bool,
    /// A family's marker found in the file's tail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
}

/// Whether a list knows the extension (lower case, no dot): the generic list or a family's.
pub fn is_known_extension(extension: &str) -> bool {
    KNOWN.contains(extension)
}

impl Assessment {
    /// Whether this alone says too little to name a file encrypted: random content under a name
    /// no format table or list explains (test vectors, keys, caches are random too). The scan
    /// names it encrypted beside others like it (`yara::across`).
    pub fn is_weak(&self) -> bool {
        self.reasons == ["random_content"]
    }

    /// A file that carries the incident's own extension (see `yara::across`): encrypted by the
    /// name the incident gives its files, whatever its content shows.
    pub fn incident_extension(extension: &str) -> Assessment {
        Assessment {
            reasons: vec!["incident_extension"],
            extension: None,
            format: None,
            appended: Some(extension.to_string()),
            windows: Vec::new(),
            intermittent: false,
            marker: None,
        }
    }
}

/// The encrypted container a file is (`veracrypt`, `luks`, `bitlocker`, `age`, `openpgp`: see
/// `rules/formats/signatures.toml`): encrypted by its owner's choice, not a victim of ransomware;
/// with whether only its name says so (VeraCrypt, `openssl enc` without its magic), when the scan
/// weighs it against the files beside it.
pub fn container(name: &str, data: &[u8]) -> Option<(&'static str, bool)> {
    let lower = name.rsplit(['/', '\\']).next().unwrap_or(name).to_lowercase();
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    let random_head = data.len() >= MIN_SIZE && small_random(&data[..data.len().min(HEAD)]);
    signature::container(ext, data, random_head)
}

/// Judges `data` (the file's content) named `name`; `None` when nothing points to encryption.
pub fn assess(name: &str, data: &[u8]) -> Option<Assessment> {
    let lower = name.rsplit('/').next().unwrap_or(name).to_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e.to_string());
    let windows = windows(data);
    let random = windows.iter().filter(|w| w.encrypted()).count();
    // A known extension counts when it was appended (`report.docx.lockbit`) or the content is
    // random somewhere: a text file that merely ends in `.play` is not a victim.
    let appended = lower.matches('.').count() >= 2 && !lower.starts_with('.');
    // Ciphertext is never text: a text file with a family's extension (`completion.bash.inc`) is
    // not one. Read as text only for a known extension (every file passes here).
    let text = || data.len() >= MIN_FORMAT && signature::is_text(data);
    let known = ext.as_ref().filter(|e| KNOWN.contains(e.as_str()) && (random > 0 || (appended && !text()))).cloned();
    let mut reasons = Vec::new();
    if known.is_some() {
        reasons.push("known_extension");
    }
    let promise = Promise::of(&lower, appended);
    let lost = promise.lost(data);
    // No longer its format, and its first bytes look random (encrypting the head alone is enough
    // to lose the format): a damaged or blank file is not an encrypted one.
    let format_lost = lost.filter(|_| random_head(data));
    if format_lost.is_some() {
        reasons.push("format_lost");
    }
    // Its head intact and its end gone, ciphertext where the end should be and not before it: the
    // tail was encrypted (a cut-off download ends in what its body is, compressed or random).
    let tail_lost = format_lost
        .is_none()
        .then(|| promise.formats.iter().chain(&promise.shared).find(|f| tail_encrypted(f, data, &windows)))
        .flatten();
    if tail_lost.is_some() {
        reasons.push("tail_lost");
    }
    let expected = promise.formats.iter().any(|f| !f.is_text());
    if data.len() >= MIN_SIZE
        && random > 0
        && !expected
        && signature::identify(data).is_none()
        && random == windows.len()
    {
        reasons.push("random_content");
    }
    // Text never looks random: one random window is intermittent encryption (the head only, say),
    // and so is an end that is no text and looks random under a head that is (a small file's
    // encrypted tail, too few bytes for a window to tell).
    // The name promises text: its own extension, or the one before an appended extension.
    let text_ext = ext.as_deref().is_some_and(|e| TEXT.contains(&e))
        || promise.formats.iter().any(|f| f.is_text() || f.extensions.iter().any(|e| TEXT.contains(&e.as_str())));
    let text_end_random = || {
        (data.len() >= 2 * TAIL[0]
            && signature::is_text(&data[..data.len() / 2])
            && random_tail(data)
            && !tail_is_text(data))
            || cipher_after_text(data)
    };
    if text_ext && !reasons.contains(&"random_content") && (random > 0 || text_end_random()) {
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
    let intermittent = random > 0 && (random < windows.len() || windows.iter().any(|w| w.interleaved.is_some()));
    Some(Assessment {
        reasons,
        extension: known,
        format: format_lost.or(tail_lost.map(|f| f.name.as_str())).map(str::to_string),
        appended: promise.appended.map(str::to_string),
        windows,
        intermittent,
        marker,
    })
}

/// A file of format `format` (its head intact) whose tail was encrypted: ciphertext where the end
/// should be. Its trailer, if it has one, is gone. Walked from its head (zip, PNG, tar, a compound
/// file, TIFF, an event log, a PDF's last stream, gzip, SQLite, MP4 and its relatives), a file is one when the walk finds the bytes
/// overwritten and its end random (a copy cut short is no victim: its end is merely missing; a zip
/// with data descriptors cannot be walked and says nothing). Otherwise its end must look random
/// while its first window does not (a cut-off download ends in what its body is, compressed or
/// random): when the format's trailer is gone (a VHD's footer), or when its body holds raw
/// samples or pixels, which are never random.
fn tail_encrypted(format: &signature::Format, data: &[u8], windows: &[Window]) -> bool {
    if !format.matches(data) {
        return false;
    }
    let name = format.name.as_str();
    // A format that ends in a trailer kept it: its end is whole.
    if format.has_trailer() && !format.trailer_lost(data) {
        return false;
    }
    let head_plain = windows.first().is_some_and(|w| !w.random());
    // Samples and pixels change little from one to the next: an end that does not, where the
    // body does, is ciphertext whatever the file's size.
    if structure::raw_body(name, data).is_some_and(|start| rough_end(&data[start..]))
        && head_plain
        && (data.len() < 2 * WINDOW || random_end(data))
    {
        return true;
    }
    // Every other way needs an end that looks random: looked at before any walk (inflating a
    // gzip file is the dearest).
    if !random_end(data) {
        return false;
    }
    let end = structure::end_of(name, data);
    if end == structure::End::Overwritten {
        return true;
    }
    if matches!(name, "zip" | "png" | "gzip" | "sqlite" | "iso-bmff") || end == structure::End::Cut {
        return false;
    }
    format.trailer_lost(data) && head_plain
}

/// Raw samples or pixels (`samples`, the body of a file) whose end does not follow on: at the
/// byte of a sample (a 16-bit sample's high byte, a pixel's channel) where the first half of the
/// body changes least from one sample to the next, the last sixteenth (16 bytes to 4 KiB)
/// changes as much as random bytes do, and its bytes look random.
fn rough_end(samples: &[u8]) -> bool {
    let m = (samples.len() / 16).clamp(MIN_FORMAT, 4096);
    if samples.len() < 4 * m {
        return false;
    }
    let body = &samples[..(samples.len() / 2).min(WINDOW)];
    let end_at = samples.len() - m;
    let end = &samples[end_at..];
    // The mean distance (on a circle of 256: a sample's sign flips its high byte) between a byte
    // and the one `stride` before it, over the bytes at `phase` of each stride. Silence (two
    // zeros) says nothing of which byte of a sample changes least; too few pairs, nothing at all.
    let change = |bytes: &[u8], offset: usize, stride: usize, phase: usize| {
        let (mut sum, mut n) = (0u32, 0u32);
        for j in (stride..bytes.len()).filter(|j| (offset + j) % stride == phase) {
            if bytes[j] == 0 && bytes[j - stride] == 0 {
                continue;
            }
            let d = bytes[j].wrapping_sub(bytes[j - stride]);
            sum += d.min(d.wrapping_neg()) as u32;
            n += 1;
        }
        if n < 3 { f64::INFINITY } else { sum as f64 / n as f64 }
    };
    let Some((stride, phase, smooth)) = (1..=4usize)
        .flat_map(|s| (0..s).map(move |p| (s, p)))
        .map(|(s, p)| (s, p, change(body, 0, s, p)))
        .min_by(|a, b| a.2.total_cmp(&b.2))
    else {
        return false;
    };
    // Random bytes differ by 64 on average; samples of a picture or a sound by a few.
    let rough = change(end, end_at, stride, phase);
    smooth <= 24.0 && rough.is_finite() && rough >= 40.0 && small_random(end)
}

/// What a file's name says it is: the formats of its extension, or — when an extension that names
/// no format was added after one that does (`report.docx.8f3k`) — of the one before it.
struct Promise<'a> {
    formats: Vec<&'static signature::Format>,
    /// Formats the same extension names when the content begins as they do (`.db`).
    shared: Vec<&'static signature::Format>,
    appended: Option<&'a str>,
}

impl<'a> Promise<'a> {
    fn of(lower: &'a str, appended: bool) -> Promise<'a> {
        let mut parts = lower.rsplit('.');
        let own = parts.next().filter(|_| lower.contains('.')).unwrap_or("");
        let promise = |ext: &str, appended| Promise {
            formats: signature::promised(ext),
            shared: signature::sharing(ext),
            appended,
        };
        let mine = promise(own, None);
        if !mine.formats.is_empty() || !mine.shared.is_empty() || !appended {
            return mine;
        }
        match parts.next().map(|inner| promise(inner, Some(own))) {
            Some(inner) if !inner.formats.is_empty() || !inner.shared.is_empty() => inner,
            _ => mine,
        }
    }

    /// The promised format the content has lost: it is none of them, no other known format
    /// (a misnamed file is not a lost one), not text, and not one byte over and over.
    fn lost(&self, data: &[u8]) -> Option<&'static str> {
        // A format an extension shares is lost only where its body shows it was that format.
        let shared = || self.shared.iter().find(|f| !f.matches(data) && structure::body_is(&f.name, data));
        let first = self.formats.first().or_else(shared)?;
        let uniform = data.iter().all(|b| Some(b) == data.first());
        // A zip may begin with other bytes (a self-extracting archive): its end record finds it.
        let kept =
            self.formats.iter().any(|f| f.matches(data) || (f.name == "zip" && structure::zip_with_prefix(data)));
        (data.len() >= MIN_FORMAT
            && !uniform
            && !kept
            && signature::identify(data).is_none()
            && !signature::is_text(data))
        .then_some(first.name.as_str())
    }
}

/// Few bytes (at least [`MIN_FORMAT`]) that look random (see [`structure::distinct_as_random`]).
fn small_random(data: &[u8]) -> bool {
    data.len() >= MIN_FORMAT && structure::distinct_as_random(data)
}

/// The first bytes looked at for an encrypted head: 16 (ten blocks of a percent of a small
/// file, the least a family encrypts), 64, and [`HEAD`].
const HEADS: [usize; 3] = [16, 64, HEAD];

/// The file's first bytes look random over one of the lengths of [`HEADS`]. Text in a code page
/// no reader knows has as many distinct bytes in a few as random ones do, but no control bytes:
/// a short head counts only with its share of them (ciphertext has one in nine) and few zeros.
fn random_head(data: &[u8]) -> bool {
    HEADS.iter().any(|&n| {
        let head = &data[..data.len().min(n)];
        let control = head.iter().filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f).count();
        // … and a header of small numbers has its zeros, which ciphertext hardly has.
        let zeros = head.iter().filter(|&&b| b == 0).count();
        small_random(head) && (n == HEAD || (control * 16 >= n && zeros * 8 <= n))
    })
}

/// The last bytes looked at for an encrypted tail: few enough for a small file's, enough for a
/// large one's.
const TAIL: [usize; 2] = [64, 1024];

/// The file's last bytes look random (looked at over each length of [`TAIL`] the file exceeds
/// twice over: an end, not the whole file).
fn random_tail(data: &[u8]) -> bool {
    TAIL.iter().filter(|&&n| data.len() >= 2 * n).any(|&n| small_random(&data[data.len() - n..]))
}

/// The file's end looks random: measured over a twentieth of the file (within a tenth
/// encrypted), 4 to 64 KiB, or over its last bytes when it is too small for two windows.
fn random_end(data: &[u8]) -> bool {
    if data.len() >= 2 * WINDOW {
        let n = (data.len() / 20).clamp(4096, WINDOW);
        stats(0, &data[data.len() - n..]).random()
    } else {
        random_tail(data)
    }
}

/// A small text whose last 16 bytes are ciphertext: the first half reads as text, and most of
/// the end's bytes (of UTF-16, its characters' high bytes) are none the first half used while
/// the end is no text (UTF-16, which random bytes mostly decode to, shows a character no text
/// holds: a lone surrogate, a private-use or a control character).
fn cipher_after_text(data: &[u8]) -> bool {
    const END: usize = 16;
    if data.len() < 6 * END || !signature::is_text(&data[..data.len() / 2]) {
        return false;
    }
    let head = &data[..data.len() / 2];
    let end_at = data.len() - END;
    let mut seen = [false; 256];
    let bom = [[0xFF, 0xFE], [0xFE, 0xFF]].into_iter().position(|b| data.starts_with(&b));
    if let Some(big) = bom {
        // The units of the end, whole (the BOM aligns them on even offsets).
        let unit = |at: usize| {
            let (a, b) = (data[at], data[at + 1]);
            if big == 1 { u16::from_be_bytes([a, b]) } else { u16::from_le_bytes([a, b]) }
        };
        (2..head.len() - 1).step_by(2).for_each(|at| seen[(unit(at) >> 8) as usize] = true);
        let units: Vec<u16> = (end_at + end_at % 2..data.len() - 1).step_by(2).map(unit).collect();
        let unseen = units.iter().filter(|&&u| !seen[(u >> 8) as usize]).count();
        let strange = units
            .iter()
            .any(|&u| (0xD800..=0xF8FF).contains(&u) || u >= 0xFFFE || (u < 0x20 && !matches!(u, 9 | 10 | 13)));
        return unseen * 8 >= units.len() * 5 && strange;
    }
    head.iter().for_each(|&b| seen[b as usize] = true);
    let end = &data[end_at..];
    end.iter().filter(|&&b| !seen[b as usize]).count() >= 10 && !(0..4).any(|skip| signature::is_text(&end[skip..]))
}

/// The file's last bytes read as text (from the first character boundary: a character may be cut
/// where the end starts).
fn tail_is_text(data: &[u8]) -> bool {
    let start = data.len().saturating_sub(TAIL[1]);
    // UTF-16 shows its byte-order mark at the head only: the end is read with it, on a whole unit.
    if let Some(bom) = [[0xFF, 0xFE], [0xFE, 0xFF]].into_iter().find(|b| data.starts_with(b)) {
        let end = &data[(start + start % 2).max(2)..];
        return signature::is_text(&[&bom[..], end].concat());
    }
    let end = &data[start..];
    (0..4.min(end.len())).any(|skip| signature::is_text(&end[skip..]))
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
    offsets
        .into_iter()
        .map(|o| {
            let bytes = &data[o..(o + WINDOW).min(len)];
            let mut w = stats(o as u64, bytes);
            // Plain text sits far lower, compressed data at the top: a window between is worth
            // a look block by block (half ciphertext, half plaintext lands there).
            if (6.0..7.85).contains(&w.entropy) && bytes.len() >= MIN_INTERLEAVED {
                w.interleaved = interleaving(o, bytes);
            }
            w
        })
        .collect()
}

/// Block sizes whose interleaving is looked for, and the fewest bytes a window needs for it.
const BLOCKS: [usize; 5] = [16, 64, 256, 1024, 4096];
const MIN_INTERLEAVED: usize = 16 * 1024;

/// The block size at which every other block looks random and the others clearly do not; the
/// blocks counted from the start of the file (`offset` is the window's).
fn interleaving(offset: usize, bytes: &[u8]) -> Option<u32> {
    BLOCKS.into_iter().filter(|b| bytes.len() >= 8 * b).find_map(|block| {
        let mut halves = [[0u64; 256]; 2];
        let aligned = &bytes[(block - offset % block) % block..];
        for (i, chunk) in aligned.chunks(block).enumerate() {
            chunk.iter().for_each(|&b| halves[i % 2][b as usize] += 1);
        }
        let [even, odd] = halves.map(|counts| measure(0, &counts));
        let plain = |w: &Window| w.entropy < 7.5;
        ((even.random() && plain(&odd)) || (odd.random() && plain(&even))).then_some(block as u32)
    })
}

fn stats(offset: u64, bytes: &[u8]) -> Window {
    measure(offset, &crate::formats::bytes::histogram(bytes))
}

fn measure(offset: u64, counts: &[u64; 256]) -> Window {
    let n = counts.iter().sum::<u64>() as f64;
    let expected = n / 256.0;
    let (mut entropy, mut chi) = (0.0, 0.0);
    for &c in counts {
        if c > 0 {
            let p = c as f64 / n;
            entropy -= p * p.log2();
        }
        chi += (c as f64 - expected).powi(2) / expected;
    }
    Window { offset, entropy, chi_square: chi, interleaved: None }
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
        let a = assess("docs/report.docx.lockbit", b"\x8f\x03").unwrap();
        assert_eq!(a.reasons, vec!["known_extension"]);
        assert_eq!(a.extension.as_deref(), Some("lockbit"));
        let family_only = assess("scan.pdf.vohuk", b"\x8f\x03").unwrap();
        assert_eq!(family_only.extension.as_deref(), Some("vohuk"));
    }

    #[test]
    fn a_known_extension_on_plain_text_alone_is_not_enough() {
        assert_eq!(assess("setlist.play", "曲目 song list\n".repeat(500).as_bytes()), None);
        assert_eq!(assess("completion.bash.inc", "complete -F _x x\n".repeat(50).as_bytes()), None);
        let (_, brotli) = kept("7z", 70_000);
        assert_eq!(assess("jquery.min.js.br", &brotli[6..]), None, "Brotli announces nothing");
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

    /// A file of each format hospitals keep, `size` bytes long, as its application writes it:
    /// its header and a body of its kind (documents compress, media look random).
    fn kept(format: &str, size: usize) -> (&'static str, Vec<u8>) {
        let body = |head: &[u8], random_body: bool| {
            let mut out = head.to_vec();
            let filler = if random_body {
                pseudo_random(size, size as u64)
            } else {
                "記録 record 0001,".repeat(size / 10 + 1).into_bytes()
            };
            out.extend(filler);
            out.truncate(size.max(head.len()));
            out
        };
        let at = |offset: usize, magic: &[u8], random_body: bool| {
            let mut head = pseudo_random(offset, 3);
            head.iter_mut().for_each(|b| *b &= 0x3f);
            head.extend(magic);
            body(&head, random_body)
        };
        match format {
            "docx" => ("docx", docx(size)),
            "xlsx" => ("xlsx", docx(size)),
            "jtd" => ("jtd", body(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", false)),
            "xls" => ("xls", body(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", false)),
            "pdf" => ("pdf", {
                // Every PDF ends in %%EOF (ISO 32000 7.5.5).
                let mut pdf = body(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n", true);
                pdf.truncate(pdf.len().saturating_sub(6).max(16));
                pdf.extend(b"%%EOF\n");
                pdf
            }),
            "jpg" => ("jpg", body(b"\xFF\xD8\xFF\xE0\x00\x10JFIF", true)),
            "png" => ("png", {
                // Every PNG ends in its IEND chunk.
                let mut png = body(b"\x89PNG\r\n\x1a\n", true);
                png.truncate(png.len().saturating_sub(12).max(16));
                png.extend(b"\x00\x00\x00\x00IEND\xAE\x42\x60\x82");
                png
            }),
            "tif" => ("tif", body(b"II*\x00\x08\x00\x00\x00", false)),
            "dcm" => ("dcm", at(128, b"DICM", true)),
            "sqlite" => ("sqlite", body(b"SQLite format 3\x00\x10\x00", false)),
            "accdb" => ("accdb", body(b"\x00\x01\x00\x00Standard ACE DB\x00", false)),
            "pst" => ("pst", body(b"!BDN", false)),
            "vhdx" => ("vhdx", body(b"vhdxfile", false)),
            "vmdk" => ("vmdk", body(b"KDMV\x01\x00\x00\x00", false)),
            "7z" => ("7z", body(b"7z\xBC\xAF\x27\x1C", true)),
            "rar" => ("rar", body(b"Rar!\x1A\x07\x01\x00", true)),
            // ftyp, then the media to the end of the file (a box of size 0).
            "mp4" => ("mp4", body(b"\x00\x00\x00\x10ftypmp42\x00\x00\x00\x00\x00\x00\x00\x00mdat", true)),
            "zip" => ("zip", docx(size)),
            "csv" => ("csv", body(b"ID,name\r\n", false)),
            "txt" => ("txt", {
                let text = "診療録 申し送り\r\n".repeat(size / 10 + 1);
                let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
                sjis[..size.min(sjis.len())].to_vec()
            }),
            other => panic!("{other}"),
        }
    }

    /// A real zip (an OOXML document's container) of about `size` bytes.
    fn docx(size: usize) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        zip.start_file("word/document.xml", stored).unwrap();
        zip.write_all(&"<w:t>記録</w:t>".repeat(size / 17 + 1).into_bytes()[..size.saturating_sub(120).max(1)])
            .unwrap();
        zip.finish().unwrap().into_inner()
    }

    fn encrypted(mut data: Vec<u8>, range: std::ops::Range<usize>) -> Vec<u8> {
        use chacha20::cipher::{KeyIvInit, StreamCipher};
        let mut cipher = chacha20::ChaCha20::new(&[7u8; 32].into(), &[9u8; 12].into());
        let end = range.end.min(data.len());
        cipher.apply_keystream(&mut data[range.start.min(end)..end]);
        data
    }

    const KEPT: [&str; 20] = [
        "docx", "xlsx", "jtd", "xls", "pdf", "jpg", "png", "tif", "dcm", "sqlite", "accdb", "pst", "vhdx", "vmdk",
        "7z", "rar", "mp4", "zip", "csv", "txt",
    ];
    const SIZES: [usize; 6] = [100, 300, 1000, 5000, 70_000, 300_000];

    #[test]
    fn a_kept_format_renamed_to_an_extension_no_list_knows_and_lost_is_found() {
        let mut missed = Vec::new();
        for format in KEPT {
            for size in SIZES {
                let (ext, plain) = kept(format, size);
                let name = format!("Users/a/Documents/記録.{ext}.q7vz");
                for (how, data) in
                    [("whole", encrypted(plain.clone(), 0..usize::MAX)), ("head", encrypted(plain, 0..4096))]
                {
                    match assess(&name, &data) {
                        Some(a) if a.reasons.contains(&"format_lost") && a.appended.as_deref() == Some("q7vz") => {}
                        other => missed.push(format!("{format} {size} {how}: {other:?}")),
                    }
                }
            }
        }
        assert!(missed.is_empty(), "missed:\n{}", missed.join("\n"));
    }

    #[test]
    fn a_kept_format_intact_is_nothing_under_any_name() {
        let mut alarms = Vec::new();
        for format in KEPT {
            for size in SIZES {
                let (ext, plain) = kept(format, size);
                for name in [format!("記録.{ext}"), format!("記録.{ext}.bak"), format!("記録.{ext}.q7vz")] {
                    if let Some(a) = assess(&name, &plain) {
                        alarms.push(format!("{name} {size}: {a:?}"));
                    }
                }
            }
        }
        assert!(alarms.is_empty(), "false alarms:\n{}", alarms.join("\n"));
    }

    #[test]
    fn encrypted_under_its_own_name_is_found_small_or_large() {
        for format in ["docx", "pdf", "csv", "jtd", "dcm"] {
            for size in SIZES {
                let (ext, plain) = kept(format, size);
                let a = assess(&format!("記録.{ext}"), &encrypted(plain, 0..usize::MAX));
                assert!(a.as_ref().is_some_and(|a| a.reasons.contains(&"format_lost")), "{format} {size}: {a:?}");
            }
        }
    }

    #[test]
    fn a_misnamed_or_zeroed_file_is_not_a_lost_one() {
        let (_, png) = kept("png", 5000);
        assert_eq!(assess("photo.jpg", &png), None, "a PNG named .jpg");
        let (_, ole) = kept("xls", 5000);
        assert_eq!(assess("protected.docx", &ole), None, "a password-protected OOXML file is a compound file");
        assert_eq!(assess("export.xls", "<html><table><tr><td>1</td></tr></table></html>".repeat(40).as_bytes()), None);
        assert_eq!(assess("placeholder.docx.tmp", &vec![0u8; 8192]), None, "zeros are not ciphertext");
        assert_eq!(assess("tiny.docx.x", b"PK"), None, "too few bytes to judge");
    }

    /// Encrypts `block` bytes of every `every` (from the start).
    fn striped(mut data: Vec<u8>, block: usize, every: usize) -> Vec<u8> {
        use chacha20::cipher::{KeyIvInit, StreamCipher};
        let mut cipher = chacha20::ChaCha20::new(&[3u8; 32].into(), &[4u8; 12].into());
        for start in (0..data.len()).step_by(every) {
            let end = (start + block).min(data.len());
            cipher.apply_keystream(&mut data[start..end]);
        }
        data
    }

    #[test]
    fn interleaved_and_striped_encryption_is_seen_window_by_window() {
        let text =
            "患者記録 2026-11-21 外来 受付番号 0001 / patient record, outpatient desk\n".repeat(3000).into_bytes();
        for (block, every) in [(16, 32), (64, 128), (256, 512), (4096, 8192)] {
            let data = striped(text.clone(), block, every);
            for name in ["export.dat", "records.csv", "note.docx.q7vz"] {
                let a = assess(name, &data).unwrap_or_else(|| panic!("{name} {block}/{every}: missed"));
                assert!(a.intermittent, "{name} {block}/{every}: {a:?}");
                if name == "export.dat" {
                    assert!(a.windows.iter().all(|w| w.interleaved == Some(block as u32)), "{block}: {a:?}");
                    assert_eq!(a.reasons, vec!["random_content"], "{a:?}");
                }
            }
        }
        // A binary plaintext of 64 byte values, every other 16 bytes encrypted.
        let binary: Vec<u8> = pseudo_random(300_000, 6).iter().map(|b| b & 0x3f).collect();
        let a = assess("export.dat", &striped(binary, 16, 32)).unwrap();
        assert!(a.windows.iter().all(|w| w.interleaved == Some(16)), "{a:?}");
        // Neither text, nor a compressed stream, nor random bytes interleave.
        let mut deflated = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut deflated, &pseudo_random(50_000, 2).iter().map(|b| b % 16).collect::<Vec<_>>())
            .unwrap();
        for bytes in [text.clone(), deflated.finish().unwrap(), pseudo_random(200_000, 8)] {
            assert!(windows(&bytes).iter().all(|w| w.interleaved.is_none()), "{:?}", windows(&bytes));
        }
        assert_eq!(assess("export.dat", &text), None);
    }

    /// Encrypts the byte ranges given, as a family that encrypts a share of each file does.
    fn encrypted_ranges(mut data: Vec<u8>, ranges: &[std::ops::Range<usize>]) -> Vec<u8> {
        use chacha20::cipher::{KeyIvInit, StreamCipher};
        for (i, r) in ranges.iter().enumerate() {
            let mut cipher = chacha20::ChaCha20::new(&[5u8; 32].into(), &[i as u8; 12].into());
            cipher.apply_keystream(&mut data[r.clone()]);
        }
        data
    }

    #[test]
    fn a_tail_encrypted_is_found_in_formats_walked_from_their_head_or_of_raw_samples() {
        let tail = |data: &[u8]| {
            let n = data.len();
            encrypted_ranges(data.to_vec(), std::slice::from_ref(&(n - n / 10..n)))
        };
        let mut tar = tar::Builder::new(Vec::new());
        let body = "検査結果 result\n".repeat(4000).into_bytes();
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_cksum();
        tar.append_data(&mut header, "results.txt", &body[..]).unwrap();
        let tar = tar.into_inner().unwrap();
        // An uncompressed bitmap of a gradient and a PCM recording with noise in its low bytes.
        let bitmap = |pixels: u32| {
            let mut bmp = b"BM".to_vec();
            bmp.resize(54, 0);
            bmp[10] = 54;
            bmp.extend((0..pixels).map(|i| ((i / 7) % 200) as u8));
            bmp
        };
        let bmp = bitmap(200_000);
        let mut wav = b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0".to_vec();
        wav.resize(36, 0);
        wav.extend(b"data\x40\x0d\x03\0");
        let noise = pseudo_random(100_000, 4);
        wav.extend(
            (0..100_000usize)
                .flat_map(|i| (((i as f64 / 9.0).sin() * 6000.0) as i16 + noise[i] as i16 * 8).to_le_bytes()),
        );
        for (name, data) in [("results.tar", &tar), ("x-ray.bmp.q7vz", &bmp), ("dictation.wav", &wav)] {
            assert_eq!(assess(name, data), None, "{name}: intact");
            assert_eq!(assess(name, &data[..data.len() * 8 / 10]), None, "{name}: cut short");
            let a = assess(name, &tail(data)).unwrap_or_else(|| panic!("{name}: missed"));
            assert_eq!(a.reasons, ["tail_lost"], "{name}");
        }
        // A small recording's end is as varied as ciphertext in its low bytes, not in its high ones,
        // also after a silence.
        assert_eq!(assess("dictation.wav", &wav[..3000]), None);
        let mut hush = wav[..44].to_vec();
        hush.resize(4000, 0);
        hush.extend(&wav[44..3000]);
        assert_eq!(assess("dictation.wav", &hush), None);
        // Small files: a few hundred bytes of pixels or samples whose last 16 were encrypted.
        let last16 = |data: &[u8]| {
            let n = data.len();
            encrypted_ranges(data.to_vec(), std::slice::from_ref(&(n - 16..n)))
        };
        for (name, data) in
            [("icon.bmp", bitmap(300)), ("icon.bmp.q7vz", bitmap(300)), ("voice.wav", wav[..400].to_vec())]
        {
            assert_eq!(assess(name, &data), None, "{name}: intact");
            let a = assess(name, &last16(&data)).unwrap_or_else(|| panic!("{name}: missed"));
            assert_eq!(a.reasons, ["tail_lost"], "{name}");
        }
        // Small texts: the last 16 bytes (of UTF-16, the last 32) encrypted.
        let sjis = encoding_rs::SHIFT_JIS.encode(&"ID,氏名\r\n0001,山田 太郎\r\n".repeat(6)).0.into_owned();
        let utf16 = |text: &str| -> Vec<u8> {
            [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect()
        };
        let memo = utf16(&"申し送り 22 時 体温 36.8\r\n".repeat(8));
        for (name, data, n) in [
            ("memo.txt", "申し送り: 22 時 体温 36.8\n".repeat(5).into_bytes(), 16),
            ("list.csv.q7vz", sjis, 16),
            ("memo.txt", memo.clone(), 32),
        ] {
            assert_eq!(assess(name, &data), None, "{name}: intact");
            let len = data.len();
            let a = assess(name, &encrypted_ranges(data, std::slice::from_ref(&(len - n..len))))
                .unwrap_or_else(|| panic!("{name}: missed"));
            assert_eq!(a.reasons, ["random_in_text"], "{name}");
        }
        // Texts whose end changes script, or ends in a DOS end-of-file mark, are texts.
        for data in [
            utf16(&format!("{}申し送り 体温\r\n", "note: temperature 36.8\r\n".repeat(6))),
            format!("{}申し送り 体温 三十六度八分\n", "note: temperature 36.8\n".repeat(6)).into_bytes(),
            [&"note: temperature 36.8\r\n".repeat(6).into_bytes()[..], b"\x1a"].concat(),
        ] {
            assert_eq!(assess("memo.txt", &data), None, "{data:?}");
        }
    }

    #[test]
    fn a_tail_encrypted_is_found_by_the_formats_end_or_by_text_ending_in_ciphertext() {
        for size in [3000, 40_000, 300_000] {
            let tail = |data: Vec<u8>| {
                let n = data.len();
                encrypted_ranges(data, std::slice::from_ref(&(n - (n / 10).max(64)..n)))
            };
            for (name, data) in [("report.docx", docx(size)), ("report.xlsx.q7vz", docx(size))] {
                let a = assess(name, &tail(data.clone())).unwrap_or_else(|| panic!("{name} {size}: missed"));
                assert_eq!((a.reasons.clone(), a.format.as_deref()), (vec!["tail_lost"], Some("zip")), "{name}");
                assert_eq!(assess(name, &data), None, "{name} {size}: intact");
                let cut = &data[..data.len() * 7 / 10];
                assert_eq!(structure::end_of("zip", cut), structure::End::Cut);
                assert_eq!(assess(name, cut), None, "{name} {size}: a copy cut short is no victim");
            }
            let mut pdf = b"%PDF-1.7\n".to_vec();
            pdf.extend("1 0 obj << /Type /Catalog >> endobj\n".repeat(size / 36 + 1).as_bytes());
            pdf.extend(b"trailer << /Root 1 0 R >>\n%%EOF\n");
            assert_eq!(assess("紹介状.pdf", &pdf), None);
            assert_eq!(assess("紹介状.pdf", &tail(pdf)).unwrap().reasons, ["tail_lost"], "{size}");
            for (name, text) in [
                ("records.csv", "ID,氏名\r\n0001,山田 太郎\r\n".repeat(size / 26 + 1).into_bytes()),
                ("memo.txt.q7vz", "申し送り: 22 時 体温 36.8\n".repeat(size / 30 + 1).into_bytes()),
            ] {
                assert_eq!(assess(name, &text), None);
                let a = assess(name, &tail(text)).unwrap_or_else(|| panic!("{name} {size}: missed"));
                assert!(a.reasons.contains(&"random_in_text"), "{name} {size}: {a:?}");
            }
        }
        // UTF-16 text keeps its byte-order mark at the head only: its end is still text.
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(
                "診療情報提供書 紹介先 御侍史 既往歴 高血圧 糖尿病 処方 内服薬\r\n"
                    .repeat(200)
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        assert_eq!(assess("紹介状.txt", &utf16), None);
        // A zip whose end is intact but random (a stored random member) is nothing.
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        zip.start_file(
            "x.bin",
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored),
        )
        .unwrap();
        std::io::Write::write_all(&mut zip, &pseudo_random(50_000, 4)).unwrap();
        assert_eq!(assess("archive.zip", &zip.finish().unwrap().into_inner()), None);
    }

    #[test]
    fn a_share_of_a_small_file_encrypted_in_blocks_is_found_and_a_binary_header_is_not() {
        // Ten blocks of 16 bytes, the first at the head: the format is lost.
        for size in [300, 1000, 1500] {
            for (name, data) in [kept("docx", size), kept("pdf", size), kept("sqlite", size), kept("csv", size)] {
                let blocks: Vec<_> = (0..10).map(|k| k * size / 10..k * size / 10 + 16).collect();
                let file = format!("記録.{name}");
                let a = assess(&file, &encrypted_ranges(data, &blocks)).unwrap_or_else(|| panic!("{file} {size}"));
                assert!(a.reasons.contains(&"format_lost"), "{file} {size}: {a:?}");
            }
        }
        // A header of small numbers and a name (a terminfo entry named .sys) is not ciphertext, nor
        // is text in a code page no reader knows.
        let mut terminfo = b"\x1a\x01\x29\x00\x26\x00\x10\x00\x7d\x01\xac\x02ansi.sys|ANSI.SYS 3.1 and later".to_vec();
        terminfo.extend([0u8; 200]);
        assert_eq!(assess("ansi.sys", &terminfo), None);
        let russian = "Все файлы на месте, резервная копия готова. ".repeat(40);
        let (cp866, _, _) = encoding_rs::IBM866.encode(&russian);
        assert_eq!(assess("отчёт.xml", &cp866), None);
    }
}
