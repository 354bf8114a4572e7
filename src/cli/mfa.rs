//! MFA codes for the headless commands: `mfa_process`, else a prompt on the terminal, else one
//! line of standard input. Never a command-line flag (it would show in `ps`).

use std::future::Future;
use std::io::{BufRead, IsTerminal};
use std::process::{Command, Stdio};

use zeroize::Zeroizing;

use crate::aws::authenticate::MfaInput;
use crate::aws::error::AuthError;

/// Reads codes without a TUI.
#[derive(Debug, Clone, Default)]
pub struct HeadlessMfa {
    /// The `mfa_process` command of the profile, if any.
    pub mfa_process: Option<String>,
    /// Prompt on the terminal even when stdin is not one (`credential-process`: stdout is for
    /// JSON and stdin belongs to the calling tool).
    pub prefer_terminal: bool,
}

impl MfaInput for HeadlessMfa {
    fn code(
        &mut self,
        serial: &str,
        profile: &str,
    ) -> impl Future<Output = Result<Zeroizing<String>, AuthError>> + Send {
        let result = self.read(serial, profile);
        async move { result }
    }

    fn notice(&mut self, text: &str) {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "xrole-tui: {}",
            crate::domain::text::display_safe(text)
        );
    }
}

impl HeadlessMfa {
    fn read(&self, serial: &str, profile: &str) -> Result<Zeroizing<String>, AuthError> {
        if let Some(command) = &self.mfa_process {
            return run_mfa_process(command, profile);
        }
        let stdin = std::io::stdin();
        if stdin.is_terminal() || (self.prefer_terminal && has_terminal()) {
            let prompt = format!(
                "MFA code for {} (profile {}): ",
                crate::domain::text::display_safe(serial),
                crate::domain::text::display_safe(profile)
            );
            return rpassword::prompt_password(prompt)
                .map(Zeroizing::new)
                .map_err(|e| {
                    AuthError::Mfa(format!("cannot read the MFA code from the terminal: {e}"))
                });
        }
        let mut line = Zeroizing::new(String::new());
        match stdin.lock().read_line(&mut line) {
            Ok(0) => Err(AuthError::Mfa(format!(
                "profile {profile:?} needs an MFA code for {serial}: run in a terminal, give the code on standard input, or set mfa_process"
            ))),
            Ok(_) => Ok(line),
            Err(e) => Err(AuthError::Mfa(format!("cannot read the MFA code from standard input: {e}"))),
        }
    }
}

fn has_terminal() -> bool {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .is_ok()
}

fn run_mfa_process(command: &str, profile: &str) -> Result<Zeroizing<String>, AuthError> {
    let output = Command::new("/bin/sh")
        .args(["-c", command])
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| {
            AuthError::Mfa(format!(
                "mfa_process of profile {profile:?} did not start: {e}"
            ))
        })?;
    let stdout = Zeroizing::new(output.stdout);
    if !output.status.success() {
        return Err(AuthError::Mfa(format!(
            "mfa_process of profile {profile:?} failed ({})",
            output.status
        )));
    }
    let text = String::from_utf8_lossy(&stdout);
    Ok(Zeroizing::new(
        text.lines().next().unwrap_or_default().trim().to_owned(),
    ))
}
