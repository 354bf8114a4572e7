//! Checks of one profile's own values, before any chain is followed.

use std::collections::HashMap;

use super::profile::{bucket_bookmarks, Key, Profile, Severity, SsoSession};
use super::validate::{self, RoleArn};

/// The values `credential_source` may take.
pub const CREDENTIAL_SOURCES: [&str; 3] = ["Environment", "Ec2InstanceMetadata", "EcsContainer"];

/// Adds to `profile.problems` every problem of its own values.
pub fn check_profile(profile: &mut Profile, sso_sessions: &HashMap<String, SsoSession>) {
    let mut found: Vec<(Severity, String, Option<Key>)> = Vec::new();
    let mut error = |key: Key, msg: String| found.push((Severity::Error, msg, Some(key)));
    let has_role = profile.get(Key::RoleArn).is_some();

    check_role(profile, &mut error);
    check_values(profile, &mut error);
    check_keys(profile, has_role, &mut error);
    check_sso(profile, sso_sessions, &mut error);

    let mut warn = |key: Key, msg: String| found.push((Severity::Warning, msg, Some(key)));
    if let Some(v) = profile.get(Key::XroleBuckets) {
        for e in bucket_bookmarks(v).into_iter().filter_map(Result::err) {
            warn(Key::XroleBuckets, format!("xrole_buckets: {e}"));
        }
    }
    for (severity, message, key) in found {
        let location = key.and_then(|k| profile.location_of(k));
        profile.problems.push(super::profile::Problem {
            severity,
            message,
            location,
        });
    }
}

/// A role needs a valid ARN and exactly one source of credentials; `credential_source` is one
/// of three.
fn check_role(profile: &Profile, error: &mut impl FnMut(Key, String)) {
    if let Some(arn) = profile.get(Key::RoleArn) {
        if let Err(e) = RoleArn::check(arn) {
            error(Key::RoleArn, e);
        }
        match (
            profile.get(Key::SourceProfile),
            profile.get(Key::CredentialSource),
        ) {
            (Some(_), Some(_)) => error(
                Key::CredentialSource,
                "has both source_profile and credential_source; keep one".into(),
            ),
            (None, None) => error(
                Key::RoleArn,
                "has role_arn but neither source_profile nor credential_source".into(),
            ),
            _ => {}
        }
    }
    if let Some(cs) = profile.get(Key::CredentialSource) {
        if !CREDENTIAL_SOURCES.contains(&cs) {
            error(
                Key::CredentialSource,
                format!(
                    "credential_source {cs:?} is not one of {}",
                    CREDENTIAL_SOURCES.join(", ")
                ),
            );
        }
    }
}

/// Each value that has a form of its own: key ids, secrets, session options, regions, MFA
/// serials, external ids, session names.
fn check_values(profile: &Profile, error: &mut impl FnMut(Key, String)) {
    if let Some(v) = profile.get(Key::AwsAccessKeyId) {
        if let Err(e) = validate::access_key_id(v) {
            error(Key::AwsAccessKeyId, e);
        }
    }
    for key in [Key::AwsSecretAccessKey, Key::AwsSessionToken] {
        if let Some(v) = profile.get(key) {
            if let Err(e) = validate::secret_text(key.as_str(), v) {
                error(key, e);
            }
        }
    }
    if let Some(v) = profile.get(Key::XroleSession) {
        if v != "none" {
            error(
                Key::XroleSession,
                format!("xrole_session {v:?} can only be none (leave it out for a session)"),
            );
        }
    }
    if let Some(v) = profile.get(Key::XroleCredentials) {
        if !matches!(v, "static" | "endpoint") {
            error(
                Key::XroleCredentials,
                format!("xrole_credentials {v:?} must be static or endpoint"),
            );
        }
    }
    for key in [Key::Region, Key::SsoRegion] {
        if let Some(v) = profile.get(key) {
            if let Err(e) = validate::region(key.as_str(), v) {
                error(key, e);
            }
        }
    }
    if let Some(v) = profile.get(Key::MfaSerial) {
        if let Err(e) = validate::mfa_serial(v) {
            error(Key::MfaSerial, e);
        }
    }
    if let Some(v) = profile.get(Key::ExternalId) {
        if let Err(e) = validate::external_id(v) {
            error(Key::ExternalId, e);
        }
    }
    if let Some(v) = profile.get(Key::RoleSessionName) {
        if let Err(e) = validate::session_name(v) {
            error(Key::RoleSessionName, e);
        }
    }
}

/// Durations for the call that uses them, the expected account, and keys that come in pairs.
fn check_keys(profile: &Profile, has_role: bool, error: &mut impl FnMut(Key, String)) {
    if let Some(v) = profile.get(Key::DurationSeconds) {
        let (range, call) = if has_role {
            (validate::ASSUME_ROLE_DURATION, "AssumeRole")
        } else {
            (validate::SESSION_TOKEN_DURATION, "GetSessionToken")
        };
        if let Err(e) = validate::duration(v, range, call) {
            error(Key::DurationSeconds, e);
        }
    }
    if let Some(v) = profile.get(Key::XroleExpectedAccount) {
        if !validate::is_account_id(v) {
            error(
                Key::XroleExpectedAccount,
                format!("xrole_expected_account {v:?} is not a 12-digit account id"),
            );
        }
    }
    match (
        profile.get(Key::AwsAccessKeyId),
        profile.get(Key::AwsSecretAccessKey),
    ) {
        (Some(_), None) => error(
            Key::AwsAccessKeyId,
            "has aws_access_key_id but no aws_secret_access_key".into(),
        ),
        (None, Some(_)) => error(
            Key::AwsSecretAccessKey,
            "has aws_secret_access_key but no aws_access_key_id".into(),
        ),
        _ => {}
    }
}

fn check_sso(
    profile: &Profile,
    sessions: &HashMap<String, SsoSession>,
    error: &mut impl FnMut(Key, String),
) {
    let account = profile.get(Key::SsoAccountId);
    let role = profile.get(Key::SsoRoleName);
    let uses_sso = account.is_some()
        || role.is_some()
        || profile.get(Key::SsoSession).is_some()
        || profile.get(Key::SsoStartUrl).is_some();
    if !uses_sso {
        return;
    }
    if let Some(name) = profile.get(Key::SsoSession) {
        if !sessions.contains_key(name) {
            error(
                Key::SsoSession,
                format!("sso_session {name:?} has no [sso-session {name}] section"),
            );
        }
    } else if profile.get(Key::SsoStartUrl).is_none() {
        error(
            Key::SsoAccountId,
            "uses SSO but has neither sso_session nor sso_start_url".into(),
        );
    } else if profile.get(Key::SsoRegion).is_none() {
        error(
            Key::SsoStartUrl,
            "has sso_start_url but no sso_region".into(),
        );
    }
    match (account, role) {
        (Some(a), Some(_)) if !validate::is_account_id(a) => error(
            Key::SsoAccountId,
            format!("sso_account_id {a:?} is not a 12-digit account id"),
        ),
        (Some(_), None) => error(
            Key::SsoAccountId,
            "has sso_account_id but no sso_role_name".into(),
        ),
        (None, Some(_)) => error(
            Key::SsoRoleName,
            "has sso_role_name but no sso_account_id".into(),
        ),
        _ => {}
    }
}
