//! `shodo scan PATH...`

use crate::cli::strings as txt;
use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use clap::Args;
use shodo::source;
use shodo::yara::evidence::{self, Volume};
use shodo::yara::rules;
use shodo::yara::scan::{self, Event};
use shodo::{Error, Lang, Result};

use super::bar::Bar;
use super::{Outcome, output};

/// `scan`
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// 検査するファイルまたはディレクトリ / files or directories to scan
    #[arg(required_unless_present = "case", value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// ケース内の収集済み証拠を検査（--endpoint と共に）/ scan an endpoint's collected evidence in this case
    #[arg(long, value_name = "DIR", requires = "endpoint", conflicts_with = "paths")]
    pub case: Option<PathBuf>,
    /// 端末 ID / endpoint id
    #[arg(long, value_name = "ID")]
    pub endpoint: Option<String>,
    /// 端末のボリュームを全体検査するための読み取り元（省略時は収集時の読み取り元が接続されていればそれ）/
    /// where the endpoint's volume is now, to scan all of it (default: the collection's source, if attached)
    #[arg(long, value_name = "SRC", requires = "case")]
    pub source: Option<PathBuf>,
    /// ボリュームのパーティション番号（省略時は収集時と同じ）/ partition number (default: as collected)
    #[arg(long, value_name = "N", requires = "case")]
    pub partition: Option<u32>,
    /// BitLocker の回復キーを書いたファイル（- は標準入力）/ file holding the BitLocker recovery password
    #[arg(long, value_name = "FILE", requires = "case")]
    pub recovery_key_file: Option<PathBuf>,
    /// 収集済みの証拠だけを検査し、ボリューム全体は検査しない / scan the collected evidence only
    #[arg(long, requires = "case")]
    pub no_volume: bool,
    /// ボリューム検査で見つかったもの（要求文・ツール・暗号化ファイルの見本）を証拠に保全する上限 /
    /// how much of what the volume scan finds (notes, tools, encrypted samples) is kept in the evidence
    #[arg(long, value_name = "SIZE", default_value = "256MiB", value_parser = shodo::collect::size, requires = "case")]
    pub keep_budget: u64,
    /// 記録者 / examiner
    #[arg(long, value_name = "NAME", env = "SHODO_EXAMINER")]
    pub examiner: Option<String>,
    /// 追加の YARA ルールのディレクトリ（複数可）/ more YARA rule directories (repeatable)
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// 同梱ルールを使わない / leave the bundled rules out
    #[arg(long)]
    pub no_bundled: bool,
    /// これより大きいファイルは検査しない / skip files larger than this
    #[arg(long, value_name = "SIZE", default_value = "256MiB", value_parser = shodo::collect::size)]
    pub max_size: u64,
    /// 1 ファイルあたりの制限時間（秒）/ per-file timeout in seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,
    /// YARA ルールだけを適用（ハッシュ・暗号化判定・実行ファイル解析・要求文の名前を省く）/
    /// YARA rules only (no hash, encryption check, executable facts or note names)
    #[arg(long, conflicts_with = "case")]
    pub yara_only: bool,
    /// 評価用: このファミリー固有の知識（名前・拡張子・マーカー・要求文の名前）を除いて検査 /
    /// evaluation: scan without this family's own knowledge (names, extensions, markers, note names)
    #[arg(long, value_name = "FAMILY", conflicts_with = "case")]
    pub hold_out: Option<String>,
    /// コンパイル済みルールのキャッシュ / where compiled rules are cached
    #[arg(long, value_name = "DIR", env = "SHODO_RULE_CACHE")]
    pub cache: Option<PathBuf>,
    /// 結果を JSON でまとめて出力 / JSON output
    #[arg(long, conflicts_with = "ndjson")]
    pub json: bool,
    /// 結果を 1 行 1 件の JSON で逐次出力 / one JSON object per line, as found
    #[arg(long)]
    pub ndjson: bool,
}

pub fn run(a: &ScanArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    if let Some(family) = &a.hold_out {
        shodo::ransomware::hold_out(family);
    }
    shodo::selftest::bundled_data()?;
    let set = rules::load(!a.no_bundled, &a.rules, a.cache.as_deref())?;
    for e in &set.errors {
        eprintln!("{} {}: {}", txt::RULE_FILE_NOT_LOADED.get(lang), e.file, e.message);
    }
    if let (Some(case_dir), Some(endpoint)) = (&a.case, &a.endpoint) {
        return run_case(a, case_dir, endpoint, &set, lang, out);
    }
    let rule_errors = set.errors.clone();
    let rule_info = serde_json::json!({ "sha256": set.sha256, "cached": set.cached, "files": set.files });
    let opts = scan::Options {
        max_size: a.max_size,
        timeout: Duration::from_secs(a.timeout),
        yara_only: a.yara_only,
        ..Default::default()
    };
    // Workers send events here; this thread writes them (NDJSON as they come) or keeps them.
    let (tx, rx) = mpsc::channel::<Event>();
    let mut events = Vec::new();
    let bar = Bar::new(lang);
    let summary = std::thread::scope(|s| -> Result<scan::Summary> {
        let bar = &bar;
        let worker = s.spawn(move || scan::scan(&set, &a.paths, &opts, bar, &|e| drop(tx.send(e))));
        for e in rx {
            if a.ndjson {
                let line = serde_json::to_string(&e)
                    .map_err(|e| Error::Corrupt { path: "stdout".into(), what: e.to_string() })?;
                output::line(out, &line)?;
            } else {
                events.push(e);
            }
        }
        worker.join().map_err(|_| Error::Yara("a scan worker panicked".into()))
    })?;
    if a.json {
        let report =
            serde_json::json!({ "summary": summary, "rules": rule_info, "rule_errors": rule_errors, "events": events });
        output::json(out, &report)?;
    } else if !a.ndjson {
        text(&events, &summary, lang, out)?;
    }
    Ok(if summary.hits + summary.encrypted + summary.note_names > 0 { Outcome::Findings } else { Outcome::Clean })
}

fn text(events: &[Event], s: &scan::Summary, lang: Lang, out: &mut dyn Write) -> Result<()> {
    for e in events {
        match e {
            Event::Hit(h) => {
                let desc = h.meta.get(&format!("description_{}", lang.code())).and_then(|v| v.as_str()).unwrap_or("");
                let sev = h.meta.get("severity").and_then(|v| v.as_str()).unwrap_or("-");
                let family =
                    h.attribution.first().map(|a| format!(" [{} ({})]", a.family, a.confidence)).unwrap_or_default();
                output::line(out, &format!("[{sev}] {} {} — {desc}{family}", h.rule, h.path))?;
            }
            Event::Skip(k) => {
                output::line(out, &format!("{} {} ({}) {}", txt::SKIPPED_2.get(lang), k.path, k.reason, k.detail))?
            }
            Event::Executable(x) => match (&x.facts, &x.malformed) {
                (_, Some(why)) => {
                    output::line(out, &format!("[{}] {} ({why})", txt::MALFORMED_EXECUTABLE.get(lang), x.path))?
                }
                (Some(f), None) if !f.imports_of_interest.is_empty() || !f.packer_hints.is_empty() => output::line(
                    out,
                    &format!(
                        "[{}] {} {} {}",
                        txt::EXECUTABLE.get(lang),
                        x.path,
                        f.imports_of_interest.join(", "),
                        f.packer_hints.join(", ")
                    ),
                )?,
                _ => {}
            },
            Event::NoteName(n) => {
                let family =
                    n.attribution.first().map(|a| format!(" [{} ({})]", a.family, a.confidence)).unwrap_or_default();
                let how = match n.folders {
                    Some(folders) => txt::SAME_NAME_IN_FOLDERS.fill(lang, &[("folders", &folders)]),
                    None => if n.content_match { txt::NAME_AND_CONTENT } else { txt::NAME_ONLY }.get(lang).to_string(),
                };
                let label = txt::RANSOM_NOTE_NAME.get(lang);
                output::line(out, &format!("[{label}] {} ({how}: {}){family}", n.path, n.pattern))?
            }
            Event::Container(c) => {
                output::line(out, &format!("[{}] {} ({})", txt::CONTAINER.get(lang), c.path, c.format))?
            }
            Event::Encrypted(x) => output::line(
                out,
                &format!("[{}] {} ({})", txt::ENCRYPTED.get(lang), x.path, x.assessment.reasons.join(", ")),
            )?,
        }
    }
    output::line(
        out,
        &txt::SCANNED
            .fill(lang, &[("scanned", &s.scanned), ("bytes", &s.bytes), ("hits", &s.hits), ("skipped", &s.skipped)]),
    )
}

fn run_case(
    a: &ScanArgs,
    case_dir: &std::path::Path,
    endpoint: &str,
    set: &rules::RuleSet,
    lang: Lang,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let examiners = shodo::case::Case::open(case_dir)?.file().case.examiners.clone();
    let actor = a.examiner.clone().unwrap_or_else(|| shodo::case::actor_of(&examiners));
    let writer = shodo::case::CaseWriter::open(case_dir, &actor, "scan")?;
    let opts = scan::Options {
        max_size: a.max_size,
        timeout: Duration::from_secs(a.timeout),
        keep_budget: a.keep_budget,
        ..Default::default()
    };
    let (opened, mut why_not) = open_volume(a, case_dir, endpoint);
    let volume = match (&opened, why_not.take()) {
        (Some((o, describe)), _) => Volume::Attached { root: &o.root, opened: describe.clone() },
        (None, why) => Volume::NotScanned(why.unwrap_or_default()),
    };
    if let Volume::NotScanned(why) = &volume {
        eprintln!("{} {why}", txt::NOT_SCANNING_THE_WHOLE_VOLUME_COLLECTED.get(lang));
    }
    let result = evidence::scan_endpoint(&writer, endpoint, set, &opts, &volume, &Bar::new(lang))?;
    if a.json || a.ndjson {
        output::json(out, &result)?;
    } else {
        let s = &result.summary;
        output::line(
            out,
            &txt::SCANNED_ENDPOINT.fill(
                lang,
                &[
                    ("endpoint", &endpoint),
                    ("scanned", &s.scanned),
                    ("hits", &s.hits),
                    ("skipped", &s.skipped),
                    ("findings", &result.findings),
                ],
            ),
        )?;
        for n in &result.notes {
            output::line(
                out,
                &format!("  {} {} {}", txt::RANSOM_NOTE.get(lang), n["path"].as_str().unwrap_or(""), n["iocs"]),
            )?;
        }
        for f in &result.families {
            let line = format!("  {} {} ({}: {})", txt::FAMILY.get(lang), f.family, f.confidence, f.reason);
            output::line(out, &line)?;
        }
        if let Some(v) = &result.volume_summary {
            output::line(out, &txt::WHOLE_VOLUME_SCANNED.fill(lang, &[("scanned", &v.scanned), ("hits", &v.hits)]))?;
        }
        if let Some(k) = &result.kept {
            use shodo::collect::KeepWhy;
            let of = |why: &[KeepWhy]| k.files.iter().filter(|f| why.contains(&f.why)).count();
            let line = txt::KEPT_FROM_THE_VOLUME.fill(
                lang,
                &[
                    ("files", &k.files.len()),
                    ("bytes", &k.bytes),
                    ("notes", &of(&[KeepWhy::RansomNote])),
                    ("tools", &of(&[KeepWhy::Tool, KeepWhy::SuspiciousExecutable])),
                    ("samples", &of(&[KeepWhy::EncryptedSample])),
                    ("budget", &k.budget),
                ],
            );
            output::line(out, &line)?;
            if !k.left_out.is_empty() {
                let over = k.left_out.iter().filter(|l| l.reason == "budget").count();
                output::line(out, &txt::KEPT_LEFT_OUT.fill(lang, &[("count", &k.left_out.len()), ("budget", &over)]))?;
            }
        }
        if let Some((en, ja)) = &result.keep_error {
            eprintln!("{} {}", txt::KEEP_FAILED.get(lang), lang.pick(ja, en));
        }
        if let Some(x) = &result.first_suspicious_executable {
            let label = txt::FIRST_SUSPICIOUS_EXECUTABLE.get(lang);
            output::line(out, &format!("  {label} {} {} ({})", x["time"], x["path"], x["why"]))?;
        }
        if let Some(w) = &result.encryption {
            output::line(out, &format!("  {} {w}", txt::ENCRYPTION_WINDOW.get(lang)))?;
        }
    }
    // What the rest of the volume holds counts as much as the collected evidence.
    let found =
        std::iter::once(&result.summary).chain(&result.volume_summary).any(|s| s.hits + s.encrypted + s.note_names > 0);
    Ok(if found { Outcome::Findings } else { Outcome::Clean })
}

/// The endpoint's volume opened read-only, when its source is attached and is the same volume;
/// otherwise why not.
fn open_volume(
    a: &ScanArgs,
    case_dir: &std::path::Path,
    endpoint: &str,
) -> (Option<(source::Opened, serde_json::Value)>, Option<String>) {
    if a.no_volume {
        return (None, Some("--no-volume".into()));
    }
    let key = match a.recovery_key_file.as_deref().map(super::collect::read_key).transpose() {
        Ok(k) => k,
        Err(e) => return (None, Some(e.to_string())),
    };
    match shodo::collect::open_recorded_volume(case_dir, endpoint, a.source.as_deref(), a.partition, key.as_ref()) {
        Ok(v) => (Some(v), None),
        Err(why) => (None, Some(why.to_string())),
    }
}
