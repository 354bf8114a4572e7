//! IAM Identity Center sign-in owned by this tool: `sso login` (authorization code with PKCE, or
//! the device code), `sso logout`, and `sso populate` (in `populate`). A login writes the token
//! exactly where and as the AWS CLI v2 writes it, so the AWS CLI, every SDK and this tool's own
//! refresh use it afterwards.
//!
//! One login runs at a time per session across processes: a second one waits for the first
//! (a lock in the state directory) and then uses its token, so several profiles of one session
//! opened at once give one browser tab, not one each.

pub mod callback;
pub mod logout;
pub mod populate;

use std::path::PathBuf;
use std::time::SystemTime;

use aws_config::SdkConfig;

use crate::aws::error::AuthError;
use crate::aws::sso_oidc::{NewToken, Oidc, Poll};
use crate::domain::profile::ProfileSet;
use crate::domain::sso_login::{self as rules, DevicePoll, Flow, Pkce, Registration};
use crate::domain::sso_token::{CachedToken, Decision};
use crate::domain::target::Target;
use crate::domain::text::display_safe;

/// One IAM Identity Center session: an `[sso-session]`, or the start URL of a legacy profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSpec {
    /// The `[sso-session]` name; `None` for the legacy form.
    pub session: Option<String>,
    /// `sso_start_url`.
    pub start_url: String,
    /// `sso_region`.
    pub region: String,
    /// `sso_registration_scopes`, split.
    pub scopes: Option<Vec<String>>,
}

impl SsoSpec {
    /// The `[sso-session NAME]` section.
    pub fn of_session(set: &ProfileSet, name: &str) -> Result<Self, String> {
        let s = set.sso_session(name).ok_or_else(|| {
            format!(
                "there is no [sso-session {}] in the config file",
                display_safe(name)
            )
        })?;
        let missing = |key: &str| format!("[sso-session {}] has no {key}", display_safe(name));
        Ok(Self {
            session: Some(name.to_owned()),
            start_url: s
                .start_url
                .clone()
                .ok_or_else(|| missing("sso_start_url"))?,
            region: s.region.clone().ok_or_else(|| missing("sso_region"))?,
            scopes: s.registration_scopes.as_deref().map(rules::parse_scopes),
        })
    }

    /// The session at the root of `target`'s chain.
    pub fn of_target(target: &Target) -> Result<Self, String> {
        let p = display_safe(&target.name);
        let sso = target.sso.as_ref().ok_or_else(|| {
            format!("profile {p:?} does not sign in with IAM Identity Center (no sso_session or sso_start_url at the root of its chain)")
        })?;
        let (Some(start_url), Some(region)) = (&sso.start_url, &sso.region) else {
            let place = sso.session.as_deref().map_or_else(
                || format!("profile {p:?}"),
                |s| format!("[sso-session {}]", display_safe(s)),
            );
            return Err(format!("{place} has no sso_start_url or sso_region"));
        };
        Ok(Self {
            session: sso.session.clone(),
            start_url: start_url.clone(),
            region: region.clone(),
            scopes: sso.registration_scopes.as_deref().map(rules::parse_scopes),
        })
    }

    /// What names its token file: the session's name, else the start URL.
    pub fn identifier(&self) -> &str {
        self.session.as_deref().unwrap_or(&self.start_url)
    }

    /// How a person is told to log in to it.
    pub fn login_command(&self) -> String {
        match &self.session {
            Some(s) => format!("xrole-tui sso login --sso-session {}", display_safe(s)),
            None => format!(
                "xrole-tui sso login (start URL {})",
                display_safe(&self.start_url)
            ),
        }
    }
}

/// How to log in.
#[derive(Debug, Clone, Copy)]
pub struct LoginOptions {
    /// The OAuth flow.
    pub flow: Flow,
    /// Open the page in a browser (it is always shown as well).
    pub open_browser: bool,
    /// The listener's port for the authorization-code flow (for SSH forwarding).
    pub redirect_port: Option<u16>,
    /// Keep a token that is still good instead of logging in again (the TUI); `sso login`
    /// always logs in again, as the AWS CLI does.
    pub keep_valid: bool,
}

/// What a login shows a person.
#[derive(Debug)]
pub enum LoginNote<'a> {
    /// Open this page (and type this code, in the device flow).
    Open {
        /// The page.
        url: &'a str,
        /// The device flow's user code.
        code: Option<&'a str>,
        /// Whether a browser was opened, or why not; `None` when not asked to.
        browser: Option<Result<(), String>>,
    },
    /// Another process is logging in to the same session; this one waits for it.
    Waiting(&'a str),
    /// A session needs this login first (before the page is shown): why.
    Needed(&'a str),
}

/// Where a login's notes go: the terminal, or the TUI's login window.
pub trait LoginUi: Send {
    /// Shows `note`.
    fn note(&mut self, note: LoginNote<'_>);

    /// Signs `profile`'s `aws login` session in again with the AWS CLI (2.32 or later), when
    /// this UI can hand it the terminal; true when it ran and ended well.
    fn aws_login(&mut self, _profile: &str) -> bool {
        false
    }
}

/// A finished login.
#[derive(Debug)]
pub struct LoggedIn {
    /// The token file written (or found).
    pub path: PathBuf,
    /// When the access token ends (it is refreshed until the registration ends).
    pub expires_at: SystemTime,
    /// Another process logged in while this one waited, and its token is used.
    pub by_other: bool,
}

/// Logs in to `spec` and writes its token where the AWS CLI keeps it.
pub async fn login(
    spec: &SsoSpec,
    sdk: &SdkConfig,
    opts: LoginOptions,
    ui: &mut dyn LoginUi,
) -> Result<LoggedIn, AuthError> {
    let path = crate::aws::sso::token_path(spec.identifier())?;
    let dir = path.parent().map(PathBuf::from).unwrap_or_default();
    crate::config::ensure_private_dir(&dir).map_err(|e| {
        AuthError::LocalFile(format!(
            "cannot use {}: {e}",
            display_safe(&dir.display().to_string())
        ))
    })?;
    let (_held, waited) = hold_login(spec, ui).await?;
    let valid = |now| read_token(&path).filter(|t| t.decide(now, false) == Decision::Use);
    if waited || opts.keep_valid {
        if let Some(t) = valid(SystemTime::now()) {
            return Ok(LoggedIn {
                path,
                expires_at: t.expires_at,
                by_other: waited,
            });
        }
    }
    let oidc = Oidc::new(sdk, &spec.region)?;
    let (token, registration) = match opts.flow {
        Flow::AuthCode => auth_code(spec, &oidc, opts, ui).await?,
        Flow::DeviceCode => device_code(spec, &oidc, opts, ui).await?,
    };
    let bytes = rules::token_file(
        &spec.start_url,
        &spec.region,
        &token.access_token,
        token.expires_at,
        &registration,
        token.refresh_token.as_deref().map(String::as_str),
    );
    crate::config::write_private(&path, &bytes).map_err(|e| {
        AuthError::LocalFile(format!(
            "signed in, but the token could not be saved to {}: {e}",
            display_safe(&path.display().to_string())
        ))
    })?;
    Ok(LoggedIn {
        path,
        expires_at: token.expires_at,
        by_other: false,
    })
}

fn read_token(path: &std::path::Path) -> Option<CachedToken> {
    let bytes =
        crate::config::read_private(path, crate::domain::sso_token::MAX_TOKEN_BYTES).ok()??;
    CachedToken::parse(&bytes).ok()
}

/// The session's login lock; `true` when another process held it first.
async fn hold_login(
    spec: &SsoSpec,
    ui: &mut dyn LoginUi,
) -> Result<(Option<crate::aws::lock::Held>, bool), AuthError> {
    let Some(dir) = crate::store::usage::path().and_then(|p| p.parent().map(PathBuf::from)) else {
        return Ok((None, false));
    };
    if crate::config::ensure_private_dir(&dir).is_err() {
        return Ok((None, false));
    }
    let name = format!("sso-login-{}", rules::lock_name(spec.identifier()));
    let mut waited = false;
    let doing = format!("logging in to {}", display_safe(spec.identifier()));
    let mut report = |who: &str| {
        waited = true;
        ui.note(LoginNote::Waiting(who));
    };
    let held = crate::aws::lock::acquire_within(
        &dir,
        &name,
        true,
        &doing,
        Some(rules::LOGIN_WAIT),
        &mut report,
    )
    .await
    .map_err(|e| AuthError::Service(format!("another login of this session: {e}")))?;
    Ok((Some(held), waited))
}

/// The registration cached for `spec` and `flow`, or a new one (then cached).
async fn registration(spec: &SsoSpec, oidc: &Oidc, flow: Flow) -> Result<Registration, AuthError> {
    let now = SystemTime::now();
    let file = rules::registration_file_name(
        &spec.start_url,
        &spec.region,
        spec.scopes.as_deref(),
        spec.session.as_deref(),
    );
    let path = crate::aws::sso::token_path(spec.identifier())?.with_file_name(file);
    if let Some(reg) = crate::config::read_private(&path, 64 * 1024)
        .ok()
        .flatten()
        .and_then(|b| Registration::parse(&b))
        .filter(|r| r.usable(now, flow))
    {
        return Ok(reg);
    }
    let redirect =
        (flow == Flow::AuthCode).then_some((rules::REGISTERED_REDIRECT, spec.start_url.as_str()));
    let reg = oidc
        .register(
            spec.session.as_deref(),
            spec.scopes.as_deref(),
            redirect,
            now,
        )
        .await?;
    // A registration that cannot be cached is made again next time; the login goes on.
    let _ = crate::config::write_private(&path, &reg.to_json());
    Ok(reg)
}

async fn auth_code(
    spec: &SsoSpec,
    oidc: &Oidc,
    opts: LoginOptions,
    ui: &mut dyn LoginUi,
) -> Result<(NewToken, Registration), AuthError> {
    // Bound before anything is shown, so the browser never comes back to a closed port.
    let listener = callback::Listener::bind(opts.redirect_port).await?;
    let reg = registration(spec, oidc, Flow::AuthCode).await?;
    let pkce = Pkce::from_random(&random()?);
    let state = rules::state_from_random(&random()?);
    let redirect = rules::redirect_uri(listener.port());
    let url = rules::authorize_url(
        oidc.base(),
        &reg.client_id,
        &redirect,
        &state,
        spec.scopes.as_deref().unwrap_or_default(),
        &pkce.challenge,
    );
    let browser = opts
        .open_browser
        .then(|| crate::serve::browser::open_plain(&url));
    ui.note(LoginNote::Open {
        url: &url,
        code: None,
        browser,
    });
    let code = listener.code(&state).await?;
    let token = oidc
        .exchange_code(&reg, &code, &redirect, &pkce.verifier, SystemTime::now())
        .await?;
    Ok((token, reg))
}

async fn device_code(
    spec: &SsoSpec,
    oidc: &Oidc,
    opts: LoginOptions,
    ui: &mut dyn LoginUi,
) -> Result<(NewToken, Registration), AuthError> {
    let reg = registration(spec, oidc, Flow::DeviceCode).await?;
    let device = oidc.start_device(&reg, &spec.start_url).await?;
    let page = device
        .verification_uri_complete
        .as_deref()
        .unwrap_or(&device.verification_uri);
    let browser = opts
        .open_browser
        .then(|| crate::serve::browser::open_plain(page));
    ui.note(LoginNote::Open {
        url: &device.verification_uri,
        code: Some(&device.user_code),
        browser,
    });
    let deadline = std::time::Instant::now() + device.expires_in.min(rules::LOGIN_WAIT);
    let mut poll = DevicePoll::new(device.interval);
    loop {
        tokio::time::sleep(poll.interval).await;
        if std::time::Instant::now() >= deadline {
            return Err(AuthError::Expired(
                "the code was not approved in time; log in again".into(),
            ));
        }
        match oidc.poll_device(&reg, &device, SystemTime::now()).await? {
            Poll::Token(token) => return Ok((token, reg)),
            Poll::Pending => {}
            Poll::SlowDown => poll.slow_down(),
        }
    }
}

/// Whether a browser here could come back to a loopback listener: a display, and not over SSH.
pub fn flow_env() -> rules::FlowEnv {
    let set = |v: &str| std::env::var_os(v).is_some_and(|x| !x.is_empty());
    rules::FlowEnv {
        display: cfg!(target_os = "macos") || set("DISPLAY") || set("WAYLAND_DISPLAY"),
        ssh: set("SSH_CONNECTION") || set("SSH_TTY"),
    }
}

fn random<const N: usize>() -> Result<[u8; N], AuthError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|e| AuthError::Config(format!("no randomness for the login: {e}")))?;
    Ok(bytes)
}
