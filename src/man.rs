//! `driftgate man`: the manual page (roff), from the command line's own
//! definition, with the sections a man page reader looks for (EXIT STATUS,
//! ENVIRONMENT, FILES) and no references to pages that do not exist: every
//! subcommand is described here, not in a page of its own.

use clap::Command;
use std::fmt::Write as _;

/// Text escaped for roff: backslashes, and a leading `.` or `'`.
fn esc(s: &str) -> String {
    let s = s.replace('\\', "\\e").replace('-', "\\-");
    s.lines()
        .map(|l| {
            if l.starts_with('.') || l.starts_with('\'') {
                format!("\\&{l}")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const EXIT_STATUS: &[(&str, &str)] = &[
    (
        "0",
        "In sync; or drift only in scopes whose mode is advisory.",
    ),
    (
        "1",
        "Drift (a state named by \\-\\-fail\\-on) in an enforced scope.",
    ),
    (
        "2",
        "An error: bad flags, config or declared file, no credentials, or an incomplete scan (anything in scope unchecked). The report is still written.",
    ),
];

const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "AWS_PROFILE, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, AWS_EC2_METADATA_DISABLED",
        "The standard AWS credential chain (environment, profiles, SSO, process credentials, instance metadata). A scope's profile and role_arn in driftgate.toml take precedence.",
    ),
    (
        "AWS_ENDPOINT_URL",
        "Sends every AWS call to this endpoint instead of AWS (a local emulator such as moto).",
    ),
    (
        "DRIFTGATE_AWS_PACING",
        "off: no pacing of AWS calls (for an endpoint that is not AWS's own, such as a local emulator). By default each account's calls are paced at AWS's documented rate limits: Route53 5 a second per account; ECS service reads a burst of 100 then 20 a second, task definition reads 50 then 20, EC2 DescribeSecurityGroups 100 then 20, per account and region; CloudTrail LookupEvents 2 a second.",
    ),
    (
        "DRIFTGATE_ROUTE53_RPS",
        "Route53's pace in requests a second per account (default 5, the account quota; 0 for none).",
    ),
    (
        "DRIFTGATE_GCP_TOKEN",
        "A Google OAuth access token to use as is (e.g. from gcloud auth print\\-access\\-token); else Application Default Credentials.",
    ),
    (
        "GOOGLE_APPLICATION_CREDENTIALS",
        "A service account key or external account file for Application Default Credentials.",
    ),
    (
        "DRIFTGATE_AZURE_TOKEN",
        "An Azure Resource Manager access token to use as is; else the identity chain below.",
    ),
    (
        "DRIFTGATE_AZURE_STORAGE_TOKEN",
        "An Azure Storage access token (scope https://storage.azure.com/) for Terraform states in Blob storage, to use as is; else the identity chain below. DRIFTGATE_GCP_TOKEN serves Cloud Storage states the same way.",
    ),
    (
        "AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET",
        "A service principal's client secret credential.",
    ),
    (
        "AZURE_FEDERATED_TOKEN_FILE",
        "Workload identity (with AZURE_TENANT_ID and AZURE_CLIENT_ID); then managed identity, then the Azure CLI's login.",
    ),
    (
        "NO_COLOR",
        "When set and not empty, no colour even on a terminal.",
    ),
    (
        "any variable a declared file names",
        "Declared files may use {{ env `NAME` }} and {{ must_env `NAME` }} (ecspresso's template functions); only the variables they name are read.",
    ),
];

const FILES: &[(&str, &str)] = &[
    (
        "driftgate.toml",
        "The config, at the repository root (\\-\\-config to name another): scopes, their declared directories and targets, ignore rules, [scan] and [secrets].",
    ),
    (
        "the declared directories",
        "Each scope's declared files: native YAML, the AWS CLI's JSON, octoDNS zone files, RFC 1035 zone files, gcloud and describe\\-security\\-groups JSON. Relative to the config file's directory.",
    ),
    (
        "~/.aws/config, ~/.aws/credentials",
        "AWS profiles and credentials.",
    ),
    (
        "~/.config/gcloud/application_default_credentials.json",
        "Google Application Default Credentials (gcloud auth application\\-default login).",
    ),
    ("~/.azure/", "The Azure CLI's login."),
];

fn options(out: &mut String, cmd: &Command) {
    for arg in cmd.get_arguments() {
        if arg.is_hide_set() {
            continue;
        }
        let mut head = String::new();
        if let Some(s) = arg.get_short() {
            let _ = write!(head, "\\fB\\-{s}\\fR, ");
        }
        if let Some(l) = arg.get_long() {
            let _ = write!(head, "\\fB\\-\\-{}\\fR", esc(l));
        } else {
            let _ = write!(
                head,
                "\\fI{}\\fR",
                esc(arg.get_id().as_str()).to_uppercase()
            );
        }
        if arg.get_long().is_some() && arg.get_action().takes_values() {
            let name = arg
                .get_value_names()
                .and_then(|v| v.first())
                .map_or_else(|| arg.get_id().as_str().to_uppercase(), ToString::to_string);
            let _ = write!(head, " \\fI{}\\fR", esc(&name));
        }
        let _ = writeln!(out, ".TP\n{head}");
        let help = arg
            .get_long_help()
            .or(arg.get_help())
            .map(ToString::to_string)
            .unwrap_or_default();
        let mut text = help;
        let defaults: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        if !defaults.is_empty() && arg.get_action().takes_values() {
            let _ = write!(text, " [default: {}]", defaults.join(","));
        }
        let values: Vec<String> = arg
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_owned())
            .collect();
        if !values.is_empty() && arg.get_action().takes_values() {
            let _ = write!(text, " [one of: {}]", values.join(", "));
        }
        let _ = writeln!(out, "{}", esc(&text));
    }
}

/// The man page of `cmd` (the whole command line).
#[must_use]
pub fn page(cmd: &Command) -> String {
    let name = cmd.get_name().to_owned();
    let mut out = String::new();
    let _ = writeln!(
        out,
        ".TH {} 1 \"\" \"{} {}\" \"User Commands\"",
        name.to_uppercase(),
        name,
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        out,
        ".SH NAME\n{} \\- {}",
        name,
        esc(&cmd.get_about().map(ToString::to_string).unwrap_or_default())
    );
    let _ = writeln!(
        out,
        ".SH SYNOPSIS\n\\fB{name}\\fR \\fICOMMAND\\fR [\\fIOPTIONS\\fR]"
    );
    let _ = writeln!(
        out,
        ".SH DESCRIPTION\n{}",
        esc(
            "driftgate compares the infrastructure a Git repository declares (ECS services and their task definitions, DNS record sets, firewall rules) with what is live in AWS, Google Cloud and Azure, and reports ClickOps drift: each resource in scope is in_sync, changed, missing, unmanaged or unchecked. Run it on a laptop, or in CI on a schedule as a drift gate: its exit status drives alerting."
        )
    );
    let _ = writeln!(out, ".SH COMMANDS");
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        let _ = writeln!(out, ".SS \"{name} {}\"", sub.get_name());
        let about = sub
            .get_long_about()
            .or(sub.get_about())
            .map(ToString::to_string)
            .unwrap_or_default();
        for (i, para) in about.split("\n\n").enumerate() {
            if i > 0 {
                let _ = writeln!(out, ".PP");
            }
            if para.contains("\n  ") {
                let _ = writeln!(out, ".nf\n{}\n.fi", esc(para));
            } else {
                let _ = writeln!(out, "{}", esc(para));
            }
        }
        options(&mut out, sub);
    }
    let _ = writeln!(out, ".SH \"EXIT STATUS\"");
    for (code, text) in EXIT_STATUS {
        let _ = writeln!(out, ".TP\n\\fB{code}\\fR\n{text}");
    }
    let _ = writeln!(out, ".SH ENVIRONMENT");
    for (var, text) in ENVIRONMENT {
        let _ = writeln!(out, ".TP\n\\fB{}\\fR\n{text}", esc(var));
    }
    let _ = writeln!(out, ".SH FILES");
    for (file, text) in FILES {
        let _ = writeln!(out, ".TP\n\\fI{}\\fR\n{text}", esc(file));
    }
    let _ = writeln!(
        out,
        ".SH EXAMPLES\n.nf\ndriftgate check\ndriftgate check \\-\\-format diff \\-\\-suggest\ndriftgate snapshot \\-o live.json && driftgate check \\-\\-live live.json\ndriftgate check \\-o html=drift.html \\-o openmetrics=/var/lib/node_exporter/textfile/driftgate.prom\n.fi"
    );
    out
}
