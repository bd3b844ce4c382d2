//! What an offline Windows registry says about persistence and external connection points:
//! services (user-writable image paths, remote-access agents), Run/RunOnce (machine and users),
//! Winlogon, IFEO debuggers, RDP (enabled, NLA, port), firewall profiles and the inbound rules
//! that open remote services, installed software with remote-access, RMM and VPN products picked
//! out (`rules/connection/products.toml`, data), installed updates, USB storage history, local
//! accounts (SAM) and program execution (Amcache).

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json, json};

use crate::detect::strings as txt;
use crate::error::{Error, Result};
use crate::findings::Severity;
use crate::formats::registry::{Hive, Value};
use crate::lang::Text;

const PRODUCTS: &str = include_str!("../../../rules/connection/products.toml");

/// A registry fact worth a responder's attention.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RegFinding {
    /// What (`service_user_writable`, `run_key`, `ifeo_debugger`, `rdp_enabled` …).
    pub rule: String,
    /// How serious.
    pub severity: Severity,
    /// Japanese title.
    pub title_ja: String,
    /// English title.
    pub title_en: String,
    /// The hive (evidence path).
    pub hive: String,
    /// The key, below the hive root.
    pub key: String,
    /// When the key was last written (UTC).
    pub last_written: Option<String>,
    /// The facts.
    pub fields: Map<String, Json>,
}

/// An external connection point of the endpoint, with its evidence.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ConnectionPoint {
    /// rdp | remote_access | rmm | vpn | listening_service | inbound_logon.
    pub kind: String,
    /// The product or service.
    pub name: String,
    /// Where it shows (hive and key, or log and rule).
    pub evidence: Vec<String>,
    /// The facts (enabled, port, version, addresses …).
    pub detail: Map<String, Json>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProductDef {
    name: String,
    kind: String,
    #[serde(rename = "match")]
    pattern: String,
}

/// A remote service that listens for inbound connections.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListeningDef {
    name: String,
    ports: Vec<u16>,
    services: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Products {
    product: Vec<ProductDef>,
    listening: Vec<ListeningDef>,
}

static COMPILED: LazyLock<Vec<(ProductDef, Regex)>> = LazyLock::new(|| crate::bundled::loaded(products()));
static LISTENING: LazyLock<Vec<ListeningDef>> = LazyLock::new(|| {
    crate::bundled::loaded(
        crate::config::bundled::<Products>("rules/connection/products.toml", PRODUCTS).map(|p| p.listening),
    )
});

/// The bundled product list, validated.
pub fn products_checked() -> Result<usize> {
    products().map(|p| p.len())
}

fn products() -> Result<Vec<(ProductDef, Regex)>> {
    let file: Products = crate::config::bundled("rules/connection/products.toml", PRODUCTS)?;
    if let Some(l) = file.listening.iter().find(|l| l.ports.is_empty() && l.services.is_empty()) {
        return Err(Error::BundledData {
            name: "rules/connection/products.toml",
            reason: format!("{}: neither ports nor services", l.name),
        });
    }
    file.product
        .into_iter()
        .map(|p| {
            if !matches!(p.kind.as_str(), "remote_access" | "rmm" | "vpn") {
                return Err(Error::BundledData {
                    name: "rules/connection/products.toml",
                    reason: format!("{}: kind {}", p.name, p.kind),
                });
            }
            let re = Regex::new(&format!("(?i){}", p.pattern)).map_err(|e| Error::BundledData {
                name: "rules/connection/products.toml",
                reason: format!("{}: {e}", p.name),
            })?;
            Ok((p, re))
        })
        .collect()
}

/// The remote-access, RMM or VPN product a name or path belongs to.
pub fn product_of(text: &str) -> Option<(&'static str, &'static str)> {
    COMPILED.iter().find(|(_, re)| re.is_match(text)).map(|(p, _)| (p.name.as_str(), p.kind.as_str()))
}

/// Findings and connection points of one endpoint's hives.
#[derive(Clone, Default, Debug, Serialize)]
pub struct RegistryView {
    /// The findings.
    pub findings: Vec<RegFinding>,
    /// The connection points.
    pub connection_points: Vec<ConnectionPoint>,
    /// Installed software (name, version, publisher, install date).
    pub software: Vec<Json>,
    /// USB storage devices seen.
    pub usb_storage: Vec<Json>,
    /// Local accounts from the SAM hive.
    pub accounts: Vec<Json>,
    /// Programs Amcache recorded (path, SHA-1, name, publisher, key last written).
    pub programs: Vec<Json>,
    /// Installed updates (KB or cumulative update, state, install time), one per update.
    pub updates: Vec<Json>,
}

impl RegistryView {
    fn find(
        &mut self,
        hive: &mut Hive,
        (hive_path, key): (&str, &str),
        (rule, severity): (&str, Severity),
        title: Text,
        fields: Map<String, Json>,
    ) {
        self.findings.push(RegFinding {
            rule: rule.into(),
            severity,
            title_ja: title.ja.into(),
            title_en: title.en.into(),
            hive: hive_path.into(),
            key: key.into(),
            last_written: hive.last_written(key),
            fields,
        });
    }

    fn connect(&mut self, kind: &str, name: &str, evidence: String, detail: Map<String, Json>) {
        if let Some(c) = self.connection_points.iter_mut().find(|c| c.kind == kind && c.name == name) {
            if !c.evidence.contains(&evidence) {
                c.evidence.push(evidence);
            }
            for (k, v) in detail {
                c.detail.entry(k).or_insert(v);
            }
            return;
        }
        self.connection_points.push(ConnectionPoint {
            kind: kind.into(),
            name: name.into(),
            evidence: vec![evidence],
            detail,
        });
    }

    /// The SYSTEM hive: services, RDP, firewall, USB storage.
    pub fn system(&mut self, hive: &mut Hive, path: &str) {
        let Some(ccs) = hive.current_control_set() else { return };
        let services = format!("{ccs}\\Services");
        for name in hive.subkeys(&services) {
            let key = format!("{services}\\{name}");
            let Some(image) = hive.text(&key, "ImagePath") else { continue };
            let start = hive.number(&key, "Start");
            let mut f = fields(&[("service", &name), ("image_path", &image)]);
            if let Some(s) = start {
                f.insert("start".into(), json!(start_name(s)));
            }
            if let Some(l) = LISTENING.iter().find(|l| l.services.iter().any(|s| s.eq_ignore_ascii_case(&name)))
                && start.is_some_and(|s| s <= 2)
            {
                self.connect("listening_service", &l.name, format!("{path}\\{key}"), f.clone());
            }
            if let Some((product, kind)) = product_of(&format!("{name} {image}")) {
                let mut d = f.clone();
                d.insert("product".into(), json!(product));
                self.connect(kind, product, format!("{path}\\{key}"), d);
            }
            if crate::detect::windows::events::suspicious_image(&image) || user_writable(&image) {
                let disabled = start == Some(4);
                let sev = if disabled { Severity::Medium } else { Severity::High };
                self.find(
                    hive,
                    (path, &key),
                    ("service_suspicious_image", sev),
                    txt::SERVICE_RUNS_FROM_A_USER_WRITABLE_PLACE,
                    f,
                );
            }
        }
        // RDP: fDenyTSConnections 0 means enabled; UserAuthentication 1 means NLA.
        let ts = format!("{ccs}\\Control\\Terminal Server");
        let rdp_tcp = format!("{ts}\\WinStations\\RDP-Tcp");
        if let Some(deny) = hive.number(&ts, "fDenyTSConnections") {
            let nla = hive.number(&rdp_tcp, "UserAuthentication");
            let port = hive.number(&rdp_tcp, "PortNumber").unwrap_or(3389);
            let mut f = Map::new();
            f.insert("enabled".into(), json!(deny == 0));
            f.insert("nla".into(), json!(nla.map(|n| n == 1)));
            f.insert("port".into(), json!(port));
            if deny == 0 {
                self.connect("rdp", "Remote Desktop (RDP)", format!("{path}\\{ts}"), f.clone());
                let (sev, title) = if nla == Some(0) {
                    (Severity::High, txt::RDP_ENABLED_WITHOUT_NLA)
                } else {
                    (Severity::Medium, txt::RDP_ENABLED)
                };
                self.find(hive, (path, &ts), ("rdp_enabled", sev), title, f);
            }
        }
        let fw = format!("{ccs}\\Services\\SharedAccess\\Parameters\\FirewallPolicy");
        for (profile, label) in
            [("DomainProfile", "domain"), ("StandardProfile", "private"), ("PublicProfile", "public")]
        {
            let key = format!("{fw}\\{profile}");
            if hive.number(&key, "EnableFirewall") == Some(0) {
                let f = fields(&[("profile", label)]);
                self.find(hive, (path, &key), ("firewall_disabled", Severity::High), txt::WINDOWS_FIREWALL_DISABLED, f);
            }
        }
        self.firewall_rules(hive, path, &format!("{fw}\\FirewallRules"));
        let usb = format!("{ccs}\\Enum\\USBSTOR");
        for device in hive.subkeys(&usb) {
            for serial in hive.subkeys(&format!("{usb}\\{device}")) {
                let key = format!("{usb}\\{device}\\{serial}");
                let name = hive.text(&key, "FriendlyName").unwrap_or_default();
                self.usb_storage.push(json!({ "device": device, "serial": serial, "name": name,
                                              "last_written": hive.last_written(&key), "hive": path }));
            }
        }
    }

    /// The SOFTWARE hive: Run keys, Winlogon, IFEO, installed software.
    pub fn software(&mut self, hive: &mut Hive, path: &str) {
        for run in [
            "Microsoft\\Windows\\CurrentVersion\\Run",
            "Microsoft\\Windows\\CurrentVersion\\RunOnce",
            "WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Run",
            "WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\RunOnce",
            "Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer\\Run",
        ] {
            self.run_key(hive, path, run, "machine");
        }
        let winlogon = "Microsoft\\Windows NT\\CurrentVersion\\Winlogon";
        for (name, expected) in [("Shell", "explorer.exe"), ("Userinit", "c:\\windows\\system32\\userinit.exe,")] {
            if let Some(v) = hive.text(winlogon, name) {
                let normal = v.trim().trim_end_matches(',').to_lowercase() == expected.trim_end_matches(',');
                if !normal && !v.trim().is_empty() {
                    let f = fields(&[("value", name), ("data", &v)]);
                    self.find(
                        hive,
                        (path, winlogon),
                        ("winlogon_modified", Severity::High),
                        txt::WINLOGON_STARTUP_MODIFIED,
                        f,
                    );
                }
            }
        }
        let ifeo = "Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options";
        for exe in hive.subkeys(ifeo) {
            let key = format!("{ifeo}\\{exe}");
            if let Some(debugger) = hive.text(&key, "Debugger") {
                let f = fields(&[("program", &exe), ("debugger", &debugger)]);
                let accessibility =
                    ["sethc.exe", "utilman.exe", "osk.exe", "magnify.exe", "narrator.exe", "displayswitch.exe"]
                        .contains(&exe.to_lowercase().as_str());
                let sev = if accessibility { Severity::Critical } else { Severity::High };
                self.find(hive, (path, &key), ("ifeo_debugger", sev), txt::IFEO_DEBUGGER, f);
            }
        }
        for root in [
            "Microsoft\\Windows\\CurrentVersion\\Uninstall",
            "WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall",
        ] {
            for id in hive.subkeys(root) {
                let key = format!("{root}\\{id}");
                let Some(name) = hive.text(&key, "DisplayName") else { continue };
                let version = hive.text(&key, "DisplayVersion").unwrap_or_default();
                let publisher = hive.text(&key, "Publisher").unwrap_or_default();
                let installed = hive.text(&key, "InstallDate").unwrap_or_default();
                self.software.push(json!({ "name": name, "version": version, "publisher": publisher,
                                           "install_date": installed, "hive": path, "key": key }));
                if let Some((product, kind)) = product_of(&name) {
                    let d = fields(&[("installed", &name), ("version", &version), ("install_date", &installed)]);
                    self.connect(kind, product, format!("{path}\\{key}"), d);
                }
            }
        }
        self.updates(hive, path);
        self.firewall_rules(hive, path, "Policies\\Microsoft\\WindowsFirewall\\FirewallRules");
    }

    /// Installed updates, from the servicing store (Component Based Servicing packages: KB
    /// updates and cumulative "RollupFix" packages) and the older HotFix key; one entry per update,
    /// the installed state and the latest install time winning.
    fn updates(&mut self, hive: &mut Hive, path: &str) {
        let mut by_id: std::collections::BTreeMap<String, Json> = std::collections::BTreeMap::new();
        let cbs = "Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages";
        let hotfix = "Microsoft\\Windows NT\\CurrentVersion\\HotFix";
        let keys = hive
            .subkeys(cbs)
            .into_iter()
            .map(|n| (cbs, n))
            .chain(hive.subkeys(hotfix).into_iter().map(|n| (hotfix, n)));
        for (root, name) in keys.collect::<Vec<_>>() {
            let kb = KB.captures(&name).and_then(|c| c.get(1).or(c.get(2))).map(|m| format!("KB{}", m.as_str()));
            let id = match kb {
                Some(kb) => kb,
                // Package_for_RollupFix~31bf3856ad364e35~amd64~~19041.3930.1.9
                None if name.contains("RollupFix") => {
                    format!("RollupFix {}", name.rsplit('~').next().unwrap_or_default())
                }
                None => continue,
            };
            let key = format!("{root}\\{name}");
            let state = if root == hotfix { Some(0x70) } else { hive.number(&key, "CurrentState") };
            let time = match (hive.number(&key, "InstallTimeHigh"), hive.number(&key, "InstallTimeLow")) {
                (Some(high), Some(low)) => crate::clock::filetime_string((high << 32) | (low & 0xFFFF_FFFF)),
                _ => None,
            }
            .or_else(|| hive.last_written(&key));
            let installed = matches!(state, Some(0x70 | 0x80));
            let entry = json!({ "id": id, "package": name, "state": state.map(package_state), "installed": installed,
                                "install_time": time, "hive": path, "key": key });
            let better = |old: &Json| {
                (installed, entry["install_time"].as_str()) > (old["installed"] == true, old["install_time"].as_str())
            };
            if by_id.get(&id).is_none_or(better) {
                by_id.insert(id, entry);
            }
        }
        let mut updates: Vec<Json> = by_id.into_values().collect();
        updates.sort_by(|a, b| a["install_time"].as_str().cmp(&b["install_time"].as_str()));
        self.updates.extend(updates);
    }

    /// Inbound allow rules of Windows Firewall that open a remote service (a listening port of
    /// `rules/connection/products.toml`, or a remote-access product's program): connection points,
    /// and a finding when any remote address may connect.
    fn firewall_rules(&mut self, hive: &mut Hive, path: &str, key: &str) {
        for (id, value) in hive.values(key) {
            let Value::Text(text) = value else { continue };
            let rule = FirewallRule::parse(&text);
            if !(rule.get("Action") == Some("Allow") && rule.get("Dir") == Some("In"))
                || rule.get("Active").is_some_and(|a| !a.eq_ignore_ascii_case("TRUE"))
            {
                continue;
            }
            let ports = rule.all("LPort");
            let app = rule.get("App").unwrap_or_default();
            let opens = |p: u16| ports.iter().any(|range| port_in(range, p));
            let service = LISTENING
                .iter()
                .find(|l| l.ports.iter().any(|&p| opens(p)))
                .map(|l| l.name.as_str())
                .or_else(|| product_of(&format!("{app} {}", rule.get("Name").unwrap_or_default())).map(|(n, _)| n));
            let Some(name) = service else { continue };
            let remote: Vec<&str> = rule.all("RA4").into_iter().chain(rule.all("RA6")).collect();
            let profiles = rule.all("Profile");
            let any_remote = remote.is_empty() || remote.iter().any(|r| r.eq_ignore_ascii_case("*"));
            let public = profiles.is_empty() || profiles.iter().any(|p| p.eq_ignore_ascii_case("Public"));
            let label = rule.get("Name").filter(|n| !n.starts_with('@')).unwrap_or(&id).to_string();
            let mut d = fields(&[("firewall_rule", &label), ("rule_id", &id), ("app", app)]);
            d.insert("ports".into(), json!(ports));
            d.insert("protocol".into(), json!(rule.get("Protocol").map(protocol_name)));
            d.insert("profiles".into(), json!(if profiles.is_empty() { vec!["All"] } else { profiles.clone() }));
            d.insert("remote_addresses".into(), json!(if any_remote { vec!["any"] } else { remote.clone() }));
            self.connect("listening_service", name, format!("{path}\\{key}\\{id}"), d.clone());
            if any_remote {
                d.insert("service".into(), json!(name));
                let sev = if public { Severity::High } else { Severity::Medium };
                self.find(
                    hive,
                    (path, key),
                    ("firewall_remote_service_open", sev),
                    txt::FIREWALL_RULE_LETS_ANY_ADDRESS_REACH_A_REMOTE_SERVICE,
                    d,
                );
            }
        }
    }

    /// The SAM hive: local accounts (name, RID, last logon, password last set, disabled, logon
    /// and failed counts) from each user's F and V values.
    pub fn sam(&mut self, hive: &mut Hive, path: &str) {
        let users = "SAM\\Domains\\Account\\Users";
        for rid_hex in hive.subkeys(users) {
            let Ok(rid) = u32::from_str_radix(&rid_hex, 16) else { continue };
            let key = format!("{users}\\{rid_hex}");
            let (Some(Value::Bytes(f)), Some(Value::Bytes(v))) = (hive.value(&key, "F"), hive.value(&key, "V")) else {
                continue;
            };
            let Some(account) = sam_account(rid, &f, &v) else { continue };
            if rid == 501 && account["disabled"] == json!(false) {
                let fl = fields(&[("account", account["name"].as_str().unwrap_or("Guest"))]);
                self.find(hive, (path, &key), ("guest_enabled", Severity::High), txt::GUEST_ACCOUNT_ENABLED, fl);
            }
            let mut account = account;
            account["hive"] = json!(path);
            account["key_last_written"] = json!(hive.last_written(&key));
            self.accounts.push(account);
        }
    }

    /// Amcache.hve: the programs Windows recorded (`Root\\InventoryApplicationFile`, Windows 10
    /// and later), with SHA-1; one in a user-writable place or named like an attacker's tool is a
    /// finding.
    pub fn amcache(&mut self, hive: &mut Hive, path: &str) {
        let root = "Root\\InventoryApplicationFile";
        for id in hive.subkeys(root) {
            let key = format!("{root}\\{id}");
            let Some(file) = hive.text(&key, "LowerCaseLongPath") else { continue };
            let sha1 =
                hive.text(&key, "FileId").map(|f| f.trim_start_matches("0000").to_string()).filter(|f| f.len() == 40);
            let publisher = hive.text(&key, "Publisher").unwrap_or_default();
            let seen = hive.last_written(&key);
            let program = json!({ "path": file, "sha1": sha1, "name": hive.text(&key, "Name"), "publisher": publisher,
                                  "version": hive.text(&key, "Version"), "link_date": hive.text(&key, "LinkDate"),
                                  "key_last_written": seen, "hive": path });
            if let Some(sev) = run_concern(&file) {
                let title =
                    if sev == Severity::High { txt::TOOL_RAN_AMCACHE } else { txt::USER_WRITABLE_PROGRAM_RAN_AMCACHE };
                let f =
                    fields(&[("program", &file), ("sha1", sha1.as_deref().unwrap_or("")), ("publisher", &publisher)]);
                self.find(hive, (path, &key), ("amcache_program", sev), title, f);
            }
            if let Some((product, kind)) = product_of(&file) {
                let d = fields(&[("program", &file), ("seen", seen.as_deref().unwrap_or(""))]);
                self.connect(kind, product, format!("{path}\\{key}"), d);
            }
            self.programs.push(program);
        }
    }

    /// A user's NTUSER.DAT: the user's Run keys, and a wallpaper ransomware set.
    pub fn user(&mut self, hive: &mut Hive, path: &str, user: &str) {
        for run in [
            "Software\\Microsoft\\Windows\\CurrentVersion\\Run",
            "Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce",
        ] {
            self.run_key(hive, path, run, user);
        }
        let desktop = "Control Panel\\Desktop";
        if let Some(wallpaper) = hive.text(desktop, "Wallpaper").filter(|w| !w.trim().is_empty())
            && let Some((sev, why)) = wallpaper_concern(&wallpaper)
        {
            let f = fields(&[("wallpaper", &wallpaper), ("why", why), ("scope", user)]);
            self.find(hive, (path, desktop), ("ransom_wallpaper", sev), txt::RANSOM_WALLPAPER, f);
        }
    }

    fn run_key(&mut self, hive: &mut Hive, path: &str, key: &str, scope: &str) {
        for (name, value) in hive.values(key) {
            let command = match value {
                Value::Text(s) => s,
                Value::Texts(v) => v.join(" "),
                _ => continue,
            };
            // Per-user installs (OneDrive, Teams …) live in AppData too: a user-writable place
            // alone is worth a look, a shell or script is worth more.
            let sev = if shell_or_script(&command) {
                Severity::High
            } else if user_writable(&command) {
                Severity::Medium
            } else {
                Severity::Low
            };
            if let Some((product, kind)) = product_of(&command) {
                let d = fields(&[("autostart", &name), ("command", &command)]);
                self.connect(kind, product, format!("{path}\\{key}"), d);
            }
            let f = fields(&[("name", &name), ("command", &command), ("scope", scope)]);
            self.find(hive, (path, key), ("autostart", sev), txt::AUTOSTART_ENTRY_RUN_KEY, f);
        }
    }
}

/// One local account from its SAM `F` (fixed) and `V` (variable) values.
fn sam_account(rid: u32, f: &[u8], v: &[u8]) -> Option<Json> {
    let u16_at = |b: &[u8], at: usize| b.get(at..at + 2).map(|x| u16::from_le_bytes([x[0], x[1]]));
    let u32_at = |b: &[u8], at: usize| b.get(at..at + 4).map(|x| u32::from_le_bytes([x[0], x[1], x[2], x[3]]));
    let time_at = |at: usize| {
        let t = f.get(at..at + 8).map(|x| u64::from_le_bytes([x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]]))?;
        crate::clock::filetime_string(t)
    };
    // V starts with (offset, length, unknown) triples; data offsets count from 0xCC.
    let text = |entry: usize| -> Option<String> {
        let offset = u32_at(v, entry * 12)? as usize + 0xCC;
        let len = u32_at(v, entry * 12 + 4)? as usize;
        let bytes = v.get(offset..offset.checked_add(len)?)?;
        let units: Vec<u16> = bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        Some(String::from_utf16_lossy(&units))
    };
    let name = text(1)?;
    let flags = u16_at(f, 0x38)?;
    Some(json!({
        "name": name,
        "full_name": text(2).filter(|s| !s.is_empty()),
        "rid": rid,
        "disabled": flags & 0x0001 != 0,
        "password_not_required": flags & 0x0004 != 0,
        "last_logon": time_at(0x08),
        "password_last_set": time_at(0x18),
        "last_failed_logon": time_at(0x28),
        "failed_count": u16_at(f, 0x40),
        "logon_count": u16_at(f, 0x42),
    }))
}

/// One Windows Firewall rule as the registry stores it:
/// `v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=3389|App=…|Name=…|` (keys may repeat).
struct FirewallRule<'a>(Vec<(&'a str, &'a str)>);

impl<'a> FirewallRule<'a> {
    fn parse(text: &'a str) -> FirewallRule<'a> {
        FirewallRule(text.split('|').filter_map(|part| part.split_once('=')).collect())
    }

    fn get(&self, key: &str) -> Option<&'a str> {
        self.0.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| *v)
    }

    fn all(&self, key: &str) -> Vec<&'a str> {
        self.0.iter().filter(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| *v).collect()
    }
}

/// Whether a rule's port (`3389`, `5900-5905`) covers `port`.
fn port_in(range: &str, port: u16) -> bool {
    match range.split_once('-') {
        Some((lo, hi)) => match (lo.trim().parse::<u16>(), hi.trim().parse::<u16>()) {
            (Ok(lo), Ok(hi)) => (lo..=hi).contains(&port),
            _ => false,
        },
        None => range.trim().parse::<u16>() == Ok(port),
    }
}

fn protocol_name(p: &str) -> String {
    match p {
        "6" => "TCP".into(),
        "17" => "UDP".into(),
        other => other.into(),
    }
}

/// A servicing package's CurrentState.
fn package_state(state: u64) -> &'static str {
    match state {
        0x00 => "absent",
        0x05 => "uninstall_pending",
        0x20 => "resolved",
        0x30 => "staging",
        0x40 => "staged",
        0x50 => "superseded",
        0x60 => "install_pending",
        0x65 => "partially_installed",
        0x70 => "installed",
        0x80 => "permanent",
        _ => "other",
    }
}

fn fields(pairs: &[(&str, &str)]) -> Map<String, Json> {
    pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.to_string(), json!(v))).collect()
}

fn start_name(start: u64) -> &'static str {
    match start {
        0 => "boot",
        1 => "system",
        2 => "automatic",
        3 => "manual",
        4 => "disabled",
        _ => "unknown",
    }
}

/// File names of tools ransomware operators bring (credential dumpers, scanners, remote
/// execution, exfiltration, tunnels).
/// An update's KB number in a servicing package's name.
pub(super) static KB: LazyLock<Regex> =
    LazyLock::new(|| crate::bundled::fixed(r"(?i)\bKB(\d{6,8})\b|_for_KB(\d{6,8})"));
pub(super) static TOOL_NAMES: LazyLock<Regex> = LazyLock::new(|| {
    crate::bundled::fixed(
        r"(?i)^(mimikatz|mimidrv|procdump(64)?|nanodump|lazagne|psexec(64)?|paexec|remcom|adfind|advanced_ip_scanner|advanced ip scanner|netscan|nmap|masscan|angryip|rclone|megasync|mega-cmd|plink|ngrok|chisel|sharphound|bloodhound|rubeus|kerbrute|cobaltstrike|beacon|gmer|pchunter|powertool|defendercontrol|dcontrol)(\.exe)?$",
    )
});

pub(super) static SHELL_OR_SCRIPT: LazyLock<Regex> = LazyLock::new(|| {
    crate::bundled::fixed(
        r"(?i)(%comspec%|\bcmd(\.exe)?\s+/[ck]|powershell|pwsh|mshta|rundll32|regsvr32|wscript|cscript|\\users\\public\\|\\temp\\|\.(bat|cmd|ps1|vbs|vbe|js|jse|hta|wsf)\b)",
    )
});

/// A command that runs a shell or a script, or from Public or Temp.
fn shell_or_script(command: &str) -> bool {
    SHELL_OR_SCRIPT.is_match(command)
}

/// Whether a program that ran deserves a look: `high` when its name is an attacker's tool's,
/// `low` when it ran from a user-writable place.
pub fn run_concern(path: &str) -> Option<Severity> {
    let name = path.rsplit(['\\', '/']).next().unwrap_or(path);
    if TOOL_NAMES.is_match(name) {
        Some(Severity::High)
    } else if user_writable(path) {
        Some(Severity::Low)
    } else {
        None
    }
}

/// Whether a desktop wallpaper looks set by ransomware (many families paint their note on the
/// desktop): `high` when its file name is a ransom note's or speaks of decrypting, `medium` when
/// it lies where no wallpaper a person chose does (a temporary folder, the root of ProgramData,
/// the public profile, the root of a volume, the recycle bin). Windows' own images and the copy
/// it keeps of a chosen one (`Themes\TranscodedWallpaper`) are nothing.
pub fn wallpaper_concern(path: &str) -> Option<(Severity, &'static str)> {
    let p = path.trim().trim_matches('"').to_lowercase().replace('/', "\\");
    if p.contains("\\windows\\web\\") || p.contains("\\microsoft\\windows\\themes\\") {
        return None;
    }
    let name = p.rsplit('\\').next().unwrap_or(&p);
    if crate::ransomware::notes::match_name(name).is_some() || RANSOM_WORDS.is_match(name) {
        return Some((Severity::High, "note_name"));
    }
    let parts: Vec<&str> = p.split('\\').filter(|x| !x.is_empty()).collect();
    let unusual = p.contains("\\temp\\")
        || p.contains("%temp%")
        || p.contains("\\$recycle.bin\\")
        || p.contains("\\users\\public\\")
        || (parts.len() == 3 && parts[1] == "programdata")
        || parts.len() == 2;
    unusual.then_some((Severity::Medium, "unusual_location"))
}

/// Words of a ransom image's file name.
static RANSOM_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    crate::bundled::fixed(r"(?i)(decrypt|ransom|encrypt|locked|restore|recover|readme|read_me|how[_ -]?to)")
});

/// A Windows path in a place ordinary users can write.
pub fn user_writable(path: &str) -> bool {
    let p = path.to_lowercase().replace('/', "\\");
    let writable = [
        "\\users\\",
        "\\appdata\\",
        "\\temp\\",
        "\\tmp\\",
        "\\perflogs\\",
        "\\$recycle.bin\\",
        "%appdata%",
        "%temp%",
        "%localappdata%",
        "%userprofile%",
        "%public%",
    ]
    .iter()
    .any(|m| p.contains(m));
    let programdata_root = PROGRAMDATA_ROOT.is_match(&p);
    (writable && !p.contains("\\users\\default\\")) || programdata_root
}

/// A program directly in ProgramData (not in a vendor's folder there).
pub(super) static PROGRAMDATA_ROOT: LazyLock<Regex> =
    LazyLock::new(|| crate::bundled::fixed(r"(?i)\\programdata\\[^\\]+\.(exe|dll|bat|ps1|vbs)\b"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_load_and_match() {
        assert!(products_checked().unwrap() >= 25);
        assert_eq!(product_of("AnyDesk"), Some(("AnyDesk", "remote_access")));
        assert_eq!(product_of("C:\\Program Files\\Fortinet\\FortiClient\\FortiClient.exe").map(|p| p.1), Some("vpn"));
        assert_eq!(product_of("AteraAgent"), Some(("Atera", "rmm")));
        assert_eq!(product_of("7-Zip 23.01 (x64)"), None);
        assert_eq!(product_of("Microsoft Edge"), None);
    }

    #[test]
    fn shells_and_scripts() {
        assert!(shell_or_script("cmd.exe /c start x"));
        assert!(shell_or_script("wscript.exe C:\\x\\a.vbs"));
        assert!(!shell_or_script("C:\\Users\\a\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe /background"));
    }

    #[test]
    fn wallpapers_set_by_ransomware_and_chosen_ones() {
        assert_eq!(wallpaper_concern("C:\\ProgramData\\HOW_TO_DECRYPT.bmp").map(|c| c.0), Some(Severity::High));
        assert_eq!(
            wallpaper_concern("C:\\Users\\a\\AppData\\Local\\Temp\\x8f3k.jpg").map(|c| c.0),
            Some(Severity::Medium)
        );
        assert_eq!(wallpaper_concern("C:\\ProgramData\\wall.bmp").map(|c| c.0), Some(Severity::Medium));
        assert_eq!(wallpaper_concern("C:\\lock.bmp").map(|c| c.0), Some(Severity::Medium));
        for chosen in [
            "C:\\Windows\\Web\\Wallpaper\\Windows\\img0.jpg",
            "C:\\Users\\a\\AppData\\Roaming\\Microsoft\\Windows\\Themes\\TranscodedWallpaper",
            "C:\\Users\\a\\Pictures\\家族旅行.jpg",
            "C:\\ProgramData\\Hospital\\branding\\desktop.png",
        ] {
            assert_eq!(wallpaper_concern(chosen), None, "{chosen}");
        }
    }

    #[test]
    fn user_writable_places() {
        assert!(user_writable("C:\\Users\\Public\\svc.exe"));
        assert!(user_writable("%APPDATA%\\x\\y.exe"));
        assert!(user_writable("C:\\ProgramData\\upd.exe"));
        assert!(!user_writable("C:\\ProgramData\\Vendor\\bin\\agent.exe"));
        assert!(!user_writable("\"C:\\Program Files\\Vendor\\spool.exe\""));
        assert!(!user_writable("%SystemRoot%\\System32\\svchost.exe -k netsvcs"));
    }
}
