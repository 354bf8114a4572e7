//! The broker's side of the cache: which sessions are live (the TUI's badges and
//! countdowns), whether one is still there (a served child's endpoint), and forgetting them.

use std::time::SystemTime;

use super::Broker;
use crate::aws::authenticate::{all_keys, root_key, session_key, step_keys};
use crate::aws::error::AuthError;
use crate::domain::session::CallerIdentity;
use crate::domain::{ProfileSet, Target};

/// A session found in the cache at start (see [`Broker::live_sessions`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSession {
    /// The profile.
    pub profile: String,
    /// When it expires.
    pub expiration: Option<SystemTime>,
    /// Its identity, when known and the profile's own.
    pub identity: Option<CallerIdentity>,
    /// When it was written.
    pub written: SystemTime,
    /// True for the profile's own session; false for a live MFA session under its role (the
    /// role is one call away, with no code).
    pub own: bool,
}

impl Broker {
    /// The profiles of `set` whose session is in the cache and live at `now`, with what the
    /// badges need. Reads the cache directory once; profiles are resolved only when it holds
    /// something, so a cold start costs one directory read.
    pub fn live_sessions(&self, set: &ProfileSet, now: SystemTime) -> Vec<LiveSession> {
        let Some(cache) = &self.cache else {
            return Vec::new();
        };
        let live = cache.live(now);
        if live.is_empty() {
            return Vec::new();
        }
        let mut found = Vec::new();
        for index in 0..set.len() {
            let Ok(target) = set.target_at(index) else {
                continue;
            };
            let mut keys = step_keys(&target);
            // The profile's own session (its last step, or its SSO role), else a live MFA
            // session under it: Enter then needs no code.
            let own = keys
                .pop()
                .or_else(|| root_key(&target))
                .and_then(|k| live.get(k.as_str()));
            let entry = match own {
                Some(e) => Some((e, true)),
                None => keys
                    .iter()
                    .rev()
                    .find_map(|k| live.get(k.as_str()))
                    .map(|e| (e, false)),
            };
            if let Some((e, own)) = entry {
                found.push(LiveSession {
                    profile: target.name,
                    expiration: e.expiration,
                    identity: own.then(|| e.identity.clone()).flatten(),
                    written: e.written,
                    own,
                });
            }
        }
        found
    }

    /// True when `target`'s session is in the cache (its file is there, live or not). A
    /// credential endpoint that saw it there and no longer does knows it was forgotten
    /// (`clear`, `x`, a revocation).
    pub fn session_cached(&self, target: &Target) -> bool {
        match (&self.cache, session_key(target)) {
            (Some(cache), Some(key)) => cache.contains(&key),
            _ => false,
        }
    }

    /// True unless the cache is off (`--no-cache`, `XROLE_CACHE=none`).
    pub fn has_cache(&self) -> bool {
        self.cache.is_some()
    }

    /// The cache's directory (what the store's watch follows); `None` when the cache is off.
    pub fn cache_dir(&self) -> Option<&std::path::Path> {
        self.cache.as_ref().map(|c| c.dir())
    }

    /// Forgets every cached session of `targets` (all their steps, a shared MFA session
    /// included); with none, every cached session. Returns how many were removed.
    pub fn clear(&self, targets: &[Target]) -> Result<usize, AuthError> {
        let Some(cache) = &self.cache else {
            return Ok(0);
        };
        let fail =
            |e: std::io::Error| AuthError::LocalFile(format!("cannot remove cached sessions: {e}"));
        if targets.is_empty() {
            return cache.clear().map_err(fail);
        }
        let mut removed = 0;
        for t in targets {
            for key in all_keys(t) {
                if cache.remove(&key).map_err(fail)? {
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }

    /// Drops `target`'s cached results from step `from` on.
    pub fn forget(&self, target: &Target, from: usize) -> Result<(), AuthError> {
        self.engine(target)?
            .forget(target, from)
            .map_err(|e| AuthError::LocalFile(format!("cannot remove cached sessions: {e}")))
    }
}
