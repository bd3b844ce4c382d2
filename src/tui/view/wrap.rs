//! Line breaking for mixed Japanese and English text. A full-width character takes two cells,
//! so a line is filled by display width, never past it (the box's right border stays); English
//! breaks at spaces, Japanese between any two characters, and a line never starts with closing
//! punctuation (。、）」…): the character before it moves down with it (追い出し).

use ratatui::text::{Line, Span, Text};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthChar;

/// Characters that must not start a line.
const NO_START: &str = "、。，．）」』】〕〉》！？ー…・,.)]}!?:;％";

/// A paragraph of `text` broken into lines of at most `width` cells.
pub fn wrapped(text: impl Into<Text<'static>>, width: u16) -> Paragraph<'static> {
    let text: Text<'static> = text.into();
    let lines: Vec<Line<'static>> = text.lines.into_iter().flat_map(|l| wrap_line(l, width.max(2) as usize)).collect();
    Paragraph::new(lines)
}

/// One styled line broken into lines of at most `width` cells.
fn wrap_line(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    let alignment = line.alignment;
    let style = line.style;
    let chars: Vec<(char, ratatui::style::Style)> =
        line.spans.iter().flat_map(|s| s.content.chars().map(move |c| (c, s.style))).collect();
    let mut out = Vec::new();
    let mut start = 0;
    while start < chars.len() {
        let end = break_at(&chars[start..], width) + start;
        let mut piece = &chars[start..end];
        // A line that starts a new row drops the spaces it was broken at.
        if start > 0 {
            while piece.first().is_some_and(|(c, _)| *c == ' ') {
                piece = &piece[1..];
            }
        }
        if end < chars.len() {
            while piece.last().is_some_and(|(c, _)| *c == ' ') {
                piece = &piece[..piece.len() - 1];
            }
        }
        let mut l = Line::from(spans(piece)).style(style);
        l.alignment = alignment;
        out.push(l);
        start = end;
    }
    if out.is_empty() {
        let mut l = Line::default().style(style);
        l.alignment = alignment;
        out.push(l);
    }
    out
}

/// How many of `chars` go on the first row.
fn break_at(chars: &[(char, ratatui::style::Style)], width: usize) -> usize {
    let mut used = 0;
    let mut last_space = None;
    for (i, (c, _)) in chars.iter().enumerate() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            let wide = c.width().unwrap_or(0) > 1
                || chars.get(i.wrapping_sub(1)).is_some_and(|(p, _)| p.width().unwrap_or(0) > 1);
            let mut cut = match (wide, last_space) {
                (false, Some(s)) => s + 1,
                _ => i,
            };
            // 追い出し: a closing mark cannot open the next row; take the character before it along.
            if cut > 1 && chars.get(cut).is_some_and(|(n, _)| NO_START.contains(*n)) {
                cut -= 1;
            }
            return cut.max(1);
        }
        if *c == ' ' {
            last_space = Some(i);
        }
        used += w;
    }
    chars.len()
}

fn spans(chars: &[(char, ratatui::style::Style)]) -> Vec<Span<'static>> {
    let mut out: Vec<Span<'static>> = Vec::new();
    for (c, style) in chars {
        match out.last_mut() {
            Some(last) if last.style == *style => last.content.to_mut().push(*c),
            _ => out.push(Span::styled(c.to_string(), *style)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str, width: u16) -> Vec<String> {
        let text: Text<'static> = Text::from(text.to_string());
        text.lines
            .into_iter()
            .flat_map(|l| wrap_line(l, width as usize))
            .map(|l| l.spans.iter().map(|s| s.content.to_string()).collect())
            .collect()
    }

    fn width(s: &str) -> usize {
        unicode_width::UnicodeWidthStr::width(s)
    }

    #[test]
    fn japanese_fills_rows_by_display_width_and_never_overflows() {
        let text = "画面に「ファイルを暗号化した」「お金を払え」などの文が出る、ファイルが開かない。このようなときは、サイバー攻撃のおそれがあります。";
        for w in [10u16, 11, 37, 78] {
            for row in rows(text, w) {
                assert!(width(&row) <= w as usize, "{row:?} wider than {w}");
            }
        }
        assert_eq!(rows(text, 78).concat(), text, "nothing lost");
    }

    #[test]
    fn no_row_starts_with_closing_punctuation() {
        // At width 8 the plain cut would put 。 at the start of the second row.
        let rows = rows("あいうえ。かきく", 8);
        assert_eq!(rows, vec!["あいう", "え。かき", "く"]);
        assert!(rows.iter().all(|r| !NO_START.contains(r.chars().next().unwrap())));
    }

    #[test]
    fn english_breaks_at_spaces() {
        assert_eq!(rows("Unplug the LAN cable now", 12), vec!["Unplug the", "LAN cable", "now"]);
    }

    #[test]
    fn a_word_longer_than_the_row_is_cut() {
        assert_eq!(rows("Windows/System32/config/SOFTWARE", 10), vec!["Windows/Sy", "stem32/con", "fig/SOFTWA", "RE"]);
    }
}
