//! An event's fields read straight from its template's substitution values, without building
//! or rendering the record. Almost every record Windows writes is one template instance: the
//! template (stored once per chunk) says where `EventID`, `Channel`, `Computer`, the provider's
//! name and each `EventData`/`UserData` field sit, and the record holds only the values (MS-EVEN6
//! BinXML). A chunk, template or value outside the plain shapes read here gives `None`, and the
//! caller reads that record (or chunk) with the `evtx` crate instead — so nothing is read
//! differently, only faster. Reads only; every offset is checked against the chunk's bounds.

use std::borrow::Cow;
use std::sync::Arc;

use super::record::Data;

/// Where one of an event's texts comes from.
#[derive(Clone, Debug, PartialEq)]
enum Part {
    /// Written in the template.
    Literal(String),
    /// The record's substitution value at this index.
    Value(u16),
}

/// What a template says about the fields shodo reads.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    event_id: Option<Part>,
    channel: Option<Part>,
    computer: Option<Part>,
    provider: Option<Part>,
    /// `EventData`'s fields, or those of the element under `UserData`, in order, as the
    /// template names them.
    fields: Vec<(String, Part)>,
    /// Those of them kept, by the name records carry.
    kept: Vec<(Cow<'static, str>, Part)>,
    /// Substitutions that hold a BinXML fragment of their own (Windows puts `EventData` in
    /// one), with the path of the element they sit in.
    nested: Vec<(Vec<String>, u16)>,
}

/// An event's system fields, read through its template (computer and provider only for the
/// events selected).
#[derive(Debug, Default, PartialEq)]
pub struct Fields {
    pub event_id: u32,
    pub channel: Arc<str>,
    pub computer: Arc<str>,
    pub provider: Arc<str>,
}

/// Texts that repeat from record to record (channels, computers, providers), made once and
/// shared.
#[derive(Default)]
struct Names {
    known: Vec<Arc<str>>,
    scratch: String,
}

impl Names {
    /// The text of `part` (empty when there is none); `None` when it is not plain.
    fn get(&mut self, part: Option<&Part>, values: &[Value]) -> Option<Arc<str>> {
        self.scratch.clear();
        if let Some(p) = part {
            write_text(p, values, &mut self.scratch)?;
        }
        if let Some(known) = self.known.iter().find(|k| ***k == *self.scratch) {
            return Some(known.clone());
        }
        let name: Arc<str> = Arc::from(self.scratch.as_str());
        if self.known.len() < 64 {
            self.known.push(name.clone());
        }
        Some(name)
    }
}

/// A template's layout under one path (`None`: read the slow way).
type Placed = (Vec<String>, Option<Arc<Layout>>);

/// Templates of one chunk, by their offset and the path they are instantiated under; `None` for
/// a template read the slow way. Only the fields named in `fields` (all when it is empty) are
/// kept in their layouts.
pub struct Templates {
    /// Few per chunk: a list searched in order beats hashing.
    known: Vec<(u32, Placed)>,
    fields: &'static [&'static str],
    names: Names,
}

impl Templates {
    /// Templates keeping the fields named in `fields`, or all fields when it is empty.
    pub fn new(fields: &'static [&'static str]) -> Templates {
        Templates { known: Vec::new(), fields, names: Names::default() }
    }

    /// The layout of the template defined at `offset` in the chunk `data`, its elements placed
    /// under `under`.
    pub fn layout(&mut self, data: &[u8], offset: u32, under: &[String]) -> Option<Arc<Layout>> {
        if let Some((_, (_, layout))) = self.known.iter().find(|(at, (path, _))| *at == offset && path == under) {
            return layout.clone();
        }
        let layout = layout(data, offset, under).map(|l| {
            let kept = l.fields.into_iter().filter_map(|(name, part)| Some((kept(self.fields, name)?, part))).collect();
            Arc::new(Layout { fields: Vec::new(), kept, ..l })
        });
        self.known.push((offset, (under.to_vec(), layout.clone())));
        layout
    }
}

/// The name a kept field goes by (the selection's own text, so records share it), `None` for a
/// field not kept.
fn kept(fields: &'static [&'static str], name: String) -> Option<Cow<'static, str>> {
    if fields.is_empty() {
        return Some(Cow::Owned(name));
    }
    fields.iter().find(|f| f.len() == name.len() && **f == name).map(|f| Cow::Borrowed(*f))
}

/// One record as it sits in the chunk.
#[derive(Clone, Copy, Debug)]
pub struct RawRecord {
    pub record_id: u64,
    /// Microseconds since 1970 (UTC).
    pub micros: i64,
    /// Where its BinXML starts and ends in the chunk.
    pub start: usize,
    pub end: usize,
}

/// Bytes of a chunk's header with its string and template tables; records follow.
const CHUNK_HEADER: usize = 512;
/// Bytes of a record's header (magic, size, id, time) and of the size copy that ends it.
const RECORD_HEADER: usize = 24;
const RECORD_TAIL: usize = 4;
/// The last second a record time may fall in (9999-12-30), as the `evtx` crate reads them.
const LAST_SECOND: i64 = 253_402_207_199;

/// The records of a chunk, walked from one to the next as the `evtx` crate walks them; `None`
/// when the walk meets anything irregular (the crate then reads the chunk, resyncing as it can).
pub fn records(data: &[u8], free_space: u32, last_id: u64) -> Option<Vec<RawRecord>> {
    let live_end = usize::try_from(free_space).ok()?.min(data.len());
    let mut out = Vec::with_capacity(128);
    let mut at = CHUNK_HEADER;
    while at < live_end {
        (data.get(at..at + 4)? == b"\x2a\x2a\x00\x00").then_some(())?;
        let size = usize::try_from(u32_at(data, at + 4)?).ok()?;
        let record_id = u64_at(data, at + 8)?;
        let filetime = u64_at(data, at + 16)?;
        let start = at + RECORD_HEADER;
        let end = start.checked_add(size.checked_sub(RECORD_HEADER + RECORD_TAIL)?)?;
        (end <= data.len()).then_some(())?;
        let micros = crate::clock::filetime_micros(filetime)?;
        (micros.div_euclid(1_000_000) <= LAST_SECOND).then_some(())?;
        out.push(RawRecord { record_id, micros, start, end });
        if record_id == last_id {
            break;
        }
        at += size;
    }
    Some(out)
}

/// How deep fragments may nest in one record before it is left to the crate.
const MAX_NESTING: usize = 4;

/// Channel, event id and — when `wanted` selects the event — the fields `templates` keep, of the
/// record whose BinXML is `data[start..end]`; `None` when some part of it is not a plain
/// template instance.
pub fn read<'a>(
    data: &'a [u8],
    record: &RawRecord,
    templates: &mut Templates,
    wanted: impl Fn(&str, u32) -> bool,
    values: &mut Vec<Value<'a>>,
) -> Option<(Fields, Option<Data>)> {
    values.clear();
    let offset = instance(data, record.start, record.end, values)?;
    let layout = templates.layout(data, offset, &[])?;
    let (system, selected) = layout.system(values, wanted, &mut templates.names)?;
    if !selected {
        return Some((system, None));
    }
    let mut fields = Data::with_capacity(record.end - record.start);
    layout.collect(data, values, 0, templates, &mut fields, 0)?;
    Some((system, Some(fields)))
}

/// One substitution value: its type and bytes (a slice of the chunk). The values of a record's
/// instances go into one list the caller keeps from record to record.
#[derive(Clone, Copy)]
pub struct Value<'a> {
    kind: u8,
    bytes: &'a [u8],
    /// Where the bytes start in the chunk.
    at: usize,
}

/// The template definition offset of the one template instance that `data[start..end]` holds
/// (after an optional fragment header, before an optional end token); its values are appended
/// to `values`.
fn instance<'a>(data: &'a [u8], start: usize, end: usize, values: &mut Vec<Value<'a>>) -> Option<u32> {
    let data = data.get(..end)?;
    let mut at = start;
    if *data.get(at)? == 0x0f {
        at += 4;
    }
    (*data.get(at)? == 0x0c).then_some(())?;
    let offset = u32_at(data, at + 6)?;
    at += 10;
    if usize::try_from(offset).ok()? == at {
        // The definition follows in place the first time a chunk uses the template.
        let size = usize::try_from(u32_at(data, at + 20)?).ok()?;
        at = at.checked_add(TEMPLATE_HEADER + size)?;
    }
    let count = usize::try_from(u32_at(data, at)?).ok()?;
    at += 4;
    let table = data.get(at..at.checked_add(count.checked_mul(4)?)?)?;
    at += table.len();
    for d in table.chunks_exact(4) {
        let size = usize::from(u16::from_le_bytes([d[0], d[1]]));
        let bytes = data.get(at..at + size)?;
        values.push(Value { kind: d[2], bytes, at });
        at += size;
    }
    (at == end || data.get(at) == Some(&0x00)).then_some(offset)
}

impl Layout {
    /// The system fields from the record's substitution values; `None` when one of them is not
    /// a plain value. The computer and provider are read only when `wanted` selects the event.
    fn system(
        &self,
        values: &[Value],
        wanted: impl Fn(&str, u32) -> bool,
        names: &mut Names,
    ) -> Option<(Fields, bool)> {
        let event_id = match &self.event_id {
            Some(Part::Value(i)) if let Some(n) = values.get(usize::from(*i)).and_then(number) => n,
            Some(p) => text(p, values)?.trim().parse().unwrap_or(0),
            None => 0,
        };
        let channel = names.get(self.channel.as_ref(), values)?;
        let selected = wanted(&channel, event_id);
        let (computer, provider) = if selected {
            (names.get(self.computer.as_ref(), values)?, names.get(self.provider.as_ref(), values)?)
        } else {
            (names.get(None, values)?, names.get(None, values)?)
        };
        Some((Fields { event_id, channel, computer, provider }, selected))
    }

    /// The kept fields as text, into `out`, those of nested fragments included;
    /// `None` when one of them is not a plain value.
    /// (This layout's values are `values[base..]`; nested fragments' values are appended after
    /// them while they are read.)
    fn collect<'a>(
        &self,
        data: &'a [u8],
        values: &mut Vec<Value<'a>>,
        base: usize,
        templates: &mut Templates,
        out: &mut Data,
        depth: usize,
    ) -> Option<()> {
        for (name, part) in &self.kept {
            out.push_with(name.clone(), |text| write_text(part, values.get(base..)?, text))?;
        }
        for (under, index) in &self.nested {
            let value = match values.get(base + usize::from(*index)).copied() {
                Some(v) if v.kind == BINXML => v,
                None => continue,
                Some(v) if v.kind == NULL => continue,
                Some(_) => return None,
            };
            (depth < MAX_NESTING).then_some(())?;
            let inner = values.len();
            let offset = instance(data, value.at, value.at + value.bytes.len(), values)?;
            let layout = templates.layout(data, offset, under)?;
            layout.collect(data, values, inner, templates, out, depth + 1)?;
            values.truncate(inner);
        }
        Some(())
    }
}

fn text(part: &Part, values: &[Value]) -> Option<String> {
    let mut out = String::new();
    write_text(part, values, &mut out)?;
    Some(out)
}

/// Appends a part's text to `out`; `None` (with `out` as it may then be) when it is not plain.
fn write_text(part: &Part, values: &[Value], out: &mut String) -> Option<()> {
    match part {
        Part::Literal(s) => {
            out.push_str(s);
            Some(())
        }
        // A substitution beyond the values given is empty, as the renderer makes it.
        Part::Value(i) => values.get(usize::from(*i)).map_or(Some(()), |v| write_value(v, out)),
    }
}

/// BinXML value types (MS-EVEN6 2.2.3.2) read here.
const NULL: u8 = 0x00;
const STRING: u8 = 0x01;
const ANSI: u8 = 0x02;
const BOOL: u8 = 0x0d;
const BINARY: u8 = 0x0e;
const GUID: u8 = 0x0f;
const SID: u8 = 0x13;
const HEX32: u8 = 0x14;
const HEX64: u8 = 0x15;
const BINXML: u8 = 0x21;

/// Appends a value's text exactly as the `evtx` crate renders it; `None` for values with
/// structure (nested BinXML, arrays, handles), times and reals, odd sizes, and text whose
/// rendering differs (NULs, non-ASCII ANSI).
fn write_value(v: &Value, out: &mut String) -> Option<()> {
    use std::fmt::Write;
    let b = v.bytes;
    let le = |n: usize| (b.len() == n).then(|| b.iter().rev().fold(0u64, |a, &x| a << 8 | u64::from(x)));
    let signed = |n: usize| le(n).map(|x| (x << (64 - 8 * n)) as i64 >> (64 - 8 * n));
    match v.kind {
        NULL => Ok(()),
        STRING => return write_utf16(b, out),
        ANSI => {
            let text = std::str::from_utf8(b).ok().filter(|t| t.is_ascii() && !t.contains('\0'))?;
            out.push_str(text);
            Ok(())
        }
        0x03 => write!(out, "{}", signed(1)?),
        0x04 => write!(out, "{}", le(1)?),
        0x05 => write!(out, "{}", signed(2)?),
        0x06 => write!(out, "{}", le(2)?),
        0x07 => write!(out, "{}", signed(4)?),
        0x08 => write!(out, "{}", le(4)?),
        0x09 => write!(out, "{}", signed(8)?),
        0x0a => write!(out, "{}", le(8)?),
        HEX32 => write!(out, "{:#x}", le(4)?),
        HEX64 => write!(out, "{:#x}", le(8)?),
        BOOL => match le(4)? {
            0 => write!(out, "false"),
            1 => write!(out, "true"),
            _ => return None,
        },
        BINARY => b.iter().try_for_each(|x| write!(out, "{x:02X}")),
        GUID => {
            let b: &[u8; 16] = b.try_into().ok()?;
            let (d1, d2, d3) = (
                u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
                u16::from_le_bytes([b[4], b[5]]),
                u16::from_le_bytes([b[6], b[7]]),
            );
            write!(out, "{{{d1:08x}-{d2:04x}-{d3:04x}-{:02x}{:02x}-", b[8], b[9])
                .and_then(|()| b[10..].iter().try_for_each(|x| write!(out, "{x:02x}")))
                .and_then(|()| write!(out, "}}"))
        }
        SID => {
            // Revision, sub-authority count, 48-bit big-endian authority, then little-endian
            // sub-authorities.
            let (&[revision, count, a0, a1, a2, a3, a4, a5], subs) = b.split_first_chunk::<8>()?;
            (subs.len() == usize::from(count) * 4).then_some(())?;
            let authority = u64::from_be_bytes([0, 0, a0, a1, a2, a3, a4, a5]);
            write!(out, "S-{revision}-{authority}").and_then(|()| {
                subs.chunks_exact(4).try_for_each(|s| write!(out, "-{}", u32::from_le_bytes([s[0], s[1], s[2], s[3]])))
            })
        }
        _ => return None,
    }
    .ok()
}

/// An event id's number without making text of it.
fn number(v: &Value) -> Option<u32> {
    let b = v.bytes;
    match (v.kind, b.len()) {
        (0x04, 1) => Some(u32::from(b[0])),
        (0x06, 2) => Some(u32::from(u16::from_le_bytes([b[0], b[1]]))),
        (0x08, 4) => Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        _ => None,
    }
}

/// Appends UTF-16LE text (ASCII without going through `char`); `None` for unpaired surrogates
/// and for NULs, whose rendering differs.
fn write_utf16(bytes: &[u8], out: &mut String) -> Option<()> {
    let units = bytes.chunks_exact(2);
    if units.clone().all(|u| u[1] == 0 && u[0] != 0 && u[0] < 0x80) {
        let mut ascii = [0u8; 64];
        for piece in bytes.chunks(128) {
            let n = piece.len() / 2;
            piece.chunks_exact(2).zip(&mut ascii).for_each(|(u, a)| *a = u[0]);
            out.push_str(std::str::from_utf8(&ascii[..n]).ok()?);
        }
        return Some(());
    }
    for c in char::decode_utf16(units.map(|u| u16::from_le_bytes([u[0], u[1]]))) {
        out.push(c.ok().filter(|&c| c != '\0')?);
    }
    Some(())
}

/// Bytes before a template definition's BinXML: next offset, GUID, size.
const TEMPLATE_HEADER: usize = 24;

/// Reads the template definition at `offset` of the chunk `data` (MS-EVEN6 BinXML with
/// dependency ids, names in the chunk's string table or inline).
fn layout(data: &[u8], offset: u32, under: &[String]) -> Option<Layout> {
    let start = usize::try_from(offset).ok()?;
    let size = usize::try_from(u32_at(data, start + 20)?).ok()?;
    let body_start = start.checked_add(TEMPLATE_HEADER)?;
    let end = body_start.checked_add(size)?.min(data.len());
    let mut walk = Walk { data, pos: body_start, end };
    let mut builder = Builder { under: under.to_vec(), ..Builder::default() };
    while walk.pos < end {
        let token = walk.u8()?;
        match token {
            0x00 => break,
            0x0f => walk.skip(3)?,
            0x01 | 0x41 => {
                walk.skip(2 + 4)?; // dependency id, data size
                let name = walk.name()?;
                if token & 0x40 != 0 {
                    walk.skip(4)?; // attribute list size
                }
                builder.open(name);
            }
            0x02 => builder.attribute = None,
            0x03 | 0x04 => builder.close()?,
            0x06 | 0x46 => builder.attribute = Some(walk.name()?),
            0x05 | 0x45 => {
                // Only string literals (value type 1) are read; anything else is unusual enough
                // to leave to the full rendering.
                (walk.u8()? == 0x01).then_some(())?;
                let chars = usize::from(walk.u16()?);
                let text = walk.utf16(chars)?;
                builder.part(Part::Literal(text))?;
            }
            0x0d | 0x0e => {
                let index = walk.u16()?;
                walk.skip(1)?; // value type
                builder.part(Part::Value(index))?;
            }
            _ => return None,
        }
    }
    builder.stack.is_empty().then_some(())?;
    let names = &builder.layout.fields;
    let unique = names.iter().enumerate().all(|(i, (n, _))| names[..i].iter().all(|(m, _)| m != n));
    unique.then_some(builder.layout)
}

/// An element being read: its name, its attributes' parts and its content's parts.
struct Open {
    name: String,
    attributes: Vec<(String, Vec<Part>)>,
    content: Vec<Part>,
}

#[derive(Default)]
struct Builder {
    /// The path the template's elements are placed under.
    under: Vec<String>,
    stack: Vec<Open>,
    attribute: Option<String>,
    layout: Layout,
}

impl Builder {
    fn open(&mut self, name: String) {
        self.attribute = None;
        self.stack.push(Open { name, attributes: Vec::new(), content: Vec::new() });
    }

    fn part(&mut self, part: Part) -> Option<()> {
        let open = self.stack.last_mut()?;
        match &self.attribute {
            Some(a) => match open.attributes.iter_mut().find(|(n, _)| n == a) {
                Some((_, parts)) => parts.push(part),
                None => open.attributes.push((a.clone(), vec![part])),
            },
            None => open.content.push(part),
        }
        Some(())
    }

    /// Ends the innermost element and files what it holds under its path.
    fn close(&mut self) -> Option<()> {
        self.attribute = None;
        let open = self.stack.pop()?;
        let path: Vec<&str> =
            self.under.iter().map(String::as_str).chain(self.stack.iter().map(|o| o.name.as_str())).collect();
        let layout = &mut self.layout;
        let holder = matches!(
            (path.as_slice(), open.name.as_str()),
            ([], "Event") | (["Event"], "EventData" | "UserData") | (["Event", "UserData"], _)
        );
        if holder {
            // Content here is either a fragment of its own or text of a shape left to the
            // full rendering.
            let mut inside: Vec<String> = path.iter().map(|p| p.to_string()).collect();
            inside.push(open.name.clone());
            for part in open.content {
                match part {
                    Part::Value(i) => layout.nested.push((inside.clone(), i)),
                    Part::Literal(_) => return None,
                }
            }
            return Some(());
        }
        match (path.as_slice(), open.name.as_str()) {
            (["Event", "System"], "EventID") => layout.event_id = single(open.content)?,
            (["Event", "System"], "Channel") => layout.channel = single(open.content)?,
            (["Event", "System"], "Computer") => layout.computer = single(open.content)?,
            (["Event", "System"], "Provider") => {
                let name = open.attributes.into_iter().find(|(n, _)| n == "Name");
                layout.provider = match name {
                    Some((_, parts)) => single(parts)?,
                    None => None,
                };
            }
            (["Event", "EventData"], element) => {
                let name = match element {
                    // Unnamed data is rendered as a list; leave it to the full rendering.
                    "Data" => match open.attributes.into_iter().find(|(n, _)| n == "Name")?.1.as_slice() {
                        [Part::Literal(name)] => name.clone(),
                        _ => return None,
                    },
                    other => other.to_string(),
                };
                layout.fields.push((name, single(open.content)?.unwrap_or(Part::Literal(String::new()))));
            }
            (["Event", "UserData", _], field) => {
                layout.fields.push((field.to_string(), single(open.content)?.unwrap_or(Part::Literal(String::new()))));
            }
            // Anything deeper than the fields has a shape of its own.
            (["Event", "EventData", ..] | ["Event", "UserData", _, ..], _) => return None,
            _ => {}
        }
        Some(())
    }
}

/// At most one part: `Some(None)` for none, `None` for several (text and values mixed).
fn single(mut parts: Vec<Part>) -> Option<Option<Part>> {
    match parts.len() {
        0 => Some(None),
        1 => Some(parts.pop()),
        _ => None,
    }
}

/// A cursor over a chunk's bytes.
struct Walk<'a> {
    data: &'a [u8],
    pos: usize,
    end: usize,
}

impl Walk<'_> {
    fn u8(&mut self) -> Option<u8> {
        let b = *self.data.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    fn u16(&mut self) -> Option<u16> {
        let v = u16_at(self.data, self.pos)?;
        self.pos += 2;
        Some(v)
    }

    fn skip(&mut self, n: usize) -> Option<()> {
        self.pos = self.pos.checked_add(n).filter(|&p| p <= self.end)?;
        Some(())
    }

    fn utf16(&mut self, chars: usize) -> Option<String> {
        let bytes = self.data.get(self.pos..self.pos.checked_add(chars * 2)?)?;
        self.pos += chars * 2;
        utf16(bytes)
    }

    /// A name reference: the offset of a string-table entry (next offset, hash, length,
    /// characters, NUL), which follows in place when the offset is the current position.
    fn name(&mut self) -> Option<String> {
        let offset = usize::try_from(u32_at(self.data, self.pos)?).ok()?;
        self.pos += 4;
        let chars = usize::from(u16_at(self.data, offset.checked_add(6)?)?);
        let text = utf16(self.data.get(offset + 8..offset + 8 + chars * 2)?)?;
        if offset == self.pos {
            self.skip(8 + chars * 2 + 2)?;
        }
        Some(text)
    }
}

fn utf16(bytes: &[u8]) -> Option<String> {
    let units = bytes.chunks_exact(2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    char::decode_utf16(units).collect::<Result<String, _>>().ok()
}

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(data.get(at..at.checked_add(2)?)?.try_into().ok()?))
}

fn u64_at(data: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(data.get(at..at.checked_add(8)?)?.try_into().ok()?))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(data.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(kind: u8, bytes: &[u8]) -> Option<String> {
        let mut out = String::new();
        write_value(&Value { kind, bytes, at: 0 }, &mut out)?;
        Some(out)
    }

    #[test]
    fn values_read_as_the_crate_renders_them() {
        assert_eq!(value(0x07, &(-5i32).to_le_bytes()).as_deref(), Some("-5"));
        assert_eq!(value(0x08, &7u32.to_le_bytes()).as_deref(), Some("7"));
        assert_eq!(value(0x08, &[1, 2]), None, "a size that does not fit the type");
        assert_eq!(value(HEX64, &0xc000_006du64.to_le_bytes()).as_deref(), Some("0xc000006d"));
        assert_eq!(value(HEX32, &0u32.to_le_bytes()).as_deref(), Some("0x0"));
        assert_eq!(value(BOOL, &1u32.to_le_bytes()).as_deref(), Some("true"));
        assert_eq!(value(BINARY, &[0xab, 0x01]).as_deref(), Some("AB01"));
        let utf16 = |s: &str| s.encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>();
        assert_eq!(value(STRING, &utf16("山田 a\\b")).as_deref(), Some("山田 a\\b"));
        assert_eq!(value(STRING, &utf16("a\0")), None, "NULs are left to the crate");
        assert_eq!(value(STRING, &[0x00, 0xd8]), None, "an unpaired surrogate");
        let mut sid = vec![1, 2, 0, 0, 0, 0, 0, 5];
        sid.extend(32u32.to_le_bytes());
        sid.extend(544u32.to_le_bytes());
        assert_eq!(value(SID, &sid).as_deref(), Some("S-1-5-32-544"));
        assert_eq!(value(SID, &sid[..12]), None, "fewer sub-authorities than counted");
        let guid = [0x78, 0x56, 0x34, 0x12, 0x34, 0x12, 0x78, 0x56, 1, 2, 3, 4, 5, 6, 7, 8];
        assert_eq!(value(GUID, &guid).as_deref(), Some("{12345678-1234-5678-0102-030405060708}"));
        assert_eq!(value(0x11, &[0; 8]), None, "times are left to the crate");
        assert_eq!(value(BINXML, &[0x0f]), None);
    }

    #[test]
    fn hostile_chunks_give_none_not_a_panic() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..300 {
            let mut chunk: Vec<u8> = (0..65536).map(|_| next() as u8).collect();
            // A chain of plausible record headers over random BinXML that starts like a template
            // instance, its definition offset pointing anywhere (often in place).
            let mut at = 512;
            while at + 400 < 65536 {
                let size = 40 + (next() % 300) as usize;
                chunk[at..at + 4].copy_from_slice(b"\x2a\x2a\x00\x00");
                chunk[at + 4..at + 8].copy_from_slice(&(size as u32).to_le_bytes());
                chunk[at + 16..at + 24].copy_from_slice(&(next() % (1 << 60)).to_le_bytes());
                chunk[at + 24..at + 29].copy_from_slice(&[0x0f, 1, 1, 0, 0x0c]);
                let offset = if round % 2 == 0 { at + 38 } else { (next() % 65536) as usize };
                chunk[at + 34..at + 38].copy_from_slice(&(offset as u32).to_le_bytes());
                at += size;
            }
            let raws = records(&chunk, at as u32, u64::MAX).unwrap_or_default();
            assert!(raws.len() > 100, "the walk follows the chain");
            let (mut templates, mut values) = (Templates::new(&[]), Vec::new());
            for raw in &raws {
                let _ = read(&chunk, raw, &mut templates, |_, _| true, &mut values);
            }
        }
    }
}
