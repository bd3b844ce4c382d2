//! The endpoint: its id in the case, and `endpoint.json`, what is known of the machine.
//!
//! Facts that need the registry (Windows hostname, build, install date, NICs) are listed under
//! `not_determined` until the registry reader provides them; nothing is guessed.

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::catalogue::Os;
use super::read;
use crate::clock;
use crate::error::{Error, Result};

/// File name in the endpoint directory.
pub const ENDPOINT_FILE: &str = "endpoint.json";

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
    /// OS name and version.
    pub os_release: Option<String>,
    /// Time zone setting of the system.
    pub time_zone: Option<String>,
    /// The volume and disk as opened: device, filesystem, NTFS state (hibernated, dirty),
    /// the disk's model, serial and size.
    pub volume: serde_json::Value,
    /// Network interfaces (live collection only): name, MAC, addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nics: Vec<serde_json::Value>,
    /// Last collection (host clock, UTC).
    pub collected_at: String,
    /// Facts not determined from this source (yet), so nobody reads absence as "none".
    pub not_determined: Vec<String>,
}

/// The endpoint id: as given, else the source's host name.
pub fn id(given: Option<&str>, root: &Path, os: Os) -> Result<String> {
    let raw = match given {
        Some(g) => g.to_string(),
        None => hostname(root, os).ok_or_else(|| Error::EndpointId {
            reason: "the source records no host name that shodo can read".into(),
        })?,
    };
    let id: String =
        raw.trim().chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    if id.is_empty() || id.chars().all(|c| c == '.') {
        return Err(Error::EndpointId { reason: format!("{raw:?} is not usable as a directory name") });
    }
    Ok(id)
}

fn hostname(root: &Path, os: Os) -> Option<String> {
    match os {
        Os::Linux => first_line(&root.join("etc/hostname")),
        Os::Windows => None,
    }
}

fn first_line(path: &Path) -> Option<String> {
    let text = read::small_text(path, 64 * 1024)?;
    text.lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_string)
}

/// What the source says about the machine.
pub fn describe(id: &str, root: &Path, opts: &super::Options, os: Os) -> Endpoint {
    let (os_release, time_zone, mut missing) = match os {
        Os::Linux => (os_release(root), first_line(&root.join("etc/timezone")), vec!["install_date", "last_shutdown"]),
        Os::Windows => (None, None, vec!["hostname", "os_build", "install_date", "time_zone", "last_shutdown"]),
    };
    let interfaces = if opts.live { nics() } else { Vec::new() };
    if interfaces.is_empty() {
        missing.push("nics");
    }
    if opts.source_detail.get("disk").is_none_or(|d| d.is_null()) {
        missing.push("disk");
    }
    Endpoint {
        id: id.to_string(),
        source: opts.origin.display().to_string(),
        os,
        hostname: hostname(root, os),
        os_release,
        time_zone,
        volume: opts.source_detail.clone(),
        nics: interfaces,
        collected_at: clock::utc_string(clock::now()),
        not_determined: missing.into_iter().map(str::to_string).collect(),
    }
}

fn os_release(root: &Path) -> Option<String> {
    let text = read::small_text(&root.join("etc/os-release"), 64 * 1024)
        .or_else(|| read::small_text(&root.join("usr/lib/os-release"), 64 * 1024))?;
    text.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=")).map(|v| v.trim_matches('"').to_string())
}

/// The running host's interfaces: MAC from sysfs, addresses from `ip -j addr` (iproute2).
fn nics() -> Vec<serde_json::Value> {
    let out = std::process::Command::new("ip").args(["-j", "addr", "show"]).output();
    let addrs: Vec<serde_json::Value> =
        out.ok().and_then(|o| serde_json::from_slice(&o.stdout).ok()).unwrap_or_default();
    addrs
        .iter()
        .map(|a| {
            let ips: Vec<String> = a["addr_info"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|i| Some(format!("{}/{}", i["local"].as_str()?, i["prefixlen"].as_u64()?)))
                .collect();
            serde_json::json!({ "name": a["ifname"], "mac": a["address"], "state": a["operstate"], "addresses": ips })
        })
        .collect()
}

/// Reads an existing `endpoint.json`.
pub fn read(dir: &Path) -> Option<Endpoint> {
    serde_json::from_slice(&fs::read(dir.join(ENDPOINT_FILE)).ok()?).ok()
}
