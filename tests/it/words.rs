//! One place for the words: user-facing text lives in an area's `strings.rs` catalogue (each
//! catalogue tests its own translations, see `shodo::texts!`). Read from the source, outside the
//! catalogues and tests:
//! - no `pick("…", "…")` of two literal texts, and no match arm that writes one language's text
//!   (`Lang::Ja => format!(…)`): both are a text the translator never sees;
//! - no Japanese in a string literal: a new text goes into the catalogue, where its English is
//!   beside it. The few files whose Japanese is data, not words, are named below with why.

use std::path::Path;

/// Files whose Japanese is not text for a person to read in the tool's language: the demo's
/// made-up evidence and case content (a hospital's documents, notes, names, as typed), the test
/// fixtures of the TUI (records as a case holds them), and the characters a wrapped line may not
/// start with (禁則).
const NOT_WORDS: &[&str] = &["demo/mod.rs", "tui/fixture.rs", "tui/view/wrap.rs"];

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
fn no_japanese_outside_the_catalogues() {
    let sources = sources();
    let mut wrong: Vec<String> = sources
        .iter()
        .filter(|(rel, _)| !NOT_WORDS.contains(&rel.as_str()))
        .filter_map(|(rel, code)| {
            let n = inline_lines(code);
            (n > 0).then(|| format!("{rel}: {n} lines of inline Japanese: put the text in the area's strings.rs"))
        })
        .collect();
    for rel in NOT_WORDS {
        if !sources.iter().any(|(r, _)| r == rel) {
            wrong.push(format!("{rel}: no such source file: take it off the list"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn inline_japanese_is_seen() {
    let code = "let a = \"text\";\nlet b = format!(\"{n} 件\");\nlet c = \"\\\"\"; // 注\nlet d = 1;";
    assert_eq!(inline_lines(code), 1);
    assert_eq!(inline_lines(&crate::helpers::code("// 日本語\nlet x = \"https://例\"; // 注")), 1);
}
