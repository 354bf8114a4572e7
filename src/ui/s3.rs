//! The S3 browser: the listing with a breadcrumb, and the preview pane.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use super::theme;
use crate::app::s3::{label, Browser, Download, Entry, Preview};
use crate::domain::s3_path::human_size;
use crate::domain::text::display_safe;

/// Draws the browser in `area`.
pub fn render(frame: &mut Frame, b: &Browser, area: Rect) {
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    list(frame, b, left);
    pane(frame, b, right);
}

fn list(frame: &mut Frame, b: &Browser, area: Rect) {
    let (pos, len) = b.position();
    let more = if b.loading.is_some() {
        " loading…"
    } else if b.next.is_some() {
        " +more"
    } else {
        ""
    };
    let title = if b.filtering || !b.filter.is_empty() {
        format!(" {} /{} ", b.breadcrumb(), b.filter)
    } else {
        format!(" {} ({len}{more}) ", b.breadcrumb())
    };
    let block = Block::new()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme::title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let height = usize::from(inner.height);
    if height == 0 {
        return;
    }
    let mut lines: Vec<Line> = Vec::with_capacity(height);
    if let Some(name) = &b.typing_bucket {
        lines.push(Line::from(vec![
            Span::styled("bucket name: ", theme::badge()),
            Span::raw(display_safe(name).into_owned()),
            Span::raw("▏"),
        ]));
    }
    if len == 0 && b.loading.is_none() && lines.is_empty() {
        let text = if b.at.is_none() {
            "no bookmarks and no bucket list: press b and type a bucket name"
        } else {
            "(empty)"
        };
        lines.push(Line::styled(text, theme::dim()));
    }
    let room = height.saturating_sub(lines.len());
    let start = pos.saturating_sub(room / 2);
    for (i, e) in b.visible().enumerate().skip(start).take(room) {
        let name = display_safe(&label(e)).into_owned();
        let mut line = match e {
            Entry::Bucket(_) => Line::from(Span::styled(name, theme::group())),
            Entry::Prefix(_) => Line::from(Span::styled(name, theme::group())),
            Entry::Object(o) => {
                let when = o.modified.map_or_else(String::new, |t| {
                    humantime::format_rfc3339_seconds(t).to_string()[..16].replace('T', " ")
                });
                Line::from(vec![
                    Span::raw(name),
                    Span::styled(format!("  {}  {when}", human_size(o.size)), theme::dim()),
                ])
            }
        };
        if i == pos {
            line = line.style(theme::selected());
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn pane(frame: &mut Frame, b: &Browser, area: Rect) {
    let (title, lines): (String, Vec<Line>) = match (&b.download, &b.preview) {
        (Some(Download::Choosing { at, dir }), _) => (
            " download ".into(),
            vec![
                Line::raw(display_safe(&at.to_string()).into_owned()),
                Line::raw(""),
                Line::from(vec![
                    Span::styled("to directory: ", theme::badge()),
                    Span::raw(display_safe(dir).into_owned()),
                    Span::raw("▏"),
                ]),
                Line::styled(
                    "Enter to start, Esc to cancel; an existing file is never replaced",
                    theme::dim(),
                ),
            ],
        ),
        (_, None) if b.error.is_some() => (
            " error ".into(),
            vec![Line::styled(
                display_safe(b.error.as_deref().unwrap_or_default()).into_owned(),
                theme::error(),
            )],
        ),
        (
            _,
            Some(Preview::Text {
                key,
                lines,
                truncated,
            }),
        ) => {
            let mut out: Vec<Line> = lines.iter().map(|l| Line::raw(l.clone())).collect();
            if *truncated {
                out.push(Line::styled("… (first 64 KiB)", theme::dim()));
            }
            (
                format!(" {} ", display_safe(key.rsplit('/').next().unwrap_or(key))),
                out,
            )
        }
        (_, Some(Preview::Binary { key, size })) => (
            format!(" {} ", display_safe(key.rsplit('/').next().unwrap_or(key))),
            vec![Line::styled(
                format!(
                    "binary object ({}), not shown; d downloads it",
                    human_size(*size)
                ),
                theme::dim(),
            )],
        ),
        _ => (
            " s3 ".into(),
            [
                "Enter  open a bucket or folder, preview an object",
                "Backspace  up one level",
                "/  filter what is loaded",
                "b  open a bucket by name",
                "d  download the object",
                "o  open it in the S3 console",
                "Esc  back to the profiles",
            ]
            .iter()
            .map(|t| Line::styled(*t, theme::dim()))
            .collect(),
        ),
    };
    let block = Block::new()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme::title()));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// The download's progress, for the status bar.
pub fn progress(b: &Browser) -> Option<String> {
    match &b.download {
        Some(Download::Running {
            at, done, total, ..
        }) => Some(match total {
            Some(t) if *t > 0 => format!(
                "downloading {} {} / {} ({}%)",
                display_safe(at.key.rsplit('/').next().unwrap_or(&at.key)),
                human_size(*done),
                human_size(*t),
                done * 100 / t
            ),
            _ => format!(
                "downloading {} {}",
                display_safe(&at.key),
                human_size(*done)
            ),
        }),
        _ => None,
    }
}
