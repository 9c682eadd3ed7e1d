//! Reading option objects from JavaScript with clear errors: every wrong type or empty string is a
//! `CloudError` with code `invalid_argument`, naming the option, before anything is sent.
//!
//! Every read of a user value is one that cannot throw into wasm: property reads go through `Reflect.get`
//! and `Array.isArray` bindings that catch (a getter that throws, a revoked `Proxy`), and strings are
//! measured before they are copied (at most [`MAX_TEXT`] characters, so no argument can exhaust memory).

use crate::prelude::*;

use crate::error::Error;
use crate::http::encode::{self, cat, num};
use crate::http::fetch::{bounded_string, FetchTransport};
use crate::http::retry::RetryPolicy;
use crate::ops::bad;
use crate::vendors::ClientConfig;
use js_sys::Function;
use wasm_bindgen::prelude::*;

// A property read that cannot throw. (A `catch` import that returns a value keeps one externref slot
// each time it throws, so a page that passes a throwing getter in a loop would fill the table; this
// returns a marker instead.)
#[wasm_bindgen(inline_js = "const THREW = Symbol('threw');\n\
export function read(target, key) {\n  try {\n    return target[key];\n  } catch {\n    return THREW;\n  }\n}\n\
export function threw(value) {\n  return value === THREW;\n}\n\
export function isArray(value) {\n  try {\n    return Array.isArray(value);\n  } catch {\n    return undefined;\n  }\n}\n\
export function items(v) {\n  try {\n    if (!Array.isArray(v)) return null;\n    let n = v.length;\n    if (typeof n !== 'number') n = 0;\n    if (n > 1000) return;\n    const out = [];\n    for (let i = 0; i + 1 <= n; i++) out.push(v[i]);\n    return out;\n  } catch {}\n}\n\
export function isFile(v) {\n  try {\n    return (typeof Blob === 'function' && v instanceof Blob) || v instanceof ArrayBuffer || ArrayBuffer.isView(v);\n  } catch {\n    return false;\n  }\n}\n\
export function pairs(o) {\n  try {\n    const out = [];\n    for (const k of Object.keys(o)) {\n      const v = o[k];\n      if (v !== undefined && v !== null) out.push(k, String(v));\n    }\n    return out;\n  } catch {}\n}\n\
export function entries(o) {\n  try {\n    return Object.entries(o).flat();\n  } catch {}\n}\n\
export function merge(o, v) {\n  try {\n    Object.assign(o, v);\n    return true;\n  } catch {\n    return false;\n  }\n}\n\
export function utc(v) {\n  try {\n    if (typeof v === 'string' || v instanceof Date) return new Date(v).toISOString();\n  } catch {}\n}\n\
export function show(v) {\n  try {\n    if (typeof v === 'number') return String(v);\n    if (v instanceof Date && v.getTime() === v.getTime()) return v.toISOString();\n  } catch {}\n}\n")]
extern "C" {
    #[wasm_bindgen(js_name = read)]
    pub fn read_js(target: &JsValue, key: &JsValue) -> JsValue;
    pub fn threw(value: &JsValue) -> bool;
    /// `Array.isArray`, or `None` when it throws (a revoked `Proxy`).
    #[wasm_bindgen(js_name = isArray)]
    pub fn is_array(value: &JsValue) -> Option<bool>;
    /// A copy of the items of an array (at most 1,000), null for anything else, undefined when there are
    /// more or reading them throws.
    #[wasm_bindgen(js_name = items)]
    pub fn items_js(value: &JsValue) -> JsValue;
    /// A `Blob`/`File`, `ArrayBuffer` or typed array.
    #[wasm_bindgen(js_name = isFile)]
    pub fn is_file(value: &JsValue) -> bool;
    /// The own enumerable string-keyed entries of an object, as `[key, String(value), …]`; undefined when
    /// reading them throws.
    pub fn pairs(value: &JsValue) -> JsValue;
    /// A number as `String(n)` prints it, a valid `Date` as ISO 8601; else undefined.
    pub fn show(value: &JsValue) -> Option<String>;
    /// A `Date` or a date string as `new Date(v).toISOString()` prints it; undefined when invalid.
    pub fn utc(value: &JsValue) -> Option<String>;
    /// The keys and values of `Object.entries`, one after the other; undefined when it throws.
    pub fn entries(value: &JsValue) -> JsValue;
    /// `Object.assign(target, value)`; false when it throws.
    pub fn merge(target: &js_sys::Object, value: &JsValue) -> bool;
}

/// `target[key]`, or an error naming `ctx` and `what` when reading it throws.
#[inline(never)]
pub fn read(target: &JsValue, key: &JsValue, ctx: &str, what: &str) -> Result<JsValue, Error> {
    super::invoke::get(target, key).map_err(|()| bad(ctx, what, "could not be read"))
}

/// A string argument copied into Rust: `None` if `value` is not a string, an error if it is longer
/// than [`MAX_TEXT`].
#[inline(never)]
pub fn text(value: &JsValue, ctx: &str, what: &str) -> Result<Option<String>, Error> {
    bounded_string(value).map_err(|()| bad(ctx, what, "is longer than 65536 characters"))
}

/// The present keys and values of an object of header values, as text (`String(value)`); `None` when it
/// cannot be read (`false`). (The names and values are checked with every request's headers before it is sent.)
#[inline(never)]
pub fn header_pairs(value: &JsValue, out: &mut Vec<(String, String)>) -> bool {
    let Ok(list) = super::invoke::flat(&pairs(value)) else { return false };
    for (k, v) in list {
        out.push((k, bounded_string(&v).ok().flatten().unwrap_or_default()));
    }
    true
}

/// `value` as the option `key` of `ctx`: a non-empty string, or `None` when absent (undefined or null).
#[inline(never)]
pub fn string_of(ctx: &str, key: &str, value: Option<JsValue>) -> Result<Option<String>, Error> {
    match value.filter(|v| !v.is_undefined() && !v.is_null()) {
        None => Ok(None),
        Some(v) => match text(&v, ctx, key)? {
            Some(s) if !encode::trim(&s).is_empty() => Ok(Some(s)),
            _ => Err(bad(ctx, key, "must be a non-empty string")),
        },
    }
}

/// Two options that go together, such as a client id and its secret.
pub type Pair = (String, String);

pub struct Opts<'c> {
    pub(crate) obj: JsValue,
    pub(crate) ctx: &'c str,
}

impl<'c> Opts<'c> {
    /// `value` must be an object, or undefined/null for "no options". `ctx` names the call in messages.
    pub fn new(value: JsValue, ctx: &'c str) -> Result<Self, Error> {
        if value.is_undefined() || value.is_null() {
            return Ok(Opts { obj: js_sys::Object::new().into(), ctx });
        }
        let array = is_array(&value).ok_or_else(|| bad(ctx, "options", "could not be read"))?;
        if !value.is_object() || array || value.is_function() {
            return Err(bad(ctx, "options", "must be an object"));
        }
        Ok(Opts { obj: value, ctx })
    }

    /// The option `key`; `None` when undefined or null, an error when reading it throws.
    #[inline(never)]
    pub(crate) fn raw(&self, key: &str) -> Result<Option<JsValue>, Error> {
        let v = read(&self.obj, &key.into(), self.ctx, key)?;
        Ok(Some(v).filter(|v| !v.is_undefined() && !v.is_null()))
    }

    #[inline(never)]
    fn str_of(&self, key: &str, v: &JsValue) -> Result<Option<String>, Error> {
        text(v, self.ctx, key)
    }

    pub(crate) fn bad(&self, key: &str, what: &str) -> Error {
        bad(self.ctx, key, what)
    }

    #[inline(never)]
    pub fn string(&self, key: &str) -> Result<Option<String>, Error> {
        self.string_of(key, self.raw(key)?)
    }

    /// `value` as the option `key`: a non-empty string, or `None` when absent.
    pub fn string_of(&self, key: &str, value: Option<JsValue>) -> Result<Option<String>, Error> {
        string_of(self.ctx, key, value)
    }

    /// A non-empty string when `needed`; otherwise it may be absent (empty).
    #[inline(never)]
    pub fn required(&self, key: &str, needed: bool) -> Result<String, Error> {
        match self.string(key)? {
            Some(s) => Ok(s),
            None if needed => Err(self.bad(key, "must be a non-empty string")),
            None => Ok(String::new()),
        }
    }

    /// A string that may be empty (a function argument).
    #[inline(never)]
    #[allow(dead_code)]
    pub fn text(&self, key: &str) -> Result<Option<String>, Error> {
        match self.raw(key)? {
            None => Ok(None),
            Some(v) => self.str_of(key, &v)?.map(Some).ok_or_else(|| self.bad(key, "must be a string")),
        }
    }

    /// A boolean option; absent is `false`.
    #[inline(never)]
    pub fn flag(&self, key: &str) -> Result<bool, Error> {
        self.raw(key)?.map_or(Ok(false), |v| v.as_bool().ok_or_else(|| self.bad(key, "must be a boolean")))
    }

    /// A whole number in `min..=max`.
    #[inline(never)]
    pub fn number(&self, key: &str, min: u32, max: u32) -> Result<Option<u32>, Error> {
        let Some(v) = self.raw(key)? else { return Ok(None) };
        match v.as_f64() {
            Some(n) if is_whole(n) && n >= f64::from(min) && n <= f64::from(max) => Ok(Some(n as u32)),
            _ => {
                Err(self.bad(key, &cat(&["must be a whole number from ", &num(min.into()), " to ", &num(max.into())])))
            }
        }
    }

    pub fn function(&self, key: &str) -> Result<Option<Function>, Error> {
        self.raw(key)?.map(|v| v.dyn_into::<Function>().map_err(|_| self.bad(key, "must be a function"))).transpose()
    }

    /// An `AbortSignal` (anything with a boolean `aborted` and `addEventListener`).
    pub fn signal(&self, key: &str) -> Result<Option<JsValue>, Error> {
        let Some(v) = self.raw(key)? else {
            return Ok(None);
        };
        let aborted = read(&v, &"aborted".into(), self.ctx, key)?.as_bool();
        let listens = read(&v, &"addEventListener".into(), self.ctx, key)?.is_function();
        if aborted.is_some() && listens {
            Ok(Some(v))
        } else {
            Err(self.bad(key, "must be an AbortSignal"))
        }
    }

    /// The object option `key` as options of its own (`apiClient.authentications`); empty when absent.
    #[inline(never)]
    pub fn object(&self, key: &str) -> Result<Opts<'c>, Error> {
        match self.raw(key)? {
            Some(v) if v.is_object() => Ok(Opts { obj: v, ctx: self.ctx }),
            Some(_) => Err(self.bad(key, "must be an object")),
            None => Opts::new(JsValue::UNDEFINED, self.ctx),
        }
    }

    /// A base URL option, checked and without trailing slash, or `default`.
    #[inline(never)]
    pub fn url(&self, key: &str, default: &str) -> Result<String, Error> {
        let value = self.string(key)?;
        encode::base_url(self.ctx, key, value.as_deref().unwrap_or(default))
    }

    /// Two options that go together (`clientId` and `clientSecret`): both or neither.
    #[inline(never)]
    pub fn pair(&self, a: &str, b: &str) -> Result<Option<Pair>, Error> {
        match (self.string(a)?, self.string(b)?) {
            (Some(x), Some(y)) => Ok(Some((x, y))),
            (None, None) => Ok(None),
            _ => Err(Error::invalid(cat(&[self.ctx, ": `", a, "` and `", b, "` go together: give both"]))),
        }
    }

    /// Credentials `a` + `b` (both or neither) and/or a ready `accessToken`: at least one of the two.
    #[inline(never)]
    pub fn credentials(&self, a: &str, b: &str) -> Result<(Option<Pair>, Option<String>), Error> {
        let (pair, token) = (self.pair(a, b)?, self.string("accessToken")?);
        if pair.is_none() && token.is_none() {
            return Err(Error::invalid(cat(&[self.ctx, ": give `", a, "` and `", b, "`, or an `accessToken`"])));
        }
        Ok((pair, token))
    }

    /// The transport and retry settings every client takes: `timeoutMs` (default 30 s, 0 = none),
    /// `signal`, `fetch`, `maxAttempts` (default 3), `maxRequestsPerSecond` (default: no spacing).
    pub fn client_config(&self) -> Result<ClientConfig<FetchTransport>, Error> {
        let timeout = self.number("timeoutMs", 0, 2_147_483_647)?.unwrap_or(30_000);
        let transport = FetchTransport::new(self.function("fetch")?, timeout, self.signal("signal")?)?;
        let mut retry = RetryPolicy::default();
        if let Some(n) = self.number("maxAttempts", 1, 10)? {
            retry.max_attempts = n;
        }
        if let Some(n) = self.number("maxRequestsPerSecond", 1, 1_000)? {
            retry.spacing_ms = 1_000.0 / f64::from(n);
        }
        Ok(ClientConfig { transport, retry })
    }
}
