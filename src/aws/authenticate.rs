//! Executing a plan: the root credentials, then each STS call, with the cache in front of every
//! call and the expected-account guard at the end.

use std::future::Future;
use std::sync::Arc;
use std::time::SystemTime;

use aws_config::SdkConfig;
use zeroize::Zeroizing;

use super::cache::{self, Cache};
use super::error::AuthError;
pub use super::session_keys::{all_keys, session_key, sso_key, step_keys};
use super::{leaf, lock, sdk, sts};
use crate::domain::session::{CallerIdentity, Credentials, Session};
use crate::domain::validate::{self, CHAINED_ROLE_MAX};
use crate::domain::{Step, Target};

/// How a person gives an MFA code: a terminal prompt or a line of stdin (`cli/mfa.rs`), the
/// TUI's modal (`runtime/executor.rs`), a code handed in by `unlock` or nobody at all (a served
/// child, `serve/`). A profile's `mfa_process` comes first, for every one of them, in one place
/// ([`Engine::authenticate`] through `code_for`).
pub trait MfaInput: Send {
    /// A code for `serial`, asked on behalf of `profile`.
    fn code(
        &mut self,
        serial: &str,
        profile: &str,
    ) -> impl Future<Output = Result<Zeroizing<String>, AuthError>> + Send;

    /// Tells the user something while they wait (another process holds a lock).
    fn notice(&mut self, _text: &str) {}

    /// True when a refused code can be asked for again at once (a terminal prompt); the TUI's
    /// modal gets the reason instead and the user types the next code there.
    fn asks_again(&self) -> bool {
        false
    }

    /// True when a person can be asked at all, so that a failed `mfa_process` falls back to
    /// asking (the TUI's modal, a terminal); false where nobody can answer (a served child's
    /// endpoint), and then the helper's failure is the answer.
    fn can_ask(&self) -> bool {
        true
    }
}

/// A change to every STS client's configuration (tests use it to install mocks).
pub type StsCustomizer =
    Arc<dyn Fn(aws_sdk_sts::config::Builder) -> aws_sdk_sts::config::Builder + Send + Sync>;

/// Runs plans.
#[derive(Clone)]
pub struct Engine {
    /// Region, endpoint, timeouts and retries.
    pub sdk: SdkConfig,
    /// `None` with `--no-cache` / `XROLE_CACHE=none`.
    pub cache: Option<Cache>,
    /// Applied to every STS client.
    pub customize: Option<StsCustomizer>,
    /// The SSO portal and SSO-OIDC, for a plan rooted in IAM Identity Center.
    pub sso: super::sso::SsoSdk,
}

/// The result of [`Engine::authenticate`].
#[derive(Debug)]
pub struct Outcome {
    /// The credentials and identity.
    pub session: Session,
    /// Things to tell the user (durations clamped, MFA path chosen, cache trouble).
    pub notes: Vec<String>,
    /// STS requests made (0 when everything came from the cache).
    pub sts_calls: usize,
}

impl Engine {
    fn sts(&self, creds: &Credentials) -> aws_sdk_sts::Client {
        let mut builder = sdk::sts_builder(&self.sdk, creds);
        if let Some(customize) = &self.customize {
            builder = customize(builder);
        }
        aws_sdk_sts::Client::from_conf(builder.build())
    }

    /// Gets credentials for `target`: from the cache when possible, asking `mfa` for a code
    /// only when an MFA call must really be made. Each STS call runs under the cross-process
    /// lock of its cache key (and of its MFA device when it needs a code), and the cache is
    /// read again once the lock is held, so concurrent processes share one result.
    pub async fn authenticate(
        &self,
        target: &Target,
        mfa: &mut impl MfaInput,
        now: SystemTime,
    ) -> Result<Outcome, AuthError> {
        let plan = &target.plan;
        let profile = target.name.as_str();
        let mut notes = plan.notes.clone();
        let keys = step_keys(target);
        let (mut next, mut creds, mut identity) = match self.cached(&keys, now) {
            Some((i, entry)) => (i + 1, Some(entry.credentials), entry.identity),
            None => (0, None, None),
        };
        let mut sts_calls = 0;
        while next < plan.steps.len() {
            let step = &plan.steps[next];
            let mut held = self.lock(&keys[next], false, &describe(step), mfa).await?;
            // Someone may have made this call (or a later one) while we waited.
            if held.is_some() {
                if let Some((j, entry)) = self.cached(&keys[next..], now) {
                    next += j + 1;
                    creds = Some(entry.credentials);
                    identity = entry.identity;
                    continue;
                }
            }
            let source = match creds.take() {
                Some(c) => c,
                None => self.root(target, now).await?,
            };
            let client = self.sts(&source);
            let caller = if next == 0 {
                target.root_profile().to_owned()
            } else {
                step_profile(&plan.steps[next - 1])
                    .unwrap_or(target.root_profile())
                    .to_owned()
            };
            let serial = match step {
                Step::SessionToken { mfa_serial, .. } | Step::AssumeRole { mfa_serial, .. } => {
                    mfa_serial.as_deref()
                }
            };
            // Only one process at a time asks for a code on a device.
            let _device = match serial {
                Some(serial) => {
                    let doing = format!("asking for an MFA code for {serial}");
                    if let Some(h) = held.as_mut() {
                        h.set_state(true, &doing);
                    }
                    self.lock(&cache::Key::new(&["mfa-device", serial]), true, &doing, mfa)
                        .await?
                }
                None => None,
            };
            let code = match serial {
                Some(serial) => {
                    let helper = target.mfa_process.as_deref();
                    Some(code_for(mfa, serial, profile, self.cache.as_ref(), helper).await?)
                }
                None => None,
            };
            match step {
                Step::SessionToken {
                    mfa_serial,
                    duration,
                } => {
                    let mfa = mfa_serial
                        .as_deref()
                        .zip(code.as_deref().map(String::as_str));
                    sts_calls += 1;
                    creds = Some(sts::get_session_token(&client, mfa, *duration, &caller).await?);
                    identity = None;
                }
                Step::AssumeRole {
                    profile: role_profile,
                    role_arn,
                    external_id,
                    session_name,
                    duration,
                    ..
                } => {
                    let mut duration = *duration;
                    // The plan has told the user; AWS would refuse the call otherwise.
                    if source.session_token.is_some()
                        && duration.is_some_and(|d| d > CHAINED_ROLE_MAX)
                    {
                        duration = Some(CHAINED_ROLE_MAX);
                    }
                    let name = session_name
                        .clone()
                        .unwrap_or_else(|| default_session_name(role_profile));
                    let request = sts::AssumeRoleRequest {
                        role_arn: role_arn.as_str(),
                        session_name: &name,
                        duration,
                        external_id: external_id.as_deref(),
                        mfa: serial.zip(code.as_deref().map(String::as_str)),
                        caller_profile: &caller,
                    };
                    sts_calls += 1;
                    let (c, id) = sts::assume_role(&client, &request).await?;
                    creds = Some(c);
                    identity = id;
                }
            }
            // AWS took the code: it is refused locally from now on, for its replay window.
            if let (Some(serial), Some(code), Some(cache)) = (serial, code.as_deref(), &self.cache)
            {
                let _ = cache.mark_code_used(serial, code, SystemTime::now());
            }
            if let (Some(cache), Some(c)) = (&self.cache, &creds) {
                let entry = cache::Entry {
                    credentials: c.clone(),
                    identity: identity.clone(),
                };
                if let Err(e) = cache.put(&keys[next], &entry) {
                    notes.push(format!("credentials not cached: {e}"));
                }
            }
            next += 1;
        }
        let mut creds = match creds {
            Some(c) => c,
            None => self.root(target, now).await?,
        };
        if plan.session_for_process_keys && creds.session_token.is_none() {
            // A helper that hands out long-term keys: they stay in this process, as keys
            // from the files do, and a session goes out instead.
            sts_calls += 1;
            creds = sts::get_session_token(&self.sts(&creds), None, None, profile).await?;
            identity = None;
        }
        if let Some(expected) = &target.expected_account {
            let actual = match &identity {
                Some(id) => id.clone(),
                None => {
                    sts_calls += 1;
                    let id = sts::caller_identity(&self.sts(&creds), profile).await?;
                    identity = Some(id.clone());
                    id
                }
            };
            if &actual.account != expected {
                return Err(AuthError::WrongAccount(format!(
                    "profile {profile:?} must be in account {expected}, but its credentials are in account {} ({}); refusing to use them",
                    actual.account,
                    crate::domain::text::display_safe(&actual.arn)
                )));
            }
        }
        Ok(Outcome {
            session: Session {
                profile: profile.to_owned(),
                credentials: creds,
                identity,
            },
            notes,
            sts_calls,
        })
    }

    /// The cross-process lock of `key`; `None` without a cache (nothing is shared then).
    async fn lock(
        &self,
        key: &cache::Key,
        prompting: bool,
        doing: &str,
        mfa: &mut impl MfaInput,
    ) -> Result<Option<lock::Held>, AuthError> {
        let Some(cache) = &self.cache else {
            return Ok(None);
        };
        if cache.ensure_dir().is_err() {
            return Ok(None); // the cache itself will report why it cannot be written
        }
        let mut report = |text: &str| mfa.notice(text);
        lock::acquire(cache.dir(), key.as_str(), prompting, doing, &mut report)
            .await
            .map(Some)
            .map_err(|e| match e {
                lock::LockError::Timeout { .. } => AuthError::Service(format!(
                    "{e}; another xrole-tui is getting the same credentials (end it, or retry)"
                )),
                lock::LockError::File { .. } => AuthError::Config(e.to_string()),
            })
    }

    /// The last step whose result is cached and still good, with that result.
    fn cached(&self, keys: &[cache::Key], now: SystemTime) -> Option<(usize, cache::Entry)> {
        let cache = self.cache.as_ref()?;
        keys.iter()
            .enumerate()
            .rev()
            .find_map(|(i, k)| cache.get(k, now).map(|e| (i, e)))
    }

    /// Until when `target` can be renewed without a new MFA code: the end of the cached
    /// result of its first step that needs one. `None` when no step needs a code, or nothing
    /// is cached.
    pub fn renewable_until(&self, target: &Target, now: SystemTime) -> Option<SystemTime> {
        let first_mfa = target.plan.steps.iter().position(|s| match s {
            Step::SessionToken { mfa_serial, .. } | Step::AssumeRole { mfa_serial, .. } => {
                mfa_serial.is_some()
            }
        })?;
        let key = step_keys(target).into_iter().nth(first_mfa)?;
        self.cache.as_ref()?.get(&key, now)?.credentials.expiration
    }

    /// Drops the cached results of `target`'s steps from `from` on (a revoked role's sessions
    /// and everything made from them).
    pub fn forget(&self, target: &Target, from: usize) -> std::io::Result<()> {
        let Some(cache) = &self.cache else {
            return Ok(());
        };
        for key in step_keys(target).iter().skip(from) {
            cache.remove(key)?;
        }
        Ok(())
    }

    /// An STS client signing with `creds`, with this engine's settings.
    pub fn sts_client(&self, creds: &Credentials) -> aws_sdk_sts::Client {
        self.sts(creds)
    }

    /// `sts:GetFederationToken` with `creds` (a user's long-term keys), for a console sign-in.
    pub async fn federation_token(
        &self,
        creds: &Credentials,
        profile: &str,
    ) -> Result<Credentials, AuthError> {
        let name = default_session_name(profile)
            .chars()
            .take(32)
            .collect::<String>();
        sts::federation_token(&self.sts(creds), &name, 3600, profile).await
    }

    /// `sts:GetCallerIdentity` with `creds`.
    pub async fn whoami(
        &self,
        creds: &Credentials,
        profile: &str,
    ) -> Result<CallerIdentity, AuthError> {
        sts::caller_identity(&self.sts(creds), profile).await
    }
}

/// Why `code` cannot be sent for `serial`: not 6 digits, or already accepted on that device
/// (AWS would refuse it).
fn refused(code: &str, serial: &str, cache: Option<&Cache>) -> Option<String> {
    match validate::mfa_code(code) {
        Err(e) => Some(e),
        Ok(()) if cache.is_some_and(|c| c.code_used(serial, code, SystemTime::now())) => {
            Some(format!(
                "that code was already used on {serial}: wait for the next code ({}s)",
                crate::domain::totp::seconds_left(SystemTime::now())
            ))
        }
        Ok(()) => None,
    }
}

/// A code for `serial`: the profile's `mfa_process` first (saying so: a hardware key may want a
/// touch), then the person, when the helper fails and someone can be asked.
async fn code_for(
    mfa: &mut impl MfaInput,
    serial: &str,
    profile: &str,
    cache: Option<&Cache>,
    helper: Option<&str>,
) -> Result<Zeroizing<String>, AuthError> {
    if let Some(command) = helper {
        mfa.notice(&format!(
            "running mfa_process for {serial} (touch your security key if it blinks)…"
        ));
        let got = mfa_process_code(command.to_owned(), profile.to_owned())
            .await
            .and_then(|raw| {
                let code = Zeroizing::new(raw.trim().to_owned());
                match refused(&code, serial, cache) {
                    None => Ok(code),
                    Some(why) => Err(AuthError::Mfa(format!(
                        "mfa_process of profile {profile:?}: {why}"
                    ))),
                }
            });
        match got {
            Ok(code) => return Ok(code),
            Err(e) if mfa.can_ask() => mfa.notice(&format!("{e}; type the code instead")),
            Err(e) => return Err(e),
        }
    }
    ask(mfa, serial, profile, cache).await
}

/// A code for `serial` from the person: 6 digits, and not one already accepted on that device. An input that can ask again ([`MfaInput::asks_again`], a terminal prompt) is asked up
/// to three times; any other gets the reason, with nothing sent to AWS.
async fn ask(
    mfa: &mut impl MfaInput,
    serial: &str,
    profile: &str,
    cache: Option<&Cache>,
) -> Result<Zeroizing<String>, AuthError> {
    let mut tries = 0;
    loop {
        tries += 1;
        let raw = mfa.code(serial, profile).await?;
        let code = Zeroizing::new(raw.trim().to_owned());
        match refused(&code, serial, cache) {
            None => return Ok(code),
            Some(why) if tries < 3 && mfa.asks_again() => mfa.notice(&why),
            Some(why) => return Err(AuthError::Mfa(format!("{why}; nothing was sent to AWS"))),
        }
    }
}

/// What a step does, for the lock file.
fn describe(step: &Step) -> String {
    match step {
        Step::SessionToken {
            mfa_serial: Some(serial),
            ..
        } => format!("calling sts:GetSessionToken for {serial}"),
        Step::SessionToken { .. } => "calling sts:GetSessionToken".to_owned(),
        Step::AssumeRole { role_arn, .. } => {
            format!("calling sts:AssumeRole on {}", role_arn.as_str())
        }
    }
}

impl Engine {
    /// The credentials at the root of `target`'s plan. IAM Identity Center role credentials are
    /// cached (as the AWS CLI caches them): a profile that is only an SSO role then costs no
    /// `GetRoleCredentials` while they last. Other roots are loaded each time (keys are in the
    /// files; `credential_process` decides for itself, as with the AWS CLI).
    async fn root(&self, target: &Target, now: SystemTime) -> Result<Credentials, AuthError> {
        let (Some(key), Some(cache)) = (sso_key(target), &self.cache) else {
            return leaf::load(target, &self.sso).await;
        };
        if let Some(entry) = cache.get(&key, now) {
            return Ok(entry.credentials);
        }
        let creds = leaf::load(target, &self.sso).await?;
        let entry = cache::Entry {
            credentials: creds.clone(),
            identity: None,
        };
        let _ = cache.put(&key, &entry); // a cache that cannot be written only costs a call
        Ok(creds)
    }
}

/// A code from the profile's `mfa_process`, run off the async threads within its bounds.
async fn mfa_process_code(
    command: String,
    profile: String,
) -> Result<Zeroizing<String>, AuthError> {
    tokio::task::spawn_blocking(move || crate::helper::mfa_code(&command, &profile))
        .await
        .map_err(|e| AuthError::Mfa(format!("mfa_process did not run: {e}")))?
        .map_err(AuthError::Mfa)
}

/// The profile whose credentials a step's result are.
fn step_profile(step: &Step) -> Option<&str> {
    match step {
        Step::AssumeRole { profile, .. } => Some(profile),
        Step::SessionToken { .. } => None,
    }
}

/// `xrole-PROFILE`, with characters STS refuses replaced, at most 64 characters.
pub fn default_session_name(profile: &str) -> String {
    let mut name: String = format!("xrole-{profile}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    name.truncate(64);
    name
}
