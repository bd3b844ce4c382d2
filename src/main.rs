//! The `shodo` binary: parse the command line, hand off to the CLI or the TUI, map the outcome
//! to an exit code (0 clean, 1 findings or verification failure, 2 errors).

mod cli;
mod tui;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    let lang = args.lang();
    let outcome = match args.command {
        Some(cli::Command::Staff(a)) if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() => {
            tui::staff(a.case, a.config, a.record, a.name, lang).map(|()| cli::Outcome::Clean)
        }
        Some(command) => cli::run(command, lang),
        None if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() => {
            tui::run(args.case, lang).map(|()| cli::Outcome::Clean)
        }
        None => cli::print_help(),
    };
    match outcome {
        Ok(outcome) => outcome.exit_code(),
        Err(e) => {
            cli::print_error(&e, lang);
            ExitCode::from(2)
        }
    }
}
