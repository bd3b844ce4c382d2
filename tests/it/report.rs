//! `shodo report`: the incident model validates against its schema, the PPC 速報 and 確報 carry
//! all nine items with what is known and what is 未確定, and the due dates follow 覚知日時.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::helpers::{case_with_notes, document, encrypt, shodo, verify};

/// Validates `report.json` with Python's `jsonschema` (installed by `.ci/run`), an implementation
/// that shares nothing with shodo.
fn validate(case: &Path) {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/report/report.schema.json");
    let script = "import json,sys,jsonschema\n\
                  s=json.load(open(sys.argv[1]));d=json.load(open(sys.argv[2]))\n\
                  jsonschema.validate(d,s,cls=jsonschema.Draft202012Validator)\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(schema)
        .arg(case.join("reports/report.json"))
        .output()
        .unwrap();
    assert!(out.status.success(), "report.json does not validate: {}", String::from_utf8_lossy(&out.stderr));
}

fn report(case: &Path, lang: &str) {
    let out = shodo().args(["--lang", lang, "report", "--case"]).arg(case).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

const ITEMS_JA: [&str; 9] = [
    "1. 概要",
    "2. 漏えい等が発生し、又は発生したおそれがある個人データの項目",
    "3. 漏えい等が発生し、又は発生したおそれがある個人データに係る本人の数",
    "4. 原因",
    "5. 二次被害又はそのおそれの有無及びその内容",
    "6. 本人への対応の実施状況",
    "7. 公表の実施状況",
    "8. 再発防止のための措置",
    "9. その他参考となる事項",
];

#[test]
fn a_case_with_no_findings_reports_every_item_as_undetermined() {
    let (_tmp, case) = case_with_notes(0);
    report(&case, "ja");
    validate(&case);
    for stage in ["sokuho", "kakuho"] {
        let md = fs::read_to_string(case.join(format!("reports/ppc-{stage}.ja.md"))).unwrap();
        for item in ITEMS_JA {
            assert!(md.contains(item), "{stage}: {item} missing");
        }
        assert!(md.contains("\\[未設定\\]"), "no shodo.toml: the hospital's name is to be filled in");
        assert!(md.contains("incident.toml の persons に記入"), "{md}");
        let html = fs::read_to_string(case.join(format!("reports/ppc-{stage}.ja.html"))).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>") && html.contains("@page { size: A4") && html.contains("[未設定]"));
    }
    let checklist = fs::read_to_string(case.join("reports/checklist.ja.md")).unwrap();
    assert!(checklist.contains("analyze）がまだ行われていない"), "{checklist}");
    let sokuho = fs::read_to_string(case.join("reports/ppc-sokuho.ja.md")).unwrap();
    // Aware 2026-11-21 03:10 JST; nothing malicious found: 確報 within 30 days.
    assert!(sokuho.contains("2026-11-24〜2026-11-26"), "{sokuho}");
    assert!(sokuho.contains("確報の期限: 2026-12-21（覚知から 30 日以内"), "{sokuho}");
    let model: Value = serde_json::from_slice(&fs::read(case.join("reports/report.json")).unwrap()).unwrap();
    assert_eq!(model["aware_at"]["source"], "operator");
    assert_eq!(model["occurred_at"]["source"], "undetermined");
    assert_eq!(verify(&case).0, 0, "the reports are on the custody record");
}

#[test]
fn findings_fill_the_ppc_report_and_operator_answers_the_rest() {
    let (tmp, case) = case_with_notes(0);
    fs::write(case.join("shodo.toml"), "[hospital]\nname = \"テスト市立病院\"\n").unwrap();
    let src = tmp.path().join("src");
    let docs = src.join("Users/yamada/Documents");
    fs::create_dir_all(&docs).unwrap();
    for i in 0..12 {
        let mut d = document(400);
        encrypt(&mut d, None);
        fs::write(docs.join(format!("記録{i}.docx.lockbit")), d).unwrap();
    }
    let onion = "lockbitapt2yfbt7lchxejug47kmqvqqxvvjpqkmevv4l3azl3gy6pyd.onion";
    fs::write(
        docs.join("Restore-My-Files.txt"),
        format!("~~~ LockBit 3.0 ~~~\nYour data are stolen and encrypted.\nhttp://{onion}\nTox ID 1234\n"),
    )
    .unwrap();
    shodo()
        .args(["collect", "--os", "windows", "--endpoint", "pc-07", "--case"])
        .arg(&case)
        .arg("--source")
        .arg(&src)
        .assert()
        .code(0);
    shodo().args(["scan", "--endpoint", "pc-07", "--case"]).arg(&case).assert().code(1);
    shodo().args(["analyze", "--endpoint", "pc-07", "--case"]).arg(&case).output().unwrap();
    fs::write(case.join("incident.toml"), "persons = \"約 3,000 人（調査中）\"\n").unwrap();
    report(&case, "ja");
    validate(&case);
    let md = fs::read_to_string(case.join("reports/ppc-sokuho.ja.md")).unwrap();
    assert!(md.contains("テスト市立病院"), "{md}");
    assert!(
        md.contains("ファイルの暗号化") && md.contains("ランサムウェア（LockBit（確度: 高））"),
        "item 1 from the evidence: {md}"
    );
    assert!(md.contains("約 3,000 人（調査中）"), "item 3 from the operator: {md}");
    assert!(md.contains("Tor の接続先"), "item 5 from the ransom note: {md}");
    assert!(md.contains("確報の期限: 2027-01-20（覚知から 60 日以内"), "不正の目的: 60 days: {md}");
    let model: Value = serde_json::from_slice(&fs::read(case.join("reports/report.json")).unwrap()).unwrap();
    assert!(model["iocs"].as_array().unwrap().iter().any(|i| i["kind"] == "onion" && i["value"] == onion), "{model}");
    assert_eq!(model["endpoints"][0]["encrypted_files"], 12);
    let mhlw = fs::read_to_string(case.join("reports/mhlw.ja.md")).unwrap();
    for section in ["1. 医療機関情報", "5. 診療への影響", "7. 攻撃経路", "9. 復旧見込み", "11. 再発防止策"]
    {
        assert!(mhlw.contains(section), "{section}: {mhlw}");
    }
    assert!(mhlw.contains("incident.toml の care\\_impact に記入"), "care impact is the operator's: {mhlw}");
    let police = fs::read_to_string(case.join("reports/police.ja.md")).unwrap();
    assert!(police.contains("1. 概要（5W1H）") && police.contains(onion), "{police}");
    let list = fs::read_to_string(case.join("reports/evidence-list.csv")).unwrap();
    let rows: Vec<&str> = list.lines().collect();
    assert_eq!(rows[0], "endpoint,path,size,sha256,modified");
    let manifest = fs::read_to_string(case.join("endpoints/pc-07/manifest.jsonl")).unwrap();
    let collected = manifest.lines().filter(|l| l.contains("\"collected\"")).count();
    assert_eq!(rows.len() - 1, collected, "every collected file is listed");
    assert!(rows[1..].iter().all(|r| r.starts_with("pc-07,") && r.split(',').nth(3).is_some_and(|h| h.len() == 64)));
    let checklist = fs::read_to_string(case.join("reports/checklist.ja.md")).unwrap();
    let answers: Value =
        serde_json::from_slice(&fs::read(case.join("endpoints/pc-07/checklist.json")).unwrap()).unwrap();
    let first = &answers["items"][0];
    assert!(checklist.contains(&format!("pc-07: {}", first["status"].as_str().unwrap())), "{checklist}");
    let recurrence = fs::read_to_string(case.join("reports/recurrence.ja.md")).unwrap();
    assert!(recurrence.contains("5. 推奨事項") && recurrence.contains("バックアップをオフライン"), "{recurrence}");
    assert!(recurrence.contains("感染端末は初期化して再構築"), "{recurrence}");
    let timeline = fs::read_to_string(case.join("reports/timeline.csv")).unwrap();
    assert!(timeline.starts_with("datetime,timestamp,timestamp_desc,message,source,evidence,endpoint\n"));
    // The STIX bundle passes the OASIS validator (stix2-validator, installed by .ci/run).
    let out = std::process::Command::new("stix2_validator")
        .arg("--strict")
        .arg(case.join("reports/iocs.stix.json"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let bundle: Value = serde_json::from_slice(&fs::read(case.join("reports/iocs.stix.json")).unwrap()).unwrap();
    let objects = bundle["objects"].as_array().unwrap();
    assert!(objects.iter().any(|o| o["type"] == "malware" && o["name"] == "LockBit"));
    assert!(
        objects.iter().any(|o| o["type"] == "indicator" && o["pattern"] == format!("[domain-name:value = '{onion}']"))
    );
    report(&case, "en");
    let en = fs::read_to_string(case.join("reports/ppc-kakuho.en.md")).unwrap();
    assert!(en.contains("9. other information") && en.contains("final report due: 2027-01-20"), "{en}");
    // A malformed answer file is a clear error, and nothing is half-written.
    fs::write(case.join("incident.toml"), "persons = 3\n").unwrap();
    let out = shodo().args(["report", "--case"]).arg(&case).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("incident.toml"));
    assert_eq!(verify(&case).0, 0);
}

/// An extension no list knows, appended to several files that lost their format, is the
/// incident's own: an indicator in the reports. Two files are not enough to say so.
#[test]
fn the_incidents_own_extension_is_an_indicator() {
    let (tmp, case) = case_with_notes(0);
    let docs = tmp.path().join("src/Users/sato/Documents");
    fs::create_dir_all(&docs).unwrap();
    for (i, ext) in ["docx.8f3kq", "xlsx.8f3kq", "pdf.8f3kq", "csv.8f3kq", "docx.zz9", "jtd.zz9"].iter().enumerate() {
        let mut d = document(50 + i * 30);
        encrypt(&mut d, None);
        fs::write(docs.join(format!("記録{i}.{ext}")), d).unwrap();
    }
    shodo()
        .args(["collect", "--os", "windows", "--endpoint", "pc-09", "--case"])
        .arg(&case)
        .arg("--source")
        .arg(tmp.path().join("src"))
        .assert()
        .code(0);
    // Collection keeps what a list names; the volume scan reads every other file.
    shodo()
        .args(["scan", "--endpoint", "pc-09", "--case"])
        .arg(&case)
        .arg("--source")
        .arg(tmp.path().join("src"))
        .assert()
        .code(1);
    report(&case, "ja");
    validate(&case);
    let model: Value = serde_json::from_slice(&fs::read(case.join("reports/report.json")).unwrap()).unwrap();
    let extensions: Vec<(&str, &Value)> = model["iocs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "extension")
        .map(|i| (i["value"].as_str().unwrap(), &i["seen_in"]))
        .collect();
    assert_eq!(extensions.len(), 1, "{model}");
    assert_eq!(extensions[0].0, ".8f3kq");
    assert_eq!(extensions[0].1[0], "pc-09:Users/sato/Documents/記録0.docx.8f3kq");
    assert_eq!(model["endpoints"][0]["encrypted_files"], 6, "every file that lost its format is counted");
    let police = fs::read_to_string(case.join("reports/police.ja.md")).unwrap();
    assert!(police.contains("| extension | .8f3kq |"), "{police}");
    // The volume scan kept samples of each extension for a decryptor; the police see them listed.
    let found = model["preserved"][0]["found_by_scan"].as_array().unwrap();
    let of = |ext: &str| found.iter().filter(|f| f["path"].as_str().unwrap().ends_with(ext)).count();
    assert_eq!((of(".8f3kq"), of(".zz9")), (3, 2), "{found:?}");
    assert!(found.iter().all(|f| f["why"] == "encrypted_sample"));
    assert!(police.contains("ボリューム全体の検査で見つけて保全したもの"), "{police}");
    assert!(police.contains("Users/sato/Documents/記録0.docx.8f3kq"), "{police}");
    // No family is known: the reports say so plainly, with the incident's own indicators.
    let mhlw = fs::read_to_string(case.join("reports/mhlw.ja.md")).unwrap();
    assert!(mhlw.contains("不明（既知のファミリーと一致しません）。本件固有の指標: 拡張子 .8f3kq"), "{mhlw}");
    assert!(police.contains("不明（既知のファミリーと一致しません）"), "{police}");
    assert_eq!(model["endpoints"][0]["families"], serde_json::json!([]));
}
