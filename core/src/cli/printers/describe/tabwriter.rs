//! kubectl's `PrefixWriter` (two spaces per level) over Go's `text/tabwriter` configured as
//! kubectl's `tabbedString` does (`minwidth 0, tabwidth 8, padding 2`): cells end at a tab, and a
//! column lines up over each block of consecutive lines that have a cell in it.


/// kubectl's `PrefixWriter` over a tabwriter; `flush` ends a block of aligned columns.
#[derive(Default)]
pub struct PrefixWriter {
    pub(super) pending: String,
    pub(super) out: String,
}

impl PrefixWriter {
    pub fn write(&mut self, level: usize, text: &str) {
        for _ in 0..level {
            self.pending.push_str("  ");
        }
        self.pending.push_str(text);
    }

    pub fn flush(&mut self) {
        self.out.push_str(&tabwrite(&self.pending, 0, 2));
        self.pending.clear();
    }

    pub fn finish(mut self) -> String {
        self.flush();
        self.out
    }
}

/// Go's `text/tabwriter` with a space pad character and no flags: a cell is text ended by a
/// tab; the last cell of a line is not part of any column; a column block is a run of
/// consecutive lines that have a cell in that column, and its width is the widest cell plus
/// `padding` (at least `min_width`).
pub fn tabwrite(text: &str, min_width: usize, padding: usize) -> String {
    let lines: Vec<Vec<&str>> = text.split_inclusive('\n').map(|l| l.trim_end_matches('\n').split('\t').collect()).collect();
    let ends_with_newline: Vec<bool> = text.split_inclusive('\n').map(|l| l.ends_with('\n')).collect();
    let mut widths: Vec<Vec<usize>> = lines.iter().map(|l| vec![0; l.len().saturating_sub(1)]).collect();
    format_block(&lines, &mut widths, 0, 0, lines.len(), min_width, padding);
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if j + 1 < line.len() {
                let w = widths[i][j];
                out.extend(std::iter::repeat_n(' ', w.saturating_sub(cell.chars().count())));
            }
        }
        if ends_with_newline[i] {
            out.push('\n');
        }
    }
    out
}

pub(super) fn format_block(lines: &[Vec<&str>], widths: &mut [Vec<usize>], column: usize, from: usize, to: usize, min_width: usize, padding: usize) {
    let mut this = from;
    while this < to {
        if column >= lines[this].len().saturating_sub(1) {
            this += 1;
            continue;
        }
        let start = this;
        let mut width = min_width;
        while this < to && column < lines[this].len().saturating_sub(1) {
            width = width.max(lines[this][column].chars().count() + padding);
            this += 1;
        }
        for w in widths.iter_mut().take(this).skip(start) {
            w[column] = width;
        }
        format_block(lines, widths, column + 1, start, this, min_width, padding);
    }
}
