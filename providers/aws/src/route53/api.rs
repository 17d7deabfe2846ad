//! The Route53 read calls. Only List calls are made here.

use crate::error::classify;
use crate::pace::{Family, Pacer};
use aws_sdk_route53::types::{ResourceRecordSet, RrType};
use driftgate_model::{ErrorKind, ProviderError};
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

/// Every AWS action this module calls (see `ecs::api::ACTIONS`).
pub const ACTIONS: &[&str] = &[
    "route53:ListHostedZonesByName",
    "route53:ListResourceRecordSets",
];

/// Record sets a ListResourceRecordSets page holds at most.
pub const PAGE_SIZE: i32 = 300;

/// The ids of the hosted zones (public or private) named exactly `name`.
///
/// # Errors
/// The call's failure, classified.
pub async fn zone_ids(
    client: &aws_sdk_route53::Client,
    pacer: &Pacer,
    name: &str,
) -> Result<Vec<String>, ProviderError> {
    // Each zone is looked up once per account for the whole process: the
    // scan's lookup serves `--blame` (and another scope naming the zone).
    type Known = Mutex<HashMap<(String, String), Vec<String>>>;
    static KNOWN: OnceLock<Known> = OnceLock::new();
    let key = (pacer.account_key().await, name.to_owned());
    if let Some(ids) = KNOWN
        .get_or_init(Known::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(&key)
    {
        return Ok(ids.clone());
    }
    pacer.wait(Family::Route53).await;
    let out = client
        .list_hosted_zones_by_name()
        .dns_name(format!("{name}."))
        .max_items(100)
        .send()
        .await
        .map_err(|e| classify(&e, "route53", "ListHostedZonesByName"))?;
    let ids: Vec<String> = out
        .hosted_zones()
        .iter()
        .filter(|z| driftgate_model::dns::canonical_name(z.name()) == name)
        .map(|z| z.id().trim_start_matches("/hostedzone/").to_owned())
        .collect();
    KNOWN
        .get_or_init(Known::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(key, ids.clone());
    Ok(ids)
}

/// Every record set of a hosted zone, following NextRecordName,
/// NextRecordType and NextRecordIdentifier, each record set once even when a
/// page boundary repeats one. Each page is handed to `each` as it arrives,
/// so a large zone is never held twice (SDK types and model); only the
/// keys of the page before are kept to tell a repeat (Route53 lists in
/// order, so a repeat can only come back across the boundary it straddles),
/// not the whole zone's.
///
/// # Errors
/// The first failed call, classified.
pub async fn record_sets(
    client: &aws_sdk_route53::Client,
    pacer: &Pacer,
    zone_id: &str,
    mut each: impl FnMut(&ResourceRecordSet),
) -> Result<(), ProviderError> {
    type Key = (String, String, Option<String>);
    let mut last_page: HashSet<Key> = HashSet::new();
    let mut start: Option<(String, RrType, Option<String>)> = None;
    loop {
        pacer.wait(Family::Route53).await;
        let mut req = client
            .list_resource_record_sets()
            .hosted_zone_id(zone_id)
            .max_items(PAGE_SIZE);
        if let Some((name, rtype, ident)) = &start {
            req = req
                .start_record_name(name)
                .start_record_type(rtype.clone())
                .set_start_record_identifier(ident.clone());
        }
        let page = req
            .send()
            .await
            .map_err(|e| classify(&e, "route53", "ListResourceRecordSets"))?;
        let sets = page.resource_record_sets();
        let mut this_page: HashSet<Key> = HashSet::with_capacity(sets.len());
        for set in sets {
            let key = (
                set.name().to_owned(),
                set.r#type().as_str().to_owned(),
                set.set_identifier().map(str::to_owned),
            );
            if !last_page.contains(&key) && this_page.insert(key) {
                each(set);
            }
        }
        last_page = this_page;
        if !page.is_truncated() {
            break;
        }
        let (Some(name), Some(rtype)) = (page.next_record_name(), page.next_record_type()) else {
            // More pages, but no way to ask for them: never take this
            // page as the last one.
            return Err(ProviderError::new(
                ErrorKind::Malformed,
                "route53",
                "ListResourceRecordSets",
                "the answer says IsTruncated but names no NextRecordName/NextRecordType",
            ));
        };
        let next = (
            name.to_owned(),
            rtype.clone(),
            page.next_record_identifier().map(str::to_owned),
        );
        if start.as_ref() == Some(&next) {
            // The same page again: neither loop forever nor stop short.
            return Err(ProviderError::new(
                ErrorKind::Malformed,
                "route53",
                "ListResourceRecordSets",
                format!(
                    "the next page starts where this one did ({name} {rtype}): the listing does not advance",
                    rtype = rtype.as_str()
                ),
            ));
        }
        start = Some(next);
    }
    Ok(())
}
