//! A home directory with AWS files for the headless commands, run as processes against moto.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};

use super::moto::Moto;

pub const CODE: &str = "917354";
pub const HUB_SECRET: &str = "hub-secret-canary-6b1f";
/// moto's fixed GetSessionToken secret: a canary for the MFA session.
pub const SESSION_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";

pub fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(Moto::start)
}

/// moto's request recording is global: one test at a time.
pub fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub struct World {
    dir: tempfile::TempDir,
}

pub fn config(bin: &Path) -> String {
    format!(
        "\
[profile hub]
region = eu-west-1
[profile dev]
role_arn = arn:aws:iam::222222222222:role/admin
source_profile = hub
mfa_serial = arn:aws:iam::111111111111:mfa/alice
region = eu-west-1
[profile prod]
role_arn = arn:aws:iam::333333333333:role/admin
source_profile = hub
mfa_serial = arn:aws:iam::111111111111:mfa/alice
[profile ops]
role_arn = arn:aws:iam::444444444444:role/ops
source_profile = hub
mfa_serial = arn:aws:iam::111111111111:mfa/alice
[profile app]
role_arn = arn:aws:iam::222222222222:role/app
source_profile = base
[profile hop1]
role_arn = arn:aws:iam::222222222222:role/hop1
source_profile = base
[profile hop2]
role_arn = arn:aws:iam::333333333333:role/hop2
source_profile = hop1
[profile hop3]
role_arn = arn:aws:iam::444444444444:role/hop3
source_profile = hop2
[profile partner]
role_arn = arn:aws:iam::555555555555:role/VendorAccessRole
source_profile = base
external_id = partner-42
role_session_name = alice-session
[profile guarded]
role_arn = arn:aws:iam::222222222222:role/app
source_profile = base
xrole_expected_account = 999999999999
[profile via-xrole]
credential_process = {} credential-process dev
[profile auto]
role_arn = arn:aws:iam::222222222222:role/admin
source_profile = hub2
mfa_serial = arn:aws:iam::111111111111:mfa/bob
[profile hub2]
mfa_process = echo {CODE}
",
        bin.display()
    )
}

impl World {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(home.join(".aws")).unwrap();
        std::fs::write(
            home.join(".aws/config"),
            config(Path::new(env!("CARGO_BIN_EXE_xrole-tui"))),
        )
        .unwrap();
        std::fs::write(
            home.join(".aws/credentials"),
            format!(
                "[hub]\naws_access_key_id = AKIAHUB0000000000001\naws_secret_access_key = {HUB_SECRET}\n\
                 [base]\naws_access_key_id = AKIABASE000000000001\naws_secret_access_key = base-secret\n\
                 [hub2]\naws_access_key_id = AKIAHUB2000000000001\naws_secret_access_key = hub2-secret\n"
            ),
        )
        .unwrap();
        World { dir }
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// Appends `text` to the file at `rel` under the home.
    pub fn append(&self, rel: &str, text: &str) {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(self.home().join(rel))
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }

    pub fn cache(&self) -> PathBuf {
        self.home().join(".cache/xrole-tui")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_xrole-tui"));
        c.args(args)
            .env_clear()
            .env("HOME", self.home())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AWS_ENDPOINT_URL", &moto().endpoint)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    pub fn run_with(&self, mut c: Command, stdin: &str) -> Output {
        let mut child = c.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    pub fn run(&self, args: &[&str], stdin: &str) -> Output {
        self.run_with(self.command(args), stdin)
    }
}

/// The profile `helper`: a `credential_process` that hands out long-term keys (no token).
pub const HELPER_PROFILE: &str = "[profile helper]\ncredential_process = sh -c 'printf \"{\\\"Version\\\":1,\\\"AccessKeyId\\\":\\\"AKIAHELPER0000000001\\\",\\\"SecretAccessKey\\\":\\\"helper-secret\\\"}\"'\n";

impl World {
    /// Adds `pasted`: temporary keys (with a session token, minted from `base`) and no expiry
    /// anywhere, as people paste them from the SSO portal.
    pub fn add_pasted_keys(&self) {
        let minted = ok(&self.run(&["env", "base", "--format", "json"], ""));
        let v: serde_json::Value = serde_json::from_str(&minted).unwrap();
        self.append(
            ".aws/credentials",
            &format!(
                "[pasted]\naws_access_key_id = {}\naws_secret_access_key = {}\naws_session_token = {}\n",
                v["AWS_ACCESS_KEY_ID"].as_str().unwrap(),
                v["AWS_SECRET_ACCESS_KEY"].as_str().unwrap(),
                v["AWS_SESSION_TOKEN"].as_str().unwrap()
            ),
        );
    }
}

pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(&ok(out)).unwrap()
}

pub fn recorded_bodies(m: &Moto) -> Vec<String> {
    m.actions_with_bodies()
        .into_iter()
        .map(|(_, b)| b)
        .collect()
}
