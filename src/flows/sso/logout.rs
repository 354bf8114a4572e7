//! `sso logout`: the portal ends the login (`Logout`), its token file goes, and so do the role
//! credentials cached from it, so the next use of any of its profiles asks for a login. With no
//! session named, every IAM Identity Center token in `~/.aws/sso/cache` goes, as `aws sso
//! logout` does (the client registrations stay; they hold no login).

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::SsoSpec;
use crate::aws::broker::Broker;
use crate::aws::error::AuthError;
use crate::aws::sdk::Service;
use crate::domain::profile::ProfileSet;
use crate::domain::sso_token::MAX_TOKEN_BYTES;
use crate::domain::text::display_safe;

/// What a logout did.
#[derive(Debug, Default)]
pub struct LoggedOut {
    /// Token files removed.
    pub tokens: usize,
    /// Cached role sessions forgotten.
    pub sessions: usize,
    /// Portal calls that failed (the token was removed here all the same).
    pub warnings: Vec<String>,
}

/// Logs out of `spec`'s session, or of every session when `None`.
pub async fn logout(
    spec: Option<&SsoSpec>,
    set: &ProfileSet,
    broker: &Broker,
) -> Result<LoggedOut, AuthError> {
    let files = match spec {
        Some(s) => vec![crate::aws::sso::token_path(s.identifier())?],
        None => every_token_file()?,
    };
    let sdk = broker.sdk_config_plain(Service::Sso)?;
    let mut done = LoggedOut::default();
    for path in files {
        let Some((token, region)) = read(&path) else {
            continue;
        };
        let region = region.or_else(|| spec.map(|s| s.region.clone()));
        if let Some(region) = region {
            if let Err(e) = crate::aws::sso_portal::logout(&sdk, &region, &token).await {
                done.warnings.push(e.to_string());
            }
        }
        match std::fs::remove_file(&path) {
            Ok(()) => done.tokens += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(AuthError::LocalFile(format!(
                    "cannot remove the token {}: {e}",
                    display_safe(&path.display().to_string())
                )))
            }
        }
    }
    let targets: Vec<_> = set
        .profiles()
        .iter()
        .filter_map(|p| set.target(&p.name).ok())
        .filter(|t| {
            t.sso.as_ref().is_some_and(|s| match spec {
                None => true,
                Some(spec) => match &spec.session {
                    Some(name) => s.session.as_ref() == Some(name),
                    None => s.session.is_none() && s.start_url.as_ref() == Some(&spec.start_url),
                },
            })
        })
        .collect();
    if !targets.is_empty() {
        done.sessions = broker.clear(&targets)?;
    }
    Ok(done)
}

/// The token files of `~/.aws/sso/cache`: those holding an `accessToken`.
fn every_token_file() -> Result<Vec<PathBuf>, AuthError> {
    let dir = crate::aws::sso::token_path("x")?
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    Ok(entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter(|p| read(p).is_some())
        .collect())
}

/// The access token and region of a token file of this user.
fn read(path: &Path) -> Option<(zeroize::Zeroizing<String>, Option<String>)> {
    let bytes = crate::config::read_private(path, MAX_TOKEN_BYTES).ok()??;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    let token = v.get("accessToken")?.as_str().filter(|t| !t.is_empty())?;
    let region = v.get("region").and_then(Value::as_str).map(str::to_owned);
    Some((zeroize::Zeroizing::new(token.to_owned()), region))
}
