//! Reading what the evidence says: parsers over collected or mounted artefacts. Reads only.

pub mod artefacts;
pub mod binary;
pub mod binxml;
pub mod checklist;
pub mod encryption;
pub mod events;
pub mod evidence;
pub mod evtx;
pub mod family;
pub mod iocs;
pub mod notes;
pub mod prefetch;
pub mod registry;
mod rendered;
pub mod rules;
pub mod scan;
pub mod winreg;
