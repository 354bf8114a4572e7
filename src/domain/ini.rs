//! Reading one AWS INI file into sections, with a line number for every entry.
//!
//! The syntax is the one botocore reads with Python's `configparser`: `[section]` headers,
//! `key = value` (or `key: value`) lines, whole-line `#` / `;` comments, indented lines that
//! continue the value above them (the nested `s3 =` blocks), values taken literally (no escapes,
//! no quotes, no inline comments). `rust-ini` was measured here first: 35 ms for 5,000 profiles
//! (the budget is 5 ms for parse and resolve) and no line numbers for keys, which every message
//! about a value needs; this reader borrows from the text and keeps a line for every entry.

use std::borrow::Cow;

/// One `key = value` entry of a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    /// Key name, lower-cased (AWS key names are case-insensitive).
    pub key: Cow<'a, str>,
    /// Value exactly as written, trimmed of surrounding blanks; continuation lines are joined
    /// with a newline.
    pub value: Cow<'a, str>,
    /// 1-based line of the key in the file.
    pub line: usize,
}

/// One `[header]` and what follows it up to the next header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section<'a> {
    /// The text between the brackets, trimmed.
    pub header: &'a str,
    /// The same text as written: configparser keeps blanks inside the brackets, so for the AWS
    /// CLI `[ profile a ]` is not `[profile a]`.
    pub raw_header: &'a str,
    /// 1-based line of the header.
    pub line: usize,
    /// Entries in file order; a key given twice appears twice (see [`Section::problems`]).
    pub entries: Vec<Entry<'a>>,
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
pub struct IniFile<'a> {
    /// Sections in file order (a header given twice appears twice).
    pub sections: Vec<Section<'a>>,
    /// Problems outside any section (lines before the first header, invalid UTF-8 there, ...).
    pub problems: Vec<LineProblem>,
}

impl Section<'_> {
    /// The last value given for `key` (keys are compared lower-cased).
    pub fn get(&self, key: &str) -> Option<&Entry<'_>> {
        self.entries.iter().rev().find(|e| e.key == key)
    }
}

/// Decodes UTF-8 without failing: a leading BOM is dropped and invalid sequences are replaced.
/// Returns the text and the lines that held invalid sequences (to give to [`parse`]).
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, Vec<usize>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), Vec::new()),
        Err(_) => {
            let mut bad_lines = Vec::new();
            let mut line = 1;
            for chunk in bytes.utf8_chunks() {
                line += chunk.valid().matches('\n').count();
                if !chunk.invalid().is_empty() && bad_lines.last() != Some(&line) {
                    bad_lines.push(line);
                }
            }
            (String::from_utf8_lossy(bytes), bad_lines)
        }
    }
}

/// The problem of a line before the first section.
pub const OUTSIDE: &str = "this line is outside any [section] and is ignored";

/// The problem of a `[section]` line indented under a key.
pub const INDENTED_HEADER: &str = "this indented [section] is more of the value above, as the AWS CLI reads it, so it starts no section; start the line with the [";

/// Parses decoded text (`bad_lines` from [`decode`]) into all its sections at once. Never
/// fails: every problem is recorded with its line, and the rest of the file is still read, so
/// one bad line costs only itself. [`Reader`] gives the same sections one at a time.
pub fn parse<'a>(text: &'a str, bad_lines: &'a [usize]) -> IniFile<'a> {
    let mut reader = Reader::new(text, bad_lines);
    let mut sections = Vec::new();
    let mut section = Section::default();
    while reader.next_into(&mut section) {
        sections.push(section.clone());
    }
    IniFile {
        sections,
        problems: reader.problems,
    }
}

/// The entries of the file's `[DEFAULT]` sections, in file order: configparser gives them to
/// every other section that lacks them. Most files have none, found with one search.
pub fn defaults<'a>(text: &'a str, bad_lines: &'a [usize]) -> Vec<Entry<'a>> {
    if memchr::memmem::find(text.as_bytes(), b"[DEFAULT]").is_none() {
        return Vec::new();
    }
    let mut reader = Reader::new(text, bad_lines);
    let mut section = Section::default();
    let mut entries = Vec::new();
    while reader.next_into(&mut section) {
        if section.raw_header == "DEFAULT" {
            entries.extend(section.entries.iter().cloned());
        }
    }
    entries
}

/// Reads a file's sections one at a time into one reused [`Section`], so a file of 50,000
/// sections costs no more memory than its largest section.
pub struct Reader<'a> {
    text: &'a str,
    /// Where the next line starts (past the end when every line is read).
    start: usize,
    /// The number of the last line read.
    line_no: usize,
    /// The indentation of the last key line: as in Python's configparser, a line continues the
    /// value above only when it is indented more than that key.
    key_indent: usize,
    /// The lines that held invalid UTF-8 and are not yet given to a section.
    bad_lines: &'a [usize],
    /// A header read while the section before it was being filled.
    next_header: Option<(&'a str, usize)>,
    /// Problems outside any section (lines before the first header, invalid UTF-8 there).
    pub problems: Vec<LineProblem>,
}

impl<'a> Reader<'a> {
    /// A reader of decoded text (`bad_lines` from [`decode`]).
    pub fn new(text: &'a str, bad_lines: &'a [usize]) -> Self {
        Self {
            text,
            start: 0,
            line_no: 0,
            key_indent: 0,
            bad_lines,
            next_header: None,
            problems: Vec::new(),
        }
    }

    /// The next line (line ends as Python reads them: `\r\n`, `\n`, or a lone `\r`).
    fn line(&mut self) -> Option<&'a str> {
        let (text, start) = (self.text, self.start);
        if start > text.len() {
            return None;
        }
        let bytes = text.as_bytes();
        let end = memchr::memchr2(b'\n', b'\r', &bytes[start..]).map_or(text.len(), |i| start + i);
        self.start = match bytes.get(end) {
            Some(b'\r') if bytes.get(end + 1) == Some(&b'\n') => end + 2,
            Some(_) => end + 1,
            None => text.len() + 1,
        };
        self.line_no += 1;
        Some(&text[start..end])
    }

    /// Reads the next section into `section` (its vectors are reused); false when there is none.
    pub fn next_into(&mut self, section: &mut Section<'a>) -> bool {
        let first = match self.next_header.take() {
            Some(header) => header,
            None => loop {
                let Some(line) = self.line() else {
                    self.problems.extend(bad(&mut self.bad_lines, usize::MAX));
                    return false;
                };
                let trimmed = py_trim(line);
                match trimmed.as_bytes().first() {
                    None | Some(b'#' | b';') => {}
                    Some(b'[') => break (trimmed, self.line_no),
                    Some(_) => self.problems.push(LineProblem {
                        line: self.line_no,
                        message: OUTSIDE.into(),
                    }),
                }
            },
        };
        self.problems.extend(bad(&mut self.bad_lines, first.1));
        start_section(section, first.0, first.1);
        self.key_indent = 0;
        while let Some(line) = self.line() {
            // Most lines start and end with a plain character: nothing to trim, no indent.
            let (trimmed, indent) = match (line.as_bytes().first(), line.as_bytes().last()) {
                (Some(&first), Some(&last)) if plain_char(first) && plain_char(last) => (line, 0),
                _ => (py_trim(line), indent_of(line)),
            };
            if matches!(trimmed.as_bytes().first(), None | Some(b'#' | b';')) {
                continue;
            }
            // As configparser: a line indented more than the last key continues its value,
            // even one that looks like a [section].
            if indent > self.key_indent {
                if let Some(entry) = section.entries.last_mut() {
                    let value = entry.value.to_mut();
                    value.push('\n');
                    value.push_str(trimmed);
                    if trimmed.starts_with('[') {
                        section.problems.push(LineProblem {
                            line: self.line_no,
                            message: INDENTED_HEADER.into(),
                        });
                    }
                    continue;
                }
            }
            if trimmed.starts_with('[') {
                self.next_header = Some((trimmed, self.line_no));
                break;
            }
            // Not a continuation: a key line, indented or not.
            if key_line(section, trimmed, self.line_no) {
                self.key_indent = indent;
            }
        }
        let end = self.next_header.map_or(usize::MAX, |(_, line)| line);
        section.problems.extend(bad(&mut self.bad_lines, end));
        true
    }
}

/// The problems of the invalid lines before line `end`, taken from `lines`.
fn bad<'b>(lines: &mut &'b [usize], end: usize) -> impl Iterator<Item = LineProblem> + use<'b> {
    let n = lines.iter().take_while(|&&l| l < end).count();
    let (taken, rest) = lines.split_at(n);
    *lines = rest;
    taken.iter().map(|&line| LineProblem {
        line,
        message: "this line is not valid UTF-8".into(),
    })
}

/// A `key = value` line of `section`; true when it added a key (a line that is not one is a
/// problem of the section).
#[inline]
fn key_line<'a>(section: &mut Section<'a>, trimmed: &'a str, line_no: usize) -> bool {
    // Keys are short: a plain loop finds the `=` (and whether the key has capitals) sooner than
    // a vector search is set up. `trimmed` starts with a character that is not blank, so a key
    // is there when `at > 0`.
    let mut upper = false;
    let at = match trimmed.bytes().position(|b| {
        upper |= b.is_ascii_uppercase();
        b == b'=' || b == b':'
    }) {
        Some(at) if at > 0 => at,
        other => {
            let message = match other {
                Some(_) => "this line has a value but no key",
                None => "this line is not `key = value`",
            };
            section.problems.push(LineProblem {
                line: line_no,
                message: message.into(),
            });
            return false;
        }
    };
    let key = py_trim_end(&trimmed[..at]);
    let key = if upper {
        Cow::Owned(key.to_ascii_lowercase())
    } else {
        Cow::Borrowed(key)
    };
    if let Some(first) = section.entries.iter().find(|e| e.key == key) {
        let message = format!("key '{key}' is given twice (first on line {})", first.line);
        section.problems.push(LineProblem {
            line: line_no,
            message,
        });
    }
    section.entries.push(Entry {
        key,
        value: Cow::Borrowed(py_trim_start(&trimmed[at + 1..])),
        line: line_no,
    });
    true
}

/// `str.strip` as Python does it, with the common case (ASCII at both ends) at ASCII speed.
fn py_trim(s: &str) -> &str {
    py_trim_start(py_trim_end(s))
}

/// True for a byte that ends an ASCII trim: not a blank to Python. `trim_ascii` leaves the
/// vertical tab and the four separators, and any non-ASCII character may be a Unicode space.
fn plain_edge(b: u8) -> bool {
    b < 0x80 && b != 0x0b && !(0x1c..=0x1f).contains(&b)
}

/// True for an ASCII byte that is neither blank to Python nor a control that may be.
fn plain_char(b: u8) -> bool {
    plain_edge(b) && !b.is_ascii_whitespace()
}

/// [`py_trim`] of the end only.
#[inline]
fn py_trim_end(s: &str) -> &str {
    let t = s.trim_ascii_end();
    match t.as_bytes().last() {
        Some(&b) if !plain_edge(b) => t.trim_end_matches(is_space),
        _ => t,
    }
}

/// [`py_trim`] of the start only.
#[inline]
fn py_trim_start(s: &str) -> &str {
    let t = s.trim_ascii_start();
    match t.as_bytes().first() {
        Some(&b) if !plain_edge(b) => t.trim_start_matches(is_space),
        _ => t,
    }
}

/// How many characters of Python whitespace start `line` (a line that starts with a plain
/// character, as most do, is not looked at further).
fn indent_of(line: &str) -> usize {
    match line.as_bytes().first() {
        None => 0,
        Some(&b) if plain_char(b) => 0,
        _ => line.chars().take_while(|&c| is_space(c)).count(),
    }
}

/// Whitespace as Python's `str.strip` sees it (configparser, so the AWS CLI): Unicode
/// whitespace and the four ASCII separators.
fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Makes `section` the empty section of the header line `trimmed`, keeping its vectors.
fn start_section<'a>(section: &mut Section<'a>, trimmed: &'a str, line: usize) {
    section.entries.clear();
    section.problems.clear();
    let inner = &trimmed[1..];
    let name = match inner.rfind(']') {
        Some(end) => {
            let rest = inner[end + 1..].trim_ascii();
            if !(rest.is_empty() || rest.starts_with(['#', ';'])) {
                section.problems.push(LineProblem {
                    line,
                    message: format!("unexpected text after the section header: {rest:?}"),
                });
            }
            &inner[..end]
        }
        None => {
            section.problems.push(LineProblem {
                line,
                message: "section header has no closing ']'".into(),
            });
            inner
        }
    };
    section.header = name.trim_ascii();
    section.raw_header = name;
    section.line = line;
}

#[cfg(test)]
mod tests;
