//! The command line: the TUI by default, and the headless commands for scripts.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::AwsFiles;

pub mod clear;
pub mod console;
pub mod control;
pub mod creds;
pub mod list;
pub mod mfa;
pub mod pick;
pub mod revoke;
pub mod s3;
pub mod tui;

/// Exit code for a usage or configuration error.
pub const EXIT_CONFIG: u8 = 2;
/// Exit code for an authentication error (denied, MFA rejected, expired).
pub const EXIT_AUTH: u8 = 3;

/// Move between AWS accounts and roles from the terminal.
#[derive(Debug, Parser)]
#[command(
    name = "xrole-tui",
    version,
    about,
    after_help = "With no command, the TUI opens. Examples:\n  \
        xrole-tui                          the TUI (--profile P selects P first)\n  \
        xrole-tui list                     every profile and its problems\n  \
        xrole-tui exec dev terraform plan  a command in the role of profile dev\n  \
        eval \"$(xrole-tui env dev)\"        the role in the current shell\n  \
        xrole-tui console prod             the web console as prod\n  \
        xrole-tui clear                    forget every cached session"
)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Neither read nor write the credential cache (also: XROLE_CACHE=none).
    #[arg(long, global = true)]
    pub no_cache: bool,
    /// For a profile of long-term keys without a role: hand out the keys themselves, not a
    /// GetSessionToken session (some IAM and STS calls refuse session credentials). Also
    /// `xrole_session = none` in the profile.
    #[arg(long, global = true)]
    pub no_session: bool,
    /// The profile to select when the TUI opens (default: $AWS_PROFILE).
    #[arg(long, add = profile_names())]
    pub profile: Option<String>,
}

/// The headless commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every profile of the AWS config and credentials files, with its problems.
    #[command(
        after_help = "Examples:\n  xrole-tui list\n  xrole-tui list --json | jq -r '.[] | select(.error) | .name'"
    )]
    List {
        /// Print a JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Get the profile's credentials, then show who they belong to (sts:GetCallerIdentity).
    #[command(
        after_help = "Examples:\n  xrole-tui whoami dev\n  xrole-tui whoami dev --json\n  echo 123456 | xrole-tui whoami prod   (the MFA code from stdin)"
    )]
    Whoami {
        /// Do not ask before using a production profile (`xrole_env = prod`); without a
        /// terminal nothing is asked anyway.
        #[arg(long)]
        yes: bool,
        /// The profile.
        #[arg(add = profile_names())]
        profile: String,
        /// Print JSON: profile, account, arn, user_id, expiration.
        #[arg(long)]
        json: bool,
    },
    /// Run a command (default: $SHELL) served by a credential endpoint that renews the
    /// profile's credentials (`--static`: the keys in its environment instead).
    #[command(
        after_help = "Options go before the profile; everything after it is the command:\n  \
        xrole-tui exec dev terraform plan\n  \
        xrole-tui exec --static prod aws s3 ls\n  \
        xrole-tui exec dev -- ./deploy.sh --dry-run   (a `--` after the profile is allowed)\n  \
        xrole-tui exec dev                            (a shell in the role)"
    )]
    Exec {
        /// Put the keys in the command's environment (for tools that cannot read container
        /// credentials); they are not renewed. Also `xrole_credentials = static`.
        #[arg(long = "static")]
        static_keys: bool,
        /// Make sure the credentials can be renewed for this long (`20h`, `90m`) before the
        /// command starts: a short MFA session is opened again now (one code now, none during
        /// the run); a run nothing can cover is refused before any call (exit 2).
        #[arg(long = "for", value_name = "DURATION", value_parser = parse_run_for)]
        run_for: Option<std::time::Duration>,
        /// Do not ask before using a production profile (`xrole_env = prod`); without a
        /// terminal nothing is asked anyway.
        #[arg(long)]
        yes: bool,

        /// The profile, then the command and its arguments.
        #[arg(
            value_name = "PROFILE [COMMAND]...",
            required = true,
            trailing_var_arg = true,
            allow_hyphen_values = true,
            add = profile_names()
        )]
        args: Vec<std::ffi::OsString>,
    },
    /// Sign in to the AWS web console as the profile (or open its switch-role link).
    #[command(
        after_help = "Examples:\n  xrole-tui console dev\n  xrole-tui console dev --service ec2\n  xrole-tui console dev --s3 s3://bucket/prefix/\n  xrole-tui console prod --switch-role --print"
    )]
    Console {
        /// Do not ask before using a production profile (`xrole_env = prod`); without a
        /// terminal nothing is asked anyway.
        #[arg(long)]
        yes: bool,
        /// The profile.
        #[arg(add = profile_names())]
        profile: String,
        /// Only the console's switch-role link for the profile's role (no credentials).
        #[arg(long)]
        switch_role: bool,
        /// Print the link instead of opening a browser.
        #[arg(long)]
        print: bool,
        /// Land on this service's page (ec2, s3, iam, ...).
        #[arg(long, conflicts_with_all = ["path", "s3"])]
        service: Option<String>,
        /// Land on this path of the console.
        #[arg(long, conflicts_with = "s3")]
        path: Option<String>,
        /// Land on the S3 console at s3://BUCKET[/PREFIX or KEY].
        #[arg(long)]
        s3: Option<String>,
    },
    /// End every session of the profile's role (or user) issued before now, as the console's
    /// "Revoke active sessions" does (an inline policy, iam:PutRolePolicy / PutUserPolicy).
    #[command(
        after_help = "Examples:\n  xrole-tui revoke vendor --dry-run\n  xrole-tui revoke vendor --as admin --yes"
    )]
    Revoke {
        /// The profile.
        #[arg(add = profile_names())]
        profile: String,
        /// Make the IAM call with this profile's credentials.
        #[arg(long = "as", value_name = "OTHER", add = profile_names())]
        as_profile: Option<String>,
        /// Print the policy and the call without making it.
        #[arg(long)]
        dry_run: bool,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Forget cached sessions: those of the named profiles (each step, a shared MFA session
    /// included), or every one when none is named.
    #[command(
        after_help = "Examples:\n  xrole-tui clear            every session, MFA sessions included\n  xrole-tui clear dev prod   the sessions of dev and prod"
    )]
    Clear {
        /// The profiles (default: all).
        #[arg(add = profile_names())]
        profiles: Vec<String>,
    },
    /// Inside a served shell: its profile and how long it is served (for a prompt).
    Status {
        /// Print JSON: profile, account, serving, expiration, message.
        #[arg(long)]
        json: bool,
    },
    /// Inside a served shell whose MFA session has ended: ask for a code on this terminal and
    /// hand it to the process serving the shell.
    Unlock,
    /// Print the profile's credentials as shell variable assignments.
    #[command(
        after_help = "Examples:\n  eval \"$(xrole-tui env dev)\"       switch this shell to dev\n  eval \"$(xrole-tui env --unset)\"   leave it again\n  xrole-tui env dev --format fish | source\n  xrole-tui env dev --format json"
    )]
    Env {
        /// Do not ask before using a production profile (`xrole_env = prod`); without a
        /// terminal nothing is asked anyway.
        #[arg(long)]
        yes: bool,
        /// The profile (none with --unset).
        #[arg(required_unless_present = "unset", add = profile_names())]
        profile: Option<String>,
        /// Print the lines that leave a profile switched in place instead.
        #[arg(long, conflicts_with = "profile")]
        unset: bool,
        /// The shell to print for.
        #[arg(long, value_enum, default_value = "sh")]
        format: creds::EnvFormat,
    },
    /// Choose a profile on the terminal and print its environment for `eval`, switching the
    /// calling shell in place (the previous profile's variables are unset first).
    #[command(
        after_help = "Put one of these in your shell's startup file, then run `xr` (or `xr dev`):\n  \
        bash, zsh:  xr() { eval \"$(command xrole-tui pick \"$@\")\"; }\n  \
        fish:       function xr; xrole-tui pick --format fish $argv | source; end\n\
        Leave the profile again with: eval \"$(xrole-tui env --unset)\""
    )]
    Pick {
        /// The profile to select first (default: the shell's current one).
        #[arg(add = profile_names())]
        profile: Option<String>,
        /// The shell to print for.
        #[arg(long, value_enum, default_value = "sh")]
        format: creds::EnvFormat,
    },
    /// Print the profile's credentials as JSON for the AWS `credential_process` setting.
    #[command(
        after_help = "In ~/.aws/config, for tools that read profiles:\n  [profile dev-via-xrole]\n  credential_process = xrole-tui credential-process dev"
    )]
    CredentialProcess {
        /// The profile.
        #[arg(add = profile_names())]
        profile: String,
        /// Read this config file instead (the lines a served child's copies hold name the
        /// real files).
        #[arg(long, hide = true, value_name = "PATH")]
        config_file: Option<std::path::PathBuf>,
        /// Read this credentials file instead.
        #[arg(long, hide = true, value_name = "PATH")]
        credentials_file: Option<std::path::PathBuf>,
    },
    /// S3 in the profile's role.
    #[command(subcommand)]
    S3(S3Command),
}

/// `s3 ls` and `s3 get`.
#[derive(Debug, Subcommand)]
pub enum S3Command {
    /// List one level of a bucket: prefixes and objects, page by page as they arrive.
    #[command(after_help = "Example:\n  xrole-tui s3 ls vendor s3://company-shared/reports/")]
    Ls {
        /// The profile.
        #[arg(add = profile_names())]
        profile: String,
        /// `s3://BUCKET[/PREFIX]`.
        location: String,
    },
    /// Download an object (to the current directory, a directory, a new file, or `-` for
    /// standard output), or every object under a prefix ending in `/` (into a directory).
    #[command(
        after_help = "Examples:\n  xrole-tui s3 get vendor s3://company-shared/reports/q1.csv\n  xrole-tui s3 get vendor s3://company-shared/reports/q1.csv ~/Downloads/\n  xrole-tui s3 get vendor s3://company-shared/reports/q1.csv - | head\n  xrole-tui s3 get vendor s3://company-shared/reports/ ./reports   (a whole folder)"
    )]
    Get {
        /// The profile.
        #[arg(add = profile_names())]
        profile: String,
        /// `s3://BUCKET/KEY`.
        location: String,
        /// Where to put it.
        dest: Option<std::path::PathBuf>,
    },
}

/// Completes profile names (`COMPLETE=bash xrole-tui`, see the README): the names of the AWS
/// files, read when the shell asks; names with control characters are left out.
fn profile_names() -> clap_complete::engine::ArgValueCandidates {
    clap_complete::engine::ArgValueCandidates::new(|| {
        AwsFiles::from_env()
            .load()
            .map(|l| {
                l.set
                    .profiles()
                    .iter()
                    .filter(|p| !p.name.chars().any(crate::domain::text::is_unsafe_char))
                    .map(|p| clap_complete::engine::CompletionCandidate::new(p.name.clone()))
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// Answers the shell's completion request, when this process is one (`COMPLETE` is set), and
/// exits; otherwise returns at once.
pub fn complete_if_asked() {
    clap_complete::CompleteEnv::with_factory(<Cli as clap::CommandFactory>::command).complete();
}

/// Runs the parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let files = AwsFiles::from_env();
    let no_cache = cli.no_cache;
    let mut opts = creds::Opts {
        no_cache,
        no_session: cli.no_session,
        yes: false,
    };
    let result = match cli.command {
        Some(Command::List { json }) => list::run(&files, json).map(|()| 0),
        Some(Command::Status { json }) => control::status(&files, json),
        Some(Command::Clear { profiles }) => clear::run(&files, &profiles, no_cache),
        Some(Command::Revoke {
            profile,
            as_profile,
            dry_run,
            yes,
        }) => {
            let request = revoke::Request {
                profile,
                as_profile,
                dry_run,
                yes,
            };
            block_on(revoke::run(&files, &request, opts))
        }
        Some(Command::Console {
            yes,
            profile,
            switch_role,
            print,
            service,
            path,
            s3,
        }) => {
            let request = console::Request {
                profile,
                switch_role,
                print,
                page: console::Page { service, path, s3 },
            };
            opts.yes = yes;
            block_on(console::run(&files, &request, opts))
        }
        Some(Command::Unlock) => control::unlock(),
        Some(Command::Whoami { yes, profile, json }) => {
            opts.yes = yes;
            block_on(creds::whoami(&files, &profile, json, opts))
        }
        Some(Command::Exec {
            static_keys,
            run_for,
            yes,
            args,
        }) => match split_exec(args) {
            Ok((profile, command)) => {
                let how = creds::ExecHow {
                    static_keys,
                    run_for,
                };
                opts.yes = yes;
                block_on(creds::exec(&files, &profile, &command, how, opts))
            }
            Err(f) => Err(f),
        },
        Some(Command::Env {
            yes,
            profile,
            format,
            ..
        }) => match profile {
            Some(profile) => {
                opts.yes = yes;
                block_on(creds::env(&files, &profile, format, opts))
            }
            None => {
                print!("{}", creds::render_unset(format));
                Ok(0)
            }
        },
        Some(Command::Pick { profile, format }) => pick::run(&files, profile, format, no_cache),
        Some(Command::CredentialProcess {
            profile,
            config_file,
            credentials_file,
        }) => {
            let files = AwsFiles {
                config: config_file.unwrap_or(files.config),
                credentials: credentials_file.unwrap_or(files.credentials),
            };
            block_on(creds::credential_process(&files, &profile, opts))
        }
        Some(Command::S3(S3Command::Ls { profile, location })) => {
            block_on(s3::ls(&files, &profile, &location, opts))
        }
        Some(Command::S3(S3Command::Get {
            profile,
            location,
            dest,
        })) => block_on(s3::get(&files, &profile, &location, dest, opts)),
        None => tui::run(&files, cli.profile, no_cache),
    };
    // The tests' proof that a command reads each AWS file once and resolves a profile's client
    // settings once (debug builds only).
    #[cfg(debug_assertions)]
    if std::env::var_os("XROLE_TEST_COUNTS").is_some() {
        let _ = writeln!(
            std::io::stderr(),
            "xrole-tui: counts: files read {}, settings resolved {}",
            crate::config::read_count(),
            crate::aws::sdk::resolved_count()
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

/// `--for`: a humantime duration (`20h`, `1h30m`), at least a minute.
fn parse_run_for(text: &str) -> Result<std::time::Duration, String> {
    let d = humantime::parse_duration(text).map_err(|e| format!("{e} (for example 20h or 90m)"))?;
    if d < std::time::Duration::from_secs(60) {
        return Err("a run of less than a minute needs no --for".into());
    }
    Ok(d)
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
