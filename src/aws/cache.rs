//! The credential cache: one 0600 JSON file per result in a 0700 directory, written atomically,
//! never through a symlink. A file that cannot be read or parsed is a miss.

use std::fs::{self, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::domain::session::{parse_rfc3339, rfc3339, CallerIdentity, Credentials};

/// An entry is a few hundred bytes; anything larger than this is not ours and is not read.
pub const MAX_ENTRY_BYTES: u64 = 64 * 1024;

/// What a cache entry holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The credentials.
    pub credentials: Credentials,
    /// Their identity, when known.
    pub identity: Option<CallerIdentity>,
}

/// The most cache files [`Cache::live`] looks at (a session is a few hundred bytes; this is
/// far more than any user has, and bounds the work on a directory filled by something else).
pub const MAX_SCANNED: usize = 4096;

/// What the session badges need of a cache entry: no credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveEntry {
    /// When its credentials expire.
    pub expiration: Option<SystemTime>,
    /// Their identity, when known.
    pub identity: Option<CallerIdentity>,
    /// When the entry was written (the most recent one is the last session opened).
    pub written: SystemTime,
}

#[derive(Serialize, Deserialize)]
struct OnDisk {
    version: u32,
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    expiration: String,
    account: Option<String>,
    arn: Option<String>,
    user_id: Option<String>,
}

impl Drop for OnDisk {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.secret_access_key.zeroize();
        if let Some(t) = self.session_token.as_mut() {
            t.zeroize();
        }
    }
}

/// A cache key: a digest of everything that changes the result of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key(String);

impl Key {
    /// Digests `parts` (call name, role ARN, source identity, MFA serial, external id,
    /// duration, session name, ...). Parts are length-prefixed, so no two lists collide.
    pub fn new(parts: &[&str]) -> Self {
        let mut h = Sha256::new();
        h.update(b"xrole-cache-v1");
        for p in parts {
            h.update((p.len() as u64).to_le_bytes());
            h.update(p.as_bytes());
        }
        let digest = h.finalize();
        Key(crate::domain::text::hex(&digest))
    }

    /// The hex digest (also the file name, plus `.json`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The cache directory.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
    /// An entry is reused only with more than this left (`XROLE_MIN_TTL`).
    min_ttl: Duration,
}

impl Cache {
    /// `$XDG_CACHE_HOME/xrole-tui`, else `~/.cache/xrole-tui`; `None` when turned off with
    /// `XROLE_CACHE=none` or when no home is known.
    pub fn from_env() -> Option<Self> {
        if std::env::var_os("XROLE_CACHE").is_some_and(|v| v == "none") {
            return None;
        }
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|v| !v.is_empty())
                    .map(|h| PathBuf::from(h).join(".cache"))
            })?;
        Some(Self::at(base.join("xrole-tui")))
    }

    /// A cache in `dir`, reusing entries with more than the default five minutes left.
    pub fn at(dir: PathBuf) -> Self {
        Self {
            dir,
            min_ttl: crate::domain::session::REUSE_WINDOW,
        }
    }

    /// The same cache, reusing entries with more than `min_ttl` left.
    #[must_use]
    pub fn with_min_ttl(mut self, min_ttl: Duration) -> Self {
        self.min_ttl = min_ttl;
        self
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &Key) -> PathBuf {
        self.dir.join(format!("{}.json", key.as_str()))
    }

    /// The entry for `key`, if present, readable, ours and not expired at `now` (reuse needs
    /// more than five minutes left: [`Credentials::reusable`]).
    pub fn get(&self, key: &Key, now: SystemTime) -> Option<Entry> {
        let path = self.path(key);
        // No links followed, and no wait: a FIFO planted in its place must not block the open.
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(&path)
            .ok()?;
        let meta = file.metadata().ok()?;
        if !meta.is_file() || meta.uid() != current_uid() || meta.mode() & 0o077 != 0 {
            return None; // not a file, not ours, or readable by others: never trusted
        }
        let mut text = Zeroizing::new(String::new());
        let fits = file
            .take(MAX_ENTRY_BYTES + 1)
            .read_to_string(&mut text)
            .is_ok_and(|n| n as u64 <= MAX_ENTRY_BYTES);
        let parsed = if fits {
            serde_json::from_str::<OnDisk>(&text).ok()
        } else {
            None
        };
        let Some(disk) = parsed else {
            let _ = fs::remove_file(&path); // corrupt: a miss, and out of the way
            return None;
        };
        let entry = disk.to_entry()?;
        entry
            .credentials
            .reusable_for(now, self.min_ttl)
            .then_some(entry)
    }

    /// Every entry that has not expired at `now`, by key: its expiry, its identity and when it
    /// was written, for the TUI's session badges. Credentials are read and wiped at once; an
    /// entry that is not ours, not private, too large or not ours to parse is skipped. At most
    /// [`MAX_SCANNED`] files are looked at.
    pub fn live(&self, now: SystemTime) -> std::collections::HashMap<String, LiveEntry> {
        let mut live = std::collections::HashMap::new();
        let Ok(dir) = fs::read_dir(&self.dir) else {
            return live;
        };
        for e in dir.flatten().take(MAX_SCANNED) {
            let name = e.file_name();
            let Some(key) = name.to_str().and_then(|n| n.strip_suffix(".json")) else {
                continue;
            };
            if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
                continue; // a temporary file, or not ours
            }
            let Some(entry) = self.get(&Key(key.to_owned()), now) else {
                continue;
            };
            let written = e
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(SystemTime::UNIX_EPOCH);
            live.insert(
                key.to_owned(),
                LiveEntry {
                    expiration: entry.credentials.expiration,
                    identity: entry.identity,
                    written,
                },
            );
        }
        live
    }

    /// True when an entry for `key` is on disk, whatever its state.
    pub fn contains(&self, key: &Key) -> bool {
        fs::symlink_metadata(self.path(key)).is_ok()
    }

    /// Stores `entry` under `key`: a private temporary file in the same directory, renamed over
    /// the old one, so a reader sees the old file or the new one, never half of one.
    pub fn put(&self, key: &Key, entry: &Entry) -> std::io::Result<()> {
        self.ensure_dir()?;
        let disk = OnDisk::from_entry(entry);
        let json = Zeroizing::new(serde_json::to_vec(&disk).map_err(std::io::Error::other)?);
        crate::config::write_private(&self.path(key), &json)
    }

    /// Removes the entry for `key`; true when there was one (a revoked or forgotten session
    /// must not be served again).
    pub fn remove(&self, key: &Key) -> std::io::Result<bool> {
        match fs::remove_file(self.path(key)) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// True when `code` was used on MFA device `serial` within the last
    /// [`crate::domain::totp::REPLAY_WINDOW`] (AWS refuses a code twice, so sending it again
    /// would only cost a rejection). Only a digest of the device and code is kept.
    pub fn code_used(&self, serial: &str, code: &str, now: SystemTime) -> bool {
        let path = self.used_path(serial, code);
        fs::symlink_metadata(&path)
            .ok()
            .filter(|m| m.is_file() && m.uid() == current_uid())
            .and_then(|m| m.modified().ok())
            .is_some_and(|at| crate::domain::totp::still_fresh(at, now))
    }

    /// Records that `code` was accepted for `serial` now, and drops records past their window.
    pub fn mark_code_used(&self, serial: &str, code: &str, now: SystemTime) -> std::io::Result<()> {
        self.ensure_dir()?;
        if let Ok(dir) = fs::read_dir(&self.dir) {
            for e in dir.flatten() {
                let stale = e.path().extension().is_some_and(|x| x == "used")
                    && e.metadata()
                        .and_then(|m| m.modified())
                        .is_ok_and(|at| !crate::domain::totp::still_fresh(at, now));
                if stale {
                    let _ = fs::remove_file(e.path());
                }
            }
        }
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(self.used_path(serial, code))
            .map(|_| ())
    }

    fn used_path(&self, serial: &str, code: &str) -> PathBuf {
        let key = Key::new(&["mfa-code-used", serial, code]);
        self.dir.join(format!("{}.used", key.as_str()))
    }

    /// Removes every entry (`clear` with no profile); returns how many there were.
    pub fn clear(&self) -> std::io::Result<usize> {
        match fs::read_dir(&self.dir) {
            Ok(entries) => {
                let mut removed = 0;
                for e in entries.flatten() {
                    if e.path().extension().is_some_and(|x| x == "json") {
                        fs::remove_file(e.path())?;
                        removed += 1;
                    }
                }
                Ok(removed)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(e),
        }
    }

    /// Creates the directory 0700 whatever the umask, and refuses one that is a symlink or
    /// belongs to someone else.
    pub fn ensure_dir(&self) -> std::io::Result<()> {
        // A missing `~/.cache` is made private too (the XDG rule), not left to the umask.
        crate::config::ensure_private_dir(&self.dir)
    }
}

fn current_uid() -> u32 {
    rustix::process::getuid().as_raw()
}

impl OnDisk {
    fn from_entry(e: &Entry) -> Self {
        let c = &e.credentials;
        Self {
            version: 1,
            access_key_id: c.access_key_id.clone(),
            secret_access_key: c.secret_access_key.as_str().to_owned(),
            session_token: c.session_token.as_ref().map(|t| t.as_str().to_owned()),
            expiration: c.expiration.map(rfc3339).unwrap_or_default(),
            account: e.identity.as_ref().map(|i| i.account.clone()),
            arn: e.identity.as_ref().map(|i| i.arn.clone()),
            user_id: e.identity.as_ref().map(|i| i.user_id.clone()),
        }
    }

    fn to_entry(&self) -> Option<Entry> {
        // Only a whole set of temporary credentials is an entry: a partial one is corrupt.
        if self.version != 1
            || self.access_key_id.is_empty()
            || self.secret_access_key.is_empty()
            || self.session_token.as_deref().is_none_or(str::is_empty)
        {
            return None;
        }
        Some(Entry {
            credentials: Credentials {
                access_key_id: self.access_key_id.clone(),
                secret_access_key: Zeroizing::new(self.secret_access_key.clone()),
                session_token: self.session_token.clone().map(Zeroizing::new),
                // Only temporary credentials are cached: an entry without expiry is corrupt.
                expiration: Some(parse_rfc3339(&self.expiration)?),
            },
            identity: match (&self.account, &self.arn) {
                (Some(account), Some(arn)) => Some(CallerIdentity {
                    account: account.clone(),
                    arn: arn.clone(),
                    user_id: self.user_id.clone().unwrap_or_default(),
                }),
                _ => None,
            },
        })
    }
}
