//! `shodo merge --case DIR --from OTHER...`

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
                    &format!("{} {}: {}", lang.pick("統合できません", "not merged"), from.display(), e.message(lang)),
                )?,
            }
        }
    }
    if failed > 0 {
        return Err(Error::Refused {
            ja: format!("{} 件中 {failed} 件のケースを統合できませんでした（上記）", a.from.len()),
            en: format!("{failed} of {} cases could not be merged (see above)", a.from.len()),
        });
    }
    let same = outcomes.iter().flatten().any(|m| !m.same_endpoint.is_empty());
    Ok(if same { Outcome::Findings } else { Outcome::Clean })
}

fn text(m: &Merged, lang: Lang, out: &mut dyn Write) -> Result<()> {
    if m.already {
        return output::line(
            out,
            &match lang {
                Lang::Ja => format!(
                    "{}（ケース {}、記録 {} 行まで）は統合済みです（{} 行目）。何もしていません",
                    m.source.display(),
                    m.case_id,
                    m.head.seq,
                    m.seq.unwrap_or_default()
                ),
                Lang::En => format!(
                    "{} (case {}, record up to line {}) was merged before (line {}); nothing done",
                    m.source.display(),
                    m.case_id,
                    m.head.seq,
                    m.seq.unwrap_or_default()
                ),
            },
        );
    }
    output::line(
        out,
        &match lang {
            Lang::Ja => format!(
                "統合しました: {}（ケース {}、記録 {} 行、検証済み）→ 記録 {} 行目。統合元の記録は {} に保存",
                m.source.display(),
                m.case_id,
                m.head.seq,
                m.seq.unwrap_or_default(),
                m.log_dir
            ),
            Lang::En => format!(
                "merged {} (case {}, {} lines, verified) on line {}; its own record is kept in {}",
                m.source.display(),
                m.case_id,
                m.head.seq,
                m.seq.unwrap_or_default(),
                m.log_dir
            ),
        },
    )?;
    for i in &m.items {
        let what = match (i.placement, lang) {
            (Placement::Copied, Lang::Ja) => "複写".to_string(),
            (Placement::Copied, Lang::En) => "copied".to_string(),
            (Placement::KeptApart, Lang::Ja) => format!("同名の別の証拠があるため {} に分けて複写", i.to),
            (Placement::KeptApart, Lang::En) => {
                format!("kept apart as {} (the case holds other evidence by that name)", i.to)
            }
            (Placement::AlreadyPresent, Lang::Ja) => "既に同じ内容あり".to_string(),
            (Placement::AlreadyPresent, Lang::En) => "already present".to_string(),
        };
        let files = lang.pick("ファイル", "files");
        output::line(
            out,
            &format!("  {}: {what}（{} {files}、{}）", i.from, i.files, shodo::progress::human_bytes(i.bytes)),
        )?;
        if !i.unvouched.is_empty() {
            output::line(
                out,
                &format!(
                    "    {} {}",
                    lang.pick(
                        "統合元の記録にないファイル（ここでハッシュを記録）:",
                        "not on the source's record (hashed here):"
                    ),
                    i.unvouched.join(", ")
                ),
            )?;
        }
    }
    for s in &m.same_endpoint {
        let why = match (s.why.as_str(), lang) {
            ("same_id", Lang::Ja) => "同じ端末名で内容が異なる",
            ("same_id", Lang::En) => "same id, other evidence",
            ("same_hostname", Lang::Ja) => "ホスト名が同じ",
            ("same_hostname", Lang::En) => "same host name",
            (_, Lang::Ja) => "ディスクのシリアル番号が同じ",
            (_, Lang::En) => "same disk serial",
        };
        output::line(
            out,
            &match lang {
                Lang::Ja => format!(
                    "  確認: {} は {} と同じ端末の可能性があります（{why}）。別々に保存しています",
                    s.endpoint, s.other
                ),
                Lang::En => {
                    format!("  check: {} may be the same machine as {} ({why}); both are kept", s.endpoint, s.other)
                }
            },
        )?;
    }
    Ok(())
}
