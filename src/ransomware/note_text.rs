//! Ransom notes by what they say, in any language of `rules/ransomware/note-phrases.toml` and
//! any encoding `formats::text` reads, and by their shape: a short note that is only a victim ID
//! and the attacker's contact point, or a key block beside one. The YARA rules read bytes; this
//! reads the decoded text, so a note in Windows-1251, GB18030 or an RTF is read as the words it
//! shows.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::Regex;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::formats::text::Reading;

/// The data file, as the hits it gives name their rule file.
pub const SOURCE: &str = "rules/ransomware/note-phrases.toml";
const DATA: &str = include_str!("../../rules/ransomware/note-phrases.toml");

/// Largest file read as a possible note (HTML notes carry styles and pictures).
pub const MAX_NOTE_BYTES: usize = 256 * 1024;
/// Largest text judged: real notes are short (324 notes of 215 families: the largest 27 KB).
const MAX_TEXT_CHARS: usize = 64 * 1024;
/// A short note (an ID or a line of what happened, and how to reach the attacker) is at most this
/// long (characters).
const CONTACT_ONLY_CHARS: usize = 2048;
/// A key-block note is at most this long.
const KEY_BLOCK_CHARS: usize = 16 * 1024;

/// What notes say, by what it is for (the order of the data file's lists).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Says {
    Encrypted,
    Recover,
    Pay,
    Contact,
    Warn,
    Leak,
}

impl Says {
    const ALL: [Says; 6] = [Says::Encrypted, Says::Recover, Says::Pay, Says::Contact, Says::Warn, Says::Leak];

    fn name(self) -> &'static str {
        match self {
            Says::Encrypted => "encrypted",
            Says::Recover => "recover",
            Says::Pay => "pay",
            Says::Contact => "contact",
            Says::Warn => "warn",
            Says::Leak => "leak",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    shape: BTreeMap<String, Describe>,
    contact: Contact,
    language: Vec<Language>,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Describe {
    description_ja: String,
    description_en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Contact {
    messengers: Vec<String>,
    mailboxes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Language {
    code: String,
    name: [String; 2],
    encrypted: Vec<String>,
    recover: Vec<String>,
    pay: Vec<String>,
    contact: Vec<String>,
    warn: Vec<String>,
    leak: Vec<String>,
}

impl Language {
    fn lists(&self) -> [(Says, &Vec<String>); 6] {
        [
            (Says::Encrypted, &self.encrypted),
            (Says::Recover, &self.recover),
            (Says::Pay, &self.pay),
            (Says::Contact, &self.contact),
            (Says::Warn, &self.warn),
            (Says::Leak, &self.leak),
        ]
    }
}

struct Phrases {
    /// Every phrase of every language, and what each says in which language.
    matcher: AhoCorasick,
    meaning: Vec<(Says, usize)>,
    languages: Vec<(String, [String; 2])>,
    shapes: BTreeMap<String, Describe>,
    messengers: Regex,
    mailboxes: Vec<String>,
}

static PHRASES: LazyLock<Phrases> = LazyLock::new(|| crate::bundled::loaded(load(DATA)));

/// The bundled phrases, validated (the tests and the self-test check they load): the number of
/// phrases.
pub fn checked() -> Result<usize> {
    load(DATA).map(|p| p.meaning.len())
}

fn bad(reason: String) -> Error {
    Error::BundledData { name: SOURCE, reason }
}

fn load(data: &str) -> Result<Phrases> {
    let file: File = crate::config::bundled(SOURCE, data)?;
    for shape in ["phrases", "extortion", "contact", "key_block"] {
        if !file.shape.contains_key(shape) {
            return Err(bad(format!("no [shape.{shape}]")));
        }
    }
    let (mut patterns, mut meaning, mut languages) = (Vec::new(), Vec::new(), Vec::new());
    for (n, language) in file.language.iter().enumerate() {
        if languages.iter().any(|(code, _)| code == &language.code) {
            return Err(bad(format!("language {} twice", language.code)));
        }
        for (says, list) in language.lists() {
            if list.is_empty() {
                return Err(bad(format!("{}: no {} phrases", language.code, says.name())));
            }
            for phrase in list {
                if phrase.trim().is_empty() || *phrase != normalise(phrase) {
                    return Err(bad(format!("{}: {phrase:?} is not lower case with single spaces", language.code)));
                }
                patterns.push(phrase.clone());
                meaning.push((says, n));
            }
        }
        languages.push((language.code.clone(), language.name.clone()));
    }
    let matcher = AhoCorasick::new(&patterns).map_err(|e| bad(e.to_string()))?;
    // A messenger's name, then (after a colon or dash) a handle, an address, a long hex ID, a
    // phone number, a link or a redaction of one.
    let names: Vec<String> = file.contact.messengers.iter().map(|m| regex::escape(m)).collect();
    let handle = r"(@[a-z0-9_]{3,}|t\.me/|[0-9a-f]{32,}|\+?[0-9][0-9 -]{6,}|[a-z0-9._-]+@[a-z0-9.-]+|https?://|x{4,}|\[redacted\])";
    let messengers =
        Regex::new(&format!(r"\b({})\b ?(id)? ?[:=-]? ?{handle}", names.join("|"))).map_err(|e| bad(e.to_string()))?;
    Ok(Phrases { matcher, meaning, languages, shapes: file.shape, messengers, mailboxes: file.contact.mailboxes })
}

/// Lower case, white space made single spaces, typographic apostrophes made plain.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_whitespace() || c == '\u{a0}' {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(if matches!(c, '\u{2019}' | '\u{2018}' | '\u{00b4}') { '\'' } else { c });
    }
    out
}

/// Cyrillic and Greek letters that look Latin, written into Latin words to slip past matching
/// (Matrix's notes): each word that mixes them with Latin letters is read in Latin. Words all in
/// one script stay as they are.
fn fold_look_alikes(text: String) -> String {
    const LOOK_ALIKES: [(char, char); 14] = [
        ('а', 'a'),
        ('е', 'e'),
        ('о', 'o'),
        ('р', 'p'),
        ('с', 'c'),
        ('у', 'y'),
        ('х', 'x'),
        ('і', 'i'),
        ('ј', 'j'),
        ('ѕ', 's'),
        ('ԁ', 'd'),
        ('ο', 'o'),
        ('α', 'a'),
        ('ε', 'e'),
    ];
    let latin = |c: char| c.is_ascii_alphabetic();
    let alike = |c: char| LOOK_ALIKES.iter().find(|(from, _)| *from == c).map(|(_, to)| *to);
    if !text.chars().any(|c| alike(c).is_some()) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    for word in text.split_inclusive(' ') {
        let mixed = word.chars().any(latin) && word.chars().any(|c| alike(c).is_some());
        let all_fold = word.chars().filter(|c| c.is_alphabetic()).all(|c| latin(c) || alike(c).is_some());
        if mixed && all_fold {
            out.extend(word.chars().map(|c| alike(c).unwrap_or(c)));
        } else {
            out.push_str(word);
        }
    }
    out
}

/// A note recognised by its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteText {
    /// `phrases`, `extortion`, `contact` or `key_block`.
    pub shape: &'static str,
    /// The language most of its phrases are in (a code of the data file), when any matched.
    pub language: Option<String>,
    /// The encoding it was read in.
    pub encoding: &'static str,
    /// `html` or `rtf` when it was markup.
    pub markup: Option<&'static str>,
    /// What it says and shows: `encrypted`, `recover`, `pay`, `contact`, `warn`, `leak`, `id`,
    /// `attacker_contact`, `key_block`.
    pub signals: Vec<&'static str>,
}

impl NoteText {
    /// The description of its shape, in both languages, with the language named.
    pub fn description(&self) -> (String, String) {
        let p = &*PHRASES;
        let (ja, en) = p
            .shapes
            .get(self.shape)
            .map_or((String::new(), String::new()), |d| (d.description_ja.clone(), d.description_en.clone()));
        let name = |i: usize| {
            self.language
                .as_ref()
                .and_then(|code| p.languages.iter().find(|(c, _)| c == code))
                .map_or_else(|| "?".to_string(), |(_, names)| names[i].clone())
        };
        (ja.replace("{language}", &name(0)), en.replace("{language}", &name(1)))
    }
}

/// Whether the bytes are a ransom note by what they say or their shape; None for anything larger
/// than a note, not text, or not a note.
pub fn judge(bytes: &[u8]) -> Option<NoteText> {
    read(bytes).note
}

/// What a small text says of being a note.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Read {
    /// It is a note.
    pub note: Option<NoteText>,
    /// It is not, but says something notes say (a phrase, an ID, a contact point, a key block) or
    /// is markup: a note when the same file lies in every folder that was encrypted.
    pub hint: bool,
}

/// Reads the bytes as a possible note (see [`judge`]).
pub fn read(bytes: &[u8]) -> Read {
    if bytes.len() > MAX_NOTE_BYTES || bytes.len() < 16 {
        return Read::default();
    }
    let mut out = Read::default();
    let mut best = None;
    for r in crate::formats::text::readings(bytes) {
        let (score, note, hint) = judge_reading(&r);
        out.hint |= hint;
        if let Some(note) = note
            && best.is_none_or(|b| score > b)
        {
            best = Some(score);
            out.note = Some(note);
        }
    }
    out
}

/// The ID and contact signs of a text, language aside.
#[derive(Default)]
struct Signs {
    id: bool,
    /// A messenger's name with a handle after it (or its redaction: collections redact them).
    messenger: bool,
    attacker_contact: bool,
    any_contact: bool,
    payment_address: bool,
    key_block: bool,
}

static ID: LazyLock<Regex> = LazyLock::new(|| {
    crate::bundled::fixed(
        r"\b(id|key)\b ?[:=#-] ?[0-9a-z][0-9a-z+/=_-]{3,}|\bid [0-9][0-9a-z-]{3,}|\[id[-:][0-9a-z-]{6,}\]",
    )
});
static SESSION: LazyLock<Regex> = LazyLock::new(|| crate::bundled::fixed(r"\b05[0-9a-f]{64}\b"));

/// Compiles every pattern of this file (see [`crate::selftest::bundled_data`]).
pub(crate) fn force_patterns() {
    [&ID, &SESSION].into_iter().for_each(|p| {
        LazyLock::force(p);
    });
}

fn signs(original: &str, text: &str) -> Signs {
    let p = &*PHRASES;
    let found = crate::ransomware::iocs::extract_text(original);
    let mailbox = found.email.iter().any(|e| {
        let e = e.to_lowercase();
        p.mailboxes.iter().any(|m| e.ends_with(&format!("@{m}")) || e.ends_with(&format!(".{m}")))
    });
    let messenger = p.messengers.is_match(text);
    let attacker_contact =
        !found.onion.is_empty() || !found.tox.is_empty() || SESSION.is_match(text) || mailbox || messenger;
    Signs {
        id: ID.is_match(text),
        messenger,
        attacker_contact,
        any_contact: attacker_contact || !found.email.is_empty() || !found.url.is_empty(),
        payment_address: !found.btc.is_empty() || !found.xmr.is_empty(),
        key_block: key_block(original),
    }
}

/// Three lines running of 40 or more base64 or hex characters, or one such run of 200: a key or
/// ID block. PEM blocks (certificates, public keys) and SSH keys are what they say they are,
/// and a mail with its attachments is a mail.
fn key_block(text: &str) -> bool {
    if text.contains("-----BEGIN ") || text.to_lowercase().contains("content-transfer-encoding:") {
        return false;
    }
    let keyish =
        |l: &str| l.len() >= 40 && l.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    let mut run = 0;
    for line in text.lines().map(str::trim) {
        if line.starts_with("ssh-") || line.starts_with("ecdsa-") {
            run = 0;
            continue;
        }
        if line.len() >= 200 && keyish(line) {
            return true;
        }
        run = if keyish(line) { run + 1 } else { 0 };
        if run >= 3 {
            return true;
        }
    }
    false
}

/// A reading judged: its score (to choose among readings), the note if it is one, and whether it
/// says anything notes say.
fn judge_reading(r: &Reading) -> (usize, Option<NoteText>, bool) {
    let p = &*PHRASES;
    let original: String = r.text.chars().take(MAX_TEXT_CHARS + 1).collect();
    if original.chars().count() > MAX_TEXT_CHARS {
        return (0, None, false);
    }
    let text = fold_look_alikes(normalise(&original));
    let mut says: BTreeMap<Says, usize> = BTreeMap::new();
    let mut votes: BTreeMap<usize, usize> = BTreeMap::new();
    for m in p.matcher.find_overlapping_iter(&text) {
        let (what, language) = p.meaning[m.pattern().as_usize()];
        *says.entry(what).or_default() += 1;
        *votes.entry(language).or_default() += 1;
    }
    let s = signs(&original, &text);
    let has = |w: Says| says.contains_key(&w);
    let contact = has(Says::Contact) || s.any_contact;
    let pays = has(Says::Pay) || s.payment_address;
    let others = [has(Says::Recover), pays, contact, has(Says::Warn), has(Says::Leak)].iter().filter(|&&b| b).count();
    let strong = pays || has(Says::Warn) || has(Says::Leak) || s.id || s.attacker_contact;
    let chars = original.chars().count();
    let hint = !says.is_empty() || s.id || s.any_contact || s.messenger || s.key_block || r.markup.is_some();
    let score = says.len() * 4 + says.values().sum::<usize>().min(3);
    let shape = if has(Says::Encrypted) && others >= 2 && strong {
        "phrases"
    } else if has(Says::Leak) && pays && (contact || has(Says::Recover)) && (s.attacker_contact || s.payment_address) {
        "extortion"
    } else if chars <= KEY_BLOCK_CHARS && s.key_block && s.attacker_contact {
        "key_block"
    } else if chars <= CONTACT_ONLY_CHARS
        && ((s.attacker_contact && (s.id || has(Says::Contact) || has(Says::Encrypted) || has(Says::Recover)))
            || (s.messenger && (has(Says::Encrypted) || has(Says::Recover)))
            || (s.any_contact && has(Says::Encrypted) && (s.id || has(Says::Contact))))
    {
        "contact"
    } else {
        return (score, None, hint);
    };
    let language =
        votes.iter().max_by_key(|(i, n)| (**n, std::cmp::Reverse(**i))).map(|(i, _)| p.languages[*i].0.clone());
    let mut signals: Vec<&'static str> = Says::ALL.iter().filter(|w| has(**w)).map(|w| w.name()).collect();
    for (on, name) in [(s.id, "id"), (s.attacker_contact, "attacker_contact"), (s.key_block, "key_block")] {
        if on {
            signals.push(name);
        }
    }
    (score, Some(NoteText { shape, language, encoding: r.encoding, markup: r.markup, signals }), true)
}

#[cfg(test)]
mod tests;
