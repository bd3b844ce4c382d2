//! YARA rules: the bundled ones (`rules/yara/`, compiled into the binary) and any directories
//! the responder adds (YARA-Forge, signature-base …). Each file is compiled in its own namespace;
//! a file that fails is reported by name and line and the rest still load. The external
//! variables third-party sets expect are defined. Compiled rules are cached by the hash of
//! every source.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;
use walkdir::WalkDir;

use crate::error::{Error, Result};
use crate::hash;

/// The rules shipped with shodo.
pub const BUNDLED: [(&str, &str); 5] = [
    ("rules/yara/ransom_notes.yar", include_str!("../../rules/yara/ransom_notes.yar")),
    ("rules/yara/ransomware_tools.yar", include_str!("../../rules/yara/ransomware_tools.yar")),
    ("rules/yara/remote_access.yar", include_str!("../../rules/yara/remote_access.yar")),
    ("rules/yara/hack_tools.yar", include_str!("../../rules/yara/hack_tools.yar")),
    ("rules/yara/webshells.yar", include_str!("../../rules/yara/webshells.yar")),
];

/// External variables defined for every scan (set per file).
pub const EXTERNALS: [&str; 5] = ["filename", "filepath", "extension", "filetype", "owner"];

/// A rule file that did not compile.
#[derive(Clone, Debug, Serialize)]
pub struct RuleError {
    /// The file.
    pub file: String,
    /// The compiler's report (names the line).
    pub message: String,
}

/// Compiled rules and what went into them.
pub struct RuleSet {
    /// The compiled rules.
    pub rules: yara_x::Rules,
    /// Files that compiled.
    pub files: Vec<String>,
    /// Every source in namespace order (`f0`, `f1`, …), compiled or not.
    pub sources: Vec<String>,
    /// Files that did not.
    pub errors: Vec<RuleError>,
    /// SHA-256 over every source, in order: the cache key.
    pub sha256: String,
    /// True when the rules came from the cache.
    pub cached: bool,
}

/// Loads the bundled rules (unless `bundled` is false) and every `.yar`/`.yara` under `dirs`.
pub fn load(bundled: bool, dirs: &[PathBuf], cache: Option<&Path>) -> Result<RuleSet> {
    let mut sources: Vec<(String, String)> = Vec::new();
    if bundled {
        sources.extend(BUNDLED.iter().map(|(n, t)| (n.to_string(), t.to_string())));
    }
    let mut errors = Vec::new();
    for dir in dirs {
        sources.extend(read_dir_rules(dir, &mut errors)?);
    }
    let key = cache_key(&sources);
    let names: Vec<String> = sources.iter().map(|(n, _)| n.clone()).collect();
    if let Some(rules) = cache.and_then(|c| from_cache(c, &key)) {
        return Ok(RuleSet { rules, files: names.clone(), sources: names, errors, sha256: key, cached: true });
    }
    // yara-x's warnings speak to rule authors; the bundled rules are kept free of them (tested).
    let (rules, files) = compile(&sources, &mut errors, &mut Vec::new())?;
    if let Some(c) = cache.filter(|_| errors.is_empty()) {
        to_cache(c, &key, &rules);
    }
    Ok(RuleSet { rules, files, sources: names, errors, sha256: key, cached: false })
}

fn read_dir_rules(dir: &Path, errors: &mut Vec<RuleError>) -> Result<Vec<(String, String)>> {
    if !dir.is_dir() {
        return Err(Error::io("open", dir)(std::io::Error::new(std::io::ErrorKind::NotFound, "not a rules directory")));
    }
    let mut out = Vec::new();
    let mut paths: Vec<PathBuf> = WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("yar") || x.eq_ignore_ascii_case("yara")))
        .collect();
    paths.sort();
    for p in paths {
        match fs::read(&p).map(String::from_utf8) {
            Ok(Ok(text)) => out.push((p.display().to_string(), text)),
            Ok(Err(_)) => errors.push(RuleError { file: p.display().to_string(), message: "not UTF-8".into() }),
            Err(e) => errors.push(RuleError { file: p.display().to_string(), message: e.to_string() }),
        }
    }
    Ok(out)
}

fn compile(
    sources: &[(String, String)],
    errors: &mut Vec<RuleError>,
    warnings: &mut Vec<String>,
) -> Result<(yara_x::Rules, Vec<String>)> {
    let mut compiler = yara_x::Compiler::new();
    for name in EXTERNALS {
        compiler.define_global(name, "").map_err(|e| Error::Yara(e.to_string()))?;
    }
    let mut files = Vec::new();
    for (i, (name, text)) in sources.iter().enumerate() {
        // One namespace per file: third-party sets reuse rule names.
        compiler.new_namespace(&format!("f{i}"));
        let src = yara_x::SourceCode::from(text.as_str()).with_origin(name.as_str());
        match compiler.add_source(src) {
            Ok(_) => files.push(name.clone()),
            Err(e) => errors.push(RuleError { file: name.clone(), message: e.to_string() }),
        }
    }
    warnings.extend(compiler.warnings().iter().map(|w| w.to_string()));
    Ok((compiler.build(), files))
}

fn cache_key(sources: &[(String, String)]) -> String {
    let mut all = format!("yara-x {}\n", env!("CARGO_PKG_VERSION"));
    for (name, text) in sources {
        all.push_str(&format!("{name}\n{}\n", hash::sha256_hex(text.as_bytes())));
    }
    hash::sha256_hex(all.as_bytes())
}

fn from_cache(dir: &Path, key: &str) -> Option<yara_x::Rules> {
    yara_x::Rules::deserialize(fs::read(dir.join(format!("{key}.yarc"))).ok()?).ok()
}

fn to_cache(dir: &Path, key: &str, rules: &yara_x::Rules) {
    // The cache only saves time: failing to write it is not an error.
    if let Ok(bytes) = rules.serialize() {
        let _ = fs::create_dir_all(dir).and_then(|_| fs::write(dir.join(format!("{key}.yarc")), bytes));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_rules_compile_cleanly() {
        let set = load(true, &[], None).unwrap();
        assert!(set.errors.is_empty(), "{:?}", set.errors);
        assert_eq!(set.files.len(), BUNDLED.len());
    }

    #[test]
    fn bundled_rules_draw_no_warnings() {
        let sources: Vec<(String, String)> = BUNDLED.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
        let (mut errors, mut warnings) = (Vec::new(), Vec::new());
        compile(&sources, &mut errors, &mut warnings).unwrap();
        assert!(errors.is_empty() && warnings.is_empty(), "{errors:?}\n{}", warnings.join("\n"));
    }

    fn matching(rules: &yara_x::Rules, data: &[u8]) -> Vec<String> {
        let mut scanner = yara_x::Scanner::new(rules);
        for name in EXTERNALS {
            scanner.set_global(name, "").unwrap();
        }
        let results = scanner.scan(data).unwrap();
        results.matching_rules().map(|r| r.identifier().to_string()).collect()
    }

    #[test]
    fn stopping_services_needs_three_named_services_not_three_stop_commands() {
        let set = load(true, &[], None).unwrap();
        let admin = b"net stop spooler\r\nsc stop wuauserv\r\ntaskkill /im notepad.exe\r\n";
        assert!(!matching(&set.rules, admin).contains(&"shodo_mass_service_stop".to_string()));
        let ransom = b"net stop MSSQLSERVER /y\r\nnet stop VeeamBackupSvc /y\r\nsc stop SQLWriter\r\nvssadmin\r\n";
        assert!(matching(&set.rules, ransom).contains(&"shodo_mass_service_stop".to_string()));
    }
}
