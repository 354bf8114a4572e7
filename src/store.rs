//! The state that processes share, and the watch that tells each process when another one
//! changed it.
//!
//! Every process of this tool (the TUI, a served `exec` or role shell, `whoami`, `clear`,
//! `revoke`) keeps its sessions in files: the credential cache (`aws::cache`: role sessions,
//! MFA sessions, SSO role credentials), the SSO tokens in `~/.aws/sso/cache`, and the usage
//! history (`usage`). [`watch`] follows those directories (inotify through `notify`, or a
//! rescan every two seconds where no watch can be set) and reports each change as a
//! [`Change`] within a fraction of a second, so a TUI, an endpoint or `status` never shows a
//! session another process forgot, and shows the ones it opened.
//!
//! Files of the store are read as the cache reads its own: never through a symlink, only when
//! they are regular files of this user that nobody else can write (`config::read_private`).

pub mod usage;
pub mod watch;

use std::path::{Path, PathBuf};

pub use watch::{watch, Watch};

/// What changed in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Change {
    /// A session was opened or renewed (a cache file written).
    Opened,
    /// A session was forgotten (`clear`, `x`, a revocation, a rejected session): a cache file
    /// removed.
    Forgotten,
    /// A profile was used (the usage history or the download directory changed).
    Used,
    /// An IAM Identity Center token was written (a login, a refresh, a logout).
    SsoToken,
}

/// The directories of the store, as this process finds them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dirs {
    /// The credential cache; `None` when the cache is off.
    pub cache: Option<PathBuf>,
    /// The state directory (usage history, download directory).
    pub state: Option<PathBuf>,
    /// `~/.aws/sso/cache`.
    pub sso: Option<PathBuf>,
}

impl Dirs {
    /// From the environment (`XDG_CACHE_HOME`, `XDG_STATE_HOME`, `HOME`, `XROLE_CACHE`,
    /// `XROLE_SSO_CACHE_DIR`).
    pub fn from_env() -> Self {
        Self {
            cache: crate::aws::cache::Cache::from_env().map(|c| c.dir().to_owned()),
            state: usage::path().and_then(|p| p.parent().map(Path::to_owned)),
            sso: crate::aws::sso::cache_dir(),
        }
    }
}
