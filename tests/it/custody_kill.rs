//! A writer killed with SIGKILL in the middle of appending never costs an earlier line, and the
//! next append repairs the log so that it verifies again.

use std::fs;
use std::io::Write;
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use crate::helpers::{case_with_notes, lines, shodo, verify};

fn complete_prefix(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    &bytes[..end]
}

#[test]
fn killed_writers_lose_no_earlier_line() {
    let (_t, case) = case_with_notes(0);
    let log = case.join("custody.jsonl");
    let line = format!("{}\n", "証拠".repeat(80 * 1024));
    let mut torn_rounds = 0;
    for round in 0..12u64 {
        let before = fs::read(&log).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_shodo"))
            .args(["case", "note", "--case"])
            .arg(&case)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let feeder = {
            let line = line.clone();
            thread::spawn(move || while stdin.write_all(line.as_bytes()).is_ok() {})
        };
        thread::sleep(Duration::from_millis(20 + round * 9));
        child.kill().unwrap();
        child.wait().unwrap();
        feeder.join().unwrap();

        let after = fs::read(&log).unwrap();
        assert!(after.starts_with(complete_prefix(&before)), "round {round}: an earlier line changed");
        let (_, report) = verify(&case);
        let kinds: Vec<&str> =
            report["report"]["problems"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap()).collect();
        assert!(kinds.is_empty() || kinds == ["torn_last_line"], "round {round}: {report}");
        torn_rounds += usize::from(!kinds.is_empty());
    }
    eprintln!("{torn_rounds} of 12 kills left a torn line");
    shodo().args(["case", "note", "--case"]).arg(&case).arg("after the kills").assert().success();
    let (code, report) = verify(&case);
    assert_eq!(code, 0, "{report}");
}

#[test]
fn torn_line_is_cut_and_kept_in_the_repair_entry() {
    let (_t, case) = case_with_notes(2);
    let log = case.join("custody.jsonl");
    let bytes = fs::read(&log).unwrap();
    let cut = bytes.len() - 25;
    fs::write(&log, &bytes[..cut]).unwrap();
    let fragment_len = cut - complete_prefix(&bytes[..cut]).len();
    shodo().args(["case", "note", "--case"]).arg(&case).arg("next").assert().success();
    assert_eq!(verify(&case).0, 0);
    let l = lines(&case);
    assert_eq!(l.len(), 4, "init, note 0, repair, next");
    let repair: serde_json::Value = serde_json::from_str(&l[2]).unwrap();
    assert_eq!(repair["action"], "custody.repair");
    assert_eq!(repair["detail"]["repair"], "cut");
    assert_eq!(repair["detail"]["torn_bytes"], fragment_len);
    let kept = repair["detail"]["torn_text"].as_str().unwrap();
    assert!(l[..2].iter().all(|x| !x.is_empty()) && kept.contains("メモ 1"), "{kept}");
}

#[test]
fn whole_line_missing_only_its_newline_is_completed() {
    let (_t, case) = case_with_notes(2);
    let log = case.join("custody.jsonl");
    let bytes = fs::read(&log).unwrap();
    fs::write(&log, &bytes[..bytes.len() - 1]).unwrap();
    shodo().args(["case", "note", "--case"]).arg(&case).arg("next").assert().success();
    let l = lines(&case);
    assert_eq!(l.len(), 5, "init, two notes, repair, next");
    assert!(l[2].contains("メモ 1"));
    assert!(l[3].contains("\"completed\""));
    assert_eq!(verify(&case).0, 0);
}
