//! `sso populate` in plain Rust: one profile per account and role that the IAM Identity Center
//! portal offers, written only inside a block of the config file marked with the session's
//! name, so that several Identity Center instances each keep their own block and nothing
//! outside them ever changes.
//!
//! The block is made again from the assignments each time, in a stable order, so writing twice
//! changes nothing. Names follow a template, are reduced to characters every tool reads the same
//! way, and never take a name that a profile outside the block (or another block) already has.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

/// The default name template.
pub const DEFAULT_TEMPLATE: &str = "{account_name}-{role}";

const PLACEHOLDERS: [&str; 4] = ["{account_name}", "{account_id}", "{role}", "{session}"];

/// One account and role the portal offers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Offered {
    /// The account's 12 digits.
    pub account_id: String,
    /// Its name in the portal.
    pub account_name: String,
    /// The role (permission set).
    pub role: String,
}

/// One profile of a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockProfile {
    /// The profile's name.
    pub name: String,
    /// What it opens.
    pub offered: Offered,
}

/// A block made again, and how it differs from the one in the file.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Populated {
    /// The block's text, markers included (empty when it would hold nothing).
    pub text: String,
    /// Profiles that are new.
    pub added: Vec<BlockProfile>,
    /// Profiles whose assignment is gone and that `--prune` removes.
    pub removed: Vec<BlockProfile>,
    /// Profiles whose assignment is gone, kept because `--prune` was not given.
    pub stale: Vec<BlockProfile>,
    /// Profiles that stay as they were.
    pub kept: usize,
    /// What the portal offered that cannot be written (an account id that is not 12 digits, a
    /// role name with characters IAM never allows), in words.
    pub skipped: Vec<String>,
}

/// The marker lines of `session`'s block.
pub fn markers(session: &str) -> (String, String) {
    (
        format!("# >>> xrole-tui sso populate {session} >>> (made by `xrole-tui sso populate`; edits inside are replaced)"),
        format!("# <<< xrole-tui sso populate {session} <<<"),
    )
}

/// Checks a name template: only known placeholders, and at least the role or the account.
pub fn check_template(template: &str) -> Result<(), String> {
    let mut rest = template.to_owned();
    for p in PLACEHOLDERS {
        rest = rest.replace(p, "");
    }
    if rest.contains(['{', '}']) {
        return Err(format!(
            "the name template {template:?} has an unknown placeholder; use {}",
            PLACEHOLDERS.join(", ")
        ));
    }
    if !template.contains("{role}") {
        return Err(format!(
            "the name template {template:?} has no {{role}}, so two roles of one account would share a name"
        ));
    }
    Ok(())
}

/// The byte range of `session`'s block in `text`: from its first marker line to the end of
/// its last (newline included), or `None`.
pub fn find_block(text: &str, session: &str) -> Option<std::ops::Range<usize>> {
    let (open, close) = markers(session);
    let mut at = 0;
    let mut start = None;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if start.is_none() && bare == open {
            start = Some(at);
        } else if start.is_some() && bare == close {
            return start.map(|s| s..at + line.len());
        }
        at += line.len();
    }
    None
}

/// The profiles written in a block: each `[profile NAME]` with its account and role.
pub fn read_block(block: &str) -> Vec<BlockProfile> {
    let mut out: Vec<BlockProfile> = Vec::new();
    for line in block.lines() {
        let line = line.trim();
        if let Some(name) = line
            .strip_prefix("[profile ")
            .and_then(|l| l.strip_suffix(']'))
        {
            out.push(BlockProfile {
                name: name.trim().to_owned(),
                offered: Offered {
                    account_id: String::new(),
                    account_name: String::new(),
                    role: String::new(),
                },
            });
        } else if let (Some(last), Some((k, v))) = (out.last_mut(), line.split_once('=')) {
            let v = v.trim().to_owned();
            match k.trim() {
                "sso_account_id" => last.offered.account_id = v,
                "sso_role_name" => last.offered.role = v,
                "xrole_account_name" => last.offered.account_name = v,
                _ => {}
            }
        }
    }
    out
}

/// What to make.
pub struct Request<'a> {
    /// The `[sso-session]`.
    pub session: &'a str,
    /// The name template.
    pub template: &'a str,
    /// The profiles' `region`.
    pub region: &'a str,
    /// Remove profiles whose assignment is gone.
    pub prune: bool,
    /// The line ending of the file (`\n` or `\r\n`).
    pub newline: &'a str,
}

/// The block for `offered`, given the block now in the file and the names taken outside it.
pub fn populate(
    req: &Request<'_>,
    offered: &[Offered],
    current: &[BlockProfile],
    taken: &HashSet<String>,
) -> Populated {
    let mut result = Populated::default();
    let mut offered: Vec<&Offered> = offered
        .iter()
        .filter(|o| match writable(o) {
            Ok(()) => true,
            Err(why) => {
                result.skipped.push(why);
                false
            }
        })
        .collect();
    offered.sort_by(|a, b| order(a).cmp(&order(b)));
    offered.dedup_by(|a, b| a.account_id == b.account_id && a.role == b.role);
    let key = |o: &Offered| (o.account_id.clone(), o.role.clone());
    let now: BTreeMap<_, _> = current.iter().map(|p| (key(&p.offered), p)).collect();
    let mut used: HashSet<String> = taken.clone();
    let mut profiles: Vec<BlockProfile> = Vec::new();
    for o in &offered {
        let wanted = name_for(req, o);
        let name = unique(&wanted, &o.account_id, &used);
        used.insert(name.clone());
        let p = BlockProfile {
            name,
            offered: (*o).clone(),
        };
        match now.get(&key(o)) {
            Some(old) if old.name == p.name => result.kept += 1,
            _ => result.added.push(p.clone()),
        }
        profiles.push(p);
    }
    let still: HashSet<_> = offered.iter().map(|o| key(o)).collect();
    for old in current {
        if still.contains(&key(&old.offered)) {
            continue;
        }
        if req.prune || used.contains(&old.name) {
            result.removed.push(old.clone());
        } else {
            used.insert(old.name.clone());
            result.stale.push(old.clone());
            profiles.push(old.clone());
        }
    }
    // A profile whose name changed is both added (new name) and removed (old name).
    let written: HashSet<(&str, &str, &str)> = profiles
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.offered.account_id.as_str(),
                p.offered.role.as_str(),
            )
        })
        .collect();
    for old in current {
        let o = &old.offered;
        if still.contains(&key(o))
            && !written.contains(&(old.name.as_str(), o.account_id.as_str(), o.role.as_str()))
        {
            result.removed.push(old.clone());
        }
    }
    // One order whatever happened before: a kept profile stays where it was.
    profiles.sort_by(|a, b| order(&a.offered).cmp(&order(&b.offered)));
    if !profiles.is_empty() {
        result.text = write_block(req, &profiles);
    }
    result
}

/// An account id of 12 digits and a role name of the characters IAM allows: nothing else is
/// written into the user's file.
fn writable(o: &Offered) -> Result<(), String> {
    let account = o.account_id.len() == 12 && o.account_id.bytes().all(|b| b.is_ascii_digit());
    let role = !o.role.is_empty()
        && o.role
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if account && role {
        Ok(())
    } else {
        Err(format!(
            "account {:?}, role {:?}: not an account id and role name that IAM allows",
            o.account_id, o.role
        ))
    }
}

fn order(o: &Offered) -> (String, &str, &str) {
    (clean_value(&o.account_name), &o.account_id, &o.role)
}

fn write_block(req: &Request<'_>, profiles: &[BlockProfile]) -> String {
    let nl = req.newline;
    let (open, close) = markers(req.session);
    let mut text = format!("{open}{nl}");
    for p in profiles {
        let o = &p.offered;
        let _ = write!(
            text,
            "[profile {}]{nl}sso_session = {}{nl}sso_account_id = {}{nl}sso_role_name = {}{nl}region = {}{nl}",
            p.name, req.session, o.account_id, o.role, req.region
        );
        let account_name = clean_value(&o.account_name);
        if !account_name.is_empty() {
            let _ = write!(text, "xrole_account_name = {account_name}{nl}");
        }
    }
    let _ = write!(text, "{close}{nl}");
    text
}

/// The template filled in and reduced to `A-Z a-z 0-9 . _ -` (others become `-`, runs of `-`
/// become one, and no name starts or ends with one).
pub fn name_for(req: &Request<'_>, o: &Offered) -> String {
    let filled = req
        .template
        .replace("{account_name}", &o.account_name)
        .replace("{account_id}", &o.account_id)
        .replace("{role}", &o.role)
        .replace("{session}", req.session);
    let mut out = String::with_capacity(filled.len());
    for c in filled.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            c
        } else {
            '-'
        };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        format!("{}-{}", o.account_id, req.session)
    } else {
        trimmed.to_owned()
    }
}

/// `wanted`, else with the account id, else with a number, whichever is free first.
fn unique(wanted: &str, account: &str, used: &HashSet<String>) -> String {
    if !used.contains(wanted) {
        return wanted.to_owned();
    }
    let with_account = format!("{wanted}-{account}");
    if !used.contains(&with_account) {
        return with_account;
    }
    (2..)
        .map(|n| format!("{with_account}-{n}"))
        .find(|n| !used.contains(n))
        .unwrap_or_default()
}

/// A value on one line with no comment characters that a reader would cut at.
fn clean_value(v: &str) -> String {
    v.chars()
        .map(|c| {
            if c.is_control() || c == '#' || c == ';' {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// `text` with `session`'s block replaced by `block` (or `block` appended, after a newline
/// when the file does not end with one). Every byte outside the block is kept.
pub fn splice(text: &str, session: &str, block: &str, newline: &str) -> String {
    match find_block(text, session) {
        Some(range) => format!("{}{block}{}", &text[..range.start], &text[range.end..]),
        None if block.is_empty() => text.to_owned(),
        None => {
            let sep = if text.is_empty() || text.ends_with('\n') {
                ""
            } else {
                newline
            };
            format!("{text}{sep}{block}")
        }
    }
}

#[cfg(test)]
mod tests;
