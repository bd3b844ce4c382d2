//! YARA: loading the bundled and the responder's rules, the scanner (one per worker) over files,
//! and the scan of a case's collected evidence, which also asks [`crate::ransomware`] of every
//! file it reads.

pub mod across;
pub mod evidence;
pub mod rules;
pub mod scan;
