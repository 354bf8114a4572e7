//! SSO-OIDC's calls for a new login: registering the client, starting a device authorization,
//! and `CreateToken` for the device code or the authorization code; and where its `/authorize`
//! page is, which is on the same endpoint as the API.

use std::time::{Duration, SystemTime};

use aws_config::{Region, SdkConfig};
use aws_sdk_ssooidc::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use zeroize::Zeroizing;

use super::error::AuthError;
use super::sso::sdk_reason;
use crate::domain::sso_login::{Registration, AUTH_CODE_GRANTS, DEFAULT_SCOPE, DEVICE_GRANT};

/// An SSO-OIDC client in the session's `sso_region`.
pub struct Oidc {
    client: aws_sdk_ssooidc::Client,
    base: String,
}

/// A new token.
pub struct NewToken {
    /// `accessToken`.
    pub access_token: Zeroizing<String>,
    /// When it ends.
    pub expires_at: SystemTime,
    /// `refreshToken`, when one came.
    pub refresh_token: Option<Zeroizing<String>>,
}

/// A device authorization in progress.
pub struct Device {
    /// Exchanged for the token once approved (never shown).
    pub device_code: Zeroizing<String>,
    /// What the person types on the page.
    pub user_code: String,
    /// The page.
    pub verification_uri: String,
    /// The page with the code filled in.
    pub verification_uri_complete: Option<String>,
    /// When the authorization ends.
    pub expires_in: Duration,
    /// The wait between polls, as given.
    pub interval: Option<i32>,
}

/// One answer of a device poll.
pub enum Poll {
    /// Approved.
    Token(NewToken),
    /// Not yet approved.
    Pending,
    /// Asked to poll less often.
    SlowDown,
}

impl Oidc {
    /// A client for `region` on `sdk`'s endpoint (the default, or `AWS_ENDPOINT_URL_SSO_OIDC`).
    pub fn new(sdk: &SdkConfig, region: &str) -> Result<Self, AuthError> {
        let params = Params::builder()
            .region(region)
            .use_fips(sdk.use_fips().unwrap_or(false))
            .use_dual_stack(sdk.use_dual_stack().unwrap_or(false))
            .set_endpoint(sdk.endpoint_url().map(str::to_owned))
            .build()
            .map_err(|e| AuthError::Config(format!("SSO-OIDC endpoint: {e}")))?;
        let endpoint =
            futures::executor::block_on(DefaultResolver::new().resolve_endpoint(&params)).map_err(
                |e| AuthError::Config(format!("no SSO-OIDC endpoint for region {region:?}: {e}")),
            )?;
        let config = aws_sdk_ssooidc::config::Builder::from(sdk)
            .region(Region::new(region.to_owned()))
            .build();
        Ok(Self {
            client: aws_sdk_ssooidc::Client::from_conf(config),
            base: endpoint.url().trim_end_matches('/').to_owned(),
        })
    }

    /// Where `/authorize` is: the scheme and authority of the API's endpoint.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `RegisterClient`, named as the AWS CLI names its clients. With `redirect`, for the
    /// authorization-code flow (its grants, the loopback redirect and the start URL as issuer).
    pub async fn register(
        &self,
        session: Option<&str>,
        scopes: Option<&[String]>,
        redirect: Option<(&str, &str)>,
        now: SystemTime,
    ) -> Result<Registration, AuthError> {
        let name = match session {
            Some(s) => format!("botocore-client-{s}"),
            None => format!(
                "botocore-client-{}",
                now.duration_since(SystemTime::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs())
            ),
        };
        let mut call = self
            .client
            .register_client()
            .client_name(name)
            .client_type("public");
        let mut kept_scopes = scopes.map(<[String]>::to_vec);
        let mut grants = None;
        if let Some((redirect_uri, issuer)) = redirect {
            let list = kept_scopes.get_or_insert_with(|| vec![DEFAULT_SCOPE.to_owned()]);
            let g: Vec<String> = AUTH_CODE_GRANTS.iter().map(|s| (*s).to_owned()).collect();
            call = call
                .set_grant_types(Some(g.clone()))
                .redirect_uris(redirect_uri)
                .issuer_url(issuer)
                .set_scopes(Some(list.clone()));
            grants = Some(g);
        } else if let Some(list) = &kept_scopes {
            call = call.set_scopes(Some(list.clone()));
        }
        let out = call.send().await.map_err(|e| {
            AuthError::Service(format!(
                "SSO-OIDC RegisterClient failed: {}",
                sdk_reason(&e)
            ))
        })?;
        let (Some(id), Some(secret)) = (out.client_id(), out.client_secret()) else {
            return Err(AuthError::Service(
                "SSO-OIDC RegisterClient answered without a client".into(),
            ));
        };
        let ends = u64::try_from(out.client_secret_expires_at()).unwrap_or(0);
        Ok(Registration {
            client_id: id.to_owned(),
            client_secret: Zeroizing::new(secret.to_owned()),
            expires_at: SystemTime::UNIX_EPOCH + Duration::from_secs(ends),
            scopes: kept_scopes,
            grant_types: grants,
        })
    }

    /// `StartDeviceAuthorization` for `start_url`.
    pub async fn start_device(
        &self,
        reg: &Registration,
        start_url: &str,
    ) -> Result<Device, AuthError> {
        let out = self
            .client
            .start_device_authorization()
            .client_id(&reg.client_id)
            .client_secret(reg.client_secret.as_str())
            .start_url(start_url)
            .send()
            .await
            .map_err(|e| {
                AuthError::Service(format!(
                    "SSO-OIDC StartDeviceAuthorization failed: {}",
                    sdk_reason(&e)
                ))
            })?;
        let (Some(device), Some(user), Some(uri)) =
            (out.device_code(), out.user_code(), out.verification_uri())
        else {
            return Err(AuthError::Service(
                "SSO-OIDC StartDeviceAuthorization answered without a code or a page".into(),
            ));
        };
        Ok(Device {
            device_code: Zeroizing::new(device.to_owned()),
            user_code: user.to_owned(),
            verification_uri: uri.to_owned(),
            verification_uri_complete: out.verification_uri_complete().map(str::to_owned),
            expires_in: Duration::from_secs(u64::try_from(out.expires_in()).unwrap_or(600)),
            interval: Some(out.interval()).filter(|&i| i > 0),
        })
    }

    /// One `CreateToken` of the device flow.
    pub async fn poll_device(
        &self,
        reg: &Registration,
        device: &Device,
        now: SystemTime,
    ) -> Result<Poll, AuthError> {
        let answer = self
            .client
            .create_token()
            .grant_type(DEVICE_GRANT)
            .client_id(&reg.client_id)
            .client_secret(reg.client_secret.as_str())
            .device_code(device.device_code.as_str())
            .send()
            .await;
        match answer {
            Ok(out) => new_token(
                out.access_token(),
                out.expires_in(),
                out.refresh_token(),
                now,
            )
            .map(Poll::Token),
            Err(e) => match e.code() {
                Some("AuthorizationPendingException") => Ok(Poll::Pending),
                Some("SlowDownException") => Ok(Poll::SlowDown),
                Some("ExpiredTokenException") => Err(AuthError::Expired(
                    "the device code expired before it was approved; log in again".into(),
                )),
                Some("AccessDeniedException") => Err(AuthError::Denied(
                    "the login was declined on the portal's page".into(),
                )),
                _ => Err(AuthError::Service(format!(
                    "SSO-OIDC CreateToken failed: {}",
                    sdk_reason(&e)
                ))),
            },
        }
    }

    /// `CreateToken` for an authorization code, with the PKCE verifier.
    pub async fn exchange_code(
        &self,
        reg: &Registration,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
        now: SystemTime,
    ) -> Result<NewToken, AuthError> {
        let out = self
            .client
            .create_token()
            .grant_type("authorization_code")
            .client_id(&reg.client_id)
            .client_secret(reg.client_secret.as_str())
            .code(code)
            .redirect_uri(redirect_uri)
            .code_verifier(verifier)
            .send()
            .await
            .map_err(|e| match e.code() {
                Some("InvalidGrantException") | Some("ExpiredTokenException") => {
                    AuthError::Expired(format!(
                        "the portal did not accept the sign-in ({}); log in again",
                        sdk_reason(&e)
                    ))
                }
                _ => AuthError::Service(format!("SSO-OIDC CreateToken failed: {}", sdk_reason(&e))),
            })?;
        new_token(
            out.access_token(),
            out.expires_in(),
            out.refresh_token(),
            now,
        )
    }
}

fn new_token(
    access: Option<&str>,
    expires_in: i32,
    refresh: Option<&str>,
    now: SystemTime,
) -> Result<NewToken, AuthError> {
    let access = access
        .filter(|a| !a.is_empty())
        .ok_or_else(|| AuthError::Service("SSO-OIDC CreateToken gave no access token".into()))?;
    Ok(NewToken {
        access_token: Zeroizing::new(access.to_owned()),
        expires_at: now + Duration::from_secs(u64::try_from(expires_in).unwrap_or(0)),
        refresh_token: refresh
            .filter(|r| !r.is_empty())
            .map(|r| Zeroizing::new(r.to_owned())),
    })
}
