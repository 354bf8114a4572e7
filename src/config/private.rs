//! This user's private files and directories, for every part that keeps state (the cache, the
//! store, the SSO token): written atomically 0600, read only when they are ours and nobody
//! else's to write, directories made 0700 and never chmod'ed through a link.

use std::fs::OpenOptions;
use std::io::{self, Read};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;

/// Writes `bytes` to `path` as a private file (0600 whatever the umask), through a temporary
/// file in the same directory renamed over the old one, so a reader sees the old file or the
/// new one, never half of one. The directory must exist.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
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
