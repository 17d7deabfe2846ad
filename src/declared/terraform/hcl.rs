//! Where a Terraform resource is written: the file and line of its
//! `resource "<type>" "<name>"` block, found by a light read of the `.tf`
//! files of its module's directory.
//!
//! Only top-level block headers and a module block's `source` are needed,
//! so this is a small lexer (comments, strings, heredocs and brace depth),
//! not an HCL parser: hcl-edit would parse every expression of every file
//! and add a parser-combinator stack to the build for two facts a block
//! header states on its own line. A file this reader cannot follow is left
//! out (the finding then points at the state instead), never an error: the
//! configuration is Terraform's to validate.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A top-level block of a `.tf` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// `resource`, `data`, `module`, ...
    pub kind: String,
    pub labels: Vec<String>,
    pub file: PathBuf,
    pub line: usize,
    /// A module block's `source`.
    pub source: Option<String>,
}

/// The top-level blocks of one file's text.
#[must_use]
pub fn blocks(text: &str, file: &Path) -> Vec<Block> {
    let b = text.as_bytes();
    let mut out: Vec<Block> = Vec::new();
    let mut depth = 0usize;
    let mut line = 1usize;
    let mut i = 0usize;
    // The words and strings seen at depth 0 since the last block.
    let mut header: Vec<String> = Vec::new();
    let mut header_line = 0usize;
    // Inside a module block at depth 1: the attribute being read.
    let mut attr: Option<String> = None;
    let mut last_word: Option<String> = None;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                line += 1;
                i += 1;
                if depth == 1 {
                    last_word = None;
                }
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    if b[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
                i += 2;
            }
            b'"' => {
                let start = i + 1;
                i += 1;
                let mut nest = 0usize;
                while i < b.len() {
                    match b[i] {
                        b'\\' => i += 1,
                        b'$' | b'%' if b.get(i + 1) == Some(&b'{') => {
                            nest += 1;
                            i += 1;
                        }
                        b'}' if nest > 0 => nest -= 1,
                        b'"' if nest == 0 => break,
                        b'\n' => line += 1,
                        _ => {}
                    }
                    i += 1;
                }
                let s = String::from_utf8_lossy(&b[start..i.min(b.len())]).into_owned();
                i += 1;
                if depth == 0 {
                    if header.is_empty() {
                        header_line = line;
                    }
                    header.push(s);
                } else if depth == 1
                    && attr.as_deref() == Some("source")
                    && let Some(m) = out.last_mut()
                    && m.kind == "module"
                    && m.source.is_none()
                {
                    m.source = Some(s);
                    attr = None;
                }
            }
            b'<' if b.get(i + 1) == Some(&b'<') => {
                // A heredoc: <<EOT or <<-EOT, to a line holding the marker.
                let mut j = i + 2;
                if b.get(j) == Some(&b'-') {
                    j += 1;
                }
                let start = j;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                    j += 1;
                }
                let marker = String::from_utf8_lossy(&b[start..j]).into_owned();
                i = j;
                if marker.is_empty() {
                    continue;
                }
                loop {
                    while i < b.len() && b[i] != b'\n' {
                        i += 1;
                    }
                    if i >= b.len() {
                        break;
                    }
                    i += 1;
                    line += 1;
                    let end = b[i..]
                        .iter()
                        .position(|&x| x == b'\n')
                        .map_or(b.len(), |p| i + p);
                    if String::from_utf8_lossy(&b[i..end]).trim() == marker {
                        i = end;
                        break;
                    }
                }
            }
            b'{' => {
                if depth == 0 && !header.is_empty() {
                    out.push(Block {
                        kind: header[0].clone(),
                        labels: header[1..].to_vec(),
                        file: file.to_owned(),
                        line: header_line,
                        source: None,
                    });
                    header.clear();
                }
                depth += 1;
                i += 1;
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'=' if depth == 1 => {
                attr = last_word.take();
                i += 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'-')
                {
                    i += 1;
                }
                let w = String::from_utf8_lossy(&b[start..i]).into_owned();
                if depth == 0 {
                    if header.is_empty() {
                        header_line = line;
                    }
                    header.push(w);
                } else if depth == 1 {
                    last_word = Some(w);
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// The blocks of every `.tf` file of a directory (not its subdirectories:
/// a Terraform module is one directory).
#[must_use]
pub fn module_blocks(dir: &Path) -> Vec<Block> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf") && p.is_file())
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        // A configuration file is small; a huge one is not a module's.
        if std::fs::metadata(&f).is_ok_and(|m| m.len() > 8 * 1024 * 1024) {
            continue;
        }
        if let Ok(text) = std::fs::read_to_string(&f) {
            out.extend(blocks(&text, &f));
        }
    }
    out
}

/// Resource blocks of a configuration, found module by module from its root
/// directory (local module sources only: a registry or Git module is not in
/// this repository).
#[derive(Debug, Default)]
pub struct Locator {
    /// By module path (`""`, `module.dns`, `module.a.module.b`): its blocks.
    modules: BTreeMap<String, Option<Vec<Block>>>,
    root: Option<PathBuf>,
    /// Where module paths led: module path -> directory.
    dirs: BTreeMap<String, PathBuf>,
    /// The repository: module sources stay inside it.
    repo: PathBuf,
}

impl Locator {
    /// A locator for the configuration in `root` (None: nothing is located).
    #[must_use]
    pub fn new(root: Option<PathBuf>, repo: &Path) -> Self {
        let mut dirs = BTreeMap::new();
        if let Some(r) = &root {
            dirs.insert(String::new(), r.clone());
        }
        Locator {
            modules: BTreeMap::new(),
            root,
            dirs,
            repo: repo.canonicalize().unwrap_or_else(|_| repo.to_owned()),
        }
    }

    /// Whether a configuration directory was given and holds `.tf` files.
    #[must_use]
    pub fn has_configuration(&mut self) -> bool {
        self.root.is_some() && self.blocks_of("").is_some_and(|b| !b.is_empty())
    }

    /// The module path without instance keys: `module.a["x"].module.b` ->
    /// `module.a.module.b` (every instance of a module is one block).
    fn plain(module: &str) -> String {
        let mut out = String::new();
        let mut depth = 0usize;
        for c in module.chars() {
            match c {
                '[' => depth += 1,
                ']' => depth = depth.saturating_sub(1),
                c if depth == 0 => out.push(c),
                _ => {}
            }
        }
        out
    }

    fn dir_of(&mut self, module: &str) -> Option<PathBuf> {
        if let Some(d) = self.dirs.get(module) {
            return Some(d.clone());
        }
        let (parent, name) = match module.rsplit_once(".module.") {
            Some((p, n)) => (p.to_owned(), n.to_owned()),
            None => (String::new(), module.strip_prefix("module.")?.to_owned()),
        };
        let parent_dir = self.dir_of(&parent)?;
        let source = self
            .blocks_of(&parent)?
            .iter()
            .find(|b| b.kind == "module" && b.labels.first() == Some(&name))?
            .source
            .clone()?;
        if !(source.starts_with("./") || source.starts_with("../")) {
            return None;
        }
        let dir = crate::declared::normal_path(&parent_dir.join(source));
        let real = dir.canonicalize().ok()?;
        if !real.starts_with(&self.repo) {
            return None;
        }
        self.dirs.insert(module.to_owned(), dir.clone());
        Some(dir)
    }

    fn blocks_of(&mut self, module: &str) -> Option<&Vec<Block>> {
        if !self.modules.contains_key(module) {
            let blocks = self.dir_of(module).map(|d| module_blocks(&d));
            self.modules.insert(module.to_owned(), blocks);
        }
        self.modules.get(module)?.as_ref()
    }

    /// The file and line of a resource's block.
    pub fn locate(
        &mut self,
        module: &str,
        data: bool,
        rtype: &str,
        name: &str,
    ) -> Option<(PathBuf, usize)> {
        let module = Self::plain(module);
        let kind = if data { "data" } else { "resource" };
        self.blocks_of(&module)?
            .iter()
            .find(|b| {
                b.kind == kind
                    && b.labels.first().map(String::as_str) == Some(rtype)
                    && b.labels.get(1).map(String::as_str) == Some(name)
            })
            .map(|b| (b.file.clone(), b.line))
    }
}

/// The line of a changed field's attribute in a resource block starting at
/// `start` (`desiredCount` -> `desired_count = 2`): for fields that are an
/// attribute of the block itself; `None` for nested or derived ones (the
/// finding then points at the block).
#[must_use]
pub fn attribute_line(text: &str, start: usize, path: &str) -> Option<usize> {
    if path.contains(['.', '[']) {
        return None;
    }
    let name = match path {
        "values" => "records".to_owned(),
        p => {
            let mut out = String::new();
            for c in p.chars() {
                if c.is_ascii_uppercase() {
                    out.push('_');
                    out.push(c.to_ascii_lowercase());
                } else {
                    out.push(c);
                }
            }
            out
        }
    };
    for (i, line) in text.lines().enumerate().skip(start) {
        if line.starts_with('}') {
            return None;
        }
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix(name.as_str())
            && rest.trim_start().starts_with('=')
        {
            return Some(i + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_attribute_is_found_in_its_block_only() {
        let text = "resource \"aws_ecs_service\" \"a\" {\n  name = \"a\"\n  desired_count = 2\n}\n\nresource \"aws_ecs_service\" \"b\" {\n  desired_count = 3\n}\n";
        assert_eq!(attribute_line(text, 1, "desiredCount"), Some(3));
        assert_eq!(attribute_line(text, 6, "desiredCount"), Some(7));
        assert_eq!(attribute_line(text, 1, "launchType"), None);
        assert_eq!(attribute_line(text, 1, "taskDefinition.cpu"), None);
    }

    #[test]
    fn headers_are_found_past_comments_strings_and_heredocs() {
        let text = r#"# resource "aws_x" "commented" {
terraform {
  required_version = ">= 1.5"
}

/* resource "aws_y" "in_block_comment" {} */
resource "aws_route53_record" "www" {
  name    = "www"
  records = ["${var.ip}"]
  lifecycle { ignore_changes = [ttl] }
}

data "aws_route53_zone" "main" {
  name = "example.com"
}

resource "aws_ecs_task_definition" "api" {
  container_definitions = <<-EOT
    [{"name": "api"}]
    resource "fake" "inside" {
  EOT
}

module "dns" {
  source = "./modules/dns"
  zone   = "example.com"
}
"#;
        let b = blocks(text, Path::new("main.tf"));
        let heads: Vec<(String, Vec<String>, usize)> = b
            .iter()
            .map(|b| (b.kind.clone(), b.labels.clone(), b.line))
            .collect();
        assert_eq!(
            heads,
            vec![
                ("terraform".into(), vec![], 2),
                (
                    "resource".into(),
                    vec!["aws_route53_record".into(), "www".into()],
                    7
                ),
                (
                    "data".into(),
                    vec!["aws_route53_zone".into(), "main".into()],
                    13
                ),
                (
                    "resource".into(),
                    vec!["aws_ecs_task_definition".into(), "api".into()],
                    17
                ),
                ("module".into(), vec!["dns".into()], 24),
            ]
        );
        assert_eq!(b[4].source.as_deref(), Some("./modules/dns"));
    }

    #[test]
    fn module_paths_lose_their_instance_keys() {
        assert_eq!(
            Locator::plain("module.a[\"x\"].module.b[0]"),
            "module.a.module.b"
        );
    }
}
