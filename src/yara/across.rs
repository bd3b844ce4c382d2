//! What one file cannot tell and the files of a scan together do: the incident's own extension
//! (one no list knows, appended to files that lost their format), which then marks every file
//! carrying it, whatever its content shows; the note left under one name in the folders that
//! were encrypted, whatever the name; and whether what says too little alone (random content
//! under a name nothing explains, a container only its name shows) is the owner's or the
//! incident's: beside encrypted files or notes, or under one extension in many folders, it is the
//! incident's.

use std::collections::{BTreeMap, BTreeSet};

use crate::ransomware::encryption::{self, Assessment};
use crate::yara::scan::{Container, Encrypted, Event, NoteByName};

/// Files that lost their format under one appended extension before it is the incident's own
/// (the report names it an indicator on the same count).
pub const INCIDENT_EXTENSION_FILES: u64 = 3;
/// Folders holding encrypted files that must each hold a file of one name for it to be a note.
pub const NOTE_FOLDERS: usize = 3;
/// Folders that must hold files of one extension that say too little alone before they are
/// encrypted (a folder of test vectors or keys is one folder; ransomware leaves many).
pub const WEAK_FOLDERS: usize = 3;
/// Files kept in memory as candidates (carriers of an unknown extension, small texts with a
/// hint); a volume with more passes the rest over, and says so.
const KEEP: usize = 200_000;

/// A file kept for the end of the scan.
#[derive(Clone, Debug)]
struct Kept {
    path: String,
    sha256: String,
    size: u64,
}

/// What the scan has seen so far, fed from every worker.
#[derive(Default)]
pub struct Across {
    lost: BTreeMap<String, u64>,
    carriers: BTreeMap<String, Vec<Kept>>,
    encrypted_dirs: BTreeSet<String>,
    hints: BTreeMap<String, Vec<Kept>>,
    note_dirs: BTreeSet<String>,
    deferred: Vec<(Encrypted, Option<Container>)>,
    kept: usize,
    passed_over: u64,
}

/// The folder of a scanned name and its file name.
fn split(path: &str) -> (&str, &str) {
    path.rsplit_once(['/', '\\']).unwrap_or(("", path))
}

/// The last extension of a file name, lower case, when no list or format table knows it.
fn unknown_extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    let ext = ext.to_lowercase();
    let plain =
        !stem.is_empty() && !ext.is_empty() && ext.len() <= 16 && ext.bytes().all(|b| b.is_ascii_alphanumeric());
    (plain && !crate::formats::signature::is_format_extension(&ext) && !encryption::is_known_extension(&ext))
        .then_some(ext)
}

impl Across {
    /// One scanned file: its name, hash and size, its encryption verdict, whether it is a note
    /// and whether, not being one, it says something notes say.
    pub fn see(&mut self, path: &str, sha256: &str, size: u64, encrypted: Option<&Encrypted>, note: bool, hint: bool) {
        let (dir, name) = split(path);
        if note {
            self.note_dirs.insert(dir.to_string());
        }
        if let Some(x) = encrypted {
            self.encrypted_dirs.insert(dir.to_string());
            let a = &x.assessment;
            if let (true, None, Some(ext)) = (a.reasons.contains(&"format_lost"), &a.extension, &a.appended) {
                *self.lost.entry(ext.clone()).or_default() += 1;
            }
            return;
        }
        let keep = || Kept { path: path.to_string(), sha256: sha256.to_string(), size };
        if let Some(ext) = unknown_extension(name)
            && self.room()
        {
            self.carriers.entry(ext).or_default().push(keep());
        }
        if hint && !note && self.room() {
            self.hints.entry(name.to_lowercase()).or_default().push(keep());
        }
    }

    /// Keeps, for the end of the scan, a file that says too little alone: an assessment that
    /// [`Assessment::is_weak`], or a container only its name shows; given back when there is no
    /// room.
    #[allow(clippy::result_large_err)]
    pub fn defer(
        &mut self,
        encrypted: Encrypted,
        container: Option<Container>,
    ) -> Result<(), (Encrypted, Option<Container>)> {
        if !self.room() {
            return Err((encrypted, container));
        }
        self.deferred.push((encrypted, container));
        Ok(())
    }

    /// Whether one more file may be kept (counted), or is passed over.
    fn room(&mut self) -> bool {
        if self.kept >= KEEP {
            self.passed_over += 1;
            return false;
        }
        self.kept += 1;
        true
    }

    /// The events only the whole scan shows, and how many candidates were passed over for want
    /// of memory.
    pub fn finish(mut self) -> (Vec<Event>, u64) {
        let mut out = Vec::new();
        // A deferred file is judged with its own assessment below.
        let deferred_paths: BTreeSet<String> = self.deferred.iter().map(|(x, _)| x.path.clone()).collect();
        let incident_extension =
            |lost: &BTreeMap<String, u64>, ext: &str| lost.get(ext).copied().unwrap_or(0) >= INCIDENT_EXTENSION_FILES;
        for (ext, files) in std::mem::take(&mut self.carriers) {
            if !incident_extension(&self.lost, &ext) {
                continue;
            }
            for k in files.into_iter().filter(|k| !deferred_paths.contains(&k.path)) {
                self.encrypted_dirs.insert(split(&k.path).0.to_string());
                out.push(Event::Encrypted(Encrypted {
                    path: k.path,
                    sha256: k.sha256,
                    size: k.size,
                    assessment: Assessment::incident_extension(&ext),
                }));
            }
        }
        // What said too little alone: the incident's beside its encrypted files and notes, or
        // under one extension in many folders; the owner's otherwise.
        let deferred = std::mem::take(&mut self.deferred);
        let extension = |path: &str| split(path).1.rsplit_once('.').map(|(_, e)| e.to_lowercase());
        let mut folders: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
        for (x, _) in &deferred {
            if let Some(ext) = extension(&x.path) {
                folders.entry(ext).or_default().insert(split(&x.path).0);
            }
        }
        let incident: Vec<bool> = deferred
            .iter()
            .map(|(x, _)| {
                let dir = split(&x.path).0;
                self.encrypted_dirs.contains(dir)
                    || self.note_dirs.contains(dir)
                    || extension(&x.path).is_some_and(|e| {
                        incident_extension(&self.lost, &e) || folders.get(&e).is_some_and(|f| f.len() >= WEAK_FOLDERS)
                    })
            })
            .collect();
        drop(folders);
        for ((x, container), incident) in deferred.into_iter().zip(incident) {
            match (incident, container) {
                (false, Some(c)) => out.push(Event::Container(c)),
                (false, None) => {}
                (true, _) => {
                    self.encrypted_dirs.insert(split(&x.path).0.to_string());
                    out.push(Event::Encrypted(x));
                }
            }
        }
        for (name, files) in std::mem::take(&mut self.hints) {
            let dirs: BTreeSet<&str> =
                files.iter().map(|k| split(&k.path).0).filter(|d| self.encrypted_dirs.contains(*d)).collect();
            if dirs.len() < NOTE_FOLDERS {
                continue;
            }
            let folders = dirs.len() as u64;
            for k in files.iter().filter(|k| dirs.contains(split(&k.path).0)) {
                out.push(Event::NoteName(NoteByName {
                    path: k.path.clone(),
                    sha256: k.sha256.clone(),
                    pattern: name.clone(),
                    content_match: false,
                    attribution: Vec::new(),
                    folders: Some(folders),
                }));
            }
        }
        (out, self.passed_over)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lost(path: &str, ext: &str) -> Encrypted {
        let mut assessment = Assessment::incident_extension(ext);
        assessment.reasons = vec!["format_lost"];
        Encrypted { path: path.into(), sha256: "00".into(), size: 100, assessment }
    }

    #[test]
    fn the_incident_extension_marks_every_file_carrying_it() {
        let mut a = Across::default();
        for i in 0..3 {
            let x = lost(&format!("d{i}/report{i}.docx.q7vz"), "q7vz");
            a.see(&x.path, "00", 100, Some(&x), false, false);
        }
        // Too small to tell, or of no known format: carried, not shown.
        a.see("d0/tiny.csv.q7vz", "11", 40, None, false, false);
        a.see("d1/data.bin.q7vz", "22", 9000, None, false, false);
        // An extension seen once, and one no incident gave.
        a.see("d1/libfoo.so.7", "33", 9000, None, false, false);
        a.see("d1/notes.txt.orig", "44", 9000, None, false, false);
        let (events, passed) = a.finish();
        assert_eq!(passed, 0);
        let paths: Vec<&str> = events
            .iter()
            .filter_map(|e| match e {
                Event::Encrypted(x) if x.assessment.reasons == ["incident_extension"] => Some(x.path.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(paths, ["d0/tiny.csv.q7vz", "d1/data.bin.q7vz"]);
    }

    fn weak(path: &str) -> Encrypted {
        let mut x = lost(path, "");
        x.assessment.reasons = vec!["random_content"];
        x.assessment.appended = None;
        x
    }

    fn raw_openssl(path: &str) -> Container {
        Container { path: path.into(), sha256: "00".into(), size: 10324, format: "openssl", by_name: true }
    }

    /// The encrypted paths and the containers a finished scan names, in order.
    fn named(events: &[Event]) -> (Vec<&str>, Vec<&str>) {
        events.iter().fold((Vec::new(), Vec::new()), |(mut encrypted, mut containers), e| {
            match e {
                Event::Encrypted(x) => encrypted.push(x.path.as_str()),
                Event::Container(c) => containers.push(c.path.as_str()),
                _ => {}
            }
            (encrypted, containers)
        })
    }

    #[test]
    fn what_says_too_little_alone_is_the_incidents_beside_it_and_the_owners_otherwise() {
        let mut a = Across::default();
        let defer = |a: &mut Across, x: Encrypted, c: Option<Container>| {
            let path = x.path.clone();
            assert!(a.defer(x, c).is_ok());
            a.see(&path, "00", 100, None, false, false);
        };
        // Test vectors of one extension in two folders, a key alone, a CI service's secrets: theirs.
        defer(&mut a, weak("sha3/tests/data/shake128.blb"), None);
        defer(&mut a, weak("sha3/tests/data/shake256.blb"), None);
        defer(&mut a, weak("blake/tests/data/b2.blb"), None);
        defer(&mut a, weak("home/ssh/seed"), None);
        for d in ["sdk/system_tests", "sdk/system_tests/sync"] {
            let path = format!("{d}/secrets.tar.enc");
            let mut x = lost(&path, "enc");
            x.assessment.reasons = vec!["known_extension", "format_lost"];
            defer(&mut a, x, Some(raw_openssl(&path)));
        }
        // One name (LockBit's random file names under the victim's extension) in three folders.
        for d in ["share/a", "share/b", "share/c"] {
            defer(&mut a, weak(&format!("{d}/Kq3vL8mzd.hljkn")), None);
        }
        // Beside a file that lost its format, or a note.
        let x = lost("ward/report.docx.q7vz", "q7vz");
        a.see(&x.path, "00", 100, Some(&x), false, false);
        defer(&mut a, weak("ward/patients.bin"), None);
        a.see("desk/README.txt", "55", 300, None, true, false);
        defer(&mut a, weak("desk/scan.raw"), None);
        let (events, passed) = a.finish();
        assert_eq!(passed, 0);
        let (encrypted, containers) = named(&events);
        assert_eq!(
            encrypted,
            [
                "share/a/Kq3vL8mzd.hljkn",
                "share/b/Kq3vL8mzd.hljkn",
                "share/c/Kq3vL8mzd.hljkn",
                "ward/patients.bin",
                "desk/scan.raw"
            ]
        );
        assert_eq!(containers, ["sdk/system_tests/secrets.tar.enc", "sdk/system_tests/sync/secrets.tar.enc"]);

        // `.enc` appended by ransomware to files in three folders: every `.enc` file is suspect.
        let mut a = Across::default();
        for d in ["sdk/system_tests", "x", "y", "z"] {
            let path = format!("{d}/plan.xlsx.enc");
            let mut x = lost(&path, "enc");
            x.assessment.reasons = vec!["known_extension", "format_lost"];
            defer(&mut a, x, Some(raw_openssl(&path)));
        }
        let (events, _) = a.finish();
        let (encrypted, containers) = named(&events);
        assert_eq!(
            encrypted,
            ["sdk/system_tests/plan.xlsx.enc", "x/plan.xlsx.enc", "y/plan.xlsx.enc", "z/plan.xlsx.enc"]
        );
        assert!(containers.is_empty());
    }

    #[test]
    fn a_deferred_file_under_the_incident_extension_is_named_once_with_its_own_reasons() {
        let mut a = Across::default();
        for i in 0..3 {
            let x = lost(&format!("d{i}/report{i}.docx.q7vz"), "q7vz");
            a.see(&x.path, "00", 100, Some(&x), false, false);
        }
        assert!(a.defer(weak("e/blob.q7vz"), None).is_ok());
        a.see("e/blob.q7vz", "00", 100, None, false, false);
        let (events, _) = a.finish();
        let reasons: Vec<&[&str]> = events
            .iter()
            .filter_map(|e| match e {
                Event::Encrypted(x) => Some(&x.assessment.reasons[..]),
                _ => None,
            })
            .collect();
        assert_eq!(reasons, [&["random_content"][..]]);
    }

    #[test]
    fn one_name_in_the_encrypted_folders_is_a_note() {
        let mut a = Across::default();
        for d in ["a", "b", "c", "d"] {
            let x = lost(&format!("{d}/x.xlsx.q7vz"), "q7vz");
            a.see(&x.path, "00", 100, Some(&x), false, false);
        }
        for d in ["a", "b", "c", "quiet"] {
            a.see(&format!("{d}/Q7VZ-INFO.txt"), "55", 300, None, false, true);
            // In every folder, says nothing a note says: no note.
            a.see(&format!("{d}/desktop.ini"), "66", 80, None, false, false);
        }
        // A hint in two encrypted folders only.
        for d in ["a", "b"] {
            a.see(&format!("{d}/contact.txt"), "77", 90, None, false, true);
        }
        let (events, _) = a.finish();
        let notes: Vec<(&str, Option<u64>)> = events
            .iter()
            .filter_map(|e| match e {
                Event::NoteName(n) => Some((n.path.as_str(), n.folders)),
                _ => None,
            })
            .collect();
        assert_eq!(notes, [("a/Q7VZ-INFO.txt", Some(3)), ("b/Q7VZ-INFO.txt", Some(3)), ("c/Q7VZ-INFO.txt", Some(3))]);
    }
}
