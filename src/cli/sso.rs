//! `sso login`, `sso logout` and `sso populate`: IAM Identity Center without the AWS CLI v2.

use std::io::Write;

use clap::Subcommand;

use super::args::profile_names;
use super::Failure;
use crate::aws::broker::Broker;
use crate::aws::sdk::Service;
use crate::config::AwsFiles;
use crate::domain::profile::ProfileSet;
use crate::domain::session::rfc3339;
use crate::domain::sso_login::{choose_flow, FlowEnv};
use crate::domain::text::display_safe;
use crate::flows::sso::{self, LoginNote, LoginOptions, LoginUi, SsoSpec};

/// The `sso` commands.
#[derive(Debug, Subcommand)]
pub enum SsoCommand {
    /// Sign in to IAM Identity Center and save the token where the AWS CLI and the SDKs read it
    /// (~/.aws/sso/cache). The browser comes back to a listener on 127.0.0.1 (authorization
    /// code with PKCE); without a display, over SSH, or with --use-device-code, a code is
    /// typed into the portal's page instead, from any device.
    #[command(
        after_help = "Examples:\n  xrole-tui sso login vendor-sso\n  xrole-tui sso login --sso-session vendor\n  xrole-tui sso login --sso-session vendor --use-device-code --no-browser\n  ssh -L 8400:127.0.0.1:8400 box, then: xrole-tui sso login --sso-session vendor --redirect-port 8400"
    )]
    Login {
        /// A profile whose chain starts at the session (default: $AWS_PROFILE, else default).
        #[arg(add = profile_names(), conflicts_with = "sso_session")]
        profile: Option<String>,
        /// The same, as the AWS CLI spells it.
        #[arg(long = "profile", value_name = "PROFILE", conflicts_with_all = ["profile", "sso_session"])]
        profile_opt: Option<String>,
        /// The `[sso-session NAME]` to log in to.
        #[arg(long, value_name = "NAME")]
        sso_session: Option<String>,
        /// The device-code flow: a code typed into the portal's page, from any device.
        #[arg(long)]
        use_device_code: bool,
        /// Do not open a browser; the link (and code) are printed in any case.
        #[arg(long)]
        no_browser: bool,
        /// The port of the listener the browser comes back to (default: any free port).
        #[arg(long, value_name = "PORT")]
        redirect_port: Option<u16>,
    },
    /// End the IAM Identity Center login: the portal's Logout, the token file, and the role
    /// credentials cached from it. Without --sso-session, every session's.
    Logout {
        /// The `[sso-session NAME]` to log out of.
        #[arg(long, value_name = "NAME")]
        sso_session: Option<String>,
    },
}

/// Runs an `sso` command.
pub async fn run(files: &AwsFiles, command: SsoCommand) -> Result<u8, Failure> {
    let set = files
        .load()
        .map_err(|e| Failure::config(display_safe(&e.to_string())))?
        .set;
    let broker = Broker::from_env(false).map_err(Failure::config)?;
    match command {
        SsoCommand::Login {
            profile,
            profile_opt,
            sso_session,
            use_device_code,
            no_browser,
            redirect_port,
        } => {
            let (spec, sdk) = spec_and_sdk(
                &set,
                &broker,
                profile.or(profile_opt),
                sso_session,
                Service::SsoOidc,
            )?;
            let opts = LoginOptions {
                flow: choose_flow(spec.session.is_some(), use_device_code, flow_env()),
                open_browser: !no_browser,
                redirect_port,
                keep_valid: false,
            };
            let mut ui = Terminal { spec: &spec };
            let done = sso::login(&spec, &sdk, opts, &mut ui).await?;
            let how = if done.by_other {
                "another process logged in meanwhile; its token is used"
            } else {
                "logged in"
            };
            eprintln!(
                "xrole-tui: {how}: {} until {} (refreshed after that while the registration lasts); token in {}",
                display_safe(spec.identifier()),
                rfc3339(done.expires_at),
                display_safe(&done.path.display().to_string())
            );
            Ok(0)
        }
        SsoCommand::Logout { sso_session } => {
            let spec = sso_session
                .as_deref()
                .map(|s| SsoSpec::of_session(&set, s))
                .transpose()
                .map_err(Failure::config)?;
            let done = sso::logout::logout(spec.as_ref(), &set, &broker).await?;
            for w in &done.warnings {
                eprintln!("xrole-tui: warning: {w}; the token was removed here all the same");
            }
            let whose = spec
                .as_ref()
                .map_or("every IAM Identity Center session".to_owned(), |s| {
                    format!("session {}", display_safe(s.identifier()))
                });
            eprintln!(
                "xrole-tui: logged out of {whose}: {} token file{} removed, {} cached role session{} forgotten",
                done.tokens,
                if done.tokens == 1 { "" } else { "s" },
                done.sessions,
                if done.sessions == 1 { "" } else { "s" },
            );
            Ok(0)
        }
    }
}

/// The session named by `--sso-session`, or at the root of the profile's chain, and the SDK
/// configuration of `service` for it.
pub(super) fn spec_and_sdk(
    set: &ProfileSet,
    broker: &Broker,
    profile: Option<String>,
    session: Option<String>,
    service: Service,
) -> Result<(SsoSpec, aws_config::SdkConfig), Failure> {
    if let Some(name) = session {
        let spec = SsoSpec::of_session(set, &name).map_err(Failure::config)?;
        return Ok((spec, broker.sdk_config_plain(service)?));
    }
    let name = profile
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
        .unwrap_or_else(|| "default".to_owned());
    let target = set
        .target(&name)
        .map_err(|e| Failure::config(display_safe(&e.to_string())))?;
    let spec = SsoSpec::of_target(set, &target).map_err(Failure::config)?;
    Ok((spec, broker.sdk_config(&target, service)?))
}

/// Whether a browser here could come back to a loopback listener.
fn flow_env() -> FlowEnv {
    let set = |v: &str| std::env::var_os(v).is_some_and(|x| !x.is_empty());
    FlowEnv {
        display: cfg!(target_os = "macos") || set("DISPLAY") || set("WAYLAND_DISPLAY"),
        ssh: set("SSH_CONNECTION") || set("SSH_TTY"),
    }
}

/// The login's notes on stderr.
struct Terminal<'a> {
    spec: &'a SsoSpec,
}

impl LoginUi for Terminal<'_> {
    fn note(&mut self, note: LoginNote<'_>) {
        let mut err = std::io::stderr().lock();
        let _ = match note {
            LoginNote::Open { url, code, browser } => {
                let _ = writeln!(
                    err,
                    "To sign in to IAM Identity Center ({}), open this page:\n\n  {}\n",
                    display_safe(&self.spec.start_url),
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
            LoginNote::Waiting(who) => writeln!(
                err,
                "xrole-tui: another login of this session is under way ({}); waiting for it",
                display_safe(who)
            ),
        };
    }
}
