//! The use cases, each written once: open a session, serve a child, sign in to the console,
//! revoke, start the TUI. The command line (`cli/`) and the TUI's executor (`runtime/`) both
//! call these, and pass in what differs between them: where an MFA code comes from
//! ([`crate::aws::mfa::MfaInput`]), where progress and trouble are said (a
//! [`crate::serve::endpoint::Reporter`]) and, for the TUI itself, the screen ([`start::Screen`]).
//!
//! Nothing here prints or draws: a flow returns what happened, and its caller says it.

pub mod console;
pub mod keys;
pub mod open;
pub mod revoke;
pub mod rotate;
pub mod serve;
pub mod sso;
pub mod start;
