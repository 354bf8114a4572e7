//! Building a [`ProfileSet`] from the two files' bytes, then checking every profile. Kept apart
//! from the set itself so that the set's module does not depend on the checks, which depend on
//! it.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use zeroize::Zeroizing;

use super::super::{checks, ini};
use super::{
    FileKind, FileProblem, Location, Profile, ProfileSet, SharedText, SsoSession, WipedText,
};

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
        check_all(&mut set.profiles, &set.sso_sessions);
        set
    }
}

/// From how many profiles the checks are shared by two threads: below, starting one costs
/// about as much as it saves (measured at 5,000 and 12,000 profiles).
const PARALLEL_FROM: usize = 20_000;

/// Checks every profile; each profile's checks are its own, so with many profiles and more
/// than one core, a second thread checks the second half.
fn check_all(profiles: &mut [Profile], sessions: &HashMap<String, SsoSession>) {
    let each = |part: &mut [Profile]| {
        let mut checked = checks::Checked::default();
        for profile in part {
            checks::check_profile(profile, sessions, &mut checked);
        }
    };
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    if profiles.len() < PARALLEL_FROM || cores < 2 {
        return each(profiles);
    }
    let (first, second) = profiles.split_at_mut(profiles.len() / 2);
    // Taken by the helper, or by this thread when no helper could be started.
    let second = std::sync::Mutex::new(Some(second));
    let take = || {
        let mut slot = second
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        slot.take()
    };
    std::thread::scope(|scope| {
        let started = std::thread::Builder::new()
            .name("checks".into())
            .spawn_scoped(scope, || take().map(each))
            .is_ok();
        each(first);
        if !started {
            take().map(each);
        }
    });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_threads_find_the_problems_one_thread_finds() {
        let mut config = String::new();
        for i in 0..(PARALLEL_FROM + 101) {
            let mfa = if i % 7 == 0 {
                "arn:aws:iam::123456789012:user/u"
            } else {
                "arn:aws:iam::123456789012:mfa/u"
            };
            let region = if i % 11 == 0 { "-bad" } else { "eu-west-1" };
            config.push_str(&format!(
                "[profile p{i}]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = p0\nmfa_serial = {mfa}\nregion = {region}\n"
            ));
        }
        let two = ProfileSet::parse(Some(config.as_bytes()), None);
        let mut one = two.clone();
        for p in &mut one.profiles {
            p.problems.clear();
        }
        let mut checked = checks::Checked::default();
        for p in &mut one.profiles {
            checks::check_profile(p, &one.sso_sessions, &mut checked);
        }
        let problems = |set: &ProfileSet| -> Vec<Vec<String>> {
            set.profiles
                .iter()
                .map(|p| p.problems.iter().map(ToString::to_string).collect())
                .collect()
        };
        assert_eq!(problems(&two), problems(&one));
        assert!(problems(&two).iter().filter(|p| !p.is_empty()).count() > 400);
    }
}
