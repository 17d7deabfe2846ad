//! The normalized tree that the diff engine compares.
//!
//! Every leaf keeps two values: `canon`, the canonical form compared for
//! equality ("1 vCPU" and "1024" both become 1024), and `shown`, the value as
//! the user or the cloud wrote it, which is what reports print.

use serde_json::Value;
use std::borrow::Cow;

/// A field's name: the schema's own names are borrowed (no allocation for
/// the `ttl` of each of 100,000 records), names read from data are owned.
pub type Key = Cow<'static, str>;

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A value compared as a whole. `shown` is `None` where it equals
    /// `canon` (most leaves), to keep large trees small.
    Leaf {
        canon: Value,
        shown: Option<Box<Value>>,
    },
    /// An object's fields, rendered in paths as `.field`.
    Obj(Fields),
    /// A list of named things keyed by name, rendered in paths as `[name]`.
    Keyed(Fields),
}

/// Named children in key order. A sorted `Vec` rather than a `BTreeMap`:
/// nodes hold a few children each, and a map's node allocation is many
/// times larger than that (peak RSS on the 10,000-record benchmark zone went
/// from 94 to 67 MiB; see BENCHMARKS.md). [`Node::shrink`] trims each to its
/// length once a tree is built.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fields(Vec<(Key, Node)>);

impl Fields {
    #[must_use]
    pub fn new() -> Self {
        Fields(Vec::new())
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_ref().cmp(key))
    }

    /// Inserts or replaces; returns the value replaced.
    pub fn insert(&mut self, key: Key, value: Node) -> Option<Node> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.find(key).ok().map(|i| &self.0[i].1)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.find(key).ok().map(|i| &mut self.0[i].1)
    }

    pub fn remove(&mut self, key: &str) -> Option<Node> {
        self.find(key).ok().map(|i| self.0.remove(i).1)
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_ref())
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Node> {
        self.0.iter_mut().map(|(_, v)| v)
    }
}

impl<K: Into<Key>> FromIterator<(K, Node)> for Fields {
    fn from_iter<I: IntoIterator<Item = (K, Node)>>(iter: I) -> Self {
        let mut f = Fields::new();
        for (k, v) in iter {
            f.insert(k.into(), v);
        }
        f
    }
}

impl<'a> IntoIterator for &'a Fields {
    type Item = (&'a str, &'a Node);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (Key, Node)>,
        fn(&'a (Key, Node)) -> (&'a str, &'a Node),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

impl Node {
    #[must_use]
    pub fn leaf(canon: Value, shown: Value) -> Node {
        let shown = (shown != canon).then(|| Box::new(shown));
        Node::Leaf { canon, shown }
    }

    /// A leaf whose canonical and shown forms are the same.
    #[must_use]
    pub fn plain(v: Value) -> Node {
        Node::Leaf {
            canon: v,
            shown: None,
        }
    }

    /// Trims every list in the tree to its length: a built tree is only
    /// read, and 100,000 of them are held at once (a record's fields grew
    /// to room for four where it has two).
    pub fn shrink(&mut self) {
        match self {
            Node::Leaf { canon, shown } => {
                shrink_value(canon);
                if let Some(s) = shown {
                    shrink_value(s);
                }
            }
            Node::Obj(m) | Node::Keyed(m) => {
                m.0.shrink_to_fit();
                for (_, v) in &mut m.0 {
                    v.shrink();
                }
            }
        }
    }

    /// Whether two trees are equal in their canonical forms (what the diff
    /// compares; `shown` may differ): the check's fast path, which walks
    /// both without building a path or a change for each field.
    #[must_use]
    pub fn same(&self, other: &Node) -> bool {
        match (self, other) {
            (Node::Leaf { canon: a, .. }, Node::Leaf { canon: b, .. }) => a == b,
            (Node::Obj(a), Node::Obj(b)) | (Node::Keyed(a), Node::Keyed(b)) => {
                a.0.len() == b.0.len()
                    && a.0
                        .iter()
                        .zip(&b.0)
                        .all(|((ka, va), (kb, vb))| ka == kb && va.same(vb))
            }
            _ => false,
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
            Node::Leaf { canon, shown } => shown.as_deref().unwrap_or(canon).clone(),
            Node::Obj(m) | Node::Keyed(m) => {
                Value::Object(m.iter().map(|(k, v)| (k.to_owned(), v.shown())).collect())
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
            Node::Leaf { canon, shown } => out.push(format!(
                "{pad}{label}{}",
                display(&super::secrets::redact(shown.as_deref().unwrap_or(canon)))
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

fn shrink_value(v: &mut Value) {
    match v {
        Value::Array(a) => {
            a.shrink_to_fit();
            a.iter_mut().for_each(shrink_value);
        }
        Value::String(s) => s.shrink_to_fit(),
        Value::Object(o) => o.values_mut().for_each(shrink_value),
        _ => {}
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
    fn same_compares_canonical_forms_only() {
        let mut a = Fields::new();
        a.insert("cpu".into(), Node::leaf(json!(1024), json!("1 vCPU")));
        let mut b = Fields::new();
        b.insert("cpu".into(), Node::plain(json!(1024)));
        assert!(Node::Obj(a.clone()).same(&Node::Obj(b.clone())));
        assert!(!Node::Obj(a.clone()).same(&Node::Keyed(b.clone())));
        b.insert("memory".into(), Node::plain(json!(2048)));
        assert!(!Node::Obj(a.clone()).same(&Node::Obj(b)));
        let mut c = Fields::new();
        c.insert("cpu".into(), Node::plain(json!(512)));
        assert!(!Node::Obj(a).same(&Node::Obj(c)));
    }

    #[test]
    fn renders_keyed_and_objects_in_stable_order() {
        let mut env = Fields::new();
        env.insert("B".into(), Node::plain(json!("2")));
        env.insert("A".into(), Node::plain(json!("1")));
        let mut root = Fields::new();
        root.insert("environment".into(), Node::Keyed(env));
        root.insert("cpu".into(), Node::leaf(json!(1024), json!("1 vCPU")));
        let lines = Node::Obj(root).render_lines();
        assert_eq!(
            lines,
            vec!["cpu: 1 vCPU", "environment:", "  [A]: 1", "  [B]: 2"]
        );
    }
}
