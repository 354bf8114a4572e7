//! botocore as the oracle: a Python that has it.

use std::path::PathBuf;
use std::process::Command;

/// A Python that has botocore: the AWS CLI's own (`AWS_CLI`'s virtualenv), else `python3`.
pub fn python() -> PathBuf {
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
