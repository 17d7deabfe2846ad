//! The normalized tree that the diff engine compares.
//!
//! Every leaf keeps two values: `canon`, the canonical form compared for
//! equality ("1 vCPU" and "1024" both become 1024), and `shown`, the value as
//! the user or the cloud wrote it, which is what reports print.

use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A value compared as a whole.
    Leaf { canon: Value, shown: Value },
    /// An object's fields, rendered in paths as `.field`.
    Obj(BTreeMap<String, Node>),
    /// A list of named things keyed by name, rendered in paths as `[name]`.
    Keyed(BTreeMap<String, Node>),
}

impl Node {
    #[must_use]
    pub fn leaf(canon: Value, shown: Value) -> Node {
        Node::Leaf { canon, shown }
    }

    /// A leaf whose canonical and shown forms are the same.
    #[must_use]
    pub fn plain(v: Value) -> Node {
        Node::Leaf {
            canon: v.clone(),
            shown: v,
        }
    }

    /// Whether this node says nothing (an empty object or list).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        match self {
            Node::Leaf { canon, .. } => match canon {
                Value::Null => true,
                Value::Array(a) => a.is_empty(),
                Value::Object(o) => o.is_empty(),
                Value::String(s) => s.is_empty(),
                _ => false,
            },
            Node::Obj(m) | Node::Keyed(m) => m.is_empty(),
        }
    }

    /// The node as JSON in its shown form: what a report prints for a subtree.
    #[must_use]
    pub fn shown(&self) -> Value {
        match self {
            Node::Leaf { shown, .. } => shown.clone(),
            Node::Obj(m) | Node::Keyed(m) => {
                Value::Object(m.iter().map(|(k, v)| (k.clone(), v.shown())).collect())
            }
        }
    }

    /// A child of an object or keyed node.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Obj(m) | Node::Keyed(m) => m.get(key),
            Node::Leaf { .. } => None,
        }
    }

    /// The canonical value of a leaf child, if there is one.
    #[must_use]
    pub fn canon_of(&self, key: &str) -> Option<&Value> {
        match self.get(key) {
            Some(Node::Leaf { canon, .. }) => Some(canon),
            _ => None,
        }
    }

    /// Renders the tree as indented lines, one field per line, in a stable
    /// order: the text the `diff` report compares.
    #[must_use]
    pub fn render_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.render_into("", 0, &mut out);
        out
    }

    fn render_into(&self, label: &str, depth: usize, out: &mut Vec<String>) {
        let pad = "  ".repeat(depth);
        match self {
            Node::Leaf { shown, .. } => out.push(format!(
                "{pad}{label}{}",
                display(&super::secrets::redact(shown))
            )),
            Node::Obj(m) | Node::Keyed(m) => {
                let keyed = matches!(self, Node::Keyed(_));
                let d = if label.is_empty() {
                    depth
                } else {
                    out.push(format!("{pad}{}", label.trim_end_matches(' ')));
                    depth + 1
                };
                for (k, v) in m {
                    let l = if keyed {
                        format!("[{k}]: ")
                    } else {
                        format!("{k}: ")
                    };
                    v.render_into(&l, d, out);
                }
            }
        }
    }
}

/// A value as one line: strings bare, everything else as compact JSON.
#[must_use]
pub fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "(absent)".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_keyed_and_objects_in_stable_order() {
        let mut env = BTreeMap::new();
        env.insert("B".to_owned(), Node::plain(json!("2")));
        env.insert("A".to_owned(), Node::plain(json!("1")));
        let mut root = BTreeMap::new();
        root.insert("environment".to_owned(), Node::Keyed(env));
        root.insert("cpu".to_owned(), Node::leaf(json!(1024), json!("1 vCPU")));
        let lines = Node::Obj(root).render_lines();
        assert_eq!(
            lines,
            vec!["cpu: 1 vCPU", "environment:", "  [A]: 1", "  [B]: 2"]
        );
    }
}
