//! Registry edits written by hivex (`hivexsh -w`, libhivex-bin), a well-kept hive writer, and
//! confirmed by re-reading the written hive with `notatin`, a parser that shares no code with it.
//!
//! `hivexsh`'s `setval` replaces every value of a key at once, so each edited key gets its
//! values as they are now (type and bytes exactly, read with notatin) with the edits applied.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use super::offline::{Edit, RegData};
use crate::error::{Error, Result};
use crate::formats::registry::{Hive, RawValue};
use crate::isolate::strings as txt;

/// hivex writes a value of this size or more as one cell, which Windows would not read (it
/// expects big-data blocks): a key holding such a value is never rewritten.
const BIG_DATA: usize = 16344;

/// Parses a hive's bytes (no transaction logs: shodo only writes clean hives).
pub fn parse(bytes: &[u8], path: &Path) -> Result<Hive> {
    Hive::parse(bytes.to_vec(), Vec::new()).map_err(|e| Error::Corrupt { path: path.into(), what: e.to_string() })
}

/// Applies `edits` (all on the hive at `path`) with hivexsh, in one commit.
pub fn write(path: &Path, edits: &[&Edit]) -> Result<()> {
    let bytes = std::fs::read(path).map_err(Error::io("read", path))?;
    let mut hive = parse(&bytes, path)?;
    let script = script(&mut hive, edits, path)?;
    hivexsh(path, &script)
}

/// The hivexsh commands: keys to delete (deepest first), keys to create, then each edited key
/// with its whole new set of values.
fn script(hive: &mut Hive, edits: &[&Edit], path: &Path) -> Result<String> {
    let mut out = String::new();
    let mut deleted: Vec<&str> = deleted_keys(edits).collect();
    deleted.sort_by_key(|k| std::cmp::Reverse(k.matches('\\').count()));
    for key in deleted {
        if hive.has_key(key) {
            out.push_str(&format!("cd \\{}\ndel\n", line(key, path)?));
        }
    }
    let gone = |key: &str| {
        deleted_keys(edits).any(|d| {
            key.eq_ignore_ascii_case(d)
                || key.to_ascii_lowercase().starts_with(&format!("{}\\", d.to_ascii_lowercase()))
        })
    };
    let mut keys: Vec<&str> = Vec::new();
    for e in edits.iter().filter(|e| e.value.is_some() && !gone(&e.key)) {
        if !keys.iter().any(|k| k.eq_ignore_ascii_case(&e.key)) {
            keys.push(&e.key);
        }
    }
    for e in edits.iter().filter(|e| e.value.is_none() && e.new.is_some()) {
        out.push_str(&create(hive, &e.key, path)?);
    }
    for key in keys {
        let values = merged(hive.raw_values(key), edits, key, path)?;
        out.push_str(&format!("cd \\{}\nsetval {}\n", line(key, path)?, values.len()));
        for v in &values {
            let name = if v.name.is_empty() { "@".to_string() } else { line(&v.name, path)? };
            let bytes: Vec<String> = v.data.iter().map(|b| format!("{b:02x}")).collect();
            out.push_str(&format!("{name}\nhex:{}:{}\n", v.kind, bytes.join(",")));
        }
    }
    Ok(out)
}

/// Keys the edits delete (keys shodo created, on rollback).
fn deleted_keys<'a>(edits: &'a [&'a Edit]) -> impl Iterator<Item = &'a str> {
    edits.iter().filter(|e| e.value.is_none() && e.new.is_none()).map(|e| e.key.as_str())
}

/// Creates `key` from the deepest existing ancestor down.
fn create(hive: &mut Hive, key: &str, path: &Path) -> Result<String> {
    if hive.has_key(key) {
        return Ok(String::new());
    }
    let (parent, name) = key.rsplit_once('\\').unwrap_or(("", key));
    Ok(format!("cd \\{}\nadd {}\n", line(parent, path)?, line(name, path)?))
}

/// The key's values now, with the edits on it applied (order kept, new values last).
fn merged(now: Vec<RawValue>, edits: &[&Edit], key: &str, path: &Path) -> Result<Vec<RawValue>> {
    let on_key: Vec<&&Edit> = edits.iter().filter(|e| e.key.eq_ignore_ascii_case(key) && e.value.is_some()).collect();
    let edit_of = |name: &str| on_key.iter().find(|e| e.value.as_deref().is_some_and(|v| v.eq_ignore_ascii_case(name)));
    let mut out: Vec<RawValue> = Vec::new();
    for v in &now {
        // hivexsh reads "@" as the default value, and a name that did not decode exactly would
        // come back renamed: such a key is not rewritten.
        let unsafe_name = v.name == "@" || v.name.contains('\u{FFFD}');
        if v.data.len() >= BIG_DATA || unsafe_name {
            let (ja, en) = txt::VALUE_CANNOT_BE_REWRITTEN_BY_HIVEX
                .both(|_| vec![("key", key.to_string()), ("value", format!("{:?}", v.name))]);
            return Err(Error::Refused { ja, en });
        }
        match edit_of(&v.name) {
            Some(e) => out.extend(e.new.as_ref().map(|d| raw(&v.name, d, path)).transpose()?),
            None => out.push(v.clone()),
        }
    }
    for e in &on_key {
        let name = e.value.clone().unwrap_or_default();
        if !now.iter().any(|v| v.name.eq_ignore_ascii_case(&name))
            && let Some(d) = &e.new
        {
            out.push(raw(&name, d, path)?);
        }
    }
    Ok(out)
}

fn raw(name: &str, d: &RegData, path: &Path) -> Result<RawValue> {
    let data = d.bytes().ok_or_else(|| Error::Corrupt { path: path.into(), what: format!("bad hex for {name}") })?;
    Ok(RawValue { name: name.into(), kind: d.kind, data })
}

/// A name as one line of hivexsh input (a name holding a line break cannot be given).
fn line(text: &str, path: &Path) -> Result<String> {
    if text.contains(['\n', '\r']) {
        return Err(Error::Corrupt {
            path: path.into(),
            what: format!("a registry name holds a line break: {text:?}"),
        });
    }
    Ok(text.to_string())
}

/// Runs `script` (hivexsh commands, one a line) on the hive at `path` and commits; anything
/// hivexsh says on standard error is a failure.
pub fn hivexsh(path: &Path, script: &str) -> Result<()> {
    let mut child = Command::new("hivexsh")
        .arg("-w")
        .arg(path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Io { op: "run hivexsh (libhivex-bin)", path: "hivexsh".into(), source: e })?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(format!("{script}commit\nquit\n").as_bytes()).map_err(Error::io("write", path))?;
    }
    let out = child.wait_with_output().map_err(Error::io("run hivexsh", path))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() && stderr.trim().is_empty() {
        Ok(())
    } else {
        Err(Error::Corrupt { path: path.into(), what: format!("hivexsh failed: {}", stderr.trim()) })
    }
}

/// How a key or value differs from what an edit wants.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unconfirmed {
    /// The edit deletes the key, and it is still there.
    #[error("key still there")]
    KeyThere,
    /// The edit creates the key, and it is not there.
    #[error("key missing")]
    KeyMissing,
    /// The value holds something else.
    #[error("found {shown} (type {kind})")]
    Other { shown: String, kind: String },
    /// The edit sets the value, and it is not there.
    #[error("value missing")]
    ValueMissing,
}

/// Each edit checked on the hive's bytes: `Ok` when the key or value is as the edit wants it,
/// else what is there.
pub fn confirm(hive: &mut Hive, edits: &[&Edit]) -> Vec<std::result::Result<(), Unconfirmed>> {
    edits
        .iter()
        .map(|e| {
            let Some(value) = &e.value else {
                return match (hive.has_key(&e.key), e.new.is_some()) {
                    (true, true) | (false, false) => Ok(()),
                    (there, _) => Err(if there { Unconfirmed::KeyThere } else { Unconfirmed::KeyMissing }),
                };
            };
            let now = hive.raw(&e.key, value).map(|v| RegData::of(&v));
            match (&now, &e.new) {
                (None, None) => Ok(()),
                (Some(n), Some(w)) if n.same(w) => Ok(()),
                (Some(n), _) => Err(Unconfirmed::Other { shown: n.shown.clone(), kind: n.kind.to_string() }),
                (None, Some(_)) => Err(Unconfirmed::ValueMissing),
            }
        })
        .collect()
}
