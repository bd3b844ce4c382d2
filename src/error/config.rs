//! A mistake in a config-shaped file (`shodo.toml`, `incident.toml`, bundled data), located to
//! the file, line, column and field. Parsing lives in [`crate::config`]; the error is the
//! engine's, so every module can carry it without importing the config.

use std::fmt;
use std::path::PathBuf;

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
    fn ja(self) -> &'static str {
        match self {
            Self::Encoding => "文字コードが UTF-8 ではありません（Shift-JIS で保存されていないか確認してください）",
            Self::Syntax => "TOML の書式の誤り",
            Self::UnknownField => "不明な項目（綴りを確認してください）",
            Self::WrongType => "値の型の誤り",
            Self::MissingField => "必須項目がありません",
            Self::InvalidValue => "値が不正です",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Self::Encoding => "not UTF-8 (was it saved as Shift-JIS?)",
            Self::Syntax => "TOML syntax error",
            Self::UnknownField => "unknown field (check the spelling)",
            Self::WrongType => "wrong type",
            Self::MissingField => "missing required field",
            Self::InvalidValue => "invalid value",
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
    /// The Japanese message.
    pub fn ja(&self) -> String {
        let field = self.field.as_deref().map(|f| format!(" 項目 `{f}`:")).unwrap_or_default();
        format!("{}:{}:{}:{field} {}: {}", self.file.display(), self.line, self.column, self.kind.ja(), self.detail)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = self.field.as_deref().map(|f| format!(" field `{f}`:")).unwrap_or_default();
        write!(f, "{}:{}:{}:{field} {}: {}", self.file.display(), self.line, self.column, self.kind.en(), self.detail)
    }
}

impl std::error::Error for ConfigError {}
