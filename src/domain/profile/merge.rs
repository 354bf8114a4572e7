//! How a file's sections become profiles: each section names its profile (see `sections`),
//! and its entries (with the file's `[DEFAULT]` keys it lacks) become the profile's settings,
//! kept as spans into the file's text.

use std::borrow::Cow;
use std::hash::BuildHasher;
use std::sync::Arc;

use zeroize::Zeroizing;

use super::super::ini::{self, LineProblem, Section};
use super::super::refusal::Refusal;
use super::{
    FileKind, FileProblem, Key, Location, Profile, ProfileSet, Setting, Severity, SharedText, Span,
    KNOWN_XROLE_KEYS,
};

impl ProfileSet {
    /// Adds the profiles of one file's text, read a section at a time; its problems are kept
    /// with the file or the profile they belong to, and the AWS CLI's refusal of the whole
    /// file, if it would refuse it, comes first.
    pub(super) fn add_file(&mut self, text: &SharedText, bad_lines: &[usize], kind: FileKind) {
        let first_problem = self.file_problems.len();
        // `[DEFAULT]` gives its keys to every other section of its file that lacks them, as in
        // configparser (a later `[DEFAULT]` key replaces an earlier one).
        let defaults = ini::defaults(text, bad_lines);
        let mut reader = ini::Reader::new(text, bad_lines);
        let mut refusal = Refusal::with_capacity(text.len() / 200);
        let mut section = Section::default();
        while reader.next_into(&mut section) {
            let Some(name) = self.section_profile_name(&section, kind, &defaults) else {
                refusal.section(&section, None);
                continue;
            };
            let idx = self.index_or_new(name);
            refusal.section(&section, Some(idx));
            add_section(&mut self.profiles[idx], text, &section, kind, &defaults);
        }
        let at = |line| Location { file: kind, line };
        let refused = refusal
            .finish(&reader.problems)
            .map(|(line, why)| FileProblem {
                location: at(line),
                message: format!(
                    "the AWS CLI refuses this whole file ({why}); xrole-tui reads the rest of it"
                ),
            });
        let outside = reader.problems.into_iter().map(|p| FileProblem {
            location: at(p.line),
            message: p.message,
        });
        let before: Vec<FileProblem> = refused.into_iter().chain(outside).collect();
        self.file_problems
            .splice(first_problem..first_problem, before);
    }

    /// The index of the profile `name`, made empty when it is new.
    fn index_or_new(&mut self, name: String) -> usize {
        // One hash and one probe, whether the name is new or not.
        let (hasher, profiles) = (&self.hasher, &mut self.profiles);
        let hash = hasher.hash_one(&name);
        let entry = self.by_name.entry(
            hash,
            |&i| profiles[i].name == name,
            |&i| hasher.hash_one(&profiles[i].name),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(found) => *found.get(),
            hashbrown::hash_table::Entry::Vacant(place) => {
                place.insert(profiles.len());
                profiles.push(Profile::new(name));
                profiles.len() - 1
            }
        }
    }
}

/// Adds one section of `kind`'s file to `profile`: where it starts (a second section of the
/// same name in one file is an error), its line problems, and its settings.
fn add_section(
    profile: &mut Profile,
    text: &SharedText,
    section: &Section<'_>,
    kind: FileKind,
    defaults: &[ini::Entry<'_>],
) {
    let at = |line| Location { file: kind, line };
    let first_line = match kind {
        FileKind::Config => &mut profile.config_line,
        FileKind::Credentials => &mut profile.credentials_line,
    };
    if let Some(first) = *first_line {
        let msg = format!(
            "section [{}] appears twice in the same file (first on line {first})",
            section.header
        );
        profile.problem(Severity::Error, msg, Some(at(section.line)));
    } else {
        *first_line = Some(u32::try_from(section.line).unwrap_or(u32::MAX));
    }
    for LineProblem { line, message } in &section.problems {
        profile.problem(Severity::Error, message.clone(), Some(at(*line)));
    }
    if profile.texts[kind as usize].is_none() {
        profile.texts[kind as usize] = Some(Arc::clone(text));
    }
    // The common case, a profile's first section without repeated keys, needs no merging.
    let fresh = profile.settings.is_empty() && section.problems.is_empty() && defaults.is_empty();
    if fresh {
        profile.settings.reserve_exact(section.entries.len());
    }
    let inherited = defaults.iter().filter(|d| section.get(&d.key).is_none());
    for e in section.entries.iter().chain(inherited) {
        let Some(setting) = setting_of(profile, text, e, kind) else {
            continue;
        };
        if fresh {
            profile.push(setting);
        } else {
            profile.set(setting);
        }
    }
}

/// The setting an entry gives, when its key is one this tool reads (an unknown `xrole_` key
/// is warned about; other keys of the AWS CLI are left alone).
fn setting_of(
    profile: &mut Profile,
    text: &SharedText,
    e: &ini::Entry<'_>,
    kind: FileKind,
) -> Option<Setting> {
    let Some(key) = Key::from_name(&e.key) else {
        if e.key.starts_with("xrole_") {
            let msg = format!(
                "unknown key {:?}; xrole keys are {}",
                e.key,
                KNOWN_XROLE_KEYS.join(", ")
            );
            let at = Location {
                file: kind,
                line: e.line,
            };
            profile.problem(Severity::Warning, msg, Some(at));
        }
        return None;
    };
    let span = match &e.value {
        Cow::Borrowed(v) => Span::InFile {
            start: u32::try_from(v.as_ptr() as usize - text.as_ptr() as usize).unwrap_or(u32::MAX),
            len: u32::try_from(v.len()).unwrap_or(0),
        },
        Cow::Owned(v) => {
            let joined = profile.joined.get_or_insert_with(Box::default);
            joined.push(Zeroizing::new(v.clone()));
            Span::Joined(u32::try_from(joined.len() - 1).unwrap_or(u32::MAX))
        }
    };
    let line = u32::try_from(e.line).unwrap_or(u32::MAX);
    Some(Setting::new(key, kind, line, span))
}
