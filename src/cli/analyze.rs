//! `shodo analyze --case DIR --endpoint ID`

use crate::cli::strings as txt;
use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use shodo::detect::{artefacts, checklist};
use shodo::findings::{Kind, Severity};
use shodo::{Lang, Result};

use super::bar::Bar;
use super::{Outcome, output};

/// `analyze`
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// ケース外のイベントログ（.evtx）とレジストリハイブ（ファイルまたはディレクトリ）/ event logs (.evtx) and registry hives outside a case (files or directories)
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
    shodo::selftest::bundled_data()?;
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
        let problems: u64 = result
            .logs
            .iter()
            .map(|l| match l.kind {
                Kind::EventLog { problems, .. } => problems,
                _ => 0,
            })
            .sum();
        let counts = result.by_severity.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ");
        output::line(
            out,
            &txt::ANALYZED_ENDPOINT.fill(
                lang,
                &[
                    ("endpoint", &endpoint),
                    ("logs", &logs),
                    ("problems", &problems),
                    ("counts", &counts),
                    ("timeline", &result.timeline),
                ],
            ),
        )?;
        for d in &result.important {
            detection_line(d, lang, out)?;
        }
        for f in &result.registry_important {
            let title = lang.pick(&f.title_ja, &f.title_en);
            output::line(out, &format!("  [{}] {title} {} {}", f.severity, f.key, facts(&f.fields, &[])))?;
        }
        for r in &result.runs_important {
            let title = lang.pick(r["title_ja"].as_str().unwrap_or(""), r["title_en"].as_str().unwrap_or(""));
            let facts = r["fields"].as_object().map(|f| facts(f, &[])).unwrap_or_default();
            output::line(out, &format!("  [{}] {title} {facts}", r["severity"].as_str().unwrap_or("")))?;
        }
        if !result.connection_points.is_empty() {
            output::line(out, txt::EXTERNAL_CONNECTION_POINTS.get(lang))?;
        }
        for c in &result.connection_points {
            let detail = facts(&c.detail, &[]);
            output::line(out, &format!("  {} {} {detail} ({})", c.kind, c.name, c.evidence.join("; ")))?;
        }
    }
    if !a.json {
        let (version, answers) = &result.checklist;
        let count = |s: &str| answers.iter().filter(|x| x.status == s).count();
        output::line(
            out,
            &txt::CHECKLIST_COUNTS.fill(
                lang,
                &[
                    ("version", version),
                    ("ok", &count(checklist::COMPLIANT)),
                    ("ng", &count(checklist::NON_COMPLIANT)),
                    ("unknown", &count(checklist::UNDETERMINED)),
                ],
            ),
        )?;
        for x in answers.iter().filter(|x| x.status == checklist::NON_COMPLIANT) {
            output::line(out, &format!("  {} {} — {}", x.id, x.text, lang.pick(&x.reason_ja, &x.reason_en)))?;
        }
    }
    let important =
        !result.important.is_empty() || !result.registry_important.is_empty() || !result.runs_important.is_empty();
    Ok(if important { Outcome::Findings } else { Outcome::Clean })
}

fn detection_line(d: &shodo::detect::windows::events::Detection, lang: Lang, out: &mut dyn Write) -> Result<()> {
    let title = lang.pick(&d.title_ja, &d.title_en);
    let count = if d.count > 1 { format!(" ×{}", d.count) } else { String::new() };
    let facts = facts(&d.fields, &["burst", "accounts"]);
    output::line(out, &format!("  [{}] {} {title}{count} {facts}", d.severity, d.time))
}

/// `key=value` pairs for a line, leaving out `skip`.
fn facts(fields: &serde_json::Map<String, serde_json::Value>, skip: &[&str]) -> String {
    let pairs: Vec<String> = fields
        .iter()
        .filter(|(k, _)| !skip.contains(&k.as_str()))
        .map(|(k, v)| format!("{k}={}", v.as_str().map_or_else(|| v.to_string(), str::to_string)))
        .collect();
    pairs.join(" ")
}

/// `shodo analyze PATH...`: event logs outside a case, read-only, nothing written.
fn files(a: &AnalyzeArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let logs = artefacts::analyze_files(&a.paths, &Bar::new(lang));
    let hives = artefacts::analyze_hive_files(&a.paths);
    let prefetch = artefacts::analyze_prefetch_files(&a.paths);
    let important = logs.iter().flat_map(|l| &l.detections).any(|d| d.severity.is_serious())
        || hives.iter().flat_map(|h| &h.view.findings).any(|f| f.severity.is_serious())
        || prefetch.iter().filter_map(|p| p.concern()).any(|(sev, _, _)| sev.is_serious());
    if a.json {
        output::json(out, &serde_json::json!({ "logs": logs, "hives": hives, "prefetch": prefetch }))?;
    } else {
        for p in &prefetch {
            let line = match (&p.prefetch, &p.problem) {
                (Some(f), _) => format!(
                    "{}: {} {} {}{}",
                    p.path,
                    f.path.as_deref().unwrap_or(&f.executable),
                    txt::RUN_COUNT.get(lang),
                    f.run_count,
                    f.last_runs.first().map(|t| format!(" {} {t}", txt::LAST_RUN.get(lang))).unwrap_or_default()
                ),
                (None, why) => {
                    format!("{}: {}: {}", p.path, txt::UNREADABLE.get(lang), why.as_deref().unwrap_or(""))
                }
            };
            output::line(out, &line)?;
            if let Some((sev, title, _)) = p.concern() {
                output::line(out, &format!("  [{sev}] {}", title.get(lang)))?;
            }
        }
        for h in &hives {
            let status = match &h.problem {
                Some(why) => format!("{}: {why}", txt::UNREADABLE.get(lang)),
                None => format!("{} {}", h.view.findings.len(), txt::FINDINGS.get(lang)),
            };
            output::line(out, &format!("{}: {status}", h.path))?;
            for f in h.view.findings.iter().filter(|f| f.severity != Severity::Low) {
                let title = lang.pick(&f.title_ja, &f.title_en);
                output::line(out, &format!("  [{}] {title} {} {}", f.severity, f.key, facts(&f.fields, &[])))?;
            }
        }
        for l in &logs {
            let r = &l.report;
            output::line(
                out,
                &txt::ANALYZED_LOG.fill(
                    lang,
                    &[
                        ("path", &l.path),
                        ("records", &r.records),
                        ("problems", &r.problems),
                        ("detections", &l.detections.len()),
                    ],
                ),
            )?;
            for d in l.detections.iter().filter(|d| d.severity != Severity::Info) {
                detection_line(d, lang, out)?;
            }
        }
    }
    Ok(if important { Outcome::Findings } else { Outcome::Clean })
}
