//! Authenticating from the TUI: starting a request for the selected profile, the MFA modal's
//! part, and what follows success (a shell, the S3 browser, a picked session) or failure.

use std::sync::Arc;

use zeroize::Zeroizing;

use super::{
    input, s3, App, Authenticated, Current, Effect, MfaPrompt, Modal, Pending, Purpose, RequestId,
    Status,
};
use crate::aws::error::AuthError;
use crate::domain::session::Session;
use crate::domain::Target;

impl App {
    /// The selected profile, resolved; an invalid one is said in the status line.
    pub(super) fn selected_target(&mut self) -> Option<Arc<Target>> {
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
    pub(super) fn start(&mut self, purpose: Purpose, confirmed: bool) -> Vec<Effect> {
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

    pub(super) fn authenticate(
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
            Purpose::Populate => Effect::Populate { req, target },
            Purpose::Portal => Effect::ListPortal { req, target },
            // Cloned, not taken: a retry after a rejected code opens the same page.
            Purpose::Console => Effect::Console {
                req,
                target,
                page: self.console_page.clone(),
            },
            Purpose::Shell => Effect::Authenticate {
                req,
                target,
                run_for: self.run_for.take(),
            },
            _ => Effect::Authenticate {
                req,
                target,
                run_for: None,
            },
        });
        effects
    }

    /// `L`: asks how long the role shell's run will last.
    pub(crate) fn ask_run_for(&mut self) -> Vec<Effect> {
        if self.list.selected().is_some() {
            self.modal = Some(Modal::RunFor {
                input: super::input::LineInput::new(),
                error: None,
            });
        }
        Vec::new()
    }

    /// The duration typed in the `L` question: the role shell opens with that runway.
    pub(crate) fn submit_run_for(&mut self, text: &str) -> Vec<Effect> {
        match humantime::parse_duration(text.trim()) {
            Ok(d) if d >= std::time::Duration::from_secs(60) => {
                self.modal = None;
                self.run_for = Some(d);
                let effects = self.start(Purpose::Shell, false);
                if self.pending.is_none() && !matches!(self.modal, Some(Modal::ConfirmProd { .. }))
                {
                    self.run_for = None; // nothing started: not kept for a later Enter
                }
                effects
            }
            _ => {
                if let Some(Modal::RunFor { error, .. }) = &mut self.modal {
                    *error = Some("a duration of a minute or more, such as 8h or 90m".into());
                }
                Vec::new()
            }
        }
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

    /// `p`: asks to confirm writing a profile per account and role of the selected profile's
    /// IAM Identity Center session.
    pub(crate) fn ask_populate(&mut self) -> Vec<Effect> {
        let Some(target) = self.selected_target() else {
            return Vec::new();
        };
        match target.sso.as_ref().and_then(|s| s.session.clone()) {
            Some(session) => self.modal = Some(Modal::ConfirmPopulate { target, session }),
            None => {
                self.status = Some(Status::Error(format!(
                    "{} has no [sso-session] at the root of its chain: nothing to populate from",
                    crate::domain::text::display_safe(&target.name)
                )))
            }
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

    pub(super) fn mfa_needed(&mut self, req: RequestId, serial: String) -> Vec<Effect> {
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

    pub(super) fn auth_done(
        &mut self,
        req: RequestId,
        result: Result<Authenticated, AuthError>,
    ) -> Vec<Effect> {
        let Some(pending) = self.pending.take_if(|p| p.req == req) else {
            return Vec::new(); // stale: dropped
        };
        self.dirty = true;
        if matches!(self.modal, Some(Modal::SsoLogin { .. })) {
            self.modal = None;
        }
        match result {
            Ok(auth) => self.opened(pending, auth),
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

    /// A session was opened for `pending`: the identity bar and the badges follow it, and the
    /// purpose's next step starts.
    fn opened(&mut self, pending: Pending, auth: Authenticated) -> Vec<Effect> {
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
        let mut effects = self.next_step(&pending, auth.target, session);
        if pending.purpose != Purpose::Revoke {
            effects.push(used);
        }
        effects
    }

    /// What follows an opened session, by purpose: the S3 browser, the role shell, the picked
    /// profile. `lengthened` is the profile as opened for a long run, when the runway changed it.
    fn next_step(
        &mut self,
        pending: &Pending,
        lengthened: Option<Arc<Target>>,
        session: Session,
    ) -> Vec<Effect> {
        match pending.purpose {
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
                let target = Arc::clone(&pending.target);
                self.browser = Some(s3::Browser::new(
                    session.clone(),
                    Arc::clone(&target),
                    self.download_dir.clone(),
                ));
                vec![Effect::S3ListBuckets {
                    req,
                    session,
                    target,
                }]
            }
            Purpose::Shell => vec![Effect::SpawnShell {
                session,
                target: lengthened.unwrap_or_else(|| Arc::clone(&pending.target)),
            }],
            Purpose::Pick => vec![Effect::Picked {
                session,
                target: Arc::clone(&pending.target),
            }],
            Purpose::Identify
            | Purpose::Console
            | Purpose::Revoke
            | Purpose::Populate
            | Purpose::Portal => Vec::new(),
        }
    }

    /// Esc while a request runs: abandon it; its reply will be dropped.
    pub(super) fn abandon(&mut self) -> Vec<Effect> {
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
    pub(super) fn submit_mfa(&mut self) -> Vec<Effect> {
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
