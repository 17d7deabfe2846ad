//! `[scope.terraform]`: which states a scope reads, and reading them before
//! the declared stage (a remote backend is a network read).
//!
//! ```toml
//! [scope.terraform]
//! states = ["infra/terraform.tfstate", "s3://bucket/key", "gs://bucket/prefix/default.tfstate",
//!           "azurerm://account/container/key"]
//! workspace = "staging"            # optional: the workspace's state of each
//! configuration = "infra"          # optional: the root module's directory
//! ```
//!
//! Workspaces are found where each backend keeps them: S3
//! `env:/<workspace>/<key>`, Azure `<key>env:<workspace>`, GCS
//! `<prefix>/<workspace>.tfstate`, local
//! `terraform.tfstate.d/<workspace>/terraform.tfstate`.

use super::state;
use crate::error::InputError;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTerraform {
    states: Spanned<Vec<Spanned<String>>>,
    workspace: Option<String>,
    configuration: Option<String>,
    /// Cloud Storage's endpoint, for tests or private endpoints.
    gcs_endpoint: Option<String>,
    /// The blob endpoint (`https://<account>.blob.core.windows.net`
    /// unless set), for tests or other clouds.
    blob_endpoint: Option<String>,
}

/// Where one state is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateSource {
    Local(PathBuf),
    S3 {
        bucket: String,
        key: String,
    },
    Gcs {
        bucket: String,
        object: String,
    },
    Azure {
        account: String,
        container: String,
        key: String,
    },
}

impl StateSource {
    /// The source as written (after the workspace is applied).
    #[must_use]
    pub fn shown(&self, root: &Path) -> String {
        match self {
            StateSource::Local(p) => p.strip_prefix(root).unwrap_or(p).display().to_string(),
            StateSource::S3 { bucket, key } => format!("s3://{bucket}/{key}"),
            StateSource::Gcs { bucket, object } => format!("gs://{bucket}/{object}"),
            StateSource::Azure {
                account,
                container,
                key,
            } => format!("azurerm://{account}/{container}/{key}"),
        }
    }

    fn with_workspace(self, ws: Option<&str>) -> Self {
        let Some(ws) = ws.filter(|w| *w != "default") else {
            return self;
        };
        match self {
            StateSource::Local(p) => {
                let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
                let name = p.file_name().map(|n| n.to_owned()).unwrap_or_default();
                StateSource::Local(dir.join("terraform.tfstate.d").join(ws).join(name))
            }
            StateSource::S3 { bucket, key } => StateSource::S3 {
                bucket,
                key: format!("env:/{ws}/{key}"),
            },
            StateSource::Gcs { bucket, object } => {
                let object = match object.rsplit_once('/') {
                    Some((prefix, "default.tfstate")) => format!("{prefix}/{ws}.tfstate"),
                    None if object == "default.tfstate" => format!("{ws}.tfstate"),
                    _ => object,
                };
                StateSource::Gcs { bucket, object }
            }
            StateSource::Azure {
                account,
                container,
                key,
            } => StateSource::Azure {
                account,
                container,
                key: format!("{key}env:{ws}"),
            },
        }
    }
}

/// A state read: its text and its instances.
#[derive(Debug, Clone)]
pub struct LoadedState {
    pub shown: String,
    pub parsed: Arc<state::Parsed>,
}

/// The validated `[scope.terraform]`.
#[derive(Debug, Clone)]
pub struct TerraformScope {
    pub states: Vec<StateSource>,
    pub workspace: Option<String>,
    /// The root module's directory, for `.tf` file and line.
    pub configuration: Option<PathBuf>,
    pub gcs_endpoint: Option<String>,
    pub blob_endpoint: Option<String>,
    /// Filled by [`fetch`].
    pub loaded: Vec<LoadedState>,
}

/// Validates `[scope.terraform]`.
///
/// # Errors
/// A state of no known scheme, or an empty list, at its place.
pub fn parse<E>(
    raw: RawTerraform,
    root: &Path,
    at: &dyn Fn(usize, String) -> E,
) -> Result<TerraformScope, E> {
    if raw.states.get_ref().is_empty() {
        return Err(at(
            raw.states.span().start,
            "`states` is empty: name at least one state".to_owned(),
        ));
    }
    let mut states = Vec::new();
    for s in raw.states.into_inner() {
        let offset = s.span().start;
        let text = s.into_inner();
        let two = |rest: &str| -> Option<(String, String)> {
            let (a, b) = rest.split_once('/')?;
            (!a.is_empty() && !b.is_empty()).then(|| (a.to_owned(), b.to_owned()))
        };
        let source = if let Some(rest) = text.strip_prefix("s3://") {
            let (bucket, key) = two(rest)
                .ok_or_else(|| at(offset, format!("`{text}`: expected s3://<bucket>/<key>")))?;
            StateSource::S3 { bucket, key }
        } else if let Some(rest) = text.strip_prefix("gs://") {
            let (bucket, object) = two(rest).ok_or_else(|| {
                at(
                    offset,
                    format!("`{text}`: expected gs://<bucket>/<prefix>/default.tfstate"),
                )
            })?;
            StateSource::Gcs { bucket, object }
        } else if let Some(rest) = text.strip_prefix("azurerm://") {
            let parts: Vec<&str> = rest.splitn(3, '/').collect();
            match parts.as_slice() {
                [a, c, k] if !a.is_empty() && !c.is_empty() && !k.is_empty() => {
                    StateSource::Azure {
                        account: (*a).to_owned(),
                        container: (*c).to_owned(),
                        key: (*k).to_owned(),
                    }
                }
                _ => {
                    return Err(at(
                        offset,
                        format!("`{text}`: expected azurerm://<account>/<container>/<key>"),
                    ));
                }
            }
        } else if text.contains("://") {
            return Err(at(
                offset,
                format!(
                    "`{text}`: a state is a local path, s3://, gs:// or azurerm:// (other backends: save `terraform state pull` or `terraform show -json` output and name the file)"
                ),
            ));
        } else {
            StateSource::Local(crate::declared::normal_path(&root.join(&text)))
        };
        states.push(source.with_workspace(raw.workspace.as_deref()));
    }
    Ok(TerraformScope {
        states,
        workspace: raw.workspace,
        configuration: raw
            .configuration
            .map(|c| crate::declared::normal_path(&root.join(c))),
        gcs_endpoint: raw.gcs_endpoint,
        blob_endpoint: raw.blob_endpoint,
        loaded: Vec::new(),
    })
}

/// Parses a state's bytes.
///
/// # Errors
/// Not UTF-8, not JSON, not a state: at the place it breaks.
pub fn parse_bytes(bytes: Vec<u8>, shown: &str) -> Result<(String, state::Parsed), InputError> {
    let path = Path::new(shown);
    let text = crate::input::text_of(bytes, path)?;
    crate::input::check_depth(&text, path)?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        InputError::new(
            path,
            e.line(),
            e.column(),
            format!("a Terraform state must be JSON: {e}"),
        )
    })?;
    if !state::is_terraform(&value) {
        return Err(InputError::new(
            path,
            1,
            1,
            "not a Terraform state (no `version` and `lineage`) nor `terraform show -json` output (no `format_version`)",
        ));
    }
    let parsed = state::parse(&value, &text).map_err(|m| InputError::new(path, 1, 1, m))?;
    Ok((text, parsed))
}

/// Reads every scope's states (local files and remote backends), and
/// gives an AWS section that names no cluster, zone or VPC the ones its
/// states' resources live in.
///
/// # Errors
/// A state that cannot be read or is not a state: exit 2, nothing written.
pub async fn fetch(config: &mut crate::config::Config) -> Result<(), InputError> {
    let root = config.root.clone();
    for scope in &mut config.scopes {
        let Some(tf) = scope.terraform.as_mut() else {
            continue;
        };
        let mut loaded = Vec::new();
        for s in &tf.states {
            let shown = s.shown(&root);
            let bytes = read_source(s, &shown, tf, scope.aws.as_ref()).await?;
            let (_, parsed) = parse_bytes(bytes, &shown)?;
            loaded.push(LoadedState {
                shown,
                parsed: Arc::new(parsed),
            });
        }
        tf.loaded = loaded;
        targets_from_states(scope);
    }
    Ok(())
}

async fn read_source(
    s: &StateSource,
    shown: &str,
    tf: &TerraformScope,
    aws: Option<&crate::config::AwsScope>,
) -> Result<Vec<u8>, InputError> {
    let failed = |e: driftgate_model::ProviderError| {
        let hint = e.hint();
        InputError::whole_file(
            Path::new(shown),
            format!(
                "cannot read the Terraform state: {e}{}",
                if hint.is_empty() {
                    String::new()
                } else {
                    format!(" ({hint})")
                }
            ),
        )
    };
    match s {
        StateSource::Local(p) => std::fs::read(p).map_err(|e| {
            InputError::whole_file(p, format!("cannot read the Terraform state: {e}"))
        }),
        StateSource::S3 { bucket, key } => {
            let target = aws.map_or_else(
                || driftgate_aws::AwsTarget {
                    region: None,
                    profile: None,
                    role_arn: None,
                    external_id: None,
                },
                |a| a.target(a.regions.first().cloned()),
            );
            let sdk = driftgate_aws::sdk_config(&target).await;
            driftgate_aws::s3::get_object(&sdk, bucket, key)
                .await
                .map_err(failed)
        }
        StateSource::Gcs { bucket, object } => {
            let token: Arc<dyn driftgate_gcp::TokenSource> =
                match std::env::var("DRIFTGATE_GCP_TOKEN") {
                    Ok(t) if !t.is_empty() => Arc::new(driftgate_gcp::StaticToken(t)),
                    _ => Arc::new(driftgate_gcp::Adc::for_scope(
                        driftgate_gcp::credential::STORAGE_SCOPE,
                    )),
                };
            let endpoint = tf
                .gcs_endpoint
                .as_deref()
                .unwrap_or(driftgate_gcp::storage::STORAGE_ENDPOINT);
            driftgate_gcp::storage::download(endpoint, token.as_ref(), bucket, object)
                .await
                .map_err(failed)
        }
        StateSource::Azure {
            account,
            container,
            key,
        } => {
            let token: Arc<dyn driftgate_azure::TokenSource> =
                match std::env::var("DRIFTGATE_AZURE_STORAGE_TOKEN") {
                    Ok(t) if !t.is_empty() => Arc::new(driftgate_azure::StaticToken(t)),
                    _ => Arc::new(driftgate_azure::IdentityChain::from_env_for(
                        driftgate_azure::credential::STORAGE_SCOPE,
                    )),
                };
            let endpoint = tf
                .blob_endpoint
                .clone()
                .unwrap_or_else(|| driftgate_azure::blob::account_endpoint(account));
            driftgate_azure::blob::get_blob(&endpoint, token.as_ref(), container, key)
                .await
                .map_err(failed)
        }
    }
}

/// An AWS section naming no cluster, zone or VPC takes those of its
/// states' resources.
fn targets_from_states(scope: &mut crate::config::Scope) {
    let (Some(aws), Some(tf)) = (scope.aws.as_mut(), scope.terraform.as_ref()) else {
        return;
    };
    if !(aws.ecs_clusters.is_empty()
        && aws.route53_zones.is_empty()
        && aws.security_group_vpcs.is_empty())
    {
        return;
    }
    let all = || tf.loaded.iter().flat_map(|l| l.parsed.instances.iter());
    let index = super::Index::of(all());
    let mut clusters = Vec::new();
    let mut zones = Vec::new();
    let mut vpcs = Vec::new();
    let push = |list: &mut Vec<String>, v: String| {
        if !v.is_empty() && !list.contains(&v) {
            list.push(v);
        }
    };
    for i in all().filter(|i| i.mode == state::Mode::Managed) {
        let a = &i.attributes;
        match i.rtype.as_str() {
            "aws_ecs_service" => push(
                &mut clusters,
                crate::kinds::ecs_service::formats::cluster_name(
                    super::text(a, "cluster").unwrap_or_default(),
                )
                .to_owned(),
            ),
            "aws_route53_zone" => {
                push(
                    &mut zones,
                    driftgate_model::dns::canonical_name(
                        super::text(a, "name").unwrap_or_default(),
                    ),
                );
            }
            "aws_route53_record" => {
                if let Some(z) = super::text(a, "zone_id").and_then(|z| index.zones.get(z)) {
                    push(&mut zones, z.clone());
                } else if let Some(z) =
                    crate::kinds::dns_record::formats::terraform::zone_from_names(a)
                {
                    push(&mut zones, z);
                }
            }
            "aws_security_group" | "aws_default_security_group" => {
                push(
                    &mut vpcs,
                    super::text(a, "vpc_id").unwrap_or_default().to_owned(),
                );
            }
            _ => {}
        }
    }
    aws.set_targets(clusters, zones, vpcs);
}
