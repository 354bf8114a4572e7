//! The keys of the profile list, in one table: the key handler looks actions up here, and the
//! help screen and the status bar's hint are drawn from it, so what a key does and what the
//! screen says it does cannot drift apart.

use crossterm::event::KeyCode;

/// What a key of the profile list does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Move the selection by rows (`isize::MIN / 2` and `isize::MAX / 2`: first and last).
    Move(isize),
    /// Open the filter.
    Filter,
    /// Authenticate, then a role shell (or, in `pick`, hand the session to the shell).
    Shell,
    /// Authenticate and show the identity.
    Identify,
    /// Authenticate, then the S3 browser.
    S3,
    /// Sign in to the web console.
    Console,
    /// Revoke older sessions (asks first).
    Revoke,
    /// Write the profiles of an IAM Identity Center session (asks first).
    Populate,
    /// Browse what an IAM Identity Center session offers.
    Portal,
    /// A role shell for a long run: asks how long, then secures the runway.
    LongRun,
    /// Forget the selected profile's sessions.
    Forget,
    /// Forget every session (asks first).
    ForgetAll,
    /// Recent first, or grouped.
    ToggleOrder,
    /// Narrow terminal: the plan on the whole screen, and back.
    ToggleDetail,
    /// Abandon a running call; clear the filter.
    Escape,
    /// The help screen.
    Help,
    /// The messages of this session, whole.
    Messages,
    /// Quit.
    Quit,
}

/// One line of the table.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// The keys.
    pub keys: &'static [KeyCode],
    /// How the help screen names them.
    pub label: &'static str,
    /// What they do.
    pub action: Action,
    /// The help screen's text.
    pub help: &'static str,
    /// The status bar's word for it, when the hint names it (in the order shown).
    pub hint: Option<&'static str>,
}

const PAGE: isize = 10;

/// The profile list's keys.
pub const PROFILES: &[Binding] = &[
    Binding {
        keys: &[KeyCode::Up, KeyCode::Char('k')],
        label: "↑ k",
        action: Action::Move(-1),
        help: "up",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Down, KeyCode::Char('j')],
        label: "↓ j",
        action: Action::Move(1),
        help: "down",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::PageUp],
        label: "PgUp",
        action: Action::Move(-PAGE),
        help: "a page up",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::PageDown],
        label: "PgDn",
        action: Action::Move(PAGE),
        help: "a page down",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Home, KeyCode::Char('g')],
        label: "Home g",
        action: Action::Move(isize::MIN / 2),
        help: "first profile",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::End, KeyCode::Char('G')],
        label: "End G",
        action: Action::Move(isize::MAX / 2),
        help: "last profile",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Enter],
        label: "Enter",
        action: Action::Shell,
        help: "authenticate, then open a shell in the role",
        hint: Some("shell"),
    },
    Binding {
        keys: &[KeyCode::Char('L')],
        label: "L",
        action: Action::LongRun,
        help: "a shell for a long run: asks how long, secures it now",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('m')],
        label: "m",
        action: Action::Messages,
        help: "the messages of this session, whole",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('i')],
        label: "i",
        action: Action::Identify,
        help: "authenticate and show the identity only",
        hint: Some("identify"),
    },
    Binding {
        keys: &[KeyCode::Char('s')],
        label: "s",
        action: Action::S3,
        help: "authenticate, then browse S3 in the role",
        hint: Some("S3"),
    },
    Binding {
        keys: &[KeyCode::Char('c')],
        label: "c",
        action: Action::Console,
        help: "sign in to the web console as the profile",
        hint: Some("console"),
    },
    Binding {
        keys: &[KeyCode::Char('/')],
        label: "/",
        action: Action::Filter,
        help: "filter (fuzzy); Enter keeps it, Esc clears it",
        hint: Some("filter"),
    },
    Binding {
        keys: &[KeyCode::Char('t')],
        label: "t",
        action: Action::ToggleOrder,
        help: "recent profiles first, or grouped by account",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('x')],
        label: "x",
        action: Action::Forget,
        help: "forget the profile's cached sessions",
        hint: Some("forget"),
    },
    Binding {
        keys: &[KeyCode::Char('X')],
        label: "X",
        action: Action::ForgetAll,
        help: "forget every cached session (asks first)",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('R')],
        label: "R",
        action: Action::Revoke,
        help: "revoke every older session of its role or user",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('A')],
        label: "A",
        action: Action::Portal,
        help: "SSO accounts and roles offered, profiles or not",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('p')],
        label: "p",
        action: Action::Populate,
        help: "write a profile per SSO account and role offered (asks)",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Tab],
        label: "Tab",
        action: Action::ToggleDetail,
        help: "narrow terminal: the plan on the whole screen, and back",
        hint: Some("plan"),
    },
    Binding {
        keys: &[KeyCode::Esc],
        label: "Esc",
        action: Action::Escape,
        help: "abandon a running call; clear the filter",
        hint: None,
    },
    Binding {
        keys: &[KeyCode::Char('?')],
        label: "?",
        action: Action::Help,
        help: "this help (any key closes it)",
        hint: Some("help"),
    },
    Binding {
        keys: &[KeyCode::Char('q')],
        label: "q Ctrl-C",
        action: Action::Quit,
        help: "quit",
        hint: Some("quit"),
    },
];

/// The action of `code` on the profile list.
pub fn action_of(code: KeyCode) -> Option<Action> {
    PROFILES
        .iter()
        .find(|b| b.keys.contains(&code))
        .map(|b| b.action)
}

/// The status bar's hint in at most `width` columns: `Enter shell · s S3 · …`, dropping the
/// least used from the middle when it does not fit (help and quit always stay). `narrow`
/// includes the Tab key, which only does something on a narrow terminal. In `pick`
/// (`picking`), Enter switches the calling shell and Esc leaves it as it was.
pub fn hint(width: usize, narrow: bool, picking: bool) -> String {
    let mut items: Vec<String> = PROFILES
        .iter()
        .filter(|b| narrow || b.action != Action::ToggleDetail)
        .filter_map(|b| {
            let key = b.label.split(' ').next().unwrap_or(b.label);
            match (b.action, picking) {
                (Action::Shell, true) => Some("Enter switch this shell".to_owned()),
                (Action::Quit, true) => Some("Esc/q cancel".to_owned()),
                _ => b.hint.map(|h| format!("{key} {h}")),
            }
        })
        .collect();
    // Dropped first when there is no room, in this order.
    let drop_order = ["forget", "identify", "console", "filter", "plan", "S3"];
    let mut text = items.join(" · ");
    for word in drop_order {
        if unicode_width::UnicodeWidthStr::width(text.as_str()) <= width {
            break;
        }
        items.retain(|i| !i.ends_with(&format!(" {word}")));
        text = items.join(" · ");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_bound_once_and_the_hint_fits() {
        let mut seen = Vec::new();
        for b in PROFILES {
            for k in b.keys {
                assert!(!seen.contains(k), "{k:?} is bound twice");
                seen.push(*k);
            }
        }
        let wide = hint(200, false, false);
        assert!(
            wide.starts_with("Enter shell · i identify · s S3"),
            "{wide}"
        );
        assert!(!wide.contains("Tab"), "{wide}");
        for w in [40, 60, 80] {
            let h = hint(w, true, false);
            assert!(
                unicode_width::UnicodeWidthStr::width(h.as_str()) <= w,
                "{w}: {h}"
            );
            assert!(h.contains("? help") && h.contains("q quit"), "{w}: {h}");
        }
    }
}
