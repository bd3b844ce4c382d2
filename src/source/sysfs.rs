//! Block devices and partitions as the kernel lists them in sysfs, with what each holds.
//! Reads only: device heads are read through a read-only descriptor.

use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::magic::{self, Fs, Table};
use super::ntfs::{self, NtfsFacts};

/// A whole disk (or loop device).
#[derive(Clone, Debug, Serialize)]
pub struct Disk {
    /// Kernel name (`sda`, `nvme0n1`, `loop0`).
    pub name: String,
    /// Device node.
    pub path: PathBuf,
    /// Size in bytes.
    pub size: u64,
    /// Model, as the device reports it.
    pub model: Option<String>,
    /// Serial number.
    pub serial: Option<String>,
    /// Removable medium (USB stick, card reader).
    pub removable: bool,
    /// The kernel's read-only flag.
    pub read_only: bool,
    /// For a loop device: the file behind it.
    pub backing_file: Option<String>,
    /// Partition table.
    pub table: Option<Table>,
    /// A filesystem directly on the disk (no partition table).
    pub fs: Option<Fs>,
    /// Partitions.
    pub partitions: Vec<Partition>,
    /// Where the disk itself is mounted.
    pub mounted_at: Vec<String>,
}

/// A partition.
#[derive(Clone, Debug, Serialize)]
pub struct Partition {
    /// Kernel name (`sda2`).
    pub name: String,
    /// Device node.
    pub path: PathBuf,
    /// Partition number.
    pub number: u32,
    /// First sector (512-byte units).
    pub start: u64,
    /// Size in bytes.
    pub size: u64,
    /// The kernel's read-only flag.
    pub read_only: bool,
    /// Filesystem by magic.
    pub fs: Option<Fs>,
    /// What NTFS says about itself (Windows present, hibernated, dirty).
    pub ntfs: Option<NtfsFacts>,
    /// Where it is mounted, if anywhere.
    pub mounted_at: Vec<String>,
}

/// Lists block devices under `sys` (normally `/sys`), device nodes under `dev` (`/dev`).
pub fn list(sys: &Path, dev: &Path) -> Vec<Disk> {
    let mounts = mounts();
    let Ok(entries) = fs::read_dir(sys.join("block")) else { return Vec::new() };
    let mut disks: Vec<Disk> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("ram") && !n.starts_with("zram"))
        .filter_map(|name| disk(sys, dev, &name, &mounts))
        .collect();
    disks.sort_by(|a, b| a.name.cmp(&b.name));
    disks
}

fn disk(sys: &Path, dev: &Path, name: &str, mounts: &[(String, String)]) -> Option<Disk> {
    let base = sys.join("block").join(name);
    let size = read_u64(&base.join("size"))? * 512;
    let backing_file = read_text(&base.join("loop/backing_file"));
    if name.starts_with("loop") && backing_file.is_none() {
        return None; // an unused loop device
    }
    let path = dev.join(name);
    let head = read_head(&path);
    let mut partitions: Vec<Partition> = fs::read_dir(&base)
        .ok()?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(name) && base.join(n).join("partition").exists())
        .filter_map(|n| partition(&base.join(&n), &dev.join(&n), &n, mounts))
        .collect();
    partitions.sort_by_key(|p| p.number);
    let whole_fs = head.as_deref().and_then(magic::filesystem);
    Some(Disk {
        name: name.to_string(),
        size,
        model: read_text(&base.join("device/model")),
        serial: read_text(&base.join("device/serial")).or_else(|| read_text(&base.join("serial"))),
        removable: read_u64(&base.join("removable")) == Some(1),
        read_only: read_u64(&base.join("ro")) == Some(1),
        backing_file,
        table: head.as_deref().and_then(|h| magic::table(h, 512)),
        fs: if partitions.is_empty() { whole_fs } else { None },
        mounted_at: mounted_at(&path, mounts),
        partitions,
        path,
    })
}

fn partition(base: &Path, path: &Path, name: &str, mounts: &[(String, String)]) -> Option<Partition> {
    let fs = read_head(path).as_deref().and_then(magic::filesystem);
    Some(Partition {
        name: name.to_string(),
        number: read_u64(&base.join("partition"))? as u32,
        start: read_u64(&base.join("start")).unwrap_or(0),
        size: read_u64(&base.join("size")).unwrap_or(0) * 512,
        read_only: read_u64(&base.join("ro")) == Some(1),
        ntfs: (fs == Some(Fs::Ntfs)).then(|| ntfs::facts(path)).flatten(),
        mounted_at: mounted_at(path, mounts),
        fs,
        path: path.to_path_buf(),
    })
}

/// The first bytes of a device or image, read-only.
pub fn read_head(path: &Path) -> Option<Vec<u8>> {
    let mut head = Vec::with_capacity(magic::HEAD);
    File::open(path).ok()?.take(magic::HEAD as u64).read_to_end(&mut head).ok()?;
    Some(head)
}

fn read_text(path: &Path) -> Option<String> {
    fs::read_to_string(path).ok().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn read_u64(path: &Path) -> Option<u64> {
    read_text(path)?.parse().ok()
}

/// (device, mount point) pairs from the kernel's mount table.
fn mounts() -> Vec<(String, String)> {
    let text = fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            Some((f.next()?.to_string(), f.next()?.replace("\\040", " ")))
        })
        .collect()
}

fn mounted_at(path: &Path, mounts: &[(String, String)]) -> Vec<String> {
    let p = path.to_string_lossy();
    mounts.iter().filter(|(d, _)| *d == p).map(|(_, m)| m.clone()).collect()
}
