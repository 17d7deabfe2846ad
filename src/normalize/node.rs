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
    /// A value compared as a whole, in the general form: a canonical value
    /// and, where it differs, the value as written.
    Leaf(Box<Leaf>),
    /// A leaf that is one text, as written and canonical alike (most
    /// leaves): no `Value` (80 bytes) held for it.
    Text(Box<str>),
    /// A leaf that is one integer, as written and canonical alike.
    Int(i64),
    /// A leaf that is a list of texts, as written and canonical alike (a
    /// record set's values), held in one allocation.
    Texts(Texts),
    /// An object's fields, rendered in paths as `.field`.
    Obj(Fields),
    /// A list of named things keyed by name, rendered in paths as `[name]`.
    Keyed(Fields),
}

/// A list of texts in one allocation: each as its length (4 bytes, little
/// endian) and its UTF-8 bytes. The encoding is prefix-free, so two lists
/// are equal exactly when their bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Texts(Box<[u8]>);

impl Texts {
    fn of<'a>(texts: impl Iterator<Item = &'a str> + Clone) -> Texts {
        let mut out = Vec::with_capacity(texts.clone().map(|t| 4 + t.len()).sum());
        for t in texts {
            let len = u32::try_from(t.len()).unwrap_or(u32::MAX);
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(t.as_bytes());
        }
        Texts(out.into_boxed_slice())
    }

    /// The texts, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let mut rest: &[u8] = &self.0;
        std::iter::from_fn(move || {
            let (len, tail) = rest.split_first_chunk::<4>()?;
            let (text, tail) = tail.split_at(u32::from_le_bytes(*len) as usize);
            rest = tail;
            // Written from `&str`s by `of`: always UTF-8.
            Some(std::str::from_utf8(text).unwrap_or_default())
        })
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A leaf in the general form. `shown` is `None` where it equals `canon`.
#[derive(Debug, Clone, PartialEq)]
pub struct Leaf {
    pub canon: Value,
    pub shown: Option<Value>,
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
    /// A leaf: `canon` compared, `shown` printed.
    #[must_use]
    pub fn leaf(canon: Value, shown: Value) -> Node {
        if shown == canon {
            Node::plain(canon)
        } else {
            Node::Leaf(Box::new(Leaf {
                canon,
                shown: Some(shown),
            }))
        }
    }

    /// A leaf whose canonical and shown forms are the same: held in the
    /// smallest form that says it.
    #[must_use]
    pub fn plain(v: Value) -> Node {
        match v {
            Value::String(s) => Node::Text(s.into_boxed_str()),
            Value::Number(n) if n.is_i64() => Node::Int(n.as_i64().unwrap_or_default()),
            Value::Array(a)
                if a.iter().all(Value::is_string)
                    && a.iter()
                        .filter_map(Value::as_str)
                        .all(|t| u32::try_from(t.len()).is_ok()) =>
            {
                Node::Texts(Texts::of(a.iter().filter_map(Value::as_str)))
            }
            v => Node::Leaf(Box::new(Leaf {
                canon: v,
                shown: None,
            })),
        }
    }

    /// Whether this is a leaf (a value compared whole).
    #[must_use]
    pub fn is_leaf(&self) -> bool {
        !matches!(self, Node::Obj(_) | Node::Keyed(_))
    }

    /// A leaf's canonical value; `None` for an object or a keyed list.
    #[must_use]
    pub fn canon(&self) -> Option<Cow<'_, Value>> {
        Some(match self {
            Node::Leaf(l) => Cow::Borrowed(&l.canon),
            Node::Text(s) => Cow::Owned(Value::String(s.to_string())),
            Node::Int(i) => Cow::Owned(Value::from(*i)),
            Node::Texts(a) => Cow::Owned(Value::Array(
                a.iter().map(|s| Value::String(s.to_owned())).collect(),
            )),
            Node::Obj(_) | Node::Keyed(_) => return None,
        })
    }

    /// A leaf's value as written; `None` for an object or a keyed list.
    #[must_use]
    pub fn shown_leaf(&self) -> Option<Cow<'_, Value>> {
        match self {
            Node::Leaf(l) => Some(Cow::Borrowed(l.shown.as_ref().unwrap_or(&l.canon))),
            other => other.canon(),
        }
    }

    /// Trims every list in the tree to its length: a built tree is only
    /// read, and 100,000 of them are held at once (a record's fields grew
    /// to room for four where it has two).
    pub fn shrink(&mut self) {
        match self {
            Node::Leaf(l) => {
                shrink_value(&mut l.canon);
                if let Some(s) = &mut l.shown {
                    shrink_value(s);
                }
            }
            Node::Obj(m) | Node::Keyed(m) => {
                m.0.shrink_to_fit();
                for (_, v) in &mut m.0 {
                    v.shrink();
                }
            }
            Node::Text(_) | Node::Int(_) | Node::Texts(_) => {}
        }
    }

    /// Whether two trees are equal in their canonical forms (what the diff
    /// compares; `shown` may differ): the check's fast path, which walks
    /// both without building a path or a change for each field.
    #[must_use]
    pub fn same(&self, other: &Node) -> bool {
        match (self, other) {
            (Node::Text(a), Node::Text(b)) => a == b,
            (Node::Int(a), Node::Int(b)) => a == b,
            (Node::Texts(a), Node::Texts(b)) => a == b,
            (Node::Obj(a), Node::Obj(b)) | (Node::Keyed(a), Node::Keyed(b)) => {
                a.0.len() == b.0.len()
                    && a.0
                        .iter()
                        .zip(&b.0)
                        .all(|((ka, va), (kb, vb))| ka == kb && va.same(vb))
            }
            (a, b) if a.is_leaf() && b.is_leaf() => a.canon() == b.canon(),
            _ => false,
        }
    }

    /// Whether this node says nothing (an empty object or list).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        match self {
            Node::Leaf(l) => match &l.canon {
                Value::Null => true,
                Value::Array(a) => a.is_empty(),
                Value::Object(o) => o.is_empty(),
                Value::String(s) => s.is_empty(),
                _ => false,
            },
            Node::Text(s) => s.is_empty(),
            Node::Texts(a) => a.is_empty(),
            Node::Int(_) => false,
            Node::Obj(m) | Node::Keyed(m) => m.is_empty(),
        }
    }

    /// The node as JSON in its shown form: what a report prints for a subtree.
    #[must_use]
    pub fn shown(&self) -> Value {
        match self {
            Node::Obj(m) | Node::Keyed(m) => {
                Value::Object(m.iter().map(|(k, v)| (k.to_owned(), v.shown())).collect())
            }
            leaf => leaf.shown_leaf().map(Cow::into_owned).unwrap_or_default(),
        }
    }

    /// A child of an object or keyed node.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Obj(m) | Node::Keyed(m) => m.get(key),
            _ => None,
        }
    }

    /// The canonical value of a leaf child, if there is one.
    #[must_use]
    pub fn canon_of(&self, key: &str) -> Option<Cow<'_, Value>> {
        self.get(key)?.canon()
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
            leaf => out.push(format!(
                "{pad}{label}{}",
                display(&super::secrets::redact(
                    &leaf.shown_leaf().unwrap_or_default()
                ))
            )),
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
    fn plain_leaves_take_their_smallest_form_and_keep_their_values() {
        for v in [
            json!("text"),
            json!(300),
            json!(-7),
            json!(["b", "a"]),
            json!(["", "é ü", "a b", ""]),
            json!([]),
            json!(u64::MAX),
            json!(1.5),
            json!(true),
            json!(null),
            json!(["a", 1]),
            json!({"k": "v"}),
        ] {
            let n = Node::plain(v.clone());
            assert_eq!(n.canon().as_deref(), Some(&v), "{v}");
            assert_eq!(n.shown(), v, "{v}");
            // The same value in the general form is the same leaf.
            let general = Node::Leaf(Box::new(Leaf {
                canon: v.clone(),
                shown: None,
            }));
            assert!(n.same(&general) && general.same(&n), "{v}");
        }
        assert!(matches!(Node::plain(json!("x")), Node::Text(_)));
        assert!(matches!(Node::plain(json!(300)), Node::Int(300)));
        assert!(matches!(Node::plain(json!(["x"])), Node::Texts(_)));
        assert!(matches!(Node::plain(json!(u64::MAX)), Node::Leaf(_)));
        assert!(!Node::plain(json!(300)).same(&Node::plain(json!("300"))));
        // Prefix-free: a split in another place is another list.
        assert!(!Node::plain(json!(["ab", "c"])).same(&Node::plain(json!(["a", "bc"]))));
        assert!(!Node::plain(json!(["a"])).same(&Node::plain(json!(["a", ""]))));
        let written = Node::leaf(json!(300), json!("300"));
        assert_eq!(written.shown(), json!("300"));
        assert!(written.same(&Node::plain(json!(300))));
    }

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
