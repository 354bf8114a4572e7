//! Private directories for what a served child and a console link need on disk: the child's
//! copies of the AWS files, the control socket, the redirecting page of a sign-in link.
//!
//! Each is a fresh directory inside one base directory of this user: `$XDG_RUNTIME_DIR/xrole-tui`
//! when the runtime directory is there and private, else `$TMPDIR/xrole-tui-UID`. Every
//! directory is made 0700 whatever the umask, and its owner and mode are checked after it is
//! made (a directory planted by another user, or a symlink, is never used). Each holds an
//! `owner` file with the process that made it, so one left behind by a process that was killed
//! is removed by the next process that makes one.

use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The name of the file that says which process a directory belongs to.
const OWNER: &str = "owner";
/// What every directory made here starts with (and only such entries are ever swept).
const PREFIX: &str = "xrole-";
/// A directory with no owner file yet may be in the making; older than this, it was abandoned.
const ORPHAN_AGE: Duration = Duration::from_secs(60);

/// A private directory, removed with its contents when dropped.
#[derive(Debug)]
pub struct PrivateDir {
    dir: tempfile::TempDir,
}

impl PrivateDir {
    /// Makes a new private directory named `xrole-KIND-…`, sweeping away those of processes
    /// that are gone.
    pub fn new(kind: &str) -> Result<Self, String> {
        let base = base_dir()?;
        sweep(&base);
        let dir = tempfile::Builder::new()
            .prefix(&format!("{PREFIX}{kind}-"))
            .permissions(fs::Permissions::from_mode(0o700))
            .tempdir_in(&base)
            .map_err(|e| format!("cannot make a private directory in {}: {e}", base.display()))?;
        // The umask can only take bits away; set the mode itself, then check what is there.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700))
            .map_err(|e| format!("cannot make {} private: {e}", dir.path().display()))?;
        check_private(dir.path())?;
        write_owner(dir.path())
            .map_err(|e| format!("cannot write in {}: {e}", dir.path().display()))?;
        Ok(Self { dir })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a new private file (0600, never an existing one) named `name` in the directory.
    pub fn write(&self, name: &str, body: &[u8]) -> Result<PathBuf, String> {
        let path = self.dir.path().join(name);
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path)
            .and_then(|mut f| {
                f.set_permissions(fs::Permissions::from_mode(0o600))?;
                f.write_all(body)
            })
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(path)
    }
}

/// The base directory of this user, made and checked.
pub fn base_dir() -> Result<PathBuf, String> {
    let uid = rustix::process::getuid().as_raw();
    if let Some(runtime) = std::env::var_os("XDG_RUNTIME_DIR").filter(|v| !v.is_empty()) {
        let runtime = PathBuf::from(runtime);
        // Used only when it is what the specification says it is: ours, 0700, a directory.
        if check_private(&runtime).is_ok() {
            let base = runtime.join("xrole-tui");
            if ensure_private(&base).is_ok() {
                return Ok(base);
            }
        }
    }
    let base = std::env::temp_dir().join(format!("xrole-tui-{uid}"));
    ensure_private(&base)?;
    Ok(base)
}

/// Makes `dir` (0700) unless it is there, then checks it (see `config::ensure_private_dir`).
fn ensure_private(dir: &Path) -> Result<(), String> {
    crate::config::ensure_private_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))
}

/// A directory that is this user's, not a symlink, and open to nobody else.
pub fn check_private(dir: &Path) -> Result<(), String> {
    let meta = fs::symlink_metadata(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let uid = rustix::process::getuid().as_raw();
    if meta.file_type().is_symlink() || !meta.is_dir() {
        return Err(format!(
            "{} is not a directory (a link or a file is there); it is not used",
            dir.display()
        ));
    }
    if meta.uid() != uid {
        return Err(format!(
            "{} belongs to user {}, not to this user; it is not used",
            dir.display(),
            meta.uid()
        ));
    }
    if meta.mode() & 0o077 != 0 {
        return Err(format!(
            "{} is open to other users (mode {:o}); it is not used",
            dir.display(),
            meta.mode() & 0o777
        ));
    }
    Ok(())
}

/// This process, as `PID START` (the start time tells a reused PID apart).
fn me() -> String {
    let pid = std::process::id();
    format!("{pid} {}", start_time(pid).unwrap_or_default())
}

/// A process's start time in clock ticks since boot (field 22 of `/proc/PID/stat`).
fn start_time(pid: u32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: count after the last ')'.
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(19)?.parse().ok()
}

fn write_owner(dir: &Path) -> std::io::Result<()> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(dir.join(OWNER))?
        .write_all(me().as_bytes())
}

/// Whether the process an `owner` file names is still running.
fn alive(owner: &str) -> bool {
    let mut parts = owner.split_whitespace();
    let (Some(pid), start) = (
        parts.next().and_then(|p| p.parse::<u32>().ok()),
        parts.next(),
    ) else {
        return false;
    };
    match (start_time(pid), start.and_then(|s| s.parse::<u64>().ok())) {
        (Some(now), Some(then)) => now == then,
        (Some(_), None) => true,
        (None, _) => Path::new(&format!("/proc/{pid}")).exists(),
    }
}

/// Removes the directories whose process is gone (killed, or crashed before its clean-up).
pub fn sweep(base: &Path) {
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    let uid = rustix::process::getuid().as_raw();
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(PREFIX) {
            continue;
        }
        let path = entry.path();
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.is_dir() || meta.uid() != uid {
            continue;
        }
        let mut owner = String::new();
        let read = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(path.join(OWNER))
            .and_then(|f| f.take(128).read_to_string(&mut owner));
        let stale = match read {
            Ok(_) => !alive(&owner),
            Err(_) => meta
                .modified()
                .ok()
                .and_then(|m| SystemTime::now().duration_since(m).ok())
                .is_some_and(|age| age > ORPHAN_AGE),
        };
        if stale {
            let _ = fs::remove_dir_all(&path);
        }
    }
}
