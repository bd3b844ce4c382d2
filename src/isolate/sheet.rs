//! The printable sheet for the network team: which endpoint, which addresses, what to shut at the
//! switch, and where its isolation stands — one A4 page, no external resources, Japanese and
//! English. Made from what the case already holds (`endpoint.json` and the isolation journal);
//! what the evidence does not say (an offline Windows disk records no MAC address) is said so,
//! with how to find it, and the switch and port are left for the network team to write in.

use crate::isolate::strings as txt;
use crate::lang::Text;
use std::fmt::Write;
use std::path::Path;

use serde::Serialize;

use super::{Journal, read_journal, standing};
use crate::case::layout;
use crate::case::layout::SHEET;
use crate::case::{CaseWriter, FileRef, NewEntry};
use crate::collect::read_endpoint;
use crate::error::{Error, Result};
use crate::lang::Lang;

/// What the sheet says.
#[derive(Clone, Debug, Serialize)]
pub struct Sheet {
    /// Endpoint id in the case.
    pub endpoint: String,
    /// Host name as the evidence records it.
    pub hostname: Option<String>,
    /// Operating system.
    pub os_release: Option<String>,
    /// Network interfaces.
    pub nics: Vec<Nic>,
    /// The last isolation action (apply or rollback), if any.
    pub isolation: Option<State>,
    /// When the endpoint's facts were collected (UTC).
    pub collected_at: Option<String>,
}

/// One interface, as far as the evidence tells.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Nic {
    /// Interface name (live) or its registry GUID (offline Windows).
    pub name: String,
    /// MAC address, when recorded.
    pub mac: Option<String>,
    /// Addresses (with prefix length when known).
    pub addresses: Vec<String>,
    /// Default gateway.
    pub gateway: Option<String>,
    /// DHCP server, when the address came from one.
    pub dhcp_server: Option<String>,
}

/// Where the endpoint's isolation stands.
#[derive(Clone, Debug, Serialize)]
pub struct State {
    /// apply | rollback.
    pub action: String,
    /// Mode used.
    pub mode: String,
    /// Who, and when (UTC).
    pub actor: String,
    pub utc: String,
    /// Confirmed both ways by the last verification.
    pub verified: Option<bool>,
    /// Management IP:port pairs kept reachable.
    pub allow: Vec<String>,
}

/// The sheet of `endpoint` from the case at `case_dir`.
pub fn sheet(case_dir: &Path, id: &str) -> Result<Sheet> {
    let dir = case_dir.join(layout::ENDPOINTS_DIR).join(id);
    let facts = read_endpoint(&dir);
    let journal = read_journal(case_dir, id)?;
    if facts.is_none() && journal.actions.is_empty() {
        let (ja, en) = txt::ENDPOINT_IS_NOT_IN_THIS_CASE.both(|_| vec![("id", id.to_string())]);
        return Err(Error::Refused { ja, en });
    }
    let nics = facts.as_ref().map(|f| f.nics.iter().map(nic).collect()).unwrap_or_default();
    Ok(Sheet {
        endpoint: id.to_string(),
        hostname: facts.as_ref().and_then(|f| f.hostname.clone()),
        os_release: facts.as_ref().and_then(|f| f.os_release.clone()),
        nics,
        isolation: state(&journal),
        collected_at: facts.map(|f| f.collected_at),
    })
}

/// An interface from `endpoint.json` (live: name, mac, addresses; offline Windows: interface,
/// address, gateway, dhcp_server).
fn nic(v: &serde_json::Value) -> Nic {
    let text = |k: &str| v[k].as_str().filter(|s| !s.is_empty()).map(str::to_string);
    let mut addresses: Vec<String> =
        v["addresses"].as_array().into_iter().flatten().filter_map(|a| a.as_str().map(str::to_string)).collect();
    addresses.extend(text("address"));
    Nic {
        name: text("name").or_else(|| text("interface")).unwrap_or_default(),
        mac: text("mac").filter(|m| m != "00:00:00:00:00:00"),
        addresses,
        gateway: text("gateway"),
        dhcp_server: text("dhcp_server"),
    }
}

fn state(journal: &Journal) -> Option<State> {
    let (last, verified) = standing(journal)?;
    Some(State {
        action: last.action.clone(),
        mode: last.mode.clone(),
        actor: last.actor.clone(),
        utc: last.utc.clone(),
        verified,
        allow: last.allow.clone(),
    })
}

/// Writes the sheet into the case (`endpoints/<id>/network-sheet.html`), on the custody record.
pub fn write(writer: &CaseWriter, sheet: &Sheet, lang: Lang) -> Result<String> {
    let dir = writer.case().dir();
    let rel = format!("{}/{}/{SHEET}", layout::ENDPOINTS_DIR, sheet.endpoint);
    let path = dir.join(&rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(Error::io("create", parent))?;
    }
    crate::case::write_atomic(&path, html(sheet, lang).as_bytes())?;
    let detail = serde_json::json!({ "nics": sheet.nics.len(), "isolation": sheet.isolation });
    writer.record(NewEntry::new("isolate.sheet", &sheet.endpoint, detail).with_files(vec![FileRef::of(dir, &rel)?]))?;
    Ok(rel)
}

/// The sheet as one printable A4 page (HTML, styles inline).
pub fn html(s: &Sheet, lang: Lang) -> String {
    let t = |text: Text| text.get(lang);
    let unknown = t(txt::NOT_RECORDED);
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{} {}</title>\n<style>\
         @page {{ size: A4; margin: 15mm }} body {{ font-family: sans-serif; font-size: 11pt }} \
         h1 {{ font-size: 16pt }} table {{ border-collapse: collapse; width: 100% }} \
         th, td {{ border: 1px solid #000; padding: 4px 6px; text-align: left; vertical-align: top }} \
         .fill {{ height: 2.2em }} .note {{ font-size: 9.5pt }}</style></head><body>",
        lang.code(),
        t(txt::FOR_THE_NETWORK_TEAM),
        esc(&s.endpoint),
    );
    let _ = writeln!(h, "<h1>{}</h1>", t(txt::PLEASE_CUT_OFF_A_SUSPECT_ENDPOINT));
    let _ = writeln!(h, "<p>{}</p>", t(txt::PLEASE_CUT_THIS_ENDPOINT_OFF_AT));
    let _ = writeln!(h, "<table>");
    row(&mut h, t(txt::ENDPOINT_ID), &esc(&s.endpoint));
    row(&mut h, t(txt::HOST_NAME), &esc(s.hostname.as_deref().unwrap_or(unknown)));
    row(&mut h, "OS", &esc(s.os_release.as_deref().unwrap_or(unknown)));
    row(&mut h, t(txt::FACTS_COLLECTED_UTC), &esc(s.collected_at.as_deref().unwrap_or(unknown)));
    let _ = writeln!(h, "</table>\n<h2>{}</h2>", t(txt::NETWORK));
    if s.nics.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", t(txt::THE_EVIDENCE_RECORDS_NO_NETWORK_INTERFACE));
    }
    for n in &s.nics {
        nic_table(&mut h, n, lang);
    }
    let _ = writeln!(h, "<h2>{}</h2>\n<table>", t(txt::ISOLATION_BY_SHODO));
    isolation_rows(&mut h, s.isolation.as_ref(), lang);
    let _ = writeln!(h, "</table>\n<h2>{}</h2>\n<table>", t(txt::TO_BE_FILLED_IN_BY_THE));
    for field in [txt::SWITCH, txt::PORT, txt::SWITCH_ACTION, txt::DONE_BY, txt::DONE_AT, txt::RELEASED_WHEN_BY] {
        let _ = writeln!(h, "<tr><th style=\"width:35%\">{}</th><td class=\"fill\"></td></tr>", t(field));
    }
    let _ = writeln!(h, "</table>\n</body></html>");
    h
}

/// One interface's table.
fn nic_table(h: &mut String, n: &Nic, lang: Lang) {
    let t = |text: Text| text.get(lang);
    let unknown = t(txt::NOT_RECORDED);
    let _ = writeln!(h, "<table>");
    row(h, t(txt::INTERFACE), &esc(&n.name));
    let mac = match &n.mac {
        Some(m) => esc(m),
        None => format!("{unknown} <span class=\"note\">{}</span>", t(txt::AN_OFFLINE_WINDOWS_DISK_DOES_NOT)),
    };
    row(h, t(txt::MAC_ADDRESS), &mac);
    row(h, t(txt::IP_ADDRESSES), &esc(&n.addresses.join(", ")));
    row(h, t(txt::DEFAULT_GATEWAY), &esc(n.gateway.as_deref().unwrap_or("-")));
    if let Some(d) = &n.dhcp_server {
        row(h, t(txt::DHCP_SERVER), &esc(d));
    }
    let _ = writeln!(h, "</table>");
}

/// Where the isolation stands, as table rows.
fn isolation_rows(h: &mut String, isolation: Option<&State>, lang: Lang) {
    let t = |text: Text| text.get(lang);
    match isolation {
        None => row(h, t(txt::STATE), t(txt::NO_ISOLATION_ON_THE_ENDPOINT_IS)),
        Some(i) => {
            // What "confirmed" means depends on the mode: probes both ways on a live host, the
            // values read back from the hives on an offline Windows disk.
            let state = match (i.action.as_str(), i.verified, i.mode.as_str()) {
                ("apply", Some(true), "offline-windows") => t(txt::ISOLATION_WRITTEN_HIVES_READ_BACK_IN),
                ("apply", Some(true), _) => t(txt::ISOLATED_CONFIRMED_BOTH_WAYS),
                ("apply", Some(false), _) => t(txt::ISOLATION_APPLIED_NOT_CONFIRMED),
                ("apply", None, _) => t(txt::ISOLATION_APPLIED_NOT_YET_CONFIRMED),
                _ => t(txt::RELEASED),
            };
            row(h, t(txt::STATE), state);
            row(h, t(txt::MODE), &esc(&i.mode));
            row(h, t(txt::BY_WHEN_UTC), &format!("{} / {}", esc(&i.actor), esc(&i.utc)));
            let allow = if i.allow.is_empty() { "-".to_string() } else { esc(&i.allow.join(", ")) };
            row(h, t(txt::MANAGEMENT_ADDRESSES_KEPT_REACHABLE), &allow);
        }
    }
}

fn row(h: &mut String, label: &str, value: &str) {
    let _ = writeln!(h, "<tr><th style=\"width:35%\">{label}</th><td>{value}</td></tr>");
}

/// Text made safe for HTML.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interfaces_read_from_live_and_offline_facts() {
        let live =
            nic(&serde_json::json!({ "name": "eth0", "mac": "52:54:00:12:34:56", "addresses": ["10.0.0.5/24"] }));
        assert_eq!((live.name.as_str(), live.mac.as_deref()), ("eth0", Some("52:54:00:12:34:56")));
        assert_eq!(live.addresses, ["10.0.0.5/24"]);
        let offline = nic(&serde_json::json!({ "interface": "{3F25}", "address": "192.168.10.21", "dhcp": false,
                                                "gateway": "192.168.10.1", "dhcp_server": null }));
        assert_eq!(
            (offline.name.as_str(), offline.mac, offline.gateway.as_deref()),
            ("{3F25}", None, Some("192.168.10.1"))
        );
        let lo = nic(&serde_json::json!({ "name": "lo", "mac": "00:00:00:00:00:00", "addresses": [] }));
        assert_eq!(lo.mac, None, "a zero MAC says nothing");
    }

    #[test]
    fn the_page_escapes_what_the_evidence_says() {
        let s = Sheet {
            endpoint: "PC-1".into(),
            hostname: Some("<script>x</script>".into()),
            os_release: None,
            nics: vec![Nic { name: "eth0".into(), addresses: vec!["10.0.0.5".into()], ..Nic::default() }],
            isolation: None,
            collected_at: None,
        };
        let page = html(&s, Lang::Ja);
        assert!(page.contains("&lt;script&gt;") && !page.contains("<script>"));
        assert!(page.contains("ARP") && page.contains("ポート番号") && page.contains("10.0.0.5"));
        assert!(!page.contains("http"), "no external resources");
        assert!(html(&s, Lang::En).contains("Please cut this endpoint off at the switch"));
    }
}
