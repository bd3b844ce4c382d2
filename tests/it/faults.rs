//! Fault injection beyond the collection's own (tests/it/collect_interrupt.rs): an evidence disk
//! with unreadable sectors (served through FUSE by tests/it/tools/badsectors.py), and a full
//! case volume or a SIGKILL at the later stages — scan, analyze, backup verify, report, merge,
//! export. Each ends with a clear message, a case that verifies and a run that can be made again.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::thread;
use std::time::Duration;

use serde_json::Value;

use crate::helpers::{age_keys, sh, shodo, verify};
use crate::images::{loops_of, ntfs_image_with, sha_file};

/// The FUSE server of a failing disk; unmounted when dropped.
struct FailingDisk {
    mnt: PathBuf,
    child: Child,
}

impl FailingDisk {
    fn serve(image: &Path, mnt: &Path, bad: (u64, u64)) -> FailingDisk {
        fs::create_dir_all(mnt).unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/tools/badsectors.py");
        let child = Command::new("/usr/bin/python3")
            .arg(script)
            .arg(image)
            .arg(mnt)
            .arg(format!("{}:{}", bad.0, bad.1))
            .spawn()
            .unwrap();
        let disk = FailingDisk { mnt: mnt.to_path_buf(), child };
        for _ in 0..200 {
            if disk.path().exists() {
                return disk;
            }
            thread::sleep(Duration::from_millis(50));
        }
        panic!("the FUSE disk did not come up (python3-fusepy installed? see .ci/run)");
    }

    fn path(&self) -> PathBuf {
        self.mnt.join("disk.img")
    }
}

impl Drop for FailingDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.mnt).status();
        let _ = self.child.wait();
    }
}

/// Distinct text, so the file's clusters can be found in the image.
fn marked(n: usize) -> Vec<u8> {
    (0..n).flat_map(|i| format!("SHODO-BAD-SECTOR-{i:08}\n").into_bytes()).collect()
}

#[test]
fn an_evidence_disk_with_unreadable_sectors_is_collected_around_them() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let record = marked(16_000);
    let img = ntfs_image_with(t, &[("Windows/System32/winevt/Logs/Application.evtx", &record)]);
    let before = sha_file(&img);
    let bytes = fs::read(&img).unwrap();
    let at = bytes.windows(26).position(|w| w == b"SHODO-BAD-SECTOR-00004000\n").unwrap() as u64;
    let bad = (at / 4096 * 4096, 8192);
    let disk = FailingDisk::serve(&img, &t.join("fuse"), bad);
    let case = t.join("case");
    shodo().args(["case", "init", "--case"]).arg(&case).assert().success();
    let out = shodo()
        .args(["collect", "--endpoint", "pc-bad", "--case"])
        .arg(&case)
        .arg("--source")
        .arg(disk.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "an incomplete collection: {stderr}");
    let rows: Vec<Value> = fs::read_to_string(case.join("endpoints/pc-bad/manifest.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let row = |p: &str| rows.iter().rev().find(|r| r["path"] == p).cloned().unwrap_or(Value::Null);
    let hit = row("Windows/System32/winevt/Logs/Application.evtx");
    if hit != Value::Null {
        assert_eq!((hit["status"].as_str(), hit["reason"].as_str()), (Some("skipped"), Some("unreadable")), "{hit}");
        assert!(hit["detail"].to_string().to_lowercase().contains("input/output"), "{hit}");
    }
    assert_eq!(row("Windows/System32/config/SYSTEM")["status"], "collected", "the rest is taken");
    assert_eq!(row("Users/yamada/Desktop/README_LOCKBIT.txt")["status"], "collected");
    let unreadable = rows.iter().filter(|r| r["reason"] == "unreadable").count();
    assert!(unreadable >= 1, "the unreadable sectors are on the record: {rows:?}");
    let (code, report) = verify(&case);
    assert_eq!(code, 0, "{report}");
    // Scanning the same disk: per-file errors recorded, the run goes on.
    let scan = shodo()
        .args(["scan", "--endpoint", "pc-bad", "--case"])
        .arg(&case)
        .arg("--source")
        .arg(disk.path())
        .output()
        .unwrap();
    assert!(matches!(scan.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&scan.stderr));
    assert_eq!(verify(&case).0, 0);
    let served = disk.path();
    drop(disk);
    assert_eq!(loops_of(&served).trim(), "", "no loop device left on the failing disk");
    assert_eq!(sha_file(&img), before);
}

/// A tmpfs of `size` mounted at `dir`; unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Tmpfs {
        fs::create_dir_all(dir).unwrap();
        sh("mount", &["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs", dir.to_str().unwrap()]);
        Tmpfs(dir.to_path_buf())
    }

    fn grow(&self, size: &str) {
        sh("mount", &["-o", &format!("remount,size={size}"), self.0.to_str().unwrap()]);
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Fills the volume but for `leave` bytes.
fn fill(dir: &Path, leave: u64) -> PathBuf {
    let filler = dir.join("filler");
    let stat = sh("stat", &["-f", "-c", "%a %S", dir.to_str().unwrap()]);
    let mut it = stat.split_whitespace().map(|n| n.parse::<u64>().unwrap());
    let free = it.next().unwrap() * it.next().unwrap();
    fs::write(&filler, vec![0u8; free.saturating_sub(leave) as usize]).unwrap();
    filler
}

#[test]
fn a_full_stick_at_every_later_stage_stops_cleanly_and_the_rerun_completes() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    shodo().args(["demo", "--out"]).arg(t.join("other")).assert().success();
    let stick = Tmpfs::mount(&t.join("stick"), "64m");
    let case = stick.0.join("case");
    shodo().args(["case", "init", "--examiner", "x", "--case"]).arg(&case).assert().success();
    let material = t.join("other/material/endpoint");
    shodo()
        .args(["collect", "--endpoint", "PC-1", "--case"])
        .arg(&case)
        .arg("--source")
        .arg(&material)
        .assert()
        .code(0);
    let (key, public) = age_keys(t);
    let out = stick.0.join("export.age");
    let stages: Vec<(&str, Vec<String>)> = vec![
        ("scan", vec!["scan".into(), "--endpoint".into(), "PC-1".into()]),
        ("analyze", vec!["analyze".into(), "--endpoint".into(), "PC-1".into()]),
        ("backup", vec!["backup".into(), "verify".into(), t.join("other/material/backup").display().to_string()]),
        ("report", vec!["report".into()]),
        ("merge", vec!["merge".into(), "--from".into(), t.join("other/case").display().to_string()]),
        ("export", vec!["export".into(), "--to".into(), public.clone(), "--out".into(), out.display().to_string()]),
    ];
    for (stage, args) in &stages {
        let filler = fill(&stick.0, 4096);
        let run = shodo().args(args).arg("--case").arg(&case).output().unwrap();
        let stderr = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
        assert_eq!(run.status.code(), Some(2), "{stage} on a full stick: {stderr}");
        assert!(stderr.contains("満杯") || stderr.contains("No space left"), "{stage}: {stderr}");
        let (code, report) = verify(&case);
        assert_eq!(code, 0, "{stage}: the case still verifies on a full stick: {report}");
        fs::remove_file(filler).unwrap();
        let again = shodo().args(args).arg("--case").arg(&case).output().unwrap();
        assert!(
            matches!(again.status.code(), Some(0 | 1)),
            "{stage} again: {}",
            String::from_utf8_lossy(&again.stderr)
        );
        assert_eq!(verify(&case).0, 0, "{stage}");
    }
    assert!(!stick.0.join("export.age.partial").exists());
    stick.grow("128m");
    let check = shodo().args(["export", "--verify"]).arg(&out).arg("--identity").arg(&key).output().unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stdout));
}

#[test]
fn a_kill_at_any_moment_of_every_later_stage_leaves_a_case_the_rerun_completes() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    shodo().args(["demo", "--out"]).arg(t.join("a")).assert().success();
    shodo().args(["demo", "--out"]).arg(t.join("b")).assert().success();
    let case = t.join("a/case");
    let other = t.join("b/case").display().to_string();
    let stages: Vec<(&str, Vec<String>)> = vec![
        ("scan", vec!["scan".into(), "--endpoint".into(), "PC-GAIRAI-01".into()]),
        ("analyze", vec!["analyze".into(), "--endpoint".into(), "PC-GAIRAI-01".into()]),
        ("backup", vec!["backup".into(), "verify".into(), t.join("b/material/backup").display().to_string()]),
        ("report", vec!["report".into()]),
        ("merge", vec!["merge".into(), "--from".into(), other]),
        ("export", vec!["export".into(), "--passphrase".into(), "--out".into()]),
    ];
    let mut n = 0;
    for (stage, args) in &stages {
        for delay_ms in [2u64, 8, 25, 60] {
            n += 1;
            let mut args = args.clone();
            if *stage == "export" {
                args.push(t.join(format!("export-{n}.age")).display().to_string());
            }
            let mut child = Command::new(env!("CARGO_BIN_EXE_shodo"))
                .args(&args)
                .arg("--case")
                .arg(&case)
                .env("SHODO_EXPORT_PASSPHRASE", "a passphrase long enough")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            thread::sleep(Duration::from_millis(delay_ms));
            let _ = child.kill();
            let _ = child.wait();
            // The stage again (it repairs a line the kill tore, and finishes the work).
            let again = shodo()
                .args(&args[..args.len() - usize::from(*stage == "export")])
                .args((*stage == "export").then(|| t.join(format!("export-{n}-again.age")).display().to_string()))
                .arg("--case")
                .arg(&case)
                .env("SHODO_EXPORT_PASSPHRASE", "a passphrase long enough")
                .output()
                .unwrap();
            assert!(
                matches!(again.status.code(), Some(0 | 1)),
                "{stage} after a kill at {delay_ms} ms: {}",
                String::from_utf8_lossy(&again.stderr)
            );
            let (code, report) = verify(&case);
            assert_eq!(code, 0, "{stage} killed at {delay_ms} ms, then run again: {report}");
        }
    }
    // An export killed after it began writing leaves only a .partial, which the next export
    // to the same name replaces.
    let partial = t.join("export-again.age.partial");
    fs::write(&partial, b"half an archive").unwrap();
    let again = shodo()
        .args(["export", "--passphrase", "--out"])
        .arg(t.join("export-again.age"))
        .arg("--case")
        .arg(&case)
        .env("SHODO_EXPORT_PASSPHRASE", "a passphrase long enough")
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", String::from_utf8_lossy(&again.stderr));
    assert!(!partial.exists());
    // A killed export leaves no archive that looks finished.
    for e in fs::read_dir(t).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("export-") && name.ends_with(".age") && !name.contains("again") {
            let check = shodo()
                .env("SHODO_EXPORT_PASSPHRASE", "a passphrase long enough")
                .args(["export", "--passphrase", "--verify"])
                .arg(e.path())
                .output()
                .unwrap();
            assert_eq!(check.status.code(), Some(0), "{name} exists, so it is whole");
        }
    }
}
