//! Revoking a profile's older sessions (`revoke`, the TUI's `R`): the console's
//! `AWSRevokeOlderSessions` policy on its role or user, with AWS's own time, and its cached
//! sessions dropped.

use std::time::{Duration, SystemTime};

use super::broker::Broker;
use super::error::AuthError;
use super::iam::{identity_and_time, put_policy, Subject};
use super::mfa::MfaInput;
use crate::domain::revoke::{name_of, policy, POLICY_NAME};
use crate::domain::text::display_safe;
use crate::domain::{Step, Target};

/// A local clock this far from AWS's is said.
const SKEW_WARNING: Duration = Duration::from_secs(60);

/// What a revocation did.
#[derive(Debug, Clone)]
pub struct Revoked {
    /// Sessions issued before this time (AWS's) are denied.
    pub issued_before: SystemTime,
    /// Said to the user (the local clock is off).
    pub warning: Option<String>,
}

/// Revokes `target`'s older sessions with `caller`'s credentials (`--as`, else `target`).
pub async fn revoke(
    broker: &Broker,
    target: &Target,
    caller: &Target,
    mfa: &mut impl MfaInput,
) -> Result<Revoked, AuthError> {
    let role = target.plan.final_role().cloned();
    let session = broker.open(caller, mfa, SystemTime::now()).await?.session;
    let sts = broker.sts(caller, &session.credentials)?;
    let (caller_id, aws_now) = identity_and_time(&sts, &caller.name).await?;
    let local = SystemTime::now();
    let now = aws_now.unwrap_or(local);
    let skew = now
        .duration_since(local)
        .or_else(|e| Ok::<_, ()>(e.duration()))
        .unwrap_or_default();
    let warning = (skew > SKEW_WARNING).then(|| {
        format!(
            "this machine's clock is {} s away from AWS's; AWS's time is used",
            skew.as_secs()
        )
    });
    let user_name;
    let subject = match &role {
        Some(r) => Subject::Role(r.name()),
        None => {
            // The user's own name, from its own identity (the caller may be another profile).
            let arn = if caller.name != target.name {
                let own = broker.open(target, mfa, SystemTime::now()).await?;
                let sts = broker.sts(target, &own.session.credentials)?;
                identity_and_time(&sts, &target.name).await?.0.arn
            } else {
                caller_id.arn.clone()
            };
            user_name = name_of(&arn).map(str::to_owned).ok_or_else(|| {
                AuthError::Config(format!(
                    "{} is not an IAM user, so there is no user to revoke",
                    display_safe(&arn)
                ))
            })?;
            Subject::User(&user_name)
        }
    };
    let iam = broker.iam(caller, &session.credentials)?;
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
    broker.forget(target, from)?;
    Ok(Revoked {
        issued_before: now,
        warning,
    })
}
