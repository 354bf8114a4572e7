//! Wrapping with a hanging indent: a label column, then text whose continuation lines start
//! under the text, never at column 0. Lines break after a space or after the separators of
//! ARNs and paths (`:` `/` `,` `·`), and mid-word only when a word is wider than the room.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `label` right-aligned in `label_width` columns, then `text` wrapped to `width` columns.
/// Continuation lines are indented under the text (and under a list item's `1. `).
pub fn hanging(
    label: &str,
    label_style: Style,
    text: &str,
    text_style: Style,
    label_width: usize,
    width: usize,
) -> Vec<Line<'static>> {
    let lead = text.len() - text.trim_start().len();
    let item = text
        .trim_start()
        .split_once(". ")
        .filter(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .map_or(0, |(n, _)| n.len() + 2);
    let indent = (label_width + 1 + lead + item).min(width.saturating_sub(8));
    let first_room = width.saturating_sub(label_width + 1).max(1);
    let rest_room = width.saturating_sub(indent).max(1);
    let pieces = split(text, first_room, rest_room);
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            let head = if i == 0 {
                Span::styled(format!("{label:>label_width$} "), label_style)
            } else {
                Span::raw(" ".repeat(indent))
            };
            Line::from(vec![head, Span::styled(piece, text_style)])
        })
        .collect()
}

/// `text` cut into lines of at most `first` columns, then `rest` columns.
fn split(text: &str, first: usize, rest: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut room = first;
    // Break opportunities: after these characters.
    let mut last_break: Option<usize> = None;
    for c in text.chars() {
        let cw = c.width().unwrap_or(0);
        if current.width() + cw > room && !current.is_empty() {
            let cut = last_break.filter(|&b| b > 0).unwrap_or(current.len());
            let tail = current.split_off(cut);
            lines.push(current.trim_end().to_owned());
            current = tail.trim_start().to_owned();
            room = rest;
            last_break = None;
        }
        current.push(c);
        if matches!(c, ' ' | ':' | '/' | ',' | '·' | '→') {
            last_break = Some(current.len());
        }
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

/// `text` in at most `room` columns, ending in `…` when cut.
pub fn fit(text: &str, room: usize) -> String {
    if text.width() <= room {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + cw + 1 > room {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(label: &str, text: &str, width: usize) -> Vec<String> {
        hanging(label, Style::new(), text, Style::new(), 8, width)
            .into_iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn arns_break_at_their_separators_under_the_text() {
        let got = texts(
            "role",
            "arn:aws:iam::444444444444:role/VendorAccessRole",
            40,
        );
        assert_eq!(
            got,
            [
                "    role arn:aws:iam::444444444444:role/",
                "         VendorAccessRole",
            ]
        );
    }

    #[test]
    fn list_items_hang_under_their_text_and_nothing_is_lost() {
        let text = "   2. sts:AssumeRole arn:aws:iam::444444444444:role/VendorAccessRole · 1h · external id";
        let got = texts("", text, 42);
        for l in &got[1..] {
            assert!(l.starts_with(&" ".repeat(14)), "{got:?}");
        }
        let joined: String = got.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
        for word in ["sts:AssumeRole", "VendorAccessRole", "1h", "external id"] {
            assert!(joined.contains(word), "{got:?}");
        }
        // A word wider than the room is cut, never lost.
        let long = texts("x", &"a".repeat(50), 20);
        assert_eq!(
            long.iter()
                .map(|l| l.trim().trim_start_matches('x').trim().len())
                .sum::<usize>(),
            50
        );
    }
}
