//! The three STS calls, with SDK types turned into domain types and errors into messages.

use std::time::SystemTime;

use aws_sdk_sts::types::Credentials as StsCredentials;
use zeroize::Zeroizing;

use super::error::{from_sdk, AuthError, Call};
use crate::domain::session::{CallerIdentity, Credentials};
use crate::domain::validate::CHAINED_ROLE_MAX;
use crate::domain::Step;

/// The parameters of one AssumeRole.
#[derive(Clone)]
pub struct AssumeRoleRequest<'a> {
    /// The role.
    pub role_arn: &'a str,
    /// `RoleSessionName`.
    pub session_name: &'a str,
    /// `DurationSeconds`, when set.
    pub duration: Option<u32>,
    /// `ExternalId`, when set.
    pub external_id: Option<&'a str>,
    /// MFA device and code, when this call carries them.
    pub mfa: Option<(&'a str, &'a str)>,
    /// The profile whose credentials make the call (for messages).
    pub caller_profile: &'a str,
}

// No `Debug`: the request holds the MFA code and the external id.

/// The credentials of an STS answer, refused when a part is missing: a partial answer (a
/// broken proxy, a truncated body) must never be cached or handed out.
fn convert(action: &str, c: Option<&StsCredentials>) -> Result<Credentials, AuthError> {
    let c = c.ok_or_else(|| missing(action, "credentials"))?;
    let part = |value: &str, name: &str| {
        if value.is_empty() {
            Err(missing(action, name))
        } else {
            Ok(value.to_owned())
        }
    };
    let expiration = SystemTime::try_from(*c.expiration())
        .ok()
        .filter(|t| *t > SystemTime::UNIX_EPOCH)
        .ok_or_else(|| missing(action, "an expiration"))?;
    let creds = Credentials {
        access_key_id: part(c.access_key_id(), "AccessKeyId")?,
        secret_access_key: Zeroizing::new(part(c.secret_access_key(), "SecretAccessKey")?),
        session_token: Some(Zeroizing::new(part(c.session_token(), "SessionToken")?)),
        expiration: Some(expiration),
    };
    creds.check_sendable().map_err(|why| {
        AuthError::Service(format!(
            "{action} answered with unusable credentials: {why}"
        ))
    })?;
    Ok(creds)
}

fn missing(action: &str, what: &str) -> AuthError {
    AuthError::Service(format!(
        "{action} answered without {what}; nothing was cached"
    ))
}

/// `sts:GetSessionToken`, with an MFA device and its code when given.
pub async fn get_session_token(
    client: &aws_sdk_sts::Client,
    mfa: Option<(&str, &str)>,
    duration: Option<u32>,
    caller_profile: &str,
) -> Result<Credentials, AuthError> {
    let call = Call {
        action: "sts:GetSessionToken",
        target: mfa.map_or("the caller's keys", |(serial, _)| serial),
        profile: caller_profile,
        mfa_serial: mfa.map(|(serial, _)| serial),
        external_id: false,
    };
    let out = client
        .get_session_token()
        .set_serial_number(mfa.map(|(serial, _)| serial.to_owned()))
        .set_token_code(mfa.map(|(_, code)| code.to_owned()))
        .set_duration_seconds(duration.map(|d| d as i32))
        .send()
        .await
        .map_err(|e| from_sdk(&e, call))?;
    convert(call.action, out.credentials())
}

/// `sts:AssumeRole`; the identity comes from the response's `AssumedRoleUser`.
pub async fn assume_role(
    client: &aws_sdk_sts::Client,
    req: &AssumeRoleRequest<'_>,
) -> Result<(Credentials, Option<CallerIdentity>), AuthError> {
    let call = Call {
        action: "sts:AssumeRole",
        target: req.role_arn,
        profile: req.caller_profile,
        mfa_serial: req.mfa.map(|(s, _)| s),
        external_id: req.external_id.is_some(),
    };
    let out = client
        .assume_role()
        .role_arn(req.role_arn)
        .role_session_name(req.session_name)
        .set_duration_seconds(req.duration.map(|d| d as i32))
        .set_external_id(req.external_id.map(str::to_owned))
        .set_serial_number(req.mfa.map(|(s, _)| s.to_owned()))
        .set_token_code(req.mfa.map(|(_, c)| c.to_owned()))
        .send()
        .await
        .map_err(|e| from_sdk(&e, call))?;
    let creds = convert(call.action, out.credentials())?;
    let identity = out
        .assumed_role_user()
        .and_then(|u| CallerIdentity::from_arn(u.arn(), u.assumed_role_id()));
    Ok((creds, identity))
}

/// `sts:GetCallerIdentity`.
pub async fn caller_identity(
    client: &aws_sdk_sts::Client,
    caller_profile: &str,
) -> Result<CallerIdentity, AuthError> {
    let call = Call {
        action: "sts:GetCallerIdentity",
        target: "the caller",
        profile: caller_profile,
        mfa_serial: None,
        external_id: false,
    };
    let out = client
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| from_sdk(&e, call))?;
    Ok(CallerIdentity {
        account: out.account().unwrap_or_default().to_owned(),
        arn: out.arn().unwrap_or_default().to_owned(),
        user_id: out.user_id().unwrap_or_default().to_owned(),
    })
}

/// `sts:GetFederationToken` with a user's long-term keys, with a session policy that allows
/// everything, so that the user's own permissions are what applies (a console sign-in for a
/// user without a role).
pub async fn federation_token(
    client: &aws_sdk_sts::Client,
    name: &str,
    duration: u32,
    caller_profile: &str,
) -> Result<Credentials, AuthError> {
    let call = Call {
        action: "sts:GetFederationToken",
        target: name,
        profile: caller_profile,
        mfa_serial: None,
        external_id: false,
    };
    let policy =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let out = client
        .get_federation_token()
        .name(name)
        .policy(policy)
        .duration_seconds(i32::try_from(duration).unwrap_or(3600))
        .send()
        .await
        .map_err(|e| from_sdk(&e, call))?;
    convert(call.action, out.credentials())
}

/// Makes `step`'s STS call with `source`'s client; `mfa` is the device and its code.
pub async fn call(
    step: &Step,
    client: &aws_sdk_sts::Client,
    source: &Credentials,
    mfa: Option<(&str, &str)>,
    caller: &str,
) -> Result<(Credentials, Option<CallerIdentity>), AuthError> {
    match step {
        Step::SessionToken { duration, .. } => {
            let creds = get_session_token(client, mfa, *duration, caller).await?;
            Ok((creds, None))
        }
        Step::AssumeRole {
            profile: role_profile,
            role_arn,
            external_id,
            session_name,
            duration,
            ..
        } => {
            let mut duration = *duration;
            // The plan has told the user; AWS would refuse the call otherwise.
            if source.session_token.is_some() && duration.is_some_and(|d| d > CHAINED_ROLE_MAX) {
                duration = Some(CHAINED_ROLE_MAX);
            }
            let name = session_name
                .clone()
                .unwrap_or_else(|| crate::domain::plan::default_session_name(role_profile));
            let request = AssumeRoleRequest {
                role_arn: role_arn.as_str(),
                session_name: &name,
                duration,
                external_id: external_id.as_deref(),
                mfa,
                caller_profile: caller,
            };
            assume_role(client, &request).await
        }
    }
}
