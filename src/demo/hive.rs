//! Registry hives for the demo endpoint and the tests: a minimal empty hive written here (base
//! block, one hbin, a root key and its security cell), filled with hivex's `hivexsh`.

use std::path::Path;

use crate::error::{Error, Result};

fn cell(data: &[u8]) -> Vec<u8> {
    let size = (4 + data.len() + 7) & !7;
    let mut out = (-(size as i32)).to_le_bytes().to_vec();
    out.extend_from_slice(data);
    out.resize(size, 0);
    out
}

fn u16s(v: &[u16]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn u32s(v: &[u32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// An empty hive: what `hivexsh` needs to start from.
pub fn empty_hive() -> Vec<u8> {
    const FIRST_CELL: u32 = 0x20;
    let name = b"ROOT";
    let nk_size = (4 + 0x4C + name.len() + 7) & !7;
    let sk_offset = FIRST_CELL + nk_size as u32;
    let mut nk = b"nk".to_vec();
    nk.extend(u16s(&[0x2C])); // hive entry | no delete | compressed name
    nk.extend([0u8; 8]); // last written
    nk.extend(u32s(&[0, u32::MAX, 0, 0, u32::MAX, u32::MAX, 0, u32::MAX, sk_offset, u32::MAX, 0, 0, 0, 0, 0]));
    nk.extend(u16s(&[name.len() as u16, 0]));
    nk.extend(name);
    // Self-relative security descriptor with a present, null DACL.
    let sd = [1u8, 0, 0x04, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let mut sk = b"sk".to_vec();
    sk.extend(u16s(&[0]));
    sk.extend(u32s(&[sk_offset, sk_offset, 1, sd.len() as u32]));
    sk.extend(sd);
    let cells: Vec<u8> = [cell(&nk), cell(&sk)].concat();
    let hbin_size = 4096usize;
    let mut hbin = b"hbin".to_vec();
    hbin.extend(u32s(&[0, hbin_size as u32]));
    hbin.resize(FIRST_CELL as usize, 0);
    hbin.extend(&cells);
    let free = hbin_size - hbin.len();
    hbin.extend((free as i32).to_le_bytes());
    hbin.resize(hbin_size, 0);
    let mut base = vec![0u8; 4096];
    base[..4].copy_from_slice(b"regf");
    base[4..48].copy_from_slice(&u32s(&[1, 1, 0, 0, 1, 5, 0, 1, FIRST_CELL, hbin_size as u32, 1]));
    crate::formats::registry::seal(&mut base);
    [base, hbin].concat()
}

/// Writes a hive at `path` and runs `script` (hivexsh commands) on it, then commits.
pub fn make_hive(path: &Path, script: &str) -> Result<()> {
    std::fs::write(path, empty_hive()).map_err(Error::io("write", path))?;
    crate::isolate::hivex::hivexsh(path, &format!("{script}\n"))
}

/// Sets every key's last-written time (FILETIME) in a hive's bytes: hivexsh leaves its own,
/// which would put the demo's registry keys centuries away. Walks the hbins' cells; the base
/// block's checksum does not cover them.
pub fn set_key_times(hive: &mut [u8], filetime: u64) {
    let mut hbin = 0x1000;
    while hive.get(hbin..hbin + 4) == Some(b"hbin") {
        let size = hive.get(hbin + 8..hbin + 12).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
        if size < 0x20 {
            return;
        }
        let mut cell = hbin + 0x20;
        while cell + 4 <= (hbin + size).min(hive.len()) {
            let raw = i32::from_le_bytes([hive[cell], hive[cell + 1], hive[cell + 2], hive[cell + 3]]);
            let len = raw.unsigned_abs() as usize;
            if len < 8 {
                break;
            }
            if raw < 0 && hive.get(cell + 4..cell + 6) == Some(b"nk") && cell + 16 <= hive.len() {
                hive[cell + 8..cell + 16].copy_from_slice(&filetime.to_le_bytes());
            }
            cell += len;
        }
        hbin += size;
    }
}
