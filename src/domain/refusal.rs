//! Files the AWS CLI refuses as a whole. botocore reads the files with Python's configparser in
//! its strict mode and then splits nested blocks itself; any of these makes every AWS CLI
//! command fail with "Unable to parse config file", while xrole-tui reads past the bad line.
//! Such a file gets one message naming the first cause and its line, so the difference is said.

use std::collections::HashMap;

use super::ini::{LineProblem, Section, INDENTED_HEADER, OUTSIDE};

/// Why botocore would refuse a file, with the line (the first cause in file order), checked as
/// its sections are read one at a time.
#[derive(Default)]
pub struct Refusal<'a> {
    /// Header texts seen, with their lines, of the sections that name no profile and of the
    /// profiles given more than one section.
    seen: HashMap<&'a str, usize, foldhash::fast::RandomState>,
    /// By profile index: the header text and line of its first section in this file (empty
    /// for none yet). The same text between the brackets always names the same profile, so a
    /// profile's first section repeats no other; only its later ones are looked up.
    firsts: Vec<(&'a str, usize)>,
    /// `[DEFAULT]` may be given again, but not one of its keys.
    default_keys: Vec<(String, usize)>,
    /// The first cause so far, by line.
    first: Option<(usize, String)>,
}

impl<'a> Refusal<'a> {
    /// Room for about `profiles` profiles.
    pub fn with_capacity(profiles: usize) -> Self {
        Self {
            firsts: Vec::with_capacity(profiles),
            ..Self::default()
        }
    }

    /// Whether the header of `section` (the profile at index `profile` when it names one) was
    /// given before in this file; remembers it.
    fn given_before(&mut self, section: &Section<'a>, profile: Option<usize>) -> Option<usize> {
        let raw = section.raw_header;
        if let Some(i) = profile {
            if self.firsts.len() <= i {
                self.firsts.resize(i + 1, ("", 0));
            }
            let (first_raw, first_line) = self.firsts[i];
            if first_raw.is_empty() {
                self.firsts[i] = (raw, section.line);
                return None;
            }
            self.seen.entry(first_raw).or_insert(first_line);
        }
        match self.seen.get(raw) {
            Some(&first) => Some(first),
            None => {
                self.seen.insert(raw, section.line);
                None
            }
        }
    }

    fn found(&mut self, line: usize, why: impl FnOnce() -> String) {
        if self.first.as_ref().is_none_or(|(first, _)| line < *first) {
            self.first = Some((line, why()));
        }
    }

    /// Checks one section; `profile` is the index of the profile it names, if any.
    pub fn section(&mut self, section: &Section<'a>, profile: Option<usize>) {
        if section.raw_header == "DEFAULT" {
            for e in &section.entries {
                match self.default_keys.iter().find(|(k, _)| *k == e.key) {
                    Some(&(_, first)) if first != e.line => self.found(e.line, || {
                        format!(
                            "[DEFAULT] gives '{}' twice (lines {first} and {})",
                            e.key, e.line
                        )
                    }),
                    _ => self.default_keys.push((e.key.clone().into_owned(), e.line)),
                }
            }
        } else if let Some(first) = self.given_before(section, profile) {
            // Strict configparser: a section given twice (the same text between the brackets).
            self.found(section.line, || {
                format!(
                    "section [{}] is given twice (lines {first} and {})",
                    section.raw_header, section.line
                )
            });
        }
        if section.header.is_empty() {
            self.found(section.line, || "[] names no section".into());
        }
        // Text after a header's `]` is one problem configparser does not have: it ends the
        // header at the last `]` and ignores the rest.
        let problem = section.problems.iter().find(|p| {
            !(p.line == section.line && p.message.starts_with("unexpected text"))
                && p.message != INDENTED_HEADER
        });
        if let Some(p) = problem {
            self.found(p.line, || format!("line {}: {}", p.line, p.message));
        }
        // botocore's nested blocks: a value that starts on the next line must be `key = value`
        // lines, with `=` (not `:`).
        for e in &section.entries {
            let Some(block) = e.value.strip_prefix('\n') else {
                continue;
            };
            if let Some(i) = block
                .lines()
                .position(|l| !l.trim().is_empty() && !l.contains('='))
            {
                self.found(e.line, || format!(
                    "the value of '{}' on line {} starts on the next line, so it must be a nested block of `key = value` lines, and line {} is not one",
                    e.key,
                    e.line,
                    e.line + 1 + i
                ));
            }
        }
    }

    /// The first cause in the file, given the problems outside any section.
    pub fn finish(mut self, outside: &[LineProblem]) -> Option<(usize, String)> {
        if let Some(p) = outside.iter().find(|p| p.message == OUTSIDE) {
            // Before any section, so before any other cause.
            self.first = Some((p.line, format!("line {} is outside any [section]", p.line)));
        }
        self.first
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ini;

    fn refusal(text: &str) -> Option<String> {
        let (t, bad) = ini::decode(text.as_bytes());
        let file = ini::parse(&t, &bad);
        let mut refusal = Refusal::default();
        for section in &file.sections {
            refusal.section(section, None);
        }
        refusal.finish(&file.problems).map(|(_, why)| why)
    }

    #[test]
    fn each_cause_is_named_with_its_line() {
        assert_eq!(refusal("[profile a]\nregion = x\n"), None);
        assert_eq!(
            refusal("[DEFAULT]\nregion = x\n[DEFAULT]\noutput = y\n"),
            None
        );
        assert_eq!(
            refusal("[profile a]\ns3 =\n  addressing_style = path\n"),
            None
        );
        for (text, says) in [
            (
                "region = x\n[profile a]\n",
                "line 1 is outside any [section]",
            ),
            ("[profile a]\n[profile a]\n", "given twice (lines 1 and 2)"),
            (
                "[profile a]\nregion = x\nREGION = y\n",
                "line 3: key 'region' is given twice",
            ),
            (
                "[profile a]\njust words\n",
                "line 2: this line is not `key = value`",
            ),
            ("[profile a]\nregion =\n  eu-west-1\n", "line 3 is not one"),
            (
                "[profile a]\ns3 =\n  addressing_style: path\n",
                "line 3 is not one",
            ),
            (
                "[DEFAULT]\nregion = x\n[DEFAULT]\nregion = y\n",
                "gives 'region' twice (lines 2 and 4)",
            ),
        ] {
            let got = refusal(text).unwrap_or_default();
            assert!(got.contains(says), "{text:?}: {got}");
        }
        // The first cause in the file is the one named.
        let got = refusal("[a]\nx\n[a]\n").unwrap_or_default();
        assert!(got.starts_with("line 2"), "{got}");
    }

    #[test]
    fn a_profile_given_again_is_found_by_its_header_text() {
        let said = |text: &str| {
            let set = crate::domain::ProfileSet::parse(Some(text.as_bytes()), None);
            set.file_problems
                .iter()
                .find(|p| p.message.contains("refuses this whole file"))
                .map(|p| (p.location.line, p.message.clone()))
        };
        // The same profile under two header texts: not the same section to configparser.
        assert_eq!(said("[profile a]\n[profile  a]\n[profile b]\n"), None);
        let (line, why) = said("[profile a]\n[profile  a]\n[x]\n[profile  a]\n").unwrap();
        assert_eq!(line, 4);
        assert!(why.contains("(lines 2 and 4)"), "{why}");
        let (line, why) = said("[profile a]\n[profile b]\n[profile a]\n").unwrap();
        assert_eq!(line, 3);
        assert!(why.contains("(lines 1 and 3)"), "{why}");
        let (_, why) = said("[sso-session s]\n[profile a]\n[sso-session s]\n").unwrap();
        assert!(why.contains("(lines 1 and 3)"), "{why}");
    }
}
