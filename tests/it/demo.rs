//! `shodo demo`: the whole workflow on the demo endpoint and backup, through the real commands.

use std::fs;

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
    assert!(e["families"].as_array().unwrap().iter().any(|f| f == "LockBit"), "{e}");
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
