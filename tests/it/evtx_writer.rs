//! Writes real EVTX files for the tests: the file header, 64 KiB chunks with their CRC32s, and
//! records whose BinXML is written out directly (elements, attributes and text values, names
//! inline), which the `evtx` crate — and Windows — read like any other record.

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
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap();
    (t.timestamp() as u64 + 11_644_473_600) * 10_000_000 + u64::from(t.timestamp_subsec_nanos() / 100)
}

/// BinXML written at a known offset in its chunk (names are inline and point at themselves).
struct Xml {
    out: Vec<u8>,
    base: usize,
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
        self.out.push(if attrs.is_empty() { 0x01 } else { 0x41 });
        let size_at = self.out.len();
        self.out.extend(0u32.to_le_bytes());
        self.name(name);
        let attrs_at = self.out.len();
        if !attrs.is_empty() {
            self.out.extend(0u32.to_le_bytes());
            for (i, (k, v)) in attrs.iter().enumerate() {
                self.out.push(if i + 1 < attrs.len() { 0x46 } else { 0x06 });
                self.name(k);
                self.text(v);
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
    let mut x = Xml { out: vec![0x0F, 0x01, 0x01, 0x00], base };
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
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut id = 1u64;
    let mut rest = events;
    while !rest.is_empty() {
        let mut chunk = vec![0u8; CHUNK];
        let first = id;
        let mut at = CHUNK_HEADER;
        let mut last_at = at;
        let mut n = 0;
        for e in rest {
            let xml = event_xml(e, at + 24);
            let size = 24 + xml.len() + 4;
            if at + size > CHUNK {
                break;
            }
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
