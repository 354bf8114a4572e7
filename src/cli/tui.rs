//! `xrole-tui [--profile P]`: the TUI.

use std::io::IsTerminal;
use std::sync::Arc;

use super::Failure;
use crate::config::AwsFiles;
use crate::domain::shell_env;
use crate::domain::text::display_safe;
use crate::runtime::event_loop::Exit;

/// Opens the TUI; `profile` (default `$AWS_PROFILE`) is selected first.
pub fn run(files: &AwsFiles, profile: Option<String>, no_cache: bool) -> Result<u8, Failure> {
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
    let loaded = files
        .load()
        .map_err(|e| Failure::config(display_safe(&e.to_string())))?;
    // Checked before the screen changes: a bad XROLE_MIN_TTL is said on the normal screen.
    let broker = crate::aws::broker::Broker::from_env(no_cache).map_err(Failure::config)?;
    let preselect = profile.or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::config(format!("cannot start the async runtime: {e}")))?;
    let exit = runtime
        .block_on(crate::runtime::run(
            Arc::new(loaded.set),
            preselect,
            broker,
            files.clone(),
            crate::runtime::Mode::Tui,
        ))
        .map_err(|e| Failure::config(format!("terminal error: {e}")))?;
    Ok(match exit {
        Exit::Quit | Exit::Picked(_) => 0,
        Exit::Signal(s) => u8::try_from(128 + s).unwrap_or(1),
    })
}
