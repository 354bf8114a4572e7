//! The detail pane's text: a profile's facts and its plan, in words.

use crate::domain::summary::Summary;
use crate::domain::text::display_safe;
use crate::domain::{ProfileSet, Source, Step};

/// One line of the detail pane: a label (may be empty) and its text.
pub type Line = (&'static str, String);

fn duration(secs: Option<u32>, default: &str) -> String {
    secs.map_or_else(
        || default.to_owned(),
        |s| humantime::format_duration(std::time::Duration::from_secs(u64::from(s))).to_string(),
    )
}

/// The lines describing profile `index` of `set`.
pub fn lines(set: &ProfileSet, index: usize) -> Vec<Line> {
    let summary = Summary::new(set, index);
    let facts = summary.facts;
    let safe = |v: Option<&str>| v.map(|v| display_safe(v).into_owned());
    let mut out: Vec<Line> = vec![("profile", display_safe(facts.name).into_owned())];
    if let Some(a) = safe(facts.account_name) {
        out.push(("account", a));
    }
    if let Some(arn) = safe(facts.role_arn) {
        out.push(("role", arn));
    }
    out.push((
        "region",
        safe(facts.region).unwrap_or_else(|| "(default)".into()),
    ));
    if let Some(a) = safe(facts.expected_account) {
        out.push(("expects", a));
    }
    if let Some(env) = safe(facts.env) {
        out.push(("env", env));
    }
    if let Some(b) = safe(facts.buckets) {
        out.push(("buckets", b));
    }
    match &summary.plan {
        Err(e) => out.push(("invalid", display_safe(&e.to_string()).into_owned())),
        Ok(plan) => {
            let chain: Vec<String> = plan
                .chain
                .iter()
                .map(|n| display_safe(n).into_owned())
                .collect();
            out.push(("chain", chain.join(" → ")));
            out.push(("", String::new()));
            out.push(("plan", String::new()));
            out.push(("1.", root_text(&plan.source)));
            for (i, step) in plan.steps.iter().enumerate() {
                let text = step_text(step, plan.final_role().is_none());
                let label = ["2.", "3.", "4.", "5.", "6.", "7.", "8.", "9."]
                    .get(i)
                    .copied()
                    .unwrap_or("…");
                out.push((label, text));
            }
            for n in &plan.notes {
                out.push(("note", display_safe(n).into_owned()));
            }
        }
    }
    for w in summary
        .profile
        .problems
        .iter()
        .filter(|w| w.severity == crate::domain::Severity::Warning)
    {
        out.push(("warning", display_safe(&w.to_string()).into_owned()));
    }
    out
}

/// Where the plan starts, in words.
fn root_text(source: &Source) -> String {
    match source {
        Source::StaticKeys { profile, temporary } => format!(
            "{} keys of {}",
            if *temporary { "session" } else { "long-term" },
            display_safe(profile)
        ),
        Source::Process { command, .. } => {
            format!("credential_process: {}", display_safe(command))
        }
        Source::Sso {
            account_id,
            role_name,
            ..
        } => {
            format!("SSO: {} in {account_id}", display_safe(role_name))
        }
        Source::Stored { profile, backend } => format!(
            "long-term keys of {} in the {} key store",
            display_safe(profile),
            display_safe(backend)
        ),
        Source::Login { session_arn, .. } => {
            format!("aws login session: {}", display_safe(session_arn))
        }
        Source::CredentialSource { kind, .. } => format!("credential_source {kind}"),
        Source::Environment { .. } => "credentials from the environment".into(),
    }
}

/// One STS step, in words; `no_role` for a user's own session.
fn step_text(step: &Step, no_role: bool) -> String {
    match step {
        Step::SessionToken {
            mfa_serial: Some(serial),
            duration: d,
        } if no_role => format!(
            "sts:GetSessionToken · MFA {} · {} · deliberate: the AWS CLI ignores mfa_serial without a role",
            display_safe(serial),
            duration(*d, "12h")
        ),
        Step::SessionToken {
            mfa_serial: Some(serial),
            duration: d,
        } => format!(
            "sts:GetSessionToken · MFA {} · {} · shared by its roles",
            display_safe(serial),
            duration(*d, "12h")
        ),
        Step::SessionToken {
            mfa_serial: None,
            duration: d,
        } => format!(
            "sts:GetSessionToken · {} · temporary keys; the long-term ones stay here",
            duration(*d, "12h")
        ),
        Step::AssumeRole {
            role_arn,
            mfa_serial,
            external_id,
            duration: d,
            ..
        } => {
            let mut t = format!(
                "sts:AssumeRole {} · {}",
                display_safe(role_arn.as_str()),
                duration(*d, "1h")
            );
            if let Some(s) = mfa_serial {
                t.push_str(&format!(" · MFA {}", display_safe(s)));
            }
            if external_id.is_some() {
                t.push_str(" · external id");
            }
            t
        }
    }
}
