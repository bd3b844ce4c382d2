//! `shodo backup`: baselines that hashdeep audits, and verification of generation folders built
//! here — clean ones, one with damaged archives, one encrypted with a real cipher (whole and
//! intermittent, large files streamed) beside a ransom note — read-only.

use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::helpers::{document, encrypt, sh, shodo};

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, bytes).unwrap();
}

/// One generation of a hospital's file-server copy: documents, a zip and a tar.gz of them.
fn generation(root: &Path, name: &str, docs: usize) {
    for i in 0..docs {
        write(root, &format!("{name}/docs/r{i:02}.txt"), &document(20 + i));
    }
    // A large document (over 1 MiB: hashed while it streams).
    write(root, &format!("{name}/docs/large.txt"), &document(14_000));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..3 {
        zip.start_file(format!("r{i}.txt"), zip::write::SimpleFileOptions::default()).unwrap();
        std::io::Write::write_all(&mut zip, &document(50)).unwrap();
    }
    write(root, &format!("{name}/archive.zip"), &zip.finish().unwrap().into_inner());
    let status =
        Command::new("tar").args(["czf", "archive.tgz", "docs"]).current_dir(root.join(name)).status().unwrap();
    assert!(status.success());
}

fn verify(root: &Path, extra: &[&str]) -> (i32, Value) {
    let out = shodo().args(["backup", "verify", "--json"]).arg(root).args(extra).output().unwrap();
    let json =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), json)
}

/// Every file's path and content, to show nothing was written.
fn snapshot(root: &Path) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut all: Vec<_> = walkdir::WalkDir::new(root)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().as_os_str().as_bytes().to_vec(), fs::read(e.path()).unwrap()))
        .collect();
    all.sort();
    all
}

#[test]
fn a_baseline_is_a_hashdeep_manifest_kept_off_the_medium() {
    let tmp = tempfile::tempdir().unwrap();
    let medium = tmp.path().join("medium");
    generation(&medium, "2026-11-01", 5);
    write(&medium, "2026-11-01/docs/a, b.txt", b"comma in the name");
    let odd = std::ffi::OsStr::from_bytes(b"2026-11-01/docs/\xff\xfe.txt");
    fs::write(medium.join(odd), b"a name that is not UTF-8").unwrap();
    std::os::unix::fs::symlink("/etc/passwd", medium.join("2026-11-01/outside")).unwrap();
    let manifest = tmp.path().join("baseline-2026-11-01.txt");

    let out = shodo()
        .args(["backup", "baseline", "--json", "--generation", "2026-11-01", "--out"])
        .arg(&manifest)
        .arg(medium.join("2026-11-01"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["meta"]["files"], 10, "{json}");
    assert_eq!(json["meta"]["generation"], "2026-11-01");
    assert!(json["skipped"].as_array().unwrap().iter().any(|s| s["path"] == "outside"), "the symlink is not followed");
    let text = fs::read(&manifest).unwrap();
    assert!(text.starts_with(b"%%%% HASHDEEP-1.0\n%%%% size,sha256,filename\n"));

    // hashdeep, an independent tool, audits the medium against it (regular files only: it
    // would follow the symlink)…
    let audit = || {
        Command::new("hashdeep")
            .args(["-a", "-o", "f", "-l", "-k"])
            .arg(&manifest)
            .args(["-r", "."])
            .current_dir(medium.join("2026-11-01"))
            .output()
            .expect("hashdeep (installed by .ci/run)")
    };
    let passed = audit();
    assert!(passed.status.success(), "{}", String::from_utf8_lossy(&passed.stdout));
    // …and fails it once a file changes.
    write(&medium, "2026-11-01/docs/r00.txt", b"changed");
    assert!(!audit().status.success());

    // Never onto the medium it describes.
    let inside = medium.join("2026-11-01/docs/baseline.txt");
    let out =
        shodo().args(["backup", "baseline", "--out"]).arg(&inside).arg(medium.join("2026-11-01")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("媒体"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!inside.exists());
}

#[test]
fn verify_names_the_last_clean_generation_and_shows_the_boundary() {
    let tmp = tempfile::tempdir().unwrap();
    let medium = tmp.path().join("medium");
    for g in ["2026-11-01", "2026-11-08", "2026-11-15", "2026-11-22"] {
        generation(&medium, g, 30);
    }
    let baseline = |g: &str| {
        let m = tmp.path().join(format!("{g}.txt"));
        shodo().args(["backup", "baseline", "--generation", g, "--out"]).arg(&m).arg(medium.join(g)).assert().code(0);
        m
    };
    let (b1, b2) = (baseline("2026-11-01"), baseline("2026-11-08"));
    // 11-15: archives damaged (a zip entry's data, a cut tar.gz, a tar header).
    let zip = medium.join("2026-11-15/archive.zip");
    let mut z = fs::read(&zip).unwrap();
    z[100] ^= 0xFF;
    fs::write(&zip, z).unwrap();
    let tgz = medium.join("2026-11-15/archive.tgz");
    let t = fs::read(&tgz).unwrap();
    fs::write(&tgz, &t[..t.len() / 2]).unwrap();
    let status =
        Command::new("tar").args(["cf", "plain.tar", "docs"]).current_dir(medium.join("2026-11-15")).status().unwrap();
    assert!(status.success());
    let tar = medium.join("2026-11-15/plain.tar");
    let mut t = fs::read(&tar).unwrap();
    t[512 + 10] ^= 0x01; // the first file's header
    fs::write(&tar, t).unwrap();
    // 11-22: documents encrypted and renamed, the large one only at its head, a ransom note.
    let g4 = medium.join("2026-11-22/docs");
    for i in 0..30 {
        let from = g4.join(format!("r{i:02}.txt"));
        let mut data = fs::read(&from).unwrap();
        encrypt(&mut data, None);
        fs::write(g4.join(format!("r{i:02}.txt.lockbit")), data).unwrap();
        fs::remove_file(from).unwrap();
    }
    let mut large = fs::read(g4.join("large.txt")).unwrap();
    encrypt(&mut large, Some(64 * 1024));
    fs::write(g4.join("large.txt"), large).unwrap();
    write(&medium, "2026-11-22/docs/Restore-My-Files.txt", b"All your files are encrypted by LockBit. Contact us.");
    let before = snapshot(&medium);

    let (code, r) = verify(&medium, &["--baseline", b1.to_str().unwrap(), "--baseline", b2.to_str().unwrap()]);
    assert_eq!(code, 1);
    let gens = r["generations"].as_array().unwrap();
    let names: Vec<&str> = gens.iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["2026-11-01", "2026-11-08", "2026-11-15", "2026-11-22"]);
    let flags = |i: usize| {
        let f = &gens[i]["flags"];
        (
            f["intact"].as_bool(),
            f["consistent"].as_bool().unwrap(),
            f["unencrypted"].as_bool().unwrap(),
            f["delta_normal"].as_bool(),
        )
    };
    assert_eq!(flags(0), (Some(true), true, true, None), "{}", gens[0]);
    assert_eq!(flags(1), (Some(true), true, true, Some(true)), "{}", gens[1]);
    assert_eq!(flags(2), (None, false, true, Some(true)), "{}", gens[2]);
    assert_eq!(flags(3), (None, true, false, Some(false)), "{}", gens[3]);
    assert_eq!(r["verdict"]["last_clean"], "2026-11-08");
    assert_eq!(r["verdict"]["first_bad"], "2026-11-15");
    let boundary: Vec<&str> =
        r["verdict"]["boundary_evidence"].as_array().unwrap().iter().map(|e| e["en"].as_str().unwrap()).collect();
    for damaged in ["archive.zip", "archive.tgz", "plain.tar"] {
        assert!(boundary.iter().any(|e| e.contains("damaged") && e.contains(damaged)), "{damaged}: {boundary:?}");
    }
    let flagged = |path: &str| r["flagged"].as_array().unwrap().iter().find(|f| f["path"] == path).cloned();
    let tar = flagged("2026-11-15/plain.tar").unwrap();
    assert_eq!((tar["structure"]["format"].as_str(), tar["structure"]["position"].as_u64()), (Some("tar"), Some(512)));
    let large = flagged("2026-11-22/docs/large.txt").unwrap_or_else(|| panic!("{}", r["flagged"]));
    assert_eq!(large["encryption"]["intermittent"], true, "{large}");
    assert!(flagged("2026-11-22/docs/r00.txt.lockbit").is_some());
    assert!(flagged("2026-11-22/docs/Restore-My-Files.txt").unwrap()["ransom_note"].is_string());
    let g4_evidence = gens[3]["evidence"].to_string();
    assert!(g4_evidence.contains("mass rename"), "{g4_evidence}");
    assert!(r["verdict"]["caveat_ja"].as_str().unwrap().contains("マルウェア"));
    assert!(
        flagged("2026-11-08/docs/large.txt").is_none() && flagged("2026-11-01/archive.tgz").is_none(),
        "clean files are not flagged"
    );

    // A changed file breaks its generation's INTACT; a compromise before 11-08 leaves 11-01.
    write(&medium, "2026-11-08/docs/r03.txt", b"edited after the baseline");
    let (_, r) = verify(&medium, &["--baseline", b1.to_str().unwrap(), "--baseline", b2.to_str().unwrap()]);
    assert_eq!(r["generations"][1]["flags"]["intact"], false);
    assert_eq!(r["generations"][1]["audit"]["modified"], 1);
    assert_eq!(r["audit"][0]["path"], "2026-11-08/docs/r03.txt", "{}", r["audit"]);
    assert_eq!(r["verdict"]["last_clean"], "2026-11-01");
    write(&medium, "2026-11-08/docs/r03.txt", &document(23));
    let (_, r) = verify(&medium, &["--compromised-since", "2026-11-05 09:00"]);
    assert_eq!(r["verdict"]["last_clean"], "2026-11-01");
    assert_eq!(r["generations"][1]["before_compromise"], false);

    // Nothing on the medium was written (the test's own edits put back).
    assert_eq!(before, snapshot(&medium));
    // Plain text, Japanese first; kept in a case with the custody log.
    let case = tmp.path().join("case");
    shodo().args(["case", "init", "--case"]).arg(&case).assert().success();
    let out =
        shodo().args(["backup", "verify", "--medium", "nas01", "--case"]).arg(&case).arg(&medium).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("最後のクリーンな世代: 2026-11-08") && text.contains("境界"), "{text}");
    let kept: Vec<_> = fs::read_dir(case.join("backups/nas01")).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let saved: Value = serde_json::from_slice(&fs::read(&kept[0]).unwrap()).unwrap();
    assert_eq!(saved["verdict"]["last_clean"], "2026-11-08");
    let custody = fs::read_to_string(case.join("custody.jsonl")).unwrap();
    let entry: Value = custody
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|e| e["action"] == "backup.verify")
        .unwrap();
    assert_eq!((entry["target"].as_str(), entry["detail"]["last_clean"].as_str()), (Some("nas01"), Some("2026-11-08")));
    assert_eq!(crate::helpers::verify(&case).0, 0, "the kept result is part of the verified case");
    assert_eq!(before, snapshot(&medium));

    // Without --compromised-since, the case's timelines give the first sign: an endpoint whose
    // analysis saw the attacker on 11-05 rules out 11-08.
    let other = tmp.path().join("case2");
    shodo().args(["case", "init", "--case"]).arg(&other).assert().success();
    write(
        &other,
        "endpoints/pc-1/timeline.jsonl",
        b"{\"datetime\":\"2026-11-03T00:00:00Z\",\"message\":\"[low] Service installed\",\"severity\":\"low\"}\n\
          {\"datetime\":\"2026-11-05T01:02:03Z\",\"message\":\"[high] Shadow copies deleted\",\"severity\":\"high\"}\n",
    );
    let out = shodo().args(["backup", "verify", "--json", "--case"]).arg(&other).arg(&medium).output().unwrap();
    let r: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(r["compromised_since"], "2026-11-05T01:02:03.000000Z");
    assert!(r["compromised_since_from"].as_str().unwrap().contains("pc-1: [high] Shadow copies deleted"));
    assert_eq!(r["verdict"]["last_clean"], "2026-11-01");
}

fn qemu_img(args: &[&str], dir: &Path) {
    let out = Command::new("qemu-img")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("qemu-img (qemu-utils, installed by .ci/run)");
    assert!(out.status.success(), "qemu-img {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn disk_images_and_sql_server_backups_are_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let m = tmp.path().join("images");
    fs::create_dir_all(&m).unwrap();
    // A raw disk with data in its first blocks, as real VHD and VHDX files (made by qemu-img).
    let mut raw = vec![0u8; 8 << 20];
    raw[..600_000].copy_from_slice(&document(10_000)[..600_000]);
    fs::write(tmp.path().join("disk.raw"), &raw).unwrap();
    let raw_path = tmp.path().join("disk.raw");
    let raw_arg = raw_path.to_str().unwrap();
    qemu_img(&["convert", "-f", "raw", "-O", "vpc", raw_arg, "dynamic.vhd"], &m);
    qemu_img(&["convert", "-f", "raw", "-O", "vpc", "-o", "subformat=fixed", raw_arg, "fixed.vhd"], &m);
    qemu_img(&["convert", "-f", "raw", "-O", "vhdx", raw_arg, "disk.vhdx"], &m);
    qemu_img(&["create", "-q", "-f", "vpc", "empty.vhd", "8M"], &m);
    for name in ["dynamic.vhd", "fixed.vhd", "disk.vhdx", "empty.vhd"] {
        fs::copy(m.join(name), m.join(format!("bad-{name}"))).unwrap();
    }
    // Damage: the dynamic header, a cut fixed disk, both VHDX headers, a BAT entry, the empty
    // disk's footer.
    let edit = |name: &str, f: &dyn Fn(&mut Vec<u8>)| {
        let mut b = fs::read(m.join(name)).unwrap();
        f(&mut b);
        fs::write(m.join(name), b).unwrap();
    };
    edit("bad-dynamic.vhd", &|b| b[512 + 40] ^= 0xFF);
    edit("bad-fixed.vhd", &|b| b.truncate(b.len() - 100));
    edit("bad-disk.vhdx", &|b| {
        b[64 * 1024 + 100] ^= 0xFF;
        b[128 * 1024 + 100] ^= 0xFF;
    });
    edit("bad-empty.vhd", &|b| {
        let n = b.len();
        b[n - 512 + 70] ^= 0xFF;
    });
    fs::copy(m.join("disk.vhdx"), m.join("bat.vhdx")).unwrap();
    edit("bat.vhdx", &|b| {
        // The BAT region from the region table; its first entry made to point past the end.
        let table = 192 * 1024;
        let count = u32::from_le_bytes(b[table + 8..table + 12].try_into().unwrap()) as usize;
        let bat_guid = [0x66, 0x77, 0xC2, 0x2D, 0x23, 0xF6, 0x00, 0x42, 0x9D, 0x64, 0x11, 0x5E, 0x9B, 0xFD, 0x4A, 0x08];
        let entry = (0..count).map(|i| table + 16 + 32 * i).find(|&e| b[e..e + 16] == bat_guid).unwrap();
        let bat = u64::from_le_bytes(b[entry + 16..entry + 24].try_into().unwrap()) as usize;
        let beyond = ((b.len() as u64 >> 20) + 64) << 20;
        b[bat..bat + 8].copy_from_slice(&(beyond | 6).to_le_bytes());
    });

    let (code, r) = verify(&m, &[]);
    assert_eq!(code, 1);
    let flagged: Vec<(String, Value)> = r["flagged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_string(), f["structure"].clone()))
        .collect();
    let names: Vec<&str> = flagged.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        names,
        ["bad-disk.vhdx", "bad-dynamic.vhd", "bad-empty.vhd", "bad-fixed.vhd", "bat.vhdx"],
        "{flagged:?}"
    );
    let s = |name: &str| flagged.iter().find(|(p, _)| p == name).unwrap().1.clone();
    assert_eq!(
        (s("bad-dynamic.vhd")["format"].as_str(), s("bad-dynamic.vhd")["position"].as_u64()),
        (Some("vhd"), Some(512))
    );
    assert!(s("bad-fixed.vhd")["problem"].as_str().unwrap().contains("footer"));
    assert!(s("bad-disk.vhdx")["problem"].as_str().unwrap().contains("header"));
    assert!(s("bat.vhdx")["problem"].as_str().unwrap().contains("BAT entry 0"), "{}", s("bat.vhdx"));
    // The intact ones were checked too, and found whole.
    let checked = &r["archives_checked"];
    assert_eq!((checked["vhd"]["whole"].as_u64(), checked["vhd"]["damaged"].as_u64()), (Some(3), Some(3)), "{checked}");
    assert_eq!((checked["vhdx"]["whole"].as_u64(), checked["vhdx"]["damaged"].as_u64()), (Some(1), Some(2)));
    assert_eq!(r["generations"][0]["flags"]["consistent"], false);
}

#[test]
fn generations_named_only_by_their_baselines_are_ordered_by_when_those_were_made() {
    let tmp = tempfile::tempdir().unwrap();
    let medium = tmp.path().join("medium");
    // Weekday folders (no dates), baselines made Monday, Tuesday, Wednesday: by name the order
    // would be 月, 水, 火.
    let days = ["月曜", "火曜", "水曜"];
    let mut baselines = Vec::new();
    for day in days {
        generation(&medium, day, 12);
        let m = tmp.path().join(format!("{day}.txt"));
        shodo()
            .args(["backup", "baseline", "--generation", day, "--out"])
            .arg(&m)
            .arg(medium.join(day))
            .assert()
            .code(0);
        baselines.push(m);
    }
    // Wednesday's copy was encrypted in place after its baseline was made.
    for i in 0..12 {
        let p = medium.join(format!("水曜/docs/r{i:02}.txt"));
        let mut data = fs::read(&p).unwrap();
        encrypt(&mut data, None);
        fs::write(&p, data).unwrap();
    }
    let args: Vec<String> =
        baselines.iter().flat_map(|b| ["--baseline".to_string(), b.display().to_string()]).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, r) = verify(&medium, &args);
    assert_eq!(code, 1, "{r}");
    let names: Vec<&str> = r["generations"].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(names, days);
    assert_eq!(r["generations"][2]["flags"]["intact"], false);
    assert_eq!(r["generations"][2]["audit"]["modified"], 12, "{}", r["generations"][2]);
    assert_eq!(r["verdict"]["last_clean"], "火曜");
    assert_eq!(r["verdict"]["first_bad"], "水曜");
    let used: Vec<&str> = r["baselines"].as_array().unwrap().iter().map(|b| b["used_for"].as_str().unwrap()).collect();
    assert_eq!(used, days);

    // A copy rewritten in place (no generation folders) is held to the newest of its baselines.
    let copy = medium.join("火曜");
    let old = tmp.path().join("old.txt");
    shodo().args(["backup", "baseline", "--out"]).arg(&old).arg(&copy).assert().code(0);
    write(&copy, "docs/r00.txt", b"Tuesday's edit, before the newer baseline");
    let new = tmp.path().join("new.txt");
    shodo().args(["backup", "baseline", "--out"]).arg(&new).arg(&copy).assert().code(0);
    let (code, r) = verify(&copy, &["--baseline", new.to_str().unwrap(), "--baseline", old.to_str().unwrap()]);
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["generations"][0]["flags"]["intact"], true, "{r}");
    assert_eq!(r["baselines"][0]["used_for"], "(medium)");
    assert!(r["baselines"][1]["used_for"].is_null());
}

/// Unmounts when dropped, so a failing test leaves no mount behind.
struct Mounted(std::path::PathBuf);

impl Mounted {
    fn new(options: &str, image: &Path, at: &Path) -> Mounted {
        sh("mount", &["-o", options, image.to_str().unwrap(), at.to_str().unwrap()]);
        Mounted(at.to_path_buf())
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A file of `pieces` pieces with holes between them: more extents than an inode holds, so its
/// extent map needs a block of its own.
fn scattered(path: &Path, piece: usize, pieces: u64) -> Vec<u8> {
    use std::io::{Seek, SeekFrom, Write};
    let mut f = fs::File::create(path).unwrap();
    for i in 0..pieces {
        f.seek(SeekFrom::Start(i * 2 * piece as u64)).unwrap();
        f.write_all(&document(piece / 60)[..piece / 2]).unwrap();
    }
    drop(f);
    fs::read(path).unwrap()
}

#[test]
fn files_the_medium_cannot_give_back_are_recorded_and_the_reading_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let (img, mnt) = (tmp.path().join("backup-disk.img"), tmp.path().join("mnt"));
    fs::create_dir(&mnt).unwrap();
    sh("truncate", &["-s", "48M", img.to_str().unwrap()]);
    sh("mkfs.ext4", &["-q", "-F", "-b", "4096", img.to_str().unwrap()]);
    {
        let _m = Mounted::new("loop", &img, &mnt);
        generation(&mnt, "2026-11-01", 6);
        generation(&mnt, "2026-11-08", 6);
        scattered(&mnt.join("2026-11-08/docs/small.bin"), 16 * 1024, 8);
        scattered(&mnt.join("2026-11-08/docs/large.bin"), 512 * 1024, 8);
    }
    // The disk goes bad under both files' extent maps: reading them fails, nothing else does.
    for name in ["small.bin", "large.bin"] {
        let stat = sh("debugfs", &["-R", &format!("stat /2026-11-08/docs/{name}"), img.to_str().unwrap()]);
        let block = stat.split("(ETB0):").nth(1).and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next());
        let block = block.unwrap_or_else(|| panic!("no extent tree block for {name}: {stat}"));
        let (of, seek) = (format!("of={}", img.display()), format!("seek={block}"));
        sh("dd", &["if=/dev/zero", &of, "bs=4096", "count=1", "conv=notrunc", &seek, "status=none"]);
    }
    let image_before = fs::read(&img).unwrap();
    let _m = Mounted::new("loop,ro,noload", &img, &mnt);

    let (code, r) = verify(&mnt, &[]);
    assert_eq!(code, 1, "{r}");
    assert_eq!(r["files"], 20, "every file is in the report, the unreadable ones too");
    let unreadable: Vec<(&str, &str)> = r["flagged"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| Some((f["path"].as_str()?, f["error"].as_str()?)))
        .collect();
    assert_eq!(unreadable.len(), 2, "{unreadable:?}");
    for (path, error) in &unreadable {
        assert!(path.ends_with(".bin") && error.contains("Input/output error"), "{path}: {error}");
    }
    let g = &r["generations"];
    assert_eq!(
        (g[0]["flags"]["consistent"].as_bool(), g[1]["flags"]["consistent"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(r["verdict"]["last_clean"], "2026-11-01");
    assert!(r["verdict"]["boundary_evidence"].to_string().contains("2 files unreadable"), "{}", r["verdict"]);
    assert_eq!(r["read_order"], "physical", "ext4 maps its extents");
    drop(_m);
    assert!(fs::read(&img).unwrap() == image_before, "the medium was not written");
}

#[test]
fn a_folder_of_a_hundred_thousand_files_is_read_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let medium = tmp.path().join("medium");
    let dir = medium.join("2026-11-01/scans");
    fs::create_dir_all(&dir).unwrap();
    for i in 0..100_000u32 {
        fs::write(dir.join(format!("s{i:06}.txt")), format!("scan {i}\n")).unwrap();
    }
    let manifest = tmp.path().join("b.txt");
    let out = shodo().args(["backup", "baseline", "--json", "--out"]).arg(&manifest).arg(&medium).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    fs::write(dir.join("s054321.txt"), b"changed").unwrap();
    let (code, r) = verify(&medium, &["--baseline", manifest.to_str().unwrap()]);
    assert_eq!(code, 1, "{}", r["verdict"]);
    assert_eq!(r["files"], 100_000);
    assert!(r["skipped"].as_array().unwrap().is_empty());
    assert_eq!(r["generations"][0]["audit"]["matched"], 99_999);
    assert_eq!(r["audit"][0]["path"], "2026-11-01/scans/s054321.txt");
}

/// MTF's header checksum: the XOR of the little-endian words before it.
fn xor_words(b: &[u8]) -> u16 {
    b.chunks_exact(2).fold(0, |a, w| a ^ u16::from_le_bytes([w[0], w[1]]))
}

/// One Microsoft Tape Format descriptor block as SQL Server writes them: the 52-byte common
/// header (type, first-event offset, OS id, string type, header checksum), `extra` bytes of
/// block-specific fields, its streams (22-byte headers with their checksum, 4-byte aligned) and
/// a SPAD stream to the next 1 KiB boundary. A soft filemark (SFMB) is one bare 1 KiB block.
fn mtf_block(kind: &[u8; 4], extra: usize, streams: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
    let first = if kind == b"SFMB" { 1024 } else { (52 + extra).div_ceil(4) * 4 };
    let mut b = vec![0u8; 52 + extra];
    b[..4].copy_from_slice(kind);
    b[8..10].copy_from_slice(&(first as u16).to_le_bytes());
    b[10] = 14; // Windows NT
    b[48] = 2; // Unicode strings
    if kind == b"TAPE" {
        b[84..86].copy_from_slice(&1024u16.to_le_bytes()); // format logical block size
    }
    let sum = xor_words(&b[..50]);
    b[50..52].copy_from_slice(&sum.to_le_bytes());
    b.resize(first, 0);
    if kind == b"SFMB" {
        return b;
    }
    let header = |id: &[u8; 4], len: u64| {
        let mut h = vec![0u8; 22];
        h[..4].copy_from_slice(id);
        h[8..16].copy_from_slice(&len.to_le_bytes());
        let sum = xor_words(&h[..20]);
        h[20..22].copy_from_slice(&sum.to_le_bytes());
        h
    };
    for (id, data) in streams {
        b.extend(header(id, data.len() as u64));
        b.extend(data);
        b.resize(b.len().div_ceil(4) * 4, 0);
    }
    let pad = (b.len() + 22).div_ceil(1024) * 1024 - (b.len() + 22);
    b.extend(header(b"SPAD", pad as u64));
    b.resize(b.len() + pad, 0);
    b
}

/// A SQL Server full backup laid out as SQL Server writes one: TAPE, SFMB, SSET, VOLB, the
/// configuration (MSCI), data (MSDA: 8 KiB pages after two bytes) and log tail (MSTL) blocks,
/// then SFMB, ESET, SFMB. Returns the bytes and where each block starts.
fn sql_server_bak(pages: usize) -> (Vec<u8>, Vec<(&'static str, usize)>) {
    let pages_of = |n: usize| {
        let mut d = vec![0u8; 2];
        d.extend(document(n * 8192 / 60 + 1)[..n * 8192].iter());
        d
    };
    let blocks: Vec<(&'static str, Vec<u8>)> = vec![
        ("TAPE", mtf_block(b"TAPE", 42, &[])),
        ("SFMB", mtf_block(b"SFMB", 0, &[])),
        ("SSET", mtf_block(b"SSET", 100, &[])),
        ("VOLB", mtf_block(b"VOLB", 24, &[])),
        ("MSCI", mtf_block(b"MSCI", 0, &[(b"MQCI", document(5))])),
        ("MSDA", mtf_block(b"MSDA", 0, &[(b"MQDA", pages_of(pages))])),
        ("MSTL", mtf_block(b"MSTL", 0, &[(b"MQTL", pages_of(1))])),
        ("SFMB", mtf_block(b"SFMB", 0, &[])),
        ("ESET", mtf_block(b"ESET", 34, &[])),
        ("SFMB", mtf_block(b"SFMB", 0, &[])),
    ];
    let mut bytes = Vec::new();
    let mut at = Vec::new();
    for (kind, b) in blocks {
        at.push((kind, bytes.len()));
        bytes.extend(b);
    }
    (bytes, at)
}

#[test]
fn database_backups_are_walked_to_their_end() {
    let tmp = tempfile::tempdir().unwrap();
    let m = tmp.path().join("db");
    let start = |at: &[(&str, usize)], kind: &str| at.iter().find(|(k, _)| *k == kind).unwrap().1;
    // SQL Server: whole (small, and large enough to be streamed), then damaged four ways.
    let (bak, at) = sql_server_bak(4);
    write(&m, "hospital.bak", &bak);
    write(&m, "large.bak", &sql_server_bak(200).0);
    let mut b = bak.clone();
    b[start(&at, "SSET") + 20] ^= 0x01;
    write(&m, "bad-header.bak", &b);
    let mut b = bak.clone();
    b[start(&at, "MSDA") + 52 + 9] ^= 0x01; // the MQDA stream's length
    write(&m, "bad-stream.bak", &b);
    write(&m, "cut-in-data.bak", &bak[..start(&at, "MSDA") + 5000]);
    write(&m, "cut-before-eset.bak", &bak[..start(&at, "ESET") - 1024]);
    // SQL dumps: complete, and stopped early (also inside a gzip that is itself whole).
    let pg = "--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\nCREATE TABLE karte (id integer);\n";
    let pg_done =
        format!("{pg}COPY karte (id) FROM stdin;\n1\n\\.\n\n--\n-- PostgreSQL database dump complete\n--\n\n");
    let my = "-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB, for debian-linux-gnu (x86_64)\n--\n-- Host: localhost    Database: karte\n";
    let my_done = format!(
        "{my}INSERT INTO `karte` VALUES (1);\n/*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */;\n\n-- Dump completed on 2026-11-20  3:00:01\n"
    );
    write(&m, "karte.sql", pg_done.as_bytes());
    write(&m, "cut-karte.sql", pg.as_bytes());
    write(&m, "karte-my.sql", my_done.as_bytes());
    write(&m, "cut-karte-my.sql", my.as_bytes());
    let gz = |text: &str| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut e, text.as_bytes()).unwrap();
        e.finish().unwrap()
    };
    write(&m, "karte.sql.gz", &gz(&pg_done));
    write(&m, "cut-karte.sql.gz", &gz(my));
    // SQLite, made by sqlite3 itself, and a copy cut short.
    let db = m.join("ris.sqlite");
    let script = "CREATE TABLE t(x); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<5000) INSERT INTO t SELECT printf('%0100d', i) FROM c;";
    let out = Command::new("sqlite3").arg(&db).arg(script).output().expect("sqlite3 (installed by .ci/run)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let whole = fs::read(&db).unwrap();
    write(&m, "cut-ris.sqlite", &whole[..whole.len() / 2]);

    let (code, r) = verify(&m, &[]);
    assert_eq!(code, 1);
    let structure = |name: &str| {
        let f = r["flagged"].as_array().unwrap().iter().find(|f| f["path"] == name).cloned();
        f.map(|f| f["structure"].clone())
    };
    let flagged: Vec<&str> = r["flagged"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(
        flagged,
        [
            "bad-header.bak",
            "bad-stream.bak",
            "cut-before-eset.bak",
            "cut-in-data.bak",
            "cut-karte-my.sql",
            "cut-karte.sql",
            "cut-karte.sql.gz",
            "cut-ris.sqlite"
        ]
    );
    let problem = |name: &str| structure(name).unwrap()["problem"].as_str().unwrap().to_string();
    let position = |name: &str| structure(name).unwrap()["position"].as_u64().unwrap() as usize;
    assert!(problem("bad-header.bak").contains("SSET block header checksum"), "{}", problem("bad-header.bak"));
    assert_eq!(position("bad-header.bak"), start(&at, "SSET") + 50);
    assert!(problem("bad-stream.bak").contains("MQDA stream header checksum"), "{}", problem("bad-stream.bak"));
    assert!(problem("cut-in-data.bak").contains("runs past the end"), "{}", problem("cut-in-data.bak"));
    assert!(problem("cut-before-eset.bak").contains("ESET"), "{}", problem("cut-before-eset.bak"));
    assert_eq!(structure("cut-karte.sql").unwrap()["format"], "pg_dump");
    assert!(problem("cut-karte-my.sql").contains("-- Dump completed"));
    assert_eq!(structure("cut-karte.sql.gz").unwrap()["format"], "mysqldump.gz");
    assert!(problem("cut-ris.sqlite").contains("cut short"), "{}", problem("cut-ris.sqlite"));
    let checked = &r["archives_checked"];
    let count = |f: &str, k: &str| checked[f][k].as_u64().unwrap_or(0);
    assert_eq!((count("mtf", "whole"), count("mtf", "damaged")), (2, 4), "{checked}");
    assert_eq!((count("pg_dump", "whole"), count("mysqldump", "whole"), count("pg_dump.gz", "whole")), (1, 1, 1));
    assert_eq!((count("sqlite", "whole"), count("sqlite", "damaged")), (1, 1));
    let large = r["flagged"].as_array().unwrap().iter().all(|f| f["path"] != "large.bak");
    assert!(
        large && bak.len() < 1 << 20 && sql_server_bak(200).0.len() > 1 << 20,
        "both the small and the streamed path"
    );
}
