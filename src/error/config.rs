//! A mistake in a config-shaped file (`shodo.toml`, `incident.toml`, bundled data), located to
//! the file, line, column and field. Parsing lives in [`crate::config`]; the error is the
//! engine's, so every module can carry it without importing the config.

use std::fmt;
use std::path::PathBuf;

use crate::error::strings as txt;
use crate::lang::{Lang, Text};

/// What kind of mistake the file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigErrorKind {
    /// Not valid UTF-8 (often: saved as Shift-JIS).
    Encoding,
    /// Not valid TOML.
    Syntax,
    /// A key shodo does not know (usually a typo).
    UnknownField,
    /// A value of the wrong type (text where a number belongs …).
    WrongType,
    /// A required key is absent.
    MissingField,
    /// The right type but an unusable value (bad address, bad key …).
    InvalidValue,
}

impl ConfigErrorKind {
    fn text(self) -> Text {
        match self {
            Self::Encoding => txt::NOT_UTF_8,
            Self::Syntax => txt::TOML_SYNTAX_ERROR,
            Self::UnknownField => txt::UNKNOWN_FIELD,
            Self::WrongType => txt::WRONG_TYPE,
            Self::MissingField => txt::MISSING_REQUIRED_FIELD,
            Self::InvalidValue => txt::INVALID_VALUE,
        }
    }
}

/// A located config error.
#[derive(Clone, Debug)]
pub struct ConfigError {
    /// The file as given.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Dotted path of the field (`hospital.beds`, `recipients[0].age`), when known.
    pub field: Option<String>,
    /// The kind of mistake.
    pub kind: ConfigErrorKind,
    /// The parser's own words.
    pub detail: String,
}

impl ConfigError {
    /// The message in the given language.
    pub fn message(&self, lang: Lang) -> String {
        let field = self.field.as_deref().map(|f| txt::FIELD.fill(lang, &[("field", &f)])).unwrap_or_default();
        let (file, kind) = (self.file.display(), self.kind.text().get(lang));
        format!("{file}:{}:{}:{field} {kind}: {}", self.line, self.column, self.detail)
    }

    /// The Japanese message.
    pub fn ja(&self) -> String {
        self.message(Lang::Ja)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for ConfigError {}
