//! Shell completion: the profile names of the AWS files, asked of the binary itself when the
//! shell completes (`COMPLETE=bash xrole-tui`).

use crate::config::AwsFiles;

/// Completes profile names (`COMPLETE=bash xrole-tui`, see the README): the names of the AWS
/// files, read when the shell asks; names with control characters are left out.
pub(super) fn profile_names() -> clap_complete::engine::ArgValueCandidates {
    clap_complete::engine::ArgValueCandidates::new(|| {
        AwsFiles::from_env()
            .load()
            .map(|l| {
                l.set
                    .profiles()
                    .iter()
                    .filter(|p| !p.name.chars().any(crate::domain::text::is_unsafe_char))
                    .map(|p| clap_complete::engine::CompletionCandidate::new(p.name.clone()))
                    .collect()
            })
            .unwrap_or_default()
    })
}
