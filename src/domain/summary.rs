//! One line of facts per profile: what `list` prints and what the profile pane shows.

use super::plan::{Plan, PlanError, Source, Step};
use super::profile::{Key, Profile, ProfileSet, Severity};

/// What kind of credentials a profile gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Keys in the files.
    Static,
    /// A role assumed through STS.
    Role,
    /// IAM Identity Center.
    Sso,
    /// `credential_process`.
    Process,
    /// A console session of `aws login` (`login_session`).
    Login,
    /// Long-term keys in a key store.
    Keystore,
    /// No credentials of its own: the environment's.
    Environment,
    /// Cannot be used; see the error.
    Invalid,
}

impl Kind {
    /// The word used in `list` and `list --json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Static => "static",
            Kind::Role => "role",
            Kind::Sso => "sso",
            Kind::Process => "process",
            Kind::Login => "login",
            Kind::Keystore => "keystore",
            Kind::Environment => "environment",
            Kind::Invalid => "invalid",
        }
    }
}

/// The settings a person sees, read from one profile in one place, so that the list, the
/// plan pane and `list` never look keys up themselves. Borrowed: making one costs no
/// allocation, which matters with 50,000 profiles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts<'a> {
    /// The profile's name.
    pub name: &'a str,
    /// `xrole_account_name`.
    pub account_name: Option<&'a str>,
    /// `role_arn` of the profile itself.
    pub role_arn: Option<&'a str>,
    /// The account of `role_arn`, when the ARN is valid.
    pub role_account: Option<&'a str>,
    /// `source_profile`.
    pub source_profile: Option<&'a str>,
    /// `region`.
    pub region: Option<&'a str>,
    /// `xrole_env`.
    pub env: Option<&'a str>,
    /// `xrole_expected_account`, as written.
    pub expected_account: Option<&'a str>,
    /// `xrole_buckets`, as written.
    pub buckets: Option<&'a str>,
    /// `sso_account_id`.
    pub sso_account_id: Option<&'a str>,
    /// `mfa_serial` of the profile itself.
    pub mfa_serial: Option<&'a str>,
}

impl<'a> Facts<'a> {
    /// Reads the facts of `profile`.
    pub fn of(profile: &'a Profile) -> Self {
        let get = |k| profile.get(k);
        Self {
            name: &profile.name,
            account_name: get(Key::XroleAccountName),
            role_arn: get(Key::RoleArn),
            role_account: profile.role_account(),
            source_profile: get(Key::SourceProfile),
            region: get(Key::Region),
            env: get(Key::XroleEnv),
            expected_account: get(Key::XroleExpectedAccount),
            buckets: get(Key::XroleBuckets),
            sso_account_id: get(Key::SsoAccountId),
            mfa_serial: get(Key::MfaSerial),
        }
    }

    /// The last part of the role ARN (the role's name, or its path's end).
    pub fn role_name(&self) -> Option<&'a str> {
        self.role_arn.map(|a| a.rsplit('/').next().unwrap_or(a))
    }

    /// True for `xrole_env = prod` (any case).
    pub fn is_prod(&self) -> bool {
        self.env.is_some_and(|e| e.eq_ignore_ascii_case("prod"))
    }
}

/// The facts about one profile.
#[derive(Debug, Clone)]
pub struct Summary<'a> {
    /// The profile.
    pub profile: &'a Profile,
    /// Its settings.
    pub facts: Facts<'a>,
    /// Its kind.
    pub kind: Kind,
    /// The account its credentials are in, when the files tell.
    pub account: Option<&'a str>,
    /// The plan, or why there is none.
    pub plan: Result<Plan, PlanError>,
    /// Warnings of the profile and notes of its plan.
    pub warnings: Vec<String>,
}

/// Said of a user profile whose `mfa_serial` opens an MFA session here.
pub const MFA_WITHOUT_ROLE: &str = "mfa_serial without a role: xrole-tui opens an MFA session (GetSessionToken) for these keys, while the AWS CLI ignores this mfa_serial and uses the keys as they are";

impl<'a> Summary<'a> {
    /// Summarises the profile at `index` of `set.profiles()`, resolving its chain.
    pub fn new(set: &'a ProfileSet, index: usize) -> Self {
        let profile = &set.profiles()[index];
        let facts = Facts::of(profile);
        let plan = set.plan_at(index);
        let kind = kind_of(&plan);
        let account = account_of(&facts, &plan);
        let mut warnings: Vec<String> = profile
            .problems
            .iter()
            .filter(|p| p.severity == Severity::Warning)
            .map(|p| p.message.clone())
            .collect();
        if let Ok(p) = &plan {
            warnings.extend(p.notes.iter().cloned());
            if p.mfa_session().is_some() && p.final_role().is_none() {
                warnings.push(MFA_WITHOUT_ROLE.to_owned());
            }
        }
        Self {
            profile,
            facts,
            kind,
            account,
            plan,
            warnings,
        }
    }

    /// Profile names from this one to its root, as far as they resolve.
    pub fn chain(&self) -> Vec<&str> {
        self.chain_names().collect()
    }

    /// [`Summary::chain`], without collecting it.
    pub fn chain_names(&self) -> impl Iterator<Item = &str> {
        let names: &[String] = match &self.plan {
            Ok(p) => &p.chain,
            Err(_) => std::slice::from_ref(&self.profile.name),
        };
        names.iter().map(String::as_str)
    }

    /// The error message, if the profile cannot be used.
    pub fn error(&self) -> Option<String> {
        self.plan.as_ref().err().map(ToString::to_string)
    }

    /// The MFA device a code is asked for, if any.
    pub fn mfa_serial(&self) -> Option<&str> {
        match &self.plan {
            Ok(p) => p.mfa_serial(),
            Err(_) => self.facts.mfa_serial,
        }
    }

    /// More than one role hop.
    pub fn chained(&self) -> bool {
        self.plan.as_ref().is_ok_and(|plan| {
            plan.steps
                .iter()
                .filter(|st| matches!(st, Step::AssumeRole { .. }))
                .count()
                > 1
        })
    }
}

/// The kind of credentials a plan gives.
pub fn kind_of(plan: &Result<Plan, PlanError>) -> Kind {
    match plan {
        Err(_) => Kind::Invalid,
        Ok(p) if p.final_role().is_some() => Kind::Role,
        Ok(p) => match p.source {
            Source::StaticKeys { .. } => Kind::Static,
            Source::Process { .. } => Kind::Process,
            Source::Sso { .. } => Kind::Sso,
            Source::Login { .. } => Kind::Login,
            Source::Stored { .. } => Kind::Keystore,
            Source::CredentialSource { .. } | Source::Environment { .. } => Kind::Environment,
        },
    }
}

/// The account a profile's credentials are in, when the files tell: `xrole_expected_account`,
/// else the account of the profile's own role (the final one), else `sso_account_id`.
pub fn account_of<'a>(facts: &Facts<'a>, plan: &Result<Plan, PlanError>) -> Option<&'a str> {
    let role_account = plan.as_ref().ok().and(facts.role_account);
    facts
        .expected_account
        .or(role_account)
        .or(facts.sso_account_id)
}
