//! Reading option objects from JavaScript with clear errors: every wrong type or empty string is a
//! `CloudError` with code `invalid_argument`, naming the option, before anything is sent.

use crate::error::Error;
use crate::http::{encode, fetch::FetchTransport, retry::RetryPolicy};
use crate::vendors::ClientConfig;
use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Two options that go together, such as a client id and its secret.
pub type Pair = (String, String);

pub struct Opts {
    obj: JsValue,
    ctx: &'static str,
}

impl Opts {
    /// `value` must be an object, or undefined/null for "no options". `ctx` names the call in messages.
    pub fn new(value: impl Into<Option<JsValue>>, ctx: &'static str) -> Result<Self, Error> {
        let value = value.into().unwrap_or(JsValue::UNDEFINED);
        if value.is_undefined() || value.is_null() {
            return Ok(Opts { obj: js_sys::Object::new().into(), ctx });
        }
        if !value.is_object() || js_sys::Array::is_array(&value) || value.is_function() {
            return Err(Error::invalid(format!("{ctx}: options must be an object")));
        }
        Ok(Opts { obj: value, ctx })
    }

    fn raw(&self, key: &str) -> Option<JsValue> {
        Reflect::get(&self.obj, &key.into()).ok().filter(|v| !v.is_undefined() && !v.is_null())
    }

    fn bad(&self, key: &str, what: &str) -> Error {
        Error::invalid(format!("{}: `{key}` must be {what}", self.ctx))
    }

    pub fn string(&self, key: &str) -> Result<Option<String>, Error> {
        match self.raw(key) {
            None => Ok(None),
            Some(v) => match v.as_string() {
                Some(s) if !s.trim().is_empty() => Ok(Some(s)),
                _ => Err(self.bad(key, "a non-empty string")),
            },
        }
    }

    pub fn required(&self, key: &str) -> Result<String, Error> {
        self.string(key)?.ok_or_else(|| self.bad(key, "a non-empty string"))
    }

    /// A string that may be empty (a function argument).
    pub fn text(&self, key: &str) -> Result<Option<String>, Error> {
        match self.raw(key) {
            None => Ok(None),
            Some(v) => v.as_string().map(Some).ok_or_else(|| self.bad(key, "a string")),
        }
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>, Error> {
        self.raw(key).map(|v| v.as_bool().ok_or_else(|| self.bad(key, "a boolean"))).transpose()
    }

    /// A whole number in `min..=max`.
    pub fn number(&self, key: &str, min: u32, max: u32) -> Result<Option<u32>, Error> {
        self.raw(key)
            .map(|v| {
                v.as_f64()
                    .filter(|n| n.fract() == 0.0 && (f64::from(min)..=f64::from(max)).contains(n))
                    .map(|n| n as u32)
                    .ok_or_else(|| self.bad(key, &format!("a whole number from {min} to {max}")))
            })
            .transpose()
    }

    /// An array of non-empty strings.
    pub fn strings(&self, key: &str) -> Result<Vec<String>, Error> {
        let Some(v) = self.raw(key) else {
            return Ok(Vec::new());
        };
        let arr = v.dyn_into::<js_sys::Array>().map_err(|_| self.bad(key, "an array of strings"))?;
        arr.iter()
            .map(|item| {
                item.as_string().filter(|s| !s.is_empty()).ok_or_else(|| self.bad(key, "an array of non-empty strings"))
            })
            .collect()
    }

    pub fn function(&self, key: &str) -> Result<Option<Function>, Error> {
        self.raw(key).map(|v| v.dyn_into::<Function>().map_err(|_| self.bad(key, "a function"))).transpose()
    }

    /// An `AbortSignal` (anything with a boolean `aborted` and `addEventListener`).
    pub fn signal(&self, key: &str) -> Result<Option<JsValue>, Error> {
        let Some(v) = self.raw(key) else {
            return Ok(None);
        };
        let aborted = Reflect::get(&v, &"aborted".into()).ok().and_then(|a| a.as_bool());
        let listens = Reflect::get(&v, &"addEventListener".into()).is_ok_and(|f| f.is_function());
        if aborted.is_some() && listens {
            Ok(Some(v))
        } else {
            Err(self.bad(key, "an AbortSignal"))
        }
    }

    /// A base URL option, checked and without trailing slash, or `default`.
    pub fn url(&self, key: &str, default: &str) -> Result<String, Error> {
        let value = self.string(key)?;
        encode::base_url(&format!("{}: `{key}`", self.ctx), value.as_deref().unwrap_or(default))
    }

    /// Two options that go together (`clientId` and `clientSecret`): both or neither.
    pub fn pair(&self, a: &str, b: &str) -> Result<Option<Pair>, Error> {
        match (self.string(a)?, self.string(b)?) {
            (Some(x), Some(y)) => Ok(Some((x, y))),
            (None, None) => Ok(None),
            _ => Err(Error::invalid(format!("{}: `{a}` and `{b}` go together: give both", self.ctx))),
        }
    }

    /// Credentials `a` + `b` (both or neither) and/or a ready `accessToken`: at least one of the two.
    pub fn credentials(&self, a: &str, b: &str) -> Result<(Option<Pair>, Option<String>), Error> {
        let (pair, token) = (self.pair(a, b)?, self.string("accessToken")?);
        if pair.is_none() && token.is_none() {
            return Err(Error::invalid(format!("{}: give `{a}` and `{b}`, or an `accessToken`", self.ctx)));
        }
        Ok((pair, token))
    }

    /// The transport and retry settings every client takes: `timeoutMs` (default 30 s, 0 = none),
    /// `signal`, `fetch`, `maxAttempts` (default 3).
    pub fn client_config(&self) -> Result<ClientConfig<FetchTransport>, Error> {
        let timeout = self.number("timeoutMs", 0, 2_147_483_647)?.unwrap_or(30_000);
        let transport = FetchTransport::new(self.function("fetch")?, timeout, self.signal("signal")?)?;
        let mut retry = RetryPolicy::default();
        if let Some(n) = self.number("maxAttempts", 1, 10)? {
            retry.max_attempts = n;
        }
        Ok(ClientConfig { transport, retry })
    }
}
