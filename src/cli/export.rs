//! `shodo export --case DIR --to NAME... | --passphrase --out FILE` and
//! `shodo export --verify FILE --identity KEY | --passphrase`.
//!
//! The passphrase is asked on the terminal without echo, or taken from `SHODO_EXPORT_PASSPHRASE`
//! (for scripts); it is never printed, logged or recorded.

use crate::cli::strings as txt;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use age::secrecy::SecretString;
use clap::Args;
use serde_json::json;
use shodo::case::layout;
use shodo::config::{AgeRecipient, Config};
use shodo::export::{self, ArchiveCheck, ExportOptions, Key, Opener};
use shodo::lang::Text;
use shodo::{Error, Lang, Result, case};

use super::bar::Bar;
use super::{Outcome, output};

/// The environment variable a script can give the passphrase in.
const PASSPHRASE_ENV: &str = "SHODO_EXPORT_PASSPHRASE";

/// `export`
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// 書き出すケース / the case to export
    #[arg(long, value_name = "DIR", required_unless_present = "verify")]
    pub case: Option<PathBuf>,
    /// 宛先: shodo.toml の recipients の名前、または age の公開鍵 age1…（複数可）/
    /// recipient: a name from shodo.toml's recipients, or an age public key age1… (repeatable)
    #[arg(long, value_name = "NAME|age1…")]
    pub to: Vec<String>,
    /// 鍵のない相手向けにパスフレーズで暗号化（端末で入力、または環境変数 SHODO_EXPORT_PASSPHRASE）/
    /// encrypt with a passphrase for those without keys (asked on the terminal, or SHODO_EXPORT_PASSPHRASE)
    #[arg(long)]
    pub passphrase: bool,
    /// この端末だけ（複数可。省略時はケース全体）/ only these endpoints (repeatable; default: the whole case)
    #[arg(long, value_name = "ID")]
    pub endpoint: Vec<String>,
    /// 書き出すファイル（新規。ケースの外）。- は標準出力（パイプで別のマシンへ）/
    /// the archive to write (new, outside the case); - for standard output (a pipe to elsewhere)
    #[arg(long, value_name = "FILE", required_unless_present = "verify")]
    pub out: Option<PathBuf>,
    /// 書き出したアーカイブを復号して全ハッシュを確認（- は標準入力）/
    /// decrypt an archive and check every hash (- for standard input)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["case", "to", "out", "endpoint"])]
    pub verify: Option<PathBuf>,
    /// 確認に使う age の鍵ファイル（AGE-SECRET-KEY-1…）/ the age identity file to check with
    #[arg(long, value_name = "FILE", requires = "verify")]
    pub identity: Option<PathBuf>,
    /// 記録者 / who records
    #[arg(long, value_name = "NAME", env = "SHODO_EXAMINER")]
    pub examiner: Option<String>,
    /// JSON で出力 / JSON output
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: &ExportArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    match &a.verify {
        Some(archive) => verify(a, archive, lang, out),
        None => write(a, lang, out),
    }
}

fn write(a: &ExportArgs, lang: Lang, stdout: &mut dyn Write) -> Result<Outcome> {
    let (Some(dir), Some(file)) = (&a.case, &a.out) else {
        return Err(refused(txt::GIVE_CASE_AND_OUT));
    };
    // With `--out -` standard output carries the archive: what is said goes to stderr.
    let mut stderr = std::io::stderr().lock();
    let out: &mut dyn Write = if export::is_std(file) { &mut stderr } else { stdout };
    let key = key(a, dir, lang)?;
    let examiners = case::Case::open(dir)?.file().case.examiners.clone();
    let actor = a.examiner.clone().unwrap_or_else(|| case::actor_of(&examiners));
    let writer = case::CaseWriter::open(dir, &actor, "export")?;
    let opts = ExportOptions { out: file.clone(), key, endpoints: a.endpoint.clone() };
    let done = export::export(&writer, &opts, &Bar::new(lang))?;
    if a.json {
        output::json(out, &json!({ "case_dir": dir, "exported": done }))?;
        return Ok(Outcome::Clean);
    }
    let (shown, name) = match export::is_std(&done.out) {
        true => (txt::STANDARD_OUTPUT.get(lang).to_string(), "-".to_string()),
        false => (done.out.display().to_string(), file_name(&done.out)),
    };
    let opened_by = done.opened_by.join(", ").replace("passphrase", txt::PASSPHRASE_HOLDER.get(lang));
    let text = txt::EXPORTED.fill(
        lang,
        &[
            ("shown", &shown),
            ("files", &done.files),
            ("bytes", &shodo::progress::human_bytes(done.bytes)),
            ("size", &shodo::progress::human_bytes(done.size)),
            ("opened_by", &opened_by),
            ("sha256", &done.sha256),
            ("seq", &done.seq),
            ("name", &name),
        ],
    );
    output::line(out, &text)?;
    Ok(Outcome::Clean)
}

fn file_name(p: &std::path::Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn refused(text: Text) -> Error {
    Error::Refused { ja: text.ja.into(), en: text.en.into() }
}

/// The recipients named with `--to` (from the case's `shodo.toml`, or keys given as they are),
/// or the passphrase.
fn key(a: &ExportArgs, dir: &std::path::Path, lang: Lang) -> Result<Key> {
    match (a.passphrase, a.to.is_empty()) {
        (true, false) => Err(refused(txt::TO_AND_PASSPHRASE_CANNOT_BE_COMBINED)),
        (true, true) => Ok(Key::Passphrase(new_passphrase(lang)?)),
        (false, true) => Err(no_recipient(&configured(dir))),
        (false, false) => {
            let known = configured(dir);
            a.to.iter().map(|t| resolve(t, &known)).collect::<Result<Vec<_>>>().map(Key::Recipients)
        }
    }
}

fn configured(dir: &std::path::Path) -> Vec<(String, AgeRecipient)> {
    Config::load(&dir.join(layout::CONFIG_COPY))
        .map(|c| c.recipients.into_iter().map(|r| (r.name, r.age)).collect())
        .unwrap_or_default()
}

fn resolve(to: &str, known: &[(String, AgeRecipient)]) -> Result<(String, AgeRecipient)> {
    if to.trim().to_ascii_lowercase().starts_with("age1") {
        let key = AgeRecipient::try_from(to.to_string()).map_err(|why| Error::Refused { ja: why.clone(), en: why })?;
        let name = known.iter().find(|(_, k)| *k == key).map_or_else(|| key.as_str().to_string(), |(n, _)| n.clone());
        return Ok((name, key));
    }
    let matches: Vec<_> = known.iter().filter(|(n, _)| n == to || n.contains(to)).collect();
    match matches[..] {
        [one] => Ok(one.clone()),
        [] => Err(no_recipient(known)),
        _ => {
            let (ja, en) = txt::TO_MATCHES_SEVERAL_RECIPIENTS
                .both(|_| vec![("to", format!("{to:?}")), ("names", names(&matches))]);
            Err(Error::Refused { ja, en })
        }
    }
}

fn names(list: &[&(String, AgeRecipient)]) -> String {
    list.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(" / ")
}

fn no_recipient(known: &[(String, AgeRecipient)]) -> Error {
    let list: Vec<_> = known.iter().collect();
    if list.is_empty() {
        return refused(txt::NO_RECIPIENT);
    }
    let (ja, en) = txt::NAME_THE_RECIPIENT_WITH_TO.both(|_| vec![("names", names(&list))]);
    Error::Refused { ja, en }
}

fn verify(a: &ExportArgs, archive: &std::path::Path, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let opener = match (&a.identity, a.passphrase) {
        (Some(path), false) => Opener::Identity(path.clone()),
        (None, true) => Opener::Passphrase(ask(txt::PASSPHRASE_PROMPT, lang)?),
        _ => return Err(refused(txt::GIVE_EITHER_IDENTITY_OR_PASSPHRASE)),
    };
    let checked = export::check(archive, &opener, &Bar::new(lang))?;
    if a.json {
        output::json(out, &json!({ "archive": archive, "intact": checked.intact(), "check": checked }))?;
    } else {
        verify_text(&checked, lang, out)?;
    }
    Ok(if checked.intact() { Outcome::Clean } else { Outcome::Findings })
}

fn verify_text(c: &ArchiveCheck, lang: Lang, out: &mut dyn Write) -> Result<()> {
    let case = c.case_id.as_deref().unwrap_or("?");
    let head = if c.intact() {
        let left_out = match c.not_exported {
            0 => String::new(),
            n => txt::CHECK_NOT_EXPORTED.fill(lang, &[("n", &n)]),
        };
        txt::CHECK_INTACT.fill(
            lang,
            &[
                ("case", &case),
                ("members", &c.members),
                ("bytes", &shodo::progress::human_bytes(c.bytes)),
                ("entries", &c.custody_entries),
                ("vouched", &c.vouched_checked),
                ("left_out", &left_out),
            ],
        )
    } else {
        txt::CHECK_FAILED.fill(lang, &[("n", &c.problems.len()), ("case", &case)])
    };
    output::line(out, &head)?;
    for p in &c.problems {
        output::line(out, &format!("  - {}", p.text(lang)))?;
    }
    Ok(())
}

/// A new passphrase: from the environment, or asked twice on the terminal.
fn new_passphrase(lang: Lang) -> Result<SecretString> {
    let first = ask(txt::NEW_PASSPHRASE_PROMPT, lang)?;
    use age::secrecy::ExposeSecret;
    if first.expose_secret().chars().count() < export::MIN_PASSPHRASE {
        return Err(refused(txt::THE_PASSPHRASE_IS_TOO_SHORT));
    }
    if std::env::var_os(PASSPHRASE_ENV).is_none() {
        let again = ask(txt::AGAIN_PROMPT, lang)?;
        if again.expose_secret() != first.expose_secret() {
            return Err(refused(txt::THE_PASSPHRASES_DIFFER));
        }
    }
    Ok(first)
}

/// The passphrase from `SHODO_EXPORT_PASSPHRASE`, else typed on the terminal without echo.
fn ask(prompt: Text, lang: Lang) -> Result<SecretString> {
    if let Ok(p) = std::env::var(PASSPHRASE_ENV) {
        return Ok(SecretString::from(p));
    }
    if !std::io::stdin().is_terminal() {
        return Err(refused(txt::NO_TERMINAL_TO_ASK_FOR_THE_PASSPHRASE));
    }
    eprint!("{}", prompt.get(lang));
    let typed = read_hidden();
    eprintln!();
    typed.map(SecretString::from)
}

/// Reads a line from the terminal in raw mode, echoing nothing.
fn read_hidden() -> Result<String> {
    use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
    let tty_err = |e: std::io::Error| Error::io("read", "terminal".as_ref())(e);
    crossterm::terminal::enable_raw_mode().map_err(tty_err)?;
    let mut text = String::new();
    let result = loop {
        match event::read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => match k.code {
                KeyCode::Enter => break Ok(()),
                KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Err(Error::Cancelled { what: "passphrase entry" });
                }
                KeyCode::Esc => break Err(Error::Cancelled { what: "passphrase entry" }),
                KeyCode::Backspace => {
                    text.pop();
                }
                KeyCode::Char(c) => text.push(c),
                _ => {}
            },
            Ok(_) => {}
            Err(e) => break Err(tty_err(e)),
        }
    };
    let _ = crossterm::terminal::disable_raw_mode();
    result.map(|()| text)
}
