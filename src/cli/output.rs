//! Shared output helpers: JSON to the writer, and I/O errors on the writer made typed.

use std::io::Write;

use serde::Serialize;
use shodo::{Error, Result};

/// Writes pretty JSON and a newline.
pub fn json<T: Serialize>(out: &mut dyn Write, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::Corrupt { path: "stdout".into(), what: e.to_string() })?;
    line(out, &text)
}

/// Writes one line.
pub fn line(out: &mut dyn Write, text: &str) -> Result<()> {
    writeln!(out, "{text}").map_err(Error::io("write", "stdout".as_ref()))
}
