//! An answer counts only when it is whole.
//!
//! A 200 whose body was cut short by a proxy, or arrived empty, must never be
//! read as "no services" or "the last page": that is how a drift gate says
//! "clean" without having looked. Every read call's answer is checked here
//! against what its API always sends before it counts:
//!
//! | call | whole when |
//! |---|---|
//! | ECS ListServices | a JSON object with a `serviceArns` list |
//! | ECS DescribeServices | a JSON object with `services` and `failures` lists |
//! | ECS DescribeTaskDefinition | a JSON object with a `taskDefinition` object |
//! | Route53 ListResourceRecordSets | the root element closed, `IsTruncated` present |
//! | Route53 ListHostedZonesByName | the root element closed |
//! | EC2 (Query API) | the root element closed, `requestId` present |
//! | CloudTrail LookupEvents | a JSON object with an `Events` list |
//!
//! For the SDK clients (ECS, Route53) [`WholeAnswer`] is an interceptor that
//! turns such an answer into a response error, which the SDK's standard
//! retry mode retries like any transient fault; past the retries the call
//! fails with the reason, and the caller reports its resources unchecked.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextMut;
use aws_smithy_runtime_api::client::orchestrator::{Metadata, OrchestratorError};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use driftgate_model::http::whole_json;

/// Checks that an XML answer is one whole document: well-formed to its
/// end, its root element named `root` (any name when empty) and closed, and
/// each of `required` present as an element somewhere in it.
///
/// # Errors
/// What is wrong with the answer.
pub fn xml(text: &str, root: &str, required: &[&str]) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("the answer is empty (HTTP 200 with no body)".into());
    }
    let mut depth = 0usize;
    let mut closed_root = None;
    let mut seen = vec![false; required.len()];
    for token in xmlparser::Tokenizer::from(text) {
        let token = token.map_err(|e| format!("the answer is not well-formed XML: {e}"))?;
        match token {
            xmlparser::Token::ElementStart { local, .. } => {
                if closed_root.is_some() {
                    return Err("the answer has content after its root element".into());
                }
                if depth == 0 && !root.is_empty() && local.as_str() != root {
                    return Err(format!(
                        "the answer's root element is `{}`, not `{root}`",
                        local.as_str()
                    ));
                }
                if let Some(i) = required.iter().position(|r| *r == local.as_str()) {
                    seen[i] = true;
                }
                depth += 1;
            }
            xmlparser::Token::ElementEnd { end, .. } => match end {
                xmlparser::ElementEnd::Open => {}
                xmlparser::ElementEnd::Close(_, name) => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        closed_root = Some(name.as_str().to_owned());
                    }
                }
                xmlparser::ElementEnd::Empty => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        closed_root = Some(String::new());
                    }
                }
            },
            _ => {}
        }
    }
    if closed_root.is_none() {
        return Err(format!(
            "the answer is cut short ({} bytes, its root element is never closed)",
            text.len()
        ));
    }
    if let Some(i) = seen.iter().position(|s| !s) {
        return Err(format!("the answer has no `{}` element", required[i]));
    }
    Ok(())
}

/// An EC2 Query answer is whole.
///
/// # Errors
/// What is wrong with it.
pub fn ec2(text: &str) -> Result<(), String> {
    xml(text, "", &["requestId"])
}

/// A CloudTrail LookupEvents answer is whole.
///
/// # Errors
/// What is wrong with it.
pub fn cloudtrail(text: &str) -> Result<(), String> {
    whole_json(text.as_bytes(), &["Events"]).map(|_| ())
}

/// What a successful answer of an SDK operation must hold, by operation.
fn check(operation: &str, body: &[u8]) -> Result<(), String> {
    match operation {
        "ListServices" => whole_json(body, &["serviceArns"]).map(|_| ()),
        "DescribeServices" => whole_json(body, &["services", "failures"]).map(|_| ()),
        "DescribeTaskDefinition" => {
            let v = whole_json(body, &[])?;
            if v.get("taskDefinition")
                .is_some_and(serde_json::Value::is_object)
            {
                Ok(())
            } else {
                Err("the answer has no `taskDefinition` object".into())
            }
        }
        "ListResourceRecordSets" => xml(
            &String::from_utf8_lossy(body),
            "ListResourceRecordSetsResponse",
            &["IsTruncated"],
        ),
        // The API documents IsTruncated here too, but moto leaves it out;
        // a closed root is what proves this one-page lookup whole.
        "ListHostedZonesByName" => xml(
            &String::from_utf8_lossy(body),
            "ListHostedZonesByNameResponse",
            &[],
        ),
        _ => Ok(()),
    }
}

/// The interceptor every SDK client driftgate builds carries: a successful
/// answer that is not whole becomes a (retried) response error.
#[derive(Debug, Clone, Copy, Default)]
pub struct WholeAnswer;

impl Intercept for WholeAnswer {
    fn name(&self) -> &'static str {
        "driftgate::WholeAnswer"
    }

    fn modify_before_attempt_completion(
        &self,
        context: &mut FinalizerInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(operation) = cfg.load::<Metadata>().map(|m| m.name().to_owned()) else {
            return Ok(());
        };
        // A 200 counts only when whole, whether the SDK read it as output or,
        // failing to parse it, as an error without a code.
        let Some(response) = context.response() else {
            return Ok(());
        };
        if response.status().as_u16() != 200 {
            return Ok(());
        }
        let Some(body) = response.body().bytes().map(<[u8]>::to_vec) else {
            return Ok(());
        };
        if let Err(why) = check(&operation, &body)
            && let Some(slot) = context.output_or_error_mut()
        {
            *slot = Err(OrchestratorError::response(BoxError::from(
                IncompleteAnswer(why),
            )));
        }
        Ok(())
    }
}

/// Why an answer did not count.
#[derive(Debug)]
pub struct IncompleteAnswer(pub String);

impl std::fmt::Display for IncompleteAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for IncompleteAnswer {}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ResourceRecordSets><ResourceRecordSet><Name>a.example.com.</Name><Type>A</Type><TTL>300</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>300</MaxItems></ListResourceRecordSetsResponse>"#;

    #[test]
    fn a_whole_route53_page_counts_and_every_cut_of_it_does_not() {
        assert_eq!(check("ListResourceRecordSets", PAGE.as_bytes()), Ok(()));
        for cut in 0..PAGE.len() - 1 {
            let part = &PAGE.as_bytes()[..cut];
            assert!(
                check("ListResourceRecordSets", part).is_err(),
                "a page cut at byte {cut} was taken as whole"
            );
        }
        let without = PAGE.replace("<IsTruncated>false</IsTruncated>", "");
        assert!(
            check("ListResourceRecordSets", without.as_bytes())
                .unwrap_err()
                .contains("IsTruncated")
        );
    }

    #[test]
    fn ecs_answers_need_the_fields_ecs_always_sends() {
        assert!(check("ListServices", br#"{"serviceArns": []}"#).is_ok());
        assert!(check("ListServices", b"").unwrap_err().contains("empty"));
        assert!(
            check("ListServices", b"{}")
                .unwrap_err()
                .contains("serviceArns")
        );
        assert!(
            check("ListServices", br#"{"serviceArns": ["arn:a"#)
                .unwrap_err()
                .contains("cut short")
        );
        assert!(check("DescribeServices", br#"{"services": [], "failures": []}"#).is_ok());
        assert!(check("DescribeServices", br#"{"services": []}"#).is_err());
        assert!(check("DescribeTaskDefinition", br#"{"taskDefinition": {}}"#).is_ok());
        assert!(check("DescribeTaskDefinition", br#"{"tags": []}"#).is_err());
        assert!(check("SomethingElse", b"").is_ok());
    }

    #[test]
    fn ec2_answers_need_a_closed_root_and_a_request_id() {
        let ok = "<DescribeSecurityGroupsResponse><requestId>r</requestId><securityGroupInfo/></DescribeSecurityGroupsResponse>";
        assert!(ec2(ok).is_ok());
        assert!(ec2(&ok[..ok.len() - 5]).is_err());
        assert!(ec2(&ok[..ok.len() - 36]).unwrap_err().contains("cut short"));
        assert!(
            ec2("<X><securityGroupInfo/></X>")
                .unwrap_err()
                .contains("requestId")
        );
        assert!(ec2("").unwrap_err().contains("empty"));
        assert!(cloudtrail(r#"{"Events": []}"#).is_ok());
        assert!(cloudtrail("{}").is_err());
    }
}
