//! shodo (初動) — the engine of an incident first-response toolkit for hospitals hit by ransomware.
//!
//! The engine knows nothing of the command line or the terminal UI: those live in the binary
//! (`cli/`, `tui/`) and call into the modules below. Every action that touches a case goes
//! through [`case::CaseWriter`], which appends it to the hash-chained custody log.

pub mod backup;
pub mod bundled;
pub mod case;
pub mod clock;
pub mod collect;
pub mod config;
pub mod demo;
pub mod detect;
pub mod error;
pub mod export;
pub mod findings;
pub mod formats;
pub mod hash;
pub mod isolate;
pub mod lang;
pub mod playbook;
pub mod progress;
pub mod ransomware;
pub mod report;
pub mod selftest;
pub mod source;
pub mod yara;

pub use error::{Error, Result};
pub use lang::Lang;

/// Version of this build, recorded in every case and custody entry that needs it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
