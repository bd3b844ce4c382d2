//! Bad `shodo.toml` files: the binary names file, line, column and field, in both languages.

use std::fs;

use crate::helpers::shodo;

fn init_with(config: &[u8]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("shodo.toml");
    fs::write(&path, config).unwrap();
    let out =
        shodo().args(["case", "init", "--config"]).arg(&path).arg("--case").arg(tmp.path().join("c")).assert().code(2);
    String::from_utf8(out.get_output().stderr.clone()).unwrap()
}

#[test]
fn syntax_error() {
    let msg = init_with(b"[hospital\nname = \"A\"\n");
    assert!(msg.contains("shodo.toml:1:"), "{msg}");
    assert!(msg.contains("TOML の書式の誤り") && msg.contains("TOML syntax error"), "{msg}");
}

#[test]
fn wrong_type() {
    let msg = init_with("[hospital]\nname = \"A\"\nbeds = \"百二十\"\n".as_bytes());
    assert!(msg.contains("shodo.toml:3:8: 項目 `hospital.beds`: 値の型の誤り"), "{msg}");
    assert!(msg.contains("shodo.toml:3:8: field `hospital.beds`: wrong type"), "{msg}");
}

#[test]
fn unknown_field() {
    let msg = init_with(b"[hospital]\nname = \"A\"\n\n[contacts.vender]\nname = \"x\"\n");
    assert!(msg.contains(":4:") && msg.contains("vender"), "{msg}");
    assert!(msg.contains("不明な項目") && msg.contains("unknown field"), "{msg}");
}

#[test]
fn invalid_recipient_key() {
    let msg = init_with(b"[hospital]\nname = \"A\"\n\n[[recipients]]\nname = \"x\"\nage = \"age1notakey\"\n");
    assert!(msg.contains(":6:7:") && msg.contains("recipients[0].age"), "{msg}");
}

#[test]
fn shift_jis_file() {
    let msg = init_with(b"[hospital]\nname = \"\x95\x61\x89\x40\"\n");
    assert!(msg.contains("Shift-JIS"), "{msg}");
}

#[test]
fn missing_config_file_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let out =
        shodo().args(["case", "init", "--config", "nowhere.toml", "--case"]).arg(tmp.path().join("c")).assert().code(2);
    let msg = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(msg.contains("nowhere.toml") && msg.contains("見つかりません"), "{msg}");
}
