//! Particle's event streams, the wasm side: the options and the URL (one synchronous call), and a small
//! object with the decisions of a running stream ([`crate::http::sse::Session`]: parsing, back-off,
//! `retry:`, the opens window, stop on 401/403). The open/read/reconnect loop is JavaScript
//! (pkg-templates/events.mjs): it asks this object at every step.

use super::options::{pairs, Opts};
use super::particle::Particle;
use super::{set, to_js};
use crate::error::{Error, Vendor};
use crate::http::encode::cat;
use crate::http::fetch::{bounded_string, FetchTransport};
use crate::http::sse::Session;
use crate::http::Response;
use crate::vendors::particle::{events_path, Particle as Client};
use js_sys::{Array, Object};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

const V: Vendor = Vendor::Particle;
const CTX: &str = "particle.getEventStream";
/// The options of `getEventStream`; `__testWait` is the test hook: called with each wait the client
/// decided (in ms) instead of waiting, the wait ends when its promise settles.
const KEYS: [&str; 7] = ["deviceId", "product", "org", "name", "auth", "silenceMs", "__testWait"];

/// One running event stream: its token and the decisions of [`Session`], for the loop in events.mjs.
#[wasm_bindgen(skip_typescript)]
pub struct EventSourceState {
    client: Rc<Client<FetchTransport>>,
    bearer: String,
    session: Session,
}

#[wasm_bindgen]
impl Particle {
    /// The start of `getEventStream` (events.mjs): checks the options (throws a `CloudError`
    /// `invalid_argument` before anything is sent) and answers `[state, url, fetch, silenceMs, testWait]`.
    #[wasm_bindgen(js_name = "__eventStream", skip_typescript)]
    pub fn event_stream(&self, options: JsValue) -> Result<Array, JsValue> {
        setup(&self.inner, options).map_err(|e| to_js(e, V))
    }
}

#[inline(never)]
fn setup(client: &Rc<Client<FetchTransport>>, options: JsValue) -> Result<Array, Error> {
    let o = Opts::new(options.clone(), CTX)?;
    if !options.is_undefined() && !options.is_null() {
        let keys = pairs(&options);
        let keys = keys.dyn_ref::<Array>().ok_or_else(|| Error::invalid(cat(&[CTX, ": the options could not be read"])))?;
        let mut i = 0;
        while i < keys.length() {
            let key = bounded_string(&keys.get(i)).ok().flatten().unwrap_or_default();
            if !KEYS.contains(&key.as_str()) {
                return Err(Error::invalid(cat(&[CTX, ": unknown option `", &key, "`"])));
            }
            i += 2;
        }
    }
    let (device, product, org, name) = (o.string("deviceId")?, o.string("product")?, o.string("org")?, o.string("name")?);
    let path = events_path(device.as_deref(), product.as_deref(), org.as_deref(), name.as_deref())?;
    let url = cat(&[client.base_url(), &path]);
    let bearer = cat(&["Bearer ", &client.token(&o.string("auth")?)?]);
    let silence = o.number("silenceMs", 1, 2_147_483_647)?.unwrap_or(15_000);
    let hook = o.function("__testWait")?.map_or(JsValue::UNDEFINED, JsValue::from);
    let state = EventSourceState { client: client.clone(), bearer, session: Session::default() };
    let out = Array::of3(&state.into(), &url.into(), client.core().transport.fetch());
    out.push(&silence.into());
    out.push(&hook);
    Ok(out)
}

#[wasm_bindgen]
impl EventSourceState {
    /// The wait before an open wanted now (Particle's 100 opens per 5 minutes, shared by the client's
    /// streams); the open is counted at the end of that wait.
    #[wasm_bindgen(js_name = opensWait)]
    pub fn opens_wait(&self, now: f64) -> f64 {
        self.client.opens.borrow_mut().reserve(now)
    }

    /// The headers of an open: the token, and the last event id once there is one.
    pub fn headers(&self) -> Object {
        let h = Object::new();
        set(&h, "Authorization", &self.bearer.as_str().into());
        set(&h, "Accept", &"text/event-stream".into());
        let id = &self.session.parser.last_id;
        if !id.is_empty() {
            set(&h, "Last-Event-ID", &id.as_str().into());
        }
        h
    }

    /// An open answered `status` (`-2`: it failed): whether to read its body.
    pub fn opened(&mut self, status: f64) -> bool {
        self.session.opened(status)
    }

    /// The `CloudError` of a refused open: `status` with its (parsed) body, or `-2` with a message.
    pub fn error(&self, status: f64, body: JsValue) -> JsValue {
        let err = if status > 0.0 {
            Error::from_response(&Response::new(status as u16, body))
        } else {
            Error::Network(bounded_string(&body).ok().flatten().unwrap_or_default())
        };
        to_js(err, V)
    }

    /// The events a chunk of text completes, as `[name, data, name, data, …]`.
    pub fn feed(&mut self, text: &str) -> Array {
        let out = Array::new();
        for e in self.session.feed(text) {
            out.push(&e.name.into());
            out.push(&e.data.into());
        }
        out
    }

    /// After the connection opened with `status` is over: the wait before the next open (ms), or
    /// undefined to stop.
    pub fn ended(&mut self, status: f64, random: f64) -> Option<f64> {
        self.session.ended(status, random)
    }
}
