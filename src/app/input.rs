//! The one line editor of every text field: the profile filter, the S3 filter, a bucket name,
//! a download directory and the MFA code. The same keys everywhere: typing, Backspace, Ctrl-U
//! (clear), Ctrl-W (delete the last word), Enter and Esc. The text is wiped when dropped (the
//! MFA code lives here).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use zeroize::Zeroizing;

/// What a key did to the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text changed.
    Changed,
    /// Enter.
    Submit,
    /// Esc.
    Cancel,
    /// A character the field does not take (the MFA code's letters).
    Refused,
    /// Not an editing key (arrows, function keys): the screen may use it.
    Other,
}

/// A single-line text field.
#[derive(Debug, Clone, Default)]
pub struct LineInput {
    text: Zeroizing<String>,
    /// The most characters it holds.
    max: Option<usize>,
    /// Which characters it takes (`None`: any but control characters).
    accept: Option<fn(char) -> bool>,
    /// Characters dropped without complaint (a pasted code's spaces).
    skip: Option<fn(char) -> bool>,
}

/// Two fields are equal when they hold the same text.
impl PartialEq for LineInput {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for LineInput {}

impl LineInput {
    /// An empty field taking any printable text.
    pub fn new() -> Self {
        Self::default()
    }

    /// A field starting with `text`.
    pub fn with_text(text: &str) -> Self {
        Self {
            text: Zeroizing::new(text.to_owned()),
            ..Self::default()
        }
    }

    /// An MFA code: at most 6 digits, spaces of a pasted `123 456` dropped.
    pub fn mfa_code() -> Self {
        Self {
            max: Some(6),
            accept: Some(|c| c.is_ascii_digit()),
            skip: Some(|c| c == ' '),
            ..Self::default()
        }
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Characters typed.
    pub fn len(&self) -> usize {
        self.text.chars().count()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Empties the field.
    pub fn clear(&mut self) {
        self.text.clear();
    }

    /// Takes the text out, leaving the field empty.
    pub fn take(&mut self) -> Zeroizing<String> {
        std::mem::take(&mut self.text)
    }

    /// Applies `key`.
    pub fn key(&mut self, key: KeyEvent) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Enter => Edit::Submit,
            KeyCode::Esc => Edit::Cancel,
            KeyCode::Backspace => {
                self.text.pop();
                Edit::Changed
            }
            KeyCode::Char('u') if ctrl => {
                self.text.clear();
                Edit::Changed
            }
            KeyCode::Char('w') if ctrl => {
                let kept = self.text.trim_end().len();
                let cut = self.text[..kept]
                    .rfind(|c: char| c.is_whitespace() || c == '/')
                    .map_or(0, |i| i + 1);
                self.text.truncate(cut);
                Edit::Changed
            }
            KeyCode::Char(_) if ctrl => Edit::Other,
            KeyCode::Char(c) if self.skip.is_some_and(|skip| skip(c)) => Edit::Changed,
            KeyCode::Char(c) => {
                let ok = self.accept.map_or(!c.is_control(), |accept| accept(c));
                if !ok || self.max.is_some_and(|m| self.len() >= m) {
                    return Edit::Refused;
                }
                self.text.push(c);
                Edit::Changed
            }
            _ => Edit::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(input: &mut LineInput, code: KeyCode, ctrl: bool) -> Edit {
        let m = if ctrl {
            KeyModifiers::CONTROL
        } else {
            KeyModifiers::NONE
        };
        input.key(KeyEvent::new(code, m))
    }

    #[test]
    fn the_same_keys_in_every_field() {
        let mut f = LineInput::with_text("/tmp/downloads");
        assert_eq!(press(&mut f, KeyCode::Char('w'), true), Edit::Changed);
        assert_eq!(f.text(), "/tmp/");
        press(&mut f, KeyCode::Char('x'), false);
        press(&mut f, KeyCode::Backspace, false);
        assert_eq!(f.text(), "/tmp/");
        assert_eq!(press(&mut f, KeyCode::Char('u'), true), Edit::Changed);
        assert!(f.is_empty());
        assert_eq!(press(&mut f, KeyCode::Enter, false), Edit::Submit);
        assert_eq!(press(&mut f, KeyCode::Esc, false), Edit::Cancel);
        assert_eq!(press(&mut f, KeyCode::Up, false), Edit::Other);
        assert_eq!(press(&mut f, KeyCode::Char('\u{1b}'), false), Edit::Refused);
    }

    #[test]
    fn an_mfa_code_takes_six_digits_and_drops_pasted_spaces() {
        let mut f = LineInput::mfa_code();
        for c in "123 45".chars() {
            press(&mut f, KeyCode::Char(c), false);
        }
        assert_eq!(press(&mut f, KeyCode::Char('a'), false), Edit::Refused);
        press(&mut f, KeyCode::Char('6'), false);
        assert_eq!(press(&mut f, KeyCode::Char('7'), false), Edit::Refused);
        assert_eq!(f.take().as_str(), "123456");
        assert!(f.is_empty());
    }
}
