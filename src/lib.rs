//! xrole-tui: move between AWS accounts and roles from the terminal.
//!
//! Layers: `domain` (plain Rust: profiles, plans), `config` (reading the AWS files), `aws`
//! (the only SDK users), `store` (the state processes share, and its watch), `serve` (serving a
//! child), `app`/`ui`/`runtime` (the TUI) and `cli` (the headless commands). The project's
//! `ARCHITECTURE.md` draws the map.

pub mod app;
pub mod aws;
pub mod cli;
pub mod config;
pub mod domain;
pub mod flows;
pub mod helper;
pub mod runtime;
pub mod serve;
pub mod store;
pub mod ui;
