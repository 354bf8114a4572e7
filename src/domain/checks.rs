//! Checks of one profile's own values, before any chain is followed.

use std::collections::HashMap;

use super::profile::{bucket_bookmarks, Key, Profile, Severity, SsoSession};
use super::validate::{self, RoleArn};

/// The values `credential_source` may take.
pub const CREDENTIAL_SOURCES: [&str; 3] = ["Environment", "Ec2InstanceMetadata", "EcsContainer"];

/// Values found valid in the profiles checked so far, by key: files give the same MFA device
/// and region to thousands of profiles, and a value the last profile had is not checked again.
pub struct Checked {
    last_valid: Vec<String>,
}

impl Default for Checked {
    fn default() -> Self {
        Self {
            last_valid: vec![String::new(); Key::COUNT],
        }
    }
}

impl Checked {
    /// `check(v)`, unless `v` is the last value of `key` found valid.
    fn once(
        &mut self,
        key: Key,
        v: &str,
        check: impl FnOnce(&str) -> Result<(), String>,
    ) -> Result<(), String> {
        let last = &mut self.last_valid[key as usize];
        if !last.is_empty() && last == v {
            return Ok(());
        }
        check(v)?;
        last.clear();
        last.push_str(v);
        Ok(())
    }
}

/// Adds to `profile.problems` every problem of its own values.
pub fn check_profile(
    profile: &mut Profile,
    sso_sessions: &HashMap<String, SsoSession>,
    checked: &mut Checked,
) {
    let mut found: Vec<(Severity, String, Option<Key>)> = Vec::new();
    let mut error = |key: Key, msg: String| found.push((Severity::Error, msg, Some(key)));
    let has_role = profile.get(Key::RoleArn).is_some();

    if let Some(account_at) = check_role(profile, &mut error) {
        profile.role_arn_checked(account_at);
    }
    check_values(profile, checked, &mut error);
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
/// of three. Returns where the account starts in a valid ARN.
fn check_role(profile: &Profile, error: &mut impl FnMut(Key, String)) -> Option<usize> {
    let mut account_at = None;
    if let Some(arn) = profile.get(Key::RoleArn) {
        match RoleArn::check(arn) {
            Ok(at) => account_at = Some(at),
            Err(e) => error(Key::RoleArn, e),
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
    account_at
}

/// Each value that has a form of its own: key ids, secrets, session options, regions, MFA
/// serials, external ids, session names.
fn check_values(profile: &Profile, checked: &mut Checked, error: &mut impl FnMut(Key, String)) {
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
            if let Err(e) = checked.once(key, v, |v| validate::region(key.as_str(), v)) {
                error(key, e);
            }
        }
    }
    if let Some(v) = profile.get(Key::MfaSerial) {
        if let Err(e) = checked.once(Key::MfaSerial, v, validate::mfa_serial) {
            error(Key::MfaSerial, e);
        }
    }
    if let Some(v) = profile.get(Key::ExternalId) {
        if let Err(e) = checked.once(Key::ExternalId, v, validate::external_id) {
            error(Key::ExternalId, e);
        }
    }
    if let Some(v) = profile.get(Key::RoleSessionName) {
        if let Err(e) = checked.once(Key::RoleSessionName, v, validate::session_name) {
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

#[cfg(test)]
mod tests {
    use crate::domain::profile::{Key, ProfileSet, Severity};
    use crate::domain::validate::RoleArn;

    #[test]
    fn a_value_found_valid_once_is_trusted_again_but_an_invalid_one_never_is() {
        let mut config = String::new();
        let serials = [
            "arn:aws:iam::123456789012:mfa/a",
            "arn:aws:iam::123456789012:user/a",
        ];
        for (i, serial) in serials.iter().cycle().take(6).enumerate() {
            config.push_str(&format!(
                "[profile p{i}]\nrole_arn = arn:aws:iam::12345678901{}:role/r{i}\nsource_profile = p0\nmfa_serial = {serial}\nregion = eu-west-1\n",
                i % 2
            ));
        }
        let set = ProfileSet::parse(Some(config.as_bytes()), None);
        for (i, p) in set.profiles().iter().enumerate() {
            let errors: Vec<&str> = p
                .problems
                .iter()
                .filter(|e| e.severity == Severity::Error)
                .map(|e| e.message.as_str())
                .collect();
            if i % 2 == 0 {
                assert!(errors.is_empty(), "{i}: {errors:?}");
                let arn = p.get(Key::RoleArn).expect("role_arn");
                assert_eq!(p.role_arn(), RoleArn::parse(arn).ok());
                assert_eq!(p.role_account(), arn.split(':').nth(4));
            } else {
                assert_eq!(errors.len(), 1, "{i}: {errors:?}");
                assert!(errors[0].contains("is a user ARN"), "{errors:?}");
                assert_eq!(p.role_account(), Some("123456789011"));
            }
        }
        let bad = ProfileSet::parse(
            Some(b"[profile b]\nrole_arn = arn:aws:iam::12:role/r\nsource_profile = b\n"),
            None,
        );
        assert_eq!(bad.profiles()[0].role_arn(), None);
        assert_eq!(bad.profiles()[0].role_account(), None);
    }
}
