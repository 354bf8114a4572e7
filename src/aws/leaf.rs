//! The root of a chain: keys from the files, or aws-config's own providers for
//! `credential_process`, SSO and `credential_source`.

use aws_config::provider_config::ProviderConfig;
use aws_config::Region;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::ProvideCredentials;
use zeroize::Zeroizing;

use super::error::AuthError;
use crate::domain::profile::Key;
use crate::domain::session::Credentials;
use crate::domain::{ProfileSet, Source};

/// Loads the credentials at the root of a plan.
pub async fn load(set: &ProfileSet, source: &Source) -> Result<Credentials, AuthError> {
    match source {
        Source::StaticKeys { profile, .. } => static_keys(set, profile),
        Source::Process { profile, command } => {
            let provider =
                aws_config::credential_process::CredentialProcessProvider::new(command.clone());
            provide(&provider, profile, "credential_process").await
        }
        Source::Sso {
            profile,
            account_id,
            role_name,
        } => {
            let p = set.get(profile);
            let get = |k| p.and_then(|p| p.get(k));
            let session = get(Key::SsoSession);
            let sso_session = session.and_then(|s| set.sso_session(s));
            let start_url = get(Key::SsoStartUrl)
                .map(str::to_owned)
                .or_else(|| sso_session.and_then(|s| s.start_url.clone()));
            let region = get(Key::SsoRegion)
                .map(str::to_owned)
                .or_else(|| sso_session.and_then(|s| s.region.clone()));
            let mut builder = aws_config::sso::SsoCredentialsProvider::builder()
                .configure(&ProviderConfig::default())
                .account_id(account_id)
                .role_name(role_name);
            builder
                .set_start_url(start_url)
                .set_session_name(session.map(str::to_owned))
                .set_region(region.map(Region::new));
            let provider = builder.build();
            provide(&provider, profile, "SSO").await
        }
        Source::CredentialSource { profile, kind } => match kind.as_str() {
            "Ec2InstanceMetadata" => {
                let provider =
                    aws_config::imds::credentials::ImdsCredentialsProvider::builder().build();
                provide(&provider, profile, "the EC2 instance metadata").await
            }
            "EcsContainer" => {
                let provider = aws_config::ecs::EcsCredentialsProvider::builder().build();
                provide(&provider, profile, "the ECS container endpoint").await
            }
            _ => environment(profile).await,
        },
        Source::Environment { profile } => environment(profile).await,
    }
}

fn static_keys(set: &ProfileSet, profile: &str) -> Result<Credentials, AuthError> {
    let p = set
        .get(profile)
        .ok_or_else(|| AuthError::Config(format!("there is no profile {profile:?}")))?;
    match (p.get(Key::AwsAccessKeyId), p.get(Key::AwsSecretAccessKey)) {
        (Some(id), Some(secret)) => Ok(Credentials {
            access_key_id: id.to_owned(),
            secret_access_key: Zeroizing::new(secret.to_owned()),
            session_token: p
                .get(Key::AwsSessionToken)
                .map(|t| Zeroizing::new(t.to_owned())),
            expiration: None,
        }),
        _ => Err(AuthError::Config(format!(
            "profile {profile:?} has no complete aws_access_key_id / aws_secret_access_key"
        ))),
    }
}

async fn environment(profile: &str) -> Result<Credentials, AuthError> {
    let provider = aws_config::environment::EnvironmentVariableCredentialsProvider::new();
    provide(&provider, profile, "the environment (AWS_ACCESS_KEY_ID)").await
}

async fn provide(
    provider: &impl ProvideCredentials,
    profile: &str,
    what: &str,
) -> Result<Credentials, AuthError> {
    match provider.provide_credentials().await {
        Ok(c) => Ok(Credentials {
            access_key_id: c.access_key_id().to_owned(),
            secret_access_key: Zeroizing::new(c.secret_access_key().to_owned()),
            session_token: c.session_token().map(|t| Zeroizing::new(t.to_owned())),
            expiration: c.expiry(),
        }),
        Err(e) => Err(explain(&e, profile, what)),
    }
}

fn explain(e: &CredentialsError, profile: &str, what: &str) -> AuthError {
    let detail = aws_smithy_types::error::display::DisplayErrorContext(e).to_string();
    let detail = crate::domain::text::display_safe(&detail).into_owned();
    if what == "SSO" {
        return AuthError::Credentials(format!(
            "no valid SSO session for profile {profile:?}: run `aws sso login --profile {profile}` and retry ({detail})"
        ));
    }
    match e {
        CredentialsError::CredentialsNotLoaded(_) => AuthError::Credentials(format!(
            "profile {profile:?} found no credentials in {what} ({detail})"
        )),
        _ => AuthError::Credentials(format!(
            "profile {profile:?} could not get credentials from {what}: {detail}"
        )),
    }
}
