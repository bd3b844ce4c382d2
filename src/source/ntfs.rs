//! NTFS read raw with a userspace reader (the `ntfs` crate): facts a mount hides (hibernation,
//! dirty flag) and the metadata files a mount cannot give ($MFT, $LogFile, $Boot, $UsnJrnl:$J).

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use ntfs::indexes::NtfsFileNameIndex;
use ntfs::structured_values::NtfsVolumeFlags;
use ntfs::{KnownNtfsFileRecordNumber, Ntfs, NtfsFile};
use serde::Serialize;

/// What the volume says about itself.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct NtfsFacts {
    /// A `Windows\System32` directory exists.
    pub windows: bool,
    /// `hiberfil.sys` holds a hibernation image (hibernated or Fast Startup): the volume is not
    /// in a consistent state and Windows expects to resume it.
    pub hibernated: bool,
    /// The dirty flag is set (not cleanly unmounted).
    pub dirty: bool,
    /// Volume label.
    pub label: Option<String>,
    /// Volume serial number (hex), which tells one volume from another.
    pub serial: Option<String>,
}

/// Reads the facts of the NTFS volume at `path` (device or image); `None` if it cannot be read.
pub fn facts(path: &Path) -> Option<NtfsFacts> {
    let mut fs = BufReader::new(File::open(path).ok()?);
    let mut ntfs = Ntfs::new(&mut fs).ok()?;
    ntfs.read_upcase_table(&mut fs).ok()?;
    let dirty = ntfs.volume_info(&mut fs).ok().is_some_and(|v| v.flags().contains(NtfsVolumeFlags::IS_DIRTY));
    let label = ntfs.volume_name(&mut fs).and_then(|r| r.ok()).map(|n| n.name().to_string_lossy());
    let root = ntfs.root_directory(&mut fs).ok()?;
    let windows = find(&ntfs, &mut fs, &root, "Windows").and_then(|w| find(&ntfs, &mut fs, &w, "System32")).is_some();
    let hibernated = find(&ntfs, &mut fs, &root, "hiberfil.sys").is_some_and(|f| hibernation_image(&mut fs, &f));
    let serial = Some(format!("{:016X}", ntfs.serial_number()));
    Some(NtfsFacts { windows, hibernated, dirty, label, serial })
}

fn find<'n, T: Read + Seek>(ntfs: &'n Ntfs, fs: &mut T, dir: &NtfsFile<'n>, name: &str) -> Option<NtfsFile<'n>> {
    let index = dir.directory_index(fs).ok()?;
    let mut finder = index.finder();
    let entry = NtfsFileNameIndex::find(&mut finder, ntfs, fs, name)?.ok()?;
    entry.to_file(ntfs, fs).ok()
}

/// A live hibernation image starts with `hibr`/`HIBR` (or `wake`/`RSTR` while resuming);
/// a spent one is zeroed.
fn hibernation_image<T: Read + Seek>(fs: &mut T, file: &NtfsFile) -> bool {
    let Some(Ok(item)) = file.data(fs, "") else { return false };
    let Ok(attr) = item.to_attribute() else { return false };
    let Ok(value) = attr.value(fs) else { return false };
    let mut magic = [0u8; 4];
    if value.attach(fs).read_exact(&mut magic).is_err() {
        return false;
    }
    matches!(&magic.to_ascii_lowercase()[..], b"hibr" | b"wake" | b"rstr")
}

/// One metadata stream to extract raw.
#[derive(Clone, Copy, Debug)]
pub struct RawItem {
    /// Name in the manifest (`$MFT`, `$Extend/$UsnJrnl:$J`).
    pub name: &'static str,
    /// How to find it.
    pub file: RawFile,
    /// Data stream name (`""` for the unnamed one).
    pub stream: &'static str,
}

/// Where a metadata file lives.
#[derive(Clone, Copy, Debug)]
pub enum RawFile {
    /// A fixed MFT record number (`KnownNtfsFileRecordNumber`).
    Record(u64),
    /// A path from the root.
    Path(&'static [&'static str]),
}

/// The metadata shodo extracts from every NTFS volume.
pub const RAW_ITEMS: [RawItem; 4] = [
    RawItem { name: "$MFT", file: RawFile::Record(KnownNtfsFileRecordNumber::MFT as u64), stream: "" },
    RawItem { name: "$LogFile", file: RawFile::Record(KnownNtfsFileRecordNumber::LogFile as u64), stream: "" },
    RawItem { name: "$Boot", file: RawFile::Record(KnownNtfsFileRecordNumber::Boot as u64), stream: "" },
    RawItem { name: "$Extend/$UsnJrnl:$J", file: RawFile::Path(&["$Extend", "$UsnJrnl"]), stream: "$J" },
];

/// An NTFS volume opened raw for extraction.
pub struct RawVolume {
    fs: BufReader<File>,
    ntfs: Ntfs,
}

/// Why a raw item could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawError {
    /// The volume does not have it (a volume that never had a USN journal, say).
    Absent(String),
    /// It exists but could not be read.
    Failed(String),
}

impl std::fmt::Display for RawError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RawError::Absent(s) => write!(f, "not on this volume: {s}"),
            RawError::Failed(s) => f.write_str(s),
        }
    }
}

fn failed(e: impl std::fmt::Display) -> RawError {
    RawError::Failed(e.to_string())
}

impl RawVolume {
    /// Opens the volume at `path` read-only.
    pub fn open(path: &Path) -> Result<RawVolume, RawError> {
        let mut fs = BufReader::new(File::open(path).map_err(failed)?);
        let mut ntfs = Ntfs::new(&mut fs).map_err(failed)?;
        ntfs.read_upcase_table(&mut fs).map_err(failed)?;
        Ok(RawVolume { fs, ntfs })
    }

    /// Streams one item to `sink`: `(size)` first, then the reader. Returns what `sink` returns.
    pub fn with_item<R>(&mut self, item: &RawItem, sink: impl FnOnce(u64, &mut dyn Read) -> R) -> Result<R, RawError> {
        let fs = &mut self.fs;
        let file = match item.file {
            RawFile::Record(n) => self.ntfs.file(fs, n).map_err(failed)?,
            RawFile::Path(parts) => {
                let mut f = self.ntfs.root_directory(fs).map_err(failed)?;
                for part in parts {
                    f = find(&self.ntfs, fs, &f, part).ok_or_else(|| RawError::Absent(format!("{part} not found")))?;
                }
                f
            }
        };
        let item_ref =
            file.data(fs, item.stream).ok_or_else(|| RawError::Absent(format!("no data stream {:?}", item.stream)))?;
        let attr_item = item_ref.map_err(failed)?;
        let attr = attr_item.to_attribute().map_err(failed)?;
        let value = attr.value(fs).map_err(failed)?;
        let size = value.len();
        let mut reader = value.attach(fs);
        Ok(sink(size, &mut reader))
    }
}
