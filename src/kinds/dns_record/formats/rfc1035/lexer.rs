//! The RFC 1035 zone file lexer: entries of tokens, with parentheses,
//! quotes, escapes and comments resolved, each with its line.

/// One token: its text (quotes kept for quoted strings) and whether quoted.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Tok {
    pub(super) text: String,
    pub(super) quoted: bool,
}

/// One logical entry: the tokens of a line, or of lines joined by parentheses.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) line: usize,
    /// The last physical line of the entry (parentheses span several).
    pub(super) end: usize,
    pub(super) blank_owner: bool,
    pub(super) toks: Vec<Tok>,
}

/// Splits a zone file into entries; `Err` is (line, what is wrong).
pub(super) fn lex(text: &str) -> Result<Vec<Entry>, (usize, String)> {
    let mut entries = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    let mut depth = 0usize;
    let mut paren_line = 0;
    let mut cur: Option<Entry> = None;
    let mut at_line_start = true;
    let mut tok = String::new();
    let push_tok =
        |cur: &mut Option<Entry>, tok: &mut String, quoted: bool, line: usize, blank: bool| {
            if tok.is_empty() && !quoted {
                return;
            }
            let e = cur.get_or_insert(Entry {
                line,
                end: line,
                blank_owner: blank,
                toks: Vec::new(),
            });
            e.toks.push(Tok {
                text: std::mem::take(tok),
                quoted,
            });
        };
    let mut blank_start = false;
    while let Some(c) = chars.next() {
        if at_line_start && depth == 0 {
            blank_start = c == ' ' || c == '\t';
            at_line_start = false;
        }
        match c {
            '\n' => {
                push_tok(&mut cur, &mut tok, false, line, blank_start);
                if let Some(e) = cur.as_mut() {
                    e.end = line;
                }
                line += 1;
                if depth == 0 {
                    if let Some(e) = cur.take() {
                        entries.push(e);
                    }
                    at_line_start = true;
                }
            }
            ';' => {
                push_tok(&mut cur, &mut tok, false, line, blank_start);
                while chars.peek().is_some_and(|&n| n != '\n') {
                    chars.next();
                }
            }
            '(' => {
                push_tok(&mut cur, &mut tok, false, line, blank_start);
                if depth == 0 {
                    paren_line = line;
                }
                depth += 1;
            }
            ')' => {
                push_tok(&mut cur, &mut tok, false, line, blank_start);
                if depth == 0 {
                    return Err((line, "`)` without `(`".into()));
                }
                depth -= 1;
            }
            '"' => {
                push_tok(&mut cur, &mut tok, false, line, blank_start);
                let start = line;
                let mut s = String::from('"');
                loop {
                    match chars.next() {
                        None => return Err((start, "a quoted string is never closed".into())),
                        Some('\\') => {
                            s.push('\\');
                            if let Some(n) = chars.next() {
                                if n == '\n' {
                                    line += 1;
                                }
                                s.push(n);
                            }
                        }
                        Some('"') => break,
                        Some(x) => {
                            if x == '\n' {
                                line += 1;
                            }
                            s.push(x);
                        }
                    }
                }
                s.push('"');
                let mut t = s;
                push_tok(&mut cur, &mut t, true, start, blank_start);
            }
            '\\' => {
                tok.push('\\');
                if let Some(n) = chars.next() {
                    tok.push(n);
                }
            }
            c if c.is_whitespace() => push_tok(&mut cur, &mut tok, false, line, blank_start),
            c => {
                if cur.is_none() && tok.is_empty() {
                    // The entry starts here: remember its line.
                    cur = Some(Entry {
                        line,
                        end: line,
                        blank_owner: blank_start,
                        toks: Vec::new(),
                    });
                }
                tok.push(c);
            }
        }
    }
    if depth > 0 {
        return Err((paren_line, "`(` is never closed".into()));
    }
    push_tok(&mut cur, &mut tok, false, line, blank_start);
    if let Some(mut e) = cur.take() {
        e.end = line;
        entries.push(e);
    }
    Ok(entries)
}
