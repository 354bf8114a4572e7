//! The IAM Identity Center portal beyond role credentials: what a signed-in person is assigned
//! (`ListAccounts`, `ListAccountRoles`, every page) and `Logout`.

use aws_config::{Region, SdkConfig};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::error::AuthError;
use super::sso::sdk_reason;
use crate::domain::text::display_safe;

/// The most pages read of one listing (100 entries each): a bound, not a limit anyone meets.
const MAX_PAGES: usize = 1_000;

/// An account the person is assigned, with its roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The 12-digit account id.
    pub account_id: String,
    /// The account's name in the portal.
    pub account_name: String,
    /// The permission sets (roles) assigned in it, sorted.
    pub roles: Vec<String>,
}

fn client(sdk: &SdkConfig, region: &str) -> aws_sdk_sso::Client {
    let config = aws_sdk_sso::config::Builder::from(sdk)
        .region(Region::new(region.to_owned()))
        .build();
    aws_sdk_sso::Client::from_conf(config)
}

fn failed<E>(
    what: &str,
    e: &aws_smithy_runtime_api::client::result::SdkError<
        E,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
) -> AuthError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match e.code() {
        Some("UnauthorizedException") => AuthError::Expired(format!(
            "the portal no longer accepts this login ({what}); log in again"
        )),
        _ => AuthError::Service(format!("sso:{what} failed: {}", sdk_reason(e))),
    }
}

/// Every account and role the token's person is assigned, accounts sorted by name.
pub async fn assignments(
    sdk: &SdkConfig,
    region: &str,
    access_token: &str,
) -> Result<Vec<Assignment>, AuthError> {
    let sso = client(sdk, region);
    let mut accounts = Vec::new();
    let mut next: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let out = sso
            .list_accounts()
            .access_token(access_token)
            .set_next_token(next.take())
            .max_results(100)
            .send()
            .await
            .map_err(|e| failed("ListAccounts", &e))?;
        for a in out.account_list() {
            if let Some(id) = a.account_id() {
                let name = a.account_name().unwrap_or(id);
                accounts.push((id.to_owned(), name.to_owned()));
            }
        }
        next = out
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if next.is_none() {
            break;
        }
    }
    // Eight accounts' roles at a time: hundreds of accounts list in seconds, not minutes, and
    // the portal's rate limit is not hammered.
    use futures::stream::{StreamExt, TryStreamExt};
    let sso = &sso;
    let mut out: Vec<Assignment> = futures::stream::iter(accounts)
        .map(|(account_id, account_name)| async move {
            let roles = roles(sso, access_token, &account_id).await?;
            Ok::<_, AuthError>(Assignment {
                account_id,
                account_name,
                roles,
            })
        })
        .buffer_unordered(8)
        .try_collect()
        .await?;
    out.sort_by(|a, b| (&a.account_name, &a.account_id).cmp(&(&b.account_name, &b.account_id)));
    Ok(out)
}

async fn roles(
    sso: &aws_sdk_sso::Client,
    access_token: &str,
    account: &str,
) -> Result<Vec<String>, AuthError> {
    let mut roles = Vec::new();
    let mut next: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let out = sso
            .list_account_roles()
            .access_token(access_token)
            .account_id(account)
            .set_next_token(next.take())
            .max_results(100)
            .send()
            .await
            .map_err(|e| {
                failed(
                    &format!("ListAccountRoles of account {}", display_safe(account)),
                    &e,
                )
            })?;
        roles.extend(
            out.role_list()
                .iter()
                .filter_map(|r| r.role_name())
                .map(str::to_owned),
        );
        next = out
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if next.is_none() {
            break;
        }
    }
    roles.sort();
    roles.dedup();
    Ok(roles)
}

/// `Logout`: the portal ends the token's sessions. An already-ended token is not an error.
pub async fn logout(sdk: &SdkConfig, region: &str, access_token: &str) -> Result<(), AuthError> {
    match client(sdk, region)
        .logout()
        .access_token(access_token)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if e.code() == Some("UnauthorizedException") => Ok(()),
        Err(e) => Err(AuthError::Service(format!(
            "sso:Logout failed: {}",
            sdk_reason(&e)
        ))),
    }
}
