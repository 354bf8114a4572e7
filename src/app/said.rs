//! The replies that are answered on the status line or in a window: console sign-ins,
//! revocations, copies, notices, an IAM Identity Center sign-in's page, reloads.

use super::{App, Modal, Msg, Status};

impl App {
    /// A message answered on the status line (a reload also replaces the list).
    pub(super) fn said(&mut self, msg: Msg) {
        match msg {
            // Answers to a request that was abandoned are dropped.
            Msg::Done { req, result } if self.is_pending(req) => {
                self.pending = None;
                self.modal = None;
                self.dirty = true;
                self.status = Some(match result {
                    Ok(text) => Status::Info(text),
                    Err(e) => Status::Error(e.to_string()),
                });
            }
            Msg::SsoLogin {
                req,
                url,
                code,
                browser,
            } if self.is_pending(req) => {
                self.dirty = true;
                self.status = None;
                self.modal = Some(Modal::SsoLogin {
                    req,
                    url,
                    code,
                    browser,
                });
            }
            Msg::ConsoleLink { req, url, why } if self.is_pending(req) => {
                self.pending = None;
                self.dirty = true;
                self.status = None;
                self.modal = Some(Modal::Link { url, why });
            }
            Msg::Copied(result) => {
                self.dirty = true;
                self.status = Some(match result {
                    Ok(how) => Status::Info(how),
                    Err(why) => Status::Error(why),
                });
            }
            Msg::Notice { req, text } if self.is_pending(req) => {
                self.dirty = true;
                self.status = Some(Status::Info(text));
            }
            Msg::CannotSuspend => {
                self.dirty = true;
                self.status = Some(Status::Info(
                    "Ctrl-Z: no shell with job control started this job, so it cannot be suspended (q quits)".into(),
                ));
            }
            Msg::ShellExited(status) => {
                self.dirty = true;
                self.status = Some(Status::Info(format!("role shell ended: {status}")));
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
            }
            _ => {}
        }
    }
}
