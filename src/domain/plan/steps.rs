//! The parts of a plan that one profile gives: its leaf credential source, the session a
//! user's keys get, and each role's AssumeRole step.

use super::super::profile::{Key, Profile};
use super::super::validate::CHAINED_ROLE_MAX;
use super::{Plan, PlanError, Source, Step, NO_SESSION_NOTE};

/// The credentials a chain starts from.
pub(super) fn leaf(profile: &Profile) -> Result<Source, PlanError> {
    let name = profile.name.clone();
    // Imported keys: the store holds them, and the profile's `credential_process` line (this
    // tool's own) is for other tools, never run here.
    if let Some(backend) = profile.get(Key::XroleKeystore) {
        return Ok(Source::Stored {
            profile: name,
            backend: backend.trim().to_owned(),
        });
    }
    if profile.has_static_keys() {
        return Ok(Source::StaticKeys {
            profile: name,
            temporary: profile.get(Key::AwsSessionToken).is_some(),
        });
    }
    // After the keys and before a helper, as the AWS CLI v2 reads a profile.
    if let Some(arn) = profile.get(Key::LoginSession) {
        return Ok(Source::Login {
            profile: name,
            session_arn: arn.trim().to_owned(),
        });
    }
    if let Some(command) = profile.get(Key::CredentialProcess) {
        return Ok(Source::Process {
            profile: name,
            command: command.to_owned(),
        });
    }
    if let (Some(account_id), Some(role_name)) = (
        profile.get(Key::SsoAccountId),
        profile.get(Key::SsoRoleName),
    ) {
        return Ok(Source::Sso {
            profile: name,
            account_id: account_id.to_owned(),
            role_name: role_name.to_owned(),
        });
    }
    if profile.get(Key::SsoSession).is_some() || profile.get(Key::SsoStartUrl).is_some() {
        return Err(PlanError::NoCredentials(format!(
            "profile {name:?} only logs in to SSO (no sso_account_id / sso_role_name), so it gives no credentials"
        )));
    }
    Ok(Source::Environment { profile: name })
}

/// A user profile without a role gets a session of its own (with its `mfa_serial`, if any):
/// long-term keys are never handed to a shell or a program.
pub(super) fn session_token_step(plan: &mut Plan, profile: &Profile) {
    let opted_out = profile.get(Key::XroleSession) == Some("none");
    if matches!(plan.source, Source::Process { .. }) {
        plan.session_for_process_keys = !opted_out;
    }
    if plan.source.is_long_term() && opted_out {
        plan.notes.push(NO_SESSION_NOTE.to_owned());
        return;
    }
    if plan.source.is_long_term() {
        plan.steps.push(Step::SessionToken {
            mfa_serial: profile.get(Key::MfaSerial).map(str::to_owned),
            duration: profile
                .get(Key::DurationSeconds)
                .and_then(|d| d.parse().ok()),
        });
    }
}

/// Adds `role`'s AssumeRole, with a shared MFA session first when the role is assumed from
/// long-term keys with MFA and asks for no more than an hour.
pub(super) fn role_step(plan: &mut Plan, role: &Profile, first_hop: bool) {
    let Some(role_arn) = role.role_arn() else {
        return; // checked before: an invalid profile never gets here
    };
    let duration: Option<u32> = role.get(Key::DurationSeconds).and_then(|d| d.parse().ok());
    let mut mfa_serial = role.get(Key::MfaSerial).map(str::to_owned);
    let from_long_term = first_hop && plan.source.is_long_term();
    if let (Some(serial), true) = (&mfa_serial, from_long_term) {
        if duration.is_none_or(|d| d <= CHAINED_ROLE_MAX) {
            plan.steps.push(Step::SessionToken {
                mfa_serial: Some(serial.clone()),
                duration: None,
            });
            mfa_serial = None;
        } else {
            plan.notes.push(format!(
                "{} asks for {}s, over the one hour AWS allows for a role assumed from an MFA \
                 session, so it is assumed directly with its own MFA code",
                role.name,
                duration.unwrap_or_default()
            ));
        }
    }
    let chained = !first_hop || !plan.source.is_long_term() || !plan.steps.is_empty();
    if let (true, Some(d)) = (chained, duration) {
        if d > CHAINED_ROLE_MAX && !matches!(plan.source, Source::Environment { .. }) {
            plan.notes.push(format!(
                "{} asks for {d}s, but AWS allows at most {CHAINED_ROLE_MAX}s for a role assumed \
                 with temporary credentials (role chaining), so {CHAINED_ROLE_MAX}s is requested",
                role.name
            ));
        }
    }
    plan.steps.push(Step::AssumeRole {
        profile: role.name.clone(),
        role_arn,
        mfa_serial,
        external_id: role.get(Key::ExternalId).map(str::to_owned),
        session_name: role.get(Key::RoleSessionName).map(str::to_owned),
        duration,
    });
}
