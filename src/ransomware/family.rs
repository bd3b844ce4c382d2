//! Which ransomware family: from the note's own words (a family named in its note) or from the
//! extension appended to encrypted files. Families are data (`rules/ransomware/families.toml`);
//! every attribution says why, with a confidence.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

const FAMILIES: &str = include_str!("../../rules/ransomware/families.toml");

/// One family as the data file describes it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Family {
    /// How notes name it; the first is the display name.
    pub names: Vec<String>,
    /// Extensions it appends.
    #[serde(default)]
    pub extensions: Vec<String>,
    /// The name is also an ordinary word: match its exact spelling only, with less confidence.
    #[serde(default)]
    pub common_word: bool,
    /// Markers it writes into the tail of the files it encrypts (ASCII).
    #[serde(default)]
    pub markers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    family: Vec<Family>,
}

/// An attribution.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Attribution {
    /// Family display name.
    pub family: String,
    /// `high` (named in its own note), `medium` (its own extension, marker or note name) or `low`
    /// (a name that is also an ordinary word, an extension several families append, or evidence
    /// a note naming another family contradicts).
    pub confidence: &'static str,
    /// Why, for people.
    pub reason: String,
}

struct Compiled {
    family: Family,
    name_re: Regex,
}

static COMPILED: LazyLock<Vec<Compiled>> = LazyLock::new(|| crate::bundled::loaded(families()));

/// The bundled families, validated (also checked by the tests).
pub fn families_checked() -> Result<usize> {
    families().map(|f| f.len())
}

fn families() -> Result<Vec<Compiled>> {
    parse(FAMILIES)
}

fn parse(text: &str) -> Result<Vec<Compiled>> {
    let file: File = crate::config::bundled("rules/ransomware/families.toml", text)?;
    let mut seen = std::collections::HashSet::new();
    for name in file.family.iter().flat_map(|f| &f.names) {
        if !seen.insert(name.to_lowercase()) {
            return Err(Error::BundledData { name: "rules/ransomware/families.toml", reason: format!("{name} twice") });
        }
    }
    file.family
        .into_iter()
        .filter(|family| !crate::ransomware::held_out(family.names.iter().map(String::as_str)))
        .map(|family| {
            let alternatives: Vec<String> = family.names.iter().map(|n| regex::escape(n)).collect();
            let case = if family.common_word { "" } else { "(?i)" };
            let pattern = format!(r"{case}\b({})\b", alternatives.join("|"));
            let name_re = Regex::new(&pattern)
                .map_err(|e| Error::BundledData { name: "families.toml", reason: e.to_string() })?;
            Ok(Compiled { family, name_re })
        })
        .collect()
}

/// A web address in a note's text (a news article it cites to frighten: the families in the
/// address are the article's, not the note's).
static URL: LazyLock<Regex> = LazyLock::new(|| crate::bundled::fixed(r"(?i)\b(?:https?|hxxps?)://[^\s<>\x22']+"));

/// Compiles every pattern of this file (see [`crate::selftest::bundled_data`]).
pub(crate) fn force_patterns() {
    LazyLock::force(&URL);
}

/// Families a note names itself (most mentions first), in its words, not in an address it cites.
pub fn from_note(text: &str) -> Vec<Attribution> {
    let addresses: Vec<std::ops::Range<usize>> = URL.find_iter(text).map(|m| m.range()).collect();
    let in_address = |m: &regex::Match| addresses.iter().any(|a| a.start <= m.start() && m.end() <= a.end);
    let mut found: Vec<(usize, Attribution)> = COMPILED
        .iter()
        .filter_map(|c| {
            let hits: Vec<&str> = c.name_re.find_iter(text).filter(|m| !in_address(m)).map(|m| m.as_str()).collect();
            let first = hits.first()?;
            Some((
                hits.len(),
                Attribution {
                    family: c.family.names[0].clone(),
                    confidence: if c.family.common_word { "low" } else { "high" },
                    reason: format!("the note names \"{first}\" ({} times)", hits.len()),
                },
            ))
        })
        .collect();
    // Named as spelled (high) before a common word; then by mentions.
    found.sort_by_key(|(n, a)| (a.confidence != "high", std::cmp::Reverse(*n)));
    found.into_iter().map(|(_, a)| a).collect()
}

/// Every extension a family appends (lower case).
pub fn extensions() -> impl Iterator<Item = String> {
    COMPILED.iter().flat_map(|c| c.family.extensions.iter().map(|e| e.to_lowercase()))
}

/// The family a note's file name names (`rules/ransomware/note-names.txt`).
pub fn from_note_name(name: &str, family: &str) -> Option<Attribution> {
    COMPILED.iter().find(|c| c.family.names.iter().any(|n| n == family)).map(|c| Attribution {
        family: c.family.names[0].clone(),
        confidence: "medium",
        reason: format!("the note's file name \"{name}\" is one {family} uses"),
    })
}

/// Bytes at the end of a file searched for family markers.
pub const MARKER_TAIL: usize = 4096;

/// Every family's markers as substring finders (SIMD; a pair of rare bytes rules most places out
/// at once, so random data, where encrypted files' tails are searched, costs little), each with
/// its family's place in the catalogue, in catalogue order.
static MARKERS: LazyLock<Vec<(usize, memchr::memmem::Finder<'static>)>> = LazyLock::new(|| {
    COMPILED
        .iter()
        .enumerate()
        .flat_map(|(i, c)| c.family.markers.iter().map(move |m| (i, m)))
        .filter(|(_, m)| !m.is_empty())
        .map(|(i, m)| (i, memchr::memmem::Finder::new(m.as_bytes()).into_owned()))
        .collect()
});

/// The marker a family left in the tail of an encrypted file, and the family (the first in the
/// catalogue when several match).
pub fn marker_in(tail: &[u8]) -> Option<(String, Attribution)> {
    let (i, finder) = MARKERS.iter().find(|(_, f)| f.find(tail).is_some())?;
    let m = String::from_utf8_lossy(finder.needle()).into_owned();
    let reason = format!("encrypted files end with its marker \"{m}\"");
    Some((m, Attribution { family: COMPILED[*i].family.names[0].clone(), confidence: "medium", reason }))
}

/// The family whose extension an encrypted file carries.
pub fn from_extension(ext: &str) -> Option<Attribution> {
    by_extension(&COMPILED, ext)
}

/// The family an extension points to: `medium` when it is one family's alone, `low` when several
/// append it (an extension shared is weak evidence of any one of them).
fn by_extension(families: &[Compiled], ext: &str) -> Option<Attribution> {
    let ext = ext.to_lowercase();
    let all: Vec<&str> = families
        .iter()
        .filter(|c| c.family.extensions.iter().any(|e| e.to_lowercase() == ext))
        .map(|c| c.family.names[0].as_str())
        .collect();
    let first = all.first()?;
    Some(match all.len() {
        1 => Attribution {
            family: first.to_string(),
            confidence: "medium",
            reason: format!("encrypted files end in .{ext}"),
        },
        n => Attribution {
            family: first.to_string(),
            confidence: "low",
            reason: format!("encrypted files end in .{ext}, which {n} families append ({})", all.join(", ")),
        },
    })
}

/// Every attribution weighed against the others: a family named by its own note (`high`) stands;
/// any other family that only an extension or a note's file name points to is contradicted by
/// that note and drops to `low`, saying so. One entry per family, the strongest, strongest first.
pub fn weigh(found: Vec<Attribution>) -> Vec<Attribution> {
    let mut all: Vec<Attribution> = Vec::new();
    for a in found {
        match all.iter_mut().find(|b| b.family == a.family) {
            Some(b) if rank(a.confidence) > rank(b.confidence) => *b = a,
            Some(_) => {}
            None => all.push(a),
        }
    }
    let named: Vec<String> = all.iter().filter(|a| a.confidence == "high").map(|a| a.family.clone()).collect();
    if !named.is_empty() {
        for a in all.iter_mut().filter(|a| a.confidence != "high") {
            a.confidence = "low";
            a.reason = format!("{}; contradicted: the note names {}", a.reason, named.join(", "));
        }
    }
    all.sort_by(|a, b| {
        (std::cmp::Reverse(rank(a.confidence)), &a.family).cmp(&(std::cmp::Reverse(rank(b.confidence)), &b.family))
    });
    all
}

/// The order of confidences: `high` over `medium` over `low` (anything else counts as `low`).
pub fn rank(confidence: &str) -> u8 {
    match confidence {
        "high" => 3,
        "medium" => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_families_load() {
        assert!(families_checked().unwrap() > 100);
    }

    #[test]
    fn a_note_naming_its_family() {
        let a = from_note("All your files are encrypted by LockBit 3.0. Contact lockbitsupp.");
        assert_eq!(a[0].family, "LockBit");
        assert_eq!(a[0].confidence, "high");
    }

    #[test]
    fn a_family_in_an_address_the_note_cites_is_not_the_notes() {
        let note = "Your files are encrypted. Read how others paid: \
                    https://www.coveware.com/blog/2019/7/15/ransomware-amounts-rise-3x-in-q2-as-ryuk-amp-sodinokibi-spread";
        assert!(from_note(note).is_empty());
        let signed = format!("{note}\nRyuk team");
        assert_eq!(from_note(&signed).first().map(|a| (a.family.as_str(), a.confidence)), Some(("Ryuk", "high")));
    }

    #[test]
    fn words_inside_other_words_do_not_count() {
        assert!(from_note("the display was replaced").is_empty());
    }

    #[test]
    fn common_words_need_their_spelling() {
        assert!(from_note("do not play with the files").is_empty());
        assert_eq!(from_note("PLAY\nnews portal").first().map(|a| (a.family.as_str(), a.confidence)), None);
        assert_eq!(from_note("Play team").first().map(|a| (a.family.as_str(), a.confidence)), Some(("Play", "low")));
    }

    #[test]
    fn markers_in_the_tail() {
        let mut tail = vec![0x5Au8; 600];
        tail.extend(b"{36A698B9-D67C-4E07-BE82-0EC5B14B4DF5}");
        assert_eq!(marker_in(&tail).map(|(_, a)| a.family), Some("STOP/Djvu".into()));
        assert_eq!(marker_in(&[0x5A; 600]), None);
    }

    #[test]
    fn extension() {
        assert_eq!(from_extension("LOCKBIT").map(|a| a.family), Some("LockBit".into()));
        assert_eq!(from_extension("txt"), None);
    }

    #[test]
    fn a_shared_extension_is_weak_and_a_note_contradicts_a_guess() {
        let two = "[[family]]\nnames = [\"Ryuk\"]\nextensions = [\"RYK\"]\n\n[[family]]\nnames = [\"Conti\"]\nextensions = [\"ryk\", \"conti\"]\n";
        let families = parse(two).unwrap();
        let shared = by_extension(&families, "ryk").unwrap();
        assert_eq!((shared.family.as_str(), shared.confidence), ("Ryuk", "low"));
        assert!(shared.reason.contains("2 families") && shared.reason.contains("Conti"), "{}", shared.reason);
        assert_eq!(by_extension(&families, "conti").unwrap().confidence, "medium");
        let weighed = weigh(vec![
            by_extension(&families, "conti").unwrap(),
            Attribution { family: "Akira".into(), confidence: "high", reason: "the note names \"Akira\"".into() },
            Attribution { family: "Akira".into(), confidence: "medium", reason: "its note name".into() },
        ]);
        assert_eq!(
            weighed.iter().map(|a| (a.family.as_str(), a.confidence)).collect::<Vec<_>>(),
            [("Akira", "high"), ("Conti", "low")]
        );
        assert!(weighed[1].reason.contains("contradicted: the note names Akira"), "{}", weighed[1].reason);
        let alone = weigh(vec![by_extension(&families, "conti").unwrap()]);
        assert_eq!(alone[0].confidence, "medium");
    }
}
