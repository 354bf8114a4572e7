//! The S3 browser as a state machine and as screens: paging as you scroll, navigation, stale
//! replies, preview, download, errors in place.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use xrole_tui::aws::error::AuthError;

use crossterm::event::KeyCode;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use support::tui::*;
use xrole_tui::app::s3::{preview_of, Mode, Preview};
use xrole_tui::app::{App, Effect, Msg, RequestId};
use xrole_tui::aws::s3::Page;

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| xrole_tui::ui::render(f, app)).unwrap();
    t.backend().to_string()
}

#[test]
fn opening_uses_bookmarks_when_listbuckets_is_denied() {
    let mut app = app();
    select(&mut app, "vendor");
    let req = auth_req(&app.update(key(KeyCode::Char('s')), t0()));
    let effects = app.update(
        Msg::AuthDone {
            req,
            result: Ok(session("vendor", "444444444444", t0())),
        },
        t0(),
    );
    assert!(matches!(
        effects.as_slice(),
        [Effect::S3ListBuckets { .. }, Effect::Used(_)]
    ));
    app.update(
        Msg::S3Buckets {
            req: RequestId(0),
            result: Err(AuthError::Denied("access denied".into())),
        },
        t0(),
    );
    let b = app.browser.as_ref().unwrap();
    assert_eq!(
        b.visible().count(),
        1,
        "the bookmark company-shared/reports"
    );
    insta::assert_snapshot!("s3_choose_bucket", screen(&app));
}

#[test]
fn next_page_is_fetched_when_scrolling_near_the_end() {
    let mut app = browsing();
    insta::assert_snapshot!("s3_listing", screen(&app));
    let mut asked = None;
    for _ in 0..40 {
        for e in app.update(key(KeyCode::Down), t0()) {
            if let Effect::S3List { req, token, .. } = e {
                assert_eq!(token.as_deref(), Some("token-2"));
                assert!(asked.is_none(), "asked once while loading");
                asked = Some(req);
            }
        }
    }
    let req = asked.expect("the next page was asked for");
    // A stale page (another request) is dropped.
    app.update(
        Msg::S3Page {
            req: RequestId(req.0 + 100),
            result: Ok(Page::default()),
        },
        t0(),
    );
    assert_eq!(app.browser.as_ref().unwrap().visible().count(), 32);
    app.update(
        Msg::S3Page {
            req,
            result: Ok(Page {
                prefixes: vec!["reports/zz/".into()],
                objects: vec![],
                next: None,
            }),
        },
        t0(),
    );
    let b = app.browser.as_ref().unwrap();
    let labels: Vec<String> = b.visible().map(xrole_tui::app::s3::label).collect();
    assert_eq!(labels.len(), 33);
    assert_eq!(labels[2], "zz/", "folders stay before objects across pages");
}

#[test]
fn navigation_preview_and_download() {
    let mut app = browsing();
    // Into the first prefix, then back up.
    match app.update(key(KeyCode::Enter), t0()).as_slice() {
        [Effect::S3List { at, .. }] => assert_eq!(at.key, "reports/2026/"),
        other => panic!("{other:?}"),
    }
    match app.update(key(KeyCode::Backspace), t0()).as_slice() {
        [Effect::S3List { at, .. }] => assert_eq!(at.key, "reports/"),
        other => panic!("{other:?}"),
    }
    let mut app = browsing();
    app.update(key(KeyCode::Down), t0());
    app.update(key(KeyCode::Down), t0());
    let req = match app.update(key(KeyCode::Enter), t0()).as_slice() {
        [Effect::S3Preview { req, at, .. }] => {
            assert_eq!(at.key, "reports/file-00.txt");
            *req
        }
        other => panic!("{other:?}"),
    };
    let text = preview_of("reports/file-00.txt", b"line one\nline \x1b[31mtwo\n", 21);
    app.update(
        Msg::S3Previewed {
            req,
            result: Ok(text),
        },
        t0(),
    );
    insta::assert_snapshot!("s3_preview", screen(&app));
    app.update(key(KeyCode::Esc), t0());
    app.update(key(KeyCode::Char('d')), t0());
    assert!(matches!(
        app.browser.as_ref().unwrap().mode,
        Mode::DownloadTo { .. }
    ));
    let effects = app.update(key(KeyCode::Enter), t0());
    let req = match effects.as_slice() {
        [Effect::S3Download { req, dest, .. }] => {
            assert_eq!(dest, &std::path::PathBuf::from("./file-00.txt"));
            *req
        }
        other => panic!("{other:?}"),
    };
    app.update(
        Msg::S3Progress {
            req,
            done: 400,
            total: Some(1000),
            files: None,
        },
        t0(),
    );
    insta::assert_snapshot!("s3_download_in_progress", screen(&app));
    app.update(
        Msg::S3Downloaded {
            req,
            result: Ok("./file-00.txt".into()),
        },
        t0(),
    );
    assert!(app.browser.as_ref().unwrap().download.is_none());

    // Tab completes the path (the runtime lists the directories); a missing directory is
    // offered to be made, and `y` downloads with it made.
    app.update(key(KeyCode::Char('d')), t0());
    for _ in 0..2 {
        app.update(key(KeyCode::Backspace), t0());
    }
    for c in "~/Dow".chars() {
        app.update(key(KeyCode::Char(c)), t0());
    }
    match app.update(key(KeyCode::Tab), t0()).as_slice() {
        [Effect::CompletePath(typed)] => assert_eq!(typed, "~/Dow"),
        other => panic!("{other:?}"),
    }
    app.update(
        Msg::PathCompleted {
            typed: "~/Dow".into(),
            completed: "~/Downloads/".into(),
        },
        t0(),
    );
    for c in "new".chars() {
        app.update(key(KeyCode::Char(c)), t0());
    }
    let (req, at) = match app.update(key(KeyCode::Enter), t0()).as_slice() {
        [Effect::S3Download {
            req,
            dest,
            create: false,
            at,
            ..
        }, Effect::RememberDir(_)] => {
            assert_eq!(
                dest,
                &std::path::PathBuf::from("~/Downloads/new/file-00.txt")
            );
            (*req, at.clone())
        }
        other => panic!("{other:?}"),
    };
    app.update(
        Msg::DownloadDirMissing {
            req,
            at,
            typed: "~/Downloads/new".into(),
            dir: "/home/ann/Downloads/new".into(),
        },
        t0(),
    );
    let shown = screen(&app);
    assert!(shown.contains("no such directory:"), "{shown}");
    assert!(shown.contains("/home/ann/Downloads/new"), "{shown}");
    match app.update(key(KeyCode::Char('y')), t0()).as_slice() {
        [Effect::S3Download {
            dest, create: true, ..
        }, ..] => assert_eq!(
            dest,
            &std::path::PathBuf::from("~/Downloads/new/file-00.txt")
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn binary_objects_are_not_dumped_and_errors_stay_in_place() {
    assert!(matches!(
        preview_of("x.png", b"\x89PNG\r\n\x1a\n\0\0\0", 5000),
        Preview::Binary { size: 5000, .. }
    ));
    match preview_of("t.txt", "tab\there\u{9b}31m\n".as_bytes(), 100) {
        Preview::Text {
            lines, truncated, ..
        } => {
            assert!(truncated);
            assert!(!lines[0].contains('\u{9b}') && !lines[0].contains('\t'));
        }
        other => panic!("{other:?}"),
    }
    let mut app = browsing();
    app.update(key(KeyCode::Down), t0());
    app.update(key(KeyCode::Down), t0());
    let req = match app.update(key(KeyCode::Enter), t0()).as_slice() {
        [Effect::S3Preview { req, .. }] => *req,
        other => panic!("{other:?}"),
    };
    app.update(
        Msg::S3Previewed { req, result: Err(AuthError::Denied("access denied: the role may not s3:GetObject on arn:aws:s3:::company-shared/reports/file-00.txt".into())) },
        t0(),
    );
    insta::assert_snapshot!("s3_denied", screen(&app));
    let binary = preview_of("reports/file-00.txt", &[0, 1, 2, 3], 4);
    let req = match app.update(key(KeyCode::Enter), t0()).as_slice() {
        [Effect::S3Preview { req, .. }] => *req,
        other => panic!("{other:?}"),
    };
    app.update(
        Msg::S3Previewed {
            req,
            result: Ok(binary),
        },
        t0(),
    );
    insta::assert_snapshot!("s3_binary", screen(&app));
}

#[test]
fn loading_and_empty_prefix() {
    let mut app = browsing();
    app.update(key(KeyCode::Enter), t0()); // into reports/2026/: loading
    insta::assert_snapshot!("s3_loading", screen(&app));
    let req = app.browser.as_ref().unwrap().loading.unwrap();
    app.update(
        Msg::S3Page {
            req,
            result: Ok(Page::default()),
        },
        t0(),
    );
    insta::assert_snapshot!("s3_empty_prefix", screen(&app));
}

#[test]
fn expired_credentials_offer_to_authenticate_again() {
    let mut app = browsing();
    let req = match app.update(key(KeyCode::Enter), t0()).as_slice() {
        [Effect::S3List { req, .. }] => *req,
        other => panic!("{other:?}"),
    };
    app.update(
        Msg::S3Page {
            req,
            result: Err(AuthError::Expired(
                "the role's credentials have expired".into(),
            )),
        },
        t0(),
    );
    let error = app.browser.as_ref().unwrap().error.clone().unwrap();
    assert!(error.contains("press r"), "{error}");
    let auth = auth_req(&app.update(key(KeyCode::Char('r')), t0()));
    let effects = app.update(
        Msg::AuthDone {
            req: auth,
            result: Ok(session(
                "vendor",
                "444444444444",
                t0() + std::time::Duration::from_secs(7200),
            )),
        },
        t0(),
    );
    match effects.as_slice() {
        [Effect::S3List {
            at,
            token: None,
            session,
            ..
        }, Effect::Used(_)] => {
            assert_eq!(at.key, "reports/2026/", "the same place is listed again");
            assert_eq!(
                session.credentials.expiration,
                Some(t0() + std::time::Duration::from_secs(7200))
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(app.browser.as_ref().unwrap().error.is_none());
}

#[test]
fn o_opens_the_s3_console_at_the_prefix_or_the_selected_object() {
    let console_at = |effects: &[Effect]| match effects {
        [Effect::Console { page, target, .. }] => {
            assert_eq!(target.name, "vendor");
            page.s3.clone().unwrap()
        }
        other => panic!("{other:?}"),
    };
    let mut app = browsing();
    // The first entry is a folder: the console opens at the current prefix.
    let here = console_at(&app.update(key(KeyCode::Char('o')), t0()));
    assert_eq!(here, "s3://company-shared/reports/");
    let mut app = browsing();
    app.update(key(KeyCode::Down), t0());
    app.update(key(KeyCode::Down), t0());
    let object = console_at(&app.update(key(KeyCode::Char('o')), t0()));
    assert_eq!(object, "s3://company-shared/reports/file-00.txt");
    assert!(app.browser.is_some(), "the browser stays open");
}

#[test]
fn the_details_pane_shows_the_listing_and_head_object_on_demand() {
    let mut app = browsing();
    for _ in 0..2 {
        app.update(key(KeyCode::Down), t0()); // past the two folders
    }
    let req = match app.update(key(KeyCode::Char('i')), t0()).as_slice() {
        [Effect::S3Head { req, at, .. }] => {
            assert_eq!(at.key, "reports/file-00.txt");
            *req
        }
        other => panic!("{other:?}"),
    };
    app.update(
        Msg::S3Headed {
            req,
            key: "reports/file-00.txt".into(),
            result: Ok(xrole_tui::aws::s3::ObjectHead {
                content_type: Some("text/plain".into()),
                encryption: Some("aws:kms".into()),
                metadata: vec!["owner".into()],
                ..Default::default()
            }),
        },
        t0(),
    );
    let text = screen(&app);
    for shown in [
        "1000 B (1000 bytes)",
        "STANDARD_IA",
        "text/plain",
        "aws:kms",
        "owner",
        "ETag",
    ] {
        assert!(text.contains(shown), "{shown}:\n{text}");
    }
    insta::assert_snapshot!("s3_details", text);
    // Another object: its own listing facts, and no stale HeadObject answer.
    app.update(key(KeyCode::Down), t0());
    let text = screen(&app);
    assert!(
        !text.contains("text/plain") && text.contains("i  content type"),
        "{text}"
    );
}

#[test]
fn end_loads_every_page_then_stays_on_the_last_key() {
    use xrole_tui::aws::s3::Object;
    let mut app = browsing();
    let mut effects = app.update(key(KeyCode::End), t0());
    for page in 2..=4 {
        let req = match effects.as_slice() {
            [Effect::S3List {
                req,
                token: Some(t),
                ..
            }] => {
                assert_eq!(t, &format!("token-{page}"));
                *req
            }
            other => panic!("page {page}: {other:?}"),
        };
        let objects = (0..10)
            .map(|i| Object {
                key: format!("reports/p{page}-{i}.txt"),
                size: 1,
                modified: None,
                storage_class: None,
                etag: None,
            })
            .collect();
        effects = app.update(
            Msg::S3Page {
                req,
                result: Ok(Page {
                    prefixes: Vec::new(),
                    objects,
                    next: (page < 4).then(|| format!("token-{}", page + 1)),
                }),
            },
            t0(),
        );
        let b = app.browser.as_ref().unwrap();
        assert_eq!(b.position().0 + 1, b.position().1, "on the last loaded key");
    }
    assert!(effects.is_empty(), "no page after the last");
    assert!(screen(&app).contains("p4-9.txt"));
    // g goes back to the top.
    app.update(key(KeyCode::Char('g')), t0());
    assert_eq!(app.browser.as_ref().unwrap().position().0, 0);
}

#[test]
fn the_download_directory_chosen_is_offered_next_time() {
    let mut app = browsing();
    for _ in 0..2 {
        app.update(key(KeyCode::Down), t0());
    }
    app.update(key(KeyCode::Char('d')), t0());
    app.update(
        Msg::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char('u'),
            crossterm::event::KeyModifiers::CONTROL,
        )),
        t0(),
    );
    chars(&mut app, "/tmp/reports-in");
    let effects = app.update(key(KeyCode::Enter), t0());
    assert!(
        effects.iter().any(
            |e| matches!(e, Effect::RememberDir(d) if d == std::path::Path::new("/tmp/reports-in"))
        ),
        "{effects:?}"
    );
    assert_eq!(
        app.download_dir,
        std::path::PathBuf::from("/tmp/reports-in")
    );
    // The same directory again: nothing more to remember.
    app.update(key(KeyCode::Char('d')), t0());
    let again = app.update(key(KeyCode::Enter), t0());
    assert!(
        !again.iter().any(|e| matches!(e, Effect::RememberDir(_))),
        "{again:?}"
    );
    match &app.browser.as_ref().unwrap().mode {
        Mode::Browse => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn y_copies_the_uri_and_capital_y_the_arn() {
    let mut app = browsing();
    app.update(key(KeyCode::Down), t0());
    app.update(key(KeyCode::Down), t0());
    let copied = |effects: Vec<Effect>| match effects.as_slice() {
        [Effect::Copy(text)] => text.expose().to_owned(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        copied(app.update(key(KeyCode::Char('y')), t0())),
        "s3://company-shared/reports/file-00.txt"
    );
    assert_eq!(
        copied(app.update(key(KeyCode::Char('Y')), t0())),
        "arn:aws:s3:::company-shared/reports/file-00.txt"
    );
}
