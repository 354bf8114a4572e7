//! Rewriting the user's own config file (`sso populate --write`) without ever losing it: a
//! private backup of the bytes as they were, then a temporary file beside the real one (through
//! a symlink, as dotfile managers keep it), with the file's own mode, synced and renamed over
//! it. If the file changed since it was read, nothing is written.

use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Replaces the file at `path`, whose bytes were `old`, with `new`; with `backup`, keeps the old
/// bytes in `<file>.xrole-tui.bak` (0600) and gives its path. A file that held keys is never
/// backed up: the copy would be one more place with them on disk.
pub fn rewrite_user_file(
    path: &Path,
    old: &[u8],
    new: &[u8],
    backup: bool,
) -> io::Result<Option<PathBuf>> {
    // The file a symlink points to is the one rewritten; the link stays a link.
    let real = match std::fs::canonicalize(path) {
        Ok(p) => p,
        Err(e) if e.kind() == io::ErrorKind::NotFound => path.to_owned(),
        Err(e) => return Err(e),
    };
    let now = super::read_small_file(&real, super::MAX_FILE_BYTES)
        .map_err(io::Error::other)?
        .unwrap_or_default();
    if now != old {
        return Err(io::Error::other(format!(
            "{} changed while this command ran; nothing was written (run it again)",
            real.display()
        )));
    }
    let backup = if backup {
        let mut name = real.file_name().unwrap_or_default().to_owned();
        name.push(".xrole-tui.bak");
        let path = real.with_file_name(name);
        super::write_private(&path, old)?;
        Some(path)
    } else {
        None
    };
    let mode = std::fs::metadata(&real).map_or(0o600, |m| m.permissions().mode() & 0o7777);
    let dir = real.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".xrole-tui-")
        .tempfile_in(dir)?;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(mode))?;
    tmp.write_all(new)?;
    tmp.as_file().sync_all()?;
    tmp.persist(&real).map_err(|e| e.error)?;
    Ok(backup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_keeps_its_mode_and_link_and_a_backup_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("config.real");
        std::fs::write(&real, "old\n").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("config");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let backup = rewrite_user_file(&link, b"old\n", b"new\n", true)
            .unwrap()
            .unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new\n");
        let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        assert_eq!(std::fs::read(&backup).unwrap(), b"old\n");
        let bmode = std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777;
        assert_eq!(bmode, 0o600);
    }

    #[test]
    fn a_file_changed_meanwhile_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(&path, "theirs\n").unwrap();
        let e = rewrite_user_file(&path, b"mine\n", b"new\n", true).unwrap_err();
        assert!(e.to_string().contains("changed"), "{e}");
        assert_eq!(std::fs::read(&path).unwrap(), b"theirs\n");
    }
}
