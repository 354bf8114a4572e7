//! The terminal: raw mode and the alternate screen on the way in, and back to normal on every
//! way out (quit, error, panic, signals, suspend, the role shell).

use std::io::{self, Write};
use std::os::fd::AsFd;
use std::sync::{Mutex, PoisonError, TryLockError};
use std::time::{Duration, Instant};

use crossterm::cursor::Show;
use crossterm::event::{DisableBracketedPaste, DisableFocusChange, DisableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::DefaultTerminal;

/// Held while a frame is drawn. The panic hook takes it and keeps it until the process ends,
/// so no frame can land on the normal screen after the hook restored it (a panic in a
/// background task used to race the draw loop).
static SCREEN: Mutex<()> = Mutex::new(());

/// Enters the TUI. The panic hook restores the terminal and then ends the process: a panic in
/// a background task must not leave a half-restored screen with the loop still drawing.
pub fn enter() -> io::Result<DefaultTerminal> {
    let terminal = ratatui::try_init()?;
    keep_signal_keys();
    let report = std::panic::take_hook(); // ratatui's: restore, then the default report
    std::panic::set_hook(Box::new(move |info| {
        // A draw in progress on another thread ends within milliseconds; a panic inside a draw
        // holds the lock itself, so the wait is bounded.
        let deadline = Instant::now() + Duration::from_millis(250);
        let guard = loop {
            match SCREEN.try_lock() {
                Ok(g) => break Some(g),
                Err(TryLockError::Poisoned(p)) => break Some(p.into_inner()),
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(TryLockError::WouldBlock) => break None,
            }
        };
        leave();
        report(info);
        std::mem::forget(guard);
        std::process::exit(101);
    }));
    Ok(terminal)
}

/// Draws one frame, unless the panic hook has taken the screen.
pub fn draw(
    terminal: &mut DefaultTerminal,
    render: impl FnOnce(&mut ratatui::Frame),
) -> io::Result<()> {
    let _screen = SCREEN.lock().unwrap_or_else(PoisonError::into_inner);
    terminal.draw(render).map(|_| ())
}

/// Raw mode, but Ctrl-C still raises SIGINT (and Ctrl-\ SIGQUIT, which is held): it then
/// works whatever state the key reader is in (a lone bracketed-paste start once made it
/// swallow every key). Ctrl-Z stays a key: the terminal must be restored before anything in
/// the job stops, or the shell takes it back half-restored; `terminal::suspend` does it in
/// that order. `disable_raw_mode` puts back the settings found at start.
fn keep_signal_keys() {
    use nix::sys::termios::{tcgetattr, tcsetattr, LocalFlags, SetArg, SpecialCharacterIndices};
    let stdin = io::stdin();
    if let Ok(mut t) = tcgetattr(stdin.as_fd()) {
        t.local_flags.insert(LocalFlags::ISIG);
        t.control_chars[SpecialCharacterIndices::VSUSP as usize] = 0; // _POSIX_VDISABLE
        let _ = tcsetattr(stdin.as_fd(), SetArg::TCSANOW, &t);
    }
}

/// Leaves the TUI: raw mode off, main screen back, cursor shown. Never fails loudly: on SIGHUP the
/// terminal may be gone.
pub fn leave() {
    let _ = disable_raw_mode();
    let mut out = io::stdout();
    let _ = execute!(
        out,
        DisableMouseCapture,
        DisableBracketedPaste,
        DisableFocusChange,
        LeaveAlternateScreen,
        Show
    );
    let _ = out.flush();
}

/// Comes back after a suspension or a role shell (the key reader stopped): takes the
/// terminal's foreground back, drops keys typed meanwhile, raw mode and the alternate screen
/// on, and a full redraw.
pub fn resume(terminal: &mut DefaultTerminal) -> io::Result<()> {
    take_foreground();
    flush_input();
    enable_raw_mode()?;
    keep_signal_keys();
    // Not drained through crossterm here: its reader lock may still be held by the stopped
    // reader's thread on its way out, and the screen must come back whatever that thread does.
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    // A blank frame, so the next one is drawn whole. Not `Terminal::clear`: it asks the terminal
    // for the cursor position and waits for the answer on the input, which a reader on its
    // way out can take first (the TUI then gave up after `fg` under load).
    draw(terminal, |f| {
        f.render_widget(ratatui::widgets::Clear, f.area())
    })
}

/// Drops keys typed but not read, so they reach neither the shell nor the TUI by accident.
pub fn flush_input() {
    let _ = nix::sys::termios::tcflush(io::stdin().as_fd(), nix::sys::termios::FlushArg::TCIFLUSH);
}

/// An interactive shell makes its own process group the terminal's foreground; when it ends,
/// this process must take the foreground back before writing, or it is stopped by SIGTTOU. The
/// call itself sends SIGTTOU from the background unless the signal is blocked, so it is blocked
/// around it.
pub fn take_foreground() {
    use nix::sys::signal::{pthread_sigmask, SigSet, SigmaskHow, Signal};
    let stdin = io::stdin();
    let fd = stdin.as_fd();
    if !std::io::IsTerminal::is_terminal(&stdin) {
        return;
    }
    let mut block = SigSet::empty();
    block.add(Signal::SIGTTOU);
    let mut old = SigSet::empty();
    if pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&block), Some(&mut old)).is_ok() {
        let _ = nix::unistd::tcsetpgrp(fd, nix::unistd::getpgrp());
        let _ = pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&old), None);
    }
}

/// Ctrl-Z or SIGTSTP: restore the terminal, stop the whole job, and on `fg` come back. Returns
/// false, without stopping, when no shell with job control could bring the job back.
pub fn suspend(terminal: &mut DefaultTerminal) -> io::Result<bool> {
    if !super::job::can_stop() {
        return Ok(false);
    }
    leave();
    super::job::stop();
    resume(terminal)?;
    Ok(true)
}
