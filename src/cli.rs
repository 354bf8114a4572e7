//! The command line: the TUI by default, and the headless commands for scripts.

use std::io::Write;
use std::process::ExitCode;

use crate::config::AwsFiles;

pub use args::{complete_if_asked, Cli, Command, S3Command};

mod args;
pub mod clear;
mod complete;
pub mod console;
pub mod control;
pub mod creds;
pub mod keys;
pub mod list;
pub mod mfa;
pub mod pick;
pub mod revoke;
pub mod s3;
pub mod sso;
pub mod tui;

/// Exit code for a usage or configuration error.
pub const EXIT_CONFIG: u8 = 2;
/// Exit code for an authentication error (denied, MFA rejected, expired).
pub const EXIT_AUTH: u8 = 3;

/// Runs the parsed command line and returns the process exit code; the TUI and `pick` run on
/// `screen` (the terminal's, `runtime::Terminal`, given by `main`).
pub fn run(cli: Cli, screen: &dyn crate::flows::start::Screen) -> ExitCode {
    let files = AwsFiles::from_env();
    // Given before the command or after it.
    let own = cli
        .command
        .as_ref()
        .map(Command::session_args)
        .unwrap_or_default();
    let no_cache = cli.session.no_cache || own.no_cache;
    let opts = creds::Opts {
        no_cache,
        no_session: cli.session.no_session || own.no_session,
        yes: false,
    };
    let result = match cli.command {
        None => tui::run(&files, cli.profile, no_cache, screen),
        Some(Command::Pick {
            profile, format, ..
        }) => pick::run(&files, profile, format, no_cache, screen),
        Some(command) => {
            // The commands may ask for the key store's passphrase where a person is: their
            // input is a terminal (also for `credential-process` under the AWS CLI at one).
            use std::io::IsTerminal;
            crate::keystore::allow_terminal_prompt(std::io::stdin().is_terminal());
            headless(command, &files, opts)
        }
    };
    // The tests' proof that a command reads each AWS file once and resolves a profile's client
    // settings once (debug builds only).
    #[cfg(debug_assertions)]
    if std::env::var_os("XROLE_TEST_COUNTS").is_some() {
        let _ = writeln!(
            std::io::stderr(),
            "xrole-tui: counts: files read {}, settings resolved {}",
            crate::config::read_count(),
            crate::aws::broker::resolved_count()
        );
    }
    match result {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "xrole-tui: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// The commands that run without a screen.
fn headless(command: Command, files: &AwsFiles, opts: creds::Opts) -> Result<u8, Failure> {
    match command {
        Command::List { json } => list::run(files, json).map(|()| 0),
        Command::Status { json } => control::status(files, json),
        Command::Clear { profiles } => clear::run(files, &profiles, opts.no_cache),
        Command::Revoke {
            profile,
            as_profile,
            dry_run,
            yes,
            ..
        } => {
            let request = revoke::Request {
                profile,
                as_profile,
                dry_run,
                yes,
            };
            block_on(revoke::run(files, &request, opts))
        }
        Command::Console {
            yes,
            profile,
            switch_role,
            print,
            service,
            path,
            s3,
            ..
        } => {
            let request = console::Request {
                profile,
                switch_role,
                print,
                page: console::Page { service, path, s3 },
            };
            block_on(console::run(files, &request, opts.with_yes(yes)))
        }
        Command::Unlock => control::unlock(),
        command @ (Command::Whoami { .. }
        | Command::Exec { .. }
        | Command::Env { .. }
        | Command::CredentialProcess { .. }) => credentials(command, files, opts),
        Command::S3(S3Command::Ls {
            profile, location, ..
        }) => block_on(s3::ls(files, &profile, &location, opts)),
        Command::S3(S3Command::Get {
            profile,
            location,
            dest,
            ..
        }) => block_on(s3::get(files, &profile, &location, dest, opts)),
        Command::Sso(command) => block_on(sso::run(files, command)),
        Command::Keys(command) => block_on(keys::run(files, command)),
        Command::Pick { .. } => Err(Failure::config("pick needs the terminal")),
    }
}

/// The commands that hand out credentials: `whoami`, `exec`, `env`, `credential-process`.
fn credentials(command: Command, files: &AwsFiles, opts: creds::Opts) -> Result<u8, Failure> {
    match command {
        Command::Whoami {
            yes, profile, json, ..
        } => block_on(creds::whoami(files, &profile, json, opts.with_yes(yes))),
        Command::Exec {
            static_keys,
            run_for,
            yes,
            args,
            ..
        } => {
            let (profile, command) = split_exec(args)?;
            let how = creds::ExecHow {
                static_keys,
                run_for,
            };
            block_on(creds::exec(
                files,
                &profile,
                &command,
                how,
                opts.with_yes(yes),
            ))
        }
        Command::Env {
            yes,
            profile,
            format,
            ..
        } => match profile {
            Some(profile) => block_on(creds::env(files, &profile, format, opts.with_yes(yes))),
            None => {
                print!("{}", creds::render_unset(format));
                Ok(0)
            }
        },
        Command::CredentialProcess {
            profile,
            config_file,
            credentials_file,
            ..
        } => {
            let files = AwsFiles {
                config: config_file.unwrap_or_else(|| files.config.clone()),
                credentials: credentials_file.unwrap_or_else(|| files.credentials.clone()),
            };
            block_on(creds::credential_process(&files, &profile, opts))
        }
        _ => Err(Failure::config("not a command that hands out credentials")),
    }
}

/// `exec`'s words: the profile, then the command (one `--` after the profile is dropped).
fn split_exec(args: Vec<std::ffi::OsString>) -> Result<(String, Vec<std::ffi::OsString>), Failure> {
    let mut words = args.into_iter();
    let profile = words.next().ok_or_else(|| {
        Failure::config("exec needs a profile: xrole-tui exec PROFILE [COMMAND]...")
    })?;
    let profile = profile.into_string().map_err(|p| {
        Failure::config(format!(
            "the profile name {:?} is not valid UTF-8",
            p.to_string_lossy()
        ))
    })?;
    if profile.starts_with('-') {
        return Err(Failure::config(format!(
            "{profile:?} is not an option of exec (options go before the profile: xrole-tui exec --static PROFILE COMMAND)"
        )));
    }
    let mut command: Vec<_> = words.collect();
    if command.first().is_some_and(|w| w == "--") {
        command.remove(0);
    }
    Ok((profile, command))
}

/// Runs an async command on a single-threaded runtime (the headless commands make a few calls
/// in sequence; a thread pool would only add start-up time).
fn block_on(fut: impl std::future::Future<Output = Result<u8, Failure>>) -> Result<u8, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::config(format!("cannot start the async runtime: {e}")))?
        .block_on(fut)
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
