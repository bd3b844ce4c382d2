use std::fs;
use std::path::{Path, PathBuf};

use super::*;
use crate::case::layout::MANIFEST;
use crate::case::{self, CaseWriter, InitOptions};
use crate::collect::KeepWhy as Why;
use crate::progress::Silent;

fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let case = tmp.path().join("case");
    case::init(&InitOptions { dir: case.clone(), ..Default::default() }).unwrap();
    let src = tmp.path().join("src");
    for (rel, text) in [("etc/hostname", "h1\n"), ("var/log/a.log", "first\n"), ("var/log/b.log", "second\n")] {
        fs::create_dir_all(src.join(rel).parent().unwrap()).unwrap();
        fs::write(src.join(rel), text).unwrap();
    }
    (tmp, case, src)
}

fn rows(case: &Path) -> Vec<Row> {
    manifest::read(&case.join("endpoints/h1").join(MANIFEST)).unwrap()
}

#[test]
fn file_that_vanishes_after_planning_is_recorded_as_vanished() {
    let (_tmp, case, src) = setup();
    let writer = CaseWriter::open(&case, "test", "test").unwrap();
    let victim = src.join("var/log/b.log");
    let summary = collect_planned(&writer, &Options::new(&src), &Silent, &|plan| {
        assert!(plan.candidates.iter().any(|c| c.rel == Path::new("var/log/b.log")));
        fs::remove_file(&victim).unwrap();
    })
    .unwrap();
    let rows = rows(&case);
    let b = rows.iter().find(|r| r.path == "var/log/b.log").unwrap();
    assert_eq!((b.status, b.reason), (Status::Skipped, Some(SkipReason::Vanished)));
    assert!(summary.incomplete());
    assert!(rows.iter().any(|r| r.path == "var/log/a.log" && r.status == Status::Collected));
}

#[test]
fn file_that_grows_after_planning_is_taken_whole_and_the_change_is_said() {
    let (_tmp, case, src) = setup();
    let writer = CaseWriter::open(&case, "test", "test").unwrap();
    let log = src.join("var/log/a.log");
    collect_planned(&writer, &Options::new(&src), &Silent, &|_| {
        fs::write(&log, "first\nand a line written by the running system\n").unwrap();
    })
    .unwrap();
    let rows = rows(&case);
    let a = rows.iter().find(|r| r.path == "var/log/a.log").unwrap();
    let now = fs::read(&log).unwrap();
    assert_eq!(a.status, Status::Collected);
    assert_eq!(a.size, now.len() as u64);
    assert_eq!(a.sha256.as_deref(), Some(crate::hash::sha256_hex(&now).as_str()), "the hash is of what was read");
    assert_eq!(a.detail.as_deref(), Some(format!("size changed while reading: listed 6, read {}", now.len()).as_str()));
    assert!(crate::case::verify(&case).unwrap().intact());
}

#[test]
fn spent_artefact_time_budget_skips_the_rest() {
    let (_tmp, case, src) = setup();
    let text = "os = \"linux\"\n[[artefact]]\nid = \"t.logs\"\ndescription = { ja = \"ログ\", en = \"logs\" }\n\
                why = { ja = \"試験\", en = \"test\" }\nglobs = [\"var/log/*\"]\nmax_file_size = \"1MiB\"\nmax_seconds = 0\n";
    let mut opts = Options::new(&src);
    opts.catalogue = Some(Catalogue::parse("test.toml", text).unwrap());
    let writer = CaseWriter::open(&case, "test", "test").unwrap();
    collect(&writer, &opts, &Silent).unwrap();
    let rows = rows(&case);
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.reason == Some(SkipReason::ArtefactTime)), "{rows:?}");
}

/// Progress whose operator cancels once `after` files have been taken.
struct CancelAfter {
    after: u64,
    seen: std::sync::atomic::AtomicU64,
}

impl crate::progress::Progress for CancelAfter {
    fn start(&self, _: &str, _: Option<u64>, _: Option<u64>) {}
    fn advance(&self, items: u64, _: u64) {
        self.seen.fetch_add(items, std::sync::atomic::Ordering::SeqCst);
    }
    fn note(&self, _: &str) {}
    fn finish(&self) {}
    fn cancelled(&self) -> bool {
        self.seen.load(std::sync::atomic::Ordering::SeqCst) >= self.after
    }
}

#[test]
fn a_cancelled_collection_records_what_it_did_not_take_and_the_next_run_takes_it() {
    let (_tmp, case, src) = setup();
    let writer = CaseWriter::open(&case, "test", "test").unwrap();
    let cancel = CancelAfter { after: 1, seen: Default::default() };
    let summary = collect(&writer, &Options::new(&src), &cancel).unwrap();
    assert!(summary.skipped.contains_key(&SkipReason::Cancelled), "{summary:?}");
    assert!(summary.incomplete(), "a cancelled run is not complete");
    let cancelled: Vec<String> =
        rows(&case).iter().filter(|r| r.reason == Some(SkipReason::Cancelled)).map(|r| r.path.clone()).collect();
    assert!(!cancelled.is_empty());
    drop(writer);
    assert!(case::verify(&case).unwrap().intact());
    let writer = CaseWriter::open(&case, "test", "test").unwrap();
    collect(&writer, &Options::new(&src), &Silent).unwrap();
    let latest = latest_rows(&rows(&case)).into_iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<Vec<_>>();
    for path in cancelled {
        let row = latest.iter().find(|(_, r)| r.path == path).map(|(_, r)| r).unwrap();
        assert_eq!(row.status, Status::Collected, "{path} taken by the next run");
    }
}

#[test]
fn kept_finds_say_what_changed_vanished_or_did_not_fit() {
    let (_tmp, case, src) = setup();
    let writer = CaseWriter::open(&case, "test", "test").unwrap();
    collect(&writer, &Options::new(&src), &Silent).unwrap();
    fs::create_dir_all(src.join("srv")).unwrap();
    fs::write(src.join("srv/NOTE.txt"), "pay\n").unwrap();
    fs::write(src.join("srv/big.bin.x"), vec![7u8; 5000]).unwrap();
    fs::write(src.join("srv/tool.sh"), "rm -rf /\n").unwrap();
    let want = |path: &str, why: Why, sha256: &str| Wanted { path: path.into(), why, sha256: sha256.into() };
    let note_sha = crate::hash::sha256_hex(b"pay\n");
    let wanted = [
        want("srv/NOTE.txt", Why::RansomNote, &note_sha),
        want("srv/gone.txt", Why::RansomNote, &note_sha),
        want("srv/big.bin.x", Why::EncryptedSample, "0"),
        want("srv/tool.sh", Why::Tool, "not what the scan read"),
    ];
    let kept = keep(&writer, "h1", &src, &wanted, 1000, &Silent).unwrap();
    let paths: Vec<(&str, bool)> = kept.files.iter().map(|f| (f.path.as_str(), f.as_scanned)).collect();
    assert_eq!(paths, [("srv/NOTE.txt", true), ("srv/tool.sh", false)], "smaller files after a large one still go in");
    let left: Vec<(&str, &str)> = kept.left_out.iter().map(|l| (l.path.as_str(), l.reason.as_str())).collect();
    assert_eq!(left[0].0, "srv/gone.txt");
    assert_eq!(left[1], ("srv/big.bin.x", "budget"));
    let rows = rows(&case);
    let tool = rows.iter().find(|r| r.path == "srv/tool.sh").unwrap();
    assert_eq!(tool.artefacts, ["scan.tool"]);
    assert!(tool.detail.as_deref().unwrap().contains("changed since the scan"), "{tool:?}");
    assert_eq!(row_bytes(&case.join("endpoints/h1"), tool, u64::MAX).unwrap(), b"rm -rf /\n");
    assert!(rows.iter().all(|r| r.path != "srv/gone.txt" && r.path != "srv/big.bin.x"));
    let entries = case::read_entries(&case).unwrap();
    let last = entries.last().unwrap();
    assert_eq!((last.action.as_str(), last.detail["files"].as_u64()), ("scan.keep", Some(2)));
    assert_eq!(last.detail["manifest_root"].as_str(), kept.manifest_root.as_deref());
}
