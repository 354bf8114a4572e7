//! What a child served by a credential endpoint gets: the endpoint, and copies of the AWS files
//! in which the default profile gives no credentials (see `domain::shadow`). Both end when this
//! is dropped: the server stops and the copies are removed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::control::Control;
use super::endpoint::{Endpoint, Reporter};
use super::private_dir::PrivateDir;
use crate::aws::broker::Broker;
use crate::config::AwsFiles;
use crate::domain::session::Session;
use crate::domain::shadow::{shadow_default, without_long_term_keys};
use crate::domain::shell_env::Delivery;
use crate::domain::Target;

/// The endpoint of one child and its view of the files.
pub struct ServedChild {
    endpoint: Endpoint,
    /// `status` and `unlock` talk to it.
    control: Option<Control>,
    /// The rewritten files, in a private directory removed on drop.
    files: Option<(PrivateDir, PathBuf, PathBuf)>,
    /// Until when no new MFA code is needed, as known at the start.
    until: Option<std::time::SystemTime>,
    /// Says on the terminal, once, that the renewable horizon is near.
    _warning: Option<Warning>,
}

/// The warning's task, stopped with the child's serving.
struct Warning(tokio::task::JoinHandle<()>);

impl Drop for Warning {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// How long before the renewable horizon the terminal is told.
const WARN_BEFORE: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Sleeps until `WARN_BEFORE` the horizon, then says so once: one timer for the whole run.
fn warn_near(until: std::time::SystemTime, profile: String, report: Reporter) -> Warning {
    Warning(tokio::spawn(async move {
        let at = until.checked_sub(WARN_BEFORE).unwrap_or(until);
        if let Ok(wait) = at.duration_since(std::time::SystemTime::now()) {
            tokio::time::sleep(wait).await;
        }
        let left = until
            .duration_since(std::time::SystemTime::now())
            .unwrap_or_default();
        report(format!(
            "profile {:?}: the credentials can be renewed without a code for {} more minutes; run `xrole-tui unlock` in this shell to go on after that",
            crate::domain::text::display_safe(&profile),
            left.as_secs() / 60
        ));
    }))
}

impl ServedChild {
    /// Starts serving `session` for `target`. Fails (and the caller falls back to the static
    /// mode, saying why) when the endpoint cannot listen or the files cannot be rewritten.
    pub async fn start(
        broker: Broker,
        target: Arc<Target>,
        session: &Session,
        files: &AwsFiles,
        raw: Option<crate::config::RawFiles>,
        report: Reporter,
    ) -> Result<Self, String> {
        if session.credentials.session_token.is_none() {
            // The protocol has no keys-only form that botocore accepts, and long-term keys
            // are not handed to a child through it.
            return Err(
                "these are long-term keys without a session (--no-session or xrole_session = none)"
                    .into(),
            );
        }
        let files = child_files(files, raw)?;
        let until = broker.renewable_until(&target, std::time::SystemTime::now());
        let warning = until.map(|u| warn_near(u, target.name.clone(), report.clone()));
        let endpoint = Endpoint::start(broker, target, session.credentials.clone(), report.clone())
            .await
            .map_err(|e| format!("the credential endpoint cannot listen on 127.0.0.1: {e}"))?;
        // Without it the shell still works; only `status` and `unlock` cannot reach it.
        let control = match Control::start(Arc::clone(&endpoint.shared)) {
            Ok(c) => Some(c),
            Err(why) => {
                report(format!(
                    "status and unlock will not work in this shell: {why}"
                ));
                None
            }
        };
        Ok(Self {
            endpoint,
            control,
            files,
            until,
            _warning: warning,
        })
    }

    /// The environment's part for this child.
    pub fn delivery(&self) -> Delivery<'_> {
        Delivery::Endpoint {
            url: &self.endpoint.url,
            token: &self.endpoint.token,
            files: self
                .files
                .as_ref()
                .map(|(_, c, k)| (c.as_path(), k.as_path())),
            control: self.control.as_ref().map(Control::path),
            until: self.until,
        }
    }

    /// Ends serving after the child ended (see [`Endpoint::finish`]); the copies go.
    pub fn finish(self) {
        self.endpoint.finish();
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }
}

/// Copies of the files with the default profile hidden, when it gives credentials.
/// `raw` is the files' bytes when the caller has read them already (they are read otherwise).
fn child_files(
    files: &AwsFiles,
    raw: Option<crate::config::RawFiles>,
) -> Result<Option<(PrivateDir, PathBuf, PathBuf)>, String> {
    let (mut config, mut credentials) = match raw {
        Some(raw) => raw,
        None => files.read_raw().map_err(|e| e.to_string())?,
    };
    let text = |b: &Option<Vec<u8>>, p: &Path| {
        std::str::from_utf8(b.as_deref().unwrap_or_default())
            .map(|t| t.trim_start_matches('\u{feff}').to_owned())
            .map_err(|_| format!("{} is not UTF-8, so it cannot be rewritten", p.display()))
    };
    let texts = (
        text(&config, &files.config),
        text(&credentials, &files.credentials),
    );
    // The bytes hold keys: wiped once they are text (which is wiped in turn).
    zeroize::Zeroize::zeroize(&mut config);
    zeroize::Zeroize::zeroize(&mut credentials);
    let config = zeroize::Zeroizing::new(texts.0?);
    let credentials = zeroize::Zeroizing::new(texts.1?);
    let Some(shadowed) = shadow_default(&config, &credentials) else {
        return Ok(None);
    };
    if [&files.config, &files.credentials]
        .iter()
        .any(|p| p.to_string_lossy().contains(['\n', '\r']))
    {
        return Err(
            "the AWS files' paths hold a line break, so the copies cannot name them".into(),
        );
    }
    let shadowed = without_long_term_keys(shadowed, |name| keys_command(files, name));
    let shadowed_credentials = zeroize::Zeroizing::new(shadowed.credentials);
    let dir = PrivateDir::new("files")
        .map_err(|e| format!("cannot make a private directory for the child's files: {e}"))?;
    let write = |name: &str, body: &str| dir.write(name, body.as_bytes());
    let config_path = write("config", &shadowed.config)?;
    let credentials_path = write("credentials", &shadowed_credentials)?;
    Ok(Some((dir, config_path, credentials_path)))
}

/// The `credential_process` of a profile whose long-term keys are not copied: this binary, on
/// the real files, giving a session of the profile (never the keys). Quoted for both `sh -c`
/// (Go, JavaScript) and `shlex.split` (botocore).
fn keys_command(files: &AwsFiles, profile: &str) -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::canonicalize(p).ok())
        .map_or_else(
            || "xrole-tui".to_owned(),
            |p| p.to_string_lossy().into_owned(),
        );
    format!(
        "{} credential-process --config-file {} --credentials-file {} {}",
        quote(&exe),
        quote(&files.config.to_string_lossy()),
        quote(&files.credentials.to_string_lossy()),
        quote(profile)
    )
}
