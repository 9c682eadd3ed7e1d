//! The transport of the wasm build: the platform's `fetch` (or one the user passes), an `AbortController`
//! per request for timeouts and cancellation, `setTimeout` for back-off, and `JSON.parse` for bodies — which stay
//! JavaScript values, so a body Rust does not read reaches the caller without a copy through wasm memory.

use super::{retry, Body, Request, Response, Transport};
use crate::error::{Error, ErrorBody};
use js_sys::{Array, Function, Object, Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` on a JS string, without copying it into wasm memory.
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

// Everything read from objects the user may supply (their `fetch`, its response, their signal) goes through
// `Reflect` and checked calls: a missing or throwing member becomes an `Error`, never a JS exception
// unwinding through wasm.

fn member(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// Calls `target[name](arg)`.
fn call(target: &JsValue, name: &str, arg: &JsValue) -> Result<JsValue, JsValue> {
    member(target, name).dyn_into::<Function>()?.call1(target, arg)
}

fn is_aborted(signal: &JsValue) -> bool {
    member(signal, "aborted").as_bool() == Some(true)
}

fn listen(signal: &JsValue, method: &str, listener: &Function) {
    let _ = member(signal, method).dyn_into::<Function>().and_then(|f| f.call2(signal, &"abort".into(), listener));
}

pub struct FetchTransport {
    fetch: Function,
    /// 0 disables the timeout.
    timeout_ms: u32,
    signal: Option<JsValue>,
}

/// Per request: a controller whose signal goes to `fetch`, aborted by the timeout timer or by the user's
/// signal; both are removed when the request is over, so nothing outlives it.
struct Abort {
    controller: web_sys::AbortController,
    abort: Function,
    timer: Option<JsValue>,
}

impl FetchTransport {
    /// `fetch`: the user's function, else the global one (an error if there is none).
    pub fn new(fetch: Option<Function>, timeout_ms: u32, signal: Option<JsValue>) -> Result<Self, Error> {
        let fetch = match fetch {
            Some(f) => f,
            None => member(&js_sys::global(), "fetch")
                .dyn_into::<Function>()
                .map_err(|_| Error::invalid("no global fetch in this runtime: pass the `fetch` option"))?,
        };
        Ok(FetchTransport { fetch, timeout_ms, signal })
    }

    fn arm(&self) -> Option<Abort> {
        if self.timeout_ms == 0 && self.signal.is_none() {
            return None;
        }
        let controller = web_sys::AbortController::new().ok()?;
        let abort = member(&controller, "abort").dyn_into::<Function>().ok()?.bind0(&controller);
        if let Some(user) = &self.signal {
            listen(user, "addEventListener", &abort);
        }
        let timer = (self.timeout_ms > 0).then(|| set_timeout(&abort, f64::from(self.timeout_ms)));
        Some(Abort { controller, abort, timer })
    }

    fn disarm(&self, armed: &Abort) {
        if let Some(timer) = &armed.timer {
            clear_timeout(timer);
        }
        if let Some(user) = &self.signal {
            listen(user, "removeEventListener", &armed.abort);
        }
    }

    fn failure(&self, err: JsValue, armed: Option<&Abort>) -> Error {
        if self.signal.as_ref().is_some_and(is_aborted) {
            Error::Aborted
        } else if armed.is_some_and(|a| a.controller.signal().aborted()) {
            Error::Timeout(self.timeout_ms)
        } else {
            // Node's fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, …) is in `cause`.
            let text = |v: &JsValue, key: &str| member(v, key).as_string();
            let msg = text(&err, "message").or_else(|| err.as_string()).unwrap_or_else(|| "fetch failed".into());
            let cause = member(&err, "cause");
            match text(&cause, "code").or_else(|| text(&cause, "message")) {
                Some(reason) => Error::Network(format!("{msg} ({reason})")),
                None => Error::Network(msg),
            }
        }
    }

    async fn exchange(&self, req: &Request, armed: Option<&Abort>) -> Result<Response<JsValue>, Error> {
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
        if let Some(a) = armed {
            set(&init, "signal", &a.controller.signal());
        }
        let fail = |e| self.failure(e, armed);
        let pending = self.fetch.call2(&js_sys::global(), &req.url.as_str().into(), &init).map_err(fail)?;
        let resp = JsFuture::from(Promise::resolve(&pending)).await.map_err(fail)?;
        let status = member(&resp, "status").as_f64().filter(|s| (100.0..600.0).contains(s));
        let status = status.ok_or_else(|| Error::InvalidResponse("fetch did not resolve to a Response".into()))?;
        let now = js_sys::Date::now();
        let retry_after =
            call(&member(&resp, "headers"), "get", &"retry-after".into()).ok().and_then(|v| v.as_string());
        let retry_after_ms = retry_after.and_then(|v| {
            retry::parse_retry_after(&v, now, |date| Some(js_sys::Date::parse(date)).filter(|t| t.is_finite()))
        });
        let text = call(&resp, "text", &JsValue::UNDEFINED).map_err(fail)?;
        let text = JsFuture::from(Promise::resolve(&text)).await.map_err(fail)?;
        // JSON when it parses (whatever the content type says), else the text itself (HTML, plain).
        let body = match text.dyn_ref::<js_sys::JsString>() {
            Some(t) if t.length() > 0 => json_parse(&text).unwrap_or(text),
            _ => JsValue::NULL,
        };
        Ok(Response { status: status as u16, retry_after_ms, body })
    }
}

impl Transport for FetchTransport {
    type Body = JsValue;

    async fn send(&self, req: &Request) -> Result<Response<JsValue>, Error> {
        if self.signal.as_ref().is_some_and(is_aborted) {
            return Err(Error::Aborted);
        }
        let armed = self.arm();
        let result = self.exchange(req, armed.as_ref()).await;
        if let Some(a) = &armed {
            self.disarm(a);
        }
        result
    }

    /// Waits `ms`, or less if the user's signal fires: the next `send` then rejects with `Aborted`.
    async fn sleep(&self, ms: f64) {
        if self.signal.as_ref().is_some_and(is_aborted) {
            return;
        }
        let mut wake = None;
        let wait = Promise::new(&mut |resolve, _| {
            let timer = set_timeout(&resolve, ms);
            if let Some(signal) = &self.signal {
                listen(signal, "addEventListener", &resolve);
            }
            wake = Some((resolve, timer));
        });
        let _ = JsFuture::from(wait).await;
        if let Some((resolve, timer)) = wake {
            clear_timeout(&timer);
            if let Some(signal) = &self.signal {
                listen(signal, "removeEventListener", &resolve);
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

/// Sets a property on an object this crate created (which cannot fail).
pub(crate) fn set(target: &Object, key: &str, value: &JsValue) {
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
