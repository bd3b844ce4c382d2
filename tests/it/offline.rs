//! Offline Windows isolation on a real NTFS image (mkntfs, ntfs-3g) holding hives built with
//! hivex: each level applied, the hives re-read with hivex's own `hivexget` (neither shodo's
//! writer path nor its parser), rolled back byte for byte or value by value; each refusal.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::helpers::{sh, shodo, verify};
use crate::hives::{make_dirty, make_hive};
use crate::images::{collect, fake_bitlocker, loops_of, new_case, ntfs_image_with, sha_file};

const ID: &str = "PC-WARD-03";
const FW: &str = "\\ControlSet001\\Services\\SharedAccess\\Parameters\\FirewallPolicy";

/// A SYSTEM hive: firewall partly off, its service disabled by the attacker, Fast Startup on,
/// one physical adapter (e1iexpress) and one VPN miniport (vpnmini), a service run from
/// C:\Users\Public.
fn system_hive(path: &Path) {
    let class = "\\ControlSet001\\Control\\Class\\{4d36e972-e325-11ce-bfc1-08002be10318}";
    let script = format!(
        "add Select\ncd Select\nsetval 1\nCurrent\ndword:1\n\
         cd \\\nadd ControlSet001\ncd ControlSet001\nadd Control\nadd Services\n\
         cd \\ControlSet001\\Control\nadd ComputerName\ncd ComputerName\nadd ComputerName\ncd ComputerName\nsetval 1\nComputerName\nstring:{ID}\n\
         cd \\ControlSet001\\Control\nadd Session Manager\ncd Session Manager\nadd Power\ncd Power\nsetval 1\nHiberbootEnabled\ndword:1\n\
         cd \\ControlSet001\\Control\nadd Class\ncd Class\nadd {{4d36e972-e325-11ce-bfc1-08002be10318}}\n\
         cd {class}\nadd 0001\ncd 0001\nsetval 2\nDriverDesc\nstring:Intel(R) Ethernet Connection\nCharacteristics\ndword:0x84\nadd Ndi\ncd Ndi\nsetval 1\nService\nstring:e1iexpress\n\
         cd {class}\nadd 0002\ncd 0002\nsetval 2\nDriverDesc\nstring:VPN Miniport\nCharacteristics\ndword:0x1\nadd Ndi\ncd Ndi\nsetval 1\nService\nstring:vpnmini\n\
         cd \\ControlSet001\\Services\nadd SharedAccess\ncd SharedAccess\nadd Parameters\ncd Parameters\nadd FirewallPolicy\ncd FirewallPolicy\n\
         add DomainProfile\nadd StandardProfile\nadd PublicProfile\n\
         cd DomainProfile\nsetval 2\nEnableFirewall\ndword:0\nDefaultOutboundAction\ndword:0\n\
         cd {FW}\\StandardProfile\nsetval 3\nEnableFirewall\ndword:1\nDefaultInboundAction\ndword:1\nDisableNotifications\ndword:0\n\
         cd {FW}\\PublicProfile\nsetval 1\nEnableFirewall\ndword:0\n\
         cd \\ControlSet001\\Services\nadd MpsSvc\ncd MpsSvc\nsetval 3\nStart\ndword:4\nImagePath\nexpandstring:%SystemRoot%\\system32\\svchost.exe -k LocalServiceNoNetworkFirewall -p\nType\ndword:0x20\n\
         cd \\ControlSet001\\Services\nadd BFE\ncd BFE\nsetval 1\nStart\ndword:2\n\
         cd \\ControlSet001\\Services\nadd e1iexpress\ncd e1iexpress\nsetval 2\nStart\ndword:3\nImagePath\nexpandstring:System32\\drivers\\e1i68x64.sys\n\
         cd \\ControlSet001\\Services\nadd vpnmini\ncd vpnmini\nsetval 1\nStart\ndword:3\n\
         cd \\ControlSet001\\Services\nadd UpdaterSvc\ncd UpdaterSvc\nsetval 3\nStart\ndword:2\nImagePath\nstring:C:\\Users\\Public\\svc.exe\nDescription\nstring:Windows Update Helper"
    );
    make_hive(path, &script);
}

/// A SOFTWARE hive: a Run entry through PowerShell, a harmless one, and a policy-store rule
/// that lets RDP in.
fn software_hive(path: &Path) {
    let script = "add Microsoft\ncd Microsoft\nadd Windows NT\nadd Windows\ncd Windows NT\nadd CurrentVersion\ncd CurrentVersion\n\
                  setval 3\nProductName\nstring:Windows 10 Pro\nDisplayVersion\nstring:22H2\nCurrentBuildNumber\nstring:19045\n\
                  cd \\Microsoft\\Windows\nadd CurrentVersion\ncd CurrentVersion\nadd Run\ncd Run\n\
                  setval 2\nUpdater\nstring:powershell -nop -w hidden -enc ZQBjAGgAbwA=\nSecurityHealth\nexpandstring:%windir%\\system32\\SecurityHealthSystray.exe\n\
                  cd \\\nadd Policies\ncd Policies\nadd Microsoft\ncd Microsoft\nadd WindowsFirewall\ncd WindowsFirewall\nadd FirewallRules\ncd FirewallRules\n\
                  setval 1\nRdpIn\nstring:v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=3389|Name=RDP from anywhere|";
    make_hive(path, script);
}

struct Fixture {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    img: PathBuf,
    case: PathBuf,
    system: Vec<u8>,
    software: Vec<u8>,
}

/// An NTFS image with the hives and a credential dumper's script in C:\Users\Public.
fn fixture(dirty_system: bool, extra: &[(&str, &[u8])]) -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    system_hive(&dir.join("SYSTEM"));
    software_hive(&dir.join("SOFTWARE"));
    let mut system = fs::read(dir.join("SYSTEM")).unwrap();
    if dirty_system {
        make_dirty(&mut system);
    }
    let software = fs::read(dir.join("SOFTWARE")).unwrap();
    let mut files: Vec<(&str, &[u8])> = vec![
        ("Windows/System32/config/SYSTEM", &system),
        ("Windows/System32/config/SOFTWARE", &software),
        ("Users/Public/m.txt", b"privilege::debug\r\nsekurlsa::logonpasswords\r\nexit\r\n"),
    ];
    files.extend_from_slice(extra);
    let img = ntfs_image_with(&dir, &files);
    let case = new_case(&dir);
    Fixture { _tmp: tmp, dir, img, case, system, software }
}

fn isolate(f: &Fixture, verb: &str, args: &[&str]) -> (i32, String, String) {
    let out = shodo()
        .args(["isolate", verb, "--mode", "offline-windows", "--endpoint", ID, "--case"])
        .arg(&f.case)
        .arg("--source")
        .arg(&f.img)
        .args(args)
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

/// Runs `f` on the image's volume mounted read-only by ntfs-3g (not shodo).
fn with_volume<T>(f: &Fixture, read: impl FnOnce(&Path) -> T) -> T {
    let mnt = f.dir.join("look");
    fs::create_dir_all(&mnt).unwrap();
    sh("ntfs-3g", &["-o", "ro", f.img.to_str().unwrap(), mnt.to_str().unwrap()]);
    let out = read(&mnt);
    sh("umount", &[mnt.to_str().unwrap()]);
    out
}

/// A key's values as hivex's `hivexget` prints them (regedit form), read from the volume.
fn hivexget(f: &Fixture, hive: &str, key: &str) -> String {
    with_volume(f, |m| {
        let path = m.join("Windows/System32/config").join(hive);
        let copy = f.dir.join(format!("{hive}.read"));
        fs::copy(path, &copy).unwrap();
        let out = std::process::Command::new("hivexget").arg(&copy).arg(key).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    })
}

fn hive_bytes(f: &Fixture, hive: &str) -> Vec<u8> {
    with_volume(f, |m| fs::read(m.join("Windows/System32/config").join(hive)).unwrap())
}

fn journal(f: &Fixture) -> Value {
    serde_json::from_slice(&fs::read(f.case.join(format!("endpoints/{ID}/isolation.json"))).unwrap()).unwrap()
}

fn custody_names(case: &Path) -> Vec<String> {
    crate::helpers::lines(case)
        .iter()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["action"].as_str().unwrap_or_default().to_string())
        .collect()
}

const ALLOW: [&str; 4] = ["--allow", "192.0.2.10:443", "--allow", "[2001:db8::5]:22"];

#[test]
fn offline_hard_isolation_is_written_confirmed_and_rolled_back_byte_for_byte() {
    let f = fixture(false, &[]);
    let image = sha_file(&f.img);
    // The plan reads only, and says evidence was not collected yet.
    let (code, plan, err) = isolate(&f, "plan", &[&["--level", "hard"][..], &ALLOW].concat());
    assert_eq!(code, 0, "{err}");
    assert!(plan.contains("EnableFirewall: 0 → 1"), "{plan}");
    assert!(plan.contains("e1iexpress\\Start: 3 → 4"), "{plan}");
    assert!(!plan.contains("vpnmini\\Start"), "a VPN miniport is no physical adapter: {plan}");
    assert!(plan.contains("証拠がまだ保全されていません"), "{plan}");
    assert_eq!(sha_file(&f.img), image, "plan changes nothing");
    // Refused: no confirmation; then evidence not collected.
    let (code, _, err) = isolate(&f, "apply", &[&["--level", "hard"][..], &ALLOW].concat());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--confirm"), "{err}");
    let (code, _, err) = isolate(&f, "apply", &[&["--level", "hard", "--confirm", ID][..], &ALLOW].concat());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("証拠がまだ保全されていません"), "{err}");
    assert!(custody_names(&f.case).contains(&"isolate.refused".to_string()));
    assert_eq!(sha_file(&f.img), image, "a refusal writes nothing");

    let forced = ["--level", "hard", "--confirm", ID, "--force-uncollected", "病棟の感染拡大を止めるため"];
    let (code, out, err) = isolate(&f, "apply", &[&forced[..], &ALLOW].concat());
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("○"), "{out}");
    assert_eq!(loops_of(&f.img).trim(), "", "the image is detached again");
    // Read back with hivex's hivexget.
    for profile in ["DomainProfile", "StandardProfile", "PublicProfile"] {
        let v = hivexget(&f, "SYSTEM", &format!("{FW}\\{profile}"));
        for name in ["EnableFirewall", "DefaultInboundAction", "DefaultOutboundAction"] {
            assert!(v.contains(&format!("\"{name}\"=dword:00000001")), "{profile}: {v}");
        }
        let p = hivexget(&f, "SOFTWARE", &format!("\\Policies\\Microsoft\\WindowsFirewall\\{profile}"));
        assert!(p.contains("\"AllowLocalPolicyMerge\"=dword:00000000"), "{p}");
        assert!(p.contains("\"DefaultOutboundAction\"=dword:00000001"), "{p}");
    }
    let standard = hivexget(&f, "SYSTEM", &format!("{FW}\\StandardProfile"));
    assert!(standard.contains("\"DisableNotifications\"=dword:00000000"), "other values kept: {standard}");
    let mps = hivexget(&f, "SYSTEM", "\\ControlSet001\\Services\\MpsSvc");
    assert!(mps.contains("\"Start\"=dword:00000002") && mps.contains("LocalServiceNoNetworkFirewall"), "{mps}");
    assert!(hivexget(&f, "SYSTEM", "\\ControlSet001\\Services\\e1iexpress").contains("\"Start\"=dword:00000004"));
    assert!(hivexget(&f, "SYSTEM", "\\ControlSet001\\Services\\vpnmini").contains("\"Start\"=dword:00000003"));
    let power = hivexget(&f, "SYSTEM", "\\ControlSet001\\Control\\Session Manager\\Power");
    assert!(power.contains("\"HiberbootEnabled\"=dword:00000000"), "{power}");
    let rules = hivexget(&f, "SOFTWARE", "\\Policies\\Microsoft\\WindowsFirewall\\FirewallRules");
    assert!(rules.contains("Action=Allow|Active=FALSE|Dir=In|Protocol=6|LPort=3389"), "{rules}");
    assert!(rules.contains("RA4=192.0.2.10|RPort=443"), "{rules}");
    assert!(rules.contains("RA6=2001:db8::5|RPort=22"), "{rules}");
    // The journal: old and new values, the hive copies on the custody record.
    let j = journal(&f);
    let apply = &j["actions"][0];
    assert_eq!((apply["mode"].as_str(), apply["level"].as_str()), (Some("offline-windows"), Some("hard")));
    assert_eq!(apply["verified"], true);
    let change = apply["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["target"] == format!("SYSTEM{FW}\\DomainProfile\\EnableFirewall"))
        .unwrap_or_else(|| panic!("{apply}"));
    assert_eq!((change["old"]["shown"].as_str(), change["new"]["shown"].as_str()), (Some("0"), Some("1")));
    assert!(apply["notes"].to_string().contains("病棟の感染拡大を止めるため"));
    assert_eq!(verify(&f.case).0, 0, "journal and hive copies are on the custody record");

    let (code, out, err) = isolate(&f, "verify", &[]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = isolate(&f, "apply", &[&forced[..], &ALLOW].concat());
    assert_eq!(code, 2, "a second apply would lose what the first changed: {err}");
    assert!(err.contains("rollback"), "{err}");
    let (code, out, err) = isolate(&f, "rollback", &["--confirm", ID]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(hive_bytes(&f, "SYSTEM"), f.system, "SYSTEM is byte for byte as before");
    assert_eq!(hive_bytes(&f, "SOFTWARE"), f.software, "SOFTWARE is byte for byte as before");
    assert_eq!(loops_of(&f.img).trim(), "");
    let ledger = shodo().args(["isolate", "ledger", "--json", "--case"]).arg(&f.case).output().unwrap();
    let rows: Value = serde_json::from_slice(&ledger.stdout).unwrap();
    assert_eq!((rows[0]["mode"].as_str(), rows[0]["isolated"].as_bool()), (Some("offline-windows"), Some(false)));
}

#[test]
fn offline_rollback_after_windows_wrote_the_hive_restores_each_value() {
    let f = fixture(false, &[]);
    let args = ["--level", "soft", "--confirm", ID, "--force-uncollected", "test"];
    let (code, out, err) = isolate(&f, "apply", &args);
    assert_eq!(code, 0, "{out}{err}");
    // Windows runs and writes its own values into both hives.
    let mnt = f.dir.join("rw");
    fs::create_dir_all(&mnt).unwrap();
    sh("ntfs-3g", &[f.img.to_str().unwrap(), mnt.to_str().unwrap()]);
    for (hive, script) in [
        (
            "SYSTEM",
            "cd \\Select\nsetval 2\nCurrent\ndword:1\nLastKnownGood\ndword:1\n\
             cd \\ControlSet001\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\DomainProfile\n\
             setval 3\nEnableFirewall\ndword:0\nDefaultOutboundAction\ndword:1\nDefaultInboundAction\ndword:1\ncommit\n",
        ),
        (
            "SOFTWARE",
            "cd \\Microsoft\\Windows NT\\CurrentVersion\nsetval 1\nProductName\nstring:Windows 10 Pro\ncommit\n",
        ),
    ] {
        let mut child = std::process::Command::new("hivexsh")
            .arg("-w")
            .arg(mnt.join("Windows/System32/config").join(hive))
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
        assert!(child.wait().unwrap().success());
    }
    sh("umount", &[mnt.to_str().unwrap()]);

    // Someone switched the domain profile's firewall off again: verify says so.
    let (code, out, err) = isolate(&f, "verify", &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("DomainProfile\\EnableFirewall が変わっています"), "{out}");
    let (code, out, err) = isolate(&f, "rollback", &["--confirm", ID]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("一つずつ元に戻しました"), "{out}");
    let domain = hivexget(&f, "SYSTEM", &format!("{FW}\\DomainProfile"));
    assert!(domain.contains("\"EnableFirewall\"=dword:00000000"), "{domain}");
    assert!(!domain.contains("DefaultInboundAction"), "a value shodo added is gone again: {domain}");
    assert!(hivexget(&f, "SYSTEM", "\\Select").contains("\"LastKnownGood\"=dword:00000001"), "Windows' own write kept");
    assert!(hivexget(&f, "SYSTEM", "\\ControlSet001\\Services\\MpsSvc").contains("\"Start\"=dword:00000004"));
    // The keys shodo created are gone again; the policy-store rule is active again.
    assert_eq!(
        hivexget(&f, "SOFTWARE", "\\Policies\\Microsoft\\WindowsFirewall\\DomainProfile"),
        "",
        "created key deleted"
    );
    let rules = hivexget(&f, "SOFTWARE", "\\Policies\\Microsoft\\WindowsFirewall\\FirewallRules");
    assert!(rules.contains("Active=TRUE") && !rules.contains("shodo"), "{rules}");
    let version = hivexget(&f, "SOFTWARE", "\\Microsoft\\Windows NT\\CurrentVersion");
    assert!(version.contains("\"ProductName\"=\"Windows 10 Pro\"") && !version.contains("DisplayVersion"), "{version}");
    assert_eq!(verify(&f.case).0, 0);
}

#[test]
fn offline_isolation_refuses_hibernation_dirty_hives_and_bitlocker() {
    // Hibernated with Fast Startup on.
    let mut hiberfil = vec![0u8; 8192];
    hiberfil[..4].copy_from_slice(b"HIBR");
    let f = fixture(false, &[("hiberfil.sys", &hiberfil)]);
    let image = sha_file(&f.img);
    let (code, _, err) = isolate(&f, "apply", &["--confirm", ID, "--force-uncollected", "test"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("高速スタートアップ"), "{err}");
    assert_eq!(sha_file(&f.img), image);
    // A dirty SYSTEM hive.
    let f = fixture(true, &[]);
    let image = sha_file(&f.img);
    let (code, _, err) = isolate(&f, "apply", &["--confirm", ID, "--force-uncollected", "test"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("SYSTEM ハイブが書きかけです"), "{err}");
    assert_eq!(sha_file(&f.img), image);
    // BitLocker.
    let img = fake_bitlocker(&f.dir);
    let image = sha_file(&img);
    let out = shodo()
        .args(["isolate", "apply", "--mode", "offline-windows", "--endpoint", ID, "--confirm", ID])
        .args(["--force-uncollected", "test", "--case"])
        .arg(&f.case)
        .arg("--source")
        .arg(&img)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("BitLocker"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(sha_file(&img), image);
    assert_eq!(loops_of(&img).trim(), "");
}

fn decrypt(archive: &Path, entry: &str) -> Vec<u8> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(fs::File::open(archive).unwrap()).unwrap();
    assert!(zip.by_name(entry).is_err(), "the entry cannot be read without the password");
    let mut e = zip.by_name_decrypt(entry, b"infected").unwrap();
    let mut out = Vec::new();
    e.read_to_end(&mut out).unwrap();
    out
}

/// A Security log in which the attacker registered a task that runs a batch file.
fn security_log() -> Vec<u8> {
    let task = "<Task><Actions><Exec><Command>C:\\Users\\Public\\RUN.bat</Command></Exec></Actions></Task>";
    let e =
        crate::evtx_writer::Event::new("Security", "Microsoft-Windows-Security-Auditing", 4698, "2026-11-20T18:02:00Z")
            .data("SubjectUserName", "svc_backup")
            .data("TaskName", "\\Updater")
            .data("TaskContent", task);
    crate::evtx_writer::evtx_templated(&[e])
}

#[test]
fn offline_persistence_disables_what_analysis_marked_and_quarantines_the_tools() {
    let log = security_log();
    let f = fixture(
        false,
        &[
            ("Windows/System32/winevt/Logs/Security.evtx", &log),
            ("Users/Public/run.bat", b"@echo off\r\nvssadmin delete shadows /all /quiet\r\n"),
        ],
    );
    let out = collect(&f.case, &f.img, &["--endpoint", ID]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    shodo().args(["analyze", "--endpoint", ID, "--case"]).arg(&f.case).output().unwrap();
    shodo().args(["scan", "--endpoint", ID, "--case"]).arg(&f.case).output().unwrap();
    let tool = with_volume(&f, |m| fs::read(m.join("Users/Public/m.txt")).unwrap());

    let (code, out, err) = shodo_in(&f, "apply", &["--level", "persistence", "--confirm", ID]);
    assert_eq!(code, 0, "{out}{err}");
    let svc = hivexget(&f, "SYSTEM", "\\ControlSet001\\Services\\UpdaterSvc");
    assert!(svc.contains("\"Start\"=dword:00000004") && svc.contains("svc.exe"), "disabled, not deleted: {svc}");
    let run = hivexget(&f, "SOFTWARE", "\\Microsoft\\Windows\\CurrentVersion\\Run");
    assert!(run.contains("\"Updater\"=") && run.contains("SecurityHealth"), "Run entries not deleted: {run}");
    let approved = hivexget(&f, "SOFTWARE", "\\Microsoft\\Windows\\CurrentVersion\\Explorer\\StartupApproved\\Run");
    assert!(approved.contains("\"Updater\"=hex(3):03,00,00,00"), "switched off as Task Manager does: {approved}");
    assert!(!approved.contains("SecurityHealth"), "a harmless entry stays on: {approved}");
    assert!(!with_volume(&f, |m| m.join("Users/Public/m.txt").exists()), "the tool left the volume");
    assert!(!with_volume(&f, |m| m.join("Users/Public/run.bat").exists()), "the task's program left the volume");
    assert!(out.contains("タスク \\Updater"), "{out}");
    let j = journal(&f);
    let moved = j["actions"][0]["changes"].as_array().unwrap().iter().find(|c| c["moved"].is_object()).unwrap().clone();
    assert_eq!(moved["moved"]["path"], "Users/Public/m.txt");
    let archive = f.case.join(moved["moved"]["archive"].as_str().unwrap());
    assert_eq!(decrypt(&archive, moved["moved"]["entry"].as_str().unwrap()), tool);
    assert!(j["actions"][0]["notes"].to_string().contains("the task itself remains"));
    assert_eq!(verify(&f.case).0, 0, "the quarantine is on the custody record");

    let (code, out, err) = shodo_in(&f, "rollback", &["--confirm", ID]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(with_volume(&f, |m| fs::read(m.join("Users/Public/m.txt")).unwrap()), tool, "put back");
    assert!(with_volume(&f, |m| m.join("Users/Public/run.bat").exists()), "put back under its own name");
    assert_eq!(hive_bytes(&f, "SYSTEM"), f.system);
    assert_eq!(hive_bytes(&f, "SOFTWARE"), f.software);
}

/// `isolate VERB` on the volume the evidence was collected from (no --source).
fn shodo_in(f: &Fixture, verb: &str, args: &[&str]) -> (i32, String, String) {
    let out = shodo()
        .args(["isolate", verb, "--mode", "offline-windows", "--endpoint", ID, "--case"])
        .arg(&f.case)
        .args(args)
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}
