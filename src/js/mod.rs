//! The JavaScript surface: the one crossing of the package's calls (clients.rs, with the clients JavaScript
//! holds by handle), option reading and `CloudError`.

use crate::prelude::*;

mod arduino;
mod clients;
mod compat;
mod cthings;
mod events;
mod invoke;
mod iotconnect;
pub(crate) mod options;
mod particle;
pub(crate) mod task;
mod types;
mod unified;

use crate::error::{Error, ErrorBody, Vendor};
pub(crate) use crate::http::fetch::set;
use core::future::Future;
use js_sys::{Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

static ERROR_CLASS: Local<Option<Function>> = Local::new(None);

/// Called once by the package's entry files (through `__call`) with the `CloudError` class (a class that extends `Error`
/// is written in JavaScript); errors are plain `Error`s with the same fields until then.
fn set_error_class(class: JsValue) {
    let _ = ERROR_CLASS.try_with(|c| *c.borrow_mut() = Some(class.unchecked_into()));
}

/// The `fetch` clients use when the user gives none (the Node entry's keep-alive transport); `undefined`
/// goes back to the platform's global `fetch`.
#[wasm_bindgen(js_name = "__setDefaultFetch", skip_typescript)]
pub fn set_default_fetch(fetch: JsValue) {
    crate::http::fetch::set_default_fetch(fetch.dyn_into::<Function>().ok());
}

/// For leak tests: live slots of the externref table.
#[wasm_bindgen(js_name = "__externrefs", skip_typescript)]
pub fn externrefs() -> u32 {
    wasm_bindgen::externref_heap_live_count()
}

/// For leak tests: bytes of wasm memory.
#[wasm_bindgen(js_name = "__memoryBytes", skip_typescript)]
pub fn memory_bytes() -> u32 {
    (core::arch::wasm32::memory_size(0) as u32).saturating_mul(65_536)
}

/// What `JSON.stringify(client)` shows: the vendor and its public settings, never credentials or tokens.
fn describe(vendor: Vendor, settings: &[(&str, Option<&str>)]) -> JsValue {
    let o = Object::new();
    set(&o, "vendor", &vendor.as_str().into());
    for (key, value) in settings {
        if let Some(v) = value {
            set(&o, key, &(*v).into());
        }
    }
    o.into()
}

fn opt_num(v: Option<f64>) -> JsValue {
    v.map_or(JsValue::UNDEFINED, JsValue::from_f64)
}

/// The `CloudError` for `err`: `vendor`, `status`/`statusCode`, `code`, `message`, `body`, `retryAfter`
/// (and Particle's `errorDescription`/`shortErrorDescription`, as particle-api-js names them), made in
/// one step by `fetch::cloud_error`.
pub(crate) fn to_js(err: Error, vendor: Vendor) -> JsValue {
    let class = ERROR_CLASS.try_with(|c| c.borrow().clone()).ok().flatten();
    let class: JsValue = class.map_or(JsValue::UNDEFINED, JsValue::from);
    let (body, retry_after) = match &err {
        Error::Http(h) => (&h.body, h.retry_after),
        Error::UnexpectedBody(_, b) => (b, None),
        _ => (&ErrorBody::Empty, None),
    };
    let body = match body {
        ErrorBody::Js(v) => v.clone(),
        _ => JsValue::UNDEFINED,
    };
    crate::http::fetch::cloud_error(
        &class,
        &err.message(),
        vendor.as_str(),
        err.code(),
        err.status(),
        &body,
        retry_after,
        vendor == Vendor::Particle,
    )
}

/// A promise of `fut`'s value; its errors become `CloudError`s of `vendor`.
///
/// The future is boxed so that one instance of the promise machinery serves every method (it is
/// otherwise copied per method, which costs kilobytes of wasm).
pub(crate) fn promise(vendor: Vendor, fut: impl Future<Output = Result<JsValue, Error>> + 'static) -> Promise {
    task::run(vendor, Box::pin(fut), &JsValue::UNDEFINED)
}

/// A promise rejected with the `CloudError` for `err`.
pub(crate) fn reject(vendor: Vendor, err: Error) -> Promise {
    Promise::reject(&to_js(err, vendor))
}
