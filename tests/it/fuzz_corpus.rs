//! The fuzz corpus and every crash reproducer, replayed through the same target bodies the
//! fuzzers run (tests/fuzz/targets.rs): what once broke a parser stays fixed.

use std::fs;
use std::panic;
use std::path::Path;

#[path = "../fuzz/targets.rs"]
mod targets;

#[test]
fn every_kept_fuzz_input_and_crash_reproducer_is_handled() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    let mut failures = Vec::new();
    for (name, body) in targets::TARGETS {
        let mut inputs = 0;
        for kind in ["corpus", "regressions"] {
            let Ok(dir) = fs::read_dir(root.join(kind).join(name)) else { continue };
            for file in dir.flatten().filter(|f| f.file_type().is_ok_and(|t| t.is_file())) {
                let data = fs::read(file.path()).unwrap();
                inputs += 1;
                if panic::catch_unwind(|| body(&data)).is_err() {
                    failures.push(format!("{name}: {}", file.path().display()));
                }
            }
        }
        assert!(inputs > 0, "no kept input for the fuzz target {name} (tests/fuzz/corpus/{name})");
    }
    assert!(failures.is_empty(), "inputs that still break a parser:\n{}", failures.join("\n"));
}
