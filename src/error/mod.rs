//! Typed errors of the engine. Each carries the path or item it concerns, and speaks both
//! languages from one catalogue (`strings.rs`): `Display` is English, [`Error::ja`] is Japanese.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

mod config;
mod strings;

pub use config::{ConfigError, ConfigErrorKind};

use crate::error::strings as txt;
use crate::lang::{Lang, Text};

/// Result with the engine's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a BitLocker volume could not be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BitLockerReason {
    /// The volume is BitLocker and no recovery key was given.
    KeyNeeded,
    /// The key is not eight groups of six digits, each a multiple of 11.
    KeyFormat,
    /// Neither cryptsetup nor dislocker could open it with this key.
    Failed(String),
}

/// What went wrong, and where.
#[derive(Debug)]
pub enum Error {
    /// `shodo.toml` (or another config-shaped file) is invalid.
    Config(Box<ConfigError>),

    /// A file-system operation failed.
    Io { op: &'static str, path: PathBuf, source: io::Error },

    /// `case init` on a directory that already holds something.
    CaseExists { path: PathBuf },

    /// The directory is not a shodo case (no `case.toml`).
    NotACase { path: PathBuf, reason: String },

    /// Another process holds the case's write lock.
    Locked { path: PathBuf, holder: String },

    /// A file of the case exists but cannot be understood.
    Corrupt { path: PathBuf, what: String },

    /// An operator-given time could not be parsed.
    Time { input: String, reason: String },

    /// A bundled data file (rules/…) is invalid: a build defect, not an operator error.
    BundledData { name: &'static str, reason: String },

    /// The source holds no filesystem layout shodo recognises.
    UnknownSource { path: PathBuf },

    /// No endpoint id was given and none could be derived.
    EndpointId { reason: String },

    /// The endpoint id already holds evidence from another source.
    EndpointConflict { id: String, existing: String, source_path: String },

    /// A BitLocker volume could not be opened.
    BitLocker { path: PathBuf, reason: BitLockerReason },

    /// A backup manifest would be written onto the medium it describes.
    ManifestOnMedium { manifest: PathBuf, medium: PathBuf },

    /// The YARA-X engine refused something.
    Yara(String),

    /// A step refused to run, with the reason in both languages.
    Refused { ja: String, en: String },

    /// The operator cancelled long work; what was done is kept, nothing partial is written.
    Cancelled { what: &'static str },
}

impl Error {
    /// Wraps an I/O error with the operation and path it concerns.
    pub fn io<'a>(op: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> Error + 'a {
        move |source| Error::Io { op, path: path.to_path_buf(), source }
    }

    /// An error met walking the tree under `root`: the path it concerns (the root when the walk
    /// does not say), and a loop of links as an error of its own.
    pub fn walk(root: &Path, e: walkdir::Error) -> Error {
        let path = e.path().unwrap_or(root).to_path_buf();
        Error::Io {
            op: "read",
            path,
            source: e.into_io_error().unwrap_or_else(|| io::Error::other("file system loop")),
        }
    }

    /// A refusal whose reason is `text`, filled in both languages with `values`.
    pub fn refused(text: Text, values: &[(&str, &dyn fmt::Display)]) -> Error {
        Error::Refused { ja: text.fill(Lang::Ja, values), en: text.fill(Lang::En, values) }
    }

    /// The message in the given language.
    pub fn message(&self, lang: Lang) -> String {
        let at = |text: Text, path: &Path| text.fill(lang, &[("path", &path.display())]);
        match self {
            Error::Config(e) => e.message(lang),
            Error::Io { op, path, source } => io_message(lang, op, path, source),
            Error::CaseExists { path } => at(txt::REFUSING_TO_OVERWRITE, path),
            Error::NotACase { path, reason } => {
                txt::NOT_A_SHODO_CASE.fill(lang, &[("path", &path.display()), ("reason", reason)])
            }
            Error::Locked { path, holder } => {
                txt::THE_CASE_IS_IN_USE.fill(lang, &[("path", &path.display()), ("holder", holder)])
            }
            Error::Corrupt { path, what } => txt::CORRUPT.fill(lang, &[("path", &path.display()), ("what", what)]),
            Error::Time { input, reason } => {
                // The reason is the parser's, in English; Japanese says which forms are read.
                let reason = lang.pick(txt::GIVE_NOW_RFC_3339_OR_JST.ja, reason);
                txt::INVALID_TIME.fill(lang, &[("input", &format!("{input:?}")), ("reason", &reason)])
            }
            Error::BundledData { name, reason } => {
                txt::BUNDLED_DATA_IS_INVALID.fill(lang, &[("name", name), ("reason", reason)])
            }
            Error::UnknownSource { path } => at(txt::CANNOT_TELL_WHICH_SYSTEM, path),
            Error::EndpointId { reason } => txt::CANNOT_NAME_THE_ENDPOINT.fill(lang, &[("reason", reason)]),
            Error::EndpointConflict { id, existing, source_path } => txt::ENDPOINT_ALREADY_HOLDS_EVIDENCE
                .fill(lang, &[("id", id), ("existing", existing), ("source_path", source_path)]),
            Error::BitLocker { path, reason } => txt::BITLOCKER_VOLUME
                .fill(lang, &[("path", &path.display()), ("reason", &bitlocker_reason(lang, reason))]),
            Error::ManifestOnMedium { manifest, medium } => txt::REFUSING_TO_WRITE_THE_MANIFEST
                .fill(lang, &[("manifest", &manifest.display()), ("medium", &medium.display())]),
            Error::Yara(e) => txt::YARA_X.fill(lang, &[("error", e)]),
            Error::Refused { ja, en } => lang.pick(ja, en).to_string(),
            Error::Cancelled { what } => txt::CANCELLED_BY_THE_OPERATOR.fill(lang, &[("what", what)]),
        }
    }

    /// The Japanese message.
    pub fn ja(&self) -> String {
        self.message(Lang::Ja)
    }

    /// True when the error is about storage running out (the stick is full).
    pub fn is_storage_full(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == io::ErrorKind::StorageFull)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Config(e) => Some(e),
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<Box<ConfigError>> for Error {
    fn from(e: Box<ConfigError>) -> Error {
        Error::Config(e)
    }
}

fn bitlocker_reason(lang: Lang, r: &BitLockerReason) -> String {
    match r {
        BitLockerReason::KeyNeeded => txt::ENCRYPTED_GIVE_THE_RECOVERY_KEY.get(lang).to_string(),
        BitLockerReason::KeyFormat => txt::THE_RECOVERY_KEY_MUST_BE_8_GROUPS.get(lang).to_string(),
        BitLockerReason::Failed(why) => txt::COULD_NOT_UNLOCK_READ_ONLY.fill(lang, &[("why", why)]),
    }
}

fn io_message(lang: Lang, op: &'static str, path: &Path, source: &io::Error) -> String {
    let why = match source.kind() {
        io::ErrorKind::NotFound => txt::NOT_FOUND,
        io::ErrorKind::PermissionDenied => txt::PERMISSION_DENIED,
        io::ErrorKind::StorageFull => txt::STORAGE_FULL,
        io::ErrorKind::ReadOnlyFilesystem => txt::READ_ONLY_FILESYSTEM,
        io::ErrorKind::AlreadyExists => txt::ALREADY_EXISTS,
        _ => txt::IO_ERROR,
    };
    let reason = why.fill(lang, &[("source", source)]);
    txt::IO_FAILED.fill(lang, &[("path", &path.display()), ("op", &op_name(lang, op)), ("reason", &reason)])
}

/// An operation as the message names it: English as the code names it (`open`, `run nft
/// (nftables)` …), Japanese by what kind of operation it is.
fn op_name(lang: Lang, op: &'static str) -> &'static str {
    let kind = match op {
        "read" | "open" => txt::READ,
        "write" | "create" | "append" => txt::WRITE,
        "rename" => txt::RENAME,
        "sync" => txt::SYNC,
        "mkdir" => txt::MKDIR,
        "lock" => txt::LOCK,
        _ => txt::OPERATION,
    };
    lang.pick(kind.ja, op)
}
