//! Sources: the disks and partitions found, what each holds, and what to watch for (BitLocker
//! needs the recovery key; a hibernated Windows must not be booted). A path typed by the
//! operator (an image or a folder) is offered first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Row, Table};
use shodo::Lang;
use shodo::source::{Disk, Fs, Partition};

use super::super::app::App;
use super::{boxed, selected, size, window_start};

pub fn view(app: &App, f: &mut Frame, area: Rect) {
    let lang = app.lang;
    let rows = rows(app);
    let [table, note] = Layout::vertical([Constraint::Min(3), Constraint::Length(4)]).areas(area);
    let height = table.height.saturating_sub(3) as usize;
    let start = window_start(app.sel[1], height);
    let header = super::header(vec![
        lang.pick("デバイス・パス", "device / path"),
        lang.pick("容量", "size"),
        lang.pick("種類", "holds"),
        lang.pick("注意", "notes"),
    ]);
    let body = rows.iter().enumerate().skip(start).take(height).map(|(i, r)| {
        let row = Row::new(r.clone());
        if i == app.sel[1] { row.style(selected()) } else { row }
    });
    let widths = [Constraint::Length(24), Constraint::Length(10), Constraint::Length(9), Constraint::Min(10)];
    let title = lang.pick(" ディスクとパーティション（読み取りのみ）", " Disks and partitions (read-only) ");
    f.render_widget(Table::new(body, widths).header(header).block(boxed(title)), table);
    let detail = rows.get(app.sel[1]).map(|r| format!("{}  {}  {}\n", r[0].trim(), r[2], r[3])).unwrap_or_default();
    let hint = if rows.is_empty() {
        lang.pick(
            "ディスクが見つかりません。p でイメージやフォルダーのパスを入力できます。",
            "No disks found. Press p to type the path of an image or a folder.",
        )
    } else {
        lang.pick(
            "Enter で選んだものから証拠を収集します（読み取りのみ）。BitLocker は回復キーを尋ねます。休止状態の Windows は起動しないでください。",
            "Enter collects evidence from the selected one (read-only). BitLocker asks for the recovery key. Do not boot a hibernated Windows.",
        )
    };
    let text = vec![Line::styled(detail, Style::default().add_modifier(Modifier::BOLD)), Line::from(hint)];
    f.render_widget(super::wrapped(text, note.width), note);
}

/// One row per offered source, in the order of `keys::source_rows`.
fn rows(app: &App) -> Vec<Vec<String>> {
    let lang = app.lang;
    let mut out = Vec::new();
    if let Some(p) = &app.source_path {
        out.push(vec![p.clone(), String::new(), lang.pick("入力", "typed").into(), String::new()]);
    }
    for d in &app.disks {
        out.push(disk_row(d, lang));
        out.extend(d.partitions.iter().map(|p| partition_row(p, lang)));
    }
    out
}

fn fs_name(fs: Option<Fs>, lang: Lang) -> String {
    fs.map_or_else(|| lang.pick("不明", "unknown").into(), |f| format!("{f:?}").to_lowercase())
}

fn disk_row(d: &Disk, lang: Lang) -> Vec<String> {
    let mut notes: Vec<String> = d.model.iter().cloned().collect();
    notes.extend(d.serial.as_ref().map(|s| format!("S/N {s}")));
    notes.extend(d.backing_file.as_ref().map(|f| format!("{} {f}", lang.pick("イメージ", "image"))));
    if d.read_only {
        notes.push(lang.pick("読取専用", "read-only").into());
    }
    let holds = d.table.map(|t| format!("{t:?}").to_uppercase()).unwrap_or_else(|| fs_name(d.fs, lang));
    vec![d.path.display().to_string(), size(d.size), holds, notes.join(" ")]
}

fn partition_row(p: &Partition, lang: Lang) -> Vec<String> {
    let mut notes = Vec::new();
    if p.fs == Some(Fs::BitLocker) {
        notes.push(lang.pick("BitLocker: 回復キーが必要", "BitLocker: recovery key needed").to_string());
    }
    if let Some(n) = &p.ntfs {
        if n.hibernated {
            notes.push(lang.pick("休止状態: Windows を起動しないこと", "hibernated: do not boot Windows").into());
        }
        if n.dirty {
            notes.push(lang.pick("未整合（dirty）", "dirty").into());
        }
        if n.windows {
            notes.push("Windows".into());
        }
        notes.extend(n.label.clone().map(|l| format!("[{l}]")));
    }
    if p.read_only {
        notes.push(lang.pick("読取専用", "read-only").into());
    }
    notes.extend(p.mounted_at.iter().map(|m| format!("{} {m}", lang.pick("マウント先", "mounted at"))));
    vec![format!("  {}", p.path.display()), size(p.size), fs_name(p.fs, lang), notes.join(" ")]
}
