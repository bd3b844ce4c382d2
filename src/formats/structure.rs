//! How a file ends, walked from its head part by part (zip's local headers, central directory
//! and end record; PNG's chunks; tar's headers; a compound file's allocation table; a TIFF's
//! first directory; an event log's chunks; a PDF's last stream), and whether its body holds raw samples or pixels (a BMP, WAV, TIFF or DICOM file
//! that is not compressed): what tells a file whose tail was overwritten from one cut short, and
//! an end that turned random from one that is random by nature. Reads only; every offset is
//! checked against the bytes given.

/// How a walked file ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The walk reached the format's end (zip's end record, PNG's IEND, tar's end blocks).
    Whole,
    /// The file stops inside a part: cut short (a copy or a download that did not finish).
    Cut,
    /// Where the next part must begin, within the file, there is none: the bytes were overwritten.
    Overwritten,
    /// The format is not walked here, or its parts do not say their length (zip data descriptors).
    Unknown,
}

fn u16le(data: &[u8], at: usize) -> Option<usize> {
    data.get(at..at.checked_add(2)?).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
}

fn u32le(data: &[u8], at: usize) -> Option<usize> {
    data.get(at..at.checked_add(4)?).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

/// Walks `data` of format `format` (`zip`, `png`, `tar`, `ole2`, `tiff`, `evtx`, `pdf`, `gzip`,
/// `sqlite`, `iso-bmff`) from its head to its end.
pub fn end_of(format: &str, data: &[u8]) -> End {
    match format {
        "png" => png(data),
        "zip" => zip(data),
        "tar" => tar(data),
        "ole2" => ole2(data),
        "tiff" => tiff(data),
        "evtx" => evtx(data),
        "pdf" => pdf(data),
        "gzip" => gzip(data),
        "sqlite" => sqlite(data),
        "iso-bmff" => iso_bmff(data),
        _ => End::Unknown,
    }
}

fn png(data: &[u8]) -> End {
    let mut pos = 8usize;
    loop {
        let Some(head) = data.get(pos..pos + 8) else { return End::Cut };
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        if !head[4..].iter().all(u8::is_ascii_alphabetic) || len > 1 << 31 {
            return End::Overwritten;
        }
        if &head[4..] == b"IEND" {
            return End::Whole;
        }
        pos = pos.saturating_add(12 + len);
        if pos > data.len() {
            return End::Cut;
        }
    }
}

/// Local headers, then the central directory's entries, then the end record (zip64's first).
fn zip(data: &[u8]) -> End {
    let mut pos = 0usize;
    let mut central = false;
    loop {
        let Some(sig) = data.get(pos..pos + 4) else { return End::Cut };
        let field = |at: usize, four: bool| if four { u32le(data, pos + at) } else { u16le(data, pos + at) };
        let next = match sig {
            b"PK\x03\x04" if !central => {
                let (Some(flags), Some(size), Some(name), Some(extra)) =
                    (field(6, false), field(18, true), field(26, false), field(28, false))
                else {
                    return End::Cut;
                };
                if flags & 8 != 0 || size == u32::MAX as usize {
                    return End::Unknown;
                }
                30 + name + extra + size
            }
            b"PK\x01\x02" => {
                central = true;
                let (Some(name), Some(extra), Some(comment), Some(local)) =
                    (field(28, false), field(30, false), field(32, false), field(42, true))
                else {
                    return End::Cut;
                };
                // Each entry names its local header, whose name has the same length.
                let names_local =
                    data.get(local..local + 4) == Some(b"PK\x03\x04") && u16le(data, local + 26) == Some(name);
                if !names_local && local != u32::MAX as usize {
                    return End::Overwritten;
                }
                46 + name + extra + comment
            }
            b"PK\x06\x06" => match data.get(pos + 4..pos + 12) {
                Some(b) => 12 + u64::from_le_bytes(b.try_into().unwrap_or_default()).min(1 << 40) as usize,
                None => return End::Cut,
            },
            b"PK\x06\x07" => 20,
            b"PK\x05\x06" => return if data.len() >= pos + 22 { End::Whole } else { End::Cut },
            _ => return End::Overwritten,
        };
        pos = pos.saturating_add(next);
        if pos > data.len() {
            return End::Cut;
        }
    }
}

/// Whether `data` is a zip whose end record finds its entries past bytes put before them (a
/// self-extracting archive, a launcher): the first entry of the central directory names a local
/// header where the directory's place says it is.
pub fn zip_with_prefix(data: &[u8]) -> bool {
    let tail = &data[data.len().saturating_sub(65557)..];
    let Some(at) = memchr::memmem::rfind(tail, b"PK\x05\x06").map(|i| data.len() - tail.len() + i) else {
        return false;
    };
    let (Some(size), Some(offset)) = (u32le(data, at + 12), u32le(data, at + 16)) else { return false };
    let Some(start) = at.checked_sub(size) else { return false };
    let Some(prefix) = start.checked_sub(offset) else { return false };
    let Some(first) = u32le(data, start + 42) else { return false };
    prefix > 0
        && data.get(start..start + 4) == Some(b"PK\x01\x02")
        && data.get(prefix + first..prefix + first + 4) == Some(b"PK\x03\x04")
}

/// A tar header's checksum holds: the sum of its bytes with the checksum field read as spaces.
fn tar_header(block: &[u8]) -> Option<usize> {
    let octal = |field: &[u8]| {
        let mut digits = field.iter().skip_while(|b| **b == b' ').take_while(|b| (b'0'..=b'7').contains(b));
        digits.try_fold(0usize, |n, d| n.checked_mul(8)?.checked_add((d - b'0') as usize))
    };
    let sum: usize =
        block.iter().enumerate().map(|(i, &b)| if (148..156).contains(&i) { 32 } else { b as usize }).sum();
    (octal(&block[148..156])? == sum).then_some(())?;
    // A size of twelve bytes in base 256 (its first byte's high bit set) for members of 8 GiB and more.
    if block[124] & 0x80 != 0 {
        return Some(block[125..136].iter().fold(0usize, |n, &b| n.saturating_mul(256).saturating_add(b as usize)));
    }
    octal(&block[124..136])
}

/// Headers one after the other (each member's data rounded up to 512 bytes), then the blocks of
/// zeros that end the archive and fill its last record.
fn tar(data: &[u8]) -> End {
    let mut pos = 0usize;
    loop {
        let Some(block) = data.get(pos..pos + 512) else { return End::Cut };
        if block.iter().all(|&b| b == 0) {
            return if data[pos..].iter().all(|&b| b == 0) { End::Whole } else { End::Overwritten };
        }
        let Some(size) = tar_header(block) else { return End::Overwritten };
        pos = pos.saturating_add(512).saturating_add(size.div_ceil(512).saturating_mul(512));
        if pos > data.len() {
            return End::Cut;
        }
    }
}

/// A compound file's header, its allocation table's sectors (named in the header) and its
/// directory: each within the file and what it must be; a sector past the end is a file cut short.
fn ole2(data: &[u8]) -> End {
    const FREE: usize = 0xFFFF_FFFF;
    const END_OF_CHAIN: usize = 0xFFFF_FFFE;
    let (Some(shift), Some(fat_sectors), Some(directory)) = (u16le(data, 30), u32le(data, 44), u32le(data, 48)) else {
        return End::Cut;
    };
    if !(shift == 9 || shift == 12) {
        return End::Unknown;
    }
    let size = 1usize << shift;
    let sector = |n: usize| n.checked_add(1)?.checked_mul(size);
    // Entries of the table: a sector (of this file, or of a longer one it was cut from: far
    // fewer than 2^24), or one of the markers (free, end of chain, the table's own sectors).
    let valid = |e: usize| !(1 << 24..0xFFFF_FFFA).contains(&e);
    let listed = (0..fat_sectors.min(109)).filter_map(|i| u32le(data, 76 + 4 * i));
    for n in listed.filter(|&n| n != FREE) {
        let Some(at) = sector(n) else { return End::Overwritten };
        let Some(table) = data.get(at..at + size) else {
            return if n < 1 << 24 { End::Cut } else { End::Overwritten };
        };
        if !table.chunks_exact(4).all(|e| valid(u32::from_le_bytes([e[0], e[1], e[2], e[3]]) as usize)) {
            return End::Overwritten;
        }
    }
    if directory == END_OF_CHAIN {
        return End::Unknown;
    }
    let Some(at) = sector(directory) else { return End::Overwritten };
    let Some(entries) = data.get(at..at + size) else { return End::Cut };
    // Each directory entry: a name of at most 32 UTF-16 units (its length in bytes, the NUL
    // included), a type of 0 to 5 and a colour of red or black.
    let entry_ok = |e: &[u8]| {
        let name = u16le(e, 64).unwrap_or(0);
        name <= 64 && name.is_multiple_of(2) && e[66] <= 5 && e[67] <= 1 && (e[66] == 0 || name >= 2)
    };
    if entries.chunks_exact(128).all(entry_ok) { End::Whole } else { End::Overwritten }
}

/// A TIFF's first directory, wherever its offset puts it (often after the image): a count of
/// entries, each with a tag above the last and a field type of the specification.
fn tiff(data: &[u8]) -> End {
    let big = data.starts_with(b"MM");
    let Some(ifd) = number(data, 4, 4, big) else { return End::Cut };
    let Some(count) = number(data, ifd, 2, big) else {
        return if ifd < 1 << 32 { End::Cut } else { End::Overwritten };
    };
    if count == 0 || count > 4096 {
        return End::Overwritten;
    }
    let mut last = 0;
    for i in 0..count {
        let (Some(tag), Some(kind)) = (number(data, ifd + 2 + 12 * i, 2, big), number(data, ifd + 4 + 12 * i, 2, big))
        else {
            return End::Cut;
        };
        if tag < last || !(1..=18).contains(&kind) {
            return End::Overwritten;
        }
        last = tag;
    }
    End::Whole
}

/// An unsigned number of `n` bytes (2 or 4) at `at`, big or little endian.
fn number(data: &[u8], at: usize, n: usize, big: bool) -> Option<usize> {
    let b = data.get(at..at.checked_add(n)?)?;
    let fold = |n: usize, &b: &u8| (n << 8) | b as usize;
    Some(if big { b.iter().fold(0, fold) } else { b.iter().rev().fold(0, fold) })
}

/// An event log's chunks of 64 KiB after its 4 KiB header: each begins with its signature (or
/// was never used: zeros), and the last one's records match the checksum its header keeps.
fn evtx(data: &[u8]) -> End {
    const CHUNK: usize = 64 * 1024;
    let chunks = data.len().saturating_sub(4096) / CHUNK;
    let mut last = None;
    for k in 0..chunks {
        let chunk = &data[4096 + k * CHUNK..4096 + (k + 1) * CHUNK];
        if chunk.starts_with(b"ElfChnk\0") {
            last = Some(chunk);
        } else if chunk[..512].iter().any(|&b| b != 0) {
            return End::Overwritten;
        }
    }
    if !data.len().saturating_sub(4096).is_multiple_of(CHUNK) {
        return End::Cut;
    }
    let Some(chunk) = last else { return End::Unknown };
    let (Some(free), Some(sum)) = (u32le(chunk, 48), u32le(chunk, 52)) else { return End::Unknown };
    let Some(records) = chunk.get(512..free) else { return End::Overwritten };
    let mut crc = flate2::Crc::new();
    crc.update(records);
    if crc.sum() as usize == sum { End::Whole } else { End::Overwritten }
}

/// A PDF's last stream whose dictionary gives its length: a file that stops before that length is
/// cut short; one where the length ends in anything but `endstream`, or whose bytes after the
/// stream's object hold no other object nor the cross-reference, was overwritten.
fn pdf(data: &[u8]) -> End {
    let Some(keyword) = memchr::memmem::rfind_iter(data, b"stream\n").find(|&at| !data[..at].ends_with(b"end")) else {
        return End::Unknown;
    };
    let start = keyword + b"stream\n".len();
    let dict = &data[keyword.saturating_sub(1024)..keyword];
    let Some(at) = memchr::memmem::rfind(dict, b"/Length ") else { return End::Unknown };
    let value: Vec<u8> = dict[at + 8..].iter().copied().take_while(|b| b.is_ascii_digit() || *b == b' ').collect();
    let mut words = value.split(|b| *b == b' ').filter(|w| !w.is_empty());
    let (Some(length), reference) = (words.next(), words.next()) else { return End::Unknown };
    // `/Length 12 0 R` names another object: the length is not here.
    if reference.is_some() && dict[at + 8 + value.len()..].starts_with(b"R") {
        return End::Unknown;
    }
    let Some(end) =
        std::str::from_utf8(length).ok().and_then(|l| l.parse::<usize>().ok()).and_then(|l| start.checked_add(l))
    else {
        return End::Unknown;
    };
    let Some(after) = data.get(end..) else { return End::Cut };
    let after = after.trim_ascii_start();
    if !after.starts_with(b"endstream") {
        return End::Overwritten;
    }
    let rest = &after[9..];
    let more =
        [&b" obj"[..], b"xref", b"trailer", b"startxref"].iter().any(|k| memchr::memmem::find(rest, k).is_some());
    if more || rest.len() < 64 { End::Whole } else { End::Overwritten }
}

/// A gzip file's members, inflated: each stream must decode to its end and match the checksum
/// and length of its trailer. A stream that stops decoding inside the file, or whose trailer does
/// not match, was overwritten; one that wants more bytes than the file has was cut short. Bytes
/// after the last member count only if they are zeros (padding of a tape or a block device).
fn gzip(data: &[u8]) -> End {
    let mut pos = 0usize;
    let mut out = vec![0u8; 64 * 1024];
    while pos < data.len() {
        if data[pos..].iter().all(|&b| b == 0) {
            break;
        }
        let Some(start) = gzip_header(data, pos) else { return if pos == 0 { End::Unknown } else { End::Overwritten } };
        let mut inflate = flate2::Decompress::new(false);
        let mut crc = flate2::Crc::new();
        let mut at = start;
        loop {
            let before = (inflate.total_in(), inflate.total_out());
            let status = inflate.decompress(&data[at..], &mut out, flate2::FlushDecompress::None);
            let read = (inflate.total_in() - before.0) as usize;
            let wrote = (inflate.total_out() - before.1) as usize;
            crc.update(&out[..wrote]);
            at += read;
            match status {
                Err(_) => return End::Overwritten,
                Ok(flate2::Status::StreamEnd) => break,
                Ok(_) if at >= data.len() => return End::Cut,
                Ok(_) if read == 0 && wrote == 0 => return End::Overwritten,
                Ok(_) => {}
            }
        }
        let (Some(sum), Some(size)) = (u32le(data, at), u32le(data, at + 4)) else { return End::Cut };
        if sum != crc.sum() as usize || size != (inflate.total_out() & 0xFFFF_FFFF) as usize {
            return End::Overwritten;
        }
        pos = at + 8;
    }
    End::Whole
}

/// Where a gzip member's compressed stream begins (after its optional extra field, name,
/// comment and header checksum), if `data` holds a member header at `pos`.
fn gzip_header(data: &[u8], pos: usize) -> Option<usize> {
    let head = data.get(pos..pos + 10)?;
    if head[..3] != [0x1f, 0x8b, 8] || head[3] & 0xE0 != 0 {
        return None;
    }
    let flags = head[3];
    let mut at = pos + 10;
    if flags & 4 != 0 {
        at = at.checked_add(2 + u16le(data, at)?)?;
    }
    for bit in [8, 16] {
        if flags & bit != 0 {
            at += memchr::memchr(0, data.get(at..)?)? + 1;
        }
    }
    if flags & 2 != 0 {
        at += 2;
    }
    (at <= data.len()).then_some(at)
}

/// An ISO base media file (MP4, MOV, 3GP, HEIF): its top-level boxes one after the other to the
/// file's end — a box whose header is no box's, after the first, was overwritten (a movie whose
/// index, `moov`, comes after its media); one longer than the file was cut short — then the last
/// samples its sample tables place in the file's last twentieth (64 at most) of each AVC or HEVC
/// video track: each must hold NAL units whose lengths add up to the sample's size, and over
/// half of them failing is a tail overwritten (media comes before the index when the file was
/// written for streaming).
fn iso_bmff(data: &[u8]) -> End {
    let (mut at, mut cut, mut moov, mut media) = (0usize, false, None, Vec::new());
    while at < data.len() {
        // Zeros after the last box pad it (to a sector, a cluster).
        if data[at..].iter().all(|&b| b == 0) {
            break;
        }
        if data.len() - at < 8 {
            cut = true;
            break;
        }
        let Some((kind, body, end)) = bmff_box(data, at) else {
            return if at == 0 { End::Unknown } else { End::Overwritten };
        };
        match &kind {
            b"moov" => moov = Some(body.start..body.end.min(data.len())),
            b"mdat" => media.push(body.start..body.end.min(data.len())),
            _ => {}
        }
        if end > data.len() {
            cut = true;
            break;
        }
        at = end;
    }
    let checked = moov.map(|m| bmff_samples(data, m, &media)).unwrap_or_default();
    let broken = checked.iter().filter(|ok| !**ok).count();
    if broken > 0 && broken * 2 > checked.len() {
        End::Overwritten
    } else if cut {
        End::Cut
    } else {
        End::Whole
    }
}

/// The box at `at`: its type, its body and where it ends (past the data when it is cut short);
/// `None` when the header is no box's (a type of printable letters, a size at least its header's).
fn bmff_box(data: &[u8], at: usize) -> Option<([u8; 4], std::ops::Range<usize>, usize)> {
    let size = crate::formats::bytes::be_u32(data, at)? as u64;
    let kind: [u8; 4] = data.get(at + 4..at + 8)?.try_into().ok()?;
    if !kind.iter().all(|b| b.is_ascii_alphanumeric() || *b == b' ') {
        return None;
    }
    let (header, size) = match size {
        0 => (8, (data.len() - at) as u64),
        1 => (16, crate::formats::bytes::be_u64(data, at + 8)?),
        n => (8, n),
    };
    if size < header as u64 {
        return None;
    }
    let end = usize::try_from(size).ok().and_then(|s| at.checked_add(s))?;
    Some((kind, at + header..end, end))
}

/// The child boxes of the body `range` (a container box's), as far as they hold together.
fn bmff_children(data: &[u8], range: std::ops::Range<usize>) -> Vec<([u8; 4], std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut at = range.start;
    while at + 8 <= range.end {
        let Some((kind, body, end)) = bmff_box(data, at).filter(|b| b.2 <= range.end) else { break };
        out.push((kind, body));
        at = end;
    }
    out
}

/// The child of `range` reached through the box types `path`.
fn bmff_find(data: &[u8], range: std::ops::Range<usize>, path: &[&[u8; 4]]) -> Option<std::ops::Range<usize>> {
    path.iter().try_fold(range, |r, kind| bmff_children(data, r).into_iter().find(|(k, _)| k == *kind).map(|(_, b)| b))
}

/// For each AVC or HEVC video track of the movie box `moov`, whether each of its last samples
/// within the file's media boxes (`media`: those that end in the last twentieth, 64 at most)
/// holds NAL units to its size.
fn bmff_samples(data: &[u8], moov: std::ops::Range<usize>, media: &[std::ops::Range<usize>]) -> Vec<bool> {
    use crate::formats::bytes::{be_u32, be_u64};
    let tail = data.len() - (data.len() / 20).max(4096).min(data.len());
    let mut checked = Vec::new();
    for (_, trak) in bmff_children(data, moov).into_iter().filter(|(k, _)| k == b"trak") {
        let Some(stbl) = bmff_find(data, trak, &[b"mdia", b"minf", b"stbl"]) else { continue };
        let tables = bmff_children(data, stbl);
        let table = |kind: &[u8; 4]| tables.iter().find(|(k, _)| k == kind).map(|(_, b)| b.clone());
        // The first sample entry (after the version, flags and count): AVC or HEVC, and the
        // length of its NAL units' size fields from its configuration (byte 4 or 21, two bits).
        let Some(stsd) = table(b"stsd") else { continue };
        let Some((entry, body)) = bmff_children(data, stsd.start + 8..stsd.end).into_iter().next() else { continue };
        let config = match &entry {
            b"avc1" | b"avc3" => (b"avcC", 4),
            b"hvc1" | b"hev1" => (b"hvcC", 21),
            _ => continue,
        };
        // A visual sample entry's own fields take 78 bytes before its child boxes.
        let length_size = bmff_children(data, body.start + 78..body.end)
            .into_iter()
            .find(|(k, _)| k == config.0)
            .and_then(|(_, c)| data.get(c.start + config.1))
            .map_or(4, |b| (b & 3) as usize + 1);
        let hevc = config.1 == 21;
        let (Some(stsz), Some(stsc)) = (table(b"stsz"), table(b"stsc")) else { continue };
        let (offsets, wide) = match (table(b"stco"), table(b"co64")) {
            (Some(t), _) => (t, false),
            (None, Some(t)) => (t, true),
            _ => continue,
        };
        let (Some(fixed), Some(count)) = (be_u32(data, stsz.start + 4), be_u32(data, stsz.start + 8)) else { continue };
        // Sizes are read within the table's own box.
        let size_of = |i: usize| {
            if fixed != 0 {
                Some(fixed as usize)
            } else {
                let at = stsz.start + 12 + 4 * i;
                be_u32(data, at).filter(|_| at + 4 <= stsz.end).map(|v| v as usize)
            }
        };
        let chunks = be_u32(data, offsets.start + 4).unwrap_or(0) as usize;
        let runs = be_u32(data, stsc.start + 4).unwrap_or(0) as usize;
        let run = |r: usize| {
            Some((be_u32(data, stsc.start + 8 + 12 * r)? as usize, be_u32(data, stsc.start + 12 + 12 * r)? as usize))
        };
        // Every sample's place, chunk by chunk; the last ones in the tail are checked. A table
        // that names more samples than any movie holds is read no further than that.
        let mut samples = Vec::new();
        let (mut sample, mut r) = (0usize, 0usize);
        'chunks: for chunk in 1..=chunks.min(offsets.len() / 4) {
            while r + 1 < runs && run(r + 1).is_some_and(|(first, _)| first <= chunk) {
                r += 1;
            }
            let Some((_, per_chunk)) = run(r) else { break };
            let offset = if wide {
                be_u64(data, offsets.start + 8 + 8 * (chunk - 1)).map(|v| v as usize)
            } else {
                be_u32(data, offsets.start + 8 + 4 * (chunk - 1)).map(|v| v as usize)
            };
            let Some(mut offset) = offset else { break };
            for _ in 0..per_chunk {
                if sample >= (count as usize).min(MAX_SAMPLES) {
                    break 'chunks;
                }
                let Some(size) = size_of(sample) else { break };
                let end = offset.saturating_add(size);
                if end > tail && media.iter().any(|m| m.start <= offset && end <= m.end) {
                    samples.push((offset, size));
                }
                offset = offset.saturating_add(size);
                sample += 1;
            }
        }
        let last = samples.len().saturating_sub(64);
        checked.extend(
            samples[last..].iter().map(|&(offset, size)| nal_units(&data[offset..offset + size], length_size, hevc)),
        );
    }
    checked
}

/// The most samples of one track walked: three hours at thirty frames a second, many times over.
const MAX_SAMPLES: usize = 1 << 22;

/// Whether `sample` is NAL units one after the other, each behind its length (`length_size`
/// bytes), with a header whose forbidden bit is clear and whose type is one of its standard's.
fn nal_units(sample: &[u8], length_size: usize, hevc: bool) -> bool {
    let mut at = 0usize;
    while at < sample.len() {
        let Some(len) = number(sample, at, length_size, true) else { return false };
        let Some(&header) = sample.get(at + length_size) else { return false };
        let kind = if hevc { (header >> 1) & 0x3F } else { header & 0x1F };
        if len == 0 || header & 0x80 != 0 || (hevc && kind > 40) || (!hevc && kind == 0) {
            return false;
        }
        at = match at.checked_add(length_size + len) {
            Some(next) if next <= sample.len() => next,
            _ => return false,
        };
    }
    !sample.is_empty()
}

/// A SQLite database's last pages (up to sixteen): each is a b-tree page whose header, cell
/// pointers and cells (their record headers) hold together, or begins with the number of a page
/// of the file (an overflow, freelist or pointer-map page, or zeros). A page that is neither was
/// overwritten; a file that is not a whole number of pages was cut short.
fn sqlite(data: &[u8]) -> End {
    let page = match number(data, 16, 2, true) {
        Some(1) => 65536,
        Some(p) if p >= 512 && p.is_power_of_two() => p,
        _ => return End::Unknown,
    };
    let reserved = data.get(20).map_or(0, |&r| r as usize);
    let usable = page.saturating_sub(reserved);
    let pages = data.len() / page;
    if usable < 480 || pages == 0 {
        return End::Unknown;
    }
    for n in (pages.saturating_sub(16).max(1)..pages).rev() {
        let bytes = &data[n * page..(n + 1) * page];
        let pointer = number(bytes, 0, 4, true).is_some_and(|p| p <= pages);
        if !pointer && !sqlite_btree_page(&bytes[..usable], pages) {
            return End::Overwritten;
        }
    }
    if data.len().is_multiple_of(page) { End::Whole } else { End::Cut }
}

/// Whether the body of `data` is of format `format` although its head is not (its first bytes
/// were encrypted): a SQLite database's pages after the first hold together as b-tree pages,
/// one at least with cells, on one page size the length is a multiple of.
pub fn body_is(format: &str, data: &[u8]) -> bool {
    if format != "sqlite" {
        return false;
    }
    [4096usize, 1024, 2048, 8192, 16384, 32768, 65536, 512].iter().any(|&page| {
        let pages = data.len() / page;
        if pages < 2 || !data.len().is_multiple_of(page) {
            return false;
        }
        let last = &data[(pages - 1) * page..];
        let tree = |p: &[u8]| sqlite_btree_page(p, pages);
        // The last page, and one page with cells among the last sixteen.
        (tree(last) || number(last, 0, 4, true).is_some_and(|p| p <= pages))
            && (pages.saturating_sub(16).max(1)..pages).any(|n| {
                number(data, n * page + 3, 2, true).is_some_and(|c| c > 0) && tree(&data[n * page..(n + 1) * page])
            })
    })
}

/// A b-tree page (not the first) whose header, cell pointer array and every cell hold together.
fn sqlite_btree_page(page: &[u8], pages: usize) -> bool {
    let kind = page[0];
    let header = match kind {
        2 | 5 => 12,
        10 | 13 => 8,
        _ => return false,
    };
    let (Some(freeblock), Some(cells), Some(content)) =
        (number(page, 1, 2, true), number(page, 3, 2, true), number(page, 5, 2, true))
    else {
        return false;
    };
    let content = if content == 0 { 65536 } else { content };
    let array_end = header + 2 * cells;
    if page[7] > 60
        || (freeblock != 0 && (freeblock < array_end || freeblock + 4 > page.len()))
        || array_end > page.len()
        || content < array_end
        || content > page.len()
        || (header == 12 && number(page, 8, 4, true).is_none_or(|child| child > pages))
    {
        return false;
    }
    // Space no cell uses holds zeros or what a deleted cell left, never random bytes.
    let free = &page[array_end..content];
    if free.len() >= 64 && distinct_as_random(&free[free.len().saturating_sub(256)..]) {
        return false;
    }
    (0..cells).all(|i| {
        number(page, header + 2 * i, 2, true).is_some_and(|at| at >= content && sqlite_cell(page, at, kind, pages))
    })
}

/// A b-tree cell at `at` of a page of kind `kind`: its child page, its sizes and, when its
/// payload is on the page, a record whose header's column sizes add up to the payload.
fn sqlite_cell(page: &[u8], at: usize, kind: u8, pages: usize) -> bool {
    let usable = page.len();
    let mut pos = at;
    if matches!(kind, 2 | 5) {
        if number(page, pos, 4, true).is_none_or(|child| child > pages) {
            return false;
        }
        pos += 4;
    }
    if kind == 5 {
        return varint(page, pos).is_some();
    }
    let Some((payload, n)) = varint(page, pos) else { return false };
    pos += n;
    if kind == 13 {
        let Some((_, n)) = varint(page, pos) else { return false };
        pos += n;
    }
    // Payload kept on the page whole (larger ones spill into overflow pages).
    let local = if kind == 13 { usable - 35 } else { (usable - 12) * 64 / 255 - 23 };
    let payload = payload as usize;
    if payload > local {
        return pos + 4 <= usable;
    }
    if pos + payload > usable {
        return false;
    }
    let record = &page[pos..pos + payload];
    let Some((head, n)) = varint(record, 0) else { return false };
    let head = head as usize;
    if head < n || head > record.len() {
        return false;
    }
    let (mut at, mut body) = (n, 0usize);
    while at < head {
        let Some((serial, n)) = varint(record, at) else { return false };
        at += n;
        body = body.saturating_add(match serial {
            0..=4 => serial as usize,
            5 => 6,
            6 | 7 => 8,
            8 | 9 => 0,
            10 | 11 => return false,
            s => (s as usize - 12 - (s as usize & 1)) / 2,
        });
    }
    at == head && head + body == payload
}

/// Few bytes that look random: nearly as many distinct byte values as random bytes of that length
/// have (entropy says nothing this small).
pub fn distinct_as_random(data: &[u8]) -> bool {
    let n = data.len();
    let mut seen = [false; 256];
    data.iter().for_each(|&b| seen[b as usize] = true);
    let distinct = seen.iter().filter(|s| **s).count() as f64;
    distinct >= 0.8 * 256.0 * (1.0 - (-(n as f64) / 256.0).exp())
}

/// A SQLite variable-length integer at `at`: its value and how many bytes it takes.
fn varint(data: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for i in 0..9 {
        let b = *data.get(at + i)?;
        if i == 8 {
            return Some(((value << 8) | b as u64, 9));
        }
        value = (value << 7) | (b & 0x7F) as u64;
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// Where the body of `data` (of format `format`) begins when it holds raw samples or pixels — an
/// uncompressed BMP, PCM WAV, TIFF or DICOM file — which are never random: an end that is random
/// there was encrypted.
pub fn raw_body(format: &str, data: &[u8]) -> Option<usize> {
    let start = match format {
        // BI_RGB or BI_BITFIELDS; the pixels begin where the file header says.
        "bmp" => matches!(u32le(data, 30), Some(0 | 3)).then(|| u32le(data, 10)).flatten()?,
        "riff" => riff_wave_pcm(data)?,
        "tiff" => tiff_uncompressed(data)?,
        "dicom" => {
            dicom_uncompressed(data).then_some(())?;
            // (7FE0,0010) Pixel Data, its value after the tag, VR and length.
            memchr::memmem::find(&data[132.min(data.len())..], b"\xE0\x7F\x10\x00").map(|at| 132 + at + 12)?
        }
        _ => return None,
    };
    (start < data.len()).then_some(start)
}

/// Where the samples of a RIFF WAVE begin whose `fmt ` chunk says PCM (1), float (3) or
/// extensible PCM.
fn riff_wave_pcm(data: &[u8]) -> Option<usize> {
    if data.get(8..12) != Some(b"WAVE") {
        return None;
    }
    let (mut pos, mut pcm) = (12usize, false);
    while let (Some(id), Some(len)) = (data.get(pos..pos + 4), u32le(data, pos + 4)) {
        if id == b"fmt " {
            pcm = matches!(u16le(data, pos + 8), Some(1 | 3 | 0xFFFE));
        } else if id == b"data" {
            return pcm.then_some(pos + 8);
        }
        pos = pos.saturating_add(8).saturating_add(len + len % 2);
    }
    None
}

/// Where the first strip of a TIFF begins whose first image says compression 1 (none).
fn tiff_uncompressed(data: &[u8]) -> Option<usize> {
    let big = data.starts_with(b"MM");
    let ifd = number(data, 4, 4, big)?;
    let count = number(data, ifd, 2, big)?;
    let entry =
        |tag: usize| (0..count.min(4096)).map(|i| ifd + 2 + 12 * i).find(|&at| number(data, at, 2, big) == Some(tag));
    let compression = entry(259)?;
    if number(data, compression + 8, 2, big) != Some(1) {
        return None;
    }
    // StripOffsets: short or long; one value in the entry, more in an array it points to.
    let strips = entry(273)?;
    let width = if number(data, strips + 2, 2, big) == Some(3) { 2 } else { 4 };
    let n = number(data, strips + 4, 4, big)?;
    let at = if n * width <= 4 { strips + 8 } else { number(data, strips + 8, 4, big)? };
    number(data, at, width, big)
}

/// A DICOM file whose transfer syntax (0002,0010) is one of the uncompressed ones: implicit or
/// explicit VR, little or big endian (PS3.5 A.1–A.3).
fn dicom_uncompressed(data: &[u8]) -> bool {
    let meta = &data[132.min(data.len())..data.len().min(1024)];
    let Some(at) = memchr::memmem::find(meta, b"\x02\x00\x10\x00UI") else { return false };
    let Some(len) = u16le(meta, at + 6) else { return false };
    let Some(uid) = meta.get(at + 8..at + 8 + len) else { return false };
    let uid = uid.strip_suffix(b"\0").unwrap_or(uid);
    matches!(uid, b"1.2.840.10008.1.2" | b"1.2.840.10008.1.2.1" | b"1.2.840.10008.1.2.2")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(n: usize, seed: u8) -> Vec<u8> {
        use sha2::Digest;
        (0..n.div_ceil(32))
            .flat_map(|i| sha2::Sha256::digest([seed, (i >> 8) as u8, i as u8]).to_vec())
            .take(n)
            .collect()
    }

    fn overwrite_tail(mut data: Vec<u8>, n: usize) -> Vec<u8> {
        let len = data.len();
        data[len - n..].copy_from_slice(&noise(n, 1));
        data
    }

    fn tar_of(members: &[(&str, usize)]) -> Vec<u8> {
        let mut tar = tar::Builder::new(Vec::new());
        for (name, size) in members {
            let body = "検査結果 result\n".repeat(size / 20 + 1).into_bytes();
            let mut header = tar::Header::new_gnu();
            header.set_size(*size as u64);
            header.set_cksum();
            tar.append_data(&mut header, name, &body[..*size]).unwrap();
        }
        tar.into_inner().unwrap()
    }

    #[test]
    fn a_tar_is_walked_header_by_header_to_its_end_blocks() {
        let tar = tar_of(&[("a.csv", 3000), ("b.txt", 70_000)]);
        assert_eq!(end_of("tar", &tar), End::Whole);
        assert_eq!(end_of("tar", &tar[..tar.len() / 2]), End::Cut);
        assert_eq!(end_of("tar", &overwrite_tail(tar.clone(), tar.len() / 10)), End::Overwritten);
    }

    #[test]
    fn a_zip_is_walked_through_its_central_directory() {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for name in ["[Content_Types].xml", "word/document.xml", "docProps/core.xml"] {
            zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(&"<w:t>記録</w:t>".repeat(100).into_bytes()).unwrap();
        }
        let zip = zip.finish().unwrap().into_inner();
        assert_eq!(end_of("zip", &zip), End::Whole);
        // Only the central directory's last bytes overwritten: its entries no longer name their headers.
        assert_eq!(end_of("zip", &overwrite_tail(zip.clone(), 60)), End::Overwritten);
        assert_eq!(end_of("zip", &zip[..zip.len() - 30]), End::Cut);
        assert!(!zip_with_prefix(&zip));
        let launcher = [b"#!/bin/sh\nexec java -jar \"$0\"\n".as_slice(), &zip].concat();
        assert!(zip_with_prefix(&launcher));
    }

    /// A compound file of 512-byte sectors: `data` sectors of text, the directory, then the table.
    fn compound(data: usize) -> Vec<u8> {
        let mut header = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
        header.resize(24, 0);
        header.extend([0x3E, 0, 3, 0, 0xFE, 0xFF, 9, 0, 6, 0, 0, 0, 0, 0, 0, 0]);
        for v in [0u32, 1, data as u32 /* directory */, 0, 4096, 0xFFFF_FFFE, 0, 0xFFFF_FFFE, 0] {
            header.extend(v.to_le_bytes());
        }
        header.extend((data as u32 + 1).to_le_bytes());
        header.extend([0xFF; 108 * 4]);
        let mut out = header;
        out.extend("記録 record ".repeat(data * 512 / 10 + 1).as_bytes()[..data * 512].iter());
        let mut entry = "Root Entry\0".encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<_>>();
        entry.resize(64, 0);
        entry.extend([22, 0, 5, 1]);
        entry.resize(128, 0);
        out.extend(entry);
        out.resize(out.len() + 384, 0);
        let mut fat: Vec<u32> = (1..=data as u32).collect();
        fat[data - 1] = 0xFFFF_FFFE;
        fat.extend([0xFFFF_FFFE, 0xFFFF_FFFD]);
        fat.resize(128, 0xFFFF_FFFF);
        out.extend(fat.iter().flat_map(|v| v.to_le_bytes()));
        out
    }

    #[test]
    fn a_compound_file_is_read_by_its_table_and_directory() {
        let file = compound(20);
        assert_eq!(end_of("ole2", &file), End::Whole);
        assert_eq!(end_of("ole2", &overwrite_tail(file.clone(), 300)), End::Overwritten);
        assert_eq!(end_of("ole2", &file[..file.len() - 512]), End::Cut);
    }

    #[test]
    fn a_tiff_directory_an_event_log_and_a_pdf_stream_say_how_they_end() {
        let mut tiff = b"II*\x00".to_vec();
        let pixels = "0123456789".repeat(500).into_bytes();
        tiff.extend((8 + pixels.len() as u32).to_le_bytes());
        tiff.extend(&pixels);
        tiff.extend(3u16.to_le_bytes());
        for (tag, kind, value) in [(256u16, 3u16, 100u32), (259, 3, 1), (273, 4, 8)] {
            tiff.extend(tag.to_le_bytes());
            tiff.extend(kind.to_le_bytes());
            tiff.extend(1u32.to_le_bytes());
            tiff.extend(value.to_le_bytes());
        }
        tiff.extend(0u32.to_le_bytes());
        assert_eq!(end_of("tiff", &tiff), End::Whole);
        assert_eq!(raw_body("tiff", &tiff), Some(8));
        assert_eq!(end_of("tiff", &overwrite_tail(tiff.clone(), 40)), End::Overwritten);
        assert_eq!(end_of("tiff", &tiff[..tiff.len() - 40]), End::Cut);

        let mut evtx = b"ElfFile\0".to_vec();
        evtx.resize(4096, 0);
        let mut chunk = b"ElfChnk\0".to_vec();
        chunk.resize(512, 0);
        chunk.extend("<Event>4624</Event>".repeat(200).as_bytes());
        let free = chunk.len();
        let mut crc = flate2::Crc::new();
        crc.update(&chunk[512..]);
        chunk[48..52].copy_from_slice(&(free as u32).to_le_bytes());
        chunk[52..56].copy_from_slice(&crc.sum().to_le_bytes());
        chunk.resize(64 * 1024, 0);
        evtx.extend(&chunk);
        assert_eq!(end_of("evtx", &evtx), End::Whole);
        let mut damaged = evtx.clone();
        damaged[4096 + 3000..4096 + 3400].copy_from_slice(&noise(400, 2));
        assert_eq!(end_of("evtx", &damaged), End::Overwritten);
        assert_eq!(end_of("evtx", &evtx[..40_000]), End::Cut);

        let body = "BT /F1 12 Tf (record) Tj ET\n".repeat(300);
        let pdf = format!(
            "%PDF-1.7\n1 0 obj\n<< /Length {} >>\nstream\n{body}\nendstream\nendobj\nxref\n0 1\ntrailer\n<< >>\nstartxref\n9\n%%EOF\n",
            body.len()
        )
        .into_bytes();
        assert_eq!(end_of("pdf", &pdf), End::Whole);
        assert_eq!(end_of("pdf", &pdf[..pdf.len() / 2]), End::Cut);
        assert_eq!(end_of("pdf", &overwrite_tail(pdf.clone(), pdf.len() / 10)), End::Overwritten);
    }

    /// A SQLite database of 1 KiB pages: the first holds the header and an empty schema, the
    /// others table rows of one text column each (the last `empty` pages hold none).
    fn sqlite_db(pages: usize, empty: usize) -> Vec<u8> {
        const PAGE: usize = 1024;
        let mut db = vec![0u8; PAGE * pages];
        db[..16].copy_from_slice(b"SQLite format 3\0");
        db[16..18].copy_from_slice(&(PAGE as u16).to_be_bytes());
        db[100] = 13;
        db[105..107].copy_from_slice(&(PAGE as u16).to_be_bytes());
        let mut row = 1u8;
        for n in 1..pages {
            let page = &mut db[n * PAGE..(n + 1) * PAGE];
            let (mut content, mut cells) = (PAGE, 0usize);
            let rows = if n + empty < pages { usize::MAX } else { 0 };
            while cells < rows {
                let text = format!("患者 {row:03} 検査結果 正常").into_bytes();
                let mut cell = vec![(2 + text.len()) as u8, row, 2, (13 + 2 * text.len()) as u8];
                cell.extend(&text);
                if content - cell.len() < 8 + 2 * (cells + 1) + 16 {
                    break;
                }
                content -= cell.len();
                page[content..content + cell.len()].copy_from_slice(&cell);
                page[8 + 2 * cells..10 + 2 * cells].copy_from_slice(&(content as u16).to_be_bytes());
                cells += 1;
                row = row % 126 + 1;
            }
            page[0] = 13;
            page[3..5].copy_from_slice(&(cells as u16).to_be_bytes());
            page[5..7].copy_from_slice(&((content % 65536) as u16).to_be_bytes());
        }
        db
    }

    #[test]
    fn a_database_and_a_gzip_file_say_how_they_end_and_a_database_its_body() {
        let db = sqlite_db(8, 0);
        assert_eq!(end_of("sqlite", &db), End::Whole);
        assert_eq!(end_of("sqlite", &overwrite_tail(db.clone(), 300)), End::Overwritten);
        assert_eq!(end_of("sqlite", &db[..db.len() - 100]), End::Cut);
        // An empty last page whose free space turned random.
        let empty = sqlite_db(8, 1);
        assert_eq!(end_of("sqlite", &empty), End::Whole);
        assert_eq!(end_of("sqlite", &overwrite_tail(empty, 300)), End::Overwritten);
        // The first page encrypted: the pages after it still show a database.
        let mut head = db.clone();
        head[..1024].copy_from_slice(&noise(1024, 3));
        assert!(body_is("sqlite", &head));
        assert!(!body_is("sqlite", &noise(8192, 4)));
        assert!(!body_is("zip", &head));

        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, "2026-12-04 03:12 login admin 10.0.0.5\n".repeat(2000).as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(end_of("gzip", &gz), End::Whole);
        assert_eq!(end_of("gzip", &[&gz[..], &gz[..], &[0; 512][..]].concat()), End::Whole);
        assert_eq!(end_of("gzip", &gz[..gz.len() - 20]), End::Cut);
        assert_eq!(end_of("gzip", &overwrite_tail(gz.clone(), 8)), End::Overwritten);
        assert_eq!(end_of("gzip", &[&gz[..], &noise(300, 5)[..]].concat()), End::Overwritten);
    }

    /// An MP4 of `frames` AVC samples (a NAL unit of noise each: compressed video looks random),
    /// its index (`moov`) before its media or after it.
    fn mp4(frames: usize, index_first: bool) -> Vec<u8> {
        let boxed = |kind: &[u8], body: &[u8]| [&((8 + body.len()) as u32).to_be_bytes()[..], kind, body].concat();
        let samples: Vec<Vec<u8>> = (0..frames)
            .map(|i| {
                let mut nal = vec![if i == 0 { 0x65 } else { 0x41 }];
                nal.extend(noise(700 + i * 13 % 300, i as u8));
                [&(nal.len() as u32).to_be_bytes()[..], &nal].concat()
            })
            .collect();
        let ftyp = boxed(b"ftyp", b"isom\0\0\x02\0isomavc1");
        let moov = |mdat_at: usize| {
            let mut entry = vec![0u8; 78];
            entry.extend(boxed(b"avcC", &[1, 0x64, 0, 0x1f, 0xff]));
            let stsd = boxed(b"stsd", &[&[0u8, 0, 0, 0, 0, 0, 0, 1][..], &boxed(b"avc1", &entry)].concat());
            let sizes: Vec<u8> = samples.iter().flat_map(|s| (s.len() as u32).to_be_bytes()).collect();
            let stsz = boxed(b"stsz", &[&[0u8; 8][..], &(frames as u32).to_be_bytes(), &sizes].concat());
            let stsc = boxed(b"stsc", &[0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
            let mut at = mdat_at + 8;
            let mut offsets = (frames as u32).to_be_bytes().to_vec();
            for sample in &samples {
                offsets.extend((at as u32).to_be_bytes());
                at += sample.len();
            }
            let stco = boxed(b"stco", &[&[0u8; 4][..], &offsets].concat());
            let stbl = boxed(b"stbl", &[stsd, stsz, stsc, stco].concat());
            boxed(b"moov", &boxed(b"trak", &boxed(b"mdia", &boxed(b"minf", &stbl))))
        };
        let mdat = boxed(b"mdat", &samples.concat());
        if index_first {
            let at = ftyp.len() + moov(0).len();
            [ftyp, moov(at), mdat].concat()
        } else {
            let at = ftyp.len();
            [ftyp, mdat, moov(at)].concat()
        }
    }

    #[test]
    fn a_movie_says_how_it_ends_by_its_boxes_or_its_last_samples() {
        for index_first in [true, false] {
            let movie = mp4(100, index_first);
            assert_eq!(end_of("iso-bmff", &movie), End::Whole, "index first: {index_first}");
            let tenth = movie.len() / 10;
            assert_eq!(end_of("iso-bmff", &overwrite_tail(movie.clone(), tenth)), End::Overwritten, "{index_first}");
            assert_eq!(end_of("iso-bmff", &movie[..movie.len() - tenth]), End::Cut, "{index_first}");
            assert_eq!(end_of("iso-bmff", &movie[..movie.len() - 1]), End::Cut, "{index_first}");
            assert_eq!(end_of("iso-bmff", &[&movie[..], &[0; 4096][..]].concat()), End::Whole, "{index_first}");
        }
        // NAL units to the sample's size, one a byte short of it, one whose forbidden bit is set.
        assert!(nal_units(&[0, 0, 0, 2, 0x65, 7, 0, 0, 0, 1, 0x41], 4, false));
        assert!(!nal_units(&[0, 0, 0, 2, 0x65, 7, 0, 0, 0, 2, 0x41], 4, false));
        assert!(!nal_units(&[0, 0, 0, 2, 0xE5, 7], 4, false));
        assert_eq!(end_of("iso-bmff", &noise(5000, 9)), End::Unknown);
        // Tables that name four billion samples in each chunk: sizes are read within their
        // table, and samples of one fixed size no further than the bound.
        let mut huge = mp4(100, true);
        let stsz = huge.windows(4).position(|w| w == b"stsz").unwrap() + 12;
        huge[stsz..stsz + 4].copy_from_slice(&[0xff; 4]);
        let stsc = huge.windows(4).position(|w| w == b"stsc").unwrap() + 16;
        huge[stsc..stsc + 4].copy_from_slice(&[0xff; 4]);
        assert_eq!(end_of("iso-bmff", &huge), End::Whole);
        huge[stsz - 4..stsz].copy_from_slice(&[0, 0, 0, 1]);
        assert!(matches!(end_of("iso-bmff", &huge), End::Whole | End::Overwritten));
    }

    #[test]
    fn raw_samples_and_pixels_are_told_from_compressed_ones() {
        let mut bmp = b"BM".to_vec();
        bmp.resize(54, 0);
        bmp[10] = 54;
        bmp.extend([0x40; 48]);
        assert_eq!(raw_body("bmp", &bmp), Some(54));
        bmp[30] = 4; // JPEG inside
        assert!(raw_body("bmp", &bmp).is_none());
        let wav = |tag: u16| {
            let mut w = b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0".to_vec();
            w.extend(tag.to_le_bytes());
            w.resize(36, 0);
            w.extend(b"data\x40\0\0\0");
            w.resize(108, 0);
            w
        };
        assert_eq!(raw_body("riff", &wav(1)), Some(44));
        assert!(raw_body("riff", &wav(0x55)).is_none()); // MP3 inside
        let dicom = |uid: &[u8]| {
            let mut d = vec![0u8; 128];
            d.extend(b"DICM\x02\x00\x10\x00UI");
            d.extend((uid.len() as u16).to_le_bytes());
            d.extend(uid);
            d.extend(b"\xE0\x7F\x10\x00OW\0\0\x40\0\0\0");
            d.resize(d.len() + 64, 0x10);
            d
        };
        assert!(raw_body("dicom", &dicom(b"1.2.840.10008.1.2.1\0")).is_some());
        assert!(raw_body("dicom", &dicom(b"1.2.840.10008.1.2.4.50")).is_none());
    }
}
