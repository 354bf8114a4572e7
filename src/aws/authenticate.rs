//! Executing a plan: the root credentials, then each STS call, with the cache in front of every
//! call and the expected-account guard at the end.

use std::future::Future;
use std::sync::Arc;
use std::time::SystemTime;

use aws_config::SdkConfig;
use zeroize::Zeroizing;

use super::cache::{self, Cache};
use super::error::AuthError;
use super::{leaf, sdk, sts};
use crate::domain::profile::Key;
use crate::domain::session::{CallerIdentity, Credentials, Session};
use crate::domain::validate::{self, CHAINED_ROLE_MAX};
use crate::domain::{Plan, ProfileSet, Source, Step};

/// Where MFA codes come from: a terminal prompt, a line of stdin, `mfa_process`, the TUI's modal.
pub trait MfaInput {
    /// A code for `serial`, asked on behalf of `profile`.
    fn code(
        &mut self,
        serial: &str,
        profile: &str,
    ) -> impl Future<Output = Result<Zeroizing<String>, AuthError>> + Send;
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

    /// Gets credentials for `profile`: from the cache when possible, asking `mfa` for a code
    /// only when an MFA call must really be made.
    pub async fn authenticate(
        &self,
        set: &ProfileSet,
        profile: &str,
        mfa: &mut impl MfaInput,
        now: SystemTime,
    ) -> Result<Outcome, AuthError> {
        let plan = set
            .plan(profile)
            .map_err(|e| AuthError::Config(format!("profile {profile:?}: {e}")))?;
        let mut notes = plan.notes.clone();
        let keys = step_keys(&plan, set);
        let (start, mut creds, mut identity) = match self.cached(&keys, now) {
            Some((i, entry)) => (i + 1, entry.credentials, entry.identity),
            None => (0, leaf::load(set, &plan.source).await?, None),
        };
        let mut caller = source_profile(&plan.source).to_owned();
        let mut sts_calls = 0;
        for (i, step) in plan.steps.iter().enumerate().skip(start) {
            let client = self.sts(&creds);
            match step {
                Step::SessionToken {
                    mfa_serial,
                    duration,
                } => {
                    let code = ask(mfa, mfa_serial, profile).await?;
                    sts_calls += 1;
                    creds = sts::get_session_token(&client, mfa_serial, &code, *duration, &caller)
                        .await?;
                    identity = None;
                }
                Step::AssumeRole {
                    profile: role_profile,
                    role_arn,
                    mfa_serial,
                    external_id,
                    session_name,
                    duration,
                } => {
                    let mut duration = *duration;
                    // The plan has told the user; AWS would refuse the call otherwise.
                    if creds.session_token.is_some()
                        && duration.is_some_and(|d| d > CHAINED_ROLE_MAX)
                    {
                        duration = Some(CHAINED_ROLE_MAX);
                    }
                    let code = match mfa_serial {
                        Some(serial) => Some(ask(mfa, serial, profile).await?),
                        None => None,
                    };
                    let name = session_name
                        .clone()
                        .unwrap_or_else(|| default_session_name(role_profile));
                    let request = sts::AssumeRoleRequest {
                        role_arn: role_arn.as_str(),
                        session_name: &name,
                        duration,
                        external_id: external_id.as_deref(),
                        mfa: mfa_serial
                            .as_deref()
                            .zip(code.as_deref().map(String::as_str)),
                        caller_profile: &caller,
                    };
                    sts_calls += 1;
                    let (c, id) = sts::assume_role(&client, &request).await?;
                    creds = c;
                    identity = id;
                    caller.clone_from(role_profile);
                }
            }
            if let Some(cache) = &self.cache {
                let entry = cache::Entry {
                    credentials: creds.clone(),
                    identity: identity.clone(),
                };
                if let Err(e) = cache.put(&keys[i], &entry) {
                    notes.push(format!("credentials not cached: {e}"));
                }
            }
        }
        let expected = set
            .get(profile)
            .and_then(|p| p.get(Key::XroleExpectedAccount))
            .map(str::to_owned)
            .or_else(|| plan.final_role().map(|arn| arn.account().to_owned()));
        if let Some(expected) = expected {
            let actual = match &identity {
                Some(id) => id.clone(),
                None => {
                    sts_calls += 1;
                    let id = sts::caller_identity(&self.sts(&creds), profile).await?;
                    identity = Some(id.clone());
                    id
                }
            };
            if actual.account != expected {
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

    /// The last step whose result is cached and still good, with that result.
    fn cached(&self, keys: &[cache::Key], now: SystemTime) -> Option<(usize, cache::Entry)> {
        let cache = self.cache.as_ref()?;
        keys.iter()
            .enumerate()
            .rev()
            .find_map(|(i, k)| cache.get(k, now).map(|e| (i, e)))
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

async fn ask(
    mfa: &mut impl MfaInput,
    serial: &str,
    profile: &str,
) -> Result<Zeroizing<String>, AuthError> {
    let raw = mfa.code(serial, profile).await?;
    let code = Zeroizing::new(raw.trim().to_owned());
    validate::mfa_code(&code)
        .map_err(|e| AuthError::Mfa(format!("{e}; nothing was sent to AWS")))?;
    Ok(code)
}

fn source_profile(source: &Source) -> &str {
    match source {
        Source::StaticKeys { profile, .. }
        | Source::Process { profile, .. }
        | Source::Sso { profile, .. }
        | Source::CredentialSource { profile, .. }
        | Source::Environment { profile } => profile,
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

/// One cache key per step, each covering everything that changes that step's result: the
/// identity of its source (the previous step's key, or the root's), the role, MFA device,
/// external id, duration and session name.
fn step_keys(plan: &Plan, set: &ProfileSet) -> Vec<cache::Key> {
    let root = match &plan.source {
        Source::StaticKeys { profile, .. } => {
            let id = set
                .get(profile)
                .and_then(|p| p.get(Key::AwsAccessKeyId))
                .unwrap_or_default();
            format!("static:{id}")
        }
        Source::Process { command, .. } => format!("process:{command}"),
        Source::Sso {
            profile,
            account_id,
            role_name,
        } => format!("sso:{profile}:{account_id}:{role_name}"),
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
                    mfa_serial,
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
