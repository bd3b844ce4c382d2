//! Every word the source area shows a person, in Japanese and English, in one place: a translator
//! or a reviewer reads them here, and a test fails on a missing translation.

crate::texts! {
    // mod.rs
    NOT_NTFS = ("{device} は NTFS ではありません（{fs}）。オフラインの隔離は Windows の NTFS ボリュームにだけ書きます", "{device} is not NTFS ({fs}): offline isolation writes only to a Windows NTFS volume"),
}
