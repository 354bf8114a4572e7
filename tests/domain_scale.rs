//! Large, deep and hostile inputs: nothing panics, overflows or hangs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::fmt::Write as _;

use proptest::prelude::*;
use xrole_tui::domain::summary::{Kind, Summary};
use xrole_tui::domain::text::display_safe;
use xrole_tui::domain::{PlanError, ProfileSet};

#[test]
fn twenty_thousand_profiles() {
    let mut config = String::new();
    for i in 0..20_000 {
        let _ = write!(
            config,
            "[profile p{i}]\nrole_arn = arn:aws:iam::{:012}:role/r{i}\nsource_profile = base\nregion = eu-west-1\n\n",
            i % 5000
        );
    }
    let credentials = "[base]\naws_access_key_id = AKIA1\naws_secret_access_key = s\n";
    let set = ProfileSet::parse(Some(config.as_bytes()), Some(credentials.as_bytes()));
    assert_eq!(set.len(), 20_001);
    let roles = (0..set.len())
        .filter(|&i| Summary::new(&set, i).kind == Kind::Role)
        .count();
    assert_eq!(roles, 20_000);
}

#[test]
fn ten_thousand_deep_chain_is_bounded() {
    let mut config = String::new();
    for i in 0..10_000 {
        let _ = write!(
            config,
            "[profile p{i}]\nrole_arn = arn:aws:iam::111111111111:role/r{i}\nsource_profile = p{}\n",
            i + 1
        );
    }
    config.push_str("[profile p10000]\n");
    let credentials = "[p10000]\naws_access_key_id = AKIA1\naws_secret_access_key = s\n";
    let set = ProfileSet::parse(Some(config.as_bytes()), Some(credentials.as_bytes()));
    assert!(matches!(set.plan("p0"), Err(PlanError::TooDeep(_))));
    let near_root = set.plan("p9990").expect("a short chain resolves");
    assert_eq!(near_root.chain.len(), 11);
    for p in set.profiles() {
        let _ = set.plan(&p.name); // every one ends, no stack overflow
    }
}

#[test]
fn long_cycle_is_named() {
    let mut config = String::new();
    for i in 0..1000 {
        let _ = write!(
            config,
            "[profile c{i}]\nrole_arn = arn:aws:iam::111111111111:role/r\nsource_profile = c{}\n",
            (i + 1) % 1000
        );
    }
    let set = ProfileSet::parse(Some(config.as_bytes()), None);
    for p in set.profiles() {
        assert!(set.plan(&p.name).is_err());
    }
    let small = ProfileSet::parse(
        Some(b"[profile x]\nrole_arn = arn:aws:iam::111111111111:role/r\nsource_profile = y\n[profile y]\nrole_arn = arn:aws:iam::111111111111:role/r\nsource_profile = x\n"),
        None,
    );
    assert_eq!(
        small.plan("x").unwrap_err().to_string(),
        "source_profile loop: x → y → x"
    );
}

#[test]
fn hostile_names_are_kept_and_rendered_safely() {
    let names = [
        "esc\u{1b}[31mred",
        "osc\u{1b}]0;pwned\u{7}",
        "rtl\u{202e}gnp.exe",
        "emoji-🚀-dev",
        "cjk-開発",
        "zwj\u{200d}x",
        "c1\u{9b}31m",
        "nul\u{0}x",
    ];
    let config: String = names
        .iter()
        .map(|n| format!("[profile {n}]\nregion = us-east-1\n"))
        .collect();
    let set = ProfileSet::parse(Some(config.as_bytes()), None);
    assert_eq!(set.len(), names.len());
    for n in names {
        assert!(set.get(n).is_some(), "{n:?} kept as written");
        let shown = display_safe(n);
        assert!(
            !shown.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "{shown:?}"
        );
    }
    assert_eq!(display_safe("emoji-🚀-dev"), "emoji-🚀-dev");
}

fn ini_line() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\[[a-z ]{0,12}\\]?",
        "\\[profile [a-z0-9]{1,6}\\]",
        "[a-z_]{1,16} ?[=:]? ?[ -~]{0,24}",
        "(role_arn|source_profile|mfa_serial|duration_seconds|credential_source) = [ -~]{0,40}",
        "[ \t]+[a-z]{1,6} = [a-z]{0,6}",
        "[#;].{0,10}",
        ".{0,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_text_parses_without_panic(lines in prop::collection::vec(ini_line(), 0..40), crlf in any::<bool>()) {
        let sep = if crlf { "\r\n" } else { "\n" };
        let text = lines.join(sep);
        let set = ProfileSet::parse(Some(text.as_bytes()), Some(text.as_bytes()));
        for i in 0..set.len() {
            let s = Summary::new(&set, i);
            let _ = s.error();
        }
    }

    #[test]
    fn any_bytes_parse_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let set = ProfileSet::parse(Some(&bytes), None);
        for p in set.profiles() {
            let _ = set.plan(&p.name);
        }
    }
}
