//! A case for the TUI's tests, made by the test: two endpoints (one attacked), findings of each
//! kind the screens show, a verified backup, a playbook step checked off. Values that change
//! from run to run (case id, folder, creation time, check times) are fixed after loading.

use std::path::{Path, PathBuf};

use shodo::source::{Disk, Fs, NtfsFacts, Partition, Table};

use super::data::{self, CaseData};

const CONFIG: &str = "[hospital]\nname = \"試験市立病院\"\n\n[contacts.vendor]\nname = \"試験メディカルシステム株式会社\"\nphone = \"03-0000-1111\"\nperson = \"保守 一郎\"\n";

const FINDINGS: &str = r#"{"v":1,"kind":"yara","path":"Users/Public/m.txt","sha256":"dcc2c846ff509e1edf16d813e40cb64cb451df79f0ae8e455f76014c8e3fd6d8","rule":"shodo_credential_dumper","meta":{"description_ja":"認証情報の窃取ツール（mimikatz 等）","description_en":"Credential dumper (mimikatz and the like)","severity":"high","category":"hack_tool"},"by":"scan"}
{"v":1,"kind":"ransom_note_name","path":"Users/nurse02/Desktop/Restore-My-Files.txt","sha256":"08f42924cffb56a38b699d5f9fe601265e7600044bee40475c13bc165169b4ca","attribution":[{"family":"LockBit","confidence":"medium","reason":"the note's file name \"Restore-My-Files.txt\" is one LockBit uses"}],"by":"scan"}
{"v":1,"kind":"encrypted_file","path":"Users/nurse02/Documents/診療記録00.docx.lockbit","sha256":"3f95da74baf949d400cb09f551a88716ff0032f5985fcef11b3bf9c6a44d8a02","modified":"2026-11-20T18:21:00.000000Z","by":"scan"}
{"v":1,"kind":"registry","path":"Windows/System32/config/SOFTWARE","rule":"autostart","severity":"high","title_ja":"自動起動の登録（Run キー）","title_en":"Autostart entry (Run key)","time":"2026-11-20T17:01:00.000000Z","by":"analyze"}
{"v":1,"kind":"connection_point","path":"Windows/System32/config/SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\AnyDesk","rule":"remote_access","name":"AnyDesk","by":"analyze"}
{"v":1,"kind":"event_detection","path":"Windows/System32/winevt/Logs/Security.evtx","rule":"brute_force","severity":"critical","title_ja":"ログオン失敗の集中（総当たり・パスワードスプレー）","title_en":"Burst of failed logons (brute force or password spraying)","time":"2026-11-20T16:10:00.000000Z","by":"analyze"}
{"v":1,"kind":"event_log","path":"Windows/System32/winevt/Logs/Security.evtx","records":43,"by":"analyze"}
"#;

const BACKUP: &str = r#"{"read_at":"2026-11-21T05:00:00.000000Z","generations":[
{"name":"2026-11-18","time":"2026-11-18T00:00:00.000000Z","flags":{"intact":true,"consistent":true,"unencrypted":true,"delta_normal":null},"clean":true},
{"name":"2026-11-19","time":"2026-11-19T00:00:00.000000Z","flags":{"intact":true,"consistent":true,"unencrypted":true,"delta_normal":true},"clean":true},
{"name":"2026-11-20","time":"2026-11-20T00:00:00.000000Z","flags":{"intact":false,"consistent":true,"unencrypted":false,"delta_normal":false},"clean":false}],
"verdict":{"last_clean":"2026-11-19","first_bad":"2026-11-20"}}"#;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Makes the case; returns the temp dir holding it and the case folder.
pub fn case() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("shodo.toml");
    write(&config, CONFIG);
    let dir = tmp.path().join("case");
    shodo::case::init(&shodo::case::InitOptions {
        dir: dir.clone(),
        config: Some(config),
        aware_at: Some(shodo::clock::parse_time("2026-11-21 03:10").unwrap()),
        examiners: vec!["山田 太郎".into()],
        ..Default::default()
    })
    .unwrap();
    let ep = dir.join("endpoints");
    write(
        &ep.join("PC-GAIRAI-01/endpoint.json"),
        r#"{"id":"PC-GAIRAI-01","hostname":"PC-GAIRAI-01","os_release":"Windows 10 Pro 22H2"}"#,
    );
    write(&ep.join("PC-GAIRAI-01/findings.jsonl"), FINDINGS);
    write(
        &ep.join("PC-UKETSUKE-02/endpoint.json"),
        r#"{"id":"PC-UKETSUKE-02","hostname":"UKETSUKE2","os_release":"Windows 11 Pro"}"#,
    );
    write(&dir.join("backups/nas-daily/verify-20261121T050000_000000Z.json"), BACKUP);
    let pb = shodo::playbook::bundled_one("responder-ransomware").unwrap();
    let rec = shodo::playbook::Recorder::Case { dir: dir.clone(), actor: "山田 太郎".into() };
    rec.check(&pb, &pb.step[0], true, None).unwrap();
    write(
        &dir.join("reports/ppc-sokuho.ja.md"),
        "# 個人情報保護委員会 漏えい等報告（速報）\n\n- 覚知日時: 2026-11-21 03:10 JST\n",
    );
    (tmp, dir)
}

/// The case read as the screens see it, with the run-dependent values fixed.
pub fn data(dir: &Path) -> CaseData {
    let mut d = data::load(dir).unwrap();
    d.status.id = "20261121-031000-0a1b2c3d".into();
    d.status.dir = "/cases/demo".into();
    d.status.created = chrono::DateTime::parse_from_rfc3339("2026-11-21T03:30:00+09:00").unwrap();
    if let Some(e) = d.status.last_action.as_mut() {
        e.jst = "2026-11-21T03:40:00.000000+09:00".into();
        e.target = "playbook:responder-ransomware".into();
    }
    for p in &mut d.playbooks {
        for c in p.checked.values_mut() {
            c.jst = "2026-11-21T03:40:00.000000+09:00".into();
        }
    }
    d
}

/// Disks as `source::list` reports them: a Windows disk with a hibernated NTFS volume and a
/// BitLocker volume.
pub fn disks() -> Vec<Disk> {
    let part = |n: u32, fs: Fs, ntfs: Option<NtfsFacts>| Partition {
        name: format!("sda{n}"),
        path: format!("/dev/sda{n}").into(),
        number: n,
        start: 2048,
        size: 200 << 30,
        read_only: true,
        fs: Some(fs),
        ntfs,
        mounted_at: Vec::new(),
    };
    let windows = NtfsFacts { windows: true, hibernated: true, label: Some("Windows".into()), ..NtfsFacts::default() };
    vec![Disk {
        name: "sda".into(),
        path: "/dev/sda".into(),
        size: 512 << 30,
        model: Some("SAMSUNG MZ7LH512".into()),
        serial: Some("S4XXNX0N123456".into()),
        removable: false,
        read_only: true,
        backing_file: None,
        table: Some(Table::Gpt),
        fs: None,
        partitions: vec![part(1, Fs::Ntfs, Some(windows)), part(2, Fs::BitLocker, None)],
        mounted_at: Vec::new(),
    }]
}
