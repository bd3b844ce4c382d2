//! File names from evidence as text, losslessly: bytes that are not UTF-8 (a Shift-JIS name on
//! ext4 or FAT), `%` and `\` are written as `%XX`, so every name round-trips and no name can
//! become a path separator on a Windows machine that extracts the evidence.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

/// The lossless text form of a relative path (`/`-separated).
pub fn escape(path: &OsStr) -> String {
    let mut out = String::new();
    for chunk in path.as_bytes().utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '%' | '\\' => push_hex(&mut out, c as u8),
                c if c.is_control() => c.to_string().bytes().for_each(|b| push_hex(&mut out, b)),
                c => out.push(c),
            }
        }
        chunk.invalid().iter().for_each(|&b| push_hex(&mut out, b));
    }
    out
}

fn push_hex(out: &mut String, b: u8) {
    out.push_str(&format!("%{b:02X}"));
}

/// The bytes of an escaped path.
pub fn unescape(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// The name read as Shift-JIS, when it is not UTF-8 but is clean Shift-JIS (for people only).
pub fn shift_jis(path: &OsStr) -> Option<String> {
    let bytes = path.as_bytes();
    if std::str::from_utf8(bytes).is_ok() {
        return None;
    }
    let (text, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes);
    (!had_errors).then(|| text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_names_stay_readable() {
        assert_eq!(
            escape(OsStr::new("Users/山田/Desktop/読んでください.txt")),
            "Users/山田/Desktop/読んでください.txt"
        );
    }

    #[test]
    fn shift_jis_bytes_round_trip_and_decode() {
        let raw = b"docs/\x8c\x9f\x8d\xb8.txt"; // 検査 in Shift-JIS
        let name = OsStr::from_bytes(raw);
        let text = escape(name);
        assert_eq!(text, "docs/%8C%9F%8D%B8.txt");
        assert_eq!(unescape(&text), raw);
        assert_eq!(shift_jis(name).as_deref(), Some("docs/検査.txt"));
    }

    #[test]
    fn backslash_and_percent_cannot_smuggle_separators() {
        let name = OsStr::new("..\\..\\Windows\\evil 100%.txt");
        let text = escape(name);
        assert!(!text.contains('\\'));
        assert_eq!(unescape(&text), name.as_bytes());
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape(OsStr::new("a\nb")), "a%0Ab");
    }
}
