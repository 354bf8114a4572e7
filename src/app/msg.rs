//! What comes into the app: keys, ticks and the replies of background work.

use crossterm::event::KeyEvent;

use super::s3;
use crate::aws::error::AuthError;
use crate::domain::session::Session;

/// Identifies one request; a reply carrying an older id is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestId(pub u64);

/// What the user asked for with a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Authenticate, then open a shell (Enter).
    Shell,
    /// Authenticate and show the identity (`i`).
    Identify,
    /// Authenticate, then open the S3 browser (`s`).
    S3,
    /// Sign in to the web console (`c`, or `o` in the S3 browser).
    Console,
    /// Revoke every older session of the profile's role or user (`R`, after a confirmation).
    Revoke,
    /// `pick`: authenticate, then hand the session to the calling shell (Enter).
    Pick,
    /// `p` (confirmed): write a profile for every account and role its IAM Identity Center
    /// session offers.
    Populate,
    /// `A`: list what its IAM Identity Center session offers.
    Portal,
}

/// A successful authentication, as reported by the runtime.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The credentials (redacted in `Debug`).
    pub session: Session,
    /// Notes to show.
    pub notes: Vec<String>,
    /// The profile as it was opened, when that differs from the one asked for (a runway
    /// lengthened its MFA session): its shell is served from this one.
    pub target: Option<std::sync::Arc<crate::domain::Target>>,
}

/// Inputs of [`App::update`].
#[derive(Debug, Clone)]
pub enum Msg {
    /// A key press.
    Key(KeyEvent),
    /// The terminal was resized; its width.
    Resize(u16),
    /// Time passed (the countdown and the spinner).
    Tick,
    /// A running authentication needs a code for `serial`.
    MfaNeeded {
        /// The request.
        req: RequestId,
        /// The device.
        serial: String,
    },
    /// An authentication ended.
    AuthDone {
        /// The request.
        req: RequestId,
        /// Its result.
        result: Result<Authenticated, AuthError>,
    },
    /// A running authentication has something to say (another process holds its lock).
    Notice {
        /// The request.
        req: RequestId,
        /// For a person.
        text: String,
    },
    /// A console sign-in or a revocation ended: what to tell the user, or why it failed.
    Done {
        /// The request.
        req: RequestId,
        /// What happened.
        result: Result<String, AuthError>,
    },
    /// Ctrl-Z could not stop the job: no shell with job control would continue it.
    CannotSuspend,
    /// The role shell ended; its status, as a person reads it.
    ShellExited(String),
    /// The sessions found in the cache (at start, and again after forgetting some): they
    /// replace the badges.
    CachedSessions(Vec<crate::aws::broker::LiveSession>),
    /// The AWS files changed and were read again (or could not be).
    Reloaded(Result<std::sync::Arc<crate::domain::ProfileSet>, String>),
    /// A running authentication signs in to IAM Identity Center first: the page to open.
    SsoLogin {
        /// The request.
        req: RequestId,
        /// The page.
        url: String,
        /// The device flow's code.
        code: Option<String>,
        /// Whether a browser was opened, or why not.
        browser: Option<Result<(), String>>,
    },
    /// What an IAM Identity Center portal offers (`A`), or why it could not be listed.
    Portal {
        /// The request.
        req: RequestId,
        /// Accounts and roles.
        result: Result<Vec<crate::domain::sso_populate::Offered>, AuthError>,
    },
    /// A console link that no browser could open: shown (its token left out) for copying.
    ConsoleLink {
        /// The request.
        req: RequestId,
        /// The link.
        url: crate::domain::text::SecretText,
        /// Why no browser opened it.
        why: String,
    },
    /// A download's directory does not exist: the browser asks whether to make it.
    DownloadDirMissing {
        /// The request.
        req: RequestId,
        /// The object or folder.
        at: crate::domain::s3_path::S3Location,
        /// The directory, as typed.
        typed: std::path::PathBuf,
        /// The directory, expanded.
        dir: std::path::PathBuf,
    },
    /// Tab in the download prompt: the path as completed, for the text it was asked for.
    PathCompleted {
        /// What was typed.
        typed: String,
        /// What it becomes.
        completed: String,
    },
    /// `y`: what was copied and how, or why nothing was.
    Copied(Result<String, String>),
    /// `x` / `X` done: how many cached sessions were removed, or why not.
    Forgotten(Result<usize, String>),
    /// Some process (this one or another) changed the shared store.
    StoreChanged(crate::store::Change),
    /// The usage history read again: profile names, most used lately first.
    UsageLoaded(Vec<String>),
    /// `ListBuckets` answered.
    S3Buckets {
        /// The request.
        req: RequestId,
        /// Bucket names, or why not.
        result: Result<Vec<String>, AuthError>,
    },
    /// A page of a listing arrived.
    S3Page {
        /// The request.
        req: RequestId,
        /// The page, or why not.
        result: Result<crate::aws::s3::Page, AuthError>,
    },
    /// The first bytes of an object arrived.
    S3Previewed {
        /// The request.
        req: RequestId,
        /// The preview, or why not.
        result: Result<s3::Preview, AuthError>,
    },
    /// `HeadObject` answered.
    S3Headed {
        /// The request.
        req: RequestId,
        /// The object's key.
        key: String,
        /// Its headers, or why not.
        result: Result<crate::aws::s3::ObjectHead, AuthError>,
    },
    /// A download made progress.
    S3Progress {
        /// The request.
        req: RequestId,
        /// Bytes so far.
        done: u64,
        /// Bytes in all.
        total: Option<u64>,
        /// A folder download: files finished and files in all.
        files: Option<(usize, usize)>,
    },
    /// A download ended.
    S3Downloaded {
        /// The request.
        req: RequestId,
        /// Where it went, or why not.
        result: Result<std::path::PathBuf, AuthError>,
    },
}
