//! Offline Windows: isolation written into the registry hives of a Windows volume while the
//! machine is booted from the stick, so that it comes up contained when it goes back to Windows.
//!
//! This module is the pure part: from what the hives and the case say (facts) to the exact
//! changes (edits with their old and new values), and the reasons to refuse. Writing them is
//! [`super::hivex`] (hivex's own writer), moving files is [`super::quarantine`], opening the
//! volume read-write is [`super::volume`].
//!
//! Levels: `soft` — Windows Firewall on with inbound and outbound default block in all three
//! profiles (SYSTEM, current control set), its services set to start, and the policy store
//! (SOFTWARE\Policies) set the same with local rules not merged and allow rules only for the
//! management addresses; `hard` — soft, and the physical network adapters' drivers disabled;
//! `persistence` — hard, and what analysis marked malicious disabled (services, machine Run
//! entries through the switch Task Manager uses) and its files moved into the quarantine.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

use super::Note;
use crate::findings::{Finding, Kind, Severity};
use crate::formats::registry::{Hive, RawValue};
use crate::hash::hex;
use crate::isolate::strings as txt;

/// The SYSTEM hive's name (under `Windows/System32/config`).
pub const SYSTEM: &str = "SYSTEM";
/// The SOFTWARE hive's name.
pub const SOFTWARE: &str = "SOFTWARE";

/// The three firewall profiles, as their keys are named.
const PROFILES: [&str; 3] = ["DomainProfile", "StandardProfile", "PublicProfile"];
/// The network adapters' device class.
const NET_CLASS: &str = "{4d36e972-e325-11ce-bfc1-08002be10318}";
/// `NCF_PHYSICAL`: the adapter is hardware (not a miniport of a VPN client or a hypervisor).
const NCF_PHYSICAL: u64 = 0x4;
/// The policy store's firewall key in SOFTWARE.
const POLICY: &str = "Policies\\Microsoft\\WindowsFirewall";
/// Where Task Manager keeps startup entries switched off (machine Run, and Run of 32-bit programs).
const STARTUP_APPROVED: &str = "Microsoft\\Windows\\CurrentVersion\\Explorer\\StartupApproved";
/// Service start type: disabled.
const DISABLED: u32 = 4;
/// Service start type: automatic.
const AUTOMATIC: u32 = 2;

/// How far to go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Firewall default block but for the management addresses.
    Soft,
    /// Soft, and the network adapters' drivers disabled.
    Hard,
    /// Hard, and the persistence analysis marked malicious disabled, its files quarantined.
    Persistence,
}

impl Level {
    /// Every level, least first.
    pub const ALL: [Level; 3] = [Level::Soft, Level::Hard, Level::Persistence];

    /// The level named `name`.
    pub fn parse(name: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.name() == name)
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Level::Soft => "soft",
            Level::Hard => "hard",
            Level::Persistence => "persistence",
        }
    }
}

/// A registry value's data as recorded in the journal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegData {
    /// Type number (1 REG_SZ, 3 REG_BINARY, 4 REG_DWORD …).
    #[serde(rename = "type")]
    pub kind: u32,
    /// The bytes, hex.
    pub data: String,
    /// As a person reads it.
    pub shown: String,
}

impl RegData {
    /// From a value read from a hive.
    pub fn of(v: &RawValue) -> RegData {
        RegData::new(v.kind, &v.data)
    }

    /// Type and bytes.
    pub fn new(kind: u32, bytes: &[u8]) -> RegData {
        RegData { kind, data: hex(bytes), shown: shown(kind, bytes) }
    }

    /// A REG_DWORD.
    pub fn dword(n: u32) -> RegData {
        RegData::new(4, &n.to_le_bytes())
    }

    /// A REG_SZ (UTF-16LE with its terminating NUL).
    pub fn sz(text: &str) -> RegData {
        let bytes: Vec<u8> = text.encode_utf16().chain([0]).flat_map(u16::to_le_bytes).collect();
        RegData::new(1, &bytes)
    }

    /// Its bytes (none if the hex was tampered with).
    pub fn bytes(&self) -> Option<Vec<u8>> {
        crate::hash::unhex(&self.data)
    }

    /// Same type and bytes (how it is shown does not count).
    pub fn same(&self, other: &RegData) -> bool {
        self.kind == other.kind && self.data.eq_ignore_ascii_case(&other.data)
    }
}

fn shown(kind: u32, bytes: &[u8]) -> String {
    match (kind, bytes.len()) {
        (4, 4) => u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]).to_string(),
        (1 | 2, _) => {
            let units: Vec<u16> = bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
            String::from_utf16_lossy(&units).trim_end_matches('\0').to_string()
        }
        _ => hex(bytes),
    }
}

/// One registry change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    /// SYSTEM or SOFTWARE.
    pub hive: String,
    /// The key, below the hive root (`\`-separated).
    pub key: String,
    /// The value's name; none: the key itself (created by shodo).
    pub value: Option<String>,
    /// Before (none: absent).
    pub old: Option<RegData>,
    /// After (none: absent).
    pub new: Option<RegData>,
}

impl Edit {
    /// How it reads in the journal and on screen.
    pub fn target(&self) -> String {
        match &self.value {
            // The default value is named as a Japanese Windows names it, in either language.
            Some(v) => format!("{}\\{}\\{}", self.hive, self.key, if v.is_empty() { txt::DEFAULT_VALUE.ja } else { v }),
            None => format!("{}\\{}\\", self.hive, self.key),
        }
    }

    /// The change that undoes this one.
    pub fn undo(&self) -> Edit {
        Edit { old: self.new.clone(), new: self.old.clone(), ..self.clone() }
    }
}

/// What to do to one endpoint.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Plan {
    /// Registry changes, keys to create first.
    pub edits: Vec<Edit>,
    /// Files to move into the quarantine (paths below the volume root, as in the findings).
    pub files: Vec<String>,
    /// What the operator must know: what was not changed and why.
    pub notes: Vec<Note>,
}

/// What a plan is made from.
pub struct Inputs<'a> {
    /// The level.
    pub level: Level,
    /// The management pairs kept reachable.
    pub allow: &'a [SocketAddr],
    /// The case id (the rules carry it).
    pub case_id: &'a str,
    /// The endpoint's findings (findings.jsonl), for the persistence level.
    pub findings: &'a [Finding],
    /// When the plan is made (FILETIME), stamped into the startup switches.
    pub filetime: u64,
}

/// A value as isolation wants it: hive, key, value name, data.
type Wanted = (&'static str, String, String, RegData);

/// Builds the changes on the hives as they are now.
pub fn plan(system: &mut Hive, software: &mut Hive, inputs: &Inputs) -> Plan {
    let mut wanted: Vec<Wanted> = Vec::new();
    let mut notes = Vec::new();
    let ccs = system.current_control_set().unwrap_or_else(|| "ControlSet001".into());
    firewall(&ccs, inputs, software, &mut wanted);
    services(system, &ccs, &["MpsSvc", "BFE"], AUTOMATIC, &mut wanted, &mut notes);
    let power = format!("{ccs}\\Control\\Session Manager\\Power");
    if system.number(&power, "HiberbootEnabled") == Some(1) {
        // Fast Startup would leave the volume hibernated at the next shutdown, and the stick
        // could neither roll back nor collect again.
        wanted.push((SYSTEM, power, "HiberbootEnabled".into(), RegData::dword(0)));
    }
    if inputs.level >= Level::Hard {
        let drivers = adapter_drivers(system, &ccs);
        if drivers.is_empty() {
            notes.push(no_adapters());
        }
        let names: Vec<&str> = drivers.iter().map(String::as_str).collect();
        services(system, &ccs, &names, DISABLED, &mut wanted, &mut notes);
    }
    let mut files = Vec::new();
    if inputs.level >= Level::Persistence && inputs.findings.is_empty() {
        notes.push(txt::NO_ANALYSIS_FINDINGS.both(|_| Vec::new()));
    }
    if inputs.level >= Level::Persistence {
        persistence(system, &ccs, inputs, &mut wanted, &mut files, &mut notes);
    }
    let mut edits = edits_for(system, software, wanted);
    // SYSTEM first, then SOFTWARE; within each, keys before their values (a stable sort).
    edits.sort_by_key(|e| e.hive != SYSTEM);
    Plan { edits, files, notes }
}

/// The firewall on, default block both ways, in SYSTEM and in the policy store; local rules
/// not merged; allow rules for the management pairs only (the policy store's own allow rules
/// switched off).
fn firewall(ccs: &str, inputs: &Inputs, software: &mut Hive, out: &mut Vec<Wanted>) {
    let fw = format!("{ccs}\\Services\\SharedAccess\\Parameters\\FirewallPolicy");
    for profile in PROFILES {
        for name in ["EnableFirewall", "DefaultInboundAction", "DefaultOutboundAction"] {
            out.push((SYSTEM, format!("{fw}\\{profile}"), name.into(), RegData::dword(1)));
            out.push((SOFTWARE, format!("{POLICY}\\{profile}"), name.into(), RegData::dword(1)));
        }
        for name in ["AllowLocalPolicyMerge", "AllowLocalIPsecPolicyMerge"] {
            out.push((SOFTWARE, format!("{POLICY}\\{profile}"), name.into(), RegData::dword(0)));
        }
    }
    let rules = format!("{POLICY}\\FirewallRules");
    for v in software.raw_values(&rules) {
        let text = shown(v.kind, &v.data);
        if v.kind == 1 && allows(&text) {
            out.push((
                SOFTWARE,
                rules.clone(),
                v.name.clone(),
                RegData::sz(&text.replace("|Active=TRUE|", "|Active=FALSE|")),
            ));
        }
    }
    for (n, a) in inputs.allow.iter().enumerate() {
        out.push((
            SOFTWARE,
            rules.clone(),
            format!("shodo-keep-{}", n + 1),
            RegData::sz(&allow_rule(a, inputs.case_id)),
        ));
    }
}

fn allows(rule: &str) -> bool {
    rule.contains("|Action=Allow|") && rule.contains("|Active=TRUE|")
}

/// A policy-store rule (MS-GPFAS firewall rule grammar, version 2.10, which every Windows
/// since 7 reads): outbound TCP and UDP to one management address and port.
pub fn allow_rule(a: &SocketAddr, case_id: &str) -> String {
    let ra = match a {
        SocketAddr::V4(v) => format!("RA4={}", v.ip()),
        SocketAddr::V6(v) => format!("RA6={}", v.ip()),
    };
    format!(
        "v2.10|Action=Allow|Active=TRUE|Dir=Out|Protocol=6|{ra}|RPort={port}|Name=shodo keep {a}|Desc=shodo isolation {case_id}|EmbedCtxt=shodo isolation {case_id}|",
        port = a.port()
    )
}

/// Sets the start type of the services that exist; says which do not.
fn services(system: &mut Hive, ccs: &str, names: &[&str], start: u32, out: &mut Vec<Wanted>, notes: &mut Vec<Note>) {
    for name in names {
        let key = format!("{ccs}\\Services\\{name}");
        if system.has_key(&key) {
            out.push((SYSTEM, key, "Start".into(), RegData::dword(start)));
        } else {
            notes.push(txt::SERVICE_IS_NOT_IN_THIS_HIVE.both(|_| vec![("name", name.to_string())]));
        }
    }
}

fn no_adapters() -> Note {
    txt::NO_PHYSICAL_NETWORK_ADAPTER_DRIVER.both(|_| Vec::new())
}

/// The driver services of the physical network adapters.
fn adapter_drivers(system: &mut Hive, ccs: &str) -> Vec<String> {
    let class = format!("{ccs}\\Control\\Class\\{NET_CLASS}");
    let mut out: Vec<String> = Vec::new();
    for sub in system.subkeys(&class) {
        let key = format!("{class}\\{sub}");
        let physical = system.number(&key, "Characteristics").is_some_and(|c| c & NCF_PHYSICAL != 0);
        let service = system.text(&format!("{key}\\Ndi"), "Service");
        if let (true, Some(s)) = (physical, service)
            && !out.iter().any(|o| o.eq_ignore_ascii_case(&s))
        {
            out.push(s);
        }
    }
    out
}

/// Services and machine Run entries analysis marked high or critical, and the files of tools
/// it found.
fn persistence(
    system: &mut Hive,
    ccs: &str,
    inputs: &Inputs,
    out: &mut Vec<Wanted>,
    files: &mut Vec<String>,
    notes: &mut Vec<Note>,
) {
    let mut services_found: Vec<String> = Vec::new();
    for f in inputs.findings.iter().filter(|f| f.severity().is_some_and(Severity::is_serious)) {
        let field = |k: &str| f.field(k).to_string();
        match (&f.kind, f.rule()) {
            (Kind::Registry(_), Some("service_suspicious_image")) => services_found.push(field("service")),
            (Kind::Registry(r), Some("autostart")) => {
                run_entry(&r.key, &field("name"), &field("scope"), inputs, out, notes)
            }
            (Kind::Yara { .. }, _) if tool(f) => push_file(files, f.path()),
            (Kind::EventDetection(_), Some("task_created")) => {
                task(&field("task"), &field("command"), files, notes);
            }
            _ => {}
        }
    }
    services_found.dedup();
    let names: Vec<&str> = services_found.iter().map(String::as_str).collect();
    services(system, ccs, &names, DISABLED, out, notes);
}

fn push_file(files: &mut Vec<String>, path: Option<&str>) {
    if let Some(p) = path.filter(|p| !p.is_empty() && !files.iter().any(|x| x.eq_ignore_ascii_case(p))) {
        files.push(p.to_string());
    }
}

/// A malicious scheduled task: its registration cannot be switched off offline with certainty
/// (Task Scheduler keeps it in the registry and in System32\Tasks, checked against each other),
/// so the program it runs is quarantined when it is a file on this volume; the task then fails
/// to start, and stays for the responder to disable or delete in Task Scheduler.
fn task(name: &str, command: &str, files: &mut Vec<String>, notes: &mut Vec<Note>) {
    match program_path(command) {
        Some(p) => {
            push_file(files, Some(&p));
            notes
                .push(txt::TASK_PROGRAM_IS_QUARANTINED.both(|_| vec![("name", name.to_string()), ("path", p.clone())]));
        }
        None => notes.push(
            txt::TASK_RUNS_NO_FILE_ON_THIS_VOLUME
                .both(|_| vec![("name", name.to_string()), ("command", command.to_string())]),
        ),
    }
}

/// The file a command runs, below the volume root (`C:\Users\Public\run.bat` →
/// `Users/Public/run.bat`), when it names one with a drive letter; a shell's script argument
/// counts (`cmd /c C:\x\a.bat`).
pub fn program_path(command: &str) -> Option<String> {
    let bytes = command.as_bytes();
    let start = (0..bytes.len().saturating_sub(2)).find(|&i| {
        bytes[i].is_ascii_alphabetic()
            && bytes[i + 1] == b':'
            && bytes[i + 2] == b'\\'
            && (i == 0 || matches!(bytes[i - 1], b' ' | b'"' | b'\''))
    })?;
    let quoted = start > 0 && bytes[start - 1] == b'"';
    let rest = &command[start + 3..];
    let end = if quoted { rest.find('"') } else { rest.find(' ') }.unwrap_or(rest.len());
    let path = rest[..end].trim_end_matches(['\\', ',']);
    (!path.is_empty()).then(|| path.replace('\\', "/"))
}

/// A YARA hit on an attacker's tool (not a ransom note, which is evidence and harmless).
fn tool(f: &Finding) -> bool {
    crate::yara::scan::TOOL_CATEGORIES.contains(&f.meta("category"))
}

/// A machine Run entry is switched off where Task Manager switches it off (StartupApproved:
/// first byte 3, then the time it was switched off); other autostarts have no such switch and
/// are left for the responder.
fn run_entry(key: &str, name: &str, scope: &str, inputs: &Inputs, out: &mut Vec<Wanted>, notes: &mut Vec<Note>) {
    let which = match key.to_ascii_lowercase().as_str() {
        "microsoft\\windows\\currentversion\\run" => Some("Run"),
        "wow6432node\\microsoft\\windows\\currentversion\\run" => Some("Run32"),
        _ => None,
    };
    match which.filter(|_| scope == "machine") {
        Some(w) => {
            let mut data = vec![3, 0, 0, 0];
            data.extend(inputs.filetime.to_le_bytes());
            out.push((SOFTWARE, format!("{STARTUP_APPROVED}\\{w}"), name.into(), RegData::new(3, &data)));
        }
        None => notes.push(
            txt::AUTOSTART_HAS_NO_OFFLINE_SWITCH.both(|_| vec![("name", name.to_string()), ("key", key.to_string())]),
        ),
    }
}

/// The wanted values against what the hives hold: only real changes, each key created before
/// its values.
fn edits_for(system: &mut Hive, software: &mut Hive, wanted: Vec<Wanted>) -> Vec<Edit> {
    let mut edits: Vec<Edit> = Vec::new();
    for (hive_name, key, value, new) in wanted {
        let hive = if hive_name == SYSTEM { &mut *system } else { &mut *software };
        let old = hive.raw(&key, &value).map(|v| RegData::of(&v));
        if old.as_ref().is_some_and(|o| o.same(&new)) {
            continue;
        }
        create_keys(hive, hive_name, &key, &mut edits);
        let duplicate = |e: &Edit| {
            e.hive == hive_name
                && e.key.eq_ignore_ascii_case(&key)
                && e.value.as_deref().is_some_and(|v| v.eq_ignore_ascii_case(&value))
        };
        if !edits.iter().any(duplicate) {
            edits.push(Edit { hive: hive_name.into(), key, value: Some(value), old, new: Some(new) });
        }
    }
    edits
}

fn create_keys(hive: &mut Hive, hive_name: &str, key: &str, edits: &mut Vec<Edit>) {
    let parts: Vec<&str> = key.split('\\').collect();
    for n in 1..=parts.len() {
        let path = parts[..n].join("\\");
        let planned =
            edits.iter().any(|e| e.value.is_none() && e.hive == hive_name && e.key.eq_ignore_ascii_case(&path));
        if !planned && !hive.has_key(&path) {
            let marker = RegData::new(0, &[]);
            edits.push(Edit { hive: hive_name.into(), key: path, value: None, old: None, new: Some(marker) });
        }
    }
}

/// What stands against writing to this volume now.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Facts {
    /// `hiberfil.sys` holds a live image.
    pub hibernated: bool,
    /// Fast Startup is on (`HiberbootEnabled`).
    pub fast_startup: bool,
    /// The volume is BitLocker-encrypted and not unlocked for writing.
    pub bitlocker_locked: bool,
    /// Hives whose sequence numbers differ (Windows did not finish writing them; their
    /// transaction logs hold what is missing).
    pub dirty_hives: Vec<String>,
    /// The hives that could not be found or read, with why.
    pub unreadable: Vec<(String, String)>,
    /// Evidence of this endpoint was collected into the case.
    pub collected: bool,
}

/// The reasons to refuse, Japanese and English; `forced` lifts only the one about evidence.
pub fn refusals(f: &Facts, forced: bool) -> Vec<Note> {
    let mut out: Vec<Note> = Vec::new();
    if f.hibernated {
        let text =
            if f.fast_startup { txt::WINDOWS_WAS_SHUT_DOWN_WITH_FAST_STARTUP } else { txt::WINDOWS_IS_HIBERNATED };
        out.push(text.both(|_| Vec::new()));
    }
    if f.bitlocker_locked {
        out.push(txt::THE_VOLUME_IS_BITLOCKER_ENCRYPTED.both(|_| Vec::new()));
    }
    for h in &f.dirty_hives {
        out.push(txt::THE_HIVE_IS_DIRTY.both(|_| vec![("hive", h.clone())]));
    }
    for (h, why) in &f.unreadable {
        out.push(txt::THE_HIVE_CANNOT_BE_READ.both(|_| vec![("hive", h.clone()), ("why", why.clone())]));
    }
    if !f.collected && !forced {
        out.push(txt::EVIDENCE_HAS_NOT_BEEN_COLLECTED_YET.both(|_| Vec::new()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_data_round_trips_and_reads() {
        let d = RegData::dword(1);
        assert_eq!((d.kind, d.data.as_str(), d.shown.as_str()), (4, "01000000", "1"));
        assert_eq!(d.bytes(), Some(vec![1, 0, 0, 0]));
        let s = RegData::sz("隔離");
        assert_eq!(s.shown, "隔離");
        assert_eq!(s.bytes().map(|b| b.len()), Some(6));
        assert!(RegData { data: "0g".into(), ..d.clone() }.bytes().is_none());
        assert!(d.same(&RegData { shown: "x".into(), ..d.clone() }));
    }

    #[test]
    fn task_programs_are_found_in_their_commands() {
        assert_eq!(program_path("C:\\Users\\Public\\run.bat").as_deref(), Some("Users/Public/run.bat"));
        assert_eq!(program_path("\"C:\\Program Files\\x y\\a.exe\" -s").as_deref(), Some("Program Files/x y/a.exe"));
        assert_eq!(program_path("cmd.exe /c c:\\temp\\b.cmd arg").as_deref(), Some("temp/b.cmd"));
        assert_eq!(program_path("powershell -enc ZQBjAGgAbwA="), None);
        assert_eq!(program_path("https://x:\\y"), None);
    }

    #[test]
    fn allow_rules_name_one_address_and_port() {
        let v4: SocketAddr = "192.0.2.10:443".parse().unwrap();
        let v6: SocketAddr = "[2001:db8::5]:22".parse().unwrap();
        let r = allow_rule(&v4, "C-1");
        assert!(r.starts_with("v2.10|Action=Allow|Active=TRUE|Dir=Out|"));
        assert!(r.contains("|RA4=192.0.2.10|RPort=443|"));
        assert!(allow_rule(&v6, "C-1").contains("|RA6=2001:db8::5|RPort=22|"));
        assert!(allows(&r));
        assert!(!allows(&r.replace("Active=TRUE", "Active=FALSE")));
    }

    #[test]
    fn refusals_name_each_condition_and_force_lifts_only_the_evidence_one() {
        let clean = Facts { collected: true, ..Facts::default() };
        assert!(refusals(&clean, false).is_empty());
        let all = Facts {
            hibernated: true,
            fast_startup: true,
            bitlocker_locked: true,
            dirty_hives: vec!["SYSTEM".into()],
            unreadable: vec![],
            collected: false,
        };
        let r = refusals(&all, false);
        assert_eq!(r.len(), 4);
        assert!(r[0].1.contains("Fast Startup"));
        assert_eq!(refusals(&all, true).len(), 3);
    }
}
