//! `xrole-tui list [--json]`.

use std::io::{self, BufWriter, IsTerminal, Write};

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::Failure;
use crate::config::AwsFiles;
use crate::domain::summary::Summary;
use crate::domain::text::{display_safe, JsonSafe};
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
    chain: Vec<&'a str>,
    error: Option<String>,
    warnings: &'a [String],
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

/// The JSON array, streamed: each profile is serialised and escaped (see `text::JsonSafe`) as
/// it is written, so no copy of the whole text is ever built.
fn write_json(out: &mut impl Write, set: &ProfileSet) -> io::Result<()> {
    let mut safe = JsonSafe::new(&mut *out);
    // Indented for a person at a terminal; one line for a pipe, where it is read by a program.
    if io::stdout().is_terminal() {
        rows(&mut serde_json::Serializer::pretty(&mut safe), set)?;
    } else {
        rows(&mut serde_json::Serializer::new(&mut safe), set)?;
    }
    writeln!(out)
}

/// Each profile's summary is made when its row is written, and dropped after it.
fn rows<S>(ser: S, set: &ProfileSet) -> io::Result<()>
where
    S: serde::Serializer<Error = serde_json::Error>,
{
    use serde::ser::SerializeSeq;
    let mut seq = ser.serialize_seq(Some(set.len()))?;
    for i in 0..set.len() {
        let s = Summary::new(set, i);
        let f = &s.facts;
        seq.serialize_element(&JsonProfile {
            name: f.name,
            kind: s.kind.as_str(),
            account: s.account,
            account_name: f.account_name,
            role_arn: f.role_arn,
            source_profile: f.source_profile,
            mfa_serial: s.mfa_serial(),
            region: f.region,
            env: f.env,
            chain: s.chain(),
            error: s.error(),
            warnings: &s.warnings,
        })?;
    }
    seq.end()?;
    Ok(())
}

fn write_table(out: &mut impl Write, summaries: &[Summary<'_>]) -> io::Result<()> {
    const HEADERS: [&str; 8] = [
        "PROFILE", "KIND", "ACCOUNT", "ROLE", "SOURCE", "MFA", "REGION", "PROBLEM",
    ];
    let rows: Vec<[String; 8]> = summaries.iter().map(table_row).collect();
    let mut widths = HEADERS.map(UnicodeWidthStr::width);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let header = HEADERS.map(str::to_owned);
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                let pad = widths[i] - cell.width() + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

fn table_row(s: &Summary<'_>) -> [String; 8] {
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
