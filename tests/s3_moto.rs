//! `s3 ls` and `s3 get` as processes against moto: complete paging, nested prefixes both ways,
//! byte-equal downloads, no partial or replaced files, errors naming the action and the ARN.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::collections::HashSet;
use std::process::{Command, Output};
use std::sync::OnceLock;

use aws_sdk_s3::primitives::ByteStream;
use support::moto::Moto;

const BUCKET: &str = "company-shared";

fn binary_blob() -> Vec<u8> {
    (0..70_000u32).map(|i| (i * 7 % 251) as u8).collect()
}

/// moto with the bucket seeded once for this test binary.
fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(|| {
        let moto = Moto::start();
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(seed(&moto.endpoint));
        moto
    })
}

async fn seed(endpoint: &str) {
    let s3 = support::moto::seeding_s3(endpoint, "us-east-1").await;
    s3.create_bucket().bucket(BUCKET).send().await.unwrap();
    let mut keys: Vec<(String, Vec<u8>)> = (0..2500)
        .map(|i| {
            (
                format!("big/file-{i:05}.txt"),
                format!("{i}\n").into_bytes(),
            )
        })
        .collect();
    keys.push(("docs/readme.txt".into(), b"read me\n".to_vec()));
    keys.push(("docs/a/b/deep.txt".into(), b"deep\n".to_vec()));
    keys.push(("docs/a/other.csv".into(), b"x,y\n1,2\n".to_vec()));
    keys.push(("bin/blob.bin".into(), binary_blob()));
    // Keys XML cannot carry raw, and keys whose form encoding is ambiguous.
    keys.push(("odd/ctl-\u{1}-\u{1b}[31m.txt".into(), b"c\n".to_vec()));
    keys.push(("odd/a+b c%41.txt".into(), b"p\n".to_vec()));
    keys.push(("odd/dir \u{202e}x/inner.txt".into(), b"i\n".to_vec()));
    let uploads = futures::stream::iter(keys.into_iter().map(|(k, v)| {
        let s3 = s3.clone();
        async move {
            s3.put_object()
                .bucket(BUCKET)
                .key(k)
                .body(ByteStream::from(v))
                .send()
                .await
                .unwrap()
        }
    }));
    use futures::StreamExt;
    uploads.buffer_unordered(16).collect::<Vec<_>>().await;
}

/// moto's request recording is global: one test at a time.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn run(home: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xrole-tui"))
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ENDPOINT_URL", &moto().endpoint)
        .output()
        .unwrap()
}

fn home() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".aws")).unwrap();
    std::fs::write(
        dir.path().join(".aws/config"),
        "[profile vendor]\nrole_arn = arn:aws:iam::444444444444:role/VendorAccessRole\nsource_profile = base\nregion = us-east-1\n[profile base]\nregion = us-east-1\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".aws/credentials"),
        "[base]\naws_access_key_id = AKIAVENDOR0000000001\naws_secret_access_key = v\n",
    )
    .unwrap();
    dir
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn a_prefix_of_2500_keys_is_listed_completely_over_three_pages() {
    let _g = (moto(), serial());
    let h = home();
    moto().start_recording();
    let text = stdout(&run(
        h.path(),
        &["s3", "ls", "vendor", &format!("s3://{BUCKET}/big/")],
    ));
    let names: Vec<&str> = text
        .lines()
        .map(|l| l.rsplit(' ').next().unwrap())
        .collect();
    assert_eq!(names.len(), 2500);
    let unique: HashSet<&str> = names.iter().copied().collect();
    assert_eq!(unique.len(), 2500, "no duplicates");
    for i in 0..2500 {
        assert!(
            unique.contains(format!("file-{i:05}.txt").as_str()),
            "gap at {i}"
        );
    }
    let lists = moto()
        .requests()
        .iter()
        .filter(|(_, u)| u.contains("list-type=2"))
        .count();
    assert_eq!(lists, 3, "1000 + 1000 + 500");
}

#[test]
fn keys_with_control_characters_plus_signs_and_spaces_are_listed() {
    let _g = (moto(), serial());
    let h = home();
    let text = stdout(&run(
        h.path(),
        &["s3", "ls", "vendor", &format!("s3://{BUCKET}/odd/")],
    ));
    // Shown escaped, never raw; the plus, the space and the literal %41 as they are.
    assert!(text.contains("ctl-\\u{1}-\\u{1b}[31m.txt"), "{text}");
    assert!(text.contains(" a+b c%41.txt"), "{text}");
    assert!(text.contains("PRE dir \\u{202e}x/"), "{text}");
    assert!(!text
        .chars()
        .any(|c| c == '\u{1b}' || c == '\u{1}' || c == '\u{202e}'));
    let got = h.path().join("plus.txt");
    stdout(&run(
        h.path(),
        &[
            "s3",
            "get",
            "vendor",
            &format!("s3://{BUCKET}/odd/a+b c%41.txt"),
            got.to_str().unwrap(),
        ],
    ));
    assert_eq!(std::fs::read(&got).unwrap(), b"p\n");
}

#[test]
fn nested_prefixes_both_ways() {
    let _g = (moto(), serial());
    let h = home();
    let top = stdout(&run(
        h.path(),
        &["s3", "ls", "vendor", &format!("s3://{BUCKET}")],
    ));
    for p in ["PRE big/", "PRE bin/", "PRE docs/"] {
        assert!(top.contains(p), "{top}");
    }
    let docs = stdout(&run(
        h.path(),
        &["s3", "ls", "vendor", &format!("s3://{BUCKET}/docs")],
    ));
    assert!(
        docs.contains("PRE a/") && docs.contains(" readme.txt"),
        "{docs}"
    );
    let a = stdout(&run(
        h.path(),
        &["s3", "ls", "vendor", &format!("s3://{BUCKET}/docs/a/")],
    ));
    assert!(a.contains("PRE b/") && a.contains(" other.csv"), "{a}");
    // Prefixes come before the objects on each page.
    let pre = docs.find("PRE a/").unwrap();
    assert!(pre < docs.find("readme.txt").unwrap());
}

#[test]
fn downloads_are_byte_equal_and_never_replace_a_file() {
    let _g = (moto(), serial());
    let h = home();
    let dest = tempfile::tempdir().unwrap();
    let out = run(
        h.path(),
        &[
            "s3",
            "get",
            "vendor",
            &format!("s3://{BUCKET}/bin/blob.bin"),
            dest.path().to_str().unwrap(),
        ],
    );
    stdout(&out);
    let file = dest.path().join("blob.bin");
    assert_eq!(std::fs::read(&file).unwrap(), binary_blob());
    std::fs::write(&file, b"mine").unwrap();
    let again = run(
        h.path(),
        &[
            "s3",
            "get",
            "vendor",
            &format!("s3://{BUCKET}/bin/blob.bin"),
            dest.path().to_str().unwrap(),
        ],
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(std::fs::read(&file).unwrap(), b"mine");
    let leftovers: Vec<_> = std::fs::read_dir(dest.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");
}

#[test]
fn missing_objects_and_buckets_are_named() {
    let _g = (moto(), serial());
    let h = home();
    let dest = tempfile::tempdir().unwrap();
    let out = run(
        h.path(),
        &[
            "s3",
            "get",
            "vendor",
            &format!("s3://{BUCKET}/nope.txt"),
            dest.path().to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("arn:aws:s3:::{BUCKET}/nope.txt"))
    );
    assert_eq!(
        std::fs::read_dir(dest.path()).unwrap().count(),
        0,
        "no partial file"
    );
    let out = run(
        h.path(),
        &["s3", "ls", "vendor", "s3://no-such-bucket-here/"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("there is no bucket arn:aws:s3:::no-such-bucket-here"));
}

fn run_in_umask(home: &std::path::Path, umask: &str, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_xrole-tui"))
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ENDPOINT_URL", &moto().endpoint)
        .output()
        .unwrap()
}

#[test]
fn a_folder_downloads_whole_with_modes_from_the_umask_and_never_over_a_file() {
    use std::os::unix::fs::PermissionsExt;
    let _g = (moto(), serial());
    let h = home();
    let dest = tempfile::tempdir().unwrap();
    let into = dest.path().join("docs-copy");
    let args = [
        "s3",
        "get",
        "vendor",
        &format!("s3://{BUCKET}/docs/"),
        into.to_str().unwrap(),
    ];
    let out = run_in_umask(h.path(), "027", &args);
    stdout(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("(3 files"));
    for (rel, bytes) in [
        ("readme.txt", &b"read me\n"[..]),
        ("a/b/deep.txt", b"deep\n"),
        ("a/other.csv", b"x,y\n1,2\n"),
    ] {
        let file = into.join(rel);
        assert_eq!(std::fs::read(&file).unwrap(), bytes, "{rel}");
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640, "{rel}: the umask decides, as with aws s3 cp");
    }
    // Again: every file exists, so nothing is written and the message names a real path.
    std::fs::write(into.join("readme.txt"), b"mine").unwrap();
    let again = run(h.path(), &args);
    assert_eq!(again.status.code(), Some(2));
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        err.contains("already exists; nothing was downloaded"),
        "{err}"
    );
    assert!(
        !err.contains(".xrole-download-"),
        "never the temporary name: {err}"
    );
    assert_eq!(std::fs::read(into.join("readme.txt")).unwrap(), b"mine");

    // A key that cannot be a file path refuses the folder, naming it, before any write.
    let odd = dest.path().join("odd");
    let out = run(
        h.path(),
        &[
            "s3",
            "get",
            "vendor",
            &format!("s3://{BUCKET}/odd/"),
            odd.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be a file path"));
    assert!(!odd.exists());
}

#[test]
fn an_object_goes_to_standard_output_with_a_dash() {
    let _g = (moto(), serial());
    let h = home();
    let out = run(
        h.path(),
        &[
            "s3",
            "get",
            "vendor",
            &format!("s3://{BUCKET}/bin/blob.bin"),
            "-",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, binary_blob());
}

#[test]
fn in_the_tui_end_reaches_the_last_of_2500_keys_and_d_downloads_a_folder() {
    let _g = (moto(), serial());
    let h = home();
    let downloads = tempfile::tempdir().unwrap();
    let script = format!(
        "cd {} && {} --profile vendor; sleep 600",
        downloads.path().display(),
        env!("CARGO_BIN_EXE_xrole-tui")
    );
    let env = support::pty::tui_env(h.path(), &moto().endpoint);
    let pane = support::pty::Pane::start(h.path(), &script, &env, 120, 30);
    pane.wait_for("profiles (", 30);
    pane.keys(&["s"]);
    pane.wait_for("choose a bucket", 30);
    pane.keys(&["b"]);
    pane.type_text(&format!("{BUCKET}/big/"));
    pane.keys(&["Enter"]);
    pane.wait_for("file-00000.txt", 30);
    pane.keys(&["End"]);
    let screen = pane.wait_for("file-02499.txt", 60);
    assert!(
        screen.contains("(2500)"),
        "every key loaded, none twice:\n{screen}"
    );
    // Up to the bucket's top, then the docs folder, downloaded whole.
    pane.keys(&["BSpace"]);
    pane.wait_for("docs/", 30);
    pane.keys(&["g"]);
    for _ in 0..10 {
        let s = pane.screen();
        if s.lines()
            .any(|l| l.contains("docs/") && l.contains("│docs/"))
            && s.contains("folder s3://company-shared/docs/")
        {
            break;
        }
        pane.keys(&["Down"]);
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    pane.wait_for("folder s3://company-shared/docs/", 10);
    pane.keys(&["d"]);
    pane.wait_for("to directory", 10);
    pane.keys(&["Enter"]);
    pane.wait_for("downloaded to", 60);
    let into = downloads.path().join("docs");
    assert_eq!(std::fs::read(into.join("a/b/deep.txt")).unwrap(), b"deep\n");
    assert_eq!(
        std::fs::read(into.join("readme.txt")).unwrap(),
        b"read me\n"
    );
    assert_eq!(
        std::fs::read(into.join("a/other.csv")).unwrap(),
        b"x,y\n1,2\n"
    );
    pane.keys(&["Escape"]);
    pane.keys(&["q"]);
}
