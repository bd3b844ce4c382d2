//! Fixed-width integers read from a byte slice at an offset: the one set of readers the parsers
//! share. Out of range gives `None` (never a panic), so a truncated structure is the caller's
//! error to name. And the count of each byte value, which every entropy measure starts from.

fn array<const N: usize>(b: &[u8], at: usize) -> Option<[u8; N]> {
    b.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// A little-endian u16 at `at`.
pub fn le_u16(b: &[u8], at: usize) -> Option<u16> {
    array(b, at).map(u16::from_le_bytes)
}

/// A little-endian u32 at `at`.
pub fn le_u32(b: &[u8], at: usize) -> Option<u32> {
    array(b, at).map(u32::from_le_bytes)
}

/// A little-endian i32 at `at`.
pub fn le_i32(b: &[u8], at: usize) -> Option<i32> {
    array(b, at).map(i32::from_le_bytes)
}

/// A little-endian u64 at `at`.
pub fn le_u64(b: &[u8], at: usize) -> Option<u64> {
    array(b, at).map(u64::from_le_bytes)
}

/// A big-endian u16 at `at`.
pub fn be_u16(b: &[u8], at: usize) -> Option<u16> {
    array(b, at).map(u16::from_be_bytes)
}

/// A big-endian u32 at `at`.
pub fn be_u32(b: &[u8], at: usize) -> Option<u32> {
    array(b, at).map(u32::from_be_bytes)
}

/// A big-endian u64 at `at`.
pub fn be_u64(b: &[u8], at: usize) -> Option<u64> {
    array(b, at).map(u64::from_be_bytes)
}

/// How often each byte value occurs in `bytes`. Counted in four tables, one for each byte of a
/// word, so that a run of one value (the zeros of an executable) does not wait on one counter.
pub fn histogram(bytes: &[u8]) -> [u64; 256] {
    let mut out = [0u64; 256];
    // Each table counts a quarter of a block: u32 counters cannot overflow.
    for block in bytes.chunks(1 << 30) {
        let mut tables = [[0u32; 256]; 4];
        let mut words = block.chunks_exact(4);
        for w in &mut words {
            tables[0][w[0] as usize] += 1;
            tables[1][w[1] as usize] += 1;
            tables[2][w[2] as usize] += 1;
            tables[3][w[3] as usize] += 1;
        }
        words.remainder().iter().for_each(|&b| tables[0][b as usize] += 1);
        for (value, count) in out.iter_mut().enumerate() {
            *count += tables.iter().map(|t| t[value] as u64).sum::<u64>();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_at_an_offset_and_refuses_past_the_end() {
        let b = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09];
        assert_eq!(le_u16(&b, 1), Some(0x0302));
        assert_eq!(le_u32(&b, 0), Some(0x0403_0201));
        assert_eq!(be_u32(&b, 0), Some(0x0102_0304));
        assert_eq!(le_u64(&b, 1), Some(0x0908_0706_0504_0302));
        assert_eq!(be_u16(&b, 7), Some(0x0809));
        assert_eq!(le_i32(&[0xff; 4], 0), Some(-1));
        assert_eq!(le_u32(&b, 6), None);
        assert_eq!(le_u64(&b, usize::MAX - 2), None);
    }

    #[test]
    fn counts_every_byte_value_whatever_the_length() {
        for len in [0usize, 1, 3, 4, 5, 1023, 4099] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8 & if i % 3 == 0 { 0 } else { 0xff }).collect();
            let mut naive = [0u64; 256];
            bytes.iter().for_each(|&b| naive[b as usize] += 1);
            assert_eq!(histogram(&bytes), naive, "{len}");
        }
    }
}
