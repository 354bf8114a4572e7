//! What the TUI does at start with 10,000 profiles besides drawing: the recent-first order
//! (ranking the usage history, then ordering the list) and the scan of the credential cache for
//! live sessions (an empty cache, and one holding 20 sessions).

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use xrole_tui::app::ProfileList;
use xrole_tui::aws::authenticate::step_keys;
use xrole_tui::aws::broker::Broker;
use xrole_tui::aws::cache::{Cache, Entry};
use xrole_tui::aws::sdk::ClientEnv;
use xrole_tui::domain::frecency::{Usage, MAX_REMEMBERED};
use xrole_tui::domain::session::Credentials;
use xrole_tui::domain::ProfileSet;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// 2,500 accounts × 4 roles from one MFA hub: 10,001 profiles.
fn set() -> Arc<ProfileSet> {
    let mut c = String::from("[profile hub]\nmfa_serial = arn:aws:iam::100000000000:mfa/alice\n");
    for a in 0..2500u64 {
        for role in ["admin", "developer", "readonly", "deploy"] {
            let _ = write!(
                c,
                "[profile acct{a}-{role}]\nrole_arn = arn:aws:iam::{}:role/{role}\nsource_profile = hub\nmfa_serial = arn:aws:iam::100000000000:mfa/alice\nxrole_account_name = account-{a}\n",
                200_000_000_000u64 + a
            );
        }
    }
    let creds = "[hub]\naws_access_key_id = AKIAEXAMPLEHUB000001\naws_secret_access_key = s\n";
    Arc::new(ProfileSet::parse(
        Some(c.as_bytes()),
        Some(creds.as_bytes()),
    ))
}

fn bench(c: &mut Criterion) {
    let set = set();
    assert_eq!(set.len(), 10_001);
    let now = SystemTime::now();
    // A full history: 500 profiles used over the last 50 days.
    let mut usage = Usage::default();
    for i in 0..MAX_REMEMBERED {
        let when = now - Duration::from_secs(3600 * 2 * i as u64);
        for _ in 0..(i % 7 + 1) {
            usage.record(&format!("acct{i}-admin"), when);
        }
    }
    let json = usage.to_json();
    c.bench_function("frecency: read and rank a 500-profile history", |b| {
        b.iter(|| Usage::parse(black_box(&json)).ranked(now).len());
    });
    let ranked = usage.ranked(now);
    let mut list = ProfileList::new(Arc::clone(&set));
    c.bench_function("frecency: recent-first order of 10k profiles", |b| {
        b.iter(|| {
            list.set_recent(black_box(&ranked).iter().map(|(n, _)| n.as_str()));
            list.len()
        });
    });

    let dir = tempfile::tempdir().expect("temp dir");
    let cache = Cache::at(dir.path().join("xrole-tui"));
    let broker = Broker::new(ClientEnv::default(), Some(cache.clone()));
    c.bench_function("cache scan: 10k profiles, empty cache", |b| {
        b.iter(|| broker.live_sessions(black_box(&set), now).len());
    });
    let creds = Credentials {
        access_key_id: "ASIABENCH".into(),
        secret_access_key: zeroize::Zeroizing::new("s".into()),
        session_token: Some(zeroize::Zeroizing::new("t".into())),
        expiration: Some(now + Duration::from_secs(3600)),
    };
    for i in 0..20 {
        let target = set.target(&format!("acct{i}-admin")).expect("profile");
        for key in step_keys(&target) {
            let entry = Entry {
                credentials: creds.clone(),
                identity: None,
            };
            cache.put(&key, &entry).expect("cache write");
        }
    }
    assert_eq!(broker.live_sessions(&set, now).len(), 10_001);
    c.bench_function("cache scan: 10k profiles, 20 live sessions", |b| {
        b.iter(|| broker.live_sessions(black_box(&set), now).len());
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
