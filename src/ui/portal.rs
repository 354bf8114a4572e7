//! The lines of `A`'s window: the accounts and roles an IAM Identity Center session offers, the
//! selected one highlighted, those that are already profiles named.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::theme;
use crate::app::PortalView;
use crate::domain::text::display_safe;

/// The window's lines for `view` on a screen of `area` (the caller draws them in a popup).
pub(super) fn lines(area: Rect, view: &PortalView) -> Vec<Line<'static>> {
    let height = area.height.saturating_sub(8).clamp(3, 20);
    let rows = usize::from(height);
    // The selected row stays in sight.
    let first = view.selected.saturating_sub(rows.saturating_sub(1));
    let mut text = vec![Line::raw(format!(
        "[sso-session {}] offers {} account role{}:",
        display_safe(&view.session),
        view.items.len(),
        if view.items.len() == 1 { "" } else { "s" }
    ))];
    let visible = view.visible();
    if view.typing.is_some() || !view.query.is_empty() {
        let cursor = if view.typing.is_some() { "_" } else { "" };
        text.push(Line::styled(
            format!(
                "/ {}{cursor}  ({} shown)",
                display_safe(&view.query),
                visible.len()
            ),
            theme::dim(),
        ));
    }
    for (i, item) in visible.iter().enumerate().skip(first).take(rows) {
        let o = &item.offered;
        let mut spans = vec![Span::raw(format!(
            "{} {} ({}) · {}",
            if i == view.selected { "›" } else { " " },
            display_safe(&o.account_name),
            display_safe(&o.account_id),
            display_safe(&o.role)
        ))];
        spans.push(match &item.profile {
            Some(p) => Span::styled(format!("  profile {}", display_safe(p)), theme::dim()),
            None => Span::styled("  not a profile yet", theme::dim()),
        });
        let line = Line::from(spans);
        text.push(if i == view.selected {
            line.style(theme::selected())
        } else {
            line
        });
    }
    if view.items.is_empty() {
        text.push(Line::raw("  (nothing is assigned to this login)"));
    } else if visible.is_empty() {
        text.push(Line::raw("  (nothing matches the filter)"));
    }
    text.push(Line::raw(""));
    text.push(Line::raw(
        "Enter open a shell · i identify · / filter · p write all as profiles · Esc close",
    ));
    text
}
