//! `xrole-tui [--profile P]`: the TUI.

use std::io::IsTerminal;

use super::Failure;
use crate::config::AwsFiles;
use crate::domain::shell_env;
use crate::flows::start::{start, Exit, Mode, Preselect, Screen};

/// Opens the TUI on `screen`; `profile` (default `$AWS_PROFILE`) is selected first.
pub fn run(
    files: &AwsFiles,
    profile: Option<String>,
    no_cache: bool,
    screen: &dyn Screen,
) -> Result<u8, Failure> {
    shell_env::check_not_nested(
        std::env::var_os(shell_env::MARKER).as_deref(),
        std::env::var_os(shell_env::IN_PLACE).is_some(),
    )
    .map_err(Failure::config)?;
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        return Err(Failure::config(
            "the TUI needs a terminal; for scripts use the headless commands (xrole-tui --help)",
        ));
    }
    let preselect = Preselect {
        named: profile,
        remembered: std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()),
    };
    let exit = start(files, preselect, no_cache, Mode::Tui, screen).map_err(Failure::config)?;
    Ok(match exit {
        Exit::Quit | Exit::Picked(_) => 0,
        Exit::Signal(s) => u8::try_from(128 + s).unwrap_or(1),
    })
}
