use std::path::Path;

use super::*;

const GOOD: &str = r#"
id = "t"
version = "1"
audience = "staff"
title = { ja = "題", en = "Title" }
summary = { ja = "概要", en = "Summary" }

[[step]]
id = "unplug"
who = "staff"
title = { ja = "LAN ケーブルを抜く", en = "Unplug the LAN cable" }
body = { ja = "抜いてください。", en = "Unplug it." }

[[step]]
id = "call"
who = "staff"
title = { ja = "電話", en = "Call" }
body = { ja = "電話してください。", en = "Call." }
action = "call"
call = ["vendor", "mhlw"]
after = ["unplug"]
"#;

fn parse(text: &str) -> Result<Playbook> {
    Playbook::parse(Path::new("playbooks/t.toml"), text)
}

fn problem(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

#[test]
fn a_valid_playbook_parses() {
    let pb = parse(GOOD).unwrap();
    assert_eq!(pb.step.len(), 2);
    assert_eq!(pb.step[1].call, vec![ContactRole::Vendor, ContactRole::Mhlw]);
    assert_eq!(pb.step("call").unwrap().title.pick(Lang::En), "Call");
}

#[test]
fn every_shipped_playbook_is_valid_and_bundled() {
    let mut on_disk = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks")).unwrap();
    let mut shipped = bundled().unwrap();
    on_disk.sort_by(|a, b| a.id.cmp(&b.id));
    shipped.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(on_disk, shipped, "playbooks/ and the bundled set differ");
    for id in [STAFF, "responder-ransomware", "backup", "isolation", "recurrence-review"] {
        assert!(shipped.iter().any(|p| p.id == id), "{id} missing");
    }
    assert_eq!(bundled_one(STAFF).unwrap().audience, Audience::Staff);
}

#[test]
fn id_must_match_the_file_name() {
    assert!(problem(&GOOD.replace("id = \"t\"", "id = \"other\"")).contains("is not the file name"));
}

#[test]
fn a_step_id_used_twice_is_refused() {
    let twice = GOOD.replace("id = \"call\"", "id = \"unplug\"").replace("after = [\"unplug\"]", "");
    assert!(problem(&twice).contains("step unplug: id used twice"));
}

#[test]
fn call_and_action_go_together() {
    assert!(problem(&GOOD.replace("action = \"call\"\n", "")).contains("needs action = \"call\""));
    assert!(problem(&GOOD.replace("call = [\"vendor\", \"mhlw\"]\n", "")).contains("needs call = [...]"));
}

#[test]
fn after_must_name_an_earlier_step() {
    assert!(problem(&GOOD.replace("after = [\"unplug\"]", "after = [\"later\"]")).contains("not an earlier step"));
}

#[test]
fn an_empty_translation_is_refused() {
    assert!(problem(&GOOD.replace("en = \"Unplug it.\"", "en = \" \"")).contains("step unplug: body.en is empty"));
}

#[test]
fn a_staff_step_too_long_for_one_screen_is_refused() {
    let long = "あ".repeat(STAFF_BODY_MAX + 1);
    assert!(problem(&GOOD.replace("抜いてください。", &long)).contains("at most"));
    // The same text is fine for responders.
    assert!(
        parse(
            &GOOD
                .replace("抜いてください。", &long)
                .replace("\"staff\"\ntitle = { ja = \"題\"", "\"responder\"\ntitle = { ja = \"題\"")
        )
        .is_ok()
    );
}

#[test]
fn unknown_fields_actions_and_roles_are_refused_with_the_line() {
    let e = problem(&GOOD.replace("action = \"call\"", "action = \"reboot\""));
    assert!(e.contains("t.toml:19:") && e.contains("reboot"), "{e}");
    assert!(problem(&GOOD.replace("[\"vendor\", \"mhlw\"]", "[\"friend\"]")).contains("friend"));
    assert!(problem(&GOOD.replace("after = [\"unplug\"]", "afterwards = [\"unplug\"]")).contains("afterwards"));
}

fn case() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case");
    crate::case::init(&crate::case::InitOptions {
        dir: case.clone(),
        examiners: vec!["山田".into()],
        ..Default::default()
    })
    .unwrap();
    (dir, case)
}

#[test]
fn checks_land_in_the_custody_log_and_are_read_back_last_one_winning() {
    let (_tmp, dir) = case();
    let pb = parse(GOOD).unwrap();
    let rec = Recorder::Case { dir: dir.clone(), actor: "当直 佐藤".into() };
    rec.check(&pb, &pb.step[0], true, Some("3:05 に抜いた")).unwrap();
    rec.check(&pb, &pb.step[1], true, None).unwrap();
    rec.check(&pb, &pb.step[1], false, None).unwrap();
    let done = checked(&dir, "t").unwrap();
    assert_eq!(done.keys().collect::<Vec<_>>(), vec!["unplug"]);
    assert_eq!(done["unplug"].actor, "当直 佐藤");
    assert!(done["unplug"].jst.ends_with("+09:00") || done["unplug"].jst.contains("JST"), "{:?}", done["unplug"]);
    let entries = crate::case::read_entries(&dir).unwrap();
    let note = entries.iter().find(|e| e.action == CHECK).unwrap();
    assert_eq!(note.detail["note"], "3:05 に抜いた");
    assert_eq!(note.target, "playbook:t");
    assert!(crate::case::verify(&dir).unwrap().intact());
    assert!(checked(&dir, "other").unwrap().is_empty());
}

#[test]
fn without_a_case_checks_go_to_a_record_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("staff-record.jsonl");
    let pb = parse(GOOD).unwrap();
    let rec = Recorder::File { path: path.clone(), actor: "当直 佐藤".into() };
    rec.check(&pb, &pb.step[0], true, None).unwrap();
    rec.check(&pb, &pb.step[1], true, Some("画面に英語の文")).unwrap();
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["step"], "unplug");
    assert_eq!(lines[1]["note"], "画面に英語の文");
    assert_eq!(lines[1]["actor"], "当直 佐藤");
    let done = rec.done_today("t");
    assert_eq!(done.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(), vec!["unplug", "call"]);
    assert!(lines[1]["jst"].as_str().unwrap().contains("+09:00") || lines[1]["jst"].as_str().unwrap().contains("JST"));
}
