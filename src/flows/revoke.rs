//! Revoking a profile's sessions: every session of its role (or, for a user profile, of the
//! user) issued before now stops working, as the console's "Revoke active sessions" does.

use crate::aws::broker::Broker;
use crate::aws::error::AuthError;
use crate::aws::mfa::MfaInput;
use crate::aws::revoking;
use crate::domain::revoke::describe;
use crate::domain::session::rfc3339;
use crate::domain::{ProfileSet, Target};

/// What a revocation did, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revoked {
    /// The main line: what is denied from when.
    pub said: String,
    /// A clock far from AWS's, and other warnings.
    pub warning: Option<String>,
    /// For a user: the role profiles whose sessions, assumed from the user's, stay valid.
    pub roles_stay: Vec<String>,
}

/// Revokes `target`'s older sessions with `caller`'s credentials (itself, or `--as`), then
/// names the roles a user's revocation leaves alone (found in `set`, which is not read again).
pub async fn revoke(
    broker: &Broker,
    set: &ProfileSet,
    target: &Target,
    caller: &Target,
    mfa: &mut impl MfaInput,
) -> Result<Revoked, AuthError> {
    let what = describe(target).map_err(AuthError::Config)?;
    let done = revoking::revoke(broker, target, caller, mfa).await?;
    let said = format!(
        "revoked: every session of {what} issued before {} is denied from now on (AWS may take a few minutes to apply it everywhere); its cached sessions are dropped",
        rfc3339(done.issued_before)
    );
    let roles_stay = if target.plan.final_role().is_none() {
        roles_from(set, target)
    } else {
        Vec::new()
    };
    Ok(Revoked {
        said,
        warning: done.warning,
        roles_stay,
    })
}

/// The other profiles that assume a role from the same root as `target`.
fn roles_from(set: &ProfileSet, target: &Target) -> Vec<String> {
    (0..set.len())
        .filter_map(|i| set.target_at(i).ok())
        .filter(|t| t.name != target.name && t.root_profile() == target.root_profile())
        .filter(|t| t.plan.final_role().is_some())
        .map(|t| t.name)
        .collect()
}
