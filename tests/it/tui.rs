//! The TUI and the playbooks through the real binary: staff mode and a collection driven in
//! tmux (keys sent, the pane read back), playbook checks from the command line, the poster.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::{shodo, verify};

/// A tmux server of its own running one program in an 80×24 pane; killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(program: &[&str]) -> Tmux {
        Tmux::sized(program, "80", "24")
    }

    fn sized(program: &[&str], w: &str, h: &str) -> Tmux {
        let socket = format!("shodo-test-{}-{}", std::process::id(), rand_suffix());
        let tmux = Tmux { socket };
        let mut args = vec!["new-session", "-d", "-s", "t", "-x", w, "-y", h, "--"];
        args.extend(program);
        tmux.run(&args);
        tmux
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-u", "-L", &self.socket])
            .args(args)
            .env("LANG", "C.UTF-8")
            .env_remove("SHODO_LANG")
            .env_remove("SHODO_CASE")
            .output()
            .unwrap_or_else(|e| panic!("tmux: {e} (see .ci/run for the packages)"));
        assert!(out.status.success(), "tmux {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", "t", k]);
        }
    }

    fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", "t", "-l", text]);
    }

    fn pane(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "t"])
    }

    /// Waits until the pane shows `needle` (the program works in the background); the pane when
    /// it does, a failure with the pane when it never does.
    fn wait_for(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let pane = self.pane();
            if pane.contains(needle) {
                return pane;
            }
            assert!(start.elapsed() < Duration::from_secs(120), "never showed {needle:?}:\n{pane}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn alive(&self) -> bool {
        Command::new("tmux")
            .args(["-L", &self.socket, "has-session", "-t", "t"])
            .output()
            .is_ok_and(|o| o.status.success())
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["-L", &self.socket, "kill-server"]).output();
    }
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos())
}

fn custody(case: &Path) -> Vec<Value> {
    std::fs::read_to_string(case.join("custody.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A case made with the demo's hospital config (its 保守会社 number added).
fn case(dir: &Path) -> std::path::PathBuf {
    let material = shodo::demo::build(&dir.join("material")).unwrap();
    let mut config = std::fs::read_to_string(&material.config).unwrap();
    config.push_str("\n[contacts.vendor]\nname = \"試験メディカル\"\nphone = \"03-0000-1111\"\n");
    std::fs::write(&material.config, config).unwrap();
    let case = dir.join("case");
    let out = shodo()
        .args(["case", "init", "--case"])
        .arg(&case)
        .arg("--config")
        .arg(&material.config)
        .args(["--examiner", "山田 太郎", "--aware-at", "2026-11-21 03:10"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    case
}

#[test]
fn staff_mode_walks_the_posted_procedure_and_records_each_confirmation() {
    let tmp = tempfile::tempdir().unwrap();
    let case = case(tmp.path());
    let bin = env!("CARGO_BIN_EXE_shodo");
    let case_arg = case.to_str().unwrap();
    let t = Tmux::start(&[bin, "staff", "--case", case_arg, "--name", "当直 佐藤"]);
    t.wait_for("1 / 7");
    t.wait_for("あわてないでください");
    t.keys(&["Enter"]);
    let pane = t.wait_for("2 / 7");
    assert!(pane.contains("LANケーブル"), "{pane}");
    t.keys(&["Enter", "Enter"]);
    let pane = t.wait_for("4 / 7");
    assert!(pane.contains("03-0000-1111"), "the hospital's own vendor number is shown:\n{pane}");
    t.keys(&["l"]);
    t.wait_for("Call the system vendor");
    t.keys(&["l", "Enter", "Enter", "Enter"]);
    t.wait_for("7 / 7");
    t.keys(&["Enter"]);
    t.type_text("PC-3 ransom note on screen");
    t.keys(&["Enter"]);
    let pane = t.wait_for("おわり");
    assert!(pane.contains("見たこと・したことを書き留める"), "{pane}");
    t.keys(&["q", "y"]);
    let start = Instant::now();
    while t.alive() && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!t.alive(), "q leaves staff mode");
    let checks: Vec<Value> = custody(&case).into_iter().filter(|e| e["action"] == "playbook.check").collect();
    assert_eq!(checks.len(), 7, "{checks:?}");
    assert!(checks.iter().all(|c| c["actor"] == "当直 佐藤" && c["jst"].as_str().unwrap().ends_with("+09:00")));
    assert_eq!(checks[6]["detail"]["note"], "PC-3 ransom note on screen");
    assert_eq!(verify(&case).0, 0, "the case still verifies");
}

#[test]
fn a_collection_started_from_the_tui_shows_progress_and_lands_in_the_case() {
    let tmp = tempfile::tempdir().unwrap();
    let case = case(tmp.path());
    let source = tmp.path().join("material/endpoint");
    let bin = env!("CARGO_BIN_EXE_shodo");
    let t = Tmux::start(&[bin, "--case", case.to_str().unwrap()]);
    t.wait_for("ケース概要");
    t.keys(&["2"]);
    t.wait_for("ディスクとパーティション");
    t.keys(&["p"]);
    t.type_text(source.to_str().unwrap());
    t.keys(&["Enter", "Enter"]);
    let pane = t.wait_for("収集 PC-GAIRAI-01:");
    assert!(pane.contains("100%"), "{pane}");
    // Scan it from the same screen, then read the findings.
    t.keys(&["s"]);
    t.wait_for("検査 PC-GAIRAI-01:");
    t.keys(&["4"]);
    let pane = t.wait_for("身代金要求文");
    assert!(pane.contains("PC-GAIRAI-01"), "{pane}");
    t.keys(&["q"]);
    let actions: Vec<String> = custody(&case).iter().map(|e| e["action"].as_str().unwrap().to_string()).collect();
    for a in ["collect.finish", "scan.finish"] {
        assert!(actions.iter().any(|x| x == a), "{a} missing: {actions:?}");
    }
    assert_eq!(verify(&case).0, 0);
}

#[test]
fn playbook_steps_are_checked_from_the_command_line_onto_the_custody_log() {
    let tmp = tempfile::tempdir().unwrap();
    let case = case(tmp.path());
    let list = shodo().args(["playbook", "list"]).output().unwrap();
    let text = String::from_utf8_lossy(&list.stdout);
    for id in ["responder-ransomware", "staff", "backup", "isolation", "recurrence-review"] {
        assert!(text.contains(id), "{text}");
    }
    let check = |extra: &[&str]| {
        shodo()
            .args(["playbook", "check", "--case"])
            .arg(&case)
            .args(["--playbook", "responder-ransomware", "--step", "cut-backup-path"])
            .args(extra)
            .output()
            .unwrap()
    };
    assert!(check(&["--note", "NAS のポート 12 を遮断"]).status.success());
    let show = shodo().args(["playbook", "show", "responder-ransomware", "--case"]).arg(&case).output().unwrap();
    let text = String::from_utf8_lossy(&show.stdout);
    assert!(text.contains("[x]") && text.contains("山田 太郎"), "{text}");
    assert!(check(&["--undo"]).status.success());
    let entries = custody(&case);
    let last = entries.last().unwrap();
    assert_eq!(last["action"], "playbook.uncheck");
    assert_eq!(entries[entries.len() - 2]["detail"]["note"], "NAS のポート 12 を遮断");
    let bad = shodo()
        .args(["playbook", "check", "--case"])
        .arg(&case)
        .args(["--playbook", "responder-ransomware", "--step", "no-such-step"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no-such-step"));
    assert_eq!(verify(&case).0, 0);
}

#[test]
fn the_poster_carries_the_hospitals_numbers_and_every_staff_step() {
    let tmp = tempfile::tempdir().unwrap();
    let case = case(tmp.path());
    let out = tmp.path().join("poster.html");
    let run = shodo().args(["poster", "--case"]).arg(&case).arg("--out").arg(&out).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("@page { size: A4"), "printable A4");
    assert!(html.contains("デモ市立病院"));
    assert!(html.contains("03-0000-1111"), "the vendor's number from shodo.toml");
    assert!(html.contains("03-3595-2430"), "the ministry's shipped default, marked as such");
    assert!(html.contains("既定値"));
    assert!(
        html.contains("情報システム室長 保全 花子") && html.contains("000-000-0000"),
        "whom to tell in the hospital"
    );
    assert!(!html.contains("shodo.toml"), "nothing on the wall speaks of configuration files");
    let pb = shodo::playbook::bundled_one("staff").unwrap();
    let mut at = 0;
    for step in &pb.step {
        let i = html[at..].find(&step.title.ja).unwrap_or_else(|| panic!("{} missing or out of order", step.title.ja));
        at += i;
    }
    assert!(!html.contains("http://") && !html.contains("https://"), "no external resources");
    let en = tmp.path().join("poster.en.html");
    assert!(
        shodo()
            .args(["poster", "--lang", "en", "--case"])
            .arg(&case)
            .arg("--out")
            .arg(&en)
            .output()
            .unwrap()
            .status
            .success()
    );
    assert!(std::fs::read_to_string(&en).unwrap().contains("If a cyber attack is suspected"));
}

#[test]
fn staff_without_a_terminal_says_so() {
    let run = shodo().args(["staff"]).output().unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("terminal"));
}

#[test]
fn a_terminal_that_reports_no_size_like_a_serial_console_gets_80_by_24() {
    let bin = env!("CARGO_BIN_EXE_shodo");
    let script = format!("stty rows 0 cols 0; exec {bin} --lang en");
    let t = Tmux::sized(&["sh", "-c", &script], "100", "30");
    let pane = t.wait_for("No case is open");
    let top = pane.lines().find(|l| l.starts_with('┌')).unwrap();
    assert_eq!(top.chars().count(), 80, "drawn at 80 columns:\n{pane}");
    let rows = pane.lines().filter(|l| !l.trim().is_empty()).count();
    assert!(rows <= 24, "drawn in 24 rows:\n{pane}");
    t.keys(&["q"]);
}

#[test]
fn staff_mode_without_a_case_asks_the_name_records_to_a_file_and_resumes_after_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let record = tmp.path().join("staff-record.jsonl");
    let bin = env!("CARGO_BIN_EXE_shodo");
    let args = [bin, "staff", "--record", record.to_str().unwrap()];
    let t = Tmux::start(&args);
    t.wait_for("お名前");
    t.type_text("Sato");
    t.keys(&["Enter", "Enter"]);
    t.wait_for("2 / 7");
    t.keys(&["Enter"]);
    t.wait_for("3 / 7");
    t.keys(&["q", "y"]);
    drop(t);
    let lines: Vec<Value> =
        std::fs::read_to_string(&record).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| l["actor"] == "Sato" && l["playbook"] == "staff"));
    // Started again the same day, it goes on from the first step not done.
    let t = Tmux::start(&args);
    t.wait_for("お名前");
    t.keys(&["Enter"]);
    let pane = t.wait_for("3 / 7");
    assert!(pane.contains("これ以上さわらない"), "{pane}");
    t.keys(&["q", "y"]);
}
