//! The config file as botocore (the AWS CLI's reader) reads it, beside `list --json`: profile
//! names (shell-quoted section names), indented keys and nested blocks. botocore is the oracle:
//! each case's expected answer is computed by it, not written here.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::path::{Path, PathBuf};
use std::process::Command;

/// A Python that has botocore: the AWS CLI's own (`AWS_CLI`'s virtualenv), else `python3`.
fn python() -> PathBuf {
    let candidates = std::env::var_os("AWS_CLI")
        .map(|cli| PathBuf::from(cli).with_file_name("python"))
        .into_iter()
        .chain([PathBuf::from("python3")]);
    for p in candidates {
        let ok = Command::new(&p)
            .args(["-c", "import botocore"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return p;
        }
    }
    panic!("no Python with botocore: run scripts/test.sh, which installs the AWS CLI");
}

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
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, case) in cases.iter().enumerate() {
        let config = dir.path().join(format!("config-{i}"));
        std::fs::write(&config, case).unwrap();
        assert_eq!(ours(&config), botocore(&config), "case {i}:\n{case}");
    }
}
