//! `console PROFILE`: sign in to the AWS web console as the profile, or open its switch-role
//! link; `--print` prints the link instead of opening a browser.

use std::io::Write;
use std::time::SystemTime;

use super::creds::{resolve, Opts};
use super::mfa::HeadlessMfa;
use super::Failure;
use crate::aws::broker::Broker;
use crate::config::AwsFiles;
use crate::domain::console::{destination, display_name, partition_of, switch_role_url};
use crate::domain::text::display_safe;

pub use crate::domain::console::Page;

/// What `console` does.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The profile.
    pub profile: String,
    /// Only the switch-role link (no credentials involved).
    pub switch_role: bool,
    /// Print the link instead of opening a browser.
    pub print: bool,
    /// The page.
    pub page: Page,
}

/// Runs `console`.
pub async fn run(files: &AwsFiles, request: &Request, opts: Opts) -> Result<u8, Failure> {
    let target = resolve(files, &request.profile)?;
    if request.switch_role {
        let role = target.plan.final_role().ok_or_else(|| {
            Failure::config(format!(
                "profile {:?} assumes no role, so it has no switch-role link",
                display_safe(&target.name)
            ))
        })?;
        let display = display_name(&target.name, target.account_name.as_deref());
        let url = switch_role_url(role, &display, target.is_prod()).map_err(Failure::config)?;
        return show(&url, request.print, "the switch-role page").await;
    }
    super::creds::confirm_prod(&target, "sign in to its console", opts)?;
    let partition = partition_of(&target.plan).map_err(Failure::config)?;
    let destination =
        destination(&request.page, target.region.as_deref(), partition).map_err(Failure::config)?;
    let broker = Broker::from_env(opts.no_cache).map_err(Failure::config)?;
    let mut mfa = HeadlessMfa {
        mfa_process: target.mfa_process.clone(),
        prefer_terminal: false,
    };
    let (url, switch_to) = broker
        .console_link(&target, &destination, &mut mfa, SystemTime::now())
        .await?;
    if matches!(
        crate::domain::console::sign_in(&target.plan),
        Ok(crate::domain::console::SignIn::FederationToken { .. })
    ) {
        note("a user without a role signs in with GetFederationToken: the console session carries no MFA context and lasts 1 hour");
    }
    let code = show(&url, request.print, "the console").await?;
    if let Some(role) = switch_to {
        let display = display_name(&target.name, target.account_name.as_deref());
        let link = switch_role_url(&role, &display, target.is_prod()).map_err(Failure::config)?;
        note(&format!(
            "signed in as the chain's first role; switch to {} in the console with:",
            role.as_str()
        ));
        println!("{link}");
    }
    Ok(code)
}

fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "xrole-tui: note: {}", display_safe(text));
}

async fn show(url: &str, print: bool, what: &str) -> Result<u8, Failure> {
    if print {
        println!("{url}");
        return Ok(0);
    }
    crate::serve::browser::open_and_wait(url)
        .await
        .map_err(|why| {
            Failure::config(format!(
                "cannot open a browser for {what} ({why}); set BROWSER, or use --print"
            ))
        })
        .map(|()| 0)
}
