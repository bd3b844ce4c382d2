//! Config errors that point at the exact place: file, line, column, field.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::{ConfigError, ConfigErrorKind, Error, Result};

/// 1-based line and character column of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// UTF-8 text of a config file, without a leading BOM (Windows Notepad writes one).
pub(crate) fn decode_utf8<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let text = std::str::from_utf8(valid).unwrap_or_default();
        let (line, column) = line_col(text, text.len());
        located(
            path,
            line,
            column,
            None,
            ConfigErrorKind::Encoding,
            format!("invalid byte at offset {}", e.valid_up_to()),
        )
    })
}

fn located(
    path: &Path,
    line: usize,
    column: usize,
    field: Option<String>,
    kind: ConfigErrorKind,
    detail: String,
) -> Error {
    Error::Config(Box::new(ConfigError { file: path.to_path_buf(), line, column, field, kind, detail }))
}

/// Deserialises TOML text into `T`, turning any failure into a located [`ConfigError`].
/// A data file bundled into the binary (`rules/…`), parsed with the same error reporting as a
/// config file; a mistake in it is `BundledData` naming the file.
pub(crate) fn bundled<T: DeserializeOwned>(name: &'static str, text: &str) -> Result<T> {
    deserialize(Path::new(name), text).map_err(|e| crate::error::Error::BundledData { name, reason: e.to_string() })
}

pub(crate) fn deserialize<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T> {
    let de = toml::Deserializer::parse(text).map_err(|e| toml_error(path, text, &e, None))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = field_path(&e.path().to_string(), e.inner().message());
        toml_error(path, text, e.inner(), field)
    })
}

fn toml_error(path: &Path, text: &str, e: &toml::de::Error, field: Option<String>) -> Error {
    let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
    let detail = e.message().trim().to_string();
    let kind = classify(&detail, field.is_some());
    located(path, line, column, field, kind, detail)
}

/// The dotted field path; for a missing field, the path of the field itself.
fn field_path(path: &str, message: &str) -> Option<String> {
    let missing = message.strip_prefix("missing field `").and_then(|m| m.split('`').next());
    let base = Some(path.to_string()).filter(|p| p != ".");
    match (base, missing) {
        (Some(base), Some(name)) => Some(format!("{base}.{name}")),
        (None, Some(name)) => Some(name.to_string()),
        (base, None) => base,
    }
}

fn classify(message: &str, has_field: bool) -> ConfigErrorKind {
    if message.starts_with("unknown field") {
        ConfigErrorKind::UnknownField
    } else if message.starts_with("missing field") {
        ConfigErrorKind::MissingField
    } else if message.starts_with("invalid type") || message.starts_with("invalid length") {
        ConfigErrorKind::WrongType
    } else if has_field {
        ConfigErrorKind::InvalidValue
    } else {
        ConfigErrorKind::Syntax
    }
}
