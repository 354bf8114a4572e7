//! The app as a state machine: scripted messages with a fixed clock, effects asserted.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;
use support::tui::*;
use xrole_tui::app::{Effect, Modal, Msg, Status};

#[test]
fn mfa_profile_makes_no_request_before_a_valid_code() {
    let mut app = app();
    select(&mut app, "dev");
    let req = auth_req(&app.update(key(KeyCode::Enter), t0()));
    // The engine asks for a code: the modal opens, nothing is sent.
    let e = app.update(
        Msg::MfaNeeded {
            req,
            serial: "arn:aws:iam::111111111111:mfa/alice".into(),
        },
        t0(),
    );
    assert!(e.is_empty());
    assert!(matches!(app.modal, Some(Modal::Mfa(_))));
    assert!(chars(&mut app, "12345").is_empty());
    assert!(
        app.update(key(KeyCode::Enter), t0()).is_empty(),
        "5 digits: refused locally"
    );
    match &app.modal {
        Some(Modal::Mfa(m)) => assert!(m.error.as_deref().unwrap().contains("6 digits")),
        other => panic!("{other:?}"),
    }
    assert!(chars(&mut app, "a").is_empty(), "letters are refused");
    chars(&mut app, "6");
    match app.update(key(KeyCode::Enter), t0()).as_slice() {
        [Effect::ProvideMfa { req: r, code }] => {
            assert_eq!(*r, req);
            assert_eq!(code.as_str(), "123456");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn success_opens_the_shell_and_starts_the_countdown() {
    let mut app = app();
    select(&mut app, "dev");
    let req = auth_req(&app.update(key(KeyCode::Enter), t0()));
    let e = app.update(
        Msg::AuthDone {
            req,
            result: Ok(session(
                "dev",
                "222222222222",
                t0() + std::time::Duration::from_secs(3600),
            )),
        },
        t0(),
    );
    match e.as_slice() {
        // The shell, and the use that moves dev up in the recent-first order.
        [Effect::SpawnShell { session, target }, Effect::Used(used)] if used == "dev" => {
            assert_eq!(session.profile, "dev");
            assert_eq!(target.name, "dev");
            assert_eq!(target.region.as_deref(), Some("eu-west-1"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(app.remaining(), Some(std::time::Duration::from_secs(3600)));
    app.update(Msg::ShellExited("exit status 0".into()), t0());
    assert!(matches!(&app.status, Some(Status::Info(s)) if s.contains("exit status 0")));
    assert!(
        app.current.is_some(),
        "the session is still there after the shell"
    );
}

#[test]
fn stale_replies_are_dropped_and_esc_abandons() {
    let mut app = app();
    select(&mut app, "dev");
    let req = auth_req(&app.update(key(KeyCode::Char('i')), t0()));
    match app.update(key(KeyCode::Esc), t0()).as_slice() {
        [Effect::Cancel(r)] => assert_eq!(*r, req),
        other => panic!("{other:?}"),
    }
    assert!(app.pending.is_none());
    let late = app.update(
        Msg::AuthDone {
            req,
            result: Ok(session("dev", "222222222222", t0())),
        },
        t0(),
    );
    assert!(late.is_empty());
    assert!(
        app.current.is_none(),
        "a late reply to an abandoned request is ignored"
    );
    assert!(app
        .update(
            Msg::MfaNeeded {
                req,
                serial: "x".into()
            },
            t0()
        )
        .is_empty());
    assert!(app.modal.is_none());

    // Esc in the MFA modal cancels too.
    let req2 = auth_req(&app.update(key(KeyCode::Char('i')), t0()));
    assert_ne!(req, req2);
    app.update(
        Msg::MfaNeeded {
            req: req2,
            serial: "x".into(),
        },
        t0(),
    );
    assert!(
        matches!(app.update(key(KeyCode::Esc), t0()).as_slice(), [Effect::Cancel(r)] if *r == req2)
    );
    assert!(app.modal.is_none());
}

#[test]
fn rejected_code_lets_you_retry_with_the_next_one() {
    let (mut app, req) = code_rejected();
    match &app.modal {
        Some(Modal::Mfa(m)) => {
            assert!(m
                .error
                .as_deref()
                .unwrap()
                .contains("wait for the next code"));
            assert!(m.input.is_empty(), "the refused code is not kept");
        }
        other => panic!("{other:?}"),
    }
    chars(&mut app, "222222");
    let req2 = auth_req(&app.update(key(KeyCode::Enter), t0()));
    assert_ne!(req2, req);
    match app
        .update(
            Msg::MfaNeeded {
                req: req2,
                serial: "s".into(),
            },
            t0(),
        )
        .as_slice()
    {
        [Effect::ProvideMfa { req, code }] => {
            assert_eq!(*req, req2);
            assert_eq!(code.as_str(), "222222");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn prod_asks_first_and_invalid_profiles_explain() {
    let mut app = app();
    select(&mut app, "prod");
    assert!(app.update(key(KeyCode::Enter), t0()).is_empty());
    assert!(matches!(app.modal, Some(Modal::ConfirmProd { .. })));
    assert!(app.update(key(KeyCode::Char('n')), t0()).is_empty());
    assert!(app.modal.is_none());
    app.update(key(KeyCode::Enter), t0());
    auth_req(&app.update(key(KeyCode::Char('y')), t0()));

    let mut app = self::app();
    select(&mut app, "broken");
    assert!(app.update(key(KeyCode::Enter), t0()).is_empty());
    assert!(matches!(&app.status, Some(Status::Error(e)) if e.contains("neither source_profile")));
}

#[test]
fn filter_and_preselect() {
    let mut app = app();
    app.update(key(KeyCode::Char('/')), t0());
    chars(&mut app, "vendo");
    assert_eq!(
        app.list.visible().map(|r| r.name).collect::<Vec<_>>(),
        ["vendor"]
    );
    app.update(key(KeyCode::Esc), t0());
    assert_eq!(app.list.len(), 6);
    let app = xrole_tui::app::App::new(set(), Some("prod"), t0());
    assert_eq!(app.list.selected().unwrap().name, "prod");
    let app = xrole_tui::app::App::new(set(), Some("nope"), t0());
    assert!(matches!(&app.status, Some(Status::Error(e)) if e.contains("nope")));
}

#[test]
fn ticks_redraw_only_when_something_moves() {
    let mut app = app();
    app.take_dirty();
    app.update(Msg::Tick, t0() + std::time::Duration::from_secs(1));
    assert!(!app.take_dirty(), "nothing on screen depends on time");
    let mut app = logged_in(std::time::Duration::from_secs(3600));
    app.take_dirty();
    app.update(Msg::Tick, t0() + std::time::Duration::from_millis(250));
    assert!(!app.take_dirty(), "same second: same countdown");
    app.update(Msg::Tick, t0() + std::time::Duration::from_secs(1));
    assert!(app.take_dirty());
}

fn any_key() -> impl Strategy<Value = KeyEvent> {
    let code = prop_oneof![
        any::<char>().prop_map(KeyCode::Char),
        "[0-9a-z/?qijkgG ]".prop_map(|s| KeyCode::Char(s.chars().next().unwrap())),
        Just(KeyCode::Enter),
        Just(KeyCode::Esc),
        Just(KeyCode::Backspace),
        Just(KeyCode::Up),
        Just(KeyCode::Down),
        Just(KeyCode::PageUp),
        Just(KeyCode::PageDown),
        Just(KeyCode::Home),
        Just(KeyCode::End),
    ];
    code.prop_map(|c| KeyEvent::new(c, KeyModifiers::NONE))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn random_keys_never_break_the_app(keys in prop::collection::vec(any_key(), 0..60)) {
        let mut app = app();
        for k in keys {
            for e in app.update(Msg::Key(k), t0()) {
                if let Effect::Authenticate { req, .. } = e {
                    app.update(Msg::MfaNeeded { req, serial: "s".into() }, t0());
                }
            }
            prop_assert!(app.list.is_empty() || app.list.selected_position() < app.list.len());
        }
        let backend = ratatui::backend::TestBackend::new(80, 24);
        let mut terminal = ratatui::Terminal::new(backend).unwrap();
        terminal.draw(|f| xrole_tui::ui::render(f, &app)).unwrap();
    }
}

fn live(profile: &str, own: bool, left: u64, written: u64) -> xrole_tui::aws::broker::LiveSession {
    xrole_tui::aws::broker::LiveSession {
        profile: profile.into(),
        expiration: Some(t0() + std::time::Duration::from_secs(left)),
        identity: own.then(|| {
            xrole_tui::domain::session::CallerIdentity::from_arn(
                &format!("arn:aws:sts::222222222222:assumed-role/admin/{profile}"),
                "AROA:x",
            )
            .unwrap()
        }),
        written: t0() - std::time::Duration::from_secs(written),
        own,
    }
}

#[test]
fn sessions_found_in_the_cache_are_shown_and_forgetting_drops_them() {
    let mut app = app();
    assert!(app.current.is_none());
    select(&mut app, "hub"); // no session of its own
    app.update(
        Msg::CachedSessions(vec![
            live("vendor", true, 1800, 60),
            live("dev", true, 3000, 10),
            live("prod", false, 40000, 10),
        ]),
        t0(),
    );
    // The one opened last is shown; the others have badges.
    let current = app.current.as_ref().unwrap();
    assert_eq!(current.profile, "dev");
    assert_eq!(app.remaining(), Some(std::time::Duration::from_secs(3000)));
    assert!(app.sessions.contains_key("vendor"));
    assert!(app.mfa_ready.contains_key("prod") && !app.sessions.contains_key("prod"));

    // `x` on dev takes its MFA session, which prod uses too: it asks first, naming prod.
    select(&mut app, "dev");
    assert!(app.update(key(KeyCode::Char('x')), t0()).is_empty());
    match &app.modal {
        Some(Modal::ConfirmForget { serial, others, .. }) => {
            assert_eq!(serial, "arn:aws:iam::111111111111:mfa/alice");
            assert_eq!(others, &["prod".to_owned()]);
        }
        other => panic!("{other:?}"),
    }
    assert!(app.update(key(KeyCode::Char('n')), t0()).is_empty());
    assert!(app.modal.is_none());
    app.update(key(KeyCode::Char('x')), t0());
    match app.update(key(KeyCode::Char('y')), t0()).as_slice() {
        [Effect::Forget(Some(t))] => assert_eq!(t.name, "dev"),
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(&app.status, Some(Status::Info(s)) if s.contains("its MFA session of arn:aws:iam::111111111111:mfa/alice included")),
        "{:?}",
        app.status
    );
    // A profile whose sessions nobody shares is forgotten at once.
    select(&mut app, "vendor");
    assert!(matches!(
        app.update(key(KeyCode::Char('x')), t0()).as_slice(),
        [Effect::Forget(Some(_))]
    ));
    select(&mut app, "dev");
    app.update(Msg::Forgotten(Ok(2)), t0());
    app.update(
        Msg::CachedSessions(vec![live("vendor", true, 1800, 60)]),
        t0(),
    );
    assert_eq!(app.current.as_ref().unwrap().profile, "vendor");
    assert!(!app.sessions.contains_key("dev") && app.mfa_ready.is_empty());
    assert!(matches!(&app.status, Some(Status::Info(s)) if s == "forgot 2 cached sessions"));

    // `X` asks first; only `y` forgets everything.
    assert!(app.update(key(KeyCode::Char('X')), t0()).is_empty());
    assert!(matches!(app.modal, Some(Modal::ConfirmForgetAll)));
    assert!(app.update(key(KeyCode::Char('n')), t0()).is_empty());
    app.update(key(KeyCode::Char('X')), t0());
    assert!(matches!(
        app.update(key(KeyCode::Char('y')), t0()).as_slice(),
        [Effect::Forget(None)]
    ));
    app.update(Msg::CachedSessions(Vec::new()), t0());
    assert!(app.current.is_none() && app.sessions.is_empty());
}

#[test]
fn a_message_clears_when_the_user_moves_on() {
    let mut app = app();
    select(&mut app, "dev");
    app.update(Msg::ShellExited("exit status 0".into()), t0());
    assert!(app.status.is_some());
    app.update(key(KeyCode::Down), t0());
    assert!(app.status.is_none(), "the key hints are back");
}

#[test]
fn the_recent_group_follows_uses_made_elsewhere_and_keeps_the_selection() {
    let mut app = app();
    select(&mut app, "vendor");
    let effects = app.update(Msg::StoreChanged(xrole_tui::store::Change::Used), t0());
    assert!(
        matches!(effects.as_slice(), [Effect::LoadUsage]),
        "{effects:?}"
    );
    app.update(Msg::UsageLoaded(vec!["prod".into(), "dev".into()]), t0());
    assert_eq!(app.list.recent_names(), ["prod", "dev"]);
    let selected = app
        .list
        .selected()
        .map(|r| app.set.profiles()[r.index].name.clone());
    assert_eq!(selected.as_deref(), Some("vendor"));
    let effects = app.update(Msg::StoreChanged(xrole_tui::store::Change::Forgotten), t0());
    assert!(
        matches!(effects.as_slice(), [Effect::ScanSessions]),
        "{effects:?}"
    );
}

#[test]
fn l_asks_how_long_and_the_shell_is_authenticated_for_that_run() {
    let mut app = app();
    select(&mut app, "dev");
    app.update(key(KeyCode::Char('L')), t0());
    assert!(matches!(app.modal, Some(Modal::RunFor { .. })));
    chars(&mut app, "later");
    assert!(
        app.update(key(KeyCode::Enter), t0()).is_empty(),
        "not a duration"
    );
    assert!(matches!(
        &app.modal,
        Some(Modal::RunFor { error: Some(_), .. })
    ));
    for _ in 0..5 {
        app.update(key(KeyCode::Backspace), t0());
    }
    chars(&mut app, "20h");
    let effects = app.update(key(KeyCode::Enter), t0());
    assert!(
        matches!(effects.as_slice(), [Effect::Authenticate { run_for: Some(d), .. }] if d.as_secs() == 72_000),
        "{effects:?}"
    );
    // A later plain Enter is an ordinary shell.
    app.update(key(KeyCode::Esc), t0());
    let effects = app.update(key(KeyCode::Enter), t0());
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Authenticate { run_for: None, .. })),
        "{effects:?}"
    );
}

#[test]
fn every_message_is_kept_for_m_and_shown_whole() {
    let mut app = app();
    select(&mut app, "dev");
    let long = "a message much longer than any status line could ever hold, with its remedy at the very end: run xrole-tui console dev --print";
    app.update(Msg::ShellExited(long.into()), t0());
    app.update(key(KeyCode::Down), t0());
    app.update(Msg::ShellExited("second".into()), t0());
    let texts: Vec<String> = app
        .log
        .iter()
        .map(|s| match s {
            Status::Info(t) | Status::Error(t) => t.clone(),
        })
        .collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(
        texts[0].ends_with("console dev --print"),
        "kept whole: {texts:?}"
    );
    app.update(key(KeyCode::Char('m')), t0());
    assert!(matches!(app.modal, Some(Modal::Log)));
    app.update(key(KeyCode::Char('x')), t0());
    assert!(app.modal.is_none(), "any key closes it");
}

#[test]
fn tab_acts_only_on_a_narrow_terminal_and_does_not_linger() {
    let mut app = app();
    app.update(Msg::Resize(120), t0());
    app.update(key(KeyCode::Tab), t0());
    assert!(
        !app.show_detail,
        "Tab at 120 columns changed nothing visible"
    );
    assert!(matches!(&app.status, Some(Status::Info(s)) if s.contains("already beside the list")));
    app.update(Msg::Resize(80), t0());
    assert!(
        !app.show_detail,
        "a Tab pressed wide does not take effect after a resize"
    );
    app.update(key(KeyCode::Tab), t0());
    assert!(app.show_detail);
    app.update(Msg::Resize(130), t0());
    assert!(!app.show_detail);
}
