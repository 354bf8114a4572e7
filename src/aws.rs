//! The only layer that talks to the AWS SDK; it turns SDK types into domain types.

pub mod access_keys;
pub mod authenticate;
pub mod broker;
pub mod cache;
pub mod error;
pub mod federation;
pub mod iam;
pub mod leaf;
pub mod lock;
pub mod login;
pub mod mfa;
pub mod revoking;
pub mod s3;
pub mod s3_tree;
pub mod sdk;
pub mod session_keys;
pub mod sso;
pub mod sso_oidc;
pub mod sso_portal;
pub mod sts;
