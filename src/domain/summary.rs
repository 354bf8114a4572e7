//! One line of facts per profile: what `list` prints and what the profile pane shows.

use super::plan::{Plan, PlanError, Source};
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
            Kind::Environment => "environment",
            Kind::Invalid => "invalid",
        }
    }
}

/// The facts about one profile.
#[derive(Debug, Clone)]
pub struct Summary<'a> {
    /// The profile.
    pub profile: &'a Profile,
    /// Its kind.
    pub kind: Kind,
    /// The account its credentials are in, when the files tell.
    pub account: Option<&'a str>,
    /// The plan, or why there is none.
    pub plan: Result<Plan, PlanError>,
    /// Warnings of the profile and notes of its plan.
    pub warnings: Vec<String>,
}

impl<'a> Summary<'a> {
    /// Summarises the profile at `index` of `set.profiles()`, resolving its chain.
    pub fn new(set: &'a ProfileSet, index: usize) -> Self {
        let profile = &set.profiles()[index];
        let plan = set.plan_at(index);
        let kind = match &plan {
            Err(_) => Kind::Invalid,
            Ok(p) if p.final_role().is_some() => Kind::Role,
            Ok(p) => match p.source {
                Source::StaticKeys { .. } => Kind::Static,
                Source::Process { .. } => Kind::Process,
                Source::Sso { .. } => Kind::Sso,
                Source::CredentialSource { .. } | Source::Environment { .. } => Kind::Environment,
            },
        };
        // The account of the final role is the one in this profile's own role_arn.
        let role_account = match (&plan, profile.get(Key::RoleArn)) {
            (Ok(_), Some(arn)) => arn.split(':').nth(4),
            _ => None,
        };
        let account = profile
            .get(Key::XroleExpectedAccount)
            .or(role_account)
            .or_else(|| profile.get(Key::SsoAccountId));
        let mut warnings: Vec<String> = profile
            .problems
            .iter()
            .filter(|p| p.severity == Severity::Warning)
            .map(|p| p.message.clone())
            .collect();
        if let Ok(p) = &plan {
            warnings.extend(p.notes.iter().cloned());
        }
        Self {
            profile,
            kind,
            account,
            plan,
            warnings,
        }
    }

    /// Profile names from this one to its root, as far as they resolve.
    pub fn chain(&self) -> Vec<&str> {
        match &self.plan {
            Ok(p) => p.chain.iter().map(String::as_str).collect(),
            Err(_) => vec![self.profile.name.as_str()],
        }
    }

    /// The error message, if the profile cannot be used.
    pub fn error(&self) -> Option<String> {
        self.plan.as_ref().err().map(ToString::to_string)
    }

    /// The MFA device a code is asked for, if any.
    pub fn mfa_serial(&self) -> Option<&str> {
        match &self.plan {
            Ok(p) => p.mfa_serial(),
            Err(_) => self.profile.get(Key::MfaSerial),
        }
    }
}
