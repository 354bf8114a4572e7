//! Test support shared by the integration tests (a `mod.rs`, so that it is not a test target of its own).
#![allow(dead_code)]

pub mod moto;
