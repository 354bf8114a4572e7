//! Executing a plan: the root credentials, then each STS call, with the cache in front of every
//! call and the expected-account guard at the end.

use std::sync::Arc;
use std::time::SystemTime;

use aws_config::SdkConfig;
use zeroize::Zeroizing;

use super::cache::{self, Cache};
use super::error::AuthError;
use super::mfa::{code_for, MfaInput};
pub use super::session_keys::{all_keys, root_key, session_key, step_keys};
use super::{leaf, lock, sdk, sts};
use crate::domain::session::{CallerIdentity, Credentials, Session};
use crate::domain::{Step, Target};

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
            // The profile whose credentials make the call, for error messages.
            let caller = match next.checked_sub(1).map(|i| &plan.steps[i]) {
                Some(before) => step_profile(before).unwrap_or(target.root_profile()),
                None => target.root_profile(),
            };
            let serial = match step {
                Step::SessionToken { mfa_serial, .. } | Step::AssumeRole { mfa_serial, .. } => {
                    mfa_serial.as_deref()
                }
            };
            // Only one process at a time asks for a code on a device.
            let (_device, code) = match serial {
                Some(serial) => {
                    let (device, code) = self.code(target, serial, held.as_mut(), mfa).await?;
                    (device, Some(code))
                }
                None => (None, None),
            };
            let mfa_pair = serial.zip(code.as_deref().map(String::as_str));
            sts_calls += 1;
            let (c, id) = sts::call(step, &self.sts(&source), &source, mfa_pair, caller).await?;
            let entry = cache::Entry {
                credentials: c,
                identity: id,
            };
            notes.extend(self.remember(&keys[next], &entry, mfa_pair));
            creds = Some(entry.credentials);
            identity = entry.identity;
            next += 1;
        }
        let creds = match creds {
            Some(c) => c,
            None => self.root(target, now).await?,
        };
        let (session, calls) = self.finish(target, creds, identity).await?;
        Ok(Outcome {
            session,
            notes,
            sts_calls: sts_calls + calls,
        })
    }

    /// Caches a step's result under `key`, and marks the code it took as used (AWS took it:
    /// it is refused locally from now on, for its replay window). Returns a note when the
    /// cache could not be written.
    fn remember(
        &self,
        key: &cache::Key,
        entry: &cache::Entry,
        mfa: Option<(&str, &str)>,
    ) -> Option<String> {
        let cache = self.cache.as_ref()?;
        if let Some((serial, code)) = mfa {
            let _ = cache.mark_code_used(serial, code, SystemTime::now());
        }
        cache
            .put(key, entry)
            .err()
            .map(|e| format!("credentials not cached: {e}"))
    }

    /// The last checks of an opened session: keys of a `credential_process` that are long-term
    /// get a session of their own, and a profile's expected account is checked (with one
    /// GetCallerIdentity when the identity is not known yet). Returns the STS calls made.
    async fn finish(
        &self,
        target: &Target,
        mut creds: Credentials,
        mut identity: Option<CallerIdentity>,
    ) -> Result<(Session, usize), AuthError> {
        let profile = target.name.as_str();
        let mut sts_calls = 0;
        if target.plan.session_for_process_keys && creds.session_token.is_none() {
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
        let session = Session {
            profile: profile.to_owned(),
            credentials: creds,
            identity,
        };
        Ok((session, sts_calls))
    }

    /// A code for `serial`, asked under the device's cross-process lock (held while the code
    /// is used, so only one process at a time asks on a device); `held` is the step's lock,
    /// whose state says that a code is being asked for.
    async fn code(
        &self,
        target: &Target,
        serial: &str,
        held: Option<&mut lock::Held>,
        mfa: &mut impl MfaInput,
    ) -> Result<(Option<lock::Held>, Zeroizing<String>), AuthError> {
        let doing = format!("asking for an MFA code for {serial}");
        if let Some(h) = held {
            h.set_state(true, &doing);
        }
        let device = self
            .lock(&cache::Key::new(&["mfa-device", serial]), true, &doing, mfa)
            .await?;
        let helper = target.mfa_process.as_deref();
        let code = code_for(mfa, serial, &target.name, self.cache.as_ref(), helper).await?;
        Ok((device, code))
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
        let name = crate::domain::plan::default_session_name(profile)
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
        let (Some(key), Some(cache)) = (root_key(target), &self.cache) else {
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

/// The profile whose credentials a step's result are.
fn step_profile(step: &Step) -> Option<&str> {
    match step {
        Step::AssumeRole { profile, .. } => Some(profile),
        Step::SessionToken { .. } => None,
    }
}
