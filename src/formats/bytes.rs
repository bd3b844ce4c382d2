//! Fixed-width integers read from a byte slice at an offset: the one set of readers the parsers
//! share. Out of range gives `None` (never a panic), so a truncated structure is the caller's
//! error to name.

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
}
