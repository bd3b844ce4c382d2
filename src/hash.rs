//! SHA-256, the one hash of the case: custody chain, manifests, kept files.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

/// The hash that stands before the first custody line.
pub const ZERO: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Lowercase hexadecimal of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The bytes of a hexadecimal text (either case, two digits a byte); `None` when it is not one.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    let digits = text.as_bytes();
    if !digits.len().is_multiple_of(2) || !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    digits.chunks(2).map(|d| u8::from_str_radix(std::str::from_utf8(d).ok()?, 16).ok()).collect()
}

/// Lowercase hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Lowercase hex SHA-256 and size of a file, read once in 1 MiB blocks.
pub fn sha256_file(path: &Path) -> io::Result<(String, u64)> {
    let mut file = File::open(path)?;
    copy_hashed(&mut file, &mut io::sink()).map_err(CopyFailed::into_inner)
}

/// Which side of a [`copy_hashed`] failed.
#[derive(Debug)]
pub enum CopyFailed {
    /// Reading the input.
    Read(io::Error),
    /// Writing the output.
    Write(io::Error),
}

impl CopyFailed {
    /// The error, whichever side it came from.
    pub fn into_inner(self) -> io::Error {
        match self {
            CopyFailed::Read(e) | CopyFailed::Write(e) => e,
        }
    }
}

/// Copies `input` to `output` in 1 MiB blocks, hashing exactly the bytes that pass: returns their
/// lowercase hex SHA-256 and count.
pub fn copy_hashed<R: Read + ?Sized, W: Write + ?Sized>(
    input: &mut R,
    output: &mut W,
) -> Result<(String, u64), CopyFailed> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                hasher.update(&buf[..n]);
                output.write_all(&buf[..n]).map_err(CopyFailed::Write)?;
                size += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CopyFailed::Read(e)),
        }
    }
    Ok((format!("{:x}", hasher.finalize()), size))
}

/// Merkle tree head over leaves (RFC 6962 §2.1): leaf = SHA-256(0x00 ‖ data),
/// node = SHA-256(0x01 ‖ left ‖ right), split at the largest power of two below n.
/// The empty tree's head is SHA-256 of nothing.
pub fn merkle_root<T: AsRef<[u8]>>(leaves: &[T]) -> String {
    let hashes: Vec<[u8; 32]> = leaves.iter().map(|l| leaf_hash(l.as_ref())).collect();
    let root = if hashes.is_empty() { Sha256::digest(b"").into() } else { subtree(&hashes) };
    root.iter().map(|b| format!("{b:02x}")).collect()
}

fn leaf_hash(data: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

fn subtree(hashes: &[[u8; 32]]) -> [u8; 32] {
    if hashes.len() == 1 {
        return hashes[0];
    }
    let split = hashes.len().next_power_of_two() / 2;
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(subtree(&hashes[..split]));
    h.update(subtree(&hashes[split..]));
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_back_and_forth() {
        assert_eq!(unhex("00ffAB"), Some(vec![0, 255, 0xab]));
        assert_eq!(unhex(&hex(b"shodo")), Some(b"shodo".to_vec()));
        assert_eq!(unhex(""), Some(Vec::new()));
        for bad in ["0", "0g", "+f", "日本"] {
            assert_eq!(unhex(bad), None, "{bad}");
        }
    }

    #[test]
    fn merkle_of_one_leaf_is_its_leaf_hash() {
        let mut h = Sha256::new();
        h.update([0u8]);
        h.update(b"row");
        assert_eq!(merkle_root(&[b"row"]), format!("{:x}", h.finalize()));
    }

    #[test]
    fn merkle_changes_with_order_and_content() {
        let a = merkle_root(&["a", "b", "c"]);
        assert_ne!(a, merkle_root(&["b", "a", "c"]));
        assert_ne!(a, merkle_root(&["a", "b", "d"]));
        assert_eq!(a, merkle_root(&["a", "b", "c"]));
    }

    #[test]
    fn known_vector() {
        assert_eq!(hex(&[0x00, 0xab, 0x10]), "00ab10");
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
