//! Cross-process locks beside the cache: one per cache key, and one per MFA device, held around
//! "read the cache → call STS → write the cache". Concurrent processes wait and then use the
//! one result, so twenty `credential-process` helpers started at once cost one MFA code.
//!
//! A lock is `flock` on a 0600 file in the cache's 0700 directory, opened without following
//! links. The kernel drops it when its holder dies, even by SIGKILL, so a crashed holder never
//! blocks anyone. The holder writes its pid and what it is doing into the file; a waiter shows
//! that after [`REPORT_AFTER`] and gives up after [`WAIT_PROMPTING`] when the holder is asking
//! a person for a code, else after [`WAIT_WORKING`].

use std::fs::{File, OpenOptions, Permissions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::time::{Duration, Instant};

use rustix::fs::{flock, FlockOperation};

/// A waiter says who holds the lock after this long.
pub const REPORT_AFTER: Duration = Duration::from_secs(2);
/// The longest wait for a holder that is asking for an MFA code (a person typing, a key touch).
pub const WAIT_PROMPTING: Duration = Duration::from_secs(120);
/// The longest wait for a holder that is only calling AWS.
pub const WAIT_WORKING: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(40);

/// A held lock; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct Held {
    file: File,
}

/// Why a lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// The lock file could not be opened or is not ours.
    #[error("cannot use the lock file {path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// Another process held it past the bound.
    #[error("gave up after {waited}s waiting for {holder}")]
    Timeout {
        /// Seconds waited.
        waited: u64,
        /// Who held it, for a person.
        holder: String,
    },
}

impl Held {
    /// Records what the holder does now (`prompting`: a person is being asked for a code).
    pub fn set_state(&mut self, prompting: bool, doing: &str) {
        let text = format!(
            "{}\t{}\t{}\n",
            std::process::id(),
            if prompting { "prompting" } else { "working" },
            doing.replace(['\n', '\t'], " ")
        );
        let _ = self.file.set_len(0);
        let _ = self.file.seek(SeekFrom::Start(0));
        let _ = self.file.write_all(text.as_bytes());
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = flock(&self.file, FlockOperation::Unlock);
    }
}

/// Opens (or makes, 0600) the lock file at `path` without following a link or waiting on a
/// pipe; refuses anything that is not a regular file of this user.
fn open_own(path: &Path) -> Result<std::fs::File, String> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) {
                "it is a symlink".to_owned()
            } else {
                e.to_string()
            }
        })?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() || meta.uid() != rustix::process::getuid().as_raw() {
        return Err("it is not a regular file of this user".into());
    }
    if meta.mode() & 0o077 != 0 {
        file.set_permissions(Permissions::from_mode(0o600))
            .map_err(|e| e.to_string())?;
    }
    Ok(file)
}

/// Removes whatever is at `path` (the link itself, never its target).
fn remove_entry(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) => {
            std::fs::remove_dir(path).map_err(|_| e)
        }
        other => other,
    }
}

/// Takes the lock `name` in `dir` (which must exist, 0700), waiting for another holder within
/// the bounds above. `report` is called once, after [`REPORT_AFTER`], with who holds it.
pub async fn acquire(
    dir: &Path,
    name: &str,
    prompting: bool,
    doing: &str,
    report: &mut (dyn FnMut(&str) + Send),
) -> Result<Held, LockError> {
    acquire_within(dir, name, prompting, doing, None, report).await
}

/// [`acquire`] with one bound for every holder, for a holder that waits on a person's browser
/// (an IAM Identity Center login, up to ten minutes).
pub async fn acquire_within(
    dir: &Path,
    name: &str,
    prompting: bool,
    doing: &str,
    bound: Option<Duration>,
    report: &mut (dyn FnMut(&str) + Send),
) -> Result<Held, LockError> {
    let path = dir.join(format!("{name}.lock"));
    let fail = |reason: String| LockError::File {
        path: path.display().to_string(),
        reason,
    };
    let file = match open_own(&path) {
        Ok(file) => file,
        Err(why) => {
            // The directory is ours (0700): whatever else sits at the lock's path (a link, a
            // file of another user, a pipe) is in the way, not in charge. It is replaced once,
            // without following it, and said.
            remove_entry(&path)
                .map_err(|e| fail(format!("{why}; it could not be removed: {e}")))?;
            let file = open_own(&path).map_err(fail)?;
            report(&format!(
                "replaced the lock file {} ({why})",
                crate::domain::text::display_safe(&path.display().to_string())
            ));
            file
        }
    };
    let started = Instant::now();
    let mut reported = false;
    let mut holder_prompting = false;
    loop {
        match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {
                let mut held = Held { file };
                held.set_state(prompting, doing);
                return Ok(held);
            }
            Err(e) if e == rustix::io::Errno::WOULDBLOCK || e == rustix::io::Errno::INTR => {}
            Err(e) => return Err(fail(e.to_string())),
        }
        let holder = read_holder(&file);
        holder_prompting |= holder.prompting;
        let waited = started.elapsed();
        if !reported && waited >= REPORT_AFTER {
            reported = true;
            report(&format!("waiting for {}", holder.describe()));
        }
        let bound = bound.unwrap_or(if holder_prompting {
            WAIT_PROMPTING
        } else {
            WAIT_WORKING
        });
        if waited >= bound {
            return Err(LockError::Timeout {
                waited: waited.as_secs(),
                holder: holder.describe(),
            });
        }
        tokio::time::sleep(POLL).await;
    }
}

struct Holder {
    pid: Option<u32>,
    prompting: bool,
    doing: String,
}

impl Holder {
    fn describe(&self) -> String {
        match self.pid {
            Some(pid) => format!("process {pid}, which is {}", self.doing),
            None => "another process".to_owned(),
        }
    }
}

fn read_holder(mut file: &File) -> Holder {
    let mut text = String::new();
    let _ = file.seek(SeekFrom::Start(0));
    let _ = file.take(1024).read_to_string(&mut text);
    let mut parts = text.trim_end().splitn(3, '\t');
    let pid = parts.next().and_then(|p| p.parse().ok());
    let prompting = parts.next() == Some("prompting");
    let doing = crate::domain::text::display_safe(parts.next().unwrap_or("busy")).into_owned();
    Holder {
        pid,
        prompting,
        doing,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn a_second_holder_waits_and_hears_who_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut quiet = |_: &str| {};
        let first = acquire(dir.path(), "k", true, "asking for a code", &mut quiet)
            .await
            .unwrap();
        // flock locks belong to the open file, so a second open in this process conflicts too.
        let mut heard = Vec::new();
        let mut note = |s: &str| heard.push(s.to_owned());
        let second = tokio::time::timeout(
            Duration::from_millis(300),
            acquire(dir.path(), "k", false, "calling", &mut note),
        )
        .await;
        assert!(second.is_err(), "the lock was taken twice");
        drop(first);
        let again = acquire(dir.path(), "k", false, "calling", &mut quiet).await;
        assert!(again.is_ok());
        let meta = std::fs::metadata(dir.path().join("k.lock")).unwrap();
        assert_eq!(meta.mode() & 0o777, 0o600);
    }

    #[tokio::test]
    async fn a_planted_symlink_is_replaced_without_touching_its_target_and_said_once() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, "keep me").unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join("s.lock")).unwrap();
        let mut heard = Vec::new();
        let mut note = |s: &str| heard.push(s.to_owned());
        let held = acquire(dir.path(), "s", false, "x", &mut note).await;
        assert!(held.is_ok());
        drop(held);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
        let meta = std::fs::symlink_metadata(dir.path().join("s.lock")).unwrap();
        assert!(meta.is_file(), "a plain file now");
        assert_eq!(heard.len(), 1, "{heard:?}");
        assert!(heard[0].contains("symlink"), "{heard:?}");
        let mut quiet = |_: &str| {};
        assert!(acquire(dir.path(), "s", false, "x", &mut quiet)
            .await
            .is_ok());
    }

    #[test]
    fn the_holder_line_is_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.lock");
        std::fs::write(&path, "4242\tprompting\tasking for a code for arn:x\n").unwrap();
        let h = read_holder(&File::open(&path).unwrap());
        assert_eq!(h.pid, Some(4242));
        assert!(h.prompting);
        assert_eq!(
            h.describe(),
            "process 4242, which is asking for a code for arn:x"
        );
    }
}
