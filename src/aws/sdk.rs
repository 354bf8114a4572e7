//! SDK configuration built from what was already resolved: the target's settings and a snapshot
//! of the environment. The SDK never reads the AWS files itself (its parser is slower than
//! ours and would read them again on every call).
//!
//! Precedence, as the AWS SDKs document it:
//! - endpoints: `AWS_ENDPOINT_URL_<SERVICE>`, then the profile's `[services]` entry, then
//!   `AWS_ENDPOINT_URL`, then the profile's `endpoint_url`; none of them when
//!   `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` / `ignore_configured_endpoint_urls` is true;
//! - `AWS_MAX_ATTEMPTS` / `max_attempts`, `AWS_RETRY_MODE` / `retry_mode`,
//!   `AWS_USE_FIPS_ENDPOINT` / `use_fips_endpoint`, `AWS_USE_DUALSTACK_ENDPOINT` /
//!   `use_dualstack_endpoint`, `AWS_CA_BUNDLE` / `ca_bundle`: the environment first;
//! - region: the profile's `region` first (switching profiles must not keep another shell's
//!   region), then `AWS_REGION`, `AWS_DEFAULT_REGION`, and `us-east-1` as the AWS CLI does.

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{ClassifyRetry, RetryAction};

pub use crate::domain::client_spec::{
    resolve, ClientEnv, ClientSpec, RetryMode, Service, Timeouts, ATTEMPT_TIMEOUT, CONNECT_TIMEOUT,
    DEFAULT_ATTEMPTS, OPERATION_TIMEOUT,
};

/// A CA bundle larger than this is refused.
const MAX_CA_BUNDLE: u64 = 16 * 1024 * 1024;

/// An HTTP client for every SDK client that trusts the same certificates: one connection
/// pool, the system's roots plus `spec`'s CA bundle, and the proxy variables honoured (the
/// SDK's default client ignores both).
pub fn http_client(spec: &ClientSpec, env: &ClientEnv) -> Result<SharedHttpClient, String> {
    use aws_smithy_http_client::proxy::ProxyConfig;
    use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
    let mut trust = TrustStore::default();
    if let Some(path) = &spec.ca_bundle {
        trust = trust.with_pem_certificate(read_ca_bundle(path)?);
    }
    let context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .map_err(|e| format!("the CA bundle cannot be used: {e}"))?;
    let proxy = if env.has_proxy() {
        ProxyConfig::from_env()
    } else {
        ProxyConfig::disabled()
    };
    let client = aws_smithy_http_client::Builder::new().build_with_connector_fn(
        move |settings, components| {
            let mut builder = aws_smithy_http_client::Connector::builder();
            builder.set_connector_settings(settings.cloned());
            if let Some(c) = components {
                builder.set_sleep_impl(c.sleep_impl());
            }
            builder
                .proxy_config(proxy.clone())
                .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
                .tls_context(context.clone())
                .build()
        },
    );
    Ok(client)
}

pub fn read_ca_bundle(path: &str) -> Result<Vec<u8>, String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let fail = |why: String| {
        format!(
            "cannot read the CA bundle {}: {why}",
            crate::domain::text::display_safe(path)
        )
    };
    // Opened without blocking, then checked: a named pipe must not hang the process.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| fail(e.to_string()))?;
    let meta = file.metadata().map_err(|e| fail(e.to_string()))?;
    if !meta.is_file() {
        return Err(fail("it is not a regular file".into()));
    }
    let mut bytes = Vec::new();
    file.take(MAX_CA_BUNDLE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(e.to_string()))?;
    if bytes.len() as u64 > MAX_CA_BUNDLE {
        return Err(fail(format!("it is larger than {MAX_CA_BUNDLE} bytes")));
    }
    if !bytes
        .windows(27)
        .any(|w| w == b"-----BEGIN CERTIFICATE-----")
    {
        return Err(fail("it holds no PEM certificate".into()));
    }
    Ok(bytes)
}

/// The SDK configuration of one service's clients: region, its endpoint, retries, timeouts,
/// FIPS and dual-stack, and the shared HTTP client. No credentials: each client gets its own.
pub fn config(spec: &ClientSpec, service: Service, http: Option<&SharedHttpClient>) -> SdkConfig {
    let retry = match spec.retry_mode {
        RetryMode::Standard => RetryConfig::standard(),
        RetryMode::Adaptive => RetryConfig::adaptive(),
    }
    .with_max_attempts(spec.max_attempts);
    let mut builder = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(spec.region.clone()))
        .retry_config(retry)
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(spec.timeouts.connect)
                .operation_attempt_timeout(spec.timeouts.attempt)
                .operation_timeout(spec.timeouts.call)
                .build(),
        )
        .use_fips(spec.use_fips)
        .use_dual_stack(spec.use_dualstack);
    if let Some(url) = spec.endpoint(service) {
        builder = builder.endpoint_url(url);
    }
    if let Some(http) = http {
        builder = builder.http_client(http.clone());
    }
    builder.build()
}

/// Forbids a retry after a connection attempt timed out. Packets to the endpoint are being
/// dropped (a firewall, a VPN that is down): another attempt waits the same 3 s for the same
/// silence, and three of them made an unreachable endpoint cost 11 s. Refused connections and
/// slow answers are still retried.
#[derive(Debug, Clone, Copy)]
pub struct ConnectTimeoutIsFinal;

impl ClassifyRetry for ConnectTimeoutIsFinal {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match ctx.output_or_error() {
            Some(Err(e)) if e.as_connector_error().is_some_and(|c| c.is_timeout()) => {
                RetryAction::RetryForbidden
            }
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "connect timeout is final"
    }
}

/// The configuration of an STS client signing with `credentials`.
pub fn sts_builder(
    config: &SdkConfig,
    credentials: &crate::domain::session::Credentials,
) -> aws_sdk_sts::config::Builder {
    aws_sdk_sts::config::Builder::from(config)
        .credentials_provider(to_sdk(credentials))
        .retry_classifier(ConnectTimeoutIsFinal)
}

/// An STS client signing with `credentials`.
pub fn sts_client(config: &SdkConfig, credentials: Credentials) -> aws_sdk_sts::Client {
    let conf = aws_sdk_sts::config::Builder::from(config)
        .credentials_provider(credentials)
        .retry_classifier(ConnectTimeoutIsFinal)
        .build();
    aws_sdk_sts::Client::from_conf(conf)
}

/// Domain credentials as the SDK's (which redact themselves in `Debug` and wipe on drop).
pub fn to_sdk(c: &crate::domain::session::Credentials) -> Credentials {
    Credentials::new(
        c.access_key_id.clone(),
        c.secret_access_key.as_str().to_owned(),
        c.session_token.as_ref().map(|t| t.as_str().to_owned()),
        c.expiration,
        "xrole-tui",
    )
}

/// An S3 client signing with `credentials`. With an endpoint override (a local emulator, a
/// gateway) buckets are addressed by path, since `bucket.127.0.0.1` cannot resolve.
pub fn s3_client(config: &SdkConfig, credentials: Credentials) -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::config::Builder::from(config)
        .credentials_provider(credentials)
        .force_path_style(config.endpoint_url().is_some())
        .retry_classifier(ConnectTimeoutIsFinal)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}
