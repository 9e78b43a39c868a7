//! The subset of Go's `text/tabwriter` that pprof's `-tags` uses: tab-terminated cells, columns
//! aligned per block of consecutive lines that have the column, space padding.

/// Formats `text` like a Go `tabwriter.Writer` with the given minimum width, padding and
/// alignment (right-aligned cells get their padding in front).
pub fn format(text: &str, minwidth: usize, padding: usize, align_right: bool) -> String {
    let mut lines: Vec<Vec<&str>> = Vec::new();
    let ends_with_newline = text.ends_with('\n');
    let body = if ends_with_newline { &text[..text.len() - 1] } else { text };
    if !text.is_empty() {
        for line in body.split('\n') {
            lines.push(line.split('\t').collect());
        }
    }
    let mut out = String::with_capacity(text.len() * 2);
    let mut widths = Vec::new();
    let w = Writer { lines: &lines, minwidth, padding, align_right, trailing_newline: ends_with_newline };
    w.format(&mut out, &mut widths, 0, lines.len());
    out
}

struct Writer<'a> {
    lines: &'a [Vec<&'a str>],
    minwidth: usize,
    padding: usize,
    align_right: bool,
    trailing_newline: bool,
}

fn width(s: &str) -> usize {
    s.chars().count()
}

impl Writer<'_> {
    fn format(&self, out: &mut String, widths: &mut Vec<usize>, mut line0: usize, line1: usize) {
        let column = widths.len();
        let mut this = line0;
        while this < line1 {
            if column + 1 >= self.lines[this].len() {
                this += 1;
                continue;
            }
            self.write_lines(out, widths, line0, this);
            line0 = this;
            let mut w = self.minwidth;
            while this < line1 && column + 1 < self.lines[this].len() {
                w = w.max(width(self.lines[this][column]) + self.padding);
                this += 1;
            }
            widths.push(w);
            self.format(out, widths, line0, this);
            widths.pop();
            line0 = this;
        }
        self.write_lines(out, widths, line0, line1);
    }

    fn write_lines(&self, out: &mut String, widths: &[usize], line0: usize, line1: usize) {
        for i in line0..line1 {
            let line = &self.lines[i];
            for (j, cell) in line.iter().enumerate() {
                if j < widths.len() {
                    let pad = widths[j].saturating_sub(width(cell));
                    if self.align_right {
                        out.extend(std::iter::repeat_n(' ', pad));
                        out.push_str(cell);
                    } else {
                        out.push_str(cell);
                        out.extend(std::iter::repeat_n(' ', pad));
                    }
                } else {
                    out.push_str(cell);
                }
            }
            if i + 1 < self.lines.len() || self.trailing_newline {
                out.push('\n');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn right_aligned_blocks() {
        let t = "bytes:\t Total 9 of 9\n \t62.50MB (63.37%):\t 1.56MB\n \t1000kB ( 0.99%):\t 100kB\n\nk:\t x\n";
        let got = super::format(t, 0, 1, true);
        assert_eq!(
            got,
            " bytes: Total 9 of 9\n        62.50MB (63.37%): 1.56MB\n         1000kB ( 0.99%): 100kB\n\n k: x\n"
        );
    }
}
