//! What ransomware leaves on a file system, judged file by file: whether a file was encrypted,
//! whether it is a ransom note (by name and by content), which family, and the contact points a
//! note gives. Used by the scan, by the backup check and by the report; knows no case.

pub mod encryption;
pub mod family;
pub mod iocs;
pub mod notes;
