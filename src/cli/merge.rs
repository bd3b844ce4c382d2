//! `shodo merge --case DIR --from OTHER...`

use crate::cli::strings as txt;
use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use serde_json::json;
use shodo::case::{self, Merged, Placement};
use shodo::{Error, Lang, Result};

use super::bar::Bar;
use super::{Outcome, output};

/// `merge`
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// 統合先のケース / the case to merge into
    #[arg(long, value_name = "DIR")]
    pub case: PathBuf,
    /// 統合するケース（他の USB のケース、複数可。読み取りのみ）/ cases to merge in (other sticks', repeatable; only read)
    #[arg(long, value_name = "DIR", required = true, num_args = 1..)]
    pub from: Vec<PathBuf>,
    /// 記録者（省略時は SHODO_EXAMINER、次にケースの調査担当）/ who records (default: SHODO_EXAMINER, then the case's examiners)
    #[arg(long, value_name = "NAME", env = "SHODO_EXAMINER")]
    pub examiner: Option<String>,
    /// JSON で出力 / JSON output
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: &MergeArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let examiners = case::Case::open(&a.case)?.file().case.examiners.clone();
    let actor = a.examiner.clone().unwrap_or_else(|| case::actor_of(&examiners));
    let writer = case::CaseWriter::open(&a.case, &actor, "merge")?;
    let outcomes = case::merge(&writer, &a.from, &Bar::new(lang));
    let failed = outcomes.iter().filter(|o| o.is_err()).count();
    if a.json {
        let rows: Vec<_> = outcomes
            .iter()
            .zip(&a.from)
            .map(|(o, from)| match o {
                Ok(m) => json!({ "from": from, "merged": m }),
                Err(e) => json!({ "from": from, "error": { "ja": e.ja(), "en": e.to_string() } }),
            })
            .collect();
        output::json(out, &json!({ "case_dir": a.case, "sources": rows }))?;
    } else {
        for (o, from) in outcomes.iter().zip(&a.from) {
            match o {
                Ok(m) => text(m, lang, out)?,
                Err(e) => output::line(
                    out,
                    &format!("{} {}: {}", txt::NOT_MERGED.get(lang), from.display(), e.message(lang)),
                )?,
            }
        }
    }
    if failed > 0 {
        let (ja, en) = txt::CASES_COULD_NOT_BE_MERGED
            .both(|_| vec![("total", a.from.len().to_string()), ("failed", failed.to_string())]);
        return Err(Error::Refused { ja, en });
    }
    let same = outcomes.iter().flatten().any(|m| !m.same_endpoint.is_empty());
    Ok(if same { Outcome::Findings } else { Outcome::Clean })
}

fn text(m: &Merged, lang: Lang, out: &mut dyn Write) -> Result<()> {
    if m.already {
        return output::line(
            out,
            &txt::MERGED_BEFORE.fill(
                lang,
                &[
                    ("source", &m.source.display()),
                    ("case", &m.case_id),
                    ("lines", &m.head.seq),
                    ("seq", &m.seq.unwrap_or_default()),
                ],
            ),
        );
    }
    output::line(
        out,
        &txt::MERGED.fill(
            lang,
            &[
                ("source", &m.source.display()),
                ("case", &m.case_id),
                ("lines", &m.head.seq),
                ("seq", &m.seq.unwrap_or_default()),
                ("log_dir", &m.log_dir),
            ],
        ),
    )?;
    for i in &m.items {
        let what = match i.placement {
            Placement::Copied => txt::COPIED.get(lang).to_string(),
            Placement::KeptApart => txt::KEPT_APART.fill(lang, &[("to", &i.to)]),
            Placement::AlreadyPresent => txt::ALREADY_PRESENT.get(lang).to_string(),
        };
        let files = txt::FILES_2.get(lang);
        output::line(
            out,
            &format!("  {}: {what}（{} {files}、{}）", i.from, i.files, shodo::progress::human_bytes(i.bytes)),
        )?;
        if !i.unvouched.is_empty() {
            output::line(
                out,
                &format!("    {} {}", txt::NOT_ON_THE_SOURCES_RECORD_HASHED.get(lang), i.unvouched.join(", ")),
            )?;
        }
    }
    for s in &m.same_endpoint {
        let why = match s.why.as_str() {
            "same_id" => txt::SAME_ID,
            "same_hostname" => txt::SAME_HOSTNAME,
            _ => txt::SAME_DISK_SERIAL,
        }
        .get(lang);
        output::line(
            out,
            &txt::MAYBE_SAME_ENDPOINT.fill(lang, &[("endpoint", &s.endpoint), ("other", &s.other), ("why", &why)]),
        )?;
    }
    Ok(())
}
