//! From a profile to its plan: the leaf credential source and the STS calls on top of it.
//!
//! The chain is followed iteratively with a visited list and a depth bound, so a loop or a
//! 10,000-deep chain ends in an error naming the problem, never in a hang or a stack overflow.

use std::fmt;

use super::checks::CREDENTIAL_SOURCES;
use super::profile::{Key, ProfileSet};
use super::validate::RoleArn;

mod steps;

use steps::{leaf, role_step, session_token_step};

/// The most role hops a chain may have. Real chains have two or three.
pub const MAX_CHAIN_HOPS: usize = 32;

/// Where the first credentials of a chain come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `aws_access_key_id` / `aws_secret_access_key` in a profile.
    StaticKeys {
        /// The profile holding them.
        profile: String,
        /// True when the profile also has `aws_session_token` (temporary keys).
        temporary: bool,
    },
    /// Long-term keys kept in a key store (`xrole_keystore`), not in the files.
    Stored {
        /// The profile.
        profile: String,
        /// The store, as written (`secret-service`, `keychain`, `file`).
        backend: String,
    },
    /// `credential_process` of a profile.
    Process {
        /// The profile.
        profile: String,
        /// The command line, as written.
        command: String,
    },
    /// IAM Identity Center (`aws sso login`).
    Sso {
        /// The profile.
        profile: String,
        /// `sso_account_id`.
        account_id: String,
        /// `sso_role_name`.
        role_name: String,
    },
    /// `login_session`: the console session `aws login` signed in (an IAM user or root, with a
    /// passkey if need be), kept in `~/.aws/login/cache` and refreshed for up to 12 hours.
    Login {
        /// The profile.
        profile: String,
        /// The session's ARN, as written.
        session_arn: String,
    },
    /// `credential_source` of a role profile.
    CredentialSource {
        /// The profile.
        profile: String,
        /// `Environment`, `Ec2InstanceMetadata` or `EcsContainer`.
        kind: String,
    },
    /// A profile without credentials of its own: the environment's are used.
    Environment {
        /// The profile.
        profile: String,
    },
}

impl Source {
    /// True when the credentials are long-term user keys (GetSessionToken is possible).
    pub fn is_long_term(&self) -> bool {
        matches!(
            self,
            Source::StaticKeys {
                temporary: false,
                ..
            } | Source::Stored { .. }
        )
    }

    /// Short label: `static`, `process`, `sso`, `environment`.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::StaticKeys { .. } => "static",
            Source::Process { .. } => "process",
            Source::Sso { .. } => "sso",
            Source::Login { .. } => "login",
            Source::Stored { .. } => "keystore",
            Source::CredentialSource { .. } | Source::Environment { .. } => "environment",
        }
    }
}

/// One STS call of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `sts:GetSessionToken`: with an MFA device, a session shared by every role using it;
    /// without one, temporary keys in place of long-term ones, which never leave the process.
    SessionToken {
        /// The MFA device, when the profile names one.
        mfa_serial: Option<String>,
        /// Requested duration; `None` lets STS choose (12 hours).
        duration: Option<u32>,
    },
    /// `sts:AssumeRole`.
    AssumeRole {
        /// The profile that names the role.
        profile: String,
        /// The role.
        role_arn: RoleArn,
        /// MFA device sent with this call (`None` when not needed or given by a session).
        mfa_serial: Option<String>,
        /// `external_id`.
        external_id: Option<String>,
        /// `role_session_name`; `None` means a generated one.
        session_name: Option<String>,
        /// Requested duration; `None` means the STS default of one hour.
        duration: Option<u32>,
    },
}

/// A resolved profile: what to load and which calls to make, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Profile names from the requested one down to its root source.
    pub chain: Vec<String>,
    /// The leaf.
    pub source: Source,
    /// STS calls, in the order they are made.
    pub steps: Vec<Step>,
    /// Things the user should know about this plan (not errors).
    pub notes: Vec<String>,
    /// A `credential_process` with no role on top: when it hands out long-term keys (no
    /// session token), they are turned into a `GetSessionToken` session at run time, as keys
    /// from the files are by a step.
    pub session_for_process_keys: bool,
}

/// Said of a plan that hands out long-term keys on request.
pub const NO_SESSION_NOTE: &str =
    "no session (xrole_session = none or --no-session): the long-term keys themselves are handed out";

impl Plan {
    /// The plan without its own `GetSessionToken` (`--no-session`): only for a profile of
    /// long-term keys with no role, whose keys are then handed out as they are. Returns false
    /// when that does not apply (a role, or temporary keys), and leaves the plan alone.
    pub fn without_session(&mut self) -> bool {
        let own_session = (self.steps.len() == 1
            && matches!(self.steps[0], Step::SessionToken { .. })
            && self.source.is_long_term())
            || self.session_for_process_keys;
        if own_session {
            self.steps.clear();
            self.session_for_process_keys = false;
            self.notes.push(NO_SESSION_NOTE.to_owned());
        }
        own_session
    }

    /// The MFA device a code will be asked for, if any.
    pub fn mfa_serial(&self) -> Option<&str> {
        self.steps.iter().find_map(|s| match s {
            Step::SessionToken { mfa_serial, .. } | Step::AssumeRole { mfa_serial, .. } => {
                mfa_serial.as_deref()
            }
        })
    }

    /// The MFA device of the GetSessionToken session this plan opens, if it opens one with
    /// MFA: that session is shared by every role of the same root and device.
    pub fn mfa_session(&self) -> Option<&str> {
        self.steps.iter().find_map(|s| match s {
            Step::SessionToken {
                mfa_serial: Some(serial),
                ..
            } => Some(serial.as_str()),
            _ => None,
        })
    }

    /// The last role of the chain.
    pub fn final_role(&self) -> Option<&RoleArn> {
        self.steps.iter().rev().find_map(|s| match s {
            Step::AssumeRole { role_arn, .. } => Some(role_arn),
            Step::SessionToken { .. } => None,
        })
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

/// Why a profile has no plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// There is no such profile.
    NoSuchProfile(String),
    /// The profile's own values are wrong.
    Invalid(String),
    /// A profile of the chain is wrong.
    SourceInvalid {
        /// The broken source.
        source: String,
        /// Its first error.
        reason: String,
    },
    /// `source_profile` names a profile that does not exist.
    MissingSource {
        /// The profile with the bad reference.
        profile: String,
        /// The missing name.
        source: String,
    },
    /// The chain comes back to a profile already visited.
    Cycle(Vec<String>),
    /// More than [`MAX_CHAIN_HOPS`] roles.
    TooDeep(usize),
    /// A profile without credentials of its own that cannot give any.
    NoCredentials(String),
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::NoSuchProfile(p) => write!(f, "there is no profile {p:?}"),
            PlanError::Invalid(reason) => f.write_str(reason),
            PlanError::SourceInvalid { source, reason } => {
                write!(f, "source profile {source:?} is invalid: {reason}")
            }
            PlanError::MissingSource { profile, source } => write!(
                f,
                "source_profile {source:?} referenced in profile {profile:?} does not exist"
            ),
            PlanError::Cycle(names) => {
                write!(f, "source_profile loop: {}", names.join(" → "))
            }
            PlanError::TooDeep(n) => write!(
                f,
                "role chain too deep: more than {n} roles (check the source_profile links)"
            ),
            PlanError::NoCredentials(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for PlanError {}

impl ProfileSet {
    /// Resolves `name` into its plan.
    pub fn plan(&self, name: &str) -> Result<Plan, PlanError> {
        let start = self
            .index_of(name)
            .ok_or_else(|| PlanError::NoSuchProfile(name.to_owned()))?;
        self.plan_at(start)
    }

    /// Resolves the profile at `start` in [`ProfileSet::profiles`].
    pub fn plan_at(&self, start: usize) -> Result<Plan, PlanError> {
        let mut chain: Vec<usize> = Vec::with_capacity(4);
        let mut roles = 0; // the first `roles` profiles of `chain` are roles
        let mut current = start;
        let source = loop {
            let profile = &self.profiles()[current];
            if let Some(seen) = chain.iter().position(|&i| i == current) {
                let mut names: Vec<String> = chain[seen..]
                    .iter()
                    .map(|&i| self.profiles()[i].name.clone())
                    .collect();
                names.push(profile.name.clone());
                return Err(PlanError::Cycle(names));
            }
            if let Some(err) = profile.error() {
                return Err(if chain.is_empty() {
                    PlanError::Invalid(err.to_string())
                } else {
                    PlanError::SourceInvalid {
                        source: profile.name.clone(),
                        reason: err.to_string(),
                    }
                });
            }
            let first = chain.is_empty();
            chain.push(current);
            // After the first hop, a source profile's own keys win over its role_arn (AWS CLI rule).
            let is_role =
                profile.get(Key::RoleArn).is_some() && (first || !profile.has_static_keys());
            if !is_role {
                break leaf(profile)?;
            }
            roles += 1;
            if roles > MAX_CHAIN_HOPS {
                return Err(PlanError::TooDeep(MAX_CHAIN_HOPS));
            }
            if let Some(kind) = profile.get(Key::CredentialSource) {
                debug_assert!(CREDENTIAL_SOURCES.contains(&kind));
                break Source::CredentialSource {
                    profile: profile.name.clone(),
                    kind: kind.to_owned(),
                };
            }
            let Some(source_name) = profile.get(Key::SourceProfile) else {
                return Err(PlanError::Invalid(format!(
                    "profile {:?} has role_arn but no source",
                    profile.name
                )));
            };
            if source_name == profile.name && profile.has_static_keys() {
                break leaf(profile)?;
            }
            current = self
                .index_of(source_name)
                .ok_or_else(|| PlanError::MissingSource {
                    profile: profile.name.clone(),
                    source: source_name.to_owned(),
                })?;
        };
        let mut plan = Plan {
            chain: chain
                .iter()
                .map(|&i| self.profiles()[i].name.clone())
                .collect(),
            source,
            steps: Vec::with_capacity(roles + 1),
            notes: Vec::new(),
            session_for_process_keys: false,
        };
        if roles == 0 {
            session_token_step(&mut plan, &self.profiles()[start]);
        }
        for (hop, &role) in chain[..roles].iter().rev().enumerate() {
            role_step(&mut plan, &self.profiles()[role], hop == 0);
        }
        Ok(plan)
    }
}
