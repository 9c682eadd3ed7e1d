//! Particle's event streams on the wasm side: opens the stream with the client's `fetch`, feeds the body's
//! chunks to the pure parser ([`crate::http::sse`]), and reconnects as its policy decides. JavaScript does
//! three small steps (open, read one chunk with the silence deadline, wait) and makes the emitter and the
//! async iterator (pkg-templates/events.mjs) from what `emit(kind, a, b)` reports.

use super::options::{pairs, Opts};
use super::particle::Particle;
use super::{promise, to_js};
use crate::error::{Error, Vendor};
use crate::http::encode::cat;
use crate::http::fetch::{bounded_string, FetchTransport};
use crate::http::sse::{Backoff, Ended, Parser};
use crate::http::Response;
use crate::vendors::particle::{events_path, Particle as Client};
use js_sys::{Array, Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

const V: Vendor = Vendor::Particle;
const CTX: &str = "particle.getEventStream";
/// The options of `getEventStream`; `__testWait` is the test hook: called with each wait the client
/// decided (in ms) instead of waiting, the wait ends when its promise settles.
const KEYS: [&str; 7] = ["deviceId", "product", "org", "name", "auth", "silenceMs", "__testWait"];

#[wasm_bindgen(inline_js = r#"
export async function open(fetch, url, headers, signal) {
  try {
    const h = {};
    const text = new TextDecoder();
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const v = headers[i + 1];
      h[headers[i]] = typeof v === 'string' ? v : text.decode(v);
    }
    const res = await fetch(url, { headers: h, signal, redirect: 'manual' });
    const status = res.status;
    if (status === 200) {
      const body = res.body;
      if (body && typeof body.getReader === 'function') return [200, body.getReader()];
      return [-2, 'the response has no readable body'];
    }
    if (typeof status !== 'number' || status < 100) return [-2, 'unexpected answer'];
    let value = null;
    try {
      value = await res.text();
      value = JSON.parse(value);
    } catch {}
    return [status, value];
  } catch (err) {
    try {
      return [-2, String(err?.message ?? err)];
    } catch {
      return [-2, 'fetch failed'];
    }
  }
}

export function read(reader, ms) {
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      resolve(0);
      try { reader.cancel().catch(() => {}); } catch {}
    }, ms);
    const end = (v) => {
      clearTimeout(t);
      resolve(v);
    };
    try {
      reader.read().then((r) => end(r.done ? null : r.value), () => end(null));
    } catch {
      end(null);
    }
  });
}

export function wait(ms, signal, hook) {
  if (hook) {
    try {
      return Promise.resolve(hook(ms)).then(() => {}, () => {});
    } catch {
      return Promise.resolve();
    }
  }
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
"#)]
extern "C" {
    /// `fetch(url, {headers, signal})`: resolves `[200, reader]`, `[status, body]` for another status, or
    /// `[-2, message]` for a failure. Never rejects.
    fn open(fetch: &Function, url: &str, headers: &Array, signal: &JsValue) -> Promise;
    /// The next chunk (`Uint8Array`), `null` at the end or on a failure, `0` when none came within `ms`
    /// (the reader is then cancelled).
    fn read(reader: &JsValue, ms: u32) -> Promise;
    /// Resolves after `ms`, at once when `signal` fires; `hook`, when given, replaces the timer.
    fn wait(ms: f64, signal: &JsValue, hook: &JsValue) -> Promise;
}

#[wasm_bindgen]
impl Particle {
    /// Runs an event stream (see `getEventStream` in events.mjs): `emit(kind, a, b)` reports `open` (once,
    /// when the first open succeeded), `event` (name, data), `disconnect`, `reconnect`,
    /// `reconnect-success`, `reconnect-error` (error), `error` (error) and `end`. Rejects when the options
    /// are wrong or the first open fails; resolves when `signal` fires or the stream ends for good.
    #[wasm_bindgen(js_name = "__eventStream", skip_typescript)]
    pub fn event_stream(&self, options: JsValue, emit: Function, signal: JsValue) -> Promise {
        let client = self.inner.clone();
        promise(V, async move { run(&client, options, &emit, &signal).await.map(|()| JsValue::UNDEFINED) })
    }
}

fn say(emit: &Function, kind: &str, a: &JsValue, b: &JsValue) {
    let _ = emit.call3(&JsValue::UNDEFINED, &kind.into(), a, b);
}

fn aborted(signal: &JsValue) -> bool {
    Reflect::get(signal, &"aborted".into()).ok().and_then(|v| v.as_bool()) != Some(false)
}

/// What a stream needs, read from the options (nothing is sent when one is wrong).
struct Setup {
    url: String,
    bearer: String,
    silence_ms: u32,
    hook: JsValue,
}

#[inline(never)]
fn setup(client: &Client<FetchTransport>, options: JsValue) -> Result<Setup, Error> {
    let o = Opts::new(options.clone(), CTX)?;
    if !options.is_undefined() && !options.is_null() {
        let keys = pairs(&options);
        let keys = keys.dyn_ref::<Array>().ok_or_else(|| Error::invalid(cat(&[CTX, ": the options could not be read"])))?;
        for key in keys.iter().step_by(2) {
            let key = bounded_string(&key).ok().flatten().unwrap_or_default();
            if !KEYS.contains(&key.as_str()) {
                return Err(Error::invalid(cat(&[CTX, ": unknown option `", &key, "`"])));
            }
        }
    }
    let (device, product, org, name) = (o.string("deviceId")?, o.string("product")?, o.string("org")?, o.string("name")?);
    let path = events_path(device.as_deref(), product.as_deref(), org.as_deref(), name.as_deref())?;
    Ok(Setup {
        url: cat(&[client.base_url(), &path]),
        bearer: cat(&["Bearer ", &client.token(&o.string("auth")?)?]),
        silence_ms: o.number("silenceMs", 1, 2_147_483_647)?.unwrap_or(15_000),
        hook: o.function("__testWait")?.map_or(JsValue::UNDEFINED, JsValue::from),
    })
}

/// The request headers of an open: the token, and the last event id once there is one.
#[inline(never)]
fn headers(bearer: &str, last_id: &[u8]) -> Array {
    let h = Array::of4(&"Authorization".into(), &bearer.into(), &"Accept".into(), &"text/event-stream".into());
    if !last_id.is_empty() {
        h.push(&"Last-Event-ID".into());
        h.push(&Uint8Array::from(last_id));
    }
    h
}

/// The error of a refused open: `[status, body]` or `[-2, message]`.
#[inline(never)]
fn refusal(status: f64, got: &Array) -> Error {
    if status > 0.0 {
        Error::from_response(&Response::new(status as u16, got.get(1)))
    } else {
        Error::Network(bounded_string(&got.get(1)).ok().flatten().unwrap_or_default())
    }
}

/// Feeds a chunk to the parser and reports its events; whether there was one.
#[inline(never)]
fn deliver(parser: &mut Parser, chunk: &Uint8Array, emit: &Function) -> bool {
    let mut events = Vec::new();
    parser.feed(&chunk.to_vec(), &mut events);
    for e in &events {
        say(emit, "event", &Uint8Array::from(e.name.as_slice()), &Uint8Array::from(e.data.as_slice()));
    }
    !events.is_empty()
}

async fn run(client: &Client<FetchTransport>, options: JsValue, emit: &Function, signal: &JsValue) -> Result<(), Error> {
    let s = setup(client, options)?;
    let fetch = client.core().transport.fetch();
    let none = JsValue::UNDEFINED;
    let mut parser = Parser::default();
    let mut backoff = Backoff::default();
    let mut first = true;
    loop {
        let at_most = client.opens.borrow_mut().wait(js_sys::Date::now());
        if at_most > 0.0 {
            let _ = JsFuture::from(wait(at_most, signal, &s.hook)).await;
        }
        if aborted(signal) {
            return Ok(());
        }
        client.opens.borrow_mut().record(js_sys::Date::now());
        if !first {
            say(emit, "reconnect", &none, &none);
        }
        let pending = open(fetch, &s.url, &headers(&s.bearer, &parser.last_id), signal);
        let got: Array = JsFuture::from(pending).await.unwrap_or_default().unchecked_into();
        if aborted(signal) {
            return Ok(());
        }
        let status = got.get(0).as_f64().unwrap_or(-2.0);
        let mut failure = none.clone();
        let ended = if status == 200.0 {
            say(emit, if first { "open" } else { "reconnect-success" }, &none, &none);
            first = false;
            let reader = got.get(1);
            parser.restart();
            let mut delivered = false;
            while let Ok(chunk) = JsFuture::from(read(&reader, s.silence_ms)).await {
                let Some(bytes) = chunk.dyn_ref::<Uint8Array>() else { break };
                delivered |= deliver(&mut parser, bytes, emit);
            }
            if aborted(signal) {
                return Ok(());
            }
            say(emit, "disconnect", &none, &none);
            Ended::Closed { delivered }
        } else {
            let err = refusal(status, &got);
            if first {
                return Err(err);
            }
            failure = to_js(err, V);
            say(emit, "reconnect-error", &failure, &none);
            Ended::Refused(if status > 0.0 { status as u16 } else { 0 })
        };
        match backoff.next(ended, parser.retry_ms, js_sys::Math::random()) {
            Some(ms) => {
                let _ = JsFuture::from(wait(ms, signal, &s.hook)).await;
            }
            None => {
                say(emit, "error", &failure, &none);
                say(emit, "end", &none, &none);
                return Ok(());
            }
        }
    }
}
