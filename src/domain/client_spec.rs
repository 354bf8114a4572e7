//! The settings of an AWS client, resolved from a profile and a snapshot of the environment
//! (plain values: `aws::sdk` turns them into SDK configuration). Precedence, as the AWS SDKs
//! document it, is written in `aws/sdk.rs`'s documentation.

use std::collections::HashMap;
use std::time::Duration;

use super::Target;

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
    let endpoints = if ignore {
        HashMap::new()
    } else {
        endpoints(target, env)
    };
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
    Ok(ClientSpec {
        region: region(target, env)?,
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

/// The endpoint overrides: per service from the environment, then from the profile's
/// `[services]` section, then for every service from the environment, then the profile's.
fn endpoints(target: Option<&Target>, env: &ClientEnv) -> HashMap<Service, String> {
    let files = target.map(|t| &t.endpoints);
    let mut endpoints = HashMap::new();
    for service in [
        Service::Sts,
        Service::S3,
        Service::Sso,
        Service::SsoOidc,
        Service::Iam,
    ] {
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
    endpoints
}

/// The profile's region, else `AWS_REGION`, `AWS_DEFAULT_REGION`, else `us-east-1`; checked,
/// with where it came from in the error.
fn region(target: Option<&Target>, env: &ClientEnv) -> Result<String, String> {
    let (region, origin) = match target
        .and_then(|t| t.region.as_deref())
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        Some(r) => (r, format!("region of profile {:?}", t_name(target))),
        None => ["AWS_REGION", "AWS_DEFAULT_REGION"]
            .into_iter()
            .find_map(|var| env.get(var).map(|r| (r, var.to_owned())))
            .unwrap_or(("us-east-1", String::new())),
    };
    crate::domain::validate::region(&origin, region)?;
    Ok(region.to_owned())
}

fn t_name(target: Option<&Target>) -> &str {
    target.map_or("", |t| t.name.as_str())
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}
