//! `case init`, `status`, `note`, the lock, and the binary without a terminal.

use std::fs;
use std::io::Write;
use std::process::Stdio;

use serde_json::Value;

use crate::helpers::{case_with_notes, shodo, verify};

const CONFIG: &str = "[hospital]\nname = \"テスト市立病院\"\nbeds = 120\n\n[contacts.vendor]\nname = \"保守株式会社\"\nphone = \"0120-000-000\"\n";

#[test]
fn init_creates_the_layout_and_records_it() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("hospital.toml"), CONFIG).unwrap();
    let case = tmp.path().join("case");
    shodo()
        .current_dir(tmp.path())
        .args(["case", "init", "--config", "hospital.toml", "--examiner", "山田", "--examiner", "佐藤"])
        .args(["--aware-at", "2026-11-21 03:10", "--reference-time", "2026-11-21T01:00:00Z", "--case"])
        .arg(&case)
        .assert()
        .success();
    for name in ["case.toml", "custody.jsonl", "custody.head", "shodo.toml", "endpoints", "backups", "reports"] {
        assert!(case.join(name).exists(), "{name} missing");
    }
    assert_eq!(fs::read_to_string(case.join("shodo.toml")).unwrap(), CONFIG);
    let toml = fs::read_to_string(case.join("case.toml")).unwrap();
    assert!(toml.contains("aware_at = \"2026-11-21T03:10:00+09:00\""), "{toml}");
    assert!(toml.contains("skew_seconds"), "{toml}");
    let (code, report) = verify(&case);
    assert_eq!((code, report["report"]["files_checked"].as_u64()), (0, Some(2)));
}

#[test]
fn init_refuses_an_existing_case_and_changes_nothing() {
    let (_t, case) = case_with_notes(1);
    let before = fs::read(case.join("custody.jsonl")).unwrap();
    let out = shodo().args(["case", "init", "--case"]).arg(&case).assert().code(2).get_output().stderr.clone();
    let msg = String::from_utf8(out).unwrap();
    assert!(msg.contains("上書きしません") && msg.contains("refusing to overwrite"), "{msg}");
    assert_eq!(before, fs::read(case.join("custody.jsonl")).unwrap());
}

#[test]
fn init_into_an_empty_existing_directory_is_allowed() {
    let tmp = tempfile::tempdir().unwrap();
    shodo().current_dir(tmp.path()).args(["case", "init", "--case"]).arg(tmp.path()).assert().success();
    assert!(tmp.path().join("case.toml").exists());
}

#[test]
fn invalid_config_creates_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("bad.toml"), "[hospital]\nname = 3\n").unwrap();
    let case = tmp.path().join("case");
    shodo()
        .current_dir(tmp.path())
        .args(["case", "init", "--config", "bad.toml", "--case"])
        .arg(&case)
        .assert()
        .code(2);
    assert!(!case.exists());
}

#[test]
fn bad_time_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = shodo()
        .args(["case", "init", "--aware-at", "昨日の夜", "--case"])
        .arg(tmp.path().join("c"))
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let msg = String::from_utf8(out).unwrap();
    assert!(msg.contains("昨日の夜") && msg.contains("YYYY-MM-DD"), "{msg}");
}

#[test]
fn status_json_has_the_deadlines_and_examiners() {
    let (_t, case) = case_with_notes(2);
    let out =
        shodo().args(["case", "status", "--json", "--case"]).arg(&case).assert().success().get_output().stdout.clone();
    let s: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(s["custody_entries"], 3);
    assert_eq!(s["examiners"][0], "山田 太郎");
    assert_eq!(s["deadlines"]["ppc_kakuho"], "2027-01-20");
    assert_eq!(s["last_action"]["action"], "note");
}

#[test]
fn status_text_is_japanese_first_and_english_on_request() {
    let (_t, case) = case_with_notes(0);
    let ja = shodo().args(["case", "status", "--case"]).arg(&case).assert().success().get_output().stdout.clone();
    assert!(String::from_utf8(ja).unwrap().contains("覚知日時: 2026-11-21 03:10:00 JST"));
    let en = shodo()
        .env("SHODO_LANG", "en")
        .args(["case", "status", "--case"])
        .arg(&case)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(en).unwrap().contains("Aware at: 2026-11-21 03:10:00 JST"));
}

#[test]
fn second_writer_is_refused_while_the_first_holds_the_case() {
    let (_t, case) = case_with_notes(0);
    let mut first = std::process::Command::new(env!("CARGO_BIN_EXE_shodo"))
        .args(["case", "note", "--case"])
        .arg(&case)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = first.stdin.take().unwrap();
    stdin.write_all(b"first writer\n").unwrap();
    stdin.flush().unwrap();
    // Wait until the first writer has recorded its line, so it surely holds the lock.
    while crate::helpers::lines(&case).len() < 2 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out =
        shodo().args(["case", "note", "--case"]).arg(&case).arg("second").assert().code(2).get_output().stderr.clone();
    let msg = String::from_utf8(out).unwrap();
    assert!(msg.contains("使用中") && msg.contains("in use"), "{msg}");
    drop(stdin);
    assert!(first.wait().unwrap().success());
    shodo().args(["case", "note", "--case"]).arg(&case).arg("after").assert().success();
    assert_eq!(verify(&case).0, 0);
}

#[test]
fn without_a_terminal_it_prints_help() {
    let out = shodo().assert().success().get_output().stdout.clone();
    let help = String::from_utf8(out).unwrap();
    assert!(help.contains("case") && help.contains("初動"), "{help}");
}

#[test]
fn selftest_passes_on_this_machine() {
    let out = shodo().args(["selftest", "--json"]).assert().success().get_output().stdout.clone();
    let checks: Value = serde_json::from_slice(&out).unwrap();
    assert!(checks.as_array().unwrap().iter().all(|c| c["ok"] == true), "{checks}");
}

#[test]
fn default_contacts_are_shown_as_defaults_with_their_date() {
    let (_t, case) = case_with_notes(0);
    let out = shodo().args(["case", "status", "--case"]).arg(&case).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    let mhlw = text.lines().find(|l| l.starts_with("厚生労働省:")).unwrap();
    assert!(mhlw.contains("既定値") && mhlw.contains("2018-10-29") && mhlw.contains("未確認"), "{text}");
    assert!(text.contains("保守会社: 未設定"), "{text}");
    let out =
        shodo().args(["case", "status", "--json", "--case"]).arg(&case).assert().success().get_output().stdout.clone();
    let s: Value = serde_json::from_slice(&out).unwrap();
    let jma = s["contacts"].as_array().unwrap().iter().find(|c| c["role"] == "jma").unwrap();
    assert_eq!(jma["origin"], "default");
    assert!(jma["source"].as_str().unwrap().contains("日医ニュース"));
}

#[test]
fn configured_contacts_are_not_marked_as_defaults() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("shodo.toml"), CONFIG).unwrap();
    let case = tmp.path().join("case");
    // shodo.toml beside the case is found without --config.
    shodo().args(["case", "init", "--case"]).arg(&case).assert().success();
    let out = shodo().args(["case", "status", "--case"]).arg(&case).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    let vendor = text.lines().find(|l| l.starts_with("保守会社:")).unwrap();
    assert_eq!(vendor, "保守会社: 0120-000-000 保守株式会社");
    assert!(text.contains("病院: テスト市立病院"), "{text}");
}
