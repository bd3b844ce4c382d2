//! The MHLW checklist (`rules/checklist/r7.toml`, 令和7年度版, ids as published) answered from
//! one endpoint's evidence: each item 適合 (compliant), 不適合 (non-compliant) or 判断不可
//! (cannot be judged from here), always with the evidence behind it. An endpoint seldom proves an
//! item met; it often shows one broken.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::detect::strings as txt;
use crate::detect::windows::events::Detection;
use crate::detect::windows::registry::RegistryView;
use crate::error::{Error, Result};
use crate::findings::Severity;
use crate::lang::Text;

const R7: &str = include_str!("../../rules/checklist/r7.toml");

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemDef {
    id: String,
    #[serde(default)]
    manual_id: Option<String>,
    text: String,
    evaluator: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Checklist {
    version: String,
    item: Vec<ItemDef>,
}

const EVALUATORS: [&str; 10] = [
    "none",
    "inventory",
    "remote_maintenance",
    "admin_rights",
    "accounts",
    "patches",
    "usb",
    "access_logs",
    "unneeded_software",
    "connection_source",
];

/// One item answered.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Answer {
    /// Id as printed in the checklist table.
    pub id: String,
    /// Id in the manual, where it differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manual_id: Option<String>,
    /// The item's text.
    pub text: String,
    /// 適合 | 不適合 | 判断不可.
    pub status: &'static str,
    /// Why, in Japanese.
    pub reason_ja: String,
    /// Why, in English.
    pub reason_en: String,
    /// The observations behind it.
    pub evidence: Vec<Value>,
}

/// The bundled checklist, validated.
pub fn checked() -> Result<(String, usize)> {
    let c = load()?;
    Ok((c.version, c.item.len()))
}

fn load() -> Result<Checklist> {
    let c: Checklist = crate::config::bundled("rules/checklist/r7.toml", R7)?;
    if let Some(bad) = c.item.iter().find(|i| !EVALUATORS.contains(&i.evaluator.as_str())) {
        return Err(Error::BundledData {
            name: "rules/checklist/r7.toml",
            reason: format!("{}: evaluator {}", bad.id, bad.evaluator),
        });
    }
    Ok(c)
}

/// What the endpoint showed.
pub struct Observations<'a> {
    /// Event-log detections.
    pub detections: &'a [Detection],
    /// Event logs read (count).
    pub logs: usize,
    /// The registry view.
    pub registry: &'a RegistryView,
    /// The OS as endpoint.json records it.
    pub os_release: Option<String>,
    /// When the endpoint was last in use (its last shutdown, else the collection time), UTC.
    pub as_of: Option<String>,
}

/// An update not followed by another for this long means updates stopped being applied.
const PATCH_GAP_DAYS: i64 = 90;

const OK: Text = txt::COMPLIANT;
const NG: Text = txt::NON_COMPLIANT;
const UNKNOWN: Text = txt::UNDETERMINED;

/// 適合: an answer's status as it is stored (the Japanese word of its text).
pub const COMPLIANT: &str = OK.ja;
/// 不適合, as stored.
pub const NON_COMPLIANT: &str = NG.ja;
/// 判断不可, as stored.
pub const UNDETERMINED: &str = UNKNOWN.ja;

/// Answers every item of the bundled checklist; the version string comes first.
pub fn answer(o: &Observations) -> Result<(String, Vec<Answer>)> {
    let c = load()?;
    let answers = c
        .item
        .into_iter()
        .map(|item| {
            let (status, reason, evidence) = evaluate(&item.evaluator, o);
            Answer {
                id: item.id,
                manual_id: item.manual_id,
                text: item.text,
                status: status.ja,
                reason_ja: reason.ja.into(),
                reason_en: reason.en.into(),
                evidence,
            }
        })
        .collect();
    Ok((c.version, answers))
}

fn detections(o: &Observations, rules: &[&str]) -> Vec<Value> {
    o.detections
        .iter()
        .filter(|d| rules.iter().any(|r| d.rule == *r))
        .map(|d| json!({ "rule": d.rule, "time": d.time, "count": d.count, "fields": d.fields }))
        .collect()
}

/// An item's answer: its status (適合 / 不適合 / 判断不可), why, and the observations behind it.
type Judgement = (Text, Text, Vec<Value>);

fn evaluate(evaluator: &str, o: &Observations) -> Judgement {
    match evaluator {
        "inventory" => (
            UNKNOWN,
            txt::INVENTORY_IS_NOT_ON_THE_ENDPOINT,
            vec![json!({ "os": o.os_release, "installed_software": o.registry.software.len() })],
        ),
        "remote_maintenance" => remote_maintenance(o),
        "admin_rights" => admin_rights(o),
        "accounts" => accounts(o),
        "patches" => patches(o),
        "usb" => usb(o),
        "access_logs" => access_logs(o),
        "unneeded_software" => unneeded_software(o),
        "connection_source" => connection_source(o),
        _ => (UNKNOWN, txt::NOT_SOMETHING_AN_ENDPOINT_CAN_SHOW, Vec::new()),
    }
}

/// The connection points of these kinds, as evidence.
fn points(o: &Observations, kinds: &[&str]) -> Vec<Value> {
    o.registry
        .connection_points
        .iter()
        .filter(|c| kinds.contains(&c.kind.as_str()))
        .map(|c| json!({ "kind": c.kind, "name": c.name, "evidence": c.evidence }))
        .collect()
}

fn remote_maintenance(o: &Observations) -> Judgement {
    let found = points(o, &["remote_access", "rmm", "vpn", "rdp", "listening_service"]);
    if found.is_empty() {
        (UNKNOWN, txt::NO_REMOTE_MAINTENANCE_CONNECTION_POINT, found)
    } else {
        (UNKNOWN, txt::REMOTE_MAINTENANCE_CONNECTION_POINTS, found)
    }
}

fn admin_rights(o: &Observations) -> Judgement {
    let found = detections(o, &["admin_group_member_added"]);
    if found.is_empty() {
        (UNKNOWN, txt::NO_ADDITIONS_TO_ADMINISTRATOR_GROUPS, found)
    } else {
        (NG, txt::ACCOUNTS_ADDED_TO_ADMINISTRATOR_GROUPS, found)
    }
}

fn accounts(o: &Observations) -> Judgement {
    let guest: Vec<Value> = o
        .registry
        .findings
        .iter()
        .filter(|f| f.rule == "guest_enabled")
        .map(|f| json!({ "rule": f.rule, "fields": f.fields }))
        .collect();
    let mut found = detections(o, &["account_created"]);
    found.extend(o.registry.accounts.iter().filter(|a| a["disabled"] == json!(false)).map(|a| {
        json!({ "enabled_account": a["name"], "rid": a["rid"], "last_logon": a["last_logon"],
                "password_last_set": a["password_last_set"] })
    }));
    if !guest.is_empty() {
        found.extend(guest);
        (NG, txt::THE_GUEST_ACCOUNT_IS_ENABLED, found)
    } else if found.is_empty() {
        (UNKNOWN, txt::NO_ACCOUNT_LIST_SAM, found)
    } else {
        (UNKNOWN, txt::ENABLED_LOCAL_ACCOUNTS_AND_CREATIONS, found)
    }
}

fn usb(o: &Observations) -> Judgement {
    let found: Vec<Value> = o.registry.usb_storage.clone();
    if found.is_empty() {
        (UNKNOWN, txt::NO_USB_STORAGE_HISTORY, found)
    } else {
        (UNKNOWN, txt::USB_STORAGE_DEVICES_WERE_CONNECTED, found)
    }
}

fn access_logs(o: &Observations) -> Judgement {
    let cleared = detections(o, &["log_cleared", "command_log_clearing"]);
    if !cleared.is_empty() {
        (NG, txt::EVENT_LOGS_WERE_CLEARED, cleared)
    } else if o.logs > 0 {
        (OK, txt::EVENT_LOGS_ARE_KEPT, vec![json!({ "event_logs": o.logs })])
    } else {
        (UNKNOWN, txt::NO_EVENT_LOGS_WERE_COLLECTED, Vec::new())
    }
}

fn unneeded_software(o: &Observations) -> Judgement {
    let mut found = points(o, &["remote_access", "rmm"]);
    found.extend(
        o.registry
            .findings
            .iter()
            .filter(|f| f.rule == "service_suspicious_image")
            .map(|f| json!({ "service": f.fields, "key": f.key })),
    );
    if found.is_empty() {
        (UNKNOWN, txt::NOTHING_CLEARLY_UNNEEDED, found)
    } else {
        (UNKNOWN, txt::REMOTE_ACCESS_TOOLS_SET_TO_RUN, found)
    }
}

fn connection_source(o: &Observations) -> Judgement {
    let mut found = points(o, &["inbound_logon"]);
    let open: Vec<Value> = o
        .registry
        .findings
        .iter()
        .filter(|f| {
            f.rule == "firewall_disabled"
                || f.rule == "firewall_remote_service_open"
                || (f.rule == "rdp_enabled" && f.severity == Severity::High)
        })
        .map(|f| json!({ "rule": f.rule, "key": f.key, "fields": f.fields }))
        .collect();
    if !found.is_empty() {
        found.extend(open);
        (NG, txt::LOGONS_FROM_NON_PRIVATE_ADDRESSES, found)
    } else if !open.is_empty() {
        (UNKNOWN, txt::ENDPOINT_OPEN_TO_REMOTE_ACCESS, open)
    } else {
        (UNKNOWN, txt::NETWORK_DEVICES_SETTINGS_NOT_ON_THE_ENDPOINT, Vec::new())
    }
}

/// 2-⑥ from the installed updates: the newest one's install time against when the endpoint was
/// last in use.
fn patches(o: &Observations) -> Judgement {
    let installed: Vec<&Value> = o.registry.updates.iter().filter(|u| u["installed"] == true).collect();
    let newest = installed.iter().filter_map(|u| u["install_time"].as_str()).max();
    let parse = |t: &str| chrono::DateTime::parse_from_rfc3339(t).ok();
    let gap = newest.and_then(parse).zip(o.as_of.as_deref().and_then(parse)).map(|(n, a)| (a - n).num_days());
    let cumulative: Vec<&Value> =
        installed.iter().filter(|u| u["id"].as_str().is_some_and(|i| i.starts_with("RollupFix"))).copied().collect();
    let evidence = vec![json!({ "os": o.os_release, "installed_updates": installed.len(), "newest_update": newest,
        "latest_cumulative_update": cumulative.last().map(|u| &u["id"]), "as_of": o.as_of, "days_since_newest_update": gap })];
    match (newest, gap) {
        (None, _) => (UNKNOWN, txt::NO_RECORD_OF_INSTALLED_UPDATES, evidence),
        (Some(_), Some(days)) if days > PATCH_GAP_DAYS => (NG, txt::NO_UPDATE_FOR_MORE_THAN_90_DAYS, evidence),
        _ => (UNKNOWN, txt::UPDATES_NOT_COMPARED_WITH_THOSE_DUE, evidence),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checklist_loads_with_its_published_ids() {
        let (version, n) = checked().unwrap();
        assert_eq!(version, "令和7年度版");
        assert!(n >= 18);
    }

    #[test]
    fn cleared_logs_break_the_access_log_item() {
        let view = RegistryView::default();
        let cleared = Detection {
            rule: "log_cleared".into(),
            severity: Severity::High,
            title_ja: String::new(),
            title_en: String::new(),
            time: "2024-05-01T00:00:00Z".into(),
            last_time: None,
            count: 1,
            channel: "Security".into(),
            event_id: 1102,
            record_id: 1,
            computer: String::new(),
            fields: serde_json::Map::new(),
        };
        let o = Observations {
            detections: std::slice::from_ref(&cleared),
            logs: 3,
            registry: &view,
            os_release: None,
            as_of: None,
        };
        let (_, answers) = answer(&o).unwrap();
        let item = answers.iter().find(|a| a.id == "2-⑭").unwrap();
        assert_eq!(item.status, NG.ja);
        let o = Observations { detections: &[], logs: 3, registry: &view, os_release: None, as_of: None };
        let (_, answers) = answer(&o).unwrap();
        assert_eq!(answers.iter().find(|a| a.id == "2-⑭").unwrap().status, OK.ja);
        assert!(answers.iter().filter(|a| a.id != "2-⑭").all(|a| a.status == UNKNOWN.ja));
    }

    #[test]
    fn updates_stopped_long_before_break_the_patch_item() {
        let mut view = RegistryView::default();
        let patch = |o: &Observations| answer(o).unwrap().1.into_iter().find(|a| a.id == "2-⑥").unwrap();
        let o = Observations { detections: &[], logs: 0, registry: &view, os_release: None, as_of: None };
        assert_eq!(patch(&o).status, UNKNOWN.ja, "no updates recorded");
        view.updates
            .push(json!({ "id": "KB5034441", "installed": true, "install_time": "2024-01-10T03:00:00.000000Z" }));
        view.updates
            .push(json!({ "id": "KB5040000", "installed": false, "install_time": "2024-07-10T03:00:00.000000Z" }));
        let as_of = Some("2024-08-01T00:00:00Z".to_string());
        let o = Observations { detections: &[], logs: 0, registry: &view, os_release: None, as_of: as_of.clone() };
        let a = patch(&o);
        assert_eq!(a.status, NG.ja, "{a:?}");
        assert_eq!(a.evidence[0]["newest_update"], "2024-01-10T03:00:00.000000Z", "a staged update is not installed");
        view.updates
            .push(json!({ "id": "KB5039999", "installed": true, "install_time": "2024-07-20T03:00:00.000000Z" }));
        let o = Observations { detections: &[], logs: 0, registry: &view, os_release: None, as_of };
        assert_eq!(patch(&o).status, UNKNOWN.ja);
    }
}
