//! `whoami`, `env`, `exec` and `credential-process`: the credential engine without the TUI.

use std::ffi::OsString;
use std::io::{self, Write};
use std::time::SystemTime;

use serde_json::{json, Map, Value};

use super::mfa::HeadlessMfa;
use super::Failure;
use crate::aws::authenticate::{Engine, Outcome};
use crate::aws::cache::Cache;
use crate::aws::error::AuthError;
use crate::aws::sdk;
use crate::config::AwsFiles;
use crate::domain::profile::Key;
use crate::domain::session::{countdown, rfc3339, Session};
use crate::domain::shell_env::{self, MARKER, REMOVED};
use crate::domain::text::display_safe;
use crate::domain::ProfileSet;

/// Output formats of `env`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EnvFormat {
    /// `export NAME='value'` for sh, bash, zsh.
    Sh,
    /// `set -gx NAME 'value'` for fish.
    Fish,
    /// `$Env:NAME = 'value'` for PowerShell.
    Powershell,
    /// A JSON object of the variables.
    Json,
}

impl From<AuthError> for Failure {
    fn from(e: AuthError) -> Self {
        Failure {
            code: e.exit_code(),
            message: e.to_string(),
        }
    }
}

/// Loads the profiles, authenticates `profile` and returns the set with the outcome.
pub(super) async fn authenticate(
    files: &AwsFiles,
    profile: &str,
    no_cache: bool,
    prefer_terminal: bool,
) -> Result<(ProfileSet, Engine, Outcome), Failure> {
    let set = files
        .load()
        .map_err(|e| Failure::config(display_safe(&e.to_string())))?
        .set;
    let p = set.get(profile).ok_or_else(|| {
        Failure::config(format!("there is no profile {:?}", display_safe(profile)))
    })?;
    let region = p.get(Key::Region).map(str::to_owned);
    let mfa_process = set.plan(profile).ok().and_then(|plan| {
        plan.chain.iter().find_map(|n| {
            set.get(n)
                .and_then(|p| p.get(Key::MfaProcess))
                .map(str::to_owned)
        })
    });
    let engine = Engine {
        sdk: sdk::load(Some(profile), region.as_deref()).await,
        cache: if no_cache { None } else { Cache::from_env() },
        customize: None,
    };
    let mut mfa = HeadlessMfa {
        mfa_process,
        prefer_terminal,
    };
    let outcome = engine
        .authenticate(&set, profile, &mut mfa, SystemTime::now())
        .await?;
    let mut err = io::stderr().lock();
    for note in &outcome.notes {
        let _ = writeln!(err, "xrole-tui: note: {}", display_safe(note));
    }
    Ok((set, engine, outcome))
}

fn region_of(set: &ProfileSet, profile: &str) -> Option<String> {
    set.get(profile)
        .and_then(|p| p.get(Key::Region))
        .map(str::to_owned)
}

/// `whoami PROFILE [--json]`.
pub async fn whoami(
    files: &AwsFiles,
    profile: &str,
    json: bool,
    no_cache: bool,
) -> Result<u8, Failure> {
    let (_, engine, outcome) = authenticate(files, profile, no_cache, false).await?;
    let creds = &outcome.session.credentials;
    let id = engine.whoami(creds, profile).await?;
    let expiration = creds.expiration.map(rfc3339);
    let mut out = io::stdout().lock();
    let written = if json {
        let v = json!({
            "profile": profile,
            "account": id.account,
            "arn": id.arn,
            "user_id": id.user_id,
            "expiration": expiration,
        });
        writeln!(out, "{v}")
    } else {
        let left = creds
            .remaining(SystemTime::now())
            .map(|d| format!(" (in {})", countdown(d)))
            .unwrap_or_default();
        writeln!(
            out,
            "profile  {}\naccount  {}\narn      {}\nuser_id  {}\nexpires  {}{left}",
            display_safe(profile),
            id.account,
            display_safe(&id.arn),
            display_safe(&id.user_id),
            expiration.as_deref().unwrap_or("never (long-term keys)")
        )
    };
    written.map_err(|e| Failure::config(format!("cannot write: {e}")))?;
    Ok(0)
}

/// `env PROFILE --format F`.
pub async fn env(
    files: &AwsFiles,
    profile: &str,
    format: EnvFormat,
    no_cache: bool,
) -> Result<u8, Failure> {
    let (set, _, outcome) = authenticate(files, profile, no_cache, false).await?;
    let vars = shell_env::variables(&outcome.session, region_of(&set, profile).as_deref());
    let text = render_env(&vars, format);
    io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|e| Failure::config(format!("cannot write: {e}")))?;
    Ok(0)
}

/// The text `env` prints: removals of shadowing variables, then the assignments.
pub fn render_env(vars: &[(String, String)], format: EnvFormat) -> String {
    let removed: Vec<&str> = REMOVED
        .iter()
        .copied()
        .filter(|r| !vars.iter().any(|(k, _)| k == r))
        .collect();
    let mut out = String::new();
    match format {
        EnvFormat::Json => {
            let map: Map<String, Value> = vars
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            out.push_str(&Value::Object(map).to_string());
            out.push('\n');
        }
        EnvFormat::Sh => {
            out.push_str(&format!("unset {}\n", removed.join(" ")));
            for (k, v) in vars {
                out.push_str(&format!("export {k}='{}'\n", v.replace('\'', "'\\''")));
            }
        }
        EnvFormat::Fish => {
            for r in &removed {
                out.push_str(&format!("set -e {r};\n"));
            }
            for (k, v) in vars {
                let v = v.replace('\\', "\\\\").replace('\'', "\\'");
                out.push_str(&format!("set -gx {k} '{v}';\n"));
            }
        }
        EnvFormat::Powershell => {
            for r in &removed {
                out.push_str(&format!(
                    "Remove-Item Env:{r} -ErrorAction SilentlyContinue\n"
                ));
            }
            for (k, v) in vars {
                out.push_str(&format!("$Env:{k} = '{}'\n", v.replace('\'', "''")));
            }
        }
    }
    out
}

/// `credential-process PROFILE`: the JSON the AWS SDKs read from a `credential_process`.
pub async fn credential_process(
    files: &AwsFiles,
    profile: &str,
    no_cache: bool,
) -> Result<u8, Failure> {
    let (_, _, outcome) = authenticate(files, profile, no_cache, true).await?;
    let c = &outcome.session.credentials;
    let mut v = json!({
        "Version": 1,
        "AccessKeyId": c.access_key_id,
        "SecretAccessKey": c.secret_access_key.as_str(),
    });
    if let Some(t) = &c.session_token {
        v["SessionToken"] = Value::String(t.as_str().to_owned());
    }
    if let Some(e) = c.expiration {
        v["Expiration"] = Value::String(rfc3339(e));
    }
    writeln!(io::stdout().lock(), "{v}")
        .map_err(|e| Failure::config(format!("cannot write: {e}")))?;
    Ok(0)
}

/// `exec PROFILE [-- CMD ARGS...]`: runs the command (default `$SHELL`) with the credentials and
/// returns its exit code. Ctrl-C and Ctrl-\ go to the command, not to this process; SIGTERM
/// and SIGHUP are passed on to it.
pub async fn exec(
    files: &AwsFiles,
    profile: &str,
    command: &[OsString],
    no_cache: bool,
) -> Result<u8, Failure> {
    shell_env::check_not_nested(std::env::var_os(MARKER).as_deref()).map_err(Failure::config)?;
    let (set, _, outcome) = authenticate(files, profile, no_cache, false).await?;
    let region = region_of(&set, profile);
    run_child(&outcome.session, region.as_deref(), command).await
}

async fn run_child(
    session: &Session,
    region: Option<&str>,
    command: &[OsString],
) -> Result<u8, Failure> {
    use tokio::signal::unix::{signal, SignalKind};
    let env = shell_env::child_env(std::env::vars_os(), session, region);
    let (program, args) = match command.split_first() {
        Some((p, rest)) => (p.clone(), rest.to_vec()),
        None => (
            std::env::var_os("SHELL")
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| OsString::from("/bin/sh")),
            Vec::new(),
        ),
    };
    // Holding these keeps SIGINT and SIGQUIT from ending this process; the child, in the same
    // foreground process group, gets them from the terminal and decides for itself.
    let _interrupt = signal(SignalKind::interrupt());
    let _quit = signal(SignalKind::quit());
    // SIGTERM and SIGHUP sent to this process are passed on to the command, which decides.
    // Listening starts before the command does, so none is missed.
    let mut term = signal(SignalKind::terminate()).ok();
    let mut hup = signal(SignalKind::hangup()).ok();
    let mut child = tokio::process::Command::new(&program)
        .args(&args)
        .env_clear()
        .envs(env)
        .spawn()
        .map_err(|e| {
            Failure::config(format!(
                "cannot run {}: {e}",
                display_safe(&program.to_string_lossy())
            ))
        })?;
    let pid = child
        .id()
        .and_then(|p| i32::try_from(p).ok())
        .map(nix::unistd::Pid::from_raw);
    let status = loop {
        let forward = tokio::select! {
            status = child.wait() => break status,
            Some(()) = async { term.as_mut()?.recv().await } => nix::sys::signal::Signal::SIGTERM,
            Some(()) = async { hup.as_mut()?.recv().await } => nix::sys::signal::Signal::SIGHUP,
        };
        if let Some(pid) = pid {
            let _ = nix::sys::signal::kill(pid, forward);
        }
    }
    .map_err(|e| Failure::config(format!("waiting for the command failed: {e}")))?;
    Ok(exit_code(status))
}

/// The child's exit code, or 128 + the signal that ended it, as shells report it.
pub fn exit_code(status: std::process::ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(c), _) => u8::try_from(c & 0xff).unwrap_or(1),
        (None, Some(s)) => u8::try_from(128 + (s & 0x7f)).unwrap_or(1),
        _ => 1,
    }
}
