//! The imperative shell around the app: the terminal, the event loop and background calls. The
//! role shell itself is served by `serve`, as `exec`'s child is.

pub mod clipboard;
pub mod event_loop;
pub mod executor;
pub mod job;
mod s3_calls;
mod sso_calls;
pub mod terminal;
pub mod watch;

pub use event_loop::run;

use crate::flows::start::{Exit, Screen, Start};

/// The terminal as the TUI's screen (see `flows::start`): a runtime of two worker threads
/// (the loop, and background calls) around the event loop.
pub struct Terminal;

impl Screen for Terminal {
    fn run(&self, start: Start) -> std::io::Result<Exit> {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?
            .block_on(run(start))
    }
}
