//! `shodo backup baseline` and `shodo backup verify`.

use crate::cli::strings as txt;
use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use shodo::backup::{self, verify};
use shodo::{Lang, Result};

use super::bar::Bar;
use super::{Outcome, output};

/// `backup baseline`
#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// バックアップ媒体（またはその世代のフォルダ）/ the backup medium (or one generation's folder)
    #[arg(value_name = "SRC")]
    pub source: PathBuf,
    /// マニフェストの書き込み先（媒体の外）/ where to write the manifest (not on the medium)
    #[arg(long, value_name = "MANIFEST")]
    pub out: PathBuf,
    /// 世代の名前（例: 2026-11-01）/ the generation's name (e.g. 2026-11-01)
    #[arg(long, value_name = "NAME")]
    pub generation: Option<String>,
    /// JSON で出力 / JSON output
    #[arg(long)]
    pub json: bool,
}

/// `backup verify`
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// バックアップ媒体（読み取りのみ）/ the backup medium (read only)
    #[arg(value_name = "SRC")]
    pub source: PathBuf,
    /// 平時に作ったマニフェスト（世代ごとに複数可）/ baselines made in peacetime (one per generation)
    #[arg(long = "baseline", value_name = "MANIFEST")]
    pub baselines: Vec<PathBuf>,
    /// 侵害の最初の兆候の日時（これ以降の世代は候補にしない。--case で省略時はケースのタイムラインから）/
    /// first sign of compromise: later generations are not candidates (with --case: from the case's timelines when not given)
    #[arg(long, value_name = "TIME")]
    pub compromised_since: Option<String>,
    /// 結果をケースに記録（backups/<媒体名>/ と記録の連鎖）/ keep the result in this case (backups/<medium>/ and the custody log)
    #[arg(long, value_name = "DIR")]
    pub case: Option<PathBuf>,
    /// ケース内での媒体の名前（省略時は SRC の名前）/ the medium's name in the case (default: SRC's name)
    #[arg(long, value_name = "NAME", requires = "case")]
    pub medium: Option<String>,
    /// 記録者 / examiner
    #[arg(long, value_name = "NAME", env = "SHODO_EXAMINER")]
    pub examiner: Option<String>,
    /// JSON で出力 / JSON output
    #[arg(long)]
    pub json: bool,
}

pub fn baseline(a: &BaselineArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let (meta, reading) = backup::baseline(&a.source, &a.out, a.generation.as_deref(), &Bar::new(lang))?;
    if a.json {
        output::json(out, &serde_json::json!({ "manifest": a.out, "meta": meta, "skipped": reading.skipped }))?;
    } else {
        let (manifest, audit) = (a.out.display(), format!("hashdeep -a -o f -l -k {} -r .", a.out.display()));
        let (files, bytes, root) = (meta.files, meta.bytes, &meta.root);
        let text = txt::BASELINE_WRITTEN.fill(
            lang,
            &[("manifest", &manifest), ("files", &files), ("bytes", &bytes), ("root", root), ("audit", &audit)],
        );
        output::line(out, &text)?;
        for (path, why) in &meta.skipped {
            output::line(out, &format!("  {}: {path}: {why}", txt::NOT_LISTED.get(lang)))?;
        }
    }
    Ok(Outcome::Clean)
}

pub fn verify(a: &VerifyArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    shodo::selftest::bundled_data()?;
    let since = a.compromised_since.as_deref().map(shodo::clock::parse_time).transpose()?;
    // The case is opened first: a wrong --case fails before the medium is read.
    let writer = match &a.case {
        Some(case) => {
            let examiners = shodo::case::Case::open(case)?.file().case.examiners.clone();
            let actor = a.examiner.clone().unwrap_or_else(|| shodo::case::actor_of(&examiners));
            Some(shodo::case::CaseWriter::open(case, &actor, "backup verify")?)
        }
        None => None,
    };
    // Without a time from the operator, the case's timelines give the first sign.
    let from_case = match (since, &a.case) {
        (None, Some(case)) => verify::first_sign(case),
        _ => None,
    };
    let mut report =
        verify::verify(&a.source, &a.baselines, since.or(from_case.as_ref().map(|f| f.0)), &Bar::new(lang))?;
    if let Some((_, what)) = from_case {
        report.compromised_since_from = Some(format!("case timeline: {what}"));
    }
    let kept = match &writer {
        Some(w) => Some(verify::record(w, &verify::medium_name(a.medium.as_deref(), &a.source), &report)?),
        None => None,
    };
    let all_clean = report.generations.iter().all(|g| g.clean);
    if a.json {
        output::json(out, &report)?;
    } else {
        let flag = |v: Option<bool>| match v {
            Some(true) => "○",
            Some(false) => "×",
            None => "－",
        };
        output::line(
            out,
            &txt::BACKUP_READ
                .fill(lang, &[("source", &report.source), ("files", &report.files), ("bytes", &report.bytes)]),
        )?;
        output::line(out, txt::GENERATION_INTACT_CONSISTENT_UNENCRYPTED_DELTA_NORMAL.get(lang))?;
        for g in &report.generations {
            let f = &g.flags;
            output::line(
                out,
                &format!(
                    "  {}  {} {} {} {}  {}{}",
                    g.name,
                    flag(f.intact),
                    flag(Some(f.consistent)),
                    flag(Some(f.unencrypted)),
                    flag(f.delta_normal),
                    g.time.as_deref().unwrap_or("-"),
                    if g.before_compromise == Some(false) {
                        txt::AFTER_THE_FIRST_COMPROMISE_SIGN.get(lang)
                    } else {
                        ""
                    }
                ),
            )?;
            for e in &g.evidence {
                output::line(out, &format!("      {}", lang.pick(&e.ja, &e.en)))?;
            }
        }
        if let (Some(t), Some(from)) = (&report.compromised_since, &report.compromised_since_from) {
            output::line(out, &format!("{}: {t} ({from})", txt::FIRST_SIGN_OF_COMPROMISE.get(lang)))?;
        }
        let v = &report.verdict;
        output::line(
            out,
            &match &v.last_clean {
                Some(g) => txt::LAST_CLEAN_GENERATION.fill(lang, &[("generation", g)]),
                None => txt::NO_CLEAN_GENERATION.get(lang).into(),
            },
        )?;
        if let Some(bad) = &v.first_bad {
            output::line(out, &format!("{}: {bad}", txt::BOUNDARY_FIRST_GENERATION_WITH_A_PROBLEM.get(lang)))?;
            for e in &v.boundary_evidence {
                output::line(out, &format!("  {}", lang.pick(&e.ja, &e.en)))?;
            }
        }
        output::line(out, lang.pick(v.caveat_ja, v.caveat_en))?;
        if let Some(rel) = &kept {
            output::line(out, &format!("{}: {rel}", txt::KEPT_IN_THE_CASE.get(lang)))?;
        }
    }
    Ok(if all_clean { Outcome::Clean } else { Outcome::Findings })
}
