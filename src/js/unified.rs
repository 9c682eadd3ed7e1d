//! The unified model's wasm edge: `__call(handle, UNIFIED, extra, args, what)` (src/js/clients.rs), the one
//! crossing of `connect()` and its `Cloud` (pkg-templates/common.mjs). What it does is [`crate::unified`]'s;
//! the values are the platform's own.

use super::invoke::Any;
use super::{set, to_js};
use crate::error::{Error, Vendor};
use crate::http::Body;
use crate::unified::{self, Json};
use js_sys::{Array, Date, Object};
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
    fn count(&self) -> usize {
        if Body::is_array(self) {
            self.unchecked_ref::<Array>().length() as usize
        } else {
            0
        }
    }
    fn item(&self, i: usize) -> Self {
        self.unchecked_ref::<Array>().get(i as u32)
    }
    fn pairs(&self) -> Self {
        super::options::entries(self)
    }
    fn as_date(&self) -> Self {
        super::options::utc(self).map_or(JsValue::NULL, |iso| Date::new(&iso.into()).into())
    }
    fn now() -> Self {
        Date::new(&Date::now().into()).into()
    }
    fn kind(&self) -> Self {
        self.js_typeof()
    }
    fn num(n: f64) -> Self {
        JsValue::from_f64(n)
    }
}

/// A step of the unified model on `client`: what `crate::unified` answers for `what` (`SETUP`, with the
/// vendor's default rate as `extra`: nothing;
/// `CHANGES`, `EVENT`: their value; a method: the calls of its next step, or its answer), or the `CloudError`
/// for JavaScript to throw.
pub(crate) fn call(client: Result<Any, Error>, vendor: Vendor, what: u32, extra: &JsValue, args: &JsValue) -> JsValue {
    let a = |i: usize| Json::item(args, i);
    let answer = client.and_then(|client| match what {
        unified::SETUP => unified::setup(&*client, &a(0), extra.as_f64().unwrap_or(1.0)).map(|()| JsValue::UNDEFINED),
        unified::CHANGES => Ok(unified::changes(vendor, &mut a(0), &a(1), &a(2))),
        unified::EVENT => Ok(unified::event(vendor, &mut a(0), &a(1))),
        _ => unified::run(vendor, what, extra, args),
    });
    answer.unwrap_or_else(|e| to_js(e, vendor))
}
