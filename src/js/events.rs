//! Particle's event streams, the wasm side: the options and the URL (one synchronous call), and the
//! decisions of each running stream ([`crate::http::sse::Session`]: parsing, back-off, `retry:`, the opens
//! window, stop on 401/403). The open/read/reconnect loop is JavaScript (pkg-templates/events.mjs): it asks
//! its stream's session at every step.

use crate::prelude::*;

use super::options::{pairs, Opts};
use super::to_js;
use crate::error::{Error, Vendor};
use crate::http::encode::cat;
use crate::http::fetch::{bounded_string, FetchTransport};
use crate::http::sse::{Opens, Session, Sink};
use crate::http::Response;
use crate::vendors::particle::{events_path, Particle as Client, EVENTS_CTX as CTX};
use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

const V: Vendor = Vendor::Particle;
/// The options of `getEventStream`; `__testWait` is the test hook: called with each wait the client
/// decided (in ms) instead of waiting, the wait ends when its promise settles.
const KEYS: [&str; 7] = ["deviceId", "product", "org", "name", "auth", "silenceMs", "__testWait"];

/// The running streams of this page or process: a session each, in a slot (its id) that is reused once
/// the stream is over; and their opens, kept within Particle's 100 per 5 minutes (a limit per IP address:
/// every client's streams count).
struct Streams {
    sessions: Vec<Option<Session>>,
    opens: Opens,
}

static STREAMS: Local<Streams> = Local::new(Streams { sessions: Vec::new(), opens: Opens::new() });

/// The one question of the loop in events.mjs to a session at each step (`Particle.__eventStep`, through
/// `__call`; no client is needed): `op` is the session's handle plus [`WAIT`], [`OPENED`], [`FEED`],
/// [`ENDED`], or [`FREE`] once the stream is over.
pub(super) fn event_step(op: u32, n: f64, v: JsValue) -> JsValue {
    STREAMS.try_with(|s| step(&mut s.borrow_mut(), op as usize >> 3, op & 7, n, v)).unwrap_or(JsValue::UNDEFINED)
}

/// The start of `getEventStream` (events.mjs, through `__call`): checks the options (a `CloudError`
/// `invalid_argument`, before anything is sent, when one is wrong) and answers
/// `[handle, url, fetch, silenceMs, testWait, authorization]`: the handle of the stream's session (its slot
/// times 8, for [`event_step`]) and the `Authorization` header of every open.
#[inline(never)]
pub(super) fn setup(client: &Client<FetchTransport>, options: JsValue) -> Result<Array, Error> {
    let o = Opts::new(options.clone(), CTX)?;
    if options.is_object() {
        // `[key, value, …]`, or undefined when reading the keys threw.
        let keys = pairs(&options);
        if keys.is_undefined() {
            return Err(Error::invalid(cat(&[CTX, ": the options could not be read"])));
        }
        let keys: &Array = keys.unchecked_ref();
        let mut i = 0;
        while i < keys.length() {
            let key = bounded_string(&keys.get(i)).ok().flatten().unwrap_or_default();
            if !KEYS.contains(&key.as_str()) {
                return Err(Error::invalid(cat(&[CTX, ": unknown option `", &key, "`"])));
            }
            i += 2;
        }
    }
    let url = cat(&[client.base_url(), &events_path(|key| o.string(key))?]);
    let bearer = cat(&["Bearer ", &client.token(&o.string("auth")?)?]);
    let silence = o.number("silenceMs", 1, 2_147_483_647)?.unwrap_or(15_000);
    // The test hook goes as it is: events.mjs uses it when it is a function.
    let hook = o.raw("__testWait")?.unwrap_or_default();
    // A free slot, else a new one.
    let id = STREAMS
        .try_with(|s| {
            let sessions = &mut s.borrow_mut().sessions;
            let id = sessions.iter().position(Option::is_none).unwrap_or_else(|| {
                sessions.push(None);
                sessions.len() - 1
            });
            if let Some(slot) = sessions.get_mut(id) {
                *slot = Some(Session::default());
            }
            id
        })
        .unwrap_or(0);
    let out = Array::of3(&((id as u32) << 3).into(), &url.into(), client.core().transport.fetch());
    out.push(&silence.into());
    out.push(&hook);
    out.push(&bearer.into());
    Ok(out)
}

/// Events as `name, data` pairs of a JavaScript array.
struct Events<'a>(&'a Array);

impl Sink for Events<'_> {
    fn event(&mut self, name: &str, data: &str, _id: &str) {
        self.0.push(&name.into());
        self.0.push(&data.into());
    }
}

/// [`event_step`]: the wait (ms) before an open wanted now: Particle's 100 opens per 5 minutes,
/// shared by all streams; the open is counted at the end of that wait.
pub const WAIT: u32 = 0;
/// [`event_step`]: an open answered status `n` with `v` (`-2`: it failed, `v` the message):
/// undefined when its body is to be read, else the `CloudError` of the refusal.
pub const OPENED: u32 = 1;
/// [`event_step`]: the events the text `v` (a chunk of the body) completes, after the last event
/// id (`""`: none yet; sent as `Last-Event-ID` when reopening): `[lastEventId, name, data, name, data, …]`.
pub const FEED: u32 = 2;
/// [`event_step`]: the connection of the last [`OPENED`] is over: the wait before the next open
/// (ms, with random jitter), or `-1` to stop.
pub const ENDED: u32 = 3;
/// [`event_step`]: the stream is over; its slot is free.
pub const FREE: u32 = 4;

/// The answer of session `id` to `what` (undefined for a session that is not running).
fn step(streams: &mut Streams, id: usize, what: u32, n: f64, v: JsValue) -> JsValue {
    let Streams { sessions, opens } = streams;
    let Some(slot) = sessions.get_mut(id) else { return JsValue::UNDEFINED };
    if what == FREE {
        *slot = None;
    }
    let Some(s) = slot else { return JsValue::UNDEFINED };
    match what {
        WAIT => opens.reserve(js_sys::Date::now()).into(),
        OPENED => {
            if s.opened(n) {
                return JsValue::UNDEFINED;
            }
            let err = if n > 0.0 {
                Error::from_response(&Response::new(n as u16, v))
            } else {
                Error::Network(bounded_string(&v).ok().flatten().unwrap_or_default())
            };
            to_js(err, V)
        }
        FEED => {
            let out = Array::new();
            s.parser.feed(&v.as_string().unwrap_or_default(), &mut Events(&out));
            out.unshift(&s.parser.last_id.as_str().into());
            out.into()
        }
        ENDED => s.ended(js_sys::Math::random()).unwrap_or(-1.0).into(),
        _ => JsValue::UNDEFINED,
    }
}
