//! Revoking a role's or a user's sessions as the console's "Revoke active sessions" does: an
//! inline policy denying everything to credentials issued before a time.

use std::time::SystemTime;

use super::session::rfc3339;

/// The policy's name, the console's own.
pub const POLICY_NAME: &str = "AWSRevokeOlderSessions";

/// The policy denying every action to sessions issued before `issued_before`.
pub fn policy(issued_before: SystemTime) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Deny",
            "Action": ["*"],
            "Resource": ["*"],
            "Condition": { "DateLessThan": { "aws:TokenIssueTime": rfc3339(issued_before) } }
        }]
    })
    .to_string()
}

/// What a revocation of `target` ends, in words ("role ARN in account N", "the IAM user of
/// profile P"), or why it has nothing to revoke: the one rule of both `revoke` and the TUI's `R`.
pub fn describe(target: &super::Target) -> Result<String, String> {
    let name = super::text::display_safe(&target.name);
    match target.plan.final_role() {
        Some(r) => Ok(format!("role {} in account {}", r.as_str(), r.account())),
        None if matches!(
            target.plan.source,
            super::Source::StaticKeys {
                temporary: false,
                ..
            }
        ) =>
        {
            Ok(format!("the IAM user of profile {name:?}"))
        }
        None => Err(format!(
            "profile {name:?} has neither a role nor a user's keys, so it has no sessions to revoke"
        )),
    }
}

/// The IAM name of a user or role ARN (`arn:aws:iam::123:user/path/name` → `name`).
pub fn name_of(arn: &str) -> Option<&str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let (kind, rest) = resource.split_once('/')?;
    matches!(kind, "user" | "role")
        .then(|| rest.rsplit('/').next())
        .flatten()
        .filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn the_policy_and_names() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let p: serde_json::Value = serde_json::from_str(&policy(t)).unwrap();
        assert_eq!(p["Statement"][0]["Effect"], "Deny");
        assert_eq!(
            p["Statement"][0]["Condition"]["DateLessThan"]["aws:TokenIssueTime"],
            "2027-01-15T08:00:00Z"
        );
        assert_eq!(
            name_of("arn:aws:iam::111111111111:user/alice"),
            Some("alice")
        );
        assert_eq!(
            name_of("arn:aws:iam::111111111111:user/staff/bob"),
            Some("bob")
        );
        assert_eq!(
            name_of("arn:aws:iam::222222222222:role/team/ops"),
            Some("ops")
        );
        assert_eq!(
            name_of("arn:aws:sts::222222222222:assumed-role/ops/s"),
            None
        );
        assert_eq!(name_of("nonsense"), None);
    }
}
