//! Rows in the text format of PostgreSQL's `COPY … FROM STDIN`, which a
//! first load sends its rows in (`PgBatch`): PostgreSQL reads them field by
//! field, where a row passed as JSON is parsed as a document, then taken
//! apart by `json_to_recordset` (bench/README.md).

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use std::fmt::Display;

/// Rows being written: fields separated by tabs, rows ended by newlines.
#[derive(Default)]
pub struct CopyRows {
    data: Vec<u8>,
    row_begun: bool,
}

/// A value as `COPY` reads it.
pub trait Field {
    fn write_to(&self, out: &mut Vec<u8>);
}

impl CopyRows {
    /// Adds a row of these fields.
    pub fn row(&mut self, fields: &[&dyn Field]) {
        for field in fields {
            if self.row_begun {
                self.data.push(b'\t');
            }
            self.row_begun = true;
            field.write_to(&mut self.data);
        }
        self.data.push(b'\n');
        self.row_begun = false;
    }

    pub fn bytes(&self) -> &[u8] {
        &self.data
    }
}

fn display(out: &mut Vec<u8>, value: impl Display) {
    use std::io::Write;
    let _ = write!(out, "{value}");
}

impl Field for str {
    fn write_to(&self, out: &mut Vec<u8>) {
        // The four bytes the format gives a meaning: a backslash, and the
        // separators of fields and rows.
        for &byte in self.as_bytes() {
            match byte {
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\t' => out.extend_from_slice(b"\\t"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                _ => out.push(byte),
            }
        }
    }
}

impl Field for String {
    fn write_to(&self, out: &mut Vec<u8>) {
        self.as_str().write_to(out);
    }
}

impl Field for i64 {
    fn write_to(&self, out: &mut Vec<u8>) {
        display(out, self);
    }
}

impl Field for i32 {
    fn write_to(&self, out: &mut Vec<u8>) {
        display(out, self);
    }
}

/// Rust writes the shortest digits that read back as the same number.
impl Field for f64 {
    fn write_to(&self, out: &mut Vec<u8>) {
        display(out, self);
    }
}

impl Field for NaiveDate {
    fn write_to(&self, out: &mut Vec<u8>) {
        display(out, self);
    }
}

impl Field for DateTime<Utc> {
    fn write_to(&self, out: &mut Vec<u8>) {
        display(out, self.to_rfc3339_opts(SecondsFormat::AutoSi, true));
    }
}

impl<T: Field> Field for Option<T> {
    fn write_to(&self, out: &mut Vec<u8>) {
        match self {
            Some(value) => value.write_to(out),
            None => out.extend_from_slice(b"\\N"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_escaped_and_nulls_marked() {
        let mut rows = CopyRows::default();
        rows.row(&[&"a\tb\\c\nd\re".to_owned(), &None::<String>, &7_i64, &Some(1.5_f64)]);
        rows.row(&[&NaiveDate::from_ymd_opt(2025, 11, 1).unwrap()]);
        assert_eq!(rows.bytes(), b"a\\tb\\\\c\\nd\\re\t\\N\t7\t1.5\n2025-11-01\n");
    }
}
