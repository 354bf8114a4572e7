//! `xrole-tui list [--json]`.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::os::fd::AsFd;

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::Failure;
use crate::config::AwsFiles;
use crate::domain::summary::Summary;
use crate::domain::text::{display_safe, push_json_str, JsonSafe};
use crate::domain::ProfileSet;

/// One profile in `list --json`.
#[derive(Debug, Serialize)]
struct JsonProfile<'a> {
    name: &'a str,
    kind: &'static str,
    account: Option<&'a str>,
    account_name: Option<&'a str>,
    role_arn: Option<&'a str>,
    source_profile: Option<&'a str>,
    mfa_serial: Option<&'a str>,
    region: Option<&'a str>,
    env: Option<&'a str>,
    chain: Chain<'a>,
    error: Option<String>,
    warnings: &'a [String],
}

/// A profile's chain in `list --json`: a list of names, written without collecting them.
#[derive(Debug)]
struct Chain<'a>(&'a Summary<'a>);

impl Serialize for Chain<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.chain_names())
    }
}

/// Prints every profile; file problems and hints go to stderr.
pub fn run(files: &AwsFiles, json: bool) -> Result<(), Failure> {
    let loaded = files
        .load()
        .map_err(|e| Failure::config(display_safe(&e.to_string())))?;
    let set = &loaded.set;
    let mut out = BufWriter::new(io::stdout().lock());
    let written = if json {
        write_json(&mut out, set)
    } else {
        let summaries: Vec<Summary<'_>> = (0..set.len()).map(|i| Summary::new(set, i)).collect();
        write_table(&mut out, &summaries)
    };
    written
        .and_then(|()| out.flush())
        .or_else(|e| {
            if e.kind() == io::ErrorKind::BrokenPipe {
                Ok(())
            } else {
                Err(e)
            }
        })
        .map_err(|e| Failure::config(format!("cannot write the list: {e}")))?;
    report_files(files, set, &loaded.missing);
    Ok(())
}

/// The JSON array, streamed: each profile is written, escaped as it goes (see
/// `text::push_json_str`), and its summary dropped, so no copy of the whole text is built.
fn write_json(out: &mut impl Write, set: &ProfileSet) -> io::Result<()> {
    // Indented for a person at a terminal; one line for a pipe, where it is read by a program.
    if io::stdout().is_terminal() {
        let mut safe = BufWriter::with_capacity(64 * 1024, JsonSafe::new(&mut *out));
        let mut ser = serde_json::Serializer::pretty(&mut safe);
        rows(&mut ser, set)?;
        safe.flush()?;
        drop(safe);
        return writeln!(out);
    }
    out.flush()?;
    // A pipe or a file: the blocks go to the descriptor itself, since stdout's line buffering
    // would first scan each one for a newline.
    match io::stdout().as_fd().try_clone_to_owned() {
        Ok(fd) => compact(&mut std::fs::File::from(fd), set),
        Err(_) => compact(out, set),
    }
}

/// The rows on one line, gathered in blocks of about [`BLOCK`] bytes. Above [`PARALLEL_FROM`]
/// profiles a second thread makes every other block: rows are independent, and their plans
/// and JSON are most of the work left once the files are read.
fn compact(out: &mut impl Write, set: &ProfileSet) -> io::Result<()> {
    let n = set.len();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let mut block = Vec::with_capacity(BLOCK + 4096);
    block.push(b'[');
    if n >= PARALLEL_FROM && cores > 1 {
        if let Some(done) = two_threads(out, set, &mut block) {
            return done;
        }
    }
    for i in 0..n {
        push_row(&mut block, set, i);
        if block.len() >= BLOCK {
            out.write_all(&block)?;
            block.clear();
        }
    }
    block.extend_from_slice(b"]\n");
    out.write_all(&block)
}

/// Rows `i`, with the comma before it, appended to `block`.
fn push_row(block: &mut Vec<u8>, set: &ProfileSet, i: usize) {
    if i > 0 {
        block.push(b',');
    }
    json_row(block, &json_profile(&Summary::new(set, i)));
}

/// [`compact`] by two threads: this one makes the even chunks of [`CHUNK`] rows and writes
/// every chunk in order; a helper makes the odd ones, at most two ahead, into blocks that come
/// back to it for reuse. `None` when the helper cannot be started (nothing is written then).
fn two_threads(
    out: &mut impl Write,
    set: &ProfileSet,
    block: &mut Vec<u8>,
) -> Option<io::Result<()>> {
    use std::sync::mpsc;
    let n = set.len();
    let chunks = n.div_ceil(CHUNK);
    let rows = move |c: usize| c * CHUNK..((c + 1) * CHUNK).min(n);
    std::thread::scope(|scope| {
        let (made, ready) = mpsc::sync_channel::<Vec<u8>>(2);
        let (give_back, spare) = mpsc::channel::<Vec<u8>>();
        let helper = std::thread::Builder::new()
            .name("list rows".into())
            .spawn_scoped(scope, move || {
                for c in (1..chunks).step_by(2) {
                    let mut own = spare.try_recv().unwrap_or_default();
                    own.clear();
                    rows(c).for_each(|i| push_row(&mut own, set, i));
                    // The reader is gone when writing failed: stop.
                    if made.send(own).is_err() {
                        return;
                    }
                }
            });
        if helper.is_err() {
            return None;
        }
        let mut write = || -> io::Result<()> {
            for c in 0..chunks {
                if c % 2 == 0 {
                    rows(c).for_each(|i| push_row(block, set, i));
                    out.write_all(block)?;
                    block.clear();
                } else {
                    let theirs = ready
                        .recv()
                        .map_err(|_| io::Error::other("a row thread ended"))?;
                    out.write_all(&theirs)?;
                    let _ = give_back.send(theirs);
                }
            }
            block.extend_from_slice(b"]\n");
            out.write_all(block)
        };
        let done = write();
        // Unblocks the helper if writing stopped early, before the scope waits for it.
        drop(ready);
        Some(done)
    })
}

/// What is gathered before a write.
const BLOCK: usize = 64 * 1024;
/// Rows a thread makes at a time when two do (about 80 KB of JSON).
const CHUNK: usize = 256;
/// From how many profiles two threads make the rows: at 5,000 and 12,000 a second thread saved
/// no time here and cost 10 % more CPU; at 50,000 it saved 15 % of the time.
const PARALLEL_FROM: usize = 20_000;

/// One profile's row of `list --json`.
fn json_profile<'a>(s: &'a Summary<'a>) -> JsonProfile<'a> {
    let f = &s.facts;
    JsonProfile {
        name: f.name,
        kind: s.kind.as_str(),
        account: s.account,
        account_name: f.account_name,
        role_arn: f.role_arn,
        source_profile: f.source_profile,
        mfa_serial: s.mfa_serial(),
        region: f.region,
        env: f.env,
        chain: Chain(s),
        error: s.error(),
        warnings: &s.warnings,
    }
}

/// The indented rows, through serde_json and [`JsonSafe`].
fn rows<S>(ser: S, set: &ProfileSet) -> io::Result<()>
where
    S: serde::Serializer<Error = serde_json::Error>,
{
    use serde::ser::SerializeSeq;
    let mut seq = ser.serialize_seq(Some(set.len()))?;
    for i in 0..set.len() {
        seq.serialize_element(&json_profile(&Summary::new(set, i)))?;
    }
    seq.end()?;
    Ok(())
}

/// `p` as serde_json writes it without indentation, then [`JsonSafe`]: the same bytes, written
/// without serde's byte-at-a-time escaping.
fn json_row(out: &mut Vec<u8>, p: &JsonProfile<'_>) {
    let opt = |out: &mut Vec<u8>, v: Option<&str>| match v {
        Some(v) => push_json_str(out, v),
        None => out.extend_from_slice(b"null"),
    };
    let list = |out: &mut Vec<u8>, items: &mut dyn Iterator<Item = &str>| {
        out.push(b'[');
        for (i, item) in items.enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_json_str(out, item);
        }
        out.push(b']');
    };
    out.extend_from_slice(b"{\"name\":");
    push_json_str(out, p.name);
    out.extend_from_slice(b",\"kind\":");
    push_json_str(out, p.kind);
    for (key, value) in [
        ("account", p.account),
        ("account_name", p.account_name),
        ("role_arn", p.role_arn),
        ("source_profile", p.source_profile),
        ("mfa_serial", p.mfa_serial),
        ("region", p.region),
        ("env", p.env),
    ] {
        out.extend_from_slice(b",\"");
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(b"\":");
        opt(out, value);
    }
    out.extend_from_slice(b",\"chain\":");
    list(out, &mut p.chain.0.chain_names());
    out.extend_from_slice(b",\"error\":");
    opt(out, p.error.as_deref());
    out.extend_from_slice(b",\"warnings\":");
    list(out, &mut p.warnings.iter().map(String::as_str));
    out.push(b'}');
}

const HEADERS: [&str; 9] = [
    "PROFILE", "KIND", "ACCOUNT", "ROLE", "SOURCE", "MFA", "REGION", "ENV", "PROBLEM",
];
/// The PROBLEM column (by index in [`HEADERS`]).
const PROBLEM: usize = 8;
/// Columns that may be narrowed to fit the terminal, most willing first (by index in
/// [`HEADERS`]): the chain, the role and the account.
const SHRINK: [usize; 3] = [4, 3, 2];
/// A column is never narrowed below this.
const MIN_WIDTH: usize = 10;

/// The table, fitted to the terminal's width when there is one: columns empty on every row
/// (after PROFILE and KIND) are left out; when the rows do not fit, each problem goes on a line
/// of its own under its row (never cut), and the chain, role and account columns are cut with
/// `…`.
fn write_table(out: &mut impl Write, summaries: &[Summary<'_>]) -> io::Result<()> {
    let rows: Vec<[String; 9]> = summaries.iter().map(table_row).collect();
    let mut kept: Vec<usize> = (0..HEADERS.len())
        .filter(|&c| c < 2 || rows.iter().any(|r| !r[c].is_empty()))
        .collect();
    let mut problems_below = None;
    let mut widths = HEADERS.map(UnicodeWidthStr::width);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    if io::stdout().is_terminal() {
        if let Ok((columns, _)) = crossterm::terminal::size() {
            let columns = usize::from(columns);
            if used(&widths, &kept) > columns && kept.contains(&PROBLEM) {
                kept.retain(|&c| c != PROBLEM);
                problems_below = Some(columns);
            }
            fit(&mut widths, &kept, columns);
        }
    }
    let header = HEADERS.map(str::to_owned);
    for (n, row) in std::iter::once(&header).chain(&rows).enumerate() {
        let mut line = String::new();
        for (i, &c) in kept.iter().enumerate() {
            let cell = crate::ui::wrap::fit(&row[c], widths[c]);
            line.push_str(&cell);
            if i + 1 < kept.len() {
                line.extend(std::iter::repeat_n(' ', widths[c] - cell.width() + 2));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
        if let Some(columns) = problems_below.filter(|_| n > 0 && !row[PROBLEM].is_empty()) {
            for line in wrap_words(&row[PROBLEM], columns.saturating_sub(4).max(20)) {
                let lead = if line.0 { "  ↳ " } else { "    " };
                writeln!(out, "{lead}{}", line.1)?;
            }
        }
    }
    Ok(())
}

/// `text` in lines of at most `width` columns, broken between words (a word longer than a line
/// has a line of its own); `true` marks the first line.
fn wrap_words(text: &str, width: usize) -> Vec<(bool, String)> {
    let mut lines: Vec<(bool, String)> = vec![(true, String::new())];
    for word in text.split(' ') {
        let last = &mut lines.last_mut().expect("one line at least").1;
        if !last.is_empty() && last.width() + 1 + word.width() > width {
            lines.push((false, word.to_owned()));
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}

/// The width of the kept columns with their gaps.
fn used(widths: &[usize; 9], kept: &[usize]) -> usize {
    kept.iter().map(|&c| widths[c]).sum::<usize>() + 2 * kept.len().saturating_sub(1)
}

/// Narrows the [`SHRINK`] columns, in turn, until the kept ones fit in `total` columns.
fn fit(widths: &mut [usize; 9], kept: &[usize], total: usize) {
    for &c in &SHRINK {
        let over = used(widths, kept).saturating_sub(total);
        if over == 0 {
            return;
        }
        if kept.contains(&c) {
            widths[c] = widths[c].saturating_sub(over).max(MIN_WIDTH.min(widths[c]));
        }
    }
}

fn table_row(s: &Summary<'_>) -> [String; 9] {
    let f = &s.facts;
    let safe = |v: Option<&str>| display_safe(v.unwrap_or("")).into_owned();
    let account = match (s.account, f.account_name) {
        (Some(id), Some(name)) => format!("{id} ({name})"),
        (id, name) => id.or(name).unwrap_or("").to_owned(),
    };
    let role = f.role_name();
    let chain = s.chain();
    let source = if chain.len() > 1 {
        chain[1..].join(" → ")
    } else {
        match &s.plan {
            Ok(plan) if plan.final_role().is_some() => plan.source.kind().to_owned(),
            _ => String::new(),
        }
    };
    let problem = match (s.error(), s.warnings.first()) {
        (Some(e), _) => e,
        (None, Some(w)) => format!("warning: {w}"),
        (None, None) => String::new(),
    };
    [
        safe(Some(f.name)),
        s.kind.as_str().to_owned(),
        display_safe(&account).into_owned(),
        safe(role),
        display_safe(&source).into_owned(),
        if s.mfa_serial().is_some() { "yes" } else { "" }.to_owned(),
        safe(f.region),
        safe(f.env),
        display_safe(&problem).into_owned(),
    ]
}

fn report_files(files: &AwsFiles, set: &ProfileSet, missing: &[std::path::PathBuf]) {
    let mut err = io::stderr().lock();
    for fp in &set.file_problems {
        let path = files.path(fp.location.file).display().to_string();
        let _ = writeln!(
            err,
            "{}:{}: {}",
            display_safe(&path),
            fp.location.line,
            display_safe(&fp.message)
        );
    }
    if set.is_empty() {
        let config = display_safe(&files.config.display().to_string()).into_owned();
        let hint = if missing.contains(&files.config) {
            format!("no profiles: {config} does not exist (AWS_CONFIG_FILE chooses another file)")
        } else {
            format!("no profiles in {config}")
        };
        let _ = writeln!(err, "{hint}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_narrowed_to_the_terminal_chain_first_and_cut_with_an_ellipsis() {
        let mut widths = [12, 6, 30, 20, 25, 3, 9, 4, 60];
        let kept: Vec<usize> = (0..8).collect();
        fit(&mut widths, &kept, 100);
        assert!(used(&widths, &kept) <= 100, "{widths:?}");
        assert_eq!(widths[4], MIN_WIDTH, "the chain gives first");
        assert_eq!(widths[..3], [12, 6, 30], "the account gives last");
        assert_eq!(crate::ui::wrap::fit("abcdefghij", 5), "abcd…");
        let wrapped = wrap_words("config line 46: has role_arn but neither", 16);
        assert_eq!(
            wrapped,
            [
                (true, "config line 46:".to_owned()),
                (false, "has role_arn but".to_owned()),
                (false, "neither".to_owned())
            ]
        );
        assert_eq!(crate::ui::wrap::fit("abc", 5), "abc");
        assert_eq!(crate::ui::wrap::fit("日本語テキスト", 5), "日本…");
        let mut narrow = [12, 6, 30, 20, 25, 3, 9, 4, 60];
        fit(&mut narrow, &kept, 80);
        assert!(used(&narrow, &kept) <= 80, "{narrow:?}");
        assert!(narrow[2..5].iter().all(|&w| w >= MIN_WIDTH), "{narrow:?}");
    }

    #[test]
    fn two_threads_write_the_rows_one_thread_writes() {
        let mut config = String::from(
            "[profile hub]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n",
        );
        for i in 0..(PARALLEL_FROM + 3 * CHUNK + 17) {
            let broken = if i % 97 == 0 { "nosuch" } else { "hub" };
            config.push_str(&format!(
                "[profile p{i}]\nrole_arn = arn:aws:iam::123456789012:role/r{i}\nsource_profile = {broken}\nregion = \u{202e}eu\n"
            ));
        }
        let set = ProfileSet::parse(Some(config.as_bytes()), None);
        let mut one = vec![b'['];
        for i in 0..set.len() {
            push_row(&mut one, &set, i);
        }
        one.extend_from_slice(b"]\n");
        let mut two = Vec::new();
        let mut block = vec![b'['];
        two_threads(&mut two, &set, &mut block)
            .expect("a thread starts")
            .expect("writes");
        assert_eq!(
            String::from_utf8(two).expect("UTF-8"),
            String::from_utf8(one).expect("UTF-8")
        );
    }

    #[test]
    fn rows_are_the_bytes_serde_json_and_json_safe_write() {
        let config = "[profile a]\nregion = eu\u{202e}west\nxrole_env = \"prod\"\n[profile b\\x]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = a\nmfa_serial = x\u{7f}\n[profile c]\nrole_arn = nope\n[profile d]\nsource_profile = d\nrole_arn = arn:aws:iam::123456789012:role/r\n";
        let set = ProfileSet::parse(Some(config.as_bytes()), None);
        assert_eq!(set.len(), 4);
        for i in 0..set.len() {
            let s = Summary::new(&set, i);
            let p = json_profile(&s);
            let mut ours = Vec::new();
            json_row(&mut ours, &p);
            let serde = serde_json::to_string(&p).expect("serialises");
            assert_eq!(
                String::from_utf8(ours).expect("UTF-8"),
                crate::domain::text::json_safe(&serde)
            );
        }
    }
}
