//! Many sticks, one case; the encrypted export and its check; the custody sheet. Through the real
//! binary, with the reference `age` tool (Go) as the recipient's side.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::helpers::{age_keys, files_of, lines, sh, shodo, verify};

/// A demo case (an infected endpoint PC-GAIRAI-01, a backup medium nas-daily), as one stick holds it.
fn demo(root: &Path, name: &str) -> PathBuf {
    let out = root.join(name);
    shodo().args(["demo", "--out"]).arg(&out).assert().success();
    out.join("case")
}

#[test]
fn two_sticks_merge_into_one_case_that_exports_encrypted_and_decrypts_with_the_standard_tool() {
    let tmp = tempfile::tempdir().unwrap();
    let a = demo(tmp.path(), "stick-a");
    let b = demo(tmp.path(), "stick-b");
    let b_before = files_of(&b);

    // The same endpoint, collected on two sticks: kept apart, flagged (exit 1), both verifiable.
    let run = shodo().args(["merge", "--json", "--case"]).arg(&a).arg("--from").arg(&b).output().unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", String::from_utf8_lossy(&run.stderr));
    let out: Value = serde_json::from_slice(&run.stdout).unwrap();
    let merged = &out["sources"][0]["merged"];
    let b_id = merged["case_id"].as_str().unwrap();
    let apart = format!("endpoints/PC-GAIRAI-01--{b_id}");
    let items = merged["items"].as_array().unwrap();
    assert!(items.iter().any(|i| i["to"] == apart.as_str() && i["placement"] == "kept_apart"), "{items:?}");
    assert!(items.iter().any(|i| i["to"] == format!("backups/nas-daily--{b_id}").as_str()), "{items:?}");
    assert_eq!(merged["same_endpoint"][0]["why"], "same_id");
    assert_eq!(files_of(&b), b_before, "the source stick is only read");
    let (code, report) = verify(&a);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["report"]["merged_sources"], 1);
    // Again: nothing new.
    let again = shodo().args(["merge", "--case"]).arg(&a).arg("--from").arg(&b).output().unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("統合済み"), "{}", String::from_utf8_lossy(&again.stdout));

    // Reports over both, with a custody sheet per endpoint naming who collected on which stick.
    shodo().args(["report", "--case"]).arg(&a).assert().success();
    let model: Value = serde_json::from_slice(&fs::read(a.join("reports/report.json")).unwrap()).unwrap();
    assert_eq!(model["endpoints"].as_array().unwrap().len(), 2);
    let sheet_name = format!("reports/custody-sheet-PC-GAIRAI-01--{b_id}.ja.html");
    let sheet = fs::read_to_string(a.join(&sheet_name)).unwrap();
    let root = merged_root(&b);
    assert!(sheet.contains(&root) && sheet.contains("<svg") && sheet.contains("引渡し記録"), "{sheet_name}");
    assert!(sheet.contains(&format!("merged/{b_id}-")), "the sheet says which log recorded the collection");

    // Export to a recipient's public key; the check passes; the reference tool decrypts it into a
    // case that verifies on its own, byte for byte the same as the case.
    let (key, public) = age_keys(tmp.path());
    let archive = tmp.path().join("out/case.tar.age");
    fs::create_dir_all(archive.parent().unwrap()).unwrap();
    shodo().args(["export", "--case"]).arg(&a).args(["--to", &public, "--out"]).arg(&archive).assert().success();
    let checked =
        shodo().args(["export", "--json", "--verify"]).arg(&archive).arg("--identity").arg(&key).output().unwrap();
    let checked_json: Value = serde_json::from_slice(&checked.stdout).unwrap();
    assert_eq!(checked.status.code(), Some(0), "{checked_json}");
    assert!(checked_json["check"]["vouched_checked"].as_u64().unwrap() > 20);
    let plain = tmp.path().join("plain");
    fs::create_dir_all(&plain).unwrap();
    let decrypt = format!("age -d -i '{}' '{}' | tar -x -C '{}'", key.display(), archive.display(), plain.display());
    sh("bash", &["-o", "pipefail", "-c", &decrypt]);
    let a_id = model["case_id"].as_str().unwrap();
    let extracted = plain.join(a_id);
    let (code, report) = verify(&extracted);
    assert_eq!(code, 0, "{report}");
    let mut want = files_of(&a);
    let mut got = files_of(&extracted);
    got.retain(|(p, _)| p != "EXPORT.json");
    // The export itself was recorded after the archive was written.
    want.retain(|(p, _)| p != "custody.jsonl" && p != "custody.head");
    got.retain(|(p, _)| p != "custody.jsonl" && p != "custody.head");
    assert_eq!(got.iter().map(|f| &f.0).collect::<Vec<_>>(), want.iter().map(|f| &f.0).collect::<Vec<_>>());
    assert!(got == want, "decrypted files differ from the case");
    let log = fs::read_to_string(a.join("custody.jsonl")).unwrap();
    assert!(log.lines().last().unwrap().contains("\"action\":\"case.export\""));
    assert!(log.contains(&public));
}

/// The manifest root of the source stick's collection.
/// The manifest's latest root: after the collection, or after the scan kept what it found.
fn merged_root(case: &Path) -> String {
    let log = fs::read_to_string(case.join("custody.jsonl")).unwrap();
    let finish = log
        .lines()
        .rev()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|e| e["action"] == "collect.finish" || e["action"] == "scan.keep")
        .unwrap();
    finish["detail"]["manifest_root"].as_str().unwrap().to_string()
}

#[test]
fn a_passphrase_export_of_one_endpoint_checks_and_the_passphrase_is_nowhere() {
    let tmp = tempfile::tempdir().unwrap();
    let a = demo(tmp.path(), "stick");
    let secret = "hospital-evidence-2026-passphrase";
    let archive = tmp.path().join("one.age");
    let run = shodo()
        .env("SHODO_EXPORT_PASSPHRASE", secret)
        .args(["export", "--passphrase", "--endpoint", "PC-GAIRAI-01", "--case"])
        .arg(&a)
        .arg("--out")
        .arg(&archive)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let shown = [run.stdout, run.stderr].concat();
    assert!(!String::from_utf8_lossy(&shown).contains(secret));
    for (path, bytes) in files_of(&a) {
        assert!(!String::from_utf8_lossy(&bytes).contains(secret), "{path}");
    }
    let ok = shodo()
        .env("SHODO_EXPORT_PASSPHRASE", secret)
        .args(["export", "--passphrase", "--verify"])
        .arg(&archive)
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stdout));
    assert!(
        String::from_utf8_lossy(&ok.stdout).contains("書き出し対象外"),
        "backups and reports are not in a one-endpoint export"
    );
    let bad = shodo()
        .env("SHODO_EXPORT_PASSPHRASE", "not the passphrase")
        .args(["export", "--passphrase", "--verify"])
        .arg(&archive)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    // Without a terminal and without the variable, it asks nobody and says how.
    let none = shodo()
        .args(["export", "--passphrase", "--case"])
        .arg(&a)
        .arg("--out")
        .arg(tmp.path().join("x.age"))
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("SHODO_EXPORT_PASSPHRASE"));
    assert!(!tmp.path().join("x.age").exists() && !tmp.path().join("x.age.partial").exists());
}

#[test]
fn an_export_far_above_4_gib_streams_and_checks() {
    let tmp = tempfile::tempdir().unwrap();
    let case = tmp.path().join("case");
    shodo().args(["case", "init", "--examiner", "x", "--case"]).arg(&case).assert().success();
    // A memory image-sized file (sparse: reads as zeros), beyond tar's old 4 GiB and 8 GiB limits.
    let big = case.join("endpoints/SRV-01/memory.raw");
    fs::create_dir_all(big.parent().unwrap()).unwrap();
    let size: u64 = (8 << 30) + 4096 + 17;
    fs::File::create(&big).unwrap().set_len(size).unwrap();
    let (key, public) = age_keys(tmp.path());
    // Streamed: `--out -` into a pipe read at once by `--verify -` and, through a FIFO, by the
    // reference tool and GNU tar — the archive is never on disk (it needs none of its 8 GiB).
    let script = r#"
        set -o pipefail
        mkfifo "$T/fifo"
        age -d -i "$KEY" < "$T/fifo" | tar -tv > "$T/listing" &
        reader=$!
        "$BIN" export --case "$CASE" --to "$PUB" --out - 2> "$T/said" | tee "$T/fifo" \
            | "$BIN" export --json --verify - --identity "$KEY" > "$T/check.json"
        status=$?
        wait $reader || exit 90
        exit $status
    "#;
    let run = std::process::Command::new("bash")
        .args(["-c", script])
        .env("T", tmp.path())
        .env("KEY", &key)
        .env("PUB", &public)
        .env("CASE", &case)
        .env("BIN", env!("CARGO_BIN_EXE_shodo"))
        .env_remove("SHODO_LANG")
        .env_remove("SHODO_CASE")
        .env_remove("SHODO_EXAMINER")
        .output()
        .unwrap();
    let said = fs::read_to_string(tmp.path().join("said")).unwrap_or_default();
    assert!(run.status.success(), "{:?} {said} {}", run.status, String::from_utf8_lossy(&run.stderr));
    let json: Value = serde_json::from_slice(&fs::read(tmp.path().join("check.json")).unwrap()).unwrap();
    assert_eq!(json["intact"], true, "{json}");
    assert!(json["check"]["bytes"].as_u64().unwrap() > size);
    // What was said went to stderr, and the record has the streamed archive's hash and size.
    assert!(said.contains("標準出力") && said.contains("SHA-256"), "{said}");
    let last = lines(&case).pop().unwrap();
    let entry: Value = serde_json::from_str(&last).unwrap();
    assert_eq!(entry["action"], "case.export");
    assert_eq!(entry["detail"]["out"], "(standard output)");
    assert!(entry["detail"]["size"].as_u64().unwrap() > size);
    assert!(said.contains(entry["detail"]["sha256"].as_str().unwrap()), "{said}");
    // The reference tool and GNU tar read the same size back.
    let listing = fs::read_to_string(tmp.path().join("listing")).unwrap();
    assert!(
        listing.lines().any(|l| l.contains(&size.to_string()) && l.ends_with("endpoints/SRV-01/memory.raw")),
        "{listing}"
    );
}

#[test]
fn an_archive_is_never_written_to_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let case = tmp.path().join("case");
    shodo().args(["case", "init", "--examiner", "x", "--case"]).arg(&case).assert().success();
    let (_, public) = age_keys(tmp.path());
    // `script` gives the command a pseudo-terminal as its standard output.
    let cmd = format!("'{}' export --case '{}' --to {public} --out -", env!("CARGO_BIN_EXE_shodo"), case.display());
    let run = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env_remove("SHODO_LANG")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(!run.status.success(), "{said}");
    assert!(said.contains("標準出力が画面です") && said.contains("standard output is a terminal"), "{said}");
    assert!(!said.contains("age-encryption.org"), "{said}");
    assert!(!lines(&case).iter().any(|l| l.contains("case.export")));
}
