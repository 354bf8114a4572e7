//! Carries out effects that talk to AWS, in background tasks, and reports with messages.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use zeroize::Zeroizing;

use crate::app::{Authenticated, Effect, Msg, RequestId};
use crate::aws::broker::Broker;
use crate::aws::error::AuthError;
use crate::aws::mfa::MfaInput;
use crate::domain::console::Page;
use crate::domain::{ProfileSet, Target};
use crate::flows::sso::{LoginNote, LoginUi};
use crate::flows::{self, open::OpenError};

type Waiting = Arc<Mutex<HashMap<RequestId, oneshot::Sender<Zeroizing<String>>>>>;

/// Runs authentications and answers their MFA questions.
pub struct Executor {
    broker: Broker,
    tx: mpsc::UnboundedSender<Msg>,
    tasks: HashMap<RequestId, JoinHandle<()>>,
    waiting: Waiting,
}

/// Asks the TUI for a code and waits for the modal's answer (a profile's `mfa_process` runs
/// before, in the engine, and its failure is said here as a notice).
pub(super) struct TuiMfa {
    req: RequestId,
    tx: mpsc::UnboundedSender<Msg>,
    waiting: Waiting,
}

impl MfaInput for TuiMfa {
    fn code(
        &mut self,
        serial: &str,
        _profile: &str,
    ) -> impl Future<Output = Result<Zeroizing<String>, AuthError>> + Send {
        let (req, tx, waiting) = (self.req, self.tx.clone(), Arc::clone(&self.waiting));
        let serial = serial.to_owned();
        async move {
            let (answer, rx) = oneshot::channel();
            if let Ok(mut w) = waiting.lock() {
                w.insert(req, answer);
            }
            let _ = tx.send(Msg::MfaNeeded { req, serial });
            rx.await.map_err(|_| AuthError::Mfa("cancelled".into()))
        }
    }

    fn notice(&mut self, text: &str) {
        let _ = self.tx.send(Msg::Notice {
            req: self.req,
            text: text.to_owned(),
        });
    }
}

/// An IAM Identity Center sign-in inside a TUI authentication: its page goes to the app's
/// window, what else it says to the status line.
struct TuiLogin {
    req: RequestId,
    tx: mpsc::UnboundedSender<Msg>,
}

impl LoginUi for TuiLogin {
    fn note(&mut self, note: LoginNote<'_>) {
        let req = self.req;
        let _ = self.tx.send(match note {
            LoginNote::Open { url, code, browser } => Msg::SsoLogin {
                req,
                url: url.to_owned(),
                code: code.map(str::to_owned),
                browser,
            },
            LoginNote::Needed(_) => Msg::Notice {
                req,
                text: "the IAM Identity Center login is over: signing in again…".into(),
            },
            LoginNote::Waiting(who) => Msg::Notice {
                req,
                text: format!("waiting for another sign-in to the same session ({who})"),
            },
        });
    }
}

impl Executor {
    /// The broker the calls go through (the role shell's endpoint renews through it too).
    pub fn broker(&self) -> &Broker {
        &self.broker
    }

    /// An executor opening sessions through `broker`, reporting on `tx`.
    pub fn new(broker: Broker, tx: mpsc::UnboundedSender<Msg>) -> Self {
        Self {
            broker,
            tx,
            tasks: HashMap::new(),
            waiting: Arc::default(),
        }
    }

    /// Runs `work` in a background task with the broker and an MFA input that asks the TUI's
    /// modal; its message is sent when it ends. The task is kept under `req` (to be cancelled).
    pub(super) fn run_with_mfa<F, Fut>(&mut self, req: RequestId, work: F)
    where
        F: FnOnce(Broker, TuiMfa) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Msg> + Send,
    {
        let mfa = TuiMfa {
            req,
            tx: self.tx.clone(),
            waiting: Arc::clone(&self.waiting),
        };
        let (broker, tx) = (self.broker.clone(), self.tx.clone());
        self.tasks.retain(|_, t| !t.is_finished());
        let task = tokio::spawn(async move {
            let msg = work(broker, mfa).await;
            let _ = tx.send(msg);
        });
        self.tasks.insert(req, task);
    }

    /// Carries out `effect` in the background, on the profiles of `set`; gives back the ones
    /// only the loop can carry out (quitting, the picked profile, the role shell).
    pub fn carry_out(&mut self, effect: Effect, set: &Arc<ProfileSet>) -> Option<Effect> {
        match effect {
            Effect::CompletePath(typed) => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(super::s3_calls::complete_path(&typed));
                });
            }
            Effect::Copy(text) => {
                // The terminal first, from this thread (see `clipboard::to_terminal`).
                let terminal = super::clipboard::to_terminal(&text);
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let tool = super::clipboard::to_local_tool(&text);
                    let said = match (terminal, tool) {
                        (_, Ok(Some(tool))) => Ok(format!("copied (through the terminal and {tool})")),
                        (Ok(()), Ok(None)) => Ok("copied through the terminal (OSC 52; tmux needs set-clipboard on)".to_owned()),
                        (Ok(()), Err(why)) => Ok(format!("copied through the terminal (OSC 52); {why}")),
                        (Err(e), Ok(None)) => Err(format!("nothing copied: cannot write to the terminal ({e}) and no clipboard tool was found")),
                        (Err(e), Err(why)) => Err(format!("nothing copied: {e}; {why}")),
                    };
                    let _ = tx.send(Msg::Copied(said));
                });
            }
            Effect::RememberDir(dir) => {
                tokio::task::spawn_blocking(move || {
                    // Remembered as the directory it names, not as typed (`~`, `$VAR`).
                    if let Ok(dir) = super::s3_calls::expand_typed(&dir.to_string_lossy()) {
                        let _ = crate::store::usage::remember_download_dir(&dir);
                    }
                });
            }
            Effect::Used(profile) => {
                tokio::task::spawn_blocking(move || crate::store::usage::record(&profile));
            }
            Effect::Authenticate {
                req,
                target,
                run_for,
            } => self.authenticate(req, target, run_for),
            Effect::Console { req, target, page } => self.console(req, target, page),
            Effect::Revoke { req, target } => self.revoke(req, target, Arc::clone(set)),
            Effect::Populate { req, target } => self.populate(req, target, Arc::clone(set)),
            Effect::ListPortal { req, target } => self.portal(req, target),
            Effect::ProvideMfa { req, code } => self.provide_mfa(req, code),
            Effect::Cancel(req) => self.cancel(req),
            Effect::Forget(target) => self.forget(target, Arc::clone(set)),
            Effect::ScanSessions => self.scan_cache(Arc::clone(set)),
            Effect::LoadUsage => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let ranked = crate::store::usage::load().ranked(SystemTime::now());
                    let names = ranked.into_iter().map(|(n, _)| n).collect();
                    let _ = tx.send(Msg::UsageLoaded(names));
                });
            }
            s3 @ (Effect::S3ListBuckets { .. }
            | Effect::S3List { .. }
            | Effect::S3Preview { .. }
            | Effect::S3Download { .. }
            | Effect::S3Head { .. }
            | Effect::S3DownloadTree { .. }) => self.s3(s3),
            for_the_loop @ (Effect::Quit | Effect::Picked { .. } | Effect::SpawnShell { .. }) => {
                return Some(for_the_loop)
            }
        }
        None
    }

    /// Looks for live sessions in the cache in the background; reports `CachedSessions`.
    pub fn scan_cache(&self, set: Arc<ProfileSet>) {
        let (broker, tx) = (self.broker.clone(), self.tx.clone());
        tokio::task::spawn_blocking(move || {
            let found = broker.live_sessions(&set, SystemTime::now());
            let _ = tx.send(Msg::CachedSessions(found));
        });
    }

    /// Forgets the cached sessions of `target` (every one with `None`), then scans again.
    pub fn forget(&self, target: Option<Arc<Target>>, set: Arc<ProfileSet>) {
        let (broker, tx) = (self.broker.clone(), self.tx.clone());
        tokio::task::spawn_blocking(move || {
            let targets: Vec<Target> = target.iter().map(|t| (**t).clone()).collect();
            let result = if broker.has_cache() {
                broker.clear(&targets).map_err(|e| e.to_string())
            } else {
                Err("the cache is off (--no-cache or XROLE_CACHE=none): no session is kept".into())
            };
            // The sessions as they are now go first, so that the screen that says "forgot"
            // no longer shows them.
            let found = broker.live_sessions(&set, SystemTime::now());
            let _ = tx.send(Msg::CachedSessions(found));
            let _ = tx.send(Msg::Forgotten(result));
        });
    }

    /// Starts opening `target`'s session (see `flows::open`); with `run_for` (a role shell for
    /// a long run) the runway is secured first, and the shell is then served from the profile
    /// as opened.
    pub fn authenticate(
        &mut self,
        req: RequestId,
        target: Arc<Target>,
        run_for: Option<std::time::Duration>,
    ) {
        self.run_with_mfa(req, move |broker, mut mfa| async move {
            #[cfg(debug_assertions)]
            if std::env::var_os("XROLE_TEST_PANIC").is_some_and(|v| v == "task") {
                panic!("test panic in a background task");
            }
            let mut login = TuiLogin {
                req,
                tx: mfa.tx.clone(),
            };
            let opened =
                flows::open::open(broker, target, &mut mfa, run_for, Some(&mut login)).await;
            let result = match opened {
                Ok(o) => Ok(Authenticated {
                    target: o.lengthened.then_some(o.target),
                    session: o.session,
                    notes: o.notes,
                }),
                Err(OpenError::Runway(why)) => Err(AuthError::Config(why)),
                Err(OpenError::Auth(e)) => Err(e),
            };
            Msg::AuthDone { req, result }
        });
    }

    /// Signs in to the console as `target` at `page` (see `flows::console`) and opens the
    /// browser.
    pub fn console(&mut self, req: RequestId, target: Arc<Target>, page: Page) {
        self.run_with_mfa(req, move |broker, mut mfa| async move {
            let link = match flows::console::sign_in_link(&broker, &target, &page, &mut mfa).await {
                Ok(link) => link,
                Err(e) => {
                    return Msg::Done {
                        req,
                        result: Err(e),
                    }
                }
            };
            let opened = match crate::serve::browser::open(&link.url) {
                Ok(opened) => opened,
                // No browser here (SSH, a server): the link is shown for copying instead.
                Err(why) => {
                    return Msg::ConsoleLink {
                        req,
                        url: crate::domain::text::SecretText::new(link.url.as_str()),
                        why: format!("No browser could be opened ({why}); set BROWSER to use one."),
                    }
                }
            };
            // Removed after a few seconds, or when the TUI ends first.
            tokio::spawn(opened.keep());
            let text = match link.switch_to {
                Some((role, _)) => {
                    format!("console opened as the chain's first role; switch to {role} there")
                }
                None => format!(
                    "console opened for {}",
                    crate::domain::text::display_safe(&target.name)
                ),
            };
            Msg::Done {
                req,
                result: Ok(text),
            }
        });
    }

    /// Revokes `target`'s older sessions with its own credentials (see `flows::revoke`).
    pub fn revoke(&mut self, req: RequestId, target: Arc<Target>, set: Arc<ProfileSet>) {
        self.run_with_mfa(req, move |broker, mut mfa| async move {
            let result = flows::revoke::revoke(&broker, &set, &target, &target, &mut mfa)
                .await
                .map(|done| {
                    let mut text = done.said;
                    if let Some(w) = done.warning {
                        text.push_str("; ");
                        text.push_str(&w);
                    }
                    if !done.roles_stay.is_empty() {
                        text.push_str(&format!(
                            "; roles assumed from its sessions stay valid until they expire: {}",
                            done.roles_stay.join(", ")
                        ));
                    }
                    text
                });
            Msg::Done { req, result }
        });
    }

    /// Runs an S3 effect of the browser in a background task (see `s3_calls`), with a client
    /// made by the broker from the session and its profile's settings.
    pub fn s3(&mut self, effect: Effect) {
        let Some((req, session, target)) = super::s3_calls::parts(&effect) else {
            return;
        };
        let (tx, broker) = (self.tx.clone(), self.broker.clone());
        let task = tokio::spawn(async move {
            // A client that cannot be made answers each request with the reason.
            let client = broker.s3(&target, &session);
            if let Some(msg) = super::s3_calls::answer(effect, req, client.as_ref(), &tx).await {
                let _ = tx.send(msg);
            }
        });
        self.tasks.retain(|_, t| !t.is_finished());
        self.tasks.insert(req, task);
    }

    /// Hands the code typed in the modal to the request waiting for it.
    pub fn provide_mfa(&mut self, req: RequestId, code: Zeroizing<String>) {
        let sender = self.waiting.lock().ok().and_then(|mut w| w.remove(&req));
        if let Some(s) = sender {
            let _ = s.send(code);
        }
    }

    /// Abandons a request: its task is stopped, so no call is left running for it.
    pub fn cancel(&mut self, req: RequestId) {
        if let Some(t) = self.tasks.remove(&req) {
            t.abort();
        }
        if let Ok(mut w) = self.waiting.lock() {
            w.remove(&req);
        }
    }
}
