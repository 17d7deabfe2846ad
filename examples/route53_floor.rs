//! The benchmark's floor: page one hosted zone through the SDK and do nothing
//! else (no pacing, no model, no diff). `route53_floor <zone-id>`, with
//! `AWS_ENDPOINT_URL` pointing at the server.

use aws_sdk_route53::types::RrType;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let zone_id = std::env::args()
        .nth(1)
        .expect("usage: route53_floor <zone-id>");
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(driftgate_aws::client::http_client())
        .region(aws_config::Region::new("us-east-1"))
        .load()
        .await;
    let client = aws_sdk_route53::Client::new(&config);
    let mut start: Option<(String, RrType, Option<String>)> = None;
    let mut count = 0usize;
    loop {
        let mut req = client
            .list_resource_record_sets()
            .hosted_zone_id(&zone_id)
            .max_items(300);
        if let Some((n, t, i)) = &start {
            req = req
                .start_record_name(n)
                .start_record_type(t.clone())
                .set_start_record_identifier(i.clone());
        }
        let page = req.send().await.expect("ListResourceRecordSets");
        count += page.resource_record_sets().len();
        if !page.is_truncated() {
            break;
        }
        start = Some((
            page.next_record_name().unwrap_or_default().to_owned(),
            page.next_record_type().cloned().expect("NextRecordType"),
            page.next_record_identifier().map(str::to_owned),
        ));
    }
    eprintln!("{count} record sets");
}
