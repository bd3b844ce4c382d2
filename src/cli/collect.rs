//! `shodo collect`

use crate::cli::strings as txt;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use shodo::case::CaseWriter;
use shodo::collect::{self, Os, Summary};
use shodo::source;
use shodo::{Error, Lang, Result};

use super::bar::Bar;
use super::{Outcome, output};

/// `collect`
#[derive(Debug, Args)]
pub struct CollectArgs {
    /// ケースのディレクトリ / case directory
    #[arg(long, value_name = "DIR")]
    pub case: PathBuf,
    /// 証拠の読み取り元: デバイス、ディスクイメージ、またはマウント済みのディレクトリ（すべて読み取り専用で開く）/
    /// source: a device, a disk or partition image, or a mounted directory (all opened read-only)
    #[arg(long, value_name = "SRC")]
    pub source: PathBuf,
    /// ディスクのパーティション番号（省略時は Windows を含むもの、なければ最大のもの）/
    /// partition number of a disk (default: the one holding Windows, else the largest)
    #[arg(long, value_name = "N")]
    pub partition: Option<u32>,
    /// BitLocker の回復キー（48 桁）を書いたファイル（- は標準入力）。キーは記録されません /
    /// file holding the BitLocker recovery password (- for standard input); never recorded
    #[arg(long, value_name = "FILE")]
    pub recovery_key_file: Option<PathBuf>,
    /// 端末 ID（省略時はホスト名）/ endpoint id (default: the source's host name)
    #[arg(long, value_name = "ID")]
    pub endpoint: Option<String>,
    /// 対象 OS（省略時は自動判別）/ which catalogue: windows | linux (default: detected)
    #[arg(long, value_parser = parse_os)]
    pub os: Option<Os>,
    /// 収集する総量の上限（例 20GiB）/ total byte budget (e.g. 20GiB)
    #[arg(long, value_name = "SIZE", value_parser = collect::size)]
    pub max_bytes: Option<u64>,
    /// 収集時間の上限（分）/ time budget in minutes
    #[arg(long, value_name = "MINUTES")]
    pub max_minutes: Option<u64>,
    /// 証拠アーカイブ 1 個の大きさ（中断時に失うのは書きかけの 1 個だけ）/ size of one evidence archive segment
    #[arg(long, value_name = "SIZE", value_parser = collect::size, default_value = "256MiB")]
    pub segment_size: u64,
    /// 同梱の収集対象一覧の代わりに使う一覧（rules/artefacts と同じ形式）/ artefact catalogue to use instead of the bundled one
    #[arg(long, value_name = "FILE")]
    pub catalogue: Option<PathBuf>,
    /// 稼働中のこのホストのスナップショットも取る（プロセス、通信、ログイン、マウント、モジュール）/
    /// also snapshot the running host (processes, sockets, logins, mounts, modules); use with --source /
    #[arg(long)]
    pub live: bool,
    /// 記録者 / examiner
    #[arg(long, value_name = "NAME", env = "SHODO_EXAMINER")]
    pub examiner: Option<String>,
    /// JSON で出力 / JSON output
    #[arg(long)]
    pub json: bool,
}

fn parse_os(s: &str) -> std::result::Result<Os, String> {
    match s {
        "windows" => Ok(Os::Windows),
        "linux" => Ok(Os::Linux),
        _ => Err("windows | linux".into()),
    }
}

pub fn run(a: &CollectArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let examiners = shodo::case::Case::open(&a.case)?.file().case.examiners.clone();
    let actor = a.examiner.clone().unwrap_or_else(|| shodo::case::actor_of(&examiners));
    let writer = CaseWriter::open(&a.case, &actor, "collect")?;
    let key = a.recovery_key_file.as_deref().map(read_key).transpose()?;
    let opened = source::open(&a.source, a.partition, key.as_ref())?;
    warn_state(&opened, lang);
    let mut opts = collect::Options::for_opened(&opened, &a.source);
    opts.live = a.live;
    if let Some(path) = &a.catalogue {
        let text = std::fs::read_to_string(path).map_err(Error::io("read", path))?;
        opts.catalogue = Some(collect::Catalogue::parse(&path.display().to_string(), &text)?);
    }
    opts.endpoint = a.endpoint.clone();
    opts.os = a.os.or(opts.os);
    opts.max_bytes = a.max_bytes;
    opts.max_time = a.max_minutes.map(|m| Duration::from_secs(m * 60));
    opts.segment_bytes = a.segment_size.max(1);
    let progress = Bar::new(lang);
    let summary = collect::collect(&writer, &opts, &progress).map_err(|e| hint(e, lang))?;
    if a.json {
        output::json(out, &summary)?;
    } else {
        text(&summary, lang, out)?;
    }
    Ok(if summary.incomplete() { Outcome::Findings } else { Outcome::Clean })
}

pub(super) fn read_key(path: &std::path::Path) -> Result<source::RecoveryKey> {
    let text = if path == std::path::Path::new("-") {
        std::io::read_to_string(std::io::stdin()).map_err(Error::io("read", path))?
    } else {
        std::fs::read_to_string(path).map_err(Error::io("read", path))?
    };
    source::RecoveryKey::parse(&text)
}

/// Hibernated or dirty Windows: say so before anything else happens.
fn warn_state(opened: &source::Opened, lang: Lang) {
    let Some(n) = &opened.ntfs else { return };
    if n.hibernated {
        eprintln!("{}", txt::NOTE_THIS_WINDOWS_IS_HIBERNATED_OR.get(lang));
    }
    if let Some(why) = &opened.mount_error {
        eprintln!("{}", txt::NOTE_THE_FILESYSTEM_CANNOT_BE_MOUNTED.get(lang));
        eprintln!("  {why}");
    }
    if n.dirty {
        eprintln!("{}", txt::NOTE_THE_NTFS_VOLUME_WAS_NOT.get(lang));
    }
}

/// On a full stick, say what is kept and what to do.
fn hint(e: Error, lang: Lang) -> Error {
    if e.is_storage_full() {
        let full = txt::STICK_FULL;
        eprintln!("{}\n{}", full.get(lang), full.get(lang.other()));
    }
    e
}

fn text(s: &Summary, lang: Lang, out: &mut dyn Write) -> Result<()> {
    output::line(
        out,
        &txt::COLLECTED.fill(
            lang,
            &[
                ("endpoint", &s.endpoint),
                ("os", &format!("{:?}", s.os)),
                ("files", &s.collected),
                ("bytes", &s.collected_bytes),
                ("links", &s.symlinks),
                ("archives", &s.segments.len()),
                ("resumed", &if s.resumed { txt::RESUMED.get(lang) } else { "" }),
            ],
        ),
    )?;
    output::line(
        out,
        &format!("{}: {} ({} {})", txt::MANIFEST_ROOT.get(lang), s.manifest_root, s.manifest_rows, txt::ROWS.get(lang)),
    )?;
    for (reason, n) in &s.skipped {
        let examples = s.skipped_examples.get(reason).map(|e| e.join(", ")).unwrap_or_default();
        output::line(out, &format!("  {} {reason:?}: {n} — {examples}", txt::SKIPPED.get(lang)))?;
    }
    Ok(())
}
