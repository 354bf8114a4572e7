//! A user's access keys (`iam:ListAccessKeys`, `CreateAccessKey`, `DeleteAccessKey`), for
//! `keys rotate`.

use zeroize::Zeroizing;

use super::error::{describe, AuthError};
use crate::domain::keystore::StoredKeys;
use crate::domain::text::display_safe;

/// One of a user's keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKey {
    /// The access key id.
    pub id: String,
    /// `Active` or `Inactive`.
    pub status: String,
    /// When it was made (RFC 3339), when IAM says.
    pub created: Option<String>,
}

fn failed(action: &str, user: &str, e: String) -> AuthError {
    AuthError::Denied(format!(
        "{action} for user {} failed: {e}",
        display_safe(user)
    ))
}

/// The user's keys; with `user` empty, the caller's own (no user name needed).
pub async fn list(iam: &aws_sdk_iam::Client, user: &str) -> Result<Vec<AccessKey>, AuthError> {
    let out = iam
        .list_access_keys()
        .set_user_name((!user.is_empty()).then(|| user.to_owned()))
        .send()
        .await
        .map_err(|e| failed("iam:ListAccessKeys", user, describe(&e)))?;
    Ok(out
        .access_key_metadata()
        .iter()
        .map(|k| AccessKey {
            id: k.access_key_id().unwrap_or_default().to_owned(),
            status: k
                .status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            created: k
                .create_date()
                .and_then(|d| d.fmt(aws_smithy_types::date_time::Format::DateTime).ok()),
        })
        .collect())
}

/// A new key for the user.
pub async fn create(iam: &aws_sdk_iam::Client, user: &str) -> Result<StoredKeys, AuthError> {
    let out = iam
        .create_access_key()
        .user_name(user)
        .send()
        .await
        .map_err(|e| failed("iam:CreateAccessKey", user, describe(&e)))?;
    let k = out
        .access_key()
        .ok_or_else(|| failed("iam:CreateAccessKey", user, "no key in the answer".into()))?;
    Ok(StoredKeys {
        access_key_id: k.access_key_id().to_owned(),
        secret_access_key: Zeroizing::new(k.secret_access_key().to_owned()),
    })
}

/// Deletes the user's key `id`.
pub async fn delete(iam: &aws_sdk_iam::Client, user: &str, id: &str) -> Result<(), AuthError> {
    iam.delete_access_key()
        .user_name(user)
        .access_key_id(id)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| failed("iam:DeleteAccessKey", user, describe(&e)))
}
