//! A scripted transport for native tests: a handler answers each request, time is virtual, and every
//! request is recorded.

use super::{Body, Request, Response, Transport};
use crate::error::{Error, ErrorBody};
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

pub fn json(s: &str) -> Value {
    serde_json::from_str(s).expect("test JSON")
}

impl Body for Value {
    fn null() -> Self {
        Value::Null
    }
    fn is_null(&self) -> bool {
        self.is_null()
    }
    fn get(&self, key: &str) -> Option<Self> {
        self.as_object()?.get(key).cloned()
    }
    fn as_str(&self) -> Option<String> {
        Value::as_str(self).map(str::to_string)
    }
    fn as_f64(&self) -> Option<f64> {
        Value::as_f64(self)
    }
    fn head(&self) -> Option<(usize, Self)> {
        self.as_array().map(|a| (a.len(), a.first().cloned().unwrap_or_default()))
    }
    fn is_array(&self) -> bool {
        Value::is_array(self)
    }
    fn is_object(&self) -> bool {
        Value::is_object(self)
    }
    fn fingerprint(&self) -> Self {
        Value::String(self.to_string())
    }
    fn array(a: Option<Self>, b: Option<Self>) -> Self {
        Value::Array([a, b].into_iter().flatten().collect())
    }
    fn object(key: &str, value: Self) -> Self {
        serde_json::json!({ key: value })
    }
    fn to_error_body(&self) -> ErrorBody {
        match self {
            Value::Null => ErrorBody::Empty,
            Value::String(s) => ErrorBody::Text(s.clone()),
            v => ErrorBody::Json(v.to_string()),
        }
    }
}

/// Arguments of operations in native tests: JSON values. A file is an object with a `"$file"` key.
impl crate::ops::Arg for Value {
    fn is_absent(&self) -> bool {
        self.is_null()
    }
    fn field(&self, key: &str) -> Result<Option<Self>, ()> {
        Ok(self.as_object().and_then(|o| o.get(key)).filter(|v| !v.is_null()).cloned())
    }
    fn string(&self) -> Result<Option<String>, ()> {
        match self.as_str() {
            Some(s) if s.len() > 65_536 => Err(()),
            s => Ok(s.map(str::to_string)),
        }
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn number(&self) -> Option<(String, bool)> {
        let n = self.as_f64()?;
        Some((self.to_string(), n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0))
    }
    fn date(&self) -> Option<String> {
        None
    }
    fn utc(&self) -> Option<(f64, String)> {
        let t = crate::ops::date::parse(self.as_str()?)?;
        let sql = crate::ops::date::format(t);
        Some((t as f64 * 1000.0, [sql.get(..10)?, "T", sql.get(11..)?, ".000Z"].concat()))
    }
    fn items(&self) -> Result<Option<Vec<Self>>, ()> {
        Ok(self.as_array().cloned())
    }
    fn is_object(&self) -> bool {
        self.as_object().is_some_and(|o| !o.contains_key("$file"))
    }
    fn is_array(&self) -> bool {
        Value::is_array(self)
    }
    fn is_file(&self) -> bool {
        self.as_object().is_some_and(|o| o.contains_key("$file"))
    }
    // A String natively, a JS string in the wasm unit tests.
    #[allow(clippy::useless_conversion)]
    fn value(&self) -> crate::http::Value {
        self.to_string().into()
    }
    fn literal(text: &str, json: bool) -> Self {
        match (json, text) {
            (true, "null" | "true" | "false") => serde_json::from_str(text).unwrap_or_default(),
            _ => Value::String(text.into()),
        }
    }
    fn entries(&self) -> Result<Vec<(String, Self)>, ()> {
        Ok(self.as_object().map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default())
    }
}

type Handler = Box<dyn FnMut(&Request, f64) -> Result<Response<Value>, Error>>;

pub struct Mock {
    handler: RefCell<Handler>,
    pub requests: RefCell<Vec<Request>>,
    pub now: Cell<f64>,
    pub slept: RefCell<Vec<f64>>,
}

impl Mock {
    /// A transport whose answers come from `handler(request, now_ms)`.
    pub fn new(handler: impl FnMut(&Request, f64) -> Result<Response<Value>, Error> + 'static) -> Rc<Self> {
        Rc::new(Mock {
            handler: RefCell::new(Box::new(handler)),
            requests: RefCell::new(Vec::new()),
            now: Cell::new(1_000_000.0),
            slept: RefCell::new(Vec::new()),
        })
    }

    pub fn advance(&self, ms: f64) {
        self.now.set(self.now.get() + ms);
    }

    /// The recorded requests whose URL contains `part`.
    pub fn count(&self, part: &str) -> usize {
        self.requests.borrow().iter().filter(|r| r.url.contains(part)).count()
    }
}

pub fn reply(status: u16, body: &str) -> Result<Response<Value>, Error> {
    let body =
        if body.is_empty() { Value::Null } else { serde_json::from_str(body).unwrap_or(Value::String(body.into())) };
    Ok(Response::new(status, body))
}

/// A redirect to `location`.
pub fn redirect(status: u16, location: &str) -> Result<Response<Value>, Error> {
    Ok(Response { location: Some(location.into()), ..Response::new(status, Value::Null) })
}

/// Pending once (waking itself), then ready: a network round trip, during which other callers run.
pub async fn round_trip() {
    YieldOnce(false).await
}

/// Yields to the executor once, so that concurrent callers interleave as they do on a real network.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

impl Transport for Rc<Mock> {
    type Body = Value;

    async fn send(&self, req: &Request, hop: Option<&super::redirect::Hop>) -> Result<Response<Value>, Error> {
        let req = super::redirect::apply(req, hop);
        self.requests.borrow_mut().push(req.clone());
        round_trip().await;
        let now = self.now.get();
        (self.handler.borrow_mut())(&req, now)
    }

    async fn sleep(&self, ms: f64) {
        self.slept.borrow_mut().push(ms);
        self.advance(ms);
    }

    fn now_ms(&self) -> f64 {
        self.now.get()
    }

    fn random(&self) -> f64 {
        0.5
    }
}
