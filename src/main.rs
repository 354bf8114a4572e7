use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // No core dump and no ptrace by other processes of the user: memory holds keys from the
    // credentials file and sessions. The kernel sets the flag back for a program we start
    // (exec, the role shell), so the user's own tools are unaffected.
    let _ = nix::sys::prctl::set_dumpable(false);
    // This binary is also the launcher of a served child and the holder of an ended
    // endpoint's port (see `serve::child` and `serve::holder`).
    let mut args = std::env::args_os().skip(1);
    match args.next() {
        Some(a) if a == xrole_tui::serve::child::LAUNCHER => {
            xrole_tui::serve::child::launcher_main(args.collect())
        }
        Some(a) if a == xrole_tui::serve::holder::HOLDER => {
            let url = args.next().unwrap_or_default();
            xrole_tui::serve::holder::holder_main(&url.to_string_lossy())
        }
        _ => {}
    }
    xrole_tui::cli::complete_if_asked();
    xrole_tui::cli::run(xrole_tui::cli::Cli::parse(), &xrole_tui::runtime::Terminal)
}
