//! Local checks of values before anything is sent to AWS, with the limits STS documents.

use std::fmt;

/// AssumeRole accepts 900..=43200 seconds.
pub const ASSUME_ROLE_DURATION: (u32, u32) = (900, 43_200);
/// GetSessionToken accepts 900..=129600 seconds.
pub const SESSION_TOKEN_DURATION: (u32, u32) = (900, 129_600);
/// AWS caps a role assumed with temporary credentials (role chaining) at one hour.
pub const CHAINED_ROLE_MAX: u32 = 3600;

/// An IAM role ARN, `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoleArn {
    arn: String,
    account_start: usize,
}

impl RoleArn {
    /// Parses and checks a role ARN; the error says what is wrong with it.
    pub fn parse(s: &str) -> Result<Self, String> {
        Ok(Self {
            arn: s.to_owned(),
            account_start: Self::check(s)?,
        })
    }

    /// A role ARN that [`RoleArn::check`] accepted, with the account offset it returned.
    pub(crate) fn checked(arn: &str, account_start: usize) -> Self {
        debug_assert_eq!(Self::check(arn), Ok(account_start));
        Self {
            arn: arn.to_owned(),
            account_start,
        }
    }

    /// Checks a role ARN without keeping it; returns the account's byte offset.
    pub fn check(s: &str) -> Result<usize, String> {
        let (account_start, resource) = iam_arn_parts(s).map_err(|e| format!("role_arn {e}"))?;
        let Some(name) = resource.strip_prefix("role/") else {
            return Err(format!(
                "role_arn {s:?} is not a role ARN (expected arn:aws:iam::ACCOUNT:role/NAME)"
            ));
        };
        if name.is_empty() || name.ends_with('/') {
            return Err(format!("role_arn {s:?} has no role name after 'role/'"));
        }
        if !(20..=2048).contains(&s.len()) {
            return Err(format!("role_arn {s:?} must be 20 to 2048 characters long"));
        }
        Ok(account_start)
    }

    /// The 12-digit account id.
    pub fn account(&self) -> &str {
        &self.arn[self.account_start..self.account_start + 12]
    }

    /// The role name (the last path segment).
    pub fn name(&self) -> &str {
        self.arn.rsplit('/').next().unwrap_or_default()
    }

    /// The ARN as written.
    pub fn as_str(&self) -> &str {
        &self.arn
    }
}

impl fmt::Display for RoleArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.arn)
    }
}

/// Splits `arn:p:iam::ACCOUNT:resource`, returning the account's byte offset and the resource.
fn iam_arn_parts(s: &str) -> Result<(usize, &str), String> {
    let shape = "expected arn:aws:iam::ACCOUNT:...";
    // The byte offsets of the first five ':' (an ARN has six fields; the last may hold ':').
    let mut colons = [0usize; 5];
    let mut found = 0;
    for (i, b) in s.bytes().enumerate() {
        if b == b':' {
            colons[found] = i;
            found += 1;
            if found == colons.len() {
                break;
            }
        }
    }
    if found < colons.len() {
        return Err(format!("{s:?} is not an ARN ({shape})"));
    }
    let field = |n: usize| &s[colons[n - 1] + 1..colons[n]];
    let (arn, partition) = (&s[..colons[0]], field(1));
    if arn != "arn" || partition.is_empty() {
        return Err(format!("{s:?} is not an ARN ({shape})"));
    }
    if field(2) != "iam" || !field(3).is_empty() {
        return Err(format!("{s:?} is not an IAM ARN ({shape})"));
    }
    let account = field(4);
    if !is_account_id(account) {
        return Err(format!(
            "{s:?} has account {account:?}, which is not 12 digits"
        ));
    }
    Ok((colons[3] + 1, &s[colons[4] + 1..]))
}

/// True for exactly 12 ASCII digits.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn check_pattern(what: &str, s: &str, min: usize, max: usize, extra: &str) -> Result<(), String> {
    // The allowed ASCII bytes as two 64-bit sets: a byte is checked with one shift.
    const DIGITS: u64 = 0x03ff_0000_0000_0000; // '0'..='9' (48..58)
    const LETTERS: u64 = 0x07ff_fffe_07ff_fffe; // 'A'..='Z' and 'a'..='z', less 64
    let mut mask = [DIGITS, LETTERS];
    for b in extra.bytes().filter(u8::is_ascii) {
        mask[usize::from(b >> 6)] |= 1 << (b & 63);
    }
    let allowed = |b: u8| b < 0x80 && mask[usize::from(b >> 6) & 1] >> (b & 63) & 1 != 0;
    // Every allowed character is ASCII, so on success the byte length is the character count.
    let bad = s.bytes().position(|b| !allowed(b));
    let len = if bad.is_none() {
        s.len()
    } else {
        s.chars().count()
    };
    if len < min || len > max {
        return Err(format!(
            "{what} {s:?} must be {min} to {max} characters long (it has {len})"
        ));
    }
    if let Some(at) = bad {
        let bad = s[at..].chars().next().unwrap_or_default();
        return Err(format!(
            "{what} {s:?} contains {bad:?}; allowed are letters, digits and {}",
            extra
                .chars()
                .map(|c| format!("'{c}'"))
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    Ok(())
}

/// `aws_access_key_id`: it goes into a request header, so printable ASCII without spaces. IAM
/// issues 20 letters and digits, but emulators and S3-compatible stores accept others
/// (LocalStack's `test`), so only what cannot be sent is refused.
pub fn access_key_id(s: &str) -> Result<(), String> {
    match s.chars().find(|c| !c.is_ascii_graphic()) {
        None if !s.is_empty() && s.len() <= 1024 => Ok(()),
        None => Err(format!(
            "aws_access_key_id must be 1 to 1024 characters (it has {})",
            s.len()
        )),
        Some(c) => Err(format!(
            "aws_access_key_id {:?} contains {c:?}; it must be printable ASCII without spaces",
            super::text::display_safe(s)
        )),
    }
}

/// A secret key or session token goes into request headers and signatures: printable ASCII
/// without spaces. The value itself is never quoted.
pub fn secret_text(what: &str, s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err(format!("{what} is empty"));
    }
    match s.chars().position(|c| !c.is_ascii_graphic()) {
        None => Ok(()),
        Some(at) => Err(format!(
            "{what} has a character that is not printable ASCII at position {} (a key pasted with a stray character?)",
            at + 1
        )),
    }
}

/// A region name goes into host names: a DNS label of letters, digits and hyphens, 1 to 63
/// characters, starting and ending with a letter or digit (the rule botocore enforces).
pub fn region(what: &str, s: &str) -> Result<(), String> {
    check_pattern(what, s, 1, 63, "-")?;
    if s.starts_with('-') || s.ends_with('-') {
        return Err(format!(
            "{what} {s:?} must start and end with a letter or digit"
        ));
    }
    Ok(())
}

/// `RoleSessionName`: 2 to 64 of `[A-Za-z0-9_+=,.@-]`.
pub fn session_name(s: &str) -> Result<(), String> {
    check_pattern("role_session_name", s, 2, 64, "_+=,.@-")
}

/// `ExternalId`: 2 to 1224 of `[A-Za-z0-9_+=,.@:/-]`.
pub fn external_id(s: &str) -> Result<(), String> {
    check_pattern("external_id", s, 2, 1224, "_+=,.@:/-")
}

/// `SerialNumber`: a device ARN `arn:aws:iam::ACCOUNT:mfa/NAME` or a hardware serial.
pub fn mfa_serial(s: &str) -> Result<(), String> {
    check_pattern("mfa_serial", s, 9, 256, "_+=/:,.@-")?;
    if s.starts_with("arn:") {
        let (_, resource) = iam_arn_parts(s).map_err(|e| format!("mfa_serial {e}"))?;
        if resource.starts_with("user/") {
            return Err(format!(
                "mfa_serial {s:?} is a user ARN; an MFA device is arn:aws:iam::ACCOUNT:mfa/NAME"
            ));
        }
        if !resource.starts_with("mfa/") || resource.len() <= 4 {
            return Err(format!(
                "mfa_serial {s:?} is not an MFA device ARN (expected arn:aws:iam::ACCOUNT:mfa/NAME)"
            ));
        }
    }
    Ok(())
}

/// A duration in seconds within `range`; the message quotes the value and the limits.
pub fn duration(s: &str, range: (u32, u32), call: &str) -> Result<u32, String> {
    let secs: u32 = s
        .parse()
        .map_err(|_| format!("duration_seconds {s:?} is not a whole number of seconds"))?;
    if secs < range.0 || secs > range.1 {
        return Err(format!(
            "duration_seconds {secs} is outside what {call} accepts ({} to {} seconds)",
            range.0, range.1
        ));
    }
    Ok(secs)
}

/// An MFA code: exactly six ASCII digits.
pub fn mfa_code(s: &str) -> Result<(), String> {
    if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err("an MFA code is exactly 6 digits".into())
    }
}

/// An S3 bucket name per the general-purpose bucket rules (3-63 of `[a-z0-9.-]`, starting and
/// ending with a letter or digit).
pub fn bucket_name(s: &str) -> Result<(), String> {
    let ok_chars = s
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
    let ends_ok = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if (3..=63).contains(&s.len())
        && ok_chars
        && ends_ok(s.bytes().next())
        && ends_ok(s.bytes().last())
    {
        Ok(())
    } else {
        Err(format!(
            "{s:?} is not a valid bucket name (3-63 lower-case letters, digits, '.' or '-')"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pattern_allows_exactly_letters_digits_and_the_extras() {
        for b in 0u8..=255 {
            let c = char::from(b);
            let s = format!("ab{c}cd");
            let want = c.is_ascii_alphanumeric() || "_+=/:,.@-".contains(c);
            let got = check_pattern("x", &s, 1, 10, "_+=/:,.@-").is_ok();
            assert_eq!(got, want, "{b:#x}");
        }
    }

    #[test]
    fn role_arns() {
        let arn = RoleArn::parse("arn:aws:iam::111122223333:role/path/admin").unwrap();
        assert_eq!(arn.account(), "111122223333");
        assert_eq!(arn.name(), "admin");
        assert!(RoleArn::parse("arn:aws-cn:iam::111122223333:role/x").is_ok());
        for bad in [
            "",
            "admin",
            "arn:aws:iam::1111:role/x",
            "arn:aws:iam::111122223333:user/x",
            "arn:aws:s3:::bucket/role/x",
            "arn:aws:iam::111122223333:role/",
        ] {
            assert!(RoleArn::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_and_ids() {
        assert!(session_name("ab").is_ok());
        assert!(session_name("a").is_err());
        assert!(session_name(&"a".repeat(65)).is_err());
        assert!(session_name("bad name!").is_err());
        assert!(session_name("héllo").is_err());
        assert!(external_id("with space").is_err());
        assert!(external_id(&"x".repeat(1225)).is_err());
        assert!(external_id("ok:id/1").is_ok());
    }

    #[test]
    fn mfa_serials() {
        assert!(mfa_serial("arn:aws:iam::111122223333:mfa/alice").is_ok());
        assert!(mfa_serial("GAHT12345678").is_ok());
        let e = mfa_serial("arn:aws:iam::111122223333:user/alice").unwrap_err();
        assert!(e.contains("user ARN"), "{e}");
        assert!(mfa_serial("has space in it").is_err());
        assert!(mfa_serial("12345678").is_err());
    }

    #[test]
    fn durations_and_codes() {
        for bad in ["abc", "0", "899", "43201", "-1", "1e3", ""] {
            assert!(
                duration(bad, ASSUME_ROLE_DURATION, "AssumeRole").is_err(),
                "{bad}"
            );
        }
        assert_eq!(
            duration("3600", ASSUME_ROLE_DURATION, "AssumeRole"),
            Ok(3600)
        );
        for bad in ["12345", "1234567", "12a456", "123 456", "", "١٢٣٤٥٦"] {
            assert!(mfa_code(bad).is_err(), "{bad}");
        }
        assert!(mfa_code("012345").is_ok());
    }

    #[test]
    fn buckets() {
        assert!(bucket_name("my-bucket.1").is_ok());
        for bad in ["ab", "My-Bucket", "-x-", "a_b_c"] {
            assert!(bucket_name(bad).is_err(), "{bad}");
        }
    }
}
