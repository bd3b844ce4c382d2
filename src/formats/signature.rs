//! File formats by their bytes (`rules/formats/signatures.toml`, data): which formats a file's
//! extension promises, and whether its bytes are one of them or text. The encryption measure
//! reads a name's promise against the content (a `.docx` that is no zip has lost its format).

use std::sync::LazyLock;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::formats::text::strict;

const SOURCE: &str = "rules/formats/signatures.toml";
const DATA: &str = include_str!("../../rules/formats/signatures.toml");
/// Bytes looked at to tell text.
const TEXT_HEAD: usize = 64 * 1024;

/// One format: its extensions and how its bytes begin.
#[derive(Clone, Debug)]
pub struct Format {
    /// Its name (`zip`, `ole2`, `text` …).
    pub name: String,
    /// The extensions that name it (lower case, no dot).
    pub extensions: Vec<String>,
    /// Extensions it shares with other formats (`.db`): they promise it only to a file that
    /// begins as it does.
    pub shared_extensions: Vec<String>,
    signatures: Vec<Signature>,
    /// What the format's end holds (zip's end of central directory, PDF's `%%EOF`), each within
    /// the last `within` bytes: gone when the tail was encrypted.
    trailers: Vec<Signature>,
    text: bool,
    opaque: bool,
    container: bool,
    /// A container its extension names even without its signature (`openssl enc -nosalt`).
    signature_optional: bool,
}

#[derive(Clone, Debug)]
struct Signature {
    at: usize,
    within: Option<usize>,
    bytes: Vec<u8>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    format: Vec<RawFormat>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFormat {
    name: String,
    extensions: Vec<String>,
    #[serde(default)]
    shared_extensions: Vec<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    signatures: Vec<RawSignature>,
    #[serde(default)]
    trailers: Vec<RawTrailer>,
    #[serde(default)]
    signature_optional: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrailer {
    within_last: usize,
    #[serde(default)]
    hex: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignature {
    #[serde(default)]
    at: usize,
    #[serde(default)]
    within: Option<usize>,
    #[serde(default)]
    hex: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

static FORMATS: LazyLock<Vec<Format>> = LazyLock::new(|| crate::bundled::loaded(load(DATA)));

/// Loads the bundled table (for the self-test): the number of formats.
pub fn checked() -> Result<usize> {
    load(DATA).map(|f| f.len())
}

fn load(data: &str) -> Result<Vec<Format>> {
    let bad = |reason: String| Error::BundledData { name: SOURCE, reason };
    let table: Table = toml::from_str(data).map_err(|e| bad(e.to_string()))?;
    let mut out: Vec<Format> = Vec::new();
    for f in table.format {
        if out.iter().any(|o| o.name == f.name) {
            return Err(bad(format!("format {} twice", f.name)));
        }
        let (text, opaque, container) = match f.kind.as_deref() {
            None => (false, false, false),
            Some("text") => (true, false, false),
            Some("opaque") => (false, true, false),
            Some("container") => (false, false, true),
            Some(other) => return Err(bad(format!("{}: unknown kind {other:?}", f.name))),
        };
        if f.extensions.is_empty()
            || f.extensions.iter().chain(&f.shared_extensions).any(|e| e.is_empty() || *e != e.to_lowercase())
        {
            return Err(bad(format!("{}: extensions must be lower case and not empty", f.name)));
        }
        if !container && (text || opaque) != f.signatures.is_empty() {
            return Err(bad(format!("{}: a text or opaque format has no signature, any other at least one", f.name)));
        }
        if f.signature_optional && (!container || f.signatures.is_empty()) {
            return Err(bad(format!("{}: only a container with a signature has an optional one", f.name)));
        }
        let signatures = f.signatures.iter().map(|s| signature(&f.name, s).map_err(bad)).collect::<Result<_>>()?;
        let trailers = f
            .trailers
            .iter()
            .map(|t| {
                let raw = RawSignature { at: 0, within: Some(t.within_last), hex: t.hex.clone(), text: t.text.clone() };
                signature(&f.name, &raw).map_err(bad)
            })
            .collect::<Result<_>>()?;
        out.push(Format {
            name: f.name,
            extensions: f.extensions,
            shared_extensions: f.shared_extensions,
            signatures,
            trailers,
            text,
            opaque,
            container,
            signature_optional: f.signature_optional,
        });
    }
    Ok(out)
}

fn signature(format: &str, s: &RawSignature) -> std::result::Result<Signature, String> {
    let bytes = match (&s.hex, &s.text) {
        (Some(hex), None) => crate::hash::unhex(hex).ok_or_else(|| format!("{format}: not hex: {hex:?}"))?,
        (None, Some(text)) => text.as_bytes().to_vec(),
        _ => return Err(format!("{format}: a signature is one of hex or text")),
    };
    if bytes.is_empty() || (s.within.is_some() && s.at != 0) {
        return Err(format!("{format}: an empty signature, or both at and within"));
    }
    Ok(Signature { at: s.at, within: s.within, bytes })
}

impl Format {
    /// Whether `data` (a file's first bytes at least) is of this format.
    pub fn matches(&self, data: &[u8]) -> bool {
        if self.text {
            return is_text(data);
        }
        // Random by design, or a container that shows nothing in the clear: any bytes are theirs.
        if self.opaque || self.bare_container() {
            return true;
        }
        self.signatures.iter().any(|s| match s.within {
            Some(n) => memchr::memmem::find(&data[..data.len().min(n)], &s.bytes).is_some(),
            None => data.get(s.at..s.at + s.bytes.len()) == Some(&s.bytes[..]),
        })
    }

    /// The format's end is gone: it has trailers and none is in the last bytes where each must
    /// be (false for a format without trailers: its end says nothing).
    pub fn trailer_lost(&self, data: &[u8]) -> bool {
        !self.trailers.is_empty()
            && !self.trailers.iter().any(|t| {
                let n = t.within.unwrap_or(t.bytes.len());
                memchr::memmem::find(&data[data.len().saturating_sub(n)..], &t.bytes).is_some()
            })
    }

    /// Whether the format's end holds a trailer.
    pub fn has_trailer(&self) -> bool {
        !self.trailers.is_empty()
    }

    /// A container without a signature (VeraCrypt, OpenPGP).
    fn bare_container(&self) -> bool {
        self.container && self.signatures.is_empty()
    }

    /// True for the plain-text formats.
    pub fn is_text(&self) -> bool {
        self.text
    }
}

/// The formats an extension (lower case, no dot) names; empty when it names none.
pub fn promised(extension: &str) -> Vec<&'static Format> {
    FORMATS.iter().filter(|f| f.extensions.iter().any(|e| e == extension)).collect()
}

/// The formats that share an extension (lower case, no dot) with others: it promises one of them
/// only to a file that begins as it does.
pub fn sharing(extension: &str) -> Vec<&'static Format> {
    FORMATS.iter().filter(|f| f.shared_extensions.iter().any(|e| e == extension)).collect()
}

/// Whether an extension names a format of the table.
pub fn is_format_extension(extension: &str) -> bool {
    FORMATS.iter().any(|f| f.extensions.iter().any(|e| e == extension))
}

/// The encrypted container `data` is (LUKS, BitLocker, age … by their signature, whatever the
/// name), or that its extension names when the container shows nothing in the clear (VeraCrypt)
/// and `random_head` says its first bytes look random; with whether its name alone says so.
pub fn container(extension: &str, data: &[u8], random_head: bool) -> Option<(&'static str, bool)> {
    let by_signature = FORMATS.iter().find(|f| f.container && !f.signatures.is_empty() && f.matches(data));
    let by_name = || {
        FORMATS.iter().find(|f| {
            (f.bare_container() || f.signature_optional) && random_head && f.extensions.iter().any(|e| e == extension)
        })
    };
    match by_signature {
        Some(f) => Some((f.name.as_str(), false)),
        None => by_name().map(|f| (f.name.as_str(), true)),
    }
}

/// The format `data` announces by its signature (not text), if any.
pub fn identify(data: &[u8]) -> Option<&'static str> {
    FORMATS.iter().find(|f| !f.text && !f.opaque && !f.bare_container() && f.matches(data)).map(|f| f.name.as_str())
}

/// Whether the bytes read as text: UTF-8, UTF-16 with its byte-order mark, Shift-JIS or EUC-JP
/// (a character cut at the end of the bytes looked at, or of a file cut short, counts), with no
/// NUL and next to no other control bytes (at most one in a hundred characters; tab, line ends,
/// form feed and escape are text). Empty bytes are text.
pub fn is_text(data: &[u8]) -> bool {
    let head = &data[..data.len().min(TEXT_HEAD)];
    let decoded = if head.starts_with(&[0xFF, 0xFE]) {
        strict(encoding_rs::UTF_16LE, &head[2..])
    } else if head.starts_with(&[0xFE, 0xFF]) {
        strict(encoding_rs::UTF_16BE, &head[2..])
    } else {
        [encoding_rs::UTF_8, encoding_rs::SHIFT_JIS, encoding_rs::EUC_JP].iter().find_map(|e| strict(e, head))
    };
    decoded.is_some_and(|text| {
        let (mut chars, mut control) = (0usize, 0usize);
        for c in text.chars() {
            chars += 1;
            if c == '\0' {
                return false;
            }
            if (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c' | '\x1b')) || c == '\u{fffd}' {
                control += 1;
            }
        }
        control * 100 <= chars
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` bytes of a real cipher's keystream.
    fn random(n: usize, seed: u64) -> Vec<u8> {
        use chacha20::cipher::{KeyIvInit, StreamCipher};
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        let mut data = vec![0u8; n];
        chacha20::ChaCha20::new(&key.into(), &[0u8; 12].into()).apply_keystream(&mut data);
        data
    }

    #[test]
    fn the_bundled_table_loads_and_names_each_extension_once() {
        let formats = load(DATA).unwrap();
        assert!(formats.len() >= 40, "{}", formats.len());
        let mut seen = std::collections::BTreeMap::new();
        for f in &formats {
            for e in &f.extensions {
                assert!(seen.insert(e.clone(), f.name.clone()).is_none(), "{e} names two formats");
            }
        }
    }

    #[test]
    fn a_broken_table_is_refused_with_its_reason() {
        for (data, why) in [
            ("[[format]]\nname = \"x\"\nextensions = [\"x\"]\nsignatures = [{ hex = \"ZZ\" }]\n", "not hex"),
            ("[[format]]\nname = \"x\"\nextensions = [\"X\"]\nsignatures = [{ text = \"a\" }]\n", "lower case"),
            ("[[format]]\nname = \"x\"\nextensions = [\"x\"]\n", "at least one"),
            (
                "[[format]]\nname = \"x\"\nextensions = [\"x\"]\nsignatures = [{ at = 1, within = 9, text = \"a\" }]\n",
                "both",
            ),
            (
                "[[format]]\nname = \"x\"\nextensions = [\"x\"]\nsignatures = [{ text = \"a\", hex = \"61\" }]\n",
                "one of",
            ),
            ("[[format]]\nname = \"x\"\nkind = \"txt\"\nextensions = [\"x\"]\n", "unknown kind"),
            (
                "[[format]]\nname = \"x\"\nextensions = [\"x\"]\nsignatures = [{ text = \"a\" }]\nsignature_optional = true\n",
                "optional",
            ),
        ] {
            let e = load(data).unwrap_err().to_string();
            assert!(e.contains(why) && e.contains(SOURCE), "{why}: {e}");
        }
    }

    #[test]
    fn a_container_is_named_by_its_signature_or_by_its_extension_on_random_bytes() {
        let salted = [b"Salted__".as_slice(), &random(4096, 1)].concat();
        assert_eq!(container("bin", &salted, true), Some(("openssl", false)));
        let raw = random(4096, 2);
        assert_eq!(container("enc", &raw, true), Some(("openssl", true)));
        assert_eq!(container("hc", &raw, true), Some(("veracrypt", true)));
        assert_eq!(container("enc", &raw, false), None);
        assert_eq!(container("bin", &raw, true), None);
        // Without its magic, age is not age: its extension alone names nothing.
        assert_eq!(container("age", &raw, true), None);
    }

    #[test]
    fn signatures_at_offsets_and_within_a_head() {
        let mut dicom = vec![0u8; 128];
        dicom.extend(b"DICM\x02\x00");
        assert_eq!(identify(&dicom), Some("dicom"));
        let mut pdf = b"\xEF\xBB\xBF junk before the header ".to_vec();
        pdf.extend(b"%PDF-1.7\n");
        assert_eq!(identify(&pdf), Some("pdf"));
        let mut access = b"\x00\x01\x00\x00".to_vec();
        access.extend(b"Standard ACE DB\0");
        assert_eq!(identify(&access), Some("access"));
        assert_eq!(identify(b"PK\x03\x04rest"), Some("zip"));
        assert_eq!(identify(b"PK\x03"), None, "a signature longer than the bytes");
        assert!(promised("docx").iter().any(|f| f.name == "zip"));
        assert!(promised("jtd").iter().any(|f| f.name == "ole2"));
        assert!(promised("lockbit").is_empty());
    }

    #[test]
    fn text_in_the_encodings_hospitals_keep() {
        let csv = "患者ID,氏名,診療科\r\n0001,山田 太郎,内科\r\n";
        assert!(is_text(csv.as_bytes()));
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(csv);
        assert!(std::str::from_utf8(&sjis).is_err());
        assert!(is_text(&sjis));
        let (euc, _, _) = encoding_rs::EUC_JP.encode(csv);
        assert!(is_text(&euc));
        let mut utf16 = vec![0xFF, 0xFE];
        csv.encode_utf16().for_each(|u| utf16.extend(u.to_le_bytes()));
        assert!(is_text(&utf16));
        assert!(is_text(b""));
        // A character cut by the end of the bytes looked at.
        let long = "診療記録".repeat(TEXT_HEAD / 12 + 1);
        assert!(is_text(long.as_bytes()));
        for n in [16, 300, 4096, 65536] {
            assert!(!is_text(&random(n, n as u64)), "{n} random bytes are not text");
        }
        assert!(!is_text(b"name\0value\0"), "NUL");
    }
}
