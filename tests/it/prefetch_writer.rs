//! Prefetch files made for the tests: the SCCA structure of formats 17, 23 and 30, and the
//! Windows 10 "MAM" compression (LZ77+Huffman of MS-XCA), encoded here independently of the
//! reader: every symbol gets a 9-bit code, matches of 3 to 17 bytes up to 2 KiB back.

/// One program's prefetch record.
pub struct Pf<'a> {
    pub version: u32,
    pub executable: &'a str,
    pub hash: u32,
    pub run_count: u32,
    /// FILETIMEs, newest first.
    pub runs: &'a [u64],
    pub files: Vec<String>,
    pub volume: &'a str,
    pub serial: u32,
    /// For version 30: the 212-byte file-information layout (run count at 0xC8).
    pub short_info: bool,
}

fn put32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// The uncompressed prefetch file.
pub fn build(pf: &Pf) -> Vec<u8> {
    let data_at = 0x140usize;
    let names: Vec<u8> = pf.files.iter().flat_map(|f| [utf16(f), vec![0, 0]].concat()).collect();
    let volumes_at = data_at + names.len();
    let entry = match pf.version {
        17 => 40,
        23 | 26 => 104,
        _ => 96,
    };
    let device = utf16(pf.volume);
    let mut b = vec![0u8; volumes_at + entry + device.len() + 2];
    put32(&mut b, 0, pf.version);
    b[4..8].copy_from_slice(b"SCCA");
    let size = b.len() as u32;
    put32(&mut b, 0x0C, size);
    let exe = utf16(pf.executable);
    b[0x10..0x10 + exe.len().min(58)].copy_from_slice(&exe[..exe.len().min(58)]);
    put32(&mut b, 0x4C, pf.hash);
    let metrics = if pf.version == 30 && pf.short_info { 0x128 } else { 0x130 };
    put32(&mut b, 0x54, metrics);
    put32(&mut b, 0x64, data_at as u32);
    put32(&mut b, 0x68, names.len() as u32);
    put32(&mut b, 0x6C, volumes_at as u32);
    put32(&mut b, 0x70, 1);
    b[data_at..data_at + names.len()].copy_from_slice(&names);
    let (times_at, slots, count_at) = match pf.version {
        17 => (0x78, 1, 0x90),
        23 => (0x80, 1, 0x98),
        _ => (0x80, 8, if pf.short_info { 0xC8 } else { 0xD0 }),
    };
    for (i, t) in pf.runs.iter().take(slots).enumerate() {
        b[times_at + 8 * i..times_at + 8 * i + 8].copy_from_slice(&t.to_le_bytes());
    }
    put32(&mut b, count_at, pf.run_count);
    put32(&mut b, volumes_at, entry as u32);
    put32(&mut b, volumes_at + 4, pf.volume.encode_utf16().count() as u32);
    b[volumes_at + 8..volumes_at + 16].copy_from_slice(&0x01d1_217a_9c4c_6779u64.to_le_bytes());
    put32(&mut b, volumes_at + 16, pf.serial);
    b[volumes_at + entry..volumes_at + entry + device.len()].copy_from_slice(&device);
    b
}

/// Bits written most significant first into 16-bit little-endian words.
struct Bits {
    words: Vec<u8>,
    acc: u32,
    n: u32,
    used: usize,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) {
        for i in (0..count).rev() {
            self.acc = (self.acc << 1) | ((value >> i) & 1);
            self.n += 1;
            self.used += 1;
            if self.n == 16 {
                self.words.extend((self.acc as u16).to_le_bytes());
                self.acc = 0;
                self.n = 0;
            }
        }
    }

    /// Ends a block: the last word filled, then as many words as the reader takes in ahead.
    fn finish(mut self, out: &mut Vec<u8>) {
        if self.n > 0 {
            self.words.extend(((self.acc << (16 - self.n)) as u16).to_le_bytes());
        }
        let refills = if self.used > 16 { (self.used - 16).div_ceil(16) } else { 0 };
        self.words.resize((2 + refills) * 2, 0);
        out.extend(self.words);
    }
}

/// `MAM\x04`, the size, and the data compressed in blocks of 64 KiB.
pub fn compress(data: &[u8]) -> Vec<u8> {
    let mut out = b"MAM\x04".to_vec();
    out.extend((data.len() as u32).to_le_bytes());
    for block_start in (0..data.len()).step_by(65536) {
        let block_end = (block_start + 65536).min(data.len());
        // Every one of the 512 symbols has a 9-bit code: the code of a symbol is its value.
        out.extend([0x99u8; 256]);
        let mut bits = Bits { words: Vec::new(), acc: 0, n: 0, used: 0 };
        let mut i = block_start;
        while i < block_end {
            let mut best = (0usize, 0usize);
            for offset in 1..=i.min(2048) {
                let max = 17.min(block_end - i);
                let len = (0..max).take_while(|&k| data[i + k] == data[i - offset + k]).count();
                if len > best.0 {
                    best = (len, offset);
                }
            }
            if best.0 >= 3 {
                let (len, offset) = best;
                let offset_bits = usize::BITS - 1 - offset.leading_zeros();
                bits.put(256 + (offset_bits << 4) + (len as u32 - 3), 9);
                bits.put((offset - (1 << offset_bits)) as u32, offset_bits);
                i += len;
            } else {
                bits.put(u32::from(data[i]), 9);
                i += 1;
            }
        }
        bits.finish(&mut out);
    }
    out
}

/// A FILETIME from a UTC time `YYYY-MM-DDTHH:MM:SSZ`.
pub fn filetime(utc: &str) -> u64 {
    let t = chrono::DateTime::parse_from_rfc3339(utc).unwrap().timestamp() as u64;
    (t + 11_644_473_600) * 10_000_000
}
