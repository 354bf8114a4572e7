//! xrole-tui: move between AWS accounts and roles from the terminal.
//!
//! Layers: `domain` (plain Rust: profiles, plans), `config` (reading the AWS files) and `cli`
//! (the headless commands).

pub mod app;
pub mod aws;
pub mod cli;
pub mod config;
pub mod domain;
pub mod helper;
pub mod runtime;
pub mod serve;
pub mod ui;
pub mod usage;
