//! Registry hives made for the tests: the library's minimal empty hive (`shodo::demo::hive`),
//! filled with hivex's `hivexsh`, an independent tool.

use std::path::Path;

/// Writes a hive at `path` and runs `script` (hivexsh commands) on it, then commits.
pub fn make_hive(path: &Path, script: &str) {
    shodo::demo::hive::make_hive(path, script).expect("hivexsh (libhivex-bin) builds the test hives");
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
    shodo::formats::registry::seal(hive);
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
