//! Text in whatever encoding it was written: a byte-order mark, UTF-16 without one, UTF-8, or one
//! of the legacy code pages the languages of ransom notes are written in (Shift-JIS, EUC-JP,
//! GB18030, Big5, EUC-KR, Windows-1251, -1252, -1254, -1256, -1258); HTML, HTA and RTF read as the
//! text they show. Bytes that are not text (a NUL outside UTF-16, control bytes) give no reading.

use std::borrow::Cow;

use encoding_rs::Encoding;

/// One way of reading bytes as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
    /// The text, markup taken away.
    pub text: String,
    /// The encoding it was read in (`UTF-8`, `UTF-16LE`, `windows-1251` …).
    pub encoding: &'static str,
    /// `html` or `rtf` when the bytes were markup.
    pub markup: Option<&'static str>,
}

/// The multi-byte legacy encodings, tried in turn: each refuses most bytes that are not its own.
const MULTI_BYTE: [&Encoding; 5] =
    [encoding_rs::SHIFT_JIS, encoding_rs::EUC_JP, encoding_rs::GB18030, encoding_rs::BIG5, encoding_rs::EUC_KR];
/// The single-byte ones, which read any bytes: Cyrillic, Western, Turkish, Arabic, Vietnamese.
const SINGLE_BYTE: [&Encoding; 5] = [
    encoding_rs::WINDOWS_1251,
    encoding_rs::WINDOWS_1252,
    encoding_rs::WINDOWS_1254,
    encoding_rs::WINDOWS_1256,
    encoding_rs::WINDOWS_1258,
];

/// The readings of `bytes` as text, the surest first: one for a byte-order mark, UTF-16 by its
/// pattern of zero bytes, or valid UTF-8; else one per legacy encoding that reads them. Empty
/// when the bytes are not text.
pub fn readings(bytes: &[u8]) -> Vec<Reading> {
    let sure = |encoding: &'static Encoding, body: &[u8]| {
        let text = encoding.decode_without_bom_handling(body).0.into_owned();
        vec![reading(text, encoding.name())]
    };
    if let Some(body) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return sure(encoding_rs::UTF_8, body);
    }
    if let Some(body) = bytes.strip_prefix(b"\xFF\xFE") {
        return sure(encoding_rs::UTF_16LE, body);
    }
    if let Some(body) = bytes.strip_prefix(b"\xFE\xFF") {
        return sure(encoding_rs::UTF_16BE, body);
    }
    if let Some(encoding) = utf16_by_zeros(bytes) {
        return sure(encoding, bytes);
    }
    if memchr::memchr(0, bytes).is_some() || control_bytes(bytes) * 100 > bytes.len() {
        return Vec::new();
    }
    if bytes.starts_with(b"{\\rtf") {
        return vec![Reading { text: rtf_text(bytes), encoding: "RTF", markup: Some("rtf") }];
    }
    if let Some(text) = strict(encoding_rs::UTF_8, bytes) {
        return vec![reading(text, "UTF-8")];
    }
    let multi = MULTI_BYTE.iter().filter_map(|&e| strict(e, bytes).map(|t| reading(t, e.name())));
    let single = SINGLE_BYTE.iter().map(|&e| reading(e.decode_without_bom_handling(bytes).0.into_owned(), e.name()));
    multi.chain(single).collect()
}

fn reading(text: String, encoding: &'static str) -> Reading {
    match html_text(&text) {
        Some(plain) => Reading { text: plain, encoding, markup: Some("html") },
        None => Reading { text, encoding, markup: None },
    }
}

/// UTF-16 without a byte-order mark: zero bytes on one side of the pairs (spaces, digits and
/// Latin or Cyrillic letters of a text have a zero or near-zero high byte), next to none on the
/// other (一 is 4E 00).
fn utf16_by_zeros(bytes: &[u8]) -> Option<&'static Encoding> {
    if bytes.len() < 16 {
        return None;
    }
    let head = &bytes[..bytes.len().min(4096) & !1];
    let pairs = head.len() / 2;
    let zeros = |side: usize| head.iter().skip(side).step_by(2).filter(|&&b| b == 0).count();
    let (even, odd) = (zeros(0), zeros(1));
    match (even * 10 >= pairs && odd * 50 < pairs, odd * 10 >= pairs && even * 50 < pairs) {
        (true, false) => Some(encoding_rs::UTF_16BE),
        (false, true) => Some(encoding_rs::UTF_16LE),
        _ => None,
    }
}

/// Control bytes that text does not hold (tab, line ends, form feed and escape are text).
fn control_bytes(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b)) || b == 0x7f).count()
}

/// The bytes decoded without a replacement; the last three may be a character cut in two (a
/// file read short) and are let go.
pub fn strict(encoding: &'static Encoding, bytes: &[u8]) -> Option<String> {
    (0..4).filter_map(|drop| bytes.len().checked_sub(drop)).find_map(|end| {
        encoding.decode_without_bom_handling_and_without_replacement(&bytes[..end]).map(Cow::into_owned)
    })
}

/// Markup opens within its first kilobyte with one of these (lower case).
const HTML_OPENINGS: [&str; 7] = ["<!doctype html", "<html", "<head", "<body", "<hta:", "<div", "<p>"];

/// The text an HTML or HTA document shows: scripts, styles and tags taken away, entities read;
/// None when the text is not markup.
fn html_text(text: &str) -> Option<String> {
    let head: String = text.chars().take(1024).collect::<String>().to_lowercase();
    if !HTML_OPENINGS.iter().any(|o| head.contains(o)) {
        return None;
    }
    let mut out = String::with_capacity(text.len() / 2);
    let lower = text.to_lowercase();
    // Lower-casing can change lengths (rare letters): then cut by the original only.
    let same = lower.len() == text.len();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        if rest.starts_with('<') {
            let lower_rest = if same { lower.get(i..).unwrap_or("") } else { "" };
            let skip_to = ["script", "style"]
                .into_iter()
                .find(|t| lower_rest.get(1..).is_some_and(|r| r.starts_with(t)))
                .and_then(|t| lower_rest.find(&format!("</{t}")).map(|at| i + at + 2 + t.len()));
            let from = skip_to.unwrap_or(i);
            match text[from..].find('>') {
                Some(end) => {
                    i = from + end + 1;
                    out.push(' ');
                }
                None => break,
            }
        } else if rest.starts_with('&') {
            let (c, used) = entity(rest);
            out.push(c);
            i += used;
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    Some(out)
}

/// The named character references notes use (markup, punctuation, the accented letters of the
/// Latin-script languages).
const NAMED: [(&str, char); 40] = [
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", ' '),
    ("rsquo", '\''),
    ("lsquo", '\''),
    ("rdquo", '"'),
    ("ldquo", '"'),
    ("laquo", '«'),
    ("raquo", '»'),
    ("hellip", '…'),
    ("mdash", '—'),
    ("ndash", '–'),
    ("copy", '©'),
    ("bull", '•'),
    ("middot", '·'),
    ("eacute", 'é'),
    ("egrave", 'è'),
    ("ecirc", 'ê'),
    ("euml", 'ë'),
    ("agrave", 'à'),
    ("aacute", 'á'),
    ("acirc", 'â'),
    ("atilde", 'ã'),
    ("auml", 'ä'),
    ("ccedil", 'ç'),
    ("iacute", 'í'),
    ("icirc", 'î'),
    ("ntilde", 'ñ'),
    ("oacute", 'ó'),
    ("ocirc", 'ô'),
    ("otilde", 'õ'),
    ("ouml", 'ö'),
    ("uacute", 'ú'),
    ("ugrave", 'ù'),
    ("ucirc", 'û'),
    ("uuml", 'ü'),
    ("szlig", 'ß'),
];

/// One character reference at the start of `s`, and the bytes it took (a lone `&` is itself).
fn entity(s: &str) -> (char, usize) {
    let Some(end) = s.bytes().take(12).position(|b| b == b';') else { return ('&', 1) };
    let name = &s[1..end];
    let named = NAMED.iter().find(|(n, _)| *n == name).map(|(_, c)| *c);
    let c = match named {
        Some(c) => Some(c),
        None => name
            .strip_prefix("#x")
            .or_else(|| name.strip_prefix("#X"))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
            .and_then(char::from_u32),
    };
    match c {
        Some(c) => (c, end + 1),
        None => ('&', 1),
    }
}

/// The text of an RTF document: groups of fonts, colours, styles and pictures dropped, control
/// words taken away, `\'hh` read in the document's code page (`\ansicpgN`) and `\uN` as Unicode.
fn rtf_text(bytes: &[u8]) -> String {
    let mut encoding = encoding_rs::WINDOWS_1252;
    let mut out = String::new();
    let mut pending: Vec<u8> = Vec::new();
    // Depth of braces, and the depth below which a skipped group ends.
    let (mut depth, mut skip_below) = (0usize, None::<usize>);
    let mut i = 0;
    let flush = |pending: &mut Vec<u8>, out: &mut String, encoding: &'static Encoding| {
        if !pending.is_empty() {
            out.push_str(&encoding.decode_without_bom_handling(pending).0);
            pending.clear();
        }
    };
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'{' => {
                depth += 1;
                i += 1;
            }
            b'}' => {
                if skip_below == Some(depth) {
                    skip_below = None;
                }
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'\\' => {
                let (word, arg, used) = control(&bytes[i + 1..]);
                i += 1 + used;
                if skip_below.is_some() {
                    continue;
                }
                match word.as_str() {
                    "'" => {
                        if let Some(h) = bytes.get(i..i + 2).and_then(|h| std::str::from_utf8(h).ok()) {
                            if let Ok(v) = u8::from_str_radix(h, 16) {
                                pending.push(v);
                            }
                            i += 2;
                        }
                    }
                    "u" => {
                        flush(&mut pending, &mut out, encoding);
                        let unit = arg.unwrap_or(0);
                        out.push(char::from_u32(if unit < 0 { unit + 65536 } else { unit } as u32).unwrap_or(' '));
                        // The fallback character after \uN.
                        if bytes.get(i).is_some_and(|&c| c != b'\\' && c != b'{' && c != b'}') {
                            i += 1;
                        }
                    }
                    "ansicpg" => encoding = code_page(arg.unwrap_or(1252)),
                    "fonttbl" | "colortbl" | "stylesheet" | "info" | "pict" | "*" | "generator" => {
                        skip_below = Some(depth)
                    }
                    "par" | "line" | "tab" | "\n" | "\r" => {
                        flush(&mut pending, &mut out, encoding);
                        out.push('\n');
                    }
                    w if w.len() == 1 && !w.as_bytes()[0].is_ascii_alphabetic() => {
                        flush(&mut pending, &mut out, encoding);
                        out.push_str(w);
                    }
                    _ => {}
                }
            }
            b'\r' | b'\n' => i += 1,
            _ => {
                if skip_below.is_none() {
                    pending.push(b);
                }
                i += 1;
            }
        }
    }
    flush(&mut pending, &mut out, encoding);
    out
}

/// A control word after a backslash: its letters, its numeric argument and the bytes taken
/// (with the one space that ends it); a symbol is one character.
fn control(rest: &[u8]) -> (String, Option<i32>, usize) {
    let letters = rest.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if letters == 0 {
        return rest.first().map_or((String::new(), None, 0), |&c| ((c as char).to_string(), None, 1));
    }
    let word = String::from_utf8_lossy(&rest[..letters]).into_owned();
    let minus = usize::from(rest.get(letters) == Some(&b'-'));
    let digits = rest[letters + minus..].iter().take_while(|b| b.is_ascii_digit()).count();
    let arg = (digits > 0)
        .then(|| std::str::from_utf8(&rest[letters..letters + minus + digits]).ok()?.parse::<i32>().ok())
        .flatten();
    let mut used = letters + minus + digits;
    if rest.get(used) == Some(&b' ') {
        used += 1;
    }
    (word, arg, used)
}

/// The encoding of a Windows code page number (an RTF `\ansicpg`).
fn code_page(n: i32) -> &'static Encoding {
    let label = match n {
        932 => "shift_jis".to_string(),
        936 => "gbk".to_string(),
        949 => "euc-kr".to_string(),
        950 => "big5".to_string(),
        n => format!("windows-{n}"),
    };
    Encoding::for_label(label.as_bytes()).unwrap_or(encoding_rs::WINDOWS_1252)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(bytes: &[u8]) -> Reading {
        readings(bytes).into_iter().next().unwrap()
    }

    #[test]
    fn byte_order_marks_and_utf16_without_one() {
        let le: Vec<u8> = "Ваши файлы".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let with_bom = [&[0xFF, 0xFE][..], &le].concat();
        assert_eq!(first(&with_bom).text, "Ваши файлы");
        assert_eq!(first(&with_bom).encoding, "UTF-16LE");
        let latin: Vec<u8> = "Your files are encrypted".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(first(&latin).encoding, "UTF-16BE");
        assert_eq!(first(&latin).text, "Your files are encrypted");
        let cyrillic: Vec<u8> = "Все ваши файлы 1 2 3 зашифрованы".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(first(&cyrillic).text, "Все ваши файлы 1 2 3 зашифрованы");
    }

    #[test]
    fn legacy_code_pages_are_each_read() {
        for (text, encoding) in [
            ("Ваши файлы зашифрованы", encoding_rs::WINDOWS_1251),
            ("您的文件已被加密", encoding_rs::GB18030),
            ("您的檔案已被加密", encoding_rs::BIG5),
            ("파일이 암호화되었습니다", encoding_rs::EUC_KR),
            ("ファイルは暗号化されました", encoding_rs::SHIFT_JIS),
            ("Dosyalarınız şifrelendi", encoding_rs::WINDOWS_1254),
        ] {
            let (bytes, _, bad) = encoding.encode(text);
            assert!(!bad, "{text}");
            let all = readings(&bytes);
            assert!(all.iter().any(|r| r.text == text), "{text}: {all:?}");
        }
    }

    #[test]
    fn binary_is_no_text() {
        assert!(readings(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0").is_empty());
        assert!(readings(&[0x01, 0x02, 0x03, 0x04, b'a', b'b']).is_empty());
    }

    #[test]
    fn html_shows_its_text() {
        let page = "<!DOCTYPE html><html><head><style>p{color:red}</style><script>var x='<b>';</script></head>\
                    <body><p>Your files are&nbsp;encrypted &amp; stolen &#x4E2D;&#25991;</p></body></html>";
        let r = first(page.as_bytes());
        assert_eq!(r.markup, Some("html"));
        let words: Vec<&str> = r.text.split_whitespace().collect();
        assert_eq!(words, ["Your", "files", "are", "encrypted", "&", "stolen", "中文"]);
    }

    #[test]
    fn rtf_shows_its_text_in_its_code_page() {
        let rtf = b"{\\rtf1\\ansi\\ansicpg1251\\deff0{\\fonttbl{\\f0 Arial;}}{\\colortbl;\\red0;}\
                    \\f0\\fs20 \\'c2\\'e0\\'f8\\'e8 files\\par \\u1092?\\u1072?\\u1081?\\u1083? done}";
        let r = first(rtf);
        assert_eq!(r.markup, Some("rtf"));
        assert_eq!(r.text.split_whitespace().collect::<Vec<_>>(), ["Ваши", "files", "файл", "done"]);
    }

    #[test]
    fn cut_and_malformed_bytes_do_not_panic() {
        let entity_cut = "<html><p>&lt;dir&gt;\u{a0}\u{a0}&\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}; x</p>";
        for bytes in [
            &b"{\\rtf1\\'"[..],
            b"{\\rtf1\\u-",
            b"<html>&#xFFFFFFFF; &#99999999999; <p",
            b"\xE3\x81",
            entity_cut.as_bytes(),
        ] {
            let _ = readings(bytes);
        }
        assert_eq!(first("テキスト".as_bytes()).text, "テキスト");
        assert_eq!(first(&"テキスト".as_bytes()[..11]).text, "テキス");
    }
}
