//! The MHLW checklist (`rules/checklist/r7.toml`, 令和7年度版, ids as published) answered from
//! one endpoint's evidence: each item 適合 (compliant), 不適合 (non-compliant) or 判断不可
//! (cannot be judged from here), always with the evidence behind it. An endpoint seldom proves an
//! item met; it often shows one broken.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::detect::windows::events::Detection;
use crate::detect::windows::registry::RegistryView;
use crate::error::{Error, Result};
use crate::findings::Severity;

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

const OK: &str = "適合";
const NG: &str = "不適合";
const UNKNOWN: &str = "判断不可";

/// Answers every item of the bundled checklist; the version string comes first.
pub fn answer(o: &Observations) -> Result<(String, Vec<Answer>)> {
    let c = load()?;
    let answers = c
        .item
        .into_iter()
        .map(|item| {
            let (status, ja, en, evidence) = evaluate(&item.evaluator, o);
            Answer {
                id: item.id,
                manual_id: item.manual_id,
                text: item.text,
                status,
                reason_ja: ja.into(),
                reason_en: en.into(),
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

fn evaluate(evaluator: &str, o: &Observations) -> (&'static str, &'static str, &'static str, Vec<Value>) {
    let points = |kinds: &[&str]| -> Vec<Value> {
        o.registry
            .connection_points
            .iter()
            .filter(|c| kinds.contains(&c.kind.as_str()))
            .map(|c| json!({ "kind": c.kind, "name": c.name, "evidence": c.evidence }))
            .collect()
    };
    match evaluator {
        "inventory" => (
            UNKNOWN,
            "台帳は端末からは確認できません。この端末の OS・ソフトウェア・接続点を台帳と照合してください",
            "The inventory is not on the endpoint; compare this endpoint's OS, software and connection points with it",
            vec![json!({ "os": o.os_release, "installed_software": o.registry.software.len() })],
        ),
        "remote_maintenance" => {
            let found = points(&["remote_access", "rmm", "vpn", "rdp", "listening_service"]);
            if found.is_empty() {
                (
                    UNKNOWN,
                    "この端末に遠隔保守の接続点は見つかりませんでした（事業者への確認は別途必要）",
                    "No remote-maintenance connection point found on this endpoint (the supplier must still be asked)",
                    found,
                )
            } else {
                (
                    UNKNOWN,
                    "この端末に遠隔保守・遠隔操作の接続点があります。事業者の把握しているものと照合してください",
                    "This endpoint has remote-maintenance or remote-access connection points: check them against what the supplier declared",
                    found,
                )
            }
        }
        "admin_rights" => {
            let found = detections(o, &["admin_group_member_added"]);
            if found.is_empty() {
                (
                    UNKNOWN,
                    "管理者グループへの追加は記録されていません",
                    "No additions to administrator groups recorded",
                    found,
                )
            } else {
                (
                    NG,
                    "管理者・リモートデスクトップのグループにアカウントが追加されています",
                    "Accounts were added to administrator or RDP groups",
                    found,
                )
            }
        }
        "accounts" => {
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
                (NG, "Guest アカウントが有効です", "The Guest account is enabled", found)
            } else if found.is_empty() {
                (UNKNOWN, "アカウントの一覧（SAM）がありません", "No account list (SAM) was collected", found)
            } else {
                (
                    UNKNOWN,
                    "有効なローカルアカウントと作成の記録です。不要なものがないか確認してください",
                    "The enabled local accounts and recorded creations: check none is unneeded",
                    found,
                )
            }
        }
        "patches" => patches(o),
        "usb" => {
            let found: Vec<Value> = o.registry.usb_storage.clone();
            if found.is_empty() {
                (UNKNOWN, "USB ストレージの接続履歴はありません", "No USB storage history", found)
            } else {
                (
                    UNKNOWN,
                    "USB ストレージの接続履歴があります。許可された機器か確認してください",
                    "USB storage devices were connected: check they were allowed",
                    found,
                )
            }
        }
        "access_logs" => {
            let cleared = detections(o, &["log_cleared", "command_log_clearing"]);
            if !cleared.is_empty() {
                (NG, "イベントログが消去されています", "Event logs were cleared", cleared)
            } else if o.logs > 0 {
                (
                    OK,
                    "イベントログが残っており、消去の記録はありません",
                    "Event logs are kept and none was cleared",
                    vec![json!({ "event_logs": o.logs })],
                )
            } else {
                (UNKNOWN, "イベントログが収集されていません", "No event logs were collected", Vec::new())
            }
        }
        "unneeded_software" => {
            let mut found = points(&["remote_access", "rmm"]);
            found.extend(
                o.registry
                    .findings
                    .iter()
                    .filter(|f| f.rule == "service_suspicious_image")
                    .map(|f| json!({ "service": f.fields, "key": f.key })),
            );
            if found.is_empty() {
                (
                    UNKNOWN,
                    "不要と判断できるソフトウェア・サービスは見つかりませんでした",
                    "No software or service found that is clearly unneeded",
                    found,
                )
            } else {
                (
                    UNKNOWN,
                    "遠隔操作ツールや不審なサービスが動作する設定です。必要なものか確認してください",
                    "Remote-access tools or suspicious services are set to run: check each is needed",
                    found,
                )
            }
        }
        "connection_source" => {
            let mut found = points(&["inbound_logon"]);
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
                (
                    NG,
                    "外部（グローバル）アドレスからのログオンが記録されています",
                    "Logons from non-private addresses were recorded",
                    found,
                )
            } else if !open.is_empty() {
                (
                    UNKNOWN,
                    "この端末はファイアウォール無効、遠隔操作のサービスへの受信をどこからでも許可、または NLA なしの RDP です（ネットワーク機器側の制限は別途確認）",
                    "This endpoint has a firewall profile off, a remote-access service open to any address, or RDP without NLA (restrictions on network devices must be checked separately)",
                    open,
                )
            } else {
                (
                    UNKNOWN,
                    "ネットワーク機器の設定は端末からは確認できません",
                    "Network devices' settings are not on the endpoint",
                    Vec::new(),
                )
            }
        }
        _ => (
            UNKNOWN,
            "端末の証拠からは判断できない項目です",
            "Not something an endpoint's evidence can show",
            Vec::new(),
        ),
    }
}

/// 2-⑥ from the installed updates: the newest one's install time against when the endpoint was
/// last in use.
fn patches(o: &Observations) -> (&'static str, &'static str, &'static str, Vec<Value>) {
    let installed: Vec<&Value> = o.registry.updates.iter().filter(|u| u["installed"] == true).collect();
    let newest = installed.iter().filter_map(|u| u["install_time"].as_str()).max();
    let parse = |t: &str| chrono::DateTime::parse_from_rfc3339(t).ok();
    let gap = newest.and_then(parse).zip(o.as_of.as_deref().and_then(parse)).map(|(n, a)| (a - n).num_days());
    let cumulative: Vec<&Value> =
        installed.iter().filter(|u| u["id"].as_str().is_some_and(|i| i.starts_with("RollupFix"))).copied().collect();
    let evidence = vec![json!({ "os": o.os_release, "installed_updates": installed.len(), "newest_update": newest,
        "latest_cumulative_update": cumulative.last().map(|u| &u["id"]), "as_of": o.as_of, "days_since_newest_update": gap })];
    match (newest, gap) {
        (None, _) => (
            UNKNOWN,
            "更新プログラムの適用記録（SOFTWARE ハイブ）がありません",
            "No record of installed updates (SOFTWARE hive)",
            evidence,
        ),
        (Some(_), Some(days)) if days > PATCH_GAP_DAYS => (
            NG,
            "最後の更新プログラムの適用から 90 日を超えて、更新が適用されていません",
            "No update was installed for more than 90 days before the endpoint was last in use",
            evidence,
        ),
        _ => (
            UNKNOWN,
            "更新プログラムは適用されていますが、適用すべき更新との照合はしていません",
            "Updates were installed, but not compared with the updates due",
            evidence,
        ),
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
        assert_eq!(item.status, NG);
        let o = Observations { detections: &[], logs: 3, registry: &view, os_release: None, as_of: None };
        let (_, answers) = answer(&o).unwrap();
        assert_eq!(answers.iter().find(|a| a.id == "2-⑭").unwrap().status, OK);
        assert!(answers.iter().filter(|a| a.id != "2-⑭").all(|a| a.status == UNKNOWN));
    }

    #[test]
    fn updates_stopped_long_before_break_the_patch_item() {
        let mut view = RegistryView::default();
        let patch = |o: &Observations| answer(o).unwrap().1.into_iter().find(|a| a.id == "2-⑥").unwrap();
        let o = Observations { detections: &[], logs: 0, registry: &view, os_release: None, as_of: None };
        assert_eq!(patch(&o).status, UNKNOWN, "no updates recorded");
        view.updates
            .push(json!({ "id": "KB5034441", "installed": true, "install_time": "2024-01-10T03:00:00.000000Z" }));
        view.updates
            .push(json!({ "id": "KB5040000", "installed": false, "install_time": "2024-07-10T03:00:00.000000Z" }));
        let as_of = Some("2024-08-01T00:00:00Z".to_string());
        let o = Observations { detections: &[], logs: 0, registry: &view, os_release: None, as_of: as_of.clone() };
        let a = patch(&o);
        assert_eq!(a.status, NG, "{a:?}");
        assert_eq!(a.evidence[0]["newest_update"], "2024-01-10T03:00:00.000000Z", "a staged update is not installed");
        view.updates
            .push(json!({ "id": "KB5039999", "installed": true, "install_time": "2024-07-20T03:00:00.000000Z" }));
        let o = Observations { detections: &[], logs: 0, registry: &view, os_release: None, as_of };
        assert_eq!(patch(&o).status, UNKNOWN);
    }
}
