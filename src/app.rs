//! The TUI's state and its pure update function: messages in, effects out. Nothing here waits,
//! touches the terminal or calls AWS; the runtime does that and reports back with messages.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use zeroize::Zeroizing;

use crate::domain::session::CallerIdentity;
use crate::domain::{ProfileSet, Target};

mod auth;
mod browse;
pub mod detail;
mod effect;
pub mod input;
pub mod keymap;
mod keys;
mod msg;
mod portal;
pub mod profiles;
pub mod s3;
pub mod s3_keys;
pub use portal::{PortalItem, PortalView};
mod said;
mod sessions;

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
    /// `x` on a profile whose MFA session other profiles use: confirm, naming them.
    ConfirmForget {
        /// The profile.
        target: Arc<Target>,
        /// The MFA device whose session goes.
        serial: String,
        /// The other profiles that lose it (they will ask for a code again).
        others: Vec<String>,
    },
    /// `L`: how long the role shell's run will last.
    RunFor {
        /// The duration typed so far (`8h`, `90m`).
        input: input::LineInput,
        /// Why the last one was refused.
        error: Option<String>,
    },
    /// `m`: the messages of this session, whole.
    Log,
    /// A link to copy (`y`), shown with any token left out.
    Link {
        /// The link.
        url: crate::domain::text::SecretText,
        /// Why it is shown rather than opened.
        why: String,
    },
    /// An IAM Identity Center sign-in under way: the page to open (and the device code), until
    /// the authentication it is part of ends; Esc cancels it.
    SsoLogin {
        /// The authentication waiting for it.
        req: RequestId,
        /// The page.
        url: String,
        /// The device flow's code.
        code: Option<String>,
        /// Whether a browser was opened, or why not.
        browser: Option<Result<(), String>>,
    },
    /// `A`: the accounts and roles an IAM Identity Center session offers.
    Portal(portal::PortalView),
    /// `p`: confirm writing the profiles an IAM Identity Center session offers.
    ConfirmPopulate {
        /// A profile of the session.
        target: Arc<Target>,
        /// The `[sso-session]`.
        session: String,
    },
    /// `R`: confirm a revocation, naming what it ends.
    ConfirmRevoke {
        /// The profile.
        target: Arc<Target>,
        /// "role ARN in account N" or "the IAM user of profile P".
        what: String,
    },
}

/// From this terminal width on, the list and the plan are side by side; below it, Tab switches.
pub const WIDE: u16 = 96;

/// How many messages `m` keeps.
pub const LOG_SIZE: usize = 100;

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
    /// The terminal's width, as last told (0 until then): Tab only acts below [`WIDE`].
    pub width: u16,
    /// `pick`: Enter hands the session to the calling shell instead of opening one.
    pub picking: bool,
    /// `pick`: the profile the calling shell holds now (`XROLE_PROFILE`), which the identity
    /// bar shows instead of the last session opened anywhere.
    pub shell_profile: Option<String>,
    /// Where downloads go first: the last directory chosen, in this run or an earlier one.
    pub download_dir: std::path::PathBuf,
    /// The S3 browser, when open.
    pub browser: Option<s3::Browser>,
    /// The time of the last message.
    pub now: SystemTime,
    next_req: u64,
    dirty: bool,
    /// The page the next console sign-in opens at (set by the S3 browser's `o`).
    console_page: crate::domain::console::Page,
    /// `L`: the run the next role shell's credentials must cover.
    run_for: Option<std::time::Duration>,
    /// Every message shown in the status line this session, oldest first (at most
    /// [`LOG_SIZE`]), for `m`.
    pub log: std::collections::VecDeque<Status>,
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
            width: 0,
            picking: false,
            shell_profile: None,
            download_dir: std::path::PathBuf::from("."),
            browser: None,
            now,
            next_req: 0,
            dirty: true,
            console_page: crate::domain::console::Page::default(),
            run_for: None,
            log: std::collections::VecDeque::new(),
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
        let before = self.status.clone();
        let effects = self.update_inner(msg, now);
        if self.status != before {
            if let Some(status) = &self.status {
                if self.log.back() != Some(status) {
                    if self.log.len() == LOG_SIZE {
                        self.log.pop_front();
                    }
                    self.log.push_back(status.clone());
                }
            }
        }
        effects
    }

    fn update_inner(&mut self, msg: Msg, now: SystemTime) -> Vec<Effect> {
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
            Msg::Resize(width) => {
                self.dirty = true;
                self.width = width;
                if width >= WIDE {
                    // Side by side now: a Tab pressed when narrow does not linger.
                    self.show_detail = false;
                }
                Vec::new()
            }
            Msg::Key(key) => {
                self.dirty = true;
                keys::handle(self, key)
            }
            Msg::MfaNeeded { req, serial } => self.mfa_needed(req, serial),
            Msg::AuthDone { req, result } => self.auth_done(req, result),
            Msg::Portal { req, result } => self.portal_listed(req, result),
            said @ (Msg::Done { .. }
            | Msg::ConsoleLink { .. }
            | Msg::SsoLogin { .. }
            | Msg::Copied(_)
            | Msg::Notice { .. }
            | Msg::CannotSuspend
            | Msg::ShellExited(_)
            | Msg::Reloaded(_)
            | Msg::Forgotten(_)) => {
                self.said(said);
                Vec::new()
            }
            Msg::CachedSessions(found) => {
                self.dirty = true;
                self.cached_sessions(found);
                Vec::new()
            }
            Msg::StoreChanged(change) => match change {
                crate::store::Change::Opened | crate::store::Change::Forgotten => {
                    vec![Effect::ScanSessions]
                }
                crate::store::Change::Used => vec![Effect::LoadUsage],
                crate::store::Change::SsoToken => Vec::new(),
            },
            Msg::UsageLoaded(ranked) => {
                self.dirty = true;
                self.usage_loaded(&ranked);
                Vec::new()
            }
            other => {
                self.dirty = true;
                self.s3_reply(other)
            }
        }
    }

    pub(super) fn is_pending(&self, req: RequestId) -> bool {
        self.pending.as_ref().is_some_and(|p| p.req == req)
    }

    pub(crate) fn new_req(&mut self) -> RequestId {
        self.next_req += 1;
        RequestId(self.next_req)
    }
}
