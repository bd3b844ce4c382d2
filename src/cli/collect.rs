//! `shodo collect`

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
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_bytes: Option<u64>,
    /// 収集時間の上限（分）/ time budget in minutes
    #[arg(long, value_name = "MINUTES")]
    pub max_minutes: Option<u64>,
    /// 証拠アーカイブ 1 個の大きさ（中断時に失うのは書きかけの 1 個だけ）/ size of one evidence archive segment
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "256MiB")]
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

fn parse_size(s: &str) -> std::result::Result<u64, String> {
    collect::parse_size(s).ok_or_else(|| format!("not a size: {s} (e.g. 20GiB)"))
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
        eprintln!("{}", lang.pick(
            "注意: この Windows は休止状態（高速スタートアップ含む）です。メモリ上の情報が hiberfil.sys にあり、ファイルシステムは整合していない可能性があります。Windows を起動しないでください。",
            "note: this Windows is hibernated (or used Fast Startup): memory is in hiberfil.sys and the filesystem may be inconsistent. Do not boot Windows.",
        ));
    }
    if let Some(why) = &opened.mount_error {
        eprintln!("{}", lang.pick(
            "注意: ファイルシステムをマウントできません。ファイルは収集できませんが、NTFS のメタデータ（$MFT など）はボリュームから直接収集します。",
            "note: the filesystem cannot be mounted; its files are not collected, but the NTFS metadata ($MFT …) is read raw from the volume.",
        ));
        eprintln!("  {why}");
    }
    if n.dirty {
        eprintln!(
            "{}",
            lang.pick(
                "注意: NTFS が正常にアンマウントされていません（dirty）。",
                "note: the NTFS volume was not cleanly unmounted (dirty)."
            )
        );
    }
}

/// On a full stick, say what is kept and what to do.
fn hint(e: Error, lang: Lang) -> Error {
    if e.is_storage_full() {
        let ja = "USB メモリの空きがありません。収集済みの分は有効です（case verify で確認できます）。空きを作るか別のケースを用意し、同じコマンドを再実行すると続きから収集します。";
        let en = "The stick is full. What was collected is valid (check with case verify). Free space or use another case, then run the same command again: it resumes.";
        match lang {
            Lang::Ja => eprintln!("{ja}\n{en}"),
            Lang::En => eprintln!("{en}\n{ja}"),
        }
    }
    e
}

fn text(s: &Summary, lang: Lang, out: &mut dyn Write) -> Result<()> {
    output::line(
        out,
        &match lang {
            Lang::Ja => format!(
                "収集完了: 端末 {}（{:?}）— {} 件 {} バイト、リンク {} 件、アーカイブ {} 個{}",
                s.endpoint,
                s.os,
                s.collected,
                s.collected_bytes,
                s.symlinks,
                s.segments.len(),
                if s.resumed { "（再開）" } else { "" }
            ),
            Lang::En => format!(
                "collected: endpoint {} ({:?}) — {} files, {} bytes, {} links, {} archives{}",
                s.endpoint,
                s.os,
                s.collected,
                s.collected_bytes,
                s.symlinks,
                s.segments.len(),
                if s.resumed { " (resumed)" } else { "" }
            ),
        },
    )?;
    output::line(
        out,
        &format!(
            "{}: {} ({} {})",
            lang.pick("マニフェストのルートハッシュ", "manifest root"),
            s.manifest_root,
            s.manifest_rows,
            lang.pick("行", "rows")
        ),
    )?;
    for (reason, n) in &s.skipped {
        let examples = s.skipped_examples.get(reason).map(|e| e.join(", ")).unwrap_or_default();
        output::line(out, &format!("  {} {reason:?}: {n} — {examples}", lang.pick("未収集", "skipped")))?;
    }
    Ok(())
}
