//! The TUI's state and its pure update function: messages in, effects out. Nothing here waits,
//! touches the terminal or calls AWS; the runtime does that and reports back with messages.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use zeroize::Zeroizing;

use crate::aws::error::AuthError;
use crate::domain::session::CallerIdentity;
use crate::domain::{ProfileSet, Target};

mod browse;
pub mod detail;
mod effect;
pub mod input;
pub mod keymap;
mod keys;
mod msg;
pub mod profiles;
pub mod s3;
pub mod s3_keys;

pub use effect::Effect;
pub use msg::{Authenticated, Msg, Purpose, RequestId};

pub use profiles::ProfileList;

/// A request in flight.
#[derive(Debug, Clone)]
pub struct Pending {
    /// Its id.
    pub req: RequestId,
    /// The profile, resolved.
    pub target: Arc<Target>,
    /// What follows success.
    pub purpose: Purpose,
    /// A code typed ahead for this request (a retry after a rejected code).
    code: Option<Zeroizing<String>>,
    /// When it started (for the spinner).
    pub since: SystemTime,
}

/// The MFA modal.
#[derive(Debug, Clone)]
pub struct MfaPrompt {
    /// The device.
    pub serial: String,
    /// The profile (also what a new request after a rejection authenticates).
    pub target: Arc<Target>,
    /// Digits typed so far (shown masked).
    pub input: input::LineInput,
    /// Why the last code was refused.
    pub error: Option<String>,
    /// The request waiting for it; `None` after a rejection (submitting starts a new one).
    pub req: Option<RequestId>,
    /// What follows success.
    purpose: Purpose,
}

/// Overlays.
#[derive(Debug, Clone)]
pub enum Modal {
    /// The key help.
    Help,
    /// Asking for an MFA code.
    Mfa(MfaPrompt),
    /// `xrole_env = prod`: confirm first.
    ConfirmProd {
        /// The profile.
        target: Arc<Target>,
        /// What to do on `y`.
        purpose: Purpose,
    },
    /// `X`: confirm forgetting every cached session.
    ConfirmForgetAll,
    /// `R`: confirm a revocation, naming what it ends.
    ConfirmRevoke {
        /// The profile.
        target: Arc<Target>,
        /// "role ARN in account N" or "the IAM user of profile P".
        what: String,
    },
}

/// A line in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Information.
    Info(String),
    /// Something went wrong.
    Error(String),
}

/// The identity bar's subject.
#[derive(Debug, Clone)]
pub struct Current {
    /// The profile.
    pub profile: String,
    /// Its identity, when known.
    pub identity: Option<CallerIdentity>,
    /// When its credentials expire.
    pub expiration: Option<SystemTime>,
}

/// The whole state of the TUI.
#[derive(Debug)]
pub struct App {
    /// The profiles.
    pub set: Arc<ProfileSet>,
    /// The list.
    pub list: ProfileList,
    /// The overlay, if any.
    pub modal: Option<Modal>,
    /// The request in flight, if any.
    pub pending: Option<Pending>,
    /// The last identity obtained.
    pub current: Option<Current>,
    /// Expiry of each profile's live session: obtained in this run, or found in the cache at
    /// start (the countdown badge).
    pub sessions: HashMap<String, Option<SystemTime>>,
    /// Profiles whose role is one call away with no code: a live MFA session under it, until
    /// the given time (the "no code" badge).
    pub mfa_ready: HashMap<String, Option<SystemTime>>,
    /// The status bar.
    pub status: Option<Status>,
    /// On a narrow terminal: the plan is shown instead of the list (Tab).
    pub show_detail: bool,
    /// `pick`: Enter hands the session to the calling shell instead of opening one.
    pub picking: bool,
    /// The S3 browser, when open.
    pub browser: Option<s3::Browser>,
    /// The time of the last message.
    pub now: SystemTime,
    next_req: u64,
    dirty: bool,
    /// The page the next console sign-in opens at (set by the S3 browser's `o`).
    console_page: crate::domain::console::Page,
}

impl App {
    /// A new app over `set`, selecting `preselect` when it names a profile.
    pub fn new(set: Arc<ProfileSet>, preselect: Option<&str>, now: SystemTime) -> Self {
        let mut list = ProfileList::new(Arc::clone(&set));
        let mut status = None;
        if let Some(name) = preselect {
            if !list.select_name(name) {
                let hint = set.closest_name(name).map_or_else(String::new, |s| {
                    format!("; did you mean {:?}?", crate::domain::text::display_safe(s))
                });
                status = Some(Status::Error(format!(
                    "there is no profile {:?}{hint}",
                    crate::domain::text::display_safe(name)
                )));
            }
        }
        Self {
            set,
            list,
            modal: None,
            pending: None,
            current: None,
            sessions: HashMap::new(),
            mfa_ready: HashMap::new(),
            status,
            show_detail: false,
            picking: false,
            browser: None,
            now,
            next_req: 0,
            dirty: true,
            console_page: crate::domain::console::Page::default(),
        }
    }

    /// True (once) when something visible changed since the last call: the runtime draws only then.
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    /// The time left on the current identity's credentials.
    pub fn remaining(&self) -> Option<Duration> {
        let exp = self.current.as_ref()?.expiration?;
        Some(exp.duration_since(self.now).unwrap_or(Duration::ZERO))
    }

    /// Handles one message.
    pub fn update(&mut self, msg: Msg, now: SystemTime) -> Vec<Effect> {
        let secs = |t: SystemTime| {
            t.duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        };
        let ticked_second = secs(self.now) != secs(now);
        self.now = now;
        match msg {
            Msg::Tick => {
                // Redraw only when something on screen moves: the countdown or the spinner.
                let moving = self.current.is_some() || matches!(self.modal, Some(Modal::Mfa(_)));
                if (ticked_second && moving) || self.pending.is_some() {
                    self.dirty = true;
                }
                Vec::new()
            }
            Msg::Resize => {
                self.dirty = true;
                Vec::new()
            }
            Msg::Key(key) => {
                self.dirty = true;
                keys::handle(self, key)
            }
            Msg::MfaNeeded { req, serial } => self.mfa_needed(req, serial),
            Msg::AuthDone { req, result } => self.auth_done(req, result),
            Msg::Done { req, result } => {
                if self.pending.as_ref().is_some_and(|p| p.req == req) {
                    self.pending = None;
                    self.modal = None;
                    self.dirty = true;
                    self.status = Some(match result {
                        Ok(text) => Status::Info(text),
                        Err(e) => Status::Error(e.to_string()),
                    });
                }
                Vec::new()
            }
            Msg::Notice { req, text } => {
                if self.pending.as_ref().is_some_and(|p| p.req == req) {
                    self.dirty = true;
                    self.status = Some(Status::Info(text));
                }
                Vec::new()
            }
            Msg::CannotSuspend => {
                self.dirty = true;
                self.status = Some(Status::Info(
                    "Ctrl-Z: no shell with job control started this job, so it cannot be suspended (q quits)".into(),
                ));
                Vec::new()
            }
            Msg::ShellExited(status) => {
                self.dirty = true;
                self.status = Some(Status::Info(format!("role shell ended: {status}")));
                Vec::new()
            }
            Msg::CachedSessions(found) => {
                self.dirty = true;
                self.cached_sessions(found);
                Vec::new()
            }
            Msg::Reloaded(result) => {
                self.dirty = true;
                match result {
                    Ok(set) => self.reload(set),
                    Err(e) => {
                        self.status = Some(Status::Error(format!(
                            "the AWS files changed but cannot be read, so the list is as before: {e}"
                        )));
                    }
                }
                Vec::new()
            }
            Msg::Forgotten(result) => {
                self.dirty = true;
                self.status = Some(match result {
                    Ok(n) => Status::Info(format!(
                        "forgot {n} cached session{}",
                        if n == 1 { "" } else { "s" }
                    )),
                    Err(e) => Status::Error(e),
                });
                Vec::new()
            }
            other => {
                self.dirty = true;
                self.s3_reply(other)
            }
        }
    }

    /// The cache's live sessions replace the badges. When no identity is shown yet, the
    /// selected profile's session is, else the one opened last.
    fn cached_sessions(&mut self, found: Vec<crate::aws::broker::LiveSession>) {
        self.sessions.clear();
        self.mfa_ready.clear();
        let selected = self
            .list
            .selected()
            .map(|r| self.set.profiles()[r.index].name.clone());
        let mut shown: Option<&crate::aws::broker::LiveSession> = None;
        for s in &found {
            if !s.own {
                self.mfa_ready.insert(s.profile.clone(), s.expiration);
                continue;
            }
            self.sessions.insert(s.profile.clone(), s.expiration);
            let better = match shown {
                None => true,
                Some(b) => {
                    let sel = |x: &crate::aws::broker::LiveSession| {
                        selected.as_deref() == Some(x.profile.as_str())
                    };
                    (sel(s), s.written) > (sel(b), b.written)
                }
            };
            if better {
                shown = Some(s);
            }
        }
        if let Some(c) = &self.current {
            if !self.sessions.contains_key(&c.profile) {
                self.current = None; // forgotten
            }
        }
        if self.current.is_none() {
            self.current = shown.map(|s| Current {
                profile: s.profile.clone(),
                identity: s.identity.clone(),
                expiration: s.expiration,
            });
        }
    }

    /// New profiles from the changed files: the list is rebuilt, keeping the selected profile,
    /// the filter, the recent profiles and the order; badges of profiles still there stay.
    fn reload(&mut self, set: Arc<ProfileSet>) {
        let selected = self
            .list
            .selected()
            .map(|r| self.set.profiles()[r.index].name.clone());
        let recent = self.list.recent_names();
        let (recent_first, filter) = (self.list.recent_first, self.list.filter.clone());
        let mut list = ProfileList::new(Arc::clone(&set));
        list.set_recent(recent.iter().map(String::as_str));
        if list.recent_first != recent_first {
            list.toggle_order();
        }
        if !filter.is_empty() {
            list.set_filter(filter);
        }
        if let Some(name) = selected {
            list.select_name(&name);
        }
        let count = set.len();
        self.sessions.retain(|p, _| set.index_of(p).is_some());
        self.mfa_ready.retain(|p, _| set.index_of(p).is_some());
        self.set = set;
        self.list = list;
        self.status = Some(Status::Info(format!(
            "the AWS files changed: {count} profile{} read again",
            if count == 1 { "" } else { "s" }
        )));
    }

    /// `x`: forgets the selected profile's cached sessions.
    pub(crate) fn forget_selected(&mut self) -> Vec<Effect> {
        let Some(target) = self.selected_target() else {
            return Vec::new();
        };
        self.status = Some(Status::Info(format!(
            "forgetting the sessions of {}…",
            crate::domain::text::display_safe(&target.name)
        )));
        vec![Effect::Forget(Some(target))]
    }

    pub(crate) fn new_req(&mut self) -> RequestId {
        self.next_req += 1;
        RequestId(self.next_req)
    }

    /// The selected profile, resolved; an invalid one is said in the status line.
    fn selected_target(&mut self) -> Option<Arc<Target>> {
        let row = self.list.selected()?;
        if let Some(reason) = &row.invalid {
            self.status = Some(Status::Error(format!("{}: {reason}", row.name)));
            return None;
        }
        match self.set.target_at(row.index) {
            Ok(t) => Some(Arc::new(t)),
            Err(e) => {
                self.status = Some(Status::Error(e.to_string()));
                None
            }
        }
    }

    /// Starts authenticating the selected profile (after the prod confirmation, if any).
    fn start(&mut self, purpose: Purpose, confirmed: bool) -> Vec<Effect> {
        let Some(target) = self.selected_target() else {
            return Vec::new();
        };
        if purpose == Purpose::Console {
            self.console_page = crate::domain::console::Page::default();
        }
        if target.is_prod() && !confirmed {
            self.modal = Some(Modal::ConfirmProd { target, purpose });
            return Vec::new();
        }
        self.authenticate(target, purpose, None)
    }

    fn authenticate(
        &mut self,
        target: Arc<Target>,
        purpose: Purpose,
        code: Option<Zeroizing<String>>,
    ) -> Vec<Effect> {
        let mut effects = Vec::new();
        if let Some(old) = self.pending.take() {
            effects.push(Effect::Cancel(old.req));
        }
        let req = self.new_req();
        self.status = Some(Status::Info(format!(
            "authenticating {}…",
            crate::domain::text::display_safe(&target.name)
        )));
        self.pending = Some(Pending {
            req,
            target: Arc::clone(&target),
            purpose,
            code,
            since: self.now,
        });
        effects.push(match purpose {
            Purpose::Revoke => Effect::Revoke { req, target },
            // Cloned, not taken: a retry after a rejected code opens the same page.
            Purpose::Console => Effect::Console {
                req,
                target,
                page: self.console_page.clone(),
            },
            _ => Effect::Authenticate { req, target },
        });
        effects
    }

    /// `R`: asks to confirm revoking the selected profile's older sessions.
    pub(crate) fn ask_revoke(&mut self) -> Vec<Effect> {
        let Some(target) = self.selected_target() else {
            return Vec::new();
        };
        match crate::domain::revoke::describe(&target) {
            Ok(what) => self.modal = Some(Modal::ConfirmRevoke { target, what }),
            Err(why) => self.status = Some(Status::Error(why)),
        }
        Vec::new()
    }

    /// Signs in to the console at `page` as `target` (the S3 browser's `o`).
    pub(crate) fn open_console(
        &mut self,
        target: Arc<Target>,
        page: crate::domain::console::Page,
    ) -> Vec<Effect> {
        self.console_page = page;
        self.authenticate(target, Purpose::Console, None)
    }

    fn mfa_needed(&mut self, req: RequestId, serial: String) -> Vec<Effect> {
        let Some(p) = self.pending.as_mut().filter(|p| p.req == req) else {
            return Vec::new(); // a request that was abandoned
        };
        self.dirty = true;
        if let Some(code) = p.code.take() {
            return vec![Effect::ProvideMfa { req, code }];
        }
        self.modal = Some(Modal::Mfa(MfaPrompt {
            serial,
            target: Arc::clone(&p.target),
            input: input::LineInput::mfa_code(),
            error: None,
            req: Some(req),
            purpose: p.purpose,
        }));
        Vec::new()
    }

    fn auth_done(
        &mut self,
        req: RequestId,
        result: Result<Authenticated, AuthError>,
    ) -> Vec<Effect> {
        let Some(pending) = self.pending.take_if(|p| p.req == req) else {
            return Vec::new(); // stale: dropped
        };
        self.dirty = true;
        match result {
            Ok(auth) => {
                if matches!(self.modal, Some(Modal::Mfa(_))) {
                    self.modal = None;
                }
                let session = auth.session;
                let expiration = session.credentials.expiration;
                let profile = pending.target.name.clone();
                self.sessions.insert(profile.clone(), expiration);
                self.current = Some(Current {
                    profile: profile.clone(),
                    identity: session.identity.clone(),
                    expiration,
                });
                let mut text = format!(
                    "{} authenticated",
                    crate::domain::text::display_safe(&profile)
                );
                for n in &auth.notes {
                    text.push_str(" · ");
                    text.push_str(&crate::domain::text::display_safe(n));
                }
                self.status = Some(Status::Info(text));
                let used = Effect::Used(profile.clone());
                let mut effects = match pending.purpose {
                    Purpose::S3 if self.browser.is_some() => {
                        // Authenticated again from inside the browser: same place, new keys.
                        let mut effects = Vec::new();
                        if let Some(b) = self.browser.as_mut() {
                            b.session = session;
                            b.error = None;
                            if let Some(at) = b.at.clone() {
                                let _ = b.go(at);
                                effects = self.list_page(None);
                            }
                        }
                        effects
                    }
                    Purpose::S3 => {
                        let req = self.new_req();
                        let target = pending.target;
                        self.browser = Some(s3::Browser::new(
                            session.clone(),
                            Arc::clone(&target),
                            std::path::PathBuf::from("."),
                        ));
                        vec![Effect::S3ListBuckets {
                            req,
                            session,
                            target,
                        }]
                    }
                    Purpose::Shell => vec![Effect::SpawnShell {
                        session,
                        target: Arc::clone(&pending.target),
                    }],
                    Purpose::Pick => vec![Effect::Picked {
                        session,
                        target: Arc::clone(&pending.target),
                    }],
                    Purpose::Identify | Purpose::Console | Purpose::Revoke => Vec::new(),
                };
                if pending.purpose != Purpose::Revoke {
                    effects.push(used);
                }
                effects
            }
            Err(AuthError::Mfa(message)) => {
                let serial = match &self.modal {
                    Some(Modal::Mfa(m)) => m.serial.clone(),
                    _ => String::new(),
                };
                self.modal = Some(Modal::Mfa(MfaPrompt {
                    serial,
                    target: pending.target,
                    input: input::LineInput::mfa_code(),
                    error: Some(crate::domain::text::display_safe(&message).into_owned()),
                    req: None,
                    purpose: pending.purpose,
                }));
                self.status = None;
                Vec::new()
            }
            Err(error) => {
                if matches!(self.modal, Some(Modal::Mfa(_))) {
                    self.modal = None;
                }
                self.status = Some(Status::Error(
                    crate::domain::text::display_safe(&error.to_string()).into_owned(),
                ));
                Vec::new()
            }
        }
    }

    /// Esc while a request runs: abandon it; its reply will be dropped.
    fn abandon(&mut self) -> Vec<Effect> {
        self.modal = None;
        match self.pending.take() {
            Some(p) => {
                self.status = Some(Status::Info("cancelled".into()));
                vec![Effect::Cancel(p.req)]
            }
            None => Vec::new(),
        }
    }

    /// Enter in the MFA modal.
    fn submit_mfa(&mut self) -> Vec<Effect> {
        let Some(Modal::Mfa(prompt)) = self.modal.as_mut() else {
            return Vec::new();
        };
        if let Err(e) = crate::domain::validate::mfa_code(prompt.input.text()) {
            prompt.error = Some(e);
            return Vec::new();
        }
        let code = prompt.input.take();
        match prompt.req.take() {
            Some(req) => {
                prompt.error = None;
                vec![Effect::ProvideMfa { req, code }]
            }
            None => {
                // After a rejection: a new request, answered with this code when it asks.
                let target = Arc::clone(&prompt.target);
                let purpose = prompt.purpose;
                prompt.error = None;
                self.authenticate(target, purpose, Some(code))
            }
        }
    }
}
