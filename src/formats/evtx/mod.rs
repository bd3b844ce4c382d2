//! Windows event logs (EVTX), read chunk by chunk from any reader — an evidence archive's entry
//! streams straight through, and memory stays at a few batches of 64 KiB chunks whatever the
//! log's size. Records that are plain template instances (almost all) are read straight from
//! their substitution values ([`binxml`]); the others are rendered by the `evtx` crate.
//! Corrupt logs give what can be parsed: a bad chunk or record is counted and described, and
//! the reading goes on.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Arc;

use std::sync::{Mutex, mpsc};

use serde::Serialize;

mod binxml;
mod record;
mod rendered;

use binxml::Templates;
use record::micros_string;
pub use record::{Data, Record, Selection};
use rendered::render;

/// Bytes of the file header block.
const FILE_HEADER: usize = 4096;
/// Bytes of one chunk.
const CHUNK: usize = 65536;
/// Chunks handed to a worker at a time (fewer hand-overs between threads).
const BATCH: usize = 16;
/// Problems described in full; the rest are only counted.
const MAX_ERRORS: usize = 50;

/// What reading one log gave, besides its records.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LogReport {
    /// Records read.
    pub records: u64,
    /// Chunks with records.
    pub chunks: u64,
    /// Records that are not plain template instances, read by rendering them in full (slower).
    #[serde(skip)]
    pub rendered: u64,
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

/// Reads a log from `input`, handing each record to `on_record` (on this thread); chunks are
/// parsed on one worker per core, in batches, at most a few batches in flight.
pub fn read_log(input: &mut dyn Read, wanted: Selection, on_record: &mut dyn FnMut(&Record)) -> LogReport {
    read(input, wanted, true, on_record)
}

/// As [`read_log`], but every record rendered in full as JSON and read from that: several times
/// slower, kept as the reference the template reading is checked against.
pub fn read_log_rendered(input: &mut dyn Read, wanted: Selection, on_record: &mut dyn FnMut(&Record)) -> LogReport {
    read(input, wanted, false, on_record)
}

fn read(input: &mut dyn Read, wanted: Selection, templated: bool, on_record: &mut dyn FnMut(&Record)) -> LogReport {
    let mut report = LogReport::default();
    if !read_header(input, &mut report) {
        return report;
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8);
    let (chunk_tx, chunk_rx) = mpsc::sync_channel::<Batch>(threads);
    let chunk_rx = Mutex::new(chunk_rx);
    let (done_tx, done_rx) = mpsc::channel::<(usize, Vec<Parsed>)>();
    // Records go back to the worker that made them to be freed there, off this thread (and off
    // the allocator's lock of another thread's arena).
    let (trash_tx, trash_rx): (Vec<_>, Vec<_>) = (0..threads).map(|_| mpsc::channel::<Vec<Record>>()).unzip();
    let (mut first, mut last) = (None::<i64>, None::<i64>);
    let mut take_one = |p: Parsed, report: &mut LogReport| -> Vec<Record> {
        p.problems.into_iter().for_each(|w| report.problem(w));
        report.chunks += u64::from(p.parsed);
        report.records += p.total;
        report.rendered += p.rendered;
        for (channel, ids) in p.counts {
            let mine = report.counts.entry(channel).or_default();
            ids.into_iter().for_each(|(id, n)| *mine.entry(id).or_default() += n);
        }
        first = first.into_iter().chain(p.first).min();
        last = last.into_iter().chain(p.last).max();
        p.records.iter().for_each(&mut *on_record);
        p.records
    };
    // Chunk buffers come back with their results and are read into again.
    let mut spare: Vec<Vec<u8>> = Vec::new();
    let mut take = |(worker, batch): (usize, Vec<Parsed>), report: &mut LogReport, spare: &mut Vec<Vec<u8>>| {
        for mut p in batch {
            spare.extend(p.buffer.take().filter(|_| spare.len() < 4 * BATCH * threads));
            let records = take_one(p, report);
            if let Some(trash) = trash_tx.get(worker) {
                let _ = trash.send(records);
            }
        }
    };
    std::thread::scope(|scope| {
        for (worker, trash) in trash_rx.into_iter().enumerate() {
            let (rx, tx) = (&chunk_rx, done_tx.clone());
            scope.spawn(move || parse_batches(worker, rx, &tx, &trash, wanted, templated));
        }
        drop(done_tx);
        let mut number = 0u64;
        let mut more = true;
        while more {
            let mut batch = Vec::with_capacity(BATCH);
            while batch.len() < BATCH {
                match next_chunk(input, number, &mut report, spare.pop()) {
                    Some(data) => batch.push(data),
                    None => {
                        more = false;
                        break;
                    }
                }
                number += 1;
            }
            if batch.is_empty() {
                break;
            }
            // Hand the batch over; while the workers are busy, take what they finished.
            let mut item = (number - batch.len() as u64, batch);
            loop {
                while let Ok(p) = done_rx.try_recv() {
                    take(p, &mut report, &mut spare);
                }
                match chunk_tx.try_send(item) {
                    Ok(()) => break,
                    Err(mpsc::TrySendError::Full(back)) => {
                        item = back;
                        if let Ok(p) = done_rx.recv_timeout(std::time::Duration::from_millis(5)) {
                            take(p, &mut report, &mut spare);
                        }
                    }
                    Err(mpsc::TrySendError::Disconnected(_)) => return,
                }
            }
        }
        drop(chunk_tx);
        for p in done_rx.iter() {
            take(p, &mut report, &mut spare);
        }
    });
    report.first = first.map(micros_string);
    report.last = last.map(micros_string);
    report
}

/// A batch of chunks to parse: the number of its first chunk, and their bytes.
type Batch = (u64, Vec<Vec<u8>>);

/// Reads the file header: false when there is no log to read (too short, unreadable); a wrong
/// magic is a problem, and the chunks are read anyway.
fn read_header(input: &mut dyn Read, report: &mut LogReport) -> bool {
    let mut header = vec![0u8; FILE_HEADER];
    match read_full(input, &mut header) {
        Ok(n) if n < FILE_HEADER => {
            report.problem(format!("not an EVTX file: only {n} bytes"));
            return false;
        }
        Ok(_) => {}
        Err(e) => {
            report.problem(format!("unreadable: {e}"));
            return false;
        }
    }
    if !header.starts_with(b"ElfFile\0") {
        report.problem("file header magic is not ElfFile (chunks read anyway)".into());
    }
    true
}

/// One worker: parses the batches of chunks it is handed until the reader stops, sending each
/// batch's results back with its number, and frees the records the reader sends back.
fn parse_batches(
    worker: usize,
    rx: &Mutex<mpsc::Receiver<Batch>>,
    tx: &mpsc::Sender<(usize, Vec<Parsed>)>,
    trash: &mpsc::Receiver<Vec<Record>>,
    wanted: Selection,
    templated: bool,
) {
    let settings = Arc::new(evtx::ParserSettings::new());
    while let Some((first, batch)) = rx.lock().ok().and_then(|r| r.recv().ok()) {
        trash.try_iter().for_each(drop);
        let parsed = (first..).zip(batch).map(|(number, data)| {
            // A parser bug on a hostile chunk costs that chunk, not the log.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                parse_chunk(number, data, &settings, wanted, templated)
            }))
            .unwrap_or_else(|_| Parsed::failed(format!("chunk {number}: the parser failed on it")))
        });
        if tx.send((worker, parsed.collect())).is_err() {
            return;
        }
    }
}

/// The next chunk of the log (read into `reuse` when given), `None` at its end (a torn last chunk
/// and a read error are problems).
fn next_chunk(input: &mut dyn Read, number: u64, report: &mut LogReport, reuse: Option<Vec<u8>>) -> Option<Vec<u8>> {
    let mut data = reuse.filter(|b| b.len() == CHUNK).unwrap_or_else(|| vec![0u8; CHUNK]);
    let n = match read_full(input, &mut data) {
        Ok(n) => n,
        Err(e) => {
            report.problem(format!("chunk {number}: unreadable: {e}"));
            return None;
        }
    };
    if n < CHUNK {
        if data[..n].iter().any(|&b| b != 0) {
            report.problem(format!("chunk {number}: truncated at {n} bytes"));
        }
        return None;
    }
    Some(data)
}

/// What one chunk gave.
struct Parsed {
    /// The selected records.
    records: Vec<Record>,
    /// Every record, counted.
    total: u64,
    /// Records read by rendering them in full.
    rendered: u64,
    counts: BTreeMap<String, BTreeMap<u32, u64>>,
    /// Oldest and newest record time (microseconds), from 1980 on.
    first: Option<i64>,
    last: Option<i64>,
    problems: Vec<String>,
    parsed: bool,
    /// The chunk's buffer, handed back to be read into again.
    buffer: Option<Vec<u8>>,
}

impl Parsed {
    fn failed(problem: String) -> Parsed {
        Parsed {
            records: Vec::new(),
            total: 0,
            rendered: 0,
            counts: BTreeMap::new(),
            first: None,
            last: None,
            problems: vec![problem],
            parsed: false,
            buffer: None,
        }
    }
}

fn parse_chunk(
    number: u64,
    data: Vec<u8>,
    settings: &Arc<evtx::ParserSettings>,
    wanted: Selection,
    templated: bool,
) -> Parsed {
    let mut out = Parsed::failed(String::new());
    out.problems.clear();
    if data.iter().all(|&b| b == 0) {
        out.buffer = Some(data);
        return out;
    }
    let mut chunk = match evtx::EvtxChunkData::new(data, false) {
        Ok(c) => c,
        Err(e) => {
            out.problems.push(format!("chunk {number}: {e}"));
            return out;
        }
    };
    if !chunk.validate_checksum() {
        out.problems.push(format!("chunk {number}: checksum mismatch (records read anyway)"));
    }
    let walked = templated
        .then(|| binxml::records(&chunk.data, chunk.header.free_space_offset, chunk.header.last_event_record_id))
        .flatten();
    let reads = match walked {
        Some(raws) => read_walked(&mut chunk, &raws, settings, wanted),
        None => read_by_crate(&mut chunk, settings, wanted).map(|reads| (reads.len() as u64, reads)),
    };
    match reads {
        Ok((rendered, reads)) => {
            out.parsed = true;
            out.rendered = rendered;
            reads.into_iter().for_each(|r| out.tally(number, r));
        }
        Err(e) => out.problems.push(format!("chunk {number}: {e}")),
    }
    out.buffer = Some(std::mem::take(&mut chunk.data));
    out
}

/// What reading one record gave: its time (µs) and id, then channel, event id and the record
/// when selected, or why it could not be read.
type RecordRead = (i64, u64, Result<(Arc<str>, u32, Option<Record>), String>);

impl Parsed {
    fn tally(&mut self, number: u64, (micros, record_id, read): RecordRead) {
        match read {
            Ok((channel, event_id, record)) => {
                self.total += 1;
                // A zero timestamp (1601) says nothing about when the log starts.
                if micros >= SINCE_1980 {
                    self.first = Some(self.first.map_or(micros, |f| f.min(micros)));
                    self.last = Some(self.last.map_or(micros, |l| l.max(micros)));
                }
                // A selected record carries the channel; otherwise it comes on its own.
                let channel = record.as_ref().map_or(&*channel, |r| &*r.channel);
                let ids = match self.counts.get_mut(channel) {
                    Some(ids) => ids,
                    None => self.counts.entry(channel.to_string()).or_default(),
                };
                *ids.entry(event_id).or_default() += 1;
                self.records.extend(record);
            }
            Err(e) if record_id == u64::MAX => self.problems.push(format!("chunk {number}: record: {e}")),
            Err(e) => self.problems.push(format!("chunk {number}: record {record_id}: {e}")),
        }
    }
}

/// A chunk whose records were walked: each read through its templates, and those that are not
/// plain template instances (counted) read by the crate, in the chunk's order.
fn read_walked(
    chunk: &mut evtx::EvtxChunkData,
    raws: &[binxml::RawRecord],
    settings: &Arc<evtx::ParserSettings>,
    wanted: Selection,
) -> Result<(u64, Vec<RecordRead>), String> {
    let (mut templates, mut values) = (Templates::new(wanted.fields), Vec::new());
    let mut reads: Vec<(i64, u64, Option<_>)> = raws
        .iter()
        .map(|raw| {
            let read = binxml::read(&chunk.data, raw, &mut templates, wanted.events, &mut values);
            (raw.micros, raw.record_id, read.map(|(system, data)| Ok(selected(raw, system, data))))
        })
        .collect();
    let rendered = reads.iter().filter(|r| r.2.is_none()).count() as u64;
    if rendered > 0 {
        let mut parsed = chunk.parse(settings.clone()).map_err(|e| e.to_string())?;
        let mut trouble = None;
        for record in parsed.iter() {
            match record {
                Ok(record) => {
                    let at = raws.iter().position(|r| r.start as u64 == record.binxml_offset);
                    if let Some(slot) = at.and_then(|i| reads.get_mut(i)).filter(|r| r.2.is_none()) {
                        slot.2 = Some(render(record, wanted));
                    }
                }
                Err(e) => trouble = trouble.or(Some(e.to_string())),
            }
        }
        for r in reads.iter_mut().filter(|r| r.2.is_none()) {
            r.2 = Some(Err(trouble.clone().unwrap_or_else(|| "not readable".into())));
        }
    }
    let reads = reads.into_iter().map(|(micros, id, read)| (micros, id, read.unwrap_or_else(|| Err(String::new()))));
    Ok((rendered, reads.collect()))
}

/// A chunk read record by record by the crate, each rendered in full.
fn read_by_crate(
    chunk: &mut evtx::EvtxChunkData,
    settings: &Arc<evtx::ParserSettings>,
    wanted: Selection,
) -> Result<Vec<RecordRead>, String> {
    let mut parsed = chunk.parse(settings.clone()).map_err(|e| e.to_string())?;
    Ok(parsed
        .iter()
        .map(|record| match record {
            Ok(r) => (r.timestamp.as_microsecond(), r.event_record_id, render(r, wanted)),
            Err(e) => (0, u64::MAX, Err(e.to_string())),
        })
        .collect())
}

/// The record, when its event was selected.
fn selected(raw: &binxml::RawRecord, system: binxml::Fields, data: Option<Data>) -> (Arc<str>, u32, Option<Record>) {
    match data {
        Some(data) => {
            let record = Record {
                record_id: raw.record_id,
                time: micros_string(raw.micros),
                micros: raw.micros,
                channel: system.channel,
                provider: system.provider,
                event_id: system.event_id,
                computer: system.computer,
                data,
            };
            (Arc::clone(&record.channel), system.event_id, Some(record))
        }
        None => (system.channel, system.event_id, None),
    }
}

/// 1980-01-01 in microseconds since 1970.
const SINCE_1980: i64 = 315_532_800_000_000;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_times_are_written_as_the_clock_writes_them() {
        for micros in [0, 1, -1, 1_479_574_206_588_873, -11_644_473_600_000_000, 253_402_300_799_999_999, 999_999] {
            let t = chrono::DateTime::from_timestamp_micros(micros).unwrap();
            assert_eq!(micros_string(micros), crate::clock::utc_string(t), "{micros}");
        }
    }

    #[test]
    fn garbage_is_a_problem_not_a_panic() {
        let all = Selection::ALL;
        let mut r = read_log(&mut &b"not an event log"[..], all, &mut |_| {});
        assert_eq!((r.records, r.problems), (0, 1));
        let mut junk = b"ElfFile\0".to_vec();
        junk.resize(FILE_HEADER + CHUNK + 100, 0x41);
        r = read_log(&mut &junk[..], all, &mut |_| {});
        assert_eq!(r.records, 0);
        assert!(r.problems >= 2, "{r:?}");
    }
}
