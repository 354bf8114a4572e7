//! `sso login`, `sso logout` and `sso populate`: IAM Identity Center without the AWS CLI v2.

use std::io::Write;

use clap::Subcommand;

use super::complete::profile_names;
use super::Failure;
use crate::aws::broker::Broker;
use crate::aws::sdk::Service;
use crate::aws::sso::SsoSdk;
use crate::config::AwsFiles;
use crate::domain::profile::ProfileSet;
use crate::domain::session::rfc3339;
use crate::domain::sso_login::choose_flow;
use crate::domain::text::display_safe;
use crate::flows::sso::{self, populate, LoginOptions, SsoSpec};

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
    /// Write one profile per account and role that the portal offers, inside a marked block of
    /// the config file (nothing outside it changes; a backup is kept). Without --write, only
    /// say what would change.
    #[command(
        after_help = "Examples:\n  xrole-tui sso populate --sso-session vendor\n  xrole-tui sso populate --sso-session vendor --write\n  xrole-tui sso populate --sso-session vendor --write --prune --name '{session}-{account_name}-{role}'\n\nPlaceholders: {account_name}, {account_id}, {role}, {session}. Names keep A-Z a-z 0-9 . _ -\n(others become -), and a name taken outside the block gets the account id added."
    )]
    Populate {
        /// The `[sso-session NAME]` whose portal is listed.
        #[arg(long, value_name = "NAME")]
        sso_session: String,
        /// Only say what would change (the default).
        #[arg(long, conflicts_with = "write")]
        diff: bool,
        /// Write the profiles into the config file.
        #[arg(long)]
        write: bool,
        /// Remove profiles of the block whose account or role is no longer offered.
        #[arg(long)]
        prune: bool,
        /// The profiles' names.
        #[arg(long, value_name = "TEMPLATE", default_value = crate::domain::sso_populate::DEFAULT_TEMPLATE)]
        name: String,
        /// The profiles' region (default: the session's sso_region).
        #[arg(long)]
        region: Option<String>,
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
            let (spec, sdk) = spec_and_sdk(&set, &broker, profile.or(profile_opt), sso_session)?;
            let opts = LoginOptions {
                flow: choose_flow(spec.session.is_some(), use_device_code, sso::flow_env()),
                open_browser: !no_browser,
                redirect_port,
                keep_valid: false,
            };
            login(&spec, &sdk, opts).await
        }
        SsoCommand::Populate {
            sso_session,
            diff: _,
            write,
            prune,
            name,
            region,
        } => {
            let (spec, sdk) = spec_and_sdk(&set, &broker, None, Some(sso_session))?;
            let req = populate::Request {
                spec: &spec,
                template: &name,
                region: region.as_deref(),
                prune,
                write,
            };
            let done = populate::populate(files, &set, &sdk, &req).await?;
            print_populated(&done);
            Ok(0)
        }
        SsoCommand::Logout { sso_session } => logout(&set, &broker, sso_session.as_deref()).await,
    }
}

async fn login(spec: &SsoSpec, sdk: &SsoSdk, opts: LoginOptions) -> Result<u8, Failure> {
    let done = sso::login(spec, &sdk.oidc, opts, &mut super::mfa::TerminalLogin).await?;
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

async fn logout(set: &ProfileSet, broker: &Broker, session: Option<&str>) -> Result<u8, Failure> {
    let spec = session
        .map(|s| SsoSpec::of_session(set, s))
        .transpose()
        .map_err(Failure::config)?;
    let done = sso::logout::logout(spec.as_ref(), set, broker).await?;
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

/// The session named by `--sso-session`, or at the root of the profile's chain, and the SDK
/// configurations of the portal and SSO-OIDC for it.
pub(super) fn spec_and_sdk(
    set: &ProfileSet,
    broker: &Broker,
    profile: Option<String>,
    session: Option<String>,
) -> Result<(SsoSpec, SsoSdk), Failure> {
    if let Some(name) = session {
        let spec = SsoSpec::of_session(set, &name).map_err(Failure::config)?;
        let sdk = SsoSdk {
            portal: broker.sdk_config_plain(Service::Sso)?,
            oidc: broker.sdk_config_plain(Service::SsoOidc)?,
        };
        return Ok((spec, sdk));
    }
    let name = profile
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
        .unwrap_or_else(|| "default".to_owned());
    let target = set
        .target(&name)
        .map_err(|e| Failure::config(display_safe(&e.to_string())))?;
    let spec = SsoSpec::of_target(&target).map_err(Failure::config)?;
    let sdk = SsoSdk {
        portal: broker.sdk_config(&target, Service::Sso)?,
        oidc: broker.sdk_config(&target, Service::SsoOidc)?,
    };
    Ok((spec, sdk))
}

/// What populating did or would do, one line per profile.
fn print_populated(done: &populate::Outcome) {
    let p = &done.populated;
    let mut out = std::io::stdout().lock();
    let line = |mark: &str, b: &crate::domain::sso_populate::BlockProfile, why: &str| {
        let o = &b.offered;
        format!(
            "{mark} [profile {}]  account {} ({}), role {}{why}",
            display_safe(&b.name),
            display_safe(&o.account_id),
            display_safe(&o.account_name),
            display_safe(&o.role)
        )
    };
    for a in &p.added {
        let _ = writeln!(out, "{}", line("+", a, ""));
    }
    for r in &p.removed {
        let _ = writeln!(out, "{}", line("-", r, ""));
    }
    for s in &p.stale {
        let _ = writeln!(
            out,
            "{}",
            line("!", s, "  (no longer offered; --prune removes it)")
        );
    }
    for why in &p.skipped {
        eprintln!("xrole-tui: warning: left out {}", display_safe(why));
    }
    let _ = writeln!(out, "{}", populate::summary(done));
}
