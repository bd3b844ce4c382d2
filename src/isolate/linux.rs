//! Live Linux isolation: one nftables table of shodo's own (`inet shodo_isolation`) with input,
//! output and forward chains at policy drop. Only loopback, IPv6 neighbour discovery (without
//! which no IPv6 address on the link answers) and the pinned management IP:port pairs pass:
//! this host may open connections to them and receive their replies, nothing else — no DNS,
//! nothing inbound. A drop in any base chain drops the packet whatever other tables accept, so
//! the table holds however the host's own firewall is set. Loaded in one `nft -f` transaction
//! that replaces an earlier shodo table atomically; rollback deletes exactly that table.

use std::io::Write;
use std::net::SocketAddr;
use std::process::{Command, Stdio};

use super::{Change, Done, probe_all, verdict};
use crate::error::{Error, Result};
use crate::isolate::strings as txt;
use crate::lang::Text;

/// The table's family and name.
pub const TABLE: &str = "inet shodo_isolation";

/// The ruleset that isolates this host but for `allow`.
pub fn ruleset(allow: &[SocketAddr]) -> String {
    let (mut input, mut output) = (String::new(), String::new());
    for a in allow {
        let (family, ip, port) = match a {
            SocketAddr::V4(v4) => ("ip", v4.ip().to_string(), v4.port()),
            SocketAddr::V6(v6) => ("ip6", v6.ip().to_string(), v6.port()),
        };
        output.push_str(&format!(
            "\t\t{family} daddr {ip} meta l4proto {{ tcp, udp }} th dport {port} ct state new,established accept\n"
        ));
        input.push_str(&format!(
            "\t\t{family} saddr {ip} meta l4proto {{ tcp, udp }} th sport {port} ct state established accept\n"
        ));
    }
    let nd = "\t\ticmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept\n";
    let chain = |name: &str, lo: &str, rules: &str| {
        format!("\tchain {name} {{\n\t\ttype filter hook {name} priority filter - 10; policy drop;\n{lo}{rules}\t}}\n")
    };
    format!(
        "table {TABLE} {{\n{}{}{}}}\n",
        chain("input", &format!("\t\tiif \"lo\" accept\n{nd}"), &input),
        chain("output", &format!("\t\toif \"lo\" accept\n{nd}"), &output),
        chain("forward", "", "")
    )
}

/// The transaction that loads the ruleset: an earlier shodo table is replaced, never merged.
pub fn transaction(allow: &[SocketAddr]) -> String {
    format!("add table {TABLE}\ndelete table {TABLE}\n{}", ruleset(allow))
}

/// `nft` ran and refused, in its own words (its standard error).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{stderr}")]
pub struct NftRefused {
    /// What nft wrote to its standard error.
    pub stderr: String,
}

/// Runs `nft` with `args`, `stdin` fed to it; its standard output, or `Ok(Err)` when it ran and
/// refused (the outer error: it could not be run).
fn nft(args: &[&str], stdin: Option<&str>) -> Result<std::result::Result<String, NftRefused>> {
    let missing = |e: std::io::Error| Error::Io { op: "run nft (nftables)", path: "nft".into(), source: e };
    let mut child = Command::new("nft")
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(missing)?;
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(text.as_bytes()).map_err(missing)?;
    }
    let out = child.wait_with_output().map_err(missing)?;
    Ok(if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(NftRefused { stderr: String::from_utf8_lossy(&out.stderr).trim().to_string() })
    })
}

/// Loads the table (one atomic transaction: all of it or nothing).
pub fn apply(allow: &[SocketAddr]) -> Result<std::result::Result<(), NftRefused>> {
    Ok(nft(&["-f", "-"], Some(&transaction(allow)))?.map(drop))
}

/// The table as the kernel holds it (`nft -j list table`), or `None` when it is not there.
pub fn current() -> Result<Option<serde_json::Value>> {
    let (family, name) = TABLE.split_once(' ').unwrap_or(("inet", TABLE));
    match nft(&["-j", "list", "table", family, name], None)? {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| Error::Corrupt { path: "nft -j list table".into(), what: e.to_string() }),
        Err(why) if why.stderr.contains("No such file or directory") => Ok(None),
        Err(why) => Err(Error::Io {
            op: "list the isolation table with nft",
            path: "nft".into(),
            source: std::io::Error::other(why),
        }),
    }
}

/// The table's chains and rules without what changes by itself (handles, nft's version line):
/// what `verify` compares with what was applied.
pub fn essence(listing: &serde_json::Value) -> serde_json::Value {
    let mut items: Vec<serde_json::Value> = listing["nftables"]
        .as_array()
        .map(|a| a.iter().filter(|i| i.get("metainfo").is_none()).cloned().collect())
        .unwrap_or_default();
    for item in &mut items {
        if let Some(obj) = item.as_object_mut().and_then(|o| o.values_mut().next()).and_then(|v| v.as_object_mut()) {
            obj.remove("handle");
        }
    }
    serde_json::Value::Array(items)
}

/// Deletes exactly shodo's table; `Ok(false)` when it was not there.
pub fn rollback() -> Result<bool> {
    if current()?.is_none() {
        return Ok(false);
    }
    let (family, name) = TABLE.split_once(' ').unwrap_or(("inet", TABLE));
    match nft(&["delete", "table", family, name], None)? {
        Ok(_) => Ok(true),
        Err(why) => Err(Error::Io {
            op: "delete the isolation table with nft",
            path: "nft".into(),
            source: std::io::Error::other(why),
        }),
    }
}

/// What the kernel holds now, compact, and its SHA-256 (what the journal records).
fn snapshot() -> Result<(Option<serde_json::Value>, Option<String>)> {
    let now = current()?;
    let sha = now.as_ref().map(|v| crate::hash::sha256_hex(v.to_string().as_bytes()));
    Ok((now, sha))
}

fn change(old: Option<serde_json::Value>, new: Option<serde_json::Value>, new_sha256: Option<String>) -> Change {
    Change { target: format!("nftables table {TABLE}"), old, new, new_sha256, ..Change::default() }
}

/// A text about shodo's table, in both languages.
fn about_the_table(text: Text) -> (String, String) {
    text.both(|_| vec![("table", TABLE.to_string())])
}

/// Loads the table, reads it back from the kernel and confirms it both ways with `probes`
/// (kept pairs must get through, the `blocked` ones must not). A refused ruleset changes
/// nothing (one transaction); a failed confirmation leaves the table in place (fail closed).
pub fn apply_action(allow: &[SocketAddr], blocked: &[SocketAddr]) -> Result<Done> {
    let (old, _) = snapshot()?;
    if let Err(why) = apply(allow)? {
        let (ja, en) = txt::NFT_REFUSED_THE_RULESET.both(|_| vec![("why", why.to_string())]);
        return Err(Error::Refused { ja, en });
    }
    let (new, sha) = snapshot()?;
    let loaded = new.as_ref().map(essence).is_some_and(|e| {
        e.as_array().is_some_and(|items| items.iter().filter(|i| i["chain"]["policy"] == "drop").count() == 3)
    });
    let probes = probe_all(allow, blocked);
    let verified = if loaded { verdict(&probes) } else { Some(false) };
    let mut notes = Vec::new();
    if verified == Some(false) {
        notes.push(txt::THE_ISOLATION_COULD_NOT_BE_CONFIRMED.both(|_| Vec::new()));
    }
    Ok(Done { changes: vec![change(old, new, sha)], probes, verified, notes, ..Done::default() })
}

/// Whether the table applied (`applied`, as the journal recorded it) is still there, unchanged,
/// and still holds both ways. Notes say what is wrong.
pub fn verify_action(applied: &serde_json::Value, allow: &[SocketAddr], blocked: &[SocketAddr]) -> Result<Done> {
    let mut notes = Vec::new();
    let intact = match current()? {
        None => {
            notes.push(about_the_table(txt::THE_TABLE_IS_GONE));
            false
        }
        Some(now) if essence(&now) != essence(applied) => {
            notes.push(about_the_table(txt::THE_TABLE_WAS_CHANGED));
            false
        }
        Some(_) => true,
    };
    let probes = probe_all(allow, blocked);
    let verified = if intact { verdict(&probes) } else { Some(false) };
    Ok(Done { changes: Vec::new(), probes, verified, notes, ..Done::default() })
}

/// Deletes exactly shodo's table and confirms it is gone; the change for the journal.
pub fn rollback_action() -> Result<Done> {
    let (old, _) = snapshot()?;
    let existed = rollback()?;
    if current()?.is_some() {
        let (ja, en) = about_the_table(txt::THE_TABLE_COULD_NOT_BE_DELETED);
        return Err(Error::Refused { ja, en });
    }
    let notes = if existed { Vec::new() } else { vec![about_the_table(txt::THE_TABLE_WAS_ALREADY_GONE)] };
    Ok(Done { changes: vec![change(old, None, None)], notes, ..Done::default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ruleset_drops_everything_but_loopback_and_the_pinned_pairs() {
        let allow: Vec<SocketAddr> = vec!["192.0.2.10:22".parse().unwrap(), "[2001:db8::10]:443".parse().unwrap()];
        let r = ruleset(&allow);
        assert_eq!(r.matches("policy drop;").count(), 3);
        assert!(
            r.contains("ip daddr 192.0.2.10 meta l4proto { tcp, udp } th dport 22 ct state new,established accept")
        );
        assert!(
            r.contains("ip6 saddr 2001:db8::10 meta l4proto { tcp, udp } th sport 443 ct state established accept")
        );
        assert!(!r.contains("dport 53"), "no DNS to anywhere");
        // Established traffic only for the pinned pairs, never for everyone.
        assert!(r.lines().filter(|l| l.contains("ct state")).all(|l| l.contains("addr ")));
        // Nothing is accepted inbound but replies from the pinned pairs.
        let input = &r[r.find("chain input").unwrap()..r.find("chain output").unwrap()];
        assert!(!input.contains("ct state new"));
        assert!(transaction(&allow).starts_with("add table inet shodo_isolation\ndelete table inet shodo_isolation\n"));
    }
}
