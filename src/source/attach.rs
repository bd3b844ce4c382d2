//! Making a source readable without writing to it: image files attached as read-only loop
//! devices, devices flagged read-only, filesystems mounted read-only without journal replay.
//! Each guard undoes its step when dropped.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::magic::Fs;
use super::platform;
use crate::error::{Error, Result};

/// A read-only loop device over an image file; detached when dropped.
#[derive(Debug)]
pub struct Loop {
    /// `/dev/loopN`.
    pub device: PathBuf,
}

impl Loop {
    /// Attaches `image` read-only, with its partitions scanned.
    pub fn attach(image: &Path) -> Result<Loop> {
        Loop::attach_with(image, &["--read-only", "--find", "--show", "--partscan"])
    }

    /// Attaches `image` writable: only for an isolation change the operator confirmed.
    pub fn attach_writable(image: &Path) -> Result<Loop> {
        Loop::attach_with(image, &["--find", "--show", "--partscan"])
    }

    fn attach_with(image: &Path, args: &[&str]) -> Result<Loop> {
        let out = run("losetup", args, Some(image))?;
        let lo = Loop { device: PathBuf::from(out.trim()) };
        // The kernel's partition scan of a loop device does not always run (or runs late);
        // partx asks again. Without a partition table it finds nothing, which is fine.
        if lo.partitions().is_empty() {
            let _ = Command::new("partx").arg("--add").arg(&lo.device).output();
        }
        Ok(lo)
    }

    /// Partition device nodes (`/dev/loopNpM`).
    pub fn partitions(&self) -> Vec<(u32, PathBuf)> {
        let name = self.device.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let sys = Path::new("/sys/block").join(&name);
        let mut parts: Vec<(u32, PathBuf)> = fs::read_dir(&sys)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                let number = fs::read_to_string(e.path().join("partition")).ok()?.trim().parse().ok()?;
                Some((number, PathBuf::from("/dev").join(n)))
            })
            .collect();
        parts.sort();
        parts
    }
}

impl Drop for Loop {
    fn drop(&mut self) {
        // The flags were set on a loop device of our own making; the image stays untouched.
        for (_, part) in self.partitions() {
            let _ = platform::clear_read_only(&part);
        }
        let _ = platform::clear_read_only(&self.device);
        // A device still held for a moment (udev probing its partitions) is detached only once
        // released: wait for that, so that nothing of ours is left when shodo exits.
        let name = self.device.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let backing = PathBuf::from("/sys/block").join(name).join("loop/backing_file");
        for _ in 0..100 {
            let _ = Command::new("losetup").arg("--detach").arg(&self.device).stderr(Stdio::null()).status();
            if !backing.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

/// Sets the kernel read-only flag on a device before anything else opens it.
pub fn protect(device: &Path) -> Result<()> {
    platform::set_read_only(device).map_err(Error::io("lock", device))?;
    match platform::is_read_only(device) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Error::Corrupt { path: device.into(), what: "the read-only flag did not stick".into() }),
        Err(e) => Err(Error::io("lock", device)(e)),
    }
}

/// A read-only mount in a private directory; unmounted and removed when dropped.
#[derive(Debug)]
pub struct Mount {
    /// Where the filesystem is visible.
    pub dir: PathBuf,
    /// The `mount -o` options used.
    pub options: String,
}

impl Mount {
    /// An empty private directory standing in for a volume that could not be mounted (its raw
    /// metadata can still be read); removed when dropped.
    pub fn empty() -> Result<Mount> {
        let dir = std::env::temp_dir().join(format!("shodo-src-{}-{}", std::process::id(), unique()));
        fs::create_dir_all(&dir).map_err(Error::io("mkdir", &dir))?;
        Ok(Mount { dir, options: String::new() })
    }

    /// Mounts `device` holding `fs` read-only under a fresh directory.
    pub fn read_only(device: &Path, fs: Fs) -> Result<Mount> {
        let (kind, options) = fs.mount_options().ok_or_else(|| Error::Corrupt {
            path: device.into(),
            what: format!("{fs:?} cannot be mounted (encrypted or not a filesystem)"),
        })?;
        Mount::with(device, kind, options)
    }

    /// Mounts an NTFS volume writable (ntfs-3g): only for an isolation change the operator
    /// confirmed. ntfs-3g itself refuses a hibernated volume.
    pub fn writable_ntfs(device: &Path) -> Result<Mount> {
        Mount::with(device, "ntfs-3g", "rw,noatime")
    }

    fn with(device: &Path, kind: &str, options: &str) -> Result<Mount> {
        let dir = std::env::temp_dir().join(format!("shodo-src-{}-{}", std::process::id(), unique()));
        fs::create_dir_all(&dir).map_err(Error::io("mkdir", &dir))?;
        if let Err(e) = mount_to(kind, options, device, &dir) {
            let _ = fs::remove_dir(&dir);
            return Err(e);
        }
        Ok(Mount { dir, options: options.to_string() })
    }
}

fn mount_to(kind: &str, options: &str, device: &Path, dir: &Path) -> Result<()> {
    let mut cmd = if kind == "ntfs-3g" {
        let mut c = Command::new("ntfs-3g");
        c.args(["-o", options]).arg(device).arg(dir);
        c
    } else {
        let mut c = Command::new("mount");
        c.args(["-t", kind, "-o", options]).arg(device).arg(dir);
        c
    };
    let out = cmd.output().map_err(Error::io("open", Path::new(kind)))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(Error::Corrupt {
            path: device.into(),
            what: format!("{kind} failed: {}", String::from_utf8_lossy(&out.stderr).trim()),
        })
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.dir).stderr(Stdio::null()).status();
        let _ = fs::remove_dir(&self.dir);
    }
}

pub(crate) fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

fn run(program: &str, args: &[&str], last: Option<&Path>) -> Result<String> {
    let mut cmd = Command::new(program);
    cmd.args(args);
    if let Some(p) = last {
        cmd.arg(p);
    }
    let out = cmd.output().map_err(Error::io("open", Path::new(program)))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let path = last.map(Path::to_path_buf).unwrap_or_default();
        Err(Error::Corrupt { path, what: format!("{program} failed: {}", String::from_utf8_lossy(&out.stderr).trim()) })
    }
}
