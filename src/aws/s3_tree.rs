//! Downloading a folder: every object under a prefix, into a directory, keeping the layout
//! below the prefix. The keys are listed first, so nothing is written when a destination file
//! already exists or a key cannot be a file path; then each object is downloaded as a single
//! one is (a temporary file renamed at the end), so a failure leaves whole files only.

use std::path::{Path, PathBuf};

use aws_sdk_s3::types::EncodingType;

use super::error::AuthError;
use super::s3::{download, explain};
use crate::domain::s3_path::{relative_path, S3Location};
use crate::domain::text::display_safe;

/// The most objects one folder download takes on.
pub const MAX_OBJECTS: usize = 100_000;

/// How far a folder download is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TreeProgress {
    /// Files finished.
    pub files_done: usize,
    /// Files in all.
    pub files: usize,
    /// Bytes so far.
    pub bytes_done: u64,
    /// Bytes in all.
    pub bytes: u64,
}

/// Every object under `prefix` (no delimiter), with its size, page by page.
async fn list_all(
    client: &aws_sdk_s3::Client,
    prefix: &S3Location,
) -> Result<Vec<(String, u64)>, AuthError> {
    let mut all = Vec::new();
    let mut token = None;
    loop {
        let out = client
            .list_objects_v2()
            .bucket(&prefix.bucket)
            .prefix(prefix.as_prefix())
            .set_continuation_token(token)
            .encoding_type(EncodingType::Url)
            .send()
            .await
            .map_err(|e| explain(&e, "s3:ListBucket", &prefix.bucket_arn()))?;
        let encoded = out.encoding_type() == Some(&EncodingType::Url);
        for o in out.contents() {
            let raw = o.key().unwrap_or_default();
            let key = if encoded {
                super::s3::url_decode(raw)
            } else {
                raw.to_owned()
            };
            let size = o.size().and_then(|s| u64::try_from(s).ok()).unwrap_or(0);
            all.push((key, size));
        }
        if all.len() > MAX_OBJECTS {
            return Err(AuthError::LocalFile(format!(
                "{} holds more than {MAX_OBJECTS} objects; download it with `aws s3 sync`",
                display_safe(&prefix.to_string())
            )));
        }
        match out
            .is_truncated()
            .unwrap_or(false)
            .then(|| out.next_continuation_token().map(str::to_owned))
            .flatten()
        {
            Some(t) => token = Some(t),
            None => return Ok(all),
        }
    }
}

/// Downloads every object under `prefix` into `dir` (created when missing). Returns the number
/// of files and bytes. `progress` is called as bytes arrive.
pub async fn download_tree(
    client: &aws_sdk_s3::Client,
    prefix: &S3Location,
    dir: &Path,
    mut progress: impl FnMut(TreeProgress),
) -> Result<TreeProgress, AuthError> {
    let objects = list_all(client, prefix).await?;
    let base = prefix.as_prefix();
    let mut plan: Vec<(S3Location, PathBuf, u64)> = Vec::new();
    for (key, size) in objects {
        let Some(rel) = relative_path(&base, &key).map_err(AuthError::LocalFile)? else {
            continue; // a folder marker
        };
        let dest = dir.join(rel);
        if dest.exists() {
            return Err(AuthError::LocalFile(format!(
                "{} already exists; nothing was downloaded (choose an empty directory)",
                display_safe(&dest.display().to_string())
            )));
        }
        let at = S3Location {
            bucket: prefix.bucket.clone(),
            key,
        };
        plan.push((at, dest, size));
    }
    let mut state = TreeProgress {
        files: plan.len(),
        bytes: plan.iter().map(|(_, _, s)| s).sum(),
        ..TreeProgress::default()
    };
    progress(state);
    for (at, dest, _) in &plan {
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                AuthError::LocalFile(format!(
                    "cannot create {}: {}",
                    display_safe(&parent.display().to_string()),
                    super::s3::os_text(&e)
                ))
            })?;
        }
        let before = state.bytes_done;
        let got = download(client, at, dest, |done, _| {
            progress(TreeProgress {
                bytes_done: before + done,
                ..state
            });
        })
        .await
        .map_err(|e| {
            e.with_note(&format!(
                "(after {} of {} files; those are complete)",
                state.files_done, state.files
            ))
        })?;
        state.files_done += 1;
        state.bytes_done = before + got;
        progress(state);
    }
    Ok(state)
}
