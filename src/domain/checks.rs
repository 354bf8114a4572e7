//! Checks of one profile's own values, before any chain is followed.

use std::collections::HashMap;

use super::profile::{bucket_bookmarks, Profile, Severity, SsoSession, KNOWN_XROLE_KEYS};
use super::validate::{self, RoleArn};

/// The values `credential_source` may take.
pub const CREDENTIAL_SOURCES: [&str; 3] = ["Environment", "Ec2InstanceMetadata", "EcsContainer"];

/// Adds to `profile.problems` every problem of its own values.
pub fn check_profile(profile: &mut Profile, sso_sessions: &HashMap<String, SsoSession>) {
    let mut found: Vec<(Severity, String, &'static str)> = Vec::new();
    let mut error = |key: &'static str, msg: String| found.push((Severity::Error, msg, key));
    let has_role = profile.get("role_arn").is_some();

    if let Some(arn) = profile.get("role_arn") {
        if let Err(e) = RoleArn::parse(arn) {
            error("role_arn", e);
        }
        match (
            profile.get("source_profile"),
            profile.get("credential_source"),
        ) {
            (Some(_), Some(_)) => error(
                "credential_source",
                "has both source_profile and credential_source; keep one".into(),
            ),
            (None, None) => error(
                "role_arn",
                "has role_arn but neither source_profile nor credential_source".into(),
            ),
            _ => {}
        }
    }
    if let Some(cs) = profile.get("credential_source") {
        if !CREDENTIAL_SOURCES.contains(&cs) {
            error(
                "credential_source",
                format!(
                    "credential_source {cs:?} is not one of {}",
                    CREDENTIAL_SOURCES.join(", ")
                ),
            );
        }
    }
    if let Some(v) = profile.get("mfa_serial") {
        if let Err(e) = validate::mfa_serial(v) {
            error("mfa_serial", e);
        }
    }
    if let Some(v) = profile.get("external_id") {
        if let Err(e) = validate::external_id(v) {
            error("external_id", e);
        }
    }
    if let Some(v) = profile.get("role_session_name") {
        if let Err(e) = validate::session_name(v) {
            error("role_session_name", e);
        }
    }
    if let Some(v) = profile.get("duration_seconds") {
        let (range, call) = if has_role {
            (validate::ASSUME_ROLE_DURATION, "AssumeRole")
        } else {
            (validate::SESSION_TOKEN_DURATION, "GetSessionToken")
        };
        if let Err(e) = validate::duration(v, range, call) {
            error("duration_seconds", e);
        }
    }
    if let Some(v) = profile.get("xrole_expected_account") {
        if !validate::is_account_id(v) {
            error(
                "xrole_expected_account",
                format!("xrole_expected_account {v:?} is not a 12-digit account id"),
            );
        }
    }
    match (
        profile.get("aws_access_key_id"),
        profile.get("aws_secret_access_key"),
    ) {
        (Some(_), None) => error(
            "aws_access_key_id",
            "has aws_access_key_id but no aws_secret_access_key".into(),
        ),
        (None, Some(_)) => error(
            "aws_secret_access_key",
            "has aws_secret_access_key but no aws_access_key_id".into(),
        ),
        _ => {}
    }
    check_sso(profile, sso_sessions, &mut error);

    let mut warn = |key: &'static str, msg: String| found.push((Severity::Warning, msg, key));
    if let Some(v) = profile.get("xrole_buckets") {
        for e in bucket_bookmarks(v).into_iter().filter_map(Result::err) {
            warn("xrole_buckets", format!("xrole_buckets: {e}"));
        }
    }
    for s in profile.settings() {
        if s.key.starts_with("xrole_") && !KNOWN_XROLE_KEYS.contains(&s.key.as_str()) {
            found.push((
                Severity::Warning,
                format!(
                    "unknown key {:?}; xrole keys are {}",
                    s.key,
                    KNOWN_XROLE_KEYS.join(", ")
                ),
                "",
            ));
        }
    }
    for (severity, message, key) in found {
        let location = profile.location_of(key);
        profile.problems.push(super::profile::Problem {
            severity,
            message,
            location,
        });
    }
}

fn check_sso(
    profile: &Profile,
    sessions: &HashMap<String, SsoSession>,
    error: &mut impl FnMut(&'static str, String),
) {
    let account = profile.get("sso_account_id");
    let role = profile.get("sso_role_name");
    let uses_sso = account.is_some()
        || role.is_some()
        || profile.get("sso_session").is_some()
        || profile.get("sso_start_url").is_some();
    if !uses_sso {
        return;
    }
    if let Some(name) = profile.get("sso_session") {
        if !sessions.contains_key(name) {
            error(
                "sso_session",
                format!("sso_session {name:?} has no [sso-session {name}] section"),
            );
        }
    } else if profile.get("sso_start_url").is_none() {
        error(
            "sso_account_id",
            "uses SSO but has neither sso_session nor sso_start_url".into(),
        );
    } else if profile.get("sso_region").is_none() {
        error(
            "sso_start_url",
            "has sso_start_url but no sso_region".into(),
        );
    }
    match (account, role) {
        (Some(a), Some(_)) if !validate::is_account_id(a) => error(
            "sso_account_id",
            format!("sso_account_id {a:?} is not a 12-digit account id"),
        ),
        (Some(_), None) => error(
            "sso_account_id",
            "has sso_account_id but no sso_role_name".into(),
        ),
        (None, Some(_)) => error(
            "sso_role_name",
            "has sso_role_name but no sso_account_id".into(),
        ),
        _ => {}
    }
}
