//! Drawing. `render` reads the app and draws; it changes nothing.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::{detail, App, Status};
use crate::domain::session::{countdown, ExpiryStatus};
use crate::domain::text::display_safe;

mod list;
mod modal;
mod portal;
mod s3;
mod sessions;
pub mod theme;
pub(crate) mod wrap;

/// The smallest terminal the layout is drawn in; below it a notice is shown instead.
pub const MIN_SIZE: (u16, u16) = (40, 10);

pub use crate::app::WIDE;
/// A narrow body this high shows the plan under the list.
const STACKED_MIN: u16 = 16;
/// The plan's least height under the list.
const PLAN_MIN: u16 = 8;

const SPINNER: [&str; 4] = ["⠋", "⠙", "⠹", "⠸"];

/// Draws the whole screen.
pub fn render(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        let text = format!(
            "terminal too small: {}×{} (needs {}×{})",
            area.width, area.height, MIN_SIZE.0, MIN_SIZE.1
        );
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    identity_bar(frame, app, top);
    body_panes(frame, app, body);
    status_bar(frame, app, bottom);
    modal::render(frame, app, area);
}

/// The body: the S3 browser, or the list with the plan beside it (wide) or under it (narrow),
/// and the live sessions under the list when there is room.
fn body_panes(frame: &mut Frame, app: &App, body: Rect) {
    if let Some(b) = &app.browser {
        s3::render(frame, b, body);
    } else if body.width < WIDE {
        // Narrow: the plan under the list when there is height for both, else one at a time;
        // Tab gives the plan the whole body.
        let wanted =
            u16::try_from(list::height_wanted(app, usize::from(body.height))).unwrap_or(u16::MAX);
        if app.show_detail {
            detail_pane(frame, app, body);
        } else if body.height >= STACKED_MIN {
            let list_height = wanted.clamp(5, body.height - PLAN_MIN);
            let [upper, lower] =
                Layout::vertical([Constraint::Length(list_height), Constraint::Min(PLAN_MIN)])
                    .areas(body);
            list::render(frame, app, upper);
            detail_pane(frame, app, lower);
        } else {
            list::render(frame, app, body);
        }
    } else {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
                .areas(body);
        // Room left under the list holds the live sessions.
        let wanted =
            u16::try_from(list::height_wanted(app, usize::from(body.height))).unwrap_or(u16::MAX);
        let live = sessions::count(app);
        if live > 0 && left.height >= wanted.saturating_add(4 + 2) {
            let box_height =
                (u16::try_from(live).unwrap_or(u16::MAX) + 2).min(left.height - wanted.max(3));
            let [upper, lower] =
                Layout::vertical([Constraint::Min(3), Constraint::Length(box_height)]).areas(left);
            list::render(frame, app, upper);
            sessions::render(frame, app, lower);
        } else {
            list::render(frame, app, left);
        }
        detail_pane(frame, app, right);
    }
}

/// The top line. The countdown and the account are never cut: at a narrow width the role
/// session's name goes first, then the program's name, then the profile's name is shortened.
fn identity_bar(frame: &mut Frame, app: &App, area: Rect) {
    use unicode_width::UnicodeWidthStr;
    let width = usize::from(area.width);
    let Some(c) = &app.current else {
        let said = match (app.picking, &app.shell_profile) {
            (false, _) => "· no role assumed yet".to_owned(),
            (true, None) => "· this shell holds no profile yet".to_owned(),
            (true, Some(p)) => format!("· this shell: {}, no live session", display_safe(p)),
        };
        let spans = vec![
            Span::styled(" xrole-tui ", theme::title()),
            Span::styled(said, theme::dim()),
        ];
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
        return;
    };
    let left = app.remaining();
    let status = ExpiryStatus::of(left);
    let clock = match (status, left) {
        (ExpiryStatus::Expired, _) => " EXPIRED ".to_owned(),
        (_, Some(d)) => format!(" ⏱ {} ", countdown(d)),
        (_, None) => " no expiry ".to_owned(),
    };
    let account = c
        .identity
        .as_ref()
        .map(|id| format!(" · {}", id.account))
        .unwrap_or_default();
    let name = c
        .identity
        .as_ref()
        .map(|id| format!(" · {}", display_safe(id.name())))
        .unwrap_or_default();
    let brand = " xrole-tui ";
    let fixed = clock.width() + 1 + account.width() + 2;
    let profile = display_safe(&c.profile).into_owned();
    let mut room = width.saturating_sub(fixed);
    // The role session's name goes first, then the program's name.
    let show_brand = room >= brand.width() + profile.width();
    if show_brand {
        room -= brand.width();
    }
    let show_name = room >= profile.width() + name.width();
    let profile = wrap::fit(&profile, room.max(1));
    let mut spans = Vec::new();
    if show_brand {
        spans.push(Span::styled(brand, theme::title()));
        spans.push(Span::raw("· "));
    } else {
        spans.push(Span::raw(" "));
    }
    spans.push(Span::styled(profile, theme::title()));
    spans.push(Span::raw(account));
    if show_name {
        spans.push(Span::raw(name));
    }
    spans.push(Span::raw(" "));
    spans.push(Span::styled(clock, theme::countdown(status)));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn detail_pane(frame: &mut Frame, app: &App, area: Rect) {
    let block = Block::new()
        .borders(Borders::ALL)
        .title(Span::styled(" plan ", theme::title()));
    let width = usize::from(block.inner(area).width);
    let lines: Vec<Line> = match app.list.selected() {
        None => vec![Line::styled("nothing selected", theme::dim())],
        Some(row) => detail::lines(&app.set, row.index)
            .into_iter()
            .flat_map(|(label, text)| {
                let style = match label {
                    "invalid" => theme::error(),
                    "warning" | "note" => theme::badge(),
                    _ => Style::new(),
                };
                wrap::hanging(label, theme::dim(), &text, style, 8, width)
            })
            .collect(),
    };
    // Lines that do not fit are counted on the frame (Tab gives the plan the whole body on a
    // narrow terminal).
    let room = usize::from(block.inner(area).height);
    let block = if lines.len() > room {
        let cut = Span::styled(format!(" ↓{} more ", lines.len() - room), theme::dim());
        block.title_bottom(Line::from(cut).right_aligned())
    } else {
        block
    };
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn status_bar(frame: &mut Frame, app: &App, area: Rect) {
    let mut spans = Vec::new();
    if let Some(p) = &app.pending {
        let secs = app
            .now
            .duration_since(p.since)
            .unwrap_or_default()
            .as_millis()
            / 250;
        spans.push(Span::styled(
            format!("{} ", SPINNER[(secs % 4) as usize]),
            theme::badge(),
        ));
    }
    if let Some(p) = app.browser.as_ref().and_then(s3::progress) {
        spans.push(Span::styled(p, theme::badge()));
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
        return;
    }
    let room = usize::from(area.width).saturating_sub(if app.pending.is_some() { 2 } else { 0 });
    match &app.status {
        Some(Status::Error(e)) => spans.push(Span::styled(shorten(e, room), theme::error())),
        Some(Status::Info(i)) => spans.push(Span::raw(shorten(i, room))),
        None if app.show_detail && area.width < WIDE => spans.push(Span::styled(
            "Tab back to the list · ? help · q quit",
            theme::dim(),
        )),
        None => spans.push(Span::styled(
            crate::app::keymap::hint(usize::from(area.width), area.width < WIDE, app.picking),
            theme::dim(),
        )),
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A message in `room` columns: whole when it fits, else cut at a word and ended with `… m`
/// (the key that shows it whole).
fn shorten(text: &str, room: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    if text.width() <= room {
        return text.to_owned();
    }
    let cut = wrap::fit(text, room.saturating_sub(3));
    let cut = cut.trim_end_matches('…');
    let at_word = cut
        .rfind(' ')
        .filter(|&i| i > cut.len() / 2)
        .map_or(cut, |i| &cut[..i]);
    format!("{}… m", at_word.trim_end())
}
