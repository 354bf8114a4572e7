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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi_keeps_emoji() {
        assert_eq!(display_safe("dev-🚀"), "dev-🚀");
        assert_eq!(display_safe("a\x1b[31mb"), "a\\u{1b}[31mb");
        assert_eq!(display_safe("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(display_safe("\u{9b}"), "\\u{9b}");
    }
}
