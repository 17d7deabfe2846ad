//! Terraform / OpenTofu state, as its own tool writes it, into a flat list
//! of resource instances with their addresses.
//!
//! Two shapes are read:
//! - the state file, format version 4 (Terraform 0.12 and later, every
//!   OpenTofu): `resources[]` each with `module`, `mode`, `type`, `name`,
//!   `each` and `instances[]` (`index_key`, `attributes`); deposed
//!   instances (a `create_before_destroy` replacement half done) are the
//!   old object and not read;
//! - `terraform show -json` output (the "JSON output format" of Terraform's
//!   docs, `format_version` 1.x): a state's `values.root_module`, or a
//!   plan's `planned_values.root_module` (what the configuration asks for:
//!   that is what Git declares), each with `resources[]` and
//!   `child_modules[]`.
//!
//! An address is spelled as Terraform spells it:
//! `module.dns.aws_route53_record.this["api"]`, `data.aws_route53_zone.main`,
//! `aws_security_group_rule.in[0]`.

use serde_json::Value;

/// Whether an instance is a managed resource or a data source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Managed,
    Data,
}

/// One resource instance of a state.
#[derive(Debug, Clone)]
pub struct Instance {
    /// `module.dns.aws_route53_record.this["api"]`.
    pub address: String,
    pub mode: Mode,
    /// The resource type (`aws_route53_record`).
    pub rtype: String,
    /// The attributes as the provider recorded them.
    pub attributes: Value,
    /// The line of the resource in the state's text (1 when not found).
    pub line: usize,
    /// The module path (`module.dns`), empty at the root.
    pub module: String,
    /// The resource's name in its block (`this`).
    pub name: String,
}

/// What a state file gave.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub instances: Vec<Instance>,
    /// What was read and left: format, Terraform version, instances skipped.
    pub notes: Vec<String>,
    /// `Some(version)` for a state file, `None` for show/plan JSON.
    pub terraform_version: Option<String>,
}

/// Whether a JSON document is a Terraform state (v4) or `terraform show
/// -json` output.
#[must_use]
pub fn is_terraform(v: &Value) -> bool {
    let state = v.get("version").is_some_and(Value::is_u64)
        && v.get("lineage").is_some()
        && (v.get("resources").is_some() || v.get("serial").is_some());
    let show = v.get("format_version").is_some_and(Value::is_string)
        && (v.get("values").is_some()
            || v.get("planned_values").is_some()
            || v.get("terraform_version").is_some());
    state || show
}

/// `[0]` or `["key"]`.
fn index_text(key: &Value) -> String {
    match key {
        Value::Null => String::new(),
        Value::String(s) => format!("[{}]", Value::String(s.clone())),
        other => format!("[{other}]"),
    }
}

/// The address of one instance.
#[must_use]
pub fn address(module: &str, mode: Mode, rtype: &str, name: &str, key: &Value) -> String {
    let mut out = String::new();
    if !module.is_empty() {
        out.push_str(module);
        out.push('.');
    }
    if mode == Mode::Data {
        out.push_str("data.");
    }
    out.push_str(rtype);
    out.push('.');
    out.push_str(name);
    out.push_str(&index_text(key));
    out
}

/// A forward search for each resource's line in the state's text: state
/// files list resources in order, each with `"type"` before `"name"`.
struct Lines<'a> {
    text: &'a str,
    pos: usize,
}

impl Lines<'_> {
    fn next(&mut self, rtype: &str, name: &str) -> usize {
        let ty = format!("\"type\": \"{rtype}\"");
        let nm = format!("\"name\": \"{name}\"");
        let mut from = self.pos;
        while let Some(i) = self.text[from..].find(&ty) {
            let at = from + i;
            // The name belongs to the same object: within the next lines.
            let window = &self.text[at..self.text.len().min(at + 400)];
            let before = &self.text[at.saturating_sub(400)..at];
            if window.contains(&nm) || before.contains(&nm) {
                self.pos = at + ty.len();
                return self.text[..at].matches('\n').count() + 1;
            }
            from = at + ty.len();
        }
        1
    }
}

/// Reads a state or show/plan JSON document; `text` is its text (for
/// lines).
///
/// # Errors
/// A state of another format version, a resource without its type or name,
/// a malformed instance: a message for the caller to place.
pub fn parse(v: &Value, text: &str) -> Result<Parsed, String> {
    if v.get("format_version").is_some() {
        return parse_show(v, text);
    }
    let version = v.get("version").and_then(Value::as_u64).unwrap_or(0);
    if version != 4 {
        return Err(format!(
            "a Terraform state of format version {version}: driftgate reads version 4 (Terraform 0.12 and later, OpenTofu); run `terraform state pull` with a current Terraform to upgrade it"
        ));
    }
    let mut out = Parsed {
        terraform_version: Some(
            v.get("terraform_version")
                .and_then(Value::as_str)
                .unwrap_or("unknown")
                .to_owned(),
        ),
        ..Parsed::default()
    };
    let resources = match v.get("resources") {
        None | Some(Value::Null) => return Ok(out),
        Some(Value::Array(r)) => r,
        Some(_) => return Err("`resources` must be a list".into()),
    };
    let mut lines = Lines { text, pos: 0 };
    for (i, r) in resources.iter().enumerate() {
        let field = |k: &str| r.get(k).and_then(Value::as_str);
        let (Some(rtype), Some(name)) = (field("type"), field("name")) else {
            return Err(format!("resource {} has no `type` or `name`", i + 1));
        };
        let mode = match field("mode") {
            Some("data") => Mode::Data,
            Some("managed") | None => Mode::Managed,
            Some(other) => return Err(format!("resource {rtype}.{name}: unknown mode `{other}`")),
        };
        let module = field("module").unwrap_or_default();
        let line = lines.next(rtype, name);
        let Some(instances) = r.get("instances").and_then(Value::as_array) else {
            return Err(format!("resource {rtype}.{name} has no `instances` list"));
        };
        for inst in instances {
            let key = inst.get("index_key").cloned().unwrap_or(Value::Null);
            let addr = address(module, mode, rtype, name, &key);
            if inst.get("deposed").is_some() {
                out.notes.push(format!(
                    "{addr}: a deposed object (a replacement not finished); not read"
                ));
                continue;
            }
            let attributes = match inst.get("attributes") {
                Some(a @ Value::Object(_)) => a.clone(),
                _ if inst.get("attributes_flat").is_some() => {
                    out.notes.push(format!(
                        "{addr}: attributes in the legacy flat form (a pre-0.12 provider); run `terraform apply -refresh-only` with a current provider; not compared"
                    ));
                    continue;
                }
                _ => return Err(format!("{addr}: an instance without `attributes`")),
            };
            out.instances.push(Instance {
                address: addr,
                mode,
                rtype: rtype.to_owned(),
                attributes,
                line,
                module: module.to_owned(),
                name: name.to_owned(),
            });
        }
    }
    Ok(out)
}

/// `terraform show -json`: a state's `values`, or a plan's
/// `planned_values`.
fn parse_show(v: &Value, text: &str) -> Result<Parsed, String> {
    let fv = v
        .get("format_version")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !fv.starts_with("1.") && fv != "1" {
        return Err(format!(
            "`terraform show -json` format version {fv}: driftgate reads 1.x"
        ));
    }
    let mut out = Parsed::default();
    let root = if let Some(p) = v.get("planned_values") {
        out.notes.push(
            "a plan: its planned values (what the configuration asks for) are the declared side; values known only after apply are not compared".to_owned(),
        );
        p.get("root_module")
    } else {
        v.get("values").and_then(|x| x.get("root_module"))
    };
    let Some(root) = root else {
        // An empty state prints `{"format_version": "1.0"}` only.
        return Ok(out);
    };
    let mut lines = Lines { text, pos: 0 };
    walk_module(root, &mut out, &mut lines)?;
    Ok(out)
}

fn walk_module(m: &Value, out: &mut Parsed, lines: &mut Lines<'_>) -> Result<(), String> {
    let module = m.get("address").and_then(Value::as_str).unwrap_or_default();
    for r in m
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let field = |k: &str| r.get(k).and_then(Value::as_str);
        let (Some(rtype), Some(name)) = (field("type"), field("name")) else {
            return Err("a resource without `type` or `name`".into());
        };
        let mode = if field("mode") == Some("data") {
            Mode::Data
        } else {
            Mode::Managed
        };
        let key = r.get("index").cloned().unwrap_or(Value::Null);
        let addr = field("address")
            .map_or_else(|| address(module, mode, rtype, name, &key), str::to_owned);
        let line = lines.next(rtype, name);
        let attributes = r.get("values").cloned().unwrap_or(Value::Null);
        if !attributes.is_object() {
            return Err(format!("{addr}: no `values` object"));
        }
        out.instances.push(Instance {
            address: addr,
            mode,
            rtype: rtype.to_owned(),
            attributes,
            line,
            module: module.to_owned(),
            name: name.to_owned(),
        });
    }
    for c in m
        .get("child_modules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        walk_module(c, out, lines)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn addresses_are_spelled_as_terraform_spells_them() {
        assert_eq!(
            address(
                "module.dns",
                Mode::Managed,
                "aws_route53_record",
                "this",
                &json!("api")
            ),
            "module.dns.aws_route53_record.this[\"api\"]"
        );
        assert_eq!(
            address("", Mode::Data, "aws_route53_zone", "main", &Value::Null),
            "data.aws_route53_zone.main"
        );
        assert_eq!(
            address(
                "",
                Mode::Managed,
                "aws_security_group_rule",
                "in",
                &json!(0)
            ),
            "aws_security_group_rule.in[0]"
        );
    }

    #[test]
    fn other_state_versions_are_refused_by_name() {
        let e = parse(&json!({"version": 3, "lineage": "x", "modules": []}), "").unwrap_err();
        assert!(e.contains("format version 3"), "{e}");
    }

    #[test]
    fn show_json_walks_child_modules_and_plans_use_planned_values() {
        let show = json!({"format_version": "1.0", "terraform_version": "1.11.0",
            "values": {"root_module": {
                "resources": [{"address": "aws_security_group.web", "mode": "managed", "type": "aws_security_group", "name": "web", "values": {"id": "sg-1"}}],
                "child_modules": [{"address": "module.dns", "resources": [
                    {"address": "module.dns.aws_route53_record.this[\"api\"]", "mode": "managed", "type": "aws_route53_record", "name": "this", "index": "api", "values": {"name": "api"}}]}]}}});
        let p = parse(&show, &show.to_string()).unwrap();
        let addrs: Vec<&str> = p.instances.iter().map(|i| i.address.as_str()).collect();
        assert_eq!(
            addrs,
            [
                "aws_security_group.web",
                "module.dns.aws_route53_record.this[\"api\"]"
            ]
        );
        assert_eq!(p.instances[1].module, "module.dns");
        let plan = json!({"format_version": "1.2", "planned_values": {"root_module": {"resources": [
            {"address": "aws_security_group.web", "mode": "managed", "type": "aws_security_group", "name": "web", "values": {"name": "web"}}]}},
            "prior_state": {"values": {"root_module": {}}}});
        let p = parse(&plan, "").unwrap();
        assert_eq!(p.instances.len(), 1);
        assert!(p.notes[0].contains("planned values"));
    }
}
