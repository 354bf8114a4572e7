use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // No core dump and no ptrace by other processes of the user: memory holds keys from the
    // credentials file and sessions. The kernel sets the flag back for a program we start
    // (exec, the role shell), so the user's own tools are unaffected.
    let _ = nix::sys::prctl::set_dumpable(false);
    let mut args = std::env::args_os().skip(1);
    if args
        .next()
        .is_some_and(|a| a == xrole_tui::serve::child::LAUNCHER)
    {
        xrole_tui::serve::child::launcher_main(args.collect());
    }
    xrole_tui::cli::complete_if_asked();
    xrole_tui::cli::run(xrole_tui::cli::Cli::parse())
}
