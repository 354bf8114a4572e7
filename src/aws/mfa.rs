//! MFA codes: where they come from ([`MfaInput`]: a terminal prompt, the TUI's modal, a code
//! handed in by `unlock`, nobody), and the one order in which they are tried: the profile's
//! `mfa_process`, then the person.

use std::future::Future;
use std::time::SystemTime;

use zeroize::Zeroizing;

use super::cache::Cache;
use super::error::AuthError;
use crate::domain::validate;

/// How a person gives an MFA code: a terminal prompt or a line of stdin (`cli/mfa.rs`), the
/// TUI's modal (`runtime/executor.rs`), a code handed in by `unlock` or nobody at all (a served
/// child, `serve/`). A profile's `mfa_process` comes first, for every one of them, in one place
/// ([`code_for`], called by the engine).
pub trait MfaInput: Send {
    /// A code for `serial`, asked on behalf of `profile`.
    fn code(
        &mut self,
        serial: &str,
        profile: &str,
    ) -> impl Future<Output = Result<Zeroizing<String>, AuthError>> + Send;

    /// Tells the user something while they wait (another process holds a lock).
    fn notice(&mut self, _text: &str) {}

    /// True when a refused code can be asked for again at once (a terminal prompt); the TUI's
    /// modal gets the reason instead and the user types the next code there.
    fn asks_again(&self) -> bool {
        false
    }

    /// True when a person can be asked at all, so that a failed `mfa_process` falls back to
    /// asking (the TUI's modal, a terminal); false where nobody can answer (a served child's
    /// endpoint), and then the helper's failure is the answer.
    fn can_ask(&self) -> bool {
        true
    }
}

/// Why `code` cannot be sent for `serial`: not 6 digits, or already accepted on that device
/// (AWS would refuse it).
fn refused(code: &str, serial: &str, cache: Option<&Cache>) -> Option<String> {
    match validate::mfa_code(code) {
        Err(e) => Some(e),
        Ok(()) if cache.is_some_and(|c| c.code_used(serial, code, SystemTime::now())) => {
            Some(format!(
                "that code was already used on {serial}: wait for the next code ({}s)",
                crate::domain::totp::seconds_left(SystemTime::now())
            ))
        }
        Ok(()) => None,
    }
}

/// A code for `serial`: the profile's `mfa_process` first (saying so: a hardware key may want a
/// touch), then the person, when the helper fails and someone can be asked.
pub(super) async fn code_for(
    mfa: &mut impl MfaInput,
    serial: &str,
    profile: &str,
    cache: Option<&Cache>,
    helper: Option<&str>,
) -> Result<Zeroizing<String>, AuthError> {
    if let Some(command) = helper {
        mfa.notice(&format!(
            "running mfa_process for {serial} (touch your security key if it blinks)…"
        ));
        let got = mfa_process_code(command.to_owned(), profile.to_owned())
            .await
            .and_then(|raw| {
                let code = Zeroizing::new(raw.trim().to_owned());
                match refused(&code, serial, cache) {
                    None => Ok(code),
                    Some(why) => Err(AuthError::Mfa(format!(
                        "mfa_process of profile {profile:?}: {why}"
                    ))),
                }
            });
        match got {
            Ok(code) => return Ok(code),
            Err(e) if mfa.can_ask() => mfa.notice(&format!("{e}; type the code instead")),
            Err(e) => return Err(e),
        }
    }
    ask(mfa, serial, profile, cache).await
}

/// A code for `serial` from the person: 6 digits, and not one already accepted on that device. An input that can ask again ([`MfaInput::asks_again`], a terminal prompt) is asked up
/// to three times; any other gets the reason, with nothing sent to AWS.
async fn ask(
    mfa: &mut impl MfaInput,
    serial: &str,
    profile: &str,
    cache: Option<&Cache>,
) -> Result<Zeroizing<String>, AuthError> {
    let mut tries = 0;
    loop {
        tries += 1;
        let raw = mfa.code(serial, profile).await?;
        let code = Zeroizing::new(raw.trim().to_owned());
        match refused(&code, serial, cache) {
            None => return Ok(code),
            Some(why) if tries < 3 && mfa.asks_again() => mfa.notice(&why),
            Some(why) => return Err(AuthError::Mfa(format!("{why}; nothing was sent to AWS"))),
        }
    }
}

/// A code from the profile's `mfa_process`, run off the async threads within its bounds.
async fn mfa_process_code(
    command: String,
    profile: String,
) -> Result<Zeroizing<String>, AuthError> {
    tokio::task::spawn_blocking(move || crate::helper::mfa_code(&command, &profile))
        .await
        .map_err(|e| AuthError::Mfa(format!("mfa_process did not run: {e}")))?
        .map_err(AuthError::Mfa)
}
