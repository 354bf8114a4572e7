//! The AWS profiles of the config and credentials files, merged as the AWS CLI merges them.

use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::Arc;

use smallvec::SmallVec;
use zeroize::Zeroizing;

pub use super::key::Key;
use super::validate::{self, RoleArn};

mod load;
mod merge;
mod sections;

/// Which of the two AWS files a line is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `AWS_CONFIG_FILE`, default `~/.aws/config`.
    Config = 0,
    /// `AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`.
    Credentials = 1,
}

/// A place in one of the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// The file.
    pub file: FileKind,
    /// 1-based line.
    pub line: usize,
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth knowing; the profile still works.
    Warning,
    /// The profile cannot be used until it is fixed.
    Error,
}

/// Something wrong with a profile, with where it is when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// For a person; quotes the offending value.
    pub message: String,
    /// The line it is about.
    pub location: Option<Location>,
}

/// The text of one file, shared by the profiles whose values point into it (one allocation per
/// file, not one per value); wiped from memory when the last profile is dropped, as it may hold keys.
type SharedText = Arc<WipedText>;

/// A file's text, wiped when dropped by one fill the compiler may not remove (zeroize's wipe of
/// a slice). `Zeroizing<String>` goes through the bytes one at a time: 14 M instructions for a
/// 10 MB file, more than reading its 50,000 profiles' names.
struct WipedText(String);

impl std::ops::Deref for WipedText {
    type Target = String;
    fn deref(&self) -> &String {
        &self.0
    }
}

impl Drop for WipedText {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        let mut bytes = std::mem::take(&mut self.0).into_bytes();
        bytes.as_mut_slice().zeroize();
        bytes.spare_capacity_mut().zeroize();
    }
}

/// Where a value is: a span of its file's text, or (for a value continued on indented lines) an
/// entry of the profile's own `joined` list.
#[derive(Clone, Copy)]
enum Span {
    InFile { start: u32, len: u32 },
    Joined(u32),
}

/// One `key = value` of a profile: 16 bytes (its [`Span`] unpacked into `joined`, `start` and
/// `len`), so that five settings live inside the profile.
#[derive(Clone, Copy)]
struct Setting {
    key: Key,
    file: FileKind,
    joined: bool,
    line: u32,
    start: u32,
    len: u32,
}

impl Setting {
    fn new(key: Key, file: FileKind, line: u32, span: Span) -> Self {
        let (joined, start, len) = match span {
            Span::InFile { start, len } => (false, start, len),
            Span::Joined(i) => (true, i, 0),
        };
        Self {
            key,
            file,
            joined,
            line,
            start,
            len,
        }
    }

    fn span(&self) -> Span {
        if self.joined {
            Span::Joined(self.start)
        } else {
            Span::InFile {
                start: self.start,
                len: self.len,
            }
        }
    }
}

/// A named profile with its merged settings and the problems found in them.
#[derive(Clone)]
pub struct Profile {
    /// Profile name, case-sensitive, as written.
    pub name: String,
    /// Line of its section header in the config file, if it has one.
    pub config_line: Option<u32>,
    /// Line of its section header in the credentials file, if it has one.
    pub credentials_line: Option<u32>,
    settings: SmallVec<[Setting; 5]>,
    /// One bit per [`Key`] in `settings`: most lookups are of keys a profile does not have,
    /// and are answered without a scan.
    present: u64,
    /// Where the account starts in `role_arn`, once the checks found the ARN valid (0: not
    /// valid, or not checked): the ARN is checked once, not again by every plan and row.
    role_account_at: u16,
    texts: [Option<SharedText>; 2],
    /// Values continued on indented lines. Rare, so boxed: 8 bytes a profile, not a `Vec`'s 24
    /// (at 50,000 profiles, 0.8 MB less to touch).
    #[allow(clippy::box_collection)]
    joined: Option<Box<Vec<Zeroizing<String>>>>,
    /// Problems found in this profile alone (chains are checked by [`super::plan`]).
    pub problems: Vec<Problem>,
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let settings: Vec<String> = self
            .settings
            .iter()
            .map(|s| {
                let value = if s.key.is_secret() {
                    "<redacted>"
                } else {
                    self.value(s)
                };
                format!("{} = {value:?}", s.key.as_str())
            })
            .collect();
        f.debug_struct("Profile")
            .field("name", &self.name)
            .field("config_line", &self.config_line)
            .field("credentials_line", &self.credentials_line)
            .field("settings", &settings)
            .field("problems", &self.problems)
            .finish()
    }
}

impl Profile {
    fn new(name: String) -> Self {
        Self {
            name,
            config_line: None,
            credentials_line: None,
            settings: SmallVec::new(),
            present: 0,
            role_account_at: 0,
            texts: [None, None],
            joined: None,
            problems: Vec::new(),
        }
    }

    fn value(&self, s: &Setting) -> &str {
        match s.span() {
            Span::InFile { start, len } => {
                let text = self.texts[s.file as usize]
                    .as_deref()
                    .map_or("", |t| t.as_str());
                let (start, len) = (start as usize, len as usize);
                text.get(start..start + len).unwrap_or_default()
            }
            Span::Joined(i) => self
                .joined
                .as_ref()
                .and_then(|j| j.get(i as usize))
                .map_or("", |v| v.as_str()),
        }
    }

    /// The value of `key`, if set and not blank. Inlined: most lookups are of keys the profile
    /// lacks, answered by one bit where they are asked.
    #[inline]
    pub fn get(&self, key: Key) -> Option<&str> {
        if self.present & key.bit() == 0 {
            return None;
        }
        self.value_of(key)
    }

    /// [`Profile::get`] of a key the profile has.
    fn value_of(&self, key: Key) -> Option<&str> {
        self.settings
            .iter()
            .find(|s| s.key == key)
            .map(|s| self.value(s))
            .filter(|v| !v.is_empty())
    }

    /// The setting of `key`.
    fn setting(&self, key: Key) -> Option<&Setting> {
        if self.present & key.bit() == 0 {
            return None;
        }
        self.settings.iter().find(|s| s.key == key)
    }

    /// `role_arn`, as checked when the files were read; `None` when it is missing or invalid.
    pub fn role_arn(&self) -> Option<RoleArn> {
        let arn = self.get(Key::RoleArn)?;
        match self.role_account_at {
            0 => RoleArn::parse(arn).ok(),
            at => Some(RoleArn::checked(arn, usize::from(at))),
        }
    }

    /// The account of a valid `role_arn`.
    pub fn role_account(&self) -> Option<&str> {
        let at = usize::from(self.role_account_at);
        match at {
            0 => None,
            at => self.get(Key::RoleArn)?.get(at..at + 12),
        }
    }

    /// Records what the checks found of `role_arn`: where its account starts.
    pub(crate) fn role_arn_checked(&mut self, account_at: usize) {
        self.role_account_at = u16::try_from(account_at).unwrap_or(0);
    }

    /// True when the profile has long-term or session keys of its own.
    pub fn has_static_keys(&self) -> bool {
        self.get(Key::AwsAccessKeyId).is_some()
    }

    /// The first error, if any: an invalid profile cannot be used.
    pub fn error(&self) -> Option<&Problem> {
        self.problems.iter().find(|p| p.severity == Severity::Error)
    }

    fn set(&mut self, setting: Setting) {
        match self.settings.iter_mut().find(|s| s.key == setting.key) {
            Some(s) => *s = setting,
            None => self.push(setting),
        }
    }

    /// Adds a setting of a key the profile does not have yet.
    fn push(&mut self, setting: Setting) {
        self.present |= setting.key.bit();
        self.settings.push(setting);
    }

    fn problem(&mut self, severity: Severity, message: String, location: Option<Location>) {
        self.problems.push(Problem {
            severity,
            message,
            location,
        });
    }

    /// The location of `key`, for messages about its value.
    pub fn location_of(&self, key: Key) -> Option<Location> {
        self.setting(key).map(|s| Location {
            file: s.file,
            line: s.line as usize,
        })
    }
}

/// A `[sso-session NAME]` section of the config file.
#[derive(Debug, Clone)]
pub struct SsoSession {
    /// Session name.
    pub name: String,
    /// `sso_start_url`.
    pub start_url: Option<String>,
    /// `sso_region`.
    pub region: Option<String>,
    /// `sso_registration_scopes`, as written (comma-separated).
    pub registration_scopes: Option<String>,
    /// Header line.
    pub line: usize,
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Config => "config",
            FileKind::Credentials => "credentials",
        })
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(Location { file, line }) = self.location {
            write!(f, "{file} line {line}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// A problem in a file that belongs to no profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    /// Where.
    pub location: Location,
    /// What.
    pub message: String,
}

/// Every profile of the two files, merged.
#[derive(Debug, Clone, Default)]
pub struct ProfileSet {
    profiles: Vec<Profile>,
    by_name: hashbrown::HashTable<usize>,
    hasher: foldhash::fast::RandomState,
    sso_sessions: HashMap<String, SsoSession>,
    /// `[services NAME]` sections: service id (`s3`, `sts`, `sso_oidc`, ...) to `endpoint_url`.
    services: HashMap<String, HashMap<String, String>>,
    /// Problems outside any profile.
    pub file_problems: Vec<FileProblem>,
}

/// The keys we read from a profile; others are kept but unused (the AWS CLI has many more).
pub const KNOWN_XROLE_KEYS: [&str; 6] = [
    "xrole_account_name",
    "xrole_env",
    "xrole_expected_account",
    "xrole_buckets",
    "xrole_credentials",
    "xrole_session",
];

impl ProfileSet {
    /// Profiles in file order: the config file's first, then credentials-only ones.
    pub fn profiles(&self) -> &[Profile] {
        &self.profiles
    }

    /// The profile called `name`.
    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.index_of(name).map(|i| &self.profiles[i])
    }

    /// Position of `name` in [`ProfileSet::profiles`].
    pub fn index_of(&self, name: &str) -> Option<usize> {
        let hash = self.hasher.hash_one(name);
        self.by_name
            .find(hash, |&i| self.profiles[i].name == name)
            .copied()
    }

    /// The `[sso-session NAME]` section called `name`.
    pub fn sso_session(&self, name: &str) -> Option<&SsoSession> {
        self.sso_sessions.get(name)
    }

    /// The `[services NAME]` section called `name`: service id as the config file writes it
    /// (`s3`, `sts`, `sso`, `sso_oidc`, `iam`, ...) to its `endpoint_url`.
    pub fn services(&self, name: &str) -> Option<&HashMap<String, String>> {
        self.services.get(name)
    }

    /// Number of profiles.
    pub fn len(&self) -> usize {
        self.profiles.len()
    }

    /// True when there are no profiles.
    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
    }
}

/// The xrole bookmarks of a profile: `bucket` or `bucket/prefix`, comma-separated.
pub fn bucket_bookmarks(value: &str) -> Vec<Result<(String, String), String>> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            let s = s.strip_prefix("s3://").unwrap_or(s);
            let (bucket, prefix) = s.split_once('/').unwrap_or((s, ""));
            validate::bucket_name(bucket)?;
            Ok((bucket.to_owned(), prefix.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn five_settings_fit_inside_a_profile() {
        assert_eq!(std::mem::size_of::<super::Setting>(), 16);
        assert!(std::mem::size_of::<super::Profile>() <= 192);
    }
}
