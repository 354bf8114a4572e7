//! `keys rotate`: a new access key for an imported user, with no loss on any failure. The order
//! is what makes it safe: create the new key, store it, check that it works (IAM takes a moment
//! to spread a new key), and only then delete the old one. When a step before the deletion
//! fails, the old key is what the store holds and the new one is deleted again.

use std::time::{Duration, Instant, SystemTime};

use crate::aws::access_keys;
use crate::aws::broker::Broker;
use crate::aws::error::AuthError;
use crate::aws::mfa::MfaInput;
use crate::domain::keystore::StoredKeys;
use crate::domain::session::Credentials;
use crate::domain::text::display_safe;
use crate::domain::{ProfileSet, Source, Step};
use crate::keystore::{Keystore, Passphrase};

/// How long the new key is given to start working.
const CHECK_FOR: Duration = Duration::from_secs(60);
/// The wait between two checks.
const CHECK_EVERY: Duration = Duration::from_secs(3);

/// What a rotation did.
#[derive(Debug)]
pub struct Rotated {
    /// The IAM user.
    pub user: String,
    /// The key that was deleted.
    pub old_id: String,
    /// The key now stored.
    pub new_id: String,
    /// Cached sessions of the old key that were forgotten.
    pub forgotten: usize,
    /// Something to say (the old key could not be deleted).
    pub warning: Option<String>,
}

fn creds(k: &StoredKeys) -> Credentials {
    Credentials {
        access_key_id: k.access_key_id.clone(),
        secret_access_key: k.secret_access_key.clone(),
        session_token: None,
        expiration: None,
    }
}

/// The user's name in an IAM user ARN (`arn:aws:iam::1:user/path/name`).
fn user_name(arn: &str) -> Option<&str> {
    let resource = arn.split(':').nth(5)?;
    resource.strip_prefix("user/")?.rsplit('/').next()
}

/// Rotates `profile`'s stored key.
pub async fn rotate(
    set: &ProfileSet,
    profile: &str,
    store: &Keystore,
    ask: &mut dyn Passphrase,
    broker: &Broker,
    mfa: &mut impl MfaInput,
) -> Result<Rotated, AuthError> {
    let p = display_safe(profile).into_owned();
    let target = set
        .target(profile)
        .map_err(|e| AuthError::Config(e.to_string()))?;
    if !matches!(&target.plan.source, Source::Stored { profile: root, .. } if root == profile) {
        return Err(AuthError::Config(format!(
            "profile {p:?} is not an imported user's keys; `xrole-tui keys import {p}` first"
        )));
    }
    let old = store.get(profile, ask).await?;
    let who = broker.whoami(&target, &creds(&old)).await?;
    let user = user_name(&who.arn)
        .ok_or_else(|| {
            AuthError::Config(format!(
                "profile {p:?}'s keys are not an IAM user's ({}); only a user's keys rotate",
                display_safe(&who.arn)
            ))
        })?
        .to_owned();
    // Through the MFA session when the profile has one: a policy that demands MFA for IAM
    // calls then allows them.
    let with_mfa = has_mfa(&target);
    let call = if with_mfa {
        let opened = broker.open(&target, mfa, SystemTime::now()).await?;
        opened.session.credentials
    } else {
        creds(&old)
    };
    let iam = broker.iam(&target, &call)?;
    room_for_one_more(&iam, &user, &old.access_key_id).await?;
    let new = access_keys::create(&iam, &user).await?;
    if let Err(e) = store.put(profile, &new, ask).await {
        let _ = access_keys::delete(&iam, &user, &new.access_key_id).await;
        return Err(AuthError::from(e));
    }
    if let Err(why) = check(broker, &target, &new, &who.arn).await {
        // Back as it was: the old key in the store, the new one gone.
        let _ = store.put(profile, &old, ask).await;
        let _ = access_keys::delete(&iam, &user, &new.access_key_id).await;
        return Err(AuthError::Service(format!(
            "{why}; the old key {} stays in the store and usable, and the new one was deleted",
            old.access_key_id
        )));
    }
    let deleter = if with_mfa {
        iam.clone()
    } else {
        broker.iam(&target, &creds(&new))?
    };
    let warning = access_keys::delete(&deleter, &user, &old.access_key_id)
        .await
        .err()
        .map(|e| {
            format!(
                "the old key {} could not be deleted ({e}); delete it yourself",
                old.access_key_id
            )
        });
    let forgotten = forget_sessions_of(set, profile, broker)?;
    Ok(Rotated {
        user,
        old_id: old.access_key_id.clone(),
        new_id: new.access_key_id.clone(),
        forgotten,
        warning,
    })
}

fn has_mfa(target: &crate::domain::Target) -> bool {
    target.plan.steps.iter().any(|s| {
        matches!(
            s,
            Step::SessionToken {
                mfa_serial: Some(_),
                ..
            }
        )
    })
}

/// Forgets the cached sessions (MFA sessions, roles) of every profile whose chain starts at
/// `profile`: they were opened with the old key.
fn forget_sessions_of(
    set: &ProfileSet,
    profile: &str,
    broker: &Broker,
) -> Result<usize, AuthError> {
    let rooted: Vec<_> = set
        .profiles()
        .iter()
        .filter_map(|q| set.target(&q.name).ok())
        .filter(|t| t.root_profile() == profile)
        .collect();
    broker.clear(&rooted)
}

/// Refuses when the user has two keys already (IAM's limit), naming them.
async fn room_for_one_more(
    iam: &aws_sdk_iam::Client,
    user: &str,
    current: &str,
) -> Result<(), AuthError> {
    let keys = access_keys::list(iam, user).await?;
    if keys.len() < 2 {
        return Ok(());
    }
    let named: Vec<String> = keys
        .iter()
        .map(|k| {
            format!(
                "{} ({}, made {})",
                k.id,
                k.status,
                k.created.as_deref().unwrap_or("?")
            )
        })
        .collect();
    Err(AuthError::Config(format!(
        "user {} has two access keys already: {}; delete the one that is not {current} and rotate again",
        display_safe(user),
        named.join(", ")
    )))
}

/// Whether `new` signs in as `arn`, retried while IAM spreads the key, within [`CHECK_FOR`].
async fn check(
    broker: &Broker,
    target: &crate::domain::Target,
    new: &StoredKeys,
    arn: &str,
) -> Result<(), String> {
    #[cfg(debug_assertions)]
    if std::env::var_os("XROLE_TEST_FAIL_CHECK").is_some() {
        return Err("the new key was not accepted (test)".into());
    }
    let start = Instant::now();
    loop {
        match broker.whoami(target, &creds(new)).await {
            Ok(id) if id.arn == arn => return Ok(()),
            Ok(id) => {
                return Err(format!(
                    "the new key belongs to {}, not {}",
                    display_safe(&id.arn),
                    display_safe(arn)
                ))
            }
            Err(e) if start.elapsed() >= CHECK_FOR => {
                return Err(format!(
                    "the new key was not accepted within {} s ({e})",
                    CHECK_FOR.as_secs()
                ))
            }
            Err(_) => tokio::time::sleep(CHECK_EVERY).await,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn user_names_come_from_user_arns_only() {
        assert_eq!(super::user_name("arn:aws:iam::1:user/alice"), Some("alice"));
        assert_eq!(
            super::user_name("arn:aws:iam::1:user/dev/ops/bob"),
            Some("bob")
        );
        assert_eq!(super::user_name("arn:aws:sts::1:assumed-role/r/s"), None);
        assert_eq!(super::user_name("arn:aws:iam::1:root"), None);
    }
}
