//! An event read from its full JSON rendering by the `evtx` crate: the way for records that are
//! not plain template instances (see [`super::binxml`]), and the reference that reading is
//! checked against. One pass over the JSON: only the selected events' data is looked at, and of
//! it only the selected fields are decoded.

use std::borrow::Cow;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::record::{Data, Record, Selection, micros_string};

/// The same, from the record rendered as JSON (any shape of record).
pub(super) fn render(record: evtx::EvtxRecord, wanted: Selection) -> Result<(Arc<str>, u32, Option<Record>), String> {
    let json = record.into_json_bytes().map_err(|e| e.to_string())?;
    let micros = json.timestamp.as_microsecond();
    let (channel, event_id, record) =
        lean_record(json.event_record_id, micros, &json.data, wanted).map_err(|e| e.to_string())?;
    Ok((Arc::from(channel.as_ref()), event_id, record))
}

/// Channel, event id, and — when selected — the record, from its rendered JSON, in one pass:
/// only the selected events' data is looked at, and of it only the selected fields are decoded
/// (the rest is skipped without being built).
fn lean_record(
    record_id: u64,
    micros: i64,
    json: &[u8],
    wanted: Selection,
) -> serde_json::Result<(Cow<'_, str>, u32, Option<Record>)> {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_slice(json);
    let doc = Seed(DocVisitor { wanted, top: true }).deserialize(&mut de)?;
    de.end()?;
    let record = doc.selected.then(|| Record {
        record_id,
        time: micros_string(micros),
        micros,
        channel: Arc::from(doc.channel.as_ref()),
        provider: Arc::from(doc.provider),
        event_id: doc.event_id,
        computer: Arc::from(doc.computer),
        data: doc.data,
    });
    Ok((doc.channel, doc.event_id, record))
}

/// What one record's JSON gave.
#[derive(Default)]
struct Doc<'a> {
    channel: Cow<'a, str>,
    event_id: u32,
    provider: String,
    computer: String,
    selected: bool,
    data: Data,
}

/// Walks `{"Event": {"System": …, "EventData": …, "UserData": …}}` (`top`: the outer object).
struct DocVisitor {
    wanted: Selection,
    top: bool,
}

impl<'de> serde::de::Visitor<'de> for DocVisitor {
    type Value = Doc<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an event record")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Doc<'de>, A::Error> {
        use serde::de::IgnoredAny;
        let mut doc = Doc::default();
        while let Some(key) = map.next_key::<Cow<str>>()? {
            match (self.top, key.as_ref()) {
                (true, "Event") => doc = map.next_value_seed(Seed(DocVisitor { wanted: self.wanted, top: false }))?,
                (false, "System") => {
                    let system: SystemDoc = map.next_value()?;
                    doc.event_id = system.event_id.map_or(0, |t| t.0.trim().parse().unwrap_or(0));
                    doc.channel = system.channel.map(|t| t.0).unwrap_or_default();
                    doc.provider = system.provider.and_then(|p| p.attributes).and_then(|a| a.name).unwrap_or_default();
                    doc.computer = system.computer.map(|t| t.0.into_owned()).unwrap_or_default();
                    doc.selected = (self.wanted.events)(&doc.channel, doc.event_id);
                }
                (false, "EventData") if doc.selected => {
                    map.next_value_seed(Seed(FieldsVisitor { wanted: self.wanted, data: &mut doc.data, depth: 0 }))?
                }
                // UserData holds one element whose children are the fields.
                (false, "UserData") if doc.selected => {
                    map.next_value_seed(Seed(FieldsVisitor { wanted: self.wanted, data: &mut doc.data, depth: 1 }))?
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(doc)
    }
}

/// A visitor used as a seed (it deserializes a map).
struct Seed<V>(V);

impl<'de, V: serde::de::Visitor<'de>> serde::de::DeserializeSeed<'de> for Seed<V> {
    type Value = V::Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        d.deserialize_any(self.0)
    }
}

/// The named values of `EventData` (depth 0) or of the elements under `UserData` (depth 1):
/// the selected ones as text, the rest skipped.
struct FieldsVisitor<'m> {
    wanted: Selection,
    data: &'m mut Data,
    depth: u8,
}

impl<'de> serde::de::Visitor<'de> for FieldsVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("event data")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        use serde::de::IgnoredAny;
        while let Some(key) = map.next_key::<Cow<str>>()? {
            if key == "#attributes" {
                map.next_value::<IgnoredAny>()?;
            } else if self.depth > 0 {
                let inner = FieldsVisitor { wanted: self.wanted, data: &mut *self.data, depth: self.depth - 1 };
                map.next_value_seed(Seed(inner))?;
            } else if self.wanted.keeps(&key) {
                let raw: &RawValue = map.next_value()?;
                self.data.push(key.into_owned(), &text_of_raw(raw));
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }

    // EventData that is a bare string (unnamed data).
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<(), E> {
        if self.depth == 0 {
            self.data.push("Data", v);
        }
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(())
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
}

#[derive(Deserialize, Default)]
struct SystemDoc<'a> {
    #[serde(rename = "EventID", borrow, default)]
    event_id: Option<Text<'a>>,
    #[serde(rename = "Channel", borrow, default)]
    channel: Option<Text<'a>>,
    #[serde(rename = "Computer", borrow, default)]
    computer: Option<Text<'a>>,
    #[serde(rename = "Provider", default)]
    provider: Option<ProviderDoc>,
}

#[derive(Deserialize, Default)]
struct ProviderDoc {
    #[serde(rename = "#attributes", default)]
    attributes: Option<ProviderAttributes>,
}

#[derive(Deserialize, Default)]
struct ProviderAttributes {
    #[serde(rename = "Name", default)]
    name: Option<String>,
}

/// A value as text: a string or number as it is, `{"#text": …}` by its text, an array joined.
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Text<'a>, D::Error> {
        d.deserialize_any(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> serde::de::Visitor<'de> for TextVisitor {
    type Value = Text<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a value")
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Borrowed(v)))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Owned(v.into())))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Owned(v)))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Owned(v.to_string())))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Owned(v.to_string())))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Owned(v.to_string())))
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Owned(v.to_string())))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Borrowed("")))
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Borrowed("")))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Text<'de>, A::Error> {
        let mut text = Text(Cow::Borrowed(""));
        while let Some(key) = map.next_key::<Cow<str>>()? {
            if key == "#text" {
                text = map.next_value()?;
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(text)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Text<'de>, A::Error> {
        let mut parts = Vec::new();
        while let Some(Text(t)) = seq.next_element()? {
            parts.push(t);
        }
        Ok(Text(Cow::Owned(parts.join(", "))))
    }
}

/// A selected field's value as text: a plain string as it is (no second parse), anything else
/// as [`text_of`] gives it.
fn text_of_raw(raw: &RawValue) -> String {
    let s = raw.get();
    if let Some(inner) = s.strip_prefix('"').and_then(|s| s.strip_suffix('"'))
        && !inner.contains('\\')
    {
        return inner.into();
    }
    serde_json::from_str::<Value>(s).map(|v| string(&text_of(&v))).unwrap_or_default()
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
    fn event_fields_from_event_data_and_user_data() {
        let json = serde_json::json!({ "Event": {
            "System": { "EventID": { "#attributes": { "Qualifiers": 0 }, "#text": 7045 }, "Channel": "System",
                        "Provider": { "#attributes": { "Name": "Service Control Manager" } }, "Computer": "PC" },
            "EventData": { "ServiceName": "evil", "ImagePath": "C:\\Temp\\x.exe" } } })
        .to_string();
        let all = Selection::ALL;
        let (_, _, r) = lean_record(5, 0, json.as_bytes(), all).unwrap();
        let r = r.unwrap();
        assert_eq!((r.event_id, &*r.channel, &*r.provider), (7045, "System", "Service Control Manager"));
        assert_eq!(r.get("ImagePath"), "C:\\Temp\\x.exe");
        let none = Selection { events: |_, _| false, fields: &[] };
        let (channel, id, r) = lean_record(5, 0, json.as_bytes(), none).unwrap();
        assert_eq!((channel.as_ref(), id, r), ("System", 7045, None), "unselected events are only counted");
        let json = serde_json::json!({ "Event": { "System": { "EventID": 1102, "Channel": "Security" },
            "UserData": { "LogFileCleared": { "#attributes": {}, "SubjectUserName": "admin" } } } })
        .to_string();
        let (_, _, r) = lean_record(1, 0, json.as_bytes(), all).unwrap();
        assert_eq!(r.unwrap().get("SubjectUserName"), "admin");
    }
}
