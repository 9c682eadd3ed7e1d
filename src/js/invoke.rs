//! The one crossing of every table-driven operation: the generated JavaScript methods call
//! `client.__invoke(op, name, args, mode)`; arguments are read here as [`Arg`]s without ever letting a
//! user value throw into wasm.

use crate::prelude::*;

use super::options::{header_pairs, is_array, is_file, items_js, read_js, show, threw, utc};
use super::reject;
use crate::error::{Error, Vendor};
use crate::http::fetch::bounded_string;
use crate::http::{Body, Response};
use crate::ops::{next_start, Arg, Op, OPTS};
use crate::vendors::Client;
use alloc::rc::Rc;
use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A client of any vendor, as the one invoke path takes it.
pub(crate) type Any = Rc<dyn Client<JsValue>>;

/// Calls operation `op` of `client`'s table with the arguments of a JavaScript method named `name`; `mode`:
/// see [`COMPAT`], [`FULL`], [`PAGE`] and [`DRY`]. Every vendor's `__invoke` comes here: prepared first (nothing
/// is sent when an argument is wrong), then sent by the vendor. Answers the call's promise (with [`DRY`]:
/// undefined, or the rejection of a wrong argument).
#[inline(never)]
pub(crate) fn invoke(
    client: Result<Any, Error>,
    vendor: Vendor,
    op: u32,
    name: &JsValue,
    args: &JsValue,
    mode: u32,
) -> JsValue {
    let sent = client.and_then(|client| {
        let (args, name) = arguments(args, name)?;
        let index = op as usize;
        let org_key = if mode & COMPAT != 0 { "xOrganization" } else { "organization" };
        let op = client.op(index).ok_or_else(|| Error::invalid("no such operation"))?;
        let mut call = crate::ops::prepare(&op, &name, &args, org_key)?;
        let opts = args.get(op.positional());
        client.finish(index, &name, opts, &mut call)?;
        (call.signal, call.timeout_ms) = per_call(opts, &name, &op, &mut call.extra)?;
        let start = match opts.filter(|_| mode & PAGE != 0).map(|o| o.field("start")) {
            Some(Ok(Some(s))) => s.string().ok().flatten(),
            _ => None,
        };
        // Checked, not sent (the unified model checks every call of a step before the first is sent).
        if mode & DRY != 0 {
            return Ok(JsValue::UNDEFINED);
        }
        // The call's own signal ends it wherever it waits, a login or a discovery included.
        let signal = call.signal.clone().unwrap_or(JsValue::UNDEFINED);
        let fut = Box::pin(async move { Ok(answer(client.dispatch(index, &op, &call).await?, mode, start)) });
        Ok(super::task::run(vendor, fut, &signal).into())
    });
    sent.unwrap_or_else(|e| reject(vendor, e).into())
}

/// `mode` bit: the `IotApi` surface (its organization option is `xOrganization`).
pub const COMPAT: u32 = 1;
/// `mode` bit: resolve `[status, headers, body]` instead of the body.
pub const FULL: u32 = 2;
/// `mode` bit: one page of a paged list: resolve `[items, next start or undefined]`.
pub const PAGE: u32 = 4;
/// `mode` bit: the call is prepared (its arguments checked) but not sent; answers undefined (the unified
/// model checks every call of a step before it sends the first).
pub const DRY: u32 = 8;

impl Arg for JsValue {
    fn is_absent(&self) -> bool {
        self.is_undefined() || self.is_null()
    }
    fn field(&self, key: &str) -> Result<Option<Self>, ()> {
        Ok(Some(get(self, &key.into())?).filter(|v| !v.is_absent()))
    }
    fn string(&self) -> Result<Option<String>, ()> {
        bounded_string(self)
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn number(&self) -> Option<(String, bool)> {
        let n = self.as_f64().filter(|n| n.is_finite())?;
        Some((show(self)?, is_whole(n) && n.abs() <= 9_007_199_254_740_991.0))
    }
    fn date(&self) -> Option<String> {
        if self.is_object() {
            show(self)
        } else {
            None
        }
    }
    fn utc(&self) -> Option<(f64, String)> {
        let iso = utc(self)?;
        Some((js_sys::Date::parse(&iso), iso))
    }
    fn items(&self) -> Result<Option<Vec<Self>>, ()> {
        let list = items_js(self);
        if list.is_null() {
            return Ok(None);
        }
        if list.is_undefined() {
            return Err(());
        }
        let list = list.unchecked_into::<Array>();
        let mut out = Vec::new();
        for i in 0..list.length() {
            out.push(list.get(i));
        }
        Ok(Some(out))
    }
    fn is_object(&self) -> bool {
        JsValue::is_object(self) && is_array(self) == Some(false) && !is_file(self)
    }
    fn is_array(&self) -> bool {
        is_array(self) == Some(true)
    }
    fn is_file(&self) -> bool {
        JsValue::is_object(self) && is_file(self)
    }
    fn value(&self) -> JsValue {
        self.clone()
    }
    fn literal(text: &str, json: bool) -> Self {
        match (json, text) {
            (true, "null") => JsValue::NULL,
            (true, "true") => JsValue::TRUE,
            (true, "false") => JsValue::FALSE,
            _ => JsValue::from_str(text),
        }
    }
    fn entries(&self) -> Result<Vec<(String, Self)>, ()> {
        flat(&super::options::entries(self))
    }
}

/// `target[key]`, or `Err` when reading it throws.
#[inline(never)]
pub(crate) fn get(target: &JsValue, key: &JsValue) -> Result<JsValue, ()> {
    let v = read_js(target, key);
    if v.is_symbol() && threw(&v) {
        return Err(());
    }
    Ok(v)
}

/// The pairs of a flat array of keys and values (`[k1, v1, k2, v2, …]`).
#[inline(never)]
pub(crate) fn flat(list: &JsValue) -> Result<Vec<(String, JsValue)>, ()> {
    let (items, mut out, mut i) = (Arg::items(list)?.ok_or(())?, Vec::new(), 0);
    while let (Some(k), Some(v)) = (items.get(i), items.get(i + 1)) {
        out.push((bounded_string(k)?.ok_or(())?, v.clone()));
        i += 2;
    }
    Ok(out)
}

/// The arguments array the generated method passed, and the operation's name for messages.
pub fn arguments(args: &JsValue, name: &JsValue) -> Result<(Vec<JsValue>, String), Error> {
    let name = bounded_string(name).ok().flatten().unwrap_or_default();
    let args = match Arg::items(args) {
        Ok(Some(a)) => a,
        _ => {
            let mut m = name;
            m.push_str(": the arguments could not be read");
            return Err(Error::invalid(m));
        }
    };
    Ok((args, name))
}

/// The per-call `signal` and `timeoutMs` of an options object, and with [`OPTS`] its `headers` (extra
/// request headers, checked as every request's are before it is sent). `signal` is the AbortSignal unless
/// it is a parameter of the call (`signalDevice`'s).
pub fn per_call(
    opts: Option<&JsValue>,
    name: &str,
    op: &Op,
    extra: &mut Vec<(String, String)>,
) -> Result<(Option<JsValue>, Option<u32>), Error> {
    let Some(opts) = opts.filter(|o| Arg::is_object(*o)) else {
        return Ok((None, None));
    };
    // (A plain object, which `Opts::new` takes as it is.)
    let o = super::options::Opts { obj: opts.clone(), ctx: name };
    let timeout = o.number("timeoutMs", 0, 2_147_483_647)?;
    if op.flags & OPTS != 0 {
        if let Some(h) = Arg::field(opts, "headers").ok().flatten() {
            if !Arg::is_object(&h) || !header_pairs(&h, extra) {
                return Err(crate::ops::bad(name, "headers", "must be an object"));
            }
        }
    }
    Ok((if op.takes("signal") { None } else { o.signal("signal")? }, timeout))
}

/// What a call resolves with: the body, `[status, headers, body]` (`FULL`) or `[items, next]` (`PAGE`,
/// with `previous` the `start` this page was asked with).
#[inline(never)]
pub fn answer(resp: Response<JsValue>, mode: u32, previous: Option<String>) -> JsValue {
    if mode & PAGE != 0 {
        let items = Body::get(&resp.body, "values").filter(Body::is_array).unwrap_or_else(|| Array::new().into());
        let len = items.unchecked_ref::<Array>().length() as usize;
        let next = next_start(&resp.body, len, previous.as_deref()).map_or(JsValue::UNDEFINED, JsValue::from);
        return Array::of2(&items, &next).into();
    }
    if mode & FULL == 0 {
        return resp.body;
    }
    Array::of3(&JsValue::from(resp.status), &resp.headers, &resp.body).into()
}

/// The number of positional arguments of Arduino operation `op` (for the JavaScript page iterators).
pub(super) fn arity(op: u32) -> u32 {
    crate::ops::row(crate::ops::arduino::OPS, op as usize).map_or(0, |o| o.positional() as u32)
}
