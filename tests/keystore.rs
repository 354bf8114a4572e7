//! Long-term keys in a key store: `keys import` moves a profile's keys out of the credentials
//! file, then the engine, `credential-process` and the AWS CLI (through the `credential_process`
//! line left in the file) use them from the store; against moto. The file store is tested with
//! `XROLE_KEYSTORE_PASSPHRASE`; the Secret Service against a real `gnome-keyring-daemon` in a
//! private D-Bus session (`dbus-run-session`), ended with the test.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::world::*;

const PASS: &str = "correct horse battery";

fn store_env(w: &World, c: &mut Command) {
    c.env("XROLE_KEYSTORE", "file")
        .env("XROLE_KEYSTORE_PASSPHRASE", PASS)
        .env("XROLE_KEYSTORE_HOLD", "0")
        .env("XDG_STATE_HOME", w.home().join("state"))
        .stdin(Stdio::null());
}

fn run(w: &World, args: &[&str]) -> Output {
    let mut c = w.command(args);
    store_env(w, &mut c);
    c.output().unwrap()
}

/// A world whose `base` keys are in the file store, unlocked and held for 3 s (so the test
/// leaves nothing in this user's keyring for long); `None` when the kernel's keyring cannot be
/// used here.
fn imported_and_unlocked() -> Option<World> {
    let keyring_works = Command::new("keyctl")
        .args(["show", "@u"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !keyring_works {
        return None;
    }
    let w = World::new();
    ok(&run(&w, &["keys", "import", "base"]));
    let mut unlock = w.command(&["keys", "unlock"]);
    store_env(&w, &mut unlock);
    unlock.env("XROLE_KEYSTORE_HOLD", "3");
    ok(&unlock.output().unwrap());
    Some(w)
}

/// A process of the store's world that cannot ask for the passphrase (none in its
/// environment, no terminal), with keys held for 3 s.
fn cannot_ask(w: &World, c: &mut Command) {
    store_env(w, c);
    c.env_remove("XROLE_KEYSTORE_PASSPHRASE")
        .env("XROLE_KEYSTORE_HOLD", "3");
}

fn credentials(w: &World) -> String {
    std::fs::read_to_string(w.home().join(".aws/credentials")).unwrap()
}

#[test]
fn imported_keys_open_roles_and_leave_no_secret_behind() {
    let _g = serial();
    let w = World::new();
    let before = credentials(&w);
    let out = run(&w, &["keys", "import", "base"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("base-secret"), "{err}");
    let after = credentials(&w);
    assert!(
        !after.contains("base-secret") && !after.contains("AKIABASE"),
        "{after}"
    );
    assert!(after.contains("[base]\ncredential_process = "), "{after}");
    assert!(
        after.contains(" credential-process base\nxrole_keystore = file\n"),
        "{after}"
    );
    // Nothing else in the file changed.
    assert_eq!(
        after.split("[base]").next(),
        before.split("[base]").next(),
        "the sections before stay"
    );
    assert!(after.contains("[hub2]\naws_access_key_id = AKIAHUB2000000000001\n"));
    // The store: private, sealed, the id readable.
    let file = w.home().join("state/xrole-tui/keys.json");
    let sealed = std::fs::read_to_string(&file).unwrap();
    assert!(!sealed.contains("base-secret") && sealed.contains("AKIABASE000000000001"));
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(
        !w.home().join(".aws/credentials.xrole-tui.bak").exists(),
        "no plaintext backup"
    );

    // A role from the imported user, as the engine opens it.
    let v = json(&run(&w, &["whoami", "app", "--json"]));
    assert_eq!(v["account"], "222222222222", "{v}");
    let list = ok(&run(&w, &["keys", "list"]));
    assert!(list.contains("base\tfile\tAKIABASE000000000001"), "{list}");
    let listed = json(&run(&w, &["list", "--json"]));
    let base = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "base")
        .unwrap()
        .clone();
    assert_eq!(base["kind"], "keystore", "{base}");
}

#[test]
fn the_aws_cli_reads_the_imported_profile_through_its_credential_process_line() {
    let _g = serial();
    let w = World::new();
    ok(&run(&w, &["keys", "import", "base"]));
    let aws = std::env::var("AWS_CLI").unwrap_or_else(|_| "aws".into());
    let mut c = Command::new(&aws);
    c.args([
        "sts",
        "get-caller-identity",
        "--profile",
        "base",
        "--output",
        "json",
    ])
    .env_clear()
    .env("HOME", w.home())
    .env("PATH", std::env::var_os("PATH").unwrap_or_default())
    .env("AWS_ENDPOINT_URL", &moto().endpoint)
    .env("AWS_DEFAULT_REGION", "us-east-1");
    store_env(&w, &mut c);
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["Arn"].is_string(), "{v}");
}

#[test]
fn a_wrong_passphrase_is_said_quickly_and_nothing_is_lost() {
    let _g = serial();
    let w = World::new();
    ok(&run(&w, &["keys", "import", "base"]));
    let sealed = std::fs::read(w.home().join("state/xrole-tui/keys.json")).unwrap();
    let mut c = w.command(&["whoami", "app"]);
    store_env(&w, &mut c);
    c.env("XROLE_KEYSTORE_PASSPHRASE", "wrong horse");
    let start = Instant::now();
    let out = c.output().unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("passphrase is wrong"), "{err}");
    assert_eq!(
        std::fs::read(w.home().join("state/xrole-tui/keys.json")).unwrap(),
        sealed
    );

    // A corrupt store is named, and left as it is.
    std::fs::write(w.home().join("state/xrole-tui/keys.json"), "{ not json").unwrap();
    let out = run(&w, &["whoami", "app"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("keys.json") && err.contains("not one this tool wrote"),
        "{err}"
    );
}

#[test]
fn export_puts_the_keys_back_and_remove_asks_first() {
    let _g = serial();
    let w = World::new();
    ok(&run(&w, &["keys", "import", "base"]));
    let out = run(&w, &["keys", "export", "base"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "asks first; no terminal, no --yes"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("plain text"));
    ok(&run(&w, &["keys", "export", "base", "--yes"]));
    let back = credentials(&w);
    assert!(back.contains("[base]\naws_access_key_id = AKIABASE000000000001\naws_secret_access_key = base-secret\n"), "{back}");
    assert!(!back.contains("xrole_keystore"));
    assert!(!ok(&run(&w, &["keys", "list"])).contains("base"));
    ok(&run(&w, &["whoami", "app"]));

    ok(&run(&w, &["keys", "import", "base"]));
    assert_eq!(run(&w, &["keys", "remove", "base"]).status.code(), Some(2));
    ok(&run(&w, &["keys", "remove", "base", "--yes"]));
    let out = run(&w, &["whoami", "app"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("keys import base"), "{err}");
}

#[test]
fn the_secret_service_of_a_real_gnome_keyring_holds_the_keys() {
    let _g = serial();
    let ready = Command::new("gnome-keyring-daemon")
        .arg("--version")
        .output()
        .is_ok()
        && Command::new("dbus-run-session")
            .arg("--version")
            .output()
            .is_ok();
    if !ready {
        eprintln!("SKIPPED: gnome-keyring-daemon or dbus-run-session is missing (scripts/test.sh installs them)");
        return;
    }
    let w = World::new();
    let bin = env!("CARGO_BIN_EXE_xrole-tui");
    // A private session bus and keyring, both ended when the script ends.
    let script = format!(
        "set -e\n\
         printf 'keyring-pw' | gnome-keyring-daemon --unlock --components=secrets >/dev/null\n\
         '{bin}' keys import base --store secret-service\n\
         '{bin}' whoami app --json\n\
         '{bin}' keys list\n\
         gnome-keyring-daemon --replace --components=secrets >/dev/null 2>&1 </dev/null || true\n"
    );
    let mut c = w.command(&["ignored"]);
    let mut c2 = Command::new("dbus-run-session");
    c2.args(["--", "sh", "-c", &script]);
    c2.env_clear();
    for (k, v) in c.get_envs() {
        if let Some(v) = v {
            c2.env(k, v);
        }
    }
    c2.env("XDG_STATE_HOME", w.home().join("state"))
        .env("XDG_DATA_HOME", w.home().join("data"))
        .env("XDG_RUNTIME_DIR", w.home().join("run"))
        .stdin(Stdio::null());
    std::fs::create_dir_all(w.home().join("run")).unwrap();
    std::fs::set_permissions(w.home().join("run"), std::fs::Permissions::from_mode(0o700)).unwrap();
    let _ = &mut c;
    let out = c2.output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("222222222222"), "{text}");
    assert!(
        text.contains("base\tsecret-service\tAKIABASE000000000001"),
        "{text}"
    );
    assert!(!credentials(&w).contains("base-secret"));
    assert!(
        !w.home().join("state/xrole-tui/keys.json").exists(),
        "not in the file store"
    );
}

#[test]
fn an_unlocked_file_store_serves_processes_that_cannot_ask_for_a_while() {
    let _g = serial();
    let Some(w) = imported_and_unlocked() else {
        eprintln!("SKIPPED: the kernel's user keyring cannot be used here");
        return;
    };
    let without = |w: &World| {
        // No cache: each run needs the keys themselves.
        let mut c = w.command(&["whoami", "app", "--no-cache"]);
        cannot_ask(w, &mut c);
        c.output().unwrap()
    };
    ok(&without(&w));
    std::thread::sleep(Duration::from_secs(4));
    let out = without(&w);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("keys unlock"), "{err}");
}

#[test]
fn a_served_child_is_renewed_from_kept_keys_after_the_store_locks_again() {
    let _g = serial();
    let Some(w) = imported_and_unlocked() else {
        eprintln!("SKIPPED: the kernel's user keyring cannot be used here");
        return;
    };
    // The serving process cannot ask: no passphrase in its environment, no terminal.
    let (mut child, url, token) =
        support::serving::serving_child_with(&w, "app", 60, |c| cannot_ask(&w, c));
    let (status, before) = support::serving::get(&url, None, Some(&token));
    assert_eq!(status, 200, "{before}");
    // The hold ends; then the session is forgotten, so the endpoint needs the root's keys.
    std::thread::sleep(Duration::from_secs(4));
    let mut locked = w.command(&["whoami", "app", "--no-cache"]);
    cannot_ask(&w, &mut locked);
    assert_eq!(
        locked.output().unwrap().status.code(),
        Some(3),
        "the store is locked again"
    );
    ok(&w.run(&["clear", "app"], ""));
    let after = support::serving::until_changed(&url, &token, &before);
    let key =
        |b: &str| serde_json::from_str::<serde_json::Value>(b).unwrap()["AccessKeyId"].clone();
    assert_ne!(key(&before), key(&after));
    assert!(
        !after.contains("base-secret"),
        "the root's keys never reach the child"
    );
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn the_tui_marks_rows_whose_keys_are_in_a_store_and_names_the_store() {
    let _g = serial();
    let w = World::new();
    ok(&run(&w, &["keys", "import", "base"]));
    let dir = w.home();
    let script = format!(
        "{} --profile app; sleep 600",
        env!("CARGO_BIN_EXE_xrole-tui")
    );
    let mut env = support::pty::tui_env(&dir, &moto().endpoint);
    env.push(("XDG_STATE_HOME", dir.join("state").display().to_string()));
    env.push(("XROLE_KEYSTORE_HOLD", "0".into()));
    let pane = support::pty::Pane::start(&dir, &script, &env, 120, 40);
    let screen = pane.wait_for("key store", 30);
    assert!(
        screen.contains("long-term keys of base in the file key store"),
        "{screen}"
    );
    let row = screen
        .lines()
        .find(|l| l.contains("  app "))
        .unwrap_or_default();
    assert!(row.contains('🔒'), "{screen}");
    // The TUI cannot ask for the passphrase: it says how to unlock instead of breaking the screen.
    pane.keys(&["i"]);
    let said = pane.wait_for("keys unlock", 30);
    assert!(said.contains("xrole-tui"), "{said}");
}

#[test]
fn at_a_terminal_the_passphrase_is_asked_twice_for_a_new_store_and_never_echoed() {
    let _g = serial();
    let w = World::new();
    let dir = w.home();
    let script = format!(
        "{} keys import base --store file; echo \"exit=$?\"; sleep 600",
        env!("CARGO_BIN_EXE_xrole-tui")
    );
    let mut env = support::pty::tui_env(&dir, &moto().endpoint);
    env.push(("XDG_STATE_HOME", dir.join("state").display().to_string()));
    env.push(("XROLE_KEYSTORE_HOLD", "0".into()));
    let pane = support::pty::Pane::start(&dir, &script, &env, 120, 30);
    pane.wait_for("passphrase of the key store", 30);
    pane.type_text("typed passphrase 1");
    pane.keys(&["Enter"]);
    pane.wait_for("the same passphrase again", 30);
    pane.type_text("typed passphrase 1");
    pane.keys(&["Enter"]);
    let screen = pane.wait_for("exit=", 60);
    assert!(screen.contains("exit=0"), "{screen}");
    assert!(!screen.contains("typed passphrase"), "echoed: {screen}");
    // The same passphrase opens it later.
    let mut c = w.command(&["whoami", "app"]);
    store_env(&w, &mut c);
    c.env("XROLE_KEYSTORE_PASSPHRASE", "typed passphrase 1");
    ok(&c.output().unwrap());
}
