//! The TUI's model and drawing at scale: building the state and the first frame with 5,000
//! profiles, a filter keystroke and a full frame with 10,000 profiles at 200×50.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::SystemTime;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use xrole_tui::app::App;
use xrole_tui::domain::ProfileSet;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn config(accounts: usize) -> String {
    let mut c = String::from("[profile hub]\nmfa_serial = arn:aws:iam::100000000000:mfa/alice\n");
    for a in 0..accounts {
        for role in ["admin", "developer", "readonly", "deploy"] {
            let _ = write!(
                c,
                "[profile acct{a}-{role}]\nrole_arn = arn:aws:iam::{}:role/{role}\nsource_profile = hub\nmfa_serial = arn:aws:iam::100000000000:mfa/alice\nregion = eu-west-1\nxrole_account_name = account-{a}\n",
                200_000_000_000u64 + a as u64
            );
        }
    }
    c
}

const CREDENTIALS: &[u8] =
    b"[hub]\naws_access_key_id = AKIAEXAMPLEHUB000001\naws_secret_access_key = s\n";

fn bench(c: &mut Criterion) {
    let five = config(1250);
    c.bench_function(
        "first frame, 5k profiles (parse, model, draw 200x50)",
        |b| {
            b.iter(|| {
                let set = Arc::new(ProfileSet::parse(
                    Some(black_box(five.as_bytes())),
                    Some(CREDENTIALS),
                ));
                let app = App::new(set, None, SystemTime::now());
                let mut t =
                    Terminal::new(TestBackend::new(200, 50)).unwrap_or_else(|_| unreachable!());
                let _ = t.draw(|f| xrole_tui::ui::render(f, &app));
                app
            });
        },
    );

    let ten = config(2500);
    let set = Arc::new(ProfileSet::parse(Some(ten.as_bytes()), Some(CREDENTIALS)));
    let mut app = App::new(set, None, SystemTime::now());
    assert_eq!(app.list.total(), 10_001);
    let cases = [
        (
            "typing: \"acct12-de\" then \"p\"",
            "acct12-de",
            "acct12-dep",
        ),
        (
            "backspace: \"acct12-dep\" to \"acct12-de\" (every row checked)",
            "acct12-dep",
            "acct12-de",
        ),
        ("first character \"a\" (every row matches)", "", "a"),
    ];
    for (name, from, to) in cases {
        c.bench_function(&format!("filter keystroke, 10k profiles, {name}"), |b| {
            b.iter_custom(|iters| {
                let mut total = std::time::Duration::ZERO;
                for _ in 0..iters {
                    app.list.set_filter(from.into());
                    let start = std::time::Instant::now();
                    app.list.set_filter(black_box(to).into());
                    total += start.elapsed();
                }
                total
            });
        });
    }
    app.list.set_filter(String::new());
    app.list.move_by(5000);
    let mut t = Terminal::new(TestBackend::new(200, 50)).unwrap_or_else(|_| unreachable!());
    c.bench_function("full frame, 10k profiles, 200x50", |b| {
        b.iter(|| {
            // A resize makes ratatui repaint every cell, not just the changes.
            let _ = t.resize(ratatui::layout::Rect::new(0, 0, 200, 50));
            let _ = t.draw(|f| xrole_tui::ui::render(f, &app));
        });
    });
}

fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    pages * 4
}

fn page(n: usize) -> xrole_tui::aws::s3::Page {
    xrole_tui::aws::s3::Page {
        prefixes: Vec::new(),
        objects: (0..1000)
            .map(|i| xrole_tui::aws::s3::Object {
                key: format!("logs/2026/11/23/object-{:07}.log", n * 1000 + i),
                size: 1000,
                modified: Some(SystemTime::now()),
                storage_class: None,
                etag: None,
            })
            .collect(),
        next: Some("t".into()),
    }
}

/// Scrolling through a 100,000-key prefix: every page appended as the selection nears the end.
fn browser(c: &mut Criterion) {
    use xrole_tui::domain::session::{Credentials, Session};
    let session = Session {
        profile: "vendor".into(),
        credentials: Credentials {
            access_key_id: "ASIA".into(),
            secret_access_key: zeroize::Zeroizing::new("s".into()),
            session_token: None,
            expiration: None,
        },
        identity: None,
    };
    let target = std::sync::Arc::new(
        xrole_tui::domain::ProfileSet::parse(Some(b"[profile vendor]\nregion = eu-west-1\n"), None)
            .target("vendor")
            .expect("a valid profile"),
    );
    let before = rss_kib();
    let mut b = xrole_tui::app::s3::Browser::new(
        session.clone(),
        std::sync::Arc::clone(&target),
        ".".into(),
    );
    let start = std::time::Instant::now();
    for n in 0..100 {
        b.page_listed(page(n));
    }
    let took = start.elapsed();
    let after = rss_kib();
    // What the browser holds: the entries (inline size) plus each key's heap bytes, plus the
    // index of shown entries.
    let held: usize =
        b.entries
            .iter()
            .map(|e| {
                std::mem::size_of_val(e)
                    + match e {
                        xrole_tui::app::s3::Entry::Object(o) => o.key.capacity(),
                        xrole_tui::app::s3::Entry::Prefix(p)
                        | xrole_tui::app::s3::Entry::Bucket(p) => p.capacity(),
                    }
            })
            .sum::<usize>()
            + b.entries.len() * std::mem::size_of::<usize>();
    eprintln!(
        "browser: 100,000 keys loaded in 100 pages in {took:?}; it holds {} KiB ({} bytes a key); resident memory grew by {} KiB",
        held / 1024,
        held / 100_000,
        after.saturating_sub(before)
    );
    let mut t = Terminal::new(TestBackend::new(200, 50)).unwrap_or_else(|_| unreachable!());
    let mut app = App::new(Arc::new(ProfileSet::default()), None, SystemTime::now());
    app.browser = Some(b);
    c.bench_function("s3 browser: frame with 100k keys loaded, 200x50", |bench| {
        bench.iter(|| {
            let _ = t.resize(ratatui::layout::Rect::new(0, 0, 200, 50));
            let _ = t.draw(|f| xrole_tui::ui::render(f, &app));
        });
    });
    let mut b = xrole_tui::app::s3::Browser::new(session, target, ".".into());
    for n in 0..99 {
        b.page_listed(page(n));
    }
    let last = page(99);
    c.bench_function("s3 browser: append the 100th page of 1000 keys", |bench| {
        bench.iter_batched(
            || (b.clone(), last.clone()),
            |(mut b, p)| {
                b.page_listed(p);
                b
            },
            criterion::BatchSize::LargeInput,
        );
    });
}

criterion_group!(benches, bench, browser);
criterion_main!(benches);
