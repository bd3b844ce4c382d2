//! `shodo backup baseline` and `shodo backup verify`.

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
        let text = match lang {
            Lang::Ja => format!(
                "{manifest} にベースラインを書きました: {files} ファイル、{bytes} バイト、ルートハッシュ {root}（監査: cd 媒体 && {audit}）"
            ),
            Lang::En => {
                format!(
                    "baseline written to {manifest}: {files} files, {bytes} bytes, root {root} (audit: cd MEDIUM && {audit})"
                )
            }
        };
        output::line(out, &text)?;
        for (path, why) in &meta.skipped {
            output::line(out, &format!("  {}: {path}: {why}", lang.pick("載せていません", "not listed")))?;
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
            &match lang {
                Lang::Ja => format!(
                    "{}: {} ファイル、{} バイトを読み取りました（書き込みなし）",
                    report.source, report.files, report.bytes
                ),
                Lang::En => {
                    format!("{}: read {} files, {} bytes (nothing written)", report.source, report.files, report.bytes)
                }
            },
        )?;
        output::line(
            out,
            lang.pick(
                "世代  完全 整合 暗号化なし 変化正常  日時",
                "generation  INTACT CONSISTENT UNENCRYPTED DELTA-NORMAL  time",
            ),
        )?;
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
                        lang.pick("（侵害の兆候より後）", " (after the first compromise sign)")
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
            output::line(out, &format!("{}: {t} ({from})", lang.pick("侵害の最初の兆候", "first sign of compromise")))?;
        }
        let v = &report.verdict;
        output::line(
            out,
            &match (&v.last_clean, lang) {
                (Some(g), Lang::Ja) => format!("最後のクリーンな世代: {g}"),
                (Some(g), Lang::En) => format!("last clean generation: {g}"),
                (None, Lang::Ja) => "クリーンな世代はありません".into(),
                (None, Lang::En) => "no clean generation".into(),
            },
        )?;
        if let Some(bad) = &v.first_bad {
            output::line(
                out,
                &format!(
                    "{}: {bad}",
                    lang.pick("境界（最初の問題のある世代）", "boundary (first generation with a problem)")
                ),
            )?;
            for e in &v.boundary_evidence {
                output::line(out, &format!("  {}", lang.pick(&e.ja, &e.en)))?;
            }
        }
        output::line(out, lang.pick(v.caveat_ja, v.caveat_en))?;
        if let Some(rel) = &kept {
            output::line(out, &format!("{}: {rel}", lang.pick("ケースに記録しました", "kept in the case")))?;
        }
    }
    Ok(if all_clean { Outcome::Clean } else { Outcome::Findings })
}
