//! Carries out effects that talk to AWS, in background tasks, and reports with messages.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use zeroize::Zeroizing;

use crate::app::{Authenticated, FailureKind, Msg, RequestId};
use crate::aws::authenticate::{Engine, MfaInput};
use crate::aws::cache::Cache;
use crate::aws::error::AuthError;
use crate::aws::sdk;
use crate::domain::profile::Key;
use crate::domain::ProfileSet;

type Waiting = Arc<Mutex<HashMap<RequestId, oneshot::Sender<Zeroizing<String>>>>>;

/// Runs authentications and answers their MFA questions.
pub struct Executor {
    set: Arc<ProfileSet>,
    tx: mpsc::UnboundedSender<Msg>,
    no_cache: bool,
    tasks: HashMap<RequestId, JoinHandle<()>>,
    waiting: Waiting,
}

/// Asks the TUI for a code and waits for the modal's answer.
struct TuiMfa {
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
        let (answer, rx) = oneshot::channel();
        if let Ok(mut w) = self.waiting.lock() {
            w.insert(self.req, answer);
        }
        let _ = self.tx.send(Msg::MfaNeeded {
            req: self.req,
            serial: serial.to_owned(),
        });
        async move { rx.await.map_err(|_| AuthError::Mfa("cancelled".into())) }
    }
}

impl Executor {
    /// An executor reporting on `tx`.
    pub fn new(set: Arc<ProfileSet>, tx: mpsc::UnboundedSender<Msg>, no_cache: bool) -> Self {
        Self {
            set,
            tx,
            no_cache,
            tasks: HashMap::new(),
            waiting: Arc::default(),
        }
    }

    /// Starts authenticating `profile`.
    pub fn authenticate(&mut self, req: RequestId, profile: String) {
        let (set, tx, waiting, no_cache) = (
            Arc::clone(&self.set),
            self.tx.clone(),
            Arc::clone(&self.waiting),
            self.no_cache,
        );
        self.tasks.retain(|_, t| !t.is_finished());
        let task = tokio::spawn(async move {
            if std::env::var_os("XROLE_TEST_PANIC").is_some_and(|v| v == "task") {
                panic!("test panic in a background task");
            }
            let region = set
                .get(&profile)
                .and_then(|p| p.get(Key::Region))
                .map(str::to_owned);
            let engine = Engine {
                sdk: sdk::load(Some(&profile), region.as_deref()).await,
                cache: if no_cache { None } else { Cache::from_env() },
                customize: None,
            };
            let mut mfa = TuiMfa {
                req,
                tx: tx.clone(),
                waiting,
            };
            let result = engine
                .authenticate(&set, &profile, &mut mfa, SystemTime::now())
                .await
                .map(|o| Authenticated {
                    session: o.session,
                    notes: o.notes,
                })
                .map_err(|e| {
                    let kind = if matches!(e, AuthError::Mfa(_)) {
                        FailureKind::Mfa
                    } else {
                        FailureKind::Other
                    };
                    (kind, e.to_string())
                });
            let _ = tx.send(Msg::AuthDone { req, result });
        });
        self.tasks.insert(req, task);
    }

    /// Runs an S3 effect of the browser in a background task.
    pub fn s3(&mut self, effect: crate::app::Effect) {
        use crate::app::{s3::preview_of, Effect};
        use crate::aws::s3;
        let tx = self.tx.clone();
        let set = Arc::clone(&self.set);
        let (req, session) = match &effect {
            Effect::S3ListBuckets { req, session }
            | Effect::S3List { req, session, .. }
            | Effect::S3Preview { req, session, .. }
            | Effect::S3Download { req, session, .. } => (*req, session.clone()),
            _ => return,
        };
        let task = tokio::spawn(async move {
            let region = set
                .get(&session.profile)
                .and_then(|p| p.get(Key::Region))
                .map(str::to_owned);
            let config = sdk::load(Some(&session.profile), region.as_deref()).await;
            let client = sdk::s3_client(&config, sdk::to_sdk(&session.credentials));
            let msg = match effect {
                Effect::S3ListBuckets { .. } => Msg::S3Buckets {
                    req,
                    result: s3::list_buckets(&client).await.map_err(|e| e.to_string()),
                },
                Effect::S3List { at, token, .. } => Msg::S3Page {
                    req,
                    result: s3::list_page(&client, &at, token)
                        .await
                        .map_err(|e| e.to_string()),
                },
                Effect::S3Preview { at, .. } => Msg::S3Previewed {
                    req,
                    result: s3::head_bytes(&client, &at)
                        .await
                        .map(|(bytes, total)| preview_of(&at.key, &bytes, total))
                        .map_err(|e| e.to_string()),
                },
                Effect::S3Download { at, dest, .. } => {
                    let progress_tx = tx.clone();
                    let result = s3::download(&client, &at, &dest, |done, total| {
                        let _ = progress_tx.send(Msg::S3Progress { req, done, total });
                    })
                    .await
                    .map(|_| {
                        crate::domain::text::display_safe(&dest.display().to_string()).into_owned()
                    })
                    .map_err(|e| e.to_string());
                    Msg::S3Downloaded { req, result }
                }
                _ => return,
            };
            let _ = tx.send(msg);
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
