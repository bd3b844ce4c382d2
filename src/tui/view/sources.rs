//! Sources: the disks and partitions found, what each holds, and what to watch for (BitLocker
//! needs the recovery key; a hibernated Windows must not be booted). A path typed by the
//! operator (an image or a folder) is offered first.

use crate::tui::strings as txt;
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
        txt::DEVICE_PATH.get(lang),
        txt::SIZE.get(lang),
        txt::HOLDS.get(lang),
        txt::NOTES_2.get(lang),
    ]);
    let body = rows.iter().enumerate().skip(start).take(height).map(|(i, r)| {
        let row = Row::new(r.clone());
        if i == app.sel[1] { row.style(selected()) } else { row }
    });
    let widths = [Constraint::Length(24), Constraint::Length(10), Constraint::Length(9), Constraint::Min(10)];
    let title = txt::DISKS_AND_PARTITIONS_READ_ONLY.get(lang);
    f.render_widget(Table::new(body, widths).header(header).block(boxed(title)), table);
    let detail = rows.get(app.sel[1]).map(|r| format!("{}  {}  {}\n", r[0].trim(), r[2], r[3])).unwrap_or_default();
    let hint = if rows.is_empty() {
        txt::NO_DISKS_FOUND_PRESS_P_TO.get(lang)
    } else {
        txt::ENTER_COLLECTS_EVIDENCE_FROM_THE_SELECTED.get(lang)
    };
    let text = vec![Line::styled(detail, Style::default().add_modifier(Modifier::BOLD)), Line::from(hint)];
    f.render_widget(super::wrapped(text, note.width), note);
}

/// One row per offered source, in the order of `keys::source_rows`.
fn rows(app: &App) -> Vec<Vec<String>> {
    let lang = app.lang;
    let mut out = Vec::new();
    if let Some(p) = &app.source_path {
        out.push(vec![p.clone(), String::new(), txt::TYPED.get(lang).into(), String::new()]);
    }
    for d in &app.disks {
        out.push(disk_row(d, lang));
        out.extend(d.partitions.iter().map(|p| partition_row(p, lang)));
    }
    out
}

fn fs_name(fs: Option<Fs>, lang: Lang) -> String {
    fs.map_or_else(|| txt::UNKNOWN.get(lang).into(), |f| format!("{f:?}").to_lowercase())
}

fn disk_row(d: &Disk, lang: Lang) -> Vec<String> {
    let mut notes: Vec<String> = d.model.iter().cloned().collect();
    notes.extend(d.serial.as_ref().map(|s| format!("S/N {s}")));
    notes.extend(d.backing_file.as_ref().map(|f| format!("{} {f}", txt::IMAGE.get(lang))));
    if d.read_only {
        notes.push(txt::READ_ONLY.get(lang).into());
    }
    let holds = d.table.map(|t| format!("{t:?}").to_uppercase()).unwrap_or_else(|| fs_name(d.fs, lang));
    vec![d.path.display().to_string(), size(d.size), holds, notes.join(" ")]
}

fn partition_row(p: &Partition, lang: Lang) -> Vec<String> {
    let mut notes = Vec::new();
    if p.fs == Some(Fs::BitLocker) {
        notes.push(txt::BITLOCKER_RECOVERY_KEY_NEEDED.get(lang).to_string());
    }
    if let Some(n) = &p.ntfs {
        if n.hibernated {
            notes.push(txt::HIBERNATED_DO_NOT_BOOT_WINDOWS.get(lang).into());
        }
        if n.dirty {
            notes.push(txt::DIRTY.get(lang).into());
        }
        if n.windows {
            notes.push("Windows".into());
        }
        notes.extend(n.label.clone().map(|l| format!("[{l}]")));
    }
    if p.read_only {
        notes.push(txt::READ_ONLY.get(lang).into());
    }
    notes.extend(p.mounted_at.iter().map(|m| format!("{} {m}", txt::MOUNTED_AT.get(lang))));
    vec![format!("  {}", p.path.display()), size(p.size), fs_name(p.fs, lang), notes.join(" ")]
}
