//! The record a merge leaves: the `case.merge` custody entry's items — which folder of which
//! source went where, and how. [`super::merge`] writes it and [`super::verify`] reads it to tie
//! the merged chains together; neither needs the other for it.

use serde::{Deserialize, Serialize};

use super::custody::Entry;

/// The custody action that records a finished merge.
pub const MERGE_ACTION: &str = "case.merge";

/// What a merged folder holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// `endpoints/<id>`.
    Endpoint,
    /// `backups/<medium>`.
    Backup,
}

/// Where a source folder went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// Copied under its own name.
    Copied,
    /// The case already held that name with other content: copied under another name.
    KeptApart,
    /// The case already holds exactly these files (merged before): nothing copied.
    AlreadyPresent,
}

/// One endpoint or backup folder of a source.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Item {
    /// Endpoint or backup.
    pub kind: ItemKind,
    /// Folder in the source case (`endpoints/PC-1`).
    pub from: String,
    /// Folder in this case.
    pub to: String,
    /// What was done.
    pub placement: Placement,
    /// Files in it.
    pub files: usize,
    /// Their bytes.
    pub bytes: u64,
    /// Files the source's custody log did not vouch for (copied, hashed here).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unvouched: Vec<String>,
}

/// The folders a `case.merge` entry brought in.
pub fn items_of(entry: &Entry) -> Vec<Item> {
    serde_json::from_value(entry.detail["items"].clone()).unwrap_or_default()
}
