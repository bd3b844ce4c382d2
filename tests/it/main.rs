//! Integration tests: the real `shodo` binary driven on cases built in temp directories.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod analyze;
mod backup;
mod build;
mod case_init;
mod collect;
mod collect_interrupt;
mod config_errors;
mod custody_kill;
mod demo;
mod evtx_writer;
mod faults;
mod fuzz_corpus;
mod helpers;
mod hives;
mod images;
mod isolate;
mod merge_export;
mod offline;
mod prefetch;
mod prefetch_writer;
mod report;
mod scan;
mod soundness;
mod tui;
mod verify_tamper;
