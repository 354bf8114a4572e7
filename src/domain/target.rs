//! A resolved profile: its plan and every setting a consumer needs, looked up once from the
//! profile set. The list, the plan pane, the CLI, the broker and the TUI's effects carry a
//! `Target`; nothing after this point reads raw keys.

use std::collections::HashMap;
use std::fmt;

use zeroize::Zeroizing;

use super::plan::{Plan, PlanError, Source};
use super::profile::{bucket_bookmarks, Key, Profile, ProfileSet};
use super::summary::Facts;

/// Settings of the selected profile that shape the SDK clients (the environment may override
/// them; see `aws::sdk`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientSettings {
    /// `ca_bundle`: a PEM file of extra trusted certificates.
    pub ca_bundle: Option<String>,
    /// `max_attempts`.
    pub max_attempts: Option<String>,
    /// `retry_mode` (`standard`, `adaptive`, `legacy`).
    pub retry_mode: Option<String>,
    /// `use_fips_endpoint`.
    pub use_fips: Option<String>,
    /// `use_dualstack_endpoint`.
    pub use_dualstack: Option<String>,
    /// `ignore_configured_endpoint_urls`.
    pub ignore_configured_endpoints: Option<String>,
}

/// Endpoint overrides written in the files for this profile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileEndpoints {
    /// `endpoint_url` of the profile: every service.
    pub all: Option<String>,
    /// From the profile's `[services NAME]` section: service id (`s3`, `sts`, `sso`,
    /// `sso_oidc`, `iam`) to URL.
    pub per_service: HashMap<String, String>,
}

/// Long-term or temporary keys written in a profile (the root of a `StaticKeys` plan).
#[derive(Clone, PartialEq, Eq)]
pub struct StaticKeys {
    /// `aws_access_key_id`.
    pub access_key_id: String,
    /// `aws_secret_access_key`.
    pub secret_access_key: Zeroizing<String>,
    /// `aws_session_token`, for temporary keys.
    pub session_token: Option<Zeroizing<String>>,
}

impl fmt::Debug for StaticKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticKeys")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
            .finish()
    }
}

/// What the SSO leaf needs (from the profile holding `sso_account_id` and its session).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SsoSettings {
    /// `sso_start_url` of the profile or its `[sso-session]`.
    pub start_url: Option<String>,
    /// `sso_region` of the profile or its `[sso-session]`.
    pub region: Option<String>,
    /// `sso_session`, when the profile names one.
    pub session: Option<String>,
    /// `sso_registration_scopes` of its `[sso-session]`, as written.
    pub registration_scopes: Option<String>,
}

/// A profile resolved once: the plan and everything around it.
#[derive(Debug, Clone)]
pub struct Target {
    /// The profile's name.
    pub name: String,
    /// Its position in [`ProfileSet::profiles`].
    pub index: usize,
    /// What to load and which STS calls to make.
    pub plan: Plan,
    /// `region` of the profile.
    pub region: Option<String>,
    /// Endpoint overrides from the files.
    pub endpoints: FileEndpoints,
    /// Retries, FIPS, dual-stack, CA bundle.
    pub client: ClientSettings,
    /// The account the final credentials must be in: `xrole_expected_account`, else the
    /// final role's account.
    pub expected_account: Option<String>,
    /// `mfa_process` of the first profile of the chain that has one.
    pub mfa_process: Option<String>,
    /// `xrole_buckets`, each a bucket and prefix or why it is not valid.
    pub bookmarks: Vec<Result<(String, String), String>>,
    /// `xrole_env`.
    pub env: Option<String>,
    /// `xrole_account_name`.
    pub account_name: Option<String>,
    /// `role_arn` of the profile itself.
    pub role_arn: Option<String>,
    /// The keys at the root, for a `StaticKeys` plan.
    pub root_keys: Option<StaticKeys>,
    /// The SSO settings, for an `Sso` plan.
    pub sso: Option<SsoSettings>,
    /// `xrole_credentials = static`: children get the keys in their environment, not an
    /// endpoint to ask.
    pub static_credentials: bool,
}

/// Why a profile cannot be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// No profile of that name; the closest name, when one is close.
    #[error("there is no profile {name:?}{}", did_you_mean(.suggestion.as_deref()))]
    NoProfile {
        /// The name given.
        name: String,
        /// A profile whose name is close to it.
        suggestion: Option<String>,
    },
    /// The profile exists but cannot be used.
    #[error("profile {name:?}: {error}")]
    Invalid {
        /// The profile.
        name: String,
        /// Why.
        error: PlanError,
    },
}

impl Target {
    /// A role the IAM Identity Center portal offers that is not a profile yet, opened through
    /// this profile's session (its start URL, region and client settings), under `name`. `None`
    /// when this profile has no SSO session at its root.
    pub fn portal_role(
        &self,
        name: &str,
        account_id: &str,
        account_name: &str,
        role: &str,
    ) -> Option<Target> {
        let sso = self.sso.clone()?;
        Some(Target {
            name: name.to_owned(),
            plan: Plan {
                chain: vec![name.to_owned()],
                source: Source::Sso {
                    profile: name.to_owned(),
                    account_id: account_id.to_owned(),
                    role_name: role.to_owned(),
                },
                steps: Vec::new(),
                notes: vec!["offered by the portal, not a profile yet: p writes it".into()],
                session_for_process_keys: false,
            },
            expected_account: Some(account_id.to_owned()),
            mfa_process: None,
            bookmarks: Vec::new(),
            env: None,
            account_name: Some(account_name.to_owned()),
            role_arn: None,
            root_keys: None,
            sso: Some(sso),
            static_credentials: false,
            ..self.clone()
        })
    }

    /// The account the profile's credentials are in, as far as the files say: the expected
    /// account (`xrole_expected_account`, else the final role's), else the SSO account of a
    /// profile that is only an SSO role. The list groups profiles by the same rule
    /// (`summary::account_of`, which needs no plan).
    pub fn account(&self) -> Option<&str> {
        self.expected_account
            .as_deref()
            .or(match &self.plan.source {
                Source::Sso { account_id, .. } if self.plan.steps.is_empty() => Some(account_id),
                _ => None,
            })
    }

    /// True for `xrole_env = prod` (any case, as the list's badge).
    pub fn is_prod(&self) -> bool {
        self.env
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case("prod"))
    }

    /// The profile whose credentials start the chain.
    pub fn root_profile(&self) -> &str {
        match &self.plan.source {
            Source::StaticKeys { profile, .. }
            | Source::Process { profile, .. }
            | Source::Sso { profile, .. }
            | Source::Login { profile, .. }
            | Source::Stored { profile, .. }
            | Source::CredentialSource { profile, .. }
            | Source::Environment { profile } => profile,
        }
    }
}

impl ProfileSet {
    /// Resolves the profile called `name`.
    pub fn target(&self, name: &str) -> Result<Target, TargetError> {
        let index = self.index_of(name).ok_or_else(|| TargetError::NoProfile {
            name: name.to_owned(),
            suggestion: self.closest_name(name).map(str::to_owned),
        })?;
        self.target_at(index)
    }

    /// The profile name closest to a mistyped `name`: the same name in another case, else the
    /// most similar one (Jaro-Winkler, as clap suggests subcommands) when it is similar enough.
    pub fn closest_name(&self, name: &str) -> Option<&str> {
        let names = self.profiles().iter().map(|p| p.name.as_str());
        if let Some(same) = names.clone().find(|n| n.eq_ignore_ascii_case(name)) {
            return Some(same);
        }
        names
            .map(|n| (strsim::jaro_winkler(name, n), n))
            .filter(|(score, _)| *score >= 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, n)| n)
    }

    /// Resolves the profile at `index` of [`ProfileSet::profiles`].
    pub fn target_at(&self, index: usize) -> Result<Target, TargetError> {
        let profile = &self.profiles()[index];
        let plan = self.plan_at(index).map_err(|error| TargetError::Invalid {
            name: profile.name.clone(),
            error,
        })?;
        let facts = Facts::of(profile);
        let owned = |v: Option<&str>| v.map(str::to_owned);
        let get = |k: Key| owned(profile.get(k));
        let expected_account = owned(facts.expected_account)
            .or_else(|| plan.final_role().map(|arn| arn.account().to_owned()));
        let mfa_process = plan
            .chain
            .iter()
            .find_map(|n| self.get(n).and_then(|p| p.get(Key::MfaProcess)))
            .map(str::to_owned);
        let root_keys = match &plan.source {
            Source::StaticKeys { profile, .. } => self.get(profile).and_then(static_keys),
            _ => None,
        };
        let sso = match &plan.source {
            Source::Sso { profile, .. } => self.get(profile).map(|p| self.sso_settings(p)),
            _ => None,
        };
        let per_service = profile
            .get(Key::Services)
            .and_then(|name| self.services(name))
            .cloned()
            .unwrap_or_default();
        Ok(Target {
            name: profile.name.clone(),
            index,
            region: owned(facts.region),
            endpoints: FileEndpoints {
                all: get(Key::EndpointUrl),
                per_service,
            },
            client: ClientSettings {
                ca_bundle: get(Key::CaBundle),
                max_attempts: get(Key::MaxAttempts),
                retry_mode: get(Key::RetryMode),
                use_fips: get(Key::UseFipsEndpoint),
                use_dualstack: get(Key::UseDualstackEndpoint),
                ignore_configured_endpoints: get(Key::IgnoreConfiguredEndpointUrls),
            },
            expected_account,
            mfa_process,
            bookmarks: facts.buckets.map(bucket_bookmarks).unwrap_or_default(),
            env: owned(facts.env),
            account_name: owned(facts.account_name),
            role_arn: owned(facts.role_arn),
            root_keys,
            sso,
            static_credentials: profile.get(Key::XroleCredentials) == Some("static"),
            plan,
        })
    }

    fn sso_settings(&self, p: &Profile) -> SsoSettings {
        let session = p.get(Key::SsoSession);
        let section = session.and_then(|s| self.sso_session(s));
        SsoSettings {
            start_url: p
                .get(Key::SsoStartUrl)
                .map(str::to_owned)
                .or_else(|| section.and_then(|s| s.start_url.clone())),
            region: p
                .get(Key::SsoRegion)
                .map(str::to_owned)
                .or_else(|| section.and_then(|s| s.region.clone())),
            session: session.map(str::to_owned),
            registration_scopes: section.and_then(|s| s.registration_scopes.clone()),
        }
    }
}

fn static_keys(p: &Profile) -> Option<StaticKeys> {
    Some(StaticKeys {
        access_key_id: p.get(Key::AwsAccessKeyId)?.to_owned(),
        secret_access_key: Zeroizing::new(p.get(Key::AwsSecretAccessKey)?.to_owned()),
        session_token: p
            .get(Key::AwsSessionToken)
            .map(|t| Zeroizing::new(t.to_owned())),
    })
}

fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| {
        format!("; did you mean {:?}?", crate::domain::text::display_safe(s))
    })
}
