//! The terminal: raw mode and the alternate screen on the way in, and back to normal on every
//! way out (quit, error, panic, signals, suspend, the role shell).

use std::io::{self, Write};
use std::os::fd::AsFd;

use crossterm::cursor::Show;
use crossterm::event::{DisableBracketedPaste, DisableFocusChange, DisableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::DefaultTerminal;

/// Enters the TUI. The panic hook restores the terminal and then ends the process: a panic in
/// a background task must not leave a half-restored screen with the loop still drawing.
pub fn enter() -> io::Result<DefaultTerminal> {
    let terminal = ratatui::try_init()?;
    let restoring_hook = std::panic::take_hook(); // ratatui's: restore, then the default report
    std::panic::set_hook(Box::new(move |info| {
        restoring_hook(info);
        std::process::exit(101);
    }));
    Ok(terminal)
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

/// Comes back after a suspension or a role shell: takes the terminal's foreground back, drops
/// keys typed meanwhile, raw mode and the alternate screen on, and a full redraw.
pub fn resume(terminal: &mut DefaultTerminal) -> io::Result<()> {
    take_foreground();
    flush_input();
    enable_raw_mode()?;
    execute!(io::stdout(), EnterAlternateScreen)?;
    terminal.clear()
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

/// Ctrl-Z: restore the terminal, stop, and on `fg` come back.
pub fn suspend(terminal: &mut DefaultTerminal) -> io::Result<()> {
    leave();
    let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGTSTP);
    resume(terminal)
}
