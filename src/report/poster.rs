//! The staff procedure as a printable A4 poster (院内掲示): the shipped staff playbook with the
//! hospital's own numbers filled in, large enough to read from a step away. The same text staff
//! mode shows, one step per screen.

use super::doc::esc;
use crate::case::contact_text;
use crate::config::{ContactRole, EffectiveContact, Origin};
use crate::lang::Lang;
use crate::playbook::{Action, Playbook};

/// The poster as one self-contained HTML page.
pub fn html(pb: &Playbook, contacts: &[EffectiveContact], hospital: Option<&str>, lang: Lang) -> String {
    let title = lang.pick("サイバー攻撃を受けた疑いがあるとき", "If a cyber attack is suspected");
    let sub = lang.pick("院内掲示用 — この順に行ってください", "To be posted — do these in order");
    let mut body = format!("<h1>{}</h1>\n<p class=\"sub\">{}</p>\n", esc(title), esc(sub));
    if let Some(h) = hospital {
        body.push_str(&format!("<p class=\"hospital\">{}</p>\n", esc(h)));
    }
    body.push_str("<ol>\n");
    for step in &pb.step {
        body.push_str(&format!(
            "<li><b>{}</b><br>{}{}</li>\n",
            esc(step.title.pick(lang)),
            esc(step.body.pick(lang)),
            numbers(&step.call, step.action, contacts, lang)
        ));
    }
    body.push_str("</ol>\n");
    body.push_str(&contact_table(contacts, lang));
    body.push_str(&format!("<p class=\"foot\">{}</p>\n", esc(&footer(pb, lang))));
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        lang.code(),
        esc(title)
    )
}

/// The numbers to call under a step that says to call.
fn numbers(roles: &[ContactRole], action: Option<Action>, contacts: &[EffectiveContact], lang: Lang) -> String {
    if action != Some(Action::Call) {
        return String::new();
    }
    let lines: Vec<String> = roles
        .iter()
        .filter_map(|r| contacts.iter().find(|c| c.role == *r))
        .map(|c| {
            let phone = c.contact.as_ref().and_then(|k| k.phone.as_ref()).map(|p| p.to_string());
            format!(
                "<span class=\"tel\">{}: {}</span>",
                esc(c.role.label(lang)),
                esc(&phone.unwrap_or_else(|| lang.pick("［番号未記入］", "[number not filled in]").into()))
            )
        })
        .collect();
    if lines.is_empty() { String::new() } else { format!("<br>{}", lines.join("<br>")) }
}

fn contact_table(contacts: &[EffectiveContact], lang: Lang) -> String {
    let mut out = format!("<h2>{}</h2>\n<table>\n", esc(lang.pick("連絡先", "Contacts")));
    for c in contacts {
        let hours = c.contact.as_ref().and_then(|k| k.hours.clone()).unwrap_or_default();
        let class = if matches!(c.origin, Origin::Configured) { "" } else { " class=\"unverified\"" };
        out.push_str(&format!(
            "<tr{class}><th>{}</th><td>{}</td><td>{}</td></tr>\n",
            esc(c.role.label(lang)),
            esc(&contact_text(c, lang)),
            esc(&hours)
        ));
    }
    out.push_str("</table>\n");
    out
}

fn footer(pb: &Playbook, lang: Lang) -> String {
    let sources = pb.sources.join(" / ");
    match lang {
        Lang::Ja => format!("shodo 手順書「{}」版 {} に基づく。出典: {sources}", pb.title.ja, pb.version),
        Lang::En => format!("From shodo playbook \"{}\", version {}. Sources: {sources}", pb.title.en, pb.version),
    }
}

const STYLE: &str = "@page { size: A4; margin: 12mm; }\n\
body { font-family: sans-serif; color: #000; }\n\
h1 { font-size: 26pt; margin: 0 0 4pt 0; border-bottom: 4px solid #000; }\n\
h2 { font-size: 15pt; margin: 10pt 0 4pt 0; }\n\
.sub { font-size: 13pt; margin: 0; }\n\
.hospital { font-size: 14pt; font-weight: bold; }\n\
ol { font-size: 15pt; line-height: 1.45; padding-left: 1.4em; }\n\
li { margin-bottom: 8pt; page-break-inside: avoid; }\n\
.tel { font-size: 20pt; font-weight: bold; }\n\
table { border-collapse: collapse; width: 100%; font-size: 11pt; }\n\
th, td { border: 1px solid #000; padding: 3px 5px; text-align: left; vertical-align: top; }\n\
.unverified td { font-style: italic; }\n\
.foot { font-size: 8pt; margin-top: 8pt; }\n";
