//! Shared SDK configuration: region, endpoint overrides, timeouts and retries.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::Credentials;

/// A connection that cannot be made within this time is reported as "endpoint unreachable".
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// One attempt of a call that gets no answer within this time is abandoned.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// A whole call, retries included, ends within this time.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(30);

/// Loads the SDK configuration the AWS tools would use for `profile` (region, `endpoint_url`,
/// `AWS_ENDPOINT_URL*`), without credentials: each client is given its own.
pub async fn load(profile: Option<&str>, region: Option<&str>) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .no_credentials()
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        );
    if let Some(p) = profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = region {
        loader = loader.region(aws_config::Region::new(r.to_owned()));
    }
    let config = loader.load().await;
    if config.region().is_none() {
        // STS has a global endpoint; S3 needs a region for signing. us-east-1 is what the
        // AWS CLI falls back to for both.
        return config
            .into_builder()
            .region(aws_config::Region::from_static("us-east-1"))
            .build();
    }
    config
}

/// The configuration of an STS client signing with `credentials`.
pub fn sts_builder(
    config: &SdkConfig,
    credentials: &crate::domain::session::Credentials,
) -> aws_sdk_sts::config::Builder {
    aws_sdk_sts::config::Builder::from(config).credentials_provider(to_sdk(credentials))
}

/// An STS client signing with `credentials`.
pub fn sts_client(config: &SdkConfig, credentials: Credentials) -> aws_sdk_sts::Client {
    let conf = aws_sdk_sts::config::Builder::from(config)
        .credentials_provider(credentials)
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
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}
