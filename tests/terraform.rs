//! Terraform states as the declared side where no emulator runs: a state in
//! a GCS backend and one in Azure Blob storage, each served on loopback in
//! the storage API's documented shape, diffed against the compute and Azure
//! DNS replays; `terraform show -json` output in the declared tree; the
//! storage APIs' errors (a state that cannot be read is exit 2, never an
//! empty declared side).

use crate::common::{driftgate, root, run, write};
use driftgate_model::replay::{Request, serve};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

fn fixture(path: &str) -> String {
    std::fs::read_to_string(root().join("fixtures").join(path)).unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

/// One loopback server for Compute Engine and Cloud Storage. `storage`
/// answers the state's download.
fn google(
    rt: &tokio::runtime::Runtime,
    storage: impl Fn(&Request) -> (u16, &'static str, String) + Send + Sync + 'static,
) -> String {
    rt.block_on(serve(move |req: &Request| {
        if req.header("authorization") != Some("Bearer replay-token") {
            return (
                401,
                "application/json",
                fixture("gcp/firewall-replay/error-unauthenticated.json"),
            );
        }
        if req.target.starts_with("/storage/v1/") {
            return storage(req);
        }
        let page = if req.query("pageToken").as_deref() == Some("page-2") {
            2
        } else {
            1
        };
        (
            200,
            "application/json",
            fixture(&format!("gcp/firewall-replay/firewalls-page{page}.json")),
        )
    }))
    .0
}

fn gcp_config(dir: &std::path::Path, url: &str) {
    std::fs::create_dir_all(dir.join("infra")).unwrap();
    write(
        &dir.join("driftgate.toml"),
        &format!(
            "[[scope]]\nname = \"gcp\"\nmode = \"enforce\"\ndeclared = \"infra\"\n\n[scope.gcp]\nproject = \"acme-prod\"\nfirewall_networks = [\"default\"]\nendpoint = \"{url}\"\n\n[scope.terraform]\nstates = [\"gs://acme-tfstate/prod/default.tfstate\"]\ngcs_endpoint = \"{url}\"\n"
        ),
    );
}

fn states(v: &Value) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
            (s("id"), s("state"), s("address"))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_state_in_gcs_is_diffed_against_gcp_and_throttling_is_waited_out() {
    let rt = runtime();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let url = google(&rt, move |req| {
        assert_eq!(
            req.target,
            "/storage/v1/b/acme-tfstate/o/prod%2Fdefault.tfstate?alt=media"
        );
        // Throttled once, then the object.
        if c.fetch_add(1, Ordering::SeqCst) == 0 {
            return (
                429,
                "application/json",
                r#"{"error": {"code": 429, "message": "rate limit"}}"#.to_owned(),
            );
        }
        (
            200,
            "application/octet-stream",
            fixture("terraform/gcp-firewall.tfstate"),
        )
    });
    let d = tempfile::tempdir().unwrap();
    gcp_config(d.path(), &url);
    let r = run(driftgate(d.path())
        .args(["check", "--format", "json"])
        .env("DRIFTGATE_GCP_TOKEN", "replay-token"));
    assert_eq!(r.code, 1, "{}", r.all());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        states(&v),
        [
            (
                "acme-prod:default/allow-ssh".into(),
                "unmanaged".into(),
                String::new()
            ),
            (
                "acme-prod:default/allow-web".into(),
                "in_sync".into(),
                "google_compute_firewall.web".into()
            ),
            (
                "acme-prod:default/deny-egress-smtp".into(),
                "in_sync".into(),
                "module.network.google_compute_firewall.rule[\"deny-egress-smtp\"]".into()
            ),
        ]
    );
    for note in [
        "module.network.google_compute_firewall.rule[\"other-net-rule\"]: network `acme-prod:staging` is not a firewall network of scope `gcp`; not compared",
        "not compared (types driftgate does not read): 1 google_storage_bucket",
    ] {
        assert!(r.stderr.contains(note), "{note}\n{}", r.stderr);
    }
    // The way in for the rule opened by hand: an import block.
    let r = run(driftgate(d.path())
        .args(["check", "--format", "json", "--suggest"])
        .env("DRIFTGATE_GCP_TOKEN", "replay-token"));
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let ssh = crate::common::finding(&v, "acme-prod:default/allow-ssh");
    let patch = ssh["suggest"]["patch"].as_str().unwrap();
    assert!(
        patch.contains("+++ b/infra/driftgate_imports.tf")
            && patch.contains("+  to = google_compute_firewall.allow_ssh")
            && patch.contains("+  id = \"projects/acme-prod/global/firewalls/allow-ssh\""),
        "{patch}"
    );
}

#[test]
fn a_state_that_cannot_be_read_whole_is_exit_2_naming_it() {
    for (status, body, expect) in [
        (
            403,
            r#"{"error": {"code": 403, "message": "caller does not have storage.objects.get access"}}"#,
            "HTTP 403",
        ),
        (
            404,
            r#"{"error": {"code": 404, "message": "No such object: acme-tfstate/prod/default.tfstate"}}"#,
            "No such object",
        ),
        // A 200 cut short is not a state.
        (
            200,
            "{\n  \"version\": 4,\n  \"lineage\": \"x\",\n  \"resources\": [\n",
            "a Terraform state must be JSON",
        ),
        (200, "", "a Terraform state must be JSON"),
    ] {
        let rt = runtime();
        let url = google(&rt, move |_| (status, "application/json", body.to_owned()));
        let d = tempfile::tempdir().unwrap();
        gcp_config(d.path(), &url);
        let r = run(driftgate(d.path())
            .args(["check", "--format", "json"])
            .env("DRIFTGATE_GCP_TOKEN", "replay-token"));
        assert_eq!(r.code, 2, "{status}: {}", r.all());
        assert!(r.stdout.is_empty(), "nothing is reported: {}", r.stdout);
        assert!(
            r.stderr.contains("gs://acme-tfstate/prod/default.tfstate")
                && r.stderr.contains(expect),
            "{status}: {}",
            r.stderr
        );
    }
}

/// Loopback Azure: Resource Manager's DNS API and a blob endpoint.
fn azure(rt: &tokio::runtime::Runtime) -> String {
    let base: Arc<std::sync::OnceLock<String>> = Arc::default();
    let b = base.clone();
    let url = rt
        .block_on(serve(move |req: &Request| {
            if req.target.starts_with("/tfstate/") {
                assert_eq!(req.header("authorization"), Some("Bearer storage-token"));
                assert!(req.header("x-ms-version").is_some());
                return if req.target == "/tfstate/prod.terraform.tfstateenv%3Astaging" {
                    (200, "application/octet-stream", fixture("terraform/azure-dns.tfstate"))
                } else {
                    (404, "application/xml", "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.</Message></Error>".to_owned())
                };
            }
            assert_eq!(req.header("authorization"), Some("Bearer replay-token"));
            let page = if req.target.contains("skipToken=page2") { 2 } else { 1 };
            let body = fixture(&format!("azure/dns-replay/recordsets-page{page}.json"))
                .replace("{{BASE}}", b.get().unwrap());
            (200, "application/json", body)
        }))
        .0;
    base.set(url.clone()).unwrap();
    url
}

const AZURE_SCOPE: &str = "[[scope]]\nname = \"azure\"\nmode = \"enforce\"\ndeclared = \"infra\"\n\n[scope.azure]\nsubscription = \"00000000-0000-0000-0000-000000000000\"\nresource_group = \"dns\"\ndns_zones = [\"example.org\"]\n";

#[test]
fn a_state_in_azure_blob_storage_in_a_workspace_is_diffed_against_azure_dns() {
    let rt = runtime();
    let url = azure(&rt);
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("infra")).unwrap();
    write(
        &d.path().join("driftgate.toml"),
        &format!(
            "{AZURE_SCOPE}endpoint = \"{url}\"\n\n[scope.terraform]\nstates = [\"azurerm://acmestate/tfstate/prod.terraform.tfstate\"]\nworkspace = \"staging\"\nblob_endpoint = \"{url}\"\n"
        ),
    );
    let cmd = |args: &[&str]| {
        run(driftgate(d.path())
            .args(args)
            .env("DRIFTGATE_AZURE_TOKEN", "replay-token")
            .env("DRIFTGATE_AZURE_STORAGE_TOKEN", "storage-token"))
    };
    let r = cmd(&["check", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let drift: Vec<(String, String, String)> = states(&v)
        .into_iter()
        .filter(|(_, s, _)| s != "in_sync")
        .collect();
    assert_eq!(
        drift,
        [(
            "example.org/old.example.org/A".into(),
            "missing".into(),
            "azurerm_dns_a_record.old".into()
        )]
    );
    assert_eq!(v["summary"]["in_sync"], 8, "{}", r.stdout);

    // The same resources as `terraform show -json` prints them, kept in the
    // declared tree instead of read from the backend.
    let state: Value = serde_json::from_str(&fixture("terraform/azure-dns.tfstate")).unwrap();
    let resources: Vec<Value> = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            json!({"address": format!("{}.{}", r["type"].as_str().unwrap(), r["name"].as_str().unwrap()),
                   "mode": "managed", "type": r["type"], "name": r["name"],
                   "provider_name": "registry.terraform.io/hashicorp/azurerm", "schema_version": 0,
                   "values": r["instances"][0]["attributes"], "sensitive_values": {}})
        })
        .collect();
    let show = json!({"format_version": "1.0", "terraform_version": "1.11.0",
        "values": {"root_module": {"resources": resources}}});
    write(
        &d.path().join("infra/show.json"),
        &serde_json::to_string_pretty(&show).unwrap(),
    );
    write(
        &d.path().join("driftgate.toml"),
        &format!("{AZURE_SCOPE}endpoint = \"{url}\"\n"),
    );
    let r = cmd(&["check", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["summary"]["in_sync"], 8, "{}", r.all());
    assert_eq!(v["summary"]["missing"], 1, "{}", r.all());
    let files = cmd(&["files"]);
    assert!(
        files
            .stdout
            .contains("Terraform state (v4) or terraform show -json"),
        "{}",
        files.all()
    );

    // A blob that is not there.
    write(
        &d.path().join("driftgate.toml"),
        &format!(
            "{AZURE_SCOPE}endpoint = \"{url}\"\n\n[scope.terraform]\nstates = [\"azurerm://acmestate/tfstate/gone.tfstate\"]\nblob_endpoint = \"{url}\"\n"
        ),
    );
    let r = cmd(&["check"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr
            .contains("azurerm://acmestate/tfstate/gone.tfstate")
            && r.stderr.contains("BlobNotFound"),
        "{}",
        r.stderr
    );
}
