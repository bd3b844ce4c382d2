use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::*;
use crate::case::{CaseWriter, InitOptions, ProblemKind, init, verify::verify};
use crate::progress::Silent;

fn new_case(root: &Path, name: &str) -> PathBuf {
    let dir = root.join(name);
    init(&InitOptions { dir: dir.clone(), examiners: vec![format!("{name}-team")], ..Default::default() }).unwrap();
    dir
}

/// An endpoint folder as a collection leaves it: files vouched for by a custody entry.
fn endpoint(case: &Path, id: &str, hostname: &str, evidence: &[u8]) {
    let dir = case.join(ENDPOINTS_DIR).join(id);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("endpoint.json"), json!({ "id": id, "hostname": hostname }).to_string()).unwrap();
    fs::write(dir.join("evidence-0001.zip"), evidence).unwrap();
    let w = CaseWriter::open(case, "collector", "test").unwrap();
    let files = ["endpoint.json", "evidence-0001.zip"]
        .iter()
        .map(|f| FileRef::of(case, &format!("{ENDPOINTS_DIR}/{id}/{f}")).unwrap())
        .collect();
    w.record(NewEntry::new("collect.finish", id, json!({})).with_files(files)).unwrap();
}

fn backup(case: &Path, medium: &str, report: &str) {
    let dir = case.join(BACKUPS_DIR).join(medium);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("verify-1.json"), report).unwrap();
    let w = CaseWriter::open(case, "collector", "test").unwrap();
    let f = FileRef::of(case, &format!("{BACKUPS_DIR}/{medium}/verify-1.json")).unwrap();
    w.record(NewEntry::new("backup.verify", medium, json!({})).with_files(vec![f])).unwrap();
}

fn run(dest: &Path, sources: &[&Path]) -> Vec<Result<Merged>> {
    let w = CaseWriter::open(dest, "lead", "merge").unwrap();
    merge(&w, &sources.iter().map(|p| p.to_path_buf()).collect::<Vec<_>>(), &Silent)
}

fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().display().to_string(), fs::read(e.path()).unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn two_sticks_join_one_case_that_verifies_with_both_chains() {
    let t = tempfile::tempdir().unwrap();
    let a = new_case(t.path(), "a");
    let b = new_case(t.path(), "b");
    endpoint(&a, "PC-1", "PC-1", b"evidence of pc-1");
    endpoint(&b, "PC-2", "PC-2", b"evidence of pc-2");
    backup(&b, "nas", "{\"clean\":true}");
    let before = tree(&b);

    let out = run(&a, &[&b]);
    let m = out[0].as_ref().unwrap();
    assert!(!m.already);
    assert_eq!(m.items.len(), 2);
    assert!(m.items.iter().all(|i| i.placement == Placement::Copied && i.from == i.to));
    assert_eq!(fs::read(a.join("endpoints/PC-2/evidence-0001.zip")).unwrap(), b"evidence of pc-2");
    assert!(a.join("backups/nas/verify-1.json").is_file());
    // The source's own record is kept byte for byte, and the source is untouched.
    let kept = a.join(&m.log_dir);
    assert_eq!(fs::read(kept.join(LOG_FILE)).unwrap(), fs::read(b.join(LOG_FILE)).unwrap());
    assert_eq!(tree(&b), before);
    assert!(
        !a.join(MERGED_DIR).read_dir().unwrap().flatten().any(|e| e.file_name().to_string_lossy().starts_with('.'))
    );

    let report = verify(&a).unwrap();
    assert!(report.intact(), "{:?}", report.problems);
    assert_eq!(report.merged_sources, 1);
    let entries = custody::read_entries(&a).unwrap();
    let last = entries.last().unwrap();
    assert_eq!(last.action, MERGE_ACTION);
    assert_eq!(last.detail["source_head"]["seq"], m.head.seq);
    // Who collected PC-2 is on the record of the merged case.
    let all = all_entries(&a).unwrap();
    assert!(all.iter().any(|(_, e)| e.target == "PC-2" && e.action == "collect.finish" && e.actor == "collector"));
}

#[test]
fn the_same_endpoint_from_two_sticks_is_kept_apart_never_overwritten() {
    let t = tempfile::tempdir().unwrap();
    let a = new_case(t.path(), "a");
    let b = new_case(t.path(), "b");
    endpoint(&a, "PC-1", "PC-1", b"first collection");
    endpoint(&b, "PC-1", "pc-1", b"second collection, later");
    let out = run(&a, &[&b]);
    let m = out[0].as_ref().unwrap();
    let item = &m.items[0];
    assert_eq!(item.placement, Placement::KeptApart);
    assert_eq!(item.to, format!("endpoints/PC-1--{}", m.case_id));
    assert_eq!(fs::read(a.join("endpoints/PC-1/evidence-0001.zip")).unwrap(), b"first collection");
    assert_eq!(fs::read(a.join(&item.to).join("evidence-0001.zip")).unwrap(), b"second collection, later");
    assert_eq!(m.same_endpoint.len(), 1);
    assert_eq!(m.same_endpoint[0].why, "same_id");
    assert!(verify(&a).unwrap().intact());
    // The source's collection entries now name the folder the evidence went to.
    let kept_apart = item.to.rsplit('/').next().unwrap();
    assert!(all_entries(&a).unwrap().iter().any(|(_, e)| e.target == kept_apart && e.action == "collect.finish"));
}

#[test]
fn a_different_id_with_the_same_host_name_is_flagged() {
    let t = tempfile::tempdir().unwrap();
    let a = new_case(t.path(), "a");
    let b = new_case(t.path(), "b");
    endpoint(&a, "PC-1", "DESK-07", b"x");
    endpoint(&b, "desk07", "desk-07", b"y");
    let out = run(&a, &[&b]);
    let m = out[0].as_ref().unwrap();
    assert_eq!(m.items[0].placement, Placement::Copied);
    assert_eq!(m.same_endpoint[0].why, "same_hostname");
    assert_eq!(m.same_endpoint[0].other, "endpoints/PC-1");
}

#[test]
fn merging_the_same_stick_again_adds_nothing_and_a_grown_source_brings_only_what_is_new() {
    let t = tempfile::tempdir().unwrap();
    let a = new_case(t.path(), "a");
    let b = new_case(t.path(), "b");
    endpoint(&b, "PC-2", "PC-2", b"two");
    assert!(!run(&a, &[&b])[0].as_ref().unwrap().already);
    let lines = custody::read_entries(&a).unwrap().len();
    assert!(run(&a, &[&b])[0].as_ref().unwrap().already);
    assert_eq!(custody::read_entries(&a).unwrap().len(), lines);

    endpoint(&b, "PC-3", "PC-3", b"three");
    let out = run(&a, &[&b]);
    let m = out[0].as_ref().unwrap();
    let placements: Vec<_> = m.items.iter().map(|i| (i.to.as_str(), i.placement)).collect();
    assert_eq!(placements, [("endpoints/PC-2", Placement::AlreadyPresent), ("endpoints/PC-3", Placement::Copied)]);
    let report = verify(&a).unwrap();
    assert!(report.intact(), "{:?}", report.problems);
    assert_eq!(report.merged_sources, 2);
}

#[test]
fn a_source_that_does_not_verify_is_refused_and_nothing_is_copied() {
    let t = tempfile::tempdir().unwrap();
    let a = new_case(t.path(), "a");
    let b = new_case(t.path(), "b");
    endpoint(&b, "PC-2", "PC-2", b"original");
    fs::write(b.join("endpoints/PC-2/evidence-0001.zip"), b"tampered").unwrap();
    let before = tree(&a);
    let out = run(&a, &[&b]);
    let err = out[0].as_ref().unwrap_err();
    assert!(err.to_string().contains("does not verify"), "{err}");
    assert!(err.ja().contains("検証"));
    assert_eq!(
        tree(&a).into_iter().filter(|(p, _)| p != "shodo.lock").collect::<Vec<_>>(),
        before.into_iter().filter(|(p, _)| p != "shodo.lock").collect::<Vec<_>>()
    );
}

#[test]
fn a_case_cannot_be_merged_into_itself_or_while_it_is_written() {
    let t = tempfile::tempdir().unwrap();
    let a = new_case(t.path(), "a");
    let b = new_case(t.path(), "b");
    assert!(run(&a, &[&a])[0].is_err());
    let _busy = CaseWriter::open(&b, "someone", "collect").unwrap();
    let out = run(&a, &[&b]);
    assert!(out[0].as_ref().unwrap_err().to_string().contains("in use"));
}

#[test]
fn a_merge_killed_after_copying_is_finished_by_the_next_run() {
    let t = tempfile::tempdir().unwrap();
    let a = new_case(t.path(), "a");
    let b = new_case(t.path(), "b");
    endpoint(&b, "PC-2", "PC-2", b"two");
    // What a kill leaves: a half-filled staging folder, and a folder already renamed into place
    // but not yet on the record.
    fs::create_dir_all(a.join("merged/.staging-x-1/endpoints/PC-9")).unwrap();
    fs::write(a.join("merged/.staging-x-1/endpoints/PC-9/half"), b"ha").unwrap();
    fs::create_dir_all(a.join("endpoints/PC-2")).unwrap();
    for f in ["endpoint.json", "evidence-0001.zip"] {
        fs::copy(b.join("endpoints/PC-2").join(f), a.join("endpoints/PC-2").join(f)).unwrap();
    }
    let out = run(&a, &[&b]);
    let m = out[0].as_ref().unwrap();
    assert_eq!(m.items[0].placement, Placement::AlreadyPresent);
    assert!(!a.join("merged/.staging-x-1").exists());
    let report = verify(&a).unwrap();
    assert!(report.intact(), "{:?}", report.problems);
    // The files that were in place unrecorded are now vouched for.
    let last = custody::read_entries(&a).unwrap().pop().unwrap();
    assert!(last.files.iter().any(|f| f.path == "endpoints/PC-2/evidence-0001.zip"));
}

#[test]
fn verify_finds_a_kept_source_log_or_a_copy_that_was_changed_after_the_merge() {
    let t = tempfile::tempdir().unwrap();
    let a = new_case(t.path(), "a");
    let b = new_case(t.path(), "b");
    endpoint(&b, "PC-2", "PC-2", b"two");
    let out = run(&a, &[&b]);
    let m = out[0].as_ref().unwrap();

    fs::write(a.join("endpoints/PC-2/evidence-0001.zip"), b"changed").unwrap();
    let r = verify(&a).unwrap();
    assert!(r.problems.iter().any(|p| p.kind == ProblemKind::FileModified));
    fs::write(a.join("endpoints/PC-2/evidence-0001.zip"), b"two").unwrap();
    assert!(verify(&a).unwrap().intact());

    // Rewriting the kept log (and its head) to match a forged copy breaks the merge entry's hash
    // of the log and the source's own chain.
    let log = a.join(&m.log_dir).join(LOG_FILE);
    let text = fs::read_to_string(&log).unwrap().replace("collect.finish", "collect.fakery");
    fs::write(&log, text).unwrap();
    let r = verify(&a).unwrap();
    assert!(
        r.problems
            .iter()
            .any(|p| p.kind == ProblemKind::FileModified && p.file.as_deref().is_some_and(|f| f.ends_with(LOG_FILE)))
    );
    assert!(r.problems.iter().any(|p| p.en.starts_with("merged source")));
}
