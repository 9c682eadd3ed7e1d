//! The transport of the wasm build: the platform's `fetch` (or one the user passes), a deadline per request
//! on one shared timer, `setTimeout` for back-off, and bodies parsed by `JSON.parse` — which stay
//! JavaScript values, so a body Rust does not read reaches the caller without a copy through wasm memory.
//!
//! One step runs in JavaScript: `exchange` below sends the request and reads status, `Retry-After`,
//! `Location` and the body in one `async` function. Being async, anything a user-supplied `fetch` or its
//! `Response` throws becomes a rejection (which Rust turns into an error) instead of an exception
//! unwinding through wasm; and one crossing replaces a dozen. Decisions (redirects, retries, timeouts,
//! errors) stay in Rust.
//!
//! A few one-line steps beside it (`put`, `json`, `construct`, `globalFetch`) do in JavaScript what the
//! js-sys bindings would do with a `catch` import or a lookup of the global object: they cannot throw into
//! wasm, and they spare the wasm the exception and global-object machinery (about 1 KB of gzip).

use crate::prelude::*;

use super::redirect::Hop;
use super::{retry, Body, Payload, Request, Response, Transport};
use crate::error::{Error, ErrorBody};
use crate::js::options::{is_array, read_js, threw};
use crate::js::task::Settled as JsFuture;
use js_sys::{Array, Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The longest string the crate copies out of a JS value (an option, an id, a token, a field of a
/// response): longer ones are refused before the copy, so no argument or answer can exhaust wasm memory.
pub const MAX_TEXT: u32 = 65_536;

#[wasm_bindgen(inline_js = r#"
const inFlight = new Set();
let timer;
let timerAt = Infinity;

function arm(at) {
  if (timer !== undefined) clearTimeout(timer);
  timerAt = at;
  timer = setTimeout(tick, Math.max(0, at - Date.now()));
}

function tick() {
  timer = undefined;
  timerAt = Infinity;
  const now = Date.now();
  let next = Infinity;
  for (const d of inFlight) {
    if (d.at <= now) {
      inFlight.delete(d);
      d.ctl.abort();
    } else if (d.at < next) next = d.at;
  }
  if (next < Infinity) arm(next);
}

function hold(on) {
  if (typeof timer === 'object') on ? timer.ref?.() : timer.unref?.();
}

function track(d) {
  inFlight.add(d);
  if (d.at < timerAt) arm(d.at);
  else if (inFlight.size === 1) hold(true);
}

function untrack(d) {
  if (inFlight.delete(d) && inFlight.size === 0) hold(false);
}

export async function exchange(fetch, url, method, headerLines, body, signal, timeoutMs, binary, kind) {
  let ctl, d, onAbort;
  try {
    // A signal that cannot be read (its getter throws) counts as fired.
    if (signal && !(signal.aborted === false)) return [-2];
  } catch {
    return [-2];
  }
  try {
    const headers = {};
    const h = headerLines.split('\n');
    for (let i = 0; i + 1 < h.length; i += 2) headers[h[i]] = h[i + 1];
    const init = { method, headers, redirect: 'manual' };
    if (kind > 1) {
      // JSON: of the value, or of an object of the fields (`*`: an object whose keys are merged in).
      try {
        let v = body;
        if (kind > 2) {
          v = {};
          for (let i = 0; i + 1 < body.length; i += 2) {
            if (body[i] === '*') Object.assign(v, body[i + 1]);
            else v[body[i]] = body[i + 1];
          }
        }
        init.body = JSON.stringify(v);
      } catch {
        return [-3];
      }
    } else if (kind) {
      // Form fields [name, value, ...]: multipart when a Content-Type is not given, else a URL-encoded form.
      const form = headers['Content-Type'] ? new URLSearchParams() : new FormData();
      for (let i = 0; i + 1 < body.length; i += 2) {
        let v = body[i + 1];
        // A named file: [data, filename, field name].
        if (Array.isArray(v)) form.append(v[2], v[0] instanceof Blob ? v[0] : new Blob([v[0]]), v[1]);
        else if (typeof v !== 'string' && !(v instanceof Blob)) v = new Blob([v]);
        if (Array.isArray(v)) continue;
        if (v instanceof Blob && !(form instanceof URLSearchParams)) form.append(body[i], v, v.name ?? body[i]);
        else form.append(body[i], v);
      }
      init.body = form;
    }
    if (timeoutMs > 0 || signal) {
      ctl = new AbortController();
      init.signal = ctl.signal;
      if (signal) {
        onAbort = () => ctl.abort();
        signal.addEventListener('abort', onAbort);
      }
      if (timeoutMs > 0) track((d = { at: Date.now() + timeoutMs, ctl }));
    }
    const res = await fetch(url, init);
    const status = res?.status;
    if (res?.type === 'opaqueredirect') return [0];
    if (typeof status !== 'number') return [-1];
    const header = (name) => {
      try {
        return res.headers.get(name);
      } catch {
        return null;
      }
    };
    let location = null;
    if (status > 299 && status < 400) {
      const to = header('location');
      if (to !== null) {
        try {
          const next = new URL(to, url);
          location = next.origin === new URL(url).origin ? next.href : '';
        } catch {
          location = '';
        }
      }
    }
    const retryAfter = header('retry-after');
    let value = null;
    if (binary && status < 300) value = new Uint8Array(await res.arrayBuffer());
    else {
      const text = await res.text();
      if (text !== '') try { value = JSON.parse(text); } catch { value = text; }
    }
    let answerHeaders = null;
    try { answerHeaders = res.headers; } catch {}
    return [status, retryAfter, location, value, answerHeaders];
  } catch (err) {
    try {
      if (signal && !(signal.aborted === false)) return [-2];
      if (ctl?.signal.aborted) return [-4];
      const cause = err?.cause?.code ?? err?.cause?.message;
      return [-5, `${err?.message ?? err}${cause ? ` (${cause})` : ''}`];
    } catch {
      return [-5];
    }
  } finally {
    if (d) untrack(d);
    if (onAbort) try { signal.removeEventListener('abort', onAbort); } catch {}
  }
}

export function put(target, key, value) {
  try {
    target[key] = value;
  } catch {}
}

export function json(value) {
  try {
    return JSON.stringify(value);
  } catch {
    return null;
  }
}

export function cloudError(c, m, vendor, code, status, body, retryAfter, p) {
  const f = { vendor, code, status, statusCode: status };
  if (p && status !== undefined) {
    let s;
    try {
      if (typeof body == 'object' && body) s = body.error_description;
    } catch {}
    if (typeof s != 'string') s = undefined;
    f.errorDescription = 'HTTP error ' + status + (s === undefined ? '' : ' - ' + s);
    f.shortErrorDescription = s;
  }
  f.body = body;
  f.retryAfter = retryAfter;
  try {
    return new c(m, f);
  } catch {}
  const e = new Error(m);
  e.name = 'CloudError';
  return Object.assign(e, f);
}

export function globalFetch() {
  try {
    const f = globalThis.fetch;
    if (f instanceof Function) return f;
  } catch {}
}

export async function sleep(ms, signal) {
  await new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      try { signal?.removeEventListener('abort', done); } catch {}
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
  });
}
"#)]
extern "C" {
    /// Sends one request with a deadline `timeout_ms` from now (0: none) on the shared timer and the
    /// user's `signal`. `body`: undefined (`kind` 0), or (`kind` 1) form fields `[name, value, …]`; `kind` 2 a
    /// value sent as `JSON.stringify` makes it, 3 the fields of an object sent so (`[-3]`: JSON failed). Resolves
    /// `[status, retryAfter, location, body, headers]`; `location` (of a 3xx) is the
    /// absolute URL when it stays on the request's origin and `""` when it leaves it. `[0]` is a redirect
    /// the platform hides (a browser's `opaqueredirect`), `[-1]` an answer that is not a `Response`,
    /// `[-2]` an abort, `[-4]` a timeout, `[-5, message]` a network failure. Being async, it never throws.
    fn exchange(
        fetch: &Function,
        url: &str,
        method: &str,
        header_lines: &str,
        body: &JsValue,
        signal: &JsValue,
        timeout_ms: u32,
        binary: bool,
        kind: u8,
    ) -> Promise;

    /// `target[key] = value`, which cannot throw into wasm.
    fn put(target: &Object, key: &str, value: &JsValue);

    /// `JSON.stringify(value)` (a string, or undefined for a value JSON cannot show); null when it throws.
    pub(crate) fn json(value: &JsValue) -> JsValue;

    /// `new cls(message, fields)` (`cls`: the `CloudError` class, or a plain `Error` named `CloudError`
    /// until it is set) with `vendor`, `code`, `status`/`statusCode`, `body`, `retryAfter`, and for
    /// `particle` an HTTP error's `errorDescription`/`shortErrorDescription` as particle-api-js words them:
    /// "HTTP error 403 - <error_description>" (without the URL, which can hold a token) and the
    /// `error_description` alone (read from an object body without throwing).
    #[wasm_bindgen(js_name = cloudError)]
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn cloud_error(
        cls: &JsValue,
        message: &str,
        vendor: &str,
        code: &str,
        status: Option<u16>,
        body: &JsValue,
        retry_after: Option<f64>,
        particle: bool,
    ) -> JsValue;

    /// The global `fetch`, if there is one (and reading it does not throw).
    #[wasm_bindgen(js_name = globalFetch)]
    fn global_fetch() -> Option<Function>;

    /// Resolves after `ms`, or as soon as `signal` fires.
    fn sleep(ms: f64, signal: &JsValue) -> Promise;
}

/// A string value copied into Rust if it is at most [`MAX_TEXT`] long; `Err(())` for a longer one,
/// `Ok(None)` for anything that is not a string.
pub fn bounded_string(v: &JsValue) -> Result<Option<String>, ()> {
    match v.dyn_ref::<js_sys::JsString>() {
        Some(s) if s.length() > MAX_TEXT => Err(()),
        Some(s) => Ok(Some(s.into())),
        None => Ok(None),
    }
}

fn text(v: &JsValue) -> Option<String> {
    bounded_string(v).ok().flatten()
}

static DEFAULT_FETCH: Local<Option<Function>> = Local::new(None);

/// The `fetch` clients use when given none: set by the package's Node entry (a keep-alive `node:http`
/// transport); otherwise the platform's global `fetch`.
pub fn set_default_fetch(fetch: Option<Function>) {
    // `try_with` cannot fail here (no threads, no destructors), and keeps the panic path out of wasm.
    let _ = DEFAULT_FETCH.try_with(|f| *f.borrow_mut() = fetch);
}

pub struct FetchTransport {
    fetch: Function,
    /// 0 disables the timeout.
    timeout_ms: u32,
    /// The user's `AbortSignal`, or undefined.
    signal: JsValue,
}

impl FetchTransport {
    /// `fetch`: the user's function, else the package's default, else the global one (an error if there
    /// is none).
    #[inline(never)]
    pub fn new(fetch: Option<Function>, timeout_ms: u32, signal: Option<JsValue>) -> Result<Self, Error> {
        let fetch = match fetch.or_else(|| DEFAULT_FETCH.try_with(|f| f.borrow().clone()).ok().flatten()) {
            Some(f) => f,
            None => global_fetch()
                .ok_or_else(|| Error::invalid("no global fetch in this runtime: pass the `fetch` option"))?,
        };
        Ok(FetchTransport { fetch, timeout_ms, signal: signal.unwrap_or(JsValue::UNDEFINED) })
    }

    /// The `fetch` requests go through (event streams read its `Response.body`).
    pub fn fetch(&self) -> &Function {
        &self.fetch
    }
}

impl Transport for FetchTransport {
    type Body = JsValue;

    async fn send(&self, req: &Request, hop: Option<&Hop>) -> Result<Response<JsValue>, Error> {
        let timeout = req.timeout_ms.unwrap_or(self.timeout_ms);
        let got = JsFuture::from(self.start(req, hop, timeout)).await;
        answer(got, timeout)
    }

    /// Waits `ms`, or less if the user's signal fires: the next `send` then rejects with `Aborted`.
    async fn sleep(&self, ms: f64) {
        let _ = JsFuture::from(sleep(ms, &self.signal)).await;
    }

    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }
}

impl FetchTransport {
    /// Starts `exchange` of `req` with the deadline `timeout` (the serializing kept out of the state machine).
    #[inline(never)]
    fn start(&self, req: &Request, hop: Option<&Hop>, timeout: u32) -> Promise {
        // After a redirect: its URL, and a GET without the body after a 303 (see `redirect::apply`).
        let (url, get) = hop.map_or((req.url.as_str(), false), |(url, get)| (url.as_str(), *get));
        let mut lines = String::new();
        let mut line = |k: &str, v: &str| {
            lines.push_str(k);
            lines.push('\n');
            lines.push_str(v);
            lines.push('\n');
        };
        for (k, v) in &req.headers {
            line(k, v);
        }
        for (k, v) in &req.extra {
            line(k, v);
        }
        // (`kind`: 1 form fields, 2 a value for `JSON.stringify`, 3 the fields of an object for it.)
        let (body, kind) = match &req.payload {
            _ if get => (JsValue::UNDEFINED, 0),
            Some(Payload::Json(v)) => (v.clone(), 2),
            Some(Payload::Multipart(fields) | Payload::Form(fields) | Payload::Object(fields)) => {
                let a = Array::new();
                for (k, v) in fields {
                    a.push(&JsValue::from_str(k));
                    a.push(v);
                }
                (a.into(), if matches!(req.payload, Some(Payload::Object(_))) { 3 } else { 1 })
            }
            None => (JsValue::UNDEFINED, 0),
        };
        exchange(
            &self.fetch,
            url,
            if get { "GET" } else { req.method.as_str() },
            &lines,
            &body,
            req.signal.as_ref().unwrap_or(&self.signal),
            timeout,
            req.expect == crate::http::Shape::Binary,
            kind,
        )
    }
}

/// The response (or error) of what `exchange` resolved to.
#[inline(always)]
fn answer(got: Result<JsValue, JsValue>, timeout: u32) -> Result<Response<JsValue>, Error> {
    // `exchange` never rejects; should the platform make it, that is a network failure too (an answer
    // without a status, read as `[-5]`).
    let got: Array = got.map_or_else(|_| Array::new(), JsCast::unchecked_into);
    let status = got.get(0).as_f64().unwrap_or(-5.0);
    if status < -1.0 {
        return Err(match status as i8 {
            -2 => Error::Aborted,
            -3 => Error::invalid("the request body cannot be turned into JSON"),
            -4 => Error::Timeout(timeout),
            _ => Error::Network(text(&got.get(1)).unwrap_or_else(|| "fetch failed".into())),
        });
    }
    // A browser's `opaqueredirect` (status 0) hides its Location: a redirect without one, never followed.
    let status = if status == 0.0 { 302.0 } else { status };
    if !(100.0..600.0).contains(&status) {
        return Err(Error::InvalidResponse("fetch did not resolve to a Response".into()));
    }
    let retry_after = text(&got.get(1)).and_then(|v| {
        retry::parse_retry_after(&v, js_sys::Date::now(), |date| {
            Some(js_sys::Date::parse(date)).filter(|t| t.is_finite())
        })
    });
    Ok(Response {
        status: status as u16,
        retry_after_ms: retry_after,
        location: text(&got.get(2)),
        headers: got.get(4),
        body: got.get(3),
    })
}

/// Sets a property on an object this crate created (which cannot fail).
#[inline(never)]
pub(crate) fn set(target: &Object, key: &str, value: &JsValue) {
    put(target, key, value);
}

impl Body for JsValue {
    fn null() -> Self {
        JsValue::NULL
    }
    fn is_null(&self) -> bool {
        self.is_null() || self.is_undefined()
    }
    fn get(&self, key: &str) -> Option<Self> {
        if !self.is_object() {
            return None;
        }
        // A read that cannot throw (a getter that throws reads as absent).
        let v = read_js(self, &key.into());
        let absent = v.is_undefined() || (v.is_symbol() && threw(&v));
        (!absent).then_some(v)
    }
    /// Strings longer than [`MAX_TEXT`] read as absent: a 20 MB answer is never copied into wasm.
    fn as_str(&self) -> Option<String> {
        bounded_string(self).ok().flatten()
    }
    fn as_f64(&self) -> Option<f64> {
        JsValue::as_f64(self)
    }
    fn head(&self) -> Option<(usize, Self)> {
        if !Body::is_array(self) {
            return None;
        }
        let a = self.unchecked_ref::<Array>();
        let len = a.length();
        Some((len as usize, if len == 0 { JsValue::NULL } else { a.get(0) }))
    }
    /// (`Array.isArray` through the binding that cannot throw; a parsed body never makes it.)
    fn is_array(&self) -> bool {
        is_array(self) == Some(true)
    }
    fn is_object(&self) -> bool {
        self.is_object() && is_array(self) == Some(false)
    }
    fn fingerprint(&self) -> Self {
        json(self)
    }
    fn array(a: Option<Self>, b: Option<Self>) -> Self {
        let out = Array::new();
        if let Some(a) = &a {
            out.push(a);
        }
        if let Some(b) = &b {
            out.push(b);
        }
        out.into()
    }
    fn object(key: &str, value: Self) -> Self {
        let o = Object::new();
        set(&o, key, &value);
        o.into()
    }
    fn to_error_body(&self) -> ErrorBody {
        if Body::is_null(self) {
            ErrorBody::Empty
        } else {
            ErrorBody::Js(self.clone())
        }
    }
}
