//! Splitting a YAML stream into documents, remembering where each one starts.
//!
//! kubectl's YAML reader splits on lines that are exactly `---` (optionally followed by spaces or a
//! comment) before parsing each chunk; we do the same so that a broken document does not hide the
//! ones before it, and so every diagnostic can be moved back to a line of the whole input.

/// One document of a stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document<'a> {
    /// Zero-based index among all documents, empty ones included.
    pub index: usize,
    /// Zero-based line of the input on which the document's text starts.
    pub first_line: usize,
    pub text: &'a str,
}

impl Document<'_> {
    /// True when the document holds nothing but blank lines, comments and end markers.
    pub fn is_blank(&self) -> bool {
        self.text.lines().all(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#') || t == "..."
        })
    }

    /// The one-based input line of the document's first line with content, for diagnostics that
    /// concern the document as a whole (a missing `kind`, say).
    pub fn content_line(&self) -> usize {
        let offset = self
            .text
            .lines()
            .position(|l| {
                let t = l.trim();
                !t.is_empty() && !t.starts_with('#')
            })
            .unwrap_or(0);
        self.first_line + offset + 1
    }
}

fn is_separator(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("---") else { return false };
    let rest = rest.trim_end_matches(['\r', '\n']);
    rest.is_empty() || rest.starts_with(' ') || rest.starts_with('\t') || rest.starts_with('#')
}

/// Splits `input` at separator lines. The separator line itself belongs to no document; any
/// content after `--- ` on the same line (rare; `--- # comment`) is dropped with it.
pub fn split_documents(input: &str) -> Vec<Document<'_>> {
    let mut docs = Vec::new();
    let mut start_byte = 0;
    let mut start_line = 0;
    let mut pos = 0;
    for (line_no, line) in input.split_inclusive('\n').enumerate() {
        if is_separator(line) {
            docs.push(Document { index: docs.len(), first_line: start_line, text: &input[start_byte..pos] });
            start_byte = pos + line.len();
            start_line = line_no + 1;
        }
        pos += line.len();
    }
    docs.push(Document { index: docs.len(), first_line: start_line, text: &input[start_byte..] });
    docs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_keeps_line_offsets() {
        let input = "a: 1\n---\nb: 2\n--- # two\n\nc: 3\n";
        let docs = split_documents(input);
        assert_eq!(docs.len(), 3);
        assert_eq!((docs[1].first_line, docs[1].text), (2, "b: 2\n"));
        assert_eq!((docs[2].first_line, docs[2].content_line()), (4, 6));
        assert!(split_documents("---\n# only\n")[0].is_blank());
        assert!(!is_separator("----\n") && !is_separator(" ---\n") && is_separator("---\r\n"));
    }
}
