//! Windows Prefetch (`*.pf`): which program ran, how often and when (the last eight run times
//! from Windows 8 on, one before), from where (its full path among the files it loaded), and
//! on which volumes. Formats 17 (XP, 2003), 23 (Vista, 7), 26 (8.x), 30 and 31 (10, 11);
//! Windows 10 and 11 compress the file ("MAM" header, LZ77+Huffman of MS-XCA), decompressed here.

use serde::Serialize;

use super::bytes::{le_u32 as u32_at, le_u64 as u64_at};

/// Largest decompressed size accepted (real files are well under 2 MiB).
const MAX_SIZE: usize = 64 << 20;

/// What one prefetch file says.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Prefetch {
    /// Format version (17, 23, 26, 30, 31).
    pub version: u32,
    /// Whether the file was compressed.
    pub compressed: bool,
    /// The executable's name as the header records it.
    pub executable: String,
    /// Its full path, from the files it loaded (`\VOLUME{…}\…` or `\DEVICE\HARDDISKVOLUME1\…`).
    pub path: Option<String>,
    /// The prefetch hash of the path (also in the file name).
    pub hash: String,
    /// How often it ran.
    pub run_count: u32,
    /// The last run times, newest first (UTC).
    pub last_runs: Vec<String>,
    /// The volumes it touched (device path, serial number, creation time).
    pub volumes: Vec<Volume>,
    /// Files it loaded.
    pub files_loaded: usize,
}

/// A volume a prefetch file names.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Volume {
    /// Device path (`\VOLUME{…}`, `\DEVICE\HARDDISKVOLUME2`).
    pub device: String,
    /// Volume serial number, as `XXXX-XXXX`.
    pub serial: String,
    /// Volume creation time (UTC).
    pub created: Option<String>,
}

/// Why a prefetch file could not be read: what is wrong, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PrefetchError {
    /// `MAM` compression with a method other than LZ77+Huffman.
    #[error("compressed with an unknown method ({flags:#04x})")]
    Method { flags: u8 },
    /// The file ends inside the named part.
    #[error("truncated {part}")]
    Truncated { part: &'static str },
    /// The decompressed size is beyond any real prefetch file.
    #[error("decompressed size {size} is implausible")]
    Size { size: usize },
    /// No `SCCA` signature.
    #[error("no SCCA signature: not a prefetch file")]
    NotPrefetch,
    /// A format version shodo does not know.
    #[error("unknown prefetch version {version}")]
    Version { version: u32 },
    /// The file name strings lie outside the file.
    #[error("file name strings out of bounds ({at}+{len})")]
    Names { at: u32, len: u32 },
    /// The compressed stream is damaged.
    #[error(transparent)]
    Stream(#[from] StreamError),
}

/// Where an LZ77+Huffman stream is damaged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StreamError {
    /// The input ends inside a block's Huffman table.
    #[error("input ends in a Huffman table at {pos}")]
    TableCut { pos: usize },
    /// A block's table is not a Huffman code.
    #[error("block at input {pos}: {why}")]
    Table { pos: usize, why: TableError },
    /// The input ends before the output is complete.
    #[error("input ends early ({out} of {size} bytes out)")]
    Early { out: usize, size: usize },
    /// A code that the block's table does not hold.
    #[error("invalid code at input {pos}")]
    Code { pos: usize },
    /// The input ends inside a match length.
    #[error("input ends in a match length")]
    LengthCut,
    /// A long match length below its minimum.
    #[error("invalid match length at input {pos}")]
    Length { pos: usize },
    /// A match that reaches back before the output's start.
    #[error("match reaches before the start ({offset} back at output {out})")]
    Offset { offset: usize, out: usize },
}

/// Why 512 code lengths are not a Huffman code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// More codes than the code space holds.
    #[error("Huffman code lengths overflow the code space")]
    Overflow,
    /// No code at all.
    #[error("empty Huffman table")]
    Empty,
}

/// Parses a prefetch file (compressed or not); the error says what is wrong and where.
pub fn parse(bytes: &[u8]) -> Result<Prefetch, PrefetchError> {
    use PrefetchError as E;
    let truncated = |part| E::Truncated { part };
    let (data, compressed) = if bytes.starts_with(b"MAM") {
        let flags = bytes.get(3).copied().unwrap_or(0);
        if flags & 0x0F != 4 {
            return Err(E::Method { flags });
        }
        let size = u32_at(bytes, 4).ok_or(truncated("MAM header"))? as usize;
        if size > MAX_SIZE {
            return Err(E::Size { size });
        }
        // Bit 0x80: a CRC32 follows the size (not checked: the evidence hash covers the file).
        let start = if flags & 0x80 != 0 { 12 } else { 8 };
        (decompress(bytes.get(start..).ok_or(truncated("MAM header"))?, size)?, true)
    } else {
        (bytes.to_vec(), false)
    };
    let data = &data[..];
    if data.get(4..8) != Some(b"SCCA") {
        return Err(E::NotPrefetch);
    }
    let version = u32_at(data, 0).ok_or(truncated("header"))?;
    let executable = utf16_z(data.get(0x10..0x4C).ok_or(truncated("header"))?);
    let hash = format!("{:08X}", u32_at(data, 0x4C).ok_or(truncated("header"))?);
    let (times_at, times, count_at) = match version {
        17 => (0x78, 1, 0x90),
        23 => (0x80, 1, 0x98),
        26 => (0x80, 8, 0xD0),
        // Two layouts: the file-information block is 220 or 212 bytes (metrics follow it).
        30 | 31 => (0x80, 8, if u32_at(data, 0x54) == Some(0x128) { 0xC8 } else { 0xD0 }),
        version => return Err(E::Version { version }),
    };
    let last_runs = (0..times)
        .filter_map(|i| u64_at(data, times_at + 8 * i))
        .filter_map(crate::clock::filetime_string)
        .collect::<Vec<_>>();
    let run_count = u32_at(data, count_at).ok_or(truncated("file information"))?;
    let (names_at, names_len) = (u32_at(data, 0x64), u32_at(data, 0x68));
    let names: Vec<String> = match (names_at, names_len) {
        (Some(at), Some(len)) => data
            .get(at as usize..(at as usize).saturating_add(len as usize))
            .map(|b| {
                utf16_units(b).split(|&u| u == 0).filter(|s| !s.is_empty()).map(String::from_utf16_lossy).collect()
            })
            .ok_or(E::Names { at, len })?,
        _ => return Err(truncated("file information")),
    };
    // The header keeps 29 characters of the name: a longer one is matched by its start.
    let upper = executable.to_uppercase();
    let last = |n: &String| n.to_uppercase().rsplit('\\').next().map(str::to_string).unwrap_or_default();
    let path = names
        .iter()
        .find(|n| last(n) == upper)
        .or_else(|| names.iter().find(|n| upper.chars().count() >= 29 && last(n).starts_with(&upper)))
        .cloned();
    let volumes = volumes(data, version).unwrap_or_default();
    Ok(Prefetch {
        version,
        compressed,
        executable,
        path,
        hash,
        run_count,
        last_runs,
        volumes,
        files_loaded: names.len(),
    })
}

/// The volume information entries.
fn volumes(data: &[u8], version: u32) -> Option<Vec<Volume>> {
    let base = u32_at(data, 0x6C)? as usize;
    let count = u32_at(data, 0x70)?.min(64) as usize;
    let entry = match version {
        17 => 40,
        23 | 26 => 104,
        _ => 96,
    };
    let mut out = Vec::new();
    for i in 0..count {
        let at = base.checked_add(i * entry)?;
        let (off, chars) = (u32_at(data, at)? as usize, u32_at(data, at + 4)? as usize);
        let start = base.checked_add(off)?;
        let device = utf16_z(data.get(start..start.checked_add(chars.checked_mul(2)?)?)?);
        let serial = u32_at(data, at + 16)?;
        out.push(Volume {
            device,
            serial: format!("{:04X}-{:04X}", serial >> 16, serial & 0xFFFF),
            created: u64_at(data, at + 8).and_then(crate::clock::filetime_string),
        });
    }
    Some(out)
}

/// LZ77+Huffman ("Xpress Huffman", MS-XCA 2.2.4): blocks of 64 KiB of output, each with its
/// own table of 512 four-bit code lengths; symbols below 256 are literals, the others a match
/// (length in the low four bits, offset bit count in the high four).
pub fn decompress(input: &[u8], size: usize) -> Result<Vec<u8>, StreamError> {
    use StreamError as E;
    let mut out: Vec<u8> = Vec::with_capacity(size);
    let mut pos = 0usize;
    let word = |at: usize| -> u32 {
        // Past the end reads as zeros: the stream's last bits may sit in a half-filled window.
        u32::from(input.get(at).copied().unwrap_or(0)) | (u32::from(input.get(at + 1).copied().unwrap_or(0)) << 8)
    };
    while out.len() < size {
        let table = input.get(pos..pos + 256).ok_or(E::TableCut { pos })?;
        let decoder = Decoder::new(table).map_err(|why| E::Table { pos, why })?;
        pos += 256;
        let mut bits: u32 = (word(pos) << 16) | word(pos + 2);
        pos += 4;
        let mut extra: i32 = 16;
        let block_end = out.len() + 65536;
        let consume = |n: u32, bits: &mut u32, extra: &mut i32, pos: &mut usize| {
            if n > 0 {
                *bits = bits.checked_shl(n).unwrap_or(0);
                *extra -= n as i32;
                if *extra < 0 {
                    *bits |= word(*pos) << (-*extra) as u32;
                    *extra += 16;
                    *pos += 2;
                }
            }
        };
        while out.len() < block_end && out.len() < size {
            if pos > input.len() + 4 {
                return Err(E::Early { out: out.len(), size });
            }
            let (symbol, len) = decoder.decode(bits >> 17).ok_or(E::Code { pos })?;
            consume(u32::from(len), &mut bits, &mut extra, &mut pos);
            if symbol < 256 {
                out.push(symbol as u8);
                continue;
            }
            let symbol = symbol - 256;
            let mut length = usize::from(symbol & 15);
            let offset_bits = u32::from(symbol >> 4);
            if length == 15 {
                length = usize::from(*input.get(pos).ok_or(E::LengthCut)?);
                pos += 1;
                if length == 255 {
                    let long = input.get(pos..pos + 2).ok_or(E::LengthCut)?;
                    length = usize::from(u16::from_le_bytes([long[0], long[1]]));
                    pos += 2;
                    if length < 15 {
                        return Err(E::Length { pos });
                    }
                    length -= 15;
                }
                length += 15;
            }
            length += 3;
            let offset =
                (if offset_bits == 0 { 0 } else { bits >> (32 - offset_bits) } as usize) + (1usize << offset_bits);
            consume(offset_bits, &mut bits, &mut extra, &mut pos);
            if offset > out.len() {
                return Err(E::Offset { offset, out: out.len() });
            }
            let from = out.len() - offset;
            for i in 0..length.min(size - out.len()) {
                out.push(out[from + i]);
            }
        }
    }
    Ok(out)
}

/// A canonical Huffman decoder over 15-bit lookups.
struct Decoder {
    /// For each 15-bit prefix: symbol and code length (length 0: no code).
    table: Vec<(u16, u8)>,
}

impl Decoder {
    fn new(lengths: &[u8]) -> Result<Decoder, TableError> {
        let length = |s: usize| (lengths[s / 2] >> (4 * (s % 2))) & 0x0F;
        let mut table = vec![(0u16, 0u8); 1 << 15];
        let mut next = 0usize;
        for len in 1..=15u8 {
            for symbol in (0..512).filter(|&s| length(s) == len) {
                let span = 1usize << (15 - len);
                let slots = table.get_mut(next..next + span).ok_or(TableError::Overflow)?;
                slots.fill((symbol as u16, len));
                next += span;
            }
        }
        if next == 0 {
            return Err(TableError::Empty);
        }
        Ok(Decoder { table })
    }

    fn decode(&self, prefix: u32) -> Option<(u16, u8)> {
        self.table.get(prefix as usize).copied().filter(|&(_, len)| len > 0)
    }
}

fn utf16_units(b: &[u8]) -> Vec<u16> {
    b.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect()
}

/// UTF-16LE up to the first NUL.
fn utf16_z(b: &[u8]) -> String {
    let units = utf16_units(b);
    String::from_utf16_lossy(&units[..units.iter().position(|&u| u == 0).unwrap_or(units.len())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(parse(b"").is_err());
        assert!(parse(b"MAM\x04\xff\xff\xff\x7f").is_err());
        assert!(parse(b"MAM\x04\x10\x00\x00\x00short").is_err());
        let mut table = vec![0x99u8; 256];
        table.extend([0xFF; 64]);
        assert!(decompress(&table, 100_000).is_err(), "codes point before the start");
        assert!(decompress(&[0u8; 300], 10).is_err(), "empty table");
        assert!(decompress(&[0x11u8; 300], 10).is_err(), "lengths that overflow the code space");
    }
}
