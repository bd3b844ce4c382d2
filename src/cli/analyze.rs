//! `shodo analyze --case DIR --endpoint ID`

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use shodo::analyze::artefacts;
use shodo::{Lang, Result};

use super::bar::Bar;
use super::{Outcome, output};

/// `analyze`
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// ケース外のイベントログ（.evtx のファイルまたはディレクトリ）/ event logs outside a case (.evtx files or directories)
    #[arg(required_unless_present = "case", value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// ケースのディレクトリ / case directory
    #[arg(long, value_name = "DIR", requires = "endpoint", conflicts_with = "paths")]
    pub case: Option<PathBuf>,
    /// 端末 ID / endpoint id
    #[arg(long, value_name = "ID")]
    pub endpoint: Option<String>,
    /// 記録者 / examiner
    #[arg(long, value_name = "NAME", env = "SHODO_EXAMINER")]
    pub examiner: Option<String>,
    /// JSON で出力 / JSON output
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: &AnalyzeArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let (Some(case), Some(endpoint)) = (&a.case, &a.endpoint) else {
        return files(a, lang, out);
    };
    let examiners = shodo::case::Case::open(case)?.file().case.examiners.clone();
    let actor = a.examiner.clone().unwrap_or_else(|| shodo::case::actor_of(&examiners));
    let writer = shodo::case::CaseWriter::open(case, &actor, "analyze")?;
    let result = artefacts::analyze_endpoint(&writer, endpoint, &Bar::new(lang))?;
    if a.json {
        output::json(out, &result)?;
    } else {
        let logs = result.logs.len();
        let problems: u64 = result.logs.iter().map(|l| l["problems"].as_u64().unwrap_or(0)).sum();
        let counts = result.by_severity.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
        output::line(
            out,
            &match lang {
                Lang::Ja => format!(
                    "端末 {endpoint}: イベントログ {logs} 件（読めなかった箇所 {problems}）、検出 {counts}、タイムライン {} 件",
                    result.timeline
                ),
                Lang::En => format!(
                    "endpoint {endpoint}: {logs} event logs ({problems} unreadable parts), detections {counts}, timeline {} entries",
                    result.timeline
                ),
            },
        )?;
        for d in &result.important {
            detection_line(d, lang, out)?;
        }
    }
    Ok(if result.important.is_empty() { Outcome::Clean } else { Outcome::Findings })
}

fn detection_line(d: &shodo::analyze::events::Detection, lang: Lang, out: &mut dyn Write) -> Result<()> {
    let title = lang.pick(&d.title_ja, &d.title_en);
    let facts: Vec<String> = d
        .fields
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "burst" | "accounts"))
        .map(|(k, v)| format!("{k}={}", v.as_str().map_or_else(|| v.to_string(), str::to_string)))
        .collect();
    let count = if d.count > 1 { format!(" ×{}", d.count) } else { String::new() };
    output::line(out, &format!("  [{}] {} {title}{count} {}", d.severity, d.time, facts.join(" ")))
}

/// `shodo analyze PATH...`: event logs outside a case, read-only, nothing written.
fn files(a: &AnalyzeArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let logs = artefacts::analyze_files(&a.paths, &Bar::new(lang));
    let important = logs.iter().flat_map(|l| &l.detections).any(|d| matches!(d.severity, "critical" | "high"));
    if a.json {
        output::json(out, &logs)?;
    } else {
        for l in &logs {
            let r = &l.report;
            output::line(
                out,
                &match lang {
                    Lang::Ja => format!(
                        "{}: {} 件、読めなかった箇所 {}、検出 {}",
                        l.path,
                        r.records,
                        r.problems,
                        l.detections.len()
                    ),
                    Lang::En => format!(
                        "{}: {} records, {} unreadable parts, {} detections",
                        l.path,
                        r.records,
                        r.problems,
                        l.detections.len()
                    ),
                },
            )?;
            for d in l.detections.iter().filter(|d| d.severity != "info") {
                detection_line(d, lang, out)?;
            }
        }
    }
    Ok(if important { Outcome::Findings } else { Outcome::Clean })
}
