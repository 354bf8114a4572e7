//! The credentials file around `keys import` and `keys export`, in plain Rust: one section's key
//! lines swapped for the lines that send the AWS CLI and the SDKs to this tool, and back. Every
//! other byte of the file stays as it was.

/// The lines a section gets in place of its keys.
pub fn store_lines(program: &str, profile: &str, backend: &str) -> Vec<String> {
    vec![
        format!("credential_process = {program} credential-process {profile}"),
        format!("xrole_keystore = {backend}"),
    ]
}

/// Where `[profile]`'s section of the credentials file is: from its header line to the next
/// header (byte offsets).
fn section(text: &str, profile: &str) -> Option<(usize, usize)> {
    let mut at = 0;
    let mut start = None;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        let header = t.starts_with('[') && t.ends_with(']');
        if let Some(s) = start {
            if header {
                return Some((s, at));
            }
        } else if header && t[1..t.len() - 1].trim() == profile {
            start = Some(at);
        }
        at += line.len();
    }
    start.map(|s| (s, text.len()))
}

fn key_of(line: &str) -> Option<String> {
    let t = line.trim_start();
    if t.starts_with(['#', ';']) || line.starts_with([' ', '\t']) {
        return None;
    }
    t.split_once('=')
        .map(|(k, _)| k.trim().to_ascii_lowercase())
}

/// `text` with `[profile]`'s `drop` keys removed and `add` put right after its header.
fn swap(text: &str, profile: &str, drop: &[&str], add: &[String]) -> Result<String, String> {
    let (start, end) = section(text, profile)
        .ok_or_else(|| format!("the credentials file has no [{profile}] section"))?;
    let body = &text[start..end];
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..start]);
    let mut lines = body.split_inclusive('\n');
    let header = lines.next().unwrap_or_default();
    out.push_str(header);
    if !header.ends_with('\n') {
        out.push_str(newline);
    }
    for a in add {
        out.push_str(a);
        out.push_str(newline);
    }
    let mut dropping = false;
    for line in lines {
        match key_of(line) {
            Some(k) => dropping = drop.contains(&k.as_str()),
            // A continuation line belongs to the key before it.
            None if dropping && line.starts_with([' ', '\t']) && !line.trim().is_empty() => {}
            None => dropping = false,
        }
        if !dropping {
            out.push_str(line);
        }
    }
    out.push_str(&text[end..]);
    Ok(out)
}

/// The credentials file after `keys import`: `[profile]` without its keys, with [`store_lines`].
pub fn without_keys(text: &str, profile: &str, lines: &[String]) -> Result<String, String> {
    swap(
        text,
        profile,
        &[
            "aws_access_key_id",
            "aws_secret_access_key",
            "credential_process",
            "xrole_keystore",
        ],
        lines,
    )
}

/// The credentials file after `keys export`: `[profile]` with its keys again, and without the
/// lines that sent tools to this tool.
pub fn with_keys(text: &str, profile: &str, id: &str, secret: &str) -> Result<String, String> {
    let lines = [
        format!("aws_access_key_id = {id}"),
        format!("aws_secret_access_key = {secret}"),
    ];
    swap(
        text,
        profile,
        &[
            "credential_process",
            "xrole_keystore",
            "aws_access_key_id",
            "aws_secret_access_key",
        ],
        &lines,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# mine\n[default]\naws_access_key_id = AKIADEF\naws_secret_access_key = def\n\n[hub]\nregion = eu-west-1\naws_access_key_id = AKIAHUB\naws_secret_access_key = hub-secret\n  continued\nmfa_serial = arn:aws:iam::1:mfa/a\n\n[other]\nx = 1\n";

    #[test]
    fn import_swaps_only_the_keys_of_one_section() {
        let lines = store_lines("xrole-tui", "hub", "file");
        let out = without_keys(FILE, "hub", &lines).unwrap();
        assert_eq!(
            out,
            "# mine\n[default]\naws_access_key_id = AKIADEF\naws_secret_access_key = def\n\n[hub]\ncredential_process = xrole-tui credential-process hub\nxrole_keystore = file\nregion = eu-west-1\nmfa_serial = arn:aws:iam::1:mfa/a\n\n[other]\nx = 1\n"
        );
        assert!(!out.contains("hub-secret") && !out.contains("continued"));
        // And back: the keys return, the store's lines go.
        let back = with_keys(&out, "hub", "AKIAHUB", "hub-secret").unwrap();
        assert!(back.contains("[hub]\naws_access_key_id = AKIAHUB\naws_secret_access_key = hub-secret\nregion = eu-west-1\n"), "{back}");
        assert!(!back.contains("credential_process") && !back.contains("xrole_keystore"));
        assert!(back.starts_with("# mine\n[default]\naws_access_key_id = AKIADEF\n"));
    }

    #[test]
    fn a_missing_section_is_said_and_the_last_section_works() {
        assert!(without_keys(FILE, "nosuch", &[])
            .unwrap_err()
            .contains("[nosuch]"));
        let out = without_keys(
            "[solo]\naws_access_key_id = A\naws_secret_access_key = s",
            "solo",
            &store_lines("x", "solo", "file"),
        )
        .unwrap();
        assert_eq!(
            out,
            "[solo]\ncredential_process = x credential-process solo\nxrole_keystore = file\n"
        );
    }
}
