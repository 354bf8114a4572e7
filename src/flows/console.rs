//! Signing in to the AWS web console as a profile, and its switch-role link.

use crate::aws::broker::Broker;
use crate::aws::error::AuthError;
use crate::aws::mfa::MfaInput;
use crate::domain::console::{
    destination, display_name, partition_of, sign_in, switch_role_url, Page, SignIn,
};
use crate::domain::validate::RoleArn;
use crate::domain::Target;

/// A console sign-in: the link, and what the user should know about it.
pub struct Link {
    /// The sign-in link (it holds a sign-in token: shown only to the user, never logged).
    pub url: zeroize::Zeroizing<String>,
    /// For a chain the console cannot enter directly: the role to switch to there, and the
    /// switch-role link that does it.
    pub switch_to: Option<(String, String)>,
    /// Notes (a user without a role signs in without MFA context, for an hour).
    pub notes: Vec<String>,
}

/// Signs in to the console as `target` at `page`.
pub async fn sign_in_link(
    broker: &Broker,
    target: &Target,
    page: &Page,
    mfa: &mut impl MfaInput,
) -> Result<Link, AuthError> {
    let partition = partition_of(&target.plan).map_err(AuthError::Config)?;
    let at = destination(page, target.region.as_deref(), partition).map_err(AuthError::Config)?;
    let (url, switch_to) = broker
        .console_link(target, &at, mfa, std::time::SystemTime::now())
        .await?;
    let mut notes = Vec::new();
    if matches!(sign_in(&target.plan), Ok(SignIn::FederationToken { .. })) {
        notes.push("a user without a role signs in with GetFederationToken: the console session carries no MFA context and lasts 1 hour".to_owned());
    }
    let switch_to = match switch_to {
        Some(role) => {
            let link = switch_link(target, &role).map_err(AuthError::Config)?;
            Some((role.as_str().to_owned(), link))
        }
        None => None,
    };
    Ok(Link {
        url,
        switch_to,
        notes,
    })
}

/// The console's switch-role link for `target`'s role (no credentials involved).
pub fn switch_role_link(target: &Target) -> Result<String, String> {
    let role = target.plan.final_role().ok_or_else(|| {
        format!(
            "profile {:?} assumes no role, so it has no switch-role link",
            crate::domain::text::display_safe(&target.name)
        )
    })?;
    switch_link(target, role)
}

/// The switch-role link to `role`, shown under `target`'s name (red for production).
fn switch_link(target: &Target, role: &RoleArn) -> Result<String, String> {
    let display = display_name(&target.name, target.account_name.as_deref());
    switch_role_url(role, &display, target.is_prod())
}
