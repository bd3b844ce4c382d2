//! Shared helpers: run the binary, make cases, read and rewrite custody lines.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// The binary under test, with a clean, deterministic environment.
pub fn shodo() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shodo"));
    cmd.env_remove("SHODO_LANG").env_remove("SHODO_CASE").env_remove("SHODO_EXAMINER");
    cmd
}

/// A new case with a few notes in a fresh temp dir; returns (tempdir, case dir).
pub fn case_with_notes(notes: usize) -> (TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let case = tmp.path().join("case");
    shodo()
        .current_dir(tmp.path())
        .args(["case", "init", "--case"])
        .arg(&case)
        .args(["--examiner", "山田 太郎", "--aware-at", "2026-11-21 03:10"])
        .assert()
        .success();
    for i in 0..notes {
        shodo().args(["case", "note", "--case"]).arg(&case).arg(format!("メモ {i}")).assert().success();
    }
    (tmp, case)
}

/// The custody log as lines (without newlines).
pub fn lines(case: &Path) -> Vec<String> {
    fs::read_to_string(case.join("custody.jsonl")).unwrap().lines().map(str::to_string).collect()
}

/// Rewrites the custody log from lines (each gets its newline back).
pub fn write_lines(case: &Path, lines: &[String]) {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    fs::write(case.join("custody.jsonl"), text).unwrap();
}

/// Runs `case verify --json`; returns (exit code, report JSON).
pub fn verify(case: &Path) -> (i32, Value) {
    let out = shodo().args(["case", "verify", "--json", "--case"]).arg(case).output().unwrap();
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("verify printed no JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), json)
}

/// The first problem of a failed verify: (kind, line).
pub fn first_problem(report: &Value) -> (String, Option<u64>) {
    let p = &report["report"]["problems"][0];
    (p["kind"].as_str().unwrap_or_default().to_string(), p["line"].as_u64())
}

/// Encrypts with ChaCha20, as a ransomware would: whole, or only the first `head` bytes.
pub fn encrypt(data: &mut [u8], head: Option<usize>) {
    use chacha20::cipher::{KeyIvInit, StreamCipher};
    let mut cipher = chacha20::ChaCha20::new(&[7u8; 32].into(), &[9u8; 12].into());
    let end = head.unwrap_or(data.len()).min(data.len());
    cipher.apply_keystream(&mut data[..end]);
}

pub fn document(n: usize) -> Vec<u8> {
    "患者記録 2026-11-21 外来 受付番号 0001 氏名 山田 太郎 / patient record, outpatient desk\n".repeat(n).into_bytes()
}

/// SHA-256 of bytes, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(bytes))
}

/// Runs a system tool (installed by `.ci/run`) and returns what it printed; fails the test when it fails.
pub fn sh(program: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e} (see .ci/run for the packages)"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every file under `dir` but the case lock, as (relative path, bytes), sorted.
pub fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.file_name() != "shodo.lock")
        .map(|e| (e.path().strip_prefix(dir).unwrap().display().to_string(), fs::read(e.path()).unwrap()))
        .collect();
    out.sort();
    out
}

/// An age identity made by the reference tool's age-keygen in `root`: (key file, public key).
pub fn age_keys(root: &Path) -> (PathBuf, String) {
    let key = root.join("recipient-key.txt");
    sh("age-keygen", &["-o", key.to_str().unwrap()]);
    let public = sh("age-keygen", &["-y", key.to_str().unwrap()]).trim().to_string();
    (key, public)
}

/// The code of a source file without its comments and its `#[cfg(test)] mod tests` module: what
/// the source tests (the import arrows, the words) read. A `//` inside a string literal stays.
pub fn code(text: &str) -> String {
    let text = text.find("#[cfg(test)]\nmod tests").map_or(text, |i| &text[..i]);
    text.lines().map(without_comment).collect::<Vec<_>>().join("\n")
}

/// A line up to its `//` comment, if it has one outside a string literal.
fn without_comment(line: &str) -> &str {
    let (mut inside, mut escaped) = (false, false);
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\\' if inside && !escaped => {
                escaped = true;
                continue;
            }
            b'"' if !escaped => inside = !inside,
            b'/' if !inside && bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
        escaped = false;
    }
    line
}
