//! The shipped binary: static, stripped in release, and no copyleft crate linked in.

use std::collections::BTreeSet;
use std::process::Command;

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("`{program}` is needed for this test (apt-get install file libc-bin): {e}"));
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn binary_is_static() {
    let bin = env!("CARGO_BIN_EXE_shodo");
    let file = run("file", &["-L", bin]);
    assert!(file.contains("static-pie linked") || file.contains("statically linked"), "{file}");
    let ldd = run("ldd", &[bin]);
    assert!(ldd.contains("not a dynamic executable") || ldd.contains("statically linked"), "{ldd}");
    if !cfg!(debug_assertions) {
        assert!(!file.contains("not stripped") && file.contains("stripped"), "release binary must be stripped: {file}");
    }
}

/// SPDX ids a MIT OR Apache-2.0 binary may link.
const PERMISSIVE: &[&str] = &[
    "MIT",
    "MIT-0",
    "Apache-2.0",
    "Apache-2.0 WITH LLVM-exception",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "ISC",
    "Zlib",
    "Unicode-3.0",
    "Unicode-DFS-2016",
    "CC0-1.0",
    "Unlicense",
    "BSL-1.0",
    "0BSD",
    "MPL-2.0",
    "CDLA-Permissive-2.0",
];

/// Evaluates an SPDX expression: OR needs one acceptable side, AND needs both.
fn acceptable(expr: &str) -> bool {
    let expr = expr.trim();
    // Old crates write "MIT/Apache-2.0" for "MIT OR Apache-2.0".
    if let Some(i) = top_level(expr, "/") {
        return acceptable(&expr[..i]) || acceptable(&expr[i + 1..]);
    }
    if let Some(i) = top_level(expr, " OR ") {
        return acceptable(&expr[..i]) || acceptable(&expr[i + 4..]);
    }
    if let Some(i) = top_level(expr, " AND ") {
        return acceptable(&expr[..i]) && acceptable(&expr[i + 5..]);
    }
    if expr.starts_with('(') && expr.ends_with(')') {
        return acceptable(&expr[1..expr.len() - 1]);
    }
    PERMISSIVE.contains(&expr)
}

fn top_level(expr: &str, op: &str) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c) in expr.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ if depth == 0 && expr[i..].starts_with(op) => return Some(i),
            _ => {}
        }
    }
    None
}

#[test]
fn spdx_evaluation() {
    assert!(acceptable("MIT OR Apache-2.0"));
    assert!(acceptable("(MIT OR Apache-2.0) AND Unicode-3.0"));
    assert!(acceptable("GPL-3.0 OR MIT"));
    assert!(!acceptable("GPL-2.0-or-later"));
    assert!(!acceptable("MIT AND LGPL-2.1"));
    assert!(acceptable("Apache-2.0 / MIT"));
}

#[test]
fn linked_crates_have_compatible_licences() {
    // `cargo tree` lists what is really built for the shipped target (normal and build deps).
    let out = Command::new(env!("CARGO"))
        .args(["tree", "--locked", "-e", "normal,build", "--target", "x86_64-unknown-linux-gnu"])
        .args(["--prefix", "none", "--format", "{p}|{l}"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let crates: BTreeSet<(&str, &str)> =
        text.lines().filter_map(|l| l.trim_end_matches(" (*)").split_once('|')).collect();
    assert!(crates.len() > 50 && crates.iter().any(|(p, _)| p.starts_with("yara-x ")), "{text}");
    let bad: Vec<String> =
        crates.iter().filter(|(_, lic)| !acceptable(lic)).map(|(p, lic)| format!("{p}: {lic:?}")).collect();
    assert!(bad.is_empty(), "crates with licences not cleared for MIT OR Apache-2.0: {bad:?}");
}
