//! Splitting a command line into words the way a POSIX shell does for simple commands, and
//! finding the shell operators kubeplay's terminal does not run (pipes and redirections).

/// Splits on unquoted whitespace; honours single quotes, double quotes and backslash escapes.
/// An unterminated quote is an error, as in a shell.
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(x) => cur.push(x),
                        None => return Err("unexpected EOF while looking for matching `''".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(x @ ('"' | '\\' | '$' | '`')) => cur.push(x),
                            Some(x) => {
                                cur.push('\\');
                                cur.push(x)
                            }
                            None => return Err("unexpected EOF while looking for matching `\"'".into()),
                        },
                        Some(x) => cur.push(x),
                        None => return Err("unexpected EOF while looking for matching `\"'".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(x) = chars.next() {
                    cur.push(x);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// The first unquoted pipe or redirection (`|`, `>`, `<`) in a line, read with the quoting rules
/// of [`split_words`]: what a shell would act on before running the command. kubeplay runs one
/// command per line with no shell around it, so such a line is refused rather than letting `|`
/// and `head` reach kubectl as resource names.
pub fn shell_operator(line: &str) -> Option<char> {
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                for x in chars.by_ref() {
                    if x == '\'' {
                        break;
                    }
                }
            }
            '"' => {
                while let Some(x) = chars.next() {
                    match x {
                        '"' => break,
                        '\\' => {
                            chars.next();
                        }
                        _ => {}
                    }
                }
            }
            '\\' => {
                chars.next();
            }
            '|' | '>' | '<' => return Some(c),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{shell_operator, split_words};

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(split_words("etcdctl put k 'a b'").unwrap(), ["etcdctl", "put", "k", "a b"]);
        assert_eq!(split_words(r#"a "b \"c\"" d\ e"#).unwrap(), ["a", "b \"c\"", "d e"]);
        assert_eq!(split_words("  ").unwrap(), Vec::<String>::new());
        assert_eq!(split_words("x ''").unwrap(), ["x", ""]);
        assert!(split_words("a 'b").is_err());
    }

    #[test]
    fn pipes_and_redirections_outside_quotes() {
        assert_eq!(shell_operator("kubectl get deploy web -o yaml | head"), Some('|'));
        assert_eq!(shell_operator("kubectl get pods > pods.txt"), Some('>'));
        assert_eq!(shell_operator("kubectl apply -f - < web.yaml"), Some('<'));
        assert_eq!(shell_operator("kubectl get pods -l 'tier in (a|b)'"), None);
        assert_eq!(shell_operator(r#"kubectl get pods -o jsonpath="{.items[?(@.x>1)]}""#), None);
        assert_eq!(shell_operator(r"echo a\|b"), None);
    }
}
