//! ecspresso's template functions in declared files: `{{ env "NAME" "default" }}`
//! and `{{ must_env "NAME" }}` (arguments in backticks or double quotes),
//! rendered from the environment the way `ecspresso render` does, so an
//! ecspresso repository is read as it is deployed. Any other template
//! expression is an error: comparing an unrendered template with live values
//! would report drift that is not there.

use serde_json::Value;

/// Renders every string of a document. On failure, the template text that
/// failed and why.
///
/// # Errors
/// An unknown function, a malformed expression, or `must_env` of an unset variable.
pub fn render(v: &mut Value, env: &dyn Fn(&str) -> Option<String>) -> Result<(), (String, String)> {
    match v {
        Value::String(s) if s.contains("{{") => {
            *s = render_str(s, env)?;
            Ok(())
        }
        Value::Array(a) => a.iter_mut().try_for_each(|x| render(x, env)),
        Value::Object(o) => o.values_mut().try_for_each(|x| render(x, env)),
        _ => Ok(()),
    }
}

pub(crate) fn render_str(
    s: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, (String, String)> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find("}}") else {
            return Err((
                rest[start..].to_owned(),
                "a template `{{` is never closed".to_owned(),
            ));
        };
        let whole = &rest[start..start + len + 2];
        let inner = whole[2..whole.len() - 2]
            .trim()
            .trim_start_matches('-')
            .trim_end_matches('-')
            .trim();
        let fail = |why: String| (whole.to_owned(), why);
        let words = split_words(inner).map_err(fail)?;
        let value = match words.as_slice() {
            [f, name] if f == "must_env" => env(name).ok_or_else(|| {
                fail(format!(
                    "must_env: environment variable `{name}` is not set"
                ))
            })?,
            [f, name] if f == "env" => env(name).unwrap_or_default(),
            [f, name, default] if f == "env" => env(name).unwrap_or_else(|| default.clone()),
            _ => {
                return Err(fail(
                    "unsupported template: driftgate renders only ecspresso's `env` and `must_env`; render the file first"
                        .to_owned(),
                ));
            }
        };
        out.push_str(&value);
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Splits `must_env `X`` into words; backticks and double quotes delimit arguments.
pub(crate) fn split_words(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '`' || c == '"' {
            chars.next();
            let mut w = String::new();
            loop {
                match chars.next() {
                    Some(x) if x == c => break,
                    Some(x) => w.push(x),
                    None => return Err("an argument's quote is never closed".to_owned()),
                }
            }
            words.push(w);
        } else {
            let mut w = String::new();
            while let Some(&x) = chars.peek() {
                if x.is_whitespace() {
                    break;
                }
                w.push(x);
                chars.next();
            }
            words.push(w);
        }
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(name: &str) -> Option<String> {
        (name == "AWS_ACCOUNT_ID").then(|| "123456789012".to_owned())
    }

    #[test]
    fn renders_env_and_must_env() {
        let mut v = json!({"a": "arn:aws:iam::{{must_env `AWS_ACCOUNT_ID`}}:role/x",
                           "b": ["img:{{ env `TAG` `latest` }}"], "c": "{{ env \"AWS_ACCOUNT_ID\" }}"});
        render(&mut v, &env).unwrap();
        assert_eq!(v["a"], "arn:aws:iam::123456789012:role/x");
        assert_eq!(v["b"][0], "img:latest");
        assert_eq!(v["c"], "123456789012");
    }

    #[test]
    fn refuses_what_it_cannot_render() {
        let mut v = json!("{{ must_env `NOPE` }}");
        let (at, why) = render(&mut v, &env).unwrap_err();
        assert_eq!(at, "{{ must_env `NOPE` }}");
        assert!(why.contains("`NOPE` is not set"));
        let mut v = json!("{{ tfstate `aws_iam_role.x.arn` }}");
        assert!(
            render(&mut v, &env)
                .unwrap_err()
                .1
                .contains("unsupported template")
        );
        let mut v = json!("x {{ env `A`");
        assert!(render(&mut v, &env).unwrap_err().1.contains("never closed"));
    }
}
