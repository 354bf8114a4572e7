//! The output of a `credential_process`, as the AWS CLI documents it.

use zeroize::Zeroizing;

use super::{parse_rfc3339, Credentials};

/// The JSON a `credential_process` prints (version 1, as the AWS CLI documents it).
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProcessOutput {
    version: Option<serde_json::Value>,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    session_token: Option<String>,
    expiration: Option<String>,
}

/// Reads the output of a `credential_process`; the error says what is wrong, never a value.
pub fn parse_process_output(json: &[u8]) -> Result<Credentials, String> {
    let out: ProcessOutput = serde_json::from_slice(json).map_err(|e| {
        format!(
            "its output is not the JSON the AWS CLI expects (line {}, column {})",
            e.line(),
            e.column()
        )
    })?;
    if out.version != Some(serde_json::Value::from(1)) {
        return Err("its output must have \"Version\": 1".into());
    }
    let access_key_id = out
        .access_key_id
        .filter(|k| !k.is_empty())
        .ok_or("its output has no AccessKeyId")?;
    let secret_access_key = out
        .secret_access_key
        .filter(|k| !k.is_empty())
        .ok_or("its output has no SecretAccessKey")?;
    let expiration = match out.expiration.as_deref() {
        None | Some("") => None,
        Some(text) => Some(parse_rfc3339(text).ok_or_else(|| {
            format!(
                "its Expiration {:?} is not an ISO 8601 time",
                crate::domain::text::display_safe(text)
            )
        })?),
    };
    Ok(Credentials {
        access_key_id,
        secret_access_key: Zeroizing::new(secret_access_key),
        session_token: out
            .session_token
            .filter(|t| !t.is_empty())
            .map(Zeroizing::new),
        expiration,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_process_output() {
        let ok = br#"{"Version": 1, "AccessKeyId": "ASIAX", "SecretAccessKey": "s3cr3t",
            "SessionToken": "tok", "Expiration": "2026-11-23T18:00:00+00:00"}"#;
        let c = parse_process_output(ok).unwrap();
        assert_eq!(c.access_key_id, "ASIAX");
        assert!(c.expiration.is_some());
        let long_term = br#"{"Version": 1, "AccessKeyId": "AKIAX", "SecretAccessKey": "s"}"#;
        assert_eq!(parse_process_output(long_term).unwrap().expiration, None);
        for (bad, says) in [
            (
                &br#"{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "s"}"#[..],
                "Version",
            ),
            (
                br#"{"Version": 1, "SecretAccessKey": "s3cr3t"}"#,
                "AccessKeyId",
            ),
            (
                br#"{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": ""}"#,
                "SecretAccessKey",
            ),
            (
                br#"{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s", "Expiration": "x"}"#,
                "Expiration",
            ),
            (b"not json s3cr3t", "line 1"),
        ] {
            let e = parse_process_output(bad).err().unwrap();
            assert!(e.contains(says) && !e.contains("s3cr3t"), "{e}");
        }
    }
}
