//! The command line: the TUI by default, and the headless commands for scripts.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::AwsFiles;

pub mod list;

/// Exit code for a usage or configuration error.
pub const EXIT_CONFIG: u8 = 2;
/// Exit code for an authentication error (denied, MFA rejected, expired).
pub const EXIT_AUTH: u8 = 3;

/// Move between AWS accounts and roles from the terminal.
#[derive(Debug, Parser)]
#[command(name = "xrole-tui", version, about, arg_required_else_help = true)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The headless commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every profile of the AWS config and credentials files, with its problems.
    List {
        /// Print a JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// Runs the parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let files = AwsFiles::from_env();
    let result = match cli.command {
        Some(Command::List { json }) => list::run(&files, json),
        None => Ok(()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "xrole-tui: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// A command that failed: the message for stderr and the exit code.
#[derive(Debug)]
pub struct Failure {
    /// For a person (already made safe to print).
    pub message: String,
    /// The process exit code.
    pub code: u8,
}

impl Failure {
    /// A configuration error (exit code 2).
    pub fn config(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: EXIT_CONFIG,
        }
    }
}
