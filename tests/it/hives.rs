//! Registry hives made for the tests: a minimal empty hive written here (base block, one hbin,
//! a root key and its security cell), filled with hivex's `hivexsh`, an independent tool.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

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
    let sum =
        (0..508).step_by(4).fold(0u32, |a, i| a ^ u32::from_le_bytes([base[i], base[i + 1], base[i + 2], base[i + 3]]));
    let sum = match sum {
        0 => 1,
        u32::MAX => u32::MAX - 1,
        s => s,
    };
    base[508..512].copy_from_slice(&sum.to_le_bytes());
    [base, hbin].concat()
}

/// Writes a hive at `path` and runs `script` (hivexsh commands) on it, then commits.
pub fn make_hive(path: &Path, script: &str) {
    std::fs::write(path, empty_hive()).unwrap();
    let mut child = Command::new("hivexsh")
        .arg("-w")
        .arg(path)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hivexsh (libhivex-bin) builds the test hives");
    child.stdin.take().unwrap().write_all(format!("{script}\ncommit\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "hivexsh: {}", String::from_utf8_lossy(&out.stderr));
}

/// A SYSTEM hive of a Windows machine named `name` with one statically addressed NIC.
pub fn system_hive(path: &Path, name: &str) {
    let script = format!(
        "add Select\ncd Select\nsetval 1\nCurrent\ndword:1\ncd ..\n\
         add ControlSet001\ncd ControlSet001\nadd Control\ncd Control\n\
         add ComputerName\ncd ComputerName\nadd ComputerName\ncd ComputerName\nsetval 1\nComputerName\nstring:{name}\ncd ..\ncd ..\n\
         add TimeZoneInformation\ncd TimeZoneInformation\nsetval 1\nTimeZoneKeyName\nstring:Tokyo Standard Time\ncd ..\n\
         add Windows\ncd Windows\nsetval 1\nShutdownTime\nhex:3:80,ed,d0,fe,b9,a9,da,01\ncd ..\ncd ..\n\
         add Services\ncd Services\nadd Tcpip\ncd Tcpip\nadd Parameters\ncd Parameters\nadd Interfaces\ncd Interfaces\n\
         add {{3F2504E0-4F89-11D3-9A0C-0305E82C3301}}\ncd {{3F2504E0-4F89-11D3-9A0C-0305E82C3301}}\n\
         setval 3\nEnableDHCP\ndword:0\nIPAddress\nstring:192.168.10.21\nDefaultGateway\nstring:192.168.10.1"
    );
    make_hive(path, &script);
}

/// A SOFTWARE hive: Windows 10 Pro 22H2, build 19045.3803, installed 2023-04-01.
pub fn software_hive(path: &Path) {
    let script = "add Microsoft\ncd Microsoft\nadd Windows NT\ncd Windows NT\nadd CurrentVersion\ncd CurrentVersion\n\
                  setval 5\nProductName\nstring:Windows 10 Pro\nDisplayVersion\nstring:22H2\n\
                  CurrentBuildNumber\nstring:19045\nUBR\ndword:3803\nInstallDate\ndword:1680307200";
    make_hive(path, script);
}

/// Marks a hive dirty: its primary sequence number one ahead of the secondary (checksum kept
/// valid), as Windows leaves it between starting and finishing a write.
pub fn make_dirty(hive: &mut [u8]) {
    let next = u32::from_le_bytes(hive[8..12].try_into().unwrap()) + 1;
    hive[4..8].copy_from_slice(&next.to_le_bytes());
    let sum = (0..508).step_by(4).fold(0u32, |a, i| a ^ u32::from_le_bytes(hive[i..i + 4].try_into().unwrap()));
    hive[508..512].copy_from_slice(&sum.to_le_bytes());
}

/// Marvin32 with the registry's seed, as the log entries' hashes use it.
fn marvin32(data: &[u8]) -> u64 {
    let seed: u64 = 0x82EF_4D88_7A4E_55C5;
    let (mut s0, mut s1) = (seed as u32, (seed >> 32) as u32);
    let block = |s0: &mut u32, s1: &mut u32| {
        *s1 ^= *s0;
        *s0 = s0.rotate_left(20).wrapping_add(*s1);
        *s1 = s1.rotate_left(9) ^ *s0;
        *s0 = s0.rotate_left(27).wrapping_add(*s1);
        *s1 = s1.rotate_left(19);
    };
    let mut words = data.chunks_exact(4);
    for w in &mut words {
        s0 = s0.wrapping_add(u32::from_le_bytes(w.try_into().unwrap()));
        block(&mut s0, &mut s1);
    }
    let rest = words.remainder();
    let mut last = 0x80u32 << (8 * rest.len());
    for (i, b) in rest.iter().enumerate() {
        last |= u32::from(*b) << (8 * i);
    }
    s0 = s0.wrapping_add(last);
    block(&mut s0, &mut s1);
    block(&mut s0, &mut s1);
    u64::from(s0) | (u64::from(s1) << 32)
}

/// A transaction log (the "new format" of Windows 8.1 on: a base block, then one HvLE entry)
/// that brings the hive `old` to `new`: the 4 KiB pages of hive-bin data that differ.
pub fn transaction_log(old: &[u8], new: &[u8]) -> Vec<u8> {
    let sequence = u32::from_le_bytes(old[8..12].try_into().unwrap());
    let mut base = old[..512].to_vec();
    base[4..8].copy_from_slice(&sequence.to_le_bytes());
    base[8..12].copy_from_slice(&sequence.to_le_bytes());
    base[28..32].copy_from_slice(&6u32.to_le_bytes()); // file type: transaction log (new format)
    let (old_bins, new_bins) = (&old[4096..], &new[4096..]);
    let pages: Vec<(u32, &[u8])> = new_bins
        .chunks(4096)
        .enumerate()
        .filter(|(i, page)| old_bins.get(i * 4096..i * 4096 + 4096) != Some(*page))
        .map(|(i, page)| ((i * 4096) as u32, page))
        .collect();
    assert!(!pages.is_empty(), "the two hives differ");
    let mut entry = b"HvLE".to_vec();
    let body: usize = 40 + pages.len() * 8 + pages.iter().map(|(_, p)| p.len()).sum::<usize>();
    let size = body.div_ceil(512) * 512;
    for v in [size as u32, 0, sequence, new_bins.len() as u32, pages.len() as u32] {
        entry.extend(v.to_le_bytes());
    }
    entry.extend([0u8; 16]); // the two hashes, below
    for (offset, page) in &pages {
        entry.extend(offset.to_le_bytes());
        entry.extend((page.len() as u32).to_le_bytes());
    }
    for (_, page) in &pages {
        entry.extend(*page);
    }
    entry.resize(size, 0);
    let hash1 = marvin32(&entry[40..]);
    entry[24..32].copy_from_slice(&hash1.to_le_bytes());
    let hash2 = marvin32(&entry[..32]);
    entry[32..40].copy_from_slice(&hash2.to_le_bytes());
    [base, entry].concat()
}
