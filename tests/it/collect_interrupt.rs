//! Interrupted collections: killed with SIGKILL, or stopped by a full stick. What was collected
//! stays valid and verifiable, and running again resumes without losing or duplicating a file.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use serde_json::Value;

use crate::helpers::{shodo, verify};

/// A Linux tree with `n` log files of `size` bytes each (distinct contents).
fn log_tree(root: &Path, n: usize, size: usize) -> BTreeMap<String, String> {
    fs::create_dir_all(root.join("etc")).unwrap();
    fs::write(root.join("etc/hostname"), "db-01\n").unwrap();
    fs::create_dir_all(root.join("var/log/app")).unwrap();
    (0..n)
        .map(|i| {
            let rel = format!("var/log/app/{i:04}.log");
            let content: Vec<u8> = (0..size).map(|j| ((i * 31 + j * 7) % 251) as u8).collect();
            fs::write(root.join(&rel), &content).unwrap();
            (rel, crate::helpers::sha256_hex(&content))
        })
        .collect()
}

fn collect_cmd(case: &Path, src: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shodo"));
    cmd.args(["collect", "--segment-size", "1MiB", "--case"]).arg(case).arg("--source").arg(src);
    cmd
}

/// Every expected file collected exactly once, with the right hash, and the case verifies.
fn assert_complete(case: &Path, expected: &BTreeMap<String, String>) {
    let text = fs::read_to_string(case.join("endpoints/db-01/manifest.jsonl")).unwrap();
    let rows: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let mut collected: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r["status"] == "collected") {
        collected.entry(r["path"].as_str().unwrap().into()).or_default().push(r["sha256"].as_str().unwrap().into());
    }
    for (rel, hash) in expected {
        assert_eq!(collected.get(rel), Some(&vec![hash.clone()]), "{rel} not collected exactly once");
    }
    let (code, report) = verify(case);
    assert_eq!(code, 0, "{report}");
    let leftovers: Vec<_> = fs::read_dir(case.join("endpoints/db-01"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn killed_collection_resumes_without_loss_or_duplicates() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let expected = log_tree(&src, 300, 200_000);
    let case = tmp.path().join("case");
    shodo().args(["case", "init", "--case"]).arg(&case).assert().success();
    for delay in [30u64, 80, 150] {
        let mut child = collect_cmd(&case, &src).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        thread::sleep(Duration::from_millis(delay));
        child.kill().unwrap();
        child.wait().unwrap();
        // Whatever the kill interrupted, what is recorded verifies (a torn custody line at most).
        let (_, report) = verify(&case);
        let kinds: Vec<&str> =
            report["report"]["problems"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap()).collect();
        assert!(kinds.iter().all(|k| *k == "torn_last_line"), "after a kill at {delay} ms: {report}");
    }
    let out = collect_cmd(&case, &src).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_complete(&case, &expected);
}

/// A small tmpfs for the case, unmounted when dropped.
struct SmallVolume(std::path::PathBuf);

impl SmallVolume {
    fn mount(dir: &Path, size: &str) -> SmallVolume {
        fs::create_dir_all(dir).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .unwrap();
        assert!(ok.success(), "mounting a tmpfs needs root (CI runs as root)");
        SmallVolume(dir.to_path_buf())
    }

    fn grow(&self, size: &str) {
        let ok = Command::new("mount").args(["-o", &format!("remount,size={size}")]).arg(&self.0).status().unwrap();
        assert!(ok.success());
    }
}

impl Drop for SmallVolume {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn full_stick_stops_cleanly_and_the_rerun_completes() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let expected = log_tree(&src, 40, 200_000);
    let stick = SmallVolume::mount(&tmp.path().join("stick"), "3m");
    let case = stick.0.join("case");
    shodo().args(["case", "init", "--case"]).arg(&case).assert().success();
    let out = collect_cmd(&case, &src).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let msg = String::from_utf8_lossy(&out.stderr);
    assert!(msg.contains("満杯") && msg.contains("resumes"), "{msg}");
    assert!(!msg.contains("ZipWriter"), "an abandoned segment must not be finalised: {msg}");
    let (code, report) = verify(&case);
    assert_eq!(code, 0, "what was collected before the stick filled up verifies: {report}");
    stick.grow("64m");
    let out = collect_cmd(&case, &src).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_complete(&case, &expected);
}
