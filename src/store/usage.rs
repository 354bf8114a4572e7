//! The files behind the recent-first order and the remembered download directory: `$XDG_STATE_HOME/xrole-tui/usage.json` (default
//! `~/.local/state/xrole-tui/usage.json`), 0600 in a 0700 directory whatever the umask,
//! replaced atomically. It holds profile names and times, no secret.

use std::path::PathBuf;
use std::time::SystemTime;

use crate::domain::frecency::Usage;

/// The largest file read (500 profiles take about 40 KiB).
const MAX_BYTES: u64 = 1024 * 1024;

/// Where the file is, or `None` when no home is known.
pub fn path() -> Option<PathBuf> {
    Some(crate::config::state_dir()?.join("usage.json"))
}

/// The history; empty when there is none or it cannot be read (it only orders a list). A file
/// that is not this user's own, or that others can write, is not read (see `store`).
pub fn load() -> Usage {
    path()
        .and_then(|p| crate::config::read_private(&p, MAX_BYTES).ok().flatten())
        .map(|b| Usage::parse(&b))
        .unwrap_or_default()
}

/// An exclusive lock on the history for a read-modify-write (`usage.lock` beside it), so that
/// concurrent uses are all kept. Waited for a bounded time; without it the write goes ahead.
fn lock(dir: &std::path::Path) -> Option<std::fs::File> {
    use rustix::fs::{flock, FlockOperation};
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(dir.join("usage.lock"))
        .ok()?;
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(2) {
        if flock(&file, FlockOperation::NonBlockingLockExclusive).is_ok() {
            return Some(file);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    None
}

/// Records a use of `profile` now. Failing to write only costs the order, so the error is
/// returned for the caller to say or ignore.
pub fn record(profile: &str) -> std::io::Result<()> {
    let Some(path) = path() else {
        return Ok(());
    };
    let now = SystemTime::now();
    // Uses in a burst (a script calling `env` in a loop) count once, and cost no write.
    if load().used_within(profile, now, crate::domain::frecency::BURST) {
        return Ok(());
    }
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    crate::config::ensure_private_dir(dir)?;
    let _held = lock(dir);
    let mut usage = load();
    usage.record(profile, now);
    crate::config::write_private(&path, &usage.to_json())
}

/// The download directory chosen last (`download-dir` beside the history), if it still is one.
pub fn download_dir() -> Option<PathBuf> {
    let file = path()?.with_file_name("download-dir");
    let bytes = crate::config::read_private(&file, 4096).ok().flatten()?;
    let dir = PathBuf::from(String::from_utf8(bytes).ok()?.trim_end_matches('\n'));
    dir.is_dir().then_some(dir)
}

/// Remembers `dir` as the download directory (written as the history is).
pub fn remember_download_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let Some(file) = path().map(|p| p.with_file_name("download-dir")) else {
        return Ok(());
    };
    let parent = file.parent().unwrap_or(std::path::Path::new("."));
    crate::config::ensure_private_dir(parent)?;
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    crate::config::write_private(&file, absolute.to_string_lossy().as_bytes())
}
