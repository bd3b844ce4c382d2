//! Pure parsers that know no case: each takes bytes (or a reader) and gives typed facts, or says
//! what it could not read. Nothing here writes, judges or looks at a case's files; everything here
//! is fuzzed (`tests/fuzz`).

pub mod binary;
pub mod bytes;
pub mod evtx;
pub mod prefetch;
pub mod registry;
pub mod signature;
pub mod structure;
pub mod text;
