//! `shodo case init | status | verify`

use crate::cli::strings as txt;
use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use serde_json::json;
use shodo::case::{self, InitOptions, VerifyReport};
use shodo::{Lang, Result, clock};

use super::{CaseArgs, Outcome, output};

/// `case init`
#[derive(Debug, Args)]
pub struct InitArgs {
    /// 作成するケースのディレクトリ / case directory to create
    #[arg(long, value_name = "DIR")]
    pub case: PathBuf,
    /// 病院の設定ファイル（省略時はケースの親ディレクトリ、次に現在のディレクトリの shodo.toml）/
    /// hospital config (default: shodo.toml beside the case, then in the working directory)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// 覚知日時（例 "2026-11-21 03:10" は日本時間、RFC 3339 も可）/ when the hospital became aware
    #[arg(long, value_name = "TIME")]
    pub aware_at: Option<String>,
    /// 調査担当者（複数可）/ examiner (repeatable)
    #[arg(long, value_name = "NAME")]
    pub examiner: Vec<String>,
    /// 信頼できる時計で今読んだ時刻（ホスト時計のずれを記録）/ the time read now from a trusted clock
    #[arg(long, value_name = "TIME")]
    pub reference_time: Option<String>,
    /// JSON で出力 / JSON output
    #[arg(long)]
    pub json: bool,
}

pub fn init(a: &InitArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let opts = InitOptions {
        dir: a.case.clone(),
        config: a.config.clone(),
        aware_at: a.aware_at.as_deref().map(clock::parse_time).transpose()?,
        examiners: a.examiner.clone(),
        reference_time: a.reference_time.as_deref().map(clock::parse_time).transpose()?,
    };
    let created = case::init(&opts)?;
    if a.json {
        output::json(out, &json!({ "case_dir": a.case, "case": created }))?;
        return Ok(Outcome::Clean);
    }
    output::line(out, &format!("{} {} (ID {})", txt::CASE_CREATED.get(lang), a.case.display(), created.case.id))?;
    if created.hospital.is_none() {
        output::line(out, txt::NOTE_NO_SHODO_TOML_FOUND_NO.get(lang))?;
    }
    if created.case.aware_at.is_none() {
        output::line(out, txt::NOTE_TIME_OF_AWARENESS_NOT_SET.get(lang))?;
    }
    Ok(Outcome::Clean)
}

/// `case note`
#[derive(Debug, Args)]
pub struct NoteArgs {
    /// ケースのディレクトリ / case directory
    #[arg(long, value_name = "DIR")]
    pub case: PathBuf,
    /// 記録者（省略時は SHODO_EXAMINER、次にケースの調査担当）/ who writes (default: SHODO_EXAMINER, then the case's examiners)
    #[arg(long, value_name = "NAME", env = "SHODO_EXAMINER")]
    pub examiner: Option<String>,
    /// メモ本文（省略時は標準入力の各行を1件ずつ）/ the note (default: each line of standard input)
    pub text: Vec<String>,
}

pub fn note(a: &NoteArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let examiners = case::Case::open(&a.case)?.file().case.examiners.clone();
    let actor = a.examiner.clone().unwrap_or_else(|| case::actor_of(&examiners));
    let writer = case::CaseWriter::open(&a.case, &actor, "case note")?;
    let mut add = |text: &str| -> Result<()> {
        let entry = writer.record(case::NewEntry::new("note", "case", json!({ "text": text })))?;
        output::line(out, &format!("{} {} ({})", txt::RECORDED.get(lang), entry.seq, entry.jst))
    };
    if a.text.is_empty() {
        for line in std::io::stdin().lines() {
            let line = line.map_err(shodo::Error::io("read", "stdin".as_ref()))?;
            if !line.trim().is_empty() {
                add(&line)?;
            }
        }
    } else {
        add(&a.text.join(" "))?;
    }
    Ok(Outcome::Clean)
}

pub fn status(a: &CaseArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let s = case::status(&a.case)?;
    if a.json {
        output::json(out, &s)?;
    } else {
        for (label, value) in s.summary(lang) {
            output::line(out, &format!("{label}: {value}"))?;
        }
    }
    Ok(Outcome::Clean)
}

pub fn verify(a: &CaseArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let report = case::verify(&a.case)?;
    if a.json {
        output::json(out, &json!({ "case_dir": a.case, "intact": report.intact(), "report": report }))?;
    } else {
        verify_text(&report, lang, out)?;
    }
    Ok(if report.intact() { Outcome::Clean } else { Outcome::Findings })
}

fn verify_text(r: &VerifyReport, lang: Lang, out: &mut dyn Write) -> Result<()> {
    if r.intact() {
        output::line(
            out,
            &txt::VERIFY_INTACT.fill(
                lang,
                &[
                    ("entries", &r.entries),
                    ("files", &r.files_checked),
                    (
                        "merged",
                        &match r.merged_sources {
                            0 => String::new(),
                            n => txt::VERIFY_MERGED_INTACT.fill(lang, &[("n", &n)]),
                        },
                    ),
                ],
            ),
        )?;
    } else {
        output::line(out, &txt::VERIFY_FAILED.fill(lang, &[("n", &r.problems.len())]))?;
        for p in &r.problems {
            output::line(out, &format!("  - {}", p.text(lang)))?;
        }
    }
    for w in &r.warnings {
        output::line(out, &format!("  {} {}", txt::NOTE.get(lang), w.text(lang)))?;
    }
    Ok(())
}
