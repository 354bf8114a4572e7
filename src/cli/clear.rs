//! `clear [PROFILE…]`: forget cached sessions, so the next use asks for an MFA code again.

use super::Failure;
use crate::aws::broker::Broker;
use crate::config::AwsFiles;
use crate::domain::text::display_safe;

/// Forgets the sessions of `profiles` (every step of each, a shared MFA session included), or
/// every cached session when none is named.
pub fn run(files: &AwsFiles, profiles: &[String], no_cache: bool) -> Result<u8, Failure> {
    let broker = Broker::from_env(no_cache).map_err(Failure::config)?;
    if !broker.has_cache() {
        println!("the cache is off (--no-cache or XROLE_CACHE=none): no session is kept to forget");
        return Ok(0);
    }
    let removed = if profiles.is_empty() {
        broker.clear(&[])?
    } else {
        let set = files
            .load()
            .map_err(|e| Failure::config(display_safe(&e.to_string())))?
            .set;
        let targets = profiles
            .iter()
            .map(|p| set.target(p))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Failure::config(display_safe(&e.to_string())))?;
        broker.clear(&targets)?
    };
    let whose = if profiles.is_empty() {
        "every profile".to_owned()
    } else {
        profiles
            .iter()
            .map(|p| display_safe(p).into_owned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let plural = if removed == 1 { "" } else { "s" };
    println!("forgot {removed} cached session{plural} of {whose}; the next use asks for MFA again where the profile needs it");
    Ok(0)
}
