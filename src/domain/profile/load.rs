//! Building a [`ProfileSet`] from the two files' bytes, then checking every profile. Kept apart
//! from the set itself so that the set's module does not depend on the checks, which depend on
//! it.

use std::hash::BuildHasher;
use std::sync::Arc;

use zeroize::Zeroizing;

use super::super::ini;
use super::{FileKind, FileProblem, Location, ProfileSet, SharedText};

impl ProfileSet {
    /// Builds the set from the bytes of the config and credentials files (either may be absent).
    /// Credentials-file values override config-file values of the same profile, as in the AWS CLI.
    pub fn parse(config: Option<&[u8]>, credentials: Option<&[u8]>) -> Self {
        let mut set = Self::default();
        for (bytes, kind) in [
            (config, FileKind::Config),
            (credentials, FileKind::Credentials),
        ] {
            if let Some(bytes) = bytes {
                if bytes.starts_with(b"\xEF\xBB\xBF") {
                    set.file_problems.push(FileProblem {
                        location: Location { file: kind, line: 1 },
                        message: "the file starts with a UTF-8 byte order mark, which the AWS CLI refuses; xrole-tui reads past it (save the file without it)".into(),
                    });
                }
                let (text, bad_lines) = ini::decode(bytes);
                let text: SharedText = Arc::new(Zeroizing::new(text.into_owned()));
                // About 200 bytes a profile: sized once instead of growing (and moving) 13 times.
                let guess = text.len() / 200;
                set.profiles.reserve(guess);
                let (hasher, profiles) = (&set.hasher, &set.profiles);
                set.by_name
                    .reserve(guess, |&i| hasher.hash_one(&profiles[i].name));
                let file = ini::parse(&text, &bad_lines);
                if let Some((line, why)) = super::super::refusal::botocore_refusal(&file) {
                    set.file_problems.push(FileProblem {
                        location: Location { file: kind, line },
                        message: format!(
                            "the AWS CLI refuses this whole file ({why}); xrole-tui reads the rest of it"
                        ),
                    });
                }
                set.add_file(&text, &file, kind);
            }
        }
        let sessions = set.sso_sessions.clone();
        for profile in &mut set.profiles {
            super::super::checks::check_profile(profile, &sessions);
        }
        set
    }
}
