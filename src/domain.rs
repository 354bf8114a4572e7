//! The domain: AWS profiles, plans and the values they hold. Plain Rust only: nothing here knows
//! about the terminal, the async runtime or the AWS SDK.

mod checks;
pub mod client_spec;
pub mod console;
pub mod frecency;
pub mod ini;
pub mod key;
pub mod keys_file;
pub mod keystore;
pub mod local_path;
pub mod plan;
pub mod profile;
mod refusal;
pub mod revoke;
pub mod runway;
pub mod s3_path;
pub mod serving;
pub mod session;
pub mod shadow;
pub mod shell_env;
pub mod sso_login;
pub mod sso_populate;
pub mod sso_token;
pub mod summary;
pub mod target;
pub mod text;
pub mod totp;
pub mod validate;

pub use plan::{Plan, PlanError, Source, Step};
pub use profile::{FileKind, Location, Problem, Profile, ProfileSet, Severity};
pub use target::{Target, TargetError};
