//! The child's copies of the AWS files hold no long-term key: each profile whose keys are
//! long-term (an access key id and no session token) loses its key lines and gets a
//! `credential_process` line that asks this tool for a session of it instead. A copy left
//! behind by a process that was killed then gives nothing lasting to whoever finds it, and an
//! SDK in the child that names such a profile still works, with temporary credentials.

use std::collections::{BTreeMap, BTreeSet};

use super::{is_header, key_of, profile_of, File, Shadowed};

/// Keys whose lines are removed from a profile with long-term keys.
const KEY_LINES: [&str; 3] = [
    "aws_access_key_id",
    "aws_secret_access_key",
    "credential_process",
];

/// What is known of one profile across both files.
#[derive(Default)]
struct Keys {
    access_key: bool,
    session_token: bool,
}

fn sections<'a>(text: &'a str, file: File, mut each: impl FnMut(&'a str, &'a str)) {
    let mut current: Option<&str> = None;
    for line in text.lines() {
        if is_header(line) {
            current = profile_of(line, file);
            continue;
        }
        if let Some(profile) = current {
            each(profile, line);
        }
    }
}

/// Rewrites `shadowed` so that no profile keeps long-term keys. `command(real_name)` is the
/// `credential_process` value for a profile (the real name: the renamed default is `default`).
pub fn without_long_term_keys(shadowed: Shadowed, command: impl Fn(&str) -> String) -> Shadowed {
    let mut found: BTreeMap<&str, Keys> = BTreeMap::new();
    for (text, file) in [
        (shadowed.config.as_str(), File::Config),
        (shadowed.credentials.as_str(), File::Credentials),
    ] {
        sections(text, file, |profile, line| {
            let entry = found.entry(profile).or_default();
            match key_of(line).as_deref() {
                Some("aws_access_key_id") => entry.access_key = true,
                Some("aws_session_token") => entry.session_token = true,
                _ => {}
            }
        });
    }
    let long_term: BTreeSet<String> = found
        .into_iter()
        .filter(|(_, k)| k.access_key && !k.session_token)
        .map(|(p, _)| p.to_owned())
        .collect();
    if long_term.is_empty() {
        return shadowed;
    }
    let real = |name: &str| {
        if name == shadowed.renamed_to {
            "default".to_owned()
        } else {
            name.to_owned()
        }
    };
    let mut given = BTreeSet::new();
    let mut config = strip(&shadowed.config, File::Config, &long_term, |profile| {
        given.insert(profile.to_owned());
        Some(format!(
            "credential_process = {}\n",
            command(&real(profile))
        ))
    });
    let credentials = strip(&shadowed.credentials, File::Credentials, &long_term, |_| {
        None
    });
    for profile in long_term.difference(&given) {
        if !config.is_empty() && !config.ends_with('\n') {
            config.push('\n');
        }
        let header = if profile == "default" {
            "[default]".to_owned()
        } else {
            format!("[profile {profile}]")
        };
        config.push_str(&format!(
            "{header}\ncredential_process = {}\n",
            command(&real(profile))
        ));
    }
    Shadowed {
        config,
        credentials,
        renamed_to: shadowed.renamed_to,
    }
}

/// `text` without the key lines (and their continuation lines) of the profiles in `drop`;
/// `after_header` may add a line after the first header of each.
fn strip(
    text: &str,
    file: File,
    drop: &BTreeSet<String>,
    mut after_header: impl FnMut(&str) -> Option<String>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut current: Option<&str> = None;
    let mut seen = BTreeSet::new();
    let mut skipping = false;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if is_header(bare) {
            current = profile_of(bare, file).filter(|p| drop.contains(*p));
            skipping = false;
            out.push_str(line);
            if let Some(profile) = current.filter(|p| seen.insert(p.to_owned())) {
                if !line.ends_with('\n') {
                    out.push('\n');
                }
                if let Some(extra) = after_header(profile) {
                    out.push_str(&extra);
                }
            }
            continue;
        }
        if current.is_some() {
            match key_of(bare) {
                Some(key) => skipping = KEY_LINES.contains(&key.as_str()),
                None if skipping && bare.starts_with([' ', '\t']) => {}
                None => skipping = false,
            }
            if skipping {
                continue;
            }
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::shadow_default;
    use super::*;

    fn cmd(name: &str) -> String {
        format!("/bin/xrole-tui credential-process '{name}'")
    }

    #[test]
    fn long_term_keys_become_credential_process_lines() {
        let config =
            "[default]\nregion = eu-west-1\n[profile hub]\nregion = us-east-1\nmfa_serial = m\n\
                      [profile app]\nrole_arn = r\nsource_profile = base\n";
        let creds = "[default]\naws_access_key_id = AKIADEF\naws_secret_access_key = def-secret\n\
                     [hub]\naws_access_key_id = AKIAHUB\naws_secret_access_key = hub-secret\n\
                     [base]\naws_access_key_id=AKIABASE\naws_secret_access_key=base-secret\n\
                     [temp]\naws_access_key_id = ASIATEMP\naws_secret_access_key = t\naws_session_token = tok\n";
        let s = without_long_term_keys(shadow_default(config, creds).unwrap(), cmd);
        for secret in ["def-secret", "hub-secret", "base-secret", "AKIA"] {
            assert!(!s.credentials.contains(secret), "{}", s.credentials);
            assert!(!s.config.contains(secret), "{}", s.config);
        }
        assert!(
            s.credentials.contains("aws_session_token = tok"),
            "temporary keys stay"
        );
        assert!(s.config.contains(
            "[profile hub]\ncredential_process = /bin/xrole-tui credential-process 'hub'\nregion = us-east-1\n"
        ));
        assert!(s.config.contains(
            "[profile xrole-default]\ncredential_process = /bin/xrole-tui credential-process 'default'\n"
        ));
        assert!(s.config.ends_with(
            "[profile base]\ncredential_process = /bin/xrole-tui credential-process 'base'\n"
        ));
        assert_eq!(
            s.config.matches("[profile hub]").count(),
            1,
            "one section each"
        );
    }

    #[test]
    fn keys_in_the_config_file_and_continuations_go_too() {
        let config = "[default]\naws_access_key_id = AKIADEF\naws_secret_access_key =\n  multi-line-secret\n\
                      credential_process = old\noutput = json\n";
        let s = without_long_term_keys(shadow_default(config, "").unwrap(), cmd);
        assert!(!s.config.contains("multi-line-secret"), "{}", s.config);
        assert!(!s.config.contains("= old"));
        assert_eq!(
            s.config.matches("credential_process").count(),
            1,
            "{}",
            s.config
        );
        assert!(s.config.contains("output = json"));
    }
}
