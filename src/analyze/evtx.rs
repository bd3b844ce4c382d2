//! Windows event logs (EVTX), read chunk by chunk from any reader — an evidence archive's entry
//! streams straight through, and memory stays at one 64 KiB chunk whatever the log's size.
//! Corrupt logs give what can be parsed: a bad chunk or record is counted and described, and
//! the reading goes on.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};

/// Bytes of the file header block.
const FILE_HEADER: usize = 4096;
/// Bytes of one chunk.
const CHUNK: usize = 65536;
/// Problems described in full; the rest are only counted.
const MAX_ERRORS: usize = 50;

/// One event, with what the detections read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Record {
    /// Event record id.
    pub record_id: u64,
    /// When it was written (UTC, RFC 3339).
    pub time: String,
    /// Channel (`Security`, `System`, …).
    pub channel: String,
    /// Provider name.
    pub provider: String,
    /// Event id.
    pub event_id: u32,
    /// Computer name as the event records it.
    pub computer: String,
    /// Named values of `EventData`, or of the element under `UserData`.
    pub data: Map<String, Value>,
}

impl Record {
    /// A named value as text (`""` when absent).
    pub fn get(&self, name: &str) -> String {
        match self.data.get(name) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(v) => v.to_string(),
        }
    }
}

/// What reading one log gave, besides its records.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LogReport {
    /// Records read.
    pub records: u64,
    /// Chunks with records.
    pub chunks: u64,
    /// Problems (bad header, chunks, records), counted.
    pub problems: u64,
    /// The first problems, described.
    pub problem_details: Vec<String>,
    /// Records per (channel, event id).
    pub counts: BTreeMap<String, BTreeMap<u32, u64>>,
    /// Oldest and newest record time.
    pub first: Option<String>,
    /// Newest record time.
    pub last: Option<String>,
}

impl LogReport {
    fn problem(&mut self, what: String) {
        self.problems += 1;
        if self.problem_details.len() < MAX_ERRORS {
            self.problem_details.push(what);
        }
    }
}

/// Reads a log from `input`, handing each record to `on_record`.
pub fn read_log(input: &mut dyn Read, on_record: &mut dyn FnMut(Record)) -> LogReport {
    let mut report = LogReport::default();
    let mut header = vec![0u8; FILE_HEADER];
    match read_full(input, &mut header) {
        Ok(n) if n < FILE_HEADER => {
            report.problem(format!("not an EVTX file: only {n} bytes"));
            return report;
        }
        Ok(_) => {}
        Err(e) => {
            report.problem(format!("unreadable: {e}"));
            return report;
        }
    }
    if !header.starts_with(b"ElfFile\0") {
        report.problem("file header magic is not ElfFile (chunks read anyway)".into());
    }
    let settings = Arc::new(evtx::ParserSettings::new());
    let mut number = 0u64;
    loop {
        let mut data = vec![0u8; CHUNK];
        let n = match read_full(input, &mut data) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                report.problem(format!("chunk {number}: unreadable: {e}"));
                break;
            }
        };
        if n < CHUNK {
            if data[..n].iter().any(|&b| b != 0) {
                report.problem(format!("chunk {number}: truncated at {n} bytes"));
            }
            break;
        }
        read_chunk(number, data, &settings, &mut report, on_record);
        number += 1;
    }
    report
}

fn read_chunk(
    number: u64,
    data: Vec<u8>,
    settings: &Arc<evtx::ParserSettings>,
    report: &mut LogReport,
    on_record: &mut dyn FnMut(Record),
) {
    if data.iter().all(|&b| b == 0) {
        return;
    }
    let mut chunk = match evtx::EvtxChunkData::new(data, false) {
        Ok(c) => c,
        Err(e) => {
            report.problem(format!("chunk {number}: {e}"));
            return;
        }
    };
    if !chunk.validate_checksum() {
        report.problem(format!("chunk {number}: checksum mismatch (records read anyway)"));
    }
    let mut parsed = match chunk.parse(settings.clone()) {
        Ok(p) => p,
        Err(e) => {
            report.problem(format!("chunk {number}: {e}"));
            return;
        }
    };
    report.chunks += 1;
    for record in parsed.iter() {
        let json = match record.and_then(|r| r.into_json_value()) {
            Ok(j) => j,
            Err(e) => {
                report.problem(format!("chunk {number}: record: {e}"));
                continue;
            }
        };
        let time = crate::clock::utc_string(
            chrono::DateTime::from_timestamp_micros(json.timestamp.as_microsecond()).unwrap_or_default(),
        );
        let r = to_record(json.event_record_id, time, &json.data);
        report.records += 1;
        *report.counts.entry(r.channel.clone()).or_default().entry(r.event_id).or_default() += 1;
        // A zero timestamp (1601) says nothing about when the log starts.
        let dated = r.time.as_str() >= "1980";
        if dated && report.first.as_ref().is_none_or(|f| r.time < *f) {
            report.first = Some(r.time.clone());
        }
        if dated && report.last.as_ref().is_none_or(|l| r.time > *l) {
            report.last = Some(r.time.clone());
        }
        on_record(r);
    }
}

fn read_full(input: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The parts of the rendered event the detections use.
fn to_record(record_id: u64, time: String, json: &Value) -> Record {
    let event = &json["Event"];
    let system = &event["System"];
    let event_id = match &system["EventID"] {
        Value::Object(o) => number(o.get("#text").unwrap_or(&Value::Null)),
        v => number(v),
    };
    let mut data = Map::new();
    match &event["EventData"] {
        Value::Object(o) => {
            for (k, v) in o {
                if k != "#attributes" {
                    data.insert(k.clone(), text_of(v));
                }
            }
        }
        Value::String(s) => {
            data.insert("Data".into(), Value::String(s.clone()));
        }
        _ => {}
    }
    if let Value::Object(o) = &event["UserData"] {
        for inner in o.values() {
            if let Value::Object(fields) = inner {
                for (k, v) in fields {
                    if k != "#attributes" {
                        data.insert(k.clone(), text_of(v));
                    }
                }
            }
        }
    }
    Record {
        record_id,
        time,
        channel: string(&system["Channel"]),
        provider: string(&system["Provider"]["#attributes"]["Name"]),
        event_id,
        computer: string(&system["Computer"]),
        data,
    }
}

fn number(v: &Value) -> u32 {
    match v {
        Value::Number(n) => n.as_u64().unwrap_or(0) as u32,
        Value::String(s) => s.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

fn string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        v => v.to_string(),
    }
}

/// `{"#text": …}` and arrays flattened to text; other values as they are.
fn text_of(v: &Value) -> Value {
    match v {
        Value::Object(o) if o.contains_key("#text") => text_of(&o["#text"]),
        Value::Array(a) => Value::String(a.iter().map(|x| string(&text_of(x))).collect::<Vec<_>>().join(", ")),
        v => v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_a_problem_not_a_panic() {
        let mut r = read_log(&mut &b"not an event log"[..], &mut |_| {});
        assert_eq!((r.records, r.problems), (0, 1));
        let mut junk = b"ElfFile\0".to_vec();
        junk.resize(FILE_HEADER + CHUNK + 100, 0x41);
        r = read_log(&mut &junk[..], &mut |_| {});
        assert_eq!(r.records, 0);
        assert!(r.problems >= 2, "{r:?}");
    }

    #[test]
    fn event_fields_from_event_data_and_user_data() {
        let json = serde_json::json!({ "Event": {
            "System": { "EventID": { "#attributes": { "Qualifiers": 0 }, "#text": 7045 }, "Channel": "System",
                        "Provider": { "#attributes": { "Name": "Service Control Manager" } }, "Computer": "PC" },
            "EventData": { "ServiceName": "evil", "ImagePath": "C:\\Temp\\x.exe" } } });
        let r = to_record(5, "t".into(), &json);
        assert_eq!((r.event_id, r.channel.as_str(), r.provider.as_str()), (7045, "System", "Service Control Manager"));
        assert_eq!(r.get("ImagePath"), "C:\\Temp\\x.exe");
        let json = serde_json::json!({ "Event": { "System": { "EventID": 1102, "Channel": "Security" },
            "UserData": { "LogFileCleared": { "#attributes": {}, "SubjectUserName": "admin" } } } });
        assert_eq!(to_record(1, "t".into(), &json).get("SubjectUserName"), "admin");
    }
}
