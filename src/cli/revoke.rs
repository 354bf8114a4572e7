//! `revoke PROFILE`: every session of the profile's role (or, for a user profile, of the user)
//! issued before now stops working, as the console's "Revoke active sessions" does.

use std::io::{BufRead, IsTerminal, Write};
use std::time::SystemTime;

use super::creds::{resolve, Opts};
use super::mfa::HeadlessMfa;
use super::Failure;
use crate::aws::broker::Broker;
use crate::aws::revoking;
use crate::config::AwsFiles;
use crate::domain::revoke::{describe, policy, POLICY_NAME};
use crate::domain::session::rfc3339;
use crate::domain::text::display_safe;
use crate::domain::Target;

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
    let target = resolve(files, &request.profile)?;
    let what = describe(&target).map_err(Failure::config)?;
    let role = target.plan.final_role().cloned();
    if request.dry_run {
        let call = match &role {
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
        Some(p) => resolve(files, p)?,
        None => target.clone(),
    };
    let mut mfa = HeadlessMfa {
        mfa_process: caller.mfa_process.clone(),
        prefer_terminal: false,
    };
    let done = revoking::revoke(&broker, &target, &caller, &mut mfa).await?;
    if let Some(warning) = &done.warning {
        eprintln!("xrole-tui: warning: {warning}");
    }
    let now = done.issued_before;
    println!(
        "revoked: every session of {what} issued before {} is denied from now on (AWS may take a few minutes to apply it everywhere); its cached sessions are dropped",
        rfc3339(now)
    );
    if role.is_none() {
        say_roles_stay(files, &target);
    }
    Ok(0)
}

/// A user's revocation leaves the roles already assumed from its sessions valid: says which.
fn say_roles_stay(files: &AwsFiles, target: &Target) {
    let Ok(loaded) = files.load() else { return };
    let roles: Vec<String> = (0..loaded.set.len())
        .filter_map(|i| loaded.set.target_at(i).ok())
        .filter(|t| t.name != target.name && t.root_profile() == target.root_profile())
        .filter(|t| t.plan.final_role().is_some())
        .map(|t| t.name)
        .collect();
    if !roles.is_empty() {
        eprintln!(
            "xrole-tui: note: roles already assumed from this user's sessions stay valid until they expire; revoke them too with: {}",
            roles
                .iter()
                .map(|r| format!("xrole-tui revoke {}", display_safe(r)))
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
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
