//! `whoami`, `env`, `exec` and `credential-process`: the credential engine without the TUI.

use std::ffi::OsString;
use std::io::{self, Write};
use std::sync::Arc;
use std::time::SystemTime;

use serde_json::{json, Map, Value};

use super::mfa::HeadlessMfa;
use super::Failure;
use crate::aws::broker::Broker;
use crate::aws::error::AuthError;
use crate::config::AwsFiles;
use crate::domain::session::{countdown, rfc3339};
use crate::domain::shell_env::{self, MARKER, REMOVED};
use crate::domain::text::{display_safe, json_safe};
use crate::domain::Target;
use crate::flows::{self, open::OpenError, open::Opened, serve::Child};
use crate::serve::endpoint::Reporter;

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

/// Options of every headless command.
#[derive(Debug, Clone, Copy, Default)]
pub struct Opts {
    /// `--no-cache`.
    pub no_cache: bool,
    /// `--no-session`.
    pub no_session: bool,
    /// `--yes`: a production profile is used without asking.
    pub yes: bool,
}

impl Opts {
    /// These options with `--yes` as the command gave it.
    pub fn with_yes(self, yes: bool) -> Self {
        Self { yes, ..self }
    }
}

/// Asks before `doing` with a production profile (`xrole_env = prod`), as the TUI does: only
/// when a person is at the terminal (stdin and stderr are terminals) and `--yes` was not given.
/// Anything but `y` cancels (exit 2), before any call.
pub(super) fn confirm_prod(target: &Target, doing: &str, opts: Opts) -> Result<(), Failure> {
    use std::io::{BufRead, IsTerminal, Read};
    if !target.is_prod() || opts.yes || !io::stdin().is_terminal() || !io::stderr().is_terminal() {
        return Ok(());
    }
    let _ = write!(
        io::stderr().lock(),
        "xrole-tui: profile {} is production (xrole_env = prod); {doing}? [y/N] ",
        display_safe(&target.name)
    );
    let mut answer = String::new();
    let _ = io::stdin().lock().take(64).read_line(&mut answer);
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(Failure::config(format!(
            "cancelled: profile {} was not used (--yes skips the question)",
            display_safe(&target.name)
        )))
    }
}

/// Reads the files once, resolves `profile` and opens its session through the broker.
pub(super) async fn open(
    files: &AwsFiles,
    profile: &str,
    opts: Opts,
    prefer_terminal: bool,
) -> Result<Opened, Failure> {
    let target = resolve(files, profile)?;
    if !prefer_terminal {
        // credential-process (prefer_terminal) is called by tools, and never asks.
        confirm_prod(&target, "open its session", opts)?;
    }
    open_target(target, opts, prefer_terminal, None).await
}

/// Opens the session of a resolved `target` (see `flows::open`), with the terminal's MFA
/// prompt; notes go to stderr.
pub(super) async fn open_target(
    mut target: Target,
    opts: Opts,
    prefer_terminal: bool,
    run_for: Option<std::time::Duration>,
) -> Result<Opened, Failure> {
    if opts.no_session && !target.plan.without_session() {
        return Err(Failure::config(format!(
            "--no-session applies to a profile of long-term keys without a role; profile {:?} is not one",
            display_safe(&target.name)
        )));
    }
    let broker = Broker::from_env(opts.no_cache).map_err(Failure::config)?;
    let mut mfa = HeadlessMfa { prefer_terminal };
    // A person at a terminal signs in again when an IAM Identity Center login is over;
    // `credential-process` (called by tools) and scripts get the message instead.
    use std::io::IsTerminal;
    let mut terminal = super::mfa::TerminalLogin;
    let at_terminal = !prefer_terminal && io::stdin().is_terminal() && io::stderr().is_terminal();
    let login: Option<&mut dyn flows::sso::LoginUi> = at_terminal.then_some(&mut terminal as _);
    let opened = flows::open::open(broker, Arc::new(target), &mut mfa, run_for, login)
        .await
        .map_err(|e| match e {
            OpenError::Runway(why) => Failure::config(format!("{why} (--for)")),
            OpenError::Auth(e) => Failure::from(e),
        })?;
    let mut err = io::stderr().lock();
    for note in &opened.notes {
        let _ = writeln!(err, "xrole-tui: note: {}", display_safe(note));
    }
    Ok(opened)
}

/// Reads the files and resolves `profile`.
pub(super) fn resolve(files: &AwsFiles, profile: &str) -> Result<Target, Failure> {
    let set = files
        .load()
        .map_err(|e| Failure::config(display_safe(&e.to_string())))?
        .set;
    set.target(profile)
        .map_err(|e| Failure::config(display_safe(&e.to_string())))
}

/// `whoami PROFILE [--json]`.
pub async fn whoami(
    files: &AwsFiles,
    profile: &str,
    json: bool,
    opts: Opts,
) -> Result<u8, Failure> {
    let opened = open(files, profile, opts, false).await?;
    // Used by hand: it moves up in the TUI's recent-first order (not so for credential-process,
    // which tools call on their own).
    let _ = crate::store::usage::record(profile);
    let creds = &opened.session.credentials;
    let id = opened.broker.whoami(&opened.target, creds).await?;
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
        writeln!(out, "{}", json_safe(&v.to_string()))
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
    opts: Opts,
) -> Result<u8, Failure> {
    let Opened {
        target, session, ..
    } = open(files, profile, opts, false).await?;
    // Used by hand: it moves up in the TUI's recent-first order (not so for credential-process,
    // which tools call on their own).
    let _ = crate::store::usage::record(profile);
    let text = in_place_env(&session, target.region.as_deref(), format);
    io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|e| Failure::config(format!("cannot write: {e}")))?;
    Ok(0)
}

/// What `env` and `pick` print: the profile's variables for the user's own shell, marked as
/// switched in place.
pub fn in_place_env(
    session: &crate::domain::session::Session,
    region: Option<&str>,
    format: EnvFormat,
) -> String {
    let mut vars = shell_env::variables(session, region, shell_env::Delivery::Static);
    vars.push((shell_env::IN_PLACE.into(), "1".into()));
    render_env(&vars, format)
}

/// `env --unset`: the lines that leave a profile switched in place (every variable `env`
/// sets), for `format`.
pub fn render_unset(format: EnvFormat) -> String {
    let names = shell_env::SET_BY_ENV;
    match format {
        EnvFormat::Json => format!("{}\n", serde_json::to_string(&names).unwrap_or_default()),
        EnvFormat::Sh => format!("unset {}\n", names.join(" ")),
        EnvFormat::Fish => names.iter().map(|n| format!("set -e {n};\n")).collect(),
        EnvFormat::Powershell => names
            .iter()
            .map(|n| format!("Remove-Item Env:{n} -ErrorAction SilentlyContinue\n"))
            .collect(),
    }
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
            out.push_str(&json_safe(&Value::Object(map).to_string()));
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
    opts: Opts,
) -> Result<u8, Failure> {
    let opened = open(files, profile, opts, true).await?;
    let c = &opened.session.credentials;
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

/// How `exec` serves its command.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExecHow {
    /// `--static`.
    pub static_keys: bool,
    /// `--for`.
    pub run_for: Option<std::time::Duration>,
}

/// `exec PROFILE [-- CMD ARGS...]`: runs the command (default `$SHELL`) with the credentials and
/// returns its exit code. Ctrl-C and Ctrl-\ go to the command, not to this process; SIGTERM
/// and SIGHUP are passed on to it.
pub async fn exec(
    files: &AwsFiles,
    profile: &str,
    command: &[OsString],
    how: ExecHow,
    opts: Opts,
) -> Result<u8, Failure> {
    let static_keys = how.static_keys;
    shell_env::check_not_nested(
        std::env::var_os(MARKER).as_deref(),
        std::env::var_os(shell_env::IN_PLACE).is_some(),
    )
    .map_err(Failure::config)?;
    if let Some(program) = command.first() {
        crate::serve::child::check_runnable(program, std::env::var_os("PATH").as_deref())
            .map_err(|(code, message)| Failure { message, code })?;
    }
    // The files are read once: the profile comes from them, and so do the child's copies.
    let (loaded, raw) = files
        .load_with_raw()
        .map_err(|e| Failure::config(display_safe(&e.to_string())))?;
    let target = loaded
        .set
        .target(profile)
        .map_err(|e| Failure::config(display_safe(&e.to_string())))?;
    drop(loaded);
    let doing = match command.first() {
        Some(program) => format!("run {} in it", display_safe(&program.to_string_lossy())),
        None => "open a shell in it".to_owned(),
    };
    confirm_prod(&target, &doing, opts)?;
    let opened = open_target(target, opts, false, how.run_for).await?;
    // Used by hand: it moves up in the TUI's recent-first order (not so for credential-process,
    // which tools call on their own).
    let _ = crate::store::usage::record(profile);
    let report: Reporter = Arc::new(|m: String| {
        let _ = writeln!(io::stderr(), "xrole-tui: {}", display_safe(&m));
    });
    let child = Child {
        command,
        dir: None,
        static_keys,
    };
    let ran = flows::serve::serve(opened, files, Some(raw), child, report, || ()).await;
    let status = ran.status.map_err(Failure::config)?;
    Ok(crate::serve::child::exit_code(status))
}
