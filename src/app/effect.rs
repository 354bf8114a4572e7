//! What the app asks the runtime to do.

use zeroize::Zeroizing;

use std::sync::Arc;

use super::RequestId;
use crate::domain::session::Session;
use crate::domain::Target;

/// Outputs of [`App::update`], carried out by the runtime.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Authenticate `profile`.
    Authenticate {
        /// The request.
        req: RequestId,
        /// The resolved profile.
        target: Arc<Target>,
        /// A role shell for a long run (`L`): the credentials' runway to secure first.
        run_for: Option<std::time::Duration>,
    },
    /// Give the waiting request its MFA code.
    ProvideMfa {
        /// The request.
        req: RequestId,
        /// The code (wiped on drop).
        code: Zeroizing<String>,
    },
    /// Sign in to the web console as `target` and open it at `page`.
    Console {
        /// The request.
        req: RequestId,
        /// The profile, resolved.
        target: Arc<Target>,
        /// Where the console opens.
        page: crate::domain::console::Page,
    },
    /// Revoke `target`'s older sessions (confirmed).
    Revoke {
        /// The request.
        req: RequestId,
        /// The profile, resolved.
        target: Arc<Target>,
    },
    /// Write the profiles `target`'s IAM Identity Center session offers (confirmed).
    Populate {
        /// The request.
        req: RequestId,
        /// A profile of the session.
        target: Arc<Target>,
    },
    /// List what `target`'s IAM Identity Center session offers.
    ListPortal {
        /// The request.
        req: RequestId,
        /// A profile of the session.
        target: Arc<Target>,
    },
    /// Abandon a request.
    Cancel(RequestId),
    /// Leave the screen and run the role shell.
    SpawnShell {
        /// The credentials.
        session: Session,
        /// The profile, resolved: the shell's credential endpoint renews its session.
        target: Arc<Target>,
    },
    /// `ListBuckets` in the role.
    S3ListBuckets {
        /// The request.
        req: RequestId,
        /// The role's credentials.
        session: Session,
        /// The profile they belong to (its region, endpoints and client settings).
        target: Arc<Target>,
    },
    /// One page of a one-level listing.
    S3List {
        /// The request.
        req: RequestId,
        /// The role's credentials.
        session: Session,
        /// The profile they belong to (its region, endpoints and client settings).
        target: Arc<Target>,
        /// Where.
        at: crate::domain::s3_path::S3Location,
        /// The page token, `None` for the first.
        token: Option<String>,
    },
    /// The first 64 KiB of an object.
    S3Preview {
        /// The request.
        req: RequestId,
        /// The role's credentials.
        session: Session,
        /// The profile they belong to (its region, endpoints and client settings).
        target: Arc<Target>,
        /// The object.
        at: crate::domain::s3_path::S3Location,
    },
    /// Download every object under a prefix into `dir`.
    S3DownloadTree {
        /// The request.
        req: RequestId,
        /// The role's credentials.
        session: Session,
        /// The profile they belong to.
        target: Arc<Target>,
        /// The prefix (ends with `/`).
        at: crate::domain::s3_path::S3Location,
        /// The directory to fill.
        dir: std::path::PathBuf,
        /// Make the directory's parent when it does not exist (the user said yes).
        create: bool,
    },
    /// `HeadObject` on an object.
    S3Head {
        /// The request.
        req: RequestId,
        /// The role's credentials.
        session: Session,
        /// The profile they belong to.
        target: Arc<Target>,
        /// The object.
        at: crate::domain::s3_path::S3Location,
    },
    /// Download an object to `dest`.
    S3Download {
        /// The request.
        req: RequestId,
        /// The role's credentials.
        session: Session,
        /// The profile they belong to (its region, endpoints and client settings).
        target: Arc<Target>,
        /// The object.
        at: crate::domain::s3_path::S3Location,
        /// The file to create, as typed (`~` and `$VAR` are expanded when it runs).
        dest: std::path::PathBuf,
        /// Make its directory when it does not exist (the user said yes).
        create: bool,
    },
    /// Forget the cached sessions of `target` (all of them with `None`), then scan the cache
    /// again.
    Forget(Option<Arc<Target>>),
    /// Read the cached sessions again (another process opened or forgot one).
    ScanSessions,
    /// Read the usage history again (a profile was used somewhere).
    LoadUsage,
    /// `pick`: the profile was chosen and its session opened; the program ends with it.
    Picked {
        /// The session.
        session: Session,
        /// The profile, resolved.
        target: Arc<Target>,
    },
    /// Complete the download prompt's path (Tab): the directories it could go on with.
    CompletePath(String),
    /// Put this text on the clipboard (OSC 52 through the terminal, which works over SSH, and
    /// wl-copy, xclip or pbcopy when one is there).
    Copy(crate::domain::text::SecretText),
    /// Remember this download directory for the next runs.
    RememberDir(std::path::PathBuf),
    /// A profile was used (authenticated): it moves up in the recent-first order next time.
    Used(String),
    /// End the program.
    Quit,
}
