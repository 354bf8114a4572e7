//! `console PROFILE`: sign in to the AWS web console as the profile, or open its switch-role
//! link; `--print` prints the link instead of opening a browser.

use std::io::Write;
use std::time::{Duration, SystemTime};

use zeroize::Zeroizing;

use super::creds::{resolve, Opts};
use super::mfa::HeadlessMfa;
use super::Failure;
use crate::aws::broker::Broker;
use crate::aws::federation;
use crate::config::AwsFiles;
use crate::domain::console::{display_name, s3_console_url, switch_role_url, Partition};
use crate::domain::s3_path::S3Location;
use crate::domain::text::display_safe;
use crate::domain::Target;

/// Where the console opens.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// `--service ec2`: that service's home.
    pub service: Option<String>,
    /// `--path cloudwatch/home#alarms`: that path of the console.
    pub path: Option<String>,
    /// `--s3 s3://bucket/prefix`: the S3 console there.
    pub s3: Option<String>,
}

/// What `console` does.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The profile.
    pub profile: String,
    /// Only the switch-role link (no credentials involved).
    pub switch_role: bool,
    /// Print the link instead of opening a browser.
    pub print: bool,
    /// The page.
    pub page: Page,
}

/// Runs `console`.
pub async fn run(files: &AwsFiles, request: &Request, opts: Opts) -> Result<u8, Failure> {
    let target = resolve(files, &request.profile)?;
    if request.switch_role {
        let role = target.plan.final_role().ok_or_else(|| {
            Failure::config(format!(
                "profile {:?} assumes no role, so it has no switch-role link",
                display_safe(&target.name)
            ))
        })?;
        let display = display_name(&target.name, target.account_name.as_deref());
        let url = switch_role_url(role, &display, target.is_prod()).map_err(Failure::config)?;
        return show(&url, request.print, "the switch-role page");
    }
    let partition = partition_of(&target)?;
    let destination = destination(&target, &request.page, partition)?;
    let endpoint = std::env::var("XROLE_SIGNIN_ENDPOINT")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| partition.federation());
    let broker = Broker::from_env(opts.no_cache).map_err(Failure::config)?;
    let mut mfa = HeadlessMfa {
        mfa_process: target.mfa_process.clone(),
        prefer_terminal: false,
    };
    let (creds, switch_to) = broker
        .console_credentials(&target, &mut mfa, SystemTime::now())
        .await?;
    let ca = broker.ca_bundle(&target)?;
    let token = federation::signin_token(&endpoint, &creds, ca.as_deref()).await?;
    let url = federation::login_url(&endpoint, &destination, &token);
    if matches!(
        crate::domain::console::sign_in(&target.plan),
        Ok(crate::domain::console::SignIn::FederationToken { .. })
    ) {
        note("a user without a role signs in with GetFederationToken: the console session carries no MFA context and lasts 1 hour");
    }
    let code = show(&url, request.print, "the console")?;
    if let Some(role) = switch_to {
        let display = display_name(&target.name, target.account_name.as_deref());
        let link = switch_role_url(&role, &display, target.is_prod()).map_err(Failure::config)?;
        note(&format!(
            "signed in as the chain's first role; switch to {} in the console with:",
            role.as_str()
        ));
        println!("{link}");
    }
    Ok(code)
}

fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "xrole-tui: note: {}", display_safe(text));
}

fn partition_of(target: &Target) -> Result<Partition, Failure> {
    match target.plan.final_role() {
        Some(role) => Partition::of_arn(role.as_str()).map_err(Failure::config),
        None => Ok(Partition::Aws),
    }
}

/// The console page to land on.
fn destination(target: &Target, page: &Page, partition: Partition) -> Result<String, Failure> {
    let region = target.region.as_deref().unwrap_or("us-east-1");
    if let Some(s3) = &page.s3 {
        let at = S3Location::parse(s3).map_err(Failure::config)?;
        return Ok(s3_console_url(&at, target.region.as_deref(), partition));
    }
    if let Some(path) = &page.path {
        return Ok(format!(
            "{}{}",
            partition.console(),
            path.trim_start_matches('/')
        ));
    }
    let service = page.service.as_deref().unwrap_or("console");
    if !service
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(Failure::config(format!(
            "--service {:?} is not a console service name (like ec2, s3, iam)",
            display_safe(service)
        )));
    }
    Ok(format!(
        "{}{service}/home?region={region}",
        partition.console()
    ))
}

/// Prints `url`, or opens it in a browser through a private file that redirects to it, so the
/// link (with its sign-in token) is not on the browser's command line.
fn show(url: &str, print: bool, what: &str) -> Result<u8, Failure> {
    if print {
        println!("{url}");
        return Ok(0);
    }
    let dir = tempfile::Builder::new()
        .prefix("xrole-console-")
        .tempdir()
        .map_err(|e| Failure::config(format!("cannot make a private directory: {e}")))?;
    let page = dir.path().join("open.html");
    let escaped = url
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;");
    let html = Zeroizing::new(format!(
        "<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=\"0;url={escaped}\"><title>xrole-tui</title>\n"
    ));
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&page)
            .map_err(|e| Failure::config(format!("cannot write {}: {e}", page.display())))?;
        f.write_all(html.as_bytes())
            .map_err(|e| Failure::config(format!("cannot write {}: {e}", page.display())))?;
    }
    let file_url = format!("file://{}", page.display());
    let opened = open_browser(&file_url);
    // The browser reads the file when it starts; then it is removed with its directory.
    std::thread::sleep(Duration::from_secs(5));
    drop(dir);
    opened.map_err(|why| {
        Failure::config(format!(
            "cannot open a browser for {what} ({why}); set BROWSER, or use --print"
        ))
    })?;
    Ok(0)
}

/// `$BROWSER` (its first command; `%s` is replaced by the URL), else the platform's opener.
fn open_browser(url: &str) -> Result<(), String> {
    let command: Vec<String> = match std::env::var("BROWSER")
        .ok()
        .filter(|b| !b.trim().is_empty())
    {
        Some(b) => {
            let first = b.split(':').next().unwrap_or_default();
            let mut parts: Vec<String> = first.split_whitespace().map(str::to_owned).collect();
            if parts.iter().any(|p| p.contains("%s")) {
                for p in &mut parts {
                    *p = p.replace("%s", url);
                }
            } else {
                parts.push(url.to_owned());
            }
            parts
        }
        None if cfg!(target_os = "macos") => vec!["open".into(), url.into()],
        None => vec!["xdg-open".into(), url.into()],
    };
    let (program, args) = command.split_first().ok_or("BROWSER is empty")?;
    std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .spawn()
        .map(|_| ())
        .map_err(|e| format!("{program}: {e}"))
}
