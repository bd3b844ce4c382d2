use std::fs;
use std::path::{Path, PathBuf};

use age::secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use super::*;
use crate::case::{CaseWriter, FileRef, InitOptions, ProblemKind, init};
use crate::progress::Silent;

fn case_with_two_endpoints(root: &Path) -> PathBuf {
    let dir = root.join("case");
    init(&InitOptions { dir: dir.clone(), examiners: vec!["examiner".into()], ..Default::default() }).unwrap();
    let w = CaseWriter::open(&dir, "examiner", "test").unwrap();
    for (id, body) in [("PC-1", b"evidence one".as_slice()), ("PC-2", b"evidence two, with patient data".as_slice())] {
        let edir = dir.join("endpoints").join(id);
        fs::create_dir_all(&edir).unwrap();
        fs::write(edir.join("evidence-0001.zip"), body).unwrap();
        let f = FileRef::of(&dir, &format!("endpoints/{id}/evidence-0001.zip")).unwrap();
        w.record(NewEntry::new("collect.finish", id, json!({})).with_files(vec![f])).unwrap();
    }
    fs::create_dir_all(dir.join("reports")).unwrap();
    fs::write(dir.join("reports/report.json"), b"{}").unwrap();
    dir
}

fn identity(root: &Path) -> (PathBuf, AgeRecipient) {
    let id = age::x25519::Identity::generate();
    let path = root.join("key.txt");
    fs::write(&path, format!("{}\n", id.to_string().expose_secret())).unwrap();
    (path, AgeRecipient::try_from(id.to_public().to_string()).unwrap())
}

fn export_to(dir: &Path, out: &Path, key: Key, endpoints: &[&str]) -> Result<Exported> {
    let w = CaseWriter::open(dir, "examiner", "export").unwrap();
    let opts =
        ExportOptions { out: out.to_path_buf(), key, endpoints: endpoints.iter().map(|s| s.to_string()).collect() };
    export(&w, &opts, &Silent)
}

#[test]
fn a_case_exported_to_a_recipient_decrypts_and_checks_with_their_key() {
    let t = tempfile::tempdir().unwrap();
    let dir = case_with_two_endpoints(t.path());
    let (key_file, public) = identity(t.path());
    let out = t.path().join("case.tar.age");
    let done = export_to(&dir, &out, Key::Recipients(vec![("police".into(), public.clone())]), &[]).unwrap();
    assert!(out.is_file() && !t.path().join("case.tar.age.partial").exists());
    assert_eq!(done.sha256, crate::hash::sha256_file(&out).unwrap().0);
    // Not plaintext: the evidence bytes are nowhere in the file.
    let raw = fs::read(&out).unwrap();
    assert!(raw.starts_with(b"age-encryption.org/v1\n"));
    assert!(!raw.windows(13).any(|w| w == b"evidence two,"));

    let checked = check(&out, &Opener::Identity(key_file), &Silent).unwrap();
    assert!(checked.intact(), "{:?}", checked.problems);
    assert_eq!(checked.case_id.as_deref(), Some(crate::case::Case::open(&dir).unwrap().file().case.id.as_str()));
    assert_eq!(checked.vouched_checked, 3, "two evidence files and case.toml");
    assert_eq!(checked.not_exported, 0);
    // The export is on the record, with the public key and the archive's hash.
    let last = crate::case::read_entries(&dir).unwrap().pop().unwrap();
    assert_eq!(last.action, "case.export");
    assert_eq!(last.detail["sha256"], done.sha256);
    assert_eq!(last.detail["recipients"][0]["age"], public.as_str());
    assert!(crate::case::verify(&dir).unwrap().intact());
}

#[test]
fn a_passphrase_export_opens_with_the_passphrase_only_and_the_passphrase_is_recorded_nowhere() {
    let t = tempfile::tempdir().unwrap();
    let dir = case_with_two_endpoints(t.path());
    let secret = "correct horse battery staple 病院";
    let out = t.path().join("p.age");
    export_to(&dir, &out, Key::Passphrase(SecretString::from(secret.to_string())), &["PC-2"]).unwrap();
    let checked = check(&out, &Opener::Passphrase(SecretString::from(secret.to_string())), &Silent).unwrap();
    assert!(checked.intact(), "{:?}", checked.problems);
    assert!(checked.not_exported >= 1, "PC-1 is left out");
    let wrong = check(&out, &Opener::Passphrase(SecretString::from("wrong passphrase!!".to_string())), &Silent);
    assert!(wrong.unwrap_err().to_string().contains("decryption failed"));
    let (key_file, _) = identity(t.path());
    assert!(check(&out, &Opener::Identity(key_file), &Silent).unwrap_err().to_string().contains("passphrase"));
    for f in walkdir::WalkDir::new(&dir).into_iter().flatten().filter(|e| e.file_type().is_file()) {
        let bytes = fs::read(f.path()).unwrap();
        assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{}", f.path().display());
    }
}

#[test]
fn only_the_chosen_endpoints_leave_the_case() {
    let t = tempfile::tempdir().unwrap();
    let dir = case_with_two_endpoints(t.path());
    let (key_file, public) = identity(t.path());
    let out = t.path().join("one.age");
    let done = export_to(&dir, &out, Key::Recipients(vec![("analyst".into(), public)]), &["PC-1"]).unwrap();
    assert_eq!(done.endpoints, ["PC-1"]);
    let checked = check(&out, &Opener::Identity(key_file), &Silent).unwrap();
    assert!(checked.intact());
    assert_eq!(checked.not_exported, 1, "PC-2's evidence");
    assert!(
        export_to(&dir, &t.path().join("x.age"), Key::Passphrase(SecretString::from("x".repeat(12))), &["PC-9"])
            .is_err()
    );
}

#[test]
fn a_damaged_or_cut_archive_fails_the_check() {
    let t = tempfile::tempdir().unwrap();
    let dir = case_with_two_endpoints(t.path());
    let (key_file, public) = identity(t.path());
    let out = t.path().join("c.age");
    export_to(&dir, &out, Key::Recipients(vec![("x".into(), public)]), &[]).unwrap();
    let good = fs::read(&out).unwrap();

    let mut flipped = good.clone();
    let mid = flipped.len() - 300;
    flipped[mid] ^= 0x40;
    fs::write(&out, &flipped).unwrap();
    let c = check(&out, &Opener::Identity(key_file.clone()), &Silent).unwrap();
    assert!(!c.intact());

    fs::write(&out, &good[..good.len() - 1000]).unwrap();
    let c = check(&out, &Opener::Identity(key_file.clone()), &Silent).unwrap();
    assert!(c.problems.iter().any(|p| p.kind == ProblemKind::ArchiveMember), "{:?}", c.problems);
}

#[test]
fn the_archive_is_never_written_over_an_existing_file_or_inside_the_case() {
    let t = tempfile::tempdir().unwrap();
    let dir = case_with_two_endpoints(t.path());
    let (_, public) = identity(t.path());
    let key = || Key::Recipients(vec![("x".into(), public.clone())]);
    let existing = t.path().join("existing.age");
    fs::write(&existing, b"keep me").unwrap();
    assert!(export_to(&dir, &existing, key(), &[]).is_err());
    assert_eq!(fs::read(&existing).unwrap(), b"keep me");
    assert!(export_to(&dir, &dir.join("reports/inside.age"), key(), &[]).is_err());
    assert!(!dir.join("reports/inside.age").exists());
}
