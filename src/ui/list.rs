//! The profiles pane: rows grouped by account, with badges.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use super::theme;
use crate::app::App;
use crate::domain::session::countdown;

/// Draws the list in `area`, scrolled so that the selection is visible.
pub fn render(frame: &mut Frame, app: &App, area: Rect) {
    let title = if app.list.filtering || !app.list.filter.is_empty() {
        format!(
            " profiles /{}{} ",
            app.list.filter,
            if app.list.filtering { "▏" } else { "" }
        )
    } else {
        format!(" profiles ({}) ", app.list.total())
    };
    let block = Block::new()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme::title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    if app.list.is_empty() {
        let text = if app.list.total() == 0 {
            "no profiles: add some to ~/.aws/config (see ? for help)"
        } else {
            "no profile matches the filter (Esc clears it)"
        };
        frame.render_widget(Paragraph::new(Span::styled(text, theme::dim())), inner);
        return;
    }
    let height = usize::from(inner.height);
    let selected = app.list.selected_position();
    // Rows including a header line at each change of group; only the window is built.
    // At most two lines a profile (itself and a group header): a quarter of the height above
    // the selection keeps it on screen.
    let start = selected.saturating_sub(height / 4);
    let mut lines: Vec<Line> = Vec::with_capacity(height);
    let mut previous_group: Option<&str> = start.checked_sub(1).and_then(|p| app.list.group_at(p));
    for pos in start..app.list.len() {
        if lines.len() >= height {
            break;
        }
        let (Some(row), Some(group)) = (app.list.row_at(pos), app.list.group_at(pos)) else {
            break;
        };
        if previous_group != Some(group) {
            lines.push(Line::from(Span::styled(group.to_owned(), theme::group())));
            previous_group = Some(group);
            if lines.len() >= height {
                break;
            }
        }
        let mut spans = vec![
            Span::raw("  "),
            Span::styled(
                row.name.clone(),
                if row.prod {
                    theme::prod()
                } else {
                    ratatui::style::Style::new()
                },
            ),
        ];
        if !row.role.is_empty() {
            spans.push(Span::styled(format!(" {}", row.role), theme::dim()));
        }
        if row.mfa {
            spans.push(Span::styled(" [MFA]", theme::badge()));
        }
        if row.chained {
            spans.push(Span::styled(" [chained]", theme::dim()));
        }
        if row.prod {
            spans.push(Span::styled(" [prod]", theme::prod()));
        }
        if let Some(Some(exp)) = app.sessions.get(&app.set.profiles()[row.index].name) {
            let left = exp.duration_since(app.now).unwrap_or_default();
            spans.push(Span::styled(
                format!(" [{}]", countdown(left)),
                theme::badge(),
            ));
        }
        if row.invalid.is_some() {
            spans.push(Span::styled(" [invalid]", theme::error()));
        }
        let mut line = Line::from(spans);
        if pos == selected {
            line = line.style(theme::selected());
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
