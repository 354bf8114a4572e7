//! The windows drawn over the screen: help, the MFA code, confirmations, the long-run
//! question and the message log.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::{theme, wrap};
use crate::app::{App, Modal, Status};
use crate::domain::text::display_safe;

/// Draws the app's open window, if any, over `area`.
pub(super) fn render(frame: &mut Frame, app: &App, area: Rect) {
    match &app.modal {
        Some(Modal::Help) => help(frame, app, area),
        Some(Modal::Mfa(prompt)) => {
            let waiting = app.pending.is_some() && prompt.req.is_none() && prompt.error.is_none();
            mfa(frame, app, prompt, waiting, area);
        }
        Some(Modal::ConfirmProd { target, .. }) => {
            let profile = &target.name;
            let text = vec![
                Line::from(vec![
                    Span::raw("Profile "),
                    Span::styled(display_safe(profile).into_owned(), theme::prod()),
                    Span::raw(" is marked prod."),
                ]),
                Line::raw(""),
                Line::raw("Continue? y = yes, any other key = no"),
            ];
            popup(frame, area, " production ", text, 50, 5);
        }
        Some(Modal::ConfirmForget {
            target,
            serial,
            others,
        }) => {
            let text = forget_text(&target.name, serial, others);
            popup(frame, area, " forget sessions ", text, 72, 7);
        }
        Some(Modal::SsoLogin {
            url, code, browser, ..
        }) => sso_login(frame, area, url, code.as_deref(), browser.as_ref()),
        Some(Modal::Link { url, why }) => link(frame, area, url, why),
        Some(Modal::Portal(view)) => {
            let text = super::portal::lines(area, view);
            let shown = u16::try_from(text.len()).unwrap_or(u16::MAX);
            popup(frame, area, " IAM Identity Center ", text, 90, shown);
        }
        Some(Modal::ConfirmPopulate { session, .. }) => confirm_populate(frame, area, session),
        Some(Modal::ConfirmForgetAll) => {
            let text = vec![
                Line::raw("Forget every cached session, MFA sessions included?"),
                Line::raw("Every profile that needs MFA will ask for a code again."),
                Line::raw(""),
                Line::raw("y = forget all, any other key = no"),
            ];
            popup(frame, area, " forget sessions ", text, 60, 6);
        }
        Some(Modal::Log) => log(frame, app, area),
        Some(Modal::RunFor { input, error }) => {
            let mut text = vec![
                Line::raw("How long will the run last? (8h, 90m; at most 36h)"),
                Line::raw(format!("> {}_", display_safe(input.text()))),
                Line::raw(""),
            ];
            text.push(match error {
                Some(e) => Line::styled(display_safe(e).into_owned(), theme::error()),
                None => Line::raw("Enter = open the shell, Esc = cancel"),
            });
            popup(frame, area, " long run ", text, 60, 6);
        }
        Some(Modal::ConfirmRevoke { what, target }) => {
            popup(
                frame,
                area,
                " revoke sessions ",
                revoke_text(what, target),
                72,
                10,
            );
        }
        None => {}
    }
}

/// `x` on a profile whose MFA session others use: what goes, and who loses it.
fn forget_text(name: &str, serial: &str, others: &[String]) -> Vec<Line<'static>> {
    vec![
        Line::raw(format!(
            "Forget the sessions of {}, with its MFA session of",
            display_safe(name)
        )),
        Line::styled(display_safe(serial).into_owned(), theme::prod()),
        Line::raw(format!(
            "which {} also use: they will ask for a code again.",
            display_safe(&others.join(", "))
        )),
        Line::raw(""),
        Line::raw("y = forget, any other key = no"),
    ]
}

/// `R`: what a revocation ends, for whom, what stays, and whose credentials make the call.
fn revoke_text(what: &str, target: &crate::domain::Target) -> Vec<Line<'static>> {
    let policy = crate::domain::revoke::POLICY_NAME;
    vec![
        Line::raw("Revoke every session issued before now of"),
        Line::styled(display_safe(what).into_owned(), theme::prod()),
        Line::raw(""),
        Line::raw("Every person and job using it is cut off, not only you."),
        Line::raw(format!(
            "The inline policy {policy} stays on it until removed."
        )),
        Line::raw(format!(
            "The IAM call is made with the credentials of profile {}.",
            display_safe(&target.name)
        )),
        Line::raw(""),
        Line::raw("y = revoke, any other key = no"),
    ]
}

/// `m`: every message of this session, newest last, wrapped to the popup.
fn log(frame: &mut Frame, app: &App, area: Rect) {
    let width = area.width.saturating_sub(4).min(100);
    let mut lines: Vec<Line> = Vec::new();
    for status in &app.log {
        let (text, style) = match status {
            Status::Error(e) => (e, theme::error()),
            Status::Info(i) => (i, Style::new()),
        };
        for piece in wrap::hanging(
            "",
            Style::new(),
            &display_safe(text),
            style,
            0,
            usize::from(width),
        ) {
            lines.push(piece);
        }
    }
    if lines.is_empty() {
        lines.push(Line::raw("no message yet"));
    }
    let room = usize::from(area.height.saturating_sub(4));
    let skip = lines.len().saturating_sub(room);
    let shown: Vec<Line> = lines.into_iter().skip(skip).collect();
    let height = u16::try_from(shown.len()).unwrap_or(u16::MAX);
    popup(
        frame,
        area,
        " messages (any key closes) ",
        shown,
        width,
        height,
    );
}

/// A console link no browser could open, its token left out.
fn link(frame: &mut Frame, area: Rect, url: &crate::domain::text::SecretText, why: &str) {
    let text = vec![
        Line::styled(display_safe(why).into_owned(), theme::error()),
        Line::raw(""),
        Line::raw(display_safe(&crate::domain::text::masked_link(url.expose())).into_owned()),
        Line::raw(""),
        Line::raw("y = copy the whole link (valid 15 minutes), any other key = close"),
    ];
    popup(frame, area, " console link ", text, 76, 12);
}

/// `p`'s question.
fn confirm_populate(frame: &mut Frame, area: Rect, session: &str) {
    let text = vec![
        Line::raw(format!(
            "Write a profile for every account and role that [sso-session {}] offers?",
            display_safe(session)
        )),
        Line::raw("They go into that session's own block of the config file; nothing"),
        Line::raw("outside it changes, and a backup of the file is kept beside it."),
        Line::raw(""),
        Line::raw("y = write them, any other key = no"),
    ];
    popup(frame, area, " IAM Identity Center ", text, 78, 6);
}

/// An IAM Identity Center sign-in under way: the page, the device code, the browser.
fn sso_login(
    frame: &mut Frame,
    area: Rect,
    url: &str,
    code: Option<&str>,
    browser: Option<&Result<(), String>>,
) {
    let mut text = vec![
        Line::raw("Sign in to IAM Identity Center: open this page"),
        Line::raw(""),
        Line::styled(display_safe(url).into_owned(), theme::title()),
        Line::raw(""),
    ];
    if let Some(code) = code {
        text.push(Line::raw(format!(
            "and enter the code  {}",
            display_safe(code)
        )));
        text.push(Line::raw(""));
    }
    text.push(match browser {
        Some(Ok(())) => Line::raw("A browser was opened on it."),
        Some(Err(why)) => Line::styled(
            format!("No browser could be opened ({}).", display_safe(why)),
            theme::error(),
        ),
        None => Line::raw(""),
    });
    text.push(Line::raw(
        "Waiting for the sign-in…  y = copy the link · Esc = cancel",
    ));
    popup(frame, area, " IAM Identity Center ", text, 78, 14);
}

fn popup(frame: &mut Frame, area: Rect, title: &str, lines: Vec<Line>, width: u16, height: u16) {
    let w = width.min(area.width);
    let h = (height + 2).min(area.height);
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    frame.render_widget(Clear, rect);
    let block = Block::new()
        .borders(Borders::ALL)
        .title(Span::styled(title.to_owned(), theme::title()));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}

fn mfa(frame: &mut Frame, app: &App, prompt: &crate::app::MfaPrompt, waiting: bool, area: Rect) {
    let masked: String =
        "•".repeat(prompt.input.len()) + &"_".repeat(6 - prompt.input.len().min(6));
    // The authenticator's code changes every 30 s: a code typed in its last seconds may be
    // refused by the time it arrives.
    let left = crate::domain::totp::seconds_left(app.now);
    let step_style = if left <= 5 {
        theme::error()
    } else {
        theme::dim()
    };
    let mut lines = vec![
        Line::from(vec![
            Span::raw("Device  "),
            Span::raw(display_safe(&prompt.serial).into_owned()),
        ]),
        Line::from(vec![
            Span::raw("Profile "),
            Span::raw(display_safe(&prompt.target.name).into_owned()),
        ]),
        Line::raw(""),
        Line::from(vec![
            Span::raw("Code    "),
            Span::styled(masked, theme::title()),
            Span::styled(format!("   the code changes in {left:>2}s"), step_style),
        ]),
    ];
    if waiting {
        lines.push(Line::styled("checking the code…", theme::dim()));
    } else if let Some(e) = &prompt.error {
        lines.push(Line::styled(e.clone(), theme::error()));
    } else {
        lines.push(Line::styled(
            "6 digits, Enter to send, Esc to cancel",
            theme::dim(),
        ));
    }
    popup(frame, area, " MFA code ", lines, 64, 6);
}

fn help(frame: &mut Frame, app: &App, area: Rect) {
    // The keys of the screen in front, from the tables the key handlers read.
    let mut keys: Vec<(&str, &str)> = if app.browser.is_some() {
        crate::app::s3_keys::KEYS
            .iter()
            .map(|b| (b.label, b.help))
            .collect()
    } else {
        // The six ways of moving take one line, so that every key fits one column at 80×24.
        let moves = crate::app::keymap::PROFILES
            .iter()
            .filter(|b| matches!(b.action, crate::app::keymap::Action::Move(_)));
        let others = crate::app::keymap::PROFILES
            .iter()
            .filter(|b| !matches!(b.action, crate::app::keymap::Action::Move(_)));
        moves
            .take(1)
            .map(|_| {
                (
                    "↑↓ jk PgUp/Dn g G",
                    "move: a row, a page, the first or last",
                )
            })
            .chain(others.map(|b| (b.label, b.help)))
            .collect()
    };
    if app.browser.is_some() {
        keys.push(("?", "this help (any key closes it)"));
    }
    let entry = |(label, help): (&str, &str), width: usize| {
        let text: String = help.chars().take(width.saturating_sub(19)).collect();
        vec![
            Span::styled(format!("{label:>17}  "), theme::badge()),
            Span::raw(format!("{text:<w$}", w = width.saturating_sub(19))),
        ]
    };
    // One column when it fits the height, else two side by side (every key stays listed).
    let room = usize::from(area.height.saturating_sub(2));
    let lines: Vec<Line> = if keys.len() <= room || area.width < 80 {
        keys.iter().map(|&k| Line::from(entry(k, 74))).collect()
    } else {
        let half = keys.len().div_ceil(2);
        let col = usize::from(area.width.min(120).saturating_sub(4)) / 2;
        (0..half)
            .map(|i| {
                let mut spans = entry(keys[i], col);
                if let Some(&right) = keys.get(i + half) {
                    spans.extend(entry(right, col));
                }
                Line::from(spans)
            })
            .collect()
    };
    let width = if keys.len() <= room || area.width < 80 {
        76
    } else {
        area.width.min(120)
    };
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    popup(frame, area, " keys ", lines, width, height);
}
