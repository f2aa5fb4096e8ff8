//! A line diff between two YAML renderings of an object, for the etcd history view: which lines a
//! write removed and added. Longest common subsequence over lines, bounded so a huge object
//! cannot stall the page (past the bound the diff degrades to "all removed, all added").

/// One line of a diff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffLine {
    Same(String),
    Removed(String),
    Added(String),
}

/// Lines compared with the full algorithm; the table is `old × new` cells.
const MAX_CELLS: usize = 4_000_000;

pub fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // Trim the common prefix and suffix first: most writes change a few lines of a long object.
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (ma, mb) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut out: Vec<DiffLine> = a[..prefix].iter().map(|l| DiffLine::Same(l.to_string())).collect();
    if (ma.len() + 1).saturating_mul(mb.len() + 1) > MAX_CELLS {
        out.extend(ma.iter().map(|l| DiffLine::Removed(l.to_string())));
        out.extend(mb.iter().map(|l| DiffLine::Added(l.to_string())));
    } else {
        // lcs[i][j]: the longest common subsequence of ma[i..] and mb[j..].
        let w = mb.len() + 1;
        let mut lcs = vec![0u32; (ma.len() + 1) * w];
        for i in (0..ma.len()).rev() {
            for j in (0..mb.len()).rev() {
                lcs[i * w + j] = if ma[i] == mb[j] { lcs[(i + 1) * w + j + 1] + 1 } else { lcs[(i + 1) * w + j].max(lcs[i * w + j + 1]) };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < ma.len() || j < mb.len() {
            if i < ma.len() && j < mb.len() && ma[i] == mb[j] {
                out.push(DiffLine::Same(ma[i].to_string()));
                i += 1;
                j += 1;
            } else if i < ma.len() && (j == mb.len() || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) {
                // Removals first, as `diff -u` prints them.
                out.push(DiffLine::Removed(ma[i].to_string()));
                i += 1;
            } else {
                out.push(DiffLine::Added(mb[j].to_string()));
                j += 1;
            }
        }
    }
    out.extend(a[a.len() - suffix..].iter().map(|l| DiffLine::Same(l.to_string())));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use DiffLine::*;

    #[test]
    fn shows_a_changed_line_between_the_same_ones() {
        let d = line_diff("a\nreplicas: 1\nc\n", "a\nreplicas: 3\nc\n");
        assert_eq!(d, [Same("a".into()), Removed("replicas: 1".into()), Added("replicas: 3".into()), Same("c".into())]);
        assert_eq!(line_diff("", "x"), [Added("x".into())]);
        assert_eq!(line_diff("x", ""), [Removed("x".into())]);
        assert_eq!(line_diff("a\nb", "a\nb"), [Same("a".into()), Same("b".into())]);
    }

    #[test]
    fn a_huge_change_degrades_instead_of_stalling() {
        let old: String = (0..3000).map(|i| format!("o{i}\n")).collect();
        let new: String = (0..3000).map(|i| format!("n{i}\n")).collect();
        let d = line_diff(&old, &new);
        assert_eq!(d.len(), 6000);
    }
}
