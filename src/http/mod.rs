//! Plain request/response values, the [`Transport`] seam and the [`Core`] that sends with retries.
//!
//! Vendor code builds [`Request`]s and reads [`Body`]s; it never sees `fetch`. On wasm32 the transport is
//! `fetch::FetchTransport` and a body is the platform's own parsed JSON; in native tests it is a mock.

use crate::prelude::*;

pub mod encode;
pub mod redirect;
pub mod retry;
pub mod sse;

#[cfg(target_arch = "wasm32")]
pub mod fetch;
#[cfg(test)]
pub mod mock;

use crate::error::{Error, ErrorBody};
use core::future::Future;
use retry::RetryPolicy;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
        }
    }
}

/// What a successful answer's body must be; anything else is an `invalid_response` error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Whatever comes (empty included).
    Any,
    /// A JSON array.
    Array,
    /// A JSON object (not an array).
    Object,
    /// Whatever comes, read as bytes (a `Uint8Array`) rather than as JSON or text.
    Binary,
}

/// A request body value kept as the caller gave it until the edge serializes it: the JavaScript value on
/// wasm (`JSON.stringify`, `FormData`), its JSON text in native tests.
#[cfg(target_arch = "wasm32")]
pub type Value = wasm_bindgen::JsValue;
#[cfg(not(target_arch = "wasm32"))]
pub type Value = String;

/// A text field of a body made at the edge (the text itself in native tests).
#[inline(never)]
pub fn text(s: &str) -> Value {
    #[cfg(target_arch = "wasm32")]
    {
        Value::from_str(s)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        s.into()
    }
}

/// A body made at the edge from caller values.
#[derive(Clone, Debug, PartialEq)]
pub enum Payload {
    /// `JSON.stringify(value)`.
    Json(Value),
    /// `FormData` of these fields (files as they are, the rest as text); `fetch` sets the boundary.
    Multipart(Vec<(&'static str, Value)>),
    /// `URLSearchParams` of these text fields.
    Form(Vec<(&'static str, Value)>),
    /// `JSON.stringify` of an object of these fields.
    Object(Vec<(&'static str, Value)>),
}

/// One HTTP request. `Debug` hides the `Authorization` header and the body, which may hold secrets.
#[derive(Clone, PartialEq)]
pub struct Request {
    pub method: Method,
    pub url: String,
    /// Header names are fixed by the protocols, hence static.
    pub headers: Vec<(&'static str, String)>,
    /// Headers named by the caller (the `IotApi` `defaultHeaders`).
    pub extra: Vec<(String, String)>,
    /// The body, made at the edge from the caller's values.
    pub payload: Option<Payload>,
    /// This call's `AbortSignal` and deadline, over the client's.
    pub signal: Option<Value>,
    pub timeout_ms: Option<u32>,
    /// Whether a same-origin redirect may be followed. Requests that carry credentials (token and login
    /// requests) are never redirected, wherever the `Location` points.
    pub follow: bool,
    /// What a success answer's body must be.
    pub expect: Shape,
}

impl core::fmt::Debug for Request {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| *k).collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &names)
            .finish()
    }
}

impl Request {
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Request::of(method, url.into())
    }

    /// [`Request::new`], once for every kind of URL.
    #[inline(never)]
    fn of(method: Method, url: String) -> Self {
        Request {
            method,
            url,
            headers: Vec::new(),
            extra: Vec::new(),
            payload: None,
            signal: None,
            timeout_ms: None,
            follow: true,
            expect: Shape::Any,
        }
    }

    /// Marks a request that carries a secret (a client secret, a password, a refresh token): it is never
    /// redirected, wherever the `Location` points.
    pub fn credentials(mut self) -> Self {
        self.follow = false;
        self
    }

    /// What a success answer's body must be (see [`success`]).
    pub fn returns(mut self, shape: Shape) -> Self {
        self.expect = shape;
        self
    }

    pub fn get(url: impl Into<String>) -> Self {
        Self::new(Method::Get, url)
    }

    pub fn post(url: impl Into<String>) -> Self {
        Self::new(Method::Post, url)
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("Authorization", encode::cat(&["Bearer ", token]))
    }

    /// An `application/x-www-form-urlencoded` body (`URLSearchParams` at the edge) of text fields.
    pub fn form(self, fields: &[(&'static str, &str)]) -> Self {
        let mut r = self.header("Content-Type", "application/x-www-form-urlencoded");
        let mut form = Vec::new();
        for (k, v) in fields {
            form.push((*k, text(v)));
        }
        r.payload = Some(Payload::Form(form));
        r
    }

    /// A JSON body, already serialized (native tests, where a body value is its JSON text).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn json(self, text: String) -> Self {
        let mut r = self.header("Content-Type", "application/json");
        r.payload = Some(Payload::Json(text));
        r
    }

    /// Refuses header values that `fetch` would reject (control characters, anything past Latin-1) — with
    /// a message naming the header, never the value, which may be a token — before anything is sent.
    #[inline(never)]
    pub fn check_headers(&self) -> Result<(), Error> {
        let bad = |v: &str| v.chars().any(|c| c < ' ' || c == '\u{7f}' || c > '\u{ff}');
        if let Some((name, _)) = self.headers.iter().find(|(_, v)| bad(v)) {
            return Err(Error::invalid(encode::cat(&["the ", name, " header has characters HTTP does not allow"])));
        }
        // A header name is a token (RFC 9110 §5.1).
        let token = |k: &str| {
            !k.is_empty()
                && k.bytes().all(|b| {
                    b.is_ascii_alphanumeric()
                        || matches!(b, b'!' | b'#'..=b'\'' | b'*' | b'+' | b'-' | b'.' | b'^'..=b'`' | b'|' | b'~')
                })
        };
        match self.extra.iter().find(|(k, v)| !token(k) || bad(v)) {
            Some((name, _)) if token(name) => {
                Err(Error::invalid(encode::cat(&["the ", name, " header has characters HTTP does not allow"])))
            }
            Some(_) => Err(Error::invalid("a header name has characters HTTP does not allow")),
            None => Ok(()),
        }
    }

    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Debug)]
pub struct Response<B> {
    pub status: u16,
    /// The wait `Retry-After` asks for, in ms from when the response arrived (see
    /// [`retry::parse_retry_after`]).
    pub retry_after_ms: Option<f64>,
    /// The `Location` of a redirect (3xx), as sent.
    pub location: Option<String>,
    /// The response's headers (the platform's `Headers` on wasm).
    pub headers: B,
    pub body: B,
}

impl<B: Body> Response<B> {
    pub fn new(status: u16, body: B) -> Self {
        Response { status, retry_after_ms: None, location: None, headers: B::null(), body }
    }

    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// A parsed response body as the transport delivers it: JSON when the body was JSON, a string when it was
/// text (HTML, text/plain), null when empty. Rust reads only the few fields it decides on.
pub trait Body: Clone + PartialEq {
    fn null() -> Self;
    fn is_null(&self) -> bool;
    /// A field of an object.
    fn get(&self, key: &str) -> Option<Self>;
    fn as_str(&self) -> Option<String>;
    fn as_f64(&self) -> Option<f64>;
    /// The length and the first element (null when empty), if this is an array.
    fn head(&self) -> Option<(usize, Self)>;
    fn is_array(&self) -> bool;
    /// A JSON object, not an array.
    fn is_object(&self) -> bool;
    /// A value that is equal for equal items (two pages of a list that should differ, compared by their
    /// first item); cheap to compare.
    fn fingerprint(&self) -> Self;
    /// The array of the values given (`[]`, `[a]`, `[a, b]`).
    fn array(a: Option<Self>, b: Option<Self>) -> Self;
    /// An object of one field.
    fn object(key: &str, value: Self) -> Self;
    fn to_error_body(&self) -> ErrorBody;

    fn str_at(&self, key: &str) -> Option<String> {
        self.get(key)?.as_str()
    }

    /// A number, or a string holding a whole number (some token endpoints send `"expires_in": "3600"`).
    fn num_at(&self, key: &str) -> Option<f64> {
        let v = self.get(key)?;
        v.as_f64().or_else(|| encode::whole(encode::trim(&v.as_str()?)).map(|n| n as f64))
    }
}

/// The platform underneath the clients: sending, time, sleeping and randomness.
#[allow(async_fn_in_trait)]
pub trait Transport {
    type Body: Body;
    /// Sends one request (`req` as [`redirect::apply`] makes it after `hop`, the redirects followed so
    /// far). Errors are only transport failures (network, timeout, abort); any HTTP status is a response.
    async fn send(&self, req: &Request, hop: Option<&redirect::Hop>) -> Result<Response<Self::Body>, Error>;
    async fn sleep(&self, ms: f64);
    fn now_ms(&self) -> f64;
    /// A number in `[0, 1)`, for back-off jitter.
    fn random(&self) -> f64;
}

/// A transport plus the retry policy: what every vendor client sends through.
pub struct Core<T> {
    pub transport: T,
    pub retry: RetryPolicy,
    /// The earliest time the next request may go (see [`RetryPolicy::spacing_ms`]).
    next_at: core::cell::Cell<f64>,
    /// The least time between two requests (`retry.spacing_ms` at first; `connect()` of the unified model
    /// sets it on a client that exists).
    pub spacing: core::cell::Cell<f64>,
}

impl<T: Transport> Core<T> {
    #[inline(never)]
    pub fn new(transport: T, retry: RetryPolicy) -> Self {
        let spacing = core::cell::Cell::new(retry.spacing_ms);
        Core { transport, retry, next_at: core::cell::Cell::new(0.0), spacing }
    }

    pub fn now_ms(&self) -> f64 {
        self.transport.now_ms()
    }

    /// Sends `req`, waiting and resending while the policy says so (429 and 503, plus `also_retry`), and
    /// following same-origin redirects of requests that allow it ([`redirect::follow`]). Returns the last
    /// response whatever its status.
    ///
    /// POST and PATCH are not idempotent: a 503 (which a proxy may send after the request got through) is
    /// retried for them only when the caller lists it in `also_retry`, as token requests do.
    pub fn send<'a>(
        &'a self,
        req: &'a Request,
        also_retry: &'a [u16],
    ) -> impl Future<Output = Result<Response<T::Body>, Error>> + 'a {
        self.exchange(req, also_retry, false)
    }

    /// Like [`Core::send`], but a non-success status becomes an [`Error::Http`] and a success body of
    /// the wrong shape (see [`Request::expect`]) an `invalid_response` error.
    pub fn send_ok<'a>(
        &'a self,
        req: &'a Request,
        also_retry: &'a [u16],
    ) -> impl Future<Output = Result<Response<T::Body>, Error>> + 'a {
        self.exchange(req, also_retry, true)
    }

    /// [`Core::send`], and with `ok` [`success`] of its answer: one state machine for both.
    async fn exchange(&self, req: &Request, also_retry: &[u16], ok: bool) -> Result<Response<T::Body>, Error> {
        req.check_headers()?;
        // Where the redirects followed so far lead, if any.
        let mut hop: Option<redirect::Hop> = None;
        let mut attempt = 1;
        let mut hops = 0;
        loop {
            // Spacing (maxRequestsPerSecond): a request goes when the previous one is `spacing_ms` behind,
            // as measured when it goes; after a wait the time is read again, so requests whose timers fired
            // late together still go one spacing apart.
            let mut wait = 0.0;
            let spacing = self.spacing.get();
            if spacing > 0.0 {
                let now = self.transport.now_ms();
                wait = retry::pace(now, self.next_at.get());
                if wait == 0.0 {
                    self.next_at.set(now + spacing);
                }
            }
            if wait == 0.0 {
                let resp = self.transport.send(req, hop.as_ref()).await?;
                let get = hop.as_ref().is_some_and(|h| h.1);
                if redirect::is_redirect(resp.status) {
                    hops += 1;
                    hop = Some(redirect::follow(req, get, resp.status, resp.location, hops)?);
                    continue;
                }
                let idempotent = get || !matches!(req.method, Method::Post | Method::Patch);
                let random = self.transport.random();
                match self.retry.delay(resp.status, resp.retry_after_ms, attempt, random, idempotent, also_retry) {
                    Some(ms) => {
                        wait = ms;
                        attempt += 1;
                    }
                    None if ok => return success(resp, req.expect),
                    None => return Ok(resp),
                }
            }
            // The spacing still to wait, or the back-off before the next attempt.
            self.transport.sleep(wait).await;
        }
    }
}

/// The response of a finished exchange as a result: an error for a non-success status or a body of the
/// wrong shape.
/// A success body of the wrong shape (HTML, truncated JSON, an object where an array is due) is an
/// `invalid_response` error that keeps the body as it came.
pub fn success<B: Body>(resp: Response<B>, expect: Shape) -> Result<Response<B>, Error> {
    if !resp.ok() {
        return Err(Error::from_response(&resp));
    }
    let what = match expect {
        Shape::Array if !resp.body.is_array() => "not a JSON array",
        Shape::Object if !resp.body.is_object() => "not a JSON object",
        _ => return Ok(resp),
    };
    Err(Error::UnexpectedBody(what, resp.body.to_error_body()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_are_checked_by_character_for_every_character() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let ok = matches!(c, ' '..='~' | '\u{80}'..='\u{ff}');
            let value = ['a', c, 'b'].iter().collect::<String>();
            let checked = Request::get("https://x.test").header("X-Test", value.as_str()).check_headers();
            assert_eq!(checked.is_ok(), ok, "U+{:04X}", c as u32);
            let mut extra = Request::get("https://x.test");
            extra.extra.push(("X-Test".into(), value));
            assert_eq!(extra.check_headers().is_ok(), ok, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn header_names_are_tokens() {
        for b in 0..=255u8 {
            let ok = b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
            let mut req = Request::get("https://x.test");
            req.extra.push((String::from_utf8_lossy(&[b'X', b]).into_owned(), "1".into()));
            assert_eq!(req.check_headers().is_ok(), ok, "{b:#04x}");
        }
        let mut req = Request::get("https://x.test");
        req.extra.push((String::new(), "1".into()));
        assert!(req.check_headers().is_err());
    }
}
