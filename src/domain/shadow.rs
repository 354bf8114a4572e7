//! The AWS files as a child served by a credential endpoint sees them: the default profile
//! gives no credentials (every SDK would use them before the endpoint, and a profile-less call
//! would answer as someone else), while every named profile still works, including those whose
//! `source_profile` is `default`.
//!
//! The default section is renamed (to `xrole-default`, or a free variant), every
//! `source_profile = default` follows it, and a new `[default]` keeps the default's settings
//! that are not about credentials (`region`, `output`, …). Everything else is copied as it is.

mod keyless;

pub use keyless::without_long_term_keys;

/// Keys that give a profile credentials, or say where they come from.
const CREDENTIAL_KEYS: [&str; 18] = [
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "role_arn",
    "source_profile",
    "credential_source",
    "credential_process",
    "web_identity_token_file",
    "role_session_name",
    "external_id",
    "mfa_serial",
    "duration_seconds",
    "sso_session",
    "sso_start_url",
    "sso_region",
    "sso_account_id",
    "sso_role_name",
    // `aws login` (AWS CLI 2.32): the profile's credentials come from its sign-in session.
    "login_session",
];

/// The two files rewritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shadowed {
    /// The config file.
    pub config: String,
    /// The credentials file.
    pub credentials: String,
    /// What the default profile is called in them.
    pub renamed_to: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum File {
    Config,
    Credentials,
}

/// The profile a section header names, if it is a profile section of `file`.
fn profile_of(line: &str, file: File) -> Option<&str> {
    let inner = line.trim().strip_prefix('[')?.strip_suffix(']')?.trim();
    match file {
        File::Credentials => Some(inner),
        File::Config if inner == "default" => Some(inner),
        File::Config => {
            let rest = inner.strip_prefix("profile")?;
            rest.starts_with(char::is_whitespace).then(|| rest.trim())
        }
    }
}

/// `key` of a `key = value` line, lower-cased, unless the line continues a value or is a
/// comment.
fn key_of(line: &str) -> Option<String> {
    if line.starts_with([' ', '\t']) || line.trim_start().starts_with(['#', ';']) {
        return None;
    }
    let (key, _) = line.split_once('=')?;
    Some(key.trim().to_ascii_lowercase())
}

fn is_header(line: &str) -> bool {
    line.trim_start().starts_with('[')
}

/// Rewrites both files; `None` when the default profile gives no credentials in either, so
/// the child can read the real files.
pub fn shadow_default(config: &str, credentials: &str) -> Option<Shadowed> {
    let default_has_credentials = [(config, File::Config), (credentials, File::Credentials)]
        .iter()
        .any(|&(text, file)| {
            let mut in_default = false;
            text.lines().any(|line| {
                if is_header(line) {
                    in_default = profile_of(line, file) == Some("default");
                    return false;
                }
                in_default && key_of(line).is_some_and(|k| CREDENTIAL_KEYS.contains(&k.as_str()))
            })
        });
    if !default_has_credentials {
        return None;
    }
    let taken = |name: &str| {
        [(config, File::Config), (credentials, File::Credentials)]
            .iter()
            .any(|&(text, file)| {
                text.lines()
                    .any(|l| is_header(l) && profile_of(l, file) == Some(name))
            })
    };
    let renamed_to = std::iter::once("xrole-default".to_owned())
        .chain((2..).map(|n| format!("xrole-default-{n}")))
        .find(|n| !taken(n))
        .unwrap_or_default();
    let (config, kept) = rewrite(config, File::Config, &renamed_to);
    let (credentials, _) = rewrite(credentials, File::Credentials, &renamed_to);
    let mut config = config;
    if !kept.is_empty() {
        if !config.is_empty() && !config.ends_with('\n') {
            config.push('\n');
        }
        config.push_str("[default]\n");
        config.push_str(&kept);
    }
    Some(Shadowed {
        config,
        credentials,
        renamed_to,
    })
}

/// One file: the default's header renamed, `source_profile = default` pointed at the new
/// name. Returns the file and the default's settings that are not about credentials (with
/// their continuation lines), to be kept under a new `[default]`.
fn rewrite(text: &str, file: File, new: &str) -> (String, String) {
    let mut out = String::with_capacity(text.len() + 64);
    let mut kept = String::new();
    let mut in_default = false;
    let mut keeping = false; // the current key's continuation lines go with it
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if is_header(bare) {
            in_default = profile_of(bare, file) == Some("default");
            keeping = false;
            if in_default {
                let header = match file {
                    File::Config => format!("[profile {new}]"),
                    File::Credentials => format!("[{new}]"),
                };
                out.push_str(&header);
                out.push_str(&line[bare.len()..]);
                continue;
            }
            out.push_str(line);
            continue;
        }
        match key_of(bare) {
            Some(key) => {
                keeping = in_default && !CREDENTIAL_KEYS.contains(&key.as_str());
                if keeping {
                    kept.push_str(bare);
                    kept.push('\n');
                }
                let value = bare.split_once('=').map_or("", |(_, v)| v.trim());
                if key == "source_profile" && value == "default" {
                    let indent = &bare[..bare.len() - bare.trim_start().len()];
                    out.push_str(&format!("{indent}source_profile = {new}"));
                    out.push_str(&line[bare.len()..]);
                    continue;
                }
            }
            None if keeping && bare.starts_with([' ', '\t']) => {
                kept.push_str(bare);
                kept.push('\n');
            }
            None => keeping = keeping && bare.trim().is_empty(),
        }
        out.push_str(line);
    }
    (out, kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_to_hide_leaves_the_files_alone() {
        assert_eq!(shadow_default("[default]\nregion = eu-west-1\n", ""), None);
        assert_eq!(
            shadow_default(
                "[profile a]\nrole_arn = x\n",
                "[a]\naws_access_key_id = A\n"
            ),
            None
        );
    }

    #[test]
    fn the_default_is_renamed_and_its_other_settings_stay() {
        let config = "[default]\nregion = eu-west-1\noutput = json\ns3 =\n  max_concurrent_requests = 4\n\
                      mfa_serial = arn:aws:iam::1:mfa/a\n[profile app]\nrole_arn = arn:aws:iam::2:role/r\n\
                      source_profile = default\n[profile other]\nsource_profile=defaultish\n";
        let creds = "[default]\r\naws_access_key_id = AKIA\r\naws_secret_access_key = s\r\n[x]\r\n";
        let s = shadow_default(config, creds).unwrap();
        assert_eq!(s.renamed_to, "xrole-default");
        assert!(s
            .config
            .starts_with("[profile xrole-default]\nregion = eu-west-1\n"));
        assert!(s.config.contains("source_profile = xrole-default\n"));
        assert!(
            s.config.contains("source_profile=defaultish\n"),
            "other values untouched"
        );
        assert!(s.config.ends_with(
            "[default]\nregion = eu-west-1\noutput = json\ns3 =\n  max_concurrent_requests = 4\n"
        ));
        assert!(!s.config[s.config.rfind("[default]").unwrap()..].contains("mfa_serial"));
        assert_eq!(
            s.credentials,
            "[xrole-default]\r\naws_access_key_id = AKIA\r\naws_secret_access_key = s\r\n[x]\r\n"
        );
    }

    #[test]
    fn a_taken_name_is_avoided_and_profile_default_counts() {
        let config = "[ profile   default ]\nrole_arn = r\ncredential_source = Environment\n[profile xrole-default]\n";
        let s = shadow_default(config, "").unwrap();
        assert_eq!(s.renamed_to, "xrole-default-2");
        assert!(s.config.starts_with("[profile xrole-default-2]\n"));
        assert!(s.config.contains("[profile xrole-default]\n"));
        assert!(!s.config.contains("\n[default]"), "nothing else to keep");
    }
}
