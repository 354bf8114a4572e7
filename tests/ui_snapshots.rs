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

#[test]
fn sessions_from_an_earlier_run() {
    use xrole_tui::aws::broker::LiveSession;
    let mut app = app();
    let live = |profile: &str, own: bool, left: u64| LiveSession {
        profile: profile.into(),
        expiration: Some(t0() + Duration::from_secs(left)),
        identity: own.then(|| {
            xrole_tui::domain::session::CallerIdentity::from_arn(
                "arn:aws:sts::222222222222:assumed-role/admin/alice",
                "AROA:alice",
            )
            .unwrap()
        }),
        written: t0(),
        own,
    };
    app.update(
        Msg::CachedSessions(vec![live("dev", true, 2400), live("prod", false, 39600)]),
        t0(),
    );
    insta::assert_snapshot!(screen(&app));
}

fn with_sessions() -> App {
    use xrole_tui::aws::broker::LiveSession;
    let mut app = app();
    select(&mut app, "hub"); // no session of its own: the first one found is shown
    let live = |profile: &str, own: bool, left: u64| LiveSession {
        profile: profile.into(),
        expiration: Some(t0() + Duration::from_secs(left)),
        identity: own.then(|| {
            xrole_tui::domain::session::CallerIdentity::from_arn(
                "arn:aws:sts::222222222222:assumed-role/admin/alice-with-a-long-session-name",
                "AROA:alice",
            )
            .unwrap()
        }),
        written: t0(),
        own,
    };
    app.update(
        Msg::CachedSessions(vec![
            live("dev", true, 2400),
            live("vendor", true, 600),
            live("prod", false, 39600),
        ]),
        t0(),
    );
    app
}

#[test]
fn small_and_large_terminals() {
    let app = with_sessions();
    insta::assert_snapshot!("60x20", draw(&app, 60, 20).backend().to_string());
    insta::assert_snapshot!("120x40", draw(&app, 120, 40).backend().to_string());
}

#[test]
fn the_countdown_and_the_account_are_never_cut() {
    let app = with_sessions();
    for w in 40..=140 {
        let t = draw(&app, w, 24);
        let buf = t.backend().buffer();
        let top: String = (0..w).map(|x| buf[(x, 0)].symbol().to_owned()).collect();
        assert!(top.contains("⏱ 40m 00s"), "{w}: {top:?}");
        assert!(top.contains("222222222222"), "{w}: {top:?}");
        // A row on screen keeps its session badge, however narrow.
        let all = t.backend().to_string();
        for line in all.lines() {
            if line.contains("  dev ") {
                assert!(line.contains("⏱40m"), "{w}: {line}");
            }
            if line.contains("  vendor") {
                assert!(line.contains("⏱10m"), "{w}: {line}");
            }
        }
    }
}

#[test]
fn recent_first() {
    let mut app = app();
    app.list.set_recent(["prod", "vendor"]);
    insta::assert_snapshot!(draw(&app, 100, 24).backend().to_string());
}

#[test]
fn the_mfa_modal_counts_down_the_code_step() {
    let (mut app, _) = code_rejected();
    for (after, says) in [
        (0, "changes in 30s"),
        (11, "changes in 19s"),
        (26, "changes in  4s"),
    ] {
        app.update(Msg::Tick, t0() + Duration::from_secs(after));
        let text = draw(&app, 80, 24).backend().to_string();
        assert!(text.contains(says), "{after}: {text}");
    }
    // The last seconds are red: a code typed now may be stale when it arrives.
    let t = draw(&app, 80, 24);
    let buf = t.backend().buffer();
    let red = (0..24u16)
        .any(|y| (0..80u16).any(|x| buf[(x, y)].symbol() == "4" && buf[(x, y)].fg == Color::Red));
    assert!(red);
}

#[test]
fn help_lists_every_key_even_on_a_short_terminal() {
    let mut app = app();
    app.update(key(KeyCode::Char('?')), t0());
    for (w, h) in [(80, 24), (100, 16), (120, 14)] {
        let text = draw(&app, w, h).backend().to_string();
        // The moves share one line.
        assert!(text.contains("move: a row, a page"), "{w}x{h}:\n{text}");
        for b in xrole_tui::app::keymap::PROFILES
            .iter()
            .filter(|b| !matches!(b.action, xrole_tui::app::keymap::Action::Move(_)))
        {
            let words: String = b.help.chars().take(20).collect();
            assert!(
                text.contains(&words),
                "{w}x{h}: {:?} missing:\n{text}",
                b.help
            );
        }
    }
}

/// The README's picture of the TUI and `assets/demo/screen.txt` are this drawing, so they
/// cannot go stale: `XROLE_UPDATE_SCREENS=1` writes them again.
#[test]
fn the_readme_shows_the_screen_as_drawn() {
    let app = with_sessions();
    let t = draw(&app, 110, 24);
    let buf = t.backend().buffer();
    let mut text = String::new();
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_owned())
            .collect();
        text.push_str(line.trim_end());
        text.push('\n');
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let asset = root.join("assets/demo/screen.txt");
    let readme_path = root.join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let (begin, end) = (
        "<!-- screen: begin -->\n```text\n",
        "```\n<!-- screen: end -->",
    );
    let start = readme.find(begin).expect("the README's screen markers") + begin.len();
    let stop = readme[start..].find(end).expect("the README's screen end") + start;
    if std::env::var_os("XROLE_UPDATE_SCREENS").is_some() {
        std::fs::write(&asset, &text).unwrap();
        let updated = format!("{}{text}{}", &readme[..start], &readme[stop..]);
        std::fs::write(&readme_path, updated).unwrap();
        return;
    }
    assert_eq!(
        std::fs::read_to_string(&asset).unwrap(),
        text,
        "assets/demo/screen.txt is stale: XROLE_UPDATE_SCREENS=1 cargo test --test ui_snapshots"
    );
    assert_eq!(
        &readme[start..stop],
        text,
        "the README's screen is stale: XROLE_UPDATE_SCREENS=1 cargo test --test ui_snapshots"
    );
}
