//! `revoke PROFILE`: every session of the profile's role (or, for a user profile, of the user)
//! issued before now stops working, as the console's "Revoke active sessions" does.

use std::io::{BufRead, IsTerminal, Write};
use std::time::SystemTime;

use super::creds::Opts;
use super::mfa::HeadlessMfa;
use super::Failure;
use crate::aws::broker::Broker;
use crate::config::AwsFiles;
use crate::domain::revoke::{describe, policy, POLICY_NAME};
use crate::domain::text::display_safe;
use crate::flows;

/// What `revoke` was asked.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The profile whose sessions end.
    pub profile: String,
    /// `--as OTHER`: the profile whose credentials make the IAM call.
    pub as_profile: Option<String>,
    /// `--dry-run`: print the policy and the call, make none.
    pub dry_run: bool,
    /// `--yes`: no question.
    pub yes: bool,
}

/// Runs `revoke`.
pub async fn run(files: &AwsFiles, request: &Request, opts: Opts) -> Result<u8, Failure> {
    // Read once: the profile, the caller of `--as`, and the roles a user's revocation leaves.
    let set = files
        .load()
        .map_err(|e| Failure::config(display_safe(&e.to_string())))?
        .set;
    let resolve = |name: &str| {
        set.target(name)
            .map_err(|e| Failure::config(display_safe(&e.to_string())))
    };
    let target = resolve(&request.profile)?;
    let what = describe(&target).map_err(Failure::config)?;
    if request.dry_run {
        let call = match target.plan.final_role() {
            Some(r) => format!("iam:PutRolePolicy RoleName={}", r.name()),
            None => "iam:PutUserPolicy UserName=(the profile's user)".to_owned(),
        };
        println!("{call} PolicyName={POLICY_NAME}");
        println!("{}", policy(SystemTime::now()));
        eprintln!("xrole-tui: dry run: nothing was called; the time is AWS's when it runs");
        return Ok(0);
    }
    confirm(request.yes, &what)?;
    let broker = Broker::from_env(opts.no_cache).map_err(Failure::config)?;
    let caller = match &request.as_profile {
        Some(p) => resolve(p)?,
        None => target.clone(),
    };
    let mut mfa = HeadlessMfa {
        prefer_terminal: false,
    };
    let done = flows::revoke::revoke(&broker, &set, &target, &caller, &mut mfa).await?;
    if let Some(warning) = &done.warning {
        eprintln!("xrole-tui: warning: {warning}");
    }
    println!("{}", done.said);
    if !done.roles_stay.is_empty() {
        eprintln!(
            "xrole-tui: note: roles already assumed from this user's sessions stay valid until they expire; revoke them too with: {}",
            done.roles_stay
                .iter()
                .map(|r| format!("xrole-tui revoke {}", display_safe(r)))
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    Ok(0)
}

/// On a terminal, asks; with `--yes`, does not; otherwise refuses.
fn confirm(yes: bool, what: &str) -> Result<(), Failure> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::config(format!(
            "revoking every session of {what} needs a confirmation: run on a terminal, or add --yes"
        )));
    }
    eprint!("Revoke every session of {what} issued before now? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::Read::take(std::io::stdin().lock(), 16)
        .read_line(&mut answer)
        .map_err(|e| Failure::config(format!("cannot read the answer: {e}")))?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(Failure::config("not revoked"))
    }
}
