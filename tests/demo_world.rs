//! The demo world as the README's third workflow uses it: the vendor signs in with `sso login`
//! at the demo's IAM Identity Center stand-in (`assets/demo/sso_standin.py`, a loopback server
//! that follows the SSO-OIDC and portal contracts and approves any sign-in), then reads the
//! company's shared bucket through the role chained from that login. moto is the AWS behind it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::moto::{boto3_python as python, Moto};

/// The stand-in, ended when the test ends, pass or fail.
struct StandIn(Child);

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn run(dir: &Path, moto: &str, sso: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xrole-tui"))
        .args(args)
        .env_clear()
        .env("HOME", dir.join("home"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_CONFIG_FILE", dir.join("aws/config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("aws/credentials"))
        .env("AWS_ENDPOINT_URL", moto)
        .env("AWS_ENDPOINT_URL_SSO", sso)
        .env("AWS_ENDPOINT_URL_SSO_OIDC", sso)
        .env("XROLE_SSO_CACHE_DIR", dir.join("sso-cache"))
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_vendor_signs_in_at_the_demo_identity_center_and_reads_the_shared_bucket() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("home")).unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let seeded = Command::new(python())
        .arg(format!("{root}/assets/demo/world.py"))
        .arg(&moto.endpoint)
        .arg(dir.path().join("aws"))
        .output()
        .unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let port_file = dir.path().join("sso.port");
    let _standin = StandIn(
        Command::new(python())
            .arg(format!("{root}/assets/demo/sso_standin.py"))
            .arg(&moto.endpoint)
            .arg(&port_file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let start = Instant::now();
    let port = loop {
        if let Some(p) = std::fs::read_to_string(&port_file)
            .ok()
            .filter(|p| !p.is_empty())
        {
            break p;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the stand-in did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let sso = format!("http://127.0.0.1:{port}");
    let m = moto.endpoint.as_str();

    // Before the sign-in: the message says how.
    let before = run(dir.path(), m, &sso, &["whoami", "company-bucket"]);
    assert_eq!(before.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&before.stderr).contains("xrole-tui sso login vendor-sso"));

    let login = run(
        dir.path(),
        m,
        &sso,
        &["sso", "login", "vendor-sso", "--no-browser"],
    );
    assert!(
        login.status.success(),
        "{}",
        String::from_utf8_lossy(&login.stderr)
    );
    assert!(String::from_utf8_lossy(&login.stderr).contains("DEMO-0000"));

    let who: serde_json::Value = serde_json::from_str(&ok(&run(
        dir.path(),
        m,
        &sso,
        &["whoami", "company-bucket", "--json"],
    )))
    .unwrap();
    assert_eq!(who["account"], "444444444444", "{who}");
    let dest = dir.path().join("dl");
    std::fs::create_dir_all(&dest).unwrap();
    ok(&run(
        dir.path(),
        m,
        &sso,
        &[
            "s3",
            "get",
            "company-bucket",
            "s3://company-shared/reports/2026/q1/summary.txt",
            dest.to_str().unwrap(),
        ],
    ));
    assert!(std::fs::read_to_string(dest.join("summary.txt"))
        .unwrap()
        .starts_with("Q1 summary"));
    // The demo's token stayed in the demo's directory.
    assert!(!dir.path().join("home/.aws/sso").exists());
    let populate = ok(&run(
        dir.path(),
        m,
        &sso,
        &["sso", "populate", "--sso-session", "vendor"],
    ));
    assert!(populate.contains("Vendor-Engineer"), "{populate}");
}
