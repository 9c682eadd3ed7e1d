//! The unified model's wasm edge: `client.__invoke(what, '', args, UNIFIED)` of every client class, the one
//! crossing of `connect()` and its `Cloud` (pkg-templates/common.mjs). What it does is [`crate::unified`]'s; the values
//! are the platform's own.

use super::invoke::Any;
use super::{reject, set};
use crate::error::Vendor;
use crate::http::Body;
use crate::ops::Arg;
use crate::unified::{self, Json};
use js_sys::{Array, Date, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

impl Json for JsValue {
    fn list() -> Self {
        Array::new().into()
    }
    fn map() -> Self {
        Object::new().into()
    }
    fn put(&mut self, key: &str, value: Self) {
        set(self.unchecked_ref(), key, &value);
    }
    fn push(&mut self, value: Self) {
        self.unchecked_ref::<Array>().push(&value);
    }
    fn child(&self, key: &str) -> Option<Self> {
        Body::get(self, key)
    }
    fn item(&self, i: usize) -> Self {
        self.unchecked_ref::<Array>().get(i as u32)
    }
    fn pairs(&self) -> Self {
        super::options::entries(self)
    }
    fn trim(&mut self, max: u32) {
        let a: &Array = self.unchecked_ref();
        while a.length() > max {
            a.shift();
        }
    }
    fn as_date(&self) -> Self {
        if Arg::is_absent(self) {
            return JsValue::NULL;
        }
        let d = Date::new(self);
        if d.get_time().is_nan() {
            JsValue::NULL
        } else {
            d.into()
        }
    }
    fn now() -> Self {
        Date::new_0().into()
    }
    fn kind(&self) -> Self {
        self.js_typeof()
    }
    fn num(n: f64) -> Self {
        JsValue::from_f64(n)
    }
}

/// A call of the unified model, `client.__invoke(what, extra, args, UNIFIED)`: a promise of what
/// `crate::unified` answers (`SETUP`: nothing; `CHANGES`, `EVENT`: their value; a method: the calls of its
/// next step, or its answer).
pub(crate) fn call(client: Any, vendor: Vendor, what: u32, extra: &JsValue, args: &JsValue) -> Promise {
    let a = |i: usize| Json::item(args, i);
    let answer = match what {
        unified::SETUP => unified::setup(&*client, vendor, &a(0)).map(|()| JsValue::UNDEFINED),
        unified::CHANGES => Ok(unified::changes(vendor, &mut a(0), &a(1), &a(2))),
        unified::EVENT => Ok(unified::event(vendor, &mut a(0), &a(1))),
        _ => unified::run(vendor, what, extra, args),
    };
    match answer {
        Ok(v) => Promise::resolve(&v),
        Err(e) => reject(vendor, e),
    }
}
