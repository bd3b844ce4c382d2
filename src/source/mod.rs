//! Where evidence comes from: block devices and partitions (listed from sysfs), image files
//! (attached as read-only loop devices) and already mounted directories.
//!
//! Opening a source never writes to it: a device gets the kernel read-only flag before anything
//! opens it, filesystems are mounted read-only without journal replay (NTFS only through the
//! FUSE driver ntfs-3g, which the flag stops), and NTFS metadata is read raw.

mod attach;
mod bitlocker;
mod magic;
mod ntfs;
pub(crate) mod platform;
mod strings;
mod sysfs;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use crate::error::BitLockerReason;
pub use attach::{Loop, Mount, protect};
pub use bitlocker::{RecoveryKey, Unlocked};
pub use magic::{Fs, Table};
pub use ntfs::{NtfsFacts, RAW_ITEMS, RawError, RawItem, RawVolume};
pub use sysfs::{Disk, Partition, list, read_head};

use crate::error::{Error, Result};
use strings as txt;

/// What kind of thing a source is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// An already mounted directory (labs, tests, a copy).
    Directory,
    /// A block device or partition.
    Device,
    /// A raw disk or partition image file.
    Image,
}

/// A source ready to read: a directory tree, and for a volume the device to read raw.
#[derive(Debug)]
pub struct Opened {
    /// As the operator named it.
    pub spec: PathBuf,
    /// What it is.
    pub kind: Kind,
    /// The root of the readable tree.
    pub root: PathBuf,
    /// The volume's device, read-only (device and image sources).
    pub device: Option<PathBuf>,
    /// Its filesystem.
    pub fs: Option<Fs>,
    /// NTFS facts (hibernation, dirty flag).
    pub ntfs: Option<NtfsFacts>,
    /// Mount options used.
    pub mount_options: Option<String>,
    /// Why the filesystem could not be mounted (its files are then not collected; raw NTFS
    /// metadata still is).
    pub mount_error: Option<String>,
    /// The disk the volume is on (model, serial, size, partition table), from sysfs.
    pub disk: Option<Disk>,
    /// For BitLocker: the encrypted device, and how it was unlocked.
    pub bitlocker: Option<(PathBuf, &'static str)>,
    // Dropped in this order: unmount, close BitLocker, detach.
    _mount: Option<Mount>,
    _unlocked: Option<Unlocked>,
    _loop: Option<Loop>,
}

impl Opened {
    /// What was done to open it, for the custody log.
    pub fn describe(&self) -> serde_json::Value {
        serde_json::json!({
            "spec": self.spec, "kind": self.kind, "device": self.device, "fs": self.fs,
            "device_read_only_flag": self.device.is_some(), "mount_options": self.mount_options, "mount_error": self.mount_error,
            "ntfs": self.ntfs, "disk": self.disk,
            "bitlocker": self.bitlocker.as_ref().map(|(dev, how)| serde_json::json!({ "encrypted_device": dev, "unlocked_with": how, "read_only": true })),
        })
    }
}

/// Opens `spec` for reading: a directory as it is; a device or image read-only and mounted.
/// `partition` picks a partition of a disk image or device (default: the one holding an OS,
/// else the largest mountable one).
pub fn open(spec: &Path, partition: Option<u32>, key: Option<&RecoveryKey>) -> Result<Opened> {
    let meta = std::fs::metadata(spec).map_err(Error::io("open", spec))?;
    if meta.is_dir() {
        return Ok(Opened {
            spec: spec.into(),
            kind: Kind::Directory,
            root: spec.into(),
            device: None,
            fs: None,
            ntfs: None,
            mount_options: None,
            mount_error: None,
            disk: None,
            bitlocker: None,
            _mount: None,
            _unlocked: None,
            _loop: None,
        });
    }
    use std::os::unix::fs::FileTypeExt;
    if meta.file_type().is_block_device() {
        protect(spec)?;
        let (device, fs) = pick_volume(spec, &device_partitions(spec), partition)?;
        return mount(spec, Kind::Device, device, fs, None, key);
    }
    let lo = Loop::attach(spec)?;
    let (device, fs) = pick_volume(&lo.device, &lo.partitions(), partition)?;
    mount(spec, Kind::Image, device, fs, Some(lo), key)
}

fn mount(
    spec: &Path,
    kind: Kind,
    device: PathBuf,
    fs: Fs,
    lo: Option<Loop>,
    key: Option<&RecoveryKey>,
) -> Result<Opened> {
    protect(&device)?;
    let disk = disk_of(&device);
    let unlocked = match fs {
        Fs::BitLocker => {
            let key = key.ok_or_else(|| bitlocker::bitlocker_error(&device, BitLockerReason::KeyNeeded))?;
            Some(bitlocker::unlock(&device, key)?)
        }
        _ => None,
    };
    let (volume, fs) = match &unlocked {
        Some(u) => {
            let inner =
                read_head(&u.device).as_deref().and_then(magic::filesystem).ok_or_else(|| unknown(&u.device))?;
            (u.device.clone(), inner)
        }
        None => (device.clone(), fs),
    };
    let facts = (fs == Fs::Ntfs).then(|| ntfs::facts(&volume)).flatten();
    // An NTFS volume the driver refuses (inconsistent $MFTMirr, say) still gives its raw metadata.
    let (m, mount_error) = match Mount::read_only(&volume, fs) {
        Ok(m) => (m, None),
        Err(e) if fs == Fs::Ntfs => (Mount::empty()?, Some(e.to_string())),
        Err(e) => return Err(e),
    };
    Ok(Opened {
        spec: spec.into(),
        kind,
        root: m.dir.clone(),
        device: Some(volume),
        fs: Some(fs),
        ntfs: facts,
        mount_options: mount_error.is_none().then(|| m.options.clone()),
        mount_error,
        disk,
        bitlocker: unlocked.as_ref().map(|u| (device.clone(), u.method)),
        _mount: Some(m),
        _unlocked: unlocked,
        _loop: lo,
    })
}

/// The disk that holds `device` (itself, or the disk of which it is a partition).
fn disk_of(device: &Path) -> Option<Disk> {
    list(Path::new("/sys"), Path::new("/dev"))
        .into_iter()
        .find(|d| d.path == device || d.partitions.iter().any(|p| p.path == device))
}

/// Partitions of a block device, from sysfs.
fn device_partitions(device: &Path) -> Vec<(u32, PathBuf)> {
    let name = device.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    list(Path::new("/sys"), Path::new("/dev"))
        .into_iter()
        .find(|d| d.name == name)
        .map(|d| d.partitions.into_iter().map(|p| (p.number, p.path)).collect())
        .unwrap_or_default()
}

/// The volume to read: the whole device when it holds a filesystem itself, else the chosen
/// partition, else the one holding Windows, else the largest mountable one.
fn pick_volume(whole: &Path, parts: &[(u32, PathBuf)], wanted: Option<u32>) -> Result<(PathBuf, Fs)> {
    let fs_of = |p: &Path| read_head(p).as_deref().and_then(magic::filesystem);
    if parts.is_empty() {
        let fs = fs_of(whole).ok_or_else(|| unknown(whole))?;
        return Ok((whole.to_path_buf(), fs));
    }
    if let Some(n) = wanted {
        let (_, p) = parts.iter().find(|(k, _)| *k == n).ok_or_else(|| Error::Corrupt {
            path: whole.into(),
            what: format!("no partition {n} (have {:?})", parts.iter().map(|(k, _)| k).collect::<Vec<_>>()),
        })?;
        return Ok((p.clone(), fs_of(p).ok_or_else(|| unknown(p))?));
    }
    let mountable: Vec<(PathBuf, Fs, u64, bool)> = parts
        .iter()
        .filter_map(|(_, p)| {
            let fs = fs_of(p).filter(|f| f.mount_options().is_some())?;
            let windows = fs == Fs::Ntfs && ntfs::facts(p).is_some_and(|f| f.windows);
            Some((p.clone(), fs, size_of(p), windows))
        })
        .collect();
    mountable
        .iter()
        .max_by_key(|(_, _, size, windows)| (*windows, *size))
        .map(|(p, fs, _, _)| (p.clone(), *fs))
        .ok_or_else(|| unknown(whole))
}

fn size_of(device: &Path) -> u64 {
    use std::io::{Seek, SeekFrom};
    std::fs::File::open(device).and_then(|mut f| f.seek(SeekFrom::End(0))).unwrap_or(0)
}

fn unknown(path: &Path) -> Error {
    Error::UnknownSource { path: PathBuf::from(path) }
}

/// A Windows volume opened read-write for an isolation change: an image attached writable, or
/// a device whose read-only flags were lifted (set again when dropped), mounted with ntfs-3g.
#[derive(Debug)]
pub struct Writable {
    /// The root of the volume's tree.
    pub root: PathBuf,
    /// The flags lifted, to set again.
    lifted: Vec<PathBuf>,
    // Dropped in this order: unmount, detach.
    _mount: Option<Mount>,
    _loop: Option<Loop>,
}

impl Drop for Writable {
    fn drop(&mut self) {
        // Unmount first (ntfs-3g writes everything out), then protect the devices again.
        self._mount = None;
        for device in &self.lifted {
            let _ = platform::set_read_only(device);
        }
    }
}

/// Opens `spec` read-write: a directory as it is (a volume already mounted by hand); an image
/// or device only if the volume is NTFS (BitLocker is never written).
pub fn open_writable(spec: &Path, partition: Option<u32>) -> Result<Writable> {
    let meta = std::fs::metadata(spec).map_err(Error::io("open", spec))?;
    if meta.is_dir() {
        return Ok(Writable { root: spec.into(), lifted: Vec::new(), _mount: None, _loop: None });
    }
    use std::os::unix::fs::FileTypeExt;
    let (lo, device, fs, lifted) = if meta.file_type().is_block_device() {
        let (device, fs) = pick_volume(spec, &device_partitions(spec), partition)?;
        let lifted: Vec<PathBuf> = if device == spec { vec![spec.into()] } else { vec![spec.into(), device.clone()] };
        for d in &lifted {
            platform::clear_read_only(d).map_err(Error::io("unlock", d))?;
        }
        (None, device, fs, lifted)
    } else {
        let lo = Loop::attach_writable(spec)?;
        let (device, fs) = pick_volume(&lo.device, &lo.partitions(), partition)?;
        (Some(lo), device, fs, Vec::new())
    };
    let mut w = Writable { root: PathBuf::new(), lifted, _mount: None, _loop: lo };
    if fs != Fs::Ntfs {
        let (ja, en) =
            txt::NOT_NTFS.both(|_| vec![("device", device.display().to_string()), ("fs", format!("{fs:?}"))]);
        return Err(Error::Refused { ja, en });
    }
    let m = Mount::writable_ntfs(&device)?;
    w.root = m.dir.clone();
    w._mount = Some(m);
    Ok(w)
}
