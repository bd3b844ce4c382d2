//! YARA-X over files: the rules compiled once and shared, one `Scanner` per worker thread, a
//! per-file timeout and size cap, walkdir over the trees given. Files are read without changing
//! their access time and never through a symlink; every file not scanned is recorded with why.

use std::fs::Metadata;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value};
use walkdir::WalkDir;

use crate::progress::Progress;
use crate::yara::across::Across;
use crate::yara::rules::RuleSet;

/// Rule categories of the attacker's tools (not ransom notes or contact-point rules): what is
/// quarantined and what counts as a file-hash indicator.
pub const TOOL_CATEGORIES: [&str; 5] = ["hack_tool", "ransomware_tooling", "webshell", "exfiltration", "remote_access"];

/// Limits of a scan.
#[derive(Clone, Debug)]
pub struct Options {
    /// Files larger than this are not scanned (recorded as skipped).
    pub max_size: u64,
    /// Longest time one file may take.
    pub timeout: Duration,
    /// Worker threads.
    pub threads: usize,
    /// YARA only: no hash, no encryption check, no executable facts, no note names (to compare
    /// with a plain YARA scanner).
    pub yara_only: bool,
    /// Bytes of what a case's volume scan found (notes, tools, encrypted samples) kept in the
    /// endpoint's evidence.
    pub keep_budget: u64,
}

/// The default budget for what a volume scan keeps.
pub const KEEP_BUDGET: u64 = 256 << 20;

impl Default for Options {
    fn default() -> Options {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        Options {
            max_size: 256 << 20,
            timeout: Duration::from_secs(60),
            threads,
            yara_only: false,
            keep_budget: KEEP_BUDGET,
        }
    }
}

/// A rule that matched a file.
#[derive(Clone, Debug, Serialize)]
pub struct Hit {
    /// The file.
    pub path: String,
    /// SHA-256 of the bytes scanned.
    pub sha256: String,
    /// Rule identifier.
    pub rule: String,
    /// The rule file it came from.
    pub rule_file: String,
    /// Rule tags.
    pub tags: Vec<String>,
    /// Rule metadata (description_ja/en, severity, category, family, reference …).
    pub meta: Map<String, Value>,
    /// For a ransom note: the families it names, with confidence and reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attribution: Vec<crate::ransomware::family::Attribution>,
}

/// A file that was not scanned.
#[derive(Clone, Debug, Serialize)]
pub struct Skip {
    /// The file (or directory, for a walk error).
    pub path: String,
    /// Why: too_large, timeout, unreadable, not_regular, walk_error, internal_error (a fault of
    /// shodo's on this file, recorded with its message; the scan goes on).
    pub reason: &'static str,
    /// Details.
    pub detail: String,
}

/// A file whose content or name says it was encrypted.
#[derive(Clone, Debug, Serialize)]
pub struct Encrypted {
    /// The file.
    pub path: String,
    /// SHA-256 of its content.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Why, and the window statistics.
    pub assessment: crate::ransomware::encryption::Assessment,
}

/// A file encrypted by design (a VeraCrypt, LUKS or BitLocker volume, an age or OpenPGP file):
/// an encrypted container, said apart from the files ransomware encrypted.
#[derive(Clone, Debug, Serialize)]
pub struct Container {
    /// The file.
    pub path: String,
    /// SHA-256.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Which container (`veracrypt`, `luks`, `bitlocker`, `age`, `openpgp`).
    pub format: &'static str,
    /// Only its name says so: many such files beside each other are ransomware's (`yara::across`).
    #[serde(skip)]
    pub by_name: bool,
}

/// An executable and what it says about itself.
#[derive(Clone, Debug, Serialize)]
pub struct Executable {
    /// The file.
    pub path: String,
    /// SHA-256.
    pub sha256: String,
    /// Its facts, when it parses.
    pub facts: Option<crate::formats::binary::ExeFacts>,
    /// Why it does not parse (a malformed executable is a finding in itself).
    pub malformed: Option<String>,
}

/// A file under a name ransom notes use.
#[derive(Clone, Debug, Serialize)]
pub struct NoteByName {
    /// The file.
    pub path: String,
    /// SHA-256.
    pub sha256: String,
    /// The pattern of `rules/ransomware/note-names.txt` it matched.
    pub pattern: String,
    /// Whether a ransom-note rule matched the content too.
    pub content_match: bool,
    /// The family the name belongs to, when it names one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attribution: Vec<crate::ransomware::family::Attribution>,
    /// For a name no list knows: the folders holding encrypted files where a file of this name
    /// lies (the pattern is then the name itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub folders: Option<u64>,
}

/// What a scan produces, as it happens.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A rule matched.
    Hit(Hit),
    /// A file looks encrypted.
    Encrypted(Encrypted),
    /// A file is an encrypted container (not ransomware's doing).
    Container(Container),
    /// An executable (PE or ELF) and its facts.
    Executable(Executable),
    /// A file named like a ransom note.
    NoteName(NoteByName),
    /// A file was not scanned.
    Skip(Skip),
}

impl Event {
    /// The file it is about.
    pub fn path(&self) -> &str {
        match self {
            Event::Hit(h) => &h.path,
            Event::Encrypted(x) => &x.path,
            Event::Container(c) => &c.path,
            Event::Executable(x) => &x.path,
            Event::NoteName(n) => &n.path,
            Event::Skip(s) => &s.path,
        }
    }
}

/// Counts of a finished scan.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// Files scanned.
    pub scanned: u64,
    /// Bytes scanned.
    pub bytes: u64,
    /// Rule matches.
    pub hits: u64,
    /// Files that look encrypted.
    pub encrypted: u64,
    /// Encrypted containers (not counted as encrypted files).
    #[serde(skip_serializing_if = "is_zero")]
    pub containers: u64,
    /// Files named like ransom notes.
    pub note_names: u64,
    /// Files not scanned.
    pub skipped: u64,
    /// Entries that are not regular files (links, devices, sockets) and were passed over, when
    /// a whole volume is walked.
    #[serde(skip_serializing_if = "is_zero")]
    pub not_regular: u64,
    /// Files not compared with the rest of the scan (for the incident's extension and a note's
    /// name in every encrypted folder) because too many were kept already.
    #[serde(skip_serializing_if = "is_zero")]
    pub not_compared: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Something to scan: a file on disk, or bytes already read (an entry of an evidence archive).
pub enum Item {
    /// A file, with its `lstat`.
    File(PathBuf, Metadata),
    /// Bytes under a name (the evidence path they were collected from).
    Bytes(String, Vec<u8>),
    /// A file on disk reported under another name (its path relative to a volume's root).
    Named(PathBuf, Metadata, String),
}

/// Hands items to the scan and reports items it could not produce.
pub struct Feed<'a> {
    tx: mpsc::SyncSender<Item>,
    on_event: &'a (dyn Fn(Event) + Sync),
    total: &'a Mutex<Summary>,
}

impl Feed<'_> {
    /// Queues an item; false when the scan has stopped.
    pub fn push(&self, item: Item) -> bool {
        self.tx.send(item).is_ok()
    }

    /// Records something that could not be scanned.
    pub fn skip(&self, path: String, reason: &'static str, detail: String) {
        add(self.total, |t| t.skipped += 1);
        (self.on_event)(Event::Skip(Skip { path, reason, detail }));
    }
}

/// Scans every file under `paths`, calling `on_event` for each hit and skip (from the workers).
pub fn scan(
    set: &RuleSet,
    paths: &[PathBuf],
    opts: &Options,
    progress: &dyn Progress,
    on_event: &(dyn Fn(Event) + Sync),
) -> Summary {
    scan_feed(set, opts, progress, None, on_event, |feed| walk(paths, feed))
}

/// Scans what `produce` feeds, on `opts.threads` workers with one scanner each; `totals` (files,
/// bytes) when known beforehand, for the progress display.
pub fn scan_feed(
    set: &RuleSet,
    opts: &Options,
    progress: &dyn Progress,
    totals: Option<(u64, u64)>,
    on_event: &(dyn Fn(Event) + Sync),
    produce: impl FnOnce(&Feed),
) -> Summary {
    let (tx, rx) = mpsc::sync_channel::<Item>(64);
    let rx = Mutex::new(rx);
    let total = Mutex::new(Summary::default());
    let across = Mutex::new(Across::default());
    progress.start("scan", totals.map(|t| t.0), totals.map(|t| t.1));
    std::thread::scope(|s| {
        for _ in 0..opts.threads.max(1) {
            s.spawn(|| worker(set, opts, &rx, (&total, &across), progress, on_event));
        }
        produce(&Feed { tx, on_event, total: &total });
    });
    let (events, not_compared) = across.into_inner().map(Across::finish).unwrap_or_default();
    add(&total, |t| t.not_compared = not_compared);
    for e in events {
        add(&total, |t| match &e {
            Event::Encrypted(_) => t.encrypted += 1,
            Event::Container(_) => t.containers += 1,
            Event::NoteName(_) => t.note_names += 1,
            _ => {}
        });
        on_event(e);
    }
    progress.finish();
    total.into_inner().unwrap_or_default()
}

fn walk(paths: &[PathBuf], feed: &Feed) {
    for root in paths {
        for entry in WalkDir::new(root).follow_links(false).sort_by_file_name() {
            match entry {
                Ok(e) if e.file_type().is_dir() => {}
                Ok(e) if !e.file_type().is_file() => {
                    feed.skip(e.path().display().to_string(), "not_regular", String::new())
                }
                Ok(e) => match e.metadata() {
                    Ok(m) => {
                        if !feed.push(Item::File(e.into_path(), m)) {
                            return;
                        }
                    }
                    Err(err) => feed.skip(e.path().display().to_string(), "unreadable", err.to_string()),
                },
                Err(err) => {
                    let at = err.path().map(|p| p.display().to_string()).unwrap_or_default();
                    feed.skip(at, "walk_error", err.to_string());
                }
            }
        }
    }
}

fn add(total: &Mutex<Summary>, f: impl FnOnce(&mut Summary)) {
    if let Ok(mut t) = total.lock() {
        f(&mut t);
    }
}

fn worker(
    set: &RuleSet,
    opts: &Options,
    rx: &Mutex<mpsc::Receiver<Item>>,
    (total, across): (&Mutex<Summary>, &Mutex<Across>),
    progress: &dyn Progress,
    on_event: &(dyn Fn(Event) + Sync),
) {
    let mut scanner = yara_x::Scanner::new(&set.rules);
    scanner.set_timeout(opts.timeout);
    // One read buffer per worker, reused: a fresh allocation per file costs page faults.
    let mut buf = Vec::new();
    loop {
        if buf.capacity() > KEEP_BUFFER {
            buf = Vec::new();
        }
        let next = rx.lock().ok().and_then(|r| r.recv().ok());
        let Some(item) = next else { return };
        // Cancelled: drain what the producer still sends, so that it is never left blocked.
        if progress.cancelled() {
            continue;
        }
        let label = match &item {
            Item::File(path, _) => path.display().to_string(),
            Item::Named(_, _, name) | Item::Bytes(name, _) => name.clone(),
        };
        // A fault in the judgement of one file is that file's problem, recorded as such: the
        // worker goes on (with a fresh scanner) and the scan is never left waiting for it.
        let scanned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match &item {
            Item::File(path, meta) | Item::Named(path, meta, _) => {
                scan_file(&mut scanner, set, opts, path, meta, &label, &mut buf)
            }
            Item::Bytes(name, data) => scan_bytes(&mut scanner, set, opts, name, data, None),
        }));
        let outcome = scanned.unwrap_or_else(|fault| {
            scanner = yara_x::Scanner::new(&set.rules);
            scanner.set_timeout(opts.timeout);
            let why = fault
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| fault.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(("internal_error", why))
        });
        match outcome {
            Ok(mut found) => {
                let mut across = (!opts.yara_only).then(|| across.lock().ok()).flatten();
                // What says too little alone waits for the end of the scan and the files beside
                // it, when there is room to keep it.
                let weak = found.encrypted.as_ref().is_some_and(|x| x.assessment.is_weak())
                    || found.container.as_ref().is_some_and(|c| c.by_name && found.encrypted.is_some());
                if weak
                    && let Some(a) = across.as_mut()
                    && let Some(x) = found.encrypted.take()
                    && let Err((x, c)) = a.defer(x, found.container.take())
                {
                    (found.encrypted, found.container) = (Some(x), c);
                }
                // Alone, a container is its owner's.
                if found.container.is_some() {
                    found.encrypted = None;
                }
                if let Some(mut a) = across {
                    let note = found.note_name.is_some() || found.hits.iter().any(is_note);
                    a.see(&label, &found.sha256, found.size, found.encrypted.as_ref(), note, found.hint);
                }
                add(total, |t| {
                    t.scanned += 1;
                    t.bytes += found.size;
                    t.hits += found.hits.len() as u64;
                    t.encrypted += u64::from(found.encrypted.is_some());
                    t.containers += u64::from(found.container.is_some());
                    t.note_names += u64::from(found.note_name.is_some());
                });
                progress.advance(1, found.size);
                found.hits.into_iter().for_each(|h| on_event(Event::Hit(h)));
                found.encrypted.into_iter().for_each(|e| on_event(Event::Encrypted(e)));
                found.container.into_iter().for_each(|c| on_event(Event::Container(c)));
                found.executable.into_iter().for_each(|e| on_event(Event::Executable(e)));
                found.note_name.into_iter().for_each(|e| on_event(Event::NoteName(e)));
            }
            Err((reason, detail)) => {
                add(total, |t| t.skipped += 1);
                progress.advance(1, 0);
                on_event(Event::Skip(Skip { path: label, reason, detail }));
            }
        }
    }
}

/// What one file gave: rule hits, an encryption assessment, executable facts, its size and hash,
/// and whether, being no note, it says something notes say.
struct Found {
    hits: Vec<Hit>,
    encrypted: Option<Encrypted>,
    container: Option<Container>,
    executable: Option<Executable>,
    note_name: Option<NoteByName>,
    size: u64,
    sha256: String,
    hint: bool,
}

fn is_note(h: &Hit) -> bool {
    h.meta.get("category").and_then(|v| v.as_str()) == Some("ransom_note")
}

type Outcome = std::result::Result<Found, (&'static str, String)>;

/// Largest read buffer a worker keeps between files.
const KEEP_BUFFER: usize = 64 << 20;

fn scan_file(
    scanner: &mut yara_x::Scanner,
    set: &RuleSet,
    opts: &Options,
    path: &Path,
    meta: &Metadata,
    name: &str,
    buf: &mut Vec<u8>,
) -> Outcome {
    if meta.len() > opts.max_size {
        return Err(("too_large", format!("{} bytes > {}", meta.len(), opts.max_size)));
    }
    read(path, opts.max_size, meta.len(), buf)?;
    scan_bytes(scanner, set, opts, name, buf, Some(meta.uid()))
}

fn scan_bytes(
    scanner: &mut yara_x::Scanner,
    set: &RuleSet,
    opts: &Options,
    name: &str,
    data: &[u8],
    owner: Option<u32>,
) -> Outcome {
    if data.len() as u64 > opts.max_size {
        return Err(("too_large", format!("{} bytes > {}", data.len(), opts.max_size)));
    }
    set_globals(scanner, Path::new(name), owner, data);
    let results = match scanner.scan(data) {
        Ok(r) => r,
        Err(yara_x::errors::ScanError::Timeout) => return Err(("timeout", format!("over {:?}", opts.timeout))),
        Err(e) => return Err(("unreadable", e.to_string())),
    };
    let sha256 = if opts.yara_only { String::new() } else { crate::hash::sha256_hex(data) };
    let hits = results
        .matching_rules()
        .map(|r| Hit {
            path: name.to_string(),
            sha256: sha256.clone(),
            rule: r.identifier().to_string(),
            rule_file: rule_file(set, r.namespace()),
            tags: r.tags().map(|t| t.identifier().to_string()).collect(),
            meta: r.metadata().map(|(k, v)| (k.to_string(), meta_value(v))).collect(),
            attribution: Vec::new(),
        })
        // A held-out family's own rules are not there (the leave-one-family-out evaluation).
        .filter(|h| !crate::ransomware::held_out(h.meta.get("family").and_then(|v| v.as_str()).into_iter()))
        .map(|mut h: Hit| {
            if h.meta.get("category").and_then(|v| v.as_str()) == Some("ransom_note") {
                h.attribution = crate::ransomware::family::from_note(&crate::ransomware::iocs::decode(data));
            }
            h
        })
        .collect::<Vec<Hit>>();
    let size = data.len() as u64;
    if opts.yara_only {
        let (encrypted, container, executable, note_name) = (None, None, None, None);
        return Ok(Found { hits, encrypted, container, executable, note_name, size, sha256, hint: false });
    }
    let mut hits = hits;
    let mut hint = false;
    if !hits.iter().any(is_note) {
        let read = crate::ransomware::note_text::read(data);
        hint = read.hint;
        hits.extend(read.note.map(|note| note_hit(name, &sha256, data, &note)));
    }
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let note_name = crate::ransomware::notes::match_name(base).map(|n| NoteByName {
        path: name.to_string(),
        sha256: sha256.clone(),
        content_match: hits.iter().any(is_note),
        attribution: n
            .family
            .as_deref()
            .and_then(|f| crate::ransomware::family::from_note_name(base, f))
            .into_iter()
            .collect(),
        pattern: n.pattern,
        folders: None,
    });
    let container = crate::ransomware::encryption::container(name, data).map(|(format, by_name)| Container {
        path: name.to_string(),
        sha256: sha256.clone(),
        size,
        format,
        by_name,
    });
    // A container only its name shows is judged too: the scan weighs the two against the files
    // beside it.
    let encrypted = container
        .as_ref()
        .is_none_or(|c| c.by_name)
        .then(|| crate::ransomware::encryption::assess(name, data))
        .flatten()
        .map(|assessment| Encrypted {
            path: name.to_string(),
            sha256: sha256.clone(),
            size: data.len() as u64,
            assessment,
        });
    let executable = crate::formats::binary::facts(data).map(|f| {
        let (facts, malformed) = match f {
            Ok(facts) => (Some(facts), None),
            Err(why) => (None, Some(why.to_string())),
        };
        Executable { path: name.to_string(), sha256: sha256.clone(), facts, malformed }
    });
    Ok(Found { hits, encrypted, container, executable, note_name, size, sha256, hint })
}

/// A ransom note the rules did not see, read by its decoded text (any language and encoding of
/// `rules/ransomware/note-phrases.toml`) or its shape, as a hit of its own rule.
fn note_hit(name: &str, sha256: &str, data: &[u8], note: &crate::ransomware::note_text::NoteText) -> Hit {
    let (ja, en) = note.description();
    let mut meta = Map::new();
    meta.insert("description_ja".into(), ja.into());
    meta.insert("description_en".into(), en.into());
    meta.insert("severity".into(), "high".into());
    meta.insert("category".into(), "ransom_note".into());
    meta.insert("family".into(), "generic".into());
    meta.insert("reference".into(), "shodo".into());
    meta.insert("shape".into(), note.shape.into());
    meta.insert("language".into(), note.language.clone().map_or(Value::Null, Value::from));
    meta.insert("encoding".into(), note.encoding.into());
    meta.insert("markup".into(), note.markup.map_or(Value::Null, Value::from));
    meta.insert("signals".into(), note.signals.iter().map(|s| Value::from(*s)).collect());
    let text = crate::ransomware::iocs::decode(data);
    Hit {
        path: name.to_string(),
        sha256: sha256.to_string(),
        rule: format!("shodo_ransom_note_{}", note.shape),
        rule_file: crate::ransomware::note_text::SOURCE.to_string(),
        tags: Vec::new(),
        meta,
        attribution: crate::ransomware::family::from_note(&text),
    }
}

/// Reads the file into `data` (cleared first), at most `cap` bytes.
fn read(path: &Path, cap: u64, size: u64, data: &mut Vec<u8>) -> std::result::Result<(), (&'static str, String)> {
    let file = crate::collect::open_evidence(path).map_err(|(_, why)| ("unreadable", why))?;
    data.clear();
    data.reserve(size.min(cap) as usize + 1);
    file.take(cap + 1).read_to_end(data).map_err(|e| ("unreadable", e.to_string()))?;
    if data.len() as u64 > cap {
        return Err(("too_large", format!("grew past {cap} bytes while reading")));
    }
    Ok(())
}

fn set_globals(scanner: &mut yara_x::Scanner, path: &Path, owner: Option<u32>, data: &[u8]) {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    let filetype = match data.get(..4) {
        Some([b'M', b'Z', ..]) => "EXE",
        Some([0x7f, b'E', b'L', b'F']) => "ELF",
        Some([b'P', b'K', 3, 4]) => "ZIP",
        Some([b'%', b'P', b'D', b'F']) => "PDF",
        _ => "",
    };
    let values = [
        ("filename", name),
        ("filepath", path.display().to_string()),
        ("extension", ext),
        ("filetype", filetype.to_string()),
        ("owner", owner.map(|u| u.to_string()).unwrap_or_default()),
    ];
    for (k, v) in values {
        let _ = scanner.set_global(k, v.as_str());
    }
}

fn rule_file(set: &RuleSet, namespace: &str) -> String {
    namespace
        .strip_prefix('f')
        .and_then(|i| i.parse::<usize>().ok())
        .and_then(|i| set.sources.get(i).cloned())
        .unwrap_or_default()
}

fn meta_value(v: yara_x::MetaValue) -> Value {
    match v {
        yara_x::MetaValue::Integer(i) => i.into(),
        yara_x::MetaValue::Float(f) => f.into(),
        yara_x::MetaValue::Bool(b) => b.into(),
        yara_x::MetaValue::String(s) => s.into(),
        yara_x::MetaValue::Bytes(b) => b.to_string().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nobody watching; `Watch(true)`: the operator cancelled before anything ran.
    struct Watch(bool);

    impl Progress for Watch {
        fn start(&self, _: &str, _: Option<u64>, _: Option<u64>) {}
        fn advance(&self, _: u64, _: u64) {}
        fn note(&self, _: &str) {}
        fn finish(&self) {}
        fn cancelled(&self) -> bool {
            self.0
        }
    }

    #[test]
    fn random_files_alone_are_their_owners_and_beside_an_encrypted_one_the_incidents() {
        use chacha20::cipher::{KeyIvInit, StreamCipher};
        let random = |n: usize, seed: u8| {
            let mut data = vec![0u8; n];
            chacha20::ChaCha20::new(&[seed; 32].into(), &[0u8; 12].into()).apply_keystream(&mut data);
            data
        };
        let dir = tempfile::tempdir().unwrap();
        let at = |p: &str, data: Vec<u8>| {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, data).unwrap();
        };
        // Test vectors, and a CI service's secrets (`openssl enc -K … -iv …`: no magic).
        at("crate/tests/data/shake128.blb", random(65536, 1));
        at("crate/tests/data/shake256.blb", random(65536, 2));
        at("sdk/system_tests/secrets.tar.enc", random(10324, 3));
        // A ward's share: a document that lost its format beside a random file of no known format.
        at("ward/紹介状.docx.q7vz", random(9000, 4));
        at("ward/patients.bin", random(20000, 5));
        let set = crate::yara::rules::load(true, &[], None).unwrap();
        let events = Mutex::new(Vec::new());
        let summary = scan(&set, &[dir.path().to_path_buf()], &Options::default(), &Watch(false), &|e| {
            events.lock().unwrap().push(e)
        });
        let events = events.into_inner().unwrap();
        let named = |container: bool| {
            let mut v: Vec<String> = events
                .iter()
                .filter(|e| matches!((e, container), (Event::Encrypted(_), false) | (Event::Container(_), true)))
                .map(|e| e.path().rsplit('/').next().unwrap().to_string())
                .collect();
            v.sort();
            v
        };
        assert_eq!(named(false), ["patients.bin", "紹介状.docx.q7vz"]);
        assert_eq!(named(true), ["secrets.tar.enc"]);
        assert_eq!((summary.encrypted, summary.containers), (2, 1));
    }

    #[test]
    fn a_cancelled_scan_scans_nothing_and_never_leaves_the_walk_blocked() {
        let dir = tempfile::tempdir().unwrap();
        // More files than the channel holds: the walk would block if the workers just stopped.
        for i in 0..300 {
            std::fs::write(dir.path().join(format!("f{i}.txt")), b"plain text").unwrap();
        }
        let set = crate::yara::rules::load(true, &[], None).unwrap();
        let opts = Options { threads: 2, ..Options::default() };
        let summary = scan(&set, &[dir.path().to_path_buf()], &opts, &Watch(true), &|_| {});
        assert_eq!(summary.scanned, 0);
    }
}
