//! A STIX 2.1 bundle of the case's indicators, for sharing through 医療セプター, JPCERT/CC or a
//! MISP instance: the hospital as the identity that made it, the families as malware, one
//! indicator per contact point and tool hash (with `indicates` relationships), the observed
//! objects, and a note for what STIX has no object for (Tox IDs, wallets).
//!
//! Observables get UUIDv5 ids from the STIX namespace and their id-contributing properties, so
//! the same file or address has the same id in every bundle, as the specification asks; the
//! other objects get UUIDv4 ids, as it recommends.

use serde_json::{Value, json};
use uuid::Uuid;

use super::model::{Incident, Ioc};

/// The namespace STIX 2.1 gives for the ids of cyber observables (§2.9).
const SCO_NAMESPACE: Uuid = Uuid::from_u128(0x00ab_edb4_aa42_466c_9c01_fed2_3315_a9b7);

/// Other objects get random (UUIDv4) ids, as the specification recommends.
fn sdo_id(kind: &str) -> String {
    format!("{kind}--{}", Uuid::new_v4())
}

fn sco_id(kind: &str, contributing: &Value) -> String {
    format!("{kind}--{}", Uuid::new_v5(&SCO_NAMESPACE, contributing.to_string().as_bytes()))
}

/// A value inside a STIX pattern's single quotes.
fn quoted(value: &str) -> String {
    value.replace('\\', "\\\\").replace('\'', "\\'")
}

/// The observable and pattern of an indicator, when STIX has an object for it.
fn observable(ioc: &Ioc) -> Option<(Value, String)> {
    let v = &ioc.value;
    let (sco, pattern) = match ioc.kind.as_str() {
        "onion" => {
            let id = sco_id("domain-name", &json!({ "value": v }));
            (
                json!({ "type": "domain-name", "spec_version": "2.1", "id": id, "value": v }),
                format!("[domain-name:value = '{}']", quoted(v)),
            )
        }
        "email" => {
            let id = sco_id("email-addr", &json!({ "value": v }));
            (
                json!({ "type": "email-addr", "spec_version": "2.1", "id": id, "value": v }),
                format!("[email-addr:value = '{}']", quoted(v)),
            )
        }
        "url" => {
            let id = sco_id("url", &json!({ "value": v }));
            (
                json!({ "type": "url", "spec_version": "2.1", "id": id, "value": v }),
                format!("[url:value = '{}']", quoted(v)),
            )
        }
        "sha256" => {
            let hashes = json!({ "SHA-256": v });
            let id = sco_id("file", &json!({ "hashes": hashes }));
            (
                json!({ "type": "file", "spec_version": "2.1", "id": id, "hashes": hashes }),
                format!("[file:hashes.'SHA-256' = '{}']", quoted(v)),
            )
        }
        _ => return None,
    };
    Some((sco, pattern))
}

/// The bundle.
pub fn bundle(m: &Incident, created: &str) -> Value {
    let case = &m.case_id;
    let name = m.hospital.get("name").and_then(|f| f.value.clone()).unwrap_or_else(|| format!("shodo case {case}"));
    let identity = sdo_id("identity");
    let common = |kind: &str, id: &str| json!({ "type": kind, "spec_version": "2.1", "id": id, "created": created, "modified": created, "created_by_ref": identity });
    let mut objects = vec![json!({ "type": "identity", "spec_version": "2.1", "id": identity, "created": created,
        "modified": created, "name": name, "identity_class": "organization", "sectors": ["healthcare"] })];
    let families: Vec<String> = m.families().iter().map(|_| sdo_id("malware")).collect();
    for (family, id) in m.families().iter().zip(&families) {
        let mut o = common("malware", id);
        o["name"] = json!(family);
        o["is_family"] = json!(true);
        o["malware_types"] = json!(["ransomware"]);
        objects.push(o);
    }
    let (mut observed, mut other) = (Vec::new(), Vec::new());
    for ioc in &m.iocs {
        let Some((sco, pattern)) = observable(ioc) else {
            other.push(format!("{}: {} ({})", ioc.kind, ioc.value, ioc.seen_in.join(", ")));
            continue;
        };
        let id = sdo_id("indicator");
        let mut o = common("indicator", &id);
        o["name"] = json!(format!("{} {}", ioc.kind, ioc.value));
        o["description"] = json!(format!("seen in {}", ioc.seen_in.join(", ")));
        o["indicator_types"] = json!(["malicious-activity"]);
        o["pattern"] = json!(pattern);
        o["pattern_type"] = json!("stix");
        o["valid_from"] = json!(created);
        objects.push(o);
        for malware in &families {
            let mut r = common("relationship", &sdo_id("relationship"));
            r["relationship_type"] = json!("indicates");
            r["source_ref"] = json!(id);
            r["target_ref"] = json!(malware);
            objects.push(r);
        }
        observed.push(sco);
    }
    if !observed.is_empty() {
        let refs: Vec<Value> = observed.iter().map(|o| o["id"].clone()).collect();
        let mut o = common("observed-data", &sdo_id("observed-data"));
        o["first_observed"] = json!(created);
        o["last_observed"] = json!(created);
        o["number_observed"] = json!(1);
        o["object_refs"] = json!(refs);
        objects.push(o);
        objects.extend(observed);
    }
    if !other.is_empty() {
        let mut o = common("note", &sdo_id("note"));
        o["abstract"] = json!("Contact points and wallets STIX has no object for");
        o["content"] = json!(other.join("\n"));
        o["object_refs"] = json!(if families.is_empty() { vec![identity.clone()] } else { families.clone() });
        objects.push(o);
    }
    json!({ "type": "bundle", "id": sdo_id("bundle"), "objects": objects })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_values_are_escaped_and_ids_are_stable() {
        assert_eq!(quoted("a'b\\c"), "a\\'b\\\\c");
        let ioc = Ioc { kind: "sha256".into(), value: "ab".repeat(32), seen_in: vec![] };
        let (sco, pattern) = observable(&ioc).unwrap();
        assert!(pattern.starts_with("[file:hashes.'SHA-256' = '"));
        assert_eq!(sco["id"], observable(&ioc).unwrap().0["id"]);
        assert!(observable(&Ioc { kind: "tox".into(), value: "x".into(), seen_in: vec![] }).is_none());
        // The ids the OASIS reference implementation (Python stix2) gives the same observables.
        let example = sco_id("domain-name", &json!({ "value": "example.com" }));
        assert_eq!(example, "domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7");
        assert_eq!(sco["id"], "file--20432b06-75d2-54b6-80ef-6d923b5d925d");
    }
}
