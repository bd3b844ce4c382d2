//! One place for the words: user-facing text lives in an area's `strings.rs` catalogue (each
//! catalogue tests its own translations, see `shodo::texts!`). Read from the source, outside the
//! catalogues and tests:
//! - no `pick("…", "…")` of two literal texts, and no match arm that writes one language's text
//!   (`Lang::Ja => format!(…)`): both are a text the translator never sees;
//! - inline Japanese is only where it is still to be moved, file by file, and never grows. The
//!   counts below may only go down: a file that holds fewer lines than listed fails too, so the
//!   list is lowered with the move and cannot hide new text.

use std::collections::BTreeMap;
use std::path::Path;

/// Files that still hold Japanese text inline, with how many lines: messages carried as data in
/// both languages (detections, checklist answers, verify and export problems, error texts in
/// `error/`), the status words the checklist stores, and the demo's made-up evidence. Moving them
/// into catalogues lowers these numbers.
const STILL_INLINE: &[(&str, usize)] = &[
    ("backup/verify.rs", 12),
    ("case/merge.rs", 5),
    ("case/verify.rs", 18),
    ("cli/analyze.rs", 4),
    ("cli/demo.rs", 13),
    ("cli/export.rs", 12),
    ("cli/merge.rs", 1),
    ("cli/mod.rs", 1),
    ("cli/playbook.rs", 2),
    ("config/values.rs", 3),
    ("demo/mod.rs", 7),
    ("error/config.rs", 7),
    ("error/mod.rs", 30),
    ("export/check.rs", 17),
    ("export/mod.rs", 5),
    ("isolate/hivex.rs", 1),
    ("isolate/linux.rs", 6),
    ("isolate/offline.rs", 13),
    ("isolate/offline_run.rs", 5),
    ("isolate/quarantine.rs", 1),
    ("isolate/request.rs", 7),
    ("isolate/sheet.rs", 1),
    ("isolate/windows_script.rs", 1),
    ("source/mod.rs", 1),
];

/// Files whose Japanese is not text for a person to read in the tool's language: the test
/// fixtures of the TUI (records as a case holds them), and the characters a wrapped line may not
/// start with (禁則).
const NOT_WORDS: &[&str] = &["tui/fixture.rs", "tui/view/wrap.rs"];

/// Kana and kanji: the letters of Japanese words. Japanese punctuation alone (a format's
/// （…） or 、) is not counted: it is how a value is set, not a text to translate.
fn kana_or_kanji(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}')
}

/// Lines holding a string literal with Japanese in it.
fn inline_lines(code: &str) -> usize {
    code.lines()
        .filter(|l| {
            let mut inside = false;
            let mut escaped = false;
            for c in l.chars() {
                match c {
                    '\\' if inside && !escaped => {
                        escaped = true;
                        continue;
                    }
                    '"' if !escaped => inside = !inside,
                    c if inside && kana_or_kanji(c) => return true,
                    _ => {}
                }
                escaped = false;
            }
            false
        })
        .count()
}

fn sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&src).into_iter().flatten() {
        let path = entry.path();
        let rel = path.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        let name = path.file_name().unwrap().to_string_lossy();
        if path.extension() != Some("rs".as_ref())
            || matches!(name.as_ref(), "strings.rs" | "tests.rs" | "lang.rs")
            || rel.split('/').any(|p| p == "tests")
        {
            continue;
        }
        out.push((rel, crate::helpers::code(&std::fs::read_to_string(path).unwrap())));
    }
    out.sort();
    out
}

#[test]
fn no_text_is_picked_or_matched_inline() {
    let literal_pick = regex::Regex::new(r#"\.pick\(\s*""#).unwrap();
    let arm = regex::Regex::new(r#"Lang::(Ja|En)\b[^=\n]*=>\s*(format!|"|writeln!|eprintln!|\{\s*format!)"#).unwrap();
    let mut bad = Vec::new();
    for (rel, code) in sources() {
        for (n, line) in code.lines().enumerate() {
            if literal_pick.is_match(line) {
                bad.push(format!("{rel}:{}: pick of literal texts", n + 1));
            }
        }
        for m in arm.find_iter(&code) {
            let n = code[..m.start()].lines().count();
            bad.push(format!("{rel}:{n}: a match arm writes one language's text"));
        }
    }
    assert!(bad.is_empty(), "text outside a strings.rs catalogue:\n{}", bad.join("\n"));
}

#[test]
fn inline_japanese_only_shrinks() {
    let allowed: BTreeMap<&str, usize> = STILL_INLINE.iter().copied().collect();
    let sources = sources();
    let mut wrong = Vec::new();
    let mut now = Vec::new();
    for (rel, code) in &sources {
        if NOT_WORDS.contains(&rel.as_str()) {
            continue;
        }
        let n = inline_lines(code);
        if n > 0 {
            now.push(format!("    (\"{rel}\", {n}),"));
        }
        let problem = match allowed.get(rel.as_str()) {
            Some(&a) if n > a => {
                format!("{n} lines of inline Japanese, {a} allowed: put the new text in the area's strings.rs")
            }
            Some(_) if n == 0 => "holds no inline Japanese any more: take it off the list".to_string(),
            Some(&a) if n < a => format!("{n} lines of inline Japanese, listed as {a}: lower the number"),
            None if n > 0 => format!("{n} lines of inline Japanese: put the text in the area's strings.rs"),
            _ => continue,
        };
        wrong.push(format!("{rel}: {problem}"));
    }
    for (rel, _) in STILL_INLINE {
        if !sources.iter().any(|(r, _)| r == rel) {
            wrong.push(format!("{rel}: no such source file: take it off the list"));
        }
    }
    assert!(wrong.is_empty(), "{}\n\nthe list as it stands:\n{}", wrong.join("\n"), now.join("\n"));
}
