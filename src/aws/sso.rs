//! IAM Identity Center as the root of a chain, read as the AWS CLI reads it: the token that
//! `aws sso login` left in `~/.aws/sso/cache`, refreshed through SSO-OIDC `CreateToken` when an
//! `sso_session` token is near its end, then the portal's `GetRoleCredentials`.
//!
//! The token file is read without blocking and within a size bound, and a refreshed token is
//! written back as the cache entries are: a private temporary file renamed over the old one.
//! Whether a token can be used is decided from the file and the clock alone, so an expired
//! token costs no DNS lookup and no network wait before the `aws sso login` message.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use zeroize::Zeroizing;

use super::error::{describe, AuthError};
use crate::domain::session::Credentials;
use crate::domain::sso_token::{self, CachedToken, Decision, MAX_TOKEN_BYTES};
use crate::domain::target::SsoSettings;
use crate::domain::text::display_safe;

/// The SDK configurations of the two SSO services: endpoints, timeouts, retries and the shared
/// HTTP client. The region is the profile's `sso_region`, set per call.
#[derive(Clone, Debug)]
pub struct SsoSdk {
    /// The portal (`GetRoleCredentials`).
    pub portal: SdkConfig,
    /// SSO-OIDC (`CreateToken`).
    pub oidc: SdkConfig,
}

impl Default for SsoSdk {
    fn default() -> Self {
        let plain = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .build();
        Self {
            portal: plain.clone(),
            oidc: plain,
        }
    }
}

/// What the SSO leaf is asked for.
pub struct Request<'a> {
    /// The profile holding `sso_account_id`.
    pub profile: &'a str,
    /// Its session, start URL and region (both checked present by the caller).
    pub settings: &'a SsoSettings,
    /// `sso_account_id`.
    pub account_id: &'a str,
    /// `sso_role_name`.
    pub role_name: &'a str,
}

/// Whose token is read, for the message that asks for a login.
#[derive(Debug, Clone, Copy)]
pub enum Who<'a> {
    /// A profile at the root of a chain.
    Profile(&'a str),
    /// An `[sso-session]` named on its own.
    Session(&'a str),
}

/// The role credentials of `req`, refreshing the token first when the AWS CLI would.
pub async fn credentials(
    req: &Request<'_>,
    sdk: &SsoSdk,
    now: SystemTime,
) -> Result<Credentials, AuthError> {
    let token = access_token(Who::Profile(req.profile), req.settings, sdk, now).await?;
    let region = req.settings.region.as_deref().unwrap_or_default();
    role_credentials(req, &token, region, sdk).await
}

/// A usable access token of `settings`' session, refreshed first when the AWS CLI would.
pub async fn access_token(
    who: Who<'_>,
    s: &SsoSettings,
    sdk: &SsoSdk,
    now: SystemTime,
) -> Result<Zeroizing<String>, AuthError> {
    let (Some(start_url), Some(region)) = (s.start_url.as_deref(), s.region.as_deref()) else {
        let whose = match who {
            Who::Profile(p) => format!("profile {:?}", display_safe(p)),
            Who::Session(n) => format!("[sso-session {}]", display_safe(n)),
        };
        return Err(AuthError::Config(format!(
            "{whose} has no sso_start_url or sso_region"
        )));
    };
    let identifier = s.session.as_deref().unwrap_or(start_url);
    let path = token_path(identifier)?;
    let login = |why: &str| login_needed(who, &path, why);
    let read = || -> Result<CachedToken, AuthError> {
        let bytes = config_read(&path)
            .map_err(|why| login(&why))?
            .ok_or_else(|| login("there is no token for it"))?;
        CachedToken::parse(&bytes).map_err(|why| login(&why))
    };
    let refreshable = s.session.is_some();
    let mut token = newest(&path, read()?);
    if token.decide(now, refreshable) == Decision::Refresh {
        // One refresh at a time: CreateToken may spend the refresh token, so a process that
        // waited reads what the first one saved instead of refreshing with a spent one.
        let _held = hold(&path).await;
        token = newest(&path, read()?);
        if token.decide(now, refreshable) == Decision::Refresh {
            token = refresh(token, region, sdk, &path, now)
                .await
                .map_err(|why| login(&why))?;
        }
    }
    if token.decide(now, refreshable) == Decision::Login {
        return Err(login("its token has expired"));
    }
    Ok(token.access_token)
}

/// Until when the token of `settings` lasts without a new login, and whether it can be
/// refreshed (an `sso_session` token with a complete grant). `None` when there is none to read.
pub fn token_horizon(settings: &SsoSettings, now: SystemTime) -> Option<(SystemTime, bool)> {
    let identifier = settings
        .session
        .as_deref()
        .or(settings.start_url.as_deref())?;
    let bytes = config_read(&token_path(identifier).ok()?).ok()??;
    let token = CachedToken::parse(&bytes).ok()?;
    let refreshable = settings.session.is_some() && token.grant(now).is_some();
    Some((token.expires_at, refreshable))
}

/// How long to wait for another process's refresh: longer than one bounded `CreateToken`.
const HOLD_WAIT: Duration = Duration::from_secs(40);

/// An exclusive `flock` on the token file, or `None` when it cannot be had within
/// [`HOLD_WAIT`] (the refresh then goes ahead unguarded). The lock is on the open file, so
/// after the refreshed file is renamed in, a waiter holds the old one and reads the new.
async fn hold(path: &Path) -> Option<std::fs::File> {
    use rustix::fs::{flock, FlockOperation};
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .ok()
        .filter(|f| f.metadata().is_ok_and(|m| m.is_file()))?;
    let start = std::time::Instant::now();
    while start.elapsed() < HOLD_WAIT {
        if flock(&file, FlockOperation::NonBlockingLockExclusive).is_ok() {
            return Some(file);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

fn config_read(path: &Path) -> Result<Option<Vec<u8>>, String> {
    crate::config::read_small_file(path, MAX_TOKEN_BYTES)
}

/// `~/.aws/sso/cache`, where the AWS CLI keeps its tokens; `XROLE_SSO_CACHE_DIR` moves it (the
/// demo does, so that its sign-ins never touch a real token).
pub fn cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("XROLE_SSO_CACHE_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".aws/sso/cache"))
}

/// `~/.aws/sso/cache/<sha1>.json`, where the AWS CLI keeps the token of `identifier`.
pub fn token_path(identifier: &str) -> Result<PathBuf, AuthError> {
    let dir = cache_dir().ok_or_else(|| {
        AuthError::Config("HOME is not set, so the SSO token cache cannot be found".into())
    })?;
    Ok(dir.join(sso_token::file_name(identifier)))
}

fn login_needed(who: Who<'_>, path: &Path, why: &str) -> AuthError {
    let file = display_safe(&path.display().to_string()).into_owned();
    AuthError::Expired(match who {
        Who::Profile(p) => format!(
            "the SSO session of profile {p:?} needs a new login: {why} ({file}). Run `xrole-tui sso login {p}` (or `aws sso login --profile {p}`) and retry",
            p = display_safe(p),
        ),
        Who::Session(n) => format!(
            "the SSO session {n:?} needs a new login: {why} ({file}). Run `xrole-tui sso login --sso-session {n}` and retry",
            n = display_safe(n),
        ),
    })
}

/// Refreshes an `sso_session` token. When `CreateToken` fails, a token that has not expired is
/// still used, as the AWS CLI does; an expired one needs a login.
async fn refresh(
    token: CachedToken,
    region: &str,
    sdk: &SsoSdk,
    path: &Path,
    now: SystemTime,
) -> Result<CachedToken, String> {
    let answer = {
        let Some(grant) = token.grant(now) else {
            return Err("its token cannot be refreshed".into());
        };
        let config = aws_sdk_ssooidc::config::Builder::from(&sdk.oidc)
            .region(Region::new(region.to_owned()))
            .build();
        aws_sdk_ssooidc::Client::from_conf(config)
            .create_token()
            .grant_type("refresh_token")
            .client_id(grant.client_id)
            .client_secret(grant.client_secret)
            .refresh_token(grant.refresh_token)
            .send()
            .await
    };
    let failed = match answer {
        Ok(out) => match out.access_token().filter(|t| !t.is_empty()) {
            Some(access) => {
                let expires_in = Duration::from_secs(u64::try_from(out.expires_in()).unwrap_or(0));
                let fresh = token.refreshed(access, expires_in, out.refresh_token(), now);
                // A token that could not be saved still works for this process, which keeps it
                // (its refresh token may be the only one left) and saves it on the next use.
                if let Err(e) = save(path, &fresh) {
                    unsaved(path, &fresh, &e);
                }
                return Ok(fresh);
            }
            None => "CreateToken gave no access token".to_owned(),
        },
        Err(e) => format!("refreshing its token failed: {}", sdk_reason(&e)),
    };
    // Another process may have refreshed it first, with a refresh token that is now spent.
    if let Some(theirs) = config_read(path)
        .ok()
        .flatten()
        .and_then(|b| CachedToken::parse(&b).ok())
        .filter(|t| t.access_token != token.access_token && t.expires_at > now)
    {
        return Ok(theirs);
    }
    if token.expires_at > now {
        Ok(token)
    } else {
        Err(failed)
    }
}

/// Writes the token back: a private temporary file in the same directory, renamed over the old.
fn save(path: &Path, token: &CachedToken) -> std::io::Result<()> {
    #[cfg(debug_assertions)]
    if std::env::var_os("XROLE_TEST_FAIL_SAVE").is_some() {
        return Err(std::io::Error::other("no space left on device (test)"));
    }
    crate::config::write_private(path, &token.to_json())
}

/// Refreshed tokens this process could not save, by file: used instead of the file's older
/// one, and saved again on each use until a save succeeds.
static UNSAVED: std::sync::Mutex<Vec<(PathBuf, CachedToken)>> = std::sync::Mutex::new(Vec::new());

/// What this process has to say about tokens it could not save (taken once).
static NOTES: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn unsaved(path: &Path, token: &CachedToken, e: &std::io::Error) {
    let mut kept = UNSAVED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    kept.retain(|(p, _)| p != path);
    kept.push((path.to_owned(), token.clone()));
    NOTES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(format!(
            "the refreshed IAM Identity Center token could not be saved to {} ({e}); this process keeps using it and tries again on the next use, but other processes still read the old one",
            display_safe(&path.display().to_string())
        ));
}

/// The file's token, or this process's unsaved newer one (saved now, if that works).
fn newest(path: &Path, from_file: CachedToken) -> CachedToken {
    let mut kept = UNSAVED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let Some(i) = kept.iter().position(|(p, _)| p == path) else {
        return from_file;
    };
    if kept[i].1.expires_at <= from_file.expires_at {
        // Another process saved a newer one meanwhile.
        kept.remove(i);
        return from_file;
    }
    if save(path, &kept[i].1).is_ok() {
        return kept.remove(i).1;
    }
    kept[i].1.clone()
}

/// Notes about unsaved tokens since the last call, for the caller to say.
pub fn take_notes() -> Vec<String> {
    std::mem::take(
        &mut *NOTES
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    )
}

async fn role_credentials(
    req: &Request<'_>,
    access_token: &str,
    region: &str,
    sdk: &SsoSdk,
) -> Result<Credentials, AuthError> {
    let config = aws_sdk_sso::config::Builder::from(&sdk.portal)
        .region(Region::new(region.to_owned()))
        .build();
    let answer = aws_sdk_sso::Client::from_conf(config)
        .get_role_credentials()
        .account_id(req.account_id)
        .role_name(req.role_name)
        .access_token(access_token)
        .send()
        .await;
    let p = display_safe(req.profile);
    let what = format!(
        "sso:GetRoleCredentials for role {} in account {}",
        display_safe(req.role_name),
        display_safe(req.account_id)
    );
    let out = answer.map_err(|e| match e.code() {
        Some("UnauthorizedException") => AuthError::Expired(format!(
            "the SSO portal no longer accepts the login of profile {p:?}; run `xrole-tui sso login {p}` (or `aws sso login --profile {p}`) and retry"
        )),
        Some("ForbiddenException") => AuthError::Denied(format!(
            "{what} was refused: the SSO user of profile {p:?} is not assigned that role in that account"
        )),
        Some("ResourceNotFoundException") => AuthError::Config(format!(
            "{what} found no such role: check sso_account_id and sso_role_name of profile {p:?}"
        )),
        _ => AuthError::Service(format!("{what} failed: {}", sdk_reason(&e))),
    })?;
    let role = out
        .role_credentials()
        .ok_or_else(|| AuthError::Service(format!("{what} answered without credentials")))?;
    let (Some(id), Some(secret), Some(session)) = (
        role.access_key_id(),
        role.secret_access_key(),
        role.session_token(),
    ) else {
        return Err(AuthError::Service(format!(
            "{what} answered with incomplete credentials"
        )));
    };
    let expiration = u64::try_from(role.expiration())
        .ok()
        .filter(|&ms| ms > 0)
        .map(|ms| SystemTime::UNIX_EPOCH + Duration::from_millis(ms));
    Ok(Credentials {
        access_key_id: id.to_owned(),
        secret_access_key: Zeroizing::new(secret.to_owned()),
        session_token: Some(Zeroizing::new(session.to_owned())),
        expiration,
    })
}

/// An SDK error in words: a timeout, an unreachable endpoint, or the service's code and message.
pub(crate) fn sdk_reason<E>(e: &SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match e {
        SdkError::TimeoutError(_) => "the endpoint did not answer in time".into(),
        SdkError::DispatchFailure(_) => format!("cannot reach the endpoint ({})", describe(e)),
        SdkError::ServiceError(ctx) => {
            let code = ctx.err().code().unwrap_or("an error");
            let status = ctx.raw().status().as_u16();
            match ctx.err().message() {
                Some(m) => format!("{code} (HTTP {status}): {}", display_safe(m)),
                None => format!("{code} (HTTP {status})"),
            }
        }
        _ => describe(e),
    }
}
