//! The reader's cases: sections, lines, blanks as Python sees them, bad lines.

use super::*;

fn values<'a>(s: &'a Section<'_>) -> Vec<(&'a str, &'a str, usize)> {
    s.entries
        .iter()
        .map(|e| (&*e.key, &*e.value, e.line))
        .collect()
}

macro_rules! parsed {
    ($name:ident = $bytes:expr) => {
        let (text, bad) = decode($bytes);
        let $name = parse(&text, &bad);
    };
}

#[test]
fn sections_keys_and_lines() {
    parsed!(f = b"# top\n[default]\nregion = eu-west-1\n\n[profile a]\nRole_Arn=x\n");
    assert!(f.problems.is_empty());
    assert_eq!(f.sections.len(), 2);
    assert_eq!(f.sections[0].header, "default");
    assert_eq!(f.sections[0].line, 2);
    assert_eq!(values(&f.sections[0]), vec![("region", "eu-west-1", 3)]);
    assert_eq!(values(&f.sections[1]), vec![("role_arn", "x", 6)]);
}

#[test]
fn values_are_literal() {
    parsed!(f = b"[a]\ncredential_process = C:\\tools\\new.exe \"q\" # not a comment\n");
    assert_eq!(
        f.sections[0].get("credential_process").map(|e| &*e.value),
        Some("C:\\tools\\new.exe \"q\" # not a comment")
    );
}

#[test]
fn bom_and_crlf() {
    parsed!(f = b"\xEF\xBB\xBF[default]\r\nregion = us-east-1\r\n");
    assert_eq!(f.sections[0].header, "default");
    assert_eq!(values(&f.sections[0]), vec![("region", "us-east-1", 2)]);
}

#[test]
fn duplicate_key_names_both_lines() {
    parsed!(f = b"[a]\nregion = x\n\nREGION = y\n");
    let p = &f.sections[0].problems;
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].line, 4);
    assert!(p[0].message.contains("line 2"), "{}", p[0].message);
    assert_eq!(f.sections[0].get("region").map(|e| &*e.value), Some("y"));
}

#[test]
fn bad_line_costs_only_itself() {
    parsed!(f = b"[a]\nregion = x\nthis line has no equals\noutput = json\n[b]\nregion = y\n");
    assert_eq!(
        f.sections[0].problems.len(),
        1,
        "{:?}",
        f.sections[0].problems
    );
    assert_eq!(f.sections[0].problems[0].line, 3);
    assert_eq!(f.sections[0].get("output").map(|e| e.line), Some(4));
    assert_eq!(f.sections[1].get("region").map(|e| &*e.value), Some("y"));
}

#[test]
fn unterminated_header_and_invalid_utf8() {
    parsed!(f = b"[profile a\nregion = x\n[b]\nregion = \xff\xfe\n");
    assert_eq!(f.sections[0].header, "profile a");
    assert_eq!(f.sections[0].problems[0].line, 1);
    assert_eq!(f.sections[1].problems[0].line, 4);
    assert!(f.sections[1].problems[0].message.contains("UTF-8"));
}

#[test]
fn nested_values_do_not_leak_into_the_profile() {
    parsed!(f = b"[a]\ns3 =\n  region = nested\nsts =\n  region = other\nregion = top\n");
    assert!(
        f.sections[0].problems.is_empty(),
        "{:?}",
        f.sections[0].problems
    );
    assert_eq!(
        f.sections[0].get("region").map(|e| (&*e.value, e.line)),
        Some(("top", 6))
    );
}

#[test]
fn python_blanks_are_trimmed_as_python_trims_them() {
    for blank in [
        " ", "\t", "\u{b}", "\u{c}", "\u{1c}", "\u{1f}", "\u{a0}", "\u{3000}",
    ] {
        let line = format!("{blank}key{blank}={blank}value{blank}");
        assert_eq!(
            py_trim(&line),
            format!("key{blank}={blank}value"),
            "{blank:?}"
        );
        assert_eq!(
            py_trim_end(&line),
            format!("{blank}key{blank}={blank}value")
        );
        assert_eq!(
            py_trim_start(&line),
            format!("key{blank}={blank}value{blank}")
        );
        assert_eq!(indent_of(&line), 1, "{blank:?}");
    }
    assert_eq!(indent_of("key = v"), 0);
    parsed!(f = b"[a]\nkey\x0b = \x0bvalue\x0b\n");
    assert_eq!(values(&f.sections[0]), vec![("key", "value", 2)]);
}

#[test]
fn preamble_lines_are_reported() {
    parsed!(f = b"region = x\n[a]\n");
    assert_eq!(f.problems.len(), 1);
    assert_eq!(f.problems[0].line, 1);
}
