//! Whether an archive on a backup medium is whole: zip (central directory, then every entry read
//! through and its CRC-32 compared), gzip (every member's CRC-32 and ISIZE), tar (every header's
//! checksum, entries walked to the end-of-archive blocks; inside a gzip too). A damaged archive
//! is reported with the position where it breaks.

use std::io::{self, Read, Seek};

use serde::Serialize;

/// What the check of one archive found.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Structure {
    /// zip | gzip | tar | tar.gz.
    pub format: &'static str,
    /// Whole and consistent.
    pub ok: bool,
    /// Entries (zip, tar) or members (gzip) read.
    pub entries: u64,
    /// What is wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// Where (byte offset in the file, or in the decompressed stream for a tar inside a gzip).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<u64>,
}

impl Structure {
    fn bad(format: &'static str, entries: u64, problem: String, position: Option<u64>) -> Structure {
        Structure { format, ok: false, entries, problem: Some(problem), position }
    }
}

/// The archive format the first bytes announce (and the name, for tar, whose magic may be absent).
pub fn format_of(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Some("zip")
    } else if head.starts_with(&[0x1F, 0x8B]) {
        Some("gzip")
    } else if head.get(257..262) == Some(b"ustar") {
        Some("tar")
    } else {
        None
    }
}

/// Checks a zip archive: its central directory, then every entry read to the end (the reader
/// compares each entry's CRC-32 as it finishes).
pub fn check_zip<R: Read + Seek>(reader: R) -> Structure {
    let mut archive = match zip::ZipArchive::new(reader) {
        Ok(a) => a,
        Err(e) => return Structure::bad("zip", 0, format!("central directory: {e}"), None),
    };
    let mut buf = vec![0u8; 1 << 16];
    for i in 0..archive.len() {
        let mut entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(e) => return Structure::bad("zip", i as u64, format!("entry {i}: {e}"), None),
        };
        let (name, at) =
            (entry.name().map(|n| n.to_string()).unwrap_or_else(|_| format!("#{i}")), entry.header_start());
        if entry.encrypted() {
            return Structure::bad("zip", i as u64, format!("entry {name}: encrypted (cannot be checked)"), Some(at));
        }
        loop {
            match entry.read(&mut buf) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => return Structure::bad("zip", i as u64, format!("entry {name}: {e}"), Some(at)),
            }
        }
    }
    Structure { format: "zip", ok: true, entries: archive.len() as u64, problem: None, position: None }
}

/// Counts the bytes read through it.
struct Counting<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// Checks a gzip stream (every member's CRC-32 and size); a tar inside is walked as well. The
/// position of a damaged member is the compressed bytes read when the damage showed.
pub fn check_gzip<R: Read>(reader: R) -> Structure {
    let mut counting = Counting { inner: reader, read: 0 };
    let mut decoder = flate2::read::MultiGzDecoder::new(&mut counting);
    let mut head = [0u8; 512];
    let result = read_up_to(&mut decoder, &mut head).and_then(|n| {
        let tar = (format_of(&head[..n]) == Some("tar"))
            .then(|| walk_tar(io::Cursor::new(head[..n].to_vec()).chain(&mut decoder), "tar.gz"));
        io::copy(&mut decoder, &mut io::sink())?;
        Ok(tar)
    });
    drop(decoder);
    match result {
        Ok(Some(tar)) => tar,
        Ok(None) => Structure { format: "gzip", ok: true, entries: 1, problem: None, position: None },
        Err(e) => Structure::bad("gzip", 0, e.to_string(), Some(counting.read)),
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Checks a tar stream.
pub fn check_tar<R: Read>(reader: R) -> Structure {
    walk_tar(reader, "tar")
}

/// Walks tar headers: each header's checksum (unsigned sum with the checksum field as spaces),
/// each entry's data skipped by its size, two zero blocks at the end.
fn walk_tar<R: Read>(mut reader: R, format: &'static str) -> Structure {
    let mut block = [0u8; 512];
    let mut at = 0u64;
    let mut entries = 0u64;
    loop {
        match read_up_to(&mut reader, &mut block) {
            Ok(512) => {}
            Ok(0) => return Structure::bad(format, entries, "ends without the end-of-archive blocks".into(), Some(at)),
            Ok(n) => return Structure::bad(format, entries, format!("truncated header ({n} of 512 bytes)"), Some(at)),
            Err(e) => return Structure::bad(format, entries, e.to_string(), Some(at)),
        }
        if block.iter().all(|&b| b == 0) {
            return Structure { format, ok: true, entries, problem: None, position: None };
        }
        let stored = octal(&block[148..156]);
        let sum: u64 =
            block.iter().enumerate().map(|(i, &b)| if (148..156).contains(&i) { 32 } else { u64::from(b) }).sum();
        if stored != Some(sum) {
            return Structure::bad(
                format,
                entries,
                format!("header checksum mismatch (entry {})", entries + 1),
                Some(at),
            );
        }
        let Some(size) = octal(&block[124..136]) else {
            return Structure::bad(format, entries, "unreadable entry size".into(), Some(at));
        };
        entries += 1;
        at += 512;
        let data = size.div_ceil(512) * 512;
        match io::copy(&mut (&mut reader).take(data), &mut io::sink()) {
            Ok(n) if n == data => at += data,
            Ok(n) => {
                return Structure::bad(
                    format,
                    entries,
                    format!("entry {entries} truncated ({n} of {data} bytes)"),
                    Some(at + n),
                );
            }
            Err(e) => return Structure::bad(format, entries, e.to_string(), Some(at)),
        }
    }
}

/// An octal field (NUL or space terminated); base-256 sizes (first byte 0x80) too.
fn octal(field: &[u8]) -> Option<u64> {
    if field.first().is_some_and(|b| b & 0x80 != 0) {
        return Some(field[1..].iter().fold(0u64, |a, &b| (a << 8) | u64::from(b)));
    }
    let text: String = field.iter().take_while(|&&b| b != 0).map(|&b| b as char).collect();
    let text = text.trim();
    if text.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(text, 8).ok()
}
