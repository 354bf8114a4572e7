//! What can go wrong while getting credentials, worded so that a person can act on it.

use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

/// A failure of a call to AWS or of the local work around it, by kind: the app decides by the
/// kind, never by the text. Messages name the profile, role or device concerned and
/// never contain a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// A local problem: the profile, a value, the input (exit code 2).
    #[error("{0}")]
    Config(String),
    /// The MFA code was refused, or could not be read.
    #[error("{0}")]
    Mfa(String),
    /// STS or S3 said no.
    #[error("{0}")]
    Denied(String),
    /// Credentials that AWS does not know or cannot be loaded.
    #[error("{0}")]
    Credentials(String),
    /// Credentials that have expired: authenticating again helps.
    #[error("{0}")]
    Expired(String),
    /// The bucket or object does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A local file could not be read or written (a download's destination).
    #[error("{0}")]
    LocalFile(String),
    /// The identity is not in the account the profile expects.
    #[error("{0}")]
    WrongAccount(String),
    /// Network trouble, timeouts, throttling, clock skew, anything else from AWS.
    #[error("{0}")]
    Service(String),
}

impl AuthError {
    /// The same error with `note` added to its message.
    #[must_use]
    pub fn with_note(self, note: &str) -> Self {
        use AuthError::*;
        match self {
            Config(m) => Config(format!("{m} {note}")),
            Mfa(m) => Mfa(format!("{m} {note}")),
            Denied(m) => Denied(format!("{m} {note}")),
            Credentials(m) => Credentials(format!("{m} {note}")),
            Expired(m) => Expired(format!("{m} {note}")),
            NotFound(m) => NotFound(format!("{m} {note}")),
            LocalFile(m) => LocalFile(format!("{m} {note}")),
            WrongAccount(m) => WrongAccount(format!("{m} {note}")),
            Service(m) => Service(format!("{m} {note}")),
        }
    }

    /// The process exit code: 2 for problems of the input (configuration, names, local files),
    /// 3 for authentication failures.
    pub fn exit_code(&self) -> u8 {
        match self {
            AuthError::Config(_) | AuthError::LocalFile(_) | AuthError::NotFound(_) => 2,
            _ => 3,
        }
    }
}

/// What was being attempted, for the message.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    /// `sts:AssumeRole`, `sts:GetSessionToken`, `sts:GetCallerIdentity`.
    pub action: &'a str,
    /// The role ARN or MFA device concerned.
    pub target: &'a str,
    /// The profile whose credentials made the call.
    pub profile: &'a str,
    /// The MFA device, when a code was sent.
    pub mfa_serial: Option<&'a str>,
    /// True when an external id was sent.
    pub external_id: bool,
}

/// An error and its causes in words, "outer: inner: root", each said once and made safe to
/// print. Never `Debug`: the SDK's own `DisplayErrorContext` ends with a debug dump of the
/// whole error (`DispatchFailure(DispatchFailure { source: … })`), unreadable and possibly
/// holding request details.
pub fn describe(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        // A wrapper often repeats its source's text ("timed out: timed out").
        if !text.is_empty() && !parts.iter().any(|p| p.contains(text.as_str())) {
            parts.push(text);
        }
        next = e.source();
    }
    crate::domain::text::display_safe(&parts.join(": ")).into_owned()
}

/// Maps an SDK failure of an STS call to a message a person can act on.
pub fn from_sdk<E>(err: &SdkError<E, HttpResponse>, call: Call<'_>) -> AuthError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match err {
        SdkError::TimeoutError(_) => AuthError::Service(format!(
            "{} timed out: STS did not answer (check the network, a proxy, or endpoint_url)",
            call.action
        )),
        SdkError::DispatchFailure(d) => {
            let what = if d.is_timeout() {
                "timed out connecting to"
            } else {
                "cannot reach"
            };
            AuthError::Service(format!(
                "{} failed: {what} the STS endpoint ({})",
                call.action,
                describe(err)
            ))
        }
        SdkError::ServiceError(ctx) => {
            let status = ctx.raw().status().as_u16();
            let code = ctx.err().code().unwrap_or_default();
            let message = ctx.err().message().unwrap_or_default();
            classify(status, code, message, call)
        }
        SdkError::ResponseError(ctx) => classify(ctx.raw().status().as_u16(), "", "", call),
        _ => AuthError::Service(format!("{} failed: {}", call.action, describe(err))),
    }
}

/// Maps an error code (or, when the body could not be read, the HTTP status) to a message.
pub fn classify(status: u16, code: &str, message: &str, call: Call<'_>) -> AuthError {
    let lower = message.to_ascii_lowercase();
    let Call {
        action,
        target,
        profile,
        ..
    } = call;
    let detail = if message.is_empty() {
        String::new()
    } else {
        format!(" (AWS: {})", crate::domain::text::display_safe(message))
    };
    if let Some(e) = by_message(&lower, code, call, &detail) {
        return e;
    }
    match code {
        "ExpiredToken" | "ExpiredTokenException" | "TokenRefreshRequired" => {
            AuthError::Expired(format!(
                "the credentials of profile {profile:?} have expired; get new ones (for SSO: xrole-tui sso login {profile}){detail}"
            ))
        }
        "InvalidClientTokenId" | "UnrecognizedClientException" | "SignatureDoesNotMatch" | "IncompleteSignature" => {
            AuthError::Credentials(format!(
                "AWS does not accept the keys of profile {profile:?} (unknown, deactivated or a wrong secret){detail}"
            ))
        }
        "Throttling" | "ThrottlingException" | "RequestLimitExceeded" | "TooManyRequestsException" | "SlowDown" => {
            AuthError::Service(format!(
                "{action} was throttled by AWS after retries; wait a moment and try again{detail}"
            ))
        }
        "RegionDisabledException" => AuthError::Service(format!(
            "STS is not activated in this region for the account; use another region{detail}"
        )),
        "AccessDenied" | "AccessDeniedException" => denied(call, &detail),
        "ValidationError" => AuthError::Config(format!("{action} on {target}: invalid request{detail}")),
        _ => match status {
            403 => denied(call, &detail),
            400 | 401 => AuthError::Credentials(format!(
                "{action} on {target} was refused with HTTP {status}{detail}; the keys of profile {profile:?} may be invalid"
            )),
            500..=599 => AuthError::Service(format!(
                "{action} failed: the endpoint answered HTTP {status}{detail}"
            )),
            _ => AuthError::Service(format!(
                "{action} on {target} failed ({}HTTP {status}){detail}",
                if code.is_empty() { String::new() } else { format!("{code}, ") }
            )),
        },
    }
}

/// What the message alone says, whatever the code: a refused MFA code or device, a clock
/// that is off, a duration over the role-chaining or the role's limit.
fn by_message(lower: &str, code: &str, call: Call<'_>, detail: &str) -> Option<AuthError> {
    let Call { action, target, .. } = call;
    if lower.contains("multifactorauthentication failed")
        || lower.contains("mfa") && code == "AccessDenied"
    {
        let serial = call.mfa_serial.unwrap_or("the MFA device");
        return Some(if lower.contains("serial number") {
            AuthError::Mfa(format!(
                "MFA failed for {serial}: AWS cannot match that device to the caller; check mfa_serial in the profile (it must be arn:aws:iam::ACCOUNT:mfa/NAME of this user){detail}"
            ))
        } else {
            AuthError::Mfa(format!(
                "MFA code rejected for {serial}: wait for the next code and try again (a code works once){detail}"
            ))
        });
    }
    if lower.contains("signature expired")
        || code == "RequestTimeTooSkewed"
        || lower.contains("clock")
    {
        return Some(AuthError::Service(format!(
            "{action} refused because this machine's clock is off; set the time (e.g. enable NTP) and retry{detail}"
        )));
    }
    if lower.contains("1 hour session limit") || lower.contains("role chaining") {
        return Some(AuthError::Config(format!(
            "{action} on {target}: AWS allows at most 3600 seconds for a role assumed with temporary credentials (role chaining); lower duration_seconds{detail}"
        )));
    }
    if lower.contains("durationseconds exceeds") {
        return Some(AuthError::Config(format!(
            "{action} on {target}: duration_seconds is more than the role's maximum session duration; lower it or raise the role's MaxSessionDuration{detail}"
        )));
    }
    None
}

fn denied(call: Call<'_>, detail: &str) -> AuthError {
    let Call {
        action,
        target,
        profile,
        ..
    } = call;
    let causes = if action == "sts:AssumeRole" {
        let mut causes = vec![format!(
            "the role's trust policy does not admit the identity of profile {profile:?}"
        )];
        if call.mfa_serial.is_none() {
            causes.push("the trust policy requires MFA (set mfa_serial in the profile)".into());
        }
        causes.push(if call.external_id {
            "the external_id does not match the one the trust policy expects".into()
        } else {
            "the trust policy requires an external_id".into()
        });
        causes
    } else if action == "sts:GetSessionToken" {
        vec![
            format!("profile {profile:?} holds session credentials (GetSessionToken needs long-term user keys)"),
            "a policy of the user denies it".into(),
        ]
    } else {
        vec![format!(
            "a policy denies {action} to the identity of profile {profile:?}"
        )]
    };
    AuthError::Denied(format!(
        "access denied: {action} on {target}. Likely causes: {}{detail}",
        causes.join("; or ")
    ))
}

/// A key store's trouble, as an authentication's: a wrong passphrase or missing keys are the
/// credentials' (exit 3), a store that cannot be reached the service's, a corrupt one a file's.
impl From<crate::keystore::KeystoreError> for AuthError {
    fn from(e: crate::keystore::KeystoreError) -> Self {
        match e {
            crate::keystore::KeystoreError::Passphrase(m) => AuthError::Credentials(m),
            crate::keystore::KeystoreError::Missing(m) => AuthError::Credentials(m),
            crate::keystore::KeystoreError::Unavailable(m) => AuthError::Service(m),
            crate::keystore::KeystoreError::Corrupt(m) => AuthError::LocalFile(m),
        }
    }
}
