//! Opening a session: the runway of a long run first (when asked), then the broker.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::aws::broker::Broker;
use crate::aws::error::AuthError;
use crate::aws::mfa::MfaInput;
use crate::aws::sdk::Service;
use crate::domain::session::Session;
use crate::domain::sso_login::choose_flow;
use crate::domain::{Source, Target};
use crate::flows::sso::{self, LoginNote, LoginOptions, LoginUi, SsoSpec};

/// A session in use: the credentials, the profile they were opened for (as opened: a long run
/// may have lengthened its MFA session), and the broker that renews them.
#[derive(Clone)]
pub struct Opened {
    /// The credentials and their identity.
    pub session: Session,
    /// The profile, as opened.
    pub target: Arc<Target>,
    /// Opens it again when it runs out (its cache and locks are shared with every process).
    pub broker: Broker,
    /// Things to tell the user (durations clamped, a longer MFA session, cache trouble).
    pub notes: Vec<String>,
    /// True when the runway changed the profile's plan (the TUI then serves from this copy).
    pub lengthened: bool,
}

/// Why a session could not be opened: a run longer than can be covered (said before any
/// call), or the broker's error.
#[derive(Debug)]
pub enum OpenError {
    /// `--for` / `L` asked for more than the profile can give, and why.
    Runway(String),
    /// Authentication failed.
    Auth(AuthError),
}

impl From<AuthError> for OpenError {
    fn from(e: AuthError) -> Self {
        Self::Auth(e)
    }
}

/// Opens `target`'s session through `broker`, asking `mfa` for a code only when a call needs
/// one. With `run_for` (a run that must outlive today's sessions), the runway is secured first
/// (`Broker::secure_runway`): the MFA session may be opened again, longer. With `login` (a
/// person is there: the TUI, a terminal), an IAM Identity Center root whose login is missing or
/// over is signed in again (`flows::sso::login`) and the session opened after it.
pub async fn open(
    broker: Broker,
    target: Arc<Target>,
    mfa: &mut impl MfaInput,
    run_for: Option<Duration>,
    login: Option<&mut dyn LoginUi>,
) -> Result<Opened, OpenError> {
    let mut target = target;
    let mut notes = Vec::new();
    let mut lengthened = false;
    if let Some(run) = run_for {
        // Only a run that must outlive today's sessions changes (a copy of) the profile.
        let mut longer = (*target).clone();
        let note = broker
            .secure_runway(&mut longer, run, SystemTime::now())
            .map_err(OpenError::Runway)?;
        lengthened = note.is_some();
        notes.extend(note);
        target = Arc::new(longer);
    }
    let outcome = match (broker.open(&target, mfa, SystemTime::now()).await, login) {
        (Err(AuthError::Expired(why)), Some(ui))
            if matches!(target.plan.source, Source::Sso { .. }) =>
        {
            let spec = SsoSpec::of_target(&target).map_err(AuthError::Config)?;
            let sdk = broker.sdk_config(&target, Service::SsoOidc)?;
            let opts = LoginOptions {
                flow: choose_flow(spec.session.is_some(), false, sso::flow_env()),
                open_browser: true,
                redirect_port: None,
                keep_valid: false,
            };
            ui.note(LoginNote::Needed(&why));
            sso::login(&spec, &sdk, opts, ui).await?;
            broker.open(&target, mfa, SystemTime::now()).await?
        }
        (Err(AuthError::Expired(why)), Some(ui)) => match &target.plan.source {
            // An `aws login` session that is over: the AWS CLI signs it in again, at a terminal.
            Source::Login { profile, .. } if ui.aws_login(profile) => {
                broker.open(&target, mfa, SystemTime::now()).await?
            }
            _ => return Err(AuthError::Expired(why).into()),
        },
        (result, _) => result?,
    };
    notes.extend(outcome.notes);
    Ok(Opened {
        session: outcome.session,
        target,
        broker,
        notes,
        lengthened,
    })
}
