//! The incident model (`report.json`): one view of the case aggregated over its endpoints,
//! findings, backup checks, isolation ledger and custody log. Every field says where it comes
//! from — the evidence, the operator, or 未確定 — and 発生日時 (estimated from evidence, with the
//! evidence behind it) is kept apart from 覚知日時 (recorded by the operator). Times are JST.

use crate::report::strings as txt;
use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::case::layout;
use crate::case::layout::{BACKUPS_DIR, ENDPOINTS_DIR};
use crate::case::{Case, Deadlines, subdirs};
use crate::clock;
use crate::error::{Error, Result};
use crate::findings::{Kind, Signs, read as findings};

/// The model's version, in `report.json`.
pub const SCHEMA: &str = "shodo-report/1";
/// The operator's answers, in the case directory.
pub const INPUT: &str = "incident.toml";

/// Where a value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Read from the evidence.
    Evidence,
    /// Given by the operator (`shodo.toml`, `case init`, `incident.toml`).
    Operator,
    /// Not known yet (未確定).
    Undetermined,
}

/// A value with where it comes from and what it rests on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// The value (none: 未確定).
    pub value: Option<String>,
    /// Where it comes from.
    pub source: Source,
    /// What it rests on (evidence paths, findings, the operator's file).
    pub basis: Vec<String>,
}

impl Field {
    /// From the evidence.
    pub fn evidence(value: String, basis: Vec<String>) -> Field {
        Field { value: Some(value), source: Source::Evidence, basis }
    }

    /// From the operator, or 未確定 when not given.
    pub fn operator(value: Option<String>, basis: &str) -> Field {
        match value.filter(|v| !v.trim().is_empty()) {
            Some(v) => Field { value: Some(v), source: Source::Operator, basis: vec![basis.into()] },
            None => Field::undetermined(),
        }
    }

    /// 未確定.
    pub fn undetermined() -> Field {
        Field { value: None, source: Source::Undetermined, basis: Vec::new() }
    }
}

/// What the operator answers in `incident.toml` (every key optional).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// 漏えい等が発生し、又は発生したおそれがある個人データの項目.
    pub personal_data: Option<String>,
    /// 本人の数.
    pub persons: Option<String>,
    /// 二次被害又はそのおそれの有無及びその内容.
    pub secondary_damage: Option<String>,
    /// 本人への対応の実施状況.
    pub notified: Option<String>,
    /// 公表の実施状況.
    pub publication: Option<String>,
    /// 再発防止のための措置.
    pub measures: Option<String>,
    /// その他参考となる事項.
    pub other: Option<String>,
    /// 診療への影響.
    pub care_impact: Option<String>,
}

/// One endpoint as the reports need it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct EndpointFacts {
    /// Its id.
    pub id: String,
    /// Host name, OS, addresses (from its collected facts).
    pub hostname: Option<String>,
    /// OS.
    pub os: Option<String>,
    /// IP addresses.
    pub addresses: Vec<String>,
    /// Files collected.
    pub collected: u64,
    /// Files that look encrypted.
    pub encrypted_files: u64,
    /// Ransom notes.
    pub ransom_notes: u64,
    /// Families the evidence names above `low` (what the reports name).
    pub families: Vec<String>,
    /// Every family the evidence points to, with the weight of that evidence (`high`, `medium`,
    /// `low`) and why, strongest first.
    #[serde(default)]
    pub attribution: Vec<FamilyFacts>,
    /// The ransom notes by name and content: `name (SHA-256)`, one per distinct content.
    #[serde(default)]
    pub note_files: Vec<String>,
    /// The first suspicious executable the scan dated (its path).
    #[serde(default)]
    pub first_tool: Option<String>,
    /// Detections and registry findings by severity.
    pub by_severity: BTreeMap<String, u64>,
    /// Isolated now (none: never isolated).
    pub isolated: Option<bool>,
    /// Isolation mode.
    pub isolation_mode: Option<String>,
}

impl EndpointFacts {
    /// What its findings add up to (the verdict is [`Signs::verdict`]).
    pub fn signs(&self) -> Signs {
        let mut signs = Signs {
            encrypted_files: self.encrypted_files,
            ransom_notes: self.ransom_notes,
            families: self.families.len(),
            ..Signs::default()
        };
        signs.count_severities(self.by_severity.iter().map(|(k, n)| (k.as_str(), *n)));
        signs
    }
}

/// One indicator of compromise.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Ioc {
    /// onion | email | url | domain | ipv4 | tox | bitcoin | monero | sha256 | extension …
    pub kind: String,
    /// The value.
    pub value: String,
    /// Where it was seen.
    pub seen_in: Vec<String>,
}

/// An external connection point, or an inbound logon from outside: where the attacker may
/// have come in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryPoint {
    /// The endpoint.
    pub endpoint: String,
    /// rdp | vpn | remote_access | rmm | listening_service | inbound_logon | first_external_logon.
    pub kind: String,
    /// The product, service or address.
    pub name: String,
    /// When (first seen), if known.
    pub time: Option<String>,
    /// Where it shows.
    pub evidence: Vec<String>,
}

/// A family the evidence points to, and how strongly.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct FamilyFacts {
    /// Family name.
    pub family: String,
    /// `high` (its own note names it), `medium` (its own extension, marker or note name) or `low`.
    pub confidence: String,
    /// Why (the evidence, in English: it quotes file names and notes).
    pub reason: String,
}

/// What was preserved of one endpoint, and what was not.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Preserved {
    /// The endpoint.
    pub endpoint: String,
    /// Files collected, and their bytes.
    pub files: u64,
    /// Bytes.
    pub bytes: u64,
    /// Files not collected, by reason.
    pub not_collected: BTreeMap<String, u64>,
    /// Who collected, and when (JST), from the custody log.
    pub by: Vec<String>,
    /// What the volume scan found beyond the catalogue and kept (notes, tools, encrypted
    /// samples): the evidence the police and a decryptor's vendor ask for.
    #[serde(default)]
    pub found_by_scan: Vec<KeptFind>,
}

/// A file the volume scan found and kept in the evidence.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct KeptFind {
    /// Its path on the volume (its original name).
    pub path: String,
    /// Why it was kept: `ransom_note`, `tool`, `encrypted_sample`, `suspicious_executable`.
    pub why: String,
    /// Bytes.
    pub size: u64,
    /// SHA-256.
    pub sha256: String,
}

/// One backup medium's latest verdict.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BackupFacts {
    /// The medium.
    pub medium: String,
    /// When it was read.
    pub read_at: Option<String>,
    /// The last clean generation.
    pub last_clean: Option<String>,
    /// The first generation with signs of compromise.
    pub first_bad: Option<String>,
}

/// The whole model.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Incident {
    /// `shodo-report/1`.
    pub schema: String,
    /// When the model was made (JST).
    pub generated: String,
    /// The case id.
    pub case_id: String,
    /// 医療機関情報: name, founder, address, administrator, security officer, phone.
    pub hospital: BTreeMap<String, Field>,
    /// 覚知日時 (operator).
    pub aware_at: Field,
    /// 発生日時 (estimated from evidence).
    pub occurred_at: Field,
    /// The endpoints.
    pub endpoints: Vec<EndpointFacts>,
    /// Indicators of compromise over all endpoints.
    pub iocs: Vec<Ioc>,
    /// Backup media.
    pub backups: Vec<BackupFacts>,
    /// Where the attacker may have come in.
    pub entry_points: Vec<EntryPoint>,
    /// What was preserved, per endpoint.
    pub preserved: Vec<Preserved>,
    /// The responders' notes on the custody log (who was called, what was decided): time, who, text.
    pub notes: Vec<String>,
    /// Entries in the custody log.
    pub custody_entries: usize,
    /// The operator's answers.
    pub input: Input,
    /// PPC deadlines, from 覚知日時.
    pub deadlines: Option<Deadlines>,
    /// The desks the reports go to (shodo.toml, else the shipped defaults); not in the model file.
    #[serde(skip)]
    pub contacts: Vec<crate::config::EffectiveContact>,
}

impl Incident {
    /// Where a report goes, for people; [未設定] with what to fill in when nobody set it.
    pub fn desk(&self, role: crate::config::ContactRole, lang: crate::lang::Lang) -> String {
        match self.contacts.iter().find(|c| c.role == role) {
            Some(c) if c.contact.is_some() => crate::case::contact_text(c, lang),
            _ => txt::NOT_SET_FILL_IN_CONTACTS_IN.get(lang).into(),
        }
    }
}

impl Incident {
    /// Encrypted files over all endpoints.
    pub fn encrypted_files(&self) -> u64 {
        self.endpoints.iter().map(|e| e.encrypted_files).sum()
    }

    /// Ransom notes over all endpoints.
    pub fn ransom_notes(&self) -> u64 {
        self.endpoints.iter().map(|e| e.ransom_notes).sum()
    }

    /// Endpoints with encrypted files or ransom notes.
    pub fn affected(&self) -> Vec<&EndpointFacts> {
        self.endpoints.iter().filter(|e| e.encrypted_files > 0 || e.ransom_notes > 0).collect()
    }

    /// Families named by any endpoint's evidence.
    pub fn families(&self) -> Vec<String> {
        let mut all: Vec<String> = self.endpoints.iter().flat_map(|e| e.families.clone()).collect();
        all.sort();
        all.dedup();
        all
    }

    /// Every family of every endpoint, the strongest evidence for each, strongest first.
    pub fn attribution(&self) -> Vec<FamilyFacts> {
        weigh(self.endpoints.iter().flat_map(|e| e.attribution.clone()).collect())
    }

    /// Who did it, for people: the families the evidence names with its weight; else, plainly,
    /// that the family is not known, with this incident's own indicators (its extension, its
    /// notes by name and hash, the attacker's contacts, the first suspicious executable) and any
    /// weak lead (the indicators left out when `indicators` is false: a sentence that names the
    /// family in passing); "undetermined" when the evidence shows no ransomware at all.
    pub fn family_text(&self, lang: crate::lang::Lang, indicators: bool) -> String {
        use crate::report::strings as txt;
        let sep = txt::LIST_SEPARATOR.get(lang);
        let weight = |c: &str| match c {
            "high" => txt::CONFIDENCE_HIGH.get(lang),
            "medium" => txt::CONFIDENCE_MEDIUM.get(lang),
            _ => txt::CONFIDENCE_LOW.get(lang),
        };
        let show = |a: &FamilyFacts| {
            txt::FAMILY_WITH_CONFIDENCE.fill(lang, &[("family", &a.family), ("confidence", &weight(&a.confidence))])
        };
        let all = self.attribution();
        let (named, weak): (Vec<&FamilyFacts>, Vec<&FamilyFacts>) = all.iter().partition(|a| a.confidence != "low");
        let weak = (!weak.is_empty()).then(|| {
            txt::WEAK_LEADS.fill(lang, &[("leads", &weak.iter().map(|a| show(a)).collect::<Vec<_>>().join(sep))])
        });
        if !named.is_empty() {
            let text = named.iter().map(|a| show(a)).collect::<Vec<_>>().join(sep);
            return weak.map_or(text.clone(), |w| format!("{text}{sep}{w}"));
        }
        if self.affected().is_empty() && weak.is_none() {
            return txt::UNDETERMINED.get(lang).to_string();
        }
        let mut own: Vec<String> = Vec::new();
        for i in self.iocs.iter().filter(|i| i.kind == "extension") {
            own.push(txt::INDICATOR_EXTENSION.fill(lang, &[("value", &i.value)]));
        }
        let mut notes: Vec<&String> = self.endpoints.iter().flat_map(|e| &e.note_files).collect();
        notes.sort();
        notes.dedup();
        for n in notes.iter().take(INDICATORS_EACH) {
            own.push(txt::INDICATOR_NOTE.fill(lang, &[("value", n)]));
        }
        for i in self.iocs.iter().filter(|i| !matches!(i.kind.as_str(), "extension" | "sha256")).take(INDICATORS_EACH) {
            own.push(txt::INDICATOR_CONTACT.fill(lang, &[("value", &format!("{} {}", i.kind, i.value))]));
        }
        if let Some(tool) = self.endpoints.iter().find_map(|e| e.first_tool.as_ref()) {
            own.push(txt::INDICATOR_FIRST_TOOL.fill(lang, &[("value", tool)]));
        }
        let mut text = txt::FAMILY_UNKNOWN.get(lang).to_string();
        if indicators && !own.is_empty() {
            text.push_str(&txt::INCIDENT_OWN_INDICATORS.fill(lang, &[("indicators", &own.join(sep))]));
        }
        if let Some(w) = weak {
            text.push_str(&format!("{sep}{w}"));
        }
        text
    }
}

/// Builds the model from the case at `dir`.
pub fn build(dir: &Path) -> Result<Incident> {
    let case = Case::open(dir)?;
    let file = case.file();
    let config = dir.join(layout::CONFIG_COPY);
    let hospital = hospital(&config)?;
    let input = input(&dir.join(INPUT))?;
    // This case's entries and those of every case merged into it (who collected, notes).
    let custody: Vec<_> = crate::case::all_entries(dir).unwrap_or_default().into_iter().map(|(_, e)| e).collect();
    let endpoints = endpoints(dir, &custody);
    let iocs = iocs(dir, &endpoints);
    let entry_points = entry_points(dir, &endpoints);
    let preserved = preserved(dir, &endpoints, &custody);
    let aware_at = match file.case.aware_at {
        Some(t) => Field::operator(Some(clock::jst_display(t.to_utc())), "case.toml aware_at"),
        None => Field::undetermined(),
    };
    let occurred_at = match earliest(crate::backup::verify::first_sign(dir), first_encrypted(dir, &endpoints)) {
        Some((t, basis)) => Field::evidence(clock::jst_display(t), vec![basis]),
        None => Field::undetermined(),
    };
    Ok(Incident {
        schema: SCHEMA.into(),
        generated: clock::jst_display(clock::now()),
        case_id: file.case.id.clone(),
        hospital,
        aware_at,
        occurred_at,
        endpoints,
        iocs,
        backups: backups(dir),
        entry_points,
        preserved,
        notes: custody
            .iter()
            .filter(|c| c.action == "note")
            .map(|c| format!("{} {}: {}", c.jst, c.actor, c.detail["text"].as_str().unwrap_or_default()))
            .collect(),
        custody_entries: crate::case::read_entries(dir).map(|e| e.len()).unwrap_or_default(),
        input,
        deadlines: file.case.aware_at.map(Deadlines::from_aware),
        contacts: crate::case::status(dir).map(|s| s.contacts).unwrap_or_default(),
    })
}

type Sign = (chrono::DateTime<chrono::Utc>, String);

fn earliest(a: Option<Sign>, b: Option<Sign>) -> Option<Sign> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// The earliest modification time of a file the scan found encrypted.
fn first_encrypted(dir: &Path, endpoints: &[EndpointFacts]) -> Option<Sign> {
    let mut first: Option<Sign> = None;
    for e in endpoints {
        for f in findings(&dir.join(ENDPOINTS_DIR).join(&e.id)) {
            let Kind::EncryptedFile { path, modified, .. } = &f.kind else { continue };
            let Some(t) = modified.as_deref().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok()) else {
                continue;
            };
            let sign = (t.to_utc(), format!("{}: encrypted file {path}", e.id));
            first = earliest(first, Some(sign));
        }
    }
    first
}

fn hospital(config: &Path) -> Result<BTreeMap<String, Field>> {
    let h = if config.exists() { Some(crate::config::Config::load(config)?.hospital) } else { None };
    let basis = "shodo.toml [hospital]";
    let get = |f: fn(&crate::config::Hospital) -> Option<String>| Field::operator(h.as_ref().and_then(f), basis);
    Ok(BTreeMap::from([
        ("name".to_string(), get(|h| Some(h.name.clone()))),
        ("founder".to_string(), get(|h| h.founder.clone())),
        ("address".to_string(), get(|h| h.address.clone())),
        ("administrator".to_string(), get(|h| h.administrator.clone())),
        ("security_officer".to_string(), get(|h| h.security_officer.clone())),
        ("phone".to_string(), get(|h| h.phone.as_ref().map(|p| p.as_str().to_string()))),
    ]))
}

fn input(path: &Path) -> Result<Input> {
    match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str(&text).map_err(|e| Error::Corrupt { path: path.into(), what: e.to_string() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Input::default()),
        Err(e) => Err(Error::io("read", path)(e)),
    }
}

fn read_json(path: &Path) -> Option<Value> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

fn endpoints(dir: &Path, custody: &[crate::case::Entry]) -> Vec<EndpointFacts> {
    let ledger = crate::isolate::ledger(dir).unwrap_or_default();
    subdirs(&dir.join(ENDPOINTS_DIR))
        .into_iter()
        .map(|id| {
            let edir = dir.join(ENDPOINTS_DIR).join(&id);
            let mut e = endpoint(&edir, &id, custody);
            if let Some(row) = ledger.iter().find(|r| r.endpoint == id) {
                (e.isolated, e.isolation_mode) = (Some(row.isolated), Some(row.mode.clone()));
            }
            e
        })
        .collect()
}

fn endpoint(edir: &Path, id: &str, custody: &[crate::case::Entry]) -> EndpointFacts {
    let facts = read_json(&edir.join("endpoint.json")).unwrap_or(Value::Null);
    let addresses = facts["nics"]
        .as_array()
        .map(|n| n.iter().filter_map(|x| x["address"].as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let rows = crate::collect::read_manifest(&edir.join(layout::MANIFEST)).unwrap_or_default();
    let latest = crate::collect::latest_rows(&rows);
    let collected = latest.values().filter(|r| r.status == crate::collect::Status::Collected).count() as u64;
    let mut e = EndpointFacts {
        id: id.into(),
        hostname: facts["hostname"].as_str().map(str::to_string),
        os: facts["os_release"].as_str().map(str::to_string),
        addresses,
        collected,
        ..EndpointFacts::default()
    };
    // A note found both by its name and by its content is one note.
    let (mut notes, mut encrypted) = (std::collections::BTreeSet::new(), std::collections::BTreeSet::new());
    let mut note_files: BTreeMap<String, String> = BTreeMap::new();
    let mut attributed: Vec<FamilyFacts> = Vec::new();
    for f in findings(edir) {
        let path = f.path().unwrap_or_default().to_string();
        let note_rule = matches!(f.kind, Kind::Yara { .. }) && f.meta("category") == "ransom_note";
        match &f.kind {
            Kind::EncryptedFile { .. } => {
                encrypted.insert(path);
            }
            Kind::RansomNoteName { .. } => {
                notes.insert(path);
            }
            Kind::Yara { .. } if note_rule => {
                notes.insert(path);
            }
            _ => {}
        }
        if note_rule || matches!(f.kind, Kind::RansomNoteName { .. }) {
            let name = f.path().unwrap_or_default().rsplit('/').next().unwrap_or_default();
            if let Some(sha) = f.sha256() {
                note_files.entry(sha.to_string()).or_insert_with(|| format!("{name} (SHA-256 {sha})"));
            }
        }
        // A note rule written for one family names it (a tool rule's family, mimikatz say, is
        // no ransomware); the scan's weighed attributions are added below.
        let family = f.meta("family");
        if note_rule && !family.is_empty() && family != "generic" {
            let reason = format!("the note matches {}, a rule for {family}'s notes", f.rule().unwrap_or_default());
            attributed.push(FamilyFacts { family: family.to_string(), confidence: "high".into(), reason });
        }
        for (family, confidence, reason) in f.attributions() {
            let (family, confidence, reason) = (family.into(), confidence.into(), reason.into());
            attributed.push(FamilyFacts { family, confidence, reason });
        }
        if let Some(sev) = f.severity() {
            *e.by_severity.entry(sev.as_str().to_string()).or_default() += 1;
        }
    }
    (e.ransom_notes, e.encrypted_files) = (notes.len() as u64, encrypted.len() as u64);
    e.note_files = note_files.into_values().collect();
    // The scan weighed every attribution against the others; its latest word is the endpoint's.
    let scan = custody.iter().rev().find(|c| c.target == id && c.action == "scan.finish");
    if let Some(weighed) = scan.and_then(|c| c.detail["families"].as_array()) {
        for a in weighed {
            let facts: FamilyFacts = serde_json::from_value(a.clone()).unwrap_or_default();
            if !facts.family.is_empty() {
                attributed.push(facts);
            }
        }
    }
    e.first_tool = scan.and_then(|c| c.detail["first_suspicious_executable"]["path"].as_str()).map(str::to_string);
    e.attribution = weigh(attributed);
    e.families = e.attribution.iter().filter(|a| a.confidence != "low").map(|a| a.family.clone()).collect();
    e
}

/// One entry per family, the strongest evidence for it, strongest first.
fn weigh(found: Vec<FamilyFacts>) -> Vec<FamilyFacts> {
    use crate::ransomware::family::rank;
    let mut all: Vec<FamilyFacts> = Vec::new();
    for a in found {
        match all.iter_mut().find(|b| b.family == a.family) {
            Some(b) if rank(&a.confidence) > rank(&b.confidence) => *b = a,
            Some(_) => {}
            None => all.push(a),
        }
    }
    all.sort_by(|a, b| rank(&b.confidence).cmp(&rank(&a.confidence)).then_with(|| a.family.cmp(&b.family)));
    all
}

/// Indicators of each kind named beside an unknown family.
const INDICATORS_EACH: usize = 3;

/// Files that lost their format under one appended extension before it is the incident's own.
const INCIDENT_EXTENSION_FILES: usize = 3;

/// Contact points from ransom notes, the hashes of the attacker's files, and the incident's own
/// extension: one no list needs to know, appended to files that lost their format (seen in the
/// first such file of each endpoint).
fn iocs(dir: &Path, endpoints: &[EndpointFacts]) -> Vec<Ioc> {
    let mut all: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut appended: BTreeMap<String, (usize, BTreeMap<&str, String>)> = BTreeMap::new();
    for e in endpoints {
        for f in findings(&dir.join(ENDPOINTS_DIR).join(&e.id)) {
            let at = format!("{}:{}", e.id, f.path().unwrap_or_default());
            if let Some(ext) = f.appended_to_lost_format() {
                let (files, first) = appended.entry(format!(".{ext}")).or_default();
                *files += 1;
                let seen = first.entry(e.id.as_str()).or_insert_with(|| at.clone());
                if at < *seen {
                    *seen = at.clone();
                }
            }
            for (kind, value) in f.contacts() {
                all.entry((kind.into(), value.into())).or_default().push(at.clone());
            }
            let tool =
                matches!(f.kind, Kind::Yara { .. }) && crate::yara::scan::TOOL_CATEGORIES.contains(&f.meta("category"));
            if let (true, Some(sha)) = (tool, f.sha256()) {
                all.entry(("sha256".into(), sha.into())).or_default().push(at);
            }
        }
    }
    for (ext, (files, first)) in appended {
        if files >= INCIDENT_EXTENSION_FILES {
            all.entry(("extension".into(), ext)).or_default().extend(first.into_values());
        }
    }
    all.into_iter()
        .map(|((kind, value), mut seen_in)| {
            seen_in.sort();
            seen_in.dedup();
            Ioc { kind, value, seen_in }
        })
        .collect()
}

fn entry_points(dir: &Path, endpoints: &[EndpointFacts]) -> Vec<EntryPoint> {
    let mut out = Vec::new();
    for e in endpoints {
        for f in findings(&dir.join(ENDPOINTS_DIR).join(&e.id)) {
            match &f.kind {
                Kind::ConnectionPoint { rule, name, evidence, .. } => out.push(EntryPoint {
                    endpoint: e.id.clone(),
                    kind: rule.clone(),
                    name: name.clone(),
                    time: None,
                    evidence: evidence.clone(),
                }),
                Kind::EventDetection(d) if d.rule == "first_external_logon" => out.push(EntryPoint {
                    endpoint: e.id.clone(),
                    kind: "first_external_logon".into(),
                    name: f.field("address").into(),
                    time: Some(d.time.clone()),
                    evidence: vec![format!("{} record {}", d.path, d.record_id)],
                }),
                _ => {}
            }
        }
    }
    out
}

fn preserved(dir: &Path, endpoints: &[EndpointFacts], custody: &[crate::case::Entry]) -> Vec<Preserved> {
    endpoints
        .iter()
        .map(|e| {
            let rows = crate::collect::read_manifest(&dir.join(ENDPOINTS_DIR).join(&e.id).join(layout::MANIFEST))
                .unwrap_or_default();
            let latest = crate::collect::latest_rows(&rows);
            let mut p = Preserved { endpoint: e.id.clone(), ..Preserved::default() };
            for r in latest.values() {
                if r.status == crate::collect::Status::Collected {
                    (p.files, p.bytes) = (p.files + 1, p.bytes + r.size);
                    if let Some(why) = r.artefacts.iter().find_map(|a| crate::collect::KeepWhy::of_artefact(a)) {
                        let why = serde_json::to_value(why).ok().and_then(|v| v.as_str().map(str::to_string));
                        p.found_by_scan.push(KeptFind {
                            path: r.path.clone(),
                            why: why.unwrap_or_default(),
                            size: r.size,
                            sha256: r.sha256.clone().unwrap_or_default(),
                        });
                    }
                } else {
                    let why = if r.status == crate::collect::Status::Skipped {
                        serde_json::to_value(r.reason).ok()
                    } else {
                        serde_json::to_value(r.status).ok()
                    };
                    let reason = why.and_then(|v| v.as_str().map(str::to_string));
                    *p.not_collected.entry(reason.unwrap_or_else(|| "other".into())).or_default() += 1;
                }
            }
            p.by = custody
                .iter()
                .filter(|c| c.target == e.id && (c.action.starts_with("collect.") || c.action == "scan.keep"))
                .map(|c| format!("{} {} {}", c.jst, c.actor, c.action))
                .collect();
            p
        })
        .collect()
}

fn backups(dir: &Path) -> Vec<BackupFacts> {
    subdirs(&dir.join(BACKUPS_DIR))
        .into_iter()
        .map(|medium| {
            let mdir = dir.join(BACKUPS_DIR).join(&medium);
            let mut reports: Vec<String> = std::fs::read_dir(&mdir)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("verify-") && n.ends_with(".json"))
                .collect();
            reports.sort();
            let last = reports.last().and_then(|n| read_json(&mdir.join(n))).unwrap_or(Value::Null);
            let text = |v: &Value| v.as_str().map(str::to_string);
            BackupFacts {
                medium,
                read_at: text(&last["read_at"]),
                last_clean: text(&last["verdict"]["last_clean"]),
                first_bad: text(&last["verdict"]["first_bad"]),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;

    fn incident(attribution: &[(&str, &str)]) -> (tempfile::TempDir, Incident) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("case");
        crate::case::init(&crate::case::InitOptions { dir: dir.clone(), ..Default::default() }).unwrap();
        let mut m = build(&dir).unwrap();
        let attribution = attribution
            .iter()
            .map(|(f, c)| FamilyFacts { family: (*f).into(), confidence: (*c).into(), reason: "test".into() })
            .collect();
        m.endpoints.push(EndpointFacts {
            id: "pc-01".into(),
            encrypted_files: 12,
            attribution,
            note_files: vec!["HOW-TO.txt (SHA-256 ab12)".into()],
            first_tool: Some("Users/Public/x.exe".into()),
            ..EndpointFacts::default()
        });
        m.iocs.push(Ioc { kind: "extension".into(), value: ".q8zz".into(), seen_in: vec![] });
        m.iocs.push(Ioc { kind: "email".into(), value: "a@example.org".into(), seen_in: vec![] });
        (tmp, m)
    }

    #[test]
    fn a_family_is_named_with_its_weight_and_an_unknown_one_plainly_with_the_incidents_indicators() {
        let (_t, m) = incident(&[("LockBit", "high"), ("Fog", "low")]);
        assert_eq!(m.family_text(Lang::Ja, true), "LockBit（確度: 高）、弱い手がかり（断定不可）: Fog（確度: 低）");
        let (_t, m) = incident(&[("Fog", "low")]);
        assert_eq!(
            m.family_text(Lang::En, true),
            "unknown (it matches no known family). This incident's own indicators: extension .q8zz, \
             note HOW-TO.txt (SHA-256 ab12), contact email a@example.org, first suspicious executable \
             Users/Public/x.exe, weak leads (not conclusive): Fog (confidence: low)"
        );
        assert_eq!(
            m.family_text(Lang::Ja, false),
            "不明（既知のファミリーと一致しません）、弱い手がかり（断定不可）: Fog（確度: 低）"
        );
        assert!(m.families().is_empty(), "a low lead is never named as the family");
        let (_t, mut m) = incident(&[]);
        m.endpoints[0].encrypted_files = 0;
        assert_eq!(m.family_text(Lang::Ja, true), "未確定", "no ransomware seen: nothing to attribute");
    }
}
