//! Offline Windows registry hives, read with `notatin` (Apache-2.0), which applies the .LOG1 and
//! .LOG2 transaction logs in memory when a hive is dirty, so the view is the one Windows had.
//! The hive files themselves are never written.

use std::io::Cursor;

use notatin::cell_value::CellValue;
use notatin::parser::Parser;
use notatin::parser_builder::ParserBuilder;

use super::bytes::{le_i32, le_u32};

/// One hive, parsed.
pub struct Hive {
    parser: Parser,
    /// Transaction logs given with it (applied when the hive was dirty).
    pub logs: usize,
    /// The base block's two sequence numbers differ: Windows had not flushed it (a dirty hive).
    pub dirty: bool,
    /// The sequence number the transaction logs brought the hive to (none: nothing applied).
    pub applied: Option<u32>,
}

impl Hive {
    /// Dirty and no transaction log entry applied: what it says may be older than what Windows saw.
    pub fn stale(&self) -> bool {
        self.dirty && self.applied.is_none()
    }
}

/// Why a hive could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HiveError {
    /// The base block's root cell offset is negative (and no log's base block replaces it).
    #[error("the base block's root cell offset is corrupt ({offset})")]
    RootCell { offset: i32 },
    /// The registry parser refused the hive, in its own words.
    #[error("{detail}")]
    Parser { detail: String },
}

/// A value as shodo needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// REG_SZ / REG_EXPAND_SZ.
    Text(String),
    /// REG_MULTI_SZ.
    Texts(Vec<String>),
    /// REG_DWORD / REG_QWORD.
    Number(u64),
    /// REG_BINARY and the rest.
    Bytes(Vec<u8>),
}

impl Hive {
    /// Parses a hive from its bytes, with its transaction logs' bytes.
    pub fn parse(primary: Vec<u8>, logs: Vec<Vec<u8>>) -> Result<Hive, HiveError> {
        let count = logs.len();
        let dirty = le_u32(&primary, 4) != le_u32(&primary, 8);
        // A log's base block replaces the primary's when that one fails its checksum: a log with
        // a corrupt root cell offset is left out, as a damaged log entry is (a dirty hive then
        // reads stale).
        let logs: Vec<Vec<u8>> = logs.into_iter().filter(|log| root_cell(log).is_none_or(|r| r >= 0)).collect();
        let replaced = !logs.is_empty() && !checksum_holds(&primary);
        if let Some(root) = root_cell(&primary).filter(|&r| r < 0 && !replaced) {
            return Err(HiveError::RootCell { offset: root });
        }
        let mut builder = ParserBuilder::from_file(Cursor::new(primary));
        for log in logs {
            builder.with_transaction_log(Cursor::new(log));
        }
        let parser = builder.build().map_err(|e| HiveError::Parser { detail: format!("{e:?}") })?;
        // notatin says what it applied only in its parse log.
        let applied = parser.get_parse_logs().get().into_iter().flatten().find_map(|log| {
            let n = log.text.strip_prefix("Applied transaction log(s). Sequence numbers have been updated to ")?;
            n.split('.').next()?.trim().parse::<u32>().ok().filter(|&n| n != 0)
        });
        Ok(Hive { parser, logs: count, dirty, applied })
    }

    /// A value of a key (`path` below the hive root, `\`-separated), if both exist.
    pub fn value(&mut self, path: &str, name: &str) -> Option<Value> {
        let key = self.parser.get_key(path, false).ok()??;
        convert(key.get_value(name)?.get_content().0)
    }

    /// A text value.
    pub fn text(&mut self, path: &str, name: &str) -> Option<String> {
        match self.value(path, name)? {
            Value::Text(s) => Some(s.trim_end_matches('\0').to_string()),
            Value::Texts(v) => v.into_iter().find(|s| !s.is_empty()),
            _ => None,
        }
    }

    /// A number value.
    pub fn number(&mut self, path: &str, name: &str) -> Option<u64> {
        match self.value(path, name)? {
            Value::Number(n) => Some(n),
            Value::Text(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// Every value of a key: name and content.
    pub fn values(&mut self, path: &str) -> Vec<(String, Value)> {
        let Ok(Some(key)) = self.parser.get_key(path, false) else { return Vec::new() };
        key.value_iter().filter_map(|v| Some((v.get_pretty_name(), convert(v.get_content().0)?))).collect()
    }

    /// Every value of a key as stored: name (empty for the default value), type number, bytes.
    pub fn raw_values(&mut self, path: &str) -> Vec<RawValue> {
        let Ok(Some(key)) = self.parser.get_key(path, false) else { return Vec::new() };
        key.value_iter()
            .map(|v| RawValue {
                name: v.detail.value_name(),
                kind: v.detail.data_type_raw(),
                data: v.detail.value_bytes().unwrap_or_default(),
            })
            .collect()
    }

    /// One value as stored, if the key and value exist (`name` empty: the default value).
    pub fn raw(&mut self, path: &str, name: &str) -> Option<RawValue> {
        self.raw_values(path).into_iter().find(|v| v.name.eq_ignore_ascii_case(name))
    }

    /// Whether a key exists.
    pub fn has_key(&mut self, path: &str) -> bool {
        path.is_empty() || matches!(self.parser.get_key(path, false), Ok(Some(_)))
    }

    /// When a key was last written (UTC, RFC 3339).
    pub fn last_written(&mut self, path: &str) -> Option<String> {
        let key = self.parser.get_key(path, false).ok()??;
        Some(crate::clock::utc_string(key.last_key_written_date_and_time()))
    }

    /// Names of the sub-keys of a key.
    pub fn subkeys(&mut self, path: &str) -> Vec<String> {
        let Ok(Some(mut key)) = self.parser.get_key(path, false) else { return Vec::new() };
        key.read_sub_keys(&mut self.parser).into_iter().map(|k| k.key_name).collect()
    }

    /// The control set Windows booted with last (`ControlSet001` …), from `Select\Current`.
    pub fn current_control_set(&mut self) -> Option<String> {
        self.number("Select", "Current").map(|n| format!("ControlSet{n:03}"))
    }
}

/// A value exactly as the hive stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawValue {
    /// Its name (empty: the key's default value).
    pub name: String,
    /// The type number (1 REG_SZ, 4 REG_DWORD …).
    pub kind: u32,
    /// The data.
    pub data: Vec<u8>,
}

/// The base block's root cell offset (bytes 36..40), a signed field relative to the first hive
/// bin. notatin adds it to 4096 as a `usize` unchecked, so a negative one must not reach it.
fn root_cell(base_block: &[u8]) -> Option<i32> {
    le_i32(base_block, 36)
}

/// A base block's checksum as Windows computes it: the XOR of the 127 double words before it,
/// with 0 and 0xFFFFFFFF taken to 1 and 0xFFFFFFFE.
fn checksum(base_block: &[u8]) -> Option<u32> {
    let sum = (0..508).step_by(4).try_fold(0, |a, at| Some(a ^ le_u32(base_block, at)?))?;
    Some(match sum {
        0 => 1,
        u32::MAX => u32::MAX - 1,
        s => s,
    })
}

fn checksum_holds(base_block: &[u8]) -> bool {
    let stored = le_u32(base_block, 508);
    stored.is_some() && checksum(base_block) == stored
}

/// Writes a base block's checksum (bytes 508..512) after its fields were set; a block shorter
/// than 512 bytes is left as it is.
pub fn seal(base_block: &mut [u8]) {
    if let Some(sum) = checksum(base_block) {
        base_block[508..512].copy_from_slice(&sum.to_le_bytes());
    }
}

fn convert(content: CellValue) -> Option<Value> {
    Some(match content {
        CellValue::String(s) => Value::Text(s.trim_end_matches('\0').to_string()),
        CellValue::MultiString(v) => Value::Texts(v),
        CellValue::U32(n) => Value::Number(u64::from(n)),
        CellValue::I32(n) => Value::Number(n as u32 as u64),
        CellValue::U64(n) => Value::Number(n),
        CellValue::I64(n) => Value::Number(n as u64),
        CellValue::Binary(b) => Value::Bytes(b),
        CellValue::None | CellValue::Error => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The empty hive with its base block's root cell offset set (checksum kept valid).
    fn with_root(root: i32) -> Vec<u8> {
        let mut hive = crate::demo::hive::empty_hive();
        hive[36..40].copy_from_slice(&root.to_le_bytes());
        seal(&mut hive);
        hive
    }

    #[test]
    fn a_negative_root_cell_offset_is_a_corrupt_hive_not_a_read_elsewhere() {
        assert!(checksum_holds(&with_root(0x20)) && checksum_holds(&with_root(-1)));
        assert!(Hive::parse(with_root(0x20), Vec::new()).is_ok());
        for root in [-1, i32::MIN] {
            let e = Hive::parse(with_root(root), Vec::new()).err().unwrap();
            assert_eq!(e, HiveError::RootCell { offset: root });
            assert_eq!(e.to_string(), format!("the base block's root cell offset is corrupt ({root})"));
        }
        // With a failed checksum a log's base block would be used: a log that has a corrupt one
        // is left out, and the corrupt primary then stands alone.
        let mut damaged = with_root(-1);
        damaged[508] ^= 1;
        assert!(!checksum_holds(&damaged));
        let e = Hive::parse(damaged, vec![with_root(-1)]).err().unwrap();
        assert_eq!(e, HiveError::RootCell { offset: -1 }, "{e}");
    }
}
