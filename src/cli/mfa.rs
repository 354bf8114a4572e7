//! MFA codes for the headless commands: a prompt on the terminal, else one line of standard
//! input (a profile's `mfa_process` runs before, in the engine). Never a command-line flag (it
//! would show in `ps`).

use std::future::Future;
use std::io::{BufRead, IsTerminal, Write};

use zeroize::Zeroizing;

use crate::aws::error::AuthError;
use crate::aws::mfa::MfaInput;
use crate::domain::text::display_safe;
use crate::flows::sso::{LoginNote, LoginUi};

/// Reads codes without a TUI.
#[derive(Debug, Clone, Default)]
pub struct HeadlessMfa {
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

    fn asks_again(&self) -> bool {
        std::io::stdin().is_terminal() || (self.prefer_terminal && has_terminal())
    }

    fn can_ask(&self) -> bool {
        // A line of standard input is asked for only when no helper is set: after a failed
        // helper, stdin may be data the command was given.
        self.asks_again()
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
        let stdin = std::io::stdin();
        let on_terminal = stdin.is_terminal();
        if on_terminal || (self.prefer_terminal && has_terminal()) {
            if !on_terminal {
                // credential-process, called by a tool that may run in the background: say on
                // the terminal which tool waits, or the prompt looks like it came from nowhere.
                tell_terminal(&format!(
                    "\x07xrole-tui: {} (pid {}) needs an MFA code for profile {}\n",
                    parent_name(),
                    std::os::unix::process::parent_id(),
                    crate::domain::text::display_safe(profile)
                ));
            }
            let prompt = format!(
                "MFA code for {} (profile {}, {}s left on this code): ",
                crate::domain::text::display_safe(serial),
                crate::domain::text::display_safe(profile),
                crate::domain::totp::seconds_left(std::time::SystemTime::now())
            );
            return rpassword::prompt_password(prompt)
                .map(Zeroizing::new)
                .map_err(|e| {
                    AuthError::Mfa(format!("cannot read the MFA code from the terminal: {e}"))
                });
        }
        read_code_line(&mut stdin.lock()).map_err(|e| match e {
            None => AuthError::Mfa(format!(
                "profile {profile:?} needs an MFA code for {serial}: run in a terminal, give the code on standard input, or set mfa_process"
            )),
            Some(why) => AuthError::Mfa(format!("cannot read the MFA code from standard input: {why}")),
        })
    }
}

/// The longest line read as an MFA code from standard input.
pub const MAX_CODE_LINE: usize = 64;

/// One line of at most [`MAX_CODE_LINE`] bytes; `Err(None)` when the input is empty. Never
/// reads further than that, so `< /dev/zero` costs 65 bytes, not all memory.
pub(super) fn read_code_line(
    input: &mut impl BufRead,
) -> Result<Zeroizing<String>, Option<String>> {
    let mut bytes = Zeroizing::new(Vec::with_capacity(MAX_CODE_LINE + 1));
    std::io::Read::take(&mut *input, MAX_CODE_LINE as u64 + 1)
        .read_until(b'\n', &mut bytes)
        .map_err(|e| Some(e.to_string()))?;
    if bytes.is_empty() {
        return Err(None);
    }
    let line = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    if line.len() > MAX_CODE_LINE || (bytes.len() > MAX_CODE_LINE && !bytes.ends_with(b"\n")) {
        return Err(Some(format!(
            "the first line is longer than {MAX_CODE_LINE} bytes"
        )));
    }
    let text = std::str::from_utf8(line).map_err(|_| Some("it is not text".to_owned()))?;
    Ok(Zeroizing::new(text.trim().to_owned()))
}

/// The command name of the process that started this one (`/proc/PPID/comm`).
fn parent_name() -> String {
    let ppid = std::os::unix::process::parent_id();
    std::fs::read_to_string(format!("/proc/{ppid}/comm")).map_or_else(
        |_| "a program".to_owned(),
        |n| crate::domain::text::display_safe(n.trim()).into_owned(),
    )
}

/// Writes `text` on the controlling terminal, if there is one.
fn tell_terminal(text: &str) {
    use std::io::Write;
    if let Ok(mut tty) = std::fs::OpenOptions::new().write(true).open("/dev/tty") {
        let _ = tty.write_all(text.as_bytes());
    }
}

fn has_terminal() -> bool {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .is_ok()
}

/// The login's notes on stderr.
pub(super) struct TerminalLogin;

/// The AWS CLI on `PATH` is 2.32 or later (`aws login` exists): `aws-cli/2.32.0 Python/…`.
fn aws_cli_has_login() -> bool {
    let Ok(out) = std::process::Command::new("aws")
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .output()
    else {
        return false;
    };
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let Some(version) = text
        .split_whitespace()
        .find_map(|w| w.strip_prefix("aws-cli/"))
    else {
        return false;
    };
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (2, 32)
}

impl LoginUi for TerminalLogin {
    fn aws_login(&mut self, profile: &str) -> bool {
        if !aws_cli_has_login() {
            return false;
        }
        eprintln!(
            "xrole-tui: the aws login session of profile {:?} is over; signing in again with `aws login --profile {}`",
            display_safe(profile),
            display_safe(profile)
        );
        std::process::Command::new("aws")
            .args(["login", "--profile", profile])
            .status()
            .is_ok_and(|s| s.success())
    }

    fn note(&mut self, note: LoginNote<'_>) {
        let mut err = std::io::stderr().lock();
        let _ = match note {
            LoginNote::Open { url, code, browser } => {
                let _ = writeln!(
                    err,
                    "To sign in to IAM Identity Center, open this page:\n\n  {}\n",
                    display_safe(url)
                );
                if let Some(code) = code {
                    let _ = writeln!(err, "and enter the code:\n\n  {}\n", display_safe(code));
                }
                match browser {
                    Some(Ok(())) => {
                        let _ = writeln!(err, "A browser was opened on it.");
                    }
                    Some(Err(why)) => {
                        let _ = writeln!(
                            err,
                            "No browser could be opened ({}); open the page yourself.",
                            display_safe(&why)
                        );
                    }
                    None => {}
                }
                writeln!(
                    err,
                    "Waiting for the sign-in (at most 10 minutes; Ctrl-C cancels)..."
                )
            }
            LoginNote::Needed(why) => writeln!(
                err,
                "xrole-tui: {}\nxrole-tui: signing in again now",
                display_safe(why)
            ),
            LoginNote::Waiting(who) => writeln!(
                err,
                "xrole-tui: another login of this session is under way ({}); waiting for it",
                display_safe(who)
            ),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_line_is_bounded() {
        let read = |b: &[u8]| read_code_line(&mut &b[..]).map(|c| c.as_str().to_owned());
        assert_eq!(read(b"123456\n"), Ok("123456".into()));
        assert_eq!(read(b" 123456 \r\nrest"), Ok("123456".into()));
        assert_eq!(read(b"123456"), Ok("123456".into()));
        assert_eq!(read(b""), Err(None));
        assert!(read(&[0u8; 10_000])
            .unwrap_err()
            .unwrap()
            .contains("64 bytes"));
        assert!(read(&[b'1'; 65]).is_err());
        assert_eq!(read(&[b'1'; 64]).map(|c| c.len()), Ok(64));
        assert!(read(b"\xff\xfe\n").is_err());
    }
}
