//! Every style in one place.

use ratatui::style::{Color, Modifier, Style};

use crate::domain::session::ExpiryStatus;

/// Titles and borders.
pub fn title() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

/// The selected row.
pub fn selected() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

/// Group headers (accounts).
pub fn group() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

/// Secondary text.
pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// Production profiles.
pub fn prod() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}

/// Errors.
pub fn error() -> Style {
    Style::new().fg(Color::Red)
}

/// Badges such as MFA and cached.
pub fn badge() -> Style {
    Style::new().fg(Color::Yellow)
}

/// The countdown, by how much time is left.
pub fn countdown(status: ExpiryStatus) -> Style {
    match status {
        ExpiryStatus::Valid => Style::new().fg(Color::Green),
        ExpiryStatus::Expiring => Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ExpiryStatus::Critical | ExpiryStatus::Expired => {
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
        }
    }
}
