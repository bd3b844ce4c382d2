//! Triage collection: the artefact catalogue applied to a source, each file read once — copied
//! into the endpoint's evidence archive and hashed on the same pass — with a manifest row for
//! every file considered and every skip, and the manifest's Merkle root in the custody log.
//!
//! Reads the source only (files opened `O_NOATIME | O_NOFOLLOW`, symlinks never followed);
//! writes only inside `<case>/endpoints/<id>/`. An interrupted run resumes where it stopped.

mod archived;
mod catalogue;
mod endpoint;
mod keep;
mod live;
mod manifest;
mod names;
mod plan;
mod read;
mod recorded;
mod resume;
mod run;
mod segment;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

pub use archived::{entry_bytes, row_bytes};
pub use catalogue::{Artefact, Catalogue, Os, SizeError, Text, parse_size, size};
pub use endpoint::{Endpoint, clean_id, read as read_endpoint};
pub use keep::{Kept, KeptFile, LeftOut, Wanted, Why as KeepWhy, keep};
pub use manifest::{
    Row, SkipReason, Status, Times, latest as latest_rows, parse as parse_manifest, read as read_manifest,
};
pub use names::{escape, shift_jis, unescape};
pub use plan::{Candidate, Plan, detect_os, plan};
pub use read::open_evidence;
pub use recorded::{VolumeError, open_recorded_volume, recorded_source, same_volume};
pub use run::times;
pub use segment::inner_rows;

use crate::case::CaseWriter;
use crate::case::layout::ENDPOINTS_DIR;
use crate::error::{Error, Result};
use crate::progress::Progress;

/// What to collect and within which limits.
#[derive(Clone, Debug)]
pub struct Options {
    /// The source: the root of a mounted (read-only) volume or a copied tree.
    pub source: PathBuf,
    /// The source as the operator named it (device, image or directory): its identity in the case.
    pub origin: PathBuf,
    /// The volume's device, for NTFS metadata read raw.
    pub ntfs_device: Option<PathBuf>,
    /// How the source was opened (device flag, mount options, NTFS state), for the custody log.
    pub source_detail: serde_json::Value,
    /// The source is the running host: add a snapshot of processes, sockets, logins, mounts.
    pub live: bool,
    /// A catalogue to apply instead of the bundled one (`--catalogue FILE`).
    pub catalogue: Option<Catalogue>,
    /// The volume could not be mounted (why): its files are recorded as not collected.
    pub mount_error: Option<String>,
    /// Endpoint id; derived from the source when absent (Linux: `/etc/hostname`).
    pub endpoint: Option<String>,
    /// Which catalogue to apply; detected from the source when absent.
    pub os: Option<Os>,
    /// Stop taking files after this many bytes.
    pub max_bytes: Option<u64>,
    /// Stop taking files after this long.
    pub max_time: Option<Duration>,
    /// Finish a segment once it holds this many bytes.
    pub segment_bytes: u64,
}

impl Options {
    /// Defaults for a source.
    pub fn new(source: &Path) -> Options {
        Options {
            source: source.to_path_buf(),
            origin: source.to_path_buf(),
            ntfs_device: None,
            source_detail: serde_json::Value::Null,
            live: false,
            catalogue: None,
            mount_error: None,
            endpoint: None,
            os: None,
            max_bytes: None,
            max_time: None,
            segment_bytes: 256 << 20,
        }
    }
}

impl Options {
    /// Defaults for a source opened with [`crate::source::open`]; `origin` is how the operator
    /// named it (device, image or directory).
    pub fn for_opened(opened: &crate::source::Opened, origin: &Path) -> Options {
        let ntfs = opened.fs == Some(crate::source::Fs::Ntfs);
        let mut opts = Options::new(&opened.root);
        opts.origin = origin.to_path_buf();
        opts.ntfs_device = opened.device.clone().filter(|_| ntfs);
        opts.source_detail = opened.describe();
        opts.mount_error = opened.mount_error.clone();
        // NTFS holds Windows: say so when the tree cannot tell (the volume would not mount).
        if ntfs && opened.mount_error.is_some() {
            opts.os = Some(Os::Windows);
        }
        opts
    }
}

/// The outcome of a collection (over every run of the endpoint, resumed ones included).
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Endpoint id.
    pub endpoint: String,
    /// Endpoint directory in the case.
    pub dir: PathBuf,
    /// Catalogue applied.
    pub os: Os,
    /// Files collected.
    pub collected: u64,
    /// Bytes collected.
    pub collected_bytes: u64,
    /// Symbolic links recorded.
    pub symlinks: u64,
    /// Skips by reason.
    pub skipped: BTreeMap<SkipReason, u64>,
    /// A few skipped paths per reason, for people.
    pub skipped_examples: BTreeMap<SkipReason, Vec<String>>,
    /// Finished evidence archives.
    pub segments: Vec<String>,
    /// Merkle root of `manifest.jsonl` (RFC 6962).
    pub manifest_root: String,
    /// Rows in the manifest.
    pub manifest_rows: usize,
    /// True when this run continued an earlier one.
    pub resumed: bool,
    /// Unfinished archives of an interrupted run, discarded and collected again.
    pub discarded_partial: Vec<String>,
}

impl Summary {
    /// True when a skip needs a person's attention: something could be collected but was not
    /// (unreadable, vanished, a budget ran out). Links, special files and old files are normal.
    pub fn incomplete(&self) -> bool {
        self.skipped.keys().any(|r| r.retryable() || *r == SkipReason::Unmountable)
    }
}

/// Collects from `opts.source` into the case, recording every step in the custody log.
pub fn collect(writer: &CaseWriter, opts: &Options, progress: &dyn Progress) -> Result<Summary> {
    collect_planned(writer, opts, progress, &|_| ())
}

/// As [`collect`], calling `on_plan` once the files to take are known and before any is read
/// (to show the plan, or, in tests, to change the source in between as a live system would).
pub fn collect_planned(
    writer: &CaseWriter,
    opts: &Options,
    progress: &dyn Progress,
    on_plan: &dyn Fn(&Plan),
) -> Result<Summary> {
    let root = opts.source.as_path();
    if !root.is_dir() {
        let not_dir = std::io::Error::new(std::io::ErrorKind::NotFound, "source is not a directory");
        return Err(Error::io("open", root)(not_dir));
    }
    let catalogue = match &opts.catalogue {
        Some(c) => c.clone(),
        None => {
            let os = opts.os.or_else(|| detect_os(root)).ok_or_else(|| Error::UnknownSource { path: root.into() })?;
            Catalogue::bundled(os)?
        }
    };
    let facts = endpoint::facts(root, catalogue.os);
    let id = endpoint::id(opts.endpoint.as_deref(), &facts)?;
    let dir = writer.case().dir().join(ENDPOINTS_DIR).join(&id);
    let mut run = run::Run::open(writer, &dir, &id, &catalogue, opts, progress)?;
    run.set_facts(facts);
    let case_dir = std::fs::metadata(writer.case().dir()).map_err(Error::io("read", writer.case().dir()))?;
    let plan = plan::plan(root, &catalogue, &[(case_dir.dev(), case_dir.ino())])?;
    on_plan(&plan);
    run.take_raw()?;
    if opts.live {
        run.take_live()?;
    }
    run.take_all(root, &plan)?;
    if let Some(why) = &opts.mount_error {
        run.unmountable(why)?;
    }
    run.finish()
}

#[cfg(test)]
mod tests;
