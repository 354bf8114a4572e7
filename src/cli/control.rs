//! `status` and `unlock`, run inside a served shell: they ask the serving process over its
//! control socket (`XROLE_CONTROL`). No async runtime, no AWS files: `status` is fast enough
//! for a prompt.

use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, SystemTime};

use serde_json::Value;
use zeroize::Zeroizing;

use super::Failure;
use crate::domain::session::{countdown, parse_rfc3339};
use crate::domain::shell_env::CONTROL;
use crate::domain::text::display_safe;

/// One request, one JSON answer, within `limit`.
fn ask(request: &str, limit: Duration) -> Result<Value, Failure> {
    let path = std::env::var_os(CONTROL).filter(|p| !p.is_empty()).ok_or_else(|| {
        Failure::config(format!(
            "not inside a shell served by xrole-tui ({CONTROL} is not set); start one with `xrole-tui exec PROFILE` or the TUI"
        ))
    })?;
    let unreachable = |e: std::io::Error| {
        Failure::config(format!(
            "the process serving this shell does not answer ({}): {e}",
            display_safe(&path.to_string_lossy())
        ))
    };
    let mut stream = UnixStream::connect(&path).map_err(unreachable)?;
    stream.set_read_timeout(Some(limit)).map_err(unreachable)?;
    stream.set_write_timeout(Some(limit)).map_err(unreachable)?;
    stream
        .write_all(format!("{request}\n").as_bytes())
        .map_err(unreachable)?;
    let mut line = String::new();
    BufReader::new(std::io::Read::take(&stream, 64 * 1024))
        .read_line(&mut line)
        .map_err(unreachable)?;
    serde_json::from_str(&line)
        .map_err(|_| Failure::config("the process serving this shell answered nonsense"))
}

/// What `status` says of a profile switched in place (`env`, `pick`): no process serves it, so
/// the store answers. Its keys are in the shell; they are good while the session they came
/// from is still in the cache (not forgotten or revoked) and has not expired.
fn in_place(files: &crate::config::AwsFiles, profile: &str) -> Result<Value, Failure> {
    let target = super::creds::resolve(files, profile)?;
    let broker = crate::aws::broker::Broker::from_env(false).map_err(Failure::config)?;
    let now = SystemTime::now();
    let expiration = std::env::var("AWS_CREDENTIAL_EXPIRATION").ok();
    let expired = expiration
        .as_deref()
        .and_then(parse_rfc3339)
        .is_some_and(|e| e <= now);
    let forgotten = broker.has_cache() && !broker.session_cached(&target);
    let message = if expired {
        Some(
            "its credentials have expired; switch again (xr, or eval \"$(xrole-tui env PROFILE)\")",
        )
    } else if forgotten {
        Some("its session was forgotten or revoked (clear, x or revoke); switch again")
    } else {
        None
    };
    Ok(serde_json::json!({
        "profile": profile,
        "in_place": true,
        "serving": message.is_none(),
        "expiration": expiration,
        "renewable_until": broker.renewable_until(&target, now).map(crate::domain::session::rfc3339),
        "message": message,
    }))
}

/// `status [--json]`: the profile, and how long it is served, as the serving process knows it
/// (or, in a shell switched in place, as the store knows it).
pub fn status(files: &crate::config::AwsFiles, json: bool) -> Result<u8, Failure> {
    let switched = std::env::var_os(CONTROL).is_none_or(|c| c.is_empty())
        && std::env::var_os(crate::domain::shell_env::IN_PLACE).is_some();
    let v = match std::env::var(crate::domain::shell_env::MARKER) {
        Ok(profile) if switched => in_place(files, &profile)?,
        _ => ask("status", Duration::from_secs(2))?,
    };
    let mut out = std::io::stdout().lock();
    let written = if json {
        writeln!(out, "{}", crate::domain::text::json_safe(&v.to_string()))
    } else {
        let profile = display_safe(v["profile"].as_str().unwrap_or("?")).into_owned();
        let text = match (v["serving"].as_bool(), v["expiration"].as_str()) {
            (Some(true), Some(exp)) => {
                let left = parse_rfc3339(exp)
                    .and_then(|e| e.duration_since(SystemTime::now()).ok())
                    .unwrap_or_default();
                let horizon = v["renewable_until"]
                    .as_str()
                    .and_then(|h| h.get(11..16))
                    .map(|hm| format!(" · renewable until {hm} UTC"))
                    .unwrap_or_default();
                format!("{profile} {}{horizon}", countdown(left))
            }
            (Some(true), None) => profile,
            _ => format!(
                "{profile} not served: {}",
                display_safe(v["message"].as_str().unwrap_or("unknown"))
            ),
        };
        writeln!(out, "{text}")
    };
    written.map_err(|e| Failure::config(format!("cannot write: {e}")))?;
    Ok(if v["serving"].as_bool() == Some(true) {
        0
    } else {
        super::EXIT_AUTH
    })
}

/// `unlock`: asks for an MFA code on this terminal and hands it to the serving process, which
/// renews the shell's session with it.
pub fn unlock() -> Result<u8, Failure> {
    let mfa = ask("mfa", Duration::from_secs(2))?;
    let Some(serial) = mfa["serial"].as_str() else {
        println!("this shell's profile needs no MFA code; nothing to unlock");
        return Ok(0);
    };
    let code =
        if std::io::stdin().is_terminal() {
            let prompt = format!("MFA code for {}: ", display_safe(serial));
            Zeroizing::new(rpassword::prompt_password(prompt).map_err(|e| {
                Failure::config(format!("cannot read the code from the terminal: {e}"))
            })?)
        } else {
            // Piped in: one line of at most 64 bytes, as the other commands read it.
            super::mfa::read_code_line(&mut std::io::stdin().lock()).map_err(|e| {
                Failure::config(e.unwrap_or_else(|| "no MFA code on standard input".into()))
            })?
        };
    let code = code.trim();
    crate::domain::validate::mfa_code(code).map_err(Failure::config)?;
    let v = ask(&format!("unlock {code}"), Duration::from_secs(90))?;
    if v["ok"].as_bool() == Some(true) {
        let until = v["expiration"].as_str().unwrap_or("when the session ends");
        if v["code_used"].as_bool() == Some(false) {
            println!("the session was still valid; the code was not needed (served until {until})");
        } else {
            println!("unlocked: this shell is served until {until}");
        }
        Ok(0)
    } else {
        Err(Failure {
            code: super::EXIT_AUTH,
            message: display_safe(v["message"].as_str().unwrap_or("unlock failed")).into_owned(),
        })
    }
}
