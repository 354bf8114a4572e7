//! What a credential endpoint serves and when it refreshes: pure decisions over a clock, so
//! they are tested with fixed times.

use std::time::{Duration, SystemTime};

use super::session::Credentials;

/// What the endpoint holds.
#[derive(Debug, Clone)]
pub enum Served {
    /// Credentials to hand out, with a problem to mention if the last refresh failed.
    Fresh {
        /// The credentials.
        credentials: Credentials,
        /// Why the last refresh failed, while these are still good.
        trouble: Option<String>,
    },
    /// Nothing to hand out, and why (what to do is in the words).
    Failed(String),
}

/// What a request gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer<'a> {
    /// 200 with these credentials.
    Credentials(&'a Credentials),
    /// 503 with this message.
    Unavailable(String),
}

impl Served {
    /// The answer at `now`: held credentials only while they have not expired.
    pub fn answer(&self, now: SystemTime) -> Answer<'_> {
        match self {
            Served::Fresh {
                credentials,
                trouble,
            } => {
                if credentials
                    .remaining(now)
                    .is_none_or(|left| !left.is_zero())
                {
                    Answer::Credentials(credentials)
                } else {
                    Answer::Unavailable(trouble.clone().unwrap_or_else(|| {
                        "the role's credentials expired and could not be renewed yet".to_owned()
                    }))
                }
            }
            Served::Failed(why) => Answer::Unavailable(why.clone()),
        }
    }

    /// When to renew: `min_ttl` before the held credentials expire; after a failure, soon
    /// (`retry` later). `None` when they never expire.
    pub fn next_refresh(
        &self,
        min_ttl: Duration,
        now: SystemTime,
        retry: Duration,
    ) -> Option<SystemTime> {
        match self {
            Served::Fresh {
                credentials,
                trouble: None,
            } => credentials.refresh_at(min_ttl),
            Served::Fresh { credentials, .. } => credentials.expiration.map(|_| now + retry),
            Served::Failed(_) => Some(now + retry),
        }
    }

    /// The state after a failed refresh. `fatal` (access denied, the source expired or was
    /// revoked) drops what is held at once; anything else keeps serving it until it expires.
    #[must_use]
    pub fn after_failure(self, why: String, fatal: bool) -> Self {
        match self {
            Served::Fresh { credentials, .. } if !fatal => Served::Fresh {
                credentials,
                trouble: Some(why),
            },
            _ => Served::Failed(why),
        }
    }
}

/// The wait before retrying after `failures` failed refreshes in a row: 5 s, doubling, at
/// most a minute.
pub fn retry_delay(failures: u32) -> Duration {
    Duration::from_secs(5u64.saturating_mul(1 << failures.min(4)).min(60))
}

#[cfg(test)]
mod tests {
    use zeroize::Zeroizing;

    use super::*;

    fn t0() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
    }

    fn creds(secs: u64) -> Credentials {
        Credentials {
            access_key_id: "ASIAX".into(),
            secret_access_key: Zeroizing::new("s".into()),
            session_token: Some(Zeroizing::new("t".into())),
            expiration: Some(t0() + Duration::from_secs(secs)),
        }
    }

    fn fresh(secs: u64) -> Served {
        Served::Fresh {
            credentials: creds(secs),
            trouble: None,
        }
    }

    #[test]
    fn refreshes_min_ttl_before_expiry_and_retries_soon_after_a_failure() {
        let ttl = Duration::from_secs(890);
        let retry = Duration::from_secs(5);
        assert_eq!(
            fresh(900).next_refresh(ttl, t0(), retry),
            Some(t0() + Duration::from_secs(10))
        );
        let troubled = fresh(900).after_failure("network".into(), false);
        assert_eq!(troubled.next_refresh(ttl, t0(), retry), Some(t0() + retry));
        assert_eq!(
            Served::Failed("x".into()).next_refresh(ttl, t0(), retry),
            Some(t0() + retry)
        );
        let never = Served::Fresh {
            credentials: Credentials {
                expiration: None,
                ..creds(0)
            },
            trouble: None,
        };
        assert_eq!(never.next_refresh(ttl, t0(), retry), None);
    }

    #[test]
    fn serves_until_expiry_unless_the_failure_is_fatal() {
        let kept = fresh(60).after_failure("a new MFA code is needed".into(), false);
        assert!(matches!(kept.answer(t0()), Answer::Credentials(_)));
        match kept.answer(t0() + Duration::from_secs(60)) {
            Answer::Unavailable(m) => assert!(m.contains("MFA"), "{m}"),
            other => panic!("{other:?}"),
        }
        let dropped = fresh(600).after_failure("AccessDenied".into(), true);
        assert_eq!(
            dropped.answer(t0()),
            Answer::Unavailable("AccessDenied".into())
        );
    }

    #[test]
    fn retry_delays_grow_to_a_minute() {
        let d: Vec<u64> = (0..7).map(|f| retry_delay(f).as_secs()).collect();
        assert_eq!(d, [5, 10, 20, 40, 60, 60, 60]);
    }
}
