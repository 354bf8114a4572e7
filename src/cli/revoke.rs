//! `revoke PROFILE`: every session of the profile's role (or, for a user profile, of the user)
//! issued before now stops working, as the console's "Revoke active sessions" does.

use std::io::{BufRead, IsTerminal, Write};
use std::time::{Duration, SystemTime};

use super::creds::{resolve, Opts};
use super::mfa::HeadlessMfa;
use super::Failure;
use crate::aws::broker::Broker;
use crate::aws::iam::{identity_and_time, put_policy, Subject};
use crate::config::AwsFiles;
use crate::domain::revoke::{name_of, policy, POLICY_NAME};
use crate::domain::session::rfc3339;
use crate::domain::text::display_safe;
use crate::domain::{Source, Step, Target};

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

/// A local clock this far from AWS's is said.
const SKEW_WARNING: Duration = Duration::from_secs(60);

/// Runs `revoke`.
pub async fn run(files: &AwsFiles, request: &Request, opts: Opts) -> Result<u8, Failure> {
    let target = resolve(files, &request.profile)?;
    let role = target.plan.final_role().cloned();
    let user_keys = matches!(
        target.plan.source,
        Source::StaticKeys {
            temporary: false,
            ..
        }
    );
    if role.is_none() && !user_keys {
        return Err(Failure::config(format!(
            "profile {:?} has neither a role nor a user's keys, so it has no sessions to revoke",
            display_safe(&target.name)
        )));
    }
    let what = match &role {
        Some(r) => format!("role {} in account {}", r.as_str(), r.account()),
        None => format!("the IAM user of profile {:?}", display_safe(&target.name)),
    };
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
    let session = broker
        .open(&caller, &mut mfa, SystemTime::now())
        .await?
        .session;
    let sts = broker.sts(&caller, &session.credentials)?;
    let (caller_id, aws_now) = identity_and_time(&sts, &caller.name).await?;
    let local = SystemTime::now();
    let now = aws_now.unwrap_or(local);
    let skew = now
        .duration_since(local)
        .or_else(|e| Ok::<_, ()>(e.duration()))
        .unwrap_or_default();
    if skew > SKEW_WARNING {
        eprintln!(
            "xrole-tui: warning: this machine's clock is {} s away from AWS's; AWS's time is used",
            skew.as_secs()
        );
    }
    let user_name;
    let subject = match &role {
        Some(r) => Subject::Role(r.name()),
        None => {
            // The user's own name, from its own identity (the caller may be another profile).
            let arn = if request.as_profile.is_some() {
                let own = broker.open(&target, &mut mfa, SystemTime::now()).await?;
                let sts = broker.sts(&target, &own.session.credentials)?;
                identity_and_time(&sts, &target.name).await?.0.arn
            } else {
                caller_id.arn.clone()
            };
            user_name = name_of(&arn).map(str::to_owned).ok_or_else(|| {
                Failure::config(format!(
                    "{} is not an IAM user, so there is no user to revoke",
                    display_safe(&arn)
                ))
            })?;
            Subject::User(&user_name)
        }
    };
    let iam = broker.iam(&caller, &session.credentials)?;
    put_policy(&iam, subject, POLICY_NAME, &policy(now), &caller.name).await?;
    let from = match &role {
        Some(_) => target
            .plan
            .steps
            .iter()
            .rposition(|s| matches!(s, Step::AssumeRole { .. }))
            .unwrap_or(0),
        None => 0,
    };
    broker.forget(&target, from)?;
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
