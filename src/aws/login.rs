//! `login_session` at the root of a chain: the console session that `aws login` (AWS CLI ≥ 2.32)
//! signed in, cached in `~/.aws/login/cache/<sha256 of the ARN>.json` with 15-minute credentials
//! and a refresh token bound to a DPoP key.
//!
//! Credentials that last more than five minutes are read from the file with no call. Otherwise
//! the refresh is aws-config's own `LoginCredentialsProvider` (the SDKs' contract: sign-in's
//! `CreateOAuth2Token` with a DPoP proof, the file written back), held under a lock so that one
//! process refreshes at a time: the refresh token rotates, and a second refresh with the spent
//! one would end the session.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use aws_config::provider_config::ProviderConfig;
use aws_config::SdkConfig;
use aws_credential_types::provider::ProvideCredentials;
use serde_json::Value;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::error::AuthError;
use crate::domain::session::{parse_rfc3339, Credentials};
use crate::domain::text::{display_safe, hex};

/// Credentials closer to their end than this are refreshed first (the SDKs' buffer).
const REFRESH_BUFFER: Duration = Duration::from_secs(5 * 60);
/// The largest cache file read.
const MAX_BYTES: u64 = 64 * 1024;

/// The cache file of `session_arn`: `AWS_LOGIN_CACHE_DIRECTORY`, else `~/.aws/login/cache`.
pub fn cache_path(session_arn: &str) -> Result<PathBuf, AuthError> {
    let dir = match std::env::var_os("AWS_LOGIN_CACHE_DIRECTORY").filter(|d| !d.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(|h| PathBuf::from(h).join(".aws/login/cache"))
            .ok_or_else(|| {
                AuthError::Config("HOME is not set, so the login cache cannot be found".into())
            })?,
    };
    let mut name = hex(&Sha256::digest(session_arn.trim().as_bytes()));
    name.push_str(".json");
    Ok(dir.join(name))
}

/// The credentials of the file at `path`, and whether the refresh grant is there.
fn read(path: &Path) -> Result<Option<Credentials>, String> {
    let Some(bytes) = crate::config::read_private(path, MAX_BYTES)? else {
        return Ok(None);
    };
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| format!("it is not JSON ({e})"))?;
    let a = v.get("accessToken").ok_or("it has no accessToken")?;
    let text = |k: &str| a.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let (Some(id), Some(secret), Some(token), Some(ends)) = (
        text("accessKeyId"),
        text("secretAccessKey"),
        text("sessionToken"),
        text("expiresAt"),
    ) else {
        return Err("its accessToken is incomplete".into());
    };
    let expiration = parse_rfc3339(ends).ok_or("its expiresAt is not a time")?;
    Ok(Some(Credentials {
        access_key_id: id.to_owned(),
        secret_access_key: Zeroizing::new(secret.to_owned()),
        session_token: Some(Zeroizing::new(token.to_owned())),
        expiration: Some(expiration),
    }))
}

fn lasting(c: &Credentials, now: SystemTime) -> bool {
    c.expiration
        .and_then(|e| e.duration_since(now).ok())
        .is_some_and(|left| left > REFRESH_BUFFER)
}

fn login_needed(profile: &str, why: &str) -> AuthError {
    let p = display_safe(profile);
    AuthError::Expired(format!(
        "the aws login session of profile {p:?} needs a new sign-in: {why}. Run `aws login --profile {p}` (AWS CLI 2.32 or later) and retry"
    ))
}

/// Until when the cached session of `session_arn` lasts, when there is one.
pub fn horizon(session_arn: &str) -> Option<SystemTime> {
    read(&cache_path(session_arn).ok()?).ok()??.expiration
}

/// The credentials of `profile`'s `login_session`, refreshed when they end within five
/// minutes. `sdk` gives the region, HTTP client and timeouts of the sign-in call.
pub async fn credentials(
    profile: &str,
    session_arn: &str,
    sdk: &SdkConfig,
    now: SystemTime,
) -> Result<Credentials, AuthError> {
    let path = cache_path(session_arn)?;
    let shown = display_safe(&path.display().to_string()).into_owned();
    let load = || -> Result<Credentials, AuthError> {
        read(&path)
            .map_err(|why| login_needed(profile, &format!("{shown}: {why}")))?
            .ok_or_else(|| login_needed(profile, &format!("there is no cached session ({shown})")))
    };
    let cached = load()?;
    if lasting(&cached, now) {
        return Ok(cached);
    }
    let _held = hold(&path).await;
    // Another process may have refreshed it while this one waited.
    let cached = load()?;
    if lasting(&cached, now) {
        return Ok(cached);
    }
    let mut config = ProviderConfig::default().with_region(sdk.region().cloned());
    if let Some(t) = sdk.timeout_config() {
        config = config.with_timeout_config(t.clone());
    }
    if let Some(http) = sdk.http_client() {
        config = config.with_http_client(http);
    }
    let provider = aws_config::login::LoginCredentialsProvider::builder(session_arn)
        .configure(&config)
        .build();
    let fresh = provider.provide_credentials().await.map_err(|e| {
        let why = crate::aws::error::describe(&e);
        if cached.expiration.is_some_and(|end| end <= now) {
            login_needed(profile, &format!("refreshing it failed ({why})"))
        } else {
            AuthError::Service(format!(
                "refreshing the aws login session of profile {:?} failed: {why}",
                display_safe(profile)
            ))
        }
    })?;
    // The provider saved the refreshed session for every process; this one uses what it gave,
    // whether or not the save worked.
    Ok(Credentials {
        access_key_id: fresh.access_key_id().to_owned(),
        secret_access_key: Zeroizing::new(fresh.secret_access_key().to_owned()),
        session_token: fresh.session_token().map(|t| Zeroizing::new(t.to_owned())),
        expiration: fresh.expiry(),
    })
}

/// A lock beside the cache file, so that one process refreshes at a time; `None` when it cannot
/// be had within the bound (the refresh then goes ahead unguarded).
async fn hold(path: &Path) -> Option<crate::aws::lock::Held> {
    let dir = path.parent()?;
    let name = format!(".xrole-tui-{}", path.file_stem()?.to_string_lossy());
    crate::aws::lock::acquire(
        dir,
        &name,
        false,
        "refreshing an aws login session",
        &mut |_| {},
    )
    .await
    .ok()
}
