//! The staff procedure as a printable A4 poster (院内掲示): the shipped staff playbook with the
//! hospital's own numbers filled in, large enough to read from a step away. The same text staff
//! mode shows, one step per screen.

use super::doc::esc;
use crate::config::{ContactRole, EffectiveContact, Origin};
use crate::lang::Lang;
use crate::playbook::{Action, Playbook, Setting};
use crate::report::strings as txt;

/// The poster as one self-contained HTML page, for the hospital `setting` describes.
pub fn html(pb: &Playbook, setting: &Setting, lang: Lang) -> String {
    let contacts = setting.contacts.as_slice();
    let title = txt::IF_A_CYBER_ATTACK_IS_SUSPECTED.get(lang);
    let sub = txt::TO_BE_POSTED_DO_THESE_IN.get(lang);
    let mut body = format!("<h1>{}</h1>\n<p class=\"sub\">{}</p>\n", esc(title), esc(sub));
    if let Some(h) = &setting.hospital {
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
    body.push_str(&in_house(setting, lang));
    body.push_str(&contact_table(contacts, lang));
    body.push_str(&format!("<p class=\"foot\">{}</p>\n", esc(&footer(pb, lang))));
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        lang.code(),
        esc(title)
    )
}

/// The numbers to call under a step that says to call.
/// The numbers to call under a step that says to call; a number nobody filled in is a blank to
/// write in by hand, as on the ministry's own poster.
fn numbers(roles: &[ContactRole], action: Option<Action>, contacts: &[EffectiveContact], lang: Lang) -> String {
    if action != Some(Action::Call) {
        return String::new();
    }
    let lines: Vec<String> = roles
        .iter()
        .map(|r| {
            let phone =
                contacts.iter().find(|c| c.role == *r).and_then(|c| c.contact.as_ref()).and_then(|k| k.phone.as_ref());
            let number = phone.map_or_else(|| BLANK.to_string(), |p| esc(&p.to_string()));
            format!("<span class=\"tel\">{}: {number}</span>", esc(r.label(lang)))
        })
        .collect();
    if lines.is_empty() { String::new() } else { format!("<br>{}", lines.join("<br>")) }
}

/// A line to fill in by hand.
const BLANK: &str = "<span class=\"blank\"></span>";

/// Whom to tell inside the hospital, from its config (blanks to fill in when it says nothing).
fn in_house(s: &Setting, lang: Lang) -> String {
    let row = |label: &str, v: &Option<String>| {
        format!("<tr><th>{}</th><td>{}</td></tr>\n", esc(label), v.as_deref().map_or_else(|| BLANK.to_string(), esc))
    };
    format!(
        "<h2>{}</h2>\n<table>\n{}{}</table>\n",
        esc(txt::IN_THE_HOSPITAL.get(lang)),
        row(txt::SECURITY_OFFICER_FOR_MEDICAL_INFORMATION_SYSTEMS.get(lang), &s.officer),
        row(txt::HOSPITAL_SWITCHBOARD.get(lang), &s.phone)
    )
}

fn contact_table(contacts: &[EffectiveContact], lang: Lang) -> String {
    let mut out = format!("<h2>{}</h2>\n<table>\n", esc(txt::OUTSIDE_THE_HOSPITAL.get(lang)));
    for c in contacts {
        let (text, class) = match (&c.contact, &c.origin) {
            (None, _) => (BLANK.to_string(), ""),
            (Some(k), Origin::Configured) => (esc(&contact_line(k)), ""),
            (Some(k), Origin::Default { source_date, .. }) => {
                let mark = txt::POSTER_SHIPPED_DEFAULT.fill(lang, &[("date", source_date)]);
                (format!("{} <small>{}</small>", esc(&contact_line(k)), esc(&mark)), " class=\"unverified\"")
            }
            (Some(k), Origin::Unset) => (esc(&contact_line(k)), ""),
        };
        out.push_str(&format!("<tr{class}><th>{}</th><td>{text}</td></tr>\n", esc(c.role.label(lang))));
    }
    out.push_str("</table>\n");
    out
}

/// Number, name, person and hours of a contact on one line.
fn contact_line(k: &crate::config::Contact) -> String {
    let parts = [k.phone.as_ref().map(|p| p.to_string()), Some(k.name.clone()), k.person.clone(), k.hours.clone()];
    parts.into_iter().flatten().collect::<Vec<_>>().join("  ")
}

fn footer(pb: &Playbook, lang: Lang) -> String {
    let sources = pb.sources.join(" / ");
    txt::POSTER_FOOTER.fill(lang, &[("title", &pb.title.pick(lang)), ("version", &pb.version), ("sources", &sources)])
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
.blank { display: inline-block; min-width: 14em; border-bottom: 1px solid #000; }\n\
.foot { font-size: 8pt; margin-top: 8pt; }\n";
