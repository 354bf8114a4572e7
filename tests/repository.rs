//! What the repository itself must hold true: the minimum Rust it states is what its locked
//! dependencies need, and no large generated file slips into the tree.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::path::{Path, PathBuf};

fn version(text: &str) -> Vec<u32> {
    let mut parts: Vec<u32> = text.split('.').map(|p| p.parse().unwrap_or(0)).collect();
    parts.resize(3, 0);
    parts
}

#[test]
fn rust_version_covers_every_locked_dependency() {
    let cargo = option_env!("CARGO").unwrap_or("cargo");
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--locked", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let in_lock: std::collections::BTreeSet<&str> = meta["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["id"].as_str())
        .collect();
    let ours = version(env!("CARGO_PKG_RUST_VERSION"));
    let mut over = Vec::new();
    for p in meta["packages"].as_array().unwrap() {
        let (Some(id), Some(needs)) = (p["id"].as_str(), p["rust_version"].as_str()) else {
            continue;
        };
        if in_lock.contains(id) && version(needs) > ours {
            over.push(format!("{} {} needs {needs}", p["name"], p["version"]));
        }
    }
    assert!(
        over.is_empty(),
        "Cargo.toml says rust-version {}, but: {over:?}",
        env!("CARGO_PKG_RUST_VERSION")
    );
}

fn walk(dir: &Path, found: &mut Vec<(PathBuf, u64)>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if matches!(name.to_str(), Some("target" | ".git")) {
            continue;
        }
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            walk(&path, found);
        } else if meta.is_file() {
            found.push((path, meta.len()));
        }
    }
}

#[test]
fn no_file_over_256_kib_outside_the_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    walk(root, &mut files);
    let fixtures = root.join("tests/fixtures");
    let big: Vec<_> = files
        .iter()
        .filter(|(p, len)| *len > 256 * 1024 && !p.starts_with(&fixtures))
        .collect();
    assert!(big.is_empty(), "large files in the tree: {big:?}");
    assert!(files.len() > 50, "the walk found the tree");
}
