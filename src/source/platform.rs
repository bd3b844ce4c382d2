//! The only code that asks the kernel for more than files: the block-device read-only flag, and
//! where a file's data lies (its extent map). Kept tiny; the rest of shodo forbids `unsafe`.
#![allow(unsafe_code)]

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::path::Path;

/// `_IO(0x12, 93)`: set the block device read-only flag.
const BLKROSET: libc::c_ulong = 0x125D;
/// `_IO(0x12, 94)`: get the block device read-only flag.
const BLKROGET: libc::c_ulong = 0x125E;

/// Sets the kernel's read-only flag on a block device: writes through any path fail with EPERM
/// until it is cleared. Opening for the ioctl is read-only and writes nothing.
pub fn set_read_only(device: &Path) -> io::Result<()> {
    let file = File::open(device)?;
    let one: libc::c_int = 1;
    // SAFETY: BLKROSET reads one c_int through the pointer, which is valid for the call.
    let rc = unsafe { libc::ioctl(file.as_raw_fd(), BLKROSET, &one as *const libc::c_int) };
    if rc == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

/// Clears the read-only flag again: only for loop devices shodo itself attached, before it
/// detaches them, so that the next user of that loop device does not inherit the flag.
pub fn clear_read_only(device: &Path) -> io::Result<()> {
    let file = File::open(device)?;
    let zero: libc::c_int = 0;
    // SAFETY: BLKROSET reads one c_int through the pointer, which is valid for the call.
    let rc = unsafe { libc::ioctl(file.as_raw_fd(), BLKROSET, &zero as *const libc::c_int) };
    if rc == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

/// Whether the kernel's read-only flag is set on a block device.
pub fn is_read_only(device: &Path) -> io::Result<bool> {
    let file = File::open(device)?;
    let mut flag: libc::c_int = 0;
    // SAFETY: BLKROGET writes one c_int through the pointer, which is valid for the call.
    let rc = unsafe { libc::ioctl(file.as_raw_fd(), BLKROGET, &mut flag as *mut libc::c_int) };
    if rc == 0 { Ok(flag != 0) } else { Err(io::Error::last_os_error()) }
}

/// `_IOWR('f', 11, struct fiemap)`: map a file's logical extents to physical ones.
const FS_IOC_FIEMAP: libc::c_ulong = 0xC020_660B;
/// `FIEMAP_EXTENT_UNKNOWN`: the extent's location is not known yet (delayed allocation).
const FIEMAP_EXTENT_UNKNOWN: u32 = 0x2;
/// `FIEMAP_EXTENT_DATA_INLINE`: the data lives in the metadata, not at `fe_physical`.
const FIEMAP_EXTENT_DATA_INLINE: u32 = 0x200;

/// `struct fiemap` with room for one `struct fiemap_extent` (linux/fiemap.h).
#[repr(C)]
#[derive(Default)]
struct Fiemap {
    fm_start: u64,
    fm_length: u64,
    fm_flags: u32,
    fm_mapped_extents: u32,
    fm_extent_count: u32,
    fm_reserved: u32,
    fe_logical: u64,
    fe_physical: u64,
    fe_length: u64,
    fe_reserved64: [u64; 2],
    fe_flags: u32,
    fe_reserved: [u32; 3],
}

/// Where a file's data begins on its device (bytes), from the file system's extent map
/// (`FS_IOC_FIEMAP`), to read many files in on-disk order. `Ok(None)`: the file has no placed
/// data (empty, inline, not yet allocated). An error (`EOPNOTSUPP` on FUSE, NFS, CIFS …) means
/// the file system does not tell. Asks for the map only: no sync, nothing written.
pub fn first_physical(file: &File) -> io::Result<Option<u64>> {
    let mut map = Fiemap { fm_length: u64::MAX, fm_extent_count: 1, ..Fiemap::default() };
    // SAFETY: FS_IOC_FIEMAP reads the header and writes at most fm_extent_count (1) extents
    // after it; `map` is a live, correctly laid-out buffer of exactly that size for the call.
    let rc = unsafe { libc::ioctl(file.as_raw_fd(), FS_IOC_FIEMAP, &mut map as *mut Fiemap) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    let placed = map.fm_mapped_extents > 0 && map.fe_flags & (FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_DATA_INLINE) == 0;
    Ok(placed.then_some(map.fe_physical))
}

fn c_path(path: &Path) -> io::Result<std::ffi::CString> {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::CString::new(path.as_os_str().as_bytes()).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
}

fn c_name(name: &str) -> io::Result<std::ffi::CString> {
    std::ffi::CString::new(name).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
}

/// The names of a file's extended attributes (ntfs-3g shows NTFS times, ACL, attributes and
/// named data streams this way). Does not follow a symlink.
pub fn list_xattrs(path: &Path) -> io::Result<Vec<String>> {
    let p = c_path(path)?;
    let mut buf = vec![0u8; 64 * 1024];
    // SAFETY: `p` is a NUL-terminated path; the kernel writes at most `buf.len()` bytes into `buf`.
    let n = unsafe { libc::llistxattr(p.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    buf.truncate(n as usize);
    Ok(buf.split(|b| *b == 0).filter(|s| !s.is_empty()).map(|s| String::from_utf8_lossy(s).into_owned()).collect())
}

/// One extended attribute's value.
pub fn get_xattr(path: &Path, name: &str) -> io::Result<Vec<u8>> {
    let (p, n) = (c_path(path)?, c_name(name)?);
    // SAFETY: NUL-terminated path and name; a null buffer of size 0 asks only for the size.
    let size = unsafe { libc::lgetxattr(p.as_ptr(), n.as_ptr(), std::ptr::null_mut(), 0) };
    if size < 0 {
        return Err(io::Error::last_os_error());
    }
    let mut buf = vec![0u8; size as usize];
    // SAFETY: the kernel writes at most `buf.len()` bytes into `buf`.
    let got = unsafe { libc::lgetxattr(p.as_ptr(), n.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    if got < 0 {
        return Err(io::Error::last_os_error());
    }
    buf.truncate(got as usize);
    Ok(buf)
}

/// Sets one extended attribute.
pub fn set_xattr(path: &Path, name: &str, value: &[u8]) -> io::Result<()> {
    let (p, n) = (c_path(path)?, c_name(name)?);
    // SAFETY: NUL-terminated path and name; the kernel reads `value.len()` bytes from `value`.
    let rc = unsafe { libc::lsetxattr(p.as_ptr(), n.as_ptr(), value.as_ptr().cast(), value.len(), 0) };
    if rc == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}
