//! Paths typed by the user (the S3 browser's download prompt): `~` and `$VAR` / `${VAR}`
//! expanded as a shell would, Tab completion, and the XDG download directory.

use std::path::PathBuf;

/// Expands a leading `~` (or `~/…`) with `home`, and every `$NAME` / `${NAME}` with `var`.
/// A variable that is not set, or `~` without a home, is an error naming it; `~user` is not
/// expanded (it is taken as written, as most shells would fail on it too).
pub fn expand(
    text: &str,
    home: Option<&str>,
    var: impl Fn(&str) -> Option<String>,
) -> Result<PathBuf, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("type a directory".into());
    }
    let mut out = String::with_capacity(text.len());
    let rest = match text.strip_prefix('~') {
        Some(after) if after.is_empty() || after.starts_with('/') => {
            out.push_str(home.ok_or("~ cannot be expanded: HOME is not set")?);
            after
        }
        _ => text,
    };
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        let (name, braced) = match chars.peek() {
            Some((_, '{')) => {
                let close = rest[i..]
                    .find('}')
                    .ok_or_else(|| format!("{} has a ${{ without its }}", text))?;
                (&rest[i + 2..i + close], true)
            }
            _ => {
                let len = rest[i + 1..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len() - i - 1);
                (&rest[i + 1..i + 1 + len], false)
            }
        };
        if name.is_empty() {
            out.push('$');
            continue;
        }
        let value = var(name).ok_or_else(|| format!("${name} is not set"))?;
        out.push_str(&value);
        let skip = name.len() + usize::from(braced) * 2;
        for _ in 0..skip {
            chars.next();
        }
    }
    Ok(PathBuf::from(out))
}

/// Where completion looks and what it completes: `typed` split at its last `/` into the
/// directory part (kept as typed) and the start of a name.
pub fn completion_parts(typed: &str) -> (&str, &str) {
    match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    }
}

/// Completes `typed` with `names` (the directories in its directory part): the longest
/// common start of those that begin with the typed name, and a `/` when only one does.
/// `None` when nothing matches or nothing would be added.
pub fn complete(typed: &str, names: &[String]) -> Option<String> {
    let (dir, start) = completion_parts(typed);
    let matching: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with(start) && (start.starts_with('.') || !n.starts_with('.')))
        .collect();
    let first = matching.first()?;
    let mut common = first.len();
    for other in &matching[1..] {
        common = common.min(
            first
                .char_indices()
                .zip(other.chars())
                .take_while(|((_, a), b)| a == b)
                .last()
                .map_or(0, |((i, a), _)| i + a.len_utf8()),
        );
    }
    let mut done = format!("{dir}{}", &first[..common]);
    if matching.len() == 1 {
        done.push('/');
    }
    (done != typed).then_some(done)
}

/// The XDG download directory: `XDG_DOWNLOAD_DIR`, else its line in `user-dirs.dirs`
/// (`XDG_DOWNLOAD_DIR="$HOME/Downloads"`), expanded; `None` when neither says.
pub fn xdg_download_dir(
    env_value: Option<String>,
    user_dirs: Option<&str>,
    home: Option<&str>,
) -> Option<PathBuf> {
    let value = env_value.filter(|v| !v.is_empty()).or_else(|| {
        user_dirs?.lines().find_map(|l| {
            let v = l.trim().strip_prefix("XDG_DOWNLOAD_DIR=")?;
            Some(v.trim().trim_matches('"').to_owned())
        })
    })?;
    let home_var = |name: &str| (name == "HOME").then(|| home.map(str::to_owned)).flatten();
    expand(&value, home, home_var).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOME" => Some("/home/ann".into()),
            "DATA" => Some("/srv/data".into()),
            _ => None,
        }
    }

    #[test]
    fn tilde_and_variables_expand_as_a_shell_would() {
        let x = |t: &str| expand(t, Some("/home/ann"), env);
        assert_eq!(x("~"), Ok(PathBuf::from("/home/ann")));
        assert_eq!(x("~/Downloads"), Ok(PathBuf::from("/home/ann/Downloads")));
        assert_eq!(x(" $DATA/in "), Ok(PathBuf::from("/srv/data/in")));
        assert_eq!(x("${DATA}x/y"), Ok(PathBuf::from("/srv/datax/y")));
        assert_eq!(x("$HOME/$DATA"), Ok(PathBuf::from("/home/ann//srv/data")));
        assert_eq!(x("./plain dir"), Ok(PathBuf::from("./plain dir")));
        assert_eq!(x("cost$"), Ok(PathBuf::from("cost$")));
        assert_eq!(x("~bob/x"), Ok(PathBuf::from("~bob/x")));
        assert_eq!(x("a~/b"), Ok(PathBuf::from("a~/b")));
        assert!(x("$NOPE/x").unwrap_err().contains("$NOPE is not set"));
        assert!(x("${DATA").unwrap_err().contains("without its }"));
        assert!(x("  ").is_err());
        assert!(expand("~/x", None, env).unwrap_err().contains("HOME"));
        assert_eq!(x("/tmp/é$DATA"), Ok(PathBuf::from("/tmp/é/srv/data")));
    }

    #[test]
    fn tab_completes_the_common_start_and_a_slash_when_one_is_left() {
        let names: Vec<String> = ["Downloads", "Documents", "Desktop", ".hidden"]
            .map(String::from)
            .to_vec();
        assert_eq!(complete("~/Dow", &names), Some("~/Downloads/".into()));
        assert_eq!(complete("~/Do", &names), None);
        assert_eq!(complete("~/D", &names), None);
        assert_eq!(complete("~/De", &names), Some("~/Desktop/".into()));
        assert_eq!(complete("~/.h", &names), Some("~/.hidden/".into()));
        assert_eq!(complete("~/x", &names), None);
        assert_eq!(complete("Dow", &names), Some("Downloads/".into()));
        let unicode: Vec<String> = ["été1", "été2"].map(String::from).to_vec();
        assert_eq!(complete("é", &unicode), Some("été".into()));
    }

    #[test]
    fn the_download_directory_of_xdg() {
        let dirs = "# written by xdg-user-dirs-update\nXDG_DESKTOP_DIR=\"$HOME/Desktop\"\nXDG_DOWNLOAD_DIR=\"$HOME/Téléchargements\"\n";
        assert_eq!(
            xdg_download_dir(None, Some(dirs), Some("/home/ann")),
            Some(PathBuf::from("/home/ann/Téléchargements"))
        );
        assert_eq!(
            xdg_download_dir(Some("/data/dl".into()), Some(dirs), Some("/home/ann")),
            Some(PathBuf::from("/data/dl"))
        );
        assert_eq!(
            xdg_download_dir(None, Some("x=1\n"), Some("/home/ann")),
            None
        );
        assert_eq!(xdg_download_dir(None, None, None), None);
    }
}
