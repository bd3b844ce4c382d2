//! `shodo demo`: the whole workflow on the demo endpoint and backup, through the real commands.

use std::fs;
use std::path::Path;

use regex::Regex;
use serde_json::Value;

use crate::helpers::{shodo, verify};

#[test]
fn the_demo_runs_the_whole_workflow_and_its_reports_tell_the_story() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    let run = shodo().args(["demo", "--out"]).arg(&out).output().unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let case = out.join("case");
    let reports = case.join("reports");
    let model: Value = serde_json::from_slice(&fs::read(reports.join("report.json")).unwrap()).unwrap();
    let e = &model["endpoints"][0];
    assert_eq!(e["hostname"], "PC-GAIRAI-01");
    assert_eq!(e["encrypted_files"], 30);
    assert_eq!(e["ransom_notes"], 4, "a note found by name and by content is one note");
    assert_eq!(e["families"], serde_json::json!(["LockBit"]), "a tool's family is no ransomware family");
    assert!(model["occurred_at"]["basis"][0].as_str().unwrap().contains("Burst of failed logons"), "{model}");
    assert_eq!(model["backups"][0]["last_clean"], "2026-11-19");
    assert_eq!(model["backups"][0]["first_bad"], "2026-11-20");
    let kinds: Vec<&str> =
        model["entry_points"].as_array().unwrap().iter().filter_map(|p| p["kind"].as_str()).collect();
    for kind in ["rdp", "remote_access", "first_external_logon"] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    let iocs: Vec<&str> = model["iocs"].as_array().unwrap().iter().filter_map(|i| i["value"].as_str()).collect();
    assert!(iocs.contains(&shodo::demo::ONION) && iocs.contains(&"lockbit-support@onionmail.org"), "{iocs:?}");
    let police = fs::read_to_string(reports.join("police.ja.md")).unwrap();
    assert!(police.contains("203.0.113.45"), "the attacker's address is in the police material");
    // The isolation plan was made read-only: the demo volume still has its hives as made.
    let plan = fs::read_to_string(case.join("custody.jsonl")).unwrap();
    assert!(!plan.contains("\"isolate.apply\""));
    assert_eq!(verify(&case).0, 0);
    // A second run into the same place is refused, nothing overwritten.
    let again = shodo().args(["demo", "--out"]).arg(&out).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
}

/// A report with what changes from run to run (the case id, the times of the run itself)
/// replaced; the scenario's own times (18–20 November, 覚知 03:10) stay. Rows holding a time of
/// the run are left out (files made in the same instant may come in either order).
fn normalized(text: &str) -> String {
    let case = Regex::new(r"\d{8}-\d{6}-[0-9a-f]{8}").unwrap();
    let times = Regex::new(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z| JST|[+-]\d{2}:\d{2})").unwrap();
    let text = case.replace_all(text, "<CASE>");
    times
        .replace_all(&text, |c: &regex::Captures| {
            let t = &c[0];
            let scenario = ["2026-11-18", "2026-11-19", "2026-11-20"].iter().any(|d| t.starts_with(d))
                || t == "2026-11-21 03:10:00 JST"
                || t.starts_with("2026-11-21 01:10:00");
            if scenario { t.to_string() } else { "<TIME>".into() }
        })
        .lines()
        .filter(|l| !(l.starts_with('|') && l.contains("<TIME>")))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn the_demo_reports_match_their_golden_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    shodo().args(["demo", "--out"]).arg(&out).assert().success();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/demo");
    for name in
        ["ppc-sokuho.ja.md", "ppc-kakuho.ja.md", "mhlw.ja.md", "police.ja.md", "checklist.ja.md", "recurrence.ja.md"]
    {
        let got = normalized(&fs::read_to_string(out.join("case/reports").join(name)).unwrap());
        let path = golden.join(name);
        // After a deliberate change: SHODO_BLESS=1 cargo test writes them anew (review the diff).
        if std::env::var_os("SHODO_BLESS").is_some() {
            fs::create_dir_all(&golden).unwrap();
            fs::write(&path, &got).unwrap();
        }
        let want =
            fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} missing: run with SHODO_BLESS=1", path.display()));
        assert_eq!(got, want, "{name} differs from its golden file");
    }
}

/// Every record the demo writes into findings.jsonl validates against the schema made from the
/// types (`rules/findings/finding.schema.json`), checked by Python's `jsonschema`, which shares
/// nothing with shodo; a record that breaks the contract does not.
#[test]
fn every_finding_the_demo_writes_validates_against_the_findings_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    shodo().args(["demo", "--out"]).arg(&out).assert().success();
    let files: Vec<_> = walkdir::WalkDir::new(&out)
        .into_iter()
        .flatten()
        .filter(|e| e.file_name() == "findings.jsonl")
        .map(|e| e.path().to_path_buf())
        .collect();
    assert!(!files.is_empty(), "the demo wrote no findings");
    let broken = tmp.path().join("broken.jsonl");
    fs::write(&broken, "{\"v\":1,\"kind\":\"yara\",\"path\":\"x\"}\n").unwrap();
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/findings/finding.schema.json");
    let script = "import json,sys,jsonschema\n\
                  s=json.load(open(sys.argv[1]));v=jsonschema.Draft202012Validator(s);n=0\n\
                  for p in sys.argv[2:]:\n\
                  \x20   for l in open(p,encoding='utf-8'):\n\
                  \x20       v.validate(json.loads(l));n+=1\n\
                  print(n)\n";
    let run = |files: &[std::path::PathBuf]| {
        std::process::Command::new("python3").args(["-c", script]).arg(&schema).args(files).output().unwrap()
    };
    let ok = run(&files);
    assert!(ok.status.success(), "a finding does not validate: {}", String::from_utf8_lossy(&ok.stderr));
    let count: usize = String::from_utf8_lossy(&ok.stdout).trim().parse().unwrap();
    assert!(count > 50, "only {count} findings validated");
    assert!(!run(&[broken]).status.success(), "a yara record without its rule must not validate");
}
