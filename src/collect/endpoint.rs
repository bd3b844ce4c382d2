//! The endpoint: its id in the case, and `endpoint.json`, what is known of the machine —
//! from /etc on Linux, from the SYSTEM and SOFTWARE hives on Windows (transaction logs
//! applied). What could not be determined is listed, so nobody reads absence as "none".

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::catalogue::Os;
use super::plan::find;
use super::read;
use crate::case::layout::ENDPOINT_FILE;
use crate::clock;
use crate::error::{Error, Result};
use crate::formats::registry::Hive;

/// Largest hive read for these facts.
const HIVE_LIMIT: u64 = 1 << 30;

/// `endpoint.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Endpoint {
    /// Id in the case.
    pub id: String,
    /// Where the evidence was read from.
    pub source: String,
    /// The system the source holds.
    pub os: Os,
    /// Host name, as the source records it.
    pub hostname: Option<String>,
    /// OS name and version (Windows: product, version and build).
    pub os_release: Option<String>,
    /// Installed (UTC), where the system records it.
    #[serde(default)]
    pub install_date: Option<String>,
    /// Time zone setting of the system.
    pub time_zone: Option<String>,
    /// Last clean shutdown (UTC), where the system records it.
    #[serde(default)]
    pub last_shutdown: Option<String>,
    /// The volume and disk as opened: device, filesystem, NTFS state (hibernated, dirty),
    /// BitLocker, the disk's model, serial and size.
    pub volume: Value,
    /// Network interfaces: live, from the host; offline Windows, from the Tcpip interface keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nics: Vec<Value>,
    /// Problems met while reading these facts (a corrupt hive, say).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Last collection (host clock, UTC).
    pub collected_at: String,
    /// Facts not determined from this source.
    pub not_determined: Vec<String>,
}

/// What the source says about the machine, before it is written down.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    hostname: Option<String>,
    os_release: Option<String>,
    install_date: Option<String>,
    time_zone: Option<String>,
    last_shutdown: Option<String>,
    nics: Vec<Value>,
    notes: Vec<String>,
}

/// Reads the facts from the source at `root`.
pub fn facts(root: &Path, os: Os) -> Facts {
    match os {
        Os::Linux => Facts {
            hostname: first_line(&root.join("etc/hostname")),
            os_release: os_release(root),
            time_zone: first_line(&root.join("etc/timezone")),
            ..Facts::default()
        },
        // A parser bug on a hostile hive must cost these facts, not the collection.
        Os::Windows => std::panic::catch_unwind(|| windows(root)).unwrap_or_else(|_| Facts {
            notes: vec!["the registry reader failed on this system's hives".into()],
            ..Facts::default()
        }),
    }
}

/// The endpoint id: as given, else the source's host name.
pub fn id(given: Option<&str>, facts: &Facts) -> Result<String> {
    let raw = match given {
        Some(g) => g.to_string(),
        None => facts.hostname.clone().ok_or_else(|| Error::EndpointId {
            reason: "the source records no host name that shodo can read".into(),
        })?,
    };
    clean_id(&raw)
}

/// An endpoint id usable as a folder of the case: letters, digits and `-_.`, others as `_`.
pub fn clean_id(raw: &str) -> Result<String> {
    let id: String =
        raw.trim().chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    if id.is_empty() || id.chars().all(|c| c == '.') {
        return Err(Error::EndpointId { reason: format!("{raw:?} is not usable as a directory name") });
    }
    Ok(id)
}

/// `endpoint.json` for this collection.
pub fn describe(id: &str, facts: &Facts, opts: &super::Options, os: Os) -> Endpoint {
    let mut nics = facts.nics.clone();
    if opts.live {
        nics = live_nics();
    }
    let known = [
        ("hostname", facts.hostname.is_some()),
        ("os_release", facts.os_release.is_some()),
        ("install_date", facts.install_date.is_some()),
        ("time_zone", facts.time_zone.is_some()),
        ("last_shutdown", facts.last_shutdown.is_some()),
        ("nics", !nics.is_empty()),
        ("disk", opts.source_detail.get("disk").is_some_and(|d| !d.is_null())),
    ];
    Endpoint {
        id: id.to_string(),
        source: opts.origin.display().to_string(),
        os,
        hostname: facts.hostname.clone(),
        os_release: facts.os_release.clone(),
        install_date: facts.install_date.clone(),
        time_zone: facts.time_zone.clone(),
        last_shutdown: facts.last_shutdown.clone(),
        volume: opts.source_detail.clone(),
        nics,
        notes: facts.notes.clone(),
        collected_at: clock::utc_string(clock::now()),
        not_determined: known.iter().filter(|(_, k)| !k).map(|(n, _)| n.to_string()).collect(),
    }
}

fn first_line(path: &Path) -> Option<String> {
    let text = read::small_text(path, 64 * 1024)?;
    text.lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_string)
}

fn os_release(root: &Path) -> Option<String> {
    let text = read::small_text(&root.join("etc/os-release"), 64 * 1024)
        .or_else(|| read::small_text(&root.join("usr/lib/os-release"), 64 * 1024))?;
    text.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=")).map(|v| v.trim_matches('"').to_string())
}

/// Opens a hive of the source with its transaction logs (read the same way as evidence).
fn hive(root: &Path, name: &str, notes: &mut Vec<String>) -> Option<Hive> {
    let dir = "Windows/System32/config";
    let primary = find(root, &format!("{dir}/{name}"), Os::Windows)?;
    let bytes = |p: &PathBuf| -> Option<Vec<u8>> {
        let mut out = Vec::new();
        read::open_evidence(&root.join(p)).ok()?.take(HIVE_LIMIT).read_to_end(&mut out).ok()?;
        Some(out)
    };
    let logs: Vec<Vec<u8>> = ["LOG1", "LOG2"]
        .iter()
        .filter_map(|ext| find(root, &format!("{dir}/{name}.{ext}"), Os::Windows))
        .filter_map(|p| bytes(&p))
        .filter(|b| !b.is_empty())
        .collect();
    match Hive::parse(bytes(&primary)?, logs) {
        Ok(h) => Some(h),
        Err(e) => {
            notes.push(format!("{name} hive could not be read: {e}"));
            None
        }
    }
}

fn windows(root: &Path) -> Facts {
    let mut f = Facts::default();
    if let Some(mut system) = hive(root, "SYSTEM", &mut f.notes) {
        system_facts(&mut system, &mut f);
    }
    if let Some(mut software) = hive(root, "SOFTWARE", &mut f.notes) {
        let cv = r"Microsoft\Windows NT\CurrentVersion";
        let product = software.text(cv, "ProductName");
        let version = software.text(cv, "DisplayVersion").or_else(|| software.text(cv, "ReleaseId"));
        let build = software.text(cv, "CurrentBuildNumber").or_else(|| software.text(cv, "CurrentBuild"));
        let ubr = software.number(cv, "UBR");
        let build = build.map(|b| ubr.map_or(b.clone(), |u| format!("{b}.{u}")));
        let parts: Vec<String> =
            [product, version, build.map(|b| format!("(build {b})"))].into_iter().flatten().collect();
        f.os_release = (!parts.is_empty()).then(|| parts.join(" "));
        f.install_date = software
            .number(cv, "InstallDate")
            .and_then(|s| chrono::DateTime::from_timestamp(s as i64, 0))
            .map(clock::utc_string);
    }
    f
}

fn system_facts(system: &mut Hive, f: &mut Facts) {
    let Some(cs) = system.current_control_set() else {
        f.notes.push("SYSTEM hive has no Select\\Current".into());
        return;
    };
    f.hostname = system
        .text(&format!(r"{cs}\Control\ComputerName\ComputerName"), "ComputerName")
        .or_else(|| system.text(&format!(r"{cs}\Services\Tcpip\Parameters"), "Hostname"));
    f.time_zone = system.text(&format!(r"{cs}\Control\TimeZoneInformation"), "TimeZoneKeyName");
    f.last_shutdown = match system.value(&format!(r"{cs}\Control\Windows"), "ShutdownTime") {
        Some(crate::formats::registry::Value::Bytes(b)) if b.len() == 8 => {
            crate::clock::filetime_string(u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
        }
        _ => None,
    };
    let interfaces = format!(r"{cs}\Services\Tcpip\Parameters\Interfaces");
    for guid in system.subkeys(&interfaces) {
        let key = format!(r"{interfaces}\{guid}");
        let dhcp = system.number(&key, "EnableDHCP") == Some(1);
        let address = if dhcp { system.text(&key, "DhcpIPAddress") } else { system.text(&key, "IPAddress") };
        let Some(address) = address.filter(|a| !a.is_empty() && a != "0.0.0.0") else { continue };
        let gateway = if dhcp { system.text(&key, "DhcpDefaultGateway") } else { system.text(&key, "DefaultGateway") };
        f.nics.push(json!({ "interface": guid, "address": address, "dhcp": dhcp, "gateway": gateway,
                            "dhcp_server": system.text(&key, "DhcpServer") }));
    }
}

/// The running host's interfaces: addresses from `ip -j addr` (iproute2).
fn live_nics() -> Vec<Value> {
    let out = std::process::Command::new("ip").args(["-j", "addr", "show"]).output();
    let addrs: Vec<Value> = out.ok().and_then(|o| serde_json::from_slice(&o.stdout).ok()).unwrap_or_default();
    addrs
        .iter()
        .map(|a| {
            let ips: Vec<String> = a["addr_info"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|i| Some(format!("{}/{}", i["local"].as_str()?, i["prefixlen"].as_u64()?)))
                .collect();
            json!({ "name": a["ifname"], "mac": a["address"], "state": a["operstate"], "addresses": ips })
        })
        .collect()
}

/// Reads an existing `endpoint.json`.
pub fn read(dir: &Path) -> Option<Endpoint> {
    serde_json::from_slice(&fs::read(dir.join(ENDPOINT_FILE)).ok()?).ok()
}
