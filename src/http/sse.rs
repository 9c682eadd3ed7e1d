//! Server-sent events as pure values: the WHATWG `text/event-stream` parser over text chunks cut anywhere,
//! and the reconnect policy of a long-lived stream (back-off with jitter, `retry:`, the opens window).
//! No I/O here: the JavaScript loop (pkg-templates/events.mjs) decodes the body with a streaming
//! `TextDecoder` (which keeps a UTF-8 sequence split between chunks for the next one, and puts U+FFFD for
//! invalid bytes, as the format says), feeds the text in and asks [`Session`] every decision.

use crate::prelude::*;

use core::mem::take;

/// A line (or an event's data) longer than this (in UTF-8 bytes) is cut: a stream without newlines cannot
/// exhaust memory.
pub const MAX_LINE: usize = 1 << 20;

/// One dispatched event: its type (`event:`, default `message`), its data lines joined by `\n`, and the
/// last event id at dispatch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Event {
    pub name: String,
    pub data: String,
    pub id: String,
}

/// Where the parser puts the events it dispatches: a `Vec<Event>`, or (in wasm) a JavaScript array of
/// `name, data` pairs made without an `Event` in between.
pub trait Sink {
    fn event(&mut self, name: &str, data: &str, id: &str);
}

impl Sink for Vec<Event> {
    fn event(&mut self, name: &str, data: &str, id: &str) {
        self.push(Event { name: name.into(), data: data.into(), id: id.into() });
    }
}

/// The parser of one event source. [`Parser::feed`] takes decoded chunks as they come (a boundary may
/// fall anywhere, inside a CRLF too); [`Parser::restart`] begins a new connection, keeping the last event
/// id and the `retry:` value.
#[derive(Clone, Debug, Default)]
pub struct Parser {
    line: String,
    after_cr: bool,
    /// An event was dispatched since the connection began.
    pub dispatched: bool,
    data: String,
    event: String,
    id: String,
    /// The last event id string: sent as `Last-Event-ID` when reconnecting.
    pub last_id: String,
    /// The reconnection time the server asked for (`retry:`), in milliseconds.
    pub retry_ms: Option<u32>,
}

impl Parser {
    /// A new connection: a partial line or event of the old one is dropped (an `id:` of an event never
    /// dispatched too); the last event id and the reconnection
    /// time stay.
    #[inline(never)]
    pub fn restart(&mut self) {
        self.line.clear();
        self.data.clear();
        self.event.clear();
        set(&mut self.id, &self.last_id);
        self.after_cr = false;
        self.dispatched = false;
    }

    /// Feeds a chunk; the events it completes go to `out`.
    pub fn feed(&mut self, chunk: &str, out: &mut impl Sink) {
        for c in chunk.chars() {
            // An LF right after a CR ends no second line.
            if take(&mut self.after_cr) && c == '\n' {
                continue;
            }
            match c {
                '\r' | '\n' => {
                    self.after_cr = c == '\r';
                    self.line_end(out);
                }
                _ if self.line.len() < MAX_LINE => self.line.push(c),
                _ => {}
            }
        }
    }

    #[inline(never)]
    fn line_end(&mut self, out: &mut impl Sink) {
        let Parser { line, data, event, id, last_id, .. } = self;
        if line.is_empty() {
            // Dispatch: the id is the last event id even when there is no data.
            set(last_id, id);
            // The data without its last `\n`.
            if let Some(n) = data.len().checked_sub(1) {
                self.dispatched = true;
                out.event(if event.is_empty() { "message" } else { event }, data.get(..n).unwrap_or(""), last_id);
            }
            data.clear();
            event.clear();
            return;
        }
        let (field, value) = crate::ops::split(line, b':').unwrap_or((line, ""));
        let value = value.strip_prefix(" ").unwrap_or(value);
        match field {
            "event" => set(event, value),
            "data" if data.len() < MAX_LINE => {
                data.push_str(value);
                data.push('\n');
            }
            "id" if !value.bytes().any(|b| b == 0) => set(id, value),
            // Digits only; a number past `u32` is the largest.
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                self.retry_ms = Some(super::encode::whole32(value).unwrap_or(u32::MAX));
            }
            // Comments (an empty field name) and unknown fields.
            _ => {}
        }
        self.line.clear();
    }
}

/// `to = value`, in `to`'s buffer.
fn set(to: &mut String, value: &str) {
    to.clear();
    to.push_str(value);
}

/// Particle's limit: opens of event streams per window, per IP.
pub const MAX_OPENS: usize = 100;
/// The window of [`MAX_OPENS`]: five minutes.
pub const OPEN_WINDOW_MS: f64 = 300_000.0;

/// The times of the last [`MAX_OPENS`] stream opens, shared by all streams (the limit is per IP): at most
/// [`MAX_OPENS`] in any [`OPEN_WINDOW_MS`]. A ring: once full, `next` is the oldest.
#[derive(Clone, Debug)]
pub struct Opens {
    ring: [f64; MAX_OPENS],
    next: usize,
    full: bool,
}

impl Default for Opens {
    fn default() -> Self {
        Opens::new()
    }
}

impl Opens {
    pub const fn new() -> Self {
        Opens { ring: [0.0; MAX_OPENS], next: 0, full: false }
    }

    /// How long an open wanted at `at` must still wait so that the window holds at most `MAX_OPENS`: until
    /// the oldest of the last `MAX_OPENS` leaves it.
    pub fn wait(&self, at: f64) -> f64 {
        match self.ring.get(self.next) {
            Some(t) if self.full => (t + OPEN_WINDOW_MS - at).max(0.0),
            _ => 0.0,
        }
    }

    /// Records an open at `now`.
    pub fn record(&mut self, now: f64) {
        if let Some(oldest) = self.ring.get_mut(self.next) {
            *oldest = now;
        }
        self.next += 1;
        if self.next == MAX_OPENS {
            self.next = 0;
            self.full = true;
        }
    }

    /// The wait of an open wanted at `at` ([`Opens::wait`]), recording the open at the end of that wait.
    pub fn reserve(&mut self, at: f64) -> f64 {
        let wait = self.wait(at);
        self.record(at + wait);
        wait
    }
}

/// What ended a connection, as the reconnect policy sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ended {
    /// The open was answered with this status (not 200), or failed (`0`: network).
    Refused(u16),
    /// The stream ended, failed or fell silent; `delivered`: it dispatched at least one event.
    Closed { delivered: bool },
}

/// The first wait of [`Backoff`], when the server sent no `retry:`: 1 s.
pub const BASE_MS: f64 = 1_000.0;
/// The longest wait of [`Backoff`] (unless `retry:` asks for longer): 30 s.
pub const CAP_MS: f64 = 30_000.0;

/// Back-off between opens of one stream: from [`BASE_MS`] (or the server's `retry:`), doubled after
/// every open that delivered nothing, up to [`CAP_MS`], plus up to half again of random jitter
/// (within the cap); back to the base after a stream that delivered events. 401 and 403 stop.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    /// The wait before the next open after `ended`, or `None` to stop. `retry_ms`: the server's `retry:`
    /// (it replaces the base, and the cap when longer); `random` in `[0, 1)`.
    pub fn next(&mut self, ended: Ended, retry_ms: Option<u32>, random: f64) -> Option<f64> {
        match ended {
            Ended::Refused(401 | 403) => return None,
            Ended::Closed { delivered: true } => self.failures = 0,
            _ => {}
        }
        let base = retry_ms.map_or(BASE_MS, f64::from);
        let cap = CAP_MS.max(base);
        let step = (base * f64::from(1u32 << self.failures.min(20))).min(cap);
        self.failures = self.failures.saturating_add(1);
        // `max`/`min` turn a NaN into 0.
        #[allow(clippy::manual_clamp)]
        let jitter = random.max(0.0).min(1.0) * 0.5;
        Some((step + step * jitter).min(cap))
    }
}

/// The decisions of one stream, asked by the JavaScript loop after each step: whether an answer is read,
/// the events of each chunk of text, and the wait (or stop) after a connection.
#[derive(Clone, Debug, Default)]
pub struct Session {
    pub parser: Parser,
    backoff: Backoff,
    /// The answer of the last open.
    status: f64,
}

impl Session {
    /// An open answered `status` (`-2`: it failed): whether its body is read (200, a new connection of the
    /// parser), or it is a refusal.
    pub fn opened(&mut self, status: f64) -> bool {
        self.status = status;
        let read = status == 200.0;
        if read {
            self.parser.restart();
        }
        read
    }

    /// The wait before the next open, or `None` to stop, once the connection of the last
    /// [`Session::opened`] is over (200: its body ended, failed or fell silent; another status: the
    /// refusal); `random` in `[0, 1)` for the jitter.
    pub fn ended(&mut self, random: f64) -> Option<f64> {
        let ended = if self.status == 200.0 {
            Ended::Closed { delivered: self.parser.dispatched }
        } else {
            // A failure (`-2`) is `0`; a status past `u16` (never an HTTP one) the largest.
            Ended::Refused(self.status as u16)
        };
        self.backoff.next(ended, self.parser.retry_ms, random)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(chunks: &[&str]) -> (Vec<Event>, Parser) {
        let mut p = Parser::default();
        let mut out = Vec::new();
        for c in chunks {
            p.feed(c, &mut out);
        }
        (out, p)
    }

    fn feed(s: &mut Session, text: &str) -> Vec<Event> {
        let mut out = Vec::new();
        s.parser.feed(text, &mut out);
        out
    }

    fn ev(name: &str, data: &str, id: &str) -> Event {
        Event { name: name.into(), data: data.into(), id: id.into() }
    }

    #[test]
    fn particle_frames_with_keep_alives_and_comments() {
        let stream = ":ok\n\nevent: temp\ndata: {\"data\":\"21\",\"ttl\":60,\"published_at\":\"2024-01-01T00:00:00.000Z\",\"coreid\":\"d1\"}\n\n\n\n";
        let (out, _) = parse(&[stream]);
        assert_eq!(
            out,
            vec![ev("temp", r#"{"data":"21","ttl":60,"published_at":"2024-01-01T00:00:00.000Z","coreid":"d1"}"#, "")]
        );
    }

    #[test]
    fn line_endings_multi_line_data_and_fields_without_colon() {
        let (out, _) = parse(&["data: a\r\ndata:b\rdata\n\nevent:x\r\ndata:  two spaces\r\n\r\n"]);
        assert_eq!(out, vec![ev("message", "a\nb\n", ""), ev("x", " two spaces", "")]);
        // `data` without colon adds an empty line; an event with data "" is still dispatched.
        let (out, _) = parse(&["data\n\ndata:\n\n"]);
        assert_eq!(out, vec![ev("message", "", ""), ev("message", "", "")]);
        // No data: nothing dispatched, and the event type does not leak into the next event.
        let (out, _) = parse(&["event: lost\n\ndata: d\n\n"]);
        assert_eq!(out, vec![ev("message", "d", "")]);
        // An unfinished event at the end of the stream is not dispatched.
        let (out, _) = parse(&["data: half\n"]);
        assert!(out.is_empty());
    }

    #[test]
    fn ids_are_kept_and_retry_takes_digits_only() {
        let (out, p) =
            parse(&["id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\nid: 9\nretry: 2500\nretry: 3x\nretry:\n\n"]);
        assert_eq!(out, vec![ev("message", "a", "7"), ev("message", "b", "7"), ev("message", "c", "")]);
        // An id is the last event id once its event (even without data) is over.
        assert_eq!((p.last_id.as_str(), p.retry_ms), ("9", Some(2500)));
        let (_, p) = parse(&["id: a\0b\nretry: 99999999999\n\n"]);
        assert_eq!((p.last_id.as_str(), p.retry_ms), ("", Some(u32::MAX)));
    }

    #[test]
    fn a_bom_after_the_start_is_no_field_and_restart_keeps_the_id() {
        // The decoder drops the BOM that opens a connection; one later is part of the line.
        let (out, mut p) = parse(&["data: x\n\n\u{feff}data: y\n\nid: 4\ndata: part"]);
        assert_eq!(out, vec![ev("message", "x", "")]);
        p.restart();
        let mut out = Vec::new();
        p.feed("retry: 10\n\ndata: new\n\n", &mut out);
        assert_eq!(out, vec![ev("message", "new", "")]);
        assert_eq!(p.retry_ms, Some(10));
        let (_, mut p) = parse(&["id: 4\n\n"]);
        p.restart();
        p.feed("data: z\n\n", &mut out);
        assert_eq!(out.last(), Some(&ev("message", "z", "4")));
    }

    #[test]
    fn text_split_at_any_character() {
        let text = "data: é€😀\n\n";
        for (cut, _) in text.char_indices() {
            let (out, _) = parse(&[text.get(..cut).unwrap(), text.get(cut..).unwrap()]);
            assert_eq!(out, vec![ev("message", "é€😀", "")], "cut at {cut}");
        }
        // What the decoder makes of invalid bytes passes through.
        let (out, _) = parse(&["data: \u{fffd}\n\n"]);
        assert_eq!(out, vec![ev("message", "\u{fffd}", "")]);
        // Empty chunks change nothing.
        let (out, _) = parse(&["", "data: a", "", "\n\n"]);
        assert_eq!(out, vec![ev("message", "a", "")]);
    }

    #[test]
    fn a_cr_at_a_chunk_end_still_pairs_with_the_next_lf() {
        let (out, _) = parse(&["data: a\r", "\n\r", "\ndata: b\r", "\r"]);
        assert_eq!(out, vec![ev("message", "a", ""), ev("message", "b", "")]);
    }

    #[test]
    fn overlong_lines_are_cut() {
        let mut big = "data: ".to_owned();
        big.extend(core::iter::repeat_n('x', MAX_LINE + 4));
        big.push_str("\n\n");
        let (out, _) = parse(&[&big]);
        assert_eq!(out.first().map(|e| e.data.len()), Some(MAX_LINE - 6));
    }

    #[test]
    fn backoff_grows_from_one_second_to_the_cap_and_resets() {
        let mut b = Backoff::default();
        let low: Vec<_> = (0..7).map(|_| b.next(Ended::Refused(503), None, 0.0).unwrap()).collect();
        assert_eq!(low, [1e3, 2e3, 4e3, 8e3, 16e3, 30e3, 30e3]);
        let mut b = Backoff::default();
        let high: Vec<_> =
            (0..7).map(|_| b.next(Ended::Closed { delivered: false }, None, 0.999_999).unwrap()).collect();
        for (h, l) in high.iter().zip(&low) {
            assert!(*h >= *l && *h <= (l * 1.5).min(30e3), "{h} for {l}");
        }
        // A stream that delivered events starts over; NaN jitter counts as none.
        assert_eq!(b.next(Ended::Closed { delivered: true }, None, f64::NAN), Some(1e3));
        assert_eq!(b.next(Ended::Refused(0), None, 0.0), Some(2e3));
    }

    #[test]
    fn retry_replaces_the_base_and_401_403_stop() {
        let mut b = Backoff::default();
        assert_eq!(b.next(Ended::Closed { delivered: true }, Some(5_000), 0.0), Some(5e3));
        assert_eq!(b.next(Ended::Refused(500), Some(5_000), 0.0), Some(10e3));
        assert_eq!(b.next(Ended::Closed { delivered: true }, Some(120_000), 0.5), Some(120e3));
        assert_eq!(b.next(Ended::Refused(401), None, 0.0), None);
        assert_eq!(b.next(Ended::Refused(403), None, 0.0), None);
    }

    #[test]
    fn at_most_100_opens_in_any_five_minutes() {
        let mut o = Opens::default();
        for i in 0..100 {
            assert_eq!(o.wait(f64::from(i) * 100.0), 0.0);
            o.record(f64::from(i) * 100.0);
        }
        // The 101st waits until the first open leaves the window, then one more slot frees every 100 ms.
        assert_eq!(o.wait(10_000.0), 290_000.0);
        assert_eq!(o.wait(300_000.0), 0.0);
        o.record(300_000.0);
        assert_eq!(o.wait(300_000.0), 100.0);
        assert_eq!(o.wait(400_000.0), 0.0);
    }

    #[test]
    fn reserve_records_the_open_at_the_end_of_its_wait() {
        let mut o = Opens::default();
        for i in 0..100 {
            assert_eq!(o.reserve(f64::from(i)), 0.0);
        }
        // Full: the 101st goes when the first open leaves the window, and counts from then on.
        assert_eq!(o.reserve(1_000.0), 299_000.0);
        assert_eq!(o.reserve(1_000.0), 299_001.0);
        assert_eq!(o.wait(300_000.0), 2.0);
        assert_eq!(o.wait(600_001.0), 0.0);
    }

    #[test]
    fn the_ring_of_opens_goes_round_and_round() {
        // An open every second for ten minutes and more: never more than 100 in a window, and every open
        // past the first 100 waits for the one 100 opens earlier to leave it.
        let mut o = Opens::default();
        let mut at = Vec::new();
        for i in 0..350u32 {
            let wait = o.reserve(f64::from(i) * 1_000.0);
            at.push(f64::from(i) * 1_000.0 + wait);
            if let Some(earlier) = i.checked_sub(100).and_then(|j| at.get(j as usize)) {
                assert_eq!(at.last().copied(), Some((f64::from(i) * 1_000.0).max(earlier + OPEN_WINDOW_MS)));
            } else {
                assert_eq!(wait, 0.0);
            }
        }
    }

    #[test]
    fn a_session_reads_200_restarts_the_parser_and_backs_off_by_what_was_delivered() {
        let mut s = Session::default();
        assert!(s.opened(200.0));
        assert_eq!(feed(&mut s, "id: 1\nretry: 3000\ndata: a\n\ndata: pa"), vec![ev("message", "a", "1")]);
        assert!(feed(&mut s, "rt").is_empty());
        // Delivered: the base (the server's 3 s) again.
        assert_eq!(s.ended(0.0), Some(3e3));
        // A new connection drops the partial event and keeps the id.
        assert!(s.opened(200.0));
        assert_eq!(feed(&mut s, "\n\ndata: b\n\n"), vec![ev("message", "b", "1")]);
        assert_eq!(s.parser.last_id, "1");
        assert!(s.opened(200.0));
        // Nothing delivered on the new connection, a refusal, a failure (-2), an odd status: doubling.
        assert_eq!(s.ended(0.0), Some(6e3));
        assert!(!s.opened(503.0));
        assert_eq!(s.ended(0.0), Some(12e3));
        assert!(!s.opened(-2.0));
        assert_eq!(s.ended(0.0), Some(24e3));
        assert!(!s.opened(70_000.0));
        assert_eq!(s.ended(0.0), Some(30e3));
        // A status that is not exactly 200 is no stream: 200.5 is refused and backed off from.
        assert!(!s.opened(200.5));
        assert_eq!(s.ended(0.0), Some(30e3));
        // 401 and 403 stop.
        assert!(!s.opened(401.0));
        assert_eq!(s.ended(0.0), None);
        let mut s = Session::default();
        assert!(!s.opened(403.0));
        assert_eq!(s.ended(0.5), None);
    }
}
