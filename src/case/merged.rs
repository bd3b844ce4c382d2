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

/// The folders a `case.merge` entry brought in: none when it records none, an error when its
/// list cannot be read (the entry is damaged, and what the merge brought in is not known).
pub fn items_of(entry: &Entry) -> Result<Vec<Item>, serde_json::Error> {
    match &entry.detail["items"] {
        serde_json::Value::Null => Ok(Vec::new()),
        items => serde_json::from_value(items.clone()),
    }
}

/// As [`items_of`], a damaged list being the case log's damage.
pub fn items_in(dir: &std::path::Path, entry: &Entry) -> crate::error::Result<Vec<Item>> {
    items_of(entry).map_err(|e| crate::error::Error::Corrupt {
        path: dir.join(crate::case::layout::LOG_FILE),
        what: format!("the folders of merge entry {} cannot be read: {e}", entry.seq),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(detail: serde_json::Value) -> Entry {
        Entry {
            seq: 7,
            utc: String::new(),
            jst: String::new(),
            actor: "a".into(),
            action: MERGE_ACTION.into(),
            target: "c".into(),
            detail,
            files: Vec::new(),
            prev_sha256: String::new(),
        }
    }

    #[test]
    fn a_damaged_list_of_folders_is_an_error_not_an_empty_merge() {
        let item = json!({ "kind": "endpoint", "from": "endpoints/PC-1", "to": "endpoints/PC-1",
                           "placement": "copied", "files": 3, "bytes": 10 });
        assert_eq!(items_of(&entry(json!({ "items": [item] }))).unwrap().len(), 1);
        assert!(items_of(&entry(json!({}))).unwrap().is_empty(), "a merge that records no folders");
        assert!(items_of(&entry(json!({ "items": [{ "kind": "endpoint" }] }))).is_err());
        assert!(items_of(&entry(json!({ "items": "endpoints/PC-1" }))).is_err());
        let e = items_in(std::path::Path::new("/c"), &entry(json!({ "items": 1 }))).unwrap_err();
        assert!(e.to_string().contains("merge entry 7"), "{e}");
    }
}
