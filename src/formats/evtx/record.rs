//! The event as the readers hand it on: its system fields and named values ([`Record`], [`Data`]),
//! which events and fields a reader decodes ([`Selection`]), and the one time format of a record.
//! Shared by the chunk reader, the BinXML fast path and the rendered path, so none of the three
//! imports another for its types.

use std::borrow::Cow;
use std::sync::Arc;

/// One event, with what the detections read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Record {
    /// Event record id.
    pub record_id: u64,
    /// When it was written (UTC, RFC 3339).
    pub time: String,
    /// The same, in microseconds since 1970.
    pub micros: i64,
    /// Channel (`Security`, `System`, …).
    pub channel: Arc<str>,
    /// Provider name.
    pub provider: Arc<str>,
    /// Event id.
    pub event_id: u32,
    /// Computer name as the event records it.
    pub computer: Arc<str>,
    /// Named values of `EventData`, or of the element under `UserData`, as text.
    pub data: Data,
}

impl Record {
    /// A named value as text (`""` when absent).
    pub fn get(&self, name: &str) -> String {
        self.text(name).to_string()
    }

    /// A named value as text, borrowed (`""` when absent).
    pub fn text(&self, name: &str) -> &str {
        self.data.get(name).unwrap_or_default()
    }
}

/// An event's named values, in order, held in one text (one allocation for them all): each name
/// with where its value ends. Names the selection lists are shared, not copied.
#[derive(Clone, Default, PartialEq)]
pub struct Data {
    text: String,
    fields: Vec<(Cow<'static, str>, usize)>,
}

impl Data {
    /// Room for about `bytes` of text.
    pub fn with_capacity(bytes: usize) -> Data {
        Data { text: String::with_capacity(bytes / 2), fields: Vec::with_capacity(16) }
    }

    /// Appends a value.
    pub fn push(&mut self, name: impl Into<Cow<'static, str>>, value: &str) {
        self.text.push_str(value);
        self.fields.push((name.into(), self.text.len()));
    }

    /// Appends the value `write` writes; when it gives `None`, nothing is kept.
    pub fn push_with(&mut self, name: Cow<'static, str>, write: impl FnOnce(&mut String) -> Option<()>) -> Option<()> {
        let start = self.text.len();
        if write(&mut self.text).is_none() {
            self.text.truncate(start);
            return None;
        }
        self.fields.push((name, self.text.len()));
        Some(())
    }

    /// The first value named `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    /// Names and values, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let starts = std::iter::once(0).chain(self.fields.iter().map(|(_, end)| *end));
        self.fields
            .iter()
            .zip(starts)
            .map(|((name, end), start)| (name.as_ref(), self.text.get(start..*end).unwrap_or("")))
    }

    /// How many values.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// No values.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

impl std::fmt::Debug for Data {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<K: Into<Cow<'static, str>>, V: AsRef<str>> FromIterator<(K, V)> for Data {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Data {
        let mut data = Data::default();
        pairs.into_iter().for_each(|(k, v)| data.push(k, v.as_ref()));
        data
    }
}

/// Which events need their data (`EventData`/`UserData`) parsed, and which fields of it; the
/// others are only counted.
#[derive(Clone, Copy)]
pub struct Selection {
    /// The events (channel, event id) whose data is read.
    pub events: fn(&str, u32) -> bool,
    /// The fields kept; empty keeps every field.
    pub fields: &'static [&'static str],
}

impl Selection {
    /// Every event, every field.
    pub const ALL: Selection = Selection { events: |_, _| true, fields: &[] };

    pub(crate) fn keeps(&self, field: &str) -> bool {
        // Lengths first: most names are rejected without comparing their bytes.
        self.fields.is_empty() || self.fields.iter().any(|f| f.len() == field.len() && *f == field)
    }
}

/// `2026-11-21T01:02:03.123456Z`, as `clock::utc_string` writes it, without its formatter (this
/// runs once per event read).
pub(crate) fn micros_string(micros: i64) -> String {
    use chrono::{Datelike, Timelike};
    let t = chrono::DateTime::from_timestamp_micros(micros).unwrap_or_default();
    let Some(year) = u32::try_from(t.year()).ok().filter(|y| *y <= 9999) else {
        return crate::clock::utc_string(t);
    };
    let mut out = String::with_capacity(27);
    let mut push = |n: u32, width: u32, after: char| {
        (0..width).rev().for_each(|i| out.push(char::from(b'0' + (n / 10u32.pow(i) % 10) as u8)));
        out.push(after);
    };
    push(year, 4, '-');
    push(t.month(), 2, '-');
    push(t.day(), 2, 'T');
    push(t.hour(), 2, ':');
    push(t.minute(), 2, ':');
    push(t.second(), 2, '.');
    push(t.timestamp_subsec_micros(), 6, 'Z');
    out
}
