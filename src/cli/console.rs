//! `console PROFILE`: sign in to the AWS web console as the profile, or open its switch-role
//! link; `--print` prints the link instead of opening a browser.

use std::io::Write;

use super::creds::{resolve, Opts};
use super::mfa::HeadlessMfa;
use super::Failure;
use crate::aws::broker::Broker;
use crate::config::AwsFiles;
use crate::domain::text::display_safe;
use crate::flows::console::{sign_in_link, switch_role_link};

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
        let url = switch_role_link(&target).map_err(Failure::config)?;
        return show(&url, request.print, "the switch-role page").await;
    }
    super::creds::confirm_prod(&target, "sign in to its console", opts)?;
    let broker = Broker::from_env(opts.no_cache).map_err(Failure::config)?;
    let mut mfa = HeadlessMfa {
        prefer_terminal: false,
    };
    let link = sign_in_link(&broker, &target, &request.page, &mut mfa).await?;
    for n in &link.notes {
        note(n);
    }
    let code = show(&link.url, request.print, "the console").await?;
    if let Some((role, switch)) = link.switch_to {
        note(&format!(
            "signed in as the chain's first role; switch to {role} in the console with:"
        ));
        println!("{switch}");
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
