//! The profiles pane: rows grouped by account, with badges.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use super::theme;
use crate::app::profiles::Row;
use crate::app::App;
use crate::domain::session::short_countdown;
use unicode_width::UnicodeWidthStr;

/// The lines the whole list takes (rows, group headings and the border), counted no further
/// than `cap`: it is asked on every frame, and only whether the list fits matters.
pub fn height_wanted(app: &App, cap: usize) -> usize {
    let mut lines = 2;
    let mut previous = None;
    for pos in 0..app.list.len() {
        let g = app.list.group_at(pos);
        lines += if g == previous { 1 } else { 2 };
        previous = g;
        if lines > cap {
            break;
        }
    }
    lines
}

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
    if inner.height == 0 || inner.width == 0 || app.list.is_empty() {
        frame.render_widget(block.clone(), area);
    }
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
    // When the whole list fits, it is never scrolled.
    let fits = height_wanted(app, height + 3) <= height + 2;
    let start = if fits {
        0
    } else {
        selected.saturating_sub(height / 4)
    };
    let mut lines: Vec<Line> = Vec::with_capacity(height);
    let mut previous_group: Option<&str> = start.checked_sub(1).and_then(|p| app.list.group_at(p));
    // The row each line shows (`None` for a group heading).
    let mut shows: Vec<Option<usize>> = Vec::with_capacity(height);
    for pos in start..app.list.len() {
        if lines.len() >= height {
            break;
        }
        let (Some(row), Some(group)) = (app.list.row_at(pos), app.list.group_at(pos)) else {
            break;
        };
        if previous_group != Some(group) {
            lines.push(Line::from(Span::styled(group.to_owned(), theme::group())));
            shows.push(None);
            previous_group = Some(group);
            if lines.len() >= height {
                break;
            }
        }
        let line_width = usize::from(inner.width);
        // Under `recent` the rows of many accounts mix: each says its own.
        let account = (group == crate::app::profiles::RECENT).then_some(row.group.as_str());
        let mut line = Line::from(row_spans(app, &row, account, line_width));
        if pos == selected {
            line = line.style(theme::selected());
        }
        lines.push(line);
        shows.push(Some(pos));
    }
    let block = match cut_marks(app, start, &shows) {
        Some(mark) => block.title_bottom(Line::from(mark).right_aligned()),
        None => block,
    };
    frame.render_widget(block, area);
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The rows cut above the first row shown and below the last, as the frame's mark
/// (`↑2 ↓3 more`); `None` when every row is shown.
fn cut_marks(app: &App, start: usize, shows: &[Option<usize>]) -> Option<Span<'static>> {
    let last_row = shows.iter().flatten().last().copied().unwrap_or(start);
    let below = app.list.len().saturating_sub(last_row + 1);
    let mut marks = Vec::new();
    if start > 0 {
        marks.push(format!("↑{start}"));
    }
    if below > 0 {
        marks.push(format!("↓{below}"));
    }
    (!marks.is_empty()).then(|| Span::styled(format!(" {} more ", marks.join(" ")), theme::dim()))
}

/// One row in `width` columns. What is never cut: the name's start, the session countdown, the
/// prod and invalid marks. What goes first when there is no room: the role's name, then
/// `[chained]`, then the MFA badge; the name is cut last, with an ellipsis.
fn row_spans(app: &App, row: &Row, account: Option<&str>, width: usize) -> Vec<Span<'static>> {
    let name = &app.set.profiles()[row.index].name;
    let left_of =
        |t: &std::time::SystemTime| short_countdown(t.duration_since(app.now).unwrap_or_default());
    let mut must: Vec<Span<'static>> = Vec::new();
    if let Some(Some(exp)) = app.sessions.get(name) {
        must.push(Span::styled(format!(" ⏱{}", left_of(exp)), theme::badge()));
    }
    if row.prod {
        must.push(Span::styled(" [prod]", theme::prod()));
    }
    if row.invalid.is_some() {
        must.push(Span::styled(" [invalid]", theme::error()));
    }
    // Optional, in the order they are dropped when there is no room: the role's name first,
    // then `[chained]`, then the MFA badge.
    let role = (!row.role.is_empty()).then(|| Span::styled(format!(" {}", row.role), theme::dim()));
    let chained = row
        .chained
        .then(|| Span::styled(" [chained]", theme::dim()));
    // A live MFA session under the role: Enter asks for no code until it ends.
    let mfa = row.mfa.then(|| match app.mfa_ready.get(name) {
        Some(Some(until)) => Span::styled(format!(" [MFA ✓{}]", left_of(until)), theme::badge()),
        _ => Span::styled(" [MFA]", theme::badge()),
    });
    // The keys at the root are in a key store, not in the files.
    let lock = row.stored.then(|| Span::styled(" 🔒", theme::badge()));
    let w = |s: &Span<'_>| s.content.width();
    let name_style = if row.prod {
        theme::prod()
    } else {
        ratatui::style::Style::new()
    };
    let must_width: usize = must.iter().map(w).sum();
    let name_text = super::wrap::fit(&row.name, width.saturating_sub(2 + must_width).max(1));
    let mut used = 2 + name_text.width() + must_width;
    let mut room_for = |s: Option<Span<'static>>| {
        s.filter(|s| {
            let fits = used + w(s) <= width;
            if fits {
                used += w(s);
            }
            fits
        })
    };
    let account = account.map(|a| Span::styled(format!(" · {a}"), theme::dim()));
    let (lock, mfa, chained, role) = (
        room_for(lock),
        room_for(mfa),
        room_for(chained),
        room_for(role),
    );
    let account = room_for(account);
    let mut spans = vec![Span::raw("  "), Span::styled(name_text, name_style)];
    spans.extend([role, lock, mfa, chained, account].into_iter().flatten());
    // The countdown and the marks stand in one column at the right edge, and the row fills
    // the width (a selected row is highlighted across the pane).
    spans.push(Span::raw(" ".repeat(width.saturating_sub(used))));
    spans.extend(must);
    spans
}
