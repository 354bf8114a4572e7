//! Parse + resolve of a generated 5,000-profile config: 1,250 accounts with 4 roles each, all
//! assumed from one MFA hub user, plus chains three roles deep. The same shape as
//! `scripts/bench/gen_profiles.py`, which the whole-process comparison uses.

use std::fmt::Write as _;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use xrole_tui::domain::summary::Summary;
use xrole_tui::domain::ProfileSet;

// The binary runs on mimalloc; measure the library the same way.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ROLES: [&str; 4] = ["admin", "developer", "readonly", "deploy"];

fn generate(accounts: usize, chains: usize) -> (String, String) {
    let mut config = String::from("[default]\nregion = eu-west-1\n\n[profile hub]\nregion = eu-west-1\nmfa_serial = arn:aws:iam::100000000000:mfa/alice\n\n");
    for a in 0..accounts {
        let account = 200_000_000_000u64 + a as u64;
        for role in ROLES {
            let _ = write!(
                config,
                "[profile acct{a}-{role}]\nrole_arn = arn:aws:iam::{account}:role/{role}\nsource_profile = hub\nmfa_serial = arn:aws:iam::100000000000:mfa/alice\nregion = eu-west-1\nxrole_account_name = account-{a}\n\n"
            );
        }
    }
    for c in 0..chains {
        let _ = write!(
            config,
            "[profile chain{c}-a]\nrole_arn = arn:aws:iam::300000000000:role/a\nsource_profile = acct{c}-admin\n\n[profile chain{c}-b]\nrole_arn = arn:aws:iam::300000000001:role/b\nsource_profile = chain{c}-a\n\n"
        );
    }
    let credentials =
        "[hub]\naws_access_key_id = AKIAEXAMPLEHUB000001\naws_secret_access_key = bench-secret\n"
            .to_owned();
    (config, credentials)
}

fn bench(c: &mut Criterion) {
    // 2 + 1,250 × 4 + 2 × 4 = 5,010 profiles.
    let (config, credentials) = generate(1250, 4);
    let set = ProfileSet::parse(Some(config.as_bytes()), Some(credentials.as_bytes()));
    assert_eq!(set.len(), 5010);
    c.bench_function("baseline: split 5k-profile text into lines", |b| {
        b.iter(|| {
            black_box(config.as_str())
                .split('\n')
                .map(str::trim)
                .filter(|l| l.starts_with('['))
                .count()
        });
    });
    c.bench_function("ini sections of 5k profiles", |b| {
        b.iter(|| {
            xrole_tui::domain::ini::parse(black_box(&config), &[])
                .sections
                .len()
        });
    });
    c.bench_function("copy and wipe 5k-profile text", |b| {
        b.iter(|| zeroize::Zeroizing::new(black_box(&config).to_owned()));
    });
    c.bench_function("parse 5k profiles", |b| {
        b.iter(|| {
            ProfileSet::parse(
                Some(black_box(config.as_bytes())),
                Some(credentials.as_bytes()),
            )
        });
    });
    c.bench_function("resolve 5k parsed profiles", |b| {
        b.iter(|| {
            (0..set.len())
                .filter(|&i| Summary::new(black_box(&set), i).plan.is_err())
                .count()
        });
    });
    // What `list` and the TUI's start do: parse, then resolve every profile. The result is
    // returned so that freeing it is left out of the time (criterion's `iter_with_large_drop`);
    // the CLI frees it at exit and the TUI keeps it for the whole session.
    c.bench_function("parse + resolve 5k profiles", |b| {
        b.iter_with_large_drop(|| {
            let set = ProfileSet::parse(
                Some(black_box(config.as_bytes())),
                Some(credentials.as_bytes()),
            );
            let plans: Vec<_> = (0..set.len()).map(|i| set.plan_at(i)).collect();
            (set, plans)
        });
    });
    c.bench_function("parse + resolve + free 5k profiles", |b| {
        b.iter(|| {
            let set = ProfileSet::parse(
                Some(black_box(config.as_bytes())),
                Some(credentials.as_bytes()),
            );
            let invalid = (0..set.len())
                .filter(|&i| Summary::new(&set, i).plan.is_err())
                .count();
            assert_eq!(invalid, 0);
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
