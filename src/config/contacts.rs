//! Contacts: the hospital's own from `shodo.toml`, else a shipped default that is always shown
//! with its source and date — a desk or number may have changed since (`rules/contacts/`).

use crate::config::strings as txt;
use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Contacts, Phone, error};
use crate::error::{Error, Result};
use crate::lang::Lang;

const DEFAULTS_NAME: &str = "rules/contacts/defaults.toml";
const DEFAULTS: &str = include_str!("../../rules/contacts/defaults.toml");

/// One contact as the hospital writes it.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Organisation or desk.
    pub name: String,
    /// Telephone.
    pub phone: Option<Phone>,
    /// 担当者.
    pub person: Option<String>,
    /// 受付時間.
    pub hours: Option<String>,
    /// Web form or page.
    pub url: Option<String>,
    /// Free text.
    pub note: Option<String>,
}

/// A shipped default: a contact plus where it comes from.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DefaultContact {
    /// Organisation or desk.
    pub name: String,
    /// Telephone.
    pub phone: Option<Phone>,
    /// 受付時間.
    pub hours: Option<String>,
    /// Free text.
    pub note: Option<String>,
    /// The public document the entry comes from.
    pub source: String,
    /// Date of that document (YYYY-MM-DD).
    pub source_date: chrono::NaiveDate,
}

/// Who a contact is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContactRole {
    /// 保守会社.
    Vendor,
    /// 厚生労働省.
    Mhlw,
    /// 警察.
    Police,
    /// 個人情報保護委員会.
    Ppc,
    /// 日本医師会.
    Jma,
}

impl ContactRole {
    /// All roles in the order the posted procedure names them.
    pub const ALL: [ContactRole; 5] = [Self::Vendor, Self::Mhlw, Self::Police, Self::Ppc, Self::Jma];

    /// Label for people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Vendor => txt::SYSTEM_VENDOR.get(lang),
            Self::Mhlw => txt::MHLW.get(lang),
            Self::Police => txt::POLICE.get(lang),
            Self::Ppc => txt::PPC.get(lang),
            Self::Jma => txt::JMA_HOTLINE.get(lang),
        }
    }

    fn key(self) -> &'static str {
        match self {
            Self::Vendor => "vendor",
            Self::Mhlw => "mhlw",
            Self::Police => "police",
            Self::Ppc => "ppc",
            Self::Jma => "jma",
        }
    }
}

/// Where an effective contact comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "origin", rename_all = "lowercase")]
pub enum Origin {
    /// Written by the hospital in `shodo.toml`.
    Configured,
    /// Shipped with shodo: public information as of `source_date`, not verified.
    Default { source: String, source_date: chrono::NaiveDate },
    /// Nobody has filled it in and there is no default (the 保守会社 is the hospital's own).
    Unset,
}

/// The contact that applies for one role.
#[derive(Clone, Debug, Serialize)]
pub struct EffectiveContact {
    /// The role.
    pub role: ContactRole,
    /// The contact, if any.
    pub contact: Option<Contact>,
    /// Where it comes from.
    #[serde(flatten)]
    pub origin: Origin,
}

/// The shipped defaults, validated.
pub fn default_contacts() -> Result<BTreeMap<String, DefaultContact>> {
    error::deserialize(Path::new(DEFAULTS_NAME), DEFAULTS)
        .map_err(|e| Error::BundledData { name: DEFAULTS_NAME, reason: e.to_string() })
}

/// The effective contact of every role.
pub(crate) fn effective(configured: Option<&Contacts>) -> Result<Vec<EffectiveContact>> {
    let defaults = default_contacts()?;
    Ok(ContactRole::ALL
        .iter()
        .map(|&role| resolve(role, configured.and_then(|c| configured_for(c, role)), defaults.get(role.key())))
        .collect())
}

/// Contacts when no `shodo.toml` was found: the defaults alone.
pub fn defaults_only() -> Result<Vec<EffectiveContact>> {
    effective(None)
}

fn configured_for(c: &Contacts, role: ContactRole) -> Option<&Contact> {
    match role {
        ContactRole::Vendor => c.vendor.as_ref(),
        ContactRole::Mhlw => c.mhlw.as_ref(),
        ContactRole::Police => c.police.as_ref(),
        ContactRole::Ppc => c.ppc.as_ref(),
        ContactRole::Jma => c.jma.as_ref(),
    }
}

fn resolve(role: ContactRole, own: Option<&Contact>, default: Option<&DefaultContact>) -> EffectiveContact {
    if let Some(own) = own {
        return EffectiveContact { role, contact: Some(own.clone()), origin: Origin::Configured };
    }
    match default {
        Some(d) => EffectiveContact {
            role,
            contact: Some(Contact {
                name: d.name.clone(),
                phone: d.phone.clone(),
                person: None,
                hours: d.hours.clone(),
                url: None,
                note: d.note.clone(),
            }),
            origin: Origin::Default { source: d.source.clone(), source_date: d.source_date },
        },
        None => EffectiveContact { role, contact: None, origin: Origin::Unset },
    }
}
