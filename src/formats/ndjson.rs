//! The NDJSON interchange format (`docs/FORMAT.md`): one event per line, as
//! import reads it and export writes it.

use crate::domain::{Precision, Qualifier};
use crate::models::{Event, Location};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// The longest line import accepts; memory stays bounded by it.
pub const MAX_LINE: usize = 1024 * 1024;

/// An event as one export line: the API's event without database ids and
/// timestamps, so it imports into any database. The first API's date
/// fields are written too, for readers that know only them.
#[derive(Serialize)]
pub struct Line<'a> {
    key: &'a str,
    kind: &'a str,
    title: &'a str,
    summary: Option<&'a str>,
    date: &'a str,
    earliest: NaiveDate,
    latest: NaiveDate,
    lasted: bool,
    precision: Precision,
    qualifier: Qualifier,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_basis: Option<&'a str>,
    display_date: &'a str,
    start: NaiveDate,
    end: Option<NaiveDate>,
    date_precision: &'a str,
    location: Option<&'a Location>,
    participants: Vec<LineParticipant<'a>>,
    sources: Vec<LineSource<'a>>,
    tags: &'a [String],
}

#[derive(Serialize)]
struct LineParticipant<'a> {
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<&'a str>,
    role: Option<&'a str>,
}

#[derive(Serialize)]
struct LineSource<'a> {
    url: Option<&'a str>,
    title: Option<&'a str>,
    publisher: Option<&'a str>,
    published: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    published_at: Option<DateTime<Utc>>,
    language: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    quote: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

impl<'a> From<&'a Event> for Line<'a> {
    fn from(e: &'a Event) -> Self {
        Line {
            key: &e.key,
            kind: &e.kind,
            title: &e.title,
            summary: e.summary.as_deref(),
            date: &e.date,
            earliest: e.earliest,
            latest: e.latest,
            lasted: e.lasted,
            precision: e.precision,
            qualifier: e.qualifier,
            date_text: e.date_text.as_deref(),
            date_basis: e.date_basis.as_deref(),
            display_date: &e.display_date,
            start: e.start,
            end: e.end,
            date_precision: &e.date_precision,
            location: e.location.as_ref(),
            participants: e
                .participants
                .iter()
                .map(|p| LineParticipant {
                    kind: &p.kind,
                    code: p.code.as_deref(),
                    name: &p.name,
                    country: p.country.as_deref(),
                    role: p.role.as_deref(),
                })
                .collect(),
            sources: e
                .sources
                .iter()
                .map(|s| LineSource {
                    url: s.source.url.as_deref(),
                    title: s.source.title.as_deref(),
                    publisher: s.source.publisher.as_deref(),
                    published: s.source.published.as_deref(),
                    published_at: s.source.published_at,
                    language: s.source.language.as_deref(),
                    quote: s.quote.as_deref(),
                    note: s.note.as_deref(),
                })
                .collect(),
            tags: &e.tags,
        }
    }
}

/// Appends an event's line, newline included, to `out`.
pub fn write_line(out: &mut Vec<u8>, event: &Event) {
    // Serialising plain structs to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &Line::from(event));
    out.push(b'\n');
}

/// Splits a byte stream into lines, whatever the chunk boundaries, holding
/// at most one line (up to MAX_LINE) in memory.
#[derive(Default)]
pub struct LineSplitter {
    pending: Vec<u8>,
    /// The current line went over MAX_LINE: skip to its end.
    overflowing: bool,
    number: u64,
}

/// One line of input: its number (from 1) and its bytes, or the fact that
/// it was too long.
pub enum Piece<'a> {
    Line(u64, &'a [u8]),
    TooLong(u64),
}

impl LineSplitter {
    /// Feeds a chunk; calls `each` for every line it completes.
    pub fn feed(&mut self, mut chunk: &[u8], mut each: impl FnMut(Piece<'_>)) {
        while let Some(end) = memchr::memchr(b'\n', chunk) {
            self.number += 1;
            if self.overflowing || self.pending.len() + end > MAX_LINE {
                each(Piece::TooLong(self.number));
            } else if self.pending.is_empty() {
                each(Piece::Line(self.number, &chunk[..end]));
            } else {
                self.pending.extend_from_slice(&chunk[..end]);
                each(Piece::Line(self.number, &self.pending));
            }
            self.pending.clear();
            self.overflowing = false;
            chunk = &chunk[end + 1..];
        }
        if !self.overflowing {
            if self.pending.len() + chunk.len() > MAX_LINE {
                self.overflowing = true;
                self.pending = Vec::new();
            } else {
                self.pending.extend_from_slice(chunk);
            }
        }
    }

    /// Ends the input: a last line without a newline still counts.
    pub fn finish(&mut self, mut each: impl FnMut(Piece<'_>)) {
        if self.overflowing {
            self.number += 1;
            each(Piece::TooLong(self.number));
        } else if !self.pending.is_empty() {
            self.number += 1;
            each(Piece::Line(self.number, &self.pending));
        }
        self.pending.clear();
        self.overflowing = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line the splitter gives for `input` cut into `chunk`-byte pieces.
    fn split(input: &[u8], chunk: usize) -> Vec<(u64, Option<Vec<u8>>)> {
        let mut splitter = LineSplitter::default();
        let mut out = Vec::new();
        let mut take = |piece: Piece<'_>| match piece {
            Piece::Line(n, bytes) => out.push((n, Some(bytes.to_vec()))),
            Piece::TooLong(n) => out.push((n, None)),
        };
        for part in input.chunks(chunk) {
            splitter.feed(part, &mut take);
        }
        splitter.finish(&mut take);
        out
    }

    #[test]
    fn lines_are_the_same_wherever_the_chunks_are_cut() {
        let input = b"{\"a\":1}\n\n{\"b\":2}\nlast";
        let whole = split(input, input.len());
        assert_eq!(whole.len(), 4);
        assert_eq!(whole[3], (4, Some(b"last".to_vec())), "a last line without a newline counts");
        for chunk in 1..input.len() {
            assert_eq!(split(input, chunk), whole, "cut every {chunk} bytes");
        }
    }

    #[test]
    fn an_overlong_line_is_reported_by_number_and_the_next_one_still_read() {
        let mut input = vec![b'x'; MAX_LINE + 1];
        input.extend_from_slice(b"\nok\n");
        let lines = split(&input, 64 * 1024);
        assert_eq!(lines, [(1, None), (2, Some(b"ok".to_vec()))]);
    }
}
