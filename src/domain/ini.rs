//! Reading one AWS INI file into sections, with a line number for every entry.
//!
//! The file is cut into sections by their `[...]` headers here, and each section's body is parsed
//! by `rust-ini` with escapes and quotes off (so `C:\tools\new.exe` stays as written, as in the AWS
//! CLI). Cutting first gives every section and key a line number for messages, and it confines a
//! syntax error to the one section that holds it: the other sections stay usable.

use std::borrow::Cow;

use ini::{Ini, ParseOption};

/// One `key = value` entry of a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Key name, lower-cased (AWS key names are case-insensitive).
    pub key: String,
    /// Value exactly as written, trimmed of surrounding blanks.
    pub value: String,
    /// 1-based line of the key in the file.
    pub line: usize,
}

/// One `[header]` and what follows it up to the next header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The text between the brackets, trimmed.
    pub header: String,
    /// 1-based line of the header.
    pub line: usize,
    /// Entries in file order; a key given twice appears twice (see [`Section::problems`]).
    pub entries: Vec<Entry>,
    /// Syntax problems inside this section, each naming its line.
    pub problems: Vec<LineProblem>,
}

/// A problem tied to one line of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong, for a person.
    pub message: String,
}

/// A parsed file: its sections, plus problems that belong to no section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IniFile {
    /// Sections in file order (a header given twice appears twice).
    pub sections: Vec<Section>,
    /// Problems outside any section (keys before the first header, invalid UTF-8 there, ...).
    pub problems: Vec<LineProblem>,
}

impl Section {
    /// The last value given for `key` (keys are compared lower-cased).
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.key == key)
    }
}

/// Parses the bytes of one AWS config or credentials file. Never fails: every problem is
/// recorded with its line, and the rest of the file is still read.
pub fn parse(bytes: &[u8]) -> IniFile {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (text, bad_utf8_lines) = decode(bytes);
    let mut file = IniFile::default();
    let mut body_start = 0usize; // byte offset of the current section body
    let mut current: Option<Section> = None;
    let mut offset = 0usize;
    let lines = text.split_inclusive('\n');
    let mut line_no = 0usize;
    for raw in lines {
        line_no += 1;
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            finish(&mut file, current.take(), &text[body_start..offset]);
            current = Some(header(trimmed, line_no));
            body_start = offset + raw.len();
        }
        offset += raw.len();
    }
    finish(&mut file, current, &text[body_start..]);
    // Keys before the first header belong to no section: the AWS tools ignore them too.
    let preamble_end = file.sections.first().map_or(text.len(), |s| {
        text.split_inclusive('\n')
            .take(s.line - 1)
            .map(str::len)
            .sum()
    });
    for (i, line) in text[..preamble_end].lines().enumerate() {
        let t = line.trim();
        if !(t.is_empty() || t.starts_with('#') || t.starts_with(';')) {
            file.problems.push(LineProblem {
                line: i + 1,
                message: "this line is outside any [section] and is ignored".into(),
            });
        }
    }
    for line in bad_utf8_lines {
        let target = file
            .sections
            .iter_mut()
            .rev()
            .find(|s| s.line <= line)
            .map_or(&mut file.problems, |s| &mut s.problems);
        target.push(LineProblem {
            line,
            message: "this line is not valid UTF-8".into(),
        });
    }
    file
}

/// Decodes UTF-8, replacing invalid sequences; returns the lines that held them. CRLF becomes LF.
fn decode(bytes: &[u8]) -> (Cow<'_, str>, Vec<usize>) {
    let mut bad = Vec::new();
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            let mut line = 1;
            for chunk in bytes.utf8_chunks() {
                line += chunk.valid().matches('\n').count();
                if !chunk.invalid().is_empty() && bad.last() != Some(&line) {
                    bad.push(line);
                }
            }
            String::from_utf8_lossy(bytes)
        }
    };
    if text.contains('\r') {
        (Cow::Owned(text.replace("\r\n", "\n")), bad)
    } else {
        (text, bad)
    }
}

fn header(trimmed: &str, line: usize) -> Section {
    let mut problems = Vec::new();
    let inner = &trimmed[1..];
    let name = match inner.rfind(']') {
        Some(end) => {
            let rest = inner[end + 1..].trim();
            if !(rest.is_empty() || rest.starts_with('#') || rest.starts_with(';')) {
                problems.push(LineProblem {
                    line,
                    message: format!("unexpected text after the section header: {rest:?}"),
                });
            }
            &inner[..end]
        }
        None => {
            problems.push(LineProblem {
                line,
                message: "section header has no closing ']'".into(),
            });
            inner
        }
    };
    Section {
        header: name.trim().to_owned(),
        line,
        entries: Vec::new(),
        problems,
    }
}

fn finish(file: &mut IniFile, section: Option<Section>, body: &str) {
    let Some(mut section) = section else { return };
    read_body(&mut section, body);
    file.sections.push(section);
}

fn options() -> ParseOption {
    ParseOption {
        enabled_quote: false,
        enabled_escape: false,
        // `s3 =` followed by indented `key = value` lines is the AWS nested-value syntax.
        enabled_indented_mutiline_value: true,
        enabled_preserve_key_leading_whitespace: false,
    }
}

/// Parses a section body with rust-ini; on a syntax error, that line is reported and left out,
/// and the body is read again, so one bad line costs only itself.
fn read_body(section: &mut Section, body: &str) {
    let first_line = section.line + 1;
    let mut body: Cow<'_, str> = Cow::Borrowed(body);
    // rust-ini would read a line without '=' as the start of a key running into the next line.
    let keyless: Vec<usize> = body
        .lines()
        .enumerate()
        .filter(|(_, l)| is_entry_line(l) && !l.contains(['=', ':']))
        .map(|(i, _)| i + 1)
        .collect();
    for line in keyless {
        section.problems.push(LineProblem {
            line: first_line + line - 1,
            message: "this line is not `key = value`".into(),
        });
        body = Cow::Owned(blank_line(&body, line));
    }
    // Each retry blanks one more line, so this ends after at most one pass per line.
    for _ in 0..=body.lines().count() {
        match Ini::load_from_str_opt(&body, options()) {
            Ok(ini) => {
                collect(section, &ini, &body, first_line);
                return;
            }
            Err(err) => {
                let bad = err.line.max(1);
                section.problems.push(LineProblem {
                    line: first_line + bad - 1,
                    message: format!("cannot parse this line: {}", err.msg),
                });
                body = Cow::Owned(blank_line(&body, bad));
            }
        }
    }
}

fn blank_line(body: &str, line: usize) -> String {
    body.split_inclusive('\n')
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == line {
                if l.ends_with('\n') {
                    "\n"
                } else {
                    ""
                }
            } else {
                l
            }
        })
        .collect()
}

fn collect(section: &mut Section, ini: &Ini, body: &str, first_line: usize) {
    let key_lines = key_lines(body);
    let mut seen: Vec<(String, usize)> = Vec::new();
    for (_, props) in ini {
        for (key, value) in props.iter() {
            let key = key.to_ascii_lowercase();
            let nth = seen.iter().filter(|(k, _)| *k == key).count();
            let line = key_lines
                .iter()
                .filter(|(k, _)| *k == key)
                .nth(nth)
                .map_or(first_line, |(_, l)| first_line + l - 1);
            if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
                section.problems.push(LineProblem {
                    line,
                    message: format!("key '{key}' is given twice (first on line {first})"),
                });
            }
            seen.push((key.clone(), line));
            section.entries.push(Entry {
                key,
                value: value.to_owned(),
                line,
            });
        }
    }
}

/// True for a line that should hold `key = value`: not blank, not a comment, not indented
/// (indented lines continue the value above them).
fn is_entry_line(line: &str) -> bool {
    let t = line.trim();
    !(line.starts_with([' ', '\t']) || t.is_empty() || t.starts_with('#') || t.starts_with(';'))
}

/// Key names of the body's top-level `key = value` lines with their 1-based line in the body.
fn key_lines(body: &str) -> Vec<(String, usize)> {
    body.lines()
        .enumerate()
        .filter(|(_, l)| is_entry_line(l))
        .filter_map(|(i, l)| {
            let t = l.trim();
            let end = t.find(['=', ':'])?;
            Some((t[..end].trim().to_ascii_lowercase(), i + 1))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(s: &Section) -> Vec<(&str, &str, usize)> {
        s.entries
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_str(), e.line))
            .collect()
    }

    #[test]
    fn sections_keys_and_lines() {
        let f = parse(b"# top\n[default]\nregion = eu-west-1\n\n[profile a]\nRole_Arn=x\n");
        assert!(f.problems.is_empty());
        assert_eq!(f.sections.len(), 2);
        assert_eq!(f.sections[0].header, "default");
        assert_eq!(f.sections[0].line, 2);
        assert_eq!(values(&f.sections[0]), vec![("region", "eu-west-1", 3)]);
        assert_eq!(values(&f.sections[1]), vec![("role_arn", "x", 6)]);
    }

    #[test]
    fn values_are_literal() {
        let f = parse(b"[a]\ncredential_process = C:\\tools\\new.exe \"q\" # not a comment\n");
        assert_eq!(
            f.sections[0]
                .get("credential_process")
                .map(|e| e.value.as_str()),
            Some("C:\\tools\\new.exe \"q\" # not a comment")
        );
    }

    #[test]
    fn bom_and_crlf() {
        let f = parse(b"\xEF\xBB\xBF[default]\r\nregion = us-east-1\r\n");
        assert_eq!(f.sections[0].header, "default");
        assert_eq!(values(&f.sections[0]), vec![("region", "us-east-1", 2)]);
    }

    #[test]
    fn duplicate_key_names_both_lines() {
        let f = parse(b"[a]\nregion = x\n\nREGION = y\n");
        let p = &f.sections[0].problems;
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].line, 4);
        assert!(p[0].message.contains("line 2"), "{}", p[0].message);
        assert_eq!(
            f.sections[0].get("region").map(|e| e.value.as_str()),
            Some("y")
        );
    }

    #[test]
    fn bad_line_costs_only_itself() {
        let f =
            parse(b"[a]\nregion = x\nthis line has no equals\noutput = json\n[b]\nregion = y\n");
        assert_eq!(
            f.sections[0].problems.len(),
            1,
            "{:?}",
            f.sections[0].problems
        );
        assert_eq!(f.sections[0].problems[0].line, 3);
        assert_eq!(f.sections[0].get("output").map(|e| e.line), Some(4));
        assert_eq!(
            f.sections[1].get("region").map(|e| e.value.as_str()),
            Some("y")
        );
    }

    #[test]
    fn unterminated_header_and_invalid_utf8() {
        let f = parse(b"[profile a\nregion = x\n[b]\nregion = \xff\xfe\n");
        assert_eq!(f.sections[0].header, "profile a");
        assert_eq!(f.sections[0].problems[0].line, 1);
        assert_eq!(f.sections[1].problems[0].line, 4);
        assert!(f.sections[1].problems[0].message.contains("UTF-8"));
    }

    #[test]
    fn nested_values_do_not_leak_into_the_profile() {
        let f = parse(b"[a]\ns3 =\n  region = nested\nsts =\n  region = other\nregion = top\n");
        assert!(
            f.sections[0].problems.is_empty(),
            "{:?}",
            f.sections[0].problems
        );
        assert_eq!(
            f.sections[0]
                .get("region")
                .map(|e| (e.value.as_str(), e.line)),
            Some(("top", 6))
        );
    }

    #[test]
    fn preamble_lines_are_reported() {
        let f = parse(b"region = x\n[a]\n");
        assert_eq!(f.problems.len(), 1);
        assert_eq!(f.problems[0].line, 1);
    }
}
