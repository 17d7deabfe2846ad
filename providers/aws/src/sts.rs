//! The caller's account, for the report's metadata: STS GetCallerIdentity,
//! which every identity may call (no IAM permission needed), through the
//! signed Query client. A failure here never makes the scan incomplete: the
//! account is metadata, the resources are read by the other calls.

use crate::ec2::xml;
use crate::signed::SignedClient;
use aws_config::SdkConfig;

/// The STS API version the Query protocol names.
const API_VERSION: &str = "2011-06-15";

fn error(text: &str) -> Option<(String, String)> {
    let (_, v) = xml::parse(text).ok()?;
    let e = v.pointer("/Error")?;
    Some((
        e.get("Code")?.as_str()?.to_owned(),
        e.get("Message")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned(),
    ))
}

fn whole(text: &str) -> Result<(), String> {
    crate::whole::xml(text, "GetCallerIdentityResponse", &["Account"])
}

/// The account id of the credentials in `config`, or `None` when STS does
/// not say.
pub async fn caller_account(config: &SdkConfig) -> Option<String> {
    let body = format!("Action=GetCallerIdentity&Version={API_VERSION}");
    let text = SignedClient::new(config, "sts")
        .post(
            "GetCallerIdentity",
            "application/x-www-form-urlencoded; charset=utf-8",
            &[],
            body,
            error,
            whole,
        )
        .await
        .ok()?;
    let (_, v) = xml::parse(&text).ok()?;
    v.pointer("/GetCallerIdentityResult/Account")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_account_and_the_error_code() {
        let ok = "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/ci</Arn><UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>";
        assert!(super::whole(ok).is_ok());
        assert!(super::whole(&ok[..60]).is_err());
        let (_, v) = super::xml::parse(ok).unwrap();
        assert_eq!(
            v.pointer("/GetCallerIdentityResult/Account").unwrap(),
            "123456789012"
        );
        let err = "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>bad</Message></Error></ErrorResponse>";
        assert_eq!(
            super::error(err),
            Some(("InvalidClientTokenId".into(), "bad".into()))
        );
    }
}
