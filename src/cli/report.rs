//! `shodo report --case DIR [--out DIR]`

use crate::cli::strings as txt;
use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use shodo::{Lang, Result};

use super::{Outcome, output};

/// `report`
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// ケースのディレクトリ / case directory
    #[arg(long, value_name = "DIR")]
    pub case: PathBuf,
    /// 報告書の写しを置く場所（ケースの reports/ には常に保存）/ also copy the reports here (they are always kept in the case's reports/)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// 記録者 / examiner
    #[arg(long, value_name = "NAME", env = "SHODO_EXAMINER")]
    pub examiner: Option<String>,
    /// JSON で出力 / JSON output
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: &ReportArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let examiners = shodo::case::Case::open(&a.case)?.file().case.examiners.clone();
    let actor = a.examiner.clone().unwrap_or_else(|| shodo::case::actor_of(&examiners));
    let writer = shodo::case::CaseWriter::open(&a.case, &actor, "report")?;
    let written = shodo::report::write(&writer, lang, a.out.as_deref())?;
    if a.json {
        output::json(out, &serde_json::json!({ "files": written }))?;
        return Ok(Outcome::Clean);
    }
    output::line(out, txt::REPORTS_WRITTEN.get(lang))?;
    for rel in &written {
        output::line(out, &format!("  {}", a.case.join(rel).display()))?;
    }
    output::line(out, txt::FILL_IN_WHAT_IS_UNDETERMINED_IN.get(lang))?;
    Ok(Outcome::Clean)
}
