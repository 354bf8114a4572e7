//! The config file as botocore (the AWS CLI's reader) reads it, beside `list --json`: profile
//! names (shell-quoted section names), indented keys and nested blocks. botocore is the oracle:
//! each case's expected answer is computed by it, not written here.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::botocore::python;

const ORACLE: &str = r#"
import json, sys
from botocore.configloader import raw_config_parse, build_profile_map
profiles = build_profile_map(raw_config_parse(sys.argv[1]))["profiles"]
keys = ("role_arn", "source_profile", "region")
print(json.dumps({n: {k: v.get(k) for k in keys} for n, v in profiles.items()}, sort_keys=True))
"#;

fn botocore(config: &Path) -> serde_json::Value {
    let out = Command::new(python())
        .args(["-c", ORACLE])
        .arg(config)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn ours(config: &Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_xrole-tui"))
        .args(["list", "--json"])
        .env_clear()
        .env("HOME", "/nonexistent-home")
        .env("AWS_CONFIG_FILE", config)
        .env("AWS_SHARED_CREDENTIALS_FILE", config.with_file_name("none"))
        .output()
        .unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let keys = ["role_arn", "source_profile", "region"];
    let map: serde_json::Map<String, serde_json::Value> = rows
        .iter()
        .map(|r| {
            let fields: serde_json::Map<String, serde_json::Value> = keys
                .iter()
                .map(|k| ((*k).to_owned(), r[*k].clone()))
                .collect();
            (
                r["name"].as_str().unwrap().to_owned(),
                serde_json::Value::Object(fields),
            )
        })
        .collect();
    serde_json::Value::Object(map)
}

#[test]
fn profiles_read_as_botocore_reads_them() {
    let cases = [
        "[profile \"personal\"]\nregion = eu-west-1\n[profile work]\nsource_profile = personal\nrole_arn = arn:aws:iam::222222222222:role/w\n",
        "[profile 'single quoted']\nregion = us-east-1\n[profile \"with space\"]\nregion = eu-west-2\n",
        "[profile indented]\n    role_arn = arn:aws:iam::222222222222:role/i\n    source_profile = base\n    region = eu-west-1\n[profile base]\nregion = us-east-1\n",
        "[profile nested]\nregion = eu-west-1\ns3 =\n  max_concurrent_requests = 4\n  addressing_style = path\nmfa_serial = arn:aws:iam::111111111111:mfa/me\n",
        "[profile mixed]\n  region = eu-west-1\n    continued = no\n  role_arn = arn:aws:iam::222222222222:role/m\n  source_profile = mixed2\n[profile mixed2]\nregion = us-west-2\n",
        "[profile a b]\nregion = eu-west-1\n[profile ok]\nregion = eu-west-1\n",
        "[default]\nregion = eu-west-1\n[profile \"quoted\\\"inner\"]\nregion = us-east-1\n",
        // Unicode whitespace around a value, as Python's str.strip removes it.
        "[profile nbsp]\nregion =\u{a0}eu-west-1\u{3000}\nrole_arn = arn:aws:iam::222222222222:role/n\u{a0}\nsource_profile =\u{b}base\n[profile base]\n",
        // Lone CR line ends.
        "[profile cr]\rregion = eu-west-1\r[profile cr2]\rregion = us-east-1\rsource_profile = cr\rrole_arn = arn:aws:iam::222222222222:role/c\r",
        // [DEFAULT] gives its keys to every section of the file, wherever it stands.
        "[profile d1]\nrole_arn = arn:aws:iam::222222222222:role/d\n[DEFAULT]\nregion = eu-west-1\nsource_profile = d2\n[profile d2]\nregion = us-east-1\n[default]\n",
        // Blanks inside the brackets: before the name they hide the section, after it not.
        "[ profile hidden ]\nregion = eu-west-1\n[profile trailing ]\nregion = us-east-1\n[default ]\nregion = eu-west-2\n",
        // A first word that only starts with `profile` counts as `profile`.
        "[profilefoo bar]\nregion = eu-west-1\n[profiles baz]\nregion = us-east-1\n",
        // Only ASCII blanks split a header: a no-break space joins, an ideographic space is
        // part of the name.
        "[profile\u{a0}nb]\nregion = eu-west-3\n[profile x\u{3000}y]\nregion = eu-north-1\n",
        // An indented header right after a header is still a header.
        "[profile base]\n  [profile ind]\nregion = eu-west-2\n",
        // An indented header after a key is more of that key's value.
        "[profile base]\nregion = us-east-1\n  [profile ind]\noutput = json\n",
        // The vertical tab and the separators are blanks to Python, at either end of a line.
        "[profile vt]\nregion = eu-west-1\u{b}\n\u{b}\u{1c}output = json\u{b}\n[profile vt2]\u{b}\nregion = us-east-1\n",
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, case) in cases.iter().enumerate() {
        let config = dir.path().join(format!("config-{i}"));
        std::fs::write(&config, case).unwrap();
        assert_eq!(ours(&config), botocore(&config), "case {i}:\n{case}");
    }
}

/// Files of the shapes that botocore's own config fixtures (`tests/unit/cfg`) and aws-vault's
/// config tests exercise, written here: the same layouts, not their files.
#[test]
fn fixture_shapes_read_as_botocore_reads_them() {
    let cases = [
        // A default profile, a shell-quoted name, keys in upper case and `:` delimiters.
        "[default]\naws_access_key_id = foo\nREGION : us-west-2\n[profile \"personal\"]\nregion=eu-west-1\n",
        // Nested blocks in two profiles, one of them the default.
        "[default]\nregion = us-west-2\ns3 =\n    signature_version = s3v4\n    addressing_style = path\n[profile foo]\nregion = eu-central-1\ns3 =\n  max_concurrent_requests = 20\nmfa_serial = arn:aws:iam::123456789012:mfa/foo\n",
        // Comments in both styles, blank lines, and a profile with no keys.
        "# top\n; also a comment\n\n[profile empty]\n\n[profile after]\n# inside\nregion = ap-south-1\n",
        // Non-ASCII profile names and values.
        "[profile unicode-\u{2713}]\nregion = eu-west-1\n[profile caf\u{e9}]\nsource_profile = unicode-\u{2713}\nrole_arn = arn:aws:iam::123456789012:role/caf\u{e9}\n",
        // An sso-session, a services section and a profile using both.
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n[services local]\nsts =\n  endpoint_url = http://127.0.0.1:1\n[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\nregion = us-east-1\nservices = local\n",
        // aws-vault's layout: no blanks around `=`, camel-case names, chains with MFA and
        // durations, names with dots and slashes, and keys only aws-vault reads.
        "[default]\nregion=us-west-2\noutput=json\n\n[profile user2]\nregion=us-east-1\noutput=text\n\n[profile withSource]\nsource_profile=user2\nregion=us-east-1\n\n[profile withMFA]\nsource_profile=user2\nrole_arn=arn:aws:iam::123456789012:role/aws_admin\nmfa_serial=arn:aws:iam::123456789012:mfa/blah\nregion=us-east-1\nduration_seconds=1200\n\n[profile with.dots/and-slash]\ninclude_profile=withMFA\nparent_profile=user2\n",
        // A role assumed from credential_source and from a credential_process profile.
        "[profile ec2]\nrole_arn = arn:aws:iam::123456789012:role/ec2\ncredential_source = Ec2InstanceMetadata\n[profile proc]\ncredential_process = /bin/echo {}\n[profile fromproc]\nrole_arn = arn:aws:iam::123456789012:role/p\nsource_profile = proc\n",
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, case) in cases.iter().enumerate() {
        let config = dir.path().join(format!("fixture-{i}"));
        std::fs::write(&config, case).unwrap();
        assert_eq!(ours(&config), botocore(&config), "case {i}:\n{case}");
    }
}

const BATCH_ORACLE: &str = r#"
import json, sys
from botocore.configloader import raw_config_parse, build_profile_map
keys = ("role_arn", "source_profile", "region")
out = []
for path in sys.argv[1:]:
    try:
        profiles = build_profile_map(raw_config_parse(path))["profiles"]
        out.append({n: {k: v.get(k) for k in keys} for n, v in profiles.items()})
    except Exception as e:
        out.append({"__error__": type(e).__name__})
print(json.dumps(out))
"#;

/// A small deterministic generator (no seed files): the same cases on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next(items.len())]
    }
}

fn generated(rng: &mut Lcg) -> String {
    let names = ["a", "b", "\"c d\"", "'e'", "dev-1", "x.y"];
    let newline = rng.pick(&["\n", "\r\n", "\r"]);
    let pad = ["", " ", "  ", "\t", "\u{a0}"];
    let mut out = String::new();
    if rng.next(4) == 0 {
        out.push_str(&format!("# a comment{newline}"));
    }
    for _ in 0..1 + rng.next(4) {
        let name = rng.pick(&names);
        let header = match rng.next(14) {
            0 | 1 if name == "a" => "[default]".to_owned(),
            2 => "[DEFAULT]".to_owned(),
            3 => format!("[ profile {name}]"),
            4 => format!("[profile {name} ]"),
            _ => format!("[profile {name}]"),
        };
        out.push_str(&header);
        out.push_str(newline);
        let indent = rng.pick(&["", "", "  ", "    "]);
        for _ in 0..rng.next(4) {
            let (key, value) = match rng.next(5) {
                0 => ("region", rng.pick(&["eu-west-1", "us-east-1"]).to_owned()),
                1 => (
                    "role_arn",
                    format!("arn:aws:iam::22222222222{}:role/r", rng.next(10)),
                ),
                2 => (
                    "source_profile",
                    rng.pick(&["a", "b", "dev-1", "c d", "default"]).to_owned(),
                ),
                3 => (
                    "s3",
                    format!("{newline}{indent}  max_concurrent_requests = 4"),
                ),
                _ => ("output", "json".to_owned()),
            };
            let key = if rng.next(5) == 0 {
                key.to_uppercase()
            } else {
                key.to_owned()
            };
            let delim = rng.pick(&["=", " = ", ":", " : "]);
            let (l, r) = (rng.pick(&pad), rng.pick(&pad));
            out.push_str(&format!("{indent}{key}{delim}{l}{value}{r}{newline}"));
            if rng.next(6) == 0 {
                out.push_str(&format!("; note{newline}"));
            }
        }
    }
    out
}

#[test]
fn generated_files_read_as_botocore_reads_them_or_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Lcg(2026);
    let paths: Vec<PathBuf> = (0..300)
        .map(|i| {
            let p = dir.path().join(format!("gen-{i}"));
            std::fs::write(&p, generated(&mut rng)).unwrap();
            p
        })
        .collect();
    let out = Command::new(python())
        .args(["-c", BATCH_ORACLE])
        .args(&paths)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let mut compared = 0;
    let mut refused = 0;
    for (path, want) in paths.iter().zip(&expected) {
        let text = std::fs::read_to_string(path).unwrap();
        let listed = Command::new(env!("CARGO_BIN_EXE_xrole-tui"))
            .args(["list", "--json"])
            .env_clear()
            .env("HOME", "/nonexistent-home")
            .env("AWS_CONFIG_FILE", path)
            .env("AWS_SHARED_CREDENTIALS_FILE", path.with_file_name("none"))
            .output()
            .unwrap();
        // Said on stderr (a file's problem), or on a profile (`error`, `warnings`).
        let rows: Vec<serde_json::Value> = serde_json::from_slice(&listed.stdout).unwrap();
        let reported = !listed.stderr.is_empty()
            || rows.iter().any(|r| {
                !r["error"].is_null() || r["warnings"].as_array().is_some_and(|w| !w.is_empty())
            });
        if want.get("__error__").is_some() {
            // botocore refuses the whole file: xrole-tui must say so, with the reason.
            let said = String::from_utf8_lossy(&listed.stderr);
            assert!(
                said.contains("the AWS CLI refuses this whole file ("),
                "botocore refuses this file ({want}); xrole-tui did not say so:\n{text:?}\n{said}"
            );
            refused += 1;
            continue;
        }
        assert!(
            !String::from_utf8_lossy(&listed.stderr).contains("refuses this whole file"),
            "botocore reads this file, but xrole-tui says it refuses it:\n{text:?}"
        );
        let ours = ours(path);
        if ours != *want {
            // Duplicates (which botocore merges or refuses) are reported; nothing else may differ.
            assert!(
                reported,
                "differs from botocore without a word:\n{text:?}\nours: {ours}\nbotocore: {want}"
            );
        } else {
            compared += 1;
        }
    }
    // Many generated files repeat a section or a key, which botocore refuses and xrole-tui
    // reports; the rest must have been read the same way, and enough of them to mean something.
    assert!(compared >= 100, "only {compared} files compared equal");
    assert!(refused >= 20, "only {refused} files refused by botocore");
}
