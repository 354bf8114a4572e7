//! Finding and reading the AWS config and credentials files (the only file IO of `list`).

use std::fs::OpenOptions;
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::domain::{FileKind, ProfileSet};

mod private;
mod rewrite;

pub use private::{ensure_private_dir, read_private, write_private};
pub use rewrite::rewrite_user_file;

/// This tool's state directory: `$XDG_STATE_HOME/xrole-tui`, else
/// `~/.local/state/xrole-tui`; `None` when no home is known.
pub fn state_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".local/state"))
        })?;
    Some(base.join("xrole-tui"))
}

/// Files larger than this are refused rather than read into memory.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The bytes of the config and credentials files; `None` for a missing one.
pub type RawFiles = (Option<Vec<u8>>, Option<Vec<u8>>);

/// Where the two AWS files are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsFiles {
    /// The config file.
    pub config: PathBuf,
    /// The credentials file.
    pub credentials: PathBuf,
}

/// A file that exists but cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {}: {reason}", path.display())]
pub struct LoadError {
    /// The file.
    pub path: PathBuf,
    /// Why, for a person.
    pub reason: String,
}

/// The profiles, plus the files that were not there.
#[derive(Debug)]
pub struct Loaded {
    /// Every profile.
    pub set: ProfileSet,
    /// Files that do not exist (not an error: the list is just shorter).
    pub missing: Vec<PathBuf>,
}

impl AwsFiles {
    /// Paths from `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, else under `~/.aws/`.
    pub fn from_env() -> Self {
        let home = std::env::var_os("HOME").map_or_else(PathBuf::new, PathBuf::from);
        let pick = |var: &str, default: &str| {
            std::env::var_os(var)
                .filter(|v| !v.is_empty())
                .map_or_else(|| home.join(".aws").join(default), PathBuf::from)
        };
        Self {
            config: pick("AWS_CONFIG_FILE", "config"),
            credentials: pick("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
        }
    }

    /// The path of one file.
    pub fn path(&self, kind: FileKind) -> &Path {
        match kind {
            FileKind::Config => &self.config,
            FileKind::Credentials => &self.credentials,
        }
    }

    /// The two files' bytes (config, credentials), read with the same checks as [`Self::load`];
    /// a missing file is `None`.
    pub fn read_raw(&self) -> Result<RawFiles, LoadError> {
        let mut missing = Vec::new();
        Ok((
            read(&self.config, &mut missing)?,
            read(&self.credentials, &mut missing)?,
        ))
    }

    /// [`Self::load`], keeping the bytes read (for a served child's copies): each file is
    /// read once.
    pub fn load_with_raw(&self) -> Result<(Loaded, RawFiles), LoadError> {
        let mut missing = Vec::new();
        let config = read(&self.config, &mut missing)?;
        let credentials = read(&self.credentials, &mut missing)?;
        let set = ProfileSet::parse(config.as_deref(), credentials.as_deref());
        Ok((Loaded { set, missing }, (config, credentials)))
    }

    /// Reads and parses both files. A missing file counts as empty; one that exists but cannot
    /// be read is an error, so a permissions problem is never mistaken for "no profiles".
    pub fn load(&self) -> Result<Loaded, LoadError> {
        let mut missing = Vec::new();
        let config = read(&self.config, &mut missing)?;
        let credentials = read(&self.credentials, &mut missing)?;
        // The bytes become the set's text as they are: no second copy of a large file.
        let set = ProfileSet::parse_owned(config, credentials);
        Ok(Loaded { set, missing })
    }
}

/// How many times one of the AWS files was read in this process (a debug count, see `cli`).
static READS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many times the AWS files were read in this process.
pub fn read_count() -> usize {
    READS.load(std::sync::atomic::Ordering::Relaxed)
}

fn read(path: &Path, missing: &mut Vec<PathBuf>) -> Result<Option<Vec<u8>>, LoadError> {
    READS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let fail = |reason: String| LoadError {
        path: path.to_owned(),
        reason,
    };
    // Opened without blocking, then checked: opening a named pipe for reading would otherwise
    // wait for a writer forever.
    let file = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            missing.push(path.to_owned());
            return Ok(None);
        }
        Err(e) => return Err(fail(e.to_string())),
    };
    let meta = file.metadata().map_err(|e| fail(e.to_string()))?;
    let kind = meta.file_type();
    // A character device is read as the AWS CLI reads it (`/dev/null` is an empty file);
    // pipes, sockets and directories are refused.
    if !(kind.is_file() || kind.is_char_device()) {
        return Err(fail(format!("it is {}, not a file", describe(&kind))));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(fail(too_big()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(e.to_string()))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(fail(too_big()));
    }
    Ok(Some(bytes))
}

fn too_big() -> String {
    format!("it holds more than the {MAX_FILE_BYTES} bytes this tool reads")
}

fn describe(kind: &std::fs::FileType) -> &'static str {
    if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// Reads a small regular file of at most `max` bytes without ever blocking on it: `None` when
/// it does not exist; an error (in words, naming no value) for a pipe, a socket, a directory
/// or a file over `max`.
pub fn read_small_file(path: &Path, max: u64) -> Result<Option<Vec<u8>>, String> {
    let file = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(format!("it is {}, not a file", describe(&meta.file_type())));
    }
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > max {
        return Err(format!("it holds more than {max} bytes"));
    }
    Ok(Some(bytes))
}
