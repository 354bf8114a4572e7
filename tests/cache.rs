//! The credential cache on disk: private, atomic, never through a symlink, corrupt = miss.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, SystemTime};

use xrole_tui::aws::cache::{Cache, Entry, Key};
use xrole_tui::domain::session::{CallerIdentity, Credentials};
use zeroize::Zeroizing;

fn entry(now: SystemTime, left: u64) -> Entry {
    Entry {
        credentials: Credentials {
            access_key_id: "ASIACACHE00000000001".into(),
            secret_access_key: Zeroizing::new("cache-secret".into()),
            session_token: Some(Zeroizing::new("cache-token".into())),
            expiration: Some(now + Duration::from_secs(left)),
        },
        identity: CallerIdentity::from_arn("arn:aws:sts::222222222222:assumed-role/a/b", "AROA:b"),
    }
}

fn now() -> SystemTime {
    // Whole seconds: the file keeps RFC 3339 seconds.
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

#[test]
fn round_trip_and_reuse_window() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::at(dir.path().join("xrole-tui"));
    let key = Key::new(&["AssumeRole", "x"]);
    let t = now();
    cache.put(&key, &entry(t, 3600)).unwrap();
    assert_eq!(cache.get(&key, t), Some(entry(t, 3600)));
    // 5 minutes or less left: not reused.
    assert_eq!(cache.get(&key, t + Duration::from_secs(3300)), None);
    assert!(cache.get(&key, t + Duration::from_secs(3299)).is_some());
}

#[test]
fn modes_are_private_even_over_an_open_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("xrole-tui");
    std::fs::create_dir(&path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cache = Cache::at(path.clone());
    let key = Key::new(&["k"]);
    cache.put(&key, &entry(now(), 3600)).unwrap();
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o700
    );
    let file = path.join(format!("{}.json", key.as_str()));
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // A file others can read is never trusted.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(cache.get(&key, now()), None);
}

#[test]
fn corrupt_file_is_a_miss_and_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::at(dir.path().join("c"));
    let key = Key::new(&["k"]);
    cache.put(&key, &entry(now(), 3600)).unwrap();
    let file = cache.dir().join(format!("{}.json", key.as_str()));
    for garbage in [&b""[..], b"{", b"{\"version\":1}", b"\xff\xfe", b"[1,2,3]"] {
        std::fs::write(&file, garbage).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(cache.get(&key, now()), None);
    }
    cache.put(&key, &entry(now(), 3600)).unwrap();
    assert!(
        cache.get(&key, now()).is_some(),
        "replaced after corruption"
    );
}

#[test]
fn symlinks_are_never_followed() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::at(dir.path().join("c"));
    let key = Key::new(&["k"]);
    cache.put(&key, &entry(now(), 3600)).unwrap();
    let file = cache.dir().join(format!("{}.json", key.as_str()));
    let target = dir.path().join("elsewhere.json");
    std::fs::copy(&file, &target).unwrap();
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink(&target, &file).unwrap();
    assert_eq!(cache.get(&key, now()), None, "not read through the link");
    std::fs::write(&target, "untouched").unwrap();
    cache.put(&key, &entry(now(), 3600)).unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "untouched");
    assert!(!std::fs::symlink_metadata(&file)
        .unwrap()
        .file_type()
        .is_symlink());

    // A cache directory that is a symlink is refused.
    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    assert!(Cache::at(link).put(&key, &entry(now(), 3600)).is_err());
}

#[test]
fn every_part_of_the_key_matters() {
    let base = [
        "AssumeRole",
        "src",
        "arn:aws:iam::1:role/a",
        "mfa",
        "ext",
        "3600",
        "name",
    ];
    let k = Key::new(&base);
    for i in 0..base.len() {
        let mut changed = base;
        changed[i] = "other";
        assert_ne!(Key::new(&changed), k, "part {i}");
    }
    assert_ne!(Key::new(&["ab", "c"]), Key::new(&["a", "bc"]));
}
