//! S3 locations (`s3://bucket/prefix`) and safe local names for downloaded keys.

use std::fmt;

use super::validate;

/// A bucket and a key or key prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    /// The bucket.
    pub bucket: String,
    /// A key, or a prefix (ending in `/` for a "folder"; empty for the bucket's top).
    pub key: String,
}

impl S3Location {
    /// Parses `s3://bucket[/key]` (the `s3://` may be left out).
    pub fn parse(s: &str) -> Result<Self, String> {
        let rest = s.strip_prefix("s3://").unwrap_or(s);
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        validate::bucket_name(bucket)?;
        Ok(Self {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
        })
    }

    /// The prefix to list for "inside" this location: the key, with a `/` added unless it is
    /// empty or already ends in one.
    pub fn as_prefix(&self) -> String {
        if self.key.is_empty() || self.key.ends_with('/') {
            self.key.clone()
        } else {
            format!("{}/", self.key)
        }
    }

    /// The ARN of the bucket (for messages about `s3:ListBucket`).
    pub fn bucket_arn(&self) -> String {
        format!("arn:aws:s3:::{}", self.bucket)
    }

    /// The ARN of the object (for messages about `s3:GetObject`).
    pub fn object_arn(&self) -> String {
        format!("arn:aws:s3:::{}/{}", self.bucket, self.key)
    }
}

impl fmt::Display for S3Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

/// A file name for the last part of `key`, refusing names that would escape the destination
/// directory or hide themselves: empty, `.`, `..`, or containing control characters.
pub fn local_name(key: &str) -> Result<String, String> {
    let name = key.rsplit('/').next().unwrap_or(key);
    if name.is_empty() || name == "." || name == ".." {
        return Err(format!(
            "the key {key:?} has no usable file name; give a destination"
        ));
    }
    if name.chars().any(super::text::is_unsafe_char) {
        return Err(format!(
            "the key's file name {} holds control characters; give a destination",
            super::text::display_safe(name)
        ));
    }
    Ok(name.to_owned())
}

/// Where the object `key` goes under a folder download of `prefix`: its path below the prefix,
/// each part a usable file name. `None` for a folder marker (a key ending in `/`); an error for
/// a key that would escape the directory or hide itself (`..`, `.`, empty parts, control
/// characters).
pub fn relative_path(prefix: &str, key: &str) -> Result<Option<std::path::PathBuf>, String> {
    let rest = key.strip_prefix(prefix).unwrap_or(key);
    if rest.is_empty() || rest.ends_with('/') {
        return Ok(None);
    }
    let mut path = std::path::PathBuf::new();
    for part in rest.split('/') {
        if part.is_empty()
            || part == "."
            || part == ".."
            || part.chars().any(super::text::is_unsafe_char)
        {
            return Err(format!(
                "the key {} cannot be a file path (an empty, `.` or `..` part, or a control character)",
                super::text::display_safe(key)
            ));
        }
        path.push(part);
    }
    Ok(Some(path))
}

/// `1.2 KiB`, `15 B`, `3.4 GiB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut size = bytes as f64 / 1024.0;
    let mut unit = 0;
    while size >= 1024.0 && unit + 1 < UNITS.len() {
        size /= 1024.0;
        unit += 1;
    }
    format!("{size:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_prefix() {
        let l = S3Location::parse("s3://company-shared/reports").unwrap();
        assert_eq!(
            (l.bucket.as_str(), l.key.as_str()),
            ("company-shared", "reports")
        );
        assert_eq!(l.as_prefix(), "reports/");
        assert_eq!(S3Location::parse("company-shared").unwrap().as_prefix(), "");
        assert!(S3Location::parse("s3://Bad_Bucket/x").is_err());
        assert_eq!(l.bucket_arn(), "arn:aws:s3:::company-shared");
    }

    #[test]
    fn local_names_are_safe() {
        assert_eq!(local_name("a/b/report.csv").unwrap(), "report.csv");
        for bad in ["a/", "a/..", "..", "x/\u{1b}[2J", ""] {
            assert!(local_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(human_size(15), "15 B");
        assert_eq!(human_size(1536), "1.5 KiB");
    }

    #[test]
    fn folder_downloads_map_keys_to_paths_inside_the_directory() {
        use std::path::PathBuf;
        assert_eq!(
            relative_path("reports/", "reports/2026/q1.csv"),
            Ok(Some(PathBuf::from("2026/q1.csv")))
        );
        assert_eq!(relative_path("reports/", "reports/2026/"), Ok(None));
        for bad in [
            "reports/../etc/passwd",
            "reports/a//b",
            "reports/./x",
            "reports/\u{1b}[2J",
        ] {
            assert!(relative_path("reports/", bad).is_err(), "{bad}");
        }
    }
}
