//! The usage history under concurrent processes: every use is kept (the read-modify-write runs
//! under a lock), and the file stays private.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use support::world::*;

#[test]
fn twenty_concurrent_uses_keep_twenty_profiles() {
    let _g = serial();
    let w = World::new();
    let mut creds = String::new();
    for i in 0..20 {
        creds.push_str(&format!(
            "[p{i}]\naws_access_key_id = ASIATEMP{i:012}\naws_secret_access_key = s{i}\naws_session_token = t{i}\n"
        ));
    }
    w.append(".aws/credentials", &creds);
    let children: Vec<_> = (0..20)
        .map(|i| {
            let mut c = w.command(&["env", &format!("p{i}")]);
            c.stdin(std::process::Stdio::null());
            c.spawn().unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let path = w.home().join(".local/state/xrole-tui/usage.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let kept = (0..20)
        .filter(|i| text.contains(&format!("\"p{i}\"")))
        .count();
    assert_eq!(kept, 20, "{text}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}
