//! Typed errors of the engine. Each carries the path or item it concerns, and speaks both
//! languages: `Display` is English, [`Error::ja`] is Japanese.

use std::io;
use std::path::{Path, PathBuf};

mod config;

pub use config::{ConfigError, ConfigErrorKind};

use crate::lang::Lang;

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
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `shodo.toml` (or another config-shaped file) is invalid.
    #[error("{0}")]
    Config(#[from] Box<ConfigError>),

    /// A file-system operation failed.
    #[error("{op} {}: {source}", path.display())]
    Io { op: &'static str, path: PathBuf, source: io::Error },

    /// `case init` on a directory that already holds something.
    #[error("refusing to overwrite: {} already exists and is not empty", path.display())]
    CaseExists { path: PathBuf },

    /// The directory is not a shodo case (no `case.toml`).
    #[error("not a shodo case: {} ({reason})", path.display())]
    NotACase { path: PathBuf, reason: String },

    /// Another process holds the case's write lock.
    #[error("the case {} is in use by another shodo process ({holder}); wait for it to finish", path.display())]
    Locked { path: PathBuf, holder: String },

    /// A file of the case exists but cannot be understood.
    #[error("{}: {what}", path.display())]
    Corrupt { path: PathBuf, what: String },

    /// An operator-given time could not be parsed.
    #[error("invalid time {input:?}: {reason}")]
    Time { input: String, reason: String },

    /// A bundled data file (rules/…) is invalid: a build defect, not an operator error.
    #[error("bundled data {name} is invalid: {reason}")]
    BundledData { name: &'static str, reason: String },

    /// The source holds no filesystem layout shodo recognises.
    #[error("cannot tell which system {} holds (no Windows/System32, no etc/): give --os windows|linux", path.display())]
    UnknownSource { path: PathBuf },

    /// No endpoint id was given and none could be derived.
    #[error("cannot name the endpoint: {reason}; give --endpoint ID")]
    EndpointId { reason: String },

    /// The endpoint id already holds evidence from another source.
    #[error("endpoint {id} already holds evidence from {existing}; use another --endpoint for {source_path}")]
    EndpointConflict { id: String, existing: String, source_path: String },

    /// A BitLocker volume could not be opened.
    #[error("BitLocker volume {}: {}", path.display(), bitlocker_en(reason))]
    BitLocker { path: PathBuf, reason: BitLockerReason },

    /// A backup manifest would be written onto the medium it describes.
    #[error("refusing to write the manifest {} onto the backup medium {}: keep it elsewhere (another disk, the case stick)", manifest.display(), medium.display())]
    ManifestOnMedium { manifest: PathBuf, medium: PathBuf },

    /// The YARA-X engine refused something.
    #[error("YARA-X: {0}")]
    Yara(String),

    /// A step refused to run, with the reason in both languages.
    #[error("{en}")]
    Refused { ja: String, en: String },

    /// The operator cancelled long work; what was done is kept, nothing partial is written.
    #[error("{what} cancelled by the operator; run it again to finish")]
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

    /// The message in the given language.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Ja => self.ja(),
            Lang::En => self.to_string(),
        }
    }

    /// The Japanese message.
    pub fn ja(&self) -> String {
        match self {
            Error::Config(e) => e.ja(),
            Error::Io { op, path, source } => io_ja(op, path, source),
            Error::CaseExists { path } => format!(
                "上書きしません: {} は既に存在し、空ではありません（別のディレクトリを指定してください）",
                path.display()
            ),
            Error::NotACase { path, reason } => {
                format!("shodo のケースではありません: {}（{reason}）", path.display())
            }
            Error::Locked { path, holder } => {
                format!("ケース {} は別の shodo プロセスが使用中です（{holder}）。終了を待ってください", path.display())
            }
            Error::Corrupt { path, what } => format!("{} が壊れています: {what}", path.display()),
            Error::Time { input, .. } => format!(
                "日時 {input:?} を解釈できません。`now`、RFC 3339（2026-11-21T03:10:00+09:00）または `YYYY-MM-DD HH:MM[:SS]`（日本時間）で指定してください"
            ),
            Error::BundledData { name, reason } => {
                format!("同梱データ {name} が不正です（ビルドの不具合）: {reason}")
            }
            Error::Yara(e) => format!("YARA-X のエラー: {e}"),
            Error::Refused { ja, .. } => ja.clone(),
            Error::Cancelled { what } => {
                format!("{what} は操作者により中止されました。もう一度実行すると続きから行います")
            }
            Error::ManifestOnMedium { manifest, medium } => format!(
                "マニフェスト {} をバックアップ媒体 {} の中には書きません。媒体とは別の場所（別のディスク、ケースの USB）を指定してください",
                manifest.display(),
                medium.display()
            ),
            Error::BitLocker { path, reason } => {
                format!("BitLocker ボリューム {}: {}", path.display(), bitlocker_ja(reason))
            }
            Error::UnknownSource { path } => format!(
                "{} がどの OS のものか判別できません（Windows/System32 も etc/ もありません）。--os windows|linux を指定してください",
                path.display()
            ),
            Error::EndpointId { reason } => {
                format!("端末名を決められません（{reason}）。--endpoint で指定してください")
            }
            Error::EndpointConflict { id, existing, source_path } => format!(
                "端末 {id} には既に {existing} からの証拠があります。{source_path} には別の --endpoint を指定してください"
            ),
        }
    }

    /// True when the error is about storage running out (the stick is full).
    pub fn is_storage_full(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == io::ErrorKind::StorageFull)
    }
}

fn bitlocker_en(r: &BitLockerReason) -> String {
    use BitLockerReason as R;
    match r {
        R::KeyNeeded => "encrypted; give the escrowed recovery key with --recovery-key-file FILE".into(),
        R::KeyFormat => {
            "the recovery key must be 8 groups of 6 digits, each a multiple of 11 (check for a typo)".into()
        }
        R::Failed(why) => {
            format!("could not unlock read-only (wrong key or unsupported volume); nothing was written: {why}")
        }
    }
}

fn bitlocker_ja(r: &BitLockerReason) -> String {
    use BitLockerReason as R;
    match r {
        R::KeyNeeded => "暗号化されています。預けてある回復キーを --recovery-key-file FILE で指定してください".into(),
        R::KeyFormat => "回復キーは 6 桁 × 8 組（各組は 11 の倍数）です。打ち間違いを確認してください".into(),
        R::Failed(why) => {
            format!("読み取り専用で解錠できません（キーの誤りか未対応の形式）。何も書き込んでいません: {why}")
        }
    }
}

fn io_ja(op: &str, path: &Path, source: &io::Error) -> String {
    let why = match source.kind() {
        io::ErrorKind::NotFound => "見つかりません",
        io::ErrorKind::PermissionDenied => "権限がありません",
        io::ErrorKind::StorageFull => "保存先の空き容量がありません（USB メモリが満杯です）",
        io::ErrorKind::ReadOnlyFilesystem => "読み取り専用のファイルシステムです",
        io::ErrorKind::AlreadyExists => "既に存在します",
        _ => "入出力エラー",
    };
    format!("{} の{}に失敗しました: {why}（{source}）", path.display(), op_ja(op))
}

fn op_ja(op: &str) -> &'static str {
    match op {
        "read" | "open" => "読み取り",
        "write" | "create" | "append" => "書き込み",
        "rename" => "名前の変更",
        "sync" => "ディスクへの反映",
        "mkdir" => "ディレクトリ作成",
        "lock" => "ロック",
        _ => "処理",
    }
}
