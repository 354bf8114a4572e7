//! S3 in the assumed role: one level of a listing, page by page, and downloads that never leave
//! a partial file.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::types::EncodingType;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use super::error::AuthError;
use crate::domain::s3_path::S3Location;
use crate::domain::text::display_safe;

/// An object of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    /// Its key.
    pub key: String,
    /// Bytes.
    pub size: u64,
    /// Last modified.
    pub modified: Option<SystemTime>,
    /// Storage class, as listed (`STANDARD`, `GLACIER`, ...).
    pub storage_class: Option<String>,
    /// ETag, as listed (quotes removed).
    pub etag: Option<String>,
}

/// What `HeadObject` says of an object, for the details pane.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectHead {
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// Bytes.
    pub size: Option<u64>,
    /// Last modified.
    pub modified: Option<SystemTime>,
    /// Storage class (absent means `STANDARD`).
    pub storage_class: Option<String>,
    /// ETag (quotes removed).
    pub etag: Option<String>,
    /// Server-side encryption (`AES256`, `aws:kms`).
    pub encryption: Option<String>,
    /// The user metadata's names (`x-amz-meta-*`).
    pub metadata: Vec<String>,
}

/// `HeadObject`: the object's headers, without its body.
pub async fn head(client: &aws_sdk_s3::Client, at: &S3Location) -> Result<ObjectHead, AuthError> {
    let out = client
        .head_object()
        .bucket(&at.bucket)
        .key(&at.key)
        .send()
        .await
        .map_err(|e| explain(&e, "s3:GetObject (HeadObject)", &at.object_arn()))?;
    let mut metadata: Vec<String> = out
        .metadata()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    metadata.sort();
    Ok(ObjectHead {
        content_type: out.content_type().map(str::to_owned),
        size: out.content_length().and_then(|l| u64::try_from(l).ok()),
        modified: out
            .last_modified()
            .and_then(|t| SystemTime::try_from(*t).ok()),
        storage_class: out.storage_class().map(|c| c.as_str().to_owned()),
        etag: out.e_tag().map(|e| e.trim_matches('"').to_owned()),
        encryption: out.server_side_encryption().map(|e| e.as_str().to_owned()),
        metadata,
    })
}

/// One page of a one-level listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// The "folders" (common prefixes) of this page.
    pub prefixes: Vec<String>,
    /// The objects of this page.
    pub objects: Vec<Object>,
    /// The token for the next page; `None` on the last one.
    pub next: Option<String>,
}

/// One `ListObjectsV2` call with delimiter `/`.
pub async fn list_page(
    client: &aws_sdk_s3::Client,
    at: &S3Location,
    token: Option<String>,
) -> Result<Page, AuthError> {
    let out = client
        .list_objects_v2()
        .bucket(&at.bucket)
        .prefix(at.as_prefix())
        .delimiter("/")
        .set_continuation_token(token)
        // Keys come URL-encoded: a key holding a character XML 1.0 cannot carry (a control
        // character) would otherwise make the whole page unreadable.
        .encoding_type(EncodingType::Url)
        .send()
        .await
        .map_err(|e| explain(&e, "s3:ListBucket", &at.bucket_arn()))?;
    let encoded = out.encoding_type() == Some(&EncodingType::Url);
    let text = |v: &str| {
        if encoded {
            url_decode(v)
        } else {
            v.to_owned()
        }
    };
    Ok(Page {
        prefixes: out
            .common_prefixes()
            .iter()
            .filter_map(|p| p.prefix().map(text))
            .collect(),
        objects: out
            .contents()
            .iter()
            .map(|o| Object {
                key: text(o.key().unwrap_or_default()),
                size: o.size().and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
                modified: o
                    .last_modified()
                    .and_then(|t| SystemTime::try_from(*t).ok()),
                storage_class: o.storage_class().map(|c| c.as_str().to_owned()),
                etag: o.e_tag().map(|e| e.trim_matches('"').to_owned()),
            })
            .collect(),
        next: out
            .is_truncated()
            .unwrap_or(false)
            .then(|| out.next_continuation_token().map(str::to_owned))
            .flatten(),
    })
}

/// Decodes a key of a listing made with `encoding-type=url`: S3 writes a space as `+` (form
/// encoding, as botocore decodes it) and a real `+` as `%2B`.
pub(crate) fn url_decode(v: &str) -> String {
    let spaced = v.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// Downloads `at` to `dest`: into a temporary file beside it, renamed at the end, so a failure
/// (or the process being stopped) leaves no partial file. Refuses to replace an existing file.
/// The file's mode follows the umask, as with `aws s3 cp`; messages name `dest`, never the
/// temporary file. `progress(done, total)` is called as bytes arrive.
pub async fn download(
    client: &aws_sdk_s3::Client,
    at: &S3Location,
    dest: &Path,
    progress: impl FnMut(u64, Option<u64>),
) -> Result<u64, AuthError> {
    let shown = || display_safe(&dest.display().to_string()).into_owned();
    if dest.exists() {
        return Err(AuthError::LocalFile(format!(
            "{} already exists; remove it or choose another destination",
            shown()
        )));
    }
    let dir = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let local = |e: std::io::Error| {
        AuthError::LocalFile(format!("cannot write {}: {}", shown(), os_text(&e)))
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".xrole-download-")
        .tempfile_in(&dir)
        .map_err(local)?;
    let done = stream(client, at, |chunk| tmp.write_all(chunk), progress)
        .await
        .map_err(|e| match e {
            Streamed::Remote(e) => e,
            Streamed::Local(e) => local(e),
        })?;
    tmp.as_file().sync_all().map_err(local)?;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(file_mode()))
        .map_err(local)?;
    // persist_noclobber: a file that appeared meanwhile is not replaced either.
    tmp.persist_noclobber(dest).map_err(|e| local(e.error))?;
    Ok(done)
}

/// Why a stream stopped: S3 (or the network), or the local side.
pub enum Streamed {
    /// The object could not be read.
    Remote(AuthError),
    /// The bytes could not be written.
    Local(std::io::Error),
}

/// Streams `at` into `write`, calling `progress(done, total)` as bytes arrive.
pub async fn stream(
    client: &aws_sdk_s3::Client,
    at: &S3Location,
    mut write: impl FnMut(&[u8]) -> std::io::Result<()>,
    mut progress: impl FnMut(u64, Option<u64>),
) -> Result<u64, Streamed> {
    let out = client
        .get_object()
        .bucket(&at.bucket)
        .key(&at.key)
        .send()
        .await
        .map_err(|e| Streamed::Remote(explain(&e, "s3:GetObject", &at.object_arn())))?;
    let total = out.content_length().and_then(|l| u64::try_from(l).ok());
    let mut body = out.body;
    let mut done = 0u64;
    progress(0, total);
    while let Some(chunk) = body.try_next().await.map_err(|e| {
        Streamed::Remote(AuthError::Service(format!(
            "the download of {} broke off: {}",
            display_safe(&at.to_string()),
            super::error::describe(&e)
        )))
    })? {
        write(&chunk).map_err(Streamed::Local)?;
        done += chunk.len() as u64;
        progress(done, total);
    }
    Ok(done)
}

/// An I/O error's text without the path some libraries add to it (a temporary file's name
/// means nothing to the user).
pub fn os_text(e: &std::io::Error) -> String {
    e.raw_os_error().map_or_else(
        || e.kind().to_string(),
        |code| std::io::Error::from_raw_os_error(code).to_string(),
    )
}

/// The mode of a new file under this process's umask (`0666 & !umask`), as `aws s3 cp` and
/// every shell redirection make it. The umask is read from `/proc/self/status`, which leaves
/// it unchanged; `022` when it cannot be read.
pub fn file_mode() -> u32 {
    let umask = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022);
    0o666 & !umask
}

/// Maps an S3 failure to a message naming the action and the ARN.
pub fn explain<E>(err: &SdkError<E, HttpResponse>, action: &str, arn: &str) -> AuthError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (status, code) = match err {
        SdkError::ServiceError(ctx) => (
            ctx.raw().status().as_u16(),
            ctx.err().code().unwrap_or_default().to_owned(),
        ),
        SdkError::ResponseError(ctx) => (ctx.raw().status().as_u16(), String::new()),
        SdkError::TimeoutError(_) => {
            return AuthError::Service(format!("{action} on {arn} timed out"));
        }
        SdkError::DispatchFailure(_) => {
            return AuthError::Service(format!(
                "{action} on {arn} failed: cannot reach the S3 endpoint ({})",
                super::error::describe(err)
            ));
        }
        _ => (0, String::new()),
    };
    let arn = display_safe(arn);
    match (code.as_str(), status) {
        ("AccessDenied", _) | ("", 403) => {
            AuthError::Denied(format!("access denied: the role may not {action} on {arn}"))
        }
        ("NoSuchBucket", _) => AuthError::NotFound(format!("there is no bucket {arn}")),
        ("NoSuchKey", _) | ("", 404) => AuthError::NotFound(format!("there is no object {arn}")),
        ("ExpiredToken" | "ExpiredTokenException", _) => {
            AuthError::Expired("the role's credentials have expired".into())
        }
        ("InvalidAccessKeyId" | "SignatureDoesNotMatch" | "InvalidToken", _) => {
            AuthError::Credentials(format!(
                "S3 does not accept the role's credentials ({code})"
            ))
        }
        ("RequestTimeTooSkewed", _) => AuthError::Service(
            "S3 refused the request because this machine's clock is off; set the time".into(),
        ),
        ("SlowDown", _) | (_, 503) => AuthError::Service(format!(
            "{action} on {arn}: S3 asks to slow down; retry shortly"
        )),
        _ => AuthError::Service(format!(
            "{action} on {arn} failed ({}HTTP {status})",
            if code.is_empty() {
                String::new()
            } else {
                format!("{code}, ")
            }
        )),
    }
}

/// The buckets of the role's account (`s3:ListAllMyBuckets`; often denied to vendors).
pub async fn list_buckets(client: &aws_sdk_s3::Client) -> Result<Vec<String>, AuthError> {
    let out = client
        .list_buckets()
        .send()
        .await
        .map_err(|e| explain(&e, "s3:ListAllMyBuckets", "*"))?;
    Ok(out
        .buckets()
        .iter()
        .filter_map(|b| b.name().map(str::to_owned))
        .collect())
}

/// How much of an object a preview fetches.
pub const PREVIEW_BYTES: u64 = 64 * 1024;

/// The first [`PREVIEW_BYTES`] of an object (a ranged GET) and the object's full size.
pub async fn head_bytes(
    client: &aws_sdk_s3::Client,
    at: &S3Location,
) -> Result<(Vec<u8>, u64), AuthError> {
    let out = client
        .get_object()
        .bucket(&at.bucket)
        .key(&at.key)
        .range(format!("bytes=0-{}", PREVIEW_BYTES - 1))
        .send()
        .await
        .map_err(|e| explain(&e, "s3:GetObject", &at.object_arn()))?;
    let total = out
        .content_range()
        .and_then(|r| r.rsplit('/').next())
        .and_then(|t| t.parse().ok())
        .or_else(|| out.content_length().and_then(|l| u64::try_from(l).ok()))
        .unwrap_or(0);
    let bytes = out
        .body
        .collect()
        .await
        .map_err(|e| {
            AuthError::Service(format!(
                "reading {} broke off: {e}",
                display_safe(&at.to_string())
            ))
        })?
        .into_bytes();
    Ok((bytes.to_vec(), total))
}

#[cfg(test)]
mod tests {
    use super::url_decode;

    #[test]
    fn listing_keys_decode_as_s3_encodes_them() {
        assert_eq!(url_decode("a+b%2Bc"), "a b+c");
        assert_eq!(
            url_decode("logs/%1B%5B31m%E2%80%AE.txt"),
            "logs/\u{1b}[31m\u{202e}.txt"
        );
        assert_eq!(url_decode("plain/key.txt"), "plain/key.txt");
        assert_eq!(url_decode("bad%ZZ%"), "bad%ZZ%");
    }
}
