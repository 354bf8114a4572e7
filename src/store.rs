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
//! they are regular files of this user that nobody else can write ([`read_private`]).

pub mod usage;
pub mod watch;

use std::fs::OpenOptions;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
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
    /// From the environment (`XDG_CACHE_HOME`, `XDG_STATE_HOME`, `HOME`, `XROLE_CACHE`).
    pub fn from_env() -> Self {
        let home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from);
        Self {
            cache: crate::aws::cache::Cache::from_env().map(|c| c.dir().to_owned()),
            state: usage::path().and_then(|p| p.parent().map(Path::to_owned)),
            sso: home.map(|h| h.join(".aws/sso/cache")),
        }
    }
}

/// Reads a small file of the store: `None` when it is not there. Refused (an error naming the
/// file and why) when it is a symlink, not a regular file, not this user's, writable by others,
/// or over `max` bytes; never blocks on a pipe.
pub fn read_private(path: &Path, max: u64) -> Result<Option<Vec<u8>>, String> {
    let file = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(format!("{} is a symlink; it is not read", path.display()))
        }
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let meta = file
        .metadata()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let uid = rustix::process::getuid().as_raw();
    if !meta.is_file() {
        return Err(format!(
            "{} is not a regular file; it is not read",
            path.display()
        ));
    }
    if meta.uid() != uid {
        return Err(format!(
            "{} belongs to user {}, not to this user; it is not read",
            path.display(),
            meta.uid()
        ));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(format!(
            "{} can be written by other users (mode {:o}); it is not read",
            path.display(),
            meta.mode() & 0o777
        ));
    }
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if bytes.len() as u64 > max {
        return Err(format!("{} holds more than {max} bytes", path.display()));
    }
    Ok(Some(bytes))
}

/// Makes `dir` (and missing parents) 0700, then checks that it is a directory of this user
/// and not a symlink before its mode is ever changed: a planted link is refused, not followed.
pub fn ensure_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let meta = std::fs::symlink_metadata(dir)?;
    let uid = rustix::process::getuid().as_raw();
    if meta.file_type().is_symlink() || !meta.is_dir() || meta.uid() != uid {
        return Err(std::io::Error::other(format!(
            "{} is not a directory of this user (a link, a file or someone else's); it is not used",
            dir.display()
        )));
    }
    if meta.mode() & 0o777 != 0o700 {
        // Through the directory itself, opened without following a link.
        let handle = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_DIRECTORY)
            .open(dir)?;
        handle.set_permissions(std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_planted_link_is_refused_and_its_target_keeps_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::fs::create_dir(&target).unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755)).unwrap();
        let link = dir.path().join("state");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(ensure_private_dir(&link).is_err());
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o755, "the link was followed");
        let fresh = dir.path().join("new/state");
        ensure_private_dir(&fresh).unwrap();
        let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }

    #[test]
    fn store_files_that_are_links_open_to_others_or_not_ours_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("usage.json");
        std::fs::write(&good, b"{}").unwrap();
        std::fs::set_permissions(&good, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(
            read_private(&good, 10).unwrap().as_deref(),
            Some(&b"{}"[..])
        );
        assert_eq!(read_private(&dir.path().join("none"), 10).unwrap(), None);
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&good, &link).unwrap();
        assert!(read_private(&link, 10).unwrap_err().contains("symlink"));
        let open = dir.path().join("open");
        std::fs::write(&open, b"{}").unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o666)).unwrap();
        assert!(read_private(&open, 10)
            .unwrap_err()
            .contains("written by other users"));
        assert!(read_private(&good, 1).is_err(), "over the bound");
        if rustix::process::getuid().is_root() {
            let theirs = dir.path().join("theirs");
            std::fs::write(&theirs, b"/tmp/attacker").unwrap();
            std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).unwrap();
            assert!(read_private(&theirs, 100)
                .unwrap_err()
                .contains("not to this user"));
        }
    }
}
