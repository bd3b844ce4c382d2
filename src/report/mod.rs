//! Reports from the case: the incident model (`report.json`) and the documents a Japanese
//! hospital must send, written into `reports/` and put on the custody record. Reads the case;
//! runs nothing.
//!
//! Written: the 個人情報保護委員会 漏えい等報告 (速報 and 確報), the 厚生労働省 report, the police
//! material with the evidence list, the checklist assessment across endpoints, the recurrence
//! review, the case's timeline for Timesketch, a STIX 2.1 bundle of the indicators, and a
//! printable custody sheet per endpoint.

pub mod doc;
pub mod mhlw;
pub mod model;
pub mod police;
pub mod poster;
pub mod ppc;
pub mod qr;
pub mod review;
pub mod sheet;
pub mod stix;
pub mod strings;

use std::path::Path;

use serde_json::json;

use crate::case::layout;
use crate::case::layout::{MODEL, REPORTS_DIR};
use crate::case::{CaseWriter, FileRef, NewEntry};
use crate::error::{Error, Result};
use crate::lang::Lang;

/// Writes the model and the reports in `lang` into the case's `reports/` (and, when `out` is
/// given, copies them there); returns the paths written, relative to the case.
pub fn write(writer: &CaseWriter, lang: Lang, out: Option<&Path>) -> Result<Vec<String>> {
    let dir = writer.case().dir();
    let model = model::build(dir)?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let text =
        serde_json::to_vec_pretty(&model).map_err(|e| Error::Corrupt { path: MODEL.into(), what: e.to_string() })?;
    files.push((MODEL.into(), text));
    for (stage, name) in [(ppc::Stage::Sokuho, "ppc-sokuho"), (ppc::Stage::Kakuho, "ppc-kakuho")] {
        let d = ppc::doc(&model, stage, lang);
        files.push((format!("{name}.{}.md", lang.code()), d.markdown().into_bytes()));
        files.push((format!("{name}.{}.html", lang.code()), d.html().into_bytes()));
    }
    let mhlw = mhlw::doc(&model, lang);
    files.push((format!("mhlw.{}.md", lang.code()), mhlw.markdown().into_bytes()));
    files.push((format!("mhlw.{}.html", lang.code()), mhlw.html().into_bytes()));
    let police = police::doc(dir, &model, lang);
    files.push((format!("police.{}.md", lang.code()), police.markdown().into_bytes()));
    files.push((format!("police.{}.html", lang.code()), police.html().into_bytes()));
    let checklist = review::checklist_doc(dir, &model, lang);
    files.push((format!("checklist.{}.md", lang.code()), checklist.markdown().into_bytes()));
    files.push((format!("checklist.{}.html", lang.code()), checklist.html().into_bytes()));
    let recurrence = review::recurrence_doc(dir, &model, lang);
    files.push((format!("recurrence.{}.md", lang.code()), recurrence.markdown().into_bytes()));
    files.push((format!("recurrence.{}.html", lang.code()), recurrence.html().into_bytes()));
    files.push((layout::EVIDENCE_LIST.into(), police::evidence_list(dir, &model).into_bytes()));
    files.push(("timeline.csv".into(), police::timesketch(dir, &model).into_bytes()));
    let created = crate::clock::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let bundle = serde_json::to_vec_pretty(&stix::bundle(&model, &created))
        .map_err(|e| Error::Corrupt { path: "iocs.stix.json".into(), what: e.to_string() })?;
    files.push(("iocs.stix.json".into(), bundle));
    let entries = crate::case::all_entries(dir)?;
    for e in &model.endpoints {
        let sheet = sheet::doc(dir, &model, &e.id, &entries, lang);
        let name = sheet::file_name(&e.id, lang);
        files.push((format!("{name}.md"), sheet.markdown().into_bytes()));
        files.push((format!("{name}.html"), sheet.html().into_bytes()));
    }
    let mut written = Vec::new();
    for (name, bytes) in &files {
        let rel = format!("{REPORTS_DIR}/{name}");
        crate::case::write_atomic(&dir.join(&rel), bytes)?;
        if let Some(out) = out {
            std::fs::create_dir_all(out).map_err(Error::io("create", out))?;
            std::fs::write(out.join(name), bytes).map_err(Error::io("write", &out.join(name)))?;
        }
        written.push(rel);
    }
    let refs = written.iter().map(|r| FileRef::of(dir, r)).collect::<Result<Vec<_>>>()?;
    let detail = json!({ "lang": lang.code(), "files": written, "aware_at": model.aware_at.value,
                         "occurred_at": model.occurred_at.value, "out": out });
    writer.record(NewEntry::new("report.write", &model.case_id, detail).with_files(refs))?;
    Ok(written)
}
