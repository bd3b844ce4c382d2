//! Writes real EVTX files, for the demo endpoint and the tests: the file header, 64 KiB chunks with their CRC32s, and
//! records whose BinXML is written out directly (elements, attributes and text values, names
//! inline) — or, as Windows writes them, each record an instance of a template defined once per
//! chunk, its `EventData`/`UserData` a BinXML value of its own holding an instance of a second
//! template. The `evtx` crate — and Windows — read both like any other record.

use std::collections::HashMap;

/// One event to write.
#[derive(Clone, Debug)]
pub struct Event {
    pub provider: String,
    pub channel: String,
    pub event_id: u32,
    pub computer: String,
    /// UTC, RFC 3339.
    pub time: String,
    /// `<EventData><Data Name="…">…</Data></EventData>`.
    pub data: Vec<(String, String)>,
    /// When set, `<UserData><NAME xmlns="…"><K>V</K>…</NAME></UserData>` instead of EventData.
    pub user_data: Option<(String, Vec<(String, String)>)>,
}

impl Event {
    pub fn new(channel: &str, provider: &str, event_id: u32, time: &str) -> Event {
        Event {
            provider: provider.into(),
            channel: channel.into(),
            event_id,
            computer: "PC-01.hospital.local".into(),
            time: time.into(),
            data: Vec::new(),
            user_data: None,
        }
    }

    pub fn data(mut self, name: &str, value: &str) -> Event {
        self.data.push((name.into(), value.into()));
        self
    }

    pub fn user_data(mut self, element: &str, fields: &[(&str, &str)]) -> Event {
        self.user_data = Some((element.into(), fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()));
        self
    }
}

const CHUNK: usize = 65536;
const CHUNK_HEADER: usize = 512;

pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn filetime(rfc3339: &str) -> u64 {
    // A time that does not parse is written as the FILETIME epoch (1601), visibly wrong.
    chrono::DateTime::parse_from_rfc3339(rfc3339).map_or(0, |t| crate::clock::to_filetime(t.to_utc()))
}

/// An attribute's value: text, or a substitution (index, value type).
enum Attr<'a> {
    Text(&'a str),
    Sub(u16, u8),
}

/// Writes a BinXML fragment value at the chunk offset given.
type Fragment<'a> = dyn Fn(usize, &mut Templates) -> Vec<u8> + 'a;

/// The templates a chunk defines so far, by key, at their offsets.
#[derive(Clone, Default)]
pub struct Templates(HashMap<String, u32>);

fn utf16(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// A data value as Windows would type it: a decimal number as UInt32, `0x…` as HexInt64,
/// `S-1-…` as a SID, anything else as a string.
fn typed(value: &str) -> (u8, Vec<u8>) {
    if let Ok(n) = value.parse::<u32>()
        && n.to_string() == value
    {
        return (0x08, n.to_le_bytes().to_vec());
    }
    if let Some(n) = value.strip_prefix("0x").and_then(|h| u64::from_str_radix(h, 16).ok())
        && format!("{n:#x}") == value
    {
        return (0x15, n.to_le_bytes().to_vec());
    }
    let parts: Vec<u64> =
        value.strip_prefix("S-1-").map_or(vec![], |r| r.split('-').filter_map(|p| p.parse().ok()).collect());
    if let [authority, subs @ ..] = parts.as_slice()
        && !subs.is_empty()
        && parts.len() == value.split('-').count() - 2
    {
        let mut sid = vec![1, subs.len() as u8];
        sid.extend(&authority.to_be_bytes()[2..]);
        subs.iter().for_each(|s| sid.extend((*s as u32).to_le_bytes()));
        return (0x13, sid);
    }
    (0x01, utf16(value))
}

/// A record as Windows writes it: the system part from one template, its data a fragment
/// holding an instance of another.
fn templated_xml(e: &Event, base: usize, templates: &mut Templates) -> Vec<u8> {
    let (holder, fields) = match &e.user_data {
        Some((element, fields)) => (Some(element.as_str()), fields),
        None => (None, &e.data),
    };
    let typed: Vec<(u8, Vec<u8>)> = fields.iter().map(|(_, v)| typed(v)).collect();
    let data = |base: usize, templates: &mut Templates| {
        let key: Vec<String> = fields.iter().zip(&typed).map(|((k, _), (t, _))| format!("{k}:{t}")).collect();
        let key = format!("data|{}|{}", holder.unwrap_or(""), key.join(","));
        let mut x = Xml { out: vec![0x0F, 0x01, 0x01, 0x00], base, deps: false };
        let subs = |x: &mut Xml, element: &dyn Fn(&mut Xml, &str, u16, u8)| {
            for (i, ((k, _), (t, _))) in fields.iter().zip(&typed).enumerate() {
                element(x, k, i as u16, *t);
            }
        };
        let definition = |x: &mut Xml| match holder {
            None => x.element("EventData", &[], |x| {
                subs(x, &|x, k, i, t| x.element_with("Data", &[("Name", Attr::Text(k))], |x| x.sub(i, t)))
            }),
            Some(element) => x.element("UserData", &[], |x| {
                x.element(element, &[("xmlns", "Event_NS")], |x| {
                    subs(x, &|x, k, i, t| x.element(k, &[], |x| x.sub(i, t)))
                })
            }),
        };
        x.instance(&key, templates, definition, &typed, None);
        x.out.push(0x00);
        x.out
    };
    let values = [
        (0x01, utf16(&e.provider)),
        (0x06, (e.event_id as u16).to_le_bytes().to_vec()),
        (0x11, filetime(&e.time).to_le_bytes().to_vec()),
        (0x01, utf16(&e.channel)),
        (0x01, utf16(&e.computer)),
    ];
    let mut x = Xml { out: vec![0x0F, 0x01, 0x01, 0x00], base, deps: false };
    let definition = |x: &mut Xml| {
        let ns = "http://schemas.microsoft.com/win/2004/08/events/event";
        x.element("Event", &[("xmlns", ns)], |x| {
            x.element("System", &[], |x| {
                x.element_with("Provider", &[("Name", Attr::Sub(0, 0x01))], |_| {});
                x.element("EventID", &[], |x| x.sub(1, 0x06));
                x.element_with("TimeCreated", &[("SystemTime", Attr::Sub(2, 0x11))], |_| {});
                x.element("Channel", &[], |x| x.sub(3, 0x01));
                x.element("Computer", &[], |x| x.sub(4, 0x01));
            });
            x.sub(5, 0x21);
        })
    };
    x.instance("event", templates, definition, &values, Some(&data));
    x.out.push(0x00);
    x.out
}

/// BinXML written at a known offset in its chunk (names are inline and point at themselves).
struct Xml {
    out: Vec<u8>,
    base: usize,
    /// Inside a template definition, whose element starts carry a dependency id.
    deps: bool,
}

impl Xml {
    fn pos(&self) -> u32 {
        (self.base + self.out.len()) as u32
    }

    fn name(&mut self, name: &str) {
        let at = self.pos() + 4;
        self.out.extend(at.to_le_bytes());
        self.out.extend(0u32.to_le_bytes());
        let hash = name.encode_utf16().fold(0u32, |h, c| h.wrapping_mul(65599).wrapping_add(u32::from(c)));
        self.out.extend((hash as u16).to_le_bytes());
        self.out.extend((name.encode_utf16().count() as u16).to_le_bytes());
        name.encode_utf16().for_each(|c| self.out.extend(c.to_le_bytes()));
        self.out.extend([0, 0]);
    }

    fn text(&mut self, value: &str) {
        self.out.extend([0x05, 0x01]);
        self.out.extend((value.encode_utf16().count() as u16).to_le_bytes());
        value.encode_utf16().for_each(|c| self.out.extend(c.to_le_bytes()));
    }

    /// `<name a="v"…>` — children are written by `body`.
    fn element(&mut self, name: &str, attrs: &[(&str, &str)], body: impl FnOnce(&mut Xml)) {
        let attrs: Vec<(&str, Attr)> = attrs.iter().map(|(k, v)| (*k, Attr::Text(v))).collect();
        self.element_with(name, &attrs, body)
    }

    /// A substitution of the value at `index`, of BinXML value type `kind` (template definitions).
    fn sub(&mut self, index: u16, kind: u8) {
        self.out.push(0x0e);
        self.out.extend(index.to_le_bytes());
        self.out.push(kind);
    }

    /// An instance of the template `key`: its definition in place the first time this chunk uses
    /// it (written by `definition`), a reference to it after; then `values` (type, bytes), and
    /// last, when given, a BinXML fragment value written at its place by `nested`.
    fn instance(
        &mut self,
        key: &str,
        templates: &mut Templates,
        definition: impl FnOnce(&mut Xml),
        values: &[(u8, Vec<u8>)],
        nested: Option<&Fragment<'_>>,
    ) {
        self.out.extend([0x0c, 0x01]);
        self.out.extend(7u32.to_le_bytes());
        match templates.0.get(key) {
            Some(at) => self.out.extend(at.to_le_bytes()),
            None => {
                let at = self.pos() + 4;
                templates.0.insert(key.to_string(), at);
                self.out.extend(at.to_le_bytes());
                self.out.extend(0u32.to_le_bytes());
                let guid = crc32(key.as_bytes()).to_le_bytes();
                (0..4).for_each(|_| self.out.extend(guid));
                let size_at = self.out.len();
                self.out.extend(0u32.to_le_bytes());
                self.out.extend([0x0F, 0x01, 0x01, 0x00]);
                self.deps = true;
                definition(self);
                self.deps = false;
                self.out.push(0x00);
                let size = (self.out.len() - size_at - 4) as u32;
                self.out[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
            }
        }
        let count = values.len() + usize::from(nested.is_some());
        self.out.extend((count as u32).to_le_bytes());
        let table = self.out.len();
        self.out.extend(vec![0u8; count * 4]);
        let put = |x: &mut Xml, i: usize, kind: u8, bytes: Vec<u8>| {
            x.out[table + i * 4..table + i * 4 + 2].copy_from_slice(&(bytes.len() as u16).to_le_bytes());
            x.out[table + i * 4 + 2] = kind;
            x.out.extend(bytes);
        };
        for (i, (kind, bytes)) in values.iter().enumerate() {
            put(self, i, *kind, bytes.clone());
        }
        if let Some(nested) = nested {
            let bytes = nested(self.pos() as usize, templates);
            put(self, values.len(), 0x21, bytes);
        }
    }

    fn element_with(&mut self, name: &str, attrs: &[(&str, Attr)], body: impl FnOnce(&mut Xml)) {
        self.out.push(if attrs.is_empty() { 0x01 } else { 0x41 });
        if self.deps {
            self.out.extend([0xFF, 0xFF]);
        }
        let size_at = self.out.len();
        self.out.extend(0u32.to_le_bytes());
        self.name(name);
        let attrs_at = self.out.len();
        if !attrs.is_empty() {
            self.out.extend(0u32.to_le_bytes());
            for (i, (k, v)) in attrs.iter().enumerate() {
                self.out.push(if i + 1 < attrs.len() { 0x46 } else { 0x06 });
                self.name(k);
                match v {
                    Attr::Text(v) => self.text(v),
                    Attr::Sub(index, kind) => self.sub(*index, *kind),
                }
            }
            let len = (self.out.len() - attrs_at - 4) as u32;
            self.out[attrs_at..attrs_at + 4].copy_from_slice(&len.to_le_bytes());
        }
        let before = self.out.len();
        self.out.push(0x02);
        body(self);
        if self.out.len() == before + 1 {
            self.out[before] = 0x03;
        } else {
            self.out.push(0x04);
        }
        let size = (self.out.len() - size_at - 4) as u32;
        self.out[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
    }
}

fn event_xml(e: &Event, base: usize) -> Vec<u8> {
    let mut x = Xml { out: vec![0x0F, 0x01, 0x01, 0x00], base, deps: false };
    x.element("Event", &[("xmlns", "http://schemas.microsoft.com/win/2004/08/events/event")], |x| {
        x.element("System", &[], |x| {
            x.element("Provider", &[("Name", &e.provider)], |_| {});
            x.element("EventID", &[], |x| x.text(&e.event_id.to_string()));
            x.element("TimeCreated", &[("SystemTime", &e.time)], |_| {});
            x.element("Channel", &[], |x| x.text(&e.channel));
            x.element("Computer", &[], |x| x.text(&e.computer));
        });
        match &e.user_data {
            Some((element, fields)) => x.element("UserData", &[], |x| {
                x.element(element, &[("xmlns", "Event_NS")], |x| {
                    for (k, v) in fields {
                        x.element(k, &[], |x| x.text(v));
                    }
                })
            }),
            None => x.element("EventData", &[], |x| {
                for (k, v) in &e.data {
                    x.element("Data", &[("Name", k)], |x| x.text(v));
                }
            }),
        }
    });
    x.out.push(0x00);
    x.out
}

/// The bytes of an EVTX file holding `events` in order (record ids from 1).
pub fn evtx(events: &[Event]) -> Vec<u8> {
    file(events, |e, base, _| event_xml(e, base))
}

/// The same, each record a template instance as Windows writes them.
pub fn evtx_templated(events: &[Event]) -> Vec<u8> {
    file(events, templated_xml)
}

fn file(events: &[Event], record: impl Fn(&Event, usize, &mut Templates) -> Vec<u8>) -> Vec<u8> {
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut id = 1u64;
    let mut rest = events;
    while !rest.is_empty() {
        let mut chunk = vec![0u8; CHUNK];
        let first = id;
        let mut at = CHUNK_HEADER;
        let mut last_at = at;
        let mut n = 0;
        let mut templates = Templates::default();
        for e in rest {
            let mut these = templates.clone();
            let xml = record(e, at + 24, &mut these);
            let size = 24 + xml.len() + 4;
            if at + size > CHUNK {
                break;
            }
            templates = these;
            let r = &mut chunk[at..at + size];
            r[..4].copy_from_slice(b"\x2a\x2a\x00\x00");
            r[4..8].copy_from_slice(&(size as u32).to_le_bytes());
            r[8..16].copy_from_slice(&id.to_le_bytes());
            r[16..24].copy_from_slice(&filetime(&e.time).to_le_bytes());
            r[24..24 + xml.len()].copy_from_slice(&xml);
            r[size - 4..].copy_from_slice(&(size as u32).to_le_bytes());
            last_at = at;
            at += size;
            id += 1;
            n += 1;
        }
        assert!(n > 0, "an event too large for one chunk");
        rest = &rest[n..];
        chunk[..8].copy_from_slice(b"ElfChnk\0");
        for (off, v) in [(8, first - 1), (16, id - 2), (24, first), (32, id - 1)] {
            chunk[off..off + 8].copy_from_slice(&v.to_le_bytes());
        }
        chunk[40..44].copy_from_slice(&128u32.to_le_bytes());
        chunk[44..48].copy_from_slice(&(last_at as u32).to_le_bytes());
        chunk[48..52].copy_from_slice(&(at as u32).to_le_bytes());
        let data_crc = crc32(&chunk[CHUNK_HEADER..at]);
        chunk[52..56].copy_from_slice(&data_crc.to_le_bytes());
        let mut header = chunk[..120].to_vec();
        header.extend(&chunk[128..512]);
        let header_crc = crc32(&header);
        chunk[124..128].copy_from_slice(&header_crc.to_le_bytes());
        chunks.push(chunk);
    }
    let mut file = vec![0u8; 4096];
    file[..8].copy_from_slice(b"ElfFile\0");
    file[8..16].copy_from_slice(&0u64.to_le_bytes());
    file[16..24].copy_from_slice(&(chunks.len().saturating_sub(1) as u64).to_le_bytes());
    file[24..32].copy_from_slice(&id.to_le_bytes());
    file[32..36].copy_from_slice(&128u32.to_le_bytes());
    file[36..38].copy_from_slice(&1u16.to_le_bytes());
    file[38..40].copy_from_slice(&3u16.to_le_bytes());
    file[40..42].copy_from_slice(&4096u16.to_le_bytes());
    file[42..44].copy_from_slice(&(chunks.len() as u16).to_le_bytes());
    let crc = crc32(&file[..120]);
    file[124..128].copy_from_slice(&crc.to_le_bytes());
    chunks.into_iter().for_each(|c| file.extend(c));
    file
}
