//! The TUI's IAM Identity Center work in the background: listing what a session's portal offers
//! (`A`) and writing it as profiles (`p`), through `flows::sso`.

use std::sync::Arc;

use super::executor::Executor;
use crate::app::{Msg, RequestId};
use crate::aws::error::AuthError;
use crate::aws::sdk::Service;
use crate::aws::sso::{SsoSdk, Who};
use crate::domain::{ProfileSet, Target};
use crate::flows::sso::{populate, SsoSpec};

fn sdk(broker: &crate::aws::broker::Broker, target: &Target) -> Result<SsoSdk, AuthError> {
    Ok(SsoSdk {
        portal: broker.sdk_config(target, Service::Sso)?,
        oidc: broker.sdk_config(target, Service::SsoOidc)?,
    })
}

impl Executor {
    /// Writes the profiles `target`'s IAM Identity Center session offers (see
    /// `flows::sso::populate`); the file watch then shows them in the list.
    pub fn populate(&mut self, req: RequestId, target: Arc<Target>, set: Arc<ProfileSet>) {
        self.run_with_mfa(req, move |broker, _| async move {
            let result = async {
                let spec = SsoSpec::of_target(&target).map_err(AuthError::Config)?;
                let sdk = sdk(&broker, &target)?;
                let req = populate::Request {
                    spec: &spec,
                    template: crate::domain::sso_populate::DEFAULT_TEMPLATE,
                    region: None,
                    prune: false,
                    write: true,
                };
                let files = crate::config::AwsFiles::from_env();
                let done = populate::populate(&files, &set, &sdk, &req).await?;
                Ok(populate::summary(&done))
            }
            .await;
            Msg::Done { req, result }
        });
    }

    /// Lists the accounts and roles `target`'s IAM Identity Center session offers.
    pub fn portal(&mut self, req: RequestId, target: Arc<Target>) {
        self.run_with_mfa(req, move |broker, _| async move {
            let result = async {
                let spec = SsoSpec::of_target(&target).map_err(AuthError::Config)?;
                let settings = target.sso.clone().unwrap_or_default();
                let sdk = sdk(&broker, &target)?;
                let who = Who::Session(spec.session.as_deref().unwrap_or_default());
                let token = crate::aws::sso::access_token(
                    who,
                    &settings,
                    &sdk,
                    std::time::SystemTime::now(),
                )
                .await?;
                populate::offered(&sdk.portal, &spec.region, &token).await
            }
            .await;
            Msg::Portal { req, result }
        });
    }
}
