//! Test support shared by the integration tests (a `mod.rs`, so that it is not a test target of its own).
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

pub mod botocore;
pub mod federation;
pub mod moto;
pub mod pty;
pub mod serving;
pub mod signin;
pub mod sso;
pub mod tui;
pub mod world;
