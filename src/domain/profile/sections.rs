//! What a section header names, as botocore reads it: a profile (`[default]`, `[profile NAME]`
//! split with shell rules, literal names in the credentials file), an `[sso-session NAME]` or
//! a `[services NAME]` recorded on the way, or nothing (and why, when the AWS CLI would differ).

use super::{FileKind, FileProblem, Location, ProfileSet, SsoSession};
use crate::domain::ini::{self, Section};

impl ProfileSet {
    /// The profile a section defines, if any; records `[sso-session]` sections on the way.
    pub(super) fn section_profile_name(
        &mut self,
        section: &Section<'_>,
        kind: FileKind,
        defaults: &[ini::Entry<'_>],
    ) -> Option<String> {
        // `[]` is reported with the file's refusal; `[DEFAULT]` is applied to the others.
        if section.header.is_empty() || section.raw_header == "DEFAULT" {
            return None;
        }
        let raw = section.raw_header;
        if kind == FileKind::Credentials {
            // Literal names, blanks included, as botocore takes them.
            if raw != section.header {
                let said = format!("[{raw}] has blanks inside the brackets, so the AWS CLI reads the profile {raw:?}, blanks included; so does xrole-tui");
                self.file_problem(kind, section.line, said);
            }
            return Some(raw.to_owned());
        }
        // botocore matches `profile` at the very start and `default` exactly, so a blank
        // inside the brackets before the name (or after `default`) hides the section.
        let header = section.header;
        if starts_blank(raw) || header == "default" && raw != header {
            return self.file_problem(kind, section.line, format!(
                "[{raw}] has blanks inside the brackets, which the AWS CLI does not strip, so it ignores this section; so does xrole-tui (write [{header}])"
            ));
        }
        if header == "default" {
            return Some(header.to_owned());
        }
        // Shell rules, as botocore splits them: `profile "my name"` is the profile `my name`;
        // a header that does not split into two words names nothing.
        let quoted: Vec<String>;
        let quotes = header.bytes().any(|b| matches!(b, b'"' | b'\'' | b'\\'));
        let (first, second, more) = if quotes {
            quoted = match shlex::split(header) {
                Some(w) => w,
                None => {
                    return self.file_problem(
                        kind,
                        section.line,
                        format!(
                            "[{header}] has an unclosed quote; the AWS CLI ignores this section"
                        ),
                    );
                }
            };
            first_words(quoted.iter().map(String::as_str))
        } else {
            // The common case, without an allocation per section. Only ASCII blanks split, as
            // Python's shlex splits: `[profile a\u{3000}b]` is the profile `a\u{3000}b`.
            first_words(shell_words(header))
        };
        let (word, rest) = match (first, second, more) {
            (Some(w), None, _) => (w, ""),
            (Some(w), Some(r), false) => (w, r),
            (Some(w), Some(_), true) if KINDS.iter().any(|k| w.starts_with(k)) => {
                return self.file_problem(kind, section.line, format!(
                        "[{header}] names more than one thing; quote a name with spaces (the AWS CLI ignores this section)"
                    ));
            }
            _ => (header, ""),
        };
        self.named_by(word, rest, section, kind, defaults)
    }
}

impl ProfileSet {
    /// What a config file's header of first word `word` and name `rest` names: a profile, or
    /// an `[sso-session]` or `[services]` section recorded on the way, or nothing (said).
    fn named_by(
        &mut self,
        word: &str,
        rest: &str,
        section: &Section<'_>,
        kind: FileKind,
        defaults: &[ini::Entry<'_>],
    ) -> Option<String> {
        let header = section.header;
        // botocore takes a first word that only starts with `profile` (`[profiles x]`) as
        // `profile`: so does xrole-tui, and says so.
        let kind_word = KINDS
            .iter()
            .find(|k| word.starts_with(**k) && !rest.is_empty());
        if let Some(k) = kind_word.filter(|k| word != **k) {
            let said = format!("[{header}] is read by the AWS CLI as [{k} {rest}], since its first word starts with {k}; so does xrole-tui (write [{k} {rest}])");
            self.file_problem(kind, section.line, said);
        }
        let word = kind_word.copied().unwrap_or(word);
        match word {
            "profile" if !rest.is_empty() => Some(rest.to_owned()),
            "sso-session" if !rest.is_empty() => {
                self.add_sso_session(rest, section, defaults);
                None
            }
            "services" if !rest.is_empty() => {
                self.add_services(rest, section);
                None
            }
            "services" | "plugins" | "preview" => None,
            _ if rest.is_empty() => {
                let said = match header.chars().find(|c| c.is_whitespace() && !c.is_ascii()) {
                    Some(c) => format!(
                        "[{header}] has a U+{:04X} space, which the AWS CLI does not split on, so it reads no profile here; so does xrole-tui (use a plain space)",
                        u32::from(c)
                    ),
                    None => format!(
                        "[{header}] is not a profile in the config file; write [profile {header}]"
                    ),
                };
                self.file_problem(kind, section.line, said)
            }
            _ => None,
        }
    }

    /// Records a problem of the file at `line`; `None`, for the sections that name no profile.
    fn file_problem(&mut self, kind: FileKind, line: usize, message: String) -> Option<String> {
        self.file_problems.push(FileProblem {
            location: Location { file: kind, line },
            message,
        });
        None
    }

    /// Records `[sso-session NAME]` (keys it lacks come from the file's `[DEFAULT]`).
    fn add_sso_session(&mut self, name: &str, section: &Section<'_>, defaults: &[ini::Entry<'_>]) {
        let get = |k: &str| {
            let default = || defaults.iter().rev().find(|d| d.key == k);
            section
                .get(k)
                .or_else(default)
                .map(|e| e.value.clone().into_owned())
        };
        self.sso_sessions.insert(
            name.to_owned(),
            SsoSession {
                name: name.to_owned(),
                start_url: get("sso_start_url"),
                region: get("sso_region"),
                registration_scopes: get("sso_registration_scopes"),
                line: section.line,
            },
        );
    }

    /// Records `[services NAME]`: each service's `endpoint_url`.
    fn add_services(&mut self, name: &str, section: &Section<'_>) {
        let endpoints = section
            .entries
            .iter()
            .filter_map(|e| {
                let url = nested_value(&e.value, "endpoint_url")?;
                Some((e.key.clone().into_owned(), url.to_owned()))
            })
            .collect();
        self.services.insert(name.to_owned(), endpoints);
    }
}

/// The first words botocore recognises in a config file's section header, by prefix.
const KINDS: [&str; 3] = ["profile", "sso-session", "services"];

/// The first two words and whether there are more.
/// True when `s` starts with Unicode whitespace (looked at a byte at a time when it starts
/// with a plain ASCII character, as headers do).
fn starts_blank(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(b) if b.is_ascii_graphic() => false,
        _ => s.len() != s.trim_start().len(),
    }
}

/// The words of `s` split at the ASCII blanks shlex splits at (` `, tab, CR, LF), found a byte
/// at a time: those bytes never occur inside a longer UTF-8 character.
fn shell_words(s: &str) -> impl Iterator<Item = &str> {
    s.as_bytes()
        .split(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .filter(|w| !w.is_empty())
        .filter_map(move |w| {
            let start = w.as_ptr() as usize - s.as_ptr() as usize;
            s.get(start..start + w.len())
        })
}

fn first_words<'a>(
    mut words: impl Iterator<Item = &'a str>,
) -> (Option<&'a str>, Option<&'a str>, bool) {
    (words.next(), words.next(), words.next().is_some())
}

/// The value of `key` in a nested block (`s3 =` followed by indented `key = value` lines).
fn nested_value<'a>(block: &'a str, key: &str) -> Option<&'a str> {
    block.lines().rev().find_map(|line| {
        let (k, v) = line.split_once(['=', ':'])?;
        (k.trim().eq_ignore_ascii_case(key)).then(|| v.trim())
    })
}
