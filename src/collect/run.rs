//! One collection run: resume state, the per-file decision, segments, the custody records.

use std::collections::{BTreeMap, HashSet};
use std::fs::{self, Metadata};
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};
use serde_json::json;

use super::catalogue::Catalogue;
use super::endpoint::{self};
use super::manifest::{self, Row, SkipReason, Status, Times};
use super::plan::{Candidate, Plan};
use super::read::{kind_of, open_evidence};
use super::resume::{cut_torn_manifest, discard_partials, finished_segments, prepare_dir, recover_segments};
use super::segment::{self, CopyError, Segment};
use super::{Options, Summary, names};
use crate::case::layout::{ENDPOINT_FILE, ENDPOINTS_DIR, MANIFEST};
use crate::case::{self, CaseWriter, FileRef, NewEntry};
use crate::clock;
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::source::{RAW_ITEMS, RawError, RawVolume};

pub(super) struct Run<'a> {
    writer: &'a CaseWriter,
    dir: PathBuf,
    id: String,
    catalogue: &'a Catalogue,
    opts: &'a Options,
    progress: &'a dyn Progress,
    settled: HashSet<String>,
    seq: u64,
    next_index: u32,
    segment: Option<Segment>,
    spent_total: u64,
    spent: Vec<u64>,
    spent_time: Vec<Duration>,
    started: Instant,
    resumed: bool,
    discarded: Vec<String>,
    facts: endpoint::Facts,
}

impl<'a> Run<'a> {
    /// Opens the endpoint directory, cleaning up after an interrupted run.
    pub fn open(
        writer: &'a CaseWriter,
        dir: &Path,
        id: &str,
        catalogue: &'a Catalogue,
        opts: &'a Options,
        progress: &'a dyn Progress,
    ) -> Result<Run<'a>> {
        prepare_dir(dir, id, &opts.origin)?;
        let discarded = discard_partials(dir)?;
        let torn = cut_torn_manifest(&dir.join(MANIFEST))?;
        let recovered = recover_segments(writer, dir, id)?;
        let rows = manifest::read(&dir.join(MANIFEST))?;
        let settled =
            manifest::latest(&rows).into_iter().filter(|(_, r)| r.settled()).map(|(p, _)| p.to_string()).collect();
        let run = Run {
            writer,
            dir: dir.to_path_buf(),
            id: id.to_string(),
            catalogue,
            opts,
            progress,
            settled,
            seq: rows.iter().map(|r| r.seq).max().unwrap_or(0),
            next_index: finished_segments(dir)?.iter().filter_map(|n| segment::index_of(n)).max().unwrap_or(0) + 1,
            segment: None,
            spent_total: 0,
            spent: vec![0; catalogue.artefacts.len()],
            spent_time: vec![Duration::ZERO; catalogue.artefacts.len()],
            started: Instant::now(),
            resumed: !rows.is_empty() || !discarded.is_empty(),
            discarded,
            facts: endpoint::Facts::default(),
        };
        run.record_start(torn, recovered, rows.len())?;
        Ok(run)
    }

    /// Records that the volume's files could not be listed at all.
    pub fn unmountable(&mut self, why: &str) -> Result<()> {
        let mut row = self.row("/".into(), Vec::new(), None);
        skip(&mut row, SkipReason::Unmountable, Some(why.to_string()));
        self.push(row)
    }

    /// What the source says about the machine, for `endpoint.json`.
    pub fn set_facts(&mut self, facts: endpoint::Facts) {
        self.facts = facts;
    }

    fn record_start(&self, torn: u64, recovered: Vec<String>, previous_rows: usize) -> Result<()> {
        let detail = json!({
            "source": self.opts.origin, "endpoint": self.id, "ntfs_device": self.opts.ntfs_device, "opened": self.opts.source_detail, "live": self.opts.live, "os": self.catalogue.os,
            "catalogue_sha256": self.catalogue.sha256, "max_bytes": self.opts.max_bytes,
            "max_time_secs": self.opts.max_time.map(|d| d.as_secs()), "resumed": self.resumed,
            "previous_rows": previous_rows, "discarded_partial": self.discarded,
            "manifest_torn_bytes_cut": torn, "recovered_segments": recovered,
        });
        self.writer.record(NewEntry::new("collect.start", &self.id, detail)).map(drop)
    }

    /// Takes every planned file, then records the directories that could not be walked.
    pub fn take_all(&mut self, root: &Path, plan: &Plan) -> Result<()> {
        let bytes =
            plan.candidates.iter().filter_map(|c| c.meta.as_ref()).filter(|m| m.is_file()).map(Metadata::len).sum();
        self.progress.start("collect", Some(plan.candidates.len() as u64), Some(bytes));
        for c in &plan.candidates {
            self.take(root, c)?;
            self.progress.advance(1, 0);
        }
        for (rel, why) in &plan.walk_errors {
            let mut row = self.row(names::escape(rel.as_os_str()), Vec::new(), None);
            skip(&mut row, SkipReason::WalkError, Some(why.clone()));
            self.push(row)?;
        }
        self.progress.finish();
        Ok(())
    }

    /// Reads the catalogue's raw NTFS metadata from the volume (or records why it could not).
    pub fn take_raw(&mut self) -> Result<()> {
        let wanted: Vec<(usize, String)> = self
            .catalogue
            .artefacts
            .iter()
            .enumerate()
            .flat_map(|(i, a)| a.ntfs_raw.iter().map(move |n| (i, n.clone())))
            .filter(|(_, n)| !self.settled.contains(n))
            .collect();
        if wanted.is_empty() {
            return Ok(());
        }
        let mut volume = match &self.opts.ntfs_device {
            Some(dev) => {
                RawVolume::open(dev).map_err(|e| (SkipReason::Unreadable, format!("cannot read the volume raw: {e}")))
            }
            None => Err((
                SkipReason::RawUnavailable,
                "the source is a directory, not a volume: give the device or image to preserve it".into(),
            )),
        };
        for (i, name) in wanted {
            let mut row = self.row(name.clone(), vec![self.catalogue.artefacts[i].id.clone()], None);
            let cap = self.catalogue.artefacts[i].max_file_size.0;
            match volume.as_mut() {
                Err((reason, why)) => skip(&mut row, *reason, Some(why.clone())),
                Ok(v) => self.copy_raw(v, &name, cap, &mut row)?,
            }
            if !matches!(row.status, Status::Skipped) {
                self.settled.insert(name);
            }
            self.push(row)?;
        }
        Ok(())
    }

    fn copy_raw(&mut self, volume: &mut RawVolume, name: &str, cap: u64, row: &mut Row) -> Result<()> {
        let Some(item) = RAW_ITEMS.iter().find(|r| r.name == name) else { return Ok(()) };
        let outcome = volume.with_item(item, |size, reader| {
            if size > cap {
                row.size = size;
                skip(row, SkipReason::TooLarge, Some(format!("{size} bytes > cap {cap}")));
                return Ok(false);
            }
            self.store(format!("ntfs/{name}"), reader, size, None, row)
        });
        match outcome {
            Err(RawError::Absent(why)) => skip(row, SkipReason::Absent, Some(why)),
            Err(RawError::Failed(why)) => skip(row, SkipReason::Unreadable, Some(why)),
            Ok(stored) => {
                stored?;
            }
        }
        Ok(())
    }

    /// Copies one stream into the open segment and fills in the row. `Ok(false)` when reading
    /// failed (the row says why); an error only when the evidence could not be written.
    fn store(
        &mut self,
        entry: String,
        reader: &mut dyn Read,
        size_hint: u64,
        modified: Option<DateTime<Utc>>,
        row: &mut Row,
    ) -> Result<bool> {
        let progress = self.progress;
        let segment = self.segment()?;
        match segment.copy(&entry, reader, size_hint, modified, progress) {
            Ok((sha256, size)) => {
                row.status = Status::Collected;
                row.sha256 = Some(sha256);
                row.size = size;
                row.zip = Some(segment.name().to_string());
                row.entry = Some(entry);
                self.spent_total += size;
                Ok(true)
            }
            Err(CopyError::Read { error, read }) => {
                skip(row, SkipReason::Unreadable, Some(format!("read failed after {read} bytes: {error}")));
                Ok(false)
            }
            Err(CopyError::Write(e)) => Err(e),
        }
    }

    /// Adds the snapshot of the running host (processes, sockets, logins, mounts, modules).
    pub fn take_live(&mut self) -> Result<()> {
        let files = super::live::snapshot(Path::new("/proc"), Path::new("/etc"), Path::new("/var/run/utmp"));
        for (name, bytes) in files {
            if self.settled.contains(name) {
                continue;
            }
            let mut row = self.row(name.to_string(), vec!["linux.live".into()], None);
            if self.store(name.to_string(), &mut bytes.as_slice(), bytes.len() as u64, None, &mut row)? {
                self.settled.insert(name.to_string());
            }
            self.push(row)?;
        }
        Ok(())
    }

    fn take(&mut self, root: &Path, c: &Candidate) -> Result<()> {
        let path = names::escape(c.rel.as_os_str());
        if self.settled.contains(&path) {
            return Ok(());
        }
        let ids = c.artefacts.iter().map(|&i| self.catalogue.artefacts[i].id.clone()).collect();
        let mut row = self.row(path, ids, c.meta.as_ref());
        row.path_sjis = names::shift_jis(c.rel.as_os_str());
        match self.refusal(c) {
            Some((reason, detail)) => skip(&mut row, reason, detail),
            None if c.meta.as_ref().is_some_and(|m| m.file_type().is_symlink()) => link(&mut row, &root.join(&c.rel)),
            None => self.copy(root, c, &mut row)?,
        }
        // A file that could not be read is shown as it happens (it is in the manifest either
        // way); skips by design or by budget are counted in the summary instead.
        if let (Status::Skipped, Some(reason @ (SkipReason::Unreadable | SkipReason::Vanished))) =
            (row.status, row.reason)
        {
            let detail = row.detail.as_deref().unwrap_or_default();
            self.progress.note(&format!("{}: {reason:?} {detail}", row.path));
        }
        if !matches!(row.status, Status::Skipped) {
            self.settled.insert(row.path.clone());
        }
        self.push(row)
    }

    /// Why a file is not to be copied, if it is not.
    fn refusal(&self, c: &Candidate) -> Option<(SkipReason, Option<String>)> {
        let Some(meta) = &c.meta else {
            return Some((SkipReason::Vanished, Some("gone before it could be read".into())));
        };
        if meta.file_type().is_symlink() {
            return None;
        }
        if !meta.is_file() {
            return Some((SkipReason::NotRegular, Some(kind_of(meta).into())));
        }
        let arts: Vec<_> = c.artefacts.iter().map(|&i| (i, &self.catalogue.artefacts[i])).collect();
        let cap = arts.iter().map(|(_, a)| a.max_file_size.0).max().unwrap_or(0);
        let size = meta.len();
        if self.progress.cancelled() {
            return Some((SkipReason::Cancelled, None));
        }
        if self.opts.max_time.is_some_and(|t| self.started.elapsed() > t) {
            return Some((SkipReason::TimeBudget, None));
        }
        if size > cap {
            return Some((SkipReason::TooLarge, Some(format!("{size} bytes > cap {cap}"))));
        }
        if arts.iter().all(|(_, a)| a.changed_within_days.is_some_and(|d| !changed_within(meta, d))) {
            return Some((SkipReason::TooOld, None));
        }
        let over = |(i, a): &(usize, &super::Artefact)| a.max_total_size.is_some_and(|b| self.spent[*i] + size > b.0);
        if arts.iter().all(over) {
            return Some((SkipReason::ArtefactBudget, None));
        }
        let out_of_time = |(i, a): &(usize, &super::Artefact)| {
            a.max_seconds.is_some_and(|s| self.spent_time[*i] >= Duration::from_secs(s))
        };
        if arts.iter().all(out_of_time) {
            return Some((SkipReason::ArtefactTime, None));
        }
        if self.opts.max_bytes.is_some_and(|b| self.spent_total + size > b) {
            return Some((SkipReason::TotalBudget, None));
        }
        None
    }

    fn copy(&mut self, root: &Path, c: &Candidate, row: &mut Row) -> Result<()> {
        let mut file = match open_evidence(&root.join(&c.rel)) {
            Ok(f) => f,
            Err((reason, why)) => {
                skip(row, reason, Some(why));
                return Ok(());
            }
        };
        let planned = c.meta.as_ref().map_or(0, Metadata::len);
        let modified = c.meta.as_ref().and_then(|m| m.modified().ok()).map(DateTime::<Utc>::from);
        let entry = format!("fs/{}", row.path);
        let began = Instant::now();
        let stored = self.store(entry, &mut file, planned, modified, row)?;
        c.artefacts.iter().for_each(|&i| self.spent_time[i] += began.elapsed());
        if stored {
            if row.size != planned {
                row.detail = Some(format!("size changed while reading: listed {planned}, read {}", row.size));
            }
            c.artefacts.iter().for_each(|&i| self.spent[i] += row.size);
        }
        Ok(())
    }

    fn segment(&mut self) -> Result<&mut Segment> {
        if self.segment.is_none() {
            self.segment = Some(Segment::create(&self.dir, self.next_index)?);
            self.next_index += 1;
        }
        self.segment.as_mut().ok_or_else(|| Error::Corrupt { path: self.dir.clone(), what: "no segment".into() })
    }

    fn push(&mut self, mut row: Row) -> Result<()> {
        self.seq += 1;
        row.seq = self.seq;
        let full = {
            let seg = self.segment()?;
            seg.push(row);
            seg.bytes() >= self.opts.segment_bytes
        };
        if full { self.close_segment() } else { Ok(()) }
    }

    /// Finishes the open segment, appends its rows to the manifest, records it in custody.
    fn close_segment(&mut self) -> Result<()> {
        let Some(seg) = self.segment.take() else { return Ok(()) };
        let (name, rows) = seg.finish(&self.dir)?;
        case::append(&self.dir.join(MANIFEST), manifest::to_lines(&rows)?.as_bytes())?;
        record_segment(self.writer, &self.id, &name, rows.len(), false)
    }

    /// Closes the last segment, writes `endpoint.json`, records the manifest root.
    pub fn finish(mut self) -> Result<Summary> {
        self.close_segment()?;
        let ep = endpoint::describe(&self.id, &self.facts, self.opts, self.catalogue.os);
        let json = serde_json::to_vec_pretty(&ep)
            .map_err(|e| Error::Corrupt { path: ENDPOINT_FILE.into(), what: e.to_string() })?;
        case::write_atomic(&self.dir.join(ENDPOINT_FILE), &json)?;
        let summary = self.summary()?;
        let case_dir = self.writer.case().dir();
        let rel = |f: &str| format!("{ENDPOINTS_DIR}/{}/{f}", self.id);
        let mut files = vec![FileRef::of(case_dir, &rel(ENDPOINT_FILE))?];
        if self.dir.join(MANIFEST).exists() {
            files.push(FileRef::of(case_dir, &rel(MANIFEST))?);
        }
        let detail = json!({
            "manifest_root": summary.manifest_root, "manifest_rows": summary.manifest_rows,
            "collected": summary.collected, "collected_bytes": summary.collected_bytes,
            "symlinks": summary.symlinks, "skipped": summary.skipped, "segments": summary.segments,
            "elapsed_secs": self.started.elapsed().as_secs_f64(),
        });
        self.writer.record(NewEntry::new("collect.finish", &self.id, detail).with_files(files))?;
        Ok(summary)
    }

    fn summary(&self) -> Result<Summary> {
        let rows = manifest::read(&self.dir.join(MANIFEST))?;
        let (root, count) = manifest::root_of(&self.dir.join(MANIFEST))?;
        let mut s = Summary {
            endpoint: self.id.clone(),
            dir: self.dir.clone(),
            os: self.catalogue.os,
            collected: 0,
            collected_bytes: 0,
            symlinks: 0,
            skipped: BTreeMap::new(),
            skipped_examples: BTreeMap::new(),
            segments: finished_segments(&self.dir)?,
            manifest_root: root,
            manifest_rows: count,
            resumed: self.resumed,
            discarded_partial: self.discarded.clone(),
        };
        for row in manifest::latest(&rows).into_values() {
            tally(&mut s, row);
        }
        Ok(s)
    }

    fn row(&self, path: String, artefacts: Vec<String>, meta: Option<&Metadata>) -> Row {
        new_row(path, artefacts, meta)
    }
}

/// A manifest row for a file not yet taken (skipped until it is), stamped now.
pub(super) fn new_row(path: String, artefacts: Vec<String>, meta: Option<&Metadata>) -> Row {
    Row {
        seq: 0,
        status: Status::Skipped,
        path,
        path_sjis: None,
        artefacts,
        size: meta.map_or(0, Metadata::len),
        sha256: None,
        times: meta.map(times).unwrap_or_default(),
        mode: meta.map(MetadataExt::mode),
        uid: meta.map(MetadataExt::uid),
        gid: meta.map(MetadataExt::gid),
        inode: meta.map(MetadataExt::ino),
        zip: None,
        entry: None,
        link_target: None,
        reason: None,
        detail: None,
        at: clock::utc_string(clock::now()),
    }
}

fn tally(s: &mut Summary, row: &Row) {
    match (row.status, row.reason) {
        (Status::Collected, _) => {
            s.collected += 1;
            s.collected_bytes += row.size;
        }
        (Status::Symlink, _) => s.symlinks += 1,
        (Status::Skipped, reason) => {
            let reason = reason.unwrap_or(SkipReason::Unreadable);
            *s.skipped.entry(reason).or_default() += 1;
            let examples = s.skipped_examples.entry(reason).or_default();
            if examples.len() < 5 {
                examples.push(row.path.clone());
            }
        }
    }
}

fn skip(row: &mut Row, reason: SkipReason, detail: Option<String>) {
    row.status = Status::Skipped;
    row.reason = Some(reason);
    row.detail = detail;
}

fn link(row: &mut Row, path: &Path) {
    row.status = Status::Symlink;
    match fs::read_link(path) {
        Ok(target) => row.link_target = Some(names::escape(target.as_os_str())),
        Err(e) => skip(row, SkipReason::Vanished, Some(e.to_string())),
    }
}

/// The times of a file as the manifest records them.
pub fn times(m: &Metadata) -> Times {
    let utc = |t: std::io::Result<SystemTime>| t.ok().map(|t| clock::utc_string(DateTime::<Utc>::from(t)));
    let changed = DateTime::<Utc>::from_timestamp(m.ctime(), m.ctime_nsec() as u32).map(clock::utc_string);
    Times { modified: utc(m.modified()), accessed: utc(m.accessed()), changed, born: utc(m.created()) }
}

fn changed_within(m: &Metadata, days: u32) -> bool {
    let cutoff = clock::now().timestamp() - i64::from(days) * 86_400;
    let born =
        m.created().ok().and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok()).map_or(0, |d| d.as_secs() as i64);
    m.mtime().max(m.ctime()).max(born) >= cutoff
}

pub(super) fn record_segment(writer: &CaseWriter, id: &str, name: &str, rows: usize, recovered: bool) -> Result<()> {
    let rel = format!("{ENDPOINTS_DIR}/{id}/{name}");
    let file = FileRef::of(writer.case().dir(), &rel)?;
    let detail = json!({ "segment": name, "rows": rows, "recovered": recovered });
    writer.record(NewEntry::new("collect.segment", id, detail).with_files(vec![file])).map(drop)
}
