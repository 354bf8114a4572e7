//! The runway of a long run (`exec --for 20h terraform apply`): how long its credentials can be
//! renewed without a person, and what to do now, while the person is at the terminal, when that
//! is too short. Pure: the horizons known from the cache and the SSO token are inputs.

use std::time::{Duration, SystemTime};

use super::plan::{Plan, Source, Step};

/// The longest `GetSessionToken` session STS gives an IAM user: 36 hours.
pub const SESSION_TOKEN_MAX: u32 = 129_600;
/// What STS gives when no duration is asked: 12 hours.
const DEFAULT_SESSION: u32 = 43_200;
/// The shortest one: 15 minutes.
const SESSION_TOKEN_MIN: u32 = 900;
/// A new session lasts this much past the run, so the last renewal before its end still gives
/// the run an hour's role credentials.
const MARGIN: Duration = Duration::from_secs(15 * 60);

/// What a run of a given length needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Runway {
    /// Covered: renewable until this time (`None`: without a known end).
    Covered(Option<SystemTime>),
    /// Covered once the MFA session of step `step` is opened again now for `duration`
    /// seconds (a code is asked now).
    Extend {
        /// The `GetSessionToken` step.
        step: usize,
        /// Its `DurationSeconds`.
        duration: u32,
    },
    /// Nothing can cover it; the reason, with the horizon.
    Refuse(String),
}

/// What is known of the root's end.
#[derive(Debug, Clone, Copy, Default)]
pub struct Horizons {
    /// The end of the cached result of the first step that needs an MFA code.
    pub mfa: Option<SystemTime>,
    /// The SSO token's end, and whether it can be refreshed.
    pub sso: Option<(SystemTime, bool)>,
}

fn hours(d: Duration) -> String {
    let minutes = d.as_secs() / 60;
    format!("{}h{:02}m", minutes / 60, minutes % 60)
}

/// The runway of a run of `want` from `now` with `plan`.
pub fn runway(plan: &Plan, want: Duration, now: SystemTime, known: Horizons) -> Runway {
    let end = now + want;
    let first_mfa = plan.steps.iter().position(|s| match s {
        Step::SessionToken { mfa_serial, .. } | Step::AssumeRole { mfa_serial, .. } => {
            mfa_serial.is_some()
        }
    });
    if let Some(i) = first_mfa {
        if known.mfa.is_some_and(|h| h >= end) {
            return Runway::Covered(known.mfa);
        }
        return match &plan.steps[i] {
            Step::SessionToken { duration, .. } => {
                // Never shorter than the session it replaces would have been.
                let usual = u64::from(duration.unwrap_or(DEFAULT_SESSION));
                let needed = (want + MARGIN).as_secs().max(usual);
                if want.as_secs() > u64::from(SESSION_TOKEN_MAX) {
                    return Runway::Refuse(format!(
                        "an MFA session lasts at most 36h (GetSessionToken), and the run asks for {}",
                        hours(want)
                    ));
                }
                let duration = u32::try_from(needed)
                    .unwrap_or(SESSION_TOKEN_MAX)
                    .clamp(SESSION_TOKEN_MIN, SESSION_TOKEN_MAX);
                Runway::Extend { step: i, duration }
            }
            Step::AssumeRole { profile, .. } => Runway::Refuse(format!(
                "{profile} is assumed with an MFA code each time (no MFA session under it), so it \
                 cannot be renewed without a person{}",
                known.mfa.map_or_else(String::new, |h| format!(
                    "; its session ends in {}",
                    hours(h.duration_since(now).unwrap_or_default())
                ))
            )),
        };
    }
    match (&plan.source, known.sso) {
        (Source::Sso { .. }, Some((expiry, false))) if expiry < end => Runway::Refuse(format!(
            "the IAM Identity Center token ends in {} and cannot be refreshed (sign in again with \
             an sso_session to get a refreshable one)",
            hours(expiry.duration_since(now).unwrap_or_default())
        )),
        (Source::Sso { .. }, Some((expiry, false))) => Runway::Covered(Some(expiry)),
        _ => Runway::Covered(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(steps: Vec<Step>, source: Source) -> Plan {
        Plan {
            chain: vec!["dev".into()],
            source,
            steps,
            notes: Vec::new(),
            session_for_process_keys: false,
        }
    }

    fn keys() -> Source {
        Source::StaticKeys {
            profile: "hub".into(),
            temporary: false,
        }
    }

    fn mfa_session() -> Step {
        Step::SessionToken {
            mfa_serial: Some("arn:aws:iam::1:mfa/a".into()),
            duration: None,
        }
    }

    const H: u64 = 3600;

    #[test]
    fn a_short_mfa_session_is_opened_again_for_the_run() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let p = plan(vec![mfa_session()], keys());
        let known = Horizons {
            mfa: Some(now + Duration::from_secs(2 * H)),
            sso: None,
        };
        assert_eq!(
            runway(&p, Duration::from_secs(20 * H), now, known),
            Runway::Extend {
                step: 0,
                duration: 20 * 3600 + 900
            }
        );
        assert_eq!(
            runway(&p, Duration::from_secs(H), now, known),
            Runway::Covered(known.mfa)
        );
        assert_eq!(
            runway(&p, Duration::from_secs(3 * H), now, known),
            Runway::Extend {
                step: 0,
                duration: DEFAULT_SESSION
            },
            "never shorter than the usual 12 hours"
        );
        assert_eq!(
            runway(&p, Duration::from_secs(36 * H), now, Horizons::default()),
            Runway::Extend {
                step: 0,
                duration: SESSION_TOKEN_MAX
            }
        );
        assert!(matches!(
            runway(&p, Duration::from_secs(40 * H), now, Horizons::default()),
            Runway::Refuse(why) if why.contains("36h")
        ));
    }

    #[test]
    fn an_sso_token_that_cannot_be_refreshed_bounds_the_run() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let sso = Source::Sso {
            profile: "vendor".into(),
            account_id: "1".into(),
            role_name: "r".into(),
        };
        let p = plan(vec![], sso);
        let ends = now + Duration::from_secs(2 * H);
        assert!(matches!(
            runway(&p, Duration::from_secs(3 * H), now, Horizons { mfa: None, sso: Some((ends, false)) }),
            Runway::Refuse(why) if why.contains("2h00m")
        ));
        assert_eq!(
            runway(
                &p,
                Duration::from_secs(3 * H),
                now,
                Horizons {
                    mfa: None,
                    sso: Some((ends, true))
                }
            ),
            Runway::Covered(None)
        );
        assert_eq!(
            runway(
                &plan(vec![], keys()),
                Duration::from_secs(100 * H),
                now,
                Horizons::default()
            ),
            Runway::Covered(None),
            "long-term keys without MFA renew for ever"
        );
    }
}
