//! The app's side of the S3 browser: keys for it, and the replies to its requests.

use std::sync::Arc;

use crossterm::event::KeyEvent;

use super::{s3, App, Effect, Msg, Status};
use crate::aws::error::AuthError;

impl App {
    /// Replies to the browser's requests; a reply to a request no longer current is dropped.
    pub(super) fn s3_reply(&mut self, msg: Msg) -> Vec<Effect> {
        let Some(b) = self.browser.as_mut() else {
            return Vec::new();
        };
        match msg {
            Msg::S3Buckets { result, .. } => match result {
                Ok(buckets) => b.buckets_listed(buckets),
                Err(e) if b.entries.is_empty() => {
                    b.expired = matches!(e, AuthError::Expired(_));
                    b.error = Some(format!("{e} — press b to open a bucket by name"));
                }
                Err(_) => {}
            },
            Msg::S3Page { req, result } if b.loading == Some(req) => match result {
                Ok(page) => {
                    b.page_listed(page);
                    // End was pressed: keep loading until the last page.
                    if b.to_end {
                        let next = b.next.clone();
                        return self.list_page(next);
                    }
                }
                Err(e) => {
                    b.loading = None;
                    b.expired = matches!(e, AuthError::Expired(_));
                    b.error = Some(with_hint(&e));
                }
            },
            Msg::S3Previewed { req, result } if b.previewing == Some(req) => {
                b.previewing = None;
                match result {
                    Ok(p) => {
                        b.preview = Some(p);
                        b.error = None;
                    }
                    Err(e) => {
                        b.preview = None;
                        b.expired = matches!(e, AuthError::Expired(_));
                        b.error = Some(with_hint(&e));
                    }
                }
            }
            Msg::S3Headed { req, key, result } if b.heading == Some(req) => {
                b.heading = None;
                b.head = Some((key, result.map_err(|e| with_hint(&e))));
            }
            Msg::DownloadDirMissing {
                req,
                at,
                typed,
                dir,
            } => {
                if matches!(&b.download, Some(s3::Download { req: r, .. }) if *r == req) {
                    b.download = None;
                    b.mode = s3::Mode::CreateDir { at, typed, dir };
                }
            }
            Msg::PathCompleted { typed, completed } => {
                if let s3::Mode::DownloadTo { dir, .. } = &mut b.mode {
                    if dir.text() == typed {
                        *dir = super::input::LineInput::with_text(&completed);
                    }
                }
            }
            download @ (Msg::S3Progress { .. } | Msg::S3Downloaded { .. }) => {
                self.download_reply(download);
            }
            _ => {}
        }
        Vec::new()
    }

    /// A key for the open browser.
    pub(super) fn browser_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(b) = self.browser.as_mut() else {
            return Vec::new();
        };
        let ask = b.key(key);
        let session = b.session.clone();
        let target = std::sync::Arc::clone(&b.target);
        match ask {
            s3::Ask::Nothing => Vec::new(),
            s3::Ask::Close => {
                self.browser = None;
                Vec::new()
            }
            s3::Ask::Reauthenticate => self.authenticate(target, super::Purpose::S3, None),
            s3::Ask::Console(at) => self.open_console(
                target,
                crate::domain::console::Page {
                    s3: Some(at),
                    ..Default::default()
                },
            ),
            s3::Ask::Buckets => {
                let req = self.new_req();
                vec![Effect::S3ListBuckets {
                    req,
                    session,
                    target,
                }]
            }
            s3::Ask::List(token) => self.list_page(token),
            s3::Ask::Copy(uri) => vec![Effect::Copy(crate::domain::text::SecretText::new(uri))],
            s3::Ask::Head(at) => {
                let req = self.new_req();
                let Some(b) = self.browser.as_mut() else {
                    return Vec::new();
                };
                b.heading = Some(req);
                vec![Effect::S3Head {
                    req,
                    session: b.session.clone(),
                    target: Arc::clone(&b.target),
                    at,
                }]
            }
            s3::Ask::Preview(at) => {
                let req = self.new_req();
                if let Some(b) = self.browser.as_mut() {
                    b.previewing = Some(req);
                }
                vec![Effect::S3Preview {
                    req,
                    session,
                    target,
                    at,
                }]
            }
            s3::Ask::Download(at, dir, create) => {
                self.start_download(at, dir, create, &session, &target)
            }
            s3::Ask::Complete(typed) => vec![Effect::CompletePath(typed)],
        }
    }

    /// A download's progress and its end, said on the status line.
    fn download_reply(&mut self, msg: Msg) {
        let Some(b) = self.browser.as_mut() else {
            return;
        };
        match msg {
            Msg::S3Progress {
                req,
                done,
                total,
                files,
            } => {
                if let Some(s3::Download {
                    req: r,
                    done: d,
                    total: t,
                    files: f,
                    ..
                }) = &mut b.download
                {
                    if *r == req {
                        (*d, *t, *f) = (done, total, files);
                    }
                }
            }
            Msg::S3Downloaded { req, result } => {
                if matches!(&b.download, Some(s3::Download { req: r, .. }) if *r == req) {
                    b.download = None;
                    self.status = Some(match result {
                        Ok(path) => Status::Info(format!(
                            "downloaded to {}",
                            crate::domain::text::display_safe(&path.display().to_string())
                        )),
                        Err(e) => Status::Error(e.to_string()),
                    });
                }
            }
            _ => {}
        }
    }

    /// Starts downloading `at` into `dir` (remembered as the next download's directory).
    fn start_download(
        &mut self,
        at: crate::domain::s3_path::S3Location,
        dir: std::path::PathBuf,
        create: bool,
        session: &crate::domain::session::Session,
        target: &Arc<crate::domain::Target>,
    ) -> Vec<Effect> {
        let req = self.new_req();
        // The next browser, in this run or the next, offers this directory first.
        let remember = (dir != self.download_dir).then(|| Effect::RememberDir(dir.clone()));
        self.download_dir = dir.clone();
        match s3::download_effect(req, session, target, at.clone(), dir, create) {
            Ok(effect) => {
                if let Some(b) = self.browser.as_mut() {
                    b.download = Some(s3::Download {
                        req,
                        at,
                        done: 0,
                        total: None,
                        files: None,
                    });
                }
                [Some(effect), remember].into_iter().flatten().collect()
            }
            Err(e) => {
                if let Some(b) = self.browser.as_mut() {
                    b.download = None;
                    b.error = Some(e);
                }
                Vec::new()
            }
        }
    }

    pub(super) fn list_page(&mut self, token: Option<String>) -> Vec<Effect> {
        let req = self.new_req();
        let Some(b) = self.browser.as_mut() else {
            return Vec::new();
        };
        let Some(at) = b.at.clone() else {
            return Vec::new();
        };
        b.loading = Some(req);
        vec![Effect::S3List {
            req,
            session: b.session.clone(),
            target: std::sync::Arc::clone(&b.target),
            at,
            token,
        }]
    }
}

/// Expired credentials can be renewed from the browser: say how.
fn with_hint(error: &AuthError) -> String {
    match error {
        AuthError::Expired(_) => format!("{error} — press r to authenticate again"),
        _ => error.to_string(),
    }
}
