//! Making untrusted text (profile names, ARNs, S3 keys, error messages) safe to print.

use std::borrow::Cow;
use std::fmt::Write as _;

/// True for characters that must not reach a terminal raw: C0 and C1 controls, DEL, and the
/// bidirectional overrides and isolates that can reorder what the reader sees.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Replaces each unsafe character by a visible `\u{..}` escape; other text (emoji, CJK) is kept.
pub fn display_safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Serialised JSON with every character that could reorder or hide text written as a `\uXXXX`
/// escape: DEL, C1 controls, bidirectional marks, overrides and isolates, and the line and
/// paragraph separators. serde_json escapes only the C0 controls, and a JSON reader gets the
/// same strings either way. Outside strings JSON is ASCII, so every such character found is
/// inside a string, where an escape means the same character.
pub fn json_safe(json: &str) -> Cow<'_, str> {
    let escape = |c: char| is_unsafe_char(c) || matches!(c, '\u{061C}' | '\u{2028}' | '\u{2029}');
    // Every such character is DEL or beyond ASCII: plain ASCII needs no look at characters.
    if json.bytes().all(|b| b < 0x7f) || !json.chars().any(escape) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if escape(c) {
            // All of them are in the Basic Multilingual Plane: one escape each, no surrogates.
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`json_safe`] as a writer: serialised JSON written through it reaches `inner` with the same
/// escapes, as it is written, with no copy of the whole text. A character split across two
/// writes is held until it is whole.
pub struct JsonSafe<W> {
    inner: W,
    held: Vec<u8>,
}

impl<W: std::io::Write> JsonSafe<W> {
    /// Escapes what is written into `inner`.
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            held: Vec::new(),
        }
    }

    fn pass(&mut self, text: &str) -> std::io::Result<()> {
        match json_safe(text) {
            Cow::Borrowed(t) => self.inner.write_all(t.as_bytes()),
            Cow::Owned(t) => self.inner.write_all(t.as_bytes()),
        }
    }
}

impl<W: std::io::Write> std::io::Write for JsonSafe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // ASCII without DEL needs nothing: checked a word at a time, not a byte at a time.
        if self.held.is_empty() && buf.is_ascii() && memchr::memchr(0x7f, buf).is_none() {
            self.inner.write_all(buf)?;
            return Ok(buf.len());
        }
        self.held.extend_from_slice(buf);
        let held = std::mem::take(&mut self.held);
        let whole = match std::str::from_utf8(&held) {
            Ok(text) => text.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(), // a character not yet whole
            Err(_) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "JSON that is not UTF-8",
                ))
            }
        };
        let (text, rest) = held.split_at(whole);
        self.pass(std::str::from_utf8(text).unwrap_or_default())?;
        self.held = rest.to_vec();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Appends `s` to `out` as a quoted JSON string with the escapes serde_json writes (`\"`,
/// `\\`, the C0 controls) and those [`json_safe`] adds, in one pass: the same bytes as
/// serde_json's text passed through [`json_safe`].
pub fn push_json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    // Printable ASCII but the quote and the backslash needs no escape: checked 16 bytes at a
    // time, then copied whole (names, ARNs and regions almost always are).
    if plain_json(s.as_bytes()) {
        out.extend_from_slice(s.as_bytes());
    } else {
        push_escaped(out, s);
    }
    out.push(b'"');
}

/// True when no byte of `bytes` needs an escape: 16 at a time without a branch per byte, which
/// the compiler turns into vector instructions.
fn plain_json(bytes: &[u8]) -> bool {
    let needs = |b: u8| !(0x20..0x7f).contains(&b) || b == b'"' || b == b'\\';
    let mut chunks = bytes.chunks_exact(16);
    for chunk in &mut chunks {
        if chunk.iter().fold(false, |any, &b| any | needs(b)) {
            return false;
        }
    }
    // The rest (most strings are shorter than 16 bytes) padded to a whole chunk.
    let rest = chunks.remainder();
    let mut last = [b'a'; 16];
    last[..rest.len()].copy_from_slice(rest);
    !last.iter().fold(false, |any, &b| any | needs(b))
}

fn push_escaped(out: &mut Vec<u8>, s: &str) {
    let safe = |c: char| !is_unsafe_char(c) && !matches!(c, '\u{061C}' | '\u{2028}' | '\u{2029}');
    for c in s.chars() {
        let short: &[u8] = match c {
            '"' => b"\\\"",
            '\\' => b"\\\\",
            '\n' => b"\\n",
            '\r' => b"\\r",
            '\t' => b"\\t",
            '\u{8}' => b"\\b",
            '\u{c}' => b"\\f",
            _ if c >= ' ' && safe(c) => {
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                continue;
            }
            _ => {
                // Every escaped character is in the Basic Multilingual Plane: one `\uXXXX`.
                let n = c as u32;
                out.extend_from_slice(b"\\u");
                out.extend(
                    (0..4)
                        .rev()
                        .map(|i| HEX_DIGITS[((n >> (4 * i)) & 0xf) as usize]),
                );
                continue;
            }
        };
        out.extend_from_slice(short);
    }
}

/// Lower-case hexadecimal digits.
const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lower-case hex of `bytes` (cache keys and token file names), without a formatter per byte.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(HEX_DIGITS[usize::from(b >> 4)]));
        out.push(char::from(HEX_DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_in_link_is_shown_without_its_token() {
        let url = "https://signin.aws.amazon.com/federation?Action=login&Issuer=xrole-tui&Destination=x&SigninToken=SECRET123";
        let shown = masked_link(url);
        assert!(!shown.contains("SECRET123"), "{shown}");
        assert!(shown.starts_with("https://signin.aws.amazon.com/federation?Action=login"));
        let switch = "https://signin.aws.amazon.com/switchrole?roleName=admin&account=222222222222";
        assert_eq!(masked_link(switch), switch);
    }

    #[test]
    fn json_escapes_what_serde_leaves_raw_and_means_the_same() {
        let raw = "evil\u{202e}gnp\u{9b}31m\u{7f}\u{2028}\u{61c}-🚀 ok";
        let json = serde_json::to_string(&serde_json::json!({ "name": raw })).unwrap();
        let safe = json_safe(&json);
        assert!(safe.is_ascii() || safe.chars().all(|c| !c.is_control() && c != '\u{202e}'));
        assert!(safe.contains("\\u202e") && safe.contains("\\u009b") && safe.contains("\\u007f"));
        assert!(safe.contains("🚀"), "other text is kept");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["name"], raw);
        assert!(matches!(json_safe("[1,2]"), Cow::Borrowed(_)));
    }

    #[test]
    fn the_writer_escapes_as_json_safe_does_even_across_split_characters() {
        use std::io::Write;
        let raw = "evil\u{202e}gnp\u{9b}31m\u{7f}\u{2028}-🚀 ok";
        let json = serde_json::to_string(&serde_json::json!({ "name": raw })).unwrap();
        let bytes = json.as_bytes();
        for split in 0..bytes.len() {
            let mut out = Vec::new();
            let mut w = JsonSafe::new(&mut out);
            w.write_all(&bytes[..split]).unwrap();
            w.write_all(&bytes[split..]).unwrap();
            drop(w);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                json_safe(&json),
                "split at {split}"
            );
        }
    }

    #[test]
    fn json_strings_are_what_serde_and_json_safe_write_together() {
        let mut cases: Vec<String> = vec![
            String::new(),
            "plain-profile_01".into(),
            "q\"uote\\back\nnl\r\t\u{8}\u{c}\u{1}\u{1f} \u{7f}\u{80}\u{9b}".into(),
            "evil\u{202e}gnp\u{2066}\u{2028}\u{2029}\u{61c}\u{feff}\u{200e}-🚀 日本 ok".into(),
        ];
        // Every character up to U+3000, and the ones around the escaped ones, one at a time.
        cases.extend(
            (0..0x3000u32)
                .chain(0xfef0..0xff10)
                .filter_map(char::from_u32)
                .map(|c| format!("a{c}b")),
        );
        for case in &cases {
            let mut ours = Vec::new();
            push_json_str(&mut ours, case);
            let serde = serde_json::to_string(case).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                json_safe(&serde),
                "{case:?}"
            );
        }
    }

    #[test]
    fn escapes_controls_and_bidi_keeps_emoji() {
        assert_eq!(display_safe("dev-🚀"), "dev-🚀");
        assert_eq!(display_safe("a\x1b[31mb"), "a\\u{1b}[31mb");
        assert_eq!(display_safe("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(display_safe("\u{9b}"), "\\u{9b}");
    }
}

/// Text that must not reach a log, `Debug` output or the screen whole (a console sign-in link
/// holds a token that signs in): wiped when dropped, and shown by `Debug` only as its length.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretText(zeroize::Zeroizing<String>);

impl SecretText {
    /// Wraps `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Self(zeroize::Zeroizing::new(text.into()))
    }

    /// The whole text, for the one place that needs it (the clipboard, the browser).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A link as it may be shown: a sign-in link's token is left out (it signs in for 15 minutes);
/// any other link is shown whole.
pub fn masked_link(url: &str) -> String {
    match url.find("SigninToken=") {
        Some(at) => format!("{}SigninToken=•••• (left out: it signs in)", &url[..at]),
        None => url.to_owned(),
    }
}

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretText({} bytes)", self.0.len())
    }
}
