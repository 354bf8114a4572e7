use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    xrole_tui::cli::run(xrole_tui::cli::Cli::parse())
}
