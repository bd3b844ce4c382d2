//! `shodo sources`

use crate::cli::strings as txt;
use std::io::Write;
use std::path::Path;

use shodo::source::{self, Disk, NtfsFacts, Partition};
use shodo::{Lang, Result};

use super::{Outcome, output};

pub fn run(json: bool, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let disks = source::list(Path::new("/sys"), Path::new("/dev"));
    if json {
        output::json(out, &disks)?;
        return Ok(Outcome::Clean);
    }
    if disks.is_empty() {
        output::line(out, txt::NO_BLOCK_DEVICES_FOUND.get(lang))?;
    }
    for d in &disks {
        output::line(out, &disk_line(d, lang))?;
        for p in &d.partitions {
            output::line(out, &format!("  {}", partition_line(p, lang)))?;
        }
    }
    Ok(Outcome::Clean)
}

fn size(bytes: u64) -> String {
    shodo::progress::human_bytes(bytes)
}

fn disk_line(d: &Disk, lang: Lang) -> String {
    let mut parts = vec![d.path.display().to_string(), size(d.size)];
    parts.extend(d.model.clone());
    parts.extend(d.serial.as_ref().map(|s| format!("S/N {s}")));
    parts.extend(d.backing_file.as_ref().map(|f| format!("{} {f}", txt::IMAGE.get(lang))));
    parts.extend(d.table.map(|t| format!("{t:?}").to_uppercase()));
    parts.extend(d.fs.map(|f| format!("{f:?}").to_lowercase()));
    if d.removable {
        parts.push(txt::REMOVABLE.get(lang).into());
    }
    if d.read_only {
        parts.push(txt::READ_ONLY.get(lang).into());
    }
    parts.extend(d.mounted_at.iter().map(|m| format!("{} {m}", txt::MOUNTED_AT.get(lang))));
    parts.join("  ")
}

fn partition_line(p: &Partition, lang: Lang) -> String {
    let mut parts = vec![p.path.display().to_string(), size(p.size)];
    parts.push(p.fs.map_or_else(|| txt::UNKNOWN.get(lang).to_string(), |f| format!("{f:?}").to_lowercase()));
    if let Some(n) = &p.ntfs {
        parts.extend(ntfs_notes(n, lang));
    }
    if p.read_only {
        parts.push(txt::READ_ONLY.get(lang).into());
    }
    parts.extend(p.mounted_at.iter().map(|m| format!("{} {m}", txt::MOUNTED_AT.get(lang))));
    parts.join("  ")
}

fn ntfs_notes(n: &NtfsFacts, lang: Lang) -> Vec<String> {
    let mut notes = Vec::new();
    notes.extend(n.label.clone().map(|l| format!("[{l}]")));
    if n.windows {
        notes.push("Windows".into());
    }
    if n.hibernated {
        notes.push(txt::HIBERNATED_OR_FAST_STARTUP_DO_NOT.get(lang).into());
    }
    if n.dirty {
        notes.push(txt::DIRTY.get(lang).into());
    }
    notes
}
