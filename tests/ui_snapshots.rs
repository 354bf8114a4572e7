//! Every screen state at 80×24 with a fixed clock, as text snapshots, plus cell colours where
//! the colour is the message (the countdown, prod).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::time::Duration;

use crossterm::event::KeyCode;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use ratatui::Terminal;
use support::tui::*;
use xrole_tui::app::{App, Msg};
use xrole_tui::domain::ProfileSet;

fn draw(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| xrole_tui::ui::render(f, app)).unwrap();
    t
}

fn screen(app: &App) -> String {
    draw(app, 80, 24).backend().to_string()
}

/// The foreground colour of the first cell of `needle` on the top line.
fn top_colour(t: &Terminal<TestBackend>, needle: &str) -> Color {
    let buf = t.backend().buffer();
    let line: String = (0..buf.area.width)
        .map(|x| buf[(x, 0)].symbol().to_owned())
        .collect();
    let byte = line
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {line:?}"));
    let x = line[..byte].chars().count() as u16;
    buf[(x, 0)].fg
}

#[test]
fn profiles() {
    insta::assert_snapshot!(screen(&app()));
}

#[test]
fn empty() {
    let app = App::new(std::sync::Arc::new(ProfileSet::default()), None, t0());
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn filtered() {
    let mut app = app();
    app.update(key(KeyCode::Char('/')), t0());
    chars(&mut app, "prod");
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn invalid_profile() {
    let mut app = app();
    select(&mut app, "broken");
    app.update(key(KeyCode::Enter), t0());
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn mfa_prompt_with_a_rejected_code() {
    let (mut app, _) = code_rejected();
    chars(&mut app, "12");
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn session_valid_expiring_expired() {
    let valid = logged_in(Duration::from_secs(3599));
    let t = draw(&valid, 80, 24);
    insta::assert_snapshot!("session_valid", t.backend().to_string());
    assert_eq!(top_colour(&t, "⏱"), Color::Green);

    let expiring = logged_in(Duration::from_secs(14 * 60 + 5));
    let t = draw(&expiring, 80, 24);
    insta::assert_snapshot!("session_expiring", t.backend().to_string());
    assert_eq!(top_colour(&t, "⏱"), Color::Yellow);

    let critical = logged_in(Duration::from_secs(4 * 60));
    assert_eq!(top_colour(&draw(&critical, 80, 24), "⏱"), Color::Red);

    let mut expired = logged_in(Duration::from_secs(60));
    expired.update(Msg::Tick, t0() + Duration::from_secs(61));
    let t = draw(&expired, 80, 24);
    insta::assert_snapshot!("session_expired", t.backend().to_string());
    assert_eq!(top_colour(&t, "EXPIRED"), Color::Red);
}

#[test]
fn help() {
    let mut app = app();
    app.update(key(KeyCode::Char('?')), t0());
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn too_small_and_odd_sizes_never_panic() {
    let app = logged_in(Duration::from_secs(3600));
    insta::assert_snapshot!("too_small", draw(&app, 30, 8).backend().to_string());
    for (w, h) in [
        (0, 0),
        (1, 1),
        (2, 80),
        (80, 2),
        (40, 10),
        (500, 200),
        (39, 9),
    ] {
        draw(&app, w, h);
    }
}

#[test]
fn prod_is_red() {
    let app = app();
    let t = draw(&app, 80, 24);
    let buf = t.backend().buffer();
    let found = (0..buf.area.height).any(|y| {
        let line: String = (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_owned())
            .collect();
        line.find("[prod]").is_some_and(|b| {
            let x = line[..b].chars().count() as u16;
            buf[(x, y)].fg == Color::Red
        })
    });
    assert!(found, "the prod badge is drawn in red");
}
