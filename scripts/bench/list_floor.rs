// The floor for `list`: read both AWS files and scan their lines for section headers, the least
// any reader of them must do. Compiled by scripts/bench/list.sh with rustc -O.
use std::io::Write;

fn main() {
    let mut sections = 0usize;
    for var in ["AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"] {
        let path = std::env::var_os(var).expect("the file's variable");
        let text = std::fs::read(path).expect("the file");
        for line in text.split(|&b| b == b'\n') {
            if line.first() == Some(&b'[') {
                sections += 1;
            }
        }
    }
    writeln!(std::io::stdout(), "{sections}").expect("stdout");
}
