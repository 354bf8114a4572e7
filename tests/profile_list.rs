//! The profile list's grouping and its lazily made rows, checked against an order computed
//! directly from every profile's summary.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::sync::Arc;

use proptest::prelude::*;
use xrole_tui::app::ProfileList;
use xrole_tui::domain::summary::{Kind, Summary};
use xrole_tui::domain::ProfileSet;

const CONFIG: &str = "\
[profile keys]
[profile zeta-admin]
role_arn = arn:aws:iam::333333333333:role/admin
source_profile = keys
xrole_account_name = Zeta
[profile alpha-admin]
role_arn = arn:aws:iam::222222222222:role/team/admin
source_profile = keys
xrole_account_name = Alpha
xrole_env = PROD
[profile broken]
role_arn = arn:aws:iam::222222222222:role/x
source_profile = nowhere
xrole_account_name = Alpha
[profile alpha-read]
role_arn = arn:aws:iam::222222222222:role/read
source_profile = keys
xrole_account_name = Alpha
mfa_serial = arn:aws:iam::111111111111:mfa/me
[profile bare-id]
role_arn = arn:aws:iam::444444444444:role/r
source_profile = alpha-admin
[profile from-env]
region = eu-west-1
";
const CREDENTIALS: &str =
    "[keys]\naws_access_key_id = AKIAKEYS000000000001\naws_secret_access_key = canary\n";

fn list(config: &str, credentials: &str) -> ProfileList {
    ProfileList::new(Arc::new(ProfileSet::parse(
        Some(config.as_bytes()),
        Some(credentials.as_bytes()),
    )))
}

/// (group, name) of every row shown.
fn shown(l: &ProfileList) -> Vec<(String, String)> {
    (0..l.len())
        .map(|p| {
            let r = l.row_at(p).unwrap();
            assert_eq!(l.group_at(p), Some(r.group.as_str()));
            (r.group, r.name)
        })
        .collect()
}

#[test]
fn named_accounts_then_kinds_then_the_invalid() {
    let l = list(CONFIG, CREDENTIALS);
    let names: Vec<(String, String)> = shown(&l);
    assert_eq!(
        names
            .iter()
            .map(|(g, n)| format!("{g} | {n}"))
            .collect::<Vec<_>>(),
        [
            "444444444444 | bare-id",
            "Alpha · 222222222222 | alpha-admin",
            "Alpha · 222222222222 | alpha-read",
            "Zeta · 333333333333 | zeta-admin",
            "(environment) | from-env",
            "(static) | keys",
            // Invalid profiles keep their heading but come last, apart from the usable ones.
            "Alpha | broken",
        ]
    );
    let admin = l.visible().find(|r| r.name == "alpha-admin").unwrap();
    assert!(admin.prod, "any case of prod");
    assert_eq!(admin.role, "admin", "the last part of the ARN");
    assert!(!admin.mfa);
    assert!(l.visible().find(|r| r.name == "alpha-read").unwrap().mfa);
    assert!(l.visible().find(|r| r.name == "bare-id").unwrap().chained);
    let broken = l.visible().find(|r| r.name == "broken").unwrap();
    assert_eq!(broken.kind, Kind::Invalid);
    assert!(broken.invalid.unwrap().contains("nowhere"));
}

#[test]
fn the_filter_searches_name_group_and_role_and_keeps_the_selection() {
    let mut l = list(CONFIG, CREDENTIALS);
    assert!(l.select_name("alpha-read"));
    l.set_filter("alpha".into());
    assert_eq!(l.selected().unwrap().name, "alpha-read", "still selected");
    let names: Vec<String> = l.visible().map(|r| r.name).collect();
    assert_eq!(names, ["alpha-admin", "alpha-read", "broken"]);
    l.set_filter("zeta".into());
    assert_eq!(
        l.visible().map(|r| r.name).collect::<Vec<_>>(),
        ["zeta-admin"]
    );
    l.set_filter("333".into());
    assert_eq!(l.len(), 1, "the account id is searched");
    l.set_filter("Alpha read".into());
    assert_eq!(
        l.visible().map(|r| r.name).collect::<Vec<_>>(),
        ["alpha-read"]
    );
    l.set_filter(String::new());
    assert_eq!(l.len(), l.total());
    assert!(!l.select_name("no-such-profile"));
}

#[test]
fn hostile_text_is_made_safe_in_headings_and_rows() {
    let config = "[profile evil\u{1b}]2;x\u{7}]\nrole_arn = arn:aws:iam::222222222222:role/r\n\
                  source_profile = keys\nxrole_account_name = \u{202e}gnp\n";
    let l = list(config, CREDENTIALS);
    for p in 0..l.len() {
        let r = l.row_at(p).unwrap();
        for text in [&r.group, &r.name, &r.role] {
            assert!(
                !text.chars().any(|c| c.is_control() || c == '\u{202e}'),
                "{text:?}"
            );
        }
    }
}

/// The order the list must show, computed from each profile's summary alone.
fn oracle(set: &ProfileSet) -> Vec<(u8, String, usize)> {
    let mut rows: Vec<(u8, String, usize)> = (0..set.len())
        .map(|i| {
            let s = Summary::new(set, i);
            let safe = |v: &str| xrole_tui::domain::text::display_safe(v).into_owned();
            let group = match (s.account, s.facts.account_name) {
                (Some(id), Some(n)) => format!("{} · {}", safe(n), safe(id)),
                (Some(id), None) => safe(id),
                (None, Some(n)) => safe(n),
                (None, None) => format!("({})", s.kind.as_str()),
            };
            let place = if s.kind == Kind::Invalid {
                2
            } else {
                u8::from(group.starts_with('('))
            };
            (place, group, i)
        })
        .collect();
    rows.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    rows
}

fn any_profile() -> impl Strategy<Value = String> {
    (
        0..12usize,
        prop::option::of(0..4usize),
        prop::option::of(0..3usize),
        prop::option::of(0..12usize),
        any::<bool>(),
    )
        .prop_map(|(n, account, name, source, expected)| {
            let mut s = format!("[profile p{n}]\n");
            if let Some(a) = account {
                s.push_str(&format!(
                    "role_arn = arn:aws:iam::{a}{a}{a}{a}{a}{a}{a}{a}{a}{a}{a}{a}:role/r{n}\n"
                ));
            }
            if let Some(src) = source {
                s.push_str(&format!("source_profile = p{src}\n"));
            }
            if let Some(x) = name {
                s.push_str(&format!("xrole_account_name = Name{x}\n"));
            }
            if expected {
                s.push_str("xrole_expected_account = 999999999999\n");
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn grouping_matches_the_summaries(profiles in prop::collection::vec(any_profile(), 0..25)) {
        let config = format!("[profile p0]\n{}", profiles.concat());
        let set = Arc::new(ProfileSet::parse(Some(config.as_bytes()), Some(CREDENTIALS.as_bytes())));
        let l = ProfileList::new(Arc::clone(&set));
        let want = oracle(&set);
        prop_assert_eq!(l.len(), set.len());
        for (pos, (_, group, index)) in want.iter().enumerate() {
            let row = l.row_at(pos).unwrap();
            prop_assert_eq!(&row.group, group);
            prop_assert_eq!(row.index, *index);
            let s = Summary::new(&set, *index);
            prop_assert_eq!(row.kind, s.kind);
            prop_assert_eq!(row.invalid.is_some(), s.kind == Kind::Invalid);
        }
    }
}

#[test]
fn the_plan_pane_says_a_users_mfa_session_is_deliberate() {
    let set = ProfileSet::parse(
        Some(b"[profile hub]\nmfa_serial = arn:aws:iam::111111111111:mfa/me\n"),
        Some(b"[hub]\naws_access_key_id = AKIAHUB0000000000001\naws_secret_access_key = s\n"),
    );
    let lines = xrole_tui::app::detail::lines(&set, set.index_of("hub").unwrap());
    assert!(
        lines
            .iter()
            .any(|(_, t)| t.contains("deliberate: the AWS CLI ignores mfa_serial without a role")),
        "{lines:?}"
    );
}

fn names(list: &ProfileList) -> Vec<(String, String)> {
    (0..list.len())
        .map(|p| {
            (
                list.group_at(p).unwrap().to_owned(),
                list.row_at(p).unwrap().name,
            )
        })
        .collect()
}

#[test]
fn recent_profiles_come_first_and_t_switches_to_the_grouped_view() {
    let set = Arc::new(ProfileSet::parse(
        Some(CONFIG.as_bytes()),
        Some(CREDENTIALS.as_bytes()),
    ));
    let mut list = ProfileList::new(Arc::clone(&set));
    let grouped = names(&list);
    assert!(!list.toggle_order(), "nothing used yet: grouped only");
    list.set_recent(["bare-id", "gone-from-the-file", "alpha-read", "bare-id"]);
    let recent = names(&list);
    assert_eq!(
        &recent[..2],
        [
            ("recent".to_owned(), "bare-id".to_owned()),
            ("recent".to_owned(), "alpha-read".to_owned())
        ]
    );
    // Every profile once, the rest in the grouped order.
    assert_eq!(recent.len(), grouped.len());
    let rest: Vec<_> = grouped
        .iter()
        .filter(|(_, n)| n != "bare-id" && n != "alpha-read")
        .cloned()
        .collect();
    assert_eq!(&recent[2..], rest.as_slice());

    // The selection stays on its profile across the switch, and the filter still applies.
    list.select_name("alpha-read");
    assert!(list.toggle_order());
    assert!(!list.recent_first);
    assert_eq!(names(&list), grouped);
    assert_eq!(list.selected().unwrap().name, "alpha-read");
    list.set_filter("alpha".into());
    let mut matched: Vec<String> = names(&list).into_iter().map(|(_, n)| n).collect();
    assert!(list.toggle_order());
    let filtered = names(&list);
    assert_eq!(filtered[0], ("recent".to_owned(), "alpha-read".to_owned()));
    let mut same: Vec<String> = filtered.into_iter().map(|(_, n)| n).collect();
    matched.sort();
    same.sort();
    assert_eq!(matched, same, "the same rows match in either order");
    assert_eq!(list.selected().unwrap().name, "alpha-read");
}
