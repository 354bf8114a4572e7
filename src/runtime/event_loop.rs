//! One channel of messages (keys, ticks, results); the app updates, effects run, and the screen
//! is drawn once per batch, only when something changed.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crossterm::event::{Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use futures::{FutureExt, StreamExt};
use ratatui::DefaultTerminal;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::executor::Executor;
use super::terminal;
use crate::app::{App, Effect, Msg};
use crate::config::AwsFiles;
use crate::flows::open::Opened;
use crate::flows::serve::{self, Child};
use crate::flows::start::{Exit, Mode, Start};
use crate::serve::endpoint::Reporter;

/// Stops the key reader and waits until it is gone: its `EventStream` is dropped, which wakes
/// crossterm's reading thread out of its poll. Only then may the terminal's input be flushed;
/// flushed under a thread that was told "readable", the thread blocks in `read` holding
/// crossterm's reader lock, and the next reader waits for it forever.
async fn stop_input(input: &mut JoinHandle<()>) {
    input.abort();
    let _ = input.await;
}

fn spawn_input(tx: mpsc::UnboundedSender<Msg>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut events = EventStream::new();
        while let Some(Ok(event)) = events.next().await {
            let msg = match event {
                Event::Key(k) if k.kind != KeyEventKind::Release => Msg::Key(k),
                Event::Resize(..) => Msg::Resize,
                _ => continue,
            };
            if tx.send(msg).is_err() {
                break;
            }
        }
    })
}

fn spawn_ticker(tx: mpsc::UnboundedSender<Msg>) -> JoinHandle<()> {
    tokio::spawn(async move {
        // A quarter second: the spinner moves while a call runs; the app asks for a redraw
        // only when the countdown's second changes or a call is pending.
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tick.tick().await;
            if tx.send(Msg::Tick).is_err() {
                break;
            }
        }
    })
}

/// Runs the TUI until the user quits or a signal ends it.
pub async fn run(start: Start) -> std::io::Result<Exit> {
    let Start {
        set,
        preselect,
        broker,
        files,
        mode,
    } = start;
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    // The terminal keeps Ctrl-C as a signal (see `terminal::enter`): SIGINT is the Ctrl-C key.
    // SIGTSTP from outside (`kill -TSTP`) suspends as the Ctrl-Z key does. Ctrl-\ is held.
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut sigtstp = signal(SignalKind::from_raw(libc::SIGTSTP))?;
    let _sigquit = signal(SignalKind::quit())?;

    let mut term = terminal::enter()?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut input = spawn_input(tx.clone());
    let ticker = spawn_ticker(tx.clone());
    let watcher = super::watch::spawn(files.clone(), tx.clone());
    let mut executor = Executor::new(broker, tx.clone());
    let mut app = App::new(Arc::clone(&set), preselect.as_deref(), SystemTime::now());
    app.picking = mode == Mode::Pick;
    if let Some(dir) = crate::store::usage::download_dir() {
        app.download_dir = dir;
    }
    // Recent first: the history is a small file, read before the first frame so the list does
    // not move under the user's eyes.
    let now = SystemTime::now();
    let ranked = crate::store::usage::load().ranked(now);
    app.list.set_recent(ranked.iter().map(|(n, _)| n.as_str()));
    match preselect.as_deref() {
        Some(name) => {
            app.list.select_name(name);
        }
        None => app.list.move_by(isize::MIN / 2),
    }
    // Each role shell starts where the one before it ended (the first in this directory).
    let mut shell_dir: ShellDir = std::env::current_dir().ok();
    // Sessions from earlier runs and other commands, found after the first frame; then every
    // change another process (or this one) makes to the store.
    executor.scan_cache(set);
    let mut dirs = crate::store::Dirs::from_env();
    if !executor.broker().has_cache() {
        dirs.cache = None;
    }
    // Set up after the first frame is drawn, which it does not delay.
    let mut store: Option<crate::store::Watch> = None;

    let exit = loop {
        if app.take_dirty() {
            #[cfg(debug_assertions)]
            if std::env::var_os("XROLE_TEST_PANIC").is_some_and(|v| v == "render") {
                panic!("test panic while drawing");
            }
            terminal::draw(&mut term, |f| crate::ui::render(f, &app))?;
            if store.is_none() {
                let store_tx = tx.clone();
                store = Some(crate::store::watch(&dirs, move |change| {
                    let _ = store_tx.send(Msg::StoreChanged(change));
                }));
            }
        }
        let first = tokio::select! {
            m = rx.recv() => m,
            _ = sigterm.recv() => break Exit::Signal(libc::SIGTERM),
            _ = sighup.recv() => break Exit::Signal(libc::SIGHUP),
            _ = sigint.recv() => Some(Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL))),
            _ = sigtstp.recv() => Some(Msg::Key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL))),
        };
        let Some(first) = first else { break Exit::Quit };
        let mut batch = vec![first];
        while let Ok(m) = rx.try_recv() {
            batch.push(m);
        }
        let mut quit = false;
        let mut picked = None;
        for msg in batch {
            if let Msg::Key(k) = &msg {
                if k.code == KeyCode::Char('z') && k.modifiers.contains(KeyModifiers::CONTROL) {
                    stop_input(&mut input).await;
                    let stopped = terminal::suspend(&mut term)?;
                    input = spawn_input(tx.clone());
                    // Drawn at once: the screen must not stay blank until a key is pressed.
                    terminal::draw(&mut term, |f| crate::ui::render(f, &app))?;
                    if !stopped {
                        let _ = tx.send(Msg::CannotSuspend);
                    }
                    continue;
                }
            }
            for effect in app.update(msg, SystemTime::now()) {
                match effect {
                    Effect::Quit => quit = true,
                    Effect::RememberDir(dir) => {
                        tokio::task::spawn_blocking(move || {
                            crate::store::usage::remember_download_dir(&dir)
                        });
                    }
                    Effect::Used(profile) => {
                        tokio::task::spawn_blocking(move || crate::store::usage::record(&profile));
                    }
                    Effect::Picked { session, target } => picked = Some((session, target)),
                    Effect::Authenticate {
                        req,
                        target,
                        run_for,
                    } => executor.authenticate(req, target, run_for),
                    Effect::Console { req, target, page } => executor.console(req, target, page),
                    Effect::Revoke { req, target } => {
                        executor.revoke(req, target, Arc::clone(&app.set))
                    }
                    Effect::ProvideMfa { req, code } => executor.provide_mfa(req, code),
                    Effect::Cancel(req) => executor.cancel(req),
                    Effect::Forget(target) => executor.forget(target, Arc::clone(&app.set)),
                    Effect::ScanSessions => executor.scan_cache(Arc::clone(&app.set)),
                    Effect::LoadUsage => {
                        let tx = tx.clone();
                        tokio::task::spawn_blocking(move || {
                            let ranked = crate::store::usage::load().ranked(SystemTime::now());
                            let names = ranked.into_iter().map(|(n, _)| n).collect();
                            let _ = tx.send(Msg::UsageLoaded(names));
                        });
                    }
                    s3 @ (Effect::S3ListBuckets { .. }
                    | Effect::S3List { .. }
                    | Effect::S3Preview { .. }
                    | Effect::S3Download { .. }
                    | Effect::S3Head { .. }
                    | Effect::S3DownloadTree { .. }) => executor.s3(s3),
                    Effect::SpawnShell { session, target } => {
                        stop_input(&mut input).await;
                        let opened = Opened {
                            session,
                            target,
                            broker: executor.broker().clone(),
                            notes: Vec::new(),
                            lengthened: false,
                        };
                        let status = role_shell(&mut term, opened, &files, &mut shell_dir).await;
                        // Signals that reached us while the shell had the terminal were the
                        // shell's, not requests to this TUI.
                        while sigint.recv().now_or_never().is_some() {}
                        while sigtstp.recv().now_or_never().is_some() {}
                        input = spawn_input(tx.clone());
                        let _ = tx.send(Msg::ShellExited(status));
                    }
                }
            }
        }
        if let Some(p) = picked {
            break Exit::Picked(Box::new(p));
        }
        if quit {
            break Exit::Quit;
        }
    };
    input.abort();
    ticker.abort();
    watcher.abort();
    drop(term);
    terminal::leave();
    Ok(exit)
}

/// Where the next role shell starts: where the last one ended (the first in this directory).
type ShellDir = Option<std::path::PathBuf>;

/// Leaves the screen, runs `$SHELL` served with `opened`'s session (see `flows::serve`), and
/// comes back; returns how the shell ended, for the status line.
async fn role_shell(
    term: &mut DefaultTerminal,
    opened: Opened,
    files: &AwsFiles,
    dir: &mut ShellDir,
) -> String {
    terminal::leave();
    terminal::flush_input();
    // While the shell runs, the screen is the shell's: trouble is said there.
    let report: Reporter = Arc::new(|m: String| {
        eprintln!("\r\nxrole-tui: {}\r", crate::domain::text::display_safe(&m));
    });
    let account = opened
        .session
        .identity
        .as_ref()
        .map_or("", |i| i.account.as_str())
        .to_owned();
    let banner = format!(
        "xrole-tui: shell for profile {} (account {account}); type 'exit' to return",
        crate::domain::text::display_safe(&opened.session.profile)
    );
    let child = Child {
        command: &[],
        dir: dir.as_deref(),
        static_keys: false,
    };
    let ran = serve::serve(opened, files, None, child, report, || println!("{banner}")).await;
    if ran.ended_in.is_some() {
        *dir = ran.ended_in;
    }
    let text = match ran.status {
        Ok(status) => crate::serve::child::describe(&status),
        Err(e) => e,
    };
    if let Err(e) = terminal::resume(term) {
        return format!("{text}; the screen could not be restored: {e}");
    }
    text
}
