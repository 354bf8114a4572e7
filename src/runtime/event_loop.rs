//! One channel of messages (keys, ticks, results); the app updates, effects run, and the screen
//! is drawn once per batch, only when something changed.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crossterm::event::{Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use futures::{FutureExt, StreamExt};
use ratatui::DefaultTerminal;
use tokio::signal::unix::{signal, Signal, SignalKind};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::executor::Executor;
use super::terminal;
use crate::app::{App, Effect, Msg};
use crate::config::AwsFiles;
use crate::domain::ProfileSet;
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
                Event::Resize(width, _) => Msg::Resize(width),
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
    let mut signals = Signals::new()?;
    let mut term = terminal::enter()?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    // The app knows the width from the start (Tab acts only on a narrow terminal).
    if let Ok((width, _)) = crossterm::terminal::size() {
        let _ = tx.send(Msg::Resize(width));
    }
    let mut input = spawn_input(tx.clone());
    let ticker = spawn_ticker(tx.clone());
    let watcher = super::watch::spawn(files.clone(), tx.clone());
    let mut executor = Executor::new(broker, tx.clone());
    let mut app = new_app(Arc::clone(&set), preselect.as_deref(), mode);
    // Each role shell starts where the one before it ended (the first in this directory).
    let mut shell_dir: ShellDir = std::env::current_dir().ok();
    // Sessions from earlier runs and other commands, found after the first frame; then every
    // change another process (or this one) makes to the store, watched once the first frame
    // is drawn (which it does not delay).
    executor.scan_cache(set);
    let dirs = store_dirs(executor.broker());
    let mut store: Option<crate::store::Watch> = None;

    let exit = loop {
        if app.take_dirty() {
            draw(&mut term, &app)?;
            if store.is_none() {
                store = Some(watch_store(&dirs, tx.clone()));
            }
        }
        let batch = match next_batch(&mut rx, &mut signals).await {
            Ok(batch) => batch,
            Err(exit) => break exit,
        };
        let mut ended = None;
        for msg in batch {
            if matches!(&msg, Msg::Key(k) if k.code == KeyCode::Char('z') && k.modifiers.contains(KeyModifiers::CONTROL))
            {
                suspend(&mut term, &mut input, &tx, &app).await?;
                continue;
            }
            for effect in app.update(msg, SystemTime::now()) {
                let Some(effect) = executor.carry_out(effect, &app.set) else {
                    continue;
                };
                let Effect::SpawnShell { session, target } = effect else {
                    ended = ended.or(exit_for(effect));
                    continue;
                };
                stop_input(&mut input).await;
                let opened = Opened {
                    session,
                    target,
                    broker: executor.broker().clone(),
                    notes: Vec::new(),
                    lengthened: false,
                };
                let status = role_shell(&mut term, opened, &files, &mut shell_dir).await;
                signals.forget_the_shells();
                input = spawn_input(tx.clone());
                let _ = tx.send(Msg::ShellExited(status));
            }
        }
        if let Some(exit) = ended {
            break exit;
        }
    };
    input.abort();
    ticker.abort();
    watcher.abort();
    drop(term);
    terminal::leave();
    Ok(exit)
}

fn draw(term: &mut DefaultTerminal, app: &App) -> std::io::Result<()> {
    #[cfg(debug_assertions)]
    if std::env::var_os("XROLE_TEST_PANIC").is_some_and(|v| v == "render") {
        panic!("test panic while drawing");
    }
    terminal::draw(term, |f| crate::ui::render(f, app))
}

/// Ctrl-Z: the terminal is given back and this process stops until `fg`; then the screen is
/// drawn at once (it must not stay blank until a key is pressed).
async fn suspend(
    term: &mut DefaultTerminal,
    input: &mut JoinHandle<()>,
    tx: &mpsc::UnboundedSender<Msg>,
    app: &App,
) -> std::io::Result<()> {
    stop_input(input).await;
    let stopped = terminal::suspend(term)?;
    *input = spawn_input(tx.clone());
    terminal::draw(term, |f| crate::ui::render(f, app))?;
    if !stopped {
        let _ = tx.send(Msg::CannotSuspend);
    }
    Ok(())
}

/// The messages waiting, at least one (waited for); a signal that ends the TUI, or the end of
/// every sender, ends it instead.
async fn next_batch(
    rx: &mut mpsc::UnboundedReceiver<Msg>,
    signals: &mut Signals,
) -> Result<Vec<Msg>, Exit> {
    let key = |c| Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    let first = tokio::select! {
        m = rx.recv() => m,
        _ = signals.term.recv() => return Err(Exit::Signal(libc::SIGTERM)),
        _ = signals.hup.recv() => return Err(Exit::Signal(libc::SIGHUP)),
        _ = signals.int.recv() => Some(key('c')),
        _ = signals.tstp.recv() => Some(key('z')),
    };
    let mut batch = vec![first.ok_or(Exit::Quit)?];
    while let Ok(m) = rx.try_recv() {
        batch.push(m);
    }
    Ok(batch)
}

/// Every change to the store, as a message to the loop.
fn watch_store(dirs: &crate::store::Dirs, tx: mpsc::UnboundedSender<Msg>) -> crate::store::Watch {
    crate::store::watch(dirs, move |change| {
        let _ = tx.send(Msg::StoreChanged(change));
    })
}

/// The directories of the store to watch (the cache's only when it is on).
fn store_dirs(broker: &crate::aws::broker::Broker) -> crate::store::Dirs {
    let mut dirs = crate::store::Dirs::from_env();
    if !broker.has_cache() {
        dirs.cache = None;
    }
    dirs
}

/// How an effect that only the loop carries out ends it: quitting, or the profile `pick`
/// chose.
fn exit_for(effect: Effect) -> Option<Exit> {
    match effect {
        Effect::Quit => Some(Exit::Quit),
        Effect::Picked { session, target } => Some(Exit::Picked(Box::new((session, target)))),
        _ => None,
    }
}

/// The signals the TUI answers while it runs.
struct Signals {
    term: Signal,
    hup: Signal,
    /// The terminal keeps Ctrl-C as a signal (see `terminal::enter`): SIGINT is the Ctrl-C key.
    int: Signal,
    /// SIGTSTP from outside (`kill -TSTP`) suspends as the Ctrl-Z key does.
    tstp: Signal,
    /// Ctrl-\ is held, and does nothing.
    _quit: Signal,
}

impl Signals {
    fn new() -> std::io::Result<Self> {
        Ok(Self {
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
            int: signal(SignalKind::interrupt())?,
            tstp: signal(SignalKind::from_raw(libc::SIGTSTP))?,
            _quit: signal(SignalKind::quit())?,
        })
    }

    /// Signals that reached us while a role shell had the terminal were the shell's, not
    /// requests to this TUI.
    fn forget_the_shells(&mut self) {
        while self.int.recv().now_or_never().is_some() {}
        while self.tstp.recv().now_or_never().is_some() {}
    }
}

/// The app as the TUI starts: recent profiles first (the history is a small file, read before
/// the first frame so the list does not move under the user's eyes), `preselect` selected,
/// the download directory remembered.
fn new_app(set: Arc<ProfileSet>, preselect: Option<&str>, mode: Mode) -> App {
    let now = SystemTime::now();
    let mut app = App::new(set, preselect, now);
    app.picking = mode == Mode::Pick;
    if app.picking {
        app.shell_profile = std::env::var("XROLE_PROFILE")
            .ok()
            .filter(|p| !p.is_empty());
    }
    if let Some(dir) = crate::store::usage::download_dir().or_else(xdg_download_dir) {
        app.download_dir = dir;
    }
    let ranked = crate::store::usage::load().ranked(now);
    app.list.set_recent(ranked.iter().map(|(n, _)| n.as_str()));
    match preselect {
        Some(name) => {
            app.list.select_name(name);
        }
        None => app.list.move_by(isize::MIN / 2),
    }
    app
}

/// The user's download directory (XDG), when it exists; else `~/Downloads` when it does.
fn xdg_download_dir() -> Option<std::path::PathBuf> {
    let home = std::env::var("HOME").ok();
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            home.as_ref()
                .map(|h| std::path::Path::new(h).join(".config"))
        })?;
    let user_dirs = crate::config::read_private(&config.join("user-dirs.dirs"), 64 * 1024)
        .ok()
        .flatten()
        .and_then(|b| String::from_utf8(b).ok());
    let named = crate::domain::local_path::xdg_download_dir(
        std::env::var("XDG_DOWNLOAD_DIR").ok(),
        user_dirs.as_deref(),
        home.as_deref(),
    );
    let fallback = home.map(|h| std::path::Path::new(&h).join("Downloads"));
    named.into_iter().chain(fallback).find(|d| d.is_dir())
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
