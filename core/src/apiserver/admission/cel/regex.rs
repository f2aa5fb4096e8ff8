//! The regular expressions of CEL's `matches()`: RE2 syntax (the subset policies use: literals,
//! `.`, classes `[a-z0-9-]` and `[^...]`, `\d \w \s` and their negations, groups `(...)` and
//! `(?:...)`, `|`, `^ $`, and the quantifiers `* + ? {n} {n,} {n,m}`), matched anywhere in the
//! text as RE2's `MatchString` does.
//!
//! Like RE2 it runs as a Pike VM over a compiled program, so matching takes time linear in the
//! text times the program, with no backtracking blow-up; the program size is bounded
//! ([`PROGRAM_MAX`]) so `a{1000}{1000}` is an error, and each step is charged to the caller's
//! budget.

/// Most instructions a compiled expression may have (counted repetitions are expanded).
const PROGRAM_MAX: usize = 10_000;

#[derive(Clone, Debug)]
enum Node {
    Char(char),
    Any,
    Class(Vec<(char, char)>, bool),
    Start,
    End,
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat(Box<Node>, u32, Option<u32>),
}

#[derive(Clone, Debug)]
enum Inst {
    Char(char),
    Any,
    Class(Vec<(char, char)>, bool),
    Start,
    End,
    Split(usize, usize),
    Jmp(usize),
    Match,
}

pub struct Regex {
    program: Vec<Inst>,
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    src: &'a str,
    depth: usize,
}

impl Regex {
    pub fn new(src: &str) -> Result<Regex, String> {
        let mut p = Parser { chars: src.chars().collect(), pos: 0, src, depth: 0 };
        let node = p.alt()?;
        if p.pos < p.chars.len() {
            return Err(format!("unexpected ): `{src}`"));
        }
        let mut program = Vec::new();
        emit(&node, &mut program)?;
        program.push(Inst::Match);
        Ok(Regex { program })
    }

    /// Whether the expression matches somewhere in `text`; `None` when `steps` ran out.
    pub fn is_match(&self, text: &str, steps: &mut u64) -> Option<bool> {
        let chars: Vec<char> = text.chars().collect();
        let n = self.program.len();
        let mut seen = vec![usize::MAX; n];
        let mut current: Vec<usize> = Vec::new();
        let mut next: Vec<usize> = Vec::new();
        for pos in 0..=chars.len() {
            // Unanchored: a new thread starts at every position.
            if self.add(&mut current, &mut seen, 0, pos, chars.len(), steps)? {
                return Some(true);
            }
            let Some(&c) = chars.get(pos) else { break };
            next.clear();
            let gen = pos + 1;
            for &pc in &current {
                *steps = steps.checked_sub(1)?;
                let ok = match &self.program[pc] {
                    Inst::Char(x) => *x == c,
                    Inst::Any => c != '\n',
                    Inst::Class(ranges, negated) => ranges.iter().any(|(a, b)| *a <= c && c <= *b) != *negated,
                    _ => false,
                };
                if ok && self.add_at(&mut next, &mut seen, pc + 1, gen, chars.len(), steps)? {
                    return Some(true);
                }
            }
            std::mem::swap(&mut current, &mut next);
        }
        Some(false)
    }

    fn add(&self, list: &mut Vec<usize>, seen: &mut [usize], pc: usize, pos: usize, len: usize, steps: &mut u64) -> Option<bool> {
        self.add_at(list, seen, pc, pos, len, steps)
    }

    /// Follows the empty transitions from `pc` at text position `pos`, adding the threads that
    /// wait for a character; true when one reaches `Match`.
    fn add_at(&self, list: &mut Vec<usize>, seen: &mut [usize], pc: usize, pos: usize, len: usize, steps: &mut u64) -> Option<bool> {
        let mut stack = vec![pc];
        while let Some(pc) = stack.pop() {
            *steps = steps.checked_sub(1)?;
            if pc >= self.program.len() || seen[pc] == pos {
                continue;
            }
            seen[pc] = pos;
            match &self.program[pc] {
                Inst::Match => return Some(true),
                Inst::Jmp(t) => stack.push(*t),
                Inst::Split(a, b) => {
                    stack.push(*b);
                    stack.push(*a);
                }
                Inst::Start if pos == 0 => stack.push(pc + 1),
                Inst::End if pos == len => stack.push(pc + 1),
                Inst::Start | Inst::End => {}
                _ => list.push(pc),
            }
        }
        Some(false)
    }
}

fn emit(node: &Node, out: &mut Vec<Inst>) -> Result<(), String> {
    if out.len() > PROGRAM_MAX {
        return Err("expression too large".into());
    }
    match node {
        Node::Char(c) => out.push(Inst::Char(*c)),
        Node::Any => out.push(Inst::Any),
        Node::Class(r, neg) => out.push(Inst::Class(r.clone(), *neg)),
        Node::Start => out.push(Inst::Start),
        Node::End => out.push(Inst::End),
        Node::Concat(items) => {
            for i in items {
                emit(i, out)?;
            }
        }
        Node::Alt(options) => {
            let mut jumps = Vec::new();
            for (i, o) in options.iter().enumerate() {
                if i + 1 < options.len() {
                    let split = out.len();
                    out.push(Inst::Split(split + 1, 0));
                    emit(o, out)?;
                    jumps.push(out.len());
                    out.push(Inst::Jmp(0));
                    let after = out.len();
                    out[split] = Inst::Split(split + 1, after);
                } else {
                    emit(o, out)?;
                }
            }
            let end = out.len();
            for j in jumps {
                out[j] = Inst::Jmp(end);
            }
        }
        Node::Repeat(inner, min, max) => {
            for _ in 0..*min {
                emit(inner, out)?;
            }
            match max {
                None => {
                    let split = out.len();
                    out.push(Inst::Split(split + 1, 0));
                    emit(inner, out)?;
                    out.push(Inst::Jmp(split));
                    let after = out.len();
                    out[split] = Inst::Split(split + 1, after);
                }
                Some(max) => {
                    let mut splits = Vec::new();
                    for _ in *min..*max {
                        splits.push(out.len());
                        out.push(Inst::Split(0, 0));
                        emit(inner, out)?;
                    }
                    let end = out.len();
                    for s in splits {
                        out[s] = Inst::Split(s + 1, end);
                    }
                }
            }
        }
    }
    if out.len() > PROGRAM_MAX {
        return Err("expression too large".into());
    }
    Ok(())
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn alt(&mut self) -> Result<Node, String> {
        self.depth += 1;
        if self.depth > 100 {
            return Err(format!("expression nests too deeply: `{}`", self.src));
        }
        let mut options = vec![self.concat()?];
        while self.peek() == Some('|') {
            self.pos += 1;
            options.push(self.concat()?);
        }
        self.depth -= 1;
        Ok(if options.len() == 1 { options.remove(0) } else { Node::Alt(options) })
    }

    fn concat(&mut self) -> Result<Node, String> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            items.push(self.quantified(atom)?);
        }
        Ok(Node::Concat(items))
    }

    fn quantified(&mut self, atom: Node) -> Result<Node, String> {
        let (min, max) = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => match self.counted() {
                Some(range) => range,
                None => return Ok(atom),
            },
            _ => return Ok(atom),
        };
        if matches!(atom, Node::Start | Node::End) {
            return Err(format!("missing argument to repetition operator: `{}`", self.src));
        }
        // Past the operator (or the closing brace of a counted repetition).
        self.pos += 1;
        // Lazy quantifiers match the same strings; only the submatch differs.
        if self.peek() == Some('?') {
            self.pos += 1;
        }
        if max.is_some_and(|m| m < min) || min > 1000 || max.is_some_and(|m| m > 1000) {
            return Err(format!("invalid repeat count: `{}`", self.src));
        }
        Ok(Node::Repeat(Box::new(atom), min, max))
    }

    /// `{n}`, `{n,}`, `{n,m}` at the cursor; leaves the cursor on the closing brace. `None`
    /// (cursor unmoved) when the braces are not a repetition, which RE2 reads as literals.
    fn counted(&mut self) -> Option<(u32, Option<u32>)> {
        let rest: String = self.chars[self.pos..].iter().collect();
        let close = rest.find('}')?;
        let body = &rest[1..close];
        let (min, max) = match body.split_once(',') {
            None => {
                let n = body.parse().ok()?;
                (n, Some(n))
            }
            Some((a, "")) => (a.parse().ok()?, None),
            Some((a, b)) => (a.parse().ok()?, Some(b.parse().ok()?)),
        };
        self.pos += rest[..close].chars().count();
        Some((min, max))
    }

    fn atom(&mut self) -> Result<Node, String> {
        let Some(c) = self.peek() else { return Err(format!("missing argument: `{}`", self.src)) };
        self.pos += 1;
        Ok(match c {
            '.' => Node::Any,
            '^' => Node::Start,
            '$' => Node::End,
            '(' => {
                if self.chars.get(self.pos..self.pos + 2) == Some(&['?', ':']) {
                    self.pos += 2;
                }
                let inner = self.alt()?;
                if self.peek() != Some(')') {
                    return Err(format!("missing closing ): `{}`", self.src));
                }
                self.pos += 1;
                inner
            }
            '[' => self.class()?,
            '\\' => self.escape(false)?,
            '*' | '+' | '?' => return Err(format!("missing argument to repetition operator: `{c}`")),
            other => Node::Char(other),
        })
    }

    fn escape(&mut self, in_class: bool) -> Result<Node, String> {
        let Some(e) = self.peek() else { return Err("trailing backslash at end of expression: ``".into()) };
        self.pos += 1;
        let digit = vec![('0', '9')];
        let word = vec![('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];
        let space = vec![('\t', '\n'), ('\u{c}', '\r'), (' ', ' ')];
        Ok(match e {
            'd' => Node::Class(digit, false),
            'D' => Node::Class(digit, true),
            'w' => Node::Class(word, false),
            'W' => Node::Class(word, true),
            's' => Node::Class(space, false),
            'S' => Node::Class(space, true),
            'n' => Node::Char('\n'),
            't' => Node::Char('\t'),
            'r' => Node::Char('\r'),
            c if c.is_ascii_punctuation() => Node::Char(c),
            c if in_class => Node::Char(c),
            c => return Err(format!("invalid escape sequence: `\\{c}`")),
        })
    }

    fn class(&mut self) -> Result<Node, String> {
        let negated = self.peek() == Some('^');
        if negated {
            self.pos += 1;
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let Some(c) = self.peek() else { return Err(format!("missing closing ]: `{}`", self.src)) };
            if c == ']' && !first {
                self.pos += 1;
                break;
            }
            first = false;
            self.pos += 1;
            let lo = if c == '\\' {
                match self.escape(true)? {
                    Node::Char(x) => x,
                    Node::Class(r, false) => {
                        ranges.extend(r);
                        continue;
                    }
                    _ => return Err(format!("invalid character class: `{}`", self.src)),
                }
            } else {
                c
            };
            if self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|n| *n != ']') {
                self.pos += 1;
                let hi = self.peek().unwrap_or(lo);
                self.pos += 1;
                if hi < lo {
                    return Err(format!("invalid character class range: `{lo}-{hi}`"));
                }
                ranges.push((lo, hi));
            } else {
                ranges.push((lo, lo));
            }
        }
        Ok(Node::Class(ranges, negated))
    }
}

#[cfg(test)]
mod tests {
    use super::Regex;

    fn m(re: &str, text: &str) -> bool {
        Regex::new(re).ok().and_then(|r| r.is_match(text, &mut 1_000_000)).unwrap_or(false)
    }

    #[test]
    fn re2_subset() {
        assert!(m("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "web-1"));
        assert!(!m("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "Web"));
        assert!(m("nginx", "docker.io/nginx:1.27"));
        assert!(m(r":\d+\.\d+$", "nginx:1.27"));
        assert!(!m(":latest$|^[^:]*$", "nginx:1.27"));
        assert!(m(":latest$|^[^:]*$", "nginx"));
        assert!(m("^a{2,3}$", "aaa") && !m("^a{2,3}$", "aaaa"));
        assert!(m("^(?:ab)+$", "abab") && !m("^(?:ab)+$", "aba"));
        assert!(Regex::new("(a").is_err() && Regex::new("a)").is_err() && Regex::new("*").is_err());
        assert!(Regex::new("(a{1000}){1000}").is_err());
    }

    #[test]
    fn linear_not_exponential() {
        let text = "a".repeat(5_000);
        let mut steps = 50_000_000;
        assert_eq!(Regex::new("^(a*)*b$").ok().and_then(|r| r.is_match(&text, &mut steps)), Some(false));
        let mut few = 100;
        assert_eq!(Regex::new("^(a*)*b$").ok().and_then(|r| r.is_match(&text, &mut few)), None);
    }
}
