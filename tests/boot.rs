//! The bootable stick, booted. `iso-builder/build.sh` makes shodo.iso from this very binary,
//! `iso-builder/make-stick.sh` makes a stick image with its SHODO-CASE partition, and QEMU under
//! software emulation (TCG, no KVM) boots them beside an NTFS evidence disk made with `mkntfs`,
//! `ntfscp` and `sfdisk`:
//! - BIOS, from the ISO as a CD, evidence on SATA: the headless self-check;
//! - UEFI with Secure Boot on (OVMF with Microsoft's keys), from the stick on USB, evidence on
//!   NVMe: the self-check;
//! - UEFI with Secure Boot on, from the ISO as a CD, evidence on SATA: the self-check;
//! - BIOS from the stick on USB, the default menu entry: shodo's Japanese home screen on tty1
//!   (drawn by kmscon), compared with `tests/boot/tty1-home-ja.png`; the case on SHODO-CASE; the
//!   serial console.
//!
//! After all four the evidence image's SHA-256 is unchanged, and a second build from the same
//! inputs (debootstrap run anew) gives the same ISO byte for byte. A separate test binary, so that it
//! runs alone. Times and sizes are printed and written to `target/boot-test/summary.txt`
//! (`benches/boot.sh` compares them with the budget); the screenshots are kept there too.
//! `SHODO_ISO=path` reuses an ISO instead of building one; `SHODO_BOOT_ACCEPT=1` takes this run's
//! screenshot as the new reference.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "boot/screen.rs"]
mod screen;
#[path = "boot/vm.rs"]
mod vm;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use vm::{Firmware, Vm};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn out_dir() -> PathBuf {
    let d = repo().join("target/boot-test");
    fs::create_dir_all(&d).unwrap();
    d
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn sha256(path: &Path) -> String {
    run(Command::new("sha256sum").arg(path)).split_whitespace().next().unwrap().to_string()
}

/// The tools this test drives, with the Debian package of each when missing.
fn require_tools() {
    let tools = [
        ("debootstrap", "debootstrap"),
        ("mksquashfs", "squashfs-tools"),
        ("xorriso", "xorriso"),
        ("mkfs.vfat", "dosfstools"),
        ("mcopy", "mtools"),
        ("qemu-system-x86_64", "qemu-system-x86"),
        ("mkntfs", "ntfs-3g"),
        ("ntfscp", "ntfs-3g"),
        ("sfdisk", "fdisk"),
        ("mkfs.exfat", "exfatprogs"),
    ];
    let missing: Vec<_> = tools
        .iter()
        .filter(|(t, _)| {
            !Command::new("sh")
                .args(["-c", &format!("command -v {t}")])
                .stdout(Stdio::null())
                .status()
                .unwrap()
                .success()
        })
        .map(|(t, p)| format!("{t} ({p})"))
        .collect();
    assert!(missing.is_empty(), "the boot test needs: {} — .ci/run installs them", missing.join(", "));
    assert!(Path::new(vm::OVMF_CODE).exists(), "no {} (apt-get install ovmf)", vm::OVMF_CODE);
}

/// shodo.iso from this binary (or `SHODO_ISO`), and the time its build took.
fn iso() -> (PathBuf, Option<Duration>) {
    if let Ok(p) = std::env::var("SHODO_ISO") {
        return (PathBuf::from(p), None);
    }
    let out = out_dir().join("shodo.iso");
    let t = Instant::now();
    build(&out, &[]);
    (out, Some(t.elapsed()))
}

fn build(out: &Path, extra: &[&str]) {
    let status = Command::new("bash")
        .arg(repo().join("iso-builder/build.sh"))
        .args(["--binary", env!("CARGO_BIN_EXE_shodo")])
        .arg("--out")
        .arg(out)
        .arg("--work")
        .arg(repo().join("target/iso-work"))
        .args(extra)
        .stdin(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "iso-builder/build.sh failed ({status})");
}

/// A 96 MiB disk with an MBR and one NTFS partition holding a small Windows tree: `mkntfs` on a
/// file, the tree written through ntfs-3g (FUSE on the file itself, no loop device) and `ntfscp`,
/// the partition put behind a table `sfdisk` wrote.
fn evidence_disk(dir: &Path) -> PathBuf {
    let part = dir.join("part.img");
    fs::File::create(&part).unwrap().set_len(95 << 20).unwrap();
    run(Command::new("mkntfs")
        .args(["-F", "-Q", "-q", "-L", "WINDOWS", "-p", "2048", "-H", "64", "-S", "32"])
        .arg(&part));
    let files: [(&str, &[u8]); 4] = [
        ("Windows/System32/config/SYSTEM", b"regf system hive"),
        ("Windows/System32/winevt/Logs/Security.evtx", b"ElfFile security"),
        ("Users/nurse/Desktop/README_LOCKBIT.txt", b"All your files are stolen and encrypted"),
        ("ProgramData/AnyDesk/ad_svc.trace", b"Incoming session request from 198.51.100.20"),
    ];
    let mnt = dir.join("mnt");
    fs::create_dir_all(&mnt).unwrap();
    run(Command::new("ntfs-3g").arg(&part).arg(&mnt));
    for (rel, body) in files {
        let p = mnt.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, body).unwrap();
    }
    run(Command::new("umount").arg(&mnt));
    let note = dir.join("note.txt");
    fs::write(&note, "ntfscp: written into the volume without a mount").unwrap();
    run(Command::new("ntfscp").arg("-q").arg(&part).arg(&note).arg("/Users/nurse/Desktop/note.txt"));

    let disk = dir.join("evidence.img");
    fs::File::create(&disk).unwrap().set_len(96 << 20).unwrap();
    let mut sfdisk = Command::new("sfdisk").arg("--quiet").arg(&disk).stdin(Stdio::piped()).spawn().unwrap();
    sfdisk.stdin.take().unwrap().write_all(b"label: dos\nstart=2048, type=7\n").unwrap();
    assert!(sfdisk.wait().unwrap().success());
    run(Command::new("dd").arg(format!("if={}", part.display())).arg(format!("of={}", disk.display())).args([
        "bs=1M",
        "seek=1",
        "conv=notrunc",
        "status=none",
    ]));
    disk
}

#[test]
fn the_stick_boots_bios_and_uefi_checks_itself_and_shows_japanese() {
    require_tools();
    let tmp = tempfile::tempdir().unwrap();
    let (iso, build_time) = iso();
    let iso_size = fs::metadata(&iso).unwrap().len();
    let mut summary = vec![format!("iso_bytes {iso_size}")];
    if let Some(t) = build_time {
        summary.push(format!("build_seconds {}", t.as_secs()));
    }
    assert!(iso_size <= 500 << 20, "the ISO is {} MiB, over the 500 MB budget", iso_size >> 20);

    let evidence = evidence_disk(tmp.path());
    let before = sha256(&evidence);

    let stick = tmp.path().join("stick.img");
    run(Command::new("bash")
        .arg(repo().join("iso-builder/make-stick.sh"))
        .arg("--iso")
        .arg(&iso)
        .args(["--case-size", "64MiB"])
        .arg(&stick));
    let table = run(Command::new("sfdisk").arg("--dump").arg(&stick));
    assert!(table.contains("type=ef"), "no EFI system partition on the stick:\n{table}");
    assert!(table.contains("type=7"), "no SHODO-CASE partition on the stick:\n{table}");

    // 1. BIOS, CD, SATA evidence: the self-check.
    let checks =
        selftest_boot("bios-cd", Firmware::Bios, &vm::cdrom(&iso), &vm::sata(&evidence), tmp.path(), &mut summary);
    assert!(checks.iter().any(|l| l.contains("boot-mode ok BIOS")), "{checks:#?}");

    // 2. UEFI with Secure Boot, the stick on USB, NVMe evidence: the self-check.
    let checks = selftest_boot(
        "uefi-sb-usb",
        Firmware::UefiSecureBoot,
        &vm::usb(&stick),
        &vm::nvme(&evidence),
        tmp.path(),
        &mut summary,
    );
    assert!(checks.iter().any(|l| l.contains("boot-mode ok UEFI, Secure Boot on")), "{checks:#?}");
    assert!(checks.iter().any(|l| l.contains("nvme")), "the NVMe evidence disk was not seen: {checks:#?}");

    // 3. UEFI with Secure Boot from the ISO as a CD (El Torito EFI image), SATA evidence.
    let checks = selftest_boot(
        "uefi-sb-cd",
        Firmware::UefiSecureBoot,
        &vm::cdrom(&iso),
        &vm::sata(&evidence),
        tmp.path(),
        &mut summary,
    );
    assert!(checks.iter().any(|l| l.contains("boot-mode ok UEFI, Secure Boot on")), "{checks:#?}");

    // 4. BIOS from the stick on USB, the default entry: Japanese on tty1, the case on the stick.
    let mut vm = Vm::start("bios-usb", Firmware::Bios, &vm::usb(&stick), &vm::sata(&evidence), tmp.path());
    let reference = repo().join("tests/boot/tty1-home-ja.png");
    let shot = out_dir().join("tty1-home-ja.png");
    let (seen, at) = vm.screen_until(&reference, &shot, Duration::from_secs(900));
    summary.push(format!("boot_to_shodo_seconds {}", at.as_secs()));
    let serial = vm.serial_text();
    assert!(
        serial.contains("shodo-case: case: /media/shodo-case/case (stick)"),
        "the case is not on SHODO-CASE:\n{serial}"
    );
    // The serial console runs shodo too; tty1 holds the case, so it says so rather than open a
    // second writer.
    vm.send(b"\r");
    vm.wait_for("shodo は別の画面で開いています", Duration::from_secs(300));
    vm.quit();
    if std::env::var_os("SHODO_BOOT_ACCEPT").is_some() {
        fs::copy(&shot, &reference).unwrap();
    }
    let diff = seen.expect("no screenshot");
    assert!(
        diff <= screen::MAX_DIFFERENT_CELLS,
        "tty1 differs from {} in {:.1}% of its character cells (at most {:.1}%); this run's screen: {}",
        reference.display(),
        diff * 100.0,
        screen::MAX_DIFFERENT_CELLS * 100.0,
        shot.display()
    );
    // A file of the case is on the stick's exFAT partition (exFAT names are UTF-16).
    let stick_bytes = fs::read(&stick).unwrap();
    let name: Vec<u8> = "custody.jsonl".encode_utf16().flat_map(u16::to_le_bytes).collect();
    assert!(stick_bytes.windows(name.len()).any(|w| w == name.as_slice()), "no custody.jsonl on SHODO-CASE");

    assert_eq!(sha256(&evidence), before, "the evidence image changed");
    summary.push("evidence_sha256_unchanged yes".into());

    // Reproducible: a second build from the same inputs — debootstrap run anew from the same
    // packages — gives the same ISO, byte for byte.
    if build_time.is_some() {
        let second = out_dir().join("shodo-second.iso");
        let t = Instant::now();
        build(&second, &["--fresh"]);
        summary.push(format!("second_build_seconds {}", t.elapsed().as_secs()));
        assert_eq!(
            sha256(&second),
            sha256(&iso),
            "two builds from the same inputs differ: {} and {}",
            iso.display(),
            second.display()
        );
        summary.push("reproducible yes".into());
        fs::remove_file(&second).unwrap();
    }
    let text = summary.join("\n") + "\n";
    print!("{text}");
    fs::write(out_dir().join("summary.txt"), text).unwrap();
}

/// Boots `name` with the self-check entry (key `s` in the boot menu), checks every line of it, and
/// notes how long it took in `summary`.
fn selftest_boot(
    name: &str,
    firmware: Firmware,
    boot: &[String],
    evidence: &[String],
    tmp: &Path,
    summary: &mut Vec<String>,
) -> Vec<String> {
    let mut vm = Vm::start(name, firmware, boot, evidence, tmp);
    vm.wait_for("shodo self-check", Duration::from_secs(600));
    vm.send(b"s");
    let checks = vm.selftest(Duration::from_secs(900));
    summary.push(format!("{}_selftest_seconds {}", name.replace('-', "_"), vm.elapsed().as_secs()));
    vm.quit();
    assert_selftest(&checks, &vm.serial_text());
    checks
}

fn assert_selftest(checks: &[String], serial: &str) {
    let failed: Vec<_> = checks.iter().filter(|l| l.contains(" FAIL")).collect();
    assert!(failed.is_empty(), "self-check failures: {failed:#?}\n--- serial ---\n{serial}");
    for check in [
        "engines ok",
        "disks-readonly ok",
        "no-mounts ok",
        "network-down ok",
        "evidence-found ok",
        "evidence-opened ok",
        "collect ok",
        "case-verify ok",
        "write-probe ok",
        "mount-probe ok",
        "RESULT PASS",
    ] {
        assert!(
            checks.iter().any(|l| l.contains(check)),
            "no '{check}' in the self-check:\n{checks:#?}\n--- serial ---\n{serial}"
        );
    }
}
