//! Pure update tests: keys in, state and commands out, no terminal and no case written.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use shodo::Lang;

use super::*;
use crate::tui::fixture;

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        update(app, ch(c));
    }
}

/// The fixture case loaded, on `screen`.
fn loaded(screen: Screen) -> (tempfile::TempDir, App) {
    let (tmp, dir) = fixture::case();
    let mut app = App::new(Lang::Ja, Some(dir.clone()));
    app.case = CaseView::Loaded(Box::new(fixture::data(&dir)));
    app.go(screen);
    (tmp, app)
}

fn running() -> Job {
    Job { label: "collect".into(), ..Job::default() }
}

#[test]
fn l_toggles_language_both_ways() {
    let mut app = App::new(Lang::Ja, None);
    update(&mut app, ch('l'));
    assert_eq!(app.lang, Lang::En);
    update(&mut app, ch('l'));
    assert_eq!(app.lang, Lang::Ja);
}

#[test]
fn q_and_ctrl_c_quit_when_nothing_runs() {
    let mut app = App::new(Lang::Ja, None);
    update(&mut app, ch('q'));
    assert!(app.quit);
    let mut app = App::new(Lang::Ja, None);
    update(&mut app, Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)));
    assert!(app.quit);
}

#[test]
fn quitting_while_a_job_runs_asks_first_and_cancels_the_job() {
    let mut app = App::new(Lang::Ja, Some("/c".into()));
    update(&mut app, Msg::Progress(running()));
    update(&mut app, ch('q'));
    assert!(!app.quit);
    assert_eq!(app.confirm, Some(Confirm::QuitWhileRunning));
    update(&mut app, ch('n'));
    assert!(!app.quit && app.confirm.is_none());
    update(&mut app, ch('q'));
    assert_eq!(update(&mut app, ch('y')), Some(Cmd::Cancel));
    assert!(app.quit);
}

#[test]
fn x_cancels_a_running_job_only_after_y() {
    let mut app = App::new(Lang::Ja, Some("/c".into()));
    update(&mut app, Msg::Progress(running()));
    assert_eq!(update(&mut app, ch('x')), None);
    assert_eq!(app.confirm, Some(Confirm::CancelJob));
    assert_eq!(update(&mut app, ch('y')), Some(Cmd::Cancel));
    assert!(app.job.as_ref().unwrap().cancelling);
    // Progress after that keeps saying it is being cancelled.
    update(&mut app, Msg::Progress(running()));
    assert!(app.job.as_ref().unwrap().cancelling);
    update(&mut app, Msg::JobDone("中止".into(), "cancelled".into(), false));
    assert!(!app.running());
}

#[test]
fn number_keys_and_tab_switch_screens_and_sources_lists_disks() {
    let mut app = App::new(Lang::Ja, None);
    assert_eq!(update(&mut app, ch('2')), Some(Cmd::ListDisks));
    assert_eq!(app.screen, Screen::Sources);
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.screen, Screen::Jobs);
    update(&mut app, key(KeyCode::BackTab));
    update(&mut app, key(KeyCode::BackTab));
    assert_eq!(app.screen, Screen::Home);
}

#[test]
fn tick_refreshes_the_home_screen_of_a_case_and_sets_today() {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let mut none = App::new(Lang::Ja, None);
    assert_eq!(update(&mut none, Msg::Tick(today)), None);
    assert_eq!(none.today, Some(today));
    let mut some = App::new(Lang::Ja, Some("/c".into()));
    assert_eq!(update(&mut some, Msg::Tick(today)), Some(Cmd::RefreshIfChanged));
    some.go(Screen::Findings);
    assert_eq!(update(&mut some, Msg::Tick(today)), None);
}

#[test]
fn a_typed_source_path_is_offered_first_and_enter_collects_from_it() {
    let mut app = App::new(Lang::Ja, Some("/c".into()));
    update(&mut app, ch('2'));
    update(&mut app, ch('p'));
    typed(&mut app, "/mnt/pc1");
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.source_path.as_deref(), Some("/mnt/pc1"));
    let cmd = update(&mut app, key(KeyCode::Enter));
    assert_eq!(cmd, Some(Cmd::Start(JobKind::Collect { source: "/mnt/pc1".into(), key: None })));
    assert_eq!(app.screen, Screen::Jobs);
}

#[test]
fn nothing_starts_without_a_case_or_while_a_job_runs() {
    let mut app = App::new(Lang::Ja, None);
    app.source_path = Some("/mnt/pc1".into());
    app.go(Screen::Sources);
    assert_eq!(update(&mut app, key(KeyCode::Enter)), None);
    assert!(app.message.as_ref().unwrap().1.contains("No case"));
    let mut app = App::new(Lang::Ja, Some("/c".into()));
    app.source_path = Some("/mnt/pc1".into());
    update(&mut app, Msg::Progress(running()));
    app.go(Screen::Sources);
    assert_eq!(update(&mut app, key(KeyCode::Enter)), None);
    assert!(app.message.as_ref().unwrap().1.contains("running"));
}

#[test]
fn scan_and_analyze_start_for_the_selected_endpoint() {
    let (_tmp, mut app) = loaded(Screen::Jobs);
    update(&mut app, key(KeyCode::Down));
    assert_eq!(update(&mut app, ch('s')), Some(Cmd::Start(JobKind::Scan { endpoint: "PC-UKETSUKE-02".into() })));
    update(&mut app, Msg::JobDone("済".into(), "done".into(), true));
    assert_eq!(update(&mut app, ch('a')), Some(Cmd::Start(JobKind::Analyze { endpoint: "PC-UKETSUKE-02".into() })));
}

#[test]
fn findings_filter_and_sort_change_what_is_shown() {
    let (_tmp, mut app) = loaded(Screen::Findings);
    let count = |app: &App| crate::tui::view::findings::visible(app, app.data().unwrap()).len();
    assert_eq!(count(&app), 6);
    update(&mut app, ch('/'));
    typed(&mut app, "lockbit");
    assert_eq!(app.filter, "lockbit");
    assert_eq!(count(&app), 1);
    update(&mut app, key(KeyCode::Esc));
    assert_eq!(count(&app), 6);
    let first = |app: &App| crate::tui::view::findings::visible(app, app.data().unwrap())[0].severity.clone();
    assert_eq!(first(&app), "critical");
    update(&mut app, ch('s'));
    assert_eq!(app.sort, SortKey::Endpoint);
}

#[test]
fn isolation_needs_the_hostname_typed_and_a_wrong_one_changes_nothing() {
    let (_tmp, mut app) = loaded(Screen::Isolation);
    update(&mut app, key(KeyCode::Down));
    assert_eq!(
        update(&mut app, ch('p')),
        Some(Cmd::Isolate {
            verb: "plan",
            endpoint: "PC-UKETSUKE-02".into(),
            mode: "offline-windows",
            level: "soft",
            confirm: false
        })
    );
    update(&mut app, ch('a'));
    typed(&mut app, "PC-UKETSUKE-02");
    // The endpoint id is not its hostname: refused.
    assert_eq!(update(&mut app, key(KeyCode::Enter)), None);
    assert!(app.message.as_ref().unwrap().0.contains("一致しません"));
    update(&mut app, ch('m'));
    update(&mut app, ch('a'));
    typed(&mut app, "uketsuke2");
    assert_eq!(
        update(&mut app, key(KeyCode::Enter)),
        Some(Cmd::Isolate {
            verb: "apply",
            endpoint: "PC-UKETSUKE-02".into(),
            mode: "script-windows",
            level: "soft",
            confirm: true
        })
    );
    update(&mut app, ch('b'));
    typed(&mut app, "UKETSUKE2");
    assert!(matches!(
        update(&mut app, key(KeyCode::Enter)),
        Some(Cmd::Isolate { verb: "rollback", confirm: true, .. })
    ));
    update(&mut app, ch('a'));
    update(&mut app, key(KeyCode::Esc));
    assert!(app.input.is_none());
}

#[test]
fn space_checks_a_step_and_again_takes_it_back() {
    let (_tmp, mut app) = loaded(Screen::Playbook);
    // Step 1 of the responder playbook is checked in the fixture: space takes it back, once confirmed.
    assert_eq!(update(&mut app, ch(' ')), None);
    assert!(matches!(app.confirm, Some(Confirm::Uncheck { .. })));
    assert_eq!(
        update(&mut app, ch('y')),
        Some(Cmd::Check { playbook: "responder-ransomware".into(), step: "open-case".into(), done: false, note: None })
    );
    // Step 2 (freeze changes) is a note step: space asks for the note first.
    update(&mut app, key(KeyCode::Down));
    assert_eq!(update(&mut app, ch(' ')), None);
    assert!(matches!(app.input, Some(Input { purpose: InputFor::StepNote { .. }, .. })));
    update(&mut app, key(KeyCode::Esc));
    // Step 3 (call the vendor) is checked straight away.
    update(&mut app, key(KeyCode::Down));
    assert!(
        matches!(update(&mut app, ch(' ')), Some(Cmd::Check { done: true, ref step, .. }) if step == "call-vendor")
    );
    // m adds a note without checking the step.
    update(&mut app, ch('m'));
    typed(&mut app, "VPN 装置の電源は入れたまま");
    assert!(matches!(update(&mut app, key(KeyCode::Enter)), Some(Cmd::Note { text, .. }) if text.contains("VPN")));
    update(&mut app, key(KeyCode::Right));
    assert_eq!(app.playbook, 1);
}

fn staff_app() -> App {
    let pb = shodo::playbook::bundled_one(shodo::playbook::STAFF).unwrap();
    let setting = shodo::playbook::setting(None, None).unwrap();
    App::staff_only(Lang::Ja, None, StaffState::resume(pb, setting, Vec::new(), Some("当直 佐藤".into())))
}

#[test]
fn staff_mode_records_each_step_and_moves_on_only_once_recorded() {
    let mut app = staff_app();
    let first = app.staff.playbook.as_ref().unwrap().step[0].id.clone();
    assert_eq!(update(&mut app, key(KeyCode::Enter)), Some(Cmd::Staff { step: first.clone(), note: None }));
    assert_eq!(app.staff.step, 0);
    update(&mut app, Msg::StaffRecorded(first.clone(), None, Ok("2026-11-21T03:05:00+09:00".into())));
    assert_eq!(app.staff.step, 1);
    assert_eq!(app.staff.confirmed, vec![(first, "2026-11-21T03:05:00+09:00".to_string())]);
    // A failed record says so and stays on the step.
    update(&mut app, Msg::StaffRecorded("unplug-lan".into(), None, Err(("満杯".into(), "full".into()))));
    assert_eq!(app.staff.step, 1);
    assert!(app.message.as_ref().unwrap().0.contains("満杯"));
    // Digits, tabs and Esc do nothing here: staff cannot get lost in the other screens.
    update(&mut app, ch('4'));
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Esc));
    assert_eq!(app.screen, Screen::Staff);
    assert!(!app.quit);
    // Going back to a recorded step and pressing Enter moves on without recording it again.
    update(&mut app, key(KeyCode::Left));
    assert_eq!(app.staff.step, 0);
    assert_eq!(update(&mut app, key(KeyCode::Enter)), None);
    assert_eq!(app.staff.step, 1);
}

#[test]
fn staff_mode_goes_on_after_what_was_done_today_and_asks_the_name_when_not_given() {
    let pb = shodo::playbook::bundled_one(shodo::playbook::STAFF).unwrap();
    let setting = shodo::playbook::setting(None, None).unwrap();
    let done = vec![
        (pb.step[0].id.clone(), "2026-11-21T03:01:00+09:00".to_string()),
        (pb.step[1].id.clone(), "2026-11-21T03:02:00+09:00".to_string()),
    ];
    let mut app = App::staff_only(Lang::Ja, None, StaffState::resume(pb, setting, done, None));
    assert_eq!(app.staff.step, 2);
    assert!(matches!(app.input, Some(Input { purpose: InputFor::StaffName, .. })));
    typed(&mut app, "佐藤");
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.staff.name.as_deref(), Some("佐藤"));
}

#[test]
fn the_note_step_takes_what_was_seen() {
    let mut app = staff_app();
    let last = app.staff.playbook.as_ref().unwrap().step.len() - 1;
    app.staff.step = last;
    let id = app.staff.playbook.as_ref().unwrap().step[last].id.clone();
    assert_eq!(update(&mut app, key(KeyCode::Enter)), None);
    typed(&mut app, "3F ナースステーション PC");
    assert_eq!(
        update(&mut app, key(KeyCode::Enter)),
        Some(Cmd::Staff { step: id.clone(), note: Some("3F ナースステーション PC".into()) })
    );
    update(
        &mut app,
        Msg::StaffRecorded(id.clone(), Some("3F ナースステーション PC".into()), Ok("2026-11-21T03:09:00+09:00".into())),
    );
    assert_eq!(app.staff.notes, vec![(id, "3F ナースステーション PC".to_string())]);
}

#[test]
fn staff_mode_alone_quits_with_q_and_from_home_goes_back() {
    let mut app = staff_app();
    update(&mut app, ch('q'));
    assert!(!app.quit, "asks first");
    update(&mut app, ch('y'));
    assert!(app.quit);
    let mut app = App::new(Lang::Ja, None);
    app.staff = staff_app().staff;
    app.staff.only = false;
    update(&mut app, ch('9'));
    assert_eq!(app.screen, Screen::Staff);
    update(&mut app, ch('q'));
    update(&mut app, ch('y'));
    assert_eq!(app.screen, Screen::Home);
    assert!(!app.quit);
}

#[test]
fn a_failed_load_is_kept_in_both_languages() {
    let mut app = App::new(Lang::Ja, Some("/nope".into()));
    update(&mut app, Msg::Loaded(Some(Err(("読めません".into(), "unreadable".into())))));
    assert!(matches!(app.case, CaseView::Failed { .. }));
}

#[test]
fn a_bitlocker_volume_asks_for_its_recovery_key_before_collecting() {
    let mut app = App::new(Lang::Ja, Some("/c".into()));
    app.disks = fixture::disks();
    update(&mut app, ch('2'));
    // Rows: the disk, its NTFS partition, its BitLocker partition.
    update(&mut app, key(KeyCode::Down));
    update(&mut app, key(KeyCode::Down));
    assert_eq!(update(&mut app, key(KeyCode::Enter)), None);
    assert!(matches!(app.input, Some(Input { purpose: InputFor::RecoveryKey { .. }, .. })));
    typed(&mut app, "123456");
    assert_eq!(update(&mut app, key(KeyCode::Enter)), None, "not a key: nothing starts");
    assert!(app.message.as_ref().unwrap().0.contains("回復キー"));
    update(&mut app, key(KeyCode::Enter));
    typed(&mut app, "111111-222222-333333-444444-555555-666666-000000-123453");
    match update(&mut app, key(KeyCode::Enter)) {
        Some(Cmd::Start(JobKind::Collect { source, key: Some(_) })) => {
            assert_eq!(source, std::path::PathBuf::from("/dev/sda2"))
        }
        other => panic!("{other:?}"),
    }
    // The key never appears when the command is printed.
    let shown = format!("{:?}", app);
    assert!(!shown.contains("123453"), "{shown}");
}

#[test]
fn a_playbook_step_opens_the_screen_of_its_function() {
    let (_tmp, mut app) = loaded(Screen::Playbook);
    let steps = &app.data().unwrap().playbooks[0].playbook.step;
    let collect = steps.iter().position(|s| s.action == Some(shodo::playbook::Action::Collect)).unwrap();
    app.sel[7] = collect;
    assert_eq!(update(&mut app, ch('g')), Some(Cmd::ListDisks));
    assert_eq!(app.screen, Screen::Sources);
}

#[test]
fn n_asks_for_the_network_sheet_of_the_selected_endpoint() {
    let (_tmp, mut app) = loaded(Screen::Isolation);
    assert_eq!(update(&mut app, ch('n')), Some(Cmd::Sheet { endpoint: "PC-GAIRAI-01".into() }));
}

#[test]
fn v_verifies_a_backup_medium_with_or_without_a_baseline() {
    let (_tmp, mut app) = loaded(Screen::Backups);
    update(&mut app, ch('v'));
    typed(&mut app, "/mnt/nas");
    assert_eq!(update(&mut app, key(KeyCode::Enter)), None, "asks for the baseline next");
    assert_eq!(
        update(&mut app, key(KeyCode::Enter)),
        Some(Cmd::Start(JobKind::Backup { source: "/mnt/nas".into(), baseline: None }))
    );
    update(&mut app, Msg::JobDone("済".into(), "done".into(), true));
    app.go(Screen::Backups);
    update(&mut app, ch('v'));
    typed(&mut app, "/mnt/nas");
    update(&mut app, key(KeyCode::Enter));
    typed(&mut app, "/stick/nas.hashdeep");
    assert_eq!(
        update(&mut app, key(KeyCode::Enter)),
        Some(Cmd::Start(JobKind::Backup { source: "/mnt/nas".into(), baseline: Some("/stick/nas.hashdeep".into()) }))
    );
}
