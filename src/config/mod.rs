//! `shodo.toml`: the hospital's own settings, prepared in peacetime and kept on the stick.
//!
//! Identity (名称, 開設者, 所在地, 病床数, 管理者, 医療情報システム安全管理責任者), contacts, management
//! addresses to keep reachable during isolation, and evidence recipients. Loading validates every
//! field during deserialisation, so an error always carries the file, line, column and field.

mod contacts;
mod error;
pub mod strings;
mod values;

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use crate::error::{ConfigError, ConfigErrorKind};
pub use contacts::{Contact, ContactRole, DefaultContact, EffectiveContact, Origin, default_contacts, defaults_only};
pub(crate) use error::{bundled, deserialize};
pub use values::{AgeRecipient, ManagementAddr, Phone};

use crate::error::{Error, Result};

/// The whole of `shodo.toml`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// 医療機関情報.
    pub hospital: Hospital,
    /// 連絡先; each one missing here falls back to a shipped default, shown as such.
    #[serde(default)]
    pub contacts: Contacts,
    /// What isolation must keep reachable.
    #[serde(default)]
    pub isolation: Isolation,
    /// Who may receive exported evidence (their public keys).
    #[serde(default)]
    pub recipients: Vec<Recipient>,
}

/// 医療機関の識別情報.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Hospital {
    /// 名称.
    pub name: String,
    /// 開設者.
    pub founder: Option<String>,
    /// 所在地.
    pub address: Option<String>,
    /// 病床数.
    pub beds: Option<u32>,
    /// 管理者 (病院長).
    pub administrator: Option<String>,
    /// 医療情報システム安全管理責任者.
    pub security_officer: Option<String>,
    /// 代表電話.
    pub phone: Option<Phone>,
}

/// The contacts a hospital fills in; every one is optional.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contacts {
    /// 医療情報システムの保守会社.
    pub vendor: Option<Contact>,
    /// 厚生労働省の窓口.
    pub mhlw: Option<Contact>,
    /// 警察（都道府県警察のサイバー犯罪相談窓口）.
    pub police: Option<Contact>,
    /// 個人情報保護委員会.
    pub ppc: Option<Contact>,
    /// 日本医師会 サイバーセキュリティ対応相談窓口.
    pub jma: Option<Contact>,
}

/// Isolation settings.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Isolation {
    /// Management endpoints that stay reachable while an endpoint is isolated.
    #[serde(default)]
    pub keep: Vec<KeepAddress>,
}

/// One pinned management IP:port pair.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KeepAddress {
    /// `192.0.2.10:22` or `[2001:db8::10]:443`.
    pub address: ManagementAddr,
    /// What it is (管理端末, 保守会社の踏み台 …).
    pub description: Option<String>,
}

/// Someone who may receive exported evidence.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// Who it is (○○県警 サイバー犯罪対策課, 保険会社 …).
    pub name: String,
    /// Their age X25519 public key (`age1…`).
    pub age: AgeRecipient,
    /// Free text.
    pub note: Option<String>,
}

impl Config {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<Config> {
        let bytes = fs::read(path).map_err(Error::io("read", path))?;
        let text = error::decode_utf8(path, &bytes)?;
        Self::parse(path, text)
    }

    /// Validates config text; `path` is used in error messages only.
    pub fn parse(path: &Path, text: &str) -> Result<Config> {
        error::deserialize(path, text)
    }

    /// Every contact role with what applies: the configured contact, else the shipped default.
    pub fn effective_contacts(&self) -> Result<Vec<EffectiveContact>> {
        contacts::effective(Some(&self.contacts))
    }
}

#[cfg(test)]
mod tests;
