//! What a volume or disk holds, from its first bytes: partition table and filesystem by
//! superblock magic. Pure functions over a buffer, so they are tested without devices.

use serde::Serialize;

use crate::formats::bytes::le_u32;

/// Bytes to read from the start of a device for detection.
pub const HEAD: usize = 128 * 1024;

/// A filesystem or container recognised by its magic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fs {
    /// NTFS (`NTFS    ` at 3).
    Ntfs,
    /// BitLocker-encrypted volume (`-FVE-FS-` at 3).
    BitLocker,
    /// exFAT (`EXFAT   ` at 3).
    ExFat,
    /// FAT12/16/32.
    Fat,
    /// ext4 (extents, 64-bit or flex_bg).
    Ext4,
    /// ext3 (journal, no ext4 features).
    Ext3,
    /// ext2.
    Ext2,
    /// XFS (`XFSB` at 0).
    Xfs,
    /// LUKS encrypted container.
    Luks,
    /// Linux swap.
    Swap,
}

impl Fs {
    /// The mount type and read-only options that replay no journal.
    pub fn mount_options(self) -> Option<(&'static str, &'static str)> {
        match self {
            // FUSE: the read-only flag of the device stops it; an in-kernel driver could write past it.
            Fs::Ntfs => Some(("ntfs-3g", "ro,noatime")),
            Fs::Ext4 | Fs::Ext3 => Some(("ext4", "ro,noload,noatime")),
            Fs::Ext2 => Some(("ext2", "ro,noatime")),
            Fs::Xfs => Some(("xfs", "ro,norecovery,noatime")),
            Fs::ExFat => Some(("exfat", "ro,noatime")),
            Fs::Fat => Some(("vfat", "ro,noatime")),
            Fs::BitLocker | Fs::Luks | Fs::Swap => None,
        }
    }
}

/// A partition table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Table {
    /// GUID partition table (`EFI PART` at LBA 1).
    Gpt,
    /// MBR (0x55AA at 510 with partition entries).
    Mbr,
}

fn at(head: &[u8], offset: usize, magic: &[u8]) -> bool {
    head.get(offset..offset + magic.len()) == Some(magic)
}

fn u32_le(head: &[u8], offset: usize) -> u32 {
    le_u32(head, offset).unwrap_or(0)
}

/// The filesystem at the start of `head`, if recognised.
pub fn filesystem(head: &[u8]) -> Option<Fs> {
    if at(head, 3, b"NTFS    ") {
        Some(Fs::Ntfs)
    } else if at(head, 3, b"-FVE-FS-") {
        Some(Fs::BitLocker)
    } else if at(head, 3, b"EXFAT   ") {
        Some(Fs::ExFat)
    } else if at(head, 0, b"XFSB") {
        Some(Fs::Xfs)
    } else if at(head, 0, b"LUKS\xba\xbe") {
        Some(Fs::Luks)
    } else if at(head, 1080, &[0x53, 0xEF]) {
        Some(ext_kind(head))
    } else if at(head, 4086, b"SWAPSPACE2") || at(head, 4086, b"SWAP-SPACE") {
        Some(Fs::Swap)
    } else if at(head, 510, &[0x55, 0xAA]) && (at(head, 82, b"FAT32   ") || at(head, 54, b"FAT1")) {
        Some(Fs::Fat)
    } else {
        None
    }
}

fn ext_kind(head: &[u8]) -> Fs {
    let compat = u32_le(head, 1024 + 0x5C);
    let incompat = u32_le(head, 1024 + 0x60);
    if incompat & (0x40 | 0x80 | 0x200) != 0 {
        Fs::Ext4
    } else if compat & 0x4 != 0 {
        Fs::Ext3
    } else {
        Fs::Ext2
    }
}

/// The partition table at the start of a whole disk, if any. A boot sector of a filesystem
/// also ends in 0x55AA, so a filesystem magic wins over MBR.
pub fn table(head: &[u8], sector: usize) -> Option<Table> {
    if at(head, sector, b"EFI PART") {
        Some(Table::Gpt)
    } else if at(head, 510, &[0x55, 0xAA]) && filesystem(head).is_none() {
        Some(Table::Mbr)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head_with(offset: usize, bytes: &[u8]) -> Vec<u8> {
        let mut h = vec![0u8; HEAD];
        h[offset..offset + bytes.len()].copy_from_slice(bytes);
        h
    }

    #[test]
    fn ntfs_and_bitlocker() {
        assert_eq!(filesystem(&head_with(3, b"NTFS    ")), Some(Fs::Ntfs));
        assert_eq!(filesystem(&head_with(3, b"-FVE-FS-")), Some(Fs::BitLocker));
    }

    #[test]
    fn ext_variants() {
        let mut h = head_with(1080, &[0x53, 0xEF]);
        assert_eq!(filesystem(&h), Some(Fs::Ext2));
        h[1024 + 0x5C] = 0x4;
        assert_eq!(filesystem(&h), Some(Fs::Ext3));
        h[1024 + 0x60] = 0x40;
        assert_eq!(filesystem(&h), Some(Fs::Ext4));
    }

    #[test]
    fn tables() {
        assert_eq!(table(&head_with(512, b"EFI PART"), 512), Some(Table::Gpt));
        assert_eq!(table(&head_with(510, &[0x55, 0xAA]), 512), Some(Table::Mbr));
        let mut fat = head_with(510, &[0x55, 0xAA]);
        fat[82..90].copy_from_slice(b"FAT32   ");
        assert_eq!(table(&fat, 512), None);
        assert_eq!(filesystem(&fat), Some(Fs::Fat));
    }

    #[test]
    fn nothing_is_nothing() {
        assert_eq!(filesystem(&[0u8; 16]), None);
        assert_eq!(table(&[0u8; 16], 512), None);
    }
}
