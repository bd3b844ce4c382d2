//! Whether a database backup on a medium is whole — the backups a hospital restores its
//! electronic records from:
//! - SQL Server `.bak` (Microsoft Tape Format 1.00a): every descriptor block's header checksum,
//!   every stream header's checksum, streams followed by their lengths from block to block up to
//!   the end-of-set block (ESET). A file that ends inside a stream or before its ESET was cut.
//! - Plain SQL dumps of pg_dump, pg_dumpall and mysqldump/MariaDB (also inside gzip): the
//!   completion line each writes last. A dump without it stopped before it finished.
//! - SQLite files: the size the header promises (pages × page size) against the file's.
//!
//! Only what is certain is called damaged: a block type this walk does not know, or a layout it
//! cannot follow, ends the walk with the file counted whole and the reason kept.

use std::io::{Read, Seek};

use super::structure::{Structure, read_at};

use crate::formats::bytes;

/// The database-backup format the first bytes announce.
pub fn format_of(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"TAPE") {
        Some("mtf")
    } else if head.starts_with(b"SQLite format 3\0") {
        Some("sqlite")
    } else {
        dump_kind(head).map(|k| k.format)
    }
}

/// A plain SQL dump tool: how its output begins and the line it writes when it finishes.
#[derive(Clone, Copy)]
pub struct DumpKind {
    /// `pg_dump`, `pg_dumpall`, `mysqldump`.
    pub format: &'static str,
    /// The same, inside gzip.
    pub gzip_format: &'static str,
    heading: &'static str,
    completion: &'static str,
}

const DUMPS: [DumpKind; 4] = [
    DumpKind {
        format: "pg_dumpall",
        gzip_format: "pg_dumpall.gz",
        heading: "-- PostgreSQL database cluster dump",
        completion: "-- PostgreSQL database cluster dump complete",
    },
    DumpKind {
        format: "pg_dump",
        gzip_format: "pg_dump.gz",
        heading: "-- PostgreSQL database dump",
        completion: "-- PostgreSQL database dump complete",
    },
    DumpKind {
        format: "mysqldump",
        gzip_format: "mysqldump.gz",
        heading: "-- MySQL dump ",
        completion: "-- Dump completed",
    },
    DumpKind {
        format: "mysqldump",
        gzip_format: "mysqldump.gz",
        heading: "-- MariaDB dump ",
        completion: "-- Dump completed",
    },
];

/// The dump tool whose heading is among the first lines (pg_dump may put `\restrict` before it,
/// MariaDB a sandbox comment).
pub fn dump_kind(head: &[u8]) -> Option<DumpKind> {
    // Every heading is an SQL comment, after at most a `\restrict` line or a `/*M!` comment.
    if ![&b"--"[..], b"\\restrict", b"/*"].iter().any(|p| head.starts_with(p)) {
        return None;
    }
    let text = String::from_utf8_lossy(&head[..head.len().min(4096)]);
    let lines: Vec<&str> = text.lines().take(8).map(str::trim_end).collect();
    DUMPS.iter().copied().find(|k| {
        lines.iter().any(|l| if k.heading.ends_with(' ') { l.starts_with(k.heading) } else { *l == k.heading })
    })
}

/// Checks a plain SQL dump by its last bytes: the completion line must be among them.
pub fn check_dump(kind: DumpKind, format: &'static str, tail: &[u8], size: u64) -> Structure {
    let text = String::from_utf8_lossy(&tail[tail.len().saturating_sub(4096)..]);
    if text.lines().any(|l| l.trim_end().starts_with(kind.completion)) {
        return Structure { format, ok: true, entries: 1, problem: None, position: None };
    }
    let problem = format!(
        "ends without the line {} writes when it finishes (\"{}\"): the dump stopped before it was complete",
        kind.format, kind.completion
    );
    Structure { format, ok: false, entries: 0, problem: Some(problem), position: Some(size) }
}

/// Checks a SQLite database file against the size its header promises (when the header's page
/// count is valid: non-zero, and written by the same change as the version-valid-for field).
pub fn check_sqlite(head: &[u8], size: u64) -> Structure {
    let whole = Structure { format: "sqlite", ok: true, entries: 1, problem: None, position: None };
    if head.len() < 100 {
        return Structure { ok: false, problem: Some("header cut short".into()), position: Some(size), ..whole };
    }
    let be32 = |at: usize| bytes::be_u32(head, at).unwrap_or(0);
    let page = match u16::from_be_bytes([head[16], head[17]]) {
        1 => 65536,
        p => u64::from(p),
    };
    let (pages, counter, valid_for) = (u64::from(be32(28)), be32(24), be32(92));
    if !page.is_power_of_two() || !(512..=65536).contains(&page) {
        let problem = format!("page size {page} in the header is not one SQLite writes");
        return Structure { ok: false, problem: Some(problem), position: Some(16), ..whole };
    }
    let expected = pages * page;
    // In WAL mode (format version 2) the main file may lag its header until a checkpoint.
    if pages > 0 && counter == valid_for && head[18] == 1 && size < expected {
        let problem = format!(
            "the header promises {pages} pages of {page} bytes ({expected} bytes), the file has {size}: cut short"
        );
        return Structure { ok: false, entries: size / page, problem: Some(problem), position: Some(size), ..whole };
    }
    Structure { entries: pages, ..whole }
}

/// Checks a database backup of the format its first bytes announce; `open` gives the file again
/// for the formats walked by seeking (MTF). None: not a database backup.
pub fn check<R: Read + Seek>(
    head: &[u8],
    tail: &[u8],
    size: u64,
    open: impl FnOnce() -> Option<R>,
) -> Option<Structure> {
    match format_of(head)? {
        "mtf" => open().map(|r| check_mtf(r, size)),
        "sqlite" => Some(check_sqlite(head, size)),
        _ => dump_kind(head).map(|k| check_dump(k, k.format, tail, size)),
    }
}

/// MTF descriptor-block header size, and the checksum's place in it.
const DBLK: u64 = 52;
/// Stream header size.
const STREAM: u64 = 22;

/// XOR of little-endian 16-bit words: MTF's header checksum.
fn xor_words(bytes: &[u8]) -> u16 {
    bytes.chunks_exact(2).fold(0, |a, w| a ^ u16::from_le_bytes([w[0], w[1]]))
}

fn le16(b: &[u8], at: usize) -> u16 {
    bytes::le_u16(b, at).unwrap_or(0)
}

/// Descriptor block types: MTF 1.00a's, and those SQL Server writes (configuration, data, log
/// tail, log).
const BLOCK_TYPES: [&[u8; 4]; 14] = [
    b"TAPE", b"SSET", b"VOLB", b"DIRB", b"FILE", b"CFIL", b"ESPB", b"ESET", b"EOTM", b"SFMB", b"MSCI", b"MSDA",
    b"MSTL", b"MSLS",
];

/// Whether a known descriptor block with a matching header checksum starts at `at` (a stream
/// header followed by zeros also has four letters and a zero word there, so the type must be
/// one MTF or SQL Server writes).
fn dblk_at<R: Read + Seek>(r: &mut R, at: u64, size: u64) -> bool {
    if at + DBLK > size {
        return false;
    }
    read_at(r, at, DBLK as usize)
        .is_ok_and(|h| BLOCK_TYPES.iter().any(|t| h[..4] == t[..]) && xor_words(&h[..50]) == le16(&h, 50))
}

/// Walks a SQL Server backup: descriptor blocks and their streams, from the TAPE block to the
/// end of the file.
pub fn check_mtf<R: Read + Seek>(mut r: R, size: u64) -> Structure {
    let bad = |blocks: u64, problem: String, at: u64| Structure {
        format: "mtf",
        ok: false,
        entries: blocks,
        problem: Some(problem),
        position: Some(at),
    };
    let mut walk = MtfWalk { at: 0, blocks: 0, end_of_set: false };
    loop {
        match walk.step(&mut r, size) {
            Step::Next => {}
            Step::End => break,
            Step::Damaged(problem, at) => return bad(walk.blocks, problem, at),
            Step::Lost(why) => {
                let note = format!("walk stopped at byte {}: {why}", walk.at);
                return Structure {
                    format: "mtf",
                    ok: true,
                    entries: walk.blocks,
                    problem: Some(note),
                    position: None,
                };
            }
        }
    }
    if !walk.end_of_set {
        let problem = "ends before its end-of-set block (ESET): the backup was cut short".to_string();
        return bad(walk.blocks, problem, size);
    }
    Structure { format: "mtf", ok: true, entries: walk.blocks, problem: None, position: None }
}

struct MtfWalk {
    /// Where the next descriptor block starts.
    at: u64,
    blocks: u64,
    end_of_set: bool,
}

enum Step {
    Next,
    End,
    /// Certain damage: what, and where.
    Damaged(String, u64),
    /// A layout this walk does not follow.
    Lost(String),
}

impl MtfWalk {
    fn step<R: Read + Seek>(&mut self, r: &mut R, size: u64) -> Step {
        let at = self.at;
        if at == size {
            return Step::End;
        }
        if at + DBLK > size {
            return Step::Damaged(format!("descriptor block cut short ({} of 52 bytes)", size - at), at);
        }
        let Ok(h) = read_at(r, at, DBLK as usize) else {
            return Step::Damaged("descriptor block unreadable".into(), at);
        };
        let kind = String::from_utf8_lossy(&h[..4]).into_owned();
        let letters = h[..4].iter().all(u8::is_ascii_uppercase);
        if self.blocks == 0 && kind != "TAPE" {
            return Step::Damaged("no TAPE block at the start".into(), 0);
        }
        if !letters {
            // Zero padding after the end of the set is not damage.
            return if self.end_of_set && h.iter().all(|&b| b == 0) {
                Step::End
            } else {
                Step::Lost("no descriptor block where the previous one ended".into())
            };
        }
        if xor_words(&h[..50]) != le16(&h, 50) {
            return Step::Damaged(format!("{kind} block header checksum mismatch"), at + 50);
        }
        self.blocks += 1;
        self.end_of_set |= kind == "ESET";
        let first = at + u64::from(le16(&h, 8));
        // A block without streams (soft filemark), or one whose first event is the next block.
        if kind == "SFMB" || dblk_at(r, first, size) || first == size {
            self.at = first;
            return if first > at { Step::Next } else { Step::Lost(format!("{kind} block of no size")) };
        }
        self.streams(r, first, size, &kind)
    }

    /// Follows the streams of one block to its pad stream (SPAD), after which the next block starts.
    fn streams<R: Read + Seek>(&mut self, r: &mut R, mut at: u64, size: u64, kind: &str) -> Step {
        loop {
            if at + STREAM > size {
                let why = format!("{kind} block's stream header cut short: the backup was cut short");
                return Step::Damaged(why, at);
            }
            let Ok(s) = read_at(r, at, STREAM as usize) else {
                return Step::Damaged("stream header unreadable".into(), at);
            };
            let id = String::from_utf8_lossy(&s[..4]).into_owned();
            if !s[..4].iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
                // Zero padding after the end of the set is not damage.
                return if self.end_of_set && s.iter().all(|&b| b == 0) {
                    Step::End
                } else {
                    Step::Lost(format!("no stream header in the {kind} block at byte {at}"))
                };
            }
            if xor_words(&s[..20]) != le16(&s, 20) {
                return Step::Damaged(format!("{id} stream header checksum mismatch in the {kind} block"), at + 20);
            }
            let len = u64::from_le_bytes(s[8..16].try_into().unwrap_or_default());
            let end = at.saturating_add(STREAM).saturating_add(len);
            if end > size {
                let why =
                    format!("the {id} stream ({len} bytes) runs past the end of the file: the backup was cut short");
                return Step::Damaged(why, size);
            }
            if id == "SPAD" {
                self.at = end;
                return Step::Next;
            }
            at = end.div_ceil(4) * 4;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump(text: &str) -> Structure {
        let kind = dump_kind(text.as_bytes()).unwrap();
        check_dump(kind, kind.format, text.as_bytes(), text.len() as u64)
    }

    #[test]
    fn dumps_are_known_by_their_heading_and_whole_by_their_last_line() {
        let pg = "\\restrict abc\n\n--\n-- PostgreSQL database dump\n--\n\nSET x = 0;\n";
        assert_eq!(dump_kind(pg.as_bytes()).map(|k| k.format), Some("pg_dump"));
        assert!(!dump(pg).ok);
        assert!(dump(&format!("{pg}--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict abc\n\n")).ok);
        let all = "--\n-- PostgreSQL database cluster dump\n--\n\n--\n-- PostgreSQL database dump complete\n--\n";
        assert!(!dump(all).ok, "a database inside a cluster dump finishing is not the cluster dump finishing");
        let my = "/*M!999999\\- enable the sandbox mode */ \n-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB\n";
        assert!(dump(&format!("{my}-- Dump completed on 2026-11-20  3:00:01\n")).ok);
        assert!(dump_kind(b"-- just some SQL\nSELECT 1;\n").is_none());
    }

    #[test]
    fn an_sqlite_header_with_an_impossible_page_size_is_damaged() {
        let mut head = b"SQLite format 3\0".to_vec();
        head.resize(100, 0);
        head[16..18].copy_from_slice(&1000u16.to_be_bytes());
        assert_eq!(check_sqlite(&head, 4096).position, Some(16));
        head[16..18].copy_from_slice(&1u16.to_be_bytes());
        assert!(check_sqlite(&head, 65536).ok, "1 means 65536");
    }
}
