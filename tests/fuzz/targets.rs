//! What each fuzz target feeds to shodo: shared by the libFuzzer targets (`fuzz_targets/`, run by
//! `tests/fuzz/run.sh`) and by the regression test that replays the kept corpus and every crash
//! reproducer on each `cargo test` (`tests/it/fuzz_corpus.rs`). A target must never panic, hang or
//! abort on any input: the parsers report bad input as errors.

use std::io::Cursor;
use std::path::Path;

/// The body of a target.
pub type Body = fn(&[u8]);

/// Every target: its name (the folder of its corpus) and its body.
pub const TARGETS: &[(&str, Body)] = &[
    ("config", config),
    ("custody", custody),
    ("collect_manifest", collect_manifest),
    ("backup_manifest", backup_manifest),
    ("catalogue", catalogue),
    ("playbook", playbook),
    ("binary", binary),
    ("evtx", evtx),
    ("hive", hive),
    ("hive_writer", hive_writer),
    ("prefetch", prefetch),
    ("archive", archive),
    ("ransom_note", ransom_note),
    ("operator_input", operator_input),
];

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// `shodo.toml` (and everything shaped like it).
pub fn config(data: &[u8]) {
    if let Some(t) = text(data) {
        let _ = shodo::config::Config::parse(Path::new("shodo.toml"), t);
    }
}

/// `custody.jsonl` as `case verify` and `export --verify` read it.
pub fn custody(data: &[u8]) {
    let mut report = shodo::case::VerifyReport::default();
    let _ = shodo::case::check_log_bytes(data, None, &mut report);
}

/// An endpoint's `manifest.jsonl`.
pub fn collect_manifest(data: &[u8]) {
    let _ = shodo::collect::parse_manifest(Path::new("manifest.jsonl"), data);
}

/// A hashdeep baseline of a backup medium.
pub fn backup_manifest(data: &[u8]) {
    let _ = shodo::backup::manifest::parse(Path::new("baseline.hashdeep"), data);
}

/// The artefact catalogue (`rules/artefacts/*.toml`).
pub fn catalogue(data: &[u8]) {
    if let Some(t) = text(data) {
        let _ = shodo::collect::Catalogue::parse("fuzz.toml", t);
    }
}

/// A playbook (`playbooks/*.toml`).
pub fn playbook(data: &[u8]) {
    if let Some(t) = text(data) {
        let _ = shodo::playbook::Playbook::parse(Path::new("fuzz.toml"), t);
    }
}

/// PE and ELF facts (goblin, as the scan uses it), the encryption assessment, and the walk of
/// the formats whose parts chain (zip, PNG, tar, compound files, TIFF, event logs, PDF, gzip,
/// SQLite, MP4) and of raw bodies.
pub fn binary(data: &[u8]) {
    let _ = shodo::formats::binary::facts(data);
    let _ = shodo::ransomware::encryption::assess("fuzz.docx", data);
    let _ = shodo::ransomware::encryption::assess("fuzz.png.q7vz", data);
    for format in
        ["zip", "png", "tar", "ole2", "bmp", "riff", "tiff", "dicom", "evtx", "pdf", "gzip", "sqlite", "iso-bmff"]
    {
        let _ = shodo::formats::structure::end_of(format, data);
        let _ = shodo::formats::structure::raw_body(format, data);
        let _ = shodo::formats::structure::body_is(format, data);
    }
    let _ = shodo::ransomware::encryption::assess("fuzz.db.q7vz", data);
    let _ = shodo::ransomware::encryption::assess("fuzz.txt", data);
    let _ = shodo::formats::structure::zip_with_prefix(data);
}

/// An EVTX log, every record through the detections' reader.
pub fn evtx(data: &[u8]) {
    let mut input = data;
    let _ = shodo::formats::evtx::read_log(&mut input, shodo::formats::evtx::Selection::ALL, &mut |_| {});
}

/// A registry hive as analysis reads it: SYSTEM and SOFTWARE views over it.
pub fn hive(data: &[u8]) {
    if let Ok(mut h) = shodo::formats::registry::Hive::parse(data.to_vec(), Vec::new()) {
        let mut view = shodo::detect::windows::registry::RegistryView::default();
        view.system(&mut h, "SYSTEM");
        view.software(&mut h, "SOFTWARE");
    }
}

/// A hive as offline isolation reads it before writing.
pub fn hive_writer(data: &[u8]) {
    let _ = shodo::isolate::hivex::parse(data, Path::new("SYSTEM"));
}

/// A Windows prefetch file (MAM-compressed or not).
pub fn prefetch(data: &[u8]) {
    let _ = shodo::formats::prefetch::parse(data);
}

/// The backup structure checks: zip, gzip, tar, VHD, VHDX, SQL Server .bak and dumps, SQLite.
pub fn archive(data: &[u8]) {
    use shodo::backup::{database, structure};
    let size = data.len() as u64;
    let _ = structure::format_of(data);
    let _ = structure::image_format_of("fuzz.vhdx", data, data);
    let _ = structure::check_zip(Cursor::new(data));
    let _ = structure::check_gzip(data);
    let _ = structure::check_tar(data);
    let _ = structure::check_vhd(Cursor::new(data), size);
    let _ = structure::check_vhdx(Cursor::new(data), size);
    let _ = database::format_of(data);
    if let Some(kind) = database::dump_kind(data) {
        let _ = database::check_dump(kind, "dump", data, size);
    }
    let _ = database::check_sqlite(data, size);
}

/// A ransom note: contact points (e-mail, .onion, Tox, wallets) and the family.
pub fn ransom_note(data: &[u8]) {
    let _ = shodo::ransomware::iocs::extract(data);
    let _ = shodo::ransomware::note_text::read(data);
    let _ = shodo::ransomware::family::marker_in(data);
    if let Some(t) = text(data) {
        let _ = shodo::ransomware::family::from_note(t);
        let _ = shodo::ransomware::notes::match_name(t);
    }
}

/// What an operator types: times, BitLocker recovery keys, sizes, file names in manifests.
pub fn operator_input(data: &[u8]) {
    if let Some(t) = text(data) {
        let _ = shodo::clock::parse_time(t);
        let _ = shodo::source::RecoveryKey::parse(t);
        let _ = shodo::collect::parse_size(t);
        let _ = shodo::collect::unescape(t);
    }
}
