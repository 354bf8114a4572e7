//! The imperative shell around the app: the terminal, the event loop, background calls and
//! the role shell.

pub mod browser;
pub mod child;
pub mod control;
pub mod endpoint;
pub mod event_loop;
pub mod executor;
pub mod job;
pub mod served_child;
pub mod terminal;
pub mod watch;

pub use event_loop::{run, Exit, Mode};
