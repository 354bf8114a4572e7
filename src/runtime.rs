//! The imperative shell around the app: the terminal, the event loop and background calls. The
//! role shell itself is served by `serve`, as `exec`'s child is.

pub mod event_loop;
pub mod executor;
pub mod job;
pub mod terminal;
pub mod watch;

pub use event_loop::{run, Exit, Mode};
