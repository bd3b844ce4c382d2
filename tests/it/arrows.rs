//! The engine's dependency arrows, read from the source: the top-level modules form no cycle,
//! and the rules of ARCHITECTURE.md hold (formats know no case and judge nothing; collect,
//! isolate and backup never use the judgement in detect; report changes no host). A module's
//! tests and comments are not counted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

fn engine_modules(src: &Path) -> BTreeSet<String> {
    std::fs::read_dir(src)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().trim_end_matches(".rs").to_string())
        .filter(|m| !matches!(m.as_str(), "main" | "lib" | "cli" | "tui"))
        .collect()
}

fn graph(src: &Path) -> Graph {
    let modules = engine_modules(src);
    let mut g = Graph::new();
    for entry in
        walkdir::WalkDir::new(src).into_iter().flatten().filter(|e| e.path().extension() == Some("rs".as_ref()))
    {
        let rel = entry.path().strip_prefix(src).unwrap();
        let top = rel.iter().next().unwrap().to_string_lossy().trim_end_matches(".rs").to_string();
        if !modules.contains(&top) || rel.ends_with("tests.rs") {
            continue;
        }
        let text = crate::helpers::code(&std::fs::read_to_string(entry.path()).unwrap());
        for (i, _) in text.match_indices("crate::") {
            let name: String = text[i + 7..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
            if name != top && modules.contains(&name) {
                g.entry(top.clone()).or_default().insert(name);
            }
        }
    }
    g
}

fn reaches(g: &Graph, from: &str, to: &str) -> bool {
    let (mut seen, mut stack) = (BTreeSet::new(), vec![from.to_string()]);
    while let Some(m) = stack.pop() {
        if m == to {
            return true;
        }
        if seen.insert(m.clone()) {
            stack.extend(g.get(&m).into_iter().flatten().cloned());
        }
    }
    false
}

#[test]
fn the_engine_modules_import_one_way() {
    let g = graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let cycles: Vec<_> = g
        .iter()
        .flat_map(|(a, bs)| bs.iter().filter(|b| reaches(&g, b, a)).map(move |b| format!("{a} -> {b}")))
        .collect();
    assert!(cycles.is_empty(), "imports that close a cycle: {cycles:?}\n{g:#?}");
    let uses = |a: &str| g.get(a).cloned().unwrap_or_default();
    for m in ["collect", "isolate", "backup", "formats", "ransomware", "yara", "source", "case"] {
        assert!(!uses(m).contains("detect"), "{m} uses detect: {:?}", uses(m));
    }
    let pure = ["bundled", "clock", "error", "hash", "lang"];
    assert!(uses("formats").iter().all(|d| pure.contains(&d.as_str())), "formats uses {:?}", uses("formats"));
    assert!(!uses("report").contains("source"), "report reads the case only: {:?}", uses("report"));
    assert!(uses("error").iter().all(|d| d == "lang"), "error uses {:?}", uses("error"));
}

#[test]
fn a_cycle_is_seen() {
    let mut g = Graph::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("c".into());
    assert!(!reaches(&g, "c", "a"));
    g.entry("c".into()).or_default().insert("a".into());
    assert!(reaches(&g, "c", "a") && reaches(&g, "a", "c"));
}
