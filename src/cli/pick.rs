//! `pick`: the profile picker, drawn on the terminal, for switching the calling shell in
//! place. On Enter the profile is authenticated (MFA modal included) and the shell lines that
//! leave the previous profile and enter the new one go to stdout, for `eval`:
//!
//! ```sh
//! xr() { eval "$(xrole-tui pick "$@")"; }
//! ```
//!
//! stdout is a pipe there, so the screen is drawn on `/dev/tty`: fd 1 points at the terminal
//! while the picker runs and is put back before the result is written.

use std::fs::OpenOptions;
use std::io::{IsTerminal, Write};
use std::os::fd::OwnedFd;

use super::creds::{in_place_env, render_unset, EnvFormat};
use super::Failure;
use crate::config::AwsFiles;
use crate::domain::text::display_safe;
use crate::flows::start::{start, Exit, Mode, Preselect};

/// Runs the picker; prints the environment of the chosen profile. Exit 1 when none was chosen.
pub fn run(
    files: &AwsFiles,
    profile: Option<String>,
    format: EnvFormat,
    no_cache: bool,
    screen_of_tui: &dyn crate::flows::start::Screen,
) -> Result<u8, Failure> {
    let tty = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|e| {
            Failure::config(format!(
                "pick draws on the terminal, and there is none: {e}"
            ))
        })?;
    let preselect = Preselect {
        named: profile,
        remembered: std::env::var("XROLE_PROFILE")
            .ok()
            .filter(|p| !p.is_empty()),
    };
    let stdout = std::io::stdout();
    let _ = stdout.lock().flush();
    let saved: OwnedFd = nix::unistd::dup(&stdout)
        .map_err(|e| Failure::config(format!("cannot keep stdout: {e}")))?;
    let screen = Screen::on(&tty)?;
    let exit = start(files, preselect, no_cache, Mode::Pick, screen_of_tui);
    drop(screen);
    nix::unistd::dup2_stdout(&saved)
        .map_err(|e| Failure::config(format!("cannot put stdout back: {e}")))?;
    match exit.map_err(Failure::config)? {
        Exit::Picked(picked) => {
            let (session, target) = *picked;
            let mut text = render_unset(format);
            text.push_str(&in_place_env(&session, target.region.as_deref(), format));
            std::io::stdout()
                .lock()
                .write_all(text.as_bytes())
                .map_err(|e| Failure::config(format!("cannot write: {e}")))?;
            let _ = writeln!(
                std::io::stderr(),
                "xrole-tui: this shell is now {}",
                display_safe(&session.profile)
            );
            Ok(0)
        }
        Exit::Quit => Ok(1),
        Exit::Signal(s) => Ok(u8::try_from(128 + s).unwrap_or(1)),
    }
}

/// fd 1 (and fd 0, when it is not a terminal) on the terminal while the picker runs; fd 0 is
/// put back when dropped (fd 1 is put back by the caller, which still has to write).
struct Screen {
    stdin: Option<OwnedFd>,
}

impl Screen {
    fn on(tty: &std::fs::File) -> Result<Self, Failure> {
        let fail = |e: nix::Error| Failure::config(format!("cannot draw on the terminal: {e}"));
        nix::unistd::dup2_stdout(tty).map_err(fail)?;
        let stdin = if std::io::stdin().is_terminal() {
            None
        } else {
            let saved = nix::unistd::dup(std::io::stdin()).map_err(fail)?;
            nix::unistd::dup2_stdin(tty).map_err(fail)?;
            Some(saved)
        };
        Ok(Self { stdin })
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        if let Some(saved) = &self.stdin {
            let _ = nix::unistd::dup2_stdin(saved);
        }
    }
}
