//! Which profiles were used recently and often: a count and a last-use time per profile,
//! scored as a browser's address bar scores history (frequency weighted by recency), so the
//! profile of the last hour outranks one used often last month.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

/// At most this many profiles are remembered; the lowest scores are forgotten first.
pub const MAX_REMEMBERED: usize = 500;

/// How many profiles the "recent" group shows.
pub const SHOWN: usize = 8;

/// Uses of a profile this close together count as one.
pub const BURST: Duration = Duration::from_secs(600);

/// One profile's use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Use {
    /// Times used.
    pub count: u32,
    /// Last use, seconds since the Unix epoch.
    pub last: u64,
}

/// The uses of every remembered profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    version: u32,
    profiles: HashMap<String, Use>,
}

fn secs(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The weight of a use `age` ago.
fn recency(age: Duration) -> f64 {
    const HOUR: u64 = 3600;
    match age.as_secs() {
        a if a < 4 * HOUR => 100.0,
        a if a < 24 * HOUR => 70.0,
        a if a < 3 * 24 * HOUR => 50.0,
        a if a < 7 * 24 * HOUR => 30.0,
        a if a < 30 * 24 * HOUR => 10.0,
        _ => 2.0,
    }
}

impl Usage {
    /// Reads the file's JSON; anything unreadable is an empty history (it only orders a list).
    pub fn parse(bytes: &[u8]) -> Self {
        serde_json::from_slice(bytes).unwrap_or_default()
    }

    /// The file's JSON.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(&Usage {
            version: 1,
            profiles: self.profiles.clone(),
        })
        .unwrap_or_default()
    }

    /// Records a use of `profile` at `now`, forgetting the least used beyond
    /// [`MAX_REMEMBERED`].
    pub fn record(&mut self, profile: &str, now: SystemTime) {
        let u = self
            .profiles
            .entry(profile.to_owned())
            .or_insert(Use { count: 0, last: 0 });
        u.count = u.count.saturating_add(1);
        u.last = secs(now);
        if self.profiles.len() > MAX_REMEMBERED {
            let ranked = self.ranked(now);
            let keep: std::collections::HashSet<&str> = ranked
                .iter()
                .take(MAX_REMEMBERED)
                .map(|(n, _)| n.as_str())
                .collect();
            let keep: std::collections::HashSet<String> =
                keep.into_iter().map(str::to_owned).collect();
            self.profiles.retain(|n, _| keep.contains(n));
        }
    }

    /// The score of a profile's use at `now`.
    pub fn score(u: Use, now: SystemTime) -> f64 {
        let age = Duration::from_secs(secs(now).saturating_sub(u.last));
        f64::from(u.count.min(1000)).ln_1p() * recency(age)
    }

    /// Remembered profiles, best first (ties: the more recent, then the name).
    pub fn ranked(&self, now: SystemTime) -> Vec<(String, f64)> {
        let mut all: Vec<(String, f64, u64)> = self
            .profiles
            .iter()
            .map(|(n, u)| (n.clone(), Self::score(*u, now), u.last))
            .collect();
        all.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then(b.2.cmp(&a.2))
                .then_with(|| a.0.cmp(&b.0))
        });
        all.into_iter().map(|(n, s, _)| (n, s)).collect()
    }

    /// True when `profile` was last used less than `window` before `now`.
    pub fn used_within(&self, profile: &str, now: SystemTime, window: Duration) -> bool {
        self.profiles
            .get(profile)
            .is_some_and(|u| secs(now).saturating_sub(u.last) < window.as_secs())
    }

    /// The use of `profile`, if remembered.
    pub fn get(&self, profile: &str) -> Option<Use> {
        self.profiles.get(profile).copied()
    }

    /// True when nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000 + h * 3600)
    }

    #[test]
    fn recent_use_outranks_old_frequent_use() {
        let mut u = Usage::default();
        for _ in 0..40 {
            u.record("old-favourite", at(0));
        }
        u.record("today", at(24 * 20));
        u.record("today", at(24 * 20));
        let ranked: Vec<String> = u.ranked(at(24 * 20 + 1)).into_iter().map(|r| r.0).collect();
        assert_eq!(ranked, ["today", "old-favourite"]);
        // Within the same hour, the more frequent wins.
        u.record("once", at(24 * 20));
        assert_eq!(u.ranked(at(24 * 20 + 1))[0].0, "today");
    }

    #[test]
    fn the_file_round_trips_and_garbage_is_an_empty_history() {
        let mut u = Usage::default();
        u.record("dev", at(1));
        let back = Usage::parse(&u.to_json());
        assert_eq!(
            back.get("dev"),
            Some(Use {
                count: 1,
                last: secs(at(1))
            })
        );
        assert!(Usage::parse(b"{not json").is_empty());
        assert!(Usage::parse(b"[]").is_empty());
    }

    #[test]
    fn the_history_is_bounded() {
        let mut u = Usage::default();
        for i in 0..(MAX_REMEMBERED as u64 + 50) {
            u.record(&format!("p{i}"), at(i));
        }
        assert_eq!(u.profiles.len(), MAX_REMEMBERED);
        assert!(
            u.get(&format!("p{}", MAX_REMEMBERED + 49)).is_some(),
            "the newest stays"
        );
        assert!(u.get("p0").is_none(), "the oldest goes");
    }
}
