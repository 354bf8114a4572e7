//! The S3 browser's calls, run by the executor: which session an effect uses, and the
//! message that answers it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::mpsc;

use crate::app::s3::preview_of;
use crate::app::{Effect, Msg, RequestId};
use crate::aws::error::AuthError;
use crate::aws::s3;
use crate::domain::local_path;
use crate::domain::s3_path::S3Location;
use crate::domain::session::Session;
use crate::domain::text::display_safe;
use crate::domain::Target;

/// The request, session and profile of an S3 effect; `None` for any other effect.
pub(super) fn parts(effect: &Effect) -> Option<(RequestId, Session, Arc<Target>)> {
    match effect {
        Effect::S3ListBuckets {
            req,
            session,
            target,
        }
        | Effect::S3List {
            req,
            session,
            target,
            ..
        }
        | Effect::S3Preview {
            req,
            session,
            target,
            ..
        }
        | Effect::S3Download {
            req,
            session,
            target,
            ..
        }
        | Effect::S3Head {
            req,
            session,
            target,
            ..
        }
        | Effect::S3DownloadTree {
            req,
            session,
            target,
            ..
        } => Some((*req, session.clone(), Arc::clone(target))),
        _ => None,
    }
}

/// Makes `effect`'s call with `client` and gives the message that answers it (progress goes
/// to `tx` on the way).
pub(super) async fn answer(
    effect: Effect,
    req: RequestId,
    client: Result<&aws_sdk_s3::Client, &AuthError>,
    tx: &mpsc::UnboundedSender<Msg>,
) -> Option<Msg> {
    let client = client.map_err(Clone::clone);
    let msg = match effect {
        Effect::S3ListBuckets { .. } => Msg::S3Buckets {
            req,
            result: async { s3::list_buckets(client?).await }.await,
        },
        Effect::S3List { at, token, .. } => Msg::S3Page {
            req,
            result: async { s3::list_page(client?, &at, token).await }.await,
        },
        Effect::S3Preview { at, .. } => Msg::S3Previewed {
            req,
            result: async { s3::head_bytes(client?, &at).await }
                .await
                .map(|(bytes, total)| preview_of(&at.key, &bytes, total)),
        },
        Effect::S3DownloadTree {
            at, dir, create, ..
        } => {
            let dir = match prepare(&dir, create) {
                Ok(dir) => dir,
                Err(not_ready) => return Some(not_ready.reply(req, at)),
            };
            let progress_tx = tx.clone();
            let result = async {
                crate::aws::s3_tree::download_tree(client?, &at, &dir, |p| {
                    let _ = progress_tx.send(Msg::S3Progress {
                        req,
                        done: p.bytes_done,
                        total: Some(p.bytes),
                        files: Some((p.files_done, p.files)),
                    });
                })
                .await
            }
            .await
            .map(|_| dir);
            Msg::S3Downloaded { req, result }
        }
        Effect::S3Head { at, .. } => Msg::S3Headed {
            req,
            result: async { s3::head(client?, &at).await }.await,
            key: at.key,
        },
        Effect::S3Download {
            at, dest, create, ..
        } => {
            let dest = match prepare(&dest, create) {
                Ok(dest) => dest,
                Err(not_ready) => return Some(not_ready.reply(req, at)),
            };
            let progress_tx = tx.clone();
            let result = async {
                s3::download(client?, &at, &dest, |done, total| {
                    let _ = progress_tx.send(Msg::S3Progress {
                        req,
                        done,
                        total,
                        files: None,
                    });
                })
                .await
            }
            .await
            .map(|_| dest);
            Msg::S3Downloaded { req, result }
        }
        _ => return None,
    };
    Some(msg)
}

/// `text` as typed in the download prompt, with `~` and `$VAR` expanded from this process's
/// environment (see `domain::local_path::expand`).
pub(super) fn expand_typed(text: &str) -> Result<PathBuf, String> {
    let home = std::env::var("HOME").ok();
    local_path::expand(text, home.as_deref(), |v| std::env::var(v).ok())
}

/// Why a download's place is not ready.
enum NotReady {
    /// Its directory does not exist: the browser offers to make it.
    Missing {
        /// The directory as typed.
        typed: PathBuf,
        /// The directory, expanded.
        dir: PathBuf,
    },
    /// It cannot be used, and why.
    Failed(String),
}

impl NotReady {
    /// The message that answers download `req` of `at`.
    fn reply(self, req: RequestId, at: S3Location) -> Msg {
        match self {
            NotReady::Missing { typed, dir } => Msg::DownloadDirMissing {
                req,
                at,
                typed,
                dir,
            },
            NotReady::Failed(why) => Msg::S3Downloaded {
                req,
                result: Err(AuthError::LocalFile(why)),
            },
        }
    }
}

/// `path` (a file or folder to create, as typed) with `~` and `$VAR` expanded, once its
/// directory exists: made when `create`, else the browser is asked to offer it.
fn prepare(path: &Path, create: bool) -> Result<PathBuf, NotReady> {
    let expanded = expand_typed(&path.to_string_lossy())
        .map_err(|why| NotReady::Failed(format!("cannot download there: {why}")))?;
    let Some(dir) = expanded.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(expanded);
    };
    let shown = || display_safe(&dir.display().to_string()).into_owned();
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(expanded),
        Ok(_) => Err(NotReady::Failed(format!(
            "cannot download there: {} is not a directory",
            shown()
        ))),
        Err(_) if create => match std::fs::create_dir_all(dir) {
            Ok(()) => Ok(expanded),
            Err(e) => Err(NotReady::Failed(format!("cannot make {}: {e}", shown()))),
        },
        Err(_) => Err(NotReady::Missing {
            typed: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            dir: dir.to_path_buf(),
        }),
    }
}

/// Tab in the download prompt: `typed` completed with the directories it could go on with
/// (at most the first 10,000 entries of its directory are looked at).
pub(super) fn complete_path(typed: &str) -> Msg {
    let (dir_part, _) = local_path::completion_parts(typed);
    let dir = if dir_part.is_empty() {
        Ok(PathBuf::from("."))
    } else {
        expand_typed(dir_part)
    };
    let names: Vec<String> = dir
        .ok()
        .and_then(|d| std::fs::read_dir(d).ok())
        .into_iter()
        .flatten()
        .take(10_000)
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()) || e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    Msg::PathCompleted {
        typed: typed.to_owned(),
        completed: local_path::complete(typed, &names).unwrap_or_else(|| typed.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> S3Location {
        S3Location {
            bucket: "b".into(),
            key: "k".into(),
        }
    }

    #[test]
    fn a_missing_directory_is_offered_then_made() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("new/deeper/k");
        let asked = prepare(&file, false)
            .err()
            .unwrap()
            .reply(RequestId(1), at());
        assert!(
            matches!(&asked, Msg::DownloadDirMissing { dir, .. } if dir == &tmp.path().join("new/deeper")),
            "{asked:?}"
        );
        assert_eq!(prepare(&file, true).ok(), Some(file.clone()));
        assert!(tmp.path().join("new/deeper").is_dir());
        std::fs::write(tmp.path().join("plain"), "").unwrap();
        let refused = prepare(&tmp.path().join("plain/k"), true)
            .err()
            .unwrap()
            .reply(RequestId(2), at());
        assert!(
            matches!(&refused, Msg::S3Downloaded { result: Err(e), .. } if e.to_string().contains("is not a directory")),
            "{refused:?}"
        );
        let unset = prepare(Path::new("$XROLE_SURELY_UNSET_VAR/k"), true)
            .err()
            .unwrap()
            .reply(RequestId(3), at());
        assert!(
            matches!(&unset, Msg::S3Downloaded { result: Err(e), .. } if e.to_string().contains("is not set")),
            "{unset:?}"
        );
    }

    #[test]
    fn tab_lists_only_directories() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("reports")).unwrap();
        std::fs::write(tmp.path().join("readme"), "").unwrap();
        let typed = format!("{}/re", tmp.path().display());
        match complete_path(&typed) {
            Msg::PathCompleted { completed, .. } => {
                assert_eq!(completed, format!("{}/reports/", tmp.path().display()));
            }
            other => panic!("{other:?}"),
        }
    }
}
