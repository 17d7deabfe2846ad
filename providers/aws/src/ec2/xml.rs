//! A small reader for the EC2 Query API's XML: the document as JSON, lists
//! of `<item>` elements as arrays, element text as strings. On top of
//! xmlparser, the tokenizer the SDK's own XML decoder uses.

use serde_json::{Map, Value};

struct Open {
    name: String,
    children: Vec<(String, Value)>,
    text: String,
}

fn finish(o: Open) -> Value {
    if o.children.is_empty() {
        return Value::String(unescape(o.text.trim()));
    }
    if o.children.iter().all(|(n, _)| n == "item") {
        return Value::Array(o.children.into_iter().map(|(_, v)| v).collect());
    }
    let mut m = Map::new();
    for (n, v) in o.children {
        m.insert(n, v);
    }
    Value::Object(m)
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find(';') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let entity = &rest[i + 1..i + j];
        let ch = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => out.push(c),
            None => out.push_str(&rest[i..=i + j]),
        }
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    out
}

/// The document's root element as JSON: `(root name, value)`.
///
/// # Errors
/// Text that is not well-formed XML.
pub fn parse(text: &str) -> Result<(String, Value), String> {
    let mut stack: Vec<Open> = Vec::new();
    let mut root = None;
    for token in xmlparser::Tokenizer::from(text) {
        match token.map_err(|e| format!("malformed XML: {e}"))? {
            xmlparser::Token::ElementStart { local, .. } => stack.push(Open {
                name: local.as_str().to_owned(),
                children: Vec::new(),
                text: String::new(),
            }),
            xmlparser::Token::ElementEnd { end, .. } => match end {
                xmlparser::ElementEnd::Open => {}
                xmlparser::ElementEnd::Close(..) | xmlparser::ElementEnd::Empty => {
                    let done = stack.pop().ok_or("unbalanced XML")?;
                    let name = done.name.clone();
                    let value = finish(done);
                    match stack.last_mut() {
                        Some(parent) => parent.children.push((name, value)),
                        None => root = Some((name, value)),
                    }
                }
            },
            xmlparser::Token::Text { text } => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(text.as_str());
                }
            }
            xmlparser::Token::Cdata { text, .. } => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(text.as_str());
                }
            }
            _ => {}
        }
    }
    root.ok_or_else(|| "no XML element".to_owned())
}

/// The code and message of an EC2 error answer
/// (`<Response><Errors><Error><Code>`).
#[must_use]
pub fn error(text: &str) -> Option<(String, String)> {
    let (_, v) = parse(text).ok()?;
    let e = v.pointer("/Errors/Error")?;
    Some((
        e.get("Code")?.as_str()?.to_owned(),
        e.get("Message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
    ))
}

/// A DescribeSecurityGroups answer: its groups in the shape `aws ec2
/// describe-security-groups` prints, and the next page's token.
///
/// # Errors
/// An answer of another shape.
pub fn security_groups(text: &str) -> Result<(Vec<Value>, Option<String>), String> {
    let (name, v) = parse(text)?;
    if name != "DescribeSecurityGroupsResponse" {
        return Err(format!(
            "expected DescribeSecurityGroupsResponse, got {name}"
        ));
    }
    let groups = match v.get("securityGroupInfo") {
        Some(Value::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    let groups = groups.into_iter().map(cli_shape).collect();
    let next = v
        .get("nextToken")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    Ok((groups, next))
}

/// EC2 XML names -> the CLI's: first letter up, and `groups` of a
/// permission is `UserIdGroupPairs`; empty elements are empty lists.
fn cli_shape(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let key = match k.as_str() {
                        "groups" => "UserIdGroupPairs".to_owned(),
                        "ipv6Ranges" => "Ipv6Ranges".to_owned(),
                        "tagSet" => "Tags".to_owned(),
                        "groupDescription" => "Description".to_owned(),
                        _ => {
                            let mut c = k.chars();
                            c.next()
                                .map(|f| f.to_uppercase().chain(c).collect())
                                .unwrap_or_default()
                        }
                    };
                    (key, cli_shape(v))
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(cli_shape).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_describe_security_groups_answer() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>r</requestId>
  <securityGroupInfo>
    <item>
      <ownerId>123456789012</ownerId><groupId>sg-1</groupId><groupName>web</groupName>
      <groupDescription>a &amp; b</groupDescription><vpcId>vpc-1</vpcId>
      <ipPermissions>
        <item><ipProtocol>tcp</ipProtocol><fromPort>443</fromPort><toPort>443</toPort>
          <groups><item><userId>1</userId><groupId>sg-2</groupId></item></groups>
          <ipRanges><item><cidrIp>0.0.0.0/0</cidrIp><description>all</description></item></ipRanges>
          <ipv6Ranges/><prefixListIds/></item>
      </ipPermissions>
      <ipPermissionsEgress/>
    </item>
  </securityGroupInfo>
  <nextToken>abc</nextToken>
</DescribeSecurityGroupsResponse>"#;
        let (groups, next) = security_groups(xml).unwrap();
        assert_eq!(next.as_deref(), Some("abc"));
        assert_eq!(groups[0]["GroupId"], "sg-1");
        assert_eq!(groups[0]["Description"], "a & b");
        let rules = driftgate_model::firewall::rules_of_group(&groups[0]).unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "vpc-1/sg-1/ingress/tcp/443/0.0.0.0/0",
                "vpc-1/sg-1/ingress/tcp/443/sg-2"
            ]
        );
        assert_eq!(
            error(
                "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>no</Message></Error></Errors></Response>"
            ),
            Some(("UnauthorizedOperation".into(), "no".into()))
        );
    }
}
