//! A small RFC 4180 CSV reader for uploaded files: fields separated by commas (or by tabs when the first line
//! has tabs and no commas), double-quoted fields with `""` for a quote (they may span lines), CRLF or LF line
//! ends, a UTF-8 byte-order mark skipped, blank lines skipped, spaces around unquoted fields trimmed. Records
//! come one at a time, each with the line it starts on, so a file of millions of values needs no more memory
//! than its longest record. Invalid UTF-8 and an unclosed quote are errors naming the line.

use super::{at, at_line};
use crate::error::Result;

/// Reads the records of one CSV file; see the module documentation for the dialect.
pub struct CsvReader<'a> {
    path: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: usize,
    delim: u8,
    buf: Vec<u8>,
    bounds: Vec<(usize, usize)>,
}

/// One record: its fields (already unquoted) and the 1-based line it starts on.
#[derive(Clone, Copy, Debug)]
pub struct Record<'r> {
    /// The line the record starts on (1-based).
    pub line: usize,
    text: &'r str,
    bounds: &'r [(usize, usize)],
}

impl<'r> Record<'r> {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    /// Whether the record has no fields (never true of a record the reader yields).
    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    /// Field `i` (0-based), or `""` past the last field.
    pub fn get(&self, i: usize) -> &'r str {
        let text = self.text;
        self.bounds.get(i).and_then(|&(a, b)| text.get(a..b)).unwrap_or("")
    }

    /// The fields in order.
    pub fn fields(&self) -> impl Iterator<Item = &'r str> + 'r {
        let text = self.text;
        self.bounds.iter().map(move |&(a, b)| text.get(a..b).unwrap_or(""))
    }
}

impl<'a> CsvReader<'a> {
    /// A reader of `bytes`; `path` names the file in errors.
    pub fn new(path: &'a str, bytes: &'a [u8]) -> Self {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
        let delim = if first.contains(&b'\t') && !first.contains(&b',') { b'\t' } else { b',' };
        CsvReader { path, bytes, pos: 0, line: 1, delim, buf: Vec::new(), bounds: Vec::new() }
    }

    /// The field separator in use (`b','` or `b'\t'`).
    pub fn delimiter(&self) -> u8 {
        self.delim
    }

    /// The next record that is not blank, or `None` at the end of the file.
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>> {
        loop {
            if self.pos >= self.bytes.len() {
                return Ok(None);
            }
            let line = self.line;
            let quoted = self.read_record()?;
            let blank = !quoted && self.bounds.len() == 1 && self.bounds.first().is_some_and(|&(a, b)| a == b);
            if blank {
                continue;
            }
            let text = std::str::from_utf8(&self.buf).map_err(|e| {
                at_line(
                    self.path,
                    line,
                    format!("not UTF-8 text (byte {} of the record); save it as UTF-8", e.valid_up_to() + 1),
                )
            })?;
            return Ok(Some(Record { line, text, bounds: &self.bounds }));
        }
    }

    fn is_space(&self, b: u8) -> bool {
        b == b' ' || (b == b'\t' && self.delim != b'\t')
    }

    /// Ends the record at a line break at `i` (if any): the position after it.
    fn line_end(&mut self, i: usize) -> Option<usize> {
        match self.bytes.get(i) {
            Some(b'\n') => {
                self.line += 1;
                Some(i + 1)
            }
            Some(b'\r') => {
                self.line += 1;
                Some(if self.bytes.get(i + 1) == Some(&b'\n') { i + 2 } else { i + 1 })
            }
            _ => None,
        }
    }

    /// Reads one record into `buf`/`bounds`; whether any field was quoted.
    fn read_record(&mut self) -> Result<bool> {
        self.buf.clear();
        self.bounds.clear();
        let bytes = self.bytes;
        let mut i = self.pos;
        let mut any_quoted = false;
        loop {
            while bytes.get(i).is_some_and(|&b| self.is_space(b)) {
                i += 1;
            }
            let start = self.buf.len();
            let column = self.bounds.len() + 1;
            if bytes.get(i) == Some(&b'"') {
                any_quoted = true;
                let opened = self.line;
                i += 1;
                loop {
                    match bytes.get(i) {
                        None => {
                            return Err(at(
                                self.path,
                                opened,
                                column,
                                "a quoted field is never closed (a `\"` is missing)",
                            ))
                        }
                        Some(b'"') if bytes.get(i + 1) == Some(&b'"') => {
                            self.buf.push(b'"');
                            i += 2;
                        }
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(&b) => {
                            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                                self.line += 1;
                            }
                            self.buf.push(b);
                            i += 1;
                        }
                    }
                }
                self.bounds.push((start, self.buf.len()));
                while bytes.get(i).is_some_and(|&b| self.is_space(b)) {
                    i += 1;
                }
            } else {
                while let Some(&b) = bytes.get(i) {
                    if b == self.delim || b == b'\n' || b == b'\r' {
                        break;
                    }
                    self.buf.push(b);
                    i += 1;
                }
                while self.buf.len() > start && self.buf.last().is_some_and(|&b| self.is_space(b)) {
                    self.buf.pop();
                }
                self.bounds.push((start, self.buf.len()));
            }
            // after a field: the next field, the end of the record, or (after a quote) an error
            match bytes.get(i) {
                None => break,
                Some(&b) if b == self.delim => i += 1,
                Some(b'\n' | b'\r') => {
                    i = self.line_end(i).unwrap_or(i + 1);
                    break;
                }
                Some(_) => {
                    return Err(at(self.path, self.line, column, "text after the closing quote of a quoted field"))
                }
            }
        }
        self.pos = i;
        Ok(any_quoted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &[u8]) -> Result<Vec<(usize, Vec<String>)>> {
        let mut r = CsvReader::new("t.csv", text);
        let mut out = Vec::new();
        while let Some(rec) = r.next_record()? {
            out.push((rec.line, rec.fields().map(str::to_string).collect()));
        }
        Ok(out)
    }

    fn row(line: usize, fields: &[&str]) -> (usize, Vec<String>) {
        (line, fields.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn reads_the_dialect() {
        let text = b"\xEF\xBB\xBFa,b\r\n\r\n \"x,\"\"y\"\" \" , z \n\"multi\nline\",2\n\n3,\n";
        assert_eq!(
            all(text).unwrap(),
            vec![row(1, &["a", "b"]), row(3, &["x,\"y\" ", "z"]), row(4, &["multi\nline", "2"]), row(7, &["3", ""])]
        );
        assert_eq!(all(b"a\tb\n1\t2").unwrap(), vec![row(1, &["a", "b"]), row(2, &["1", "2"])]);
        assert_eq!(all(b"a\t,b\n").unwrap(), vec![row(1, &["a", "b"])]);
        assert_eq!(all(b"").unwrap(), vec![]);
        assert_eq!(all(b"\"\"\n").unwrap(), vec![row(1, &[""])]);
    }

    #[test]
    fn broken_files_name_the_line() {
        let e = all(b"a,b\n1,\"2\n3,4\n").unwrap_err().to_string();
        assert!(e.contains("t.csv") && e.contains("line 2, column 2") && e.contains("never closed"), "{e}");
        let e = all(b"a,b\n1,\"2\"x\n").unwrap_err().to_string();
        assert!(e.contains("line 2, column 2") && e.contains("closing quote"), "{e}");
        let e = all(b"a,b\n\n1,\xff\n").unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("UTF-8"), "{e}");
    }
}
