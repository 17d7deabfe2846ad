//! ecspresso's own layout, read through its config as ecspresso reads it:
//! `ecspresso.yml` (or `.yaml`, `.json`) names the region, the cluster, the
//! service, and the files of the service and task definitions.
//!
//! ```yaml
//! region: ap-northeast-1
//! cluster: default
//! service: "{{ must_env `SERVICE` }}"
//! service_definition: ecs-service-def.json
//! task_definition: ecs-task-def.json
//! ```
//!
//! The config is a template, rendered before it is read: `{{ env }}` and
//! `{{ must_env }}`, and `{{ if env ... }}`/`{{ else }}`/`{{ end }}` lines on
//! a set or unset variable. The definition files may use ecspresso's
//! plugin functions (`{{ tfstate }}`, `{{ ssm }}`, `{{ secretsmanager_arn }}`):
//! driftgate does not resolve those, so that service is reported unchecked
//! with the reason, never compared against an unrendered value. Jsonnet
//! files are not evaluated (likewise unchecked).

use crate::declared::template;
use crate::error::InputError;
use std::path::{Path, PathBuf};

/// One service of an ecspresso config.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The config, as shown.
    pub config: String,
    /// The config's (normalized) path.
    pub config_path: PathBuf,
    pub region: Option<String>,
    pub cluster: String,
    pub service: String,
    /// Normalized paths of the two definition files.
    pub service_definition: Option<PathBuf>,
    pub task_definition: Option<PathBuf>,
    /// The task definition's family, where the file says it.
    pub family: Option<String>,
    /// Why the service cannot be compared (a plugin function, Jsonnet).
    pub unresolved: Option<String>,
}

/// Whether a file is an ecspresso config: named as ecspresso's is, or (a
/// config passed with `--config`) YAML/JSON naming a `service_definition`
/// or `task_definition` beside a `cluster`.
#[must_use]
pub fn is_config(path: &Path) -> bool {
    if is_config_name(path) {
        return true;
    }
    if !matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yml" | "yaml" | "json")
    ) {
        return false;
    }
    // A config is a few lines: big files (zones, exports) are not read twice.
    if std::fs::metadata(path).map_or(true, |m| m.len() > 64 * 1024) {
        return false;
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    let key = |k: &str| {
        text.lines().any(|l| {
            let l = l.trim_start_matches(['{', ' ', '"']);
            l.starts_with(k)
                && l[k.len()..]
                    .trim_start_matches('"')
                    .trim_start()
                    .starts_with(':')
        })
    };
    key("cluster") && (key("service_definition") || key("task_definition"))
}

/// Whether a file is named as ecspresso's config is.
#[must_use]
pub fn is_config_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name.starts_with("ecspresso")
        && [".yml", ".yaml", ".json", ".jsonnet"]
            .iter()
            .any(|e| name.ends_with(e))
}

/// Renders an ecspresso template text: `{{ if }}` lines, then every
/// `{{ env }}`/`{{ must_env }}`.
///
/// # Errors
/// The expression that cannot be rendered, and why.
pub fn render_text(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, (String, String)> {
    let mut out = String::new();
    // The stack of `if` blocks: whether each is taking lines.
    let mut stack: Vec<(bool, bool)> = Vec::new();
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        let inner = t
            .strip_prefix("{{")
            .and_then(|x| x.strip_suffix("}}"))
            .map(|x| x.trim().trim_matches('-').trim());
        if let Some(inner) = inner {
            if let Some(cond) = inner.strip_prefix("if ") {
                let words = template::split_words(
                    cond.trim().trim_start_matches('(').trim_end_matches(')'),
                )
                .map_err(|w| (t.to_owned(), w))?;
                let set = match words.as_slice() {
                    [f, name, ..] if f == "env" || f == "must_env" => {
                        env(name).is_some_and(|v| !v.is_empty())
                    }
                    _ => {
                        return Err((
                            t.to_owned(),
                            "only `if env `NAME`` conditions are rendered".to_owned(),
                        ));
                    }
                };
                stack.push((set, set));
                continue;
            }
            if inner == "else" {
                let Some(top) = stack.last_mut() else {
                    return Err((t.to_owned(), "`else` without `if`".to_owned()));
                };
                top.1 = !top.0;
                continue;
            }
            if inner == "end" {
                stack
                    .pop()
                    .ok_or_else(|| (t.to_owned(), "`end` without `if`".to_owned()))?;
                continue;
            }
        }
        if stack.iter().all(|(_, taking)| *taking) {
            out.push_str(line);
        }
    }
    if !stack.is_empty() {
        return Err((
            "{{ if".to_owned(),
            "an `if` is never closed with `end`".to_owned(),
        ));
    }
    template::render_str(&out, env)
}

/// The ecspresso functions driftgate does not resolve, found in a text.
#[must_use]
pub fn plugin_function(text: &str) -> Option<String> {
    let mut rest = text;
    while let Some(i) = rest.find("{{") {
        let after = &rest[i + 2..];
        let end = after.find("}}").unwrap_or(after.len());
        let inner = after[..end].trim().trim_matches('-').trim();
        let f = inner.split_whitespace().next().unwrap_or_default();
        if !f.is_empty() && f != "env" && f != "must_env" {
            return Some(f.to_owned());
        }
        rest = &after[end.min(after.len())..];
    }
    None
}

/// Reads an ecspresso config at `path` (`shown` as the user sees it).
///
/// # Errors
/// A config that does not render or parse, or lacks `cluster`/`service`.
pub fn read(
    path: &Path,
    shown: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Entry, InputError> {
    let text = crate::input::read_text(path, path)?;
    let rendered = render_text(&text, env).map_err(|(at, why)| {
        let offset = text.find(&at).unwrap_or(0);
        InputError::at_offset(
            path,
            &text,
            offset,
            format!("ecspresso config: {why} (in `{at}`)"),
        )
    })?;
    let value: serde_json::Value = if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&rendered).map_err(|e| {
            InputError::new(path, e.line(), e.column(), format!("ecspresso config: {e}"))
        })?
    } else {
        crate::declared::parse_yaml(path, &rendered)?
    };
    let text_of = |k: &str| {
        value
            .get(k)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let need = |k: &str| {
        text_of(k).ok_or_else(|| InputError::new(path, 1, 1, format!("ecspresso config: no `{k}`")))
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let file = |k: &str| {
        text_of(k).map(|f| crate::kinds::dns_record::formats::octodns_config::normal(&dir.join(f)))
    };
    let service_definition = file("service_definition");
    let task_definition = file("task_definition");
    let mut unresolved = None;
    let mut family = None;
    for f in service_definition.iter().chain(task_definition.iter()) {
        if f.extension().is_some_and(|e| e == "jsonnet") {
            unresolved = Some(format!(
                "{} is Jsonnet, which driftgate does not evaluate (render it with `ecspresso render`)",
                f.display()
            ));
            continue;
        }
        if let Ok(t) = std::fs::read_to_string(f)
            && let Some(func) = plugin_function(&t)
        {
            unresolved = Some(format!(
                "{} uses ecspresso's `{{{{ {func} }}}}`, which driftgate does not resolve",
                f.display()
            ));
        }
    }
    if unresolved.is_none()
        && let Some(td) = &task_definition
        && let Ok(doc) = crate::declared::parse_with_env(td, td.display().to_string(), env)
    {
        let v = doc.value.get("taskDefinition").unwrap_or(&doc.value);
        family = v
            .get("family")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned);
    }
    Ok(Entry {
        config: shown.to_owned(),
        config_path: crate::declared::normal_path(path),
        region: text_of("region"),
        cluster: need("cluster")?,
        service: need("service")?,
        service_definition,
        task_definition,
        family,
        unresolved,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "SERVICE" => Some("web".into()),
            "TFSTATE_BUCKET" => None,
            _ => None,
        }
    }

    #[test]
    fn renders_the_config_as_ecspresso_does() {
        // kayac/ecspresso tests/ci/ecspresso.yml, as it is.
        let text = "region: ap-northeast-1\ncluster: ecspresso-test\nservice: \"{{ must_env `SERVICE` }}\"\nservice_definition: ecs-service-def.jsonnet\ntask_definition: ecs-task-def.jsonnet\ntimeout: 20m0s\nplugins:\n{{ if (env `TFSTATE_BUCKET` ``) }}\n  - name: tfstate\n    config:\n      url: \"s3://{{ must_env `TFSTATE_BUCKET` }}/terraform.tfstate\"\n{{ end }}\n";
        let out = render_text(text, &env).unwrap();
        assert!(out.contains("service: \"web\""), "{out}");
        assert!(!out.contains("tfstate"), "{out}");
        assert!(render_text("{{ if eq 1 1 }}\nx\n{{ end }}\n", &env).is_err());
        assert_eq!(
            plugin_function("a {{ must_env `X` }} {{ tfstate `aws_lb.x.arn` }}"),
            Some("tfstate".into())
        );
        assert_eq!(plugin_function("{{ env `X` `y` }}"), None);
        assert!(is_config_name(Path::new("svc/ecspresso.yml")));
        assert!(!is_config_name(Path::new("svc/ecs-service-def.json")));
    }
}
