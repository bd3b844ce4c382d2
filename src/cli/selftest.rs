//! `shodo selftest`

use crate::cli::strings as txt;
use std::io::Write;

use shodo::{Lang, Result, selftest};

use super::{Outcome, output};

pub fn run(json: bool, lang: Lang, out: &mut dyn Write) -> Result<Outcome> {
    let checks = selftest::run();
    if json {
        output::json(out, &checks)?;
    } else {
        for c in &checks {
            let mark = if c.ok { txt::OK.get(lang) } else { txt::FAILED.get(lang) };
            output::line(out, &format!("{mark:<6} {:<8} {}", c.name, c.detail))?;
        }
    }
    Ok(if checks.iter().all(|c| c.ok) { Outcome::Clean } else { Outcome::Findings })
}
