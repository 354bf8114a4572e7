//! The live sessions, under the list when there is room: the profile, its account and the
//! time left, soonest to end first; MFA sessions (no code needed) after them.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use super::theme;
use crate::app::App;
use crate::domain::session::{short_countdown, ExpiryStatus};
use crate::domain::text::display_safe;

/// How many lines the box would hold.
pub fn count(app: &App) -> usize {
    app.sessions.len() + usize::from(!app.mfa_ready.is_empty())
}

/// Draws the box in `area`.
pub fn render(frame: &mut Frame, app: &App, area: Rect) {
    let block = Block::new()
        .borders(Borders::ALL)
        .title(Span::styled(" live sessions ", theme::title()));
    let mut own: Vec<(&String, Option<std::time::Duration>)> = app
        .sessions
        .iter()
        .map(|(p, exp)| {
            (
                p,
                exp.map(|e| e.duration_since(app.now).unwrap_or_default()),
            )
        })
        .collect();
    own.sort_by_key(|(p, left)| (left.unwrap_or(std::time::Duration::MAX), (*p).clone()));
    let mut lines: Vec<Line> = own
        .into_iter()
        .map(|(profile, left)| {
            let clock = left.map_or_else(|| "no expiry".to_owned(), short_countdown);
            let status = ExpiryStatus::of(left);
            Line::from(vec![
                Span::styled(format!(" ⏱{clock:<7}"), theme::countdown(status)),
                Span::raw(display_safe(profile).into_owned()),
            ])
        })
        .collect();
    if !app.mfa_ready.is_empty() {
        let mut names: Vec<&String> = app.mfa_ready.keys().collect();
        names.sort();
        let names: Vec<String> = names.iter().map(|n| display_safe(n).into_owned()).collect();
        lines.push(Line::from(vec![
            Span::styled(" MFA ✓   ", theme::badge()),
            Span::styled(
                format!("no code needed: {}", names.join(", ")),
                theme::dim(),
            ),
        ]));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
