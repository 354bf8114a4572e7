//! The profile keys this tool reads, as a closed set: lookups compare a byte, not a string.

macro_rules! keys {
    ($($variant:ident = $name:literal),* $(,)?) => {
        /// A key of a profile that this tool reads.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Key {
            $(#[doc = concat!("`", $name, "`")] $variant,)*
        }

        impl Key {
            /// How many keys there are.
            pub const COUNT: usize = [$($name),*].len();

            /// This key's bit in a set of keys (there are fewer than 64).
            pub fn bit(self) -> u64 {
                1 << (self as u32)
            }

            /// The key as written in the files (lower case).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Key::$variant => $name,)*
                }
            }

            /// The key called `name` (lower case), if this tool reads it.
            pub fn from_name(name: &str) -> Option<Key> {
                match name {
                    $($name => Some(Key::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

keys! {
    Region = "region",
    RoleArn = "role_arn",
    SourceProfile = "source_profile",
    CredentialSource = "credential_source",
    MfaSerial = "mfa_serial",
    ExternalId = "external_id",
    RoleSessionName = "role_session_name",
    DurationSeconds = "duration_seconds",
    CredentialProcess = "credential_process",
    LoginSession = "login_session",
    SsoSession = "sso_session",
    SsoStartUrl = "sso_start_url",
    SsoRegion = "sso_region",
    SsoAccountId = "sso_account_id",
    SsoRoleName = "sso_role_name",
    AwsAccessKeyId = "aws_access_key_id",
    AwsSecretAccessKey = "aws_secret_access_key",
    AwsSessionToken = "aws_session_token",
    EndpointUrl = "endpoint_url",
    Services = "services",
    IgnoreConfiguredEndpointUrls = "ignore_configured_endpoint_urls",
    CaBundle = "ca_bundle",
    MaxAttempts = "max_attempts",
    RetryMode = "retry_mode",
    UseFipsEndpoint = "use_fips_endpoint",
    UseDualstackEndpoint = "use_dualstack_endpoint",
    MfaProcess = "mfa_process",
    XroleAccountName = "xrole_account_name",
    XroleEnv = "xrole_env",
    XroleExpectedAccount = "xrole_expected_account",
    XroleBuckets = "xrole_buckets",
    XroleCredentials = "xrole_credentials",
    XroleSession = "xrole_session",
    XroleKeystore = "xrole_keystore",
}

impl Key {
    /// True for the keys whose values are secrets and must never be shown.
    pub fn is_secret(self) -> bool {
        matches!(self, Key::AwsSecretAccessKey | Key::AwsSessionToken)
    }
}

// A set of keys is one u64 (see `Key::bit`).
const _: () = assert!(Key::COUNT < 64);
