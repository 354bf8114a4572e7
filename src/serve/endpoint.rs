//! The credential endpoint of a role shell or an `exec` child: the container-credentials
//! protocol every AWS SDK reads (`AWS_CONTAINER_CREDENTIALS_FULL_URI` and
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN`), served on loopback from memory, renewed in the
//! background through the broker before the credentials run out.
//!
//! A request never waits for a lock, a call or a person: SDKs give up on the endpoint within
//! 2–5 s. What the child may not have (no token, another `Host`, a peer that is not loopback)
//! is refused.

use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use tokio::task::JoinHandle;
use zeroize::Zeroizing;

use crate::aws::broker::Broker;
use crate::aws::error::AuthError;
use crate::aws::mfa::MfaInput;
use crate::domain::serving::{retry_delay, Answer, Served};
use crate::domain::session::{rfc3339, Credentials};
use crate::domain::text::display_safe;
use crate::domain::Target;

mod answer;
mod fast;
mod listen;

use answer::{Check, PATH};

/// Where problems of the endpoint are told (the TUI's status, `exec`'s stderr).
pub type Reporter = Arc<dyn Fn(String) + Send + Sync>;

/// A running endpoint; stopped when dropped.
pub struct Endpoint {
    /// `http://127.0.0.1:PORT/credentials`.
    pub url: String,
    /// The token a request must carry in `Authorization`: 256 random bits, in hex.
    pub token: Zeroizing<String>,
    /// What it serves, shared with the control socket (`status`, `unlock`).
    pub shared: Arc<Shared>,
    /// The renewal task.
    refresher: JoinHandle<()>,
    /// The accepting thread; stopped with the endpoint.
    acceptor: listen::Acceptor,
    /// The store's watch, which wakes the renewal when a session is forgotten.
    _watch: Option<crate::store::Watch>,
    /// A second handle on the listening socket, for [`Endpoint::finish`].
    listener: Option<std::os::fd::OwnedFd>,
}

/// What the endpoint and its control socket share.
pub struct Shared {
    /// Opens sessions.
    pub broker: Broker,
    /// The profile served.
    pub target: Arc<Target>,
    /// What is served.
    pub state: Arc<RwLock<Served>>,
}

impl Shared {
    /// Opens the session again with `mfa` (the control socket's code) and serves the result.
    pub async fn renew(&self, mfa: &mut impl MfaInput) -> Result<Option<SystemTime>, AuthError> {
        let outcome = self
            .broker
            .open(&self.target, mfa, SystemTime::now())
            .await?;
        let expiration = outcome.session.credentials.expiration;
        *self
            .state
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Served::Fresh {
            credentials: outcome.session.credentials,
            trouble: None,
        };
        Ok(expiration)
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.refresher.abort();
    }
}

impl Endpoint {
    /// Serves `credentials` (just opened for `target`) and keeps them renewed through
    /// `broker`, reporting trouble to `report`.
    pub async fn start(
        broker: Broker,
        target: Arc<Target>,
        credentials: Credentials,
        report: Reporter,
    ) -> std::io::Result<Self> {
        listen::raise_fd_limit();
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        let addr = listener.local_addr()?;
        let held = std::os::fd::AsFd::as_fd(&listener)
            .try_clone_to_owned()
            .ok();
        let token = Zeroizing::new(random_token()?);
        let state = Arc::new(RwLock::new(Served::Fresh {
            credentials,
            trouble: None,
        }));
        let host = format!("127.0.0.1:{}", addr.port());
        let acceptor = listen::serve(
            listener,
            Arc::new(Check::new(host.clone(), token.clone(), report.clone())),
            Arc::clone(&state),
            tokio::runtime::Handle::current(),
        )?;
        // Forgetting the session anywhere (`clear`, `x`, a revocation) removes its cache file:
        // the watch wakes the renewal, which then drops what it holds. No timer meanwhile.
        let forgotten = Arc::new(tokio::sync::Notify::new());
        let watch = broker.cache_dir().map(|dir| {
            let dirs = crate::store::Dirs {
                cache: Some(dir.to_owned()),
                ..Default::default()
            };
            let forgotten = Arc::clone(&forgotten);
            crate::store::watch(&dirs, move |change| {
                if change == crate::store::Change::Forgotten {
                    forgotten.notify_one();
                }
            })
        });
        let refresher = tokio::spawn(refresh(
            broker.clone(),
            Arc::clone(&target),
            Arc::clone(&state),
            report,
            forgotten,
        ));
        Ok(Self {
            url: format!("http://{host}{PATH}"),
            token,
            shared: Arc::new(Shared {
                broker,
                target,
                state,
            }),
            refresher,
            acceptor,
            _watch: watch,
            listener: held,
        })
    }

    /// Ends serving once the child has ended: the port goes to a holder that refuses every
    /// request while a background job of the child still uses it (see `holder`).
    pub fn finish(mut self) {
        self.acceptor.stop();
        self.refresher.abort();
        if let Some(listener) = self.listener.take() {
            super::holder::hand_off(listener, &self.url);
        }
    }

    /// What it would answer now, for a status line.
    pub fn describe(&self, now: SystemTime) -> String {
        match read(&self.shared.state).answer(now) {
            Answer::Credentials(c) => c.expiration.map_or_else(
                || "serving keys without expiry".to_owned(),
                |e| format!("serving credentials until {}", rfc3339(e)),
            ),
            Answer::Unavailable(why) => format!("not serving: {why}"),
        }
    }
}

/// The state, for reading.
pub fn read(state: &RwLock<Served>) -> std::sync::RwLockReadGuard<'_, Served> {
    state
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn random_token() -> std::io::Result<String> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    getrandom::fill(bytes.as_mut()).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Never prompts: the child owns the terminal. A profile's `mfa_process` still gives a code
/// (the engine runs it first, without the terminal); otherwise this says what to do instead.
struct NoPrompt;

impl MfaInput for NoPrompt {
    fn code(
        &mut self,
        serial: &str,
        profile: &str,
    ) -> impl std::future::Future<Output = Result<Zeroizing<String>, AuthError>> + Send {
        let why = format!(
            "profile {:?} needs a new MFA code for {}: its MFA session has ended; run `xrole-tui unlock` in this shell",
            display_safe(profile),
            display_safe(serial)
        );
        std::future::ready(Err(AuthError::Mfa(why)))
    }

    fn can_ask(&self) -> bool {
        false
    }
}

/// Renews the credentials `min_ttl` before they expire, through the broker (its cache and its
/// cross-process lock, so every shell of the profile shares one session).
async fn refresh(
    broker: Broker,
    target: Arc<Target>,
    state: Arc<RwLock<Served>>,
    report: Reporter,
    forgotten_somewhere: Arc<tokio::sync::Notify>,
) {
    let mut failures = 0;
    // Forgetting the session (`clear`, `x`, a revocation) removes its cache file: seen gone
    // after it was there, what is held is dropped and the session opened again at once (which
    // needs `xrole-tui unlock` when it needs a code).
    let mut was_cached = broker.session_cached(&target);
    loop {
        let now = SystemTime::now();
        let next = read(&state).next_refresh(broker.min_ttl(), now, retry_delay(failures));
        let Some(next) = next else {
            return; // keys that never expire: nothing to renew
        };
        let mut forgotten = false;
        while let Ok(wait) = next.duration_since(SystemTime::now()) {
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = forgotten_somewhere.notified() => {}
            }
            let cached = broker.session_cached(&target);
            if was_cached && !cached {
                forgotten = true;
                break;
            }
            was_cached |= cached;
        }
        if forgotten {
            let why = "the session was forgotten (xrole-tui clear, x or revoke)".to_owned();
            let mut s = state
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *s = Served::Failed(why.clone());
            drop(s);
            report(format!(
                "profile {:?}: {why}; opening it again",
                display_safe(&target.name)
            ));
            was_cached = false;
        }
        let mut mfa = NoPrompt;
        match broker.open(&target, &mut mfa, SystemTime::now()).await {
            Ok(outcome) => {
                failures = 0;
                was_cached = broker.session_cached(&target);
                let mut s = state
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                *s = Served::Fresh {
                    credentials: outcome.session.credentials,
                    trouble: None,
                };
            }
            Err(e) => {
                failures += 1;
                let fatal = matches!(e, AuthError::Denied(_) | AuthError::Expired(_))
                    || matches!(e, AuthError::WrongAccount(_));
                let why = e.to_string();
                {
                    let mut s = state
                        .write()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    let old = std::mem::replace(&mut *s, Served::Failed(String::new()));
                    *s = old.after_failure(why.clone(), fatal);
                }
                if failures == 1 {
                    report(format!(
                        "cannot renew the credentials of profile {:?}: {why}",
                        display_safe(&target.name)
                    ));
                }
            }
        }
    }
}
