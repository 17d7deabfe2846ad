//! `[scope.aws]`: regions, an assumed role, and the ECS clusters, Route53
//! zones and VPCs a scope reads.

use driftgate_model::ids::{check_prefix, prefixed, qualified};
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAws {
    region: Option<String>,
    /// Several regions, scanned concurrently: instead of `region`.
    regions: Option<Spanned<Vec<String>>>,
    profile: Option<String>,
    /// A role to assume (with the standard chain's credentials) for this scope.
    role_arn: Option<Spanned<String>>,
    /// The external id the role's trust policy asks for.
    external_id: Option<String>,
    /// Prefixes this scope's cluster and zone ids (`prod:main/api`), so two
    /// accounts may both have a cluster or zone of the same name.
    id_prefix: Option<Spanned<String>>,
    #[serde(default)]
    ecs_clusters: Vec<Spanned<String>>,
    #[serde(default)]
    route53_zones: Vec<String>,
    #[serde(default)]
    security_group_vpcs: Vec<String>,
}

/// The AWS part of a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsScope {
    /// The regions to read; empty means the credential chain's region.
    pub regions: Vec<String>,
    pub profile: Option<String>,
    pub role_arn: Option<String>,
    pub external_id: Option<String>,
    /// `id_prefix`: the part before `:` in this scope's cluster and zone ids.
    pub id_prefix: Option<String>,
    pub ecs_clusters: Vec<String>,
    /// Every cluster in every region: what is read (a shard keeps a part).
    pub ecs: Vec<EcsTarget>,
    pub route53_zones: Vec<String>,
    pub security_group_vpcs: Vec<String>,
}

/// One ECS cluster in one region: what a scan reads and a shard deals out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcsTarget {
    pub region: Option<String>,
    pub cluster: String,
    /// The cluster part of resource ids: the cluster's name, or
    /// `<cluster>@<region>` in a scope that reads several regions (a cluster
    /// name is only unique within its region), after the scope's
    /// `<id_prefix>:` if it has one.
    pub target: String,
}

impl AwsScope {
    /// Whether the scope reads more than one region, so that regional
    /// resource ids carry their region.
    #[must_use]
    pub fn multi_region(&self) -> bool {
        self.regions.len() > 1
    }

    /// The regions to read, `None` standing for the credential chain's.
    #[must_use]
    pub fn region_list(&self) -> Vec<Option<String>> {
        if self.regions.is_empty() {
            vec![None]
        } else {
            self.regions.iter().cloned().map(Some).collect()
        }
    }

    /// Every cluster in every region of the scope.
    #[must_use]
    pub fn ecs_targets(&self) -> Vec<EcsTarget> {
        self.ecs.clone()
    }

    fn cross(regions: &[String], clusters: &[String], prefix: Option<&str>) -> Vec<EcsTarget> {
        let region_list: Vec<Option<String>> = if regions.is_empty() {
            vec![None]
        } else {
            regions.iter().cloned().map(Some).collect()
        };
        let mut out = Vec::new();
        for region in region_list {
            for cluster in clusters {
                let target = match (&region, regions.len() > 1) {
                    (Some(r), true) => qualified(cluster, r),
                    _ => cluster.clone(),
                };
                let target = prefixed(prefix, &target);
                out.push(EcsTarget {
                    region: region.clone(),
                    cluster: cluster.clone(),
                    target,
                });
            }
        }
        out
    }

    /// Sets the clusters, zones and VPCs a scope reads when they come from
    /// elsewhere than the config (the resources of a Terraform state).
    pub fn set_targets(&mut self, clusters: Vec<String>, zones: Vec<String>, vpcs: Vec<String>) {
        self.ecs = AwsScope::cross(&self.regions, &clusters, self.id_prefix.as_deref());
        self.ecs_clusters = clusters;
        self.route53_zones = zones;
        self.security_group_vpcs = vpcs;
    }

    /// The credentials and region to read `region` with.
    #[must_use]
    pub fn target(&self, region: Option<String>) -> crate::AwsTarget {
        crate::AwsTarget {
            region,
            profile: self.profile.clone(),
            role_arn: self.role_arn.clone(),
            external_id: self.external_id.clone(),
        }
    }
}

/// `arn:<partition>:iam::<12 digits>:role/<path and name>`.
pub fn is_role_arn(s: &str) -> bool {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", partition, "iam", "", account, resource]
        if partition.starts_with("aws")
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit())
            && resource.strip_prefix("role/").is_some_and(|n| !n.is_empty()))
}

/// Validates a scope's `[scope.aws]`; `seen` holds the targets of the
/// scopes before it (a target belongs to one scope).
///
/// # Errors
/// A bad value, at its place.
pub fn parse<E>(
    a: RawAws,
    name: &str,
    start: usize,
    clusters_seen: &mut Vec<(String, String)>,
    at: &dyn Fn(usize, String) -> E,
) -> Result<AwsScope, E> {
    let name = name.to_owned();
    let regions = match (a.region, a.regions) {
        (Some(_), Some(list)) => {
            return Err(at(
                list.span().start,
                "give `region` or `regions`, not both".to_owned(),
            ));
        }
        (Some(r), None) => vec![r],
        (None, Some(list)) => {
            let offset = list.span().start;
            let list = list.into_inner();
            if list.is_empty() {
                return Err(at(offset, "`regions` is empty".to_owned()));
            }
            for (i, r) in list.iter().enumerate() {
                if r.is_empty() || list[..i].contains(r) {
                    return Err(at(offset, format!("region `{r}` is empty or listed twice")));
                }
            }
            list
        }
        (None, None) => Vec::new(),
    };
    let role_arn = match a.role_arn {
        Some(r) => {
            if !is_role_arn(r.get_ref()) {
                return Err(at(
                    r.span().start,
                    format!(
                        "`{}` is not a role ARN like arn:aws:iam::123456789012:role/driftgate-read",
                        r.get_ref()
                    ),
                ));
            }
            Some(r.into_inner())
        }
        None => None,
    };
    if a.external_id.is_some() && role_arn.is_none() {
        return Err(at(
            start,
            format!("scope `{name}`: `external_id` needs a `role_arn`"),
        ));
    }
    let id_prefix = id_prefix(a.id_prefix, at)?;
    let pre = |t: &str| prefixed(id_prefix.as_deref(), t);
    let multi = regions.len() > 1;
    for c in &a.ecs_clusters {
        if c.get_ref().contains('@') || c.get_ref().contains('/') {
            return Err(at(
                c.span().start,
                format!(
                    "`{}` is not a cluster name: list plain names; in a scope with several regions each is read in every region",
                    c.get_ref()
                ),
            ));
        }
        let targets: Vec<String> = if multi {
            regions
                .iter()
                .map(|r| pre(&qualified(c.get_ref(), r)))
                .collect()
        } else {
            vec![pre(c.get_ref())]
        };
        for t in targets {
            if let Some((_, other)) = clusters_seen.iter().find(|(k, _)| *k == t) {
                return Err(at(
                    c.span().start,
                    format!(
                        "cluster `{t}` is already in scope `{other}`: a cluster belongs to one scope (two accounts with a cluster of this name: give each scope an `id_prefix`, e.g. the account's alias)",
                    ),
                ));
            }
            clusters_seen.push((t, name.clone()));
        }
    }
    for z in &a.route53_zones {
        let zone = pre(&driftgate_model::dns::canonical_name(z));
        if let Some((_, other)) = clusters_seen
            .iter()
            .find(|(k, _)| *k == format!("zone:{zone}"))
        {
            return Err(at(
                start,
                format!(
                    "zone `{zone}` is already in scope `{other}`: a zone belongs to one scope (two accounts with a zone of this name: give each scope an `id_prefix`)"
                ),
            ));
        }
        clusters_seen.push((format!("zone:{zone}"), name.clone()));
    }
    for v in &a.security_group_vpcs {
        if let Some((_, other)) = clusters_seen.iter().find(|(k, _)| *k == format!("vpc:{v}")) {
            return Err(at(
                start,
                format!("VPC `{v}` is already in scope `{other}`: a VPC belongs to one scope"),
            ));
        }
        clusters_seen.push((format!("vpc:{v}"), name.clone()));
    }
    let ecs_clusters: Vec<String> = a
        .ecs_clusters
        .into_iter()
        .map(Spanned::into_inner)
        .collect();
    Ok(AwsScope {
        ecs: AwsScope::cross(&regions, &ecs_clusters, id_prefix.as_deref()),
        regions,
        profile: a.profile,
        role_arn,
        external_id: a.external_id,
        id_prefix,
        ecs_clusters,
        route53_zones: a.route53_zones,
        security_group_vpcs: a.security_group_vpcs,
    })
}

/// A validated `id_prefix`, or the error at its place.
fn id_prefix<E>(
    p: Option<Spanned<String>>,
    at: &dyn Fn(usize, String) -> E,
) -> Result<Option<String>, E> {
    match p {
        None => Ok(None),
        Some(p) => match check_prefix(p.get_ref()) {
            Ok(()) => Ok(Some(p.into_inner())),
            Err(m) => Err(at(p.span().start, m)),
        },
    }
}
