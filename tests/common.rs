//! Running the binary hermetically, and shaping its output for snapshots.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The repository root.
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What one run printed and returned.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    /// Exit code, stdout and stderr in one text, for insta.
    pub(crate) fn transcript(&self) -> String {
        stable(&format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        ))
    }

    /// Everything it printed.
    pub(crate) fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Output with what differs between runs replaced: timestamps (RFC 3339,
/// and Unix seconds in OpenMetrics), durations and the version.
pub(crate) fn stable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        // 2026-11-30T07:00:00Z
        if i + 20 <= b.len()
            && b[i..i + 4].iter().all(u8::is_ascii_digit)
            && b[i + 4] == b'-'
            && b[i + 10] == b'T'
            && b[i + 19] == b'Z'
        {
            out.push_str("[TIME]");
            i += 20;
            continue;
        }
        let ch = text[i..].chars().next().unwrap();
        out.push(ch);
        i += ch.len_utf8();
    }
    let mut lines: Vec<String> = Vec::new();
    for l in out.split_inclusive('\n') {
        let mut l = l.to_owned();
        for (key, end) in [
            ("\"duration_seconds\": ", ","),
            ("took ", " s"),
            ("driftgate_scan_duration_seconds ", "\n"),
            ("driftgate_last_run_timestamp_seconds ", "\n"),
            ("\"driftgate_version\": \"", "\""),
            ("driftgate ", " |"),
        ] {
            let found = if key.starts_with("driftgate_") {
                l.starts_with(key).then_some(0)
            } else {
                l.find(key)
            };
            if let Some(a) = found {
                let from = a + key.len();
                if let Some(e) = l[from..].find(end) {
                    l.replace_range(from..from + e, "[X]");
                }
            }
        }
        lines.push(l);
    }
    lines.concat()
}

/// A `driftgate` command with no AWS settings from this machine: every
/// `AWS_*` variable removed, a fresh HOME (no ~/.aws), instance metadata off
/// (nothing but loopback is ever contacted), colour off.
pub(crate) fn driftgate(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_driftgate"));
    cmd.current_dir(dir);
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("AWS_") {
            cmd.env_remove(&k);
        }
    }
    let home = std::env::temp_dir().join("driftgate-test-home");
    std::fs::create_dir_all(&home).unwrap();
    cmd.env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/driftgate-test/config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/driftgate-test/credentials",
        )
        .env_remove("NO_COLOR")
        .stdin(Stdio::null());
    cmd
}

/// Runs a command to completion.
pub(crate) fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("driftgate runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Runs `driftgate ARGS` in `dir`.
pub(crate) fn dg(dir: &Path, args: &[&str]) -> Run {
    run(driftgate(dir).args(args))
}

/// Copies a directory tree.
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Writes a file, creating its directory.
pub(crate) fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The moto endpoint. Panics, loudly, when the suite was not started by
/// `scripts/test.sh`.
pub(crate) fn endpoint() -> String {
    std::env::var("DRIFTGATE_TEST_MOTO").unwrap_or_else(|_| {
        panic!(
            "DRIFTGATE_TEST_MOTO is not set: these tests need moto. Run scripts/test.sh, \
             which installs and starts it"
        )
    })
}

/// A cluster name no other test run against the same moto has used.
pub(crate) fn unique(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{name}-{}-{nanos}", std::process::id())
}

/// One EC2 Query API call to moto (for subnets and security groups, which
/// ECS validates); returns the first `<tag>` of the answer.
pub(crate) fn ec2(params: &[(&str, &str)], tag: &str) -> String {
    let url = endpoint();
    let host = url.trim_start_matches("http://");
    let mut body = String::from("Version=2016-11-15");
    for (k, v) in params {
        body.push_str(&format!("&{k}={}", v.replace('/', "%2F")));
    }
    let req = format!(
        "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut s = TcpStream::connect(host).unwrap();
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let open = format!("<{tag}>");
    let start = out
        .find(&open)
        .unwrap_or_else(|| panic!("no {tag} in {out}"))
        + open.len();
    let end = out[start..].find(&format!("</{tag}>")).unwrap() + start;
    out[start..end].to_owned()
}

/// A VPC (`10.N.0.0/16`) in moto with a subnet (`10.N.1.0/24`) and a
/// security group in it: their ids (vpc, subnet, group).
pub(crate) fn network(n: u8, group: &str, description: &str) -> (String, String, String) {
    let vpc = ec2(
        &[
            ("Action", "CreateVpc"),
            ("CidrBlock", &format!("10.{n}.0.0/16")),
        ],
        "vpcId",
    );
    let subnet = ec2(
        &[
            ("Action", "CreateSubnet"),
            ("VpcId", &vpc),
            ("CidrBlock", &format!("10.{n}.1.0/24")),
        ],
        "subnetId",
    );
    let sg = ec2(
        &[
            ("Action", "CreateSecurityGroup"),
            ("VpcId", &vpc),
            ("GroupName", group),
            ("GroupDescription", description),
        ],
        "groupId",
    );
    (vpc, subnet, sg)
}

/// The finding of `id` in a JSON report; a failure names the id.
pub(crate) fn finding<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["findings"]
        .as_array()
        .expect("a JSON report has findings")
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no finding `{id}` in the report"))
}

/// Puts an object into moto's S3 (path style; moto does not check the
/// signature), creating the bucket first.
pub(crate) fn s3_put(bucket: &str, key: &str, body: &str) {
    let url = endpoint();
    let host = url.trim_start_matches("http://").to_owned();
    let send = |path: &str, body: &str| {
        let req = format!(
            "PUT {path} HTTP/1.1\r\nHost: {host}\r\n\
             Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0\r\n\
             x-amz-content-sha256: UNSIGNED-PAYLOAD\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let mut s = TcpStream::connect(&host).unwrap();
        s.write_all(req.as_bytes()).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        assert!(out.starts_with("HTTP/1.1 200"), "PUT {path}: {out}");
    };
    send(&format!("/{bucket}"), "");
    let key: String = key
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    send(&format!("/{bucket}/{key}"), body);
}
