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

use std::collections::HashMap;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{ClassifyRetry, RetryAction};

use crate::domain::Target;

/// A connection that cannot be made within this time is reported as "endpoint unreachable",
/// and not tried again (see [`ConnectTimeoutIsFinal`]): an unreachable endpoint costs this
/// once, not once per attempt.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// One attempt of a call that gets no answer within this time is abandoned.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// A whole call, retries included, ends within this time.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(30);
/// Attempts per call when nothing says otherwise (the AWS default).
pub const DEFAULT_ATTEMPTS: u32 = 3;
/// A CA bundle larger than this is refused.
const MAX_CA_BUNDLE: u64 = 16 * 1024 * 1024;

/// The environment variables that shape clients.
const VARS: &[&str] = &[
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL_SSO",
    "AWS_ENDPOINT_URL_SSO_OIDC",
    "AWS_ENDPOINT_URL_IAM",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_CA_BUNDLE",
    "XROLE_CONNECT_TIMEOUT",
    "XROLE_ATTEMPT_TIMEOUT",
    "XROLE_CALL_TIMEOUT",
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// The services whose endpoints can be overridden, by the id the config file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// STS.
    Sts,
    /// S3.
    S3,
    /// The SSO portal (`GetRoleCredentials`).
    Sso,
    /// SSO OIDC (`CreateToken`).
    SsoOidc,
    /// IAM.
    Iam,
}

impl Service {
    /// The id in a `[services]` section.
    pub fn config_id(self) -> &'static str {
        match self {
            Service::Sts => "sts",
            Service::S3 => "s3",
            Service::Sso => "sso",
            Service::SsoOidc => "sso_oidc",
            Service::Iam => "iam",
        }
    }

    fn env_var(self) -> &'static str {
        match self {
            Service::Sts => "AWS_ENDPOINT_URL_STS",
            Service::S3 => "AWS_ENDPOINT_URL_S3",
            Service::Sso => "AWS_ENDPOINT_URL_SSO",
            Service::SsoOidc => "AWS_ENDPOINT_URL_SSO_OIDC",
            Service::Iam => "AWS_ENDPOINT_URL_IAM",
        }
    }
}

/// The environment as clients see it, read once per process.
#[derive(Debug, Clone, Default)]
pub struct ClientEnv {
    vars: HashMap<&'static str, String>,
}

impl ClientEnv {
    /// A snapshot of this process's environment.
    pub fn from_env() -> Self {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// A snapshot taken through `lookup` (tests give a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let vars = VARS
            .iter()
            .filter_map(|&k| lookup(k).filter(|v| !v.trim().is_empty()).map(|v| (k, v)))
            .collect();
        Self { vars }
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.vars.get(key).map(|v| v.trim())
    }

    /// True when a proxy variable is set.
    pub fn has_proxy(&self) -> bool {
        self.vars
            .keys()
            .any(|k| k.to_ascii_lowercase().ends_with("_proxy"))
    }
}

/// The retry strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryMode {
    /// `standard` (also what `legacy` means here).
    Standard,
    /// `adaptive`: client-side rate limiting on throttling.
    Adaptive,
}

/// Everything a client needs, resolved: a plain value, so tests can check each rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSpec {
    /// The region.
    pub region: String,
    /// Endpoint overrides per service.
    pub endpoints: HashMap<Service, String>,
    /// Attempts per call.
    pub max_attempts: u32,
    /// Retry strategy.
    pub retry_mode: RetryMode,
    /// FIPS endpoints.
    pub use_fips: bool,
    /// Dual-stack endpoints.
    pub use_dualstack: bool,
    /// A PEM file of extra trusted certificates.
    pub ca_bundle: Option<String>,
    /// The bounds of a call.
    pub timeouts: Timeouts,
}

/// How long a call may wait: to connect, per attempt, in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// `XROLE_CONNECT_TIMEOUT`, default [`CONNECT_TIMEOUT`].
    pub connect: Duration,
    /// `XROLE_ATTEMPT_TIMEOUT`, default [`ATTEMPT_TIMEOUT`].
    pub attempt: Duration,
    /// `XROLE_CALL_TIMEOUT`, default [`OPERATION_TIMEOUT`].
    pub call: Duration,
}

impl Timeouts {
    /// From the environment (seconds, fractions allowed); a bad value names its variable.
    fn resolve(env: &ClientEnv) -> Result<Self, String> {
        let read = |var: &str, default: Duration| -> Result<Duration, String> {
            match env.get(var) {
                None => Ok(default),
                Some(v) => v
                    .parse::<f64>()
                    .ok()
                    .filter(|s| (0.1..=3600.0).contains(s))
                    .map(Duration::from_secs_f64)
                    .ok_or_else(|| {
                        format!("{var} is {v:?}; it must be a number of seconds from 0.1 to 3600")
                    }),
            }
        };
        Ok(Self {
            connect: read("XROLE_CONNECT_TIMEOUT", CONNECT_TIMEOUT)?,
            attempt: read("XROLE_ATTEMPT_TIMEOUT", ATTEMPT_TIMEOUT)?,
            call: read("XROLE_CALL_TIMEOUT", OPERATION_TIMEOUT)?,
        })
    }
}

impl ClientSpec {
    /// The endpoint override for `service`, if any.
    pub fn endpoint(&self, service: Service) -> Option<&str> {
        self.endpoints.get(&service).map(String::as_str)
    }
}

/// Resolves the client settings of `target` (or of no profile) under `env`. A bad value is an
/// error naming the setting and where it came from.
pub fn resolve(target: Option<&Target>, env: &ClientEnv) -> Result<ClientSpec, String> {
    let settings = target.map(|t| &t.client);
    let profile = target.map_or("", |t| t.name.as_str());
    // The environment first, then the profile's key; the origin goes into error messages.
    let pick = |var: &'static str, key: &'static str, value: Option<&Option<String>>| {
        env.get(var)
            .map(|v| (v.to_owned(), var.to_owned()))
            .or_else(|| {
                value
                    .and_then(Option::as_ref)
                    .map(|v| (v.trim().to_owned(), format!("{key} of profile {profile:?}")))
            })
    };
    let flag = |var, key, value| -> Result<bool, String> {
        match pick(var, key, value) {
            None => Ok(false),
            Some((v, origin)) => {
                parse_bool(&v).ok_or_else(|| format!("{origin} is {v:?}; it must be true or false"))
            }
        }
    };
    let ignore = flag(
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        "ignore_configured_endpoint_urls",
        settings.map(|s| &s.ignore_configured_endpoints),
    )?;
    let mut endpoints = HashMap::new();
    if !ignore {
        for service in [
            Service::Sts,
            Service::S3,
            Service::Sso,
            Service::SsoOidc,
            Service::Iam,
        ] {
            let files = target.map(|t| &t.endpoints);
            let url = env
                .get(service.env_var())
                .or_else(|| {
                    files.and_then(|f| f.per_service.get(service.config_id()).map(String::as_str))
                })
                .or_else(|| env.get("AWS_ENDPOINT_URL"))
                .or_else(|| files.and_then(|f| f.all.as_deref()));
            if let Some(url) = url {
                endpoints.insert(service, url.trim().to_owned());
            }
        }
    }
    let max_attempts = match pick(
        "AWS_MAX_ATTEMPTS",
        "max_attempts",
        settings.map(|s| &s.max_attempts),
    ) {
        None => DEFAULT_ATTEMPTS,
        Some((v, origin)) => v
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=20).contains(n))
            .ok_or_else(|| format!("{origin} is {v:?}; it must be a whole number from 1 to 20"))?,
    };
    let retry_mode = match pick(
        "AWS_RETRY_MODE",
        "retry_mode",
        settings.map(|s| &s.retry_mode),
    ) {
        None => RetryMode::Standard,
        Some((v, origin)) => match v.to_ascii_lowercase().as_str() {
            "standard" | "legacy" => RetryMode::Standard,
            "adaptive" => RetryMode::Adaptive,
            _ => {
                return Err(format!(
                    "{origin} is {v:?}; it must be standard, adaptive or legacy"
                ))
            }
        },
    };
    let (region, origin) = match target
        .and_then(|t| t.region.as_deref())
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        Some(r) => (r, format!("region of profile {profile:?}")),
        None => ["AWS_REGION", "AWS_DEFAULT_REGION"]
            .into_iter()
            .find_map(|var| env.get(var).map(|r| (r, var.to_owned())))
            .unwrap_or(("us-east-1", String::new())),
    };
    crate::domain::validate::region(&origin, region)?;
    let region = region.to_owned();
    Ok(ClientSpec {
        region,
        endpoints,
        max_attempts,
        retry_mode,
        use_fips: flag(
            "AWS_USE_FIPS_ENDPOINT",
            "use_fips_endpoint",
            settings.map(|s| &s.use_fips),
        )?,
        use_dualstack: flag(
            "AWS_USE_DUALSTACK_ENDPOINT",
            "use_dualstack_endpoint",
            settings.map(|s| &s.use_dualstack),
        )?,
        ca_bundle: pick("AWS_CA_BUNDLE", "ca_bundle", settings.map(|s| &s.ca_bundle))
            .map(|(v, _)| v),
        timeouts: Timeouts::resolve(env)?,
    })
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

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
