//! The clients JavaScript holds, and the one export every call of the package goes through.
//!
//! Each client lives in a slot here; its JavaScript object (a plain class in pkg-templates/common.mjs) keeps
//! only the slot's handle. `__call(handle, what, arg, args, mode, extra)` serves every vendor: a new client,
//! the table-driven methods (`what` from [`INVOKE`] on: `invoke::invoke`), `free`, `toJSON`, each vendor's
//! few hand-written methods, and the package's other crossings (event-stream steps, `IotApi` calls, the
//! `CloudError` class, the unified model's steps). A wasm-bindgen class per vendor, or an export per crossing, would each bring their
//! own shim, destructor, borrow checks and glue (measured: about 1.1 KB of gzip for the four clients, the
//! executor's `Runtime` and the separate exports).
//!
//! A handle is `serial << 22 | slot << 2 | vendor`. The serial (1 to 1023, counted over every client made)
//! makes the handle of a freed client, or one made up, name no client even once its slot is taken again
//! (and JavaScript drops a handle when it frees it); the vendor names the cloud of the `CloudError` such a
//! handle gets.

use crate::prelude::*;

use super::{arduino, cthings, iotconnect, particle, reject, to_js};
use crate::error::{Error, Vendor};
use alloc::rc::Rc;
use wasm_bindgen::prelude::*;

/// A client of one of the four clouds.
#[derive(Clone)]
enum Held {
    Arduino(Rc<arduino::Client>),
    Particle(Rc<particle::Client>),
    CThings(Rc<cthings::Client>),
    IoTConnect(Rc<iotconnect::Client>),
}

/// The slots (a freed one is `None` until a new client takes it) and the serial of the last handle.
struct Slots {
    list: Vec<Option<(u32, Held)>>,
    serial: u32,
}

static CLIENTS: Local<Slots> = Local::new(Slots { list: Vec::new(), serial: 0 });

/// At most 2^20 clients at once.
const SLOT_BITS: u32 = 20;

// What `__call` does (the same numbers are in pkg-templates/common.mjs).
/// A new client of the vendor `handle` (0 Arduino, 1 Particle, 2 CThings, 3 IoTConnect) from the options
/// `arg`: answers its handle, or the `CloudError` of the options for the constructor to throw.
pub const NEW: u32 = 0;
/// Frees the client (its slot is taken by the next one; calls in flight finish). Freeing twice does nothing.
pub const FREE: u32 = 1;
/// `toJSON()`: the vendor and its public settings, never credentials or tokens.
pub const DESCRIBE: u32 = 2;
/// Particle's `setDefaultAuth(auth)`.
pub const SET_AUTH: u32 = 3;
/// Particle's event-stream setup with the options `arg` (`events::setup`).
pub const EVENT_STREAM: u32 = 4;
/// IoTConnect's `identity()`.
pub const IDENTITY: u32 = 5;
/// IoTConnect's `login()`: a promise, as [`ENDPOINTS`]'s (their errors are rejections).
pub const LOGIN: u32 = 6;
/// IoTConnect's `endpoints()`.
pub const ENDPOINTS: u32 = 7;
/// A step of an event stream: `handle` is the step's `op`, `args` its number, `arg` its value
/// (`events::event_step`).
pub const STEP: u32 = 8;
/// An `IotApi` call: `handle` is the operation, `extra` the `ApiClient` (`compat::iot_api_invoke`).
pub const IOTAPI_CALL: u32 = 9;
/// The number of positional arguments of Arduino operation `handle` (`invoke::arity`).
pub const ARITY: u32 = 10;
/// The `CloudError` class `arg`, from the package's entry files.
pub const ERROR_CLASS: u32 = 11;
/// A step of the unified model's `Cloud` (`connect()`): `mode` is its `what` (`crate::unified`), `arg` what
/// the method adds, `args` its arguments (`unified::call`). Answers the value, or the `CloudError`.
pub const UNIFIED: u32 = 12;
/// From here on, `what - INVOKE` is the operation of a table-driven method, `arg` its name, `args` its
/// arguments (`invoke::invoke`).
pub const INVOKE: u32 = 13;

/// The one crossing of the package: see the module's docs and [`NEW`] … [`INVOKE`]. Answers the value, or
/// the `CloudError` for JavaScript to throw.
#[wasm_bindgen(js_name = "__call", skip_typescript)]
pub fn call(handle: u32, what: u32, arg: JsValue, args: JsValue, mode: u32, extra: JsValue) -> JsValue {
    // No early return and no move of the three values: each is dropped in one place, at the end.
    let vendor = vendor_of(handle);
    match what {
        NEW => new(handle & 3, arg.clone()).map_or_else(|e| to_js(e, vendor), JsValue::from),
        FREE => {
            // Dropped here, once the slots are no longer borrowed.
            let _ = held(handle, true);
            JsValue::UNDEFINED
        }
        STEP => super::events::event_step(handle, args.as_f64().unwrap_or(0.0), arg.clone()),
        IOTAPI_CALL => super::compat::iot_api_invoke(&extra, handle, &arg, &args, mode),
        ARITY => super::invoke::arity(handle).into(),
        ERROR_CLASS => {
            super::set_error_class(arg.clone());
            JsValue::UNDEFINED
        }
        UNIFIED => super::unified::call(held(handle, false).map(any), vendor, mode, &arg, &args),
        INVOKE.. => super::invoke::invoke(held(handle, false).map(any), vendor, what - INVOKE, &arg, &args, mode),
        _ => {
            let answer = held(handle, false).and_then(|h| match (what, h) {
                (DESCRIBE, Held::Arduino(c)) => Ok(arduino::describe(&c)),
                (DESCRIBE, Held::Particle(c)) => Ok(particle::describe(&c)),
                (DESCRIBE, Held::CThings(c)) => Ok(cthings::describe(&c)),
                (DESCRIBE, Held::IoTConnect(c)) => Ok(iotconnect::describe(&c)),
                (SET_AUTH, Held::Particle(c)) => {
                    particle::set_default_auth(&c, arg.clone()).map(|()| JsValue::UNDEFINED)
                }
                (EVENT_STREAM, Held::Particle(c)) => super::events::setup(&c, arg.clone()).map(JsValue::from),
                (IDENTITY, Held::IoTConnect(c)) => Ok(iotconnect::identity(&c)),
                (LOGIN, Held::IoTConnect(c)) => Ok(iotconnect::login(c).into()),
                (ENDPOINTS, Held::IoTConnect(c)) => Ok(iotconnect::endpoints(c).into()),
                _ => Err(Error::invalid("no such method")),
            });
            match answer {
                Ok(v) => v,
                Err(e) if what == LOGIN || what == ENDPOINTS => reject(vendor, e).into(),
                Err(e) => to_js(e, vendor),
            }
        }
    }
}

/// The client as the invoke path and the unified model take it.
fn any(h: Held) -> super::invoke::Any {
    match h {
        Held::Arduino(c) => c,
        Held::Particle(c) => c,
        Held::CThings(c) => c,
        Held::IoTConnect(c) => c,
    }
}

fn vendor_of(handle: u32) -> Vendor {
    match handle & 3 {
        0 => Vendor::Arduino,
        1 => Vendor::Particle,
        2 => Vendor::CThings,
        _ => Vendor::IoTConnect,
    }
}

/// A new client of `vendor` in a free slot (or a new one), and its handle. The client is made before the
/// slots are borrowed: reading the options runs the user's getters, which may make or free clients.
fn new(vendor: u32, options: JsValue) -> Result<u32, Error> {
    let held = match vendor {
        0 => Held::Arduino(arduino::new(options)?),
        1 => Held::Particle(particle::new(options)?),
        2 => Held::CThings(cthings::new(options)?),
        _ => Held::IoTConnect(iotconnect::new(options)?),
    };
    let too_many = || Error::invalid("too many clients");
    CLIENTS
        .try_with(|c| {
            let Slots { list, serial } = &mut *c.borrow_mut();
            let mut slot = 0;
            while let Some(Some(_)) = list.get(slot) {
                slot += 1;
            }
            if slot == list.len() {
                if slot >= 1 << SLOT_BITS {
                    return Err(too_many());
                }
                list.push(None);
            }
            *serial = *serial % 1023 + 1;
            let handle = *serial << (SLOT_BITS + 2) | (slot as u32) << 2 | vendor;
            if let Some(s) = list.get_mut(slot) {
                *s = Some((handle, held));
            }
            Ok(handle)
        })
        .unwrap_or_else(|()| Err(too_many()))
}

/// The client of `handle` (taken out of its slot when `free`); an error when it was freed or never was.
fn held(handle: u32, free: bool) -> Result<Held, Error> {
    CLIENTS
        .try_with(|c| {
            let mut c = c.borrow_mut();
            let slot = c.list.get_mut((handle >> 2 & ((1 << SLOT_BITS) - 1)) as usize)?;
            if slot.as_ref()?.0 != handle {
                return None;
            }
            if free {
                slot.take().map(|(_, h)| h)
            } else {
                slot.as_ref().map(|(_, h)| h.clone())
            }
        })
        .ok()
        .flatten()
        .ok_or_else(|| Error::invalid("this client was freed"))
}
