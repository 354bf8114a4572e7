//! The IAM calls of `revoke`, and AWS's own time (the `Date` of an STS answer), which decides
//! which sessions are "older".

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::date_time::Format;

use super::error::{from_sdk, AuthError, Call};
use crate::domain::session::CallerIdentity;

/// Keeps the `Date` header of the answer.
#[derive(Debug, Clone, Default)]
struct ServerDate(Arc<Mutex<Option<String>>>);

impl Intercept for ServerDate {
    fn name(&self) -> &'static str {
        "ServerDate"
    }

    fn read_after_transmit(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(date) = context.response().headers().get("date") {
            if let Ok(mut slot) = self.0.lock() {
                *slot = Some(date.to_owned());
            }
        }
        Ok(())
    }
}

/// `sts:GetCallerIdentity`, with the time AWS answered at (`None` when it sent no `Date`).
pub async fn identity_and_time(
    sts: &aws_sdk_sts::Client,
    profile: &str,
) -> Result<(CallerIdentity, Option<SystemTime>), AuthError> {
    let date = ServerDate::default();
    let call = Call {
        action: "sts:GetCallerIdentity",
        target: "the caller",
        profile,
        mfa_serial: None,
        external_id: false,
    };
    let out = sts
        .get_caller_identity()
        .customize()
        .interceptor(date.clone())
        .send()
        .await
        .map_err(|e| from_sdk(&e, call))?;
    let id = CallerIdentity {
        account: out.account().unwrap_or_default().to_owned(),
        arn: out.arn().unwrap_or_default().to_owned(),
        user_id: out.user_id().unwrap_or_default().to_owned(),
    };
    let at = date
        .0
        .lock()
        .ok()
        .and_then(|d| d.clone())
        .and_then(|d| aws_smithy_types::DateTime::from_str(&d, Format::HttpDate).ok())
        .and_then(|d| SystemTime::try_from(d).ok());
    Ok((id, at))
}

/// Whose sessions a policy revokes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject<'a> {
    /// A role, by name.
    Role(&'a str),
    /// A user, by name.
    User(&'a str),
}

/// `iam:PutRolePolicy` / `iam:PutUserPolicy` of `document` as `name`.
pub async fn put_policy(
    iam: &aws_sdk_iam::Client,
    subject: Subject<'_>,
    name: &str,
    document: &str,
    profile: &str,
) -> Result<(), AuthError> {
    let denied = |action: &str, target: &str, e: String| {
        AuthError::Denied(format!(
            "{action} on {target} failed with the credentials of profile {profile:?}: {e} (it needs that permission; --as OTHER uses another profile)"
        ))
    };
    match subject {
        Subject::Role(role) => iam
            .put_role_policy()
            .role_name(role)
            .policy_name(name)
            .policy_document(document)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| denied("iam:PutRolePolicy", role, super::error::describe(&e))),
        Subject::User(user) => iam
            .put_user_policy()
            .user_name(user)
            .policy_name(name)
            .policy_document(document)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| denied("iam:PutUserPolicy", user, super::error::describe(&e))),
    }
}
