//! The transport of the wasm build: the platform's `fetch` (or one the user passes), `AbortSignal` for
//! timeouts and cancellation, `setTimeout` for back-off, and `JSON.parse` for bodies — which stay
//! JavaScript values, so a body Rust does not read reaches the caller without a copy through wasm memory.

use super::{retry, Body, Request, Response, Transport};
use crate::error::{Error, ErrorBody};
use js_sys::{Array, Function, Object, Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = AbortSignal)]
    #[derive(Clone)]
    pub type Signal;
    #[wasm_bindgen(static_method_of = Signal, js_class = "AbortSignal", js_name = timeout)]
    fn timeout(ms: u32) -> Signal;
    #[wasm_bindgen(static_method_of = Signal, js_class = "AbortSignal", js_name = any, catch)]
    fn any(signals: &Array) -> Result<Signal, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn aborted(this: &Signal) -> bool;
    #[wasm_bindgen(method, js_name = addEventListener)]
    fn add_event_listener(this: &Signal, kind: &str, listener: &Function);
    #[wasm_bindgen(method, js_name = removeEventListener)]
    fn remove_event_listener(this: &Signal, kind: &str, listener: &Function);

    /// `JSON.parse` on a JS string, without copying it into wasm memory.
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);

    /// A `Response`, read structurally so that a user's `fetch` may return any compatible object.
    type FetchResponse;
    #[wasm_bindgen(method, getter)]
    fn status(this: &FetchResponse) -> u16;
    #[wasm_bindgen(method, getter)]
    fn headers(this: &FetchResponse) -> FetchHeaders;
    #[wasm_bindgen(method, catch)]
    fn text(this: &FetchResponse) -> Result<Promise, JsValue>;

    type FetchHeaders;
    #[wasm_bindgen(method)]
    fn get(this: &FetchHeaders, name: &str) -> Option<String>;
}

pub struct FetchTransport {
    fetch: Function,
    /// 0 disables the timeout.
    timeout_ms: u32,
    signal: Option<Signal>,
}

impl FetchTransport {
    /// `fetch`: the user's function, else the global one (an error if there is none).
    pub fn new(fetch: Option<Function>, timeout_ms: u32, signal: Option<JsValue>) -> Result<Self, Error> {
        let fetch = match fetch {
            Some(f) => f,
            None => Reflect::get(&js_sys::global(), &"fetch".into())
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .ok_or_else(|| Error::invalid("no global fetch in this runtime: pass the `fetch` option"))?,
        };
        Ok(FetchTransport { fetch, timeout_ms, signal: signal.map(JsCast::unchecked_into) })
    }

    /// The user's signal and the timeout as one signal (`AbortSignal.any`; where that is missing — Node
    /// before 18.17 — the user's signal alone wins).
    fn signal(&self) -> Option<(Signal, Option<Signal>)> {
        let timer = (self.timeout_ms > 0).then(|| Signal::timeout(self.timeout_ms));
        match (&self.signal, timer) {
            (None, None) => None,
            (None, Some(t)) => Some((t.clone(), Some(t))),
            (Some(user), None) => Some((user.clone(), None)),
            (Some(user), Some(t)) => {
                let both = Signal::any(&Array::of2(user, &t)).unwrap_or_else(|_| user.clone());
                Some((both, Some(t)))
            }
        }
    }

    fn failure(&self, err: JsValue, timer: Option<&Signal>) -> Error {
        if self.signal.as_ref().is_some_and(|s| s.aborted()) {
            Error::Aborted
        } else if timer.is_some_and(|t| t.aborted()) {
            Error::Timeout(self.timeout_ms)
        } else {
            // Node's fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, …) is in `cause`.
            let field = |v: &JsValue, key: &str| Reflect::get(v, &key.into()).ok().and_then(|m| m.as_string());
            let msg = field(&err, "message").or_else(|| err.as_string()).unwrap_or_else(|| "fetch failed".into());
            let cause = Reflect::get(&err, &"cause".into()).ok().filter(|c| c.is_object());
            match cause.and_then(|c| field(&c, "code").or_else(|| field(&c, "message"))) {
                Some(reason) => Error::Network(format!("{msg} ({reason})")),
                None => Error::Network(msg),
            }
        }
    }
}

impl Transport for FetchTransport {
    type Body = JsValue;

    async fn send(&self, req: &Request) -> Result<Response<JsValue>, Error> {
        let headers = Object::new();
        for (k, v) in &req.headers {
            set(&headers, k, &v.into());
        }
        let init = Object::new();
        set(&init, "method", &req.method.as_str().into());
        set(&init, "headers", &headers);
        if let Some(body) = &req.body {
            set(&init, "body", &body.into());
        }
        let signals = self.signal();
        if let Some((signal, _)) = &signals {
            set(&init, "signal", signal);
        }
        let timer = signals.as_ref().and_then(|(_, t)| t.as_ref());
        if self.signal.as_ref().is_some_and(|s| s.aborted()) {
            return Err(Error::Aborted);
        }
        let pending =
            self.fetch.call2(&js_sys::global(), &req.url.as_str().into(), &init).map_err(|e| self.failure(e, timer))?;
        let resp: FetchResponse =
            JsFuture::from(Promise::resolve(&pending)).await.map_err(|e| self.failure(e, timer))?.unchecked_into();
        let status = resp.status();
        let now = js_sys::Date::now();
        let retry_after_ms = resp.headers().get("retry-after").and_then(|v| {
            retry::parse_retry_after(&v, now, |date| Some(js_sys::Date::parse(date)).filter(|t| t.is_finite()))
        });
        let text = resp.text().map_err(|e| self.failure(e, timer))?;
        let text = JsFuture::from(text).await.map_err(|e| self.failure(e, timer))?;
        // JSON when it parses (whatever the content type says), else the text itself (HTML, plain).
        let body = match text.dyn_ref::<js_sys::JsString>() {
            Some(t) if t.length() > 0 => json_parse(&text).unwrap_or(text),
            _ => JsValue::NULL,
        };
        Ok(Response { status, retry_after_ms, body })
    }

    /// Waits `ms`, or less if the user's signal fires: the next `send` then rejects with `Aborted`.
    async fn sleep(&self, ms: f64) {
        let mut wake = None;
        let wait = Promise::new(&mut |resolve, _| {
            let timer = set_timeout(&resolve, ms);
            if let Some(signal) = &self.signal {
                signal.add_event_listener("abort", &resolve);
            }
            wake = Some((resolve, timer));
        });
        let _ = JsFuture::from(wait).await;
        if let Some((resolve, timer)) = wake {
            clear_timeout(&timer);
            if let Some(signal) = &self.signal {
                signal.remove_event_listener("abort", &resolve);
            }
        }
    }

    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }
}

fn set(target: &Object, key: &str, value: &JsValue) {
    // Setting a property on a plain object we created cannot fail.
    let _ = Reflect::set(target, &key.into(), value);
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
        Reflect::get(self, &key.into()).ok().filter(|v| !v.is_undefined())
    }
    fn as_str(&self) -> Option<String> {
        self.as_string()
    }
    fn as_f64(&self) -> Option<f64> {
        JsValue::as_f64(self)
    }
    fn items(&self) -> Option<Vec<Self>> {
        Array::is_array(self).then(|| self.clone().unchecked_into::<Array>().iter().collect())
    }
    fn from_items(items: Vec<Self>) -> Self {
        items.into_iter().collect::<Array>().into()
    }
    fn to_error_body(&self) -> ErrorBody {
        if Body::is_null(self) {
            ErrorBody::Empty
        } else if let Some(text) = self.as_string() {
            ErrorBody::Text(text)
        } else {
            JSON::stringify(self).ok().and_then(|s| s.as_string()).map_or(ErrorBody::Empty, ErrorBody::Json)
        }
    }
}
