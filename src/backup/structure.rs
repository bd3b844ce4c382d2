//! Whether an archive or image on a backup medium is whole: zip (central directory, then every
//! entry read through and its CRC-32 compared), gzip (every member's CRC-32 and ISIZE), tar
//! (every header's checksum, entries walked to the end-of-archive blocks; inside a gzip too),
//! VHD (footer and dynamic header checksums, blocks inside the file), VHDX (header, region table
//! and log CRC-32C, BAT bounds); database backups in [`super::database`]. A damaged one is
//! reported with the position where it breaks.

use std::io::{self, Read, Seek};

use serde::Serialize;

use crate::formats::bytes;

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
    let mut tail = Tail::default();
    let result = read_up_to(&mut decoder, &mut head).and_then(|n| {
        tail.keep(&head[..n]);
        let tar = (format_of(&head[..n]) == Some("tar"))
            .then(|| walk_tar(io::Cursor::new(head[..n].to_vec()).chain(&mut decoder), "tar.gz"));
        io::copy(&mut decoder, &mut tail)?;
        Ok((n, tar))
    });
    drop(decoder);
    match result {
        Ok((_, Some(tar))) => tar,
        Ok((n, None)) => match super::database::dump_kind(&head[..n]) {
            // A dump piped into gzip: the gzip can be whole around a dump that stopped early.
            Some(kind) => super::database::check_dump(kind, kind.gzip_format, &tail.last, tail.seen),
            None => Structure { format: "gzip", ok: true, entries: 1, problem: None, position: None },
        },
        Err(e) => Structure::bad("gzip", 0, e.to_string(), Some(counting.read)),
    }
}

/// The last bytes of a stream written through it, and how many were written.
#[derive(Default)]
struct Tail {
    last: Vec<u8>,
    seen: u64,
}

impl Tail {
    const KEEP: usize = 4096;

    fn keep(&mut self, bytes: &[u8]) {
        self.seen += bytes.len() as u64;
        let bytes = &bytes[bytes.len().saturating_sub(Self::KEEP)..];
        let drop = (self.last.len() + bytes.len()).saturating_sub(Self::KEEP);
        self.last.drain(..drop);
        self.last.extend_from_slice(bytes);
    }
}

impl io::Write for Tail {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.keep(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Reads until `buf` is full or the input ends; the count read.
pub(crate) fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
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

/// The disk-image format the first bytes — or, for a fixed VHD, the last 512 — or the name
/// announce: vhd, vhdx. A `.vhd`/`.vhdx` whose bytes say nothing is checked as one (and found
/// damaged).
pub fn image_format_of(name: &str, head: &[u8], tail: &[u8]) -> Option<&'static str> {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if head.starts_with(b"vhdxfile") || ext.as_deref() == Some("vhdx") {
        Some("vhdx")
    } else if head.starts_with(b"conectix")
        || tail.len() >= 512 && tail[tail.len() - 512..].starts_with(b"conectix")
        || ext.as_deref() == Some("vhd")
    {
        Some("vhd")
    } else {
        None
    }
}

pub(crate) fn read_at<R: Read + Seek>(r: &mut R, at: u64, len: usize) -> io::Result<Vec<u8>> {
    r.seek(io::SeekFrom::Start(at))?;
    let mut buf = vec![0u8; len];
    r.read_exact(&mut buf)?;
    Ok(buf)
}

// Out of range reads as 0, never a panic: the callers read blocks of the size they checked.
fn be32(b: &[u8], at: usize) -> u32 {
    bytes::be_u32(b, at).unwrap_or(0)
}

fn be64(b: &[u8], at: usize) -> u64 {
    bytes::be_u64(b, at).unwrap_or(0)
}

fn le32(b: &[u8], at: usize) -> u32 {
    bytes::le_u32(b, at).unwrap_or(0)
}

fn le64(b: &[u8], at: usize) -> u64 {
    bytes::le_u64(b, at).unwrap_or(0)
}

/// VHD's checksum: the ones' complement of the byte sum, the checksum field left out.
fn vhd_sum(block: &[u8], field: usize) -> u32 {
    let sum = block
        .iter()
        .enumerate()
        .filter(|(i, _)| !(field..field + 4).contains(i))
        .fold(0u32, |a, (_, &b)| a.wrapping_add(u32::from(b)));
    !sum
}

/// VHD: the footer at the end — cookie and checksum — and for a dynamic or differencing disk
/// its copy at the start, the dynamic header's checksum, and every allocated block inside the file.
pub fn check_vhd<R: Read + Seek>(mut r: R, size: u64) -> Structure {
    let bad = |problem: String, at: u64| Structure::bad("vhd", 0, problem, Some(at));
    let footer_at = size.saturating_sub(512);
    let footer = match read_at(&mut r, footer_at, 512) {
        Ok(f) => f,
        Err(e) => return bad(format!("footer unreadable: {e}"), footer_at),
    };
    if !footer.starts_with(b"conectix") {
        return bad("no footer (cookie conectix) at the end: truncated?".into(), footer_at);
    }
    if vhd_sum(&footer, 64) != be32(&footer, 64) {
        return bad("footer checksum mismatch".into(), footer_at);
    }
    let disk_type = be32(&footer, 60);
    if disk_type == 2 {
        let disk = be64(&footer, 48);
        if disk + 512 != size {
            return bad(format!("fixed disk of {disk} bytes, but the file holds {}", size - 512), footer_at);
        }
        return Structure { format: "vhd", ok: true, entries: 0, problem: None, position: None };
    }
    match read_at(&mut r, 0, 512) {
        Ok(copy) if copy == footer => {}
        Ok(_) => return bad("the footer's copy at the start differs from the footer".into(), 0),
        Err(e) => return bad(format!("footer copy unreadable: {e}"), 0),
    }
    let header_at = be64(&footer, 16);
    let header = match read_at(&mut r, header_at, 1024) {
        Ok(h) if h.starts_with(b"cxsparse") => h,
        Ok(_) => return bad("no dynamic disk header (cookie cxsparse)".into(), header_at),
        Err(e) => return bad(format!("dynamic disk header unreadable: {e}"), header_at),
    };
    if vhd_sum(&header, 36) != be32(&header, 36) {
        return bad("dynamic disk header checksum mismatch".into(), header_at);
    }
    let (table_at, entries, block) = (be64(&header, 16), u64::from(be32(&header, 28)), u64::from(be32(&header, 32)));
    let bitmap = (block / 512).div_ceil(8).div_ceil(512) * 512;
    let table = match read_at(&mut r, table_at, (entries.min(1 << 24) * 4) as usize) {
        Ok(t) => t,
        Err(e) => return bad(format!("block allocation table unreadable: {e}"), table_at),
    };
    let mut used = 0u64;
    for (i, e) in table.chunks_exact(4).enumerate() {
        let sector = u32::from_be_bytes([e[0], e[1], e[2], e[3]]);
        if sector == u32::MAX {
            continue;
        }
        used += 1;
        if u64::from(sector) * 512 + bitmap + block > footer_at {
            return bad(format!("block {i} lies past the end of the file"), table_at + 4 * i as u64);
        }
    }
    Structure { format: "vhd", ok: true, entries: used, problem: None, position: None }
}

/// CRC-32C (Castagnoli), as VHDX uses it.
fn crc32c(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0x82F6_3B78 } else { crc >> 1 };
        }
    }
    !crc
}

/// Whether a VHDX structure's CRC-32C (at offset 4, taken with the field zeroed) holds.
fn vhdx_crc_ok(block: &[u8]) -> bool {
    let mut copy = block.to_vec();
    copy[4..8].fill(0);
    crc32c(&copy) == le32(block, 4)
}

/// The BAT region's GUID, as stored.
const VHDX_BAT: [u8; 16] =
    [0x66, 0x77, 0xC2, 0x2D, 0x23, 0xF6, 0x00, 0x42, 0x9D, 0x64, 0x11, 0x5E, 0x9B, 0xFD, 0x4A, 0x08];

/// VHDX: the file identifier, the two headers and two region tables (CRC-32C; at least one of
/// each must hold), the active log's entries (CRC-32C), and every present block inside the file.
pub fn check_vhdx<R: Read + Seek>(mut r: R, size: u64) -> Structure {
    let bad = |problem: String, at: u64| Structure::bad("vhdx", 0, problem, Some(at));
    match read_at(&mut r, 0, 8) {
        Ok(id) if id == b"vhdxfile" => {}
        _ => return bad("no file identifier (vhdxfile)".into(), 0),
    }
    let mut current: Option<Vec<u8>> = None;
    for at in [64 * 1024u64, 128 * 1024] {
        match read_at(&mut r, at, 4096) {
            Ok(h) if h.starts_with(b"head") && vhdx_crc_ok(&h) => {
                if current.as_ref().is_none_or(|c| le64(&h, 8) > le64(c, 8)) {
                    current = Some(h);
                }
            }
            Ok(_) | Err(_) => {}
        }
    }
    let Some(header) = current else {
        return bad("neither header is valid (signature head, CRC-32C)".into(), 64 * 1024);
    };
    let mut regions = None;
    for at in [192 * 1024u64, 256 * 1024] {
        if let Ok(t) = read_at(&mut r, at, 64 * 1024)
            && t.starts_with(b"regi")
            && vhdx_crc_ok(&t)
        {
            regions = Some(t);
            break;
        }
    }
    let Some(regions) = regions else {
        return bad("neither region table is valid (signature regi, CRC-32C)".into(), 192 * 1024);
    };
    // An active log (its GUID set) holds entries still to be replayed: each must hold.
    let log_guid = &header[48..64];
    if log_guid.iter().any(|&b| b != 0) {
        let (log_len, log_at) = (u64::from(le32(&header, 68)), le64(&header, 72));
        let mut offset = 0u64;
        while offset + 4096 <= log_len {
            let Ok(h) = read_at(&mut r, log_at + offset, 64) else { break };
            if !h.starts_with(b"loge") || &h[32..48] != log_guid {
                break;
            }
            let len = u64::from(le32(&h, 8));
            if len < 4096 || offset + len > log_len {
                return bad("log entry with an impossible length".into(), log_at + offset);
            }
            match read_at(&mut r, log_at + offset, len as usize) {
                Ok(entry) if vhdx_crc_ok(&entry) => offset += len,
                Ok(_) => return bad("log entry CRC-32C mismatch".into(), log_at + offset),
                Err(e) => return bad(format!("log entry unreadable: {e}"), log_at + offset),
            }
        }
    }
    let count = le32(&regions, 8) as usize;
    let mut present = 0u64;
    for i in 0..count.min(2047) {
        let e = &regions[16 + 32 * i..16 + 32 * i + 32];
        let (at, len) = (le64(e, 16), u64::from(le32(e, 24)));
        if at + len > size {
            return bad(format!("region {i} lies past the end of the file"), 192 * 1024 + 16 + 32 * i as u64);
        }
        if e[..16] != VHDX_BAT {
            continue;
        }
        let bat = match read_at(&mut r, at, len.min(1 << 28) as usize) {
            Ok(b) => b,
            Err(e) => return bad(format!("block allocation table unreadable: {e}"), at),
        };
        for (k, entry) in bat.chunks_exact(8).enumerate() {
            let v = le64(entry, 0);
            let (state, offset) = (v & 7, (v >> 20) << 20);
            if matches!(state, 6 | 7) {
                present += 1;
                if offset < 1 << 20 || offset >= size {
                    return bad(format!("BAT entry {k} points outside the file ({offset})"), at + 8 * k as u64);
                }
            }
        }
    }
    Structure { format: "vhdx", ok: true, entries: present, problem: None, position: None }
}
