//! The command line's shape: every command, option and argument (clap), and the shell
//! completion of profile names.

use clap::{Parser, Subcommand};

use super::complete::profile_names;
use super::creds;

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
    /// The TUI's session options (also accepted before any command that opens sessions).
    #[command(flatten)]
    pub session: SessionArgs,
    /// The profile to select when the TUI opens (default: $AWS_PROFILE).
    #[arg(long, add = profile_names())]
    pub profile: Option<String>,
}

/// How sessions are opened: on the TUI and on every command that opens one (not on `list`,
/// `status`, `unlock` or `clear`, where they would mean nothing).
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct SessionArgs {
    /// Neither read nor write the credential cache (also: XROLE_CACHE=none).
    #[arg(long)]
    pub no_cache: bool,
    /// For a profile of long-term keys without a role: hand out the keys themselves, not a
    /// GetSessionToken session (some IAM and STS calls refuse session credentials). Also
    /// `xrole_session = none` in the profile.
    #[arg(long)]
    pub no_session: bool,
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
        #[command(flatten)]
        session: SessionArgs,
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
        #[command(flatten)]
        session: SessionArgs,
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
        #[command(flatten)]
        session: SessionArgs,
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
        #[command(flatten)]
        session: SessionArgs,
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
        #[command(flatten)]
        session: SessionArgs,
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
        #[command(flatten)]
        session: SessionArgs,
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
        #[command(flatten)]
        session: SessionArgs,
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
    /// IAM Identity Center: log in, log out, write profiles for what the portal offers.
    #[command(subcommand)]
    Sso(super::sso::SsoCommand),
    /// Long-term keys in a key store instead of ~/.aws/credentials.
    #[command(subcommand)]
    Keys(super::keys::KeysCommand),
}

impl Command {
    /// The command's own session options (default for a command that opens no session).
    pub fn session_args(&self) -> SessionArgs {
        match self {
            Command::Whoami { session, .. }
            | Command::Exec { session, .. }
            | Command::Console { session, .. }
            | Command::Revoke { session, .. }
            | Command::Env { session, .. }
            | Command::Pick { session, .. }
            | Command::CredentialProcess { session, .. }
            | Command::S3(S3Command::Ls { session, .. } | S3Command::Get { session, .. }) => {
                *session
            }
            Command::List { .. }
            | Command::Status { .. }
            | Command::Unlock
            | Command::Sso(_)
            | Command::Keys(_)
            | Command::Clear { .. } => SessionArgs::default(),
        }
    }
}

/// `s3 ls` and `s3 get`.
#[derive(Debug, Subcommand)]
pub enum S3Command {
    /// List one level of a bucket: prefixes and objects, page by page as they arrive.
    #[command(after_help = "Example:\n  xrole-tui s3 ls vendor s3://company-shared/reports/")]
    Ls {
        #[command(flatten)]
        session: SessionArgs,
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
        #[command(flatten)]
        session: SessionArgs,
        /// The profile.
        #[arg(add = profile_names())]
        profile: String,
        /// `s3://BUCKET/KEY`.
        location: String,
        /// Where to put it.
        dest: Option<std::path::PathBuf>,
    },
}

/// Answers the shell's completion request, when this process is one (`COMPLETE` is set), and
/// exits; otherwise returns at once.
pub fn complete_if_asked() {
    clap_complete::CompleteEnv::with_factory(<Cli as clap::CommandFactory>::command).complete();
}

/// `--for`: a humantime duration (`20h`, `1h30m`), at least a minute.
fn parse_run_for(text: &str) -> Result<std::time::Duration, String> {
    let d = humantime::parse_duration(text).map_err(|e| format!("{e} (for example 20h or 90m)"))?;
    if d < std::time::Duration::from_secs(60) {
        return Err("a run of less than a minute needs no --for".into());
    }
    Ok(d)
}
