//! Prefetch: program runs from the files the tests write (see `prefetch_writer`) — Windows 10
//! compressed files over several 64 KiB blocks, both Windows 10 layouts, Vista/7 and XP files,
//! and broken ones — outside a case and from a collected endpoint.

use std::fs;

use serde_json::Value;

use crate::helpers::{shodo, verify};
use crate::prefetch_writer::{Pf, build, compress, filetime};

fn tool_run() -> Pf<'static> {
    // Enough loaded files (with repeats) for the compressed file to span several blocks.
    let mut files: Vec<String> = (0..2500)
        .map(|i| format!("\\VOLUME{{01d1217a9c4c6779-8c9f49ec}}\\WINDOWS\\SYSTEM32\\MODULE{:04}.DLL", i % 700))
        .collect();
    files.insert(1200, "\\VOLUME{01d1217a9c4c6779-8c9f49ec}\\USERS\\PUBLIC\\MIMIKATZ.EXE".into());
    Pf {
        version: 30,
        executable: "MIMIKATZ.EXE",
        hash: 0x1A2B_3C4D,
        run_count: 3,
        runs: &[],
        files,
        volume: "\\VOLUME{01d1217a9c4c6779-8c9f49ec}",
        serial: 0x8C9F_49EC,
        short_info: false,
    }
}

const RUNS: [&str; 3] = ["2024-05-01T02:03:04Z", "2024-04-30T23:00:00Z", "2024-04-30T22:00:00Z"];

fn plain(version: u32, exe: &'static str, path: &str, short_info: bool) -> Pf<'static> {
    Pf {
        version,
        executable: exe,
        hash: 0x0BAD_F00D,
        run_count: 7,
        runs: &[],
        files: vec!["\\DEVICE\\HARDDISKVOLUME2\\WINDOWS\\SYSTEM32\\NTDLL.DLL".into(), path.into()],
        volume: "\\DEVICE\\HARDDISKVOLUME2",
        serial: 0x1234_5678,
        short_info,
    }
}

#[test]
fn prefetch_files_give_program_runs_outside_a_case() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let runs: Vec<u64> = RUNS.iter().map(|t| filetime(t)).collect();
    let older = [filetime("2019-06-05T19:55:04Z")];
    let tool = Pf { runs: &runs, ..tool_run() };
    let raw = build(&tool);
    assert!(raw.len() > 3 * 65536, "the compressed file spans several blocks");
    let mam = compress(&raw);
    assert!(mam.len() < raw.len() / 2, "matches, not only literals, are decoded");
    fs::write(dir.join("MIMIKATZ.EXE-1A2B3C4D.pf"), &mam).unwrap();
    let win10 =
        Pf { runs: &older, ..plain(30, "NOTEPAD.EXE", "\\DEVICE\\HARDDISKVOLUME2\\WINDOWS\\NOTEPAD.EXE", true) };
    fs::write(dir.join("NOTEPAD.EXE-0BADF00D.pf"), compress(&build(&win10))).unwrap();
    let win7 =
        Pf { runs: &older, ..plain(23, "CMD.EXE", "\\DEVICE\\HARDDISKVOLUME2\\WINDOWS\\SYSTEM32\\CMD.EXE", false) };
    fs::write(dir.join("CMD.EXE-0BADF00D.pf"), build(&win7)).unwrap();
    let xp =
        Pf { runs: &older, ..plain(17, "CALC.EXE", "\\DEVICE\\HARDDISKVOLUME2\\WINDOWS\\SYSTEM32\\CALC.EXE", false) };
    fs::write(dir.join("CALC.EXE-0BADF00D.pf"), build(&xp)).unwrap();
    fs::write(dir.join("CUT.EXE-00000000.pf"), &mam[..mam.len() / 2]).unwrap();
    fs::write(dir.join("TEXT.EXE-00000000.pf"), b"not a prefetch file at all").unwrap();

    let out = shodo().args(["analyze", "--json"]).arg(dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "an attacker's tool ran: {}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = json["prefetch"].as_array().unwrap();
    assert_eq!(files.len(), 6);
    let by = |name: &str| files.iter().find(|f| f["path"].as_str().unwrap().ends_with(name)).unwrap().clone();

    let t = &by("MIMIKATZ.EXE-1A2B3C4D.pf")["prefetch"];
    assert_eq!((t["version"].as_u64(), t["compressed"].as_bool()), (Some(30), Some(true)));
    assert_eq!(t["path"], "\\VOLUME{01d1217a9c4c6779-8c9f49ec}\\USERS\\PUBLIC\\MIMIKATZ.EXE");
    assert_eq!((t["run_count"].as_u64(), t["hash"].as_str()), (Some(3), Some("1A2B3C4D")));
    let last: Vec<&str> = t["last_runs"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert_eq!(last, ["2024-05-01T02:03:04.000000Z", "2024-04-30T23:00:00.000000Z", "2024-04-30T22:00:00.000000Z"]);
    assert_eq!(t["files_loaded"], 2501);
    assert_eq!(t["volumes"][0]["serial"], "8C9F-49EC");

    let n = &by("NOTEPAD.EXE-0BADF00D.pf")["prefetch"];
    assert_eq!((n["run_count"].as_u64(), n["last_runs"][0].as_str()), (Some(7), Some("2019-06-05T19:55:04.000000Z")));
    for (name, version) in [("CMD.EXE-0BADF00D.pf", 23), ("CALC.EXE-0BADF00D.pf", 17)] {
        let p = &by(name)["prefetch"];
        assert_eq!((p["version"].as_u64(), p["compressed"].as_bool()), (Some(version), Some(false)), "{p}");
        assert_eq!((p["run_count"].as_u64(), p["last_runs"].as_array().unwrap().len()), (Some(7), 1));
        assert!(p["path"].as_str().unwrap().ends_with(&name[..name.find('-').unwrap()]));
    }
    let cut = by("CUT.EXE-00000000.pf");
    assert!(cut["prefetch"].is_null() && cut["problem"].is_string(), "{cut}");
    assert!(by("TEXT.EXE-00000000.pf")["problem"].as_str().unwrap().contains("SCCA"));

    // Without the tool's file: nothing important.
    fs::remove_file(dir.join("MIMIKATZ.EXE-1A2B3C4D.pf")).unwrap();
    let out = shodo().args(["analyze"]).arg(dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("CMD.EXE") && text.contains("実行回数 7"), "{text}");
}

#[test]
fn collected_prefetch_joins_the_findings_and_the_timeline() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    fs::create_dir_all(src.join("Windows/Prefetch")).unwrap();
    fs::create_dir_all(src.join("Windows/System32/config")).unwrap();
    let runs: Vec<u64> = RUNS.iter().map(|t| filetime(t)).collect();
    let tool = Pf { runs: &runs, ..tool_run() };
    fs::write(src.join("Windows/Prefetch/MIMIKATZ.EXE-1A2B3C4D.pf"), compress(&build(&tool))).unwrap();
    let cmd =
        Pf { runs: &runs[..1], ..plain(30, "CMD.EXE", "\\DEVICE\\HARDDISKVOLUME2\\WINDOWS\\SYSTEM32\\CMD.EXE", false) };
    fs::write(src.join("Windows/Prefetch/CMD.EXE-0BADF00D.pf"), compress(&build(&cmd))).unwrap();
    let case = tmp.path().join("case");
    shodo().args(["case", "init", "--case"]).arg(&case).assert().success();
    shodo().args(["collect", "--endpoint", "pc-7", "--case"]).arg(&case).arg("--source").arg(&src).assert().code(0);
    let out = shodo().args(["analyze", "--endpoint", "pc-7", "--case"]).arg(&case).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("攻撃ツールの名前をもつプログラムの実行記録（Prefetch）"), "{text}");

    let text = fs::read_to_string(case.join("endpoints/pc-7/findings.jsonl")).unwrap();
    let recs: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let pf: Vec<&Value> = recs.iter().filter(|r| r["kind"] == "prefetch").collect();
    assert_eq!(pf.len(), 2, "{pf:?}");
    assert!(pf.iter().all(|r| r["sha256"].as_str().is_some_and(|s| s.len() == 64)));
    let runs: Vec<&Value> = recs.iter().filter(|r| r["kind"] == "execution").collect();
    assert_eq!(runs.len(), 1, "only the tool, not cmd.exe: {runs:?}");
    assert_eq!((runs[0]["rule"].as_str(), runs[0]["severity"].as_str()), (Some("prefetch_program"), Some("high")));
    assert_eq!(runs[0]["time"], "2024-05-01T02:03:04.000000Z");
    let timeline = fs::read_to_string(case.join("endpoints/pc-7/timeline.jsonl")).unwrap();
    let ran: Vec<&str> = timeline.lines().filter(|l| l.contains("Prefetch") && l.contains("MIMIKATZ.EXE")).collect();
    assert_eq!(ran.len(), 3, "one entry per recorded run: {timeline}");
    assert!(timeline.lines().any(|l| l.contains("Prefetch Last Run") && l.contains("CMD.EXE")));
    assert_eq!(verify(&case).0, 0);
}
