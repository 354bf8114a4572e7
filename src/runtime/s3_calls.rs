//! The S3 browser's calls, run by the executor: which session an effect uses, and the
//! message that answers it.

use std::sync::Arc;

use tokio::sync::mpsc;

use crate::app::s3::preview_of;
use crate::app::{Effect, Msg, RequestId};
use crate::aws::error::AuthError;
use crate::aws::s3;
use crate::domain::session::Session;
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
        Effect::S3DownloadTree { at, dir, .. } => {
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
        Effect::S3Download { at, dest, .. } => {
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
