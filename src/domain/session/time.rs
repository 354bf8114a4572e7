//! Times as the user reads them (countdowns), as AWS writes them (RFC 3339), and the
//! `XROLE_MIN_TTL` setting.

use std::time::{Duration, SystemTime};

use super::REUSE_WINDOW;

/// `1h 02m 03s`, `4m 05s`, `9s`: the countdown text.
pub fn countdown(left: Duration) -> String {
    let s = left.as_secs();
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("{h}h {m:02}m {s:02}s")
    } else if m > 0 {
        format!("{m}m {s:02}s")
    } else {
        format!("{s}s")
    }
}

/// `11h05m`, `42m`, `9s`: a countdown for a badge, where minutes are precise enough.
pub fn short_countdown(left: Duration) -> String {
    let s = left.as_secs();
    let (h, m) = (s / 3600, s / 60 % 60);
    if h > 0 {
        format!("{h}h{m:02}m")
    } else if m > 0 {
        format!("{m}m")
    } else {
        format!("{s}s")
    }
}

/// RFC 3339 in UTC with whole seconds: `2026-11-23T06:03:39Z`.
pub fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

/// Parses an RFC 3339 timestamp.
pub fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    if let Ok(t) = humantime::parse_rfc3339_weak(s) {
        return Some(t);
    }
    // A numeric offset (`+01:00`, `-0500`), as Python's isoformat() writes: UTC is the time
    // without it, moved back by the offset.
    let cut = s.len().checked_sub(6).filter(|&i| s.is_char_boundary(i))?;
    let (base, offset) = match s.get(cut..) {
        Some(o) if o.as_bytes().get(3) == Some(&b':') => (&s[..cut], o.replace(':', "")),
        _ => {
            let cut = s.len().checked_sub(5).filter(|&i| s.is_char_boundary(i))?;
            (&s[..cut], s[cut..].to_owned())
        }
    };
    let sign = match offset.as_bytes().first() {
        Some(b'+') => 1i64,
        Some(b'-') => -1,
        _ => return None,
    };
    let digits = offset
        .get(1..5)
        .filter(|d| d.bytes().all(|b| b.is_ascii_digit()))?;
    let hours: i64 = digits[..2].parse().ok()?;
    let minutes: i64 = digits[2..].parse().ok()?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    let local = humantime::parse_rfc3339_weak(base).ok()?;
    let shift = Duration::from_secs(u64::try_from((hours * 60 + minutes) * 60).ok()?);
    if sign > 0 {
        local.checked_sub(shift)
    } else {
        local.checked_add(shift)
    }
}

/// Reads `XROLE_MIN_TTL`: whole seconds a session must have left to be reused or served, at
/// least 60 and under 12 hours (default [`REUSE_WINDOW`], 300 s, as aws-vault's `AWS_MIN_TTL`).
pub fn min_ttl(value: Option<&str>) -> Result<Duration, String> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(REUSE_WINDOW),
        Some(v) => v
            .strip_suffix('s')
            .unwrap_or(v)
            .parse::<u64>()
            .ok()
            .filter(|s| (60..43_200).contains(s))
            .map(Duration::from_secs)
            .ok_or_else(|| {
                format!("XROLE_MIN_TTL is {v:?}; it must be a number of seconds from 60 to 43199")
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_ttl_bounds() {
        assert_eq!(min_ttl(None), Ok(REUSE_WINDOW));
        assert_eq!(min_ttl(Some("  ")), Ok(REUSE_WINDOW));
        assert_eq!(min_ttl(Some("890")), Ok(Duration::from_secs(890)));
        assert_eq!(min_ttl(Some("600s")), Ok(Duration::from_secs(600)));
        for bad in ["59", "43200", "-5", "5m", "1e3"] {
            assert!(
                min_ttl(Some(bad)).unwrap_err().contains("XROLE_MIN_TTL"),
                "{bad}"
            );
        }
    }

    #[test]
    fn times_with_a_numeric_offset() {
        let utc = parse_rfc3339("2026-11-23T18:00:00Z").unwrap();
        assert_eq!(parse_rfc3339("2026-11-23T19:30:00+01:30"), Some(utc));
        assert_eq!(parse_rfc3339("2026-11-23T13:00:00-0500"), Some(utc));
        assert_eq!(
            parse_rfc3339("2026-11-23T18:00:00.250Z").map(|t| t > utc),
            Some(true)
        );
        for bad in [
            "",
            "soon",
            "2026-11-23T18:00:00+25:00",
            "2026-11-23T18:00:00+ab:00",
            "+01:00",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn rfc3339_round_trip() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_500_000);
        assert_eq!(parse_rfc3339(&rfc3339(t)), Some(t));
        assert!(rfc3339(t).ends_with('Z'));
    }
}
