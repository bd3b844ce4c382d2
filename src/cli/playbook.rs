//! `shodo playbook …` and `shodo poster`: the playbooks as text, a step checked off from the
//! command line, and the staff procedure as a printable A4 poster.

use crate::cli::strings as txt;
use std::io::Write;
use std::path::PathBuf;

use clap::Args as ClapArgs;
use shodo::playbook::{self, Recorder};
use shodo::{Error, Lang, Result, case, report};

use super::{Outcome, output};

/// `shodo playbook show`
#[derive(Debug, ClapArgs)]
pub struct ShowArgs {
    /// 手順書の ID（shodo playbook list）/ playbook id
    pub id: String,
    /// ケース: 済みの手順に印を付けて表示 / case: mark the steps done
    #[arg(long, value_name = "DIR")]
    pub case: Option<PathBuf>,
}

/// `shodo playbook check`
#[derive(Debug, ClapArgs)]
pub struct CheckArgs {
    /// ケースのディレクトリ / case directory
    #[arg(long, value_name = "DIR")]
    pub case: PathBuf,
    /// 手順書の ID / playbook id
    #[arg(long)]
    pub playbook: String,
    /// 手順の ID / step id
    #[arg(long)]
    pub step: String,
    /// 済みの印を取り消す / take the check back
    #[arg(long)]
    pub undo: bool,
    /// 一緒に記録するメモ / a note recorded with it
    #[arg(long)]
    pub note: Option<String>,
    /// 実施者（省略時はケースの担当者）/ who did it (default: the case's examiners)
    #[arg(long)]
    pub examiner: Option<String>,
}

/// `shodo poster`
#[derive(Debug, ClapArgs)]
pub struct PosterArgs {
    /// 病院の設定ファイル（省略時はケースの設定、次に現在のディレクトリの shodo.toml）/
    /// hospital config (default: the case's, then shodo.toml in the working directory)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// ケース（その設定の連絡先を使う）/ case whose config gives the contacts
    #[arg(long, value_name = "DIR")]
    pub case: Option<PathBuf>,
    /// 出力先の HTML / output HTML file
    #[arg(long, value_name = "FILE", default_value = "shodo-poster.html")]
    pub out: PathBuf,
}

/// `shodo playbook list`
pub fn list(lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    for pb in playbook::bundled()? {
        output::line(out, &format!("{:<22} {} ({} steps)", pb.id, pb.title.pick(lang), pb.step.len()))?;
    }
    Ok(Outcome::Clean)
}

/// `shodo playbook show ID`
pub fn show(a: &ShowArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let pb = find(&a.id)?;
    let done = a.case.as_deref().map(|c| playbook::checked(c, &pb.id)).transpose()?.unwrap_or_default();
    output::line(out, &format!("{} — {}", pb.title.pick(lang), pb.summary.pick(lang)))?;
    for (i, s) in pb.step.iter().enumerate() {
        let mark = done.get(&s.id).map_or("[ ]".to_string(), |c| format!("[x] {} {}", c.jst, c.actor));
        output::line(out, &format!("\n{}. {} {} ({}, {})", i + 1, mark, s.title.pick(lang), s.id, s.who.label(lang)))?;
        output::line(out, &format!("   {}", s.body.pick(lang)))?;
        if let Some(e) = &s.expects {
            output::line(out, &format!("   {} {}", txt::RECORD.get(lang), e.pick(lang)))?;
        }
    }
    Ok(Outcome::Clean)
}

/// `shodo playbook check`
pub fn check(a: &CheckArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let pb = find(&a.playbook)?;
    let step = pb.step(&a.step).ok_or_else(|| {
        let (ja, en) = txt::PLAYBOOK_HAS_NO_STEP.both(|_| vec![("playbook", pb.id.clone()), ("step", a.step.clone())]);
        Error::Refused { ja, en }
    })?;
    let examiners = case::Case::open(&a.case)?.file().case.examiners.clone();
    let actor = a.examiner.clone().unwrap_or_else(|| case::actor_of(&examiners));
    let rec = Recorder::Case { dir: a.case.clone(), actor };
    let jst = rec.check(&pb, step, !a.undo, a.note.as_deref())?;
    let what = if a.undo { txt::UNDO_RECORDED.get(lang) } else { txt::RECORDED_AS_DONE.get(lang) };
    output::line(out, &format!("{what}: {} / {} ({jst})", pb.id, step.id))?;
    Ok(Outcome::Clean)
}

/// `shodo poster`
pub fn poster(a: &PosterArgs, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let pb = playbook::bundled_one(playbook::STAFF)?;
    let setting = playbook::setting(a.config.as_deref(), a.case.as_deref())?;
    let html = report::poster::html(&pb, &setting, lang);
    case::write_atomic(&a.out, html.as_bytes())?;
    output::line(
        out,
        &format!("{}: {} ({} {})", txt::POSTER.get(lang), a.out.display(), txt::CONTACTS_FROM.get(lang), setting.from),
    )?;
    Ok(Outcome::Clean)
}

fn find(id: &str) -> Result<playbook::Playbook> {
    let all = playbook::bundled()?;
    let ids: Vec<String> = all.iter().map(|p| p.id.clone()).collect();
    all.into_iter().find(|p| p.id == id).ok_or_else(|| {
        let (ja, en) = txt::NO_PLAYBOOK.both(|_| vec![("id", id.to_string()), ("ids", ids.join(", "))]);
        Error::Refused { ja, en }
    })
}
