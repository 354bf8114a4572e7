//! The console's federation endpoint: credentials in, a sign-in token out (`getSigninToken`),
//! then the `login` link. Documented by AWS ("Enable custom identity broker access to the AWS
//! console"); `XROLE_SIGNIN_ENDPOINT` replaces the endpoint (tests use a loopback server).

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use zeroize::Zeroizing;

use super::error::AuthError;
use crate::domain::session::Credentials;

/// The whole exchange ends within this time.
const TIMEOUT: Duration = Duration::from_secs(15);
/// A sign-in token is about a kilobyte; a longer answer is not one.
const MAX_ANSWER: usize = 64 * 1024;

fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Exchanges `creds` for a sign-in token at `endpoint` (the `…/federation` URL). `ca_bundle`
/// adds trusted certificates (PEM), as `AWS_CA_BUNDLE` does for the SDK.
pub async fn signin_token(
    endpoint: &str,
    creds: &Credentials,
    ca_bundle: Option<&[u8]>,
) -> Result<Zeroizing<String>, AuthError> {
    let session = Zeroizing::new(
        serde_json::json!({
            "sessionId": creds.access_key_id,
            "sessionKey": creds.secret_access_key.as_str(),
            "sessionToken": creds.session_token.as_deref().map(|t| t.as_str()).unwrap_or_default(),
        })
        .to_string(),
    );
    let url = Zeroizing::new(format!(
        "{endpoint}?Action=getSigninToken&Session={}",
        encode(&session)
    ));
    let uri: hyper::Uri = url.parse().map_err(|_| {
        AuthError::Config(format!("the sign-in endpoint {endpoint:?} is not a URL"))
    })?;
    let tls = tls_config(ca_bundle)?;
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .build();
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build(https);
    let request = hyper::Request::get(uri)
        .header(hyper::header::USER_AGENT, "xrole-tui")
        .body(Empty::new())
        .map_err(|e| AuthError::Config(e.to_string()))?;
    let unreachable = |e: String| {
        AuthError::Service(format!(
            "cannot reach the console sign-in endpoint {endpoint}: {e}"
        ))
    };
    let exchange = async {
        let response = client
            .request(request)
            .await
            .map_err(|e| unreachable(super::error::describe(&e)))?;
        let status = response.status();
        let body = Limited::new(response.into_body(), MAX_ANSWER)
            .collect()
            .await
            .map_err(|e| unreachable(e.to_string()))?
            .to_bytes();
        Ok::<_, AuthError>((status, body))
    };
    let (status, body) = tokio::time::timeout(TIMEOUT, exchange)
        .await
        .map_err(|_| unreachable(format!("no answer within {} s", TIMEOUT.as_secs())))??;
    if !status.is_success() {
        return Err(AuthError::Denied(format!(
            "the console sign-in endpoint refused these credentials (HTTP {}): it takes only credentials from AssumeRole (without DurationSeconds unless made with a user's long-term keys), from GetFederationToken or from IAM Identity Center",
            status.as_u16()
        )));
    }
    let answer: serde_json::Value = serde_json::from_slice(&body).map_err(|_| {
        AuthError::Service(
            "the console sign-in endpoint answered something that is not JSON".into(),
        )
    })?;
    answer["SigninToken"]
        .as_str()
        .filter(|t| !t.is_empty())
        .map(|t| Zeroizing::new(t.to_owned()))
        .ok_or_else(|| {
            AuthError::Service("the console sign-in endpoint answered without a SigninToken".into())
        })
}

/// The link that signs in with `token` and lands on `destination`.
pub fn login_url(endpoint: &str, destination: &str, token: &str) -> Zeroizing<String> {
    Zeroizing::new(format!(
        "{endpoint}?Action=login&Issuer=xrole-tui&Destination={}&SigninToken={}",
        encode(destination),
        encode(token)
    ))
}

fn tls_config(ca_bundle: Option<&[u8]>) -> Result<rustls::ClientConfig, AuthError> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(pem) = ca_bundle {
        for cert in rustls::pki_types::CertificateDer::pem_slice_iter(pem).flatten() {
            let _ = roots.add(cert);
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| AuthError::Config(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}
