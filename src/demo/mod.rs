//! The demo: a realistic infected Windows endpoint and a backup medium, made on the spot, for
//! `shodo demo` to run the whole workflow on (and for the tests). The endpoint is a directory
//! tree as a mounted Windows volume shows it: registry hives (RDP open without NLA, the firewall
//! off, a service and a Run entry from user-writable places, AnyDesk installed), event logs with
//! an RDP brute force and logon from outside, a service and task installed and the log cleared, a
//! credential dumper, encrypted documents and LockBit ransom notes. The backup medium holds three
//! daily generations; the newest was encrypted with everything else.
//!
//! Nothing here is real malware: the "tool" is a text file with a dumper's command strings, and
//! the "encryption" is a SHA-256 keystream.

pub mod evtx;
pub mod hive;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use evtx::Event;

/// The demo's examiner: made-up case content like the evidence, recorded as typed in either
/// language.
pub const EXAMINER: &str = "デモ担当";
/// The call the demo notes in the custody log, made up likewise.
pub const CALL_NOTE: &str = "保守会社に電話連絡、VPN 装置の電源は入れたまま LAN ケーブルを抜くよう依頼";

/// The endpoint's host name.
pub const HOST: &str = "PC-GAIRAI-01";
/// The attacker's address (documentation range).
pub const ATTACKER: &str = "203.0.113.45";
/// The Tor address in the ransom notes.
pub const ONION: &str = "lockbitapt2yfbt7lchxejug47kmqvqqxvvjpqkmevv4l3azl3gy6pyd.onion";

/// Where the demo data is.
#[derive(Clone, Debug)]
pub struct Demo {
    /// The endpoint's volume, as a tree.
    pub endpoint: PathBuf,
    /// The backup medium, with its generations.
    pub backup: PathBuf,
    /// The hospital's settings.
    pub config: PathBuf,
}

fn write(root: &Path, rel: &str, bytes: &[u8]) -> Result<()> {
    let path = root.join(rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(Error::io("create", dir))?;
    }
    std::fs::write(&path, bytes).map_err(Error::io("write", &path))
}

/// A patient-record-like document.
fn document(n: usize) -> Vec<u8> {
    format!("診療記録 {n:04}\n患者番号 {:06} 外来 内科\n所見: 経過観察\n", 100_000 + n * 7).repeat(40).into_bytes()
}

/// What the ransomware does to a file: a keystream XOR (SHA-256 in counter mode), random-looking.
fn encrypt(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    for (i, block) in data.chunks(32).enumerate() {
        let key = Sha256::digest(format!("demo-key-{i}").as_bytes());
        out.extend(block.iter().zip(key.iter()).map(|(a, b)| a ^ b));
    }
    out
}

fn note() -> String {
    format!(
        "~~~ LockBit 3.0 the world's fastest ransomware ~~~\r\n\
         >>>> Your data are stolen and encrypted\r\n\
         The data will be published on TOR website http://{ONION} if you do not pay the ransom\r\n\
         >>>> Contact us: lockbit-support@onionmail.org\r\n\
         >>>> Tox ID: 3A9F8E2C1B7D6A5F4E3D2C1B0A9F8E7D6C5B4A3F2E1D0C9B8A7F6E5D4C3B2A1F0E9D8C7B6A5F4\r\n"
    )
}

/// Builds the demo under `dir`.
pub fn build(dir: &Path) -> Result<Demo> {
    let endpoint = dir.join("endpoint");
    let backup = dir.join("backup");
    hives(&endpoint)?;
    logs(&endpoint)?;
    files(&endpoint)?;
    generations(&backup)?;
    let config = dir.join("shodo.toml");
    write(
        dir,
        "shodo.toml",
        "[hospital]\nname = \"デモ市立病院\"\nfounder = \"デモ市\"\naddress = \"デモ県デモ市本町 1-1\"\n\
         administrator = \"病院長 初動 太郎\"\nsecurity_officer = \"情報システム室長 保全 花子\"\nphone = \"000-000-0000\"\n\n\
         [[isolation.keep]]\naddress = \"192.168.10.5:443\"\ndescription = \"電子カルテ管理サーバ\"\n"
            .as_bytes(),
    )?;
    Ok(Demo { endpoint, backup, config })
}

fn hives(root: &Path) -> Result<()> {
    let config = root.join("Windows/System32/config");
    std::fs::create_dir_all(&config).map_err(Error::io("create", &config))?;
    let fw = "\\ControlSet001\\Services\\SharedAccess\\Parameters\\FirewallPolicy";
    let system = format!(
        "add Select\ncd Select\nsetval 1\nCurrent\ndword:1\n\
         cd \\\nadd ControlSet001\ncd ControlSet001\nadd Control\nadd Services\n\
         cd \\ControlSet001\\Control\nadd ComputerName\ncd ComputerName\nadd ComputerName\ncd ComputerName\nsetval 1\nComputerName\nstring:{HOST}\n\
         cd \\ControlSet001\\Control\nadd TimeZoneInformation\ncd TimeZoneInformation\nsetval 1\nTimeZoneKeyName\nstring:Tokyo Standard Time\n\
         cd \\ControlSet001\\Control\nadd Terminal Server\ncd Terminal Server\nsetval 1\nfDenyTSConnections\ndword:0\nadd WinStations\ncd WinStations\nadd RDP-Tcp\ncd RDP-Tcp\nsetval 2\nUserAuthentication\ndword:0\nPortNumber\ndword:3389\n\
         cd \\ControlSet001\\Services\nadd Tcpip\ncd Tcpip\nadd Parameters\ncd Parameters\nadd Interfaces\ncd Interfaces\nadd {{3F2504E0-4F89-11D3-9A0C-0305E82C3301}}\ncd {{3F2504E0-4F89-11D3-9A0C-0305E82C3301}}\nsetval 3\nEnableDHCP\ndword:0\nIPAddress\nstring:192.168.10.21\nDefaultGateway\nstring:192.168.10.1\n\
         cd \\ControlSet001\\Services\nadd SharedAccess\ncd SharedAccess\nadd Parameters\ncd Parameters\nadd FirewallPolicy\ncd FirewallPolicy\nadd DomainProfile\nadd StandardProfile\nadd PublicProfile\n\
         cd {fw}\\DomainProfile\nsetval 1\nEnableFirewall\ndword:1\ncd {fw}\\StandardProfile\nsetval 1\nEnableFirewall\ndword:1\ncd {fw}\\PublicProfile\nsetval 1\nEnableFirewall\ndword:0\n\
         cd \\ControlSet001\\Services\nadd MpsSvc\ncd MpsSvc\nsetval 1\nStart\ndword:2\n\
         cd \\ControlSet001\\Services\nadd BFE\ncd BFE\nsetval 1\nStart\ndword:2\n\
         cd \\ControlSet001\\Services\nadd UpdaterSvc\ncd UpdaterSvc\nsetval 3\nStart\ndword:2\nImagePath\nstring:C:\\Users\\Public\\svc.exe\nDescription\nstring:Windows Update Helper"
    );
    hive::make_hive(&config.join("SYSTEM"), &system)?;
    let software = "add Microsoft\ncd Microsoft\nadd Windows NT\nadd Windows\ncd Windows NT\nadd CurrentVersion\ncd CurrentVersion\n\
                    setval 5\nProductName\nstring:Windows 10 Pro\nDisplayVersion\nstring:22H2\nCurrentBuildNumber\nstring:19045\nUBR\ndword:3803\nInstallDate\ndword:1680307200\n\
                    cd \\Microsoft\\Windows\nadd CurrentVersion\ncd CurrentVersion\nadd Run\nadd Uninstall\ncd Run\n\
                    setval 2\nUpdater\nstring:powershell -nop -w hidden -enc ZQBjAGgAbwA=\nSecurityHealth\nexpandstring:%windir%\\system32\\SecurityHealthSystray.exe\n\
                    cd \\Microsoft\\Windows\\CurrentVersion\\Uninstall\nadd AnyDesk\ncd AnyDesk\nsetval 3\nDisplayName\nstring:AnyDesk\nDisplayVersion\nstring:7.1.11\nPublisher\nstring:AnyDesk Software GmbH";
    hive::make_hive(&config.join("SOFTWARE"), software)?;
    // The keys as last written during the intrusion (the attacker added the service and Run entry).
    for name in ["SYSTEM", "SOFTWARE"] {
        let path = config.join(name);
        let mut bytes = std::fs::read(&path).map_err(Error::io("read", &path))?;
        hive::set_key_times(&mut bytes, filetime("2026-11-20T17:01:00Z"));
        std::fs::write(&path, bytes).map_err(Error::io("write", &path))?;
    }
    Ok(())
}

fn filetime(rfc3339: &str) -> u64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339).map_or(0, |t| crate::clock::to_filetime(t.to_utc()))
}

/// Sets a file's modification time (the encryption happened at night, not when the demo ran).
fn touch(path: &Path, rfc3339: &str) -> Result<()> {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map_err(|e| Error::Corrupt { path: path.into(), what: e.to_string() })?;
    let f = std::fs::File::options().write(true).open(path).map_err(Error::io("open", path))?;
    f.set_modified(std::time::SystemTime::from(t)).map_err(Error::io("set the time of", path))
}

fn logs(root: &Path) -> Result<()> {
    let sec = |id: u32, t: &str| Event::new("Security", "Microsoft-Windows-Security-Auditing", id, t);
    let mut security = Vec::new();
    for i in 0..40 {
        security.push(
            sec(4625, &format!("2026-11-20T16:{:02}:{:02}Z", 10 + i / 30, (i * 2) % 60))
                .data("TargetUserName", if i % 2 == 0 { "administrator" } else { "user01" })
                .data("LogonType", "10")
                .data("IpAddress", ATTACKER)
                .data("Status", "0xc000006d"),
        );
    }
    security.push(
        sec(4624, "2026-11-20T16:45:12Z")
            .data("TargetUserName", "user01")
            .data("LogonType", "10")
            .data("IpAddress", ATTACKER)
            .data("TargetLogonId", "0x3e7a1"),
    );
    security.push(
        sec(4698, "2026-11-20T17:02:00Z").data("SubjectUserName", "user01").data("TaskName", "\\Updater").data(
            "TaskContent",
            "<Task><Actions><Exec><Command>C:\\Users\\Public\\run.bat</Command></Exec></Actions></Task>",
        ),
    );
    security.push(sec(1102, "2026-11-20T18:10:00Z").data("SubjectUserName", "user01"));
    let system = vec![
        Event::new("System", "Service Control Manager", 7045, "2026-11-20T17:00:30Z")
            .data("ServiceName", "UpdaterSvc")
            .data("ImagePath", "C:\\Users\\Public\\svc.exe")
            .data("AccountName", "LocalSystem"),
    ];
    let logs = "Windows/System32/winevt/Logs";
    write(root, &format!("{logs}/Security.evtx"), &evtx::evtx_templated(&security))?;
    write(root, &format!("{logs}/System.evtx"), &evtx::evtx_templated(&system))
}

fn files(root: &Path) -> Result<()> {
    write(root, "Users/Public/m.txt", b"privilege::debug\r\nsekurlsa::logonpasswords\r\nlsadump::sam\r\nexit\r\n")?;
    write(
        root,
        "Users/Public/run.bat",
        b"@echo off\r\nvssadmin delete shadows /all /quiet\r\nwbadmin delete catalog -quiet\r\n",
    )?;
    for (u, user) in ["user01", "nurse02"].iter().enumerate() {
        for n in 0..15 {
            let rel = format!("Users/{user}/Documents/診療記録{n:02}.docx.lockbit");
            write(root, &rel, &encrypt(&document(n)))?;
            touch(&root.join(&rel), &format!("2026-11-20T18:{:02}:{:02}Z", 20 + u, n * 3))?;
        }
        for place in ["Documents", "Desktop"] {
            let rel = format!("Users/{user}/{place}/Restore-My-Files.txt");
            write(root, &rel, note().as_bytes())?;
            touch(&root.join(&rel), &format!("2026-11-20T18:{:02}:50Z", 20 + u))?;
        }
    }
    for rel in ["Users/Public/m.txt", "Users/Public/run.bat"] {
        touch(&root.join(rel), "2026-11-20T16:58:00Z")?;
    }
    write(root, "Users/nurse02/Documents/勤務表.txt", "勤務表 2026年11月\n".repeat(50).as_bytes())
}

fn generations(backup: &Path) -> Result<()> {
    for (day, encrypted) in [("2026-11-18", false), ("2026-11-19", false), ("2026-11-20", true)] {
        for n in 0..15 {
            let rel = format!("{day}/records/診療記録{n:02}.docx");
            let (rel, bytes) =
                if encrypted { (format!("{rel}.lockbit"), encrypt(&document(n))) } else { (rel, document(n)) };
            write(backup, &rel, &bytes)?;
            touch(&backup.join(&rel), &format!("{day}T{}:30:00Z", if encrypted { 18 } else { 15 }))?;
        }
        if encrypted {
            write(backup, &format!("{day}/Restore-My-Files.txt"), note().as_bytes())?;
        }
    }
    Ok(())
}
