//! Building a [`ProfileSet`] from the two files' bytes, then checking every profile. Kept apart
//! from the set itself so that the set's module does not depend on the checks, which depend on
//! it.

use std::hash::BuildHasher;
use std::sync::Arc;

use zeroize::Zeroizing;

use super::super::{checks, ini};
use super::{FileKind, FileProblem, Location, ProfileSet, SharedText, WipedText};

impl ProfileSet {
    /// Builds the set from the bytes of the config and credentials files (either may be absent).
    /// Credentials-file values override config-file values of the same profile, as in the AWS CLI.
    pub fn parse(config: Option<&[u8]>, credentials: Option<&[u8]>) -> Self {
        Self::parse_owned(config.map(<[u8]>::to_vec), credentials.map(<[u8]>::to_vec))
    }

    /// [`Self::parse`] of bytes it may keep: valid UTF-8 becomes the profiles' shared text
    /// without being copied.
    pub fn parse_owned(config: Option<Vec<u8>>, credentials: Option<Vec<u8>>) -> Self {
        let mut set = Self::default();
        for (bytes, kind) in [
            (config, FileKind::Config),
            (credentials, FileKind::Credentials),
        ] {
            if let Some(bytes) = bytes {
                let bom = bytes.starts_with(b"\xEF\xBB\xBF");
                if bom {
                    set.file_problems.push(FileProblem {
                        location: Location { file: kind, line: 1 },
                        message: "the file starts with a UTF-8 byte order mark, which the AWS CLI refuses; xrole-tui reads past it (save the file without it)".into(),
                    });
                }
                let (text, bad_lines) = decode_owned(bytes, bom);
                let text: SharedText = Arc::new(WipedText(text));
                // About 200 bytes a profile: sized once instead of growing (and moving) 13 times.
                let guess = text.len() / 200;
                set.profiles.reserve(guess);
                let (hasher, profiles) = (&set.hasher, &set.profiles);
                set.by_name
                    .reserve(guess, |&i| hasher.hash_one(&profiles[i].name));
                set.add_file(&text, &bad_lines, kind);
            }
        }
        let sessions = set.sso_sessions.clone();
        let mut checked = checks::Checked::default();
        for profile in &mut set.profiles {
            checks::check_profile(profile, &sessions, &mut checked);
        }
        set
    }
}

/// The file's text: the bytes themselves when they are UTF-8 (past a byte order mark), else
/// decoded as [`ini::decode`] does, with the lines that held invalid bytes.
fn decode_owned(bytes: Vec<u8>, bom: bool) -> (String, Vec<usize>) {
    if !bom {
        match String::from_utf8(bytes) {
            Ok(text) => return (text, Vec::new()),
            Err(e) => {
                let bytes = Zeroizing::new(e.into_bytes());
                let (text, bad) = ini::decode(&bytes);
                return (text.into_owned(), bad);
            }
        }
    }
    let bytes = Zeroizing::new(bytes);
    let (text, bad) = ini::decode(&bytes);
    (text.into_owned(), bad)
}
