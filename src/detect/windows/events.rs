//! Detections from event-log records: logons and brute force, explicit credentials and special
//! privileges, accounts and admin groups, RDP, service and task installs, log clearing, process
//! creation and PowerShell script blocks matching `rules/evtx/commands.toml` (data), Defender,
//! and the first logon from a non-private address. Frequent events are aggregated (one detection
//! per account and address, with counts and first/last times), so memory stays bounded.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::detect::strings as txt;
use crate::error::{Error, Result};
use crate::findings::Severity;
use crate::formats::evtx::Record;
use crate::lang::Text;

const COMMANDS: &str = include_str!("../../../rules/evtx/commands.toml");
/// Failed logons from one source within this window count as one burst.
const BURST_WINDOW_SECS: i64 = 300;
/// Failed logons in one window that make a brute-force burst.
const BURST_MIN: usize = 10;
/// Failed-logon times kept (beyond this, only counted).
const MAX_FAILURE_TIMES: usize = 200_000;
/// Distinct accounts one subject tries with explicit credentials that make a spray.
const SPRAY_MIN_ACCOUNTS: usize = 10;
/// Aggregation keys kept per kind (beyond this, only counted).
const MAX_KEYS: usize = 10_000;

/// One detection.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Detection {
    /// What was detected (`log_cleared`, `service_installed`, `brute_force` …).
    pub rule: String,
    /// How serious.
    pub severity: Severity,
    /// Japanese and English titles.
    pub title_ja: String,
    /// English title.
    pub title_en: String,
    /// The (first) event's time, UTC.
    pub time: String,
    /// For aggregated detections: the last event's time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_time: Option<String>,
    /// Events behind it.
    pub count: u64,
    /// Channel and event id of the (first) event.
    pub channel: String,
    /// Event id.
    pub event_id: u32,
    /// Record id of the (first) event.
    pub record_id: u64,
    /// Computer as the event names it.
    pub computer: String,
    /// The facts (account, address, command line, service …).
    pub fields: Map<String, Value>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternDef {
    id: String,
    category: String,
    severity: String,
    ja: String,
    en: String,
    regex: String,
    applies: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Patterns {
    pattern: Vec<PatternDef>,
}

struct Pattern {
    def: PatternDef,
    severity: Severity,
    re: Regex,
}

impl Pattern {
    /// The pattern's title as `rules/evtx/commands.toml` writes it, in both languages.
    fn title(&'static self) -> Text {
        Text::new(&self.def.ja, &self.def.en)
    }
}

static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| crate::bundled::loaded(patterns()));

/// The bundled command patterns, validated (the tests check they load).
pub fn patterns_checked() -> Result<usize> {
    patterns().map(|p| p.len())
}

fn patterns() -> Result<Vec<Pattern>> {
    let file: Patterns = crate::config::bundled("rules/evtx/commands.toml", COMMANDS)?;
    file.pattern
        .into_iter()
        .map(|def| {
            let re = Regex::new(&def.regex).map_err(|e| Error::BundledData {
                name: "rules/evtx/commands.toml",
                reason: format!("{}: {e}", def.id),
            })?;
            let severity = Severity::parse(&def.severity).ok_or_else(|| Error::BundledData {
                name: "rules/evtx/commands.toml",
                reason: format!("{}: severity {}", def.id, def.severity),
            })?;
            Ok(Pattern { def, severity, re })
        })
        .collect()
}

/// Whether an address is outside private, loopback and link-local ranges.
pub fn is_public(addr: &str) -> bool {
    let text = addr.trim().trim_start_matches("::ffff:");
    let Ok(ip) = text.parse::<IpAddr>() else { return false };
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || (o[0] == 100 && (64..128).contains(&o[1])))
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80)
        }
    }
}

/// A Kerberos ticket (4768) or NTLM validation (4776) whose status is not success.
fn failed(r: &Record) -> bool {
    !matches!(r.get("Status").as_str(), "0x0" | "0" | "")
}

/// An address as the events write it: `-`, empty, loopback are no address.
fn remote_address(addr: &str) -> Option<String> {
    let a = addr.trim();
    let a = a.rsplit_once(':').filter(|(h, p)| !h.contains(':') && p.parse::<u16>().is_ok()).map_or(a, |(h, _)| h);
    let ip: IpAddr = a.trim_start_matches("::ffff:").parse().ok()?;
    (!ip.is_loopback() && !ip.is_unspecified()).then(|| a.to_string())
}

struct Aggregate {
    first: Record,
    last_time: String,
    count: u64,
    fields: Map<String, Value>,
}

#[derive(Default)]
struct Failures {
    times: Vec<i64>,
    total: u64,
    accounts: BTreeMap<String, u64>,
    first: Option<Record>,
}

/// Collects detections from records, one log after another.
#[derive(Default)]
pub struct Detector {
    detections: Vec<Detection>,
    aggregates: BTreeMap<(&'static str, String), Aggregate>,
    failures: BTreeMap<String, Failures>,
    failure_times: usize,
    dropped: u64,
    first_external: Option<(Record, String, &'static str)>,
}

fn fields(pairs: &[(&str, String)]) -> Map<String, Value> {
    pairs.iter().filter(|(_, v)| !v.is_empty() && v != "-").map(|(k, v)| (k.to_string(), json!(v))).collect()
}

fn detection(r: &Record, rule: &str, severity: Severity, title: Text, fields: Map<String, Value>) -> Detection {
    Detection {
        rule: rule.into(),
        severity,
        title_ja: title.ja.into(),
        title_en: title.en.into(),
        time: r.time.clone(),
        last_time: None,
        count: 1,
        channel: r.channel.to_string(),
        event_id: r.event_id,
        record_id: r.record_id,
        computer: r.computer.to_string(),
        fields,
    }
}

const SECURITY: &str = "Security";
const SYSTEM: &str = "System";
const SYSMON: &str = "Microsoft-Windows-Sysmon/Operational";
const POWERSHELL: &str = "Microsoft-Windows-PowerShell/Operational";
const DEFENDER: &str = "Microsoft-Windows-Windows Defender/Operational";
const TASKS: &str = "Microsoft-Windows-TaskScheduler/Operational";
const RCM: &str = "Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational";
const LSM: &str = "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational";
const RDPCORE: &str = "Microsoft-Windows-RemoteDesktopServices-RdpCoreTS/Operational";

/// Service image paths and task actions that are suspicious in themselves.
pub(super) static SUSPICIOUS_IMAGE: LazyLock<Regex> = LazyLock::new(|| {
    crate::bundled::fixed(
        r"(?i)(%comspec%|cmd(\.exe)?\s+/c|powershell|pwsh|mshta|rundll32|regsvr32|\\\\127\.0\.0\.1\\|\\admin\$|\\c\$\\|\\temp\\|\\tmp\\|\\appdata\\|\\users\\public\\|\\programdata\\[^\\]+\.exe|psexesvc|paexec|remcom|\.bat\b|\.ps1\b|\.vbs\b|\.hta\b)",
    )
});

/// A service image path or task action suspicious in itself (a shell, a script, a user-writable place).
pub fn suspicious_image(text: &str) -> bool {
    SUSPICIOUS_IMAGE.is_match(text)
}

/// The data fields the detector reads (every `Record::get` in this file; a test checks).
pub const FIELDS: &[&str] = &[
    "AccountName",
    "Action Name",
    "Address",
    "AuthenticationPackageName",
    "Channel",
    "ClientIP",
    "CommandLine",
    "Detection User",
    "Image",
    "ImagePath",
    "IpAddress",
    "LogonType",
    "MemberName",
    "MemberSid",
    "New Value",
    "NewProcessName",
    "Old Value",
    "Param1",
    "Param2",
    "Param3",
    "ParentImage",
    "ParentProcessName",
    "Path",
    "ProcessName",
    "ScriptBlockId",
    "ScriptBlockText",
    "ServiceFileName",
    "ServiceName",
    "StartType",
    "Status",
    "SubjectDomainName",
    "SubjectUserName",
    "TargetDomainName",
    "TargetServerName",
    "TargetSid",
    "TargetUserName",
    "TaskContent",
    "TaskName",
    "Threat Name",
    "User",
    "UserContext",
    "Workstation",
    "WorkstationName",
];

/// What the detector reads: these events, these fields.
pub const SELECTION: crate::formats::evtx::Selection =
    crate::formats::evtx::Selection { events: wanted, fields: FIELDS };

/// The events the detector reads the data of (the others it does not look at).
pub fn wanted(channel: &str, event_id: u32) -> bool {
    match channel {
        SECURITY => matches!(
            event_id,
            4624 | 4625 | 4648 | 4672 | 4688 | 4697 | 4698 | 4720 | 4728 | 4732 | 4756 | 4768 | 4771 | 4776 | 1102
        ),
        SYSTEM => matches!(event_id, 104 | 7045),
        SYSMON => event_id == 1,
        POWERSHELL => event_id == 4104,
        DEFENDER => matches!(event_id, 1006 | 1007 | 1116 | 1117 | 5001 | 5007),
        TASKS => event_id == 106,
        RCM => event_id == 1149,
        LSM => matches!(event_id, 21 | 24 | 25),
        RDPCORE => event_id == 131,
        _ => false,
    }
}

impl Detector {
    /// A new detector.
    pub fn new() -> Detector {
        Detector::default()
    }

    fn aggregate(&mut self, kind: &'static str, key: String, r: &Record, fields: Map<String, Value>) {
        if let Some(a) = self.aggregates.get_mut(&(kind, key.clone())) {
            a.count += 1;
            if r.time > a.last_time {
                a.last_time = r.time.clone();
            }
            if r.time < a.first.time {
                a.first = r.clone();
            }
            return;
        }
        if self.aggregates.len() >= MAX_KEYS * 8 {
            self.dropped += 1;
            return;
        }
        self.aggregates
            .insert((kind, key), Aggregate { first: r.clone(), last_time: r.time.clone(), count: 1, fields });
    }

    fn external(&mut self, r: &Record, addr: &str, how: &'static str) {
        if is_public(addr) && self.first_external.as_ref().is_none_or(|(f, _, _)| r.time < f.time) {
            self.first_external = Some((r.clone(), addr.to_string(), how));
        }
    }

    /// Looks at one record: each event it reads goes to the part that judges it.
    pub fn feed(&mut self, r: &Record) {
        if !wanted(&r.channel, r.event_id) {
            return;
        }
        match (&*r.channel, r.event_id) {
            (SECURITY, 4624) => self.logon(r),
            (SECURITY, 4625) => self.failed_logon(r, remote_address(r.text("IpAddress"))),
            // Kerberos pre-authentication and NTLM validation failures.
            (SECURITY, 4771) => self.failed_logon(r, remote_address(r.text("IpAddress"))),
            (SECURITY, 4768) if failed(r) => self.failed_logon(r, remote_address(r.text("IpAddress"))),
            (SECURITY, 4776) if failed(r) => {
                let ws = r.get("Workstation");
                self.failed_logon(r, (!ws.is_empty()).then_some(ws))
            }
            (SECURITY, 4648) => self.explicit_credentials(r),
            (SECURITY, 4672) => self.special_privileges(r),
            (SECURITY, 4720) => self.account_created(r),
            (SECURITY, 4732 | 4728 | 4756) => self.group_add(r),
            (SECURITY, 1102) | (SYSTEM, 104) => self.log_cleared(r),
            (SYSTEM, 7045) | (SECURITY, 4697) => self.service_installed(r),
            (SECURITY, 4698) | (TASKS, 106) => self.task_created(r),
            (SECURITY, 4688) => {
                let process = r.get("NewProcessName");
                let command = r.get("CommandLine");
                self.command(r, &process, &command, &r.get("SubjectUserName"), &r.get("ParentProcessName"));
            }
            (SYSMON, 1) => {
                self.command(r, &r.get("Image"), &r.get("CommandLine"), &r.get("User"), &r.get("ParentImage"));
            }
            (POWERSHELL, 4104) => self.script_block(r),
            (DEFENDER, 1116 | 1117 | 1006 | 1007) => self.defender_detection(r),
            (DEFENDER, 5001) => self.defender_disabled(r),
            (DEFENDER, 5007) => self.defender_config(r),
            (RCM, 1149) => self.rdp_authenticated(r),
            (LSM, 21 | 24 | 25) => self.rdp_session(r),
            (RDPCORE, 131) => self.rdp_connection(r),
            _ => {}
        }
    }

    /// Keeps one detection of `r`.
    fn push(&mut self, r: &Record, rule: &str, severity: Severity, title: Text, fields: Map<String, Value>) {
        self.detections.push(detection(r, rule, severity, title, fields));
    }

    fn explicit_credentials(&mut self, r: &Record) {
        let f = fields(&[
            ("subject", r.get("SubjectUserName")),
            ("target_account", r.get("TargetUserName")),
            ("target_server", r.get("TargetServerName")),
            ("address", r.get("IpAddress")),
            ("process", r.get("ProcessName")),
        ]);
        let key = format!("{}|{}|{}", r.get("SubjectUserName"), r.get("TargetUserName"), r.get("TargetServerName"));
        self.aggregate("explicit_credentials", key, r, f);
    }

    fn special_privileges(&mut self, r: &Record) {
        let account = format!("{}\\{}", r.get("SubjectDomainName"), r.get("SubjectUserName"));
        let f = fields(&[("account", account.clone())]);
        self.aggregate("special_privileges", account, r, f);
    }

    fn account_created(&mut self, r: &Record) {
        let f = fields(&[("account", r.get("TargetUserName")), ("by", r.get("SubjectUserName"))]);
        self.push(r, "account_created", Severity::High, txt::ACCOUNT_CREATED, f);
    }

    fn log_cleared(&mut self, r: &Record) {
        let log = if r.event_id == 1102 { "Security".to_string() } else { r.get("Channel") };
        let f = fields(&[("log", log), ("by", r.get("SubjectUserName"))]);
        self.push(r, "log_cleared", Severity::High, txt::EVENT_LOG_CLEARED, f);
    }

    /// A service installed, from the System log (7045) or the Security log (4697).
    fn service_installed(&mut self, r: &Record) {
        let system = r.event_id == 7045;
        let image = r.get(if system { "ImagePath" } else { "ServiceFileName" });
        let sev = if suspicious_image(&image) { Severity::High } else { Severity::Medium };
        let mut pairs = vec![("service", r.get("ServiceName")), ("image_path", image)];
        if system {
            pairs.extend([("start_type", r.get("StartType")), ("account", r.get("AccountName"))]);
        } else {
            pairs.push(("by", r.get("SubjectUserName")));
        }
        self.push(r, "service_installed", sev, txt::SERVICE_INSTALLED, fields(&pairs));
    }

    /// A scheduled task, from the Security log (4698, with its XML) or the Task Scheduler's (106).
    fn task_created(&mut self, r: &Record) {
        if r.event_id == 106 {
            let f = fields(&[("task", r.get("TaskName")), ("by", r.get("UserContext"))]);
            self.push(r, "task_created", Severity::Medium, txt::SCHEDULED_TASK_REGISTERED, f);
            return;
        }
        let content = r.get("TaskContent");
        let sev = if suspicious_image(&content) { Severity::High } else { Severity::Medium };
        let command = task_command(&content);
        let f = fields(&[("task", r.get("TaskName")), ("command", command), ("by", r.get("SubjectUserName"))]);
        self.push(r, "task_created", sev, txt::SCHEDULED_TASK_CREATED, f);
    }

    fn defender_detection(&mut self, r: &Record) {
        let f = fields(&[
            ("threat", r.get("Threat Name")),
            ("path", r.get("Path")),
            ("action", r.get("Action Name")),
            ("user", r.get("Detection User")),
        ]);
        if matches!(r.event_id, 1116 | 1006) {
            self.push(r, "defender_detection", Severity::High, txt::DEFENDER_DETECTED_MALWARE, f);
        } else {
            self.push(r, "defender_action", Severity::Medium, txt::DEFENDER_TOOK_ACTION, f);
        }
    }

    fn defender_disabled(&mut self, r: &Record) {
        let title = txt::DEFENDER_REAL_TIME_PROTECTION_DISABLED;
        self.push(r, "defender_disabled", Severity::High, title, Map::new());
    }

    fn defender_config(&mut self, r: &Record) {
        let new = r.get("New Value");
        let exclusion = new.to_lowercase().contains("\\exclusions\\");
        let disabled = new.contains("Disable") && new.trim_end().ends_with("0x1");
        let (sev, title) = if exclusion {
            (Severity::High, txt::DEFENDER_EXCLUSION_ADDED)
        } else if disabled {
            (Severity::High, txt::DEFENDER_PROTECTION_DISABLED)
        } else {
            (Severity::Low, txt::DEFENDER_CONFIGURATION_CHANGED)
        };
        let f = fields(&[("old", r.get("Old Value")), ("new", new)]);
        self.push(r, "defender_config", sev, title, f);
    }

    fn rdp_authenticated(&mut self, r: &Record) {
        let user = format!("{}\\{}", r.get("Param2"), r.get("Param1"));
        let addr = r.get("Param3");
        if let Some(a) = remote_address(&addr) {
            self.external(r, &a, "rdp");
        }
        let f = fields(&[("account", user.clone()), ("address", addr.clone())]);
        self.aggregate("rdp_authenticated", format!("{user}|{addr}"), r, f);
    }

    fn rdp_session(&mut self, r: &Record) {
        let addr = r.get("Address");
        if r.event_id != 24
            && let Some(a) = remote_address(&addr)
        {
            self.external(r, &a, "rdp");
        }
        let kind = match r.event_id {
            21 => "rdp_session_logon",
            24 => "rdp_session_disconnect",
            _ => "rdp_session_reconnect",
        };
        let f = fields(&[("account", r.get("User")), ("address", addr.clone())]);
        self.aggregate(kind, format!("{}|{addr}", r.get("User")), r, f);
    }

    fn rdp_connection(&mut self, r: &Record) {
        let client = r.get("ClientIP");
        let addr = remote_address(&client).unwrap_or(client);
        self.external(r, &addr, "rdp");
        let f = fields(&[("address", addr.clone())]);
        self.aggregate("rdp_connection", addr, r, f);
    }

    fn logon(&mut self, r: &Record) {
        let logon_type = r.get("LogonType");
        let raw = r.get("IpAddress");
        // RDP from the loopback address: the session came through a tunnel (plink, ngrok, netsh
        // portproxy …) into this machine.
        if logon_type == "10" && matches!(raw.trim_start_matches("::ffff:"), "127.0.0.1" | "::1") {
            let account = format!("{}\\{}", r.get("TargetDomainName"), r.get("TargetUserName"));
            let f = fields(&[("account", account.clone()), ("address", raw.clone())]);
            self.aggregate("rdp_tunnel", account, r, f);
            return;
        }
        let Some(addr) = remote_address(&raw) else { return };
        if !matches!(logon_type.as_str(), "3" | "10" | "8") {
            return;
        }
        let account = format!("{}\\{}", r.get("TargetDomainName"), r.get("TargetUserName"));
        if account.ends_with('$') || r.get("TargetUserName") == "ANONYMOUS LOGON" {
            return;
        }
        self.external(r, &addr, if logon_type == "10" { "rdp" } else { "network" });
        let f = fields(&[
            ("account", account.clone()),
            ("address", addr.clone()),
            ("logon_type", logon_type.clone()),
            ("workstation", r.get("WorkstationName")),
            ("auth", r.get("AuthenticationPackageName")),
        ]);
        self.aggregate("remote_logon", format!("{logon_type}|{account}|{addr}"), r, f);
    }

    fn failed_logon(&mut self, r: &Record, source: Option<String>) {
        let source = source.unwrap_or_else(|| {
            let ws = r.get("WorkstationName");
            if ws.is_empty() || ws == "-" { "(local)".into() } else { ws }
        });
        if !self.failures.contains_key(&source) && self.failures.len() >= MAX_KEYS {
            self.dropped += 1;
            return;
        }
        let f = self.failures.entry(source).or_default();
        f.total += 1;
        if f.first.as_ref().is_none_or(|x| r.time < x.time) {
            f.first = Some(r.clone());
        }
        let (account, room) = (r.text("TargetUserName"), f.accounts.len() < 1000);
        match f.accounts.get_mut(account) {
            Some(n) => *n += 1,
            None if room => {
                f.accounts.insert(account.to_string(), 1);
            }
            None => {}
        }
        if self.failure_times < MAX_FAILURE_TIMES {
            f.times.push(r.micros.div_euclid(1_000_000));
            self.failure_times += 1;
        }
    }

    fn group_add(&mut self, r: &Record) {
        let sid = r.get("TargetSid");
        let privileged =
            sid == "S-1-5-32-544" || sid == "S-1-5-32-555" || sid.ends_with("-512") || sid.ends_with("-519");
        let (rule, sev, title) = if privileged {
            ("admin_group_member_added", Severity::High, txt::MEMBER_ADDED_TO_AN_ADMINISTRATORS_OR_RDP_GROUP)
        } else {
            ("group_member_added", Severity::Low, txt::MEMBER_ADDED_TO_A_GROUP)
        };
        let member = [r.get("MemberName"), r.get("MemberSid")]
            .into_iter()
            .find(|m| !m.is_empty() && m != "-")
            .unwrap_or_default();
        let f = fields(&[
            ("group", r.get("TargetUserName")),
            ("group_sid", sid),
            ("member", member),
            ("by", r.get("SubjectUserName")),
        ]);
        self.push(r, rule, sev, title, f);
    }

    fn command(&mut self, r: &Record, process: &str, command: &str, user: &str, parent: &str) {
        let text = if command.is_empty() { process } else { command };
        for p in PATTERNS.iter().filter(|p| p.def.applies.iter().any(|a| a == "command")) {
            if p.re.is_match(text) {
                let f = fields(&[
                    ("pattern", p.def.id.clone()),
                    ("category", p.def.category.clone()),
                    ("command_line", text.chars().take(4000).collect()),
                    ("process", process.to_string()),
                    ("parent", parent.to_string()),
                    ("user", user.to_string()),
                ]);
                let rule = format!("command_{}", p.def.id);
                self.push(r, &rule, p.severity, p.title(), f);
            }
        }
    }

    fn script_block(&mut self, r: &Record) {
        let text = r.get("ScriptBlockText");
        for p in PATTERNS.iter().filter(|p| p.def.applies.iter().any(|a| a == "script")) {
            if p.re.is_match(&text) {
                let f = fields(&[
                    ("pattern", p.def.id.clone()),
                    ("category", p.def.category.clone()),
                    ("script_block_id", r.get("ScriptBlockId")),
                    ("path", r.get("Path")),
                    ("excerpt", excerpt(&text, &p.re)),
                ]);
                let rule = format!("script_{}", p.def.id);
                self.push(r, &rule, p.severity, p.title(), f);
            }
        }
    }

    /// All detections, sorted by time.
    pub fn finish(mut self) -> Vec<Detection> {
        let mut out = std::mem::take(&mut self.detections);
        out.extend(password_spray(&self.aggregates));
        for ((kind, _), a) in std::mem::take(&mut self.aggregates) {
            let (sev, title) = aggregate_title(kind, &a);
            let mut d = detection(&a.first, kind, sev, title, a.fields);
            d.count = a.count;
            d.last_time = (a.count > 1).then_some(a.last_time);
            out.push(d);
        }
        for (source, f) in std::mem::take(&mut self.failures) {
            out.extend(brute_force(&source, f));
        }
        if let Some((r, addr, how)) = self.first_external.take() {
            let f = fields(&[("address", addr), ("via", how.to_string())]);
            out.push(detection(
                &r,
                "first_external_logon",
                Severity::Critical,
                txt::FIRST_LOGON_FROM_A_NON_PRIVATE_ADDRESS,
                f,
            ));
        }
        if self.dropped > 0 {
            let r = Record::default();
            let f = fields(&[("events", self.dropped.to_string())]);
            out.push(detection(&r, "aggregation_limit", Severity::Info, txt::EVENTS_BEYOND_THE_AGGREGATION_LIMITS, f));
        }
        out.sort_by(|a, b| (&a.time, &a.rule, a.record_id).cmp(&(&b.time, &b.rule, b.record_id)));
        out
    }
}

/// One account trying explicit credentials of many others: password spraying.
fn password_spray(aggregates: &BTreeMap<(&'static str, String), Aggregate>) -> Vec<Detection> {
    let mut by_subject: BTreeMap<&str, Vec<&Aggregate>> = BTreeMap::new();
    for ((kind, _), a) in aggregates {
        if *kind == "explicit_credentials" {
            let subject = a.fields.get("subject").and_then(Value::as_str).unwrap_or("");
            by_subject.entry(subject).or_default().push(a);
        }
    }
    by_subject
        .into_iter()
        .filter_map(|(subject, list)| {
            let targets: std::collections::BTreeSet<&str> =
                list.iter().filter_map(|a| a.fields.get("target_account").and_then(Value::as_str)).collect();
            if targets.len() < SPRAY_MIN_ACCOUNTS {
                return None;
            }
            let first = list.iter().min_by(|a, b| a.first.time.cmp(&b.first.time))?;
            let last = list.iter().map(|a| a.last_time.clone()).max();
            let mut f = fields(&[("subject", subject.to_string())]);
            f.insert("accounts".into(), json!(targets.iter().take(50).collect::<Vec<_>>()));
            f.insert("distinct_accounts".into(), json!(targets.len()));
            let mut d =
                detection(&first.first, "password_spray", Severity::High, txt::CREDENTIALS_OF_MANY_ACCOUNTS_TRIED, f);
            d.count = list.iter().map(|a| a.count).sum();
            d.last_time = last;
            Some(d)
        })
        .collect()
}

fn aggregate_title(kind: &str, a: &Aggregate) -> (Severity, Text) {
    let public = a.fields.get("address").and_then(Value::as_str).is_some_and(is_public);
    let rdp_sev = if public { Severity::High } else { Severity::Medium };
    match kind {
        "remote_logon" => {
            let rdp = a.fields.get("logon_type").and_then(Value::as_str) == Some("10");
            let sev = if public {
                Severity::High
            } else if rdp {
                Severity::Medium
            } else {
                Severity::Low
            };
            (sev, txt::REMOTE_LOGON)
        }
        "explicit_credentials" => (Severity::Low, txt::LOGON_WITH_EXPLICIT_CREDENTIALS),
        "special_privileges" => (Severity::Info, txt::SPECIAL_PRIVILEGES_ASSIGNED),
        "rdp_authenticated" => (rdp_sev, txt::RDP_AUTHENTICATION_SUCCEEDED),
        "rdp_session_logon" => (rdp_sev, txt::RDP_SESSION_LOGON),
        "rdp_session_reconnect" => (rdp_sev, txt::RDP_SESSION_RECONNECTED),
        "rdp_session_disconnect" => (Severity::Low, txt::RDP_SESSION_DISCONNECTED),
        "rdp_connection" => (rdp_sev, txt::RDP_CONNECTION_ACCEPTED),
        "rdp_tunnel" => (Severity::High, txt::RDP_LOGON_THROUGH_A_TUNNEL),
        // Every kind `aggregate` is called with is named above.
        _ => (Severity::Info, Text::new("", "")),
    }
}

/// A brute-force detection for a source whose failures reached `BURST_MIN` within the window.
fn brute_force(source: &str, mut f: Failures) -> Option<Detection> {
    f.times.sort_unstable();
    let (mut best, mut best_start, mut j) = (0usize, 0usize, 0usize);
    for i in 0..f.times.len() {
        while f.times[i] - f.times[j] > BURST_WINDOW_SECS {
            j += 1;
        }
        if i + 1 - j > best {
            best = i + 1 - j;
            best_start = j;
        }
    }
    if best < BURST_MIN {
        return None;
    }
    let first = f.first?;
    let start = chrono::DateTime::from_timestamp(f.times[best_start], 0).map(crate::clock::utc_string);
    let end = chrono::DateTime::from_timestamp(f.times[best_start + best - 1], 0).map(crate::clock::utc_string);
    let mut accounts: Vec<(String, u64)> = f.accounts.into_iter().collect();
    accounts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let accounts: Vec<Value> = accounts.iter().take(20).map(|(a, n)| json!({ "account": a, "failures": n })).collect();
    let mut fields = Map::new();
    fields.insert("source".into(), json!(source));
    fields.insert(
        "burst".into(),
        json!({ "failures": best, "from": start, "to": end, "window_seconds": BURST_WINDOW_SECS }),
    );
    fields.insert("accounts".into(), json!(accounts));
    fields.insert("public_source".into(), json!(is_public(source)));
    let sev = if is_public(source) { Severity::Critical } else { Severity::High };
    let mut d = detection(&first, "brute_force", sev, txt::BURST_OF_FAILED_LOGONS, fields);
    d.count = f.total;
    d.last_time = end;
    Some(d)
}

/// The command of a task's XML (`<Command>` and `<Arguments>`).
fn task_command(xml: &str) -> String {
    let pick = |tag: &str| {
        let open = format!("<{tag}>");
        let close = format!("</{tag}>");
        xml.find(&open).and_then(|i| {
            xml[i + open.len()..].find(&close).map(|j| xml[i + open.len()..i + open.len() + j].to_string())
        })
    };
    [pick("Command"), pick("Arguments")].into_iter().flatten().collect::<Vec<_>>().join(" ")
}

fn excerpt(text: &str, re: &Regex) -> String {
    let Some(m) = re.find(text) else { return String::new() };
    let start = text[..m.start()].char_indices().rev().nth(80).map_or(0, |(i, _)| i);
    text[start..].chars().take(400).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(channel: &str, id: u32, time: &str, data: &[(&str, &str)]) -> Record {
        Record {
            record_id: 1,
            time: time.into(),
            micros: chrono::DateTime::parse_from_rfc3339(time).map_or(0, |t| t.timestamp_micros()),
            channel: channel.into(),
            provider: "".into(),
            event_id: id,
            computer: "PC".into(),
            data: data.iter().map(|(k, v)| (k.to_string(), v)).collect(),
        }
    }

    fn run(records: &[Record]) -> Vec<Detection> {
        let mut d = Detector::new();
        records.iter().for_each(|r| d.feed(r));
        d.finish()
    }

    #[test]
    fn every_field_read_is_selected() {
        let source = include_str!("events.rs");
        for part in source.split("r.get(\"").skip(1) {
            let name = part.split('"').next().unwrap();
            assert!(FIELDS.contains(&name), "{name} is read but not in FIELDS");
        }
    }

    #[test]
    fn patterns_load() {
        assert!(patterns_checked().unwrap() >= 10);
    }

    #[test]
    fn public_and_private_addresses() {
        for a in ["203.0.113.5", "8.8.8.8", "2001:db8::1"] {
            assert!(is_public(a), "{a}");
        }
        for a in [
            "10.1.2.3",
            "192.168.0.1",
            "172.20.0.1",
            "127.0.0.1",
            "169.254.1.1",
            "100.64.0.1",
            "fe80::1",
            "fd00::1",
            "-",
            "",
        ] {
            assert!(!is_public(a), "{a}");
        }
        assert_eq!(remote_address("203.0.113.5:51234").as_deref(), Some("203.0.113.5"));
        assert_eq!(remote_address("127.0.0.1"), None);
    }

    #[test]
    fn shadow_copy_deletion_on_the_command_line_and_not_a_listing() {
        let del = rec(
            "Security",
            4688,
            "2024-05-01T02:00:00Z",
            &[
                ("CommandLine", "vssadmin.exe delete shadows /all /quiet"),
                ("NewProcessName", "C:\\Windows\\System32\\vssadmin.exe"),
            ],
        );
        let list = rec(
            "Security",
            4688,
            "2024-05-01T02:00:01Z",
            &[("CommandLine", "vssadmin.exe list shadows"), ("NewProcessName", "C:\\Windows\\System32\\vssadmin.exe")],
        );
        let d = run(&[del, list]);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!((d[0].rule.as_str(), d[0].severity), ("command_shadow_copy_deletion", Severity::Critical));
    }

    #[test]
    fn a_burst_of_failures_is_brute_force_a_few_are_not() {
        let burst: Vec<Record> = (0..12)
            .map(|i| {
                rec(
                    "Security",
                    4625,
                    &format!("2024-05-01T02:00:{:02}Z", i * 3),
                    &[("IpAddress", "203.0.113.9"), ("TargetUserName", "administrator")],
                )
            })
            .collect();
        let few: Vec<Record> = (0..3)
            .map(|i| {
                rec(
                    "Security",
                    4625,
                    &format!("2024-05-01T03:00:{:02}Z", i),
                    &[("IpAddress", "10.0.0.5"), ("TargetUserName", "yamada")],
                )
            })
            .collect();
        let d = run(&[burst, few].concat());
        let bf: Vec<_> = d.iter().filter(|x| x.rule == "brute_force").collect();
        assert_eq!(bf.len(), 1, "{d:?}");
        assert_eq!(bf[0].fields["source"], "203.0.113.9");
        assert_eq!(bf[0].fields["burst"]["failures"], 12);
        assert_eq!(bf[0].severity, Severity::Critical);
    }

    #[test]
    fn rdp_from_loopback_is_a_tunnel_and_a_local_logon_is_nothing() {
        let tunnel = rec(
            "Security",
            4624,
            "2024-05-01T02:00:00Z",
            &[
                ("LogonType", "10"),
                ("IpAddress", "127.0.0.1"),
                ("TargetUserName", "admin"),
                ("TargetDomainName", "HOSP"),
            ],
        );
        let console = rec(
            "Security",
            4624,
            "2024-05-01T02:00:00Z",
            &[
                ("LogonType", "2"),
                ("IpAddress", "127.0.0.1"),
                ("TargetUserName", "admin"),
                ("TargetDomainName", "HOSP"),
            ],
        );
        assert_eq!(run(&[tunnel]).iter().map(|d| d.rule.as_str()).collect::<Vec<_>>(), ["rdp_tunnel"]);
        assert!(run(&[console]).is_empty());
    }

    #[test]
    fn many_accounts_tried_by_one_is_a_spray() {
        let tries: Vec<Record> = (0..12)
            .map(|i| {
                rec(
                    "Security",
                    4648,
                    "2024-05-01T02:00:00Z",
                    &[("SubjectUserName", "bob"), ("TargetUserName", &format!("user{i}")), ("TargetServerName", "dc")],
                )
            })
            .collect();
        let d = run(&tries);
        assert_eq!(d.iter().filter(|x| x.rule == "password_spray").count(), 1);
        assert!(run(&tries[..3]).iter().all(|x| x.rule != "password_spray"));
    }

    #[test]
    fn the_first_logon_from_outside_is_named_and_private_logons_are_not() {
        let inside = rec(
            "Security",
            4624,
            "2024-05-01T01:00:00Z",
            &[
                ("LogonType", "10"),
                ("IpAddress", "192.168.1.20"),
                ("TargetUserName", "yamada"),
                ("TargetDomainName", "HOSP"),
            ],
        );
        let outside = rec(
            "Security",
            4624,
            "2024-05-01T02:00:00Z",
            &[
                ("LogonType", "10"),
                ("IpAddress", "198.51.100.7"),
                ("TargetUserName", "vendor"),
                ("TargetDomainName", "HOSP"),
            ],
        );
        let later = rec(
            "Security",
            4624,
            "2024-05-02T02:00:00Z",
            &[
                ("LogonType", "3"),
                ("IpAddress", "203.0.113.1"),
                ("TargetUserName", "vendor"),
                ("TargetDomainName", "HOSP"),
            ],
        );
        let d = run(&[later, inside, outside]);
        let first: Vec<_> = d.iter().filter(|x| x.rule == "first_external_logon").collect();
        assert_eq!(first.len(), 1);
        assert_eq!(
            (first[0].fields["address"].as_str(), first[0].time.as_str()),
            (Some("198.51.100.7"), "2024-05-01T02:00:00Z")
        );
        assert_eq!(d.iter().filter(|x| x.rule == "remote_logon").count(), 3);
    }

    #[test]
    fn services_tasks_and_clearing() {
        let svc = rec(
            "System",
            7045,
            "2024-05-01T02:00:00Z",
            &[("ServiceName", "updsvc"), ("ImagePath", "%COMSPEC% /c powershell -nop -w hidden")],
        );
        let benign = rec(
            "System",
            7045,
            "2024-05-01T02:00:00Z",
            &[("ServiceName", "Printer"), ("ImagePath", "C:\\Program Files\\Vendor\\spool.exe")],
        );
        let cleared = rec("Security", 1102, "2024-05-01T03:00:00Z", &[("SubjectUserName", "admin")]);
        let task = rec(
            "Security",
            4698,
            "2024-05-01T02:10:00Z",
            &[("TaskName", "\\Upd"), ("TaskContent", "<Exec><Command>C:\\Users\\Public\\run.bat</Command></Exec>")],
        );
        let d = run(&[svc, benign, cleared, task]);
        let sev = |rule: &str, key: &str, val: &str| {
            d.iter()
                .find(|x| x.rule == rule && x.fields.get(key).and_then(Value::as_str) == Some(val))
                .map(|x| x.severity)
        };
        assert_eq!(sev("service_installed", "service", "updsvc"), Some(Severity::High));
        assert_eq!(sev("service_installed", "service", "Printer"), Some(Severity::Medium));
        assert_eq!(sev("log_cleared", "log", "Security"), Some(Severity::High));
        assert_eq!(sev("task_created", "command", "C:\\Users\\Public\\run.bat"), Some(Severity::High));
    }
}
