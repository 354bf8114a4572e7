//! Switching roles without losing your place, on the real binary in tmux: `pick` switches the
//! calling shell in place through a one-line shell function, and `env --unset` leaves the
//! profile again.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use support::pty::Pane;
use support::world::*;

#[test]
fn pick_switches_the_calling_shell_in_place_and_env_unset_leaves_it() {
    let _g = serial();
    let w = World::new();
    let home = w.home();
    let bin = env!("CARGO_BIN_EXE_xrole-tui");
    // The README's function, in a plain interactive bash.
    std::fs::write(
        home.join(".bashrc"),
        format!("PS1='sh$ '\nxr() {{ eval \"$(command {bin} pick \"$@\")\"; }}\n"),
    )
    .unwrap();
    let env = support::pty::tui_env(&home, &moto().endpoint);
    let pane = Pane::start(&home, "bash --rcfile ~/.bashrc -i", &env, 100, 30);
    pane.wait_for("sh$", 30);
    pane.type_text("cd /tmp && xr");
    pane.keys(&["Enter"]);
    pane.wait_for("profiles (", 30);
    pane.keys(&["/"]);
    pane.type_text("app");
    pane.keys(&["Enter"]);
    pane.wait_for("profiles /app", 10);
    pane.keys(&["Enter"]);
    pane.wait_for("this shell is now app", 30);
    pane.type_text("echo \"now=$XROLE_PROFILE key=${AWS_ACCESS_KEY_ID:0:4} at=$PWD\"");
    pane.keys(&["Enter"]);
    pane.wait_for("now=app key=ASIA at=/tmp", 30);

    // Again, to another profile: the first one's variables do not survive the switch, and no
    // message tells the user to type `exit`.
    pane.type_text("xr hop1");
    pane.keys(&["Enter"]);
    pane.wait_for("profiles (", 30);
    pane.keys(&["Enter"]);
    pane.wait_for("this shell is now hop1", 30);
    pane.type_text("echo \"now=$XROLE_PROFILE acct=${XROLE_ACCOUNT:-none}\"");
    pane.keys(&["Enter"]);
    pane.wait_for("now=hop1 acct=", 30);

    // The picker shows this shell's profile and says what Enter does here; Esc leaves the
    // shell as it was, and a name that is no profile is said before any screen.
    pane.type_text("xr");
    pane.keys(&["Enter"]);
    let screen = pane.wait_for("Enter switch this shell", 30);
    let bar = screen.lines().next().unwrap_or_default();
    assert!(bar.contains("hop1"), "identity bar: {bar}\n{screen}");
    pane.keys(&["Escape"]);
    let gone = std::time::Instant::now();
    while pane.screen().contains("Enter switch this shell") {
        assert!(gone.elapsed().as_secs() < 10, "Esc did not end the picker");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    pane.type_text("echo \"after-esc=$XROLE_PROFILE\"");
    pane.keys(&["Enter"]);
    pane.wait_for("after-esc=hop1", 10);
    pane.type_text("xr hopp1");
    pane.keys(&["Enter"]);
    let screen = pane.wait_for("there is no profile", 30);
    assert!(
        screen.contains("there is no profile \"hopp1\"; did you mean \"hop1\"?"),
        "{screen}"
    );
    // exec works from a shell switched in place (no parent to exit to, so not "nested").
    pane.type_text(&format!(
        "{bin} exec --static app sh -c 'echo inner=$XROLE_PROFILE'"
    ));
    pane.keys(&["Enter"]);
    let screen = pane.wait_for("inner=app", 30);
    assert!(!screen.contains("type 'exit'"), "{screen}");

    pane.type_text(&format!("eval \"$({bin} env --unset)\"; echo \"left=[${{XROLE_PROFILE-unset}}] [${{AWS_ACCESS_KEY_ID-unset}}]\""));
    pane.keys(&["Enter"]);
    pane.wait_for("left=[unset] [unset]", 30);
    pane.type_text("exit");
    pane.keys(&["Enter"]);
}

#[test]
fn the_next_role_shell_starts_where_the_last_one_ended() {
    let _g = serial();
    let w = World::new();
    let home = w.home();
    let elsewhere = home.join("projects/infra");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let script = format!(
        "cd {} && SHELL=/bin/sh PS1='role$ ' {} --profile app; sleep 600",
        home.display(),
        env!("CARGO_BIN_EXE_xrole-tui")
    );
    let env = support::pty::tui_env(&home, &moto().endpoint);
    let pane = Pane::start(&home, &script, &env, 100, 30);
    pane.wait_for("profiles (", 30);
    pane.keys(&["Enter"]);
    pane.wait_for("role$", 30);
    pane.type_text("cd projects/infra && echo moved");
    pane.keys(&["Enter"]);
    pane.wait_for("moved", 10);
    // Longer than the directory is looked at (200 ms), as a person is.
    std::thread::sleep(std::time::Duration::from_millis(600));
    pane.type_text("exit");
    pane.keys(&["Enter"]);
    pane.wait_for("role shell ended", 30);
    pane.keys(&["Enter"]);
    pane.wait_for("role$", 30);
    pane.type_text("echo \"here=$(pwd)\"");
    pane.keys(&["Enter"]);
    pane.wait_for(&format!("here={}", elsewhere.display()), 10);
    pane.type_text("exit");
    pane.keys(&["Enter"]);
    pane.wait_for("role shell ended", 30);
    pane.keys(&["q"]);
}

#[test]
fn the_list_follows_the_config_file_while_the_tui_runs() {
    let _g = serial();
    let w = World::new();
    let home = w.home();
    let script = format!(
        "{} --profile dev; sleep 600",
        env!("CARGO_BIN_EXE_xrole-tui")
    );
    let env = support::pty::tui_env(&home, &moto().endpoint);
    let pane = Pane::start(&home, &script, &env, 110, 40);
    let before = pane.wait_for("profiles (", 30);
    let count = |s: &str| -> usize {
        let at = s.find("profiles (").unwrap() + "profiles (".len();
        s[at..].split(')').next().unwrap().parse().unwrap()
    };
    let n = count(&before);
    w.append(".aws/config", "[profile newcomer]\nregion = eu-west-1\n");
    let after = pane.wait_for("profiles read again", 10);
    assert!(after.contains("newcomer"), "{after}");
    assert_eq!(count(&after), n + 1);
    assert!(
        after.contains("profile dev"),
        "the selection stays on dev:\n{after}"
    );
    // A file that cannot be read keeps the list as it was, and says why.
    std::fs::remove_file(home.join(".aws/config")).unwrap();
    std::fs::create_dir(home.join(".aws/config")).unwrap();
    let screen = pane.wait_for("cannot be read, so the list is as before", 10);
    assert_eq!(count(&screen), n + 1, "{screen}");
    pane.keys(&["q"]);
}

#[test]
fn a_production_profile_is_confirmed_on_a_terminal_and_never_without_one() {
    let _g = serial();
    let w = World::new();
    w.append(
        ".aws/config",
        "[profile live]\nrole_arn = arn:aws:iam::333333333333:role/app\nsource_profile = base\nxrole_env = prod\n",
    );
    let home = w.home();
    let bin = env!("CARGO_BIN_EXE_xrole-tui");
    std::fs::write(home.join(".bashrc"), "PS1='sh$ '\n").unwrap();
    let env = support::pty::tui_env(&home, &moto().endpoint);
    let pane = Pane::start(&home, "bash --rcfile ~/.bashrc -i", &env, 120, 30);
    pane.wait_for("sh$", 30);
    pane.type_text(&format!("{bin} whoami live; echo \"exit=$?\""));
    pane.keys(&["Enter"]);
    pane.wait_for(
        "is production (xrole_env = prod); open its session? [y/N]",
        30,
    );
    pane.type_text("n");
    pane.keys(&["Enter"]);
    let screen = pane.wait_for("exit=2", 30);
    assert!(
        screen.contains("cancelled: profile live was not used"),
        "{screen}"
    );
    pane.type_text(&format!("{bin} exec --yes live -- true; echo \"yes=$?\""));
    pane.keys(&["Enter"]);
    let screen = pane.wait_for("yes=0", 30);
    assert_eq!(
        screen.matches("is production").count(),
        1,
        "--yes asks nothing: {screen}"
    );
    pane.keys(&["C-d"]);
    // Without a terminal (a script, a pipe) nothing is asked.
    let out = w.run(&["whoami", "live", "--json"], "");
    assert_eq!(json(&out)["account"], "333333333333");
}

#[test]
fn list_fits_an_80_column_terminal_and_keeps_every_problem_whole() {
    let _g = serial();
    let w = World::new();
    w.append(
        ".aws/config",
        "[profile broken]\nrole_arn = arn:aws:iam::555555555555:role/a-role-name-long-enough-to-push-the-table-wide\n\
         [profile live]\nrole_arn = arn:aws:iam::333333333333:role/app\nsource_profile = base\nxrole_env = prod\n",
    );
    let home = w.home();
    let bin = env!("CARGO_BIN_EXE_xrole-tui");
    let env = support::pty::tui_env(&home, &moto().endpoint);
    let pane = Pane::start(
        &home,
        &format!("{bin} list; echo list-done; sleep 600"),
        &env,
        80,
        60,
    );
    let screen = pane.wait_for("list-done", 30);
    for line in screen.lines() {
        assert!(
            unicode_width::UnicodeWidthStr::width(line.trim_end()) <= 80,
            "wider than 80: {line}"
        );
    }
    assert!(screen.contains("ENV"), "{screen}");
    let joined = screen.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        joined.contains("↳ config line")
            && joined.contains("neither source_profile nor credential_source"),
        "the problem, whole, under its row: {screen}"
    );
    assert!(
        screen
            .lines()
            .any(|l| l.contains("live") && l.contains("prod")),
        "{screen}"
    );
}
