//! The cache keys of a profile's sessions: one per step of its plan, each a digest of
//! everything that changes that step's result, and one for a root with temporary credentials of its own (IAM Identity Center, `aws login`).

use super::cache;
use crate::domain::{Source, Step, Target};

/// The cache key of a root's own temporary credentials: an SSO role's (the start URL, the
/// session, the account and the role, as the AWS CLI keys them) or an `aws login` session's.
pub fn root_key(target: &Target) -> Option<cache::Key> {
    match &target.plan.source {
        Source::Sso {
            account_id,
            role_name,
            ..
        } => {
            let sso = target.sso.as_ref()?;
            Some(cache::Key::new(&[
                "sso-role-credentials",
                sso.start_url.as_deref().unwrap_or_default(),
                sso.session.as_deref().unwrap_or_default(),
                account_id,
                role_name,
            ]))
        }
        Source::Login { session_arn, .. } => {
            Some(cache::Key::new(&["login-credentials", session_arn]))
        }
        _ => None,
    }
}

/// The key of the session a profile hands out: its last step's, or, for a profile that is
/// only an SSO role, its role credentials'.
pub fn session_key(target: &Target) -> Option<cache::Key> {
    step_keys(target).pop().or_else(|| root_key(target))
}

/// Every cache key of `target`: its steps and its SSO root.
pub fn all_keys(target: &Target) -> Vec<cache::Key> {
    let mut keys = step_keys(target);
    keys.extend(root_key(target));
    keys
}

/// One cache key per step, each covering everything that changes that step's result: the
/// identity of its source (the previous step's key, or the root's), the role, MFA device,
/// external id, duration and session name.
pub fn step_keys(target: &Target) -> Vec<cache::Key> {
    let plan = &target.plan;
    let root = match &plan.source {
        Source::StaticKeys { .. } => {
            let id = target
                .root_keys
                .as_ref()
                .map_or("", |k| k.access_key_id.as_str());
            format!("static:{id}")
        }
        Source::Process { command, .. } => format!("process:{command}"),
        Source::Sso {
            profile,
            account_id,
            role_name,
        } => format!("sso:{profile}:{account_id}:{role_name}"),
        Source::Login { session_arn, .. } => format!("login:{session_arn}"),
        // Keyed by profile: the store is read only when a step's cache entry is missing.
        Source::Stored { profile, backend } => format!("keystore:{backend}:{profile}"),
        Source::CredentialSource { kind, .. } => match kind.as_str() {
            "Environment" => format!(
                "env:{}",
                std::env::var("AWS_ACCESS_KEY_ID").unwrap_or_default()
            ),
            other => format!("source:{other}"),
        },
        Source::Environment { .. } => format!(
            "env:{}",
            std::env::var("AWS_ACCESS_KEY_ID").unwrap_or_default()
        ),
    };
    let mut previous = cache::Key::new(&[&root]);
    plan.steps
        .iter()
        .map(|step| {
            let key = match step {
                Step::SessionToken {
                    mfa_serial,
                    duration,
                } => cache::Key::new(&[
                    "GetSessionToken",
                    previous.as_str(),
                    mfa_serial.as_deref().unwrap_or_default(),
                    &duration.map(|d| d.to_string()).unwrap_or_default(),
                ]),
                Step::AssumeRole {
                    role_arn,
                    mfa_serial,
                    external_id,
                    session_name,
                    duration,
                    ..
                } => cache::Key::new(&[
                    "AssumeRole",
                    previous.as_str(),
                    role_arn.as_str(),
                    mfa_serial.as_deref().unwrap_or_default(),
                    external_id.as_deref().unwrap_or_default(),
                    &duration.map(|d| d.to_string()).unwrap_or_default(),
                    session_name.as_deref().unwrap_or_default(),
                ]),
            };
            previous = key.clone();
            key
        })
        .collect()
}
