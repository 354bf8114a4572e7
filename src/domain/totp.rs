//! The time-based one-time codes of MFA devices (RFC 6238 as AWS uses it): a new code every 30
//! seconds, and a code accepted once.

use std::time::{Duration, SystemTime};

/// The length of one code's step.
pub const STEP: Duration = Duration::from_secs(30);

/// How long a used code is remembered: two steps (AWS also accepts the code of the step
/// before, so a code stays dangerous for about that long).
pub const REPLAY_WINDOW: Duration = Duration::from_secs(60);

/// Seconds left in the current step at `now` (1 to 30).
pub fn seconds_left(now: SystemTime) -> u64 {
    let secs = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    STEP.as_secs() - secs % STEP.as_secs()
}

/// True when a code used at `used_at` is still inside the replay window at `now`.
pub fn still_fresh(used_at: SystemTime, now: SystemTime) -> bool {
    now.duration_since(used_at)
        .map_or(true, |age| age < REPLAY_WINDOW)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_and_the_replay_window() {
        let t = |s: u64| SystemTime::UNIX_EPOCH + Duration::from_secs(s);
        assert_eq!(seconds_left(t(1_800_000_000)), 30);
        assert_eq!(seconds_left(t(1_800_000_001)), 29);
        assert_eq!(seconds_left(t(1_800_000_029)), 1);
        assert!(still_fresh(t(100), t(159)));
        assert!(!still_fresh(t(100), t(160)));
        assert!(
            still_fresh(t(100), t(90)),
            "a clock that went back keeps the record"
        );
    }
}
