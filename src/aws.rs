//! The only layer that talks to the AWS SDK; it turns SDK types into domain types.

pub mod sdk;
