//! xrole-tui: move between AWS accounts and roles from the terminal.
//!
//! Layers: `domain` (plain Rust: profiles, plans), `config` (reading the AWS files),
//! `keystore` (long-term keys off the disk: Secret Service, keychain, encrypted file), `aws`
//! (the only SDK users), `store` (the state processes share, and its watch), `serve` (serving a
//! child), `flows` (each use case once), `app`/`ui`/`runtime` (the TUI) and `cli` (the
//! commands). The project's `ARCHITECTURE.md` draws the map.
//!
//! The nouns, one per idea:
//! - a *profile* is a section of the AWS files as read ([`domain::profile`]);
//! - a [`domain::Target`] is a profile resolved once: its plan and every setting;
//! - a [`domain::plan::Plan`] is the root credential source and the STS steps on top of it;
//! - a [`domain::session::Session`] is credentials with the identity they belong to;
//! - the [`aws::broker::Broker`] opens a target's session through the cache and its locks,
//!   and gives an [`aws::authenticate::Outcome`] (the session, notes, STS calls made);
//! - [`flows::open::Opened`] is a session in use: session, target as opened, broker, notes;
//!   the TUI's `Authenticated` message carries the same for one request;
//! - a [`aws::broker::LiveSession`] is a cached session seen by a scan (badges, countdowns);
//! - a [`serve::served_child::ServedChild`] is what serves one child (endpoint, control
//!   socket, private copies), and [`domain::serving::Served`] is what its endpoint hands out now;
//! - an [`aws::mfa::MfaInput`] is where a person's MFA code comes from;
//! - a [`store::Change`] is one event of the store: opened, forgotten, used, SSO token.

pub mod app;
pub mod aws;
pub mod cli;
pub mod config;
pub mod domain;
pub mod flows;
pub mod helper;
pub mod keystore;
pub mod runtime;
pub mod serve;
pub mod store;
pub mod ui;
