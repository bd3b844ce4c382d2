//! A report as plain blocks, written out as Markdown or as one self-contained HTML page
//! (A4, printable, no external resources): every report is built once and rendered twice.

/// One block of a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// A heading (level 1–3).
    Heading(u8, String),
    /// A paragraph.
    Para(String),
    /// A paragraph to notice (未確定, overdue).
    Warn(String),
    /// A bulleted list.
    List(Vec<String>),
    /// A table: header row, then rows.
    Table(Vec<String>, Vec<Vec<String>>),
    /// A QR code of the text (second), with a caption (first): drawn in HTML, the text in Markdown.
    Qr(String, String),
}

/// A whole report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Doc {
    /// Its title.
    pub title: String,
    /// `ja` or `en`.
    pub lang: &'static str,
    /// Its blocks.
    pub blocks: Vec<Block>,
}

impl Doc {
    /// Adds a block.
    pub fn push(&mut self, b: Block) {
        self.blocks.push(b);
    }

    /// As Markdown.
    pub fn markdown(&self) -> String {
        let mut out = format!("# {}\n\n", md(&self.title));
        for b in &self.blocks {
            match b {
                Block::Heading(level, t) => {
                    out.push_str(&format!("{} {}\n\n", "#".repeat(usize::from(*level) + 1), md(t)))
                }
                Block::Para(t) => out.push_str(&format!("{}\n\n", md(t))),
                Block::Warn(t) => out.push_str(&format!("> **{}**\n\n", md(t))),
                Block::List(items) => {
                    out.extend(items.iter().map(|i| format!("- {}\n", md(i))));
                    out.push('\n');
                }
                Block::Table(head, rows) => {
                    let row = |cells: &[String]| {
                        format!("| {} |\n", cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | "))
                    };
                    out.push_str(&row(head));
                    out.push_str(&format!("|{}\n", " --- |".repeat(head.len())));
                    out.extend(rows.iter().map(|r| row(r)));
                    out.push('\n');
                }
                Block::Qr(caption, text) => out.push_str(&format!("{}: `{}`\n\n", md(caption), text.replace('`', "'"))),
            }
        }
        out
    }

    /// As one HTML page.
    pub fn html(&self) -> String {
        let mut body = String::new();
        for b in &self.blocks {
            match b {
                Block::Heading(level, t) => body.push_str(&format!("<h{l}>{}</h{l}>\n", esc(t), l = level + 1)),
                Block::Para(t) => body.push_str(&format!("<p>{}</p>\n", esc(t).replace('\n', "<br>"))),
                Block::Warn(t) => body.push_str(&format!("<p class=\"warn\">{}</p>\n", esc(t).replace('\n', "<br>"))),
                Block::List(items) => {
                    body.push_str("<ul>\n");
                    body.extend(items.iter().map(|i| format!("<li>{}</li>\n", esc(i))));
                    body.push_str("</ul>\n");
                }
                Block::Table(head, rows) => {
                    body.push_str("<table>\n<tr>");
                    body.extend(head.iter().map(|h| format!("<th>{}</th>", esc(h))));
                    body.push_str("</tr>\n");
                    for r in rows {
                        body.push_str("<tr>");
                        body.extend(r.iter().map(|c| format!("<td>{}</td>", esc(c).replace('\n', "<br>"))));
                        body.push_str("</tr>\n");
                    }
                    body.push_str("</table>\n");
                }
                Block::Qr(caption, text) => body.push_str(&format!(
                    "<figure class=\"qr\">{}<figcaption>{}<br><code>{}</code></figcaption></figure>\n",
                    super::qr::svg(text),
                    esc(caption),
                    esc(text)
                )),
            }
        }
        format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n{body}</body>\n</html>\n",
            lang = self.lang,
            title = esc(&self.title)
        )
    }
}

const STYLE: &str = "@page { size: A4; margin: 15mm; }\n\
body { font-family: sans-serif; font-size: 10.5pt; line-height: 1.5; color: #000; }\n\
h1 { font-size: 16pt; border-bottom: 2px solid #000; }\n\
h2 { font-size: 13pt; margin-top: 1.2em; border-bottom: 1px solid #888; }\n\
h3 { font-size: 11pt; margin-bottom: 0.2em; }\n\
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; page-break-inside: auto; }\n\
th, td { border: 1px solid #444; padding: 2px 4px; vertical-align: top; text-align: left; word-break: break-all; }\n\
th { background: #eee; }\n\
tr { page-break-inside: avoid; }\n\
.warn { border-left: 4px solid #000; padding-left: 6px; font-weight: bold; }\n\
figure.qr { display: flex; align-items: center; gap: 1em; margin: 0.5em 0; page-break-inside: avoid; }\n\
figure.qr svg { width: 40mm; height: 40mm; flex: none; }\n\
code { word-break: break-all; }\n";

/// Text safe inside HTML.
pub fn esc(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Text that Markdown shows as written (no markup from the evidence).
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out.replace('\n', "  \n")
}

fn cell(text: &str) -> String {
    md(text).replace("  \n", "<br>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_text_cannot_inject_markup() {
        let mut d = Doc { title: "t".into(), lang: "ja", blocks: Vec::new() };
        d.push(Block::Para("<script>alert(1)</script> *x* | [a](b)".into()));
        d.push(Block::Table(vec!["a".into()], vec![vec!["x|y\nz".into()]]));
        let html = d.html();
        assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"));
        assert!(!html.contains("http") && !html.contains("src="), "no external resources");
        let md = d.markdown();
        assert!(md.contains("\\<script\\>") && md.contains("\\*x\\*") && md.contains("\\[a\\](b)"));
        assert!(md.contains("| x\\|y<br>z |"));
    }
}
