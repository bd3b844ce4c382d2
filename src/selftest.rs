//! `shodo selftest`: proves on the machine at hand that this binary's engines work — YARA-X
//! compiles and matches, SHA-256 gives the published vector, the clock converts to JST, the
//! bundled data loads and every fixed pattern compiles — before
//! a responder relies on it. Runs nothing from any evidence.

use serde::Serialize;

use crate::clock;
use crate::error::{Error, Result};
use crate::hash;

/// Checks every bundled data set (command patterns, connection products, families, note names,
/// note wording, format signatures)
/// and every fixed pattern; the number of entries loaded.
pub fn bundled_data() -> Result<usize> {
    crate::detect::windows::force_patterns();
    crate::backup::verify::force_patterns();
    crate::ransomware::iocs::force_patterns();
    crate::ransomware::note_text::force_patterns();
    crate::ransomware::family::force_patterns();
    Ok(crate::detect::windows::events::patterns_checked()?
        + crate::detect::windows::registry::products_checked()?
        + crate::ransomware::family::families_checked()?
        + crate::ransomware::notes::checked()?
        + crate::ransomware::note_text::checked()?
        + crate::formats::signature::checked()?)
}

/// One check and its outcome.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    /// What was checked.
    pub name: &'static str,
    /// Whether it passed.
    pub ok: bool,
    /// What was seen.
    pub detail: String,
}

/// Runs every check.
pub fn run() -> Vec<Check> {
    vec![
        check("yara-x", yara()),
        check("sha256", sha256()),
        check("clock", jst()),
        check("bundled-data", bundled_data().map(|n| format!("{n} entries of the bundled rules loaded"))),
    ]
}

fn check(name: &'static str, r: Result<String>) -> Check {
    match r {
        Ok(detail) => Check { name, ok: true, detail },
        Err(e) => Check { name, ok: false, detail: e.to_string() },
    }
}

const RULE: &str = r#"
rule shodo_selftest {
  meta:
    description = "shodo self-test: a ransom-note phrase and a v3 onion address"
  strings:
    $a = "your files have been encrypted" nocase
    $b = /[a-z2-7]{56}\.onion/
  condition:
    $a and $b
}
"#;

fn yara() -> Result<String> {
    let mut compiler = yara_x::Compiler::new();
    compiler.add_source(RULE).map_err(|e| Error::Yara(e.to_string()))?;
    let rules = compiler.build();
    let mut scanner = yara_x::Scanner::new(&rules);
    let onion = "a".repeat(56);
    let hit = format!("YOUR FILES HAVE BEEN ENCRYPTED. Visit http://{onion}.onion/");
    let matched = scanner.scan(hit.as_bytes()).map_err(|e| Error::Yara(e.to_string()))?.matching_rules().len();
    let clean = scanner.scan(b"nothing to see here").map_err(|e| Error::Yara(e.to_string()))?.matching_rules().len();
    if matched == 1 && clean == 0 {
        Ok("compiled 1 rule; matched the sample and not the clean buffer".into())
    } else {
        Err(Error::Yara(format!("unexpected matches: sample {matched}, clean {clean}")))
    }
}

fn sha256() -> Result<String> {
    let got = hash::sha256_hex(b"abc");
    let want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    if got == want {
        Ok("FIPS 180-2 vector \"abc\" ok".into())
    } else {
        Err(Error::BundledData { name: "sha256", reason: format!("got {got}") })
    }
}

fn jst() -> Result<String> {
    let t = clock::parse_time("2026-01-01T00:00:00Z")?;
    let s = clock::jst_string(t);
    if s.starts_with("2026-01-01T09:00:00") {
        Ok(format!("host clock now {}", clock::jst_display(clock::now())))
    } else {
        Err(Error::Time { input: s, reason: "JST conversion is wrong".into() })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_bundled_data_set_and_fixed_pattern_loads() {
        assert!(super::bundled_data().unwrap() > 150);
        assert!(super::run().iter().all(|c| c.ok), "{:?}", super::run());
    }
}
