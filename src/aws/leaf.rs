//! The root of a chain: keys from the files, `credential_process`, IAM Identity Center
//! ([`super::sso`]), or aws-config's leaf providers for `credential_source`, built directly
//! (none of them reads the AWS files).

use std::time::SystemTime;

use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::ProvideCredentials;
use zeroize::Zeroizing;

use super::error::AuthError;
use super::sso::{self, SsoSdk};
use crate::domain::session::{parse_process_output, Credentials};
use crate::domain::text::display_safe;
use crate::domain::{Source, Target};
use crate::helper;

/// Loads the credentials at the root of the target's plan, refusing ones that cannot be sent.
pub async fn load(target: &Target, sso_sdk: &SsoSdk) -> Result<Credentials, AuthError> {
    let creds = load_any(target, sso_sdk).await?;
    creds.check_sendable().map_err(|why| {
        AuthError::Credentials(format!(
            "the credentials of profile {:?} cannot be used: {why}",
            display_safe(target.root_profile())
        ))
    })?;
    Ok(creds)
}

/// A profile's imported keys, from its key store (see `keystore`).
async fn stored(profile: &str, backend: &str) -> Result<Credentials, AuthError> {
    let backend = crate::domain::keystore::Backend::parse(backend).map_err(|e| {
        AuthError::Config(format!(
            "profile {:?}: xrole_keystore: {e}",
            display_safe(profile)
        ))
    })?;
    let store = crate::keystore::Keystore::new(backend)?;
    let keys = store
        .get(profile, &mut crate::keystore::passphrase_source())
        .await?;
    Ok(Credentials {
        access_key_id: keys.access_key_id,
        secret_access_key: keys.secret_access_key,
        session_token: None,
        expiration: None,
    })
}

async fn load_any(target: &Target, sso_sdk: &SsoSdk) -> Result<Credentials, AuthError> {
    match &target.plan.source {
        Source::StaticKeys { profile, .. } => match &target.root_keys {
            Some(k) => Ok(Credentials {
                access_key_id: k.access_key_id.clone(),
                secret_access_key: k.secret_access_key.clone(),
                session_token: k.session_token.clone(),
                expiration: None,
            }),
            None => Err(AuthError::Config(format!(
                "profile {profile:?} has no complete aws_access_key_id / aws_secret_access_key"
            ))),
        },
        Source::Process { profile, command } => credential_process(profile, command).await,
        Source::Sso {
            profile,
            account_id,
            role_name,
        } => {
            let sso = target.sso.clone().unwrap_or_default();
            // aws-config's SSO provider panics without these; said here instead.
            let missing = match (&sso.start_url, &sso.region) {
                (None, _) => Some("sso_start_url"),
                (_, None) => Some("sso_region"),
                _ => None,
            };
            if let Some(key) = missing {
                let place = sso.session.as_deref().map_or_else(
                    || format!("profile {:?}", display_safe(profile)),
                    |s| format!("its [sso-session {}]", display_safe(s)),
                );
                return Err(AuthError::Config(format!(
                    "profile {:?} uses IAM Identity Center, but {place} has no {key}",
                    display_safe(profile)
                )));
            }
            let req = sso::Request {
                profile,
                settings: &sso,
                account_id,
                role_name,
            };
            sso::credentials(&req, sso_sdk, SystemTime::now()).await
        }
        Source::Stored { profile, backend } => stored(profile, backend).await,
        Source::Login {
            profile,
            session_arn,
        } => {
            super::login::credentials(profile, session_arn, &sso_sdk.portal, SystemTime::now())
                .await
        }
        Source::CredentialSource { profile, kind } => match kind.as_str() {
            "Ec2InstanceMetadata" => {
                if std::env::var("AWS_EC2_METADATA_DISABLED")
                    .is_ok_and(|v| v.trim().eq_ignore_ascii_case("true"))
                {
                    return Err(AuthError::Credentials(format!(
                        "profile {profile:?} takes its credentials from the EC2 instance metadata, which AWS_EC2_METADATA_DISABLED=true turns off"
                    )));
                }
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

/// Runs `credential_process` within its bounds (see [`crate::helper`]) and reads its JSON.
async fn credential_process(profile: &str, command: &str) -> Result<Credentials, AuthError> {
    let command = command.to_owned();
    let bounds = helper::credential_process_bounds();
    let finished =
        tokio::task::spawn_blocking(move || helper::run(&command, bounds, helper::Stderr::Capture))
            .await
            .map_err(|e| AuthError::Credentials(format!("credential_process did not run: {e}")))?;
    let fail = |why: String| {
        AuthError::Credentials(format!(
            "credential_process of profile {:?} {}",
            display_safe(profile),
            display_safe(&why)
        ))
    };
    let done = finished.map_err(|e| fail(e.to_string()))?;
    if !done.status.success() {
        let said = done.stderr.trim();
        let said = said.lines().last().unwrap_or_default();
        return Err(fail(if said.is_empty() {
            format!("failed ({})", done.status)
        } else {
            format!("failed ({}): {said}", done.status)
        }));
    }
    parse_process_output(&done.stdout).map_err(fail)
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
    let detail = super::error::describe(e);
    match e {
        CredentialsError::CredentialsNotLoaded(_) => AuthError::Credentials(format!(
            "profile {profile:?} found no credentials in {what} ({detail})"
        )),
        _ => AuthError::Credentials(format!(
            "profile {profile:?} could not get credentials from {what}: {detail}"
        )),
    }
}
