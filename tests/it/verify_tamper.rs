//! Every kind of tampering with a case is detected, and names the first bad line.

use std::fs;

use crate::helpers::{case_with_notes, first_problem, lines, shodo, verify, write_lines};

#[test]
fn intact_case_verifies_clean() {
    let (_t, case) = case_with_notes(3);
    let (code, report) = verify(&case);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["intact"], true);
    assert_eq!(report["report"]["entries"], 4);
    assert_eq!(report["report"]["files_checked"], 1);
}

#[test]
fn flipped_byte_in_a_middle_line_is_detected_at_the_next_line() {
    let (_t, case) = case_with_notes(4);
    let mut bytes = fs::read(case.join("custody.jsonl")).unwrap();
    let l = lines(&case);
    // A byte inside the text of line 3 ("メモ 1" → "メモ 0"), keeping it valid JSON.
    let start = l[0].len() + l[1].len() + 2;
    let at = start + l[2].find("メモ 1").unwrap() + "メモ ".len();
    bytes[at] ^= 0x01;
    fs::write(case.join("custody.jsonl"), bytes).unwrap();
    let (code, report) = verify(&case);
    assert_eq!(code, 1);
    assert_eq!(first_problem(&report), ("chain_broken".into(), Some(4)));
}

#[test]
fn flipped_byte_in_the_last_line_is_detected_by_the_head() {
    let (_t, case) = case_with_notes(2);
    let mut l = lines(&case);
    let last = l.len() - 1;
    l[last] = l[last].replace("メモ 1", "メモ 9");
    write_lines(&case, &l);
    let (code, report) = verify(&case);
    assert_eq!(code, 1);
    assert_eq!(first_problem(&report), ("head_mismatch".into(), Some(3)));
}

#[test]
fn deleted_middle_line_is_detected() {
    let (_t, case) = case_with_notes(4);
    let mut l = lines(&case);
    l.remove(2);
    write_lines(&case, &l);
    let (code, report) = verify(&case);
    assert_eq!(code, 1);
    assert_eq!(first_problem(&report), ("sequence".into(), Some(3)));
}

#[test]
fn deleted_last_line_is_detected_as_truncation() {
    let (_t, case) = case_with_notes(3);
    let mut l = lines(&case);
    l.pop();
    write_lines(&case, &l);
    let (code, report) = verify(&case);
    assert_eq!(code, 1);
    assert_eq!(first_problem(&report), ("truncated".into(), Some(4)));
}

#[test]
fn swapped_lines_are_detected() {
    let (_t, case) = case_with_notes(4);
    let mut l = lines(&case);
    l.swap(1, 2);
    write_lines(&case, &l);
    let (code, report) = verify(&case);
    assert_eq!(code, 1);
    assert_eq!(first_problem(&report), ("sequence".into(), Some(2)));
}

#[test]
fn truncation_mid_line_is_a_torn_last_line() {
    let (_t, case) = case_with_notes(3);
    let path = case.join("custody.jsonl");
    let bytes = fs::read(&path).unwrap();
    fs::write(&path, &bytes[..bytes.len() - 20]).unwrap();
    let (code, report) = verify(&case);
    assert_eq!(code, 1);
    assert_eq!(first_problem(&report), ("torn_last_line".into(), Some(4)));
}

#[test]
fn edited_case_toml_is_detected_with_its_name() {
    let (_t, case) = case_with_notes(1);
    let path = case.join("case.toml");
    let text = fs::read_to_string(&path).unwrap().replace("山田 太郎", "佐藤 花子");
    fs::write(&path, text).unwrap();
    let (code, report) = verify(&case);
    assert_eq!(code, 1);
    let p = &report["report"]["problems"][0];
    assert_eq!(p["kind"], "file_modified");
    assert_eq!(p["file"], "case.toml");
    assert_eq!(p["line"], 1);
}

#[test]
fn deleted_referenced_file_is_detected() {
    let (_t, case) = case_with_notes(0);
    fs::remove_file(case.join("case.toml")).unwrap();
    let (code, report) = verify(&case);
    assert_eq!(code, 1);
    assert_eq!(first_problem(&report), ("file_missing".into(), Some(1)));
}

#[test]
fn removed_head_is_detected() {
    let (_t, case) = case_with_notes(1);
    fs::remove_file(case.join("custody.head")).unwrap();
    let (code, report) = verify(&case);
    assert_eq!(code, 1);
    assert_eq!(first_problem(&report).0, "head_missing");
}

#[test]
fn garbage_line_is_named() {
    let (_t, case) = case_with_notes(2);
    let mut l = lines(&case);
    l[1] = "{not json".into();
    write_lines(&case, &l);
    let (code, report) = verify(&case);
    assert_eq!(code, 1);
    assert_eq!(first_problem(&report), ("not_an_entry".into(), Some(2)));
}

#[test]
fn text_output_names_the_first_bad_line_in_japanese_and_english() {
    let (_t, case) = case_with_notes(3);
    let mut l = lines(&case);
    l.remove(1);
    write_lines(&case, &l);
    let ja = shodo().args(["case", "verify", "--case"]).arg(&case).assert().code(1).get_output().stdout.clone();
    let ja = String::from_utf8(ja).unwrap();
    assert!(ja.contains("改ざん・欠落を検出") && ja.contains("2 行目"), "{ja}");
    let en = shodo()
        .args(["--lang", "en", "case", "verify", "--case"])
        .arg(&case)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let en = String::from_utf8(en).unwrap();
    assert!(en.contains("FAILED") && en.contains("line 2"), "{en}");
}

#[test]
fn verify_of_a_missing_case_is_an_error_not_a_finding() {
    let tmp = tempfile::tempdir().unwrap();
    shodo().args(["case", "verify", "--case"]).arg(tmp.path().join("none")).assert().code(2);
}

#[test]
fn verify_writes_nothing() {
    let (_t, case) = case_with_notes(2);
    let before = snapshot(&case);
    verify(&case);
    shodo().args(["case", "status", "--case"]).arg(&case).assert().success();
    assert_eq!(before, snapshot(&case));
}

fn snapshot(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_type().unwrap().is_file() && e.file_name() != "shodo.lock")
        .map(|e| (e.file_name().to_string_lossy().into_owned(), fs::read(e.path()).unwrap()))
        .collect();
    out.sort();
    out
}
