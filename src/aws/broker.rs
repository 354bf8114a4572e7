//! The one owner of live sessions: a resolved profile in, an open session out, with the SDK
//! configuration built from what was already resolved. The CLI and the TUI both open sessions
//! here, and S3 clients are made here from a session, so every caller shares one environment
//! snapshot, one HTTP connection pool, one cache and its cross-process locks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_smithy_runtime_api::client::http::SharedHttpClient;

use super::authenticate::{Engine, Outcome, StsCustomizer};
use super::cache::Cache;
use super::error::AuthError;
use super::mfa::MfaInput;
use super::sdk::{self, ClientEnv, ClientSpec, Service};
use crate::domain::console::{sign_in, SignIn};
use crate::domain::session::{freshness, min_ttl, CallerIdentity, Credentials, Freshness, Session};
use crate::domain::validate::RoleArn;
use crate::domain::{Step, Target};

mod cached;

pub use cached::LiveSession;

/// Opens and shares sessions.
#[derive(Clone)]
pub struct Broker {
    env: Arc<ClientEnv>,
    cache: Option<Cache>,
    /// Applied to every STS client (tests install mocks with it).
    pub customize: Option<StsCustomizer>,
    /// The HTTP clients, made on first use: one per CA bundle (almost always just one), so
    /// every SDK client of the process shares its connections.
    http: Arc<Mutex<HashMap<Option<String>, SharedHttpClient>>>,
    /// Each profile's resolved client settings, made once per process and profile (again only
    /// when a reload changed the profile's settings).
    specs: SpecMemo,
    min_ttl: Duration,
}

/// How many times a profile's client settings were resolved in this process (a debug count,
/// see `cli`).
static RESOLVED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many times [`Broker`]s resolved client settings in this process.
pub fn resolved_count() -> usize {
    RESOLVED.load(std::sync::atomic::Ordering::Relaxed)
}

/// Resolved client settings by profile name, with the settings they were resolved from.
type SpecMemo =
    Arc<Mutex<HashMap<String, (crate::domain::target::ClientSettings, Arc<ClientSpec>)>>>;

impl Broker {
    /// A broker over this process's environment; `no_cache` (or `XROLE_CACHE=none`) turns the
    /// cache and the cross-process sharing off. A bad `XROLE_MIN_TTL` is an error naming it.
    pub fn from_env(no_cache: bool) -> Result<Self, String> {
        let min_ttl = min_ttl(std::env::var("XROLE_MIN_TTL").ok().as_deref())?;
        let cache = if no_cache { None } else { Cache::from_env() };
        let mut broker = Self::new(
            ClientEnv::from_env(),
            cache.map(|c| c.with_min_ttl(min_ttl)),
        );
        broker.min_ttl = min_ttl;
        Ok(broker)
    }

    /// How long before they expire sessions are replaced (`XROLE_MIN_TTL`).
    pub fn min_ttl(&self) -> Duration {
        self.min_ttl
    }

    /// A broker over `env` and `cache`.
    pub fn new(env: ClientEnv, cache: Option<Cache>) -> Self {
        Self {
            env: Arc::new(env),
            cache,
            customize: None,
            http: Arc::default(),
            specs: Arc::default(),
            min_ttl: crate::domain::session::REUSE_WINDOW,
        }
    }

    fn http(&self, spec: &ClientSpec) -> Result<SharedHttpClient, AuthError> {
        let mut clients = self
            .http
            .lock()
            .map_err(|_| AuthError::Config("the HTTP client is unavailable".into()))?;
        if let Some(client) = clients.get(&spec.ca_bundle) {
            return Ok(client.clone());
        }
        let client = sdk::http_client(spec, &self.env).map_err(AuthError::Config)?;
        clients.insert(spec.ca_bundle.clone(), client.clone());
        Ok(client)
    }

    /// `target`'s client settings, resolved once per process (see [`SpecMemo`]).
    fn spec(&self, target: &Target) -> Result<Arc<ClientSpec>, AuthError> {
        let mut specs = self
            .specs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((settings, spec)) = specs.get(&target.name) {
            if settings == &target.client {
                return Ok(Arc::clone(spec));
            }
        }
        RESOLVED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let spec = Arc::new(sdk::resolve(Some(target), &self.env).map_err(AuthError::Config)?);
        specs.insert(
            target.name.clone(),
            (target.client.clone(), Arc::clone(&spec)),
        );
        Ok(spec)
    }

    /// The SDK configuration of `service` for `target`.
    pub fn sdk_config(
        &self,
        target: &Target,
        service: Service,
    ) -> Result<aws_config::SdkConfig, AuthError> {
        let spec = self.spec(target)?;
        let http = self.http(&spec)?;
        Ok(sdk::config(&spec, service, Some(&http)))
    }

    /// The SDK configuration of `service` outside any profile (the environment's settings), for
    /// an `[sso-session]` named on its own.
    pub fn sdk_config_plain(&self, service: Service) -> Result<aws_config::SdkConfig, AuthError> {
        let spec = sdk::resolve(None, &self.env).map_err(AuthError::Config)?;
        let http = self.http(&spec)?;
        Ok(sdk::config(&spec, service, Some(&http)))
    }

    /// The engine that runs `target`'s plan.
    pub fn engine(&self, target: &Target) -> Result<Engine, AuthError> {
        let spec = self.spec(target)?;
        let http = self.http(&spec)?;
        let config = |service| sdk::config(&spec, service, Some(&http));
        Ok(Engine {
            sdk: config(Service::Sts),
            cache: self.cache.clone(),
            customize: self.customize.clone(),
            sso: super::sso::SsoSdk {
                portal: config(Service::Sso),
                oidc: config(Service::SsoOidc),
            },
        })
    }

    /// Opens a session for `target`: from the cache, or by running its plan (asking `mfa` for
    /// a code only when a call needs one).
    pub async fn open(
        &self,
        target: &Target,
        mfa: &mut impl MfaInput,
        now: SystemTime,
    ) -> Result<Outcome, AuthError> {
        let mut outcome = self.engine(target)?.authenticate(target, mfa, now).await?;
        outcome.notes.extend(super::sso::take_notes());
        // Expired credentials are never handed out, from whatever source; fresh ones with a
        // lifetime STS never gives mean the clock is off, which the user is told.
        let just_issued = outcome.sts_calls > 0;
        match freshness(&outcome.session.credentials, just_issued, SystemTime::now()) {
            Freshness::Fine => {}
            Freshness::ClockOff(note) => outcome.notes.push(note),
            Freshness::Expired(why) => {
                return Err(AuthError::Expired(format!(
                    "profile {:?}: {why}",
                    crate::domain::text::display_safe(&target.name)
                )))
            }
        }
        Ok(outcome)
    }

    /// Credentials the console's sign-in takes for `target` (see `domain::console::sign_in`),
    /// and the role to switch to once signed in, for a chain of two.
    pub async fn console_credentials(
        &self,
        target: &Target,
        mfa: &mut impl MfaInput,
        now: SystemTime,
    ) -> Result<(Credentials, Option<RoleArn>), AuthError> {
        match sign_in(&target.plan).map_err(AuthError::Config)? {
            SignIn::Role {
                step,
                drop_duration,
                then_switch_to,
            } => {
                let mut first = target.clone();
                first.plan.steps.truncate(step + 1);
                if let Some(Step::AssumeRole {
                    role_arn, duration, ..
                }) = first.plan.steps.last_mut()
                {
                    if drop_duration {
                        *duration = None;
                    }
                    // The signed-in role's own account is the one to check here.
                    if then_switch_to.is_some() {
                        first.expected_account = Some(role_arn.account().to_owned());
                    }
                }
                let outcome = self.open(&first, mfa, now).await?;
                Ok((outcome.session.credentials, then_switch_to))
            }
            SignIn::FederationToken { profile } => {
                let engine = self.engine(target)?;
                let keys = crate::aws::leaf::load(target, &engine.sso).await?;
                let creds = engine.federation_token(&keys, &profile).await?;
                Ok((creds, None))
            }
            SignIn::Sso => Ok((self.open(target, mfa, now).await?.session.credentials, None)),
        }
    }

    /// An STS client signing with `creds`, with `target`'s settings.
    pub fn sts(
        &self,
        target: &Target,
        creds: &Credentials,
    ) -> Result<aws_sdk_sts::Client, AuthError> {
        Ok(self.engine(target)?.sts_client(creds))
    }

    /// An IAM client signing with `creds`, with `target`'s settings.
    pub fn iam(
        &self,
        target: &Target,
        creds: &Credentials,
    ) -> Result<aws_sdk_iam::Client, AuthError> {
        let config = self.sdk_config(target, Service::Iam)?;
        let conf = aws_sdk_iam::config::Builder::from(&config)
            .credentials_provider(sdk::to_sdk(creds))
            .retry_classifier(sdk::ConnectTimeoutIsFinal)
            .build();
        Ok(aws_sdk_iam::Client::from_conf(conf))
    }

    /// A console sign-in link for `target` landing on `destination`, and the role to switch to
    /// once signed in (a chain of two). `XROLE_SIGNIN_ENDPOINT` replaces the federation
    /// endpoint of the role's partition.
    pub async fn console_link(
        &self,
        target: &Target,
        destination: &str,
        mfa: &mut impl MfaInput,
        now: SystemTime,
    ) -> Result<(zeroize::Zeroizing<String>, Option<RoleArn>), AuthError> {
        let partition =
            crate::domain::console::partition_of(&target.plan).map_err(AuthError::Config)?;
        let endpoint = std::env::var("XROLE_SIGNIN_ENDPOINT")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| partition.federation());
        let (creds, switch_to) = self.console_credentials(target, mfa, now).await?;
        let ca = self.ca_bundle(target)?;
        let token = super::federation::signin_token(&endpoint, &creds, ca.as_deref()).await?;
        Ok((
            super::federation::login_url(&endpoint, destination, &token),
            switch_to,
        ))
    }

    /// The CA bundle `target`'s calls trust (PEM), for the console's sign-in request.
    pub fn ca_bundle(&self, target: &Target) -> Result<Option<Vec<u8>>, AuthError> {
        let spec = self.spec(target)?;
        spec.ca_bundle
            .as_deref()
            .map(sdk::read_ca_bundle)
            .transpose()
            .map_err(AuthError::Config)
    }

    /// Makes sure `target` can be renewed for `run_for` from `now` (see `domain::runway`):
    /// lengthens its MFA session step when that covers it (the session is then opened again,
    /// with one code, when `target` is opened), and says so; refuses, with the horizon and why,
    /// when nothing can. Reads only the cache and the SSO token file: no call is made.
    pub fn secure_runway(
        &self,
        target: &mut Target,
        run_for: Duration,
        now: SystemTime,
    ) -> Result<Option<String>, String> {
        use crate::domain::plan::{Source, Step};
        use crate::domain::runway::{runway, Horizons, Runway};
        let known = Horizons {
            mfa: self.renewable_until(target, now),
            sso: match (&target.plan.source, &target.sso) {
                (Source::Sso { .. }, Some(s)) => super::sso::token_horizon(s, now),
                _ => None,
            },
        };
        match runway(&target.plan, run_for, now, known) {
            Runway::Covered(_) => Ok(None),
            Runway::Extend { step, duration } => {
                if let Some(Step::SessionToken { duration: d, .. }) =
                    target.plan.steps.get_mut(step)
                {
                    *d = Some(duration);
                }
                Ok(Some(format!(
                    "the MFA session is opened again for {}h{:02}m so that the run needs no code",
                    duration / 3600,
                    duration % 3600 / 60
                )))
            }
            Runway::Refuse(why) => Err(format!(
                "profile {:?} cannot be renewed for {} without a person: {}",
                crate::domain::text::display_safe(&target.name),
                humantime::format_duration(run_for),
                crate::domain::text::display_safe(&why)
            )),
        }
    }

    /// Until when `target`'s session can be renewed without a new MFA code (see
    /// [`Engine::renewable_until`]).
    pub fn renewable_until(&self, target: &Target, now: SystemTime) -> Option<SystemTime> {
        self.engine(target).ok()?.renewable_until(target, now)
    }

    /// `sts:GetCallerIdentity` with `creds`, through `target`'s settings.
    pub async fn whoami(
        &self,
        target: &Target,
        creds: &Credentials,
    ) -> Result<CallerIdentity, AuthError> {
        self.engine(target)?.whoami(creds, &target.name).await
    }

    /// An S3 client signing with the session's credentials, with `target`'s settings.
    pub fn s3(&self, target: &Target, session: &Session) -> Result<aws_sdk_s3::Client, AuthError> {
        let config = self.sdk_config(target, Service::S3)?;
        Ok(sdk::s3_client(&config, sdk::to_sdk(&session.credentials)))
    }
}
