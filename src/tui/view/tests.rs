//! Every screen rendered with ratatui's TestBackend, in Japanese and English, at 80×24 and
//! 120×40, kept as insta snapshots (`INSTA_UPDATE=always cargo test` rewrites them after a
//! deliberate change; review the diff).

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use shodo::Lang;

use super::super::app::{App, CaseView, Input, InputFor, Job, Screen};
use super::super::fixture;
use super::view;

/// The screen as text, a wide character once (its second cell skipped), trailing blanks cut.
pub fn render(app: &App, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| view(app, f)).unwrap();
    let buf = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            line.push_str(sym);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The app on a screen with the fixture case loaded and everything a screen may show filled in.
fn app(screen: Screen, lang: Lang) -> App {
    let (_tmp, dir) = fixture::case();
    let mut app = App::new(lang, Some(dir.clone()));
    app.case = CaseView::Loaded(Box::new(fixture::data(&dir)));
    app.today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22);
    app.disks = fixture::disks();
    app.source_path = Some("/mnt/image/pc-gairai-01.img".into());
    app.job = Some(Job {
        label: "収集 /dev/sda1".into(),
        phase: "collect".into(),
        items: (120, Some(450)),
        bytes: (1 << 30, Some(3 << 30)),
        elapsed: Duration::from_secs(40),
        notes: vec!["Windows/System32/config/SAM: unreadable (I/O error)".into()],
        problems: 1,
        ..Job::default()
    });
    app.isolation_output = Some("PC-GAIRAI-01 の隔離計画（offline-windows、soft。まだ何も変更していません）\n  SYSTEM\\ControlSet001\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\PublicProfile\\EnableFirewall: 0 → 1".into());
    app.preview = Some((
        "reports/ppc-sokuho.ja.md".into(),
        "# 個人情報保護委員会 漏えい等報告（速報）\n\n- 覚知日時: 2026-11-21 03:10 JST".into(),
    ));
    app.staff.playbook = Some(shodo::playbook::bundled_one(shodo::playbook::STAFF).unwrap());
    app.staff.setting = Some(shodo::playbook::setting(None, Some(&dir)).unwrap());
    app.staff.step = 3;
    app.staff.confirmed = vec![("unplug-lan".into(), "2026-11-21T03:05:00.000000+09:00".into())];
    app.staff.name = Some("当直 佐藤".into());
    app.sel[3] = 1;
    app.go(screen);
    app
}

fn name(screen: Screen) -> &'static str {
    match screen {
        Screen::Home => "home",
        Screen::Sources => "sources",
        Screen::Jobs => "jobs",
        Screen::Findings => "findings",
        Screen::Isolation => "isolation",
        Screen::Backups => "backups",
        Screen::Reports => "reports",
        Screen::Playbook => "playbook",
        Screen::Staff => "staff",
    }
}

#[test]
fn every_screen_in_both_languages_at_both_sizes() {
    for screen in Screen::ALL {
        for lang in [Lang::Ja, Lang::En] {
            let app = app(screen, lang);
            for (w, h) in [(80, 24), (120, 40)] {
                insta::assert_snapshot!(format!("{}_{}_{w}x{h}", name(screen), lang.code()), render(&app, w, h));
            }
        }
    }
}

#[test]
fn no_case_and_the_hostname_prompt() {
    let app = App::new(Lang::Ja, None);
    insta::assert_snapshot!("no_case_ja_80x24", render(&app, 80, 24));
    let mut app = self::app(Screen::Isolation, Lang::Ja);
    app.input = Some(Input {
        purpose: InputFor::ConfirmIsolation {
            endpoint: "PC-GAIRAI-01".into(),
            hostname: "PC-GAIRAI-01".into(),
            apply: true,
        },
        text: "PC-GAI".into(),
    });
    app.confirm = None;
    insta::assert_snapshot!("isolation_confirm_ja_80x24", render(&app, 80, 24));
    let mut app = self::app(Screen::Jobs, Lang::En);
    app.confirm = Some(super::super::app::Confirm::CancelJob);
    insta::assert_snapshot!("jobs_cancel_en_80x24", render(&app, 80, 24));
}

/// Full-width text is aligned: in the home table every value starts in one column.
#[test]
fn japanese_labels_keep_the_values_aligned() {
    let screen = render(&app(Screen::Home, Lang::Ja), 80, 24);
    let col = |needle: &str| {
        let l = screen.lines().find(|l| l.contains(needle)).unwrap();
        unicode_width::UnicodeWidthStr::width(&l[..l.find(needle).unwrap()])
    };
    assert_eq!(col("試験市立病院"), col("2026-11-21 03:10 JST"));
    assert_eq!(col("試験市立病院"), col("2026-11-24〜2026-11-26"));
}

#[test]
fn home_counts_down_the_ppc_deadlines_from_the_aware_time() {
    let screen = render(&app(Screen::Home, Lang::Ja), 120, 40);
    assert!(screen.contains("2026-11-24〜2026-11-26（あと 4 日）"), "{screen}");
    assert!(screen.contains("2027-01-20（あと 59 日）"), "{screen}");
    assert!(screen.contains("調査 2 台 / 感染の痕跡 1 台 / 隔離中 0 台"), "{screen}");
    assert!(screen.contains("最後のクリーン世代 2026-11-19"), "{screen}");
}

#[test]
fn staff_mode_shows_the_hospitals_own_number_on_the_call_step() {
    let screen = render(&app(Screen::Staff, Lang::Ja), 80, 24);
    assert!(screen.contains("保守会社に電話する"), "{screen}");
    assert!(screen.contains("03-0000-1111"), "{screen}");
}
