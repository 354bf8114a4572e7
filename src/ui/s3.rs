//! The S3 browser: the listing with a breadcrumb, and the preview pane.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use super::theme;
use crate::app::s3::{label, Browser, Download, Entry, Mode, Preview};
use crate::domain::s3_path::human_size;
use crate::domain::text::display_safe;

/// Draws the browser in `area`.
pub fn render(frame: &mut Frame, b: &Browser, area: Rect) {
    // The listing's columns need room more than the pane does on a narrow terminal.
    let list_share = if area.width < 120 { 60 } else { 50 };
    let [left, right] = Layout::horizontal([
        Constraint::Percentage(list_share),
        Constraint::Percentage(100 - list_share),
    ])
    .areas(area);
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
    let title = if b.mode == Mode::Filter || !b.filter.is_empty() {
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
    if let Mode::Bucket(name) = &b.mode {
        lines.push(Line::from(vec![
            Span::styled("bucket name: ", theme::badge()),
            Span::raw(display_safe(name.text()).into_owned()),
            Span::raw("▏"),
        ]));
    }
    if len == 0 && b.loading.is_none() && lines.is_empty() && b.error.is_none() {
        let text = if b.at.is_none() {
            "no bookmarks and no bucket list: press b and type a bucket name"
        } else {
            "(empty)"
        };
        lines.push(Line::styled(text, theme::dim()));
    }
    let room = height.saturating_sub(lines.len());
    let start = pos.saturating_sub(room / 2);
    // Columns: name, size (right-aligned), modified; the name gives way on a narrow pane.
    let width = usize::from(inner.width);
    let meta = if width >= 40 {
        SIZE_W + 2 + DATE_W + 1
    } else {
        SIZE_W + 1
    };
    let name_w = width.saturating_sub(meta).max(8);
    for (i, e) in b.visible().enumerate().skip(start).take(room) {
        let name = display_safe(&label(e)).into_owned();
        let mut line = match e {
            Entry::Bucket(_) | Entry::Prefix(_) => Line::from(Span::styled(name, theme::group())),
            Entry::Object(o) => {
                let mut cols = format!("{:>SIZE_W$}", human_size(o.size));
                if width >= 40 {
                    cols.push_str("  ");
                    cols.push_str(&o.modified.map_or_else(|| " ".repeat(DATE_W), when));
                }
                Line::from(vec![
                    Span::raw(pad(&name, name_w)),
                    Span::styled(cols, theme::dim()),
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
    let (title, lines): (String, Vec<Line>) = match (&b.mode, &b.preview) {
        (Mode::DownloadTo { at, dir }, _) => (
            " download ".into(),
            vec![
                Line::raw(display_safe(&at.to_string()).into_owned()),
                Line::raw(""),
                Line::from(vec![
                    Span::styled("to directory: ", theme::badge()),
                    Span::raw(display_safe(dir.text()).into_owned()),
                    Span::raw("▏"),
                ]),
                Line::styled(
                    "Enter to start, Tab to complete, Esc to cancel; an existing file is never replaced",
                    theme::dim(),
                ),
            ],
        ),
        (Mode::CreateDir { at, dir, .. }, _) => (
            " download ".into(),
            vec![
                Line::raw(display_safe(&at.to_string()).into_owned()),
                Line::raw(""),
                Line::from(vec![
                    Span::styled("no such directory: ", theme::error()),
                    Span::raw(display_safe(&dir.display().to_string()).into_owned()),
                ]),
                Line::raw("Make it and download there? y = yes, any other key = no"),
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
        _ => details(b, usize::from(area.width.saturating_sub(2))),
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

const SIZE_W: usize = 9;
const DATE_W: usize = 16;

/// `2026-11-23 06:00` (UTC).
fn when(t: std::time::SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()[..16].replace('T', " ")
}

/// `text` in exactly `w` columns: cut with `…`, or padded.
fn pad(text: &str, w: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let cut = super::wrap::fit(text, w);
    let fill = w.saturating_sub(cut.width());
    cut + &" ".repeat(fill)
}

/// The pane when nothing else is shown: the selected entry's details, then the keys.
fn details(b: &Browser, width: usize) -> (String, Vec<Line<'static>>) {
    let mut lines: Vec<Line<'static>> = Vec::new();
    let field = |lines: &mut Vec<Line<'static>>, k: &str, v: String| {
        lines.extend(super::wrap::hanging(
            k,
            theme::dim(),
            &v,
            ratatui::style::Style::new(),
            8,
            width,
        ));
    };
    let title = match (b.selected(), &b.at) {
        (Some(Entry::Object(o)), Some(_)) => {
            field(&mut lines, "key", display_safe(&o.key).into_owned());
            field(
                &mut lines,
                "size",
                format!("{} ({} bytes)", human_size(o.size), o.size),
            );
            if let Some(t) = o.modified {
                field(&mut lines, "modified", format!("{} UTC", when(t)));
            }
            field(
                &mut lines,
                "class",
                display_safe(o.storage_class.as_deref().unwrap_or("STANDARD")).into_owned(),
            );
            if let Some(e) = &o.etag {
                field(&mut lines, "ETag", display_safe(e).into_owned());
            }
            match &b.head {
                Some((key, Ok(h))) if *key == o.key => {
                    let ct = h.content_type.as_deref().unwrap_or("(none)");
                    field(&mut lines, "type", display_safe(ct).into_owned());
                    let enc = h.encryption.as_deref().unwrap_or("none");
                    field(&mut lines, "SSE", display_safe(enc).into_owned());
                    if !h.metadata.is_empty() {
                        let names = h.metadata.join(", ");
                        field(&mut lines, "metadata", display_safe(&names).into_owned());
                    }
                }
                Some((key, Err(e))) if *key == o.key => {
                    lines.push(Line::styled(display_safe(e).into_owned(), theme::error()));
                }
                _ if b.heading.is_some() => {
                    lines.push(Line::styled("asking HeadObject…", theme::dim()))
                }
                _ => lines.push(Line::styled(
                    "i  content type and metadata (HeadObject)",
                    theme::dim(),
                )),
            }
            format!(" {} ", display_safe(&label(&Entry::Object(o.clone()))))
        }
        (Some(Entry::Prefix(p)), Some(at)) => {
            field(
                &mut lines,
                "folder",
                format!("s3://{}/{}", display_safe(&at.bucket), display_safe(p)),
            );
            " folder ".into()
        }
        (Some(Entry::Bucket(bk)), _) => {
            field(&mut lines, "bucket", display_safe(bk).into_owned());
            " bucket ".into()
        }
        _ => " s3 ".into(),
    };
    lines.push(Line::raw(""));
    lines.extend(legend(width));
    (title, lines)
}

/// The legend: the keys table, as the key handler reads it (? shows it whole), wrapped to
/// `width` between keys, never inside one (`d download` stays on one line).
fn legend(width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut legend: Vec<String> = crate::app::s3_keys::KEYS
        .iter()
        .filter_map(|k| k.short.map(|w| format!("{} {w}", k.label)))
        .collect();
    legend.push("? all keys".into());
    let mut line = String::new();
    for item in legend {
        let wide = unicode_width::UnicodeWidthStr::width(line.as_str())
            + 3
            + unicode_width::UnicodeWidthStr::width(item.as_str());
        if !line.is_empty() && wide > width {
            lines.push(Line::styled(std::mem::take(&mut line), theme::dim()));
        }
        if !line.is_empty() {
            line.push_str(" · ");
        }
        line.push_str(&item);
    }
    lines.push(Line::styled(line, theme::dim()));
    lines
}

/// The download's progress, for the status bar.
pub fn progress(b: &Browser) -> Option<String> {
    match &b.download {
        Some(Download {
            at,
            done,
            total,
            files: Some((finished, all)),
            ..
        }) => Some(format!(
            "downloading {} {} of {} files, {} / {}",
            display_safe(&at.to_string()),
            finished,
            all,
            human_size(*done),
            human_size(total.unwrap_or(0))
        )),
        Some(Download {
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
